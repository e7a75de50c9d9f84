// The standard normal distribution's CDF, its logarithm and its inverse
// (scipy.special's ndtr, log_ndtr, ndtri; torch.special's too), as ops: erfc
// carries each tail, an asymptotic series the far left one of log Φ, and
// Newton's method on log Φ the left tail of the inverse.
import { noGrad, record } from '../tape.js';
import type { Tensor } from '../tensor.js';
import { add, clip, div, equal, erfc, erfinv, exp, greater, less, log, log1p, maximum, minimum, mul, neg, sqrt, square, sub, where } from '../ops/elementwise.js';
import { inF32, polynomial } from './float.js';

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);
/**
 * Below this log Φ takes the asymptotic series: at |x| ≥ 8 its eleventh term,
 * 21!!/x²², is below 2e-10; and above it Φ² (which log Φ's second
 * derivative divides by) is still a normal f32.
 */
const FAR_LEFT = -8;
/** (−1)ᵏ·(2k − 1)!! for k = 1…10: log Φ(x) = −x²/2 − log(−x) − ½ log 2π + log(1 + Σ cₖ x⁻²ᵏ) as x → −∞. */
const MILLS = [-1, 3, -15, 105, -945, 10395, -135135, 2027025, -34459425, 654729075];

/** Φ(x) as ½·erfc(−x/√2): each tail relative to itself. */
function ndtrOf(x: Tensor): Tensor {
  return mul(erfc(mul(x, -Math.SQRT1_2)), 0.5);
}

/**
 * Φ(x) = ½·erfc(−x/√2), the standard normal CDF (torch.special.ndtr,
 * scipy.special.ndtr): accurate relative to itself in both tails, 0 at −∞
 * (below −14 it is an f32 subnormal, then 0), 1 at +∞, NaN at NaN. Its
 * gradient is the density φ(x).
 */
export function ndtr(x: Tensor): Tensor {
  return inF32('ndtr', ['x'], [x], ndtrOf);
}

/**
 * log Φ(x) in three pieces, each of x clipped to its own range so that the
 * others' values (and gradients) stay finite (clip's gradient is whole at
 * its ends, where the pieces meet): log1p(−Φ(−x)) above −1,
 * log Φ(x) down to −8, the asymptotic series below.
 */
function logNdtrOf(x: Tensor): Tensor {
  const upper = log1p(mul(erfc(mul(clip(x, -1, Infinity), Math.SQRT1_2)), -0.5));
  const middle = log(ndtrOf(clip(x, FAR_LEFT, -1)));
  const left = clip(x, -Infinity, FAR_LEFT);
  const z = div(1, square(left));
  let series: Tensor | number = 0;
  for (let k = MILLS.length - 1; k >= 0; k--) series = mul(add(series, MILLS[k]), z);
  const tail = sub(sub(mul(square(left), -0.5), log(neg(left))), sub(HALF_LOG_2PI, log1p(series as Tensor)));
  return where(greater(x, -1), upper, where(less(x, FAR_LEFT), tail, middle));
}

/**
 * log Φ(x), the log of the standard normal CDF (torch.special.log_ndtr,
 * scipy.special.log_ndtr), accurate where log(ndtr(x)) is not: near 0 for
 * large x (as log1p(−Φ(−x))) and in the far left tail (−x²/2 − log(−x) −
 * ½ log 2π plus an asymptotic series, finite down to −∞'s −∞ where Φ
 * underflows). Differentiable through its ops: the gradient φ(x)/Φ(x) is
 * ≈ −x in the left tail, not 0/0.
 */
export function logNdtr(x: Tensor): Tensor {
  return inF32('logNdtr', ['x'], [x], logNdtrOf);
}

// Abramowitz and Stegun 26.2.23: the upper quantile t − (c₀ + c₁t + c₂t²)/(1 + d₁t + d₂t² + d₃t³), t = √(−2 log p), within 4.5e-4.
const AS_NUMERATOR = [2.515517, 0.802853, 0.010328];
const AS_DENOMINATOR = [1, 1.432788, 0.189269, 0.001308];
/** Newton steps on log Φ from the 4.5e-4 start: the error squares (times ≲ ½) at each, so two reach f32's last bit. */
const NEWTON_STEPS = 2;

/**
 * Φ⁻¹(p) unrecorded: √2·erfinv(2p − 1) from p = ¼ up (2p − 1 is exact
 * there, and so is 1 − p near 1, which erfinv reads), below ¼ Newton's
 * method on log Φ(x) = log p, which stays relative in the tail where 2p − 1
 * rounds to −1 (p = 1e-30 is Φ(−11.3)).
 */
function ndtriOf(p: Tensor): Tensor {
  const upper = mul(erfinv(sub(mul(maximum(p, 0.25), 2), 1)), Math.SQRT2);
  const q = minimum(p, 0.25);
  const logQ = log(q);
  const t = sqrt(mul(logQ, -2));
  let x = sub(div(polynomial(t, AS_NUMERATOR), polynomial(t, AS_DENOMINATOR)), t);
  for (let i = 0; i < NEWTON_STEPS; i++) {
    const logPhi = logNdtrOf(x);
    // φ(x)/Φ(x), log Φ's slope, as one exponential (Φ itself may be subnormal).
    const slope = exp(sub(mul(square(x), -0.5), add(logPhi, HALF_LOG_2PI)));
    x = sub(x, div(sub(logPhi, logQ), slope));
  }
  return where(equal(p, 0), -Infinity, where(less(p, 0.25), x, upper));
}

/**
 * Φ⁻¹(p), the standard normal quantile (torch.special.ndtri,
 * scipy.special.ndtri): −∞ at 0, +∞ at 1, NaN outside [0, 1]; relative to
 * itself down to f32's smallest subnormal p (Φ⁻¹(1.4e-45) ≈ −14.1). Its
 * gradient is 1/φ(Φ⁻¹(p)) = √(2π)·e^(x²/2).
 */
export function ndtri(p: Tensor): Tensor {
  return inF32('ndtri', ['p'], [p], (pf) => {
    const y = noGrad(() => ndtriOf(pf));
    return record(y, 'ndtri', [pf], [y], (dy, [sy]) => [mul(dy, mul(exp(mul(square(sy), 0.5)), Math.sqrt(2 * Math.PI)))]);
  });
}
