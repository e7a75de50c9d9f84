// Cutting a window out of images (torchvision's crop, centerCrop). A window
// reaching past the image reads zeros there, as torchvision pads it.
import { tidy } from '../engine.js';
import { ValueError, formatValue } from '../errors.js';
import { zeros } from '../ops/creation.js';
import { pad, slice } from '../ops/movement.js';
import { onBackendOf } from '../ops/util.js';
import type { Tensor } from '../tensor.js';
import { roundHalfEven } from '../round.js';
import { asBatch, imageShape, sizePair } from './images.js';

/**
 * The window of `height` × `width` pixels whose top-left pixel is (top,
 * left), of every image: [N, C, height, width]. top and left may be negative
 * and the window may reach past the image; what it covers outside reads 0.
 */
export function crop(images: Tensor, top: number, left: number, height: number, width: number): Tensor {
  const op = 'crop';
  if (![top, left].every(Number.isInteger)) throw new ValueError(`${op}: top and left must be integers, got ${formatValue([top, left])}`);
  sizePair(op, '[height, width]', [height, width]);
  const { images: x, n, c, h, w, unbatch } = asBatch(op, images);
  return tidy(() => {
    const [r0, r1] = [clamp(top, h), clamp(top + height, h)];
    const [c0, c1] = [clamp(left, w), clamp(left + width, w)];
    if (r1 <= r0 || c1 <= c0) return unbatch(onBackendOf(op, x, () => zeros([n, c, height, width], { dtype: x.dtype })));
    const inside = slice(x, [0, 0, r0, c0], [n, c, r1 - r0, c1 - c0]);
    const outside = [[r0 - top, top + height - r1], [c0 - left, left + width - c1]] as const;
    return unbatch(outside.flat().some((p) => p > 0) ? pad(inside, [[0, 0], [0, 0], ...outside], 0) : inside);
  });
}

/**
 * The centred window of `size` (a number, or [height, width]) of every
 * image. Its offset along an axis is round((H − height) / 2), halves to
 * even as Python's round; a window larger than the image is zero-padded,
 * the odd pixel after (torchvision's center_crop).
 */
export function centerCrop(images: Tensor, size: number | readonly [number, number]): Tensor {
  const [height, width] = sizePair('centerCrop', 'size', size);
  const [, , h, w] = imageShape('centerCrop', images);
  const offset = (n: number, m: number) => (m <= n ? roundHalfEven((n - m) / 2) : -Math.floor((m - n) / 2));
  return crop(images, offset(h, height), offset(w, width), height, width);
}

function clamp(i: number, n: number): number {
  return Math.min(n, Math.max(0, i));
}
