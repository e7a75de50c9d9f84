// The colour ops applied with a probability, Grayscale and GaussianBlur:
// each sample comes out as the functional op (or nothing) its draw says,
// tm.setSeed repeats the draws, p = 0 and 1 never and always apply, and
// gradients reach the images.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { expectClose, SEED } from '../helpers/data.js';
import { blurRef, sampleOf } from '../helpers/vision.js';
import { images } from './images.js';

const v = tm.vision;

function sample(x: tm.Tensor, n: number): tm.Tensor {
  return tm.slice(x, [n, 0, 0, 0], [1, ...x.shape.slice(1)]);
}

describe.each(BACKENDS)('vision random colour transforms on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
    tm.setSeed(SEED);
  });

  const cases = () => [
    { transform: new v.RandomGrayscale(0.5), op: (x: tm.Tensor) => v.rgbToGrayscale(x, 3) },
    { transform: new v.RandomInvert(), op: v.invert },
    { transform: new v.RandomSolarize(0.6, 0.4), op: (x: tm.Tensor) => v.solarize(x, 0.6) },
    { transform: new v.RandomAdjustSharpness(2.5, 0.7), op: (x: tm.Tensor) => v.adjustSharpness(x, 2.5) },
    { transform: new v.RandomAutocontrast(), op: v.autocontrast },
  ];

  it('each sample is the op or itself as its draw says; the seed repeats the draws; p = 0 and 1', async () => {
    const { t } = images([9, 3, 7, 13]);
    for (const { transform, op } of cases()) {
      const name = transform.constructor.name;
      tm.setSeed(77);
      const y = transform.forward(t);
      const drawn = transform.last!;
      expect(drawn.length).toBe(9);
      for (let n = 0; n < 9; n++) {
        const want = drawn[n].applied ? op(sample(t, n)) : sample(t, n);
        expectClose(await sample(y, n).data(), await want.data(), 1e-6, `${name} sample ${n}: ${JSON.stringify(drawn[n])}`);
      }
      expect(drawn.some((q) => q.applied) && drawn.some((q) => !q.applied), `${name}: both kinds among 9 (seed 77)`).toBe(true);
      tm.setSeed(77);
      transform.forward(t);
      expect(transform.last).toEqual(drawn);
      const Ctor = transform.constructor as new (...args: number[]) => typeof transform;
      const args = name === 'RandomSolarize' ? [0.6] : name === 'RandomAdjustSharpness' ? [2.5] : [];
      expect(new Ctor(...args, 0).forward(t)).toBe(t);
      expectClose(await new Ctor(...args, 1).forward(t).data(), await op(t).data(), 1e-6, `${name} p = 1`);
    }
  });

  it('RandomGrayscale keeps a grayscale image\'s one channel; Grayscale gives 1 or 3', async () => {
    const { t } = images([2, 1, 7, 5]);
    expectClose(await new v.RandomGrayscale(1).forward(t).data(), await t.data(), 0);
    const rgb = images([2, 3, 7, 5]).t;
    expect(new v.Grayscale().forward(rgb).shape).toEqual([2, 1, 7, 5]);
    expectClose(await new v.Grayscale(3).forward(rgb).data(), await v.rgbToGrayscale(rgb, 3).data(), 0);
  });

  it('GaussianBlur blurs each sample with its drawn sigma, as gaussianBlur does, within the range', async () => {
    const { ref, t } = images([5, 3, 9, 7]);
    const blur = new v.GaussianBlur([5, 3], [0.3, 1.8]);
    const y = await blur.forward(t).data();
    const [C, H, W] = [3, 9, 7];
    for (const [n, { sigma }] of blur.last!.entries()) {
      expect(sigma >= 0.3 && sigma < 1.8).toBe(true);
      expectClose(y.slice(n * C * H * W, (n + 1) * C * H * W), blurRef(sampleOf(ref, n), [5, 3], [sigma, sigma]).data, 1e-5, `sample ${n}, sigma ${sigma}`);
    }
    expect(new Set(blur.last!.map((q) => q.sigma)).size).toBe(5);
    // One image: one sigma, its rank kept; a fixed sigma.
    const single = tm.reshape(sample(t, 0), [3, 9, 7]);
    const fixed = new v.GaussianBlur(3, 0.8);
    expectClose(await fixed.forward(single).data(), await v.gaussianBlur(single, 3, 0.8).data(), 1e-6);
    expect(fixed.last).toEqual([{ sigma: 0.8 }]);
  });

  it('gradients reach the images through the random colour transforms and GaussianBlur', async () => {
    const { t } = images([4, 3, 5, 7]);
    for (const transform of [new v.RandomInvert(1), new v.GaussianBlur(3)]) {
      const x = t.clone();
      x.requiresGrad = true;
      transform.forward(x).sum().backward();
      // Σ invert: −1 each. Σ blur (reflect-padded, kernel summing to 1): positive, summing to the pixel count.
      const g = await x.grad!.data();
      if (transform instanceof v.RandomInvert) expectClose(g, new Float64Array(t.size).fill(-1), 0);
      else {
        expect(Array.from(g).every((d) => d > 0)).toBe(true);
        expect(Array.from(g).reduce((a, b) => a + b, 0)).toBeCloseTo(t.size, 3);
      }
    }
  });
});
