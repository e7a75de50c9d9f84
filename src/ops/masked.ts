// Ops that pick by a mask: maskedFill (a `where`) and maskedScatter (a running
// count of the mask, a gather and a `where`), synchronous: their shapes are
// x's; and maskedSelect and nonzero (and argwhere, its NumPy name), whose
// shapes depend on how many entries the mask holds. tmnn cannot read a value
// back synchronously (on WebGPU a read waits for the GPU), so those two are
// asynchronous: the mask is read back, the positions found in JS, and the
// result made on the backend x was on when called. maskedSelect is then one
// gather, so its gradient is gather's scatter-add.
import { INT_RANGE, isFloat } from '../dtype.js';
import { creatingOn, tidy } from '../engine.js';
import { DTypeError, ShapeError, ValueError, formatShape, formatValue } from '../errors.js';
import { broadcastShapes, sameShape, sizeOf } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { cast } from './cast.js';
import { sub, where } from './elementwise.js';
import { broadcastTo, cumsum, gather, gatherOrZero, reshape } from './movement.js';
import { checkTensor, fromValues, heldValues } from './util.js';

/**
 * x with `value` wherever `mask` is non-zero (torch.masked_fill): the mask
 * broadcasts to x's shape (not the other way round), any dtype, NaN
 * counting as non-zero. The result has x's dtype, so for an int x the value
 * must be an integer it holds. The gradient is dy where x was kept and 0
 * where it was filled.
 */
export function maskedFill(x: Tensor, mask: Tensor, value: number): Tensor {
  const op = 'maskedFill';
  checkTensor(op, x, 'x');
  checkTensor(op, mask, 'mask');
  checkFillValue(op, x, value);
  const shape = maskShape(op, x, mask);
  if (!sameShape(shape, x.shape)) {
    throw new ShapeError(`${op}: mask ${formatShape(mask.shape)} must broadcast to x's shape ${formatShape(x.shape)}, not widen it to ${formatShape(shape)}`);
  }
  return where(mask, value, x);
}

/** A fill value x's dtype holds: any number for floats, an integer in range for ints (the result keeps x's dtype). */
export function checkFillValue(op: string, x: Tensor, value: unknown): void {
  if (typeof value !== 'number') throw new ValueError(`${op}: value must be a number, got ${formatValue(value)}`);
  if (!isFloat(x.dtype)) {
    const [lo, hi] = INT_RANGE[x.dtype as 'i8' | 'i32'];
    if (!Number.isInteger(value) || value < lo || value > hi) {
      throw new ValueError(`${op}: value ${formatValue(value)} is not an integer ${x.dtype} holds (${lo} … ${hi}), and the result keeps x's dtype`);
    }
  }
}

/**
 * x with source's entries, in order, written where `mask` is non-zero
 * (torch.masked_scatter): the k-th masked position (row-major) takes
 * source's k-th entry (flat), so source needs at least as many entries as
 * the mask selects, whatever its shape; the mask broadcasts to x's shape.
 * Synchronous (the positions are a running count of the mask); too short a
 * source is an error where the count can be read at once (js, native), and
 * writes 0 past its end on a GPU. Gradients: dy where x was kept to x, the
 * masked entries' dy to the source entries written there.
 */
export function maskedScatter(x: Tensor, mask: Tensor, source: Tensor): Tensor {
  const op = 'maskedScatter';
  checkTensor(op, x, 'x');
  checkTensor(op, mask, 'mask');
  checkTensor(op, source, 'source');
  if (source.dtype !== x.dtype) throw new DTypeError(`${op}: source is ${source.dtype}, x is ${x.dtype}; they must match`);
  const shape = maskShape(op, x, mask);
  if (!sameShape(shape, x.shape)) {
    throw new ShapeError(`${op}: mask ${formatShape(mask.shape)} must broadcast to x's shape ${formatShape(x.shape)}, not widen it to ${formatShape(shape)}`);
  }
  return tidy(() => {
    const chosen = broadcastTo(mask, x.shape);
    const taken = reshape(cast(where(chosen, 1, 0), 'i32'), [x.size]);
    // Each masked position's place in source: how many masked positions come before it.
    const count = cumsum(taken, 0);
    const held = heldValues(op, count);
    const selected = x.size > 0 && held ? Number(held[x.size - 1]) : 0;
    if (selected > source.size) {
      throw new ShapeError(`${op}: mask ${formatShape(mask.shape)} selects ${selected} entries of x ${formatShape(x.shape)}, and source ${formatShape(source.shape)} holds only ${source.size}`);
    }
    const from = where(taken, sub(count, 1), source.size);
    const picked = gatherOrZero(reshape(source, [source.size]), from, 0);
    return where(chosen, reshape(picked, x.shape), x);
  });
}

/** x's and mask's shapes broadcast together, the error naming both. */
function maskShape(op: string, x: Tensor, mask: Tensor): number[] {
  try {
    return broadcastShapes(op, x.shape, mask.shape);
  } catch {
    throw new ShapeError(`${op}: mask ${formatShape(mask.shape)} does not broadcast against x ${formatShape(x.shape)}`);
  }
}

/**
 * The entries of x where `mask` is non-zero, in order, as a 1-D tensor of
 * x's dtype (torch.masked_select): x and mask broadcast against each other
 * first, NaN in the mask counting as non-zero. Asynchronous: the result's
 * length is the mask's count, known only once the mask is read back. The
 * entries are gathered on x's backend, so the gradient adds dy back into
 * the entries picked (summed over broadcast copies).
 */
export async function maskedSelect(x: Tensor, mask: Tensor): Promise<Tensor> {
  const op = 'maskedSelect';
  checkTensor(op, x, 'x');
  checkTensor(op, mask, 'mask');
  const shape = maskShape(op, x, mask);
  const backend = x.dataRef(op).backend;
  const wide = creatingOn(mask.dataRef(op).backend, () => (sameShape(mask.shape, shape) ? mask : broadcastTo(mask, shape)));
  let m;
  try {
    m = await wide.data();
  } finally {
    if (wide !== mask) wide.dispose();
  }
  const positions = new Int32Array(countNonZero(m));
  for (let i = 0, k = 0; i < m.length; i++) if (m[i] !== 0) positions[k++] = i;
  return creatingOn(backend, () => {
    const spread = sameShape(x.shape, shape) ? x : broadcastTo(x, shape);
    const flat = reshape(spread, [sizeOf(shape)]);
    const indices = fromValues(op, positions, [positions.length], 'i32');
    try {
      return gather(flat, indices);
    } finally {
      for (const t of [flat, indices]) t.dispose();
      if (spread !== x) spread.dispose();
    }
  });
}

/**
 * The positions of x's non-zero entries (torch.nonzero), as i32
 * [count, rank]: one row of indices per entry, in row-major order; NaN is
 * non-zero. A scalar gives [1, 0] or [0, 0]. Asynchronous: the count is
 * known only once x is read back. The result is made on x's backend.
 */
export async function nonzero(x: Tensor): Promise<Tensor> {
  checkTensor('nonzero', x);
  const backend = x.dataRef('nonzero').backend;
  const shape = x.shape;
  const v = await x.data();
  const count = countNonZero(v);
  const rank = shape.length;
  const out = new Int32Array(count * rank);
  const index = new Array<number>(rank).fill(0);
  for (let i = 0, k = 0; i < v.length; i++) {
    if (v[i] !== 0) {
      out.set(index, k);
      k += rank;
    }
    // The next position in row-major order: the last axis turns fastest.
    for (let d = rank - 1; d >= 0 && ++index[d] === shape[d]; d--) index[d] = 0;
  }
  return creatingOn(backend, () => fromValues('nonzero', out, [count, rank], 'i32'));
}

/**
 * The indices of x's non-zero entries (torch.argwhere, np.argwhere): i32
 * [count, rank], one row per entry in row-major order, NaN non-zero; a
 * scalar gives [1, 0] or [0, 0]. nonzero's form already, so nonzero.
 * Asynchronous, as nonzero.
 */
export async function argwhere(x: Tensor): Promise<Tensor> {
  checkTensor('argwhere', x);
  return nonzero(x);
}

function countNonZero(values: ArrayLike<number>): number {
  let count = 0;
  for (let i = 0; i < values.length; i++) if (values[i] !== 0) count++;
  return count;
}
