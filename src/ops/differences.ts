// Differences and running combinations along an axis: np.diff, the
// derivative by finite differences (np.gradient), the trapezoidal rule
// (np.trapezoid) and its running form (cumulative_trapezoid), and the
// running log-sum-exp (torch.logcumsumexp). Built of slices, pads and elementwise ops, so
// gradients come from those.
import { tidy } from '../engine.js';
import { isFloat } from '../dtype.js';
import { DTypeError, ShapeError, ValueError, formatShape, formatValue } from '../errors.js';
import { checkOptions, type OptionNames } from '../options.js';
import { normalizeAxes, normalizeAxis } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { cast } from './cast.js';
import { fill } from './creation.js';
import { add, div, logaddexp, mul, neg, sub } from './elementwise.js';
import { concat, cumsum, reshape } from './movement.js';
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

/**
 * The trapezoids under y along `axis`, (y[i] + y[i+1]) · Δx / 2 (the axis
 * one shorter), ints read as f32: what trapezoid sums and
 * cumulativeTrapezoid runs along; options checked naming `op`.
 */
function trapezoids(op: string, y: Tensor, options: TrapezoidOptions): { areas: Tensor; a: number } {
  const { x, dx = 1, axis = -1 } = checkOptions(op, options, TRAPEZOID_OPTIONS);
  checkTensor(op, y, 'y');
  if (y.rank === 0) throw new ShapeError(`${op}: y is a scalar: there is no axis to integrate along`);
  const a = normalizeAxis(op, axis, y.rank);
  if (x === undefined && (typeof dx !== 'number' || !Number.isFinite(dx))) throw new ValueError(`${op}: dx must be a finite number, got ${formatValue(dx)}`);
  if (x !== undefined) {
    checkTensor(op, x, 'x');
    const fits = (x.rank === 1 && x.size === y.shape[a]) || (x.rank === y.rank && x.shape.every((s, d) => s === y.shape[d]));
    if (!fits) throw new ShapeError(`${op}: x ${formatShape(x.shape)} must be a vector of y's length along axis ${axis} (${y.shape[a]}) or have y's shape ${formatShape(y.shape)}`);
  }
  const values = isFloat(y.dtype) ? y : cast(y, 'f32');
  const len = Math.max(values.shape[a] - 1, 0);
  const part = (t: Tensor, from: number) => along(t, a, from, len);
  const pairs = add(part(values, 0), part(values, 1));
  if (x === undefined) return { areas: mul(pairs, dx / 2), a };
  // A vector of positions lies along the axis: shaped to broadcast against y.
  const placed = x.rank === 1 && y.rank > 1 ? reshape(x, y.shape.map((s, d) => (d === a ? s : 1))) : x;
  const positions = isFloat(placed.dtype) ? placed : cast(placed, values.dtype);
  return { areas: div(mul(pairs, sub(part(positions, 1), part(positions, 0))), 2), a };
}

/** ∫ y along `axis` by the trapezoidal rule (np.trapezoid): Σ (y[i] + y[i+1]) · Δx / 2; the axis is reduced, ints read as f32. */
export function trapezoid(y: Tensor, options: TrapezoidOptions = {}): Tensor {
  return tidy(() => {
    const { areas, a } = trapezoids('trapezoid', y, options);
    return sum(areas, a);
  });
}

/**
 * The running integral of y along `axis` by the trapezoidal rule
 * (scipy.integrate.cumulative_trapezoid, torch.cumulative_trapezoid): entry
 * i is the area from y[0] to y[i + 1], so the axis is one shorter; options
 * as trapezoid's.
 */
export function cumulativeTrapezoid(y: Tensor, options: TrapezoidOptions = {}): Tensor {
  return tidy(() => {
    const { areas, a } = trapezoids('cumulativeTrapezoid', y, options);
    return cumsum(areas, a);
  });
}

export interface GradientOptions {
  /**
   * The spacing of f's samples: one step for every axis (default 1), or a
   * list with an entry per axis differentiated: a step, or the coordinates
   * along that axis (a vector of its length, increasing or not).
   */
  spacing?: number | readonly (number | Tensor)[];
  /** The axes to differentiate along (default all of f's). */
  axis?: number | readonly number[];
  /** The order of accuracy of the one-sided differences at each end: 1 (default) or 2. */
  edgeOrder?: 1 | 2;
}

const GRADIENT_OPTIONS: OptionNames<GradientOptions> = { spacing: true, axis: true, edgeOrder: true };

/**
 * np.gradient, torch.gradient: f's derivative along each axis asked, one
 * tensor per axis, each of f's shape: central differences inside (second
 * order accurate, for uneven coordinates too) and one-sided differences of
 * order edgeOrder at the ends. Ints are read as f32; f16 is worked in f32
 * and rounded once.
 */
export function gradient(f: Tensor, options: GradientOptions = {}): Tensor[] {
  const op = 'gradient';
  checkTensor(op, f, 'f');
  const { spacing = 1, axis, edgeOrder = 1 } = checkOptions(op, options, GRADIENT_OPTIONS);
  if (f.rank === 0) throw new ShapeError('gradient: f is a scalar: there is no axis to differentiate along');
  if (edgeOrder !== 1 && edgeOrder !== 2) throw new ValueError(`gradient: edgeOrder must be 1 or 2, got ${formatValue(edgeOrder)}`);
  const axes = normalizeAxes(op, axis, f.rank);
  const steps = typeof spacing === 'number' ? axes.map(() => spacing) : spacing;
  if (!Array.isArray(steps) || steps.length !== axes.length) {
    throw new ValueError(`gradient: spacing must be a number or a list of one per axis differentiated (${axes.length}), got ${formatValue(spacing)}`);
  }
  axes.forEach((a, k) => {
    const step = steps[k];
    if (typeof step === 'number') {
      if (!Number.isFinite(step) || step === 0) throw new ValueError(`gradient: the step along axis ${a} must be a finite number other than 0, got ${formatValue(step)}`);
    } else {
      checkTensor(op, step, `spacing[${k}]`);
      if (step.rank !== 1 || step.size !== f.shape[a]) throw new ShapeError(`gradient: the coordinates along axis ${a}, ${formatShape(step.shape)}, must be a vector of its length (${f.shape[a]})`);
    }
    if (f.shape[a] < edgeOrder + 1) throw new ShapeError(`gradient: axis ${a} of f ${formatShape(f.shape)} has ${f.shape[a]} entries; edgeOrder ${edgeOrder} needs at least ${edgeOrder + 1}`);
  });
  return tidy(() => {
    const values = f.dtype === 'f32' ? f : cast(f, 'f32');
    return axes.map((a, k) => {
      const d = derivativeAlong(values, a, steps[k], edgeOrder);
      return isFloat(f.dtype) && f.dtype !== 'f32' ? cast(d, f.dtype) : d;
    });
  });
}

/**
 * The derivative of v (f32) along axis a, the samples `step` apart or at
 * the coordinates `step`, as NumPy's formulas give it: each output a
 * combination of three neighbours (two at order-1 ends) with weights from
 * the gaps on either side, hs before and hd after.
 */
function derivativeAlong(v: Tensor, a: number, step: number | Tensor, edgeOrder: 1 | 2): Tensor {
  const n = v.shape[a];
  const coordinates = typeof step === 'number' ? null : step.dtype === 'f32' ? step : cast(step, 'f32');
  // The gaps between neighbouring samples, shaped to lie along the axis.
  const gaps = coordinates ? diff(coordinates) : onBackendOf('gradient', v, () => fill([n - 1], step as number));
  const gap = (from: number, len: number) => reshape(along(gaps, 0, from, len), v.shape.map((s, i) => (i === a ? len : 1)));
  const slab = (from: number, len: number) => along(v, a, from, len);
  const weighted = (len: number, terms: [Tensor, number][]) => terms.map(([w, from]) => mul(w, slab(from, len))).reduce((sum, t) => add(sum, t));
  const parts: Tensor[] = [];
  if (edgeOrder === 1) {
    parts.push(div(sub(slab(1, 1), slab(0, 1)), gap(0, 1)));
  } else {
    const [h1, h2] = [gap(0, 1), gap(1, 1)];
    const span = add(h1, h2);
    parts.push(weighted(1, [[neg(div(add(add(h1, h1), h2), mul(h1, span))), 0], [div(span, mul(h1, h2)), 1], [neg(div(h1, mul(h2, span))), 2]]));
  }
  if (n > 2) {
    const [hs, hd] = [gap(0, n - 2), gap(1, n - 2)];
    const span = add(hs, hd);
    parts.push(weighted(n - 2, [[neg(div(hd, mul(hs, span))), 0], [div(sub(hd, hs), mul(hs, hd)), 1], [div(hs, mul(hd, span)), 2]]));
  }
  if (edgeOrder === 1) {
    parts.push(div(sub(slab(n - 1, 1), slab(n - 2, 1)), gap(n - 2, 1)));
  } else {
    const [h1, h2] = [gap(n - 3, 1), gap(n - 2, 1)];
    const span = add(h1, h2);
    parts.push(weighted(1, [[div(h2, mul(h1, span)), n - 3], [neg(div(span, mul(h1, h2))), n - 2], [div(add(add(h2, h2), h1), mul(h2, span)), n - 1]]));
  }
  return concat(parts, a);
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
