// tm.vision in training pipelines: a Compose of random transforms mapped
// over a tm.data dataset's batches (or its samples), freeing what it makes;
// and gradients flowing back through the transforms to the images.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { expectClose, SEED } from '../helpers/data.js';
import { collected } from '../helpers/gc.js';
import { images } from './images.js';

const v = tm.vision;

const augment = () => new v.Compose([
  new v.RandomResizedCrop(6, { scale: [0.5, 1] }),
  new v.RandomHorizontalFlip(),
  new v.ColorJitter({ brightness: 0.3, contrast: 0.3, saturation: 0.3, hue: 0.1 }),
  (x: tm.Tensor) => v.gaussianBlur(x, 3),
  new v.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225]),
  new v.RandomErasing({ p: 0.5 }),
]);

describe.each(BACKENDS)('vision in pipelines on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it('dataset.map applies a Compose to each batch as it would to the batch directly, leaving memory where it was', async () => {
    const { t: x } = images([10, 3, 13, 7]);
    const y = tm.arange(0, 10, 1, { dtype: 'i32' });
    const transform = augment();
    const ds = tm.data.fromTensors(x, y).batch(4).map(({ x, y }) => ({ x: transform.forward(x), y }));
    await ds.forEachAsync(() => undefined);
    // Counted once the garbage of earlier tests is collected: its finalizers would otherwise free it at whatever await a
    // collection falls before, 27 tensors then 2 (seed 506 on webgpu, one run in three).
    const before = await collected();
    tm.setSeed(SEED);
    const batches: { x: ArrayLike<number>; shape: readonly number[]; y: number[] }[] = [];
    await ds.forEachAsync(async (b) => void batches.push({ x: await b.x.data(), shape: b.x.shape, y: Array.from(await b.y.data()) }));
    expect(tm.memory().numTensors).toBe(before);
    expect(batches.map((b) => b.shape)).toEqual([[4, 3, 6, 6], [4, 3, 6, 6], [2, 3, 6, 6]]);
    expect(batches.map((b) => b.y)).toEqual([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]);
    // The same draws, batch by batch, outside the pipeline.
    tm.setSeed(SEED);
    for (const [k, b] of batches.entries()) {
      const direct = transform.forward(tm.slice(x, [4 * k, 0, 0, 0], [b.shape[0], 3, 13, 7]));
      expectClose(b.x, await direct.data(), 1e-6, `batch ${k}`);
    }
  });

  it('maps sample by sample too, before batching', async () => {
    const { t: x } = images([5, 3, 13, 7]);
    const flip = new v.RandomHorizontalFlip(1);
    const ds = tm.data.fromTensors(x).map((image) => v.centerCrop(flip.forward(image), 5)).batch(5);
    const [batch] = await ds.toArray();
    expect(batch.shape).toEqual([5, 3, 5, 5]);
    expectClose(await batch.data(), await v.centerCrop(v.hflip(x), 5).data(), 0);
  });

  it('gradients flow back through the transforms to the images', async () => {
    const { t: x } = images([2, 3, 7, 7]);
    x.requiresGrad = true;
    const std = [0.5, 0.25, 2];
    v.normalize(v.hflip(v.crop(x, 1, 2, 4, 5)), 0, std).sum().backward();
    // d/dx of Σ (x / std): 1/std[c] inside the crop, 0 outside.
    const want = new Float64Array(2 * 3 * 49).map((_, k) => {
      const [c, i, j] = [Math.floor(k / 49) % 3, Math.floor(k / 7) % 7, k % 7];
      return i >= 1 && i < 5 && j >= 2 && j < 7 ? 1 / std[c] : 0;
    });
    expectClose(await x.grad!.data(), want, 1e-6);
  });

  it('the geometric and colour additions chain in a Compose: the seed repeats them, and gradients reach every pixel that is read', async () => {
    const { t } = images([4, 3, 13, 11]);
    const chain = () => new v.Compose([
      new v.RandomApply([new v.RandomPerspective({ p: 1, distortionScale: 0.3 })], 0.7),
      new v.RandomChoice([new v.RandomInvert(1), new v.RandomAdjustSharpness(2, 1), new v.RandomGrayscale(1)]),
      new v.RandomOrder([new v.GaussianBlur(3, [0.5, 1]), new v.RandomSolarize(0.8, 0.5), new v.RandomAutocontrast(0.5)]),
      new v.ElasticTransform({ alpha: 5, sigma: 1 }),
      new v.RandomRotation(20, { interpolation: 'bicubic', expand: true }),
    ]);
    tm.setSeed(SEED);
    const a = chain().forward(t);
    tm.setSeed(SEED);
    const b = chain().forward(t);
    expect(a.shape).toEqual(b.shape);
    expectClose(await a.data(), await b.data(), 0);
    const x = t.clone();
    x.requiresGrad = true;
    chain().forward(x).sum().backward();
    const g = await x.grad!.data();
    expect(Array.from(g).every(Number.isFinite)).toBe(true);
    expect(Array.from(g).some((d) => d !== 0)).toBe(true);
    // Some 40 ops' forward and backward programs, each compiled on first use: 12-25 s on lavapipe alone, more beside other tests.
  }, 120_000);
});
