// gaussianBlur against torchvision's gaussian_blur in float64: reflect
// padding and the outer product of two normalised 1-D Gaussians.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { expectClose, uniform } from '../helpers/data.js';
import { blurRef } from '../helpers/vision.js';
import { images, shapeOf, SHAPES } from './images.js';

describe.each(BACKENDS)('gaussianBlur on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it.each(SHAPES)('square and [x, y] kernels, given and default sigmas, $shape (single $single)', async ({ shape, single }) => {
    const { ref, t } = images(shape, single);
    const [, , H, W] = shape;
    // Reflect padding by (k − 1)/2 needs more pixels than that: the largest odd kernel each axis allows, and smaller.
    const largest = (n: number) => Math.min(7, 2 * n - 1);
    const cases: { k: [number, number]; sigma?: [number, number] }[] = [
      { k: [largest(W), largest(H)] },
      { k: [largest(W), 1], sigma: [uniform(1, 0.3, 2)[0], 1] },
      { k: [1, largest(H)], sigma: [1, uniform(1, 0.3, 2)[0]] },
      { k: [3 <= largest(W) ? 3 : 1, 5 <= largest(H) ? 5 : 1], sigma: Array.from(uniform(2, 0.3, 3)) as [number, number] },
    ];
    for (const { k, sigma } of cases) {
      const y = tm.vision.gaussianBlur(t, k, sigma);
      const s = sigma ?? (k.map((n) => 0.3 * ((n - 1) * 0.5 - 1) + 0.8) as [number, number]);
      expect(y.shape).toEqual(shapeOf(ref, single));
      expectClose(await y.data(), blurRef(ref, k, s).data, 1e-5, `kernel ${k} sigma ${s}`);
    }
  });

  it('blurs a square kernel given as one number with one sigma, and refuses a kernel the image is too small to reflect', async () => {
    const { ref, t } = images([2, 3, 13, 7]);
    expectClose(await tm.vision.gaussianBlur(t, 5, 1.5).data(), blurRef(ref, [5, 5], [1.5, 1.5]).data, 1e-5);
    expect(() => tm.vision.gaussianBlur(t, [15, 3])).toThrow('gaussianBlur: kernelSize [15, 3] reflect-pads by 7×1 (x×y), which needs images larger than that; got 7×13');
  });
});
