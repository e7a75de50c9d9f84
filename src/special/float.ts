// What the special functions share: each takes tensors (or numbers) of any
// dtype, computes in f32 (an int is read as f32, an f16 computed in f32 and
// rounded back once, as polygamma's series does) and frees what it made.
import { tidy } from '../engine.js';
import { ValueError } from '../errors.js';
import { cast } from '../ops/cast.js';
import { scalar } from '../ops/creation.js';
import { add, exp, less, mul, sub, where } from '../ops/elementwise.js';
import { checkTensor } from '../ops/util.js';
import { Tensor, type TensorLike } from '../tensor.js';

/** x as an f32 tensor: a number made a scalar, an int or f16 tensor cast. */
function asF32(name: string, x: TensorLike, argument: string): Tensor {
  if (typeof x === 'number') return scalar(x);
  if (!(x instanceof Tensor)) throw new ValueError(`${name}: ${argument} must be a Tensor or a number, got ${x === null ? 'null' : typeof x}`);
  checkTensor(name, x, argument);
  return x.dtype === 'f32' ? x : cast(x, 'f32');
}

/**
 * `fn` of the arguments in f32 within a tidy, its result f16 where every
 * tensor argument is f16 and f32 otherwise. `names` name the arguments in errors.
 */
export function inF32(name: string, names: readonly string[], args: readonly TensorLike[], fn: (...xs: Tensor[]) => Tensor): Tensor {
  const tensors = args.filter((a): a is Tensor => a instanceof Tensor);
  const half = tensors.length > 0 && tensors.every((t) => t.dtype === 'f16');
  return tidy(() => {
    const y = fn(...args.map((a, i) => asF32(name, a, names[i])));
    return half ? cast(y, 'f16') : y;
  });
}

/** e^−40, rounded to f32 once. */
const EXP_MINUS_40 = Math.fround(Math.exp(-40));

/**
 * eˣ that reaches f32's subnormals on webgpu too, whose exp flushes them to
 * 0: below −80, e^(x + 40)·e^−40, two normal numbers whose product the device
 * rounds into the subnormals. Above, exp itself (WGSL's loses digits as |x|
 * grows, so x + 40 is not taken everywhere).
 */
export function expIntoSubnormals(x: Tensor): Tensor {
  return where(less(x, -80), mul(exp(add(x, 40)), EXP_MINUS_40), exp(x));
}

/** Σ′ cₖ·Tₖ(t) (c₀ halved) by Clenshaw's recurrence: a Chebyshev series on t ∈ [−1, 1]. */
export function chebyshev(c: readonly number[], t: Tensor): Tensor {
  let b1: Tensor | number = 0;
  let b2: Tensor | number = 0;
  const twoT = mul(t, 2);
  for (let k = c.length - 1; k >= 1; k--) {
    const b = add(sub(mul(twoT, b1), b2), c[k]);
    b2 = b1;
    b1 = b;
  }
  return add(sub(mul(t, b1), b2), c[0] / 2);
}

/** c₀ + c₁·t + c₂·t² + …, by Horner's rule from the last coefficient. */
export function polynomial(t: Tensor, coefficients: readonly number[]): Tensor {
  let sum: Tensor | number = coefficients[coefficients.length - 1];
  for (let k = coefficients.length - 2; k >= 0; k--) sum = add(mul(sum, t), coefficients[k]);
  return sum as Tensor;
}

/**
 * `inside(x)` where `mask` holds and `outside(x)` elsewhere, each branch
 * given x only where it is taken (`insideFill` and `outsideFill` in the
 * other's place), so that a branch off its domain (0/0, an overflow) leaves
 * no NaN in the value or the gradient, and neither splits a gradient at
 * the seam as minimum and maximum would.
 */
export function piecewise(mask: Tensor, x: Tensor, inside: (x: Tensor) => Tensor, insideFill: number, outside: (x: Tensor) => Tensor, outsideFill: number): Tensor {
  return where(mask, inside(where(mask, x, insideFill)), outside(where(mask, outsideFill, x)));
}
