// The string forms of ai.onnx.ml's lookups — what a scikit-learn pipeline
// does with class names and categorical columns: LabelEncoder and
// CategoryMapper between strings and numbers (or strings and strings),
// OneHotEncoder over cats_strings, ArrayFeatureExtractor picking strings (how
// skl2onnx turns an MLP's or a k-NN's winning class into its name). Strings
// live on the host (StringTensor), so these run there, on the values: a
// table lookup per element. A numeric input on a GPU is read back first by
// an asynchronous run (host_values.ts); the synchronous run refuses it.
//
// Semantics are onnxruntime's CPU kernels (label_encoder.cc,
// category_mapper.cc, onehotencoder.cc, array_feature_extractor.cc): a
// repeated key keeps its first entry in LabelEncoder, its last in
// CategoryMapper (both ways), a repeated category its last place in
// OneHotEncoder; an absent key gives the default ('_Unused' for strings, −1
// for int64, −0.0 for float).
import { hostArray } from '../host_values.js';
import type { NodeCall } from '../node_call.js';
import { StringTensor } from '../string_tensor.js';
import { Constant, type ElementType, type Value } from '../value.js';

/** onnxruntime's default_string, for a key LabelEncoder or CategoryMapper does not know. */
const UNUSED = '_Unused';

/** Input 0 as numbers on the host (a GPU's read back by runAsync), with its shape; strings there refused, saying `why` the op takes numbers. */
function numericInput(call: NodeCall, why: string): { shape: readonly number[]; values: ArrayLike<number> } {
  const x = call.anyValue(0);
  if (x instanceof StringTensor) throw call.error(`input 0 (${call.node.inputs[0]}) is a string tensor [${x.shape.join(', ')}], but ${why}; it takes numbers there`);
  return hostArray(call, 0, why);
}

/** A table from keys to entries, a repeated key keeping its first entry (onnxruntime's emplace). */
function firstOf<K, V>(keys: readonly K[], entries: readonly V[]): Map<K, V> {
  const table = new Map<K, V>();
  keys.forEach((k, i) => {
    if (!table.has(k)) table.set(k, entries[i]);
  });
  return table;
}

/** A table from keys to entries, a repeated key keeping its last entry (onnxruntime's map[key] = entry). */
function lastOf<K, V>(keys: readonly K[], entries: readonly V[]): Map<K, V> {
  return new Map(keys.map((k, i) => [k, entries[i]]));
}

/** n elements of shape, each `pick(k)`: strings as a StringTensor, numbers as a Constant of `type` (rounded to float32 for float). */
export function made(shape: readonly number[], type: ElementType | 'string', n: number, pick: (k: number) => string | number): StringTensor | Constant {
  if (type === 'string') return new StringTensor(Array.from({ length: n }, (_, k) => pick(k) as string), shape);
  return new Constant(type, shape, Float64Array.from({ length: n }, (_, k) => (type === 'float' ? Math.fround(pick(k) as number) : (pick(k) as number))));
}

/** An int64 key as tmnn holds it (an element read from a tensor, a double): integral, so a float element of an int64 input is cut as a cast would. */
const intKey = (v: number): number => Math.trunc(v);

/**
 * A LabelEncoder table that holds strings: keys_strings or values_strings
 * (opsets 2 and 3), or keys_tensor / values_tensor of strings (opset 4).
 * undefined where neither side holds strings (the numeric form runs).
 */
interface StringTable {
  keys: readonly (string | number)[];
  values: readonly (string | number)[];
  keyType: ElementType | 'string';
  valueType: ElementType | 'string';
  fallback: string | number;
}

/** One side of LabelEncoder's table: `kind`_strings, _int64s, _floats or (opset 4) _tensor, with its element type. */
function side(call: NodeCall, kind: 'keys' | 'values'): { list: (string | number)[]; type: ElementType | 'string'; from: string } | undefined {
  const found: { list: (string | number)[]; type: ElementType | 'string'; from: string }[] = [];
  const strings = call.strings(`${kind}_strings`), ints = call.ints(`${kind}_int64s`), floats = call.floats(`${kind}_floats`);
  if (strings) found.push({ list: strings, type: 'string', from: `${kind}_strings` });
  if (ints) found.push({ list: ints, type: 'int64', from: `${kind}_int64s` });
  if (floats) found.push({ list: floats, type: 'float', from: `${kind}_floats` });
  const tensor = call.hostValueAttribute(`${kind}_tensor`);
  if (tensor instanceof StringTensor) found.push({ list: [...tensor.values], type: 'string', from: `${kind}_tensor` });
  else if (tensor) found.push({ list: tensor.values(), type: tensor.type, from: `${kind}_tensor` });
  if (found.length > 1) throw call.error(`has ${found.map((t) => t.from).join(' and ')}; it must have only one ${kind} attribute`);
  return found[0];
}

/** LabelEncoder's table where either side holds strings; undefined for the numeric form. */
export function labelEncoderStrings(call: NodeCall): StringTable | undefined {
  return call.fromAttributes(() => {
    if (call.domainOpset < 2) {
      // Opset 1: classes_strings, each string's place its int64 (or back).
      const classes = call.strings('classes_strings');
      if (!classes?.length) throw call.error('classes_strings is required in ai.onnx.ml opset 1 (the classes, their places their numbers)');
      const toInts = call.anyValue(0) instanceof StringTensor;
      const places = classes.map((_, i) => i);
      return toInts
        ? { keys: classes, values: places, keyType: 'string', valueType: 'int64', fallback: call.int('default_int64', -1) }
        : { keys: places, values: classes, keyType: 'int64', valueType: 'string', fallback: call.string('default_string', UNUSED) };
    }
    const keys = side(call, 'keys'), values = side(call, 'values');
    if (!keys || !values) return undefined;
    if (keys.type !== 'string' && values.type !== 'string') return undefined;
    if (keys.list.length !== values.list.length) throw call.error(`${keys.from} has ${keys.list.length} entries and ${values.from} ${values.list.length}; they must be as long as each other`);
    return { keys: keys.list, values: values.list, keyType: keys.type, valueType: values.type, fallback: labelFallback(call, values.type) };
  });
}

/** The default for a key not found: default_tensor's first value (opset 4), else default_string, default_int64 or default_float by the values' type. */
function labelFallback(call: NodeCall, type: ElementType | 'string'): string | number {
  const given = call.hostValueAttribute('default_tensor');
  if (given) {
    if (given.size === 0) throw call.error('default_tensor is empty; it must hold the default value');
    if ((given instanceof StringTensor) !== (type === 'string')) throw call.error(`default_tensor is ${given instanceof StringTensor ? 'string' : given.type} and the values ${type}; they must be of one kind`);
    return given instanceof StringTensor ? given.values[0] : given.data[0];
  }
  if (type === 'string') return call.string('default_string', UNUSED);
  return type === 'float' || type === 'double' ? call.float('default_float', -0) : call.int('default_int64', -1);
}

/** LabelEncoder with strings on either side: each element looked up among the keys, its value or the default. */
export function labelEncodeStrings(call: NodeCall, t: StringTable): Value {
  const why = `its keys are ${t.keyType === 'string' ? 'strings' : 'numbers'}`;
  const table = firstOf(t.keys, t.values);
  if (t.keyType === 'string') {
    const x = call.stringTensor(0, why);
    return made(x.shape, t.valueType, x.size, (k) => table.get(x.values[k]) ?? t.fallback);
  }
  const x = numericInput(call, `${why} and its values strings, looked up on the host`);
  const float = t.keyType === 'float' || t.keyType === 'double';
  // Float keys compare with the f32 elements as float32 (the numeric form's rule).
  const keyed = float ? firstOf(t.keys.map((k) => Math.fround(k as number)), t.values) : table;
  const n = x.shape.reduce((a, b) => a * b, 1);
  return made(x.shape, t.valueType, n, (k) => keyed.get(float ? Math.fround(x.values[k]) : intKey(x.values[k])) ?? t.fallback);
}

/**
 * CategoryMapper: strings to int64 through the pairs (cats_strings[i],
 * cats_int64s[i]), or int64 to strings the other way, by input 0's type
 * (a repeated string or int64 pairs with its last partner); default_int64
 * (−1) or default_string ('_Unused') for what is not among them.
 */
export function categoryMapper(call: NodeCall): Value {
  const strings = call.strings('cats_strings') ?? [], ints = call.ints('cats_int64s') ?? [];
  if (strings.length !== ints.length) throw call.error(`cats_strings has ${strings.length} entries and cats_int64s ${ints.length}; they pair up, one for one`);
  if (strings.length === 0) throw call.error('cats_strings and cats_int64s (the pairs it maps by) are required and must not be empty');
  const x = call.anyValue(0);
  if (x instanceof StringTensor) {
    const table = lastOf(strings, ints);
    const fallback = call.int('default_int64', -1);
    return made(x.shape, 'int64', x.size, (k) => table.get(x.values[k]) ?? fallback);
  }
  const { shape, values } = numericInput(call, 'it maps int64 to strings on the host');
  const table = lastOf(ints, strings);
  const fallback = call.string('default_string', UNUSED);
  return made(shape, 'string', shape.reduce((a, b) => a * b, 1), (k) => table.get(intKey(values[k])) ?? fallback);
}

/**
 * OneHotEncoder over cats_strings: each string of x replaced by a row [n]
 * of zeros with a 1 at its category's place (a repeated category's last),
 * the output [...x's shape, n] in float; a string of no category gives a row
 * of zeros with zeros = 1, and is refused with zeros = 0, as onnxruntime
 * refuses it.
 */
export function oneHotStrings(call: NodeCall, cats: readonly string[]): Constant {
  const x = call.stringTensor(0, 'its categories are strings (cats_strings)');
  const zeros = call.int('zeros', 1);
  if (zeros !== 0 && zeros !== 1) throw call.error(`zeros = ${zeros}; it is 1 (unknown categories give zeros) or 0 (they are an error)`);
  const place = new Map(cats.map((c, i) => [c, i]));
  const n = cats.length;
  const out = new Float64Array(x.size * n);
  x.values.forEach((v, k) => {
    const at = place.get(v);
    if (at !== undefined) out[k * n + at] = 1;
    else if (zeros === 0) throw call.error(`element ${k} of its input, '${v}', is none of cats_strings, and zeros = 0 makes that an error`);
  });
  return new Constant('float', [...x.shape, n], out);
}

/**
 * ArrayFeatureExtractor on strings: x's strings at indices Y along its last
 * axis, as the numeric form picks numbers (a vector x gives [1, count]); an
 * index outside [0, n) is refused.
 */
export function pickStrings(call: NodeCall): StringTensor {
  const x = call.stringTensor(0, 'ArrayFeatureExtractor picks strings here');
  if (x.rank === 0) throw call.error('X is a scalar; it must have an axis to select along');
  const indices = call.constant(1, 'indices (Y)');
  if (!['int64', 'int32'].includes(indices.type)) throw call.error(`Y (the indices) is ${indices.type}; it must be int64`);
  if (indices.size === 0) throw call.error('Y (the indices) is empty; it must hold at least one index');
  const n = x.shape[x.rank - 1];
  indices.data.forEach((i, k) => {
    if (!(i >= 0 && i < n)) throw call.error(`index ${i} (Y[${k}]) is outside [0, ${n}), the last axis of X [${x.shape.join(', ')}]`);
  });
  const rows = x.size / n;
  const count = indices.size;
  const shape = x.rank === 1 ? [1, count] : [...x.shape.slice(0, -1), count];
  return new StringTensor(Array.from({ length: rows * count }, (_, k) => x.values[Math.floor(k / count) * n + indices.data[k % count]]), shape);
}
