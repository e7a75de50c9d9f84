// Colour adjustments on RGB images with values in [0, 1], torchvision's
// definitions: each blends the image with another — black (brightness),
// its grayscale mean (contrast), its grayscale (saturation) — by a factor,
// factor·x + (1 − factor)·other, clamped to [0, 1]. Factor 0 gives the
// other, 1 the image, 2 doubles the difference.
import { tidy } from '../engine.js';
import { ValueError, formatValue } from '../errors.js';
import { add, clip, mul, sub } from '../ops/elementwise.js';
import { broadcastTo } from '../ops/movement.js';
import { mean, sum } from '../ops/reduce.js';
import type { Tensor, TensorLike } from '../tensor.js';
import { asBatch, checkChannels, constantLike, numberOf } from './images.js';

/** ITU-R 601-2 luma, torchvision's weights. */
const LUMA = [0.2989, 0.587, 0.114];

/** RGB images (C = 3) as their luma, [N, 1, H, W] (or 3 equal channels); a grayscale image (C = 1) as it is. */
export function rgbToGrayscale(images: Tensor, numOutputChannels: 1 | 3 = 1): Tensor {
  const op = 'rgbToGrayscale';
  const { images: x, c, unbatch } = asBatch(op, images);
  checkChannels(op, images, c, [1, 3]);
  if (numOutputChannels !== 1 && numOutputChannels !== 3) throw new ValueError(`${op}: numOutputChannels must be 1 or 3, got ${formatValue(numOutputChannels)}`);
  return tidy(() => {
    const gray = grayOf(op, x);
    return unbatch(numOutputChannels === 1 ? gray : broadcastTo(gray, [x.shape[0], 3, x.shape[2], x.shape[3]]));
  });
}

/** Brightness: blended with black, factor ≥ 0. */
export function adjustBrightness(images: Tensor, factor: number): Tensor {
  const op = 'adjustBrightness';
  const { images: x, unbatch } = asBatch(op, images);
  return tidy(() => unbatch(blend(x, 0, checkFactor(op, 'factor', factor))));
}

/** Contrast: blended with the mean of each image's grayscale, factor ≥ 0. RGB or grayscale images. */
export function adjustContrast(images: Tensor, factor: number): Tensor {
  const op = 'adjustContrast';
  const { images: x, c, unbatch } = asBatch(op, images);
  checkChannels(op, images, c, [1, 3]);
  return tidy(() => unbatch(blend(x, grayMean(op, x), checkFactor(op, 'factor', factor))));
}

/** Saturation: blended with the image's grayscale, factor ≥ 0 (0 gives gray, 1 the image). A grayscale image is left as it is. */
export function adjustSaturation(images: Tensor, factor: number): Tensor {
  const op = 'adjustSaturation';
  const { images: x, c, unbatch } = asBatch(op, images);
  checkChannels(op, images, c, [1, 3]);
  checkFactor(op, 'factor', factor);
  if (c === 1) return images;
  return tidy(() => unbatch(blend(x, grayOf(op, x), factor)));
}

/** factor·x + (1 − factor)·other, clamped to [0, 1]; factor a number or per-sample [N, 1, 1, 1]. */
export function blend(x: Tensor, other: TensorLike, factor: TensorLike): Tensor {
  return clip(add(mul(x, factor), mul(other, typeof factor === 'number' ? 1 - factor : sub(1, factor))), 0, 1);
}

/** Luma of [N, 3, H, W] (or a single channel as it is), [N, 1, H, W]. */
export function grayOf(op: string, x: Tensor): Tensor {
  return x.shape[1] === 1 ? x : sum(mul(x, constantLike(op, x, LUMA, [1, 3, 1, 1])), 1, { keepDims: true });
}

/** Each image's mean luma, [N, 1, 1, 1]: what contrast blends with. */
export function grayMean(op: string, x: Tensor): Tensor {
  return mean(grayOf(op, x), [1, 2, 3], { keepDims: true });
}

function checkFactor(op: string, name: string, factor: unknown): number {
  return numberOf(op, name, factor, (f) => f >= 0, 'a number ≥ 0');
}
