// ai.onnx.ml's preprocessing ops, the steps scikit-learn's converter puts in
// front of a model: Scaler, Normalizer, Binarizer, Imputer,
// ArrayFeatureExtractor, FeatureVectorizer, OneHotEncoder and LabelEncoder's
// numeric forms. Each is a fixed graph of tm ops on the device, its
// attributes made constant tensors once per run: elementwise arithmetic and
// comparisons, a reduction along the rows (Normalizer), a gather
// (ArrayFeatureExtractor), slices, pads and a concat (FeatureVectorizer), and
// the lookups: OneHotEncoder compares every value with every category, its
// output [..., K] itself; LabelEncoder finds each value's place among the
// sorted keys (searchsorted) and compares it with the key there.
//
// Semantics are onnxruntime's CPU kernels (core/providers/cpu/ml/*.cc) where
// they and ONNX's reference (onnx/reference/ops/aionnxml) differ; each place
// says so. What onnxruntime refuses at run time from the values (an unknown
// category with zeros = 0, an index past the row, a NaN into Binarizer) is
// refused where the values can be read at once — a constant input, or the
// js and native backends, which hold them in memory — and, on a GPU, in an
// asynchronous run, which reads them back for the check (valuesRead); a
// GPU's synchronous run, which never reads back, gives what the op's tensor
// form gives there (said at each). Their string forms (string keys, values,
// categories and inputs) run on the host: ml_strings.ts.
import { INT_RANGE, isFloat } from '../../dtype.js';
import * as ops from '../../ops/index.js';
import { gatherOrZero } from '../../ops/movement.js';
import { Tensor } from '../../tensor.js';
import { readable, valuesRead } from '../host_values.js';
import type { NodeCall } from '../node_call.js';
import { StringTensor } from '../string_tensor.js';
import { categoryMapper, labelEncodeStrings, labelEncoderStrings, oneHotStrings, pickStrings } from './ml_strings.js';
import type { ElementType } from '../value.js';
import type { OnnxOp, OpTable } from './op.js';

const [I32_MIN, I32_MAX] = INT_RANGE.i32;

const isInt32 = (v: number): boolean => Number.isInteger(v) && v >= I32_MIN && v <= I32_MAX;

/** x as f32: these ops' float outputs (and their comparisons against float attributes) are float32's, whatever x's type. */
function asF32(x: Tensor): Tensor {
  return x.dtype === 'f32' ? x : ops.cast(x, 'f32');
}

/** Whether x holds integers (tmnn's i32 stands for int64 and int32, i8 for int8). */
const isIntegral = (x: Tensor): boolean => !isFloat(x.dtype);

/** A list of numbers as a constant f32 tensor [n] for this run. */
const floatsTensor = (v: readonly number[]): Tensor => ops.tensor(Float32Array.from(v), [v.length]);

/** A list of integers (each within i32) as a constant i32 tensor [n] for this run. */
const intsTensor = (v: readonly number[]): Tensor => ops.tensor(Int32Array.from(v), [v.length], { dtype: 'i32' });

/**
 * onnxruntime's "feature" axis for Scaler and Imputer: the length of axis 1
 * (axis 0 of a vector). A per-feature attribute of that length is applied to
 * element i of the flattened input as attribute[i mod stride] — along the
 * last axis for [N, F] and [F], but not along any one axis of a higher rank
 * (there ONNX's reference broadcasts along the last axis instead; tmnn does as
 * onnxruntime, whose results models are checked against).
 */
function featureStride(x: Tensor): number {
  return x.rank === 1 ? x.shape[0] : x.shape[1];
}

/** f applied to x seen as rows [size / stride, stride] (so a per-feature vector [stride] broadcasts as onnxruntime indexes it), in x's shape again. */
function byFeature(x: Tensor, stride: number, f: (rows: Tensor) => Tensor): Tensor {
  if (x.rank <= 2) return f(x);
  return ops.reshape(f(ops.reshape(x, [x.size / stride, stride])), x.shape);
}

/**
 * Scaler: (x − offset)·scale, in float. offset and scale hold one value for
 * every element or one per feature (onnxruntime's: axis 1's length; see
 * featureStride), and both are required, of equal lengths, as onnxruntime
 * requires them.
 */
const scaler: OnnxOp = {
  run: (call) => {
    const x = asF32(call.tensor(0));
    const scale = call.floats('scale'), offset = call.floats('offset');
    if (!scale?.length) throw call.error('scale (a list of floats) is required and must not be empty');
    if (!offset?.length) throw call.error('offset (a list of floats) is required and must not be empty');
    if (scale.length !== offset.length) throw call.error(`scale has ${scale.length} values and offset ${offset.length}; they must be as long as each other`);
    if (x.rank === 0) throw call.error('its input is a scalar; it must be [N, F] or [F]');
    const stride = featureStride(x);
    if (scale.length === 1) return ops.mul(ops.sub(x, offset[0]), scale[0]);
    if (scale.length !== stride) throw call.error(`scale and offset have ${scale.length} values; for input [${x.shape.join(', ')}] they must have 1 or ${stride} (one per feature)`);
    return byFeature(x, stride, (rows) => ops.mul(ops.sub(rows, floatsTensor(offset)), floatsTensor(scale)));
  },
};

const NORMS = ['MAX', 'L1', 'L2'] as const;

/**
 * Normalizer: each row of x [N, C] (or x [C], one row) divided by its
 * largest value (MAX), the sum of its absolute values (L1), or the square
 * root of the sum of its squares (L2, onnxruntime's √(x²/Σx²) with x's
 * sign, which is x/√Σx²); a row whose divisor is 0 is left as it is. MAX
 * divides by the largest value even when it is negative, as onnxruntime does.
 */
const normalizer: OnnxOp = {
  run: (call) => {
    const norm = call.string('norm', 'MAX');
    if (!(NORMS as readonly string[]).includes(norm)) throw call.error(`norm = '${norm}' is not one of ${NORMS.map((n) => `'${n}'`).join(', ')}`);
    const x = asF32(call.tensor(0));
    if (x.rank !== 1 && x.rank !== 2) throw call.error(`its input is [${x.shape.join(', ')}]; it must be [N, C] or [C] (onnxruntime's limit too)`);
    const divisor =
      norm === 'MAX' ? ops.max(x, -1, { keepDims: true }) : norm === 'L1' ? ops.sum(ops.abs(x), -1, { keepDims: true }) : ops.sqrt(ops.sum(ops.square(x), -1, { keepDims: true }));
    const zero = ops.equal(divisor, 0);
    // The divisor is 1 where it was 0 (that row is kept as it is), so no 0/0 is computed.
    return ops.where(zero, x, ops.div(x, ops.where(zero, 1, divisor)));
  },
};

/** The ONNX element type of integer input i, for an output of the same type (int64 where unrecorded). */
function intTypeOf(call: NodeCall, i: number): ElementType {
  return call.elementType(i) ?? 'int64';
}

/**
 * Binarizer: 1 where x > threshold (default 0), else 0, in x's type.
 * onnxruntime refuses a NaN in x: so does tmnn where x can be read at once
 * and in runAsync; a GPU's synchronous run gives 0 for it (NaN > t is
 * false), as ONNX's reference gives.
 * onnxruntime runs float x only; tmnn takes integers too (compared as floats).
 */
const binarizer: OnnxOp = {
  run: (call) => {
    const x = call.tensor(0);
    const threshold = call.float('threshold', 0);
    const held = isIntegral(x) ? undefined : readable(call, 0, x);
    if (held) {
      for (let i = 0; i < held.length; i++) if (Number.isNaN(held[i])) throw call.error(`its input holds NaN (element ${i}), which onnxruntime refuses`);
    }
    const above = ops.greater(asF32(x), threshold);
    if (isIntegral(x)) return call.typed(ops.cast(above, x.dtype), intTypeOf(call, 0));
    return ops.cast(above, x.dtype);
  },
};

/**
 * Imputer: each element equal to the replaced value becomes the imputed
 * value (one for all, or one per feature as in Scaler), every NaN when the
 * replaced value is NaN. Floats take imputed_value_floats and
 * replaced_value_float, integers imputed_value_int64s and
 * replaced_value_int64, and the output has the input's type. onnxruntime
 * takes the first imputed value when there are neither 1 nor F of them;
 * tmnn refuses that, as ONNX's reference does (the model is malformed).
 */
const imputer: OnnxOp = {
  run: (call) => {
    const x = call.tensor(0);
    const floats = call.floats('imputed_value_floats'), ints = call.ints('imputed_value_int64s');
    if (floats?.length && ints?.length) throw call.error('has both imputed_value_floats and imputed_value_int64s; it must have one');
    if (x.rank === 0) throw call.error('its input is a scalar; it must be [N, F] or [F]');
    const integral = isIntegral(x);
    const values = integral ? ints : floats;
    if (!values?.length) {
      throw call.error(`its input holds ${integral ? 'integers' : 'floats'}, so it needs ${integral ? 'imputed_value_int64s' : 'imputed_value_floats'}, which is ${(integral ? floats : ints)?.length ? `absent (it has ${integral ? 'imputed_value_floats' : 'imputed_value_int64s'})` : 'absent or empty'}`);
    }
    const stride = featureStride(x);
    if (values.length !== 1 && values.length !== stride) throw call.error(`has ${values.length} imputed values; for input [${x.shape.join(', ')}] it must have 1 or ${stride} (one per feature)`);
    if (integral) {
      const replaced = call.int('replaced_value_int64', 0);
      const bad = values.find((v) => !isInt32(v));
      if (bad !== undefined) throw call.error(`imputed_value_int64s holds ${bad}, past the range of tmnn's i32 integer tensors`);
      // A replaced value no i32 equals matches nothing: x is left as it is.
      if (!isInt32(replaced)) return x;
      const y = byFeature(x, stride, (rows) => ops.where(ops.equal(rows, replaced), values.length === 1 ? values[0] : intsTensor(values), rows));
      return call.typed(ops.cast(y, x.dtype), intTypeOf(call, 0));
    }
    const replaced = call.float('replaced_value_float', 0);
    const y = byFeature(x, stride, (rows) => {
      const hit = Number.isNaN(replaced) ? ops.isNaN(rows) : ops.equal(rows, replaced);
      return ops.where(hit, values.length === 1 ? values[0] : floatsTensor(values), rows);
    });
    return ops.cast(y, x.dtype);
  },
};

/**
 * ArrayFeatureExtractor: x's entries at indices Y along its last axis, Y
 * read flattened; the output is x's shape with the last axis replaced by Y's
 * count, and [1, count] for a vector x (onnxruntime's output shapes). An
 * index outside [0, n) is refused, as onnxruntime refuses it (ONNX's
 * reference, NumPy's take, would count a negative one from the end), where
 * the indices can be read at once and in runAsync; a GPU's synchronous run
 * gives 0 for it.
 */
const arrayFeatureExtractor: OnnxOp = {
  run: (call) => {
    const x = call.tensor(0), y = call.tensor(1);
    if (x.rank === 0) throw call.error('X is a scalar; it must have an axis to select along');
    if (isFloat(y.dtype)) throw call.error(`Y (the indices) is ${y.dtype}; it must be int64`);
    if (y.size === 0) throw call.error('Y (the indices) is empty; it must hold at least one index');
    const n = x.shape[x.rank - 1];
    const held = readable(call, 1, y);
    if (held) {
      for (let i = 0; i < held.length; i++) if (!(held[i] >= 0 && held[i] < n)) throw call.error(`index ${held[i]} (Y[${i}]) is outside [0, ${n}), the last axis of X [${x.shape.join(', ')}]`);
    }
    // A negative index is sent past the end, where gatherOrZero reads 0 (gather would count it from the end).
    const flat = ops.reshape(y, [y.size]);
    const picked = gatherOrZero(x, ops.where(ops.less(flat, 0), n, flat), x.rank - 1);
    const out = x.rank === 1 ? ops.reshape(picked, [1, y.size]) : picked;
    const type = call.elementType(0);
    return type ? call.typed(out, type) : out;
  },
};

/**
 * FeatureVectorizer: its inputs side by side, [N, Σ inputdimensions] in
 * float. As onnxruntime reads them, input i is [N, ...] seen as rows of its
 * trailing axes flattened ([C] is [1, C]), each row cut to inputdimensions[i]
 * or padded with zeros to it. onnxruntime takes N from the first input and
 * assumes the rest agree; tmnn refuses inputs of different N.
 */
const featureVectorizer: OnnxOp = {
  run: (call) => {
    const dims = call.ints('inputdimensions');
    if (!dims) throw call.error('inputdimensions (a list of ints, one per input) is required');
    if (dims.length !== call.inputCount) throw call.error(`has ${call.inputCount} inputs and ${dims.length} inputdimensions; it needs one per input`);
    const bad = dims.findIndex((d) => !(Number.isInteger(d) && d >= 0));
    if (bad >= 0) throw call.error(`inputdimensions[${bad}] = ${dims[bad]}; each must be a size, 0 or more`);
    const xs = call.allTensors();
    const rowsOf = (x: Tensor): number => (x.rank <= 1 ? 1 : x.shape[0]);
    const n = rowsOf(xs[0]);
    const parts = xs.map((x, i) => {
      if (x.rank === 0) throw call.error(`input ${i} is a scalar; each must be [N, C] or [C]`);
      if (rowsOf(x) !== n) throw call.error(`input ${i} is [${x.shape.join(', ')}], of ${rowsOf(x)} rows; input 0 is [${xs[0].shape.join(', ')}], of ${n}: they must agree`);
      const width = x.size / n;
      const rows = ops.reshape(asF32(x), [n, width]);
      if (width > dims[i]) return ops.slice(rows, [0, 0], [n, dims[i]]);
      if (width < dims[i]) return ops.pad(rows, [[0, 0], [0, dims[i] - width]]);
      return rows;
    });
    return ops.concat(parts, 1);
  },
};

/**
 * OneHotEncoder: each element of x replaced by a row [n] of zeros with a 1
 * at its category's place in cats_int64s (floats cut toward zero first, as
 * onnxruntime's cast to int64 does), the output [...x's shape, n] in float.
 * A repeated category marks its last place (onnxruntime's map keeps the
 * last). An element of no category gives a row of zeros with zeros = 1 (the
 * default); with zeros = 0 onnxruntime fails, and tmnn refuses it where x
 * can be read at once and in runAsync (a GPU's synchronous run gives the row
 * of zeros). x may have any rank,
 * as in onnxruntime 1.30 (older versions limited it to 2 axes). Computed as
 * one comparison of each element with each category: the output is that
 * [..., n] already, so searching the categories (as LabelEncoder does its
 * keys) would save neither memory nor work.
 */
const oneHotEncoder: OnnxOp = {
  run: (call) => {
    const cats = call.ints('cats_int64s');
    if (!cats?.length) throw call.error('cats_int64s (the categories, a list of ints) is required and must not be empty');
    const zeros = call.int('zeros', 1);
    if (zeros !== 0 && zeros !== 1) throw call.error(`zeros = ${zeros}; it is 1 (unknown categories give zeros) or 0 (they are an error)`);
    const x = call.tensor(0);
    const integral = isIntegral(x);
    if (zeros === 0) {
      const held = readable(call, 0, x);
      const known = new Set(cats);
      if (held) {
        for (let i = 0; i < held.length; i++) {
          const v = Math.trunc(held[i]);
          if (!known.has(v)) throw call.error(`element ${i} of its input, ${held[i]}, is none of cats_int64s, and zeros = 0 makes that an error`);
        }
      }
    }
    // Which places count: a repeated category's last, and only categories an i32 can equal (an int input's).
    const last = new Map(cats.map((c, i) => [c, i]));
    const counts = cats.map((c, i) => last.get(c) === i && (!integral || isInt32(c)));
    const table = integral ? intsTensor(cats.map((c, i) => (counts[i] ? c : 0))) : floatsTensor(cats);
    const values = integral ? ops.cast(x, 'i32') : ops.trunc(asF32(x));
    let hot = ops.cast(ops.equal(ops.expandDims(values, -1), table), 'f32');
    if (counts.some((c) => !c)) hot = ops.mul(hot, floatsTensor(counts.map(Number)));
    return hot;
  },
};

/** LabelEncoder's keys or values: numbers, and whether they are integers. */
interface Table {
  numbers: number[];
  integral: boolean;
  /** The ONNX element type of a values table (the output's). */
  type: ElementType;
  /** The attribute it came from, for messages. */
  from: string;
}

/** A numeric LabelEncoder table: `kind`_int64s, `kind`_floats or (opset 4) `kind`_tensor (tables of strings: ml_strings.ts). */
function labelTable(call: NodeCall, kind: 'keys' | 'values'): Table {
  const found: Table[] = [];
  const ints = call.ints(`${kind}_int64s`), floats = call.floats(`${kind}_floats`);
  if (ints) found.push({ numbers: ints, integral: true, type: 'int64', from: `${kind}_int64s` });
  if (floats) found.push({ numbers: floats, integral: false, type: 'float', from: `${kind}_floats` });
  const tensor = numericTensorAttribute(call, `${kind}_tensor`);
  if (tensor) found.push(tensor);
  if (found.length === 0) throw call.error(`has none of ${kind}_int64s, ${kind}_floats, ${kind}_tensor; it needs one`);
  if (found.length > 1) throw call.error(`has ${found.map((t) => t.from).join(' and ')}; it must have only one ${kind} attribute`);
  return found[0];
}

const INTEGER_TABLE_TYPES: readonly string[] = ['int64', 'int32', 'int16'];
const FLOAT_TABLE_TYPES: readonly string[] = ['float', 'double'];

/** A tensor-valued LabelEncoder attribute (keys_tensor, values_tensor, default_tensor) of a numeric type, or undefined where absent. */
function numericTensorAttribute(call: NodeCall, name: string): Table | undefined {
  const a = call.node.attributes.get(name);
  if (!a) return undefined;
  const c = call.tensorAttribute(name)!;
  const integral = INTEGER_TABLE_TYPES.includes(c.type);
  if (!integral && !FLOAT_TABLE_TYPES.includes(c.type)) throw call.error(`${name} is ${c.type}; LabelEncoder's tables are int64, int32, int16, float or double`);
  return { numbers: c.values(), integral, type: c.type, from: name };
}

/**
 * LabelEncoder (opsets 2 and 4) for numbers: each element of x found among
 * the keys gives the value at the same place, else the default. A repeated
 * key maps to its first value (onnxruntime's table keeps the first insert;
 * ONNX's opset 4 text says the last). A NaN key matches a NaN element in
 * opset 4, as its text says; in a model of ai.onnx.ml opset 2 or 3 it
 * matches nothing, as onnxruntime's opset 2 kernel has it. Keys and x must
 * both be integers or both floats. The default is default_tensor's first
 * value, else default_int64 (−1) or default_float (−0.0) by the values'
 * type. The keys are sorted on the host (a repeated key's first value kept),
 * each element's place among them found by searchsorted, and the key there
 * compared with the element: the value where equal, else the default.
 * searchsorted is a binary search on each backend, O(log K) per element,
 * so no [..., K] comparison is ever made.
 */
const labelEncoder: OnnxOp = {
  run: (call) => {
    const x = call.tensor(0);
    const keys = labelTable(call, 'keys'), values = labelTable(call, 'values');
    if (keys.numbers.length !== values.numbers.length) throw call.error(`${keys.from} has ${keys.numbers.length} entries and ${values.from} ${values.numbers.length}; they must be as long as each other`);
    const integral = isIntegral(x);
    if (integral !== keys.integral) throw call.error(`its input holds ${integral ? 'integers' : 'floats'} and ${keys.from} ${keys.integral ? 'integers' : 'floats'}; they must be of one kind`);
    const fallback = labelDefault(call, values);
    const outDtype = values.integral ? 'i32' : 'f32';
    if (values.integral) {
      const bad = [...values.numbers, fallback].find((v) => !isInt32(v));
      if (bad !== undefined) throw call.error(`${values.from} or the default holds ${bad}, past the range of tmnn's i32 integer tensors`);
    }
    const typed = (t: Tensor): Tensor => (values.integral ? call.typed(t, values.type) : t);
    // Keys an element can equal: all of them for floats, as the f32 x compares with them (rounded to f32); those
    // within i32 for integers (x is held as i32). NaN keys apart (below). A repeated key keeps its first value;
    // −0 and +0 are one key, as equal() has them (the Map's key equality says so too).
    // A NaN key matches a NaN element from opset 4 on; onnxruntime's opset 2 kernel matches it to nothing.
    const nanKey = integral || call.domainOpset < 4 ? -1 : keys.numbers.findIndex((k) => Number.isNaN(k));
    const table = new Map<number, number>();
    keys.numbers.forEach((k, i) => {
      if (integral ? !isInt32(k) : Number.isNaN(k)) return;
      const key = integral ? k : Math.fround(k);
      if (!table.has(key)) table.set(key, values.numbers[i]);
    });
    let y: Tensor = ops.fill(x.shape, fallback, { dtype: outDtype });
    if (table.size > 0) {
      // Sorted once on the host; each element searched for among them, the key found there compared with it.
      const entries = [...table].sort((a, b) => a[0] - b[0]);
      const sortedKeys = integral ? intsTensor(entries.map((e) => e[0])) : floatsTensor(entries.map((e) => e[0]));
      const valueRow = values.integral ? intsTensor(entries.map((e) => e[1])) : floatsTensor(entries.map((e) => e[1]));
      const xs = integral ? ops.cast(x, 'i32') : asF32(x);
      // The first key ≥ x (NaN past them all), at most the last: x's key if it has one.
      const at = ops.minimum(ops.searchsorted(sortedKeys, xs), entries.length - 1);
      y = ops.where(ops.equal(ops.gather(sortedKeys, at), xs), ops.gather(valueRow, at), y);
    }
    if (nanKey >= 0) y = ops.where(ops.isNaN(asF32(x)), values.numbers[nanKey], y);
    return typed(ops.cast(y, outDtype));
  },
};

/** LabelEncoder's default: default_tensor's first value where given, else default_int64 or default_float by the values' type. */
function labelDefault(call: NodeCall, values: Table): number {
  const given = numericTensorAttribute(call, 'default_tensor');
  if (given) {
    if (given.numbers.length === 0) throw call.error('default_tensor is empty; it must hold the default value');
    if (given.integral !== values.integral) throw call.error(`default_tensor is ${given.type} and ${values.from} ${values.type}; they must be of one kind`);
    return given.numbers[0];
  }
  return values.integral ? call.int('default_int64', -1) : call.float('default_float', -0);
}

/** LabelEncoder: the numeric form on the device, or, where its keys or values are strings, the string form on the host. */
const labelEncoderEither: OnnxOp = valuesRead(
  {
    strings: 'reads',
    run: (call) => {
      const strings = labelEncoderStrings(call);
      return strings ? labelEncodeStrings(call, strings) : labelEncoder.run(call);
    },
  },
  0,
  (call) => labelEncoderStrings(call) !== undefined,
);

/** OneHotEncoder over cats_int64s on the device, or over cats_strings on the host. */
const oneHotEither: OnnxOp = valuesRead(
  {
    strings: 'reads',
    run: (call) => {
      const cats = call.strings('cats_strings');
      if (cats?.length && call.ints('cats_int64s')?.length) throw call.error('has both cats_strings and cats_int64s; it takes one of them');
      return cats?.length ? oneHotStrings(call, cats) : oneHotEncoder.run(call);
    },
  },
  0,
  (call) => call.int('zeros', 1) === 0,
);

/** ArrayFeatureExtractor on numbers on the device, on strings on the host. */
const arrayFeatureExtractorEither: OnnxOp = valuesRead(
  { strings: 'reads', run: (call) => (call.anyValue(0) instanceof StringTensor ? pickStrings(call) : arrayFeatureExtractor.run(call)) },
  1,
  () => true,
);

export const ML_PREPROCESS_OPS: OpTable = {
  Scaler: scaler,
  Normalizer: normalizer,
  Binarizer: valuesRead(binarizer, 0, (call) => !isIntegral(call.tensor(0))),
  Imputer: imputer,
  ArrayFeatureExtractor: arrayFeatureExtractorEither,
  FeatureVectorizer: featureVectorizer,
  OneHotEncoder: oneHotEither,
  LabelEncoder: labelEncoderEither,
  CategoryMapper: valuesRead({ strings: 'reads', run: categoryMapper }, 0, () => true),
};
