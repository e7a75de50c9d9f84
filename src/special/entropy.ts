// Elementwise entropy terms: −x·log x and x·log1p(y) with PyTorch's values
// at 0 and their gradients given outright, as xlogy's are: a where over
// x·log x would send 0·∞ = NaN back from the branch it did not take.
import { broadcastShapes } from '../shape.js';
import { sumToShape } from '../ops/reduce.js';
import { noGrad, record } from '../tape.js';
import type { Tensor, TensorLike } from '../tensor.js';
import { add, div, equal, greater, log, log1p, mul, neg, notEqual, where } from '../ops/elementwise.js';
import { inF32 } from './float.js';

/**
 * −x·log x for x > 0, 0 at x = 0 and −∞ for x < 0 (torch.special.entr,
 * scipy.special.entr); NaN at NaN. The gradient is −(1 + log x): +∞ at 0,
 * NaN below, as PyTorch's.
 */
export function entr(x: Tensor): Tensor {
  return inF32('entr', ['x'], [x], (xf) => {
    const y = noGrad(() => where(greater(xf, 0), neg(mul(xf, log(xf))), where(equal(xf, 0), 0, where(notEqual(xf, xf), NaN, -Infinity))));
    return record(y, 'entr', [xf], [xf], (dy, [sx]) => [neg(mul(dy, add(log(sx), 1)))]);
  });
}

/**
 * x·log1p(y), 0 where x = 0 (even where y = −1), NaN where y is NaN
 * (torch.special.xlog1py, scipy.special.xlog1py), x and y broadcast (tensors
 * or numbers): accurate for small y, where x·log(1 + y) rounds 1 + y. The
 * gradients are log1p(y) where x ≠ 0 (else 0) and x/(1 + y), PyTorch's.
 */
export function xlog1py(x: TensorLike, y: TensorLike): Tensor {
  return inF32('xlog1py', ['x', 'y'], [x, y], (xf, yf) => {
    broadcastShapes('xlog1py', xf.shape, yf.shape);
    const value = noGrad(() => where(mul(equal(xf, 0), equal(yf, yf)), 0, mul(xf, log1p(yf))));
    return record(value, 'xlog1py', [xf, yf], [xf, yf], (dy, [sx, sy], needs) => [
      sumToShape(mul(dy, where(equal(sx, 0), 0, log1p(sy))), sx.shape),
      needs[1] ? sumToShape(div(mul(dy, sx), add(sy, 1)), sy.shape) : null,
    ]);
  });
}
