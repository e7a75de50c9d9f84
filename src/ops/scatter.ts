// Writes into a tensor at positions an index tensor names, the inverses of
// gather and takeAlongAxis (PyTorch's index_add, scatter_add and scatter):
// each a new tensor, x left as it was. All three lower onto gather's
// gradient kernel, which adds rows into the rows an index names
// (scatterRows); their gradients come from it (a gather) and from the
// elementwise ops around it.
import { isFloat } from '../dtype.js';
import { DTypeError, ShapeError, ValueError, formatShape } from '../errors.js';
import { aroundAxis, normalizeAxis, sameShape, sizeOf } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { arange, fill } from './creation.js';
import { add, greater, greaterEqual, less, mul, sub, where } from './elementwise.js';
import { gatherOrZero, reshape, scatterRows, slice } from './movement.js';
import { checkTensor, heldValues, onBackendOf, refuseIndicesOutside } from './util.js';

/**
 * x with source's rows added into the rows `indices` names along `axis`
 * (torch.index_add, tf's unsorted_segment_sum onto x): source has x's shape
 * with that axis replaced by indices' shape, as gather(x, indices, axis)
 * gives, and row j of source is added into row indices[j]; a repeated index
 * adds all its rows. Floats only (f32, f16). Indices are i32 or i8, a
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
 * beyond indices' shape are not used. Repeated targets add up. Floats only
 * (f32, f16); indices as indexAdd's. Gradients: dy to x, dy at each target
 * to the src entry added there.
 */
export function scatterAdd(x: Tensor, indices: Tensor, src: Tensor, axis: number): Tensor {
  const op = 'scatterAdd';
  const a = checkOperands(op, x, indices, src, axis);
  checkScatterShapes(op, x, indices, src, a, axis);
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
  const op = 'scatter';
  checkTensor(op, x, 'x');
  checkTensor(op, indices, 'indices');
  const made: Tensor[] = [];
  const keep = (t: Tensor) => (made.push(t), t);
  try {
    const values = typeof src === 'number' ? keep(onBackendOf(op, x, () => fill(indices.shape, src, { dtype: x.dtype }))) : src;
    const a = checkOperands(op, x, indices, values, axis, true);
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

/** Checks x, indices and the values written (float only where they are added); returns the axis, made non-negative. */
function checkOperands(op: string, x: Tensor, indices: Tensor, values: Tensor, axis: number, anyDtype = false): number {
  checkTensor(op, x, 'x');
  checkTensor(op, indices, 'indices');
  const name = op === 'indexAdd' ? 'source' : 'src';
  checkTensor(op, values, name);
  if (isFloat(indices.dtype)) throw new DTypeError(`${op}: indices must be i32 or i8, got ${indices.dtype} (cast them: indices.cast('i32'))`);
  if (values.dtype !== x.dtype) throw new DTypeError(`${op}: ${name} is ${values.dtype}, x is ${x.dtype}; they must match`);
  if (!anyDtype && !isFloat(x.dtype)) throw new DTypeError(`${op}: x is ${x.dtype}; adds into f32 and f16 only (cast first: x.cast('f32'))`);
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
