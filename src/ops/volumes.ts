// The geometry under the 3-D convolution and pooling (ops/conv3d.ts,
// ops/pool3d.ts): NCDHW volumes ([batch, channels, depth, height, width],
// PyTorch's layout), sizes given as one number or [depth, height, width],
// and the output size along one axis. The ops themselves run as 2-D ones
// over the volume's depth slices (ops/conv.ts).
import { isFloat } from '../dtype.js';
import { DTypeError, ShapeError, ValueError, formatShape, formatValue } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { reshape } from './movement.js';
import { checkTensor } from './util.js';

/** A size over volumes: one number for all three axes, or [depth, height, width]. */
export type Size3d = number | readonly [number, number, number];

/** Sizes along depth, height and width. */
export type Triple = [number, number, number];

/** How errors name x's layout. */
export const VOLUMES = '[batch, channels, depth, height, width] (or one volume [channels, depth, height, width])';

/** A size option as [depth, height, width], refused unless integers ≥ least. */
export function triplesOf(op: string, name: string, v: unknown, least: number): Triple {
  const triple = typeof v === 'number' ? [v, v, v] : v;
  if (!Array.isArray(triple) || triple.length !== 3 || triple.some((n) => !Number.isSafeInteger(n) || n < least)) {
    throw new ValueError(`${op}: ${name} must be an integer ≥ ${least} or a triple [depth, height, width] of them, got ${formatValue(v)}`);
  }
  return [triple[0], triple[1], triple[2]];
}

/** A size as errors show it: 3×3×3. */
export function shownTriple(sizes: readonly number[]): string {
  return sizes.join('×');
}

/**
 * x as a batch of volumes [N, C, D, H, W], and `unbatch` to give a result
 * x's layout back: PyTorch takes one volume without its batch axis too.
 */
export function asVolumes(op: string, x: Tensor): { volumes: Tensor; unbatch: (y: Tensor) => Tensor } {
  checkTensor(op, x, 'x');
  const batched = x.rank === 5;
  if (!batched && x.rank !== 4) throw new ShapeError(`${op}: x must be ${VOLUMES}, got ${formatShape(x.shape)}`);
  if (!isFloat(x.dtype)) throw new DTypeError(`${op}: x must be f32 or f16, got ${x.dtype} (cast it: x.cast('f32'))`);
  const [channels, ...extent] = x.shape.slice(batched ? 1 : 0);
  if (channels === 0 || extent.some((d) => d === 0)) throw new ShapeError(`${op}: x ${formatShape(x.shape)} has no channels or no voxels (only its batch may be empty)`);
  const volumes = batched ? reshape(x, x.shape) : reshape(x, [1, ...x.shape]);
  const unbatch = (y: Tensor) => (batched ? y : reshape(y, y.shape.slice(1)));
  return { volumes, unbatch };
}

/**
 * Windows along one axis of `size` entries, `sides` [before, after] of
 * padding, `kernel` taps `dilation` apart, `stride` between them: how many.
 * With ceilMode (a pool's), a last window that runs past the padding is
 * kept unless it would start past the axis and its padding before, as
 * PyTorch rounds.
 */
export function windowsAlong(size: number, sides: readonly [number, number], kernel: number, stride: number, dilation: number, ceilMode = false): number {
  const room = size + sides[0] + sides[1] - dilation * (kernel - 1) - 1;
  if (!ceilMode) return Math.floor(room / stride) + 1;
  let out = Math.ceil(room / stride) + 1;
  if ((out - 1) * stride >= size + sides[0]) out--;
  return out;
}

/** A ShapeError unless every axis holds a window: `out` the windows along depth, height and width. */
export function refuseEmptyOutput(op: string, x: Tensor, out: readonly number[], kernel: readonly number[], dilation: readonly number[], sides: readonly (readonly [number, number])[]): void {
  if (out.every((o) => o >= 1)) return;
  const extent = x.shape.slice(-3);
  const dilated = dilation.some((d) => d > 1) ? ` dilated ${shownTriple(dilation)}` : '';
  const padding = sides.flat().some((p) => p) ? ` padded to ${shownTriple(extent.map((d, a) => d + sides[a][0] + sides[a][1]))}` : '';
  throw new ShapeError(`${op}: a ${shownTriple(kernel)} window${dilated} does not fit in x ${formatShape(x.shape)}${padding}`);
}
