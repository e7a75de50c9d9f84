// The main graph's edges to the caller: what model.run takes for each graph
// input and gives for each output. A tensor input takes a tensor; a sequence
// (seq(tensor)) an array of tensors; an optional one of those, or null (or
// nothing) for an empty optional. Outputs likewise: a tensor, an array of
// tensors, or null, and for a sequence of maps (ZipMap's) an array of Maps —
// runValues gives any, run only tensors, so models without sequences or
// optionals keep run's Record<string, Tensor>. A tensor of strings (ONNX's
// tensor(string): class names, categories) is a StringTensor both ways, and
// only runValues gives one; a map input (map(K, V), DictVectorizer's) takes
// a JS Map.
import { DTypeError, ShapeError, ValueError } from '../errors.js';
import { isLowBitFloatType } from './float4.js';
import { MapSequence, OnnxMap, type MapKey, type MapValue } from './map_sequence.js';
import { Optional } from './optional.js';
import { DATA_TYPES, type OnnxType, type OnnxValueInfo } from './proto.js';
import { Sequence, type SequenceItem } from './sequence.js';
import { StringTensor } from './string_tensor.js';
import { Tensor } from '../tensor.js';
import { Constant, describeValue, isIntegerType, isRunnable, STRING_TYPE, tensorOf, type ElementType, type Value } from './value.js';

/** A value given for a graph input: a tensor; a StringTensor for strings; a JS Map for a map (map(K, V)); an array of tensors for a sequence (seq(tensor)), of StringTensors for seq(string); null, or left out, for an empty optional. */
export type OnnxInput = Tensor | StringTensor | ReadonlyMap<MapKey, MapValue> | readonly Tensor[] | readonly StringTensor[] | null;

/** The inputs of a run: in the graph's input order (a shorter list leaves trailing optional inputs out), or by name. */
export type OnnxInputs = readonly (OnnxInput | undefined)[] | Readonly<Record<string, OnnxInput | undefined>>;

/**
 * A graph output as runValues gives it: a tensor; an array of tensors for a
 * sequence; null for an empty optional; an array of Maps for a sequence of
 * maps (ZipMap's: one per sample, from class label — a number for int64
 * labels, a string for string ones — to probability); a StringTensor for a
 * tensor of strings (a classifier's string labels), an array of them for a
 * sequence of strings.
 */
export type OnnxOutput = Tensor | StringTensor | Tensor[] | StringTensor[] | null | Map<MapKey, number>[];

/** Where run's refusal of a graph output that is not a tensor points. */
export const RUN_VALUES = 'model.runValues (runValuesAsync) gives a sequence as an array of tensors, an empty optional as null, a tensor of strings as a StringTensor, and runValuesAsync a sequence of maps (ZipMap\'s) as an array of Maps';

/** ONNX's name for a value's type, its tensors' element type inside: 'float', 'seq(float)', 'optional(float)', 'optional(seq(int64))', 'seq(map(int64,tensor(float)))'. */
export function typeName(type: OnnxType): string {
  if (type.unsupported) return type.unsupported;
  const element = DATA_TYPES[type.elemType] ?? 'unknown';
  if (type.map) return `map(${DATA_TYPES[type.mapKey!] ?? 'unknown'},tensor(${element}))`;
  if (type.mapKey !== undefined) return `seq(map(${DATA_TYPES[type.mapKey] ?? 'unknown'},tensor(${element})))`;
  const tensors = type.sequence ? `seq(${element})` : element;
  return type.optional ? `optional(${tensors})` : tensors;
}

/** Whether run (rather than runValues) can give the value: a numeric tensor, neither a sequence nor an optional. */
export function isTensorType(type: OnnxType): boolean {
  return !type.sequence && !type.optional && !type.map && !type.unsupported && type.elemType !== STRING_TYPE;
}

/**
 * Refuses, when the model loads, a graph input or output of a type tmnn has
 * no value for (a sparse tensor, a map in an optional), an input that is a
 * sequence of maps, which tmnn makes (ZipMap) but does not take, an output
 * that is one map, which it takes but does not make.
 */
export function refuseUnsupportedTypes(inputs: readonly OnnxValueInfo[], outputs: readonly OnnxValueInfo[]): void {
  for (const [kind, list] of [['input', inputs], ['output', outputs]] as const) {
    const bad = list.find((v) => v.unsupported);
    if (bad) throw new ValueError(`onnx: the graph's ${kind} ${bad.name} is of type ${bad.unsupported}; tmnn runs tensors, sequences of tensors (seq(tensor)) and optionals of either, takes one map (map(K, V)) as an input and gives sequences of maps (ZipMap's) as outputs`);
  }
  const maps = inputs.find((v) => v.mapKey !== undefined && v.sequence);
  if (maps) throw new ValueError(`onnx: the graph's input ${maps.name} is of type ${typeName(maps)}; tmnn gives sequences of maps as outputs (ZipMap's) but takes none as an input`);
  const map = outputs.find((v) => v.map);
  if (map) throw new ValueError(`onnx: the graph's output ${map.name} is of type ${typeName(map)}; tmnn takes one map as an input (DictVectorizer's, CastMap's) but gives none as an output`);
}

/** The element type a graph value declares, where tmnn runs it. */
function declaredType(info: OnnxType): ElementType | undefined {
  const name = DATA_TYPES[info.elemType];
  return name && isRunnable(name) ? name : undefined;
}

/** The tmnn dtypes a tensor of an ONNX element type may be given as. */
function dtypesFor(type: string): readonly string[] | undefined {
  if (type === 'float' || type === 'double' || type === 'bfloat16' || isLowBitFloatType(type)) return ['f32'];
  if (type === 'float16') return ['f16'];
  if (isIntegerType(type as ElementType) || type === 'bool') return ['i32', 'i8'];
  return undefined;
}

/** What a caller gave for an input, in the words of the errors that refuse it. */
function described(given: unknown): string {
  if (given === null) return 'null';
  if (Array.isArray(given)) return `an array of ${given.length}`;
  if (given instanceof Tensor) return `a ${given.dtype} tensor [${given.shape.join(', ')}]`;
  if (given instanceof StringTensor) return `a string tensor [${given.shape.join(', ')}]`;
  if (given instanceof Map) return `a Map of ${given.size}`;
  return typeof given;
}

/** One tensor given for input `what`, checked against the declared element type and shape (symbolic dimensions are free). */
function checkTensor(info: OnnxValueInfo, t: unknown, what: string): Tensor {
  if (!(t instanceof Tensor)) {
    const got = t instanceof StringTensor ? `${described(t)} (the model takes ${typeName(info)} there)` : described(t);
    const optional = t === null || t === undefined ? `; only an input of optional type (${info.name} is ${typeName(info)}) may be null or left out` : '';
    throw new ValueError(`onnx: ${what} must be a tensor, got ${got}${optional}`);
  }
  const type = DATA_TYPES[info.elemType] ?? 'unknown';
  const dtypes = dtypesFor(type);
  if (dtypes && !dtypes.includes(t.dtype)) {
    throw new DTypeError(`onnx: ${what} is ${t.dtype}; the model takes ${type} there, given as ${dtypes.join(' or ')}`);
  }
  checkShape(info, t.shape, what);
  return t;
}

/** A given value's shape against the declared one (symbolic dimensions are free). */
function checkShape(info: OnnxValueInfo, shape: readonly number[], what: string): void {
  const declared = info.shape;
  if (declared && !(declared.length === shape.length && declared.every((d, i) => typeof d !== 'number' || d === shape[i]))) {
    throw new ShapeError(`onnx: ${what} is [${shape.join(', ')}]; the model takes [${declared.map((d) => d ?? '?').join(', ')}]`);
  }
}

/** The tensors given for a sequence input, each checked as a tensor input is. */
function checkSequence(info: OnnxValueInfo, given: unknown): Sequence {
  if (!Array.isArray(given)) {
    throw new ValueError(`onnx: input ${info.name} is a sequence (${typeName({ ...info, optional: undefined })}) and takes an array of tensors, got ${described(given)}`);
  }
  const items = given.map((t: unknown, k) => checkTensor(info, t, `input ${info.name}'s tensor ${k}`));
  return new Sequence(declaredType(info) ?? (items[0] && tensorType(items[0])), items);
}

/** The ONNX element type a tensor of a tmnn dtype stands for, for a sequence that declares none. */
function tensorType(t: Tensor): ElementType | undefined {
  return t.dtype === 'f32' ? 'float' : t.dtype === 'f16' ? 'float16' : undefined;
}

/** The StringTensor given for a string input, its shape checked as a tensor's. */
function checkStrings(info: OnnxValueInfo, given: unknown, what = `input ${info.name}`): StringTensor {
  if (!(given instanceof StringTensor)) {
    throw new DTypeError(`onnx: ${what} is a tensor of strings and takes a tm.onnx.StringTensor (new tm.onnx.StringTensor(values, shape)), got ${described(given)}`);
  }
  checkShape(info, given.shape, what);
  return given;
}

/** The StringTensors given for a seq(string) input, each checked as a string input is. */
function checkStringSequence(info: OnnxValueInfo, given: unknown): Sequence {
  if (!Array.isArray(given)) {
    throw new ValueError(`onnx: input ${info.name} is a sequence (seq(string)) and takes an array of tm.onnx.StringTensors, got ${described(given)}`);
  }
  return new Sequence('string', given.map((t: unknown, k) => checkStrings(info, t, `input ${info.name}'s tensor ${k}`)));
}

/** The JS Map given for a map input, its keys and values checked against the declared types. */
function checkMap(info: OnnxValueInfo, given: unknown): OnnxMap {
  const keyType = DATA_TYPES[info.mapKey!], valueType = DATA_TYPES[info.elemType] ?? 'unknown';
  if (!(given instanceof Map)) {
    throw new ValueError(`onnx: input ${info.name} is a map (${typeName(info)}) and takes a JS Map, got ${described(given)}`);
  }
  if (keyType !== 'int64' && keyType !== 'string') throw new ValueError(`onnx: input ${info.name} is of type ${typeName(info)}; tmnn takes maps keyed by int64 or string`);
  const strings = valueType === 'string';
  for (const [k, v] of given as Map<unknown, unknown>) {
    const keyOk = keyType === 'string' ? typeof k === 'string' : Number.isSafeInteger(k);
    if (!keyOk) throw new ValueError(`onnx: input ${info.name}'s key ${JSON.stringify(k)} is not ${keyType === 'string' ? 'a string' : 'an integer'}: the map is ${typeName(info)}`);
    if (strings ? typeof v !== 'string' : typeof v !== 'number') throw new ValueError(`onnx: input ${info.name}'s value at ${JSON.stringify(k)} is ${typeof v}, not ${strings ? 'a string' : 'a number'}: the map is ${typeName(info)}`);
  }
  return new OnnxMap(keyType, valueType, new Map(given as Map<MapKey, MapValue>));
}

/** The graph value for what the caller gave input `info`. */
export function feedValue(info: OnnxValueInfo, given: unknown): Value {
  if (info.map) return checkMap(info, given);
  if (info.optional) {
    const strings = info.elemType === STRING_TYPE;
    const type = { elementType: strings ? 'string' as const : declaredType(info), sequence: info.sequence === true };
    if (given === null || given === undefined) return new Optional(type, undefined);
    return new Optional(type, inputValue(info, given));
  }
  return inputValue(info, given);
}

/** The value given for an input that is not an optional, or that an optional input holds. */
function inputValue(info: OnnxValueInfo, given: unknown): Tensor | StringTensor | Sequence {
  if (info.elemType === STRING_TYPE) return info.sequence ? checkStringSequence(info, given) : checkStrings(info, given);
  if (info.sequence) return checkSequence(info, given);
  return checkTensor(info, given, `input ${info.name}`);
}

/** A tensor of the caller's own for a graph output's tensor: a host array made one; one `held` (a feed, a parameter, one given already) copied. */
export function ownTensor(item: Tensor | Constant, name: string, held: Set<Tensor>, copy: (t: Tensor) => Tensor): Tensor {
  const t = item instanceof Constant ? tensorOf(item, `output ${name}`) : item;
  if (!held.has(t)) {
    held.add(t);
    return t;
  }
  return copy(t);
}

/** A graph output as the caller gets it: a tensor of its own (ownTensor), an array of them for a sequence, null for an empty optional, Maps of its own for a sequence of maps. */
export function outputValue(v: Value, name: string, held: Set<Tensor>, copy: (t: Tensor) => Tensor): OnnxOutput {
  if (v instanceof Optional) return v.element === undefined ? null : outputValue(v.element, name, held, copy);
  if (v instanceof MapSequence) return v.maps.map((m) => new Map(m));
  // Frozen, so the caller may hold the model's own.
  if (v instanceof StringTensor) return v;
  // Refused as a graph output when the model loads.
  if (v instanceof OnnxMap) throw new ValueError(`onnx: the graph output ${name} is ${describeValue(v)}; tmnn gives no map as an output`);
  if (v instanceof Sequence) return v.elementType === 'string' ? (v.items as StringTensor[]) : v.items.map((item) => ownTensor(item as SequenceItem, name, held, copy));
  return ownTensor(v, name, held, copy);
}

/** A graph output run gives (a tensor, or a host array it makes one); a sequence, an optional or maps found there are refused. */
export function tensorOutput(v: Value, name: string): Tensor | Constant {
  if (v instanceof Tensor || v instanceof Constant) return v;
  throw new ValueError(`onnx: the graph output ${name} is ${describeValue(v)}; model.run and runAsync give tensors only: ${RUN_VALUES}`);
}
