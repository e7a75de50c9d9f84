// normalize, grayscale and the colour adjustments against torchvision's
// definitions in float64: blends with black, the grayscale mean and the
// grayscale, clamped to [0, 1]; hue through its HSV sectors.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { expectClose, uniform } from '../helpers/data.js';
import { at, brightnessRef, build, contrastRef, grayRef, hueRef, normalizeRef, saturationRef, type Images } from '../helpers/vision.js';
import { images, shapeOf, SHAPES } from './images.js';

async function expectImages(y: tm.Tensor, want: Images, single: boolean, what: string, tol = 1e-5) {
  expect(y.shape, what).toEqual(shapeOf(want, single));
  expectClose(await y.data(), want.data, tol, what);
}

describe.each(BACKENDS)('vision colour on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it.each(SHAPES)('normalize per channel and with one value for all, $shape (single $single)', async ({ shape, single }) => {
    const { ref, t } = images(shape, single);
    const c = shape[1];
    const mean = Array.from(uniform(c, 0, 1));
    const std = Array.from(uniform(c, 0.1, 1));
    await expectImages(tm.vision.normalize(t, mean, std), normalizeRef(ref, mean, std), single, 'per channel');
    await expectImages(tm.vision.normalize(t, 0.5, [0.25]), normalizeRef(ref, Array(c).fill(0.5), Array(c).fill(0.25)), single, 'one value');
  });

  it.each(SHAPES)('rgbToGrayscale to 1 and 3 channels, $shape (single $single)', async ({ shape, single }) => {
    const { ref, t } = images(shape, single);
    const gray = grayRef(ref);
    await expectImages(tm.vision.rgbToGrayscale(t), gray, single, 'one channel');
    if (shape[1] === 3) {
      const three = build(ref.shape, (n, _c, i, j) => at(gray, n, 0, i, j));
      await expectImages(tm.vision.rgbToGrayscale(t, 3), three, single, 'three channels');
    }
  });

  it.each(SHAPES)('adjustBrightness, adjustContrast, adjustSaturation at factors 0 to 2, $shape (single $single)', async ({ shape, single }) => {
    const { ref, t } = images(shape, single);
    for (const f of [0, 1, ...uniform(2, 0, 2)]) {
      await expectImages(tm.vision.adjustBrightness(t, f), brightnessRef(ref, f), single, `brightness ${f}`);
      await expectImages(tm.vision.adjustContrast(t, f), contrastRef(ref, f), single, `contrast ${f}`);
      await expectImages(tm.vision.adjustSaturation(t, f), saturationRef(ref, f), single, `saturation ${f}`);
    }
  });

  it.each(SHAPES)('adjustHue over the wheel, $shape (single $single)', async ({ shape, single }) => {
    const { ref, t } = images(shape, single);
    for (const f of [-0.5, 0, 0.5, ...uniform(2, -0.5, 0.5)]) {
      await expectImages(tm.vision.adjustHue(t, f), hueRef(ref, f), single, `hue ${f}`);
    }
  });

  it('adjustHue on grays, pure colours and ties between channels, where the HSV sectors meet', async () => {
    // Pixels [r, g, b]: gray, primaries, secondaries, two channels tied for the largest, black and white.
    const pixels = [[0.5, 0.5, 0.5], [1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 0], [0, 1, 1], [1, 0, 1], [0.8, 0.8, 0.2], [0.3, 0.9, 0.9], [0.7, 0.1, 0.7], [0, 0, 0], [1, 1, 1]];
    const data = new Float64Array(3 * pixels.length).map((_, k) => pixels[k % pixels.length][Math.floor(k / pixels.length)]);
    const ref: Images = { data, shape: [1, 3, 1, pixels.length] };
    for (const f of [0.1, -0.25, 1 / 3, 0.5]) {
      await expectImages(tm.vision.adjustHue(tm.tensor(data, ref.shape), f), hueRef(ref, f), false, `hue ${f}`);
    }
  });
});
