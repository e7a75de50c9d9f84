// ONNX external data: a tensor whose bytes sit in another file beside the
// model (TensorProto.data_location EXTERNAL, external_data location / offset /
// length), as every model past protobuf's 2 GB and many exports keep their
// weights. Each tensor's range of its file becomes its raw_data before the
// model is built, so the rest of tm.onnx sees an ordinary model; saving writes
// trained values back over the ranges, and saveOnnx moves large initializers
// out. In Node the ranges are read, and files written, a part at a time, never
// a whole file in one array, which holds at most 4 GiB (a large model's single
// weights file is more). A location must stay inside the model's directory:
// onnx and onnxruntime refuse absolute paths and '..', as a downloaded model
// must not read (or, saved back, write) any file it names.
import { ValueError, formatValue } from '../errors.js';
import { CorruptFileError } from '../io/errors.js';
import { copyFileAtomic, makeDirectoriesIn, openFileRanges, readFileBytes, writeFileAtomic, writeFilePartsAtomic, type FileRanges } from '../io/file.js';
import { tensorBytes, type TensorSpec } from './encode.js';
import { eachGraph } from './check.js';
import { DATA_TYPES, type OnnxModelProto, type OnnxTensorProto } from './proto.js';
import { isRunnable, rawByteLength } from './value.js';

/**
 * A model's external files given as bytes (the browser, or files already in
 * memory): by location as the model names them ('weights.bin'), or a
 * function of the location. fromBytes takes a record or a function that
 * returns the bytes; load also takes one that returns a Promise of them.
 */
export type ExternalData =
  | Readonly<Record<string, Uint8Array | ArrayBuffer>>
  | ((location: string) => Uint8Array | ArrayBuffer | Promise<Uint8Array | ArrayBuffer>);

/** One external file, open for reading ranges of it. */
export type ExternalFile = FileRanges;

/** Bytes to write over a file: at each offset, these bytes. */
export type Patches = readonly (readonly [number, Uint8Array])[];

/** Where a model's external files are, by their (checked) locations. */
export interface ExternalSource {
  /** The file whole: what toFiles writes trained values over. */
  read(location: string): Promise<Uint8Array>;
  /** The file opened for ranges: what load reads tensors from. */
  open(location: string): Promise<ExternalFile>;
  /** Writes the file, patched, beside the model file at `model` (atomically): what save does. */
  copy(location: string, model: string | URL, patches: Patches): Promise<void>;
}

/** A model's external files: the locations it names, and where to read them again when saving. */
export interface ExternalFiles {
  locations: readonly string[];
  source: ExternalSource;
}

/** `bytes` with `patches` written over them: refused where one runs past the end (the file changed since it was read). */
export function patched(bytes: Uint8Array, patches: Patches, location: string): Uint8Array {
  for (const [offset, data] of patches) {
    if (offset + data.length > bytes.length) throw new CorruptFileError(`onnx: ${location} is ${bytes.length} bytes now, too short for bytes ${offset} to ${offset + data.length}: the file changed since the model was loaded`);
    bytes.set(data, offset);
  }
  return bytes;
}

/** Every tensor of the model kept in an external file: initializers and node attributes (Constant's value), subgraphs' too. */
export function externalTensors(proto: OnnxModelProto): OnnxTensorProto[] {
  const found: OnnxTensorProto[] = [];
  for (const g of eachGraph(proto.graph)) {
    for (const t of g.initializers) if (t.external) found.push(t);
    for (const node of g.nodes) {
      for (const a of node.attributes.values()) if (a.kind === 'tensor' && a.value.external) found.push(a.value);
    }
  }
  return found;
}

/** The files the tensors name, each once; a location outside the model's directory is refused. */
export function locationsOf(tensors: readonly OnnxTensorProto[]): string[] {
  const locations = new Set<string>();
  for (const t of tensors) {
    const { location } = t.external!;
    const unsafe = unsafeLocation(location);
    if (unsafe) throw new CorruptFileError(`onnx: tensor ${t.name}'s external data location ${JSON.stringify(location)} ${unsafe}; tmnn (as onnxruntime) reads no file outside it`);
    locations.add(location);
  }
  return [...locations];
}

/** Why a location is not a file inside the model's directory, or undefined when it is one. */
export function unsafeLocation(location: string): string | undefined {
  if (/^[\\/]/.test(location)) return `is an absolute path; ONNX requires one relative to the model file's directory`;
  // A drive (C:) or a URL's scheme (file:, https:).
  if (/^[A-Za-z][A-Za-z0-9+.-]*:/.test(location)) return `starts with a drive or URL scheme (${location.slice(0, location.indexOf(':') + 1)}); ONNX requires a path relative to the model file's directory`;
  if (location.split(/[\\/]/).includes('..')) return `climbs out of the model file's directory ('..')`;
  return undefined;
}

/** The bytes a tensor's elements take in raw data; undefined for types tmnn does not run (constantOf refuses those by type). */
function rawBytes(t: OnnxTensorProto): number | undefined {
  const type = DATA_TYPES[t.dataType];
  return type && isRunnable(type) ? rawByteLength(type, t.dims.reduce((a, b) => a * b, 1)) : undefined;
}

/**
 * A tensor's range of its file of `size` bytes; one past the file's end, or
 * one that is not the tensor's size, is refused.
 */
function rangeOf(t: OnnxTensorProto, size: number): [number, number] {
  const { location, offset, length } = t.external!;
  const end = length === undefined ? size : offset + length;
  const range = length === undefined ? `from byte ${offset} to its end` : `bytes ${offset} to ${end}`;
  if (offset > size || end > size) {
    throw new CorruptFileError(`onnx: tensor ${t.name} is ${range} of ${location}, which has ${size} bytes: past its end (a truncated or different file?)`);
  }
  const needed = rawBytes(t);
  if (needed !== undefined && end - offset !== needed) {
    throw new CorruptFileError(`onnx: tensor ${t.name} is ${range} of ${location}, ${end - offset} bytes; its ${DATA_TYPES[t.dataType]} elements of shape [${t.dims.join(', ')}] take ${needed}`);
  }
  return [offset, end];
}

/** Each tensor's range of the files as its raw_data; its dataOffset the range's start (where a trained value is written back). */
export function fillExternal(tensors: readonly OnnxTensorProto[], files: ReadonlyMap<string, Uint8Array>): void {
  for (const t of tensors) {
    const file = files.get(t.external!.location)!;
    const [start, end] = rangeOf(t, file.length);
    t.rawData = file.subarray(start, end);
    t.dataOffset = start;
  }
}

/** fillExternal reading from `source`: each file opened once, its tensors' ranges read, then closed. */
export async function readExternal(tensors: readonly OnnxTensorProto[], source: ExternalSource): Promise<void> {
  for (const location of new Set(tensors.map((t) => t.external!.location))) {
    const file = await source.open(location);
    try {
      for (const t of tensors) {
        if (t.external!.location !== location) continue;
        const [start, end] = rangeOf(t, file.size);
        t.rawData = await file.range(start, end);
        t.dataOffset = start;
      }
    } finally {
      await file.close();
    }
  }
}

/** Bytes a caller gave for `location`, as a Uint8Array. */
function given(bytes: unknown, location: string, where: string): Uint8Array {
  if (bytes instanceof Uint8Array) return bytes;
  if (bytes instanceof ArrayBuffer) return new Uint8Array(bytes);
  throw new ValueError(`${where}: externalData must give ${location}'s bytes as a Uint8Array or ArrayBuffer, got ${formatValue(bytes)}`);
}

function lookup(data: ExternalData, location: string, where: string): unknown {
  if (typeof data === 'function') return data(location);
  if (typeof data !== 'object' || data === null) throw new ValueError(`${where}: externalData must be a record of files' bytes by location, or a function of the location, got ${formatValue(data)}`);
  if (!Object.hasOwn(data, location)) {
    const names = Object.keys(data);
    throw new ValueError(`${where}: the model keeps data in ${location}, which externalData does not hold (it holds ${names.length ? names.join(', ') : 'nothing'})`);
  }
  return data[location];
}

/** The files from bytes the caller gave, now: fromBytes is synchronous, so a function returning a Promise is refused. */
export function givenFiles(data: ExternalData, locations: readonly string[]): Map<string, Uint8Array> {
  const where = 'onnx.fromBytes';
  const files = new Map<string, Uint8Array>();
  for (const location of locations) {
    const bytes = lookup(data, location, where);
    if (bytes instanceof Promise) {
      bytes.catch(() => undefined); // not awaited: its failure is not this call's
      throw new ValueError(`${where}: externalData returned a Promise for ${location}; fromBytes is synchronous — await tm.onnx.load(bytes, { externalData }) takes a function returning one`);
    }
    files.set(location, given(bytes, location, where));
  }
  return files;
}

/** The bytes the caller gave as a source, awaiting them where they are a Promise. */
export function givenSource(data: ExternalData): ExternalSource {
  const read = async (location: string) => given(await lookup(data, location, 'onnx.load'), location, 'onnx.load');
  return {
    read,
    async open(location) {
      const bytes = await read(location);
      return { size: bytes.length, range: async (start, end) => bytes.subarray(start, end), close: async () => undefined };
    },
    async copy(location, model, patches) {
      await writeBeside(model, location, patched((await read(location)).slice(), patches, location));
    },
  };
}

/** The files beside the model file at `model` (Node), each location relative to its directory. */
export function besideFile(model: string | URL): ExternalSource {
  const failure = (location: string, err: unknown) => new ValueError(`onnx: the model keeps data in ${location} beside it, which cannot be read: ${(err as Error).message}`, { cause: err });
  return {
    async read(location) {
      try {
        return await readFileBytes(await sidePath(model, location));
      } catch (err) {
        throw failure(location, err);
      }
    },
    async open(location) {
      const path = await sidePath(model, location);
      try {
        return await openFileRanges(path);
      } catch (err) {
        throw failure(location, err);
      }
    },
    // Copied a chunk at a time, never whole in memory (a side file may be past what one array holds).
    async copy(location, target, patches) {
      const side = await sidePath(target, location);
      await makeSubdirectory(target, location, side);
      await copyFileAtomic(await sidePath(model, location), side, patches);
    },
  };
}

/** The directory part of a path, with its separator ('' for a bare file name). */
function directoryOf(path: string): string {
  return path.slice(0, Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
}

/**
 * The path of the external file `location` beside the model file `model`.
 * Joined as paths, never resolved as a URL, where '%2e%2e' would climb out;
 * a URL not of a file is returned as it is, for the file functions to refuse.
 */
export async function sidePath(model: string | URL, location: string): Promise<string | URL> {
  if (model instanceof URL) {
    if (model.protocol !== 'file:') return model;
    model = (await import('node:url')).fileURLToPath(model);
  }
  return directoryOf(model) + location;
}

/**
 * Writes an external file at `location` beside the model file at `model`
 * (atomically). A location in a subdirectory ('data/weights.bin') makes it,
 * when the model's own directory exists (one that does not is writeFileAtomic's error).
 */
export async function writeBeside(model: string | URL, location: string, bytes: Uint8Array): Promise<void> {
  const side = await sidePath(model, location);
  await makeSubdirectory(model, location, side);
  await writeFileAtomic(side, bytes);
}

/** Makes the directory a location in a subdirectory ('data/weights.bin') needs beside the model file, when the model's own directory exists. */
async function makeSubdirectory(model: string | URL, location: string, side: string | URL): Promise<void> {
  if (typeof side === 'string' && /[\\/]/.test(location)) await makeDirectoriesIn(directoryOf((await sidePath(model, '')) as string) || '.', directoryOf(side));
}

/**
 * An offset in a file saveOnnx writes is a multiple of this: a page (4096
 * bytes) for a tensor of 1 MiB or more, as onnx's writer aligns them so a
 * reader may map each one; 16 bytes, enough for any element, below that.
 */
function alignment(bytes: number): number {
  return bytes >= 1 << 20 ? 4096 : 16;
}

/**
 * The initializers of `threshold` bytes or more moved out to one file at
 * `location`, in order: the specs that say where each is, and the file's
 * parts, each tensor's bytes at its offset (none when none is that large).
 */
export function externalize(initializers: Readonly<Record<string, TensorSpec>>, location: string, threshold: number): { initializers: Record<string, TensorSpec>; parts: [number, Uint8Array][] } {
  const out: Record<string, TensorSpec> = {};
  const parts: [number, Uint8Array][] = [];
  let size = 0;
  for (const [name, spec] of Object.entries(initializers)) {
    const bytes = tensorBytes(spec);
    if (bytes.length < threshold || bytes.length === 0) {
      out[name] = spec;
      continue;
    }
    const align = alignment(bytes.length);
    const offset = Math.ceil(size / align) * align;
    parts.push([offset, bytes]);
    size = offset + bytes.length;
    out[name] = { ...spec, external: { location, offset, length: bytes.length } };
  }
  return { initializers: out, parts };
}

/** Writes a file of `parts` at `location` beside the model file at `model` (atomically), making a subdirectory the location names. */
export async function writePartsBeside(model: string | URL, location: string, parts: readonly (readonly [number, Uint8Array])[]): Promise<void> {
  const side = await sidePath(model, location);
  await makeSubdirectory(model, location, side);
  await writeFilePartsAtomic(side, parts);
}
