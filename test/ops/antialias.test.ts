// Antialiased resizing against PyTorch's definition (F.interpolate with
// antialias=True) in float64 (helpers/antialias.ts), the axis's scale r
// being n/m, 1/s for a scale factor, (n − 1)/(m − 1) with aligned corners;
// gradients as the weights' transpose; and values worked out by hand.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { aaWeights, filterOf, separable, type Filter } from '../helpers/antialias.js';
import { expectClose, uniform } from '../helpers/data.js';

function scaleOf(n: number, m: number, align: boolean, factor?: number): number {
  if (align) return m > 1 ? (n - 1) / (m - 1) : 0;
  return factor === undefined ? n / m : 1 / factor;
}

const MODES: [tm.InterpolateMode, Filter][] = [['bilinear', 'linear'], ['bicubic', 'cubic']];

describe.each(BACKENDS)('antialiased interpolate on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it.each([
    { from: [17, 13], to: [5, 7] }, { from: [9, 8], to: [4, 3] }, { from: [6, 11], to: [13, 4] }, { from: [5, 7], to: [5, 2] }, { from: [3, 4], to: [7, 9] }, { from: [12, 10], to: [1, 1] }, { from: [40, 9], to: [3, 2] },
  ])('2d $from → $to, bilinear and bicubic, corners aligned or not, with gradients (40 → 3 reads more inputs an output than it gathers: a product)', async ({ from, to }) => {
    const [n, c] = [2, 3];
    const x = Float64Array.from(uniform(n * c * from[0] * from[1]).map(Math.fround));
    const g = Float64Array.from(uniform(n * c * to[0] * to[1]).map(Math.fround));
    for (const [mode, kind] of MODES) {
      for (const alignCorners of [false, true]) {
        const t = tm.tensor(x, [n, c, ...from]);
        t.requiresGrad = true;
        const y = tm.interpolate2d(t, { size: to as [number, number], mode, alignCorners, antialias: true });
        expect(y.shape).toEqual([n, c, ...to]);
        const [wh, ww] = [0, 1].map((a) => aaWeights(from[a], to[a], kind, scaleOf(from[a], to[a], alignCorners)));
        const want = separable(x, n * c, from, wh, ww, g);
        expectClose(await y.data(), want.y, 1e-5, `${mode} align ${alignCorners}`);
        y.mul(tm.tensor(g, y.shape)).sum().backward();
        expectClose(await t.grad!.data(), want.dx, 1e-5, `${mode} align ${alignCorners} gradient`);
      }
    }
  });

  it('scale factors (0.37, mixed down and up), mapping back by 1/s; a sequence\'s linear', async () => {
    const from = [19, 11];
    const x = Float64Array.from(uniform(3 * from[0] * from[1]).map(Math.fround));
    const none = new Float64Array(0);
    for (const factors of [[0.37, 0.37], [0.45, 1.7], [1.3, 0.6]] as [number, number][]) {
      const to = [0, 1].map((a) => Math.floor(from[a] * factors[a]));
      for (const [mode, kind] of MODES) {
        const y = tm.interpolate2d(tm.tensor(x, [1, 3, ...from]), { scaleFactor: factors, mode, antialias: true });
        expect(y.shape).toEqual([1, 3, ...to]);
        const [wh, ww] = [0, 1].map((a) => aaWeights(from[a], to[a], kind, scaleOf(from[a], to[a], false, factors[a])));
        expectClose(await y.data(), separable(x, 3, from, wh, ww, new Float64Array(3 * to[0] * to[1])).y, 1e-5, `${mode} ×${factors}`);
      }
    }
    // f16 images take f16 weights and give f16, within f16's rounding of the sums.
    const half = tm.interpolate2d(tm.tensor(x, [1, 3, ...from]).cast('f16'), { scaleFactor: 0.37, mode: 'bicubic', antialias: true });
    expect(half.dtype).toBe('f16');
    const ref = tm.interpolate2d(tm.tensor(x, [1, 3, ...from]).cast('f16').cast('f32'), { scaleFactor: 0.37, mode: 'bicubic', antialias: true });
    expectClose(await half.data(), await ref.data(), 1e-2, 'f16', new Float64Array(half.size).fill(1));
    // Sequences [N, C, L]: the triangle along their length, by a size or a factor.
    const seq = Float64Array.from(uniform(2 * 23).map(Math.fround));
    for (const [options, m, r] of [[{ size: 6 }, 6, 23 / 6], [{ scaleFactor: 0.3 }, 6, 1 / 0.3], [{ size: 4, alignCorners: true }, 4, 22 / 3]] as const) {
      const y = tm.interpolate1d(tm.tensor(seq, [1, 2, 23]), { ...options, mode: 'linear', antialias: true });
      expectClose(await y.data(), separable(seq, 2, [1, 23], [[1]], aaWeights(23, m, 'linear', r), none).y, 1e-5, `linear ${JSON.stringify(options)}`);
    }
  });

  it('4 → 2 bilinear weighs the triangle of width 4 over each half: [3, 3, 1]/7 and [1, 3, 3]/7; upscaling bilinear is plain bilinear, upscaling bicubic is not', async () => {
    const row = tm.tensor([[[[1, 2, 3, 4]]]]);
    expectClose(await tm.interpolate2d(row, { size: [1, 2], mode: 'bilinear', antialias: true }).data(), [12 / 7, 23 / 7], 1e-6);
    // Bicubic 4 → 2: support 4 around centres 1 and 3 reaches all four inputs, at (j + ½ − c)/2.
    const k = filterOf('cubic');
    const w0 = [k(-0.25), k(0.25), k(0.75), k(1.25)];
    const w1 = [k(-1.25), k(-0.75), k(-0.25), k(0.25)];
    const dot = (w: number[]) => w.reduce((s, v, j) => s + v * (j + 1), 0) / w.reduce((s, v) => s + v, 0);
    expectClose(await tm.interpolate2d(row, { size: [1, 2], mode: 'bicubic', antialias: true }).data(), [dot(w0), dot(w1)], 1e-6);
    const images = tm.randn([2, 3, 5, 6], { seed: 3 });
    const plain = await tm.interpolate2d(images, { size: [9, 11], mode: 'bilinear' }).data();
    expectClose(await tm.interpolate2d(images, { size: [9, 11], mode: 'bilinear', antialias: true }).data(), plain, 1e-5, 'upscaled bilinear');
    const cubic = await tm.interpolate2d(images, { size: [9, 11], mode: 'bicubic' }).data();
    const aa = await tm.interpolate2d(images, { size: [9, 11], mode: 'bicubic', antialias: true }).data();
    expect(Math.max(...aa.map((v, i) => Math.abs(v - cubic[i])))).toBeGreaterThan(1e-3);
  });

  it('keeps an axis of unchanged size as it is, whatever the scale factor', async () => {
    const x = Float64Array.from(uniform(2 * 10 * 7).map(Math.fround));
    const images = tm.tensor(x, [1, 2, 10, 7]);
    // 10 × 1.05 is still 10 rows: untouched (not read at (i + ½)/1.05); the columns 7 → 3 at r = 1/0.5.
    const y = tm.interpolate2d(images, { scaleFactor: [1.05, 0.5], mode: 'bicubic', antialias: true });
    expect(y.shape).toEqual([1, 2, 10, 3]);
    const rows = Array.from({ length: 10 }, (_, i) => Array.from({ length: 10 }, (_, j) => (i === j ? 1 : 0)));
    expectClose(await y.data(), separable(x, 2, [10, 7], rows, aaWeights(7, 3, 'cubic', 2), new Float64Array(60)).y, 1e-5);
    expect(await tm.interpolate2d(images, { size: [10, 7], mode: 'bilinear', antialias: true }).data()).toEqual(await images.data());
  });
});

describe('antialiased interpolate refuses', () => {
  it('the nearest modes, a non-boolean, and in Upsample', async () => {
    await tm.init({ backend: 'js' });
    const x = tm.zeros([1, 1, 4, 4]);
    expect(() => tm.interpolate2d(x, { size: 2, antialias: true })).toThrow('interpolate2d: antialias applies to the interpolating modes, not to "nearest"');
    expect(() => tm.interpolate1d(tm.zeros([1, 1, 4]), { size: 2, mode: 'nearest-exact', antialias: true })).toThrow('interpolate1d: antialias applies to the interpolating modes, not to "nearest-exact"');
    expect(() => tm.interpolate2d(x, { size: 2, mode: 'bilinear', antialias: 1 as never })).toThrow('interpolate2d: antialias must be true or false, got 1');
    // PyTorch's Upsample has no antialias either.
    expect(() => new tm.nn.Upsample({ size: 2, mode: 'bilinear', antialias: true } as never)).toThrow('Upsample: unknown option "antialias"');
  });
});
