// Sharpness (torchvision's adjust_sharpness): the image blended with a
// smoothed copy of itself — a 3 × 3 kernel, 5 at the centre and 1 around,
// over 13, applied where it fits, the one-pixel border kept as it is — by
// the factor: 0 gives the smoothed image, 1 the image, 2 sharpens.
import { tidy } from '../engine.js';
import { where } from '../ops/elementwise.js';
import { conv2d } from '../ops/conv.js';
import { pad, reshape } from '../ops/movement.js';
import type { Tensor } from '../tensor.js';
import { blend } from './color.js';
import { asBatch, checkChannels, constantLike, numberOf } from './images.js';

const SMOOTH = [1, 1, 1, 1, 5, 1, 1, 1, 1].map((v) => v / 13);

/** Sharpness by `factor` ≥ 0, clamped to [0, 1]; images 2 pixels or less along a side have no inside to smooth and come back as they are. */
export function adjustSharpness(images: Tensor, factor: number): Tensor {
  const op = 'adjustSharpness';
  const { images: x, n, c, h, w, unbatch } = asBatch(op, images);
  checkChannels(op, images, c, [1, 3]);
  numberOf(op, 'factor', factor, (f) => f >= 0, 'a number ≥ 0');
  if (h <= 2 || w <= 2) return images;
  return tidy(() => unbatch(blend(x, smoothed(op, x, n, c, h, w), factor)));
}

/** The inside smoothed by the kernel, the border as it was. */
export function smoothed(op: string, x: Tensor, n: number, c: number, h: number, w: number): Tensor {
  const inside = conv2d(reshape(x, [n * c, 1, h, w]), constantLike(op, x, SMOOTH, [1, 1, 3, 3]));
  const padded = reshape(pad(inside, [[0, 0], [0, 0], [1, 1], [1, 1]]), [n, c, h, w]);
  const mask = new Float32Array(h * w).map((_, k) => +(k >= w && k < (h - 1) * w && k % w > 0 && k % w < w - 1));
  return where(constantLike(op, x, mask, [1, 1, h, w]), padded, x);
}
