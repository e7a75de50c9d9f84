// Float64 references the transform and distribution tests share: the
// standard normal's density and cdf, the logistic sigmoid, and PyTorch's
// stick-breaking map written out plainly.
import { erfRef } from './float64.js';
import { erfcRef } from './special.js';

const LOG_2PI = Math.log(2 * Math.PI);

/** log N(x; m, s²). */
export const normalLogPdf = (x: number, m: number, s: number) => -0.5 * ((x - m) / s) ** 2 - Math.log(s) - 0.5 * LOG_2PI;
/** Φ(z), from erfc below 0 (no cancellation in the left tail). */
export const normalCdf = (z: number) => (z < 0 ? 0.5 * erfcRef(-z / Math.SQRT2) : 0.5 * (1 + erfRef(z / Math.SQRT2)));
export const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/** The stick broken share by share: zᵢ = σ(xᵢ − log(K − 1 − i)) of what is left, the last entry the rest. */
export function stickBreaking64(x: readonly number[]): number[] {
  const n = x.length;
  const y: number[] = [];
  let left = 1;
  for (let i = 0; i < n; i++) {
    const z = sigmoid(x[i] - Math.log(n - i));
    y.push(z * left);
    left *= 1 - z;
  }
  y.push(left);
  return y;
}
