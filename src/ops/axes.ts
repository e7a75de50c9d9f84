// Ops that rearrange axes, each a transpose, a flip or a slice underneath
// (so a view or one copy, and the gradient theirs): NumPy's moveaxis,
// swapaxes and rot90, torch.narrow, and torch.unflatten (a reshape of one
// axis into several).
import { ShapeError, ValueError, formatShape, formatValue } from '../errors.js';
import { normalizeAxis } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { clone, flip, reshape, transpose } from './movement.js';
import { along } from './indexing.js';
import { checkTensor } from './util.js';
import { tidy } from '../engine.js';

/**
 * x with the axes `source` moved to the places `destination` (np.moveaxis,
 * torch.movedim), the other axes keeping their order.
 */
export function moveaxis(x: Tensor, source: number | readonly number[], destination: number | readonly number[]): Tensor {
  const op = 'moveaxis';
  checkTensor(op, x);
  const from = (typeof source === 'number' ? [source] : [...source]).map((a) => normalizeAxis(op, a, x.rank));
  const to = (typeof destination === 'number' ? [destination] : [...destination]).map((a) => normalizeAxis(op, a, x.rank));
  if (from.length !== to.length) throw new ValueError(`${op}: source ${formatValue(source)} and destination ${formatValue(destination)} must name as many axes`);
  for (const [list, name] of [[from, 'source'], [to, 'destination']] as const) {
    if (new Set(list).size !== list.length) throw new ValueError(`${op}: ${name} ${formatValue(name === 'source' ? source : destination)} names an axis twice`);
  }
  const rest = x.shape.map((_, d) => d).filter((d) => !from.includes(d));
  const perm = new Array<number>(x.rank);
  from.forEach((a, i) => (perm[to[i]] = a));
  for (let d = 0, k = 0; d < x.rank; d++) if (perm[d] === undefined) perm[d] = rest[k++];
  return transpose(x, perm);
}

/** x with axes a and b exchanged (np.swapaxes, torch.transpose(x, a, b)). */
export function swapaxes(x: Tensor, a: number, b: number): Tensor {
  checkTensor('swapaxes', x);
  const [i, j] = [normalizeAxis('swapaxes', a, x.rank), normalizeAxis('swapaxes', b, x.rank)];
  return transpose(x, x.shape.map((_, d) => (d === i ? j : d === j ? i : d)));
}

/** `length` entries of x along `axis` from `start` (torch.narrow; a negative start counts from the end). */
export function narrow(x: Tensor, axis: number, start: number, length: number): Tensor {
  const op = 'narrow';
  checkTensor(op, x);
  const a = normalizeAxis(op, axis, x.rank);
  const n = x.shape[a];
  if (!Number.isInteger(start) || start < -n || start > n) throw new ValueError(`${op}: start must be an integer in [${-n}, ${n}] (axis ${axis} of x ${formatShape(x.shape)}), got ${formatValue(start)}`);
  const from = start < 0 ? start + n : start;
  if (!Number.isInteger(length) || length < 0 || from + length > n) {
    throw new ValueError(`${op}: length must be an integer from 0 to ${n - from} (what axis ${axis} of x ${formatShape(x.shape)} has from ${from}), got ${formatValue(length)}`);
  }
  return along(x, a, from, length);
}

/**
 * x turned by k quarter turns in the plane of `axes` (np.rot90), from the
 * first axis towards the second: k = 1 turns [[1, 2], [3, 4]] into
 * [[2, 4], [1, 3]]. Negative k turns the other way.
 */
export function rot90(x: Tensor, k = 1, axes: readonly [number, number] = [0, 1]): Tensor {
  const op = 'rot90';
  checkTensor(op, x);
  if (!Number.isInteger(k)) throw new ValueError(`${op}: k must be an integer, got ${formatValue(k)}`);
  if (!Array.isArray(axes) || axes.length !== 2) throw new ValueError(`${op}: axes must be two axes, got ${formatValue(axes)}`);
  if (x.rank < 2) throw new ShapeError(`${op}: x ${formatShape(x.shape)} has fewer than the two axes a turn needs`);
  const [a, b] = axes.map((d) => normalizeAxis(op, d, x.rank));
  if (a === b) throw new ValueError(`${op}: axes ${formatValue(axes)} name one axis twice`);
  const turns = ((k % 4) + 4) % 4;
  const swapped = x.shape.map((_, d) => (d === a ? b : d === b ? a : d));
  return tidy(() => {
    switch (turns) {
      case 0: return clone(x);
      case 1: return transpose(flip(x, b), swapped);
      case 2: return flip(x, [a, b]);
      default: return flip(transpose(x, swapped), b);
    }
  });
}

/**
 * x with `axis` split into axes of `sizes` (torch.unflatten), whose product
 * is that axis' length; one size may be −1, worked out from the rest. A
 * reshape: a view.
 */
export function unflatten(x: Tensor, axis: number, sizes: readonly number[]): Tensor {
  checkTensor('unflatten', x);
  if (x.rank === 0) throw new ShapeError('unflatten: x is a scalar: there is no axis to split');
  const a = normalizeAxis('unflatten', axis, x.rank);
  const n = x.shape[a];
  const given = Array.isArray(sizes) ? sizes : [];
  const free = given.filter((d) => d === -1).length;
  if (!given.length || given.some((d) => !Number.isSafeInteger(d) || d < -1) || free > 1) {
    throw new ValueError(`unflatten: sizes must be a non-empty array of sizes ≥ 0, at most one of them −1, got ${formatValue(sizes)}`);
  }
  const known = given.reduce((p, d) => (d === -1 ? p : p * d), 1);
  if (free && known === 0) throw new ShapeError(`unflatten: sizes ${formatValue(sizes)} leave −1 undetermined: the others multiply to 0`);
  const filled = given.map((d) => (d === -1 ? (known === 0 ? 0 : n / known) : d));
  if (filled.reduce((p, d) => p * d, 1) !== n || filled.some((d) => !Number.isInteger(d))) {
    throw new ShapeError(`unflatten: sizes ${formatValue(sizes)} do not multiply to the length of axis ${a} of x ${formatShape(x.shape)}, ${n}`);
  }
  return reshape(x, [...x.shape.slice(0, a), ...filled, ...x.shape.slice(a + 1)]);
}
