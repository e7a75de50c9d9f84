// Posterize (torchvision's posterize for float images): each value kept to
// `bits` bits, ⌊x·2^bits⌋ clamped to [0, 2^bits − 1], over 2^bits — the
// float form of masking a uint8's low bits (x in [0, 1)).
import { tidy } from '../engine.js';
import { ValueError, formatValue } from '../errors.js';
import { div, floor, maximum, minimum, mul, sub } from '../ops/elementwise.js';
import type { Tensor, TensorLike } from '../tensor.js';
import { imageShape } from './images.js';

/** Each value reduced to `bits` bits, an integer in [0, 8] (0 makes every pixel 0, 8 keeps 256 levels). No gradient (a step function). */
export function posterize(images: Tensor, bits: number): Tensor {
  const op = 'posterize';
  imageShape(op, images);
  return tidy(() => posterizeLevels(images, 2 ** checkBits(op, bits)));
}

/** bits checked: an integer in [0, 8], as torchvision's. */
export function checkBits(op: string, bits: unknown): number {
  if (!Number.isInteger(bits) || (bits as number) < 0 || (bits as number) > 8) throw new ValueError(`${op}: bits must be an integer in [0, 8], got ${formatValue(bits)}`);
  return bits as number;
}

/** ⌊x·levels⌋ clamped to [0, levels − 1], over levels; levels a power of two, a number or per sample [N, 1, 1, 1] (so the products and quotients are exact). */
export function posterizeLevels(x: Tensor, levels: TensorLike): Tensor {
  const top = typeof levels === 'number' ? levels - 1 : sub(levels, 1);
  return div(maximum(minimum(floor(mul(x, levels)), top), 0), levels);
}
