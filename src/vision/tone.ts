// Tone curves on images with values in [0, 1], torchvision's definitions for
// float images: invert (1 − x), solarize (inverted at and above a
// threshold), gamma (gain·x^γ, clamped) and autocontrast (each channel
// stretched to span [0, 1]). RGB or grayscale images, as torchvision.
import { tidy } from '../engine.js';
import { add, clip, div, equal, greaterEqual, mul, pow, sub, where } from '../ops/elementwise.js';
import { max, min } from '../ops/reduce.js';
import type { Tensor } from '../tensor.js';
import { asBatch, checkChannels, imageShape, numberOf } from './images.js';

/** 1 − x. */
export function invert(images: Tensor): Tensor {
  const op = 'invert';
  const [, c] = imageShape(op, images);
  checkChannels(op, images, c, [1, 3]);
  return sub(1, images);
}

/** Pixels at or above `threshold` (≤ 1) inverted, the rest kept. */
export function solarize(images: Tensor, threshold: number): Tensor {
  const op = 'solarize';
  const [, c] = imageShape(op, images);
  checkChannels(op, images, c, [1, 3]);
  numberOf(op, 'threshold', threshold, (t) => t <= 1, 'a number ≤ 1 (the images\' largest value)');
  return tidy(() => where(greaterEqual(images, threshold), sub(1, images), images));
}

/** gain·x^gamma clamped to [0, 1]; gamma ≥ 0 (below 1 brightens the darks, above 1 darkens them). */
export function adjustGamma(images: Tensor, gamma: number, gain = 1): Tensor {
  const op = 'adjustGamma';
  const [, c] = imageShape(op, images);
  checkChannels(op, images, c, [1, 3]);
  numberOf(op, 'gamma', gamma, (g) => g >= 0, 'a number ≥ 0');
  numberOf(op, 'gain', gain, () => true, 'a finite number');
  // x^0 is 1 even at x = 0 (torch's pow); not every backend's pow says so.
  return tidy(() => clip(gamma === 0 ? add(mul(images, 0), gain) : mul(pow(images, gamma), gain), 0, 1));
}

/**
 * Each channel of each image stretched so its darkest pixel is 0 and its
 * brightest 1; a channel of one value is left as it is (torchvision: where
 * 1 / (max − min) is not finite).
 */
export function autocontrast(images: Tensor): Tensor {
  const op = 'autocontrast';
  const { images: x, c, unbatch } = asBatch(op, images);
  checkChannels(op, images, c, [1, 3]);
  return tidy(() => {
    const lo = min(x, [2, 3], { keepDims: true });
    const range = sub(max(x, [2, 3], { keepDims: true }), lo);
    const flat = equal(range, 0);
    // Flat channels: shifted by 0 and scaled by 1, and no division by their zero range.
    const scaled = div(sub(x, where(flat, 0, lo)), where(flat, 1, range));
    return unbatch(clip(scaled, 0, 1));
  });
}
