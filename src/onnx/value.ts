// What flows along an ONNX graph's edges in tmnn: a Tensor (on the active
// backend, in the autograd graph) or a Constant (a small array on the host).
// Exporters compute shapes inside the graph (Shape → Gather → Concat →
// Reshape); those run on Constants here, so Reshape knows its target shape
// without reading a device buffer back, and the model runs synchronously.
import { CorruptFileError } from '../io/errors.js';
import { decodeF16, f16Value } from '../f16.js';
import { tensor } from '../ops/creation.js';
import type { Tensor } from '../tensor.js';
import { float4e2m1Value, isLowBitFloatType } from './float4.js';
import { float8Value, isFloat8Type, type Float8Type } from './float8.js';
import { DATA_TYPES, type OnnxSparseTensorProto, type OnnxTensorProto } from './proto.js';
import { Optional, optionalTypeName } from './optional.js';
import { MapSequence, OnnxMap } from './map_sequence.js';
import { Sequence } from './sequence.js';
import { StringTensor } from './string_tensor.js';

/**
 * ONNX element type names (TensorProto.DataType) that tmnn runs. The 4-bit
 * integers are held as tmnn's integers are (i32 tensors, their values in
 * [−8, 7] and [0, 15]); the 8-bit floats and float4e2m1 as f32 tensors of
 * the same values (float8.ts, float4.ts). Either way the element type is
 * recorded beside the tensor.
 */
export type ElementType = 'float' | 'float16' | 'double' | 'bfloat16' | 'int64' | 'int32' | 'int16' | 'int8' | 'uint8' | 'uint16' | 'uint32' | 'uint64' | 'bool' | 'int4' | 'uint4' | Float8Type | 'float4e2m1';

const INTEGER_TYPES = new Set<ElementType>(['int64', 'int32', 'int16', 'int8', 'uint8', 'uint16', 'uint32', 'uint64', 'int4', 'uint4']);

export function isIntegerType(type: ElementType): boolean {
  return INTEGER_TYPES.has(type);
}

/** An array known on the host: an initializer of integers, a Constant node, a shape. Elements as doubles (int64s exact to 2^53). */
export class Constant {
  constructor(
    readonly type: ElementType,
    readonly shape: readonly number[],
    readonly data: Float64Array,
  ) {}

  get size(): number {
    return this.data.length;
  }

  /** The elements as a plain list of numbers (a shape, axes, pads). */
  values(): number[] {
    return Array.from(this.data);
  }
}

/**
 * A value on a graph's edge: a tensor on the device, an array on the host, a
 * sequence of either (ONNX's seq(tensor)), an optional holding a tensor or
 * a sequence, or nothing (ONNX's optional type), or a sequence of maps on
 * the host (ZipMap's seq(map)), one map (a graph input's map(K, V)), or a
 * tensor of strings on the host.
 */
export type Value = Tensor | Constant | Sequence | Optional | MapSequence | OnnxMap | StringTensor;

/** Whether a value is other than one numeric tensor or host array: a sequence, an optional, a map or a sequence of them, a string tensor. */
export function isStructured(v: Value): v is Sequence | Optional | MapSequence | OnnxMap | StringTensor {
  return v instanceof Sequence || v instanceof Optional || v instanceof MapSequence || v instanceof OnnxMap || v instanceof StringTensor;
}

/** The tensors a value holds on the device: itself, a sequence's, an optional's. */
export function tensorsIn(v: Value | undefined): Tensor[] {
  if (v === undefined || v instanceof Constant || v instanceof MapSequence || v instanceof OnnxMap || v instanceof StringTensor) return [];
  if (v instanceof Optional) return tensorsIn(v.element);
  if (v instanceof Sequence) return v.items.filter((t): t is Tensor => !(t instanceof Constant || t instanceof StringTensor));
  return [v];
}

/** A value as messages name it: 'a tensor [2, 3]', 'a sequence of 4 tensors', 'an empty optional(float)'. */
export function describeValue(v: Value): string {
  if (v instanceof Sequence) return `a sequence of ${v.length} ${v.elementType === 'string' ? 'string tensors' : 'tensors'}`;
  if (v instanceof MapSequence) return `a sequence of ${v.length} maps (seq(map(${v.keyType}, float)))`;
  if (v instanceof StringTensor) return `a string tensor [${v.shape.join(', ')}]`;
  if (v instanceof OnnxMap) return `a map of ${v.size} entries (map(${v.keyType}, ${v.valueType}))`;
  if (v instanceof Optional) {
    return v.element === undefined ? `an empty ${optionalTypeName(v.type)}` : `an optional holding ${describeValue(v.element)}`;
  }
  return `a tensor [${v.shape.join(', ')}]`;
}

/** A Constant's elements, decoded from an initializer or a Constant node's tensor. */
export function constantOf(t: OnnxTensorProto, where: string): Constant {
  const typeName = DATA_TYPES[t.dataType];
  // external.ts fills rawData from the file before the model is built; here only when nobody gave the file.
  if (t.external && !t.rawData) {
    throw new CorruptFileError(`onnx: ${where} keeps its data in an external file (${t.external.location}), which was not given: tm.onnx.load(path) reads it from beside the model file; fromBytes and load of bytes take it as { externalData }`);
  }
  if (!typeName) throw new CorruptFileError(`onnx: ${where} has element type ${t.dataType}, not one of ONNX's TensorProto.DataType values tmnn knows (1 to 23)`);
  if (!isRunnable(typeName)) {
    throw new CorruptFileError(`onnx: ${where} has element type ${t.dataType} (${typeName}), which tmnn does not run (it runs ${RUNNABLE.join(', ')})`);
  }
  const type = typeName as ElementType;
  const size = t.dims.reduce((a, b) => a * b, 1);
  const data = t.rawData ? fromRaw(type, t.rawData, where, size) : fromFields(type, t, where, size);
  if (data.length !== size) {
    throw new CorruptFileError(`onnx: ${where} holds ${data.length} elements, its shape [${t.dims.join(', ')}] needs ${size}`);
  }
  return new Constant(type, t.dims, data);
}

/**
 * A sparse tensor (a sparse initializer, Constant's sparse_value) as the
 * dense Constant it stands for: zeros, and each of its values at its index —
 * a linear position (indices [NNZ]) or coordinates (indices [NNZ, rank]).
 */
export function denseOf(sparse: OnnxSparseTensorProto, where: string): Constant {
  const values = constantOf(sparse.values, `${where}'s values`);
  const indices = constantOf(sparse.indices, `${where}'s indices`);
  const dims = sparse.dims, rank = dims.length;
  const size = dims.reduce((a, b) => a * b, 1);
  const count = values.size;
  if (values.shape.length !== 1) throw new CorruptFileError(`onnx: ${where}'s values are [${values.shape.join(', ')}]; a sparse tensor's values are 1-D`);
  const linear = indices.shape.length === 1 && indices.shape[0] === count;
  if (!linear && !(indices.shape.length === 2 && indices.shape[0] === count && indices.shape[1] === rank)) {
    throw new CorruptFileError(`onnx: ${where}'s indices are [${indices.shape.join(', ')}] for ${count} values; they must be [${count}] (positions) or [${count}, ${rank}] (coordinates in [${dims.join(', ')}])`);
  }
  const dense = new Float64Array(size);
  for (let k = 0; k < count; k++) {
    let at = 0;
    if (linear) at = indices.data[k];
    else {
      for (let d = 0; d < rank; d++) {
        const c = indices.data[k * rank + d];
        if (!(c >= 0 && c < dims[d])) throw new CorruptFileError(`onnx: ${where}'s value ${k} has coordinate ${c} on axis ${d}, outside its [${dims.join(', ')}]`);
        at = at * dims[d] + c;
      }
    }
    if (!(at >= 0 && at < size)) throw new CorruptFileError(`onnx: ${where}'s value ${k} is at position ${at}, outside its ${size} elements ([${dims.join(', ')}])`);
    dense[at] = values.data[k];
  }
  return new Constant(values.type, dims, dense);
}

/** TensorProto.DataType's STRING. */
export const STRING_TYPE = 8;

/** A tensor from the file: a StringTensor for strings (string_data), else a Constant (constantOf). */
export function hostValueOf(t: OnnxTensorProto, where: string): Constant | StringTensor {
  if (t.dataType !== STRING_TYPE) return constantOf(t, where);
  const size = t.dims.reduce((a, b) => a * b, 1);
  if (t.stringData.length !== size) {
    throw new CorruptFileError(`onnx: ${where} holds ${t.stringData.length} strings, its shape [${t.dims.join(', ')}] needs ${size}`);
  }
  return new StringTensor(t.stringData, t.dims);
}

const RUNNABLE: ElementType[] = [
  'float', 'float16', 'double', 'bfloat16', 'int64', 'int32', 'int16', 'int8', 'uint8', 'uint16', 'uint32', 'uint64', 'bool',
  'int4', 'uint4', 'float8e4m3fn', 'float8e4m3fnuz', 'float8e5m2', 'float8e5m2fnuz', 'float4e2m1',
];

export function isRunnable(name: string): name is ElementType {
  return (RUNNABLE as string[]).includes(name);
}

/** Bytes per element of each whole-byte type as raw data. */
export const BYTES: Record<Exclude<ElementType, FourBitType>, number> = {
  float: 4, float16: 2, double: 8, bfloat16: 2, int64: 8, int32: 4, int16: 2, int8: 1, uint8: 1, uint16: 2, uint32: 4, uint64: 8, bool: 1,
  float8e4m3fn: 1, float8e4m3fnuz: 1, float8e5m2: 1, float8e5m2fnuz: 1,
};

type FourBitType = 'int4' | 'uint4' | 'float4e2m1';

const isFourBit = (type: ElementType): type is FourBitType => type === 'int4' || type === 'uint4' || type === 'float4e2m1';

/** Bits per element of `type`: 4 for the 4-bit types, 8 a byte for the rest (bool's one byte too). */
export function bitWidth(type: ElementType): number {
  return isFourBit(type) ? 4 : 8 * BYTES[type];
}

/** The bytes `count` elements of `type` take as raw data: 4-bit ones two to a byte, the last byte half used for an odd count. */
export function rawByteLength(type: ElementType, count: number): number {
  return isFourBit(type) ? Math.ceil(count / 2) : BYTES[type] * count;
}

/** Packed 4-bit elements (integers, or float4e2m1's codes), two to a byte, the first in the low nibble (ONNX's order, in raw_data and in int32_data alike). */
function unpackFourBit(type: FourBitType, bytes: ArrayLike<number>, count: number): Float64Array {
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const nibble = (bytes[i >> 1] >> (i & 1 ? 4 : 0)) & 0xf;
    out[i] = type === 'float4e2m1' ? float4e2m1Value(nibble) : type === 'int4' && nibble >= 8 ? nibble - 16 : nibble;
  }
  return out;
}

/** raw_data: the elements packed little-endian. */
function fromRaw(type: ElementType, raw: Uint8Array, where: string, size: number): Float64Array {
  if (isFourBit(type)) {
    const need = rawByteLength(type, size);
    if (raw.length !== need) throw new CorruptFileError(`onnx: ${where} has ${raw.length} bytes of ${type} data; its ${size} elements, two to a byte, take ${need}`);
    return unpackFourBit(type, raw, size);
  }
  if (isFloat8Type(type)) return Float64Array.from(raw, (bits) => float8Value(bits, type));
  const width = BYTES[type];
  if (raw.length % width) throw new CorruptFileError(`onnx: ${where} has ${raw.length} bytes of ${type} data, not a whole number of ${width}-byte elements`);
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const n = raw.length / width;
  const out = new Float64Array(n);
  const read: (i: number) => number = {
    float: (i: number) => view.getFloat32(i * 4, true),
    float16: (i: number) => f16Value(view.getUint16(i * 2, true)),
    double: (i: number) => view.getFloat64(i * 8, true),
    bfloat16: (i: number) => bfloat16(view.getUint16(i * 2, true)),
    int64: (i: number) => Number(view.getBigInt64(i * 8, true)),
    int32: (i: number) => view.getInt32(i * 4, true),
    int16: (i: number) => view.getInt16(i * 2, true),
    int8: (i: number) => view.getInt8(i),
    uint8: (i: number) => view.getUint8(i),
    uint16: (i: number) => view.getUint16(i * 2, true),
    uint32: (i: number) => view.getUint32(i * 4, true),
    uint64: (i: number) => Number(view.getBigUint64(i * 8, true)),
    bool: (i: number) => (view.getUint8(i) ? 1 : 0),
  }[type];
  for (let i = 0; i < n; i++) out[i] = read(i);
  return out;
}

/**
 * The typed fields: float_data, int32_data (which also holds the narrow
 * types: f16, bf16 and float8 as their bits, one to an int32; 4-bit
 * integers and float4e2m1 packed two to an int32, as two to a byte), int64_data,
 * double_data, uint64_data.
 */
function fromFields(type: ElementType, t: OnnxTensorProto, where: string, size: number): Float64Array {
  if (isFourBit(type)) {
    const need = rawByteLength(type, size);
    if (t.int32Data.length !== need) throw new CorruptFileError(`onnx: ${where} has ${t.int32Data.length} int32_data entries of ${type}; its ${size} elements, two to an entry, take ${need}`);
    return unpackFourBit(type, t.int32Data, size);
  }
  if (isFloat8Type(type)) return Float64Array.from(t.int32Data, (bits) => float8Value(bits & 0xff, type));
  switch (type) {
    case 'float':
      return Float64Array.from(t.floatData);
    case 'double':
      return Float64Array.from(t.doubleData);
    case 'int64':
      return Float64Array.from(t.int64Data);
    case 'uint32':
    case 'uint64':
      return Float64Array.from(t.uint64Data);
    case 'float16':
      return Float64Array.from(decodeF16(Uint16Array.from(t.int32Data)));
    case 'bfloat16':
      return Float64Array.from(t.int32Data, bfloat16);
    case 'bool':
      return Float64Array.from(t.int32Data, (v) => (v ? 1 : 0));
    default:
      return Float64Array.from(t.int32Data);
  }
}

/** The value of bfloat16 `bits`. */
export function bfloat16(bits: number): number {
  return new Float32Array(new Uint32Array([bits << 16]).buffer)[0];
}

/** v's bfloat16 bits: its f32 rounded to nearest even on the 16 bits dropped. */
export function bfloat16Bits(v: number): number {
  const f32 = new Uint32Array(Float32Array.of(v).buffer)[0];
  return (f32 + 0x7fff + ((f32 >>> 16) & 1)) >>> 16;
}

const I32_MIN = -(2 ** 31), I32_MAX = 2 ** 31 - 1;

/**
 * A Constant as a tensor on the active backend: floats as f32 (float16 as
 * f16, the 8-bit floats and float4e2m1 as the f32s of their values), integers (4-bit ones
 * too) and bools as i32, tmnn's integer dtype. An int64 outside i32's range
 * is an error, not a wrapped value.
 */
export function tensorOf(c: Constant, where: string): Tensor {
  if (c.type === 'float16') return tensor(Float32Array.from(c.data), [...c.shape], { dtype: 'f16' });
  if (c.type === 'float' || c.type === 'double' || c.type === 'bfloat16' || isLowBitFloatType(c.type)) return tensor(Float32Array.from(c.data), [...c.shape]);
  const out = new Int32Array(c.size);
  for (let i = 0; i < c.size; i++) {
    const v = c.data[i];
    if (v < I32_MIN || v > I32_MAX) throw new CorruptFileError(`onnx: ${where} holds ${v}, past the range of tmnn's i32 tensors`);
    out[i] = v;
  }
  return tensor(out, [...c.shape], { dtype: 'i32' });
}

/** The ONNX element type a tensor of a tmnn dtype stands for. */
export function elementTypeOf(t: Tensor): ElementType {
  return t.dtype === 'f32' ? 'float' : t.dtype === 'f16' ? 'float16' : t.dtype === 'i8' ? 'int8' : 'int64';
}
