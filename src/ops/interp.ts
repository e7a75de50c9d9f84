// np.interp: the piecewise-linear function through points (xp, fp), read
// at x. Each x's interval is found by binary search (searchsorted), its two
// ends gathered, and the line between them evaluated elementwise, so
// gradients flow to x and to fp as through any gather and product.
import { isFloat } from '../dtype.js';
import { tidy } from '../engine.js';
import { DTypeError, ShapeError, ValueError, formatShape, formatValue } from '../errors.js';
import { checkOptions, type OptionNames } from '../options.js';
import type { Tensor } from '../tensor.js';
import { cast } from './cast.js';
import { add, div, equal, greater, less, maximum, minimum, mul, sub, where } from './elementwise.js';
import { along } from './indexing.js';
import { gather } from './movement.js';
import { searchsorted } from './search.js';
import { checkTensor } from './util.js';

export interface InterpOptions {
  /** The value below xp[0] (default fp[0]). */
  left?: number;
  /** The value above xp's last (default fp's last). */
  right?: number;
}

const INTERP_OPTIONS: OptionNames<InterpOptions> = { left: true, right: true };

/**
 * The piecewise-linear interpolant through (xp[i], fp[i]) at each x
 * (np.interp): xp [n] ascending (not checked: that would mean reading it
 * back), fp [n]; x of any shape, the result its shape, in f32 (f16 where x
 * and fp both are). At a point of xp exactly its fp; left of xp[0] `left`,
 * right of the last `right` (fp's ends by default); NaN at a NaN x.
 */
export function interp(x: Tensor, xp: Tensor, fp: Tensor, options: InterpOptions = {}): Tensor {
  const { left, right } = checkOptions('interp', options, INTERP_OPTIONS);
  checkTensor('interp', x, 'x');
  checkTensor('interp', xp, 'xp');
  checkTensor('interp', fp, 'fp');
  if (xp.rank !== 1 || fp.rank !== 1 || xp.size !== fp.size || xp.size === 0) {
    throw new ShapeError(`interp: xp and fp must be 1-D of one length, at least one point, got ${formatShape(xp.shape)} and ${formatShape(fp.shape)}`);
  }
  if (!isFloat(fp.dtype)) throw new DTypeError(`interp: fp must be f32 or f16, got ${fp.dtype}`);
  for (const [name, v] of [['left', left], ['right', right]] as const) {
    if (v !== undefined && typeof v !== 'number') throw new ValueError(`interp: ${name} must be a number, got ${formatValue(v)}`);
  }
  const n = xp.size;
  return tidy(() => {
    const dtype = x.dtype === 'f16' && fp.dtype === 'f16' ? 'f16' : 'f32';
    const [at, points, values] = [x, xp, fp].map((t) => (t.dtype === dtype ? t : cast(t, dtype)));
    // The interval [xp[j], xp[j + 1]] x lies in, j within [0, n − 2] (a single point: j = 0 both ends).
    const j = minimum(maximum(sub(searchsorted(points, at, { right: true }), 1), 0), Math.max(n - 2, 0));
    const k = minimum(add(j, 1), n - 1);
    const [x0, x1, y0, y1] = [gather(points, j), gather(points, k), gather(values, j), gather(values, k)];
    const line = add(y0, mul(sub(at, x0), div(sub(y1, y0), sub(x1, x0))));
    // At a point of xp itself its value exactly (no 0·∞ where two points share an x); beyond the ends, left and right.
    const inside = where(equal(at, x0), y0, where(equal(at, x1), y1, line));
    const [first, last] = [along(points, 0, 0, 1), along(points, 0, n - 1, 1)];
    const below = where(less(at, first), left ?? along(values, 0, 0, 1), inside);
    return where(greater(at, last), right ?? along(values, 0, n - 1, 1), below);
  });
}
