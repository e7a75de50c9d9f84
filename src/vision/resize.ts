// Resizing images (torchvision's resize) through tm.interpolate2d: to
// [height, width], or with one number the shorter side to it and the longer
// in proportion, rounded down.
import { ValueError, formatValue } from '../errors.js';
import { checkOptions, type OptionNames } from '../options.js';
import { interpolate2d } from '../ops/interpolate.js';
import type { Tensor } from '../tensor.js';
import { asBatch, sizePair } from './images.js';

export type Interpolation = 'nearest' | 'nearest-exact' | 'bilinear' | 'bicubic';

export interface ResizeOptions {
  /** 'bilinear' (default, torchvision's), 'nearest', 'nearest-exact' or 'bicubic'. */
  interpolation?: Interpolation;
  /**
   * Bilinear and bicubic: when shrinking, widen the filter to average every
   * pixel an output covers (tm.interpolate2d's antialias; torchvision's
   * default for tensors since 0.17). Default true; the nearest modes ignore
   * it, as torchvision does.
   */
  antialias?: boolean;
  /** With a single size: the longer side's most; past it, the longer side is maxSize and the shorter in proportion. */
  maxSize?: number;
}

const OPTIONS: OptionNames<ResizeOptions> = { interpolation: true, maxSize: true, antialias: 'boolean' };
const INTERPOLATIONS: readonly Interpolation[] = ['nearest', 'nearest-exact', 'bilinear', 'bicubic'];

/** Refuses an interpolation not among `allowed`. */
export function checkInterpolation<T extends string>(op: string, interpolation: unknown, allowed: readonly T[]): T {
  if (!allowed.includes(interpolation as T)) throw new ValueError(`${op}: interpolation must be ${allowed.map((m) => `'${m}'`).join(', ')}, got ${formatValue(interpolation)}`);
  return interpolation as T;
}

/** Images resized to `size` (see above), [N, C, height, width]. */
export function resize(images: Tensor, size: number | readonly [number, number], options: ResizeOptions = {}): Tensor {
  const op = 'resize';
  const { interpolation = 'bilinear', maxSize, antialias = true } = checkOptions(op, options, OPTIONS);
  checkInterpolation(op, interpolation, INTERPOLATIONS);
  const [height, width] = sizePair(op, 'size', size);
  if (maxSize !== undefined && (typeof size !== 'number' || !Number.isInteger(maxSize) || maxSize <= size)) {
    throw new ValueError(`${op}: maxSize applies to a single size and must be an integer greater than it, got maxSize ${formatValue(maxSize)} with size ${formatValue(size)}`);
  }
  const { images: x, h, w, unbatch } = asBatch(op, images);
  const out = typeof size === 'number' ? shorterSideTo(size, h, w, maxSize) : [height, width];
  if (out[0] < 1 || out[1] < 1) throw new ValueError(`${op}: maxSize ${maxSize} leaves images ${h}×${w} no pixels along their shorter side`);
  if (out[0] === h && out[1] === w) return images;
  const filtered = antialias && (interpolation === 'bilinear' || interpolation === 'bicubic');
  return unbatch(interpolate2d(x, { size: out as [number, number], mode: interpolation, antialias: filtered }));
}

/** torchvision's output size for one number: the shorter side to it, the longer int(size·long/short), both cut back by maxSize. */
function shorterSideTo(size: number, h: number, w: number, maxSize: number | undefined): [number, number] {
  const [short, long] = w <= h ? [w, h] : [h, w];
  let [newShort, newLong] = [size, Math.floor((size * long) / short)];
  if (maxSize !== undefined && newLong > maxSize) [newShort, newLong] = [Math.floor((maxSize * newShort) / newLong), maxSize];
  return w <= h ? [newLong, newShort] : [newShort, newLong];
}
