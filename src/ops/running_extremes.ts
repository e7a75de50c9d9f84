// The running maximum and minimum along an axis, with where each was found
// (torch.cummax, torch.cummin): ⌈log₂ n⌉ rounds, each joining every entry
// with the one 2^r before it (a later value as large as an earlier one, or
// a NaN, takes its place, as PyTorch's loop decides; the rule is
// associative, so rounds give what the loop would). The positions are
// found without a gradient; the values are then read from x at them, so
// dy goes to the entries picked.
import { tidy } from '../engine.js';
import { isFloat } from '../dtype.js';
import { ShapeError } from '../errors.js';
import { normalizeAxis } from '../shape.js';
import { noGrad } from '../tape.js';
import type { Tensor } from '../tensor.js';
import { arange } from './creation.js';
import { greaterEqual, lessEqual, notEqual, where } from './elementwise.js';
import { logicalAnd, logicalNot, logicalOr } from './logical.js';
import { broadcastTo, reshape } from './movement.js';
import { shiftAlong, takeAlongAxis } from './indexing.js';
import type { Sorted } from './sort.js';
import { checkTensor, onBackendOf } from './util.js';

/** The running maximum of x along `axis` and its position there (i32): a tie takes the later position, and NaN, once met, stays. */
export function cummax(x: Tensor, axis = 0): Sorted {
  return running('cummax', x, axis, greaterEqual, -Infinity);
}

/** The running minimum of x along `axis` and its position there, as cummax. */
export function cummin(x: Tensor, axis = 0): Sorted {
  return running('cummin', x, axis, lessEqual, Infinity);
}

/** What an int dtype holds at its far end, the identity of the running extreme that never passes it. */
const farEnd = (dtype: Tensor['dtype'], sign: number) => (dtype === 'i8' ? (sign < 0 ? -128 : 127) : sign < 0 ? -(2 ** 31) : 2 ** 31 - 1);

function running(op: string, x: Tensor, axis: number, asGood: (later: Tensor, earlier: Tensor) => Tensor, identity: number): Sorted {
  checkTensor(op, x);
  if (x.rank === 0) throw new ShapeError(`${op}: x is a scalar: there is no axis to run along`);
  const a = normalizeAxis(op, axis, x.rank);
  const n = x.shape[a];
  const start = isFloat(x.dtype) ? identity : farEnd(x.dtype, identity);
  const indices = noGrad(() => tidy(() => {
    let value = x;
    let at = broadcastTo(reshape(onBackendOf(op, x, () => arange(0, n, 1, { dtype: 'i32' })), x.shape.map((s, d) => (d === a ? n : 1))), x.shape);
    for (let step = 1; step < n; step *= 2) {
      // Each entry's value and position from `step` before it; the start of the axis gets the identity, which never wins.
      const [earlier, earlierAt] = [shiftAlong(value, a, step, start), shiftAlong(at, a, step, -1)];
      const later = value;
      // The later one takes the place where it is NaN, or as good as an earlier one that is not NaN.
      const takeLater = logicalOr(notEqual(later, later), logicalAnd(logicalNot(notEqual(earlier, earlier)), asGood(later, earlier)));
      value = where(takeLater, later, earlier);
      at = where(takeLater, at, earlierAt);
    }
    return at;
  }));
  return { values: takeAlongAxis(x, indices, a), indices };
}
