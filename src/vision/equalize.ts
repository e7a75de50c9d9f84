// Histogram equalization (torchvision v2's equalize, PIL's scheme) for float
// images: each channel of each image is read as uint8 as torchvision
// converts it, q = ⌊x·255.999⌋ (f32), and mapped through its own cumulative
// histogram: lut[v] = ⌊(count(q < v) + ⌊step/2⌋) / step⌋ clamped to 255,
// step = ⌊(pixels not at the channel's largest value) / 255⌋; a channel
// whose step is 0 (one value, or nearly all pixels at the top) keeps q.
// The result is q' / 255, so even a kept channel comes back on the 8-bit
// grid, as torchvision's does. The histograms are one scatter-add over the
// batch; the lookup one gather; the integer steps exact in i32.
import { tidy } from '../engine.js';
import { cast } from '../ops/cast.js';
import { arange, ones } from '../ops/creation.js';
import { add, clip, div, equal, floor, less, maximum, minimum, mul, sub, where } from '../ops/elementwise.js';
import { cumsum, gather, reshape, scatterRows } from '../ops/movement.js';
import { max, sum } from '../ops/reduce.js';
import { onBackendOf } from '../ops/util.js';
import type { Tensor } from '../tensor.js';
import { asBatch } from './images.js';

/** 255 + 1 − 10⁻³ in f32: torchvision's float → uint8 scale, which sends [0, 1] onto all 256 values. */
const TO_UINT8 = Math.fround(255.999);

/** Each channel of each image equalized, on the 8-bit grid; values outside [0, 1] count as 0 or 1. No gradient (a step function). */
export function equalize(images: Tensor): Tensor {
  const op = 'equalize';
  const { images: x, n, c, h, w, unbatch } = asBatch(op, images);
  const rows = n * c;
  const pixels = h * w;
  return tidy(() => {
    const q = reshape(floor(mul(clip(cast(x, 'f32'), 0, 1), TO_UINT8)), [rows, pixels]);
    // Each pixel's slot in its channel's 256-bin histogram, all channels' histograms end to end.
    const base = onBackendOf(op, x, () => reshape(mul(arange(0, rows, 1, { dtype: 'i32' }), 256), [rows, 1]));
    const slots = reshape(add(cast(q, 'i32'), base), [rows * pixels]);
    const hist = reshape(scatterRows(onBackendOf(op, x, () => ones([rows * pixels])), slots, [rows * 256], 0), [rows, 256]);
    const below = cast(sub(cumsum(hist, 1), hist), 'i32'); // count(q < v), exact: counts stay far below 2²⁴
    const notAtMax = sum(cast(less(q, max(q, 1, { keepDims: true })), 'i32'), 1, { keepDims: true });
    const step = div(notAtMax, 255, { roundingMode: 'floor' });
    const lut = minimum(div(add(below, div(step, 2, { roundingMode: 'floor' })), maximum(step, 1), { roundingMode: 'floor' }), 255);
    const mapped = reshape(gather(reshape(cast(lut, 'f32'), [rows * 256]), slots, 0), [rows, pixels]);
    const levels = where(equal(step, 0), q, mapped);
    return unbatch(cast(reshape(mul(levels, 1 / 255), [n, c, h, w]), x.dtype));
  });
}
