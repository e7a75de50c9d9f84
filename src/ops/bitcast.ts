// Reinterpreting bits as another dtype: a float's IEEE pattern as an integer
// and back (hashing, sign and exponent tricks, formats that store floats as
// integers, ONNX's BitCast). tmnn has no 16-bit integer dtype, so an f16's
// pattern comes out as an i32 of 0…65535 and an i32 goes to f16 by its low
// 16 bits. No gradient: the result is not a smooth function of x.
import { checkDType, type DType } from '../dtype.js';
import { DTypeError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { checkTensor, computed, view } from './util.js';

/** The pairs a bitcast takes, and what each keeps. */
const PAIRS: Readonly<Record<string, true>> = { 'f32→i32': true, 'i32→f32': true, 'f16→i32': true, 'i32→f16': true };

/**
 * x's bits read as `dtype`: f32 ↔ i32 (all 32), f16 → i32 (the 16-bit
 * pattern, 0…65535), i32 → f16 (the low 16 bits); the same dtype gives x's
 * values. On WebGPU an f16 NaN's payload may come out canonical.
 */
export function bitcast(x: Tensor, dtype: DType): Tensor {
  checkTensor('bitcast', x);
  checkDType(dtype, 'bitcast');
  if (dtype === x.dtype) return view('bitcast', x, x.shape);
  if (!PAIRS[`${x.dtype}→${dtype}`]) {
    throw new DTypeError(`bitcast: ${x.dtype} → ${dtype} is not a reinterpretation tmnn has; it has f32 ↔ i32 and f16 ↔ i32 (an f16's 16 bits in an i32)`);
  }
  const backend = x.dataRef('bitcast').backend;
  return computed('bitcast', backend, x.shape, dtype, () => backend.bitcast(x.info('bitcast'), dtype));
}
