// The safetensors format (https://github.com/huggingface/safetensors):
//
//   [ N: u64 little-endian ][ N bytes: UTF-8 JSON header ][ data section ]
//
// The header maps each tensor name to { dtype, shape, data_offsets: [begin, end] }
// (offsets relative to the data section) and may hold "__metadata__", an object
// of strings. Tensor bytes are little-endian.
//
// Writing: tensors are sorted by name (the file depends only on its contents),
// their bytes laid out contiguously in that order, and the header padded with
// spaces to a multiple of 8 bytes, as the reference writer does. Metadata keys
// are sorted too.
//
// Reading treats the file as hostile. Every number is checked, with arithmetic
// that cannot overflow, before anything is allocated; anything off is a
// CorruptFileError that says what, never a crash, a hang or a huge allocation.
// Like the reference reader, decoding is strict: the entries must cover the
// data section exactly (no overlaps, no unclaimed holes, no trailing bytes), and
// a name that appears twice anywhere in the header (which JSON.parse would
// silently resolve to the last) is rejected, since two readers could disagree
// on what such a file holds.
import { BYTES_PER_ELEMENT, isDType, type DType, type StorageArray } from '../dtype.js';
import { DTypeError, ShapeError, ValueError, formatShape } from '../errors.js';
import { checkOptions } from '../options.js';
import { CorruptFileError } from './errors.js';

/** One tensor in a safetensors file: its dtype, shape and storage (f16 as raw bit patterns). */
export interface SafetensorsEntry {
  dtype: DType;
  shape: readonly number[];
  data: StorageArray;
}

export interface DecodedSafetensors {
  entries: Record<string, SafetensorsEntry>;
  metadata: Record<string, string>;
}

export interface DecodeSafetensorsOptions {
  /** Largest header accepted, in bytes; default 100,000,000 (the reference reader's limit). */
  maxHeaderBytes?: number;
  /**
   * Read the dtypes PyTorch writes that tmnn does not hold, converted: BF16
   * to f32 (exactly), F64 to f32 (rounded), I64 to i32 (a value past i32's
   * range is an error naming it). Default false: they are refused.
   */
  widen?: boolean;
}

export const DEFAULT_MAX_HEADER_BYTES = 100_000_000;

const METADATA = '__metadata__';
const ENTRY_FIELDS = ['dtype', 'shape', 'data_offsets'];

const TO_FILE: Readonly<Record<DType, string>> = { f32: 'F32', f16: 'F16', i8: 'I8', i32: 'I32' };
// A Map, not an object: a hostile dtype such as "constructor" must not find Object.prototype's.
const FROM_FILE: ReadonlyMap<string, DType> = new Map([['F32', 'f32'], ['F16', 'f16'], ['I8', 'i8'], ['I32', 'i32']]);
/** Dtypes valid in safetensors that tmnn cannot hold: named, so the error can say so. */
const UNSUPPORTED = new Set(['F64', 'BF16', 'F8_E4M3', 'F8_E5M2', 'F8_E8M0', 'F4', 'F6_E2M3', 'F6_E3M2', 'I16', 'I64', 'U8', 'U16', 'U32', 'U64', 'BOOL', 'C64']);
const ACCEPTED = [...FROM_FILE.keys()].join(', ');
/** What `widen` reads them as, and each one's bytes per element in the file. */
const WIDENED: ReadonlyMap<string, { dtype: DType; size: number }> = new Map([['BF16', { dtype: 'f32', size: 2 }], ['F64', { dtype: 'f32', size: 8 }], ['I64', { dtype: 'i32', size: 8 }]]);

const STORAGE: Readonly<Record<DType, new (n: number) => StorageArray>> = {
  f32: Float32Array,
  f16: Uint16Array,
  i8: Int8Array,
  i32: Int32Array,
};

const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Reverses the bytes of each `size`-byte element in place: little-endian ↔ big-endian. */
export function swapByteOrder(bytes: Uint8Array, size: number): void {
  if (size <= 1) return;
  for (let i = 0; i + size <= bytes.length; i += size) {
    for (let a = i, b = i + size - 1; a < b; a++, b--) {
      const t = bytes[a];
      bytes[a] = bytes[b];
      bytes[b] = t;
    }
  }
}

function bytesOf(a: StorageArray): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}


const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/**
 * The byte size of a tensor of `shape` (safe integers) with `elementSize`-byte
 * elements, or undefined if it is more than 2^53 - 1. Multiplies step by step
 * and stops as soon as the product leaves the safe range, so every size it
 * returns is exact: a hostile shape cannot overflow into a plausible size.
 */
export function byteSize(shape: readonly number[], elementSize: number): number | undefined {
  if (shape.includes(0)) return 0;
  let n = elementSize;
  for (const d of shape) {
    n *= d;
    if (n > Number.MAX_SAFE_INTEGER) return undefined;
  }
  return n;
}

// ---------------------------------------------------------------- writing

/**
 * Serialises tensors (and optional string metadata) to safetensors bytes.
 * Throws ValueError / DTypeError / ShapeError for inputs that cannot be written.
 */
export function encodeSafetensors(entries: Record<string, SafetensorsEntry>, metadata: Record<string, string> = {}): Uint8Array {
  const where = 'encodeSafetensors';
  if (!entries || typeof entries !== 'object') throw new ValueError(`${where}: entries must be an object of { dtype, shape, data }`);
  if (!metadata || typeof metadata !== 'object' || Array.isArray(metadata)) throw new ValueError(`${where}: metadata must be an object of strings`);

  const names = Object.keys(entries).sort();
  const parts: string[] = [];
  const metaKeys = Object.keys(metadata).sort();
  if (metaKeys.length) {
    for (const k of metaKeys) {
      if (typeof metadata[k] !== 'string') {
        throw new ValueError(`${where}: metadata ${JSON.stringify(k)} is ${typeof metadata[k]}; safetensors metadata values must be strings`);
      }
    }
    parts.push(`${JSON.stringify(METADATA)}:{${metaKeys.map((k) => `${JSON.stringify(k)}:${JSON.stringify(metadata[k])}`).join(',')}}`);
  }

  let offset = 0;
  const laid: { begin: number; data: StorageArray; elementSize: number }[] = [];
  for (const name of names) {
    const e = entries[name];
    const q = JSON.stringify(name);
    if (name === '' || name === METADATA) throw new ValueError(`${where}: ${q} cannot be a tensor name`);
    if (!e || typeof e !== 'object') throw new ValueError(`${where}: ${q} is not an entry { dtype, shape, data }`);
    if (!isDType(e.dtype)) throw new DTypeError(`${where}: ${q} has unknown dtype ${JSON.stringify(e.dtype)}; expected one of ${Object.keys(TO_FILE).join(', ')}`);
    if (!Array.isArray(e.shape) || !e.shape.every(isCount)) {
      throw new ShapeError(`${where}: ${q} has shape ${String(e.shape)}; expected an array of non-negative integers`);
    }
    const Storage = STORAGE[e.dtype];
    if (!(e.data instanceof Storage)) {
      throw new DTypeError(`${where}: ${q} is ${e.dtype}, whose data must be a ${Storage.name}, got ${(e.data as object)?.constructor?.name ?? typeof e.data}`);
    }
    const size = BYTES_PER_ELEMENT[e.dtype];
    const bytes = byteSize(e.shape, size);
    if (bytes !== e.data.byteLength) {
      throw new ShapeError(`${where}: ${q} has ${e.data.length} values, shape ${formatShape(e.shape)} needs ${bytes === undefined ? 'more' : bytes / size}`);
    }
    parts.push(`${q}:{"dtype":"${TO_FILE[e.dtype]}","shape":[${e.shape.join(',')}],"data_offsets":[${offset},${offset + bytes}]}`);
    laid.push({ begin: offset, data: e.data, elementSize: size });
    offset += bytes;
  }

  const json = new TextEncoder().encode(`{${parts.join(',')}}`);
  const headerLength = Math.ceil(json.length / 8) * 8;
  const dataStart = 8 + headerLength;
  let out: Uint8Array;
  try {
    out = new Uint8Array(dataStart + offset);
  } catch {
    throw new ValueError(`${where}: ${dataStart + offset} bytes is more than this JavaScript engine can hold in one array`);
  }
  new DataView(out.buffer).setBigUint64(0, BigInt(headerLength), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, dataStart); // pad with spaces
  for (const { begin, data, elementSize } of laid) {
    const at = out.subarray(dataStart + begin, dataStart + begin + data.byteLength);
    at.set(bytesOf(data));
    if (!HOST_LITTLE_ENDIAN) swapByteOrder(at, elementSize);
  }
  return out;
}

// ---------------------------------------------------------------- reading

function fail(message: string): never {
  throw new CorruptFileError(`safetensors: ${message}`);
}

/** A name for a message: quoted, and cut short if a hostile file made it long. */
function quote(name: string): string {
  const q = JSON.stringify(name);
  return q.length > 80 ? `${q.slice(0, 76)}…"` : q;
}

/** A short, bounded rendering of any parsed JSON value, for messages (no recursion limit issues). */
function preview(v: unknown, depth = 0): string {
  if (v === null || typeof v !== 'object') return typeof v === 'string' ? quote(v) : String(v);
  if (depth >= 2) return Array.isArray(v) ? '[…]' : '{…}';
  if (Array.isArray(v)) {
    const items = v.slice(0, 8).map((x) => preview(x, depth + 1));
    return `[${items.join(',')}${v.length > 8 ? `,… (${v.length} items)` : ''}]`;
  }
  const keys = Object.keys(v);
  const items = keys.slice(0, 4).map((k) => `${quote(k)}:${preview((v as Record<string, unknown>)[k], depth + 1)}`);
  return `{${items.join(',')}${keys.length > 4 ? ',…' : ''}}`;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * The first key that appears twice in one object anywhere in `text`, which
 * must be valid JSON (JSON.parse has accepted it). One linear pass: it tracks
 * only string boundaries, nesting, and whether the next string is a key.
 */
export function findDuplicateKey(text: string): string | undefined {
  const stack: (Set<string> | null)[] = []; // a key set per open object, null per open array
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      let j = i + 1;
      let escaped = false;
      for (;;) {
        const d = text.charCodeAt(j);
        if (d === 0x22) break;
        if (d === 0x5c /* \ */) {
          escaped = true;
          j += 2;
        } else j++;
      }
      if (expectKey) {
        const raw = text.slice(i + 1, j);
        const key = escaped ? (JSON.parse(text.slice(i, j + 1)) as string) : raw;
        const keys = stack[stack.length - 1]!;
        if (keys.has(key)) return key;
        keys.add(key);
        expectKey = false;
      }
      i = j;
    } else if (c === 0x7b /* { */) {
      stack.push(new Set());
      expectKey = true;
    } else if (c === 0x5b /* [ */) {
      stack.push(null);
      expectKey = false;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      stack.pop();
      expectKey = false;
    } else if (c === 0x2c /* , */) {
      expectKey = stack[stack.length - 1] != null;
    }
  }
  return undefined;
}

function readHeader(bytes: Uint8Array, maxHeaderBytes: number): { header: Record<string, unknown>; dataStart: number } {
  if (bytes.length < 8) fail(`the file is ${bytes.length} bytes, too short to hold the 8-byte header length`);
  const claimed = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (claimed > BigInt(bytes.length - 8)) {
    fail(`the header length is ${claimed} bytes but only ${bytes.length - 8} bytes follow it (truncated file, or not safetensors)`);
  }
  if (claimed > BigInt(maxHeaderBytes)) fail(`the header length is ${claimed} bytes, more than the limit of ${maxHeaderBytes}`);
  const n = Number(claimed);

  let text: string;
  try {
    // ignoreBOM keeps a byte-order mark in the text, where JSON.parse rejects it, as the reference reader does.
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes.subarray(8, 8 + n));
  } catch (err) {
    fail(err instanceof TypeError ? 'the header is not valid UTF-8' : `the header cannot be decoded (${(err as Error).message})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    fail(`the header is not valid JSON (${(err as Error).message.slice(0, 200)})`);
  }
  if (!isPlainObject(parsed)) fail(`the header is not a JSON object but ${preview(parsed)}`);
  const dup = findDuplicateKey(text);
  if (dup !== undefined) fail(`the header has the key ${quote(dup)} twice in one object`);
  return { header: parsed, dataStart: 8 + n };
}

function readMetadata(header: Record<string, unknown>): Record<string, string> {
  if (!Object.hasOwn(header, METADATA)) return {};
  const m = header[METADATA];
  if (!isPlainObject(m)) fail(`__metadata__ is ${preview(m)}, not an object of strings`);
  const pairs = Object.entries(m);
  for (const [k, v] of pairs) {
    if (typeof v !== 'string') fail(`__metadata__ ${quote(k)} is ${preview(v)}, not a string`);
  }
  // Object.fromEntries makes own properties, even of a key "__proto__" (assignment would set the prototype).
  return Object.fromEntries(pairs) as Record<string, string>;
}

interface Span {
  name: string;
  dtype: DType;
  /** The file's dtype where it is read widened (BF16, F64, I64). */
  widenedFrom?: string;
  shape: number[];
  begin: number;
  end: number;
}

function readEntry(name: string, raw: unknown, dataLength: number, widen: boolean): Span {
  const q = `tensor ${quote(name)}`;
  if (!isPlainObject(raw)) fail(`${q} is ${preview(raw)}, not an object { dtype, shape, data_offsets }`);
  const unknown = Object.keys(raw).filter((k) => !ENTRY_FIELDS.includes(k));
  if (unknown.length) fail(`${q} has unknown field${unknown.length > 1 ? 's' : ''} ${unknown.slice(0, 4).map(quote).join(', ')}${unknown.length > 4 ? ', …' : ''} (expected only dtype, shape, data_offsets)`);
  for (const k of ENTRY_FIELDS) if (!Object.hasOwn(raw, k)) fail(`${q} has no ${k}`);

  const fileDType = raw.dtype;
  const widened = widen && typeof fileDType === 'string' ? WIDENED.get(fileDType) : undefined;
  const dtype = widened?.dtype ?? (typeof fileDType === 'string' ? FROM_FILE.get(fileDType) : undefined);
  if (dtype === undefined) {
    if (typeof fileDType === 'string' && UNSUPPORTED.has(fileDType)) {
      fail(`${q} has dtype ${fileDType}, which tmnn does not support (it reads ${ACCEPTED})`);
    }
    fail(`${q} has unknown dtype ${preview(fileDType)}; expected one of ${ACCEPTED}`);
  }

  const shape = raw.shape;
  if (!Array.isArray(shape) || !shape.every(isCount)) {
    fail(`${q} has shape ${preview(shape)}; expected an array of non-negative integers`);
  }
  const offsets = raw.data_offsets;
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount) || offsets[0] > offsets[1]) {
    fail(`${q} has data_offsets ${preview(offsets)}; expected [begin, end], non-negative integers with begin ≤ end`);
  }
  const begin = offsets[0] + 0; // + 0 turns -0 into 0
  const end = offsets[1] + 0;
  if (end > dataLength) fail(`${q} has data_offsets [${begin},${end}], past the end of the ${dataLength}-byte data section`);

  const dims = shape.map((d: number) => d + 0);
  const size = widened?.size ?? BYTES_PER_ELEMENT[dtype];
  const bytes = byteSize(dims, size);
  if (bytes !== end - begin) {
    fail(`${q} has shape ${preview(dims)} of ${fileDType}, which needs ${bytes === undefined ? 'more than 2^53 bytes' : `${bytes} bytes`}, but its data_offsets [${begin},${end}] span ${end - begin}`);
  }
  return { name, dtype, shape: dims, begin, end, ...(widened ? { widenedFrom: fileDType as string } : {}) };
}

/** A widened entry's values: BF16 → f32 exactly (its 16 bits are an f32's top half), F64 → f32 rounded, I64 → i32 within range. */
function readWidened(s: Span, bytes: Uint8Array): StorageArray {
  const view = new DataView(bytes.buffer, bytes.byteOffset + s.begin, s.end - s.begin);
  if (s.widenedFrom === 'BF16') {
    const out = new Float32Array(view.byteLength / 2);
    const bits = new Uint32Array(out.buffer);
    for (let i = 0; i < out.length; i++) bits[i] = view.getUint16(2 * i, true) << 16;
    return out;
  }
  if (s.widenedFrom === 'F64') return Float32Array.from({ length: view.byteLength / 8 }, (_, i) => view.getFloat64(8 * i, true));
  return Int32Array.from({ length: view.byteLength / 8 }, (_, i) => {
    const v = view.getBigInt64(8 * i, true);
    if (v < -2147483648n || v > 2147483647n) fail(`tensor ${quote(s.name)} holds ${v} at ${i}, past i32's range (I64 is read as i32)`);
    return Number(v);
  });
}

/**
 * Parses safetensors bytes into entries (copies, properly aligned, in host
 * byte order) and metadata. Throws CorruptFileError naming the problem for any
 * file that is truncated, corrupt, hostile, or holds a dtype tmnn cannot.
 */
export function decodeSafetensors(bytes: Uint8Array, options: DecodeSafetensorsOptions = {}): DecodedSafetensors {
  if (!(bytes instanceof Uint8Array)) throw new ValueError(`decodeSafetensors: expected the file's bytes as a Uint8Array, got ${(bytes as object)?.constructor?.name ?? typeof bytes}`);
  const checked = checkOptions('decodeSafetensors', options, { maxHeaderBytes: true, widen: 'boolean' });
  const maxHeaderBytes = checked.maxHeaderBytes ?? DEFAULT_MAX_HEADER_BYTES;
  if (!isCount(maxHeaderBytes)) throw new ValueError(`decodeSafetensors: maxHeaderBytes must be a non-negative integer, got ${maxHeaderBytes}`);

  const { header, dataStart } = readHeader(bytes, maxHeaderBytes);
  const metadata = readMetadata(header);
  const dataLength = bytes.length - dataStart;
  const spans: Span[] = [];
  for (const [name, raw] of Object.entries(header)) {
    if (name !== METADATA) spans.push(readEntry(name, raw, dataLength, checked.widen ?? false));
  }

  // The entries must tile the data section: sorted by offset, each starts where the last ended.
  spans.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  let previous: Span | undefined;
  for (const s of spans) {
    if (s.begin < covered) {
      fail(`tensor ${quote(s.name)} (bytes ${s.begin}–${s.end}) overlaps tensor ${quote(previous!.name)} (bytes ${previous!.begin}–${previous!.end})`);
    }
    if (s.begin > covered) fail(`bytes ${covered}–${s.begin} of the data section belong to no tensor`);
    covered = s.end;
    previous = s;
  }
  if (covered !== dataLength) fail(`the data section has ${dataLength - covered} trailing bytes that belong to no tensor`);

  // Only now, with every size known to fit in the file, allocate: fresh arrays, so aligned.
  const entries: [string, SafetensorsEntry][] = [];
  for (const s of spans) {
    if (s.widenedFrom) {
      entries.push([s.name, { dtype: s.dtype, shape: s.shape, data: readWidened(s, bytes.subarray(dataStart)) }]);
      continue;
    }
    const size = BYTES_PER_ELEMENT[s.dtype];
    const data = new STORAGE[s.dtype]((s.end - s.begin) / size);
    const target = bytesOf(data);
    target.set(bytes.subarray(dataStart + s.begin, dataStart + s.end));
    if (!HOST_LITTLE_ENDIAN) swapByteOrder(target, size);
    entries.push([s.name, { dtype: s.dtype, shape: s.shape, data }]);
  }
  // Own properties even for a tensor named "__proto__" (see readMetadata).
  return { entries: Object.fromEntries(entries), metadata };
}
