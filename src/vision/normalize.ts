// Standardising images channel by channel (torchvision's normalize): the
// usual last step before a network, (x − mean[c]) / std[c].
import { tidy } from '../engine.js';
import { ValueError, formatValue } from '../errors.js';
import { div, sub } from '../ops/elementwise.js';
import type { Tensor } from '../tensor.js';
import { asBatch, constantLike, perChannel } from './images.js';

/** (images − mean) / std per channel; mean and std are numbers or lists of 1 or C values, std nonzero. */
export function normalize(images: Tensor, mean: number | readonly number[], std: number | readonly number[]): Tensor {
  const op = 'normalize';
  const { images: x, c, unbatch } = asBatch(op, images);
  const m = perChannel(op, 'mean', mean, images, c);
  const s = perChannel(op, 'std', std, images, c);
  if (s.includes(0)) throw new ValueError(`${op}: std ${formatValue(std)} has a zero, which would divide by zero`);
  return tidy(() => unbatch(div(sub(x, constantLike(op, x, m, [1, c, 1, 1])), constantLike(op, x, s, [1, c, 1, 1]))));
}
