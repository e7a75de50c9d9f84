// Writes into a tensor at positions an index tensor names, the inverses of
// gather and takeAlongAxis (PyTorch's index_add, index_copy, index_fill,
// scatter_add, scatter and scatter_reduce): each a new tensor, x left as it was. Float sums lower
// onto gather's gradient kernel, which adds rows into the rows an index
// names (scatterRows), and take their gradients from it (a gather) and from
// the elementwise ops around it; products, maxima and minima, and anything
// into ints, go through the scatter-reduce kernel, which combines values
// into a copy of x, with PyTorch's gradients written out here.
import { scatterReduceKernelOf, type ScatterReduceOp } from '../backends/scatter_reduce.js';
import { INT_RANGE, isFloat } from '../dtype.js';
import { backendFor, tidy } from '../engine.js';
import { DTypeError, ShapeError, ValueError, formatShape, formatValue } from '../errors.js';
import { checkOptions, type OptionNames } from '../options.js';
import { aroundAxis, normalizeAxis, sameShape, sizeOf } from '../shape.js';
import { record } from '../tape.js';
import type { Tensor } from '../tensor.js';
import { cast } from './cast.js';
import { arange, fill, ones } from './creation.js';
import { add, bitwiseAnd, div, equal, greater, greaterEqual, less, maximum, mul, sub, where } from './elementwise.js';
import { broadcastTo, gatherOrZero, reshape, rowsNamed, scatterRows, slice } from './movement.js';
import { checkFillValue } from './masked.js';
import { checkTensor, computed, heldValues, onBackendOf, refuseIndicesOutside } from './util.js';

/**
 * x with source's rows added into the rows `indices` names along `axis`
 * (torch.index_add, tf's unsorted_segment_sum onto x): source has x's shape
 * with that axis replaced by indices' shape, as gather(x, indices, axis)
 * gives, and row j of source is added into row indices[j]; a repeated index
 * adds all its rows; ints wrap. Indices are i32 or i8, a
 * negative one counting from the end; one outside the axis is an error
 * where the indices can be read at once (js, native), and adds nothing on
 * a GPU. Gradients: dy to x, dy's rows at indices to source.
 */
export function indexAdd(x: Tensor, indices: Tensor, source: Tensor, axis = 0): Tensor {
  const op = 'indexAdd';
  const a = checkOperands(op, x, indices, source, axis);
  const want = [...x.shape.slice(0, a), ...indices.shape, ...x.shape.slice(a + 1)];
  if (!sameShape(source.shape, want)) {
    throw new ShapeError(`${op}: source ${formatShape(source.shape)} must be x ${formatShape(x.shape)} with axis ${axis} replaced by indices ${formatShape(indices.shape)}: ${formatShape(want)}`);
  }
  const n = x.shape[a];
  refuseIndicesOutside(op, indices, -n, n, `axis ${axis} of x ${formatShape(x.shape)}, of length ${n}`);
  if (!isFloat(x.dtype)) {
    // Ints through the scatter-reduce kernel: row j of source goes to row indices[j], every entry of it told so.
    return tidy(() => {
      const rows = [...x.shape.slice(0, a), indices.size, ...x.shape.slice(a + 1)];
      const each = broadcastTo(reshape(indices, rows.map((d, i) => (i === a ? d : 1))), rows);
      return scatterReduceFlat(op, x, flatTargets(op, x.shape, each, a), reshape(source, [source.size]), 'sum', true);
    });
  }
  const added = scatterRows(source, indices, x.shape, a);
  try {
    return add(x, added);
  } finally {
    added.dispose();
  }
}

/**
 * x with each entry of src added into the entry of x its index names along
 * `axis` (torch.scatter_add): for axis 0 of rank 3,
 * out[indices[i][j][k]][j][k] += src[i][j][k]. indices have x's rank and
 * are no longer than src on any axis, nor than x off `axis`; src's entries
 * beyond indices' shape are not used. Repeated targets add up (ints
 * wrap); indices as indexAdd's. Gradients: dy to x, dy at each target
 * to the src entry added there.
 */
export function scatterAdd(x: Tensor, indices: Tensor, src: Tensor, axis: number): Tensor {
  const op = 'scatterAdd';
  const a = checkOperands(op, x, indices, src, axis);
  checkScatterShapes(op, x, indices, src, a, axis);
  if (!isFloat(x.dtype)) return scatterReduce(x, indices, src, axis, 'sum');
  const made: Tensor[] = [];
  const keep = (t: Tensor) => (made.push(t), t);
  try {
    const targets = keep(flatTargets(op, x.shape, indices, a));
    const values = keep(flatWithin(src, indices, keep));
    const added = keep(reshape(keep(scatterRows(values, targets, [x.size], 0)), x.shape));
    return add(x, added);
  } finally {
    for (const t of made) t.dispose();
  }
}

/**
 * x with each entry of src (or the number `src`) written into the entry of x
 * its index names along `axis` (torch.scatter); shapes and indices as
 * scatterAdd's, any dtype, the values moved bit for bit. Each entry of x
 * may be named once: a repeat is an error where the indices can be read at
 * once (js, native); on a GPU the entry written is unspecified (PyTorch
 * leaves the order of repeated writes undefined too). Gradients: dy to the
 * entries of x not written, dy at each target to the src entry written there.
 */
export function scatter(x: Tensor, indices: Tensor, src: Tensor | number, axis: number): Tensor {
  return scatterAs('scatter', x, indices, src, axis);
}

/** scatter, its errors naming `op`. */
function scatterAs(op: string, x: Tensor, indices: Tensor, src: Tensor | number, axis: number): Tensor {
  checkTensor(op, x, 'x');
  checkTensor(op, indices, 'indices');
  const made: Tensor[] = [];
  const keep = (t: Tensor) => (made.push(t), t);
  try {
    const values = typeof src === 'number' ? keep(onBackendOf(op, x, () => fill(indices.shape, src, { dtype: x.dtype }))) : src;
    const a = checkOperands(op, x, indices, values, axis);
    checkScatterShapes(op, x, indices, values, a, axis);
    if (indices.size >= 2 ** 24) throw new ShapeError(`${op}: indices ${formatShape(indices.shape)} name ${indices.size} entries, more than the 2^24 whose positions it passes exactly`);
    const targets = keep(flatTargets(op, x.shape, indices, a));
    refuseRepeats(op, targets, x.size, indices);
    // Each target gets the position (plus one) of the value written there, summed in f32 as gather's
    // gradient does: exact, as each target is written once and positions stay below 2^24.
    const positions = keep(onBackendOf(op, x, () => arange(1, indices.size + 1, 1, { dtype: 'f32' })));
    const written = keep(scatterRows(positions, targets, [x.size], 0));
    const isWritten = keep(greater(written, 0));
    // Where nothing was written the position points past the values, where gatherOrZero reads 0.
    const from = keep(keep(where(isWritten, keep(sub(written, 1)), indices.size)).cast('i32'));
    const flat = keep(flatWithin(values, indices, keep));
    const picked = keep(reshape(keep(gatherOrZero(flat, from, 0)), x.shape));
    return where(keep(reshape(isWritten, x.shape)), picked, x);
  } finally {
    for (const t of made) t.dispose();
  }
}

/** The rows of indices (a vector, or a scalar for one row) along axis `a` of x, checked: i32 or i8, within the axis, each named once (where they can be read at once). */
function checkRows(op: string, x: Tensor, indices: Tensor, axis: number): number {
  checkTensor(op, x, 'x');
  checkTensor(op, indices, 'indices');
  if (isFloat(indices.dtype)) throw new DTypeError(`${op}: indices must be i32 or i8, got ${indices.dtype} (cast them: indices.cast('i32'))`);
  if (indices.rank > 1) throw new ShapeError(`${op}: indices ${formatShape(indices.shape)} must be a vector of rows (or a scalar for one)`);
  if (x.rank === 0) throw new ShapeError(`${op}: x is a scalar: there is no axis to write along`);
  const a = normalizeAxis(op, axis, x.rank);
  const n = x.shape[a];
  refuseIndicesOutside(op, indices, -n, n, `axis ${axis} of x ${formatShape(x.shape)}, of length ${n}`);
  return a;
}

/**
 * x with source's rows copied into the rows `indices` names along `axis`
 * (torch.index_copy): source is x with that axis replaced by indices'
 * length, and row j of source goes to row indices[j] (negative from the
 * end), any dtype, bit for bit. A row named twice is an error where the
 * indices can be read at once (js, native); on a GPU which copy lands is
 * unspecified (PyTorch's too). Gradients: dy to x's rows not written, dy's
 * rows at indices to source.
 */
export function indexCopy(x: Tensor, indices: Tensor, source: Tensor, axis = 0): Tensor {
  const op = 'indexCopy';
  const a = checkRows(op, x, indices, axis);
  checkTensor(op, source, 'source');
  if (source.dtype !== x.dtype) throw new DTypeError(`${op}: source is ${source.dtype}, x is ${x.dtype}; they must match`);
  const want = x.shape.map((d, i) => (i === a ? indices.size : d));
  if (!sameShape(source.shape, want)) {
    throw new ShapeError(`${op}: source ${formatShape(source.shape)} must be x ${formatShape(x.shape)} with axis ${axis} replaced by indices' length ${indices.size}: ${formatShape(want)}`);
  }
  const held = heldValues(op, indices);
  if (held) {
    const n = x.shape[a];
    const seen = new Map<number, number>();
    for (let j = 0; j < indices.size; j++) {
      const row = (Number(held[j]) + n) % n;
      const before = seen.get(row);
      if (before !== undefined) throw new ValueError(`${op}: indices name row ${row} of axis ${axis} twice (at ${before} and ${j}); each row is copied into once`);
      seen.set(row, j);
    }
  }
  // Each entry of source told its row: torch.scatter's indices, which write every entry once.
  return tidy(() => scatterAs(op, x, broadcastTo(reshape(indices, want.map((d, i) => (i === a ? d : 1))), want), source, axis));
}

/**
 * x with `value` in every entry of the rows `indices` names along `axis`
 * (torch.index_fill; a row named twice is filled once). The result keeps
 * x's dtype, so for ints the value must be an integer it holds. The
 * gradient is dy outside the rows filled.
 */
export function indexFill(x: Tensor, indices: Tensor, value: number, axis = 0): Tensor {
  const op = 'indexFill';
  const a = checkRows(op, x, indices, axis);
  checkFillValue(op, x, value);
  const n = x.shape[a];
  return tidy(() => {
    const named = rowsNamed(op, indices, n, x);
    return where(reshape(greater(named, 0), x.shape.map((d, i) => (i === a ? d : 1))), value, x);
  });
}

export type ScatterReduction = 'sum' | 'prod' | 'mean' | 'amax' | 'amin';

export interface ScatterReduceOptions {
  /** Whether x's own entry takes part (default true, PyTorch's include_self); if not, an entry written is the reduction of what is written there alone. */
  includeSelf?: boolean;
}

const SCATTER_REDUCE_OPTIONS: OptionNames<ScatterReduceOptions> = { includeSelf: 'boolean' };
const REDUCTIONS: readonly ScatterReduction[] = ['sum', 'prod', 'mean', 'amax', 'amin'];
const KERNEL_OP: Record<Exclude<ScatterReduction, 'mean'>, ScatterReduceOp> = { sum: 'sum', prod: 'prod', amax: 'max', amin: 'min' };

/**
 * x with the entries of src reduced into the entries of x their indices
 * name along `axis` (torch.scatter_reduce): 'sum', 'prod', 'mean', 'amax'
 * or 'amin' of x's entry (unless `includeSelf` is false) and every src
 * entry written there; an entry nothing is written to stays x's. Shapes
 * and indices as scatterAdd's; any dtype: ints wrap in sums and products
 * and take the mean rounded down, as PyTorch's. A NaN wins amax and amin.
 * Gradients (floats) as PyTorch's: amax and amin share dy evenly among
 * the entries equal to the result; prod's are the product of the others,
 * zeros included.
 */
export function scatterReduce(x: Tensor, indices: Tensor, src: Tensor, axis: number, reduce: ScatterReduction, options: ScatterReduceOptions = {}): Tensor {
  const op = 'scatterReduce';
  const { includeSelf = true } = checkOptions(op, options, SCATTER_REDUCE_OPTIONS);
  if (!REDUCTIONS.includes(reduce)) throw new ValueError(`${op}: reduce must be 'sum', 'prod', 'mean', 'amax' or 'amin', got ${formatValue(reduce)}`);
  const a = checkOperands(op, x, indices, src, axis);
  checkScatterShapes(op, x, indices, src, a, axis);
  return tidy(() => scatterReduceFlat(op, x, flatTargets(op, x.shape, indices, a), flatWithin(src, indices, (t) => t), reduce, includeSelf));
}

/** x with `values` reduced into its entries at flat `targets` (one past the end for none), in x's shape. */
function scatterReduceFlat(op: string, x: Tensor, targets: Tensor, values: Tensor, reduce: ScatterReduction, includeSelf: boolean): Tensor {
  const flatX = reshape(x, [x.size]);
  // How many values each entry gets, only where it matters (a mean, or x's entry left out): a scatter-add of ones,
  // which on a GPU costs as much as the reduction itself.
  let countsMade: Tensor | undefined;
  const counts = () => (countsMade ??= scatterRows(onBackendOf(op, x, () => ones([targets.size])), targets, [x.size], 0));
  const written = () => greater(counts(), 0);
  let out: Tensor;
  if (isFloat(x.dtype) && (reduce === 'sum' || reduce === 'mean')) {
    // Float sums by gather's gradient kernel: its gradients come with it.
    const sums = scatterRows(values, targets, [x.size], 0);
    if (reduce === 'sum') out = includeSelf ? add(flatX, sums) : where(written(), sums, flatX);
    else out = includeSelf ? div(add(flatX, sums), add(counts(), 1)) : where(written(), div(sums, maximum(counts(), 1)), flatX);
  } else if (reduce === 'mean') {
    // Ints: the sum, then divided rounding down, as PyTorch's.
    const sums = combined(op, 'sum', includeSelf ? flatX : fill([x.size], 0, { dtype: x.dtype }), includeSelf, values, targets);
    const count = cast(includeSelf ? add(counts(), 1) : maximum(counts(), 1), 'i32');
    out = where(written(), div(sums, count, { roundingMode: 'floor' }), flatX);
  } else {
    const into = includeSelf ? flatX : fill([x.size], identityOf(reduce, x.dtype), { dtype: x.dtype });
    out = includeSelf ? combined(op, reduce, into, true, values, targets) : where(written(), combined(op, reduce, into, false, values, targets), flatX);
  }
  return reshape(out.dtype === x.dtype ? out : cast(out, x.dtype), x.shape);
}

/** What a reduction starts from where x's entry takes no part: nothing added, nothing multiplied, the extreme the other way. */
function identityOf(reduce: Exclude<ScatterReduction, 'mean'>, dtype: Tensor['dtype']): number {
  const [lo, hi] = dtype === 'i8' || dtype === 'i32' ? INT_RANGE[dtype] : [-Infinity, Infinity];
  return { sum: 0, prod: 1, amax: lo, amin: hi }[reduce];
}

/**
 * The scatter-reduce kernel's result: `into` with `values` combined at
 * `targets`, worked in f32 or i32 (f16 and i8 widened, and narrowed after:
 * an i8 sum or product wraps), with PyTorch's gradients to into (when it
 * is x: `intoIsX`) and to the values.
 */
function combined(op: string, reduce: Exclude<ScatterReduction, 'mean'>, into: Tensor, intoIsX: boolean, values: Tensor, targets: Tensor): Tensor {
  const wide = isFloat(into.dtype) ? 'f32' : 'i32';
  const [start, from] = [into, values].map((t) => (t.dtype === wide ? t : cast(t, wide)));
  const backend = backendFor(op, [start.dataRef(op), from.dataRef(op), targets.dataRef(op)]);
  const kernelOp = KERNEL_OP[reduce];
  let y = computed(op, backend, start.shape, wide, () => scatterReduceKernelOf(backend)(kernelOp, from.info(op), targets.info(op), start.info(op)));
  if (into.dtype === 'i8') y = (kernelOp === 'sum' || kernelOp === 'prod') ? wrappedToI8(y) : cast(y, 'i8');
  else if (into.dtype === 'f16') y = cast(y, 'f16');
  const inputs = intoIsX ? [into, values] : [values];
  if (reduce === 'sum') return y; // ints only: no gradient
  return record(y, op, inputs, [into, values, targets, y], (g, [x, v, t, result]) => {
    const [dx, dv] = reduce === 'prod' ? prodGrads(op, g, x, intoIsX, v, t, result) : extremeGrads(g, x, intoIsX, v, t, result);
    return dx ? [dx, dv] : [dv];
  });
}

/** amax's and amin's: dy shared evenly among x's entry (if it took part) and the values equal to the result there. */
function extremeGrads(g: Tensor, x: Tensor, intoIsX: boolean, v: Tensor, t: Tensor, result: Tensor): [Tensor | undefined, Tensor] {
  const valueHits = cast(equal(v, gatherOrZero(result, t, 0)), g.dtype);
  const selfHits = intoIsX ? cast(equal(x, result), g.dtype) : undefined;
  const valueCount = scatterRows(valueHits, t, x.shape, 0);
  const share = div(g, selfHits ? add(selfHits, valueCount) : valueCount);
  return [selfHits && mul(selfHits, share), mul(valueHits, gatherOrZero(share, t, 0))];
}

/**
 * prod's, as PyTorch's: each factor's gradient is dy times the product of
 * the others, worked without dividing by a zero: x's entry from the
 * product with it taken as 1 where it is 0; a value that is the only zero
 * at its target from the product with it taken as 1; any other value by
 * division (a target with two zeros has product 0 without either).
 */
function prodGrads(op: string, g: Tensor, x: Tensor, intoIsX: boolean, v: Tensor, t: Tensor, result: Tensor): [Tensor | undefined, Tensor] {
  const oneWhere = (u: Tensor, at: Tensor) => where(at, 1, u);
  let dx: Tensor | undefined;
  if (intoIsX) {
    const selfOrOne = oneWhere(x, equal(x, 0));
    dx = div(mul(g, combined(op, 'prod', selfOrOne, true, v, t)), selfOrOne);
  }
  const zeroValues = equal(v, 0);
  const zerosAtTarget = gatherOrZero(scatterRows(cast(zeroValues, v.dtype), t, x.shape, 0), t, 0);
  const onlyZero = mul(zeroValues, equal(zerosAtTarget, 1));
  const withoutIt = combined(op, 'prod', x, intoIsX, oneWhere(v, onlyZero), t);
  const dv = where(onlyZero, gatherOrZero(mul(g, withoutIt), t, 0), div(gatherOrZero(mul(g, result), t, 0), oneWhere(v, zeroValues)));
  return [dx, dv];
}

/** An i32 sum or product as i8 arithmetic would have wrapped it: the low 8 bits, signed. */
function wrappedToI8(y: Tensor): Tensor {
  const low = bitwiseAnd(y, 255);
  return cast(where(greaterEqual(low, 128), sub(low, 256), low), 'i8');
}

/** Checks x, indices and the values written; returns the axis, made non-negative. */
function checkOperands(op: string, x: Tensor, indices: Tensor, values: Tensor, axis: number): number {
  checkTensor(op, x, 'x');
  checkTensor(op, indices, 'indices');
  const name = op === 'indexAdd' ? 'source' : 'src';
  checkTensor(op, values, name);
  if (isFloat(indices.dtype)) throw new DTypeError(`${op}: indices must be i32 or i8, got ${indices.dtype} (cast them: indices.cast('i32'))`);
  if (values.dtype !== x.dtype) throw new DTypeError(`${op}: ${name} is ${values.dtype}, x is ${x.dtype}; they must match`);
  if (x.rank === 0) throw new ShapeError(`${op}: x is a scalar: there is no axis to write along`);
  return normalizeAxis(op, axis, x.rank);
}

/** torch.scatter's rule: indices of x's rank, within src everywhere and within x off the axis. */
function checkScatterShapes(op: string, x: Tensor, indices: Tensor, src: Tensor, a: number, axis: number): void {
  if (indices.rank !== x.rank || src.rank !== x.rank) {
    throw new ShapeError(`${op}: indices ${formatShape(indices.shape)} and src ${formatShape(src.shape)} must have x's rank, ${x.rank} (x is ${formatShape(x.shape)})`);
  }
  const overSrc = indices.shape.findIndex((d, i) => d > src.shape[i]);
  if (overSrc >= 0) throw new ShapeError(`${op}: indices ${formatShape(indices.shape)} are longer than src ${formatShape(src.shape)} on axis ${overSrc}`);
  const overX = indices.shape.findIndex((d, i) => i !== a && d > x.shape[i]);
  if (overX >= 0) throw new ShapeError(`${op}: indices ${formatShape(indices.shape)} are longer than x ${formatShape(x.shape)} on axis ${overX}, which is not the axis written along (${axis})`);
  if (sizeOf(x.shape) >= 2 ** 31) throw new ShapeError(`${op}: x ${formatShape(x.shape)} has ${sizeOf(x.shape)} entries, more than an i32 index reaches (2^31)`);
  const n = x.shape[a];
  refuseIndicesOutside(op, indices, -n, n, `axis ${axis} of x ${formatShape(x.shape)}, of length ${n}`);
}

/** The values written, flat: src's entries within indices' shape (those beyond it are not used), in indices' order. */
function flatWithin(src: Tensor, indices: Tensor, keep: (t: Tensor) => Tensor): Tensor {
  return reshape(sameShape(src.shape, indices.shape) ? src : keep(slice(src, indices.shape.map(() => 0), indices.shape)), [indices.size]);
}

/**
 * The flat position in x of the entry each index names, as an i32 tensor
 * [indices.size]: the index (a negative one from the end) along axis `a`,
 * the index's own coordinates off it. An index outside the axis becomes
 * x's size, past the end, where gather's gradient adds nothing.
 */
function flatTargets(op: string, xShape: readonly number[], indices: Tensor, a: number): Tensor {
  const made: Tensor[] = [];
  const keep = (t: Tensor) => (made.push(t), t);
  try {
    const n = xShape[a];
    const { inner } = aroundAxis(xShape, a);
    const idx = indices.dtype === 'i32' ? indices : keep(indices.cast('i32'));
    // Σ over the other axes of coordinate·stride, each axis an arange broadcast along the rest.
    const base = onBackendOf(op, indices, () => {
      let sum = keep(fill(indices.shape.map(() => 1), 0, { dtype: 'i32' }));
      let stride = 1;
      for (let d = xShape.length - 1; d >= 0; d--) {
        if (d !== a && indices.shape[d] > 1) {
          const coordinate = keep(reshape(keep(arange(0, indices.shape[d] * stride, stride, { dtype: 'i32' })), indices.shape.map((s, i) => (i === d ? s : 1))));
          sum = keep(add(sum, coordinate));
        }
        stride *= xShape[d];
      }
      return sum;
    });
    const inside = keep(mul(keep(greaterEqual(idx, -n)), keep(less(idx, n))));
    const wrapped = keep(where(keep(less(idx, 0)), keep(add(idx, n)), idx));
    const flat = keep(where(inside, keep(add(base, keep(mul(wrapped, inner)))), sizeOf(xShape)));
    return reshape(flat, [indices.size]);
  } finally {
    for (const t of made) t.dispose();
  }
}

/** Refuses two indices naming one entry, where the backend holds the targets in memory (js, native). */
function refuseRepeats(op: string, targets: Tensor, size: number, indices: Tensor): void {
  const held = heldValues(op, targets);
  if (!held) return;
  const first = new Int32Array(size).fill(-1);
  for (let k = 0; k < indices.size; k++) {
    const t = held[k];
    if (t >= size) continue;
    if (first[t] >= 0) throw new ValueError(`${op}: indices ${formatShape(indices.shape)} name one entry of x twice (at ${first[t]} and ${k} of them, flat); scatter writes each entry once (scatterAdd adds repeats)`);
    first[t] = k;
  }
}
