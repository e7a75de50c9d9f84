// Tensors to and from NumPy's files, .npy (one array) and .npz (named
// arrays): the bytes (in a browser too) and, in Node, the files, written
// atomically.
import { checkTensor, adoptStorageArray } from '../ops/util.js';
import type { Tensor } from '../tensor.js';
import { readFileBytes, writeFileAtomic } from './file.js';
import { decodeNpy, encodeNpy } from './npy.js';
import { decodeNpz, encodeNpz, type EncodeNpzOptions } from './npz.js';
import { checkOptions } from '../options.js';

/** x as the bytes of a .npy file (np.load reads it: '<f4', '<f2', '<i4' or '|i1', C order). */
export async function toNpy(x: Tensor): Promise<Uint8Array> {
  checkTensor('toNpy', x);
  return encodeNpy({ dtype: x.dtype, shape: x.shape, data: await x.storageData() });
}

/**
 * The tensor in a .npy file's bytes (np.save's). float64 becomes f32
 * (rounded), bool i8, uint8/int16/uint16 i32, and int64/uint32/uint64 i32
 * where every value fits; a Fortran-ordered array is read into C order.
 * A file that is not one is a CorruptFileError saying what is wrong.
 */
export function fromNpy(bytes: Uint8Array): Tensor {
  const { dtype, shape, data } = decodeNpy(bytes);
  // The decoded storage is this tensor's alone: adopted, not copied.
  return adoptStorageArray(data, shape, dtype);
}

/** Writes x to `path` as a .npy file, atomically (a failure leaves any file there as it was). Node only. */
export async function saveNpy(path: string | URL, x: Tensor): Promise<void> {
  await writeFileAtomic(path, await toNpy(x));
}

/** Reads the tensor in the .npy file at `path` (see fromNpy). Node only. */
export async function loadNpy(path: string | URL): Promise<Tensor> {
  return fromNpy(await readFileBytes(path));
}

const NPZ_OPTIONS = { compress: 'boolean' } as const;

/** Named tensors as the bytes of an .npz archive (np.load reads it), stored, or deflated with `compress` as np.savez_compressed. */
export async function toNpz(tensors: Readonly<Record<string, Tensor>>, options: EncodeNpzOptions = {}): Promise<Uint8Array> {
  options = checkOptions('toNpz', options, NPZ_OPTIONS);
  const entries = Object.entries(tensors);
  for (const [name, t] of entries) checkTensor('toNpz', t, name);
  const arrays = await Promise.all(entries.map(async ([name, t]) => [name, { dtype: t.dtype, shape: t.shape, data: await t.storageData() }] as const));
  return encodeNpz(Object.fromEntries(arrays), options);
}

/**
 * The named tensors in an .npz archive's bytes (np.savez's or
 * np.savez_compressed's), each read as fromNpy reads an .npy file. A
 * corrupt archive or member is an error naming it, and no tensor is made.
 */
export function fromNpz(bytes: Uint8Array): Record<string, Tensor> {
  const arrays = decodeNpz(bytes);
  return Object.fromEntries(Object.entries(arrays).map(([name, { dtype, shape, data }]) => [name, adoptStorageArray(data, shape, dtype)]));
}

/** Writes named tensors to `path` as an .npz archive, atomically (see toNpz). Node only. */
export async function saveNpz(path: string | URL, tensors: Readonly<Record<string, Tensor>>, options: EncodeNpzOptions = {}): Promise<void> {
  await writeFileAtomic(path, await toNpz(tensors, options));
}

/** Reads the named tensors in the .npz archive at `path` (see fromNpz). Node only. */
export async function loadNpz(path: string | URL): Promise<Record<string, Tensor>> {
  return fromNpz(await readFileBytes(path));
}
