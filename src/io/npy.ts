// NumPy's .npy format (numpy.lib.format), one array a file:
//
//   \x93NUMPY [major][minor] [header length: u16 LE (1.0) or u32 LE (2.0, 3.0)]
//   [header: a Python dict literal {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }
//    padded with spaces and a final '\n' so that the data starts on a multiple of 64]
//   [data: the values in C order (or Fortran order), in descr's byte order]
//
// Writing: version 1.0, little-endian, C order, tmnn's four dtypes. Reading
// treats the file as hostile, as the safetensors reader does: every field is
// checked and anything off is a CorruptFileError that says what. Arrays of
// dtypes tmnn does not hold are read converted where that is exact or plainly
// a rounding (float64 to f32; bool, uint8, int16, uint16 widened; int64,
// uint32 and uint64 to i32 when every value fits, else an error naming the
// first that does not); complex, structured and object arrays are refused.
import { BYTES_PER_ELEMENT, allocStorage, type DType, type StorageArray } from '../dtype.js';
import { ValueError, formatShape } from '../errors.js';
import { byteSize, swapByteOrder } from './safetensors.js';
import { CorruptFileError } from './errors.js';

/** An array read from or written to a .npy file: tmnn's dtype, its shape, and its storage (f16 as bit patterns) in C order. */
export interface NpyArray {
  dtype: DType;
  shape: readonly number[];
  data: StorageArray;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
const DESCR: Record<DType, string> = { f32: '<f4', f16: '<f2', i32: '<i4', i8: '|i1' };
/** Headers past this are refused (numpy's own reader refuses past 10,000 bytes unless told otherwise). */
const MAX_HEADER_BYTES = 1 << 20;

/** The .npy bytes of one array (version 1.0, little-endian, C order). */
export function encodeNpy(array: NpyArray): Uint8Array {
  const { dtype, shape, data } = array;
  const size = shape.reduce((a, b) => a * b, 1);
  if (data.length !== size) throw new ValueError(`encodeNpy: shape ${formatShape(shape)} holds ${size} values, but data has ${data.length}`);
  const tuple = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${DESCR[dtype]}', 'fortran_order': False, 'shape': ${tuple}, }`;
  // Magic (6) + version (2) + length (2) + header + '\n' on a multiple of 64.
  const total = Math.ceil((10 + header.length + 1) / 64) * 64;
  header = header.padEnd(total - 10 - 1, ' ') + '\n';
  const bytes = new Uint8Array(total + data.byteLength);
  bytes.set(MAGIC, 0);
  bytes.set([1, 0], 6);
  new DataView(bytes.buffer).setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) bytes[10 + i] = header.charCodeAt(i);
  const body = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  bytes.set(body, total);
  if (!littleEndianHost()) swapByteOrder(bytes.subarray(total), BYTES_PER_ELEMENT[dtype]);
  return bytes;
}

function littleEndianHost(): boolean {
  return new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;
}

/** How a descr's values are read: their size, and how to turn them into tmnn's dtype. */
interface Kind {
  dtype: DType;
  bytes: number;
  /** Reads element i of the (host-order) view; undefined where the dtype is tmnn's own and the bytes are copied as they are. */
  read?: (view: DataView, offset: number) => number;
  /** Integers that must fit i32. */
  checked?: boolean;
}

const KINDS: Record<string, Kind> = {
  f4: { dtype: 'f32', bytes: 4 },
  f2: { dtype: 'f16', bytes: 2 },
  i4: { dtype: 'i32', bytes: 4 },
  i1: { dtype: 'i8', bytes: 1 },
  f8: { dtype: 'f32', bytes: 8, read: (v, o) => v.getFloat64(o, true) },
  b1: { dtype: 'i8', bytes: 1, read: (v, o) => (v.getUint8(o) ? 1 : 0) },
  u1: { dtype: 'i32', bytes: 1, read: (v, o) => v.getUint8(o) },
  i2: { dtype: 'i32', bytes: 2, read: (v, o) => v.getInt16(o, true) },
  u2: { dtype: 'i32', bytes: 2, read: (v, o) => v.getUint16(o, true) },
  u4: { dtype: 'i32', bytes: 4, read: (v, o) => v.getUint32(o, true), checked: true },
  i8: { dtype: 'i32', bytes: 8, read: (v, o) => Number(v.getBigInt64(o, true)), checked: true },
  u8: { dtype: 'i32', bytes: 8, read: (v, o) => Number(v.getBigUint64(o, true)), checked: true },
};

/** The array in a .npy file's bytes; a CorruptFileError saying what is wrong with any file that is not one tmnn can hold. */
export function decodeNpy(bytes: Uint8Array): NpyArray {
  const bad = (why: string): never => {
    throw new CorruptFileError(`npy: ${why}`);
  };
  if (!(bytes instanceof Uint8Array)) throw new ValueError('decodeNpy: bytes must be a Uint8Array');
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) bad('not a .npy file (it does not start with \\x93NUMPY)');
  const major = bytes[6];
  if (major < 1 || major > 3) bad(`format version ${major}.${bytes[7]} is not one this reader knows (1.0, 2.0, 3.0)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lengthBytes = major === 1 ? 2 : 4;
  if (bytes.length < 8 + lengthBytes) bad('the file ends inside its header length');
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  if (headerLength > MAX_HEADER_BYTES) bad(`a header of ${headerLength} bytes is past the ${MAX_HEADER_BYTES} read`);
  const start = 8 + lengthBytes + headerLength;
  if (start > bytes.length) bad(`the header says it is ${headerLength} bytes, but the file ends ${start - bytes.length} bytes before its end`);
  const headerBytes = bytes.subarray(8 + lengthBytes, start);
  // Latin-1 byte by byte: spreading a long header into String.fromCharCode's arguments overflows the stack.
  const text = major === 3 ? new TextDecoder('utf-8', { fatal: true }).decode(headerBytes) : Array.from(headerBytes, (b) => String.fromCharCode(b)).join('');
  const { descr, fortranOrder, shape } = parseHeader(text, bad);

  const order = descr[0];
  const code = descr.slice(1);
  const kind = KINDS[code];
  if (!kind || !'<>|='.includes(order) || descr.length < 2) {
    bad(`dtype ${JSON.stringify(descr)} is not one tmnn reads (float16/32/64, int8/16/32/64, uint8/16/32/64, bool)`);
  }
  const size = byteSize(shape, kind.bytes);
  if (size === undefined) bad(`shape ${formatShape(shape)} is too large`);
  if (bytes.length - start !== size) bad(`shape ${formatShape(shape)} of ${descr} needs ${size} bytes of data, but the file has ${bytes.length - start}`);
  const count = size! / kind.bytes;

  // The values in little-endian order, whatever the file's.
  const body = bytes.slice(start);
  if (order === '>' || (order === '=' && !littleEndianHost())) swapByteOrder(body, kind.bytes);
  let data: StorageArray;
  if (!kind.read) {
    data = allocStorage(kind.dtype, count);
    new Uint8Array(data.buffer).set(body);
    if (!littleEndianHost()) swapByteOrder(new Uint8Array(data.buffer), kind.bytes);
  } else {
    data = allocStorage(kind.dtype, count);
    const source = new DataView(body.buffer);
    for (let i = 0; i < count; i++) {
      const v = kind.read(source, i * kind.bytes);
      if (kind.checked && (v < -(2 ** 31) || v >= 2 ** 31)) {
        throw new ValueError(`npy: ${descr} value ${v} at element ${i} does not fit tmnn's i32`);
      }
      data[i] = v;
    }
  }
  return { dtype: kind.dtype, shape, data: fortranOrder ? fromFortranOrder(data, shape) : data };
}

/** The header dict's three keys, each checked; anything else in it is an error. */
function parseHeader(text: string, bad: (why: string) => never): { descr: string; fortranOrder: boolean; shape: number[] } {
  // Python's literal as JSON: quotes, booleans, a tuple as a list, and the trailing commas Python allows.
  const json = text
    .trim()
    .replace(/'/g, '"')
    .replace(/\bTrue\b/g, 'true')
    .replace(/\bFalse\b/g, 'false')
    .replace(/\(/g, '[')
    .replace(/\)/g, ']')
    .replace(/,\s*([\]}])/g, '$1');
  let header: unknown;
  try {
    header = JSON.parse(json);
  } catch {
    bad(`the header ${JSON.stringify(text.trim().slice(0, 200))} is not a dict of descr, fortran_order and shape`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) bad(`the header ${JSON.stringify(text.trim().slice(0, 200))} is not a dict`);
  const h = header as Record<string, unknown>;
  const keys = Object.keys(h).sort().join(',');
  if (keys !== 'descr,fortran_order,shape') bad(`the header has keys ${keys}, not descr, fortran_order and shape`);
  if (typeof h.descr !== 'string') bad(`descr ${JSON.stringify(h.descr)} is a structured dtype, which tmnn does not read`);
  if (typeof h.fortran_order !== 'boolean') bad(`fortran_order is ${JSON.stringify(h.fortran_order)}, not True or False`);
  if (!Array.isArray(h.shape) || h.shape.some((d) => !Number.isSafeInteger(d) || d < 0)) bad(`shape ${JSON.stringify(h.shape)} is not a tuple of sizes`);
  return { descr: h.descr as string, fortranOrder: h.fortran_order as boolean, shape: h.shape as number[] };
}

/** Values laid out in Fortran order (first axis fastest), rearranged into C order. */
function fromFortranOrder(data: StorageArray, shape: readonly number[]): StorageArray {
  const out = data.slice();
  const rank = shape.length;
  const index = new Array<number>(rank).fill(0);
  // Walk C order, keeping the Fortran offset of the same multi-index.
  const fStrides = shape.map((_, d) => shape.slice(0, d).reduce((a, b) => a * b, 1));
  for (let c = 0; c < data.length; c++) {
    let f = 0;
    for (let d = 0; d < rank; d++) f += index[d] * fStrides[d];
    out[c] = data[f];
    for (let d = rank - 1; d >= 0; d--) {
      if (++index[d] < shape[d]) break;
      index[d] = 0;
    }
  }
  return out;
}
