// What every vision op shares: images are float tensors [N, C, H, W], or one
// image [C, H, W] (torchvision's layout), worked on as a batch of one and
// given back in the caller's rank; sizes, per-channel values and Python's
// rounding, as torchvision reads them.
import { isFloat } from '../dtype.js';
import { DTypeError, ShapeError, ValueError, formatShape, formatValue } from '../errors.js';
import { tensor } from '../ops/creation.js';
import { reshape } from '../ops/movement.js';
import { checkTensor, onBackendOf } from '../ops/util.js';
import type { Tensor } from '../tensor.js';

/** Images as a batch [N, C, H, W], and the way back to the caller's rank. */
export interface Batch {
  readonly images: Tensor;
  readonly n: number;
  readonly c: number;
  readonly h: number;
  readonly w: number;
  readonly unbatch: (y: Tensor) => Tensor;
}

/** `x` checked as images, viewed as a batch. */
export function asBatch(op: string, x: Tensor): Batch {
  const [n, c, h, w] = imageShape(op, x);
  const images = x.rank === 3 ? reshape(x, [1, c, h, w]) : x;
  return { images, n, c, h, w, unbatch: (y) => (x.rank === 3 ? reshape(y, y.shape.slice(1)) : y) };
}

/** The [N, C, H, W] of images `x` (N = 1 for one image), checked: a float tensor of rank 3 or 4 with pixels. */
export function imageShape(op: string, x: Tensor): [number, number, number, number] {
  checkTensor(op, x, 'images');
  if (x.rank !== 3 && x.rank !== 4) throw new ShapeError(`${op}: images ${formatShape(x.shape)} must be [N, C, H, W] or one image [C, H, W]`);
  if (!isFloat(x.dtype)) throw new DTypeError(`${op}: images must be f32 or f16 (colour values in [0, 1]), got ${x.dtype} (cast them: x.cast('f32').div(255))`);
  const shape = (x.rank === 3 ? [1, ...x.shape] : x.shape) as [number, number, number, number];
  if (shape[2] === 0 || shape[3] === 0) throw new ShapeError(`${op}: images ${formatShape(x.shape)} have no pixels`);
  return shape;
}

/** Refuses images whose channels are not among `allowed` (the colour ops' RGB or grayscale). */
export function checkChannels(op: string, x: Tensor, c: number, allowed: readonly number[]): void {
  if (!allowed.includes(c)) throw new ShapeError(`${op}: images ${formatShape(x.shape)} have ${c} channels; expected ${allowed.join(' or ')} (axis −3)`);
}

/** A size as [height, width]: a number is both. */
export function sizePair(op: string, name: string, size: unknown): [number, number] {
  const pair = typeof size === 'number' ? [size, size] : size;
  if (!Array.isArray(pair) || pair.length !== 2 || !pair.every((d) => Number.isInteger(d) && d > 0)) {
    throw new ValueError(`${op}: ${name} must be a positive integer or a pair [height, width] of them, got ${formatValue(size)}`);
  }
  return [pair[0], pair[1]];
}

/** A range [min, max] of numbers, min ≤ max, each checked by `ok` (described by `what`). */
export function rangeOf(op: string, name: string, range: unknown, ok: (v: number) => boolean, what: string): [number, number] {
  if (!Array.isArray(range) || range.length !== 2 || !range.every((v) => typeof v === 'number' && ok(v)) || !(range[0] <= range[1])) {
    throw new ValueError(`${op}: ${name} must be a range [min, max] of ${what}, got ${formatValue(range)}`);
  }
  return [range[0], range[1]];
}

/** A finite number checked by `ok`. */
export function numberOf(op: string, name: string, value: unknown, ok: (v: number) => boolean, what: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || !ok(value)) throw new ValueError(`${op}: ${name} must be ${what}, got ${formatValue(value)}`);
  return value;
}

/** One value per channel, from a number (every channel) or a list of 1 or C. */
export function perChannel(op: string, name: string, values: unknown, x: Tensor, c: number): number[] {
  const list = typeof values === 'number' ? [values] : values;
  if (!Array.isArray(list) || !list.every((v) => typeof v === 'number' && Number.isFinite(v))) {
    throw new ValueError(`${op}: ${name} must be a number or a list of numbers, one per channel, got ${formatValue(values)}`);
  }
  if (list.length !== 1 && list.length !== c) {
    throw new ShapeError(`${op}: ${name} has ${list.length} values for images ${formatShape(x.shape)} with ${c} channels; give 1 or ${c}`);
  }
  return list.length === c ? list : new Array<number>(c).fill(list[0]);
}

/** Values as a tensor of `like`'s dtype on its backend. */
export function constantLike(op: string, like: Tensor, values: ArrayLike<number>, shape: readonly number[]): Tensor {
  return onBackendOf(op, like, () => tensor(Float32Array.from(values), shape, { dtype: like.dtype }));
}

/** Whole numbers as an i32 tensor on `like`'s backend. */
export function indicesLike(op: string, like: Tensor, values: Int32Array, shape: readonly number[]): Tensor {
  return onBackendOf(op, like, () => tensor(values, shape));
}
