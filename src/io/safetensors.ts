// The safetensors format: an 8-byte little-endian header length N, N bytes of
// JSON describing each tensor (dtype, shape, byte range), then the raw
// little-endian bytes. Decoding treats the file as hostile: every number is
// checked before anything is allocated, so a corrupt or malicious file gets a
// CorruptFileError, never a crash, a hang or a huge allocation.
import { allocStorage, BYTES_PER_ELEMENT, type DType, type StorageArray } from '../dtype.js';
import { ValueError } from '../errors.js';
import { CorruptFileError } from './errors.js';

export interface SafetensorsEntry {
  dtype: DType;
  shape: readonly number[];
  data: StorageArray;
}

const TO_FILE: Record<DType, string> = { f32: 'F32', f16: 'F16', i8: 'I8', i32: 'I32' };
const FROM_FILE: Record<string, DType> = { F32: 'f32', F16: 'f16', I8: 'i8', I32: 'i32' };
// Dtypes valid in safetensors that tmnn cannot hold, named so the error can say so.
const UNSUPPORTED = ['F64', 'BF16', 'F8_E4M3', 'F8_E5M2', 'I16', 'I64', 'U8', 'U16', 'U32', 'U64', 'BOOL'];
const DEFAULT_MAX_HEADER = 100 * 1024 * 1024;
const METADATA = '__metadata__';

function littleEndian(): boolean {
  return new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
}

function bytesOf(a: StorageArray): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

export function encodeSafetensors(entries: Record<string, SafetensorsEntry>, metadata: Record<string, string> = {}): Uint8Array {
  if (!littleEndian()) throw new ValueError('safetensors: big-endian hosts are not supported');
  const names = Object.keys(entries).sort();
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length) header[METADATA] = metadata;
  let offset = 0;
  for (const name of names) {
    const e = entries[name];
    if (!name || name === METADATA) throw new ValueError(`safetensors: invalid tensor name ${JSON.stringify(name)}`);
    const count = e.shape.reduce((a, b) => a * b, 1);
    if (e.data.length !== count) throw new ValueError(`safetensors: ${name} has ${e.data.length} values for shape [${e.shape.join(',')}]`);
    const bytes = count * BYTES_PER_ELEMENT[e.dtype];
    header[name] = { dtype: TO_FILE[e.dtype], shape: [...e.shape], data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  // Pad with spaces so the data section starts 8-byte aligned, as the reference writer does.
  const encoded = new TextEncoder().encode(json);
  const padded = Math.ceil(encoded.length / 8) * 8;
  json += ' '.repeat(padded - encoded.length);
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let at = 8 + headerBytes.length;
  for (const name of names) {
    const b = bytesOf(entries[name].data);
    out.set(b, at);
    at += b.length;
  }
  return out;
}

function fail(message: string): never {
  throw new CorruptFileError(`safetensors: ${message}`);
}

function parseHeader(text: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    fail(`the header is not valid JSON (${(err as Error).message})`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) fail('the header is not a JSON object');
  return parsed as Record<string, unknown>;
}

/**
 * The keys of the top-level object, in order, duplicates included
 * (JSON.parse silently keeps the last of a duplicate). `text` is valid JSON.
 */
function topLevelKeys(text: string): string[] {
  const keys: string[] = [];
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      let end = i + 1;
      while (text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      if (depth === 1 && /^\s*:/.test(text.slice(end + 1, end + 64))) keys.push(JSON.parse(text.slice(i, end + 1)) as string);
      i = end;
    } else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') depth--;
  }
  return keys;
}

const isSafeCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

export function decodeSafetensors(bytes: Uint8Array, options: { maxHeaderBytes?: number } = {}): { entries: Record<string, SafetensorsEntry>; metadata: Record<string, string> } {
  if (!(bytes instanceof Uint8Array)) fail('expected the file as a Uint8Array');
  if (bytes.length < 8) fail(`the file is ${bytes.length} bytes, shorter than the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getBigUint64(0, true);
  const max = options.maxHeaderBytes ?? DEFAULT_MAX_HEADER;
  if (headerLength > BigInt(bytes.length - 8)) fail(`the header claims ${headerLength} bytes but the file has only ${bytes.length - 8} after the length`);
  if (headerLength > BigInt(max)) fail(`the header claims ${headerLength} bytes, more than the ${max}-byte limit`);
  const n = Number(headerLength);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n));
  } catch {
    fail('the header is not valid UTF-8');
  }
  const header = parseHeader(text);
  const keys = topLevelKeys(text);
  const dup = keys.find((k, i) => keys.indexOf(k) !== i);
  if (dup !== undefined) fail(`the name ${JSON.stringify(dup)} appears twice in the header`);

  const metadata: Record<string, string> = {};
  if (METADATA in header) {
    const m = header[METADATA];
    if (!m || typeof m !== 'object' || Array.isArray(m)) fail('__metadata__ is not an object');
    for (const [k, v] of Object.entries(m as Record<string, unknown>)) {
      if (typeof v !== 'string') fail(`__metadata__.${k} is not a string`);
      metadata[k] = v;
    }
  }

  const dataStart = 8 + n;
  const dataLength = bytes.length - dataStart;
  const spans: { name: string; begin: number; end: number; dtype: DType; shape: number[] }[] = [];
  for (const [name, raw] of Object.entries(header)) {
    if (name === METADATA) continue;
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) fail(`entry ${JSON.stringify(name)} is not an object`);
    const e = raw as Record<string, unknown>;
    const extra = Object.keys(e).filter((k) => k !== 'dtype' && k !== 'shape' && k !== 'data_offsets');
    if (extra.length) fail(`entry ${JSON.stringify(name)} has unknown fields ${extra.join(', ')}`);
    if (typeof e.dtype !== 'string') fail(`entry ${JSON.stringify(name)} has no dtype string`);
    const dtype = FROM_FILE[e.dtype];
    if (!dtype) {
      fail(UNSUPPORTED.includes(e.dtype)
        ? `entry ${JSON.stringify(name)} has dtype ${e.dtype}, which tmnn does not support (it reads ${Object.keys(FROM_FILE).join(', ')})`
        : `entry ${JSON.stringify(name)} has unknown dtype ${JSON.stringify(e.dtype)} (tmnn reads ${Object.keys(FROM_FILE).join(', ')})`);
    }
    if (!Array.isArray(e.shape) || e.shape.length > 32 || !e.shape.every(isSafeCount)) {
      fail(`entry ${JSON.stringify(name)} has shape ${JSON.stringify(e.shape)}; expected an array of non-negative integers`);
    }
    const offsets = e.data_offsets;
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isSafeCount) || offsets[0] > offsets[1]) {
      fail(`entry ${JSON.stringify(name)} has data_offsets ${JSON.stringify(offsets)}; expected [begin, end] with 0 ≤ begin ≤ end`);
    }
    const [begin, end] = offsets as number[];
    if (end > dataLength) fail(`entry ${JSON.stringify(name)} ends at byte ${end} of a ${dataLength}-byte data section`);
    // Multiply step by step: a hostile shape must not overflow into a plausible size.
    let count = 1;
    for (const d of e.shape as number[]) {
      count *= d;
      if (count > dataLength) break;
    }
    if (count * BYTES_PER_ELEMENT[dtype] !== end - begin) {
      fail(`entry ${JSON.stringify(name)}: shape [${(e.shape as number[]).join(',')}] of ${e.dtype} needs ${count * BYTES_PER_ELEMENT[dtype]} bytes, its offsets span ${end - begin}`);
    }
    spans.push({ name, begin, end, dtype, shape: e.shape as number[] });
  }
  // The data section must be covered exactly: no overlaps, no holes, nothing trailing.
  spans.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  for (const s of spans) {
    if (s.begin < covered) fail(`entry ${JSON.stringify(s.name)} overlaps another entry`);
    if (s.begin > covered) fail(`bytes ${covered}–${s.begin} of the data section belong to no entry`);
    covered = s.end;
  }
  if (covered !== dataLength) fail(`the data section has ${dataLength - covered} bytes after the last entry`);

  const entries: Record<string, SafetensorsEntry> = {};
  for (const s of spans) {
    const data = allocStorage(s.dtype, (s.end - s.begin) / BYTES_PER_ELEMENT[s.dtype]);
    // Copy through bytes: the source may sit at an offset that is unaligned for the element type.
    bytesOf(data).set(bytes.subarray(dataStart + s.begin, dataStart + s.end));
    if (!littleEndian() && data.BYTES_PER_ELEMENT > 1) fail('big-endian hosts are not supported');
    entries[s.name] = { dtype: s.dtype, shape: s.shape, data };
  }
  return { entries, metadata };
}
