// Differences and running combinations along an axis: np.diff, the
// trapezoidal rule (np.trapezoid) and the running log-sum-exp
// (torch.logcumsumexp). Built of slices, pads and elementwise ops, so
// gradients come from those.
import { tidy } from '../engine.js';
import { isFloat } from '../dtype.js';
import { DTypeError, ShapeError, ValueError, formatShape, formatValue } from '../errors.js';
import { checkOptions, type OptionNames } from '../options.js';
import { normalizeAxis } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { cast } from './cast.js';
import { fill } from './creation.js';
import { add, div, logaddexp, mul, sub } from './elementwise.js';
import { concat, reshape } from './movement.js';
import { along, shiftAlong } from './indexing.js';
import { sum } from './reduce.js';
import { checkTensor, onBackendOf } from './util.js';

export interface DiffOptions {
  /** How many times to take the difference; default 1. */
  n?: number;
  /** Default -1. */
  axis?: number;
  /** Values put before x along the axis first: a number (one slice of it) or a tensor of x's shape off the axis. */
  prepend?: Tensor | number;
  /** Values put after x, as prepend. */
  append?: Tensor | number;
}

const DIFF_OPTIONS: OptionNames<DiffOptions> = { n: true, axis: true, prepend: true, append: true };

/** x[i + 1] − x[i] along `axis`, n times (np.diff): the axis n shorter (empty once n reaches it). Ints wrap as sub does. */
export function diff(x: Tensor, options: DiffOptions = {}): Tensor {
  const { n = 1, axis = -1, prepend, append } = checkOptions('diff', options, DIFF_OPTIONS);
  checkTensor('diff', x);
  if (x.rank === 0) throw new ShapeError('diff: x is a scalar: there is no axis to take differences along');
  if (!Number.isSafeInteger(n) || n < 0) throw new ValueError(`diff: n must be a non-negative integer, got ${formatValue(n)}`);
  const a = normalizeAxis('diff', axis, x.rank);
  return tidy(() => {
    const ends = (value: Tensor | number | undefined, name: string): Tensor[] => {
      if (value === undefined) return [];
      if (typeof value === 'number') return [onBackendOf('diff', x, () => fill(x.shape.map((s, d) => (d === a ? 1 : s)), value, { dtype: x.dtype }))];
      checkTensor('diff', value, name);
      const fits = value.rank === x.rank && value.shape.every((s, d) => d === a || s === x.shape[d]);
      if (!fits) throw new ShapeError(`diff: ${name} ${formatShape(value.shape)} must have x's shape ${formatShape(x.shape)} off axis ${axis}`);
      return [value];
    };
    let y = prepend === undefined && append === undefined ? x : concat([...ends(prepend, 'prepend'), x, ...ends(append, 'append')], a);
    for (let k = 0; k < n && y.shape[a] > 0; k++) {
      const len = y.shape[a] - 1;
      y = sub(along(y, a, 1, len), along(y, a, 0, len));
    }
    return y === x ? x.clone() : y;
  });
}

export interface TrapezoidOptions {
  /** Where the samples lie along the axis: a vector of its length, or a tensor of y's shape. Without it, `dx` apart. */
  x?: Tensor;
  /** The spacing where x is not given; default 1. */
  dx?: number;
  /** Default -1. */
  axis?: number;
}

const TRAPEZOID_OPTIONS: OptionNames<TrapezoidOptions> = { x: true, dx: true, axis: true };

/** ∫ y along `axis` by the trapezoidal rule (np.trapezoid): Σ (y[i] + y[i+1]) · Δx / 2; the axis is reduced, ints read as f32. */
export function trapezoid(y: Tensor, options: TrapezoidOptions = {}): Tensor {
  const { x, dx = 1, axis = -1 } = checkOptions('trapezoid', options, TRAPEZOID_OPTIONS);
  checkTensor('trapezoid', y, 'y');
  if (y.rank === 0) throw new ShapeError('trapezoid: y is a scalar: there is no axis to integrate along');
  const a = normalizeAxis('trapezoid', axis, y.rank);
  if (x === undefined && (typeof dx !== 'number' || !Number.isFinite(dx))) throw new ValueError(`trapezoid: dx must be a finite number, got ${formatValue(dx)}`);
  if (x !== undefined) {
    checkTensor('trapezoid', x, 'x');
    const fits = (x.rank === 1 && x.size === y.shape[a]) || (x.rank === y.rank && x.shape.every((s, d) => s === y.shape[d]));
    if (!fits) throw new ShapeError(`trapezoid: x ${formatShape(x.shape)} must be a vector of y's length along axis ${axis} (${y.shape[a]}) or have y's shape ${formatShape(y.shape)}`);
  }
  return tidy(() => {
    const values = isFloat(y.dtype) ? y : cast(y, 'f32');
    const len = Math.max(values.shape[a] - 1, 0);
    const part = (t: Tensor, from: number) => along(t, a, from, len);
    const pairs = add(part(values, 0), part(values, 1));
    if (x === undefined) return mul(sum(pairs, a), dx / 2);
    // A vector of positions lies along the axis: shaped to broadcast against y.
    const placed = x.rank === 1 && y.rank > 1 ? reshape(x, y.shape.map((s, d) => (d === a ? s : 1))) : x;
    const positions = isFloat(placed.dtype) ? placed : cast(placed, values.dtype);
    const widths = sub(part(positions, 1), part(positions, 0));
    return div(sum(mul(pairs, widths), a), 2);
  });
}

/**
 * log Σ_{j ≤ i} exp(x[j]) along `axis` (torch.logcumsumexp): floats only,
 * without overflow. Worked out in ⌈log₂ n⌉ rounds, each joining every entry
 * with the one 2^r before it by logaddexp.
 */
export function logcumsumexp(x: Tensor, axis = 0): Tensor {
  checkTensor('logcumsumexp', x);
  if (!isFloat(x.dtype)) throw new DTypeError(`logcumsumexp: x is ${x.dtype}; it takes f32 or f16 (cast first: x.cast('f32'))`);
  if (x.rank === 0) return x.clone();
  const a = normalizeAxis('logcumsumexp', axis, x.rank);
  const n = x.shape[a];
  return tidy(() => {
    let y = x;
    for (let step = 1; step < n; step *= 2) {
      // y shifted along the axis by `step`, −∞ (exp 0) coming in at the start.
      y = logaddexp(y, shiftAlong(y, a, step, -Infinity));
    }
    return y === x ? x.clone() : y;
  });
}
