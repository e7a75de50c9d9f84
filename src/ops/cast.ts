// Dtype conversion and one-hot encoding.
import { checkDType, isFloat, type DType } from '../dtype.js';
import { DTypeError, ValueError } from '../errors.js';
import { record } from '../tape.js';
import type { Tensor } from '../tensor.js';
import { checkTensor, computed, refuseIndicesOutside, view } from './util.js';

/**
 * Converts to `dtype`. To ints: truncates toward zero and saturates at the
 * type's range (NaN → 0). To f16: rounds to nearest even.
 */
export function cast(x: Tensor, dtype: DType): Tensor {
  checkTensor('cast', x);
  checkDType(dtype, 'cast');
  const backend = x.dataRef('cast').backend;
  const y = dtype === x.dtype ? view('cast', x, x.shape) : computed('cast', backend, x.shape, dtype, () => backend.cast(x.info('cast'), dtype));
  // Only float → float casts pass a gradient (record skips int outputs).
  return isFloat(x.dtype) ? record(y, 'cast', [x], [], (dy) => [cast(dy, x.dtype)]) : y;
}

/** indices [...] (i32 or i8) → [..., depth] with 1 at each index; out-of-range indices give a zero row. */
export function oneHot(indices: Tensor, depth: number, dtype: DType = 'f32'): Tensor {
  checkTensor('oneHot', indices, 'indices');
  checkDType(dtype, 'oneHot');
  if (isFloat(indices.dtype)) throw new DTypeError(`oneHot: indices must be i32 or i8, got ${indices.dtype} (cast them: indices.cast('i32'))`);
  if (!Number.isInteger(depth) || depth < 0) throw new ValueError(`oneHot: depth must be a non-negative integer, got ${depth}`);
  const backend = indices.dataRef('oneHot').backend;
  // An index outside [0, depth) would be a row of zeros, as in PyTorch an error.
  refuseIndicesOutside('oneHot', indices, 0, depth, `[0, ${depth})`);
  const outShape = [...indices.shape, depth];
  return computed('oneHot', backend, outShape, dtype, () => backend.oneHot(indices.info('oneHot'), depth, dtype));
}
