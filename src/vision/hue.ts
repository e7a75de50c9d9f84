// Hue shifts (torchvision's adjust_hue): RGB to HSV, the hue turned by a
// fraction of the colour wheel, and back. Values in [0, 1].
import { tidy } from '../engine.js';
import { add, div, equal, minimum, mul, remainder, sub, where, clip } from '../ops/elementwise.js';
import { max, min } from '../ops/reduce.js';
import { slice } from '../ops/movement.js';
import type { Tensor, TensorLike } from '../tensor.js';
import { asBatch, checkChannels, constantLike, numberOf } from './images.js';

/** RGB images with their hue turned by `factor` in [−0.5, 0.5] of a full turn (±0.5: the opposite colours). A grayscale image is left as it is. */
export function adjustHue(images: Tensor, factor: number): Tensor {
  const op = 'adjustHue';
  const { images: x, c, unbatch } = asBatch(op, images);
  checkChannels(op, images, c, [1, 3]);
  numberOf(op, 'factor', factor, (f) => f >= -0.5 && f <= 0.5, 'a number in [-0.5, 0.5]');
  if (c === 1) return images;
  return tidy(() => unbatch(shiftHue(op, x, factor)));
}

/**
 * [N, 3, H, W] with hue h → (h + factor) mod 1, factor a number or
 * per-sample [N, 1, 1, 1]. Hue as torchvision's _rgb2hsv defines it (from
 * the largest channel, red first on ties, then green); back to RGB by the
 * closed form of its _hsv2rgb: channel k is v − v·s·clamp(min(m, 4 − m),
 * 0, 1), m = (n_k + 6h) mod 6 with n = 5, 3, 1 for red, green, blue.
 */
export function shiftHue(op: string, x: Tensor, factor: TensorLike): Tensor {
  const [n, , height, width] = x.shape;
  const [r, g, b] = [0, 1, 2].map((k) => slice(x, [0, k, 0, 0], [n, 1, height, width]));
  const v = max(x, 1, { keepDims: true });
  const range = sub(v, min(x, 1, { keepDims: true }));
  const gray = equal(range, 0);
  const s = div(range, where(gray, 1, v));
  const spread = where(gray, 1, range);
  // Distances below the largest channel, as fractions of the spread.
  const [rc, gc, bc] = [r, g, b].map((ch) => div(sub(v, ch), spread));
  const sixths = where(equal(v, r), sub(bc, gc), where(equal(v, g), add(sub(rc, bc), 2), add(sub(gc, rc), 4)));
  const h = remainder(add(remainder(add(div(sixths, 6), 1), 1), factor), 1);
  const m = remainder(add(constantLike(op, x, [5, 3, 1], [1, 3, 1, 1]), mul(h, 6)), 6);
  return sub(v, mul(mul(v, s), clip(minimum(m, sub(4, m)), 0, 1)));
}
