// Reshaping and moving data: reshape is a view (shared storage, no copy);
// transpose, slice and broadcastTo are all one strided gather; concat copies.
import { encodeValues, isFloat, promoteTypes } from '../dtype.js';
import { backendFor, tidy } from '../engine.js';
import { DTypeError, ShapeError, ValueError, formatShape, formatValue } from '../errors.js';
import { checkOptions } from '../options.js';
import { aroundAxis, broadcastShapes, broadcastStrides, checkIntegers, checkShape, normalizeAxes, normalizeAxis, sameShape, sizeOf, stridesOf } from '../shape.js';
import { BlockGradient, isGradEnabled, record } from '../tape.js';
import type { Tensor } from '../tensor.js';
import { fill, tensor } from './creation.js';
import { add, div, equal, mul, where } from './elementwise.js';
import { sumToShape } from './reduce.js';
import { checkTensor, computed, onBackendOf, refuseIndicesOutside, view, withCasts } from './util.js';

/** A view of x in another shape, whose gradient is reshaped back. */
function reshapedView(op: string, x: Tensor, shape: readonly number[]): Tensor {
  return record(view(op, x, shape), op, [x], [], (dy) => [reshape(dy, x.shape)]);
}

/** Same values in a new shape; one size may be -1 and is inferred. */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  checkTensor('reshape', x);
  checkIntegers('reshape', 'shape', shape);
  const bad = () => new ShapeError(`reshape: cannot reshape ${formatShape(x.shape)} (${x.size} elements) into ${formatShape(shape)}`);
  if (shape.some((d) => d < -1)) throw bad();
  const unknown = shape.indexOf(-1);
  if (unknown !== shape.lastIndexOf(-1)) throw new ShapeError(`reshape: only one size may be -1, got ${formatShape(shape)}`);
  const out = [...shape];
  if (unknown >= 0) {
    const known = sizeOf(shape.filter((d) => d !== -1));
    if (known === 0 || x.size % known !== 0) throw bad();
    out[unknown] = x.size / known;
  }
  if (sizeOf(out) !== x.size) throw bad();
  return reshapedView('reshape', x, out);
}

function stridedGather(op: string, x: Tensor, outShape: readonly number[], strides: readonly number[], offset: number): Tensor {
  const backend = x.dataRef(op).backend;
  return computed(op, backend, outShape, x.dtype, () => backend.stridedCopy(x.info(op), outShape, strides, offset));
}

/** Permutes axes; the default reverses them (a matrix transpose for rank 2). */
export function transpose(x: Tensor, perm?: readonly number[]): Tensor {
  checkTensor('transpose', x);
  const p = perm === undefined ? x.shape.map((_, i) => x.rank - 1 - i) : checkIntegers('transpose', 'perm', perm);
  const valid = p.length === x.rank && [...p].sort((a, b) => a - b).every((v, i) => v === i);
  if (!valid) throw new ShapeError(`transpose: [${p.join(',')}] is not a permutation of the ${x.rank} axes of ${formatShape(x.shape)}`);
  if (p.every((v, i) => v === i)) return reshapedView('transpose', x, x.shape);
  const own = stridesOf(x.shape);
  const inverse = p.map((_, i) => p.indexOf(i));
  const y = stridedGather('transpose', x, p.map((a) => x.shape[a]), p.map((a) => own[a]), 0);
  return record(y, 'transpose', [x], [], (dy) => [transpose(dy, inverse)]);
}

/**
 * The block starting at `begin` of extent `size` (per axis; -1 or a missing
 * entry means "to the end"). A negative begin counts from the end.
 */
export function slice(x: Tensor, begin: readonly number[], size?: readonly number[]): Tensor {
  checkTensor('slice', x);
  checkIntegers('slice', 'begin', begin);
  if (size !== undefined) checkIntegers('slice', 'size', size);
  if (begin.length > x.rank || (size && size.length > x.rank)) {
    throw new ShapeError(`slice: begin [${begin.join(',')}] / size [${size?.join(',') ?? ''}] have more entries than ${formatShape(x.shape)} has axes`);
  }
  const start = x.shape.map((d, i) => {
    const b = begin[i] ?? 0;
    return b < 0 ? d + b : b;
  });
  const extent = x.shape.map((d, i) => {
    const s = size?.[i] ?? -1;
    return s === -1 ? d - start[i] : s;
  });
  x.shape.forEach((d, i) => {
    if (start[i] < 0 || extent[i] < 0 || start[i] + extent[i] > d) {
      throw new ShapeError(`slice: begin [${begin.join(',')}] size [${size?.join(',') ?? ''}] falls outside ${formatShape(x.shape)} on axis ${i}`);
    }
  });
  if (sameShape(extent, x.shape)) return reshapedView('slice', x, x.shape);
  const own = stridesOf(x.shape);
  const y = stridedGather('slice', x, extent, own, start.reduce((acc, s, i) => acc + s * own[i], 0));
  // A view of dy (no copy): the walk frees dy itself once this returns.
  return record(y, 'slice', [x], [], (dy) => [new BlockGradient(dy.reshape(dy.shape), start)]);
}

/**
 * How pad fills: 'constant' (a value), or from x's own entries as PyTorch's
 * modes do — 'reflect' (mirrored about the edge, the edge not repeated:
 * 3 2 | 1 2 3 | 2 1), 'replicate' (the edge repeated: 1 1 | 1 2 3 | 3 3) or
 * 'circular' (wrapped around: 2 3 | 1 2 3 | 1 2).
 */
export type PadMode = 'constant' | 'reflect' | 'replicate' | 'circular';

export interface PadOptions {
  /** Default 'constant'. */
  mode?: PadMode;
  /** The constant's value. Default 0. */
  value?: number;
}

const PAD_MODES: readonly PadMode[] = ['constant', 'reflect', 'replicate', 'circular'];

/**
 * Surrounds x along each axis: `paddings[i]` = [before, after] along axis i;
 * the third argument a value (0 by default) or { mode, value }.
 */
export function pad(x: Tensor, paddings: readonly (readonly [number, number])[], valueOrOptions: number | PadOptions = 0): Tensor {
  checkTensor('pad', x);
  if (paddings.length !== x.rank || paddings.some((p) => p.length !== 2 || p.some((n) => !Number.isInteger(n) || n < 0))) {
    throw new ShapeError(`pad: needs one [before, after] pair of non-negative integers per axis of ${formatShape(x.shape)}, got ${JSON.stringify(paddings)}`);
  }
  // An object is the options; anything else the value (a string there is refused as a value, below).
  const { mode = 'constant', value = 0 } = typeof valueOrOptions === 'object' && valueOrOptions !== null ? checkOptions('pad', valueOrOptions, { mode: true, value: true }) : { value: valueOrOptions };
  if (!PAD_MODES.includes(mode)) throw new ValueError(`pad: unknown mode ${formatValue(mode)}; expected ${PAD_MODES.join(', ')}`);
  if (typeof value !== 'number') throw new ValueError(`pad: value must be a number, got ${formatValue(value)}`);
  if (mode !== 'constant' && typeof valueOrOptions === 'object' && valueOrOptions.value !== undefined) {
    throw new ValueError(`pad: a value fills only constant padding; ${mode} padding copies x's own entries`);
  }
  if (mode !== 'constant') checkPadReach(mode, x.shape, paddings);
  encodeValues([value], x.dtype, 'pad'); // a value the dtype cannot hold fails here, before anything is made
  let out = reshapedView('pad', x, x.shape);
  paddings.forEach(([before, after], axis) => {
    if (!before && !after) return;
    const parts = [...(before ? [padSide(out, axis, before, true, mode, value)] : []), out, ...(after ? [padSide(out, axis, after, false, mode, value)] : [])];
    const next = concat(parts, axis);
    parts.forEach((p) => p.dispose());
    out = next;
  });
  return out;
}

/** What pads axis `axis` of x by `n` before it (or after it) in `mode`: slices of x itself but for a constant. */
function padSide(x: Tensor, axis: number, n: number, before: boolean, mode: PadMode, value: number): Tensor {
  const d = x.shape[axis];
  const along = (start: number, size: number) => slice(x, x.shape.map((_, i) => (i === axis ? start : 0)), x.shape.map((s, i) => (i === axis ? size : s)));
  switch (mode) {
    case 'constant': return onBackendOf('pad', x, () => fill(x.shape.map((s, i) => (i === axis ? n : s)), value, { dtype: x.dtype }));
    case 'circular': return along(before ? d - n : 0, n);
    case 'replicate': {
      const edge = along(before ? 0 : d - 1, 1);
      const out = broadcastTo(edge, x.shape.map((s, i) => (i === axis ? n : s)));
      edge.dispose();
      return out;
    }
    case 'reflect': {
      const mirrored = along(before ? 1 : d - 1 - n, n);
      const out = flip(mirrored, axis);
      mirrored.dispose();
      return out;
    }
  }
}

/** PyTorch's limits: reflect reaches less than the axis, circular at most the axis, replicate needs an entry. */
function checkPadReach(mode: PadMode, shape: readonly number[], paddings: readonly (readonly [number, number])[]): void {
  paddings.forEach(([before, after], axis) => {
    if (!before && !after) return;
    const d = shape[axis];
    const reach = Math.max(before, after);
    const ok = mode === 'reflect' ? reach < d : mode === 'circular' ? reach <= d : d > 0;
    if (!ok) {
      const limit = mode === 'reflect' ? `less than the axis's ${d}` : mode === 'circular' ? `at most the axis's ${d}` : 'an axis with entries';
      throw new ShapeError(`pad: ${mode} padding [${before}, ${after}] along axis ${axis} of ${formatShape(shape)} needs ${limit}`);
    }
  });
}

/** Repeats x along size-1 (or missing leading) axes to fill `shape`. */
export function broadcastTo(x: Tensor, shape: readonly number[]): Tensor {
  checkTensor('broadcastTo', x);
  const target = checkShape(shape, 'broadcastTo');
  if (x.rank > target.length || !sameShape(broadcastShapes('broadcastTo', x.shape, target), target)) {
    throw new ShapeError(`broadcastTo: ${formatShape(x.shape)} cannot be broadcast to ${formatShape(target)}`);
  }
  if (sameShape(x.shape, target)) return reshapedView('broadcastTo', x, target);
  const y = stridedGather('broadcastTo', x, target, broadcastStrides(x.shape, target), 0);
  return record(y, 'broadcastTo', [x], [], (dy) => [sumToShape(dy, x.shape)]);
}

/** Inserts a size-1 axis at `axis` (which may be rank, or negative). */
export function expandDims(x: Tensor, axis = 0): Tensor {
  checkTensor('expandDims', x);
  if (!Number.isInteger(axis)) throw new ShapeError(`expandDims: axis must be an integer, got ${formatValue(axis)}`);
  if (axis < -(x.rank + 1) || axis > x.rank) {
    throw new ShapeError(`expandDims: axis ${axis} is out of range for ${formatShape(x.shape)}: a new axis goes at -${x.rank + 1}…${x.rank}`);
  }
  const a = axis < 0 ? axis + x.rank + 1 : axis;
  return reshapedView('expandDims', x, [...x.shape.slice(0, a), 1, ...x.shape.slice(a)]);
}

/** Drops size-1 axes: the listed ones (each must be size 1), or all. */
export function squeeze(x: Tensor, axes?: number | readonly number[]): Tensor {
  checkTensor('squeeze', x);
  const drop = axes === undefined ? x.shape.flatMap((d, i) => (d === 1 ? [i] : [])) : normalizeAxes('squeeze', axes, x.rank);
  for (const a of drop) {
    if (x.shape[a] !== 1) throw new ShapeError(`squeeze: axis ${a} of ${formatShape(x.shape)} has size ${x.shape[a]}, not 1`);
  }
  return reshapedView('squeeze', x, x.shape.filter((_, i) => !drop.includes(i)));
}

/** A copy with its own storage. */
export function clone(x: Tensor): Tensor {
  checkTensor('clone', x);
  return record(stridedGather('clone', x, x.shape, stridesOf(x.shape), 0), 'clone', [x], [], (dy) => [reshape(dy, x.shape)]);
}

/** Joins tensors along an existing axis; dtypes promote to their common one. */
export function concat(xs: readonly Tensor[], axis = 0): Tensor {
  if (!xs?.length) throw new ValueError('concat: needs a non-empty array of tensors');
  xs.forEach((x, i) => checkTensor('concat', x, `tensors[${i}]`));
  const backend = backendFor('concat', xs.map((x) => x.dataRef('concat')));
  const first = xs[0];
  const a = normalizeAxis('concat', axis, first.rank);
  for (const x of xs) {
    if (x.rank !== first.rank || x.shape.some((d, i) => i !== a && d !== first.shape[i])) {
      throw new ShapeError(`concat: shapes ${xs.map((t) => formatShape(t.shape)).join(', ')} differ off axis ${a}`);
    }
  }
  const dtype = xs.map((x) => x.dtype).reduce(promoteTypes);
  const outShape = [...first.shape];
  outShape[a] = xs.reduce((s, x) => s + x.shape[a], 0);
  const y = withCasts(xs, dtype, (cast) =>
    computed('concat', backend, outShape, dtype, () => backend.concat(cast.map((x) => x.info('concat')), a, outShape)));
  const offsets = xs.map((_, i) => xs.slice(0, i).reduce((s, x) => s + x.shape[a], 0));
  return record(y, 'concat', xs, [], (dy, _saved, needs) =>
    xs.map((x, i) => (needs[i] ? slice(dy, x.shape.map((_, d) => (d === a ? offsets[i] : 0)), x.shape) : null)));
}

/** Joins same-shaped tensors along a new axis. */
export function stack(xs: readonly Tensor[], axis = 0): Tensor {
  if (!xs?.length) throw new ValueError('stack: needs a non-empty array of tensors');
  xs.forEach((x, i) => checkTensor('stack', x, `tensors[${i}]`));
  for (const x of xs) {
    if (!sameShape(x.shape, xs[0].shape)) throw new ShapeError(`stack: shapes ${xs.map((t) => formatShape(t.shape)).join(', ')} differ`);
  }
  const a = normalizeAxis('stack', axis, xs[0].rank + 1);
  const expanded = xs.map((x) => expandDims(x, a));
  try {
    return concat(expanded, a);
  } finally {
    expanded.forEach((e) => e.dispose());
  }
}

/**
 * x's entries at `indices` along `axis` (torch.index_select, np.take with an
 * axis; an Embedding's lookup): the result is x's shape with that axis
 * replaced by indices' shape. Indices are i32 or i8; a negative one counts
 * from the end. One outside the axis is an error where the indices can be
 * read at once (js, native); on a GPU, which would wait to read them, it
 * gives zeros.
 */
export function gather(x: Tensor, indices: Tensor, axis = 0): Tensor {
  return pickRows(x, indices, axis, true);
}

/** x read as one flat vector at `indices` (torch.take, np.take without an axis): indices' shape, negative from the end; gather's checks and gradient. */
export function take(x: Tensor, indices: Tensor): Tensor {
  checkTensor('take', x);
  const flat = reshape(x, [x.size]);
  try {
    return gather(flat, indices, 0);
  } finally {
    flat.dispose();
  }
}

/**
 * gather without its range check, for ops built on it: an index outside
 * [-n, n) reads 0, and its gradient goes nowhere (every backend's kernel
 * does this). conv2d's zero padding, without a padded copy of the image.
 */
export function gatherOrZero(x: Tensor, indices: Tensor, axis: number): Tensor {
  return pickRows(x, indices, axis, false);
}

function pickRows(x: Tensor, indices: Tensor, axis: number, checked: boolean): Tensor {
  const op = 'gather';
  checkTensor(op, x, 'x');
  checkTensor(op, indices, 'indices');
  if (isFloat(indices.dtype)) throw new DTypeError(`${op}: indices must be i32 or i8, got ${indices.dtype} (cast them: indices.cast('i32'))`);
  if (x.rank === 0) throw new ShapeError(`${op}: x is a scalar: there is no axis to gather along`);
  const a = normalizeAxis(op, axis, x.rank);
  const { outer, n, inner } = aroundAxis(x.shape, a);
  const backend = backendFor(op, [x.dataRef(op), indices.dataRef(op)]);
  if (checked) refuseIndicesOutside(op, indices, -n, n, `axis ${axis} of x ${formatShape(x.shape)}, of length ${n}`);
  const outShape = [...x.shape.slice(0, a), ...indices.shape, ...x.shape.slice(a + 1)];
  const y = computed(op, backend, outShape, x.dtype, () => backend.gather(x.info(op), indices.info(op), outer, inner));
  return record(y, op, [x], [indices], (dy, [idx]) => [scatterRows(dy, idx, x.shape, a)]);
}

/**
 * gather's gradient: dy's rows added into the rows of x they came from (a
 * repeated index sums its rows; one outside the axis adds nothing), in
 * k·inner adds. Differentiable in turn (convTranspose2d is built on it):
 * its gradient is gatherOrZero.
 */
export function scatterRows(dy: Tensor, indices: Tensor, xShape: readonly number[], axis: number): Tensor {
  // The kernel adds floats (ints go through the scatter-reduce kernel: ops/scatter.ts); on webgpu an int dy came back mislabelled.
  if (!isFloat(dy.dtype)) throw new DTypeError(`scatterRows: adds f32 or f16 rows, got ${dy.dtype}`);
  const backend = backendFor('gather', [dy.dataRef('gather'), indices.dataRef('gather')]);
  const { outer, n, inner } = aroundAxis(xShape, axis);
  const y = computed('gather', backend, xShape, dy.dtype, () => backend.scatterAdd(dy.info('gather'), indices.info('gather'), outer, n, inner));
  return record(y, 'gather', [dy], [indices], (g, [idx]) => [gatherOrZero(g, idx, axis)]);
}

/**
 * The windows of `size` entries every `step` along x's last axis,
 * [..., count, size] with count = ⌊(length − size)/step⌋ + 1: torch's
 * x.unfold(-1, size, step), one strided copy (where gathering them by a
 * table of indices would build, upload and check the table). Its gradient
 * adds each window back where it came from (overlapping windows sum), by
 * the table gather's gradient uses, made then. The caller checks that
 * 1 ≤ size ≤ length and step ≥ 1.
 */
export function slidingWindows(x: Tensor, size: number, step: number): Tensor {
  const op = 'slidingWindows';
  const a = x.rank - 1;
  const count = Math.floor((x.shape[a] - size) / step) + 1;
  const own = stridesOf(x.shape);
  const y = stridedGather(op, x, [...x.shape.slice(0, a), count, size], [...own.slice(0, a), step, 1], 0);
  return record(y, op, [x], [], (dy) => {
    const table = onBackendOf(op, dy, () => tensor(Int32Array.from({ length: count * size }, (_, i) => Math.floor(i / size) * step + (i % size)), [count, size]));
    try {
      return [scatterRows(dy, table, x.shape, a)];
    } finally {
      table.dispose();
    }
  });
}

/**
 * How many times `indices` (any shape, negative from the end) name each row
 * of an axis of n: [n, 1] in f32 on `like`'s backend, by gather's gradient.
 * What indexFill fills and what embedding's maxNorm rescales.
 */
export function rowsNamed(op: string, indices: Tensor, n: number, like: Tensor): Tensor {
  return tidy(() => scatterRows(onBackendOf(op, like, () => fill([indices.size, 1], 1)), view(op, indices, [indices.size]), [n, 1], 0));
}

/**
 * x cut along `axis` into pieces (torch.split): `sizes` a number is the size
 * of every piece but the last, which takes what is left; a list gives each
 * piece's size, and must add up to the axis. Each piece is a slice (a copy).
 */
export function split(x: Tensor, sizes: number | readonly number[], axis = 0): Tensor[] {
  checkTensor('split', x);
  if (x.rank === 0) throw new ShapeError('split: x is a scalar: there is no axis to split');
  const a = normalizeAxis('split', axis, x.rank);
  const n = x.shape[a];
  let pieces: number[];
  if (typeof sizes === 'number') {
    if (!Number.isInteger(sizes) || sizes <= 0) throw new ValueError(`split: a piece's size must be a positive integer, got ${formatValue(sizes)}`);
    // An empty axis is one empty piece, as torch.split gives.
    pieces = n === 0 ? [0] : Array.from({ length: Math.ceil(n / sizes) }, (_, i) => Math.min(sizes, n - i * sizes));
  } else {
    if (!Array.isArray(sizes) || sizes.some((s) => !Number.isInteger(s) || s < 0)) {
      throw new ValueError(`split: sizes must be a positive integer or a list of non-negative integers, got ${formatValue(sizes)}`);
    }
    const total = sizes.reduce((t, s) => t + s, 0);
    if (total !== n) throw new ShapeError(`split: sizes ${formatShape(sizes)} add up to ${total}, not to the ${n} of axis ${axis} of x ${formatShape(x.shape)}`);
    pieces = [...sizes];
  }
  const out: Tensor[] = [];
  let at = 0;
  try {
    for (const size of pieces) {
      out.push(slice(x, x.shape.map((_, d) => (d === a ? at : 0)), x.shape.map((d, i) => (i === a ? size : d))));
      at += size;
    }
  } catch (err) {
    for (const t of out) t.dispose();
    throw err;
  }
  return out;
}

/** x with the order of its entries along `axes` (all by default) reversed (np.flip, torch.flip). */
export function flip(x: Tensor, axes?: number | readonly number[]): Tensor {
  checkTensor('flip', x);
  const list = normalizeAxes('flip', axes, x.rank);
  const own = stridesOf(x.shape);
  // A gather from the last entry of each flipped axis, stepping backwards along it.
  const strides = own.map((s, d) => (list.includes(d) && x.shape[d] > 1 ? -s : s));
  const offset = list.reduce((at, d) => at + (x.shape[d] > 0 ? (x.shape[d] - 1) * own[d] : 0), 0);
  const y = x.size === 0 ? stridedGather('flip', x, x.shape, own, 0) : stridedGather('flip', x, x.shape, strides, offset);
  return record(y, 'flip', [x], [], (dy) => [flip(dy, list)]);
}

/** x with its columns (axis 1) in reverse order (np.fliplr); x must have at least two axes. */
export function fliplr(x: Tensor): Tensor {
  checkTensor('fliplr', x);
  if (x.rank < 2) throw new ShapeError(`fliplr: x ${formatShape(x.shape)} has no columns to reverse: it needs at least 2 axes`);
  return flip(x, 1);
}

/** x with its rows (axis 0) in reverse order (np.flipud); x must have at least one axis. */
export function flipud(x: Tensor): Tensor {
  checkTensor('flipud', x);
  if (x.rank < 1) throw new ShapeError('flipud: x is a scalar: there are no rows to reverse');
  return flip(x, 0);
}

/** Running sums or products of x along axis `a` (normalized), in x's dtype. */
function scanAlong(op: 'cumsum' | 'cumprod', x: Tensor, a: number): Tensor {
  const backend = x.dataRef(op).backend;
  const { outer, inner } = aroundAxis(x.shape, a);
  return computed(op, backend, x.shape, x.dtype, () => backend.scan(op === 'cumsum' ? 'sum' : 'prod', x.info(op), outer, inner));
}

function scanAxis(op: 'cumsum' | 'cumprod', x: Tensor, axis: number): number {
  checkTensor(op, x);
  if (x.rank === 0) throw new ShapeError(`${op}: x is a scalar: there is no axis to ${op === 'cumsum' ? 'sum' : 'multiply'} along`);
  return normalizeAxis(op, axis, x.rank);
}

/** dy's sums along `a` from the end: the gradient of a running sum. */
function sumsFromEnd(dy: Tensor, a: number): Tensor {
  return flip(cumsum(flip(dy, a), a), a);
}

/** Running sums along `axis` (np.cumsum, torch.cumsum), in x's dtype: ints wrap, as sum's do. */
export function cumsum(x: Tensor, axis = 0): Tensor {
  const a = scanAxis('cumsum', x, axis);
  // Each x[j] feeds every running sum from j on: its gradient is dy's sums from the end.
  return record(scanAlong('cumsum', x, a), 'cumsum', [x], [], (dy) => [sumsFromEnd(dy, a)]);
}

/** Running products along `axis` (np.cumprod, torch.cumprod), in x's dtype: ints wrap, as prod's do. */
export function cumprod(x: Tensor, axis = 0): Tensor {
  const a = scanAxis('cumprod', x, axis);
  const y = scanAlong('cumprod', x, a);
  return record(y, 'cumprod', [x], [x, y], (dy, [sx, sy]) => [cumprodGrad(sx, sy, dy, a)]);
}

/**
 * cumprod's gradient, dx[k] = Σ_{j ≥ k} dy[j] · Π_{i ≤ j, i ≠ k} x[i], along
 * each line: before its first zero, (dy · y)'s sums from the end over x[k]
 * (PyTorch's; y is 0 from the zero on, so those terms add nothing); at the
 * first zero, the same sums with y recomputed as if that zero were 1; past
 * it, 0, every product there holding the zero. Composed of running sums and
 * products rather than a kernel: it runs once a step, a handful of passes.
 */
function cumprodGrad(x: Tensor, y: Tensor, dy: Tensor, a: number): Tensor {
  if (isGradEnabled()) return cumprodGradWithoutDividing(x, dy, a);
  const zero = equal(x, 0);
  const seen = cumsum(zero, a);
  const before = equal(seen, 0);
  const first = mul(zero, equal(seen, 1));
  const early = div(sumsFromEnd(mul(dy, y), a), where(before, x, 1));
  const atZero = sumsFromEnd(mul(dy, scanAlong('cumprod', where(first, 1, x), a)), a);
  return where(before, early, where(first, atZero, 0));
}

/**
 * cumprod's gradient for a backward pass that records (createGraph): the
 * split at a line's first zero above is right, but its pieces are not
 * differentiable again across it (the mixed second derivatives at a zero are
 * products of the other entries, which the division lost). Here dx[k] =
 * P[k] · S[k], P the products before k and S[k] = dy[k] + x[k+1] · S[k+1]:
 * no division, one step of ops per entry of the axis.
 */
function cumprodGradWithoutDividing(x: Tensor, dy: Tensor, a: number): Tensor {
  const n = x.shape[a];
  if (n === 0) return mul(dy, 0);
  const at = (t: Tensor, k: number) => slice(t, t.shape.map((_, i) => (i === a ? k : 0)), t.shape.map((d, i) => (i === a ? 1 : d)));
  const sums = [at(dy, n - 1)];
  for (let k = n - 2; k >= 0; k--) sums.unshift(add(at(dy, k), mul(at(x, k + 1), sums[0])));
  return mul(exclusiveCumprod(x, a), sums.length === 1 ? sums[0] : concat(sums, a));
}

/** The products along axis `a` of the entries before each one (1 for the first): cumprod shifted by one. Called within a tidy (a backward pass). */
export function exclusiveCumprod(x: Tensor, a: number): Tensor {
  const n = x.shape[a];
  const ones = onBackendOf('cumprod', x, () => fill(x.shape.map((d, i) => (i === a ? Math.min(n, 1) : d)), 1, { dtype: x.dtype }));
  if (n <= 1) return ones;
  return concat([ones, cumprod(slice(x, x.shape.map(() => 0), x.shape.map((d, i) => (i === a ? n - 1 : d))), a)], a);
}

/** x repeated `reps[i]` times along axis i (np.tile; PyTorch's Tensor.repeat): more reps than axes add leading axes. */
export function tile(x: Tensor, reps: readonly number[]): Tensor {
  checkTensor('tile', x);
  checkIntegers('tile', 'reps', reps);
  if (reps.some((r) => r < 0)) throw new ValueError(`tile: reps [${reps.join(', ')}] must be ≥ 0`);
  const rank = Math.max(x.rank, reps.length);
  const shape = [...Array<number>(rank - x.rank).fill(1), ...x.shape];
  const times = [...Array<number>(rank - reps.length).fill(1), ...reps];
  // Each axis d viewed as [1, d], broadcast to [times, d], the pairs merged: copies side by side.
  const paired = reshape(x, shape.flatMap((d) => [1, d]));
  const spread = broadcastTo(paired, shape.flatMap((d, i) => [times[i], d]));
  paired.dispose();
  const out = reshape(spread, shape.map((d, i) => d * times[i]));
  spread.dispose();
  return out;
}
