// The random transforms: each sample of a batch draws its own parameters,
// recorded in `last`, and comes out as the functional op with those
// parameters gives it alone; tm.setSeed repeats the draws; probabilities
// hold within binomial bounds; the drawn parameters keep their invariants.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { expectClose, SEED } from '../helpers/data.js';
import { normal } from '../../src/random.js';
import { images } from './images.js';

const v = tm.vision;

/** Sample n of a batch as a batch of one. */
function sample(x: tm.Tensor, n: number): tm.Tensor {
  return tm.slice(x, [n, 0, 0, 0], [1, ...x.shape.slice(1)]);
}

/** Each sample of `y` against `expected(sample of x, its params)`. */
async function expectPerSample<P>(x: tm.Tensor, y: tm.Tensor, params: P[] | null, expected: (xn: tm.Tensor, p: P) => tm.Tensor, what: string, tol = 1e-5) {
  expect(params).not.toBeNull();
  expect(params!.length).toBe(x.shape[0]);
  for (let n = 0; n < x.shape[0]; n++) {
    const want = expected(sample(x, n), params![n]);
    expect(want.shape.slice(1)).toEqual(y.shape.slice(1));
    expectClose(await sample(y, n).data(), await want.data(), tol, `${what}, sample ${n}: ${JSON.stringify(params![n])}`);
  }
}

describe.each(BACKENDS)('vision random transforms on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
    tm.setSeed(SEED);
  });

  it('RandomHorizontalFlip and RandomVerticalFlip flip the samples their draws say', async () => {
    const { t } = images([8, 3, 7, 13]);
    for (const [transform, op] of [[new v.RandomHorizontalFlip(), v.hflip], [new v.RandomVerticalFlip(0.7), v.vflip]] as const) {
      const y = transform.forward(t);
      await expectPerSample(t, y, transform.last, (xn, p) => (p.flipped ? op(xn) : xn), transform.constructor.name, 0);
    }
  });

  it('flip rates stay within a binomial bound of p, and p = 0 and 1 never and always flip', async () => {
    const n = 2000;
    // Each image [a, b]: flipped it reads [b, a].
    const x = tm.tensor(Float32Array.from({ length: 2 * n }, (_, k) => (k % 2 === 0 ? 0 : 1)), [n, 1, 1, 2]);
    for (const p of [0.3, 0.5, 0.9]) {
      const flip = new v.RandomHorizontalFlip(p);
      const y = await flip.forward(x).data();
      const flipped = Array.from({ length: n }, (_, k) => y[2 * k] === 1);
      expect(flipped).toEqual(flip.last!.map((q) => q.flipped));
      const count = flipped.filter(Boolean).length;
      expect(Math.abs(count - n * p), `p ${p}: ${count} of ${n} flipped (test seed ${SEED})`).toBeLessThan(5 * Math.sqrt(n * p * (1 - p)));
    }
    expect(new v.RandomVerticalFlip(0).forward(x)).toBe(x);
    const always = new v.RandomHorizontalFlip(1);
    expect(Array.from(await always.forward(x).data()).slice(0, 4)).toEqual([1, 0, 1, 0]);
  });

  it('the same seed draws the same parameters and images; another draws others', async () => {
    const { t } = images([6, 3, 13, 7]);
    const transform = new v.Compose([new v.RandomResizedCrop(5), new v.RandomHorizontalFlip(), new v.ColorJitter({ brightness: 0.4, hue: 0.2 }), new v.RandomRotation(30)]);
    tm.setSeed(1234);
    const a = await transform.forward(t).data();
    tm.setSeed(1234);
    const b = await transform.forward(t).data();
    tm.setSeed(1235);
    const c = await transform.forward(t).data();
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
    tm.setSeed(SEED);
  });

  it('RandomCrop crops each (padded) sample at its drawn place, and pads up to the size where asked', async () => {
    const { t } = images([6, 3, 7, 13]);
    const plain = new v.RandomCrop([5, 9]);
    await expectPerSample(t, plain.forward(t), plain.last, (xn, p) => v.crop(xn, p.top, p.left, 5, 9), 'RandomCrop', 0);
    for (const q of plain.last!) expect(q.top >= 0 && q.top <= 2 && q.left >= 0 && q.left <= 4).toBe(true);
    const padded = new v.RandomCrop(9, { padding: [1, 2], paddingMode: 'reflect' });
    await expectPerSample(t, padded.forward(t), padded.last, (xn, p) => v.crop(v.pad(xn, [1, 2], { paddingMode: 'reflect' }), p.top, p.left, 9, 9), 'padded RandomCrop', 0);
    const needed = new v.RandomCrop([9, 15], { padIfNeeded: true, fill: 0.5 });
    const y = needed.forward(t);
    expect(y.shape).toEqual([6, 3, 9, 15]);
    await expectPerSample(t, y, needed.last, (xn, p) => v.crop(v.pad(xn, [2, 2], { fill: 0.5 }), p.top, p.left, 9, 15), 'RandomCrop padIfNeeded', 0);
  });

  it('RandomResizedCrop resizes each sample\'s window, its area and ratio within range', async () => {
    const { t } = images([6, 3, 13, 13]);
    // Antialiased by default (torchvision's), the windows shrunk or grown; nearest ignores antialias, as torchvision does.
    const cases = [['bilinear', true], ['bilinear', false], ['bicubic', true], ['bicubic', false], ['nearest', true]] as const;
    for (const [interpolation, antialias] of cases) {
      const transform = new v.RandomResizedCrop([7, 5], { scale: [0.2, 0.9], ratio: [0.5, 2], interpolation, ...(antialias ? {} : { antialias }) });
      const y = transform.forward(t);
      expect(y.shape).toEqual([6, 3, 7, 5]);
      await expectPerSample(t, y, transform.last, (xn, p) => v.resize(v.crop(xn, p.top, p.left, p.height, p.width), [7, 5], { interpolation, antialias }), `RandomResizedCrop ${interpolation} antialias ${antialias}`);
      for (const p of transform.last!) {
        expect(p.top >= 0 && p.left >= 0 && p.top + p.height <= 13 && p.left + p.width <= 13).toBe(true);
        // Sides rounded from the drawn area and ratio: within half a pixel of the ranges.
        expect(((p.height + 1) * (p.width + 1)) / 169).toBeGreaterThanOrEqual(0.2);
        expect(((p.height - 1) * (p.width - 1)) / 169).toBeLessThanOrEqual(0.9);
        expect((p.width + 0.5) / (p.height - 0.5)).toBeGreaterThanOrEqual(0.5);
        expect((p.width - 0.5) / (p.height + 0.5)).toBeLessThanOrEqual(2);
      }
    }
    // Windows shrunk 7 to 20 times read more pixels an output than are gathered one by one: a product per sample.
    const { t: big } = images([3, 2, 40, 37]);
    for (const interpolation of ['bilinear', 'bicubic'] as const) {
      const transform = new v.RandomResizedCrop([3, 2], { scale: [0.5, 1], interpolation });
      await expectPerSample(big, transform.forward(big), transform.last, (xn, p) => v.resize(v.crop(xn, p.top, p.left, p.height, p.width), [3, 2], { interpolation }), `RandomResizedCrop ${interpolation} shrinking`);
    }
    // No window of ratio 3–4 fits a 13 × 2 image: the fallback, the widest such window centred.
    const fallback = new v.RandomResizedCrop(3, { scale: [0.5, 1], ratio: [3, 4] });
    fallback.forward(tm.zeros([1, 1, 13, 2]));
    expect(fallback.last).toEqual([{ top: 6, left: 0, height: 1, width: 2 }]);
  });

  it('RandomResizedCrop passes gradients back to each sample\'s window, as resize(crop) does', async () => {
    const { t } = images([4, 2, 11, 9]);
    for (const [interpolation, antialias] of [['bicubic', true], ['bilinear', true], ['bicubic', false]] as const) {
      const x = t.add(0);
      x.requiresGrad = true;
      const transform = new v.RandomResizedCrop([5, 4], { scale: [0.3, 1], interpolation, antialias });
      const y = transform.forward(x);
      const g = tm.randn(y.shape, { seed: 5 });
      y.mul(g).sum().backward();
      const x2 = t.add(0);
      x2.requiresGrad = true;
      const terms = transform.last!.map((p, n) => v.resize(v.crop(sample(x2, n), p.top, p.left, p.height, p.width), [5, 4], { interpolation, antialias }).mul(sample(g, n)).sum());
      terms.reduce((a, b) => a.add(b)).backward();
      expectClose(await x.grad!.data(), await x2.grad!.data(), 1e-5, `${interpolation} antialias ${antialias} gradient`);
    }
  });

  it('RandomRotation and RandomAffine warp each sample by its drawn map', async () => {
    const { t } = images([5, 3, 7, 13]);
    const rotation = new v.RandomRotation([-40, 70], { interpolation: 'bilinear' });
    await expectPerSample(t, rotation.forward(t), rotation.last, (xn, p) => v.rotate(xn, -p.angle, { interpolation: 'bilinear', fill: 0 }), 'RandomRotation', 1e-4);
    for (const p of rotation.last!) expect(-p.angle >= -40 && -p.angle <= 70).toBe(true);
    const aff = new v.RandomAffine(25, { translate: [0.2, 0.3], scale: [0.7, 1.3], shear: [-10, 10, -5, 5], interpolation: 'bilinear', fill: [0.1, 0.2, 0.3] });
    await expectPerSample(t, aff.forward(t), aff.last, (xn, p) => v.affine(xn, { ...p, interpolation: 'bilinear', fill: [0.1, 0.2, 0.3] }), 'RandomAffine', 1e-4);
    for (const p of aff.last!) {
      expect(Math.abs(p.angle) <= 25 && p.scale >= 0.7 && p.scale <= 1.3).toBe(true);
      expect(Number.isInteger(p.translate[0]) && Math.abs(p.translate[0]) <= Math.round(0.2 * 13)).toBe(true);
      expect(Number.isInteger(p.translate[1]) && Math.abs(p.translate[1]) <= Math.round(0.3 * 7)).toBe(true);
      expect(Math.abs(p.shear[0]) <= 10 && Math.abs(p.shear[1]) <= 5).toBe(true);
    }
  });

  it('RandomRotation with expand draws one angle for the batch (its size follows it), bicubic as rotate gives it', async () => {
    const { t } = images([3, 3, 7, 13]);
    const rotation = new v.RandomRotation([10, 80], { expand: true, interpolation: 'bicubic' });
    const y = rotation.forward(t);
    const angles = rotation.last!.map((p) => p.angle);
    expect(new Set(angles).size).toBe(1);
    await expectPerSample(t, y, rotation.last, (xn, p) => v.rotate(xn, -p.angle, { interpolation: 'bicubic', fill: 0, expand: true }), 'RandomRotation expand', 1e-4);
    expect(y.shape[2]).toBeGreaterThan(7);
    expect(() => rotation.apply(t, [{ ...rotation.last![0] }, { ...rotation.last![0], angle: 5 }, rotation.last![0]])).toThrow('RandomRotation: with expand, every sample must take the same angle');
  });

  it('RandomPerspective warps the samples its draws pick by their drawn corners, each within distortionScale of its own', async () => {
    // 16 samples: none of them warped at p = 0.6 has chance 0.4^16 ≈ 4e-7 (of 8, 7e-4 a backend: one CI run in 500).
    const { t } = images([16, 3, 9, 13]);
    const transform = new v.RandomPerspective({ distortionScale: 0.6, p: 0.6, interpolation: 'bicubic', fill: [0.2, 0.4, 0.6] });
    const y = transform.forward(t);
    await expectPerSample(t, y, transform.last, (xn, p) => (p ? v.perspective(xn, p.startpoints, p.endpoints, { interpolation: 'bicubic', fill: [0.2, 0.4, 0.6] }) : xn), 'RandomPerspective', 1e-4);
    const drawn = transform.last!.filter((p) => p !== null);
    expect(drawn.length, `warped samples of 16 (test seed ${SEED})`).toBeGreaterThan(0);
    // Corners move inwards by whole pixels, at most 0.6·⌊13/2⌋ = 3 across and 0.6·⌊9/2⌋ = 2 down.
    for (const p of drawn) {
      expect(p!.startpoints).toEqual([[0, 0], [12, 0], [12, 8], [0, 8]]);
      const moves = p!.endpoints.map(([x, y], k) => [Math.abs(x - p!.startpoints[k][0]), Math.abs(y - p!.startpoints[k][1])]);
      for (const [dx, dy] of moves) expect(Number.isInteger(dx) && Number.isInteger(dy) && dx <= 3 && dy <= 2, JSON.stringify(p)).toBe(true);
    }
    expect(new v.RandomPerspective({ p: 0 }).forward(t)).toBe(t);
    const always = new v.RandomPerspective({ p: 1 });
    always.forward(t);
    expect(always.last!.every((p) => p !== null)).toBe(true);
    // A side of one pixel puts two corners on one point: refused, unless nothing is warped.
    const thin = images([2, 3, 1, 5]).t;
    expect(() => new v.RandomPerspective({ p: 1 }).forward(thin)).toThrow('RandomPerspective: images 1×5 (H×W) have corners that coincide');
    expect(new v.RandomPerspective({ p: 0 }).forward(thin)).toBe(thin);
  });

  it('ColorJitter applies each sample\'s factors in its drawn order, and keeps values in [0, 1]', async () => {
    for (const shape of [[8, 3, 7, 13], [4, 1, 13, 7]] as const) {
      const { t } = images([...shape]);
      const jitter = new v.ColorJitter({ brightness: 0.5, contrast: [0.2, 1.8], saturation: 0.7, hue: 0.3 });
      const y = jitter.forward(t);
      const ops = [v.adjustBrightness, v.adjustContrast, v.adjustSaturation, v.adjustHue];
      const names = ['brightness', 'contrast', 'saturation', 'hue'] as const;
      await expectPerSample(t, y, jitter.last, (xn, p) => p.order.reduce((x, k) => ops[k](x, p[names[k]]!), xn), `ColorJitter C=${shape[1]}`, 1e-4);
      const values = await y.data();
      expect(Math.min(...values) >= 0 && Math.max(...values) <= 1 + 1e-6).toBe(true);
      for (const p of jitter.last!) {
        expect([...p.order].sort()).toEqual([0, 1, 2, 3]);
        expect(p.brightness! >= 0.5 && p.brightness! <= 1.5 && p.contrast! >= 0.2 && p.contrast! <= 1.8).toBe(true);
        expect(p.saturation! >= 0.3 && p.saturation! <= 1.7 && Math.abs(p.hue!) <= 0.3).toBe(true);
      }
    }
    const some = new v.ColorJitter({ contrast: 0.5 });
    some.forward(images([2, 3, 7, 7]).t);
    expect(some.last!.map((p) => [p.brightness, p.saturation, p.hue])).toEqual([[null, null, null], [null, null, null]]);
  });

  it('RandomErasing erases each sample\'s drawn box with a value, a colour or its seeded noise', async () => {
    const { t } = images([8, 3, 13, 7]);
    for (const value of [0.5, [0.1, 0.2, 0.3]] as const) {
      const erasing = new v.RandomErasing({ p: 0.7, value: value as number | number[] });
      await expectPerSample(t, erasing.forward(t), erasing.last, (xn, p) => (p.height ? v.erase(xn, p.top, p.left, p.height, p.width, value as number | number[]) : xn), `RandomErasing ${value}`, 0);
      for (const p of erasing.last!) expect(p.height === 0 || (p.top + p.height <= 13 && p.left + p.width <= 7 && p.height < 13 && p.width < 7)).toBe(true);
    }
    const noisy = new v.RandomErasing({ p: 1, value: 'random', scale: [0.2, 0.4] });
    const y = noisy.forward(t);
    await expectPerSample(t, y, noisy.last, (xn, p) => {
      if (!p.height) return xn;
      return v.erase(xn, p.top, p.left, p.height, p.width, tm.tensor(normal(3 * p.height * p.width, 0, 1, p.seed), [3, p.height, p.width]));
    }, 'RandomErasing random', 0);
  });

  it('RandomErasing\'s rate of erased samples stays within a binomial bound of p', async () => {
    const n = 1000;
    const erasing = new v.RandomErasing({ p: 0.4, scale: [0.1, 0.3], ratio: [0.5, 2] });
    erasing.forward(tm.zeros([n, 1, 13, 13]));
    const count = erasing.last!.filter((p) => p.height > 0).length;
    expect(Math.abs(count - n * 0.4), `${count} of ${n} erased (test seed ${SEED})`).toBeLessThan(5 * Math.sqrt(n * 0.4 * 0.6));
  });

  it('a single image [C, H, W] draws one set of parameters and keeps its rank', async () => {
    const { t } = images([1, 3, 13, 7], true);
    for (const transform of [new v.RandomCrop(5), new v.RandomResizedCrop(4), new v.RandomRotation(20), new v.ColorJitter({ hue: 0.2 }), new v.RandomErasing({ p: 1 }), new v.RandomHorizontalFlip(1)]) {
      const y = transform.forward(t);
      expect(y.rank).toBe(3);
      expect(transform.last).toHaveLength(1);
    }
  });
});
