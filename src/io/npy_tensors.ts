// Tensors to and from NumPy's .npy files: the bytes (in a browser too) and,
// in Node, the files, written atomically.
import { checkTensor, adoptStorageArray } from '../ops/util.js';
import type { Tensor } from '../tensor.js';
import { readFileBytes, writeFileAtomic } from './file.js';
import { decodeNpy, encodeNpy } from './npy.js';

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
