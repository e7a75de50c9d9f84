// posterize and equalize against torchvision's float definitions in float64
// (equalize through its uint8 steps, PIL's lut and the channels it leaves),
// and RandomPosterize / RandomEqualize applying them per sample.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { asF32, expectClose, randomInts, uniform } from '../helpers/data.js';
import { build, equalizeRef, posterizeRef, type Images, type Shape } from '../helpers/vision.js';
import { images, shapeOf, SHAPES } from './images.js';

const v = tm.vision;

async function expectImages(y: tm.Tensor, want: Images, single: boolean, what: string) {
  expect(y.shape, what).toEqual(shapeOf(want, single));
  expectClose(await y.data(), want.data, 1e-6, what);
}

/** Images from an f32 array, rank 3 where single. */
function tensorOf(ref: Images, single = false): tm.Tensor {
  return tm.tensor(Float32Array.from(ref.data), single ? ref.shape.slice(1) : ref.shape);
}

/** Pixels on few levels (k/levels), so histograms have tall bins and the lut steps are wide. */
function leveled(shape: Shape, levels: number): Images {
  const ks = randomInts(shape.reduce((a, b) => a * b), 0, levels + 1);
  return { data: asF32(ks.map((k) => k / levels)), shape };
}

describe.each(BACKENDS)('vision posterize and equalize on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it.each(SHAPES)('posterize at every bits 0 to 8, $shape (single $single)', async ({ shape, single }) => {
    const { ref, t } = images(shape, single);
    for (let bits = 0; bits <= 8; bits++) await expectImages(v.posterize(t, bits), posterizeRef(ref, bits), single, `bits ${bits}`);
    // 1 and values on a level's edge: 1 clamps to the top level, an edge stays.
    const edges = build([1, 1, 1, 4], (_, __, ___, j) => [1, 0.5, 0.25, 0][j]);
    expectClose(await v.posterize(tensorOf(edges), 1).data(), [0.5, 0.5, 0, 0], 0);
  });

  it.each(SHAPES)('equalize on images too small to equalize (step 0): the uint8 grid kept, $shape (single $single)', async ({ shape, single }) => {
    const { ref, t } = images(shape, single);
    await expectImages(v.equalize(t), equalizeRef(ref), single, 'equalize');
  });

  it.each([
    { shape: [2, 3, 17, 19] as Shape, single: false },
    { shape: [1, 1, 31, 29] as Shape, single: true },
    { shape: [3, 1, 16, 33] as Shape, single: false },
  ])('equalize maps each channel through its cumulative histogram, $shape (single $single)', async ({ shape, single }) => {
    const { ref, t } = images(shape, single);
    await expectImages(v.equalize(t), equalizeRef(ref), single, 'uniform pixels');
    for (const levels of [3, 10, 255]) {
      const few = leveled(shape, levels);
      await expectImages(v.equalize(tensorOf(few, single)), equalizeRef(few), single, `${levels + 1} levels`);
    }
  });

  it('equalize edge cases: a flat channel, all but a few pixels at the top, values outside [0, 1]', async () => {
    const [N, C, H, W] = [3, 3, 17, 19];
    const noise = uniform(N * C * H * W, 0, 1);
    const x = build([N, C, H, W], (n, c, i, j) => {
      const k = i * W + j;
      if (n === 0 && c === 1) return 0.37; // one value: step 0
      if (n === 1 && c === 0) return k < 250 ? noise[k] : 0.9; // 250 pixels below the top: step 0
      if (n === 1 && c === 2) return k < 300 ? noise[k] : 0.9; // 300 below: step 1
      if (n === 2 && c === 0) return 3 * noise[k] - 1; // clamped into [0, 1]
      return noise[((n * C + c) * H + i) * W + j];
    });
    const ref = { data: asF32(x.data), shape: x.shape };
    await expectImages(v.equalize(tensorOf(ref)), equalizeRef(ref), false, 'edge cases');
    const flat = await tm.slice(v.equalize(tensorOf(ref)), [0, 1, 0, 0], [1, 1, H, W]).data();
    expect(flat[0]).toBeCloseTo(Math.trunc(Math.fround(0.37 * Math.fround(255.999))) / 255, 6);
  });

  it('f16 images are equalized and posterized in their dtype', async () => {
    const { ref, t } = images([2, 3, 17, 17]);
    const half = t.cast('f16');
    const y = v.equalize(half);
    expect(y.dtype).toBe('f16');
    const refHalf = { data: Float64Array.from(await half.data()), shape: ref.shape };
    expectClose(await y.data(), equalizeRef(refHalf).data, 2e-3);
    expect(v.posterize(half, 3).dtype).toBe('f16');
  });

  it('RandomPosterize and RandomEqualize: each sample the op or itself as drawn; the seed repeats them', async () => {
    const { t } = images([9, 3, 17, 16]);
    const sample = (x: tm.Tensor, n: number) => tm.slice(x, [n, 0, 0, 0], [1, 3, 17, 16]);
    for (const [transform, op] of [[new v.RandomPosterize(3), (x: tm.Tensor) => v.posterize(x, 3)], [new v.RandomEqualize(), v.equalize]] as const) {
      tm.setSeed(77);
      const y = transform.forward(t);
      const drawn = transform.last!;
      for (let n = 0; n < 9; n++) expectClose(await sample(y, n).data(), await (drawn[n].applied ? op(sample(t, n)) : sample(t, n)).data(), 1e-6, `sample ${n}`);
      expect(drawn.some((q) => q.applied) && drawn.some((q) => !q.applied), 'both kinds among 9 (seed 77)').toBe(true);
      tm.setSeed(77);
      transform.forward(t);
      expect(transform.last).toEqual(drawn);
    }
  });
});

describe('vision posterize and equalize refuse', () => {
  beforeAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it('bits outside [0, 8] or not whole, and integer images', () => {
    const x = tm.zeros([1, 3, 4, 4]);
    expect(() => v.posterize(x, 9)).toThrow('posterize: bits must be an integer in [0, 8], got 9');
    expect(() => v.posterize(x, 2.5)).toThrow('posterize: bits must be an integer in [0, 8], got 2.5');
    expect(() => new v.RandomPosterize(-1)).toThrow('RandomPosterize: bits must be an integer in [0, 8], got -1');
    expect(() => new v.RandomEqualize(2)).toThrow('RandomEqualize: p must be a probability in [0, 1], got 2');
    expect(() => v.equalize(tm.zeros([3, 4, 4], { dtype: 'i32' }))).toThrow('equalize: images must be f32 or f16');
  });
});
