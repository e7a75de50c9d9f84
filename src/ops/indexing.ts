// Ops that rearrange entries by position, composed of the movement ops and
// gather: roll (slices joined the other way round), chunk, tensorSplit and
// unbind (slices), repeatInterleave (a broadcast), takeAlongAxis (one flat gather,
// whose gradient is gather's scatter-add). Gradients come from the ops they
// are made of.
import { isFloat } from '../dtype.js';
import { tidy } from '../engine.js';
import { DTypeError, ShapeError, ValueError, formatShape, formatValue } from '../errors.js';
import { aroundAxis, normalizeAxis, sameShape, sizeOf } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { arange } from './creation.js';
import { add, greaterEqual, less, mul, where } from './elementwise.js';
import { broadcastTo, concat, expandDims, gatherOrZero, pad, reshape, slice, split } from './movement.js';
import { checkTensor, onBackendOf, refuseIndicesOutside } from './util.js';

/** x with `size` entries from `start` along axis `a` (`a` already made non-negative). */
export function along(x: Tensor, a: number, start: number, size: number): Tensor {
  return slice(x, x.shape.map((_, d) => (d === a ? start : 0)), x.shape.map((d, i) => (i === a ? size : d)));
}

/**
 * x moved `step` places along axis `a` (non-negative) towards its end, the
 * last `step` entries dropped and `fillWith` coming in at the start: each
 * entry beside the one `step` before it, for ops that combine the two in
 * rounds (logcumsumexp, cummax).
 */
export function shiftAlong(x: Tensor, a: number, step: number, fillWith: number): Tensor {
  return tidy(() => pad(along(x, a, 0, x.shape[a] - step), x.shape.map((_, d) => (d === a ? [step, 0] : [0, 0]) as [number, number]), fillWith));
}

/** An integer, or a list of them, as a list; `what` names it in the error. */
function integerList(op: string, what: string, value: unknown): number[] {
  const list = typeof value === 'number' ? [value] : value;
  if (!Array.isArray(list) || list.some((v) => !Number.isInteger(v))) {
    throw new ValueError(`${op}: ${what} must be an integer or an array of integers, got ${formatValue(value)}`);
  }
  return [...(list as number[])];
}

/**
 * x's entries shifted along `axes` by `shifts` (np.roll, torch.roll), those
 * pushed off the end coming back at the start; a negative shift goes the
 * other way. Without axes x is rolled as if flattened. Shifts and axes pair
 * up (one shift for several axes shifts each by it, as NumPy); an axis
 * given twice is shifted by the sum.
 */
export function roll(x: Tensor, shifts: number | readonly number[], axes?: number | readonly number[]): Tensor {
  checkTensor('roll', x);
  const by = integerList('roll', 'shifts', shifts);
  if (axes === undefined) {
    if (by.length !== 1) throw new ValueError(`roll: without axes x is rolled flat, by one shift; got shifts ${formatValue(shifts)}`);
    const flat = reshape(x, [x.size]);
    const rolled = roll(flat, by[0], 0);
    flat.dispose();
    const out = reshape(rolled, x.shape);
    rolled.dispose();
    return out;
  }
  const list = integerList('roll', 'axes', axes).map((a) => normalizeAxis('roll', a, x.rank));
  if (by.length !== list.length && by.length !== 1) {
    throw new ValueError(`roll: shifts ${formatValue(shifts)} and axes ${formatValue(axes)} differ in length`);
  }
  let out = reshape(x, x.shape);
  list.forEach((a, i) => {
    const n = x.shape[a];
    const k = n === 0 ? 0 : (((by.length === 1 ? by[0] : by[i]) % n) + n) % n;
    if (k === 0) return;
    // The last k entries first, then the rest.
    const [tail, head] = [along(out, a, n - k, k), along(out, a, 0, n - k)];
    const next = concat([tail, head], a);
    for (const t of [tail, head, out]) t.dispose();
    out = next;
  });
  return out;
}

/** The axis an op that cuts x along one works on; a scalar has none. */
function cutAxis(op: string, x: Tensor, axis: number): number {
  checkTensor(op, x);
  if (x.rank === 0) throw new ShapeError(`${op}: x is a scalar: there is no axis to cut along`);
  return normalizeAxis(op, axis, x.rank);
}

/**
 * x cut along `axis` into `chunks` pieces as even as can be (torch.chunk):
 * each ⌈n / chunks⌉ long but the last, which is shorter, so there may be
 * fewer than asked (5 into 4 gives 2, 2, 1). An empty axis gives `chunks`
 * empty pieces. Each piece is a slice (a copy).
 */
export function chunk(x: Tensor, chunks: number, axis = 0): Tensor[] {
  const a = cutAxis('chunk', x, axis);
  if (!Number.isInteger(chunks) || chunks <= 0) throw new ValueError(`chunk: chunks must be a positive integer, got ${formatValue(chunks)}`);
  const n = x.shape[a];
  return split(x, n === 0 ? Array<number>(chunks).fill(0) : Math.ceil(n / chunks), a);
}

/**
 * x cut along `axis` (torch.tensor_split, np.array_split): a number n gives
 * n pieces as even as can be, the first (size mod n) one longer (5 into 3
 * gives 2, 2, 1; always n pieces, empty ones included); a list of indices
 * cuts before each, as x[:i₀], x[i₀:i₁], …, x[iₖ:] — an index read as a
 * slice bound is (negative from the end, clamped to the axis), so one
 * past the end or before the last gives an empty piece. Each piece is a
 * slice (a copy).
 */
export function tensorSplit(x: Tensor, sectionsOrIndices: number | readonly number[], axis = 0): Tensor[] {
  const a = cutAxis('tensorSplit', x, axis);
  const n = x.shape[a];
  let bounds: number[];
  if (typeof sectionsOrIndices === 'number') {
    const sections = sectionsOrIndices;
    if (!Number.isSafeInteger(sections) || sections <= 0) throw new ValueError(`tensorSplit: sections must be a positive integer, got ${formatValue(sections)}`);
    const [base, longer] = [Math.floor(n / sections), n % sections];
    bounds = Array.from({ length: sections + 1 }, (_, k) => k * base + Math.min(k, longer));
  } else {
    // Each index as Python reads a slice's bound: from the end when negative, then clamped to [0, n].
    const cuts = integerList('tensorSplit', 'indices', sectionsOrIndices).map((i) => Math.min(Math.max(i < 0 ? i + n : i, 0), n));
    bounds = [0, ...cuts, n];
  }
  const out: Tensor[] = [];
  try {
    // A piece whose end comes before its start is empty, as x[4:2] is.
    for (let k = 0; k + 1 < bounds.length; k++) out.push(along(x, a, bounds[k], Math.max(bounds[k + 1] - bounds[k], 0)));
  } catch (err) {
    for (const t of out) t.dispose();
    throw err;
  }
  return out;
}

/** x's slices along `axis`, that axis dropped from each (torch.unbind): n tensors, none for an empty axis. */
export function unbind(x: Tensor, axis = 0): Tensor[] {
  const a = cutAxis('unbind', x, axis);
  const shape = x.shape.filter((_, d) => d !== a);
  const out: Tensor[] = [];
  try {
    for (let j = 0; j < x.shape[a]; j++) {
      const piece = along(x, a, j, 1);
      out.push(reshape(piece, shape));
      piece.dispose();
    }
  } catch (err) {
    for (const t of out) t.dispose();
    throw err;
  }
  return out;
}

/**
 * Each entry of x repeated `repeats` times in place along `axis`
 * (torch.repeat_interleave, np.repeat): [1, 2] twice is [1, 1, 2, 2].
 * Without an axis x is flattened first. One count for every entry only.
 */
export function repeatInterleave(x: Tensor, repeats: number, axis?: number): Tensor {
  checkTensor('repeatInterleave', x);
  if (!Number.isInteger(repeats) || repeats < 0) {
    const hint = typeof repeats === 'object' && repeats !== null ? ' (a count per entry, as a tensor or a list, is not supported)' : '';
    throw new ValueError(`repeatInterleave: repeats must be a non-negative integer, got ${formatValue(repeats)}${hint}`);
  }
  if (axis === undefined) {
    const flat = reshape(x, [x.size]);
    const out = repeatInterleave(flat, repeats, 0);
    flat.dispose();
    return out;
  }
  if (x.rank === 0) throw new ShapeError('repeatInterleave: x is a scalar: there is no axis to repeat along (leave out the axis to repeat it flat)');
  const a = normalizeAxis('repeatInterleave', axis, x.rank);
  // Each entry given an axis of its own after `a`, broadcast along it, the two axes merged.
  const spread = expandDims(x, a + 1);
  const copies = broadcastTo(spread, [...x.shape.slice(0, a + 1), repeats, ...x.shape.slice(a + 1)]);
  spread.dispose();
  const out = reshape(copies, x.shape.map((d, i) => (i === a ? d * repeats : d)));
  copies.dispose();
  return out;
}

/**
 * out[…, j, …] = x[…, indices[…, j, …], …] along `axis`
 * (np.take_along_axis, torch.take_along_dim; torch.gather where the shapes
 * agree): indices (i32 or i8) have x's rank; off the axis, x and indices
 * broadcast against each other, and the result has their shape with
 * indices' length along the axis. A negative index counts from the end. One
 * outside the axis is an error where the indices can be read at once (js,
 * native); on a GPU it gives 0, as gather's do. The gradient adds dy back
 * into the entries read, repeated ones summed.
 */
export function takeAlongAxis(x: Tensor, indices: Tensor, axis: number): Tensor {
  const op = 'takeAlongAxis';
  checkTensor(op, x, 'x');
  checkTensor(op, indices, 'indices');
  if (isFloat(indices.dtype)) throw new DTypeError(`${op}: indices must be i32 or i8, got ${indices.dtype} (cast them: indices.cast('i32'))`);
  if (x.rank === 0) throw new ShapeError(`${op}: x is a scalar: there is no axis to take along`);
  if (indices.rank !== x.rank) {
    throw new ShapeError(`${op}: indices ${formatShape(indices.shape)} must have x's rank, ${x.rank} (x is ${formatShape(x.shape)})`);
  }
  const a = normalizeAxis(op, axis, x.rank);
  const n = x.shape[a];
  const clash = x.shape.findIndex((d, i) => i !== a && d !== indices.shape[i] && d !== 1 && indices.shape[i] !== 1);
  if (clash >= 0) {
    throw new ShapeError(`${op}: indices ${formatShape(indices.shape)} do not broadcast against x ${formatShape(x.shape)} on axis ${clash} (${indices.shape[clash]} against ${x.shape[clash]}); off the axis taken along they must`);
  }
  refuseIndicesOutside(op, indices, -n, n, `axis ${axis} of x ${formatShape(x.shape)}, of length ${n}`);
  // x broadcast off the axis, and the result's shape: indices' along it.
  const xShape = x.shape.map((d, i) => (i !== a && d === 1 ? indices.shape[i] : d));
  const outShape = xShape.map((d, i) => (i === a ? indices.shape[a] : d));
  if (sizeOf(xShape) >= 2 ** 31) throw new ShapeError(`${op}: x ${formatShape(x.shape)} broadcast to ${formatShape(xShape)} has ${sizeOf(xShape)} entries, more than an i32 index reaches (2^31)`);
  const made: Tensor[] = [];
  const keep = (t: Tensor) => (made.push(t), t);
  try {
    const source = sameShape(x.shape, xShape) ? x : keep(broadcastTo(x, xShape));
    const { outer, inner } = aroundAxis(xShape, a);
    // Each index made the flat position of the entry it names in source, read as [outer, n, inner]:
    // (o·n + index)·inner + i, through a base over [outer, 1, inner]. An index outside the axis is
    // sent past the end, where gather reads 0 (and its gradient adds nothing).
    const idx = keep(broadcastTo(indices.dtype === 'i32' ? indices : keep(indices.cast('i32')), outShape));
    const base = onBackendOf(op, x, () => {
      const rows = keep(reshape(keep(arange(0, outer, 1, { dtype: 'i32' })), [outer, 1, 1]));
      const columns = keep(reshape(keep(arange(0, inner, 1, { dtype: 'i32' })), [1, 1, inner]));
      return keep(add(keep(mul(rows, n * inner)), columns));
    });
    const lines = keep(reshape(idx, [outer, outShape[a], inner]));
    const inside = keep(mul(keep(greaterEqual(lines, -n)), keep(less(lines, n))));
    const wrapped = keep(where(keep(less(lines, 0)), keep(add(lines, n)), lines));
    const flat = keep(where(inside, keep(add(base, keep(mul(wrapped, inner)))), source.size));
    const entries = keep(reshape(source, [source.size]));
    const picked = keep(gatherOrZero(entries, keep(reshape(flat, [flat.size])), 0));
    return reshape(picked, outShape);
  } finally {
    for (const t of made) t.dispose();
  }
}
