// Flat indices and coordinates, both ways (np.unravel_index and
// np.ravel_multi_index, torch.unravel_index): a flat position in an array of
// some shape, as argmax gives it, and the coordinate along each axis. i32
// arithmetic on the device, nothing read back but to refuse an index
// outside the shape where the backend holds it (js, native).
import { isFloat } from '../dtype.js';
import { tidy } from '../engine.js';
import { DTypeError, ShapeError, ValueError, formatShape, formatValue } from '../errors.js';
import { sameShape, sizeOf } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { cast } from './cast.js';
import { add, floorDivide, mul, remainder } from './elementwise.js';
import { checkTensor, refuseIndicesOutside } from './util.js';

function checkShape(op: string, shape: readonly number[]): void {
  if (!Array.isArray(shape) || shape.some((d) => !Number.isSafeInteger(d) || d < 0)) throw new ValueError(`${op}: shape must be a list of non-negative integers, got ${formatValue(shape)}`);
  if (sizeOf(shape) > 2 ** 31) throw new ValueError(`${op}: shape ${formatShape(shape)} has ${sizeOf(shape)} entries, more than an i32 index reaches (2^31)`);
}

function checkIndices(op: string, t: Tensor, name: string): Tensor {
  checkTensor(op, t, name);
  if (isFloat(t.dtype)) throw new DTypeError(`${op}: ${name} must be i32 or i8, got ${t.dtype}`);
  return t;
}

/**
 * The coordinates in an array of `shape` (row-major) of each flat index
 * (np.unravel_index, torch.unravel_index): one i32 tensor per axis, each of
 * indices' shape. An index outside [0, size) is an error where the backend
 * holds the indices (js, native); on a GPU its coordinates are those of
 * the index taken modulo the size.
 */
export function unravelIndex(indices: Tensor, shape: readonly number[]): Tensor[] {
  const op = 'unravelIndex';
  checkIndices(op, indices, 'indices');
  checkShape(op, shape);
  refuseIndicesOutside(op, indices, 0, sizeOf(shape), `an array of shape ${formatShape(shape)} (size ${sizeOf(shape)})`);
  return tidy(() => {
    let rest = indices.dtype === 'i32' ? indices : cast(indices, 'i32');
    const coordinates: Tensor[] = [];
    for (let d = shape.length - 1; d >= 0; d--) {
      coordinates.unshift(remainder(rest, shape[d]));
      rest = floorDivide(rest, shape[d]);
    }
    return coordinates;
  });
}

/**
 * The flat index (row-major, i32) in an array of `shape` of each set of
 * coordinates (np.ravel_multi_index): one tensor per axis, all of one
 * shape, the result that shape. A coordinate outside its axis is an error
 * where the backend holds it (js, native).
 */
export function ravelMultiIndex(coordinates: readonly Tensor[], shape: readonly number[]): Tensor {
  const op = 'ravelMultiIndex';
  checkShape(op, shape);
  if (!Array.isArray(coordinates) || coordinates.length !== shape.length || shape.length === 0) {
    throw new ShapeError(`${op}: give one coordinate tensor per axis of shape ${formatShape(shape)}, got ${Array.isArray(coordinates) ? coordinates.length : formatValue(coordinates)}`);
  }
  coordinates.forEach((c, d) => checkIndices(op, c, `coordinates[${d}]`));
  const first = coordinates[0].shape;
  const odd = coordinates.findIndex((c) => !sameShape(c.shape, first));
  if (odd >= 0) throw new ShapeError(`${op}: coordinates[${odd}] ${formatShape(coordinates[odd].shape)} differs from coordinates[0] ${formatShape(first)}`);
  coordinates.forEach((c, d) => refuseIndicesOutside(op, c, 0, shape[d], `axis ${d} of shape ${formatShape(shape)}`));
  return tidy(() => {
    let flat = cast(coordinates[0], 'i32');
    for (let d = 1; d < shape.length; d++) flat = add(mul(flat, shape[d]), coordinates[d].dtype === 'i32' ? coordinates[d] : cast(coordinates[d], 'i32'));
    return flat;
  });
}
