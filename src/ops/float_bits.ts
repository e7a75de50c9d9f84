// torch.frexp and torch.nextafter: a float's exponent and its neighbours,
// read from and written into its IEEE bits (bitcast), so that both are exact
// with no arithmetic that could round (or, on a GPU, flush subnormals).
//
// An f32's bits as an i32 order like its magnitude within each sign: one
// step up the pattern is one step away from 0. An f16's 16-bit pattern (a
// positive i32, 0…65535) does the same. So nextafter adds ±1 to the pattern.
import { tidy } from '../engine.js';
import { isFloat } from '../dtype.js';
import { DTypeError } from '../errors.js';
import type { Tensor, TensorLike } from '../tensor.js';
import { bitcast } from './bitcast.js';
import { cast } from './cast.js';
import { onesLike, zerosLike } from './creation.js';
import { add, bitwiseAnd, bitwiseOr, equal, floorDivide, greater, mul, sub, where } from './elementwise.js';
import { isFinite, isNaN, logicalNot, logicalOr } from './logical.js';
import { checkTensor, withTensors } from './util.js';

/** frexp's result: x = mantissa·2^exponent. */
export interface Frexp {
  /** In x's dtype: ½ ≤ |mantissa| < 1, x's sign; 0, ±∞ and NaN as x. */
  mantissa: Tensor;
  /** i32: 0 for 0, ±∞ and NaN. */
  exponent: Tensor;
}

const F32_EXPONENT = 0x7f800000;
const F32_SIGN_AND_FRACTION = 0x807fffff - 2 ** 32;
/** The exponent field of ½ (biased 126). */
const F32_HALF = 0x3f000000;
/** 2⁶⁴: a subnormal times it is normal, exactly. */
const SUBNORMAL_SCALE = 2 ** 64;

/** The pattern of −(the smallest subnormal): the sign bit and a 1. */
const NEGATIVE_SMALLEST = { f32: 1 - 2 ** 31, f16: 0x8001 } as const;

/** frexp of f32 x. */
function frexpF32(x: Tensor): Frexp {
  const subnormal = equal(bitwiseAnd(bitcast(x, 'i32'), F32_EXPONENT), 0);
  const scaled = where(subnormal, mul(x, SUBNORMAL_SCALE), x);
  const bits = bitcast(scaled, 'i32');
  const biased = floorDivide(bitwiseAnd(bits, F32_EXPONENT), 2 ** 23);
  const mantissa = bitcast(bitwiseOr(bitwiseAnd(bits, F32_SIGN_AND_FRACTION), F32_HALF), 'f32');
  // Each branch of where an i32 tensor, so that the exponent stays i32 (plain numbers there would make it f32).
  const exponent = where(subnormal, sub(biased, 126 + 64), sub(biased, 126));
  const special = logicalOr(equal(x, 0), logicalNot(isFinite(x)));
  return { mantissa: where(special, x, mantissa), exponent: where(special, zerosLike(biased), exponent) };
}

/**
 * x split as mantissa·2^exponent with ½ ≤ |mantissa| < 1 (torch.frexp,
 * np.frexp, C's frexp): the mantissa in x's dtype, the exponent i32; 0, ±∞
 * and NaN give themselves and 0. Exact, subnormals included (on webgpu a
 * subnormal input may already read as 0). No gradient.
 */
export function frexp(x: Tensor): Frexp {
  checkTensor('frexp', x);
  if (!isFloat(x.dtype)) throw new DTypeError(`frexp: x must be a float tensor (f32 or f16), got ${x.dtype}`);
  return tidy(() => {
    if (x.dtype === 'f32') return frexpF32(x);
    // An f16's mantissa has 11 bits: f32's frexp of it, cast back, is exact.
    const { mantissa, exponent } = frexpF32(cast(x, 'f32'));
    return { mantissa: cast(mantissa, x.dtype), exponent };
  });
}

/**
 * The next float after x towards y, elementwise (torch.nextafter,
 * np.nextafter): y where x = y, NaN where either is NaN, ±the smallest
 * subnormal from ±0, ±∞ from ±the largest float. Floats only, in their
 * common dtype (f32, or f16 where both are f16); broadcasting. No gradient.
 */
export function nextafter(x: TensorLike, y: TensorLike): Tensor {
  return withTensors('nextafter', x, y, (tx, ty) => {
    for (const [t, name] of [[tx, 'x'], [ty, 'y']] as const) {
      if (!isFloat(t.dtype)) throw new DTypeError(`nextafter: ${name} must be a float tensor (f32 or f16), got ${t.dtype}`);
    }
    return tidy(() => {
      const dtype = tx.dtype === 'f16' && ty.dtype === 'f16' ? 'f16' : 'f32';
      const [a, b] = [tx, ty].map((t) => (t.dtype === dtype ? t : cast(t, dtype)));
      const bits = bitcast(a, 'i32');
      // i32 ones (where of plain numbers would make floats).
      const one = onesLike(bits);
      // Away from 0 (+1 on the pattern) where y lies beyond x on x's side of 0.
      const away = equal(greater(b, a), greater(a, 0));
      const stepped = bitcast(add(bits, where(away, one, sub(one, 2))), dtype);
      // ±the smallest subnormal, written as its pattern (arithmetic on it could flush it to 0 on a GPU).
      const smallest = bitcast(where(greater(b, 0), one, add(one, NEGATIVE_SMALLEST[dtype] - 1)), dtype);
      const moved = where(equal(a, 0), smallest, stepped);
      return where(logicalOr(isNaN(a), isNaN(b)), NaN, where(equal(a, b), b, moved));
    });
  });
}
