// elasticTransform and ElasticTransform against torchvision's definitions in
// float64: the identity grid at pixel centres plus the displacement, read by
// grid_sample with the fill's mask; the drawn displacement as get_params
// makes it from its noise (gaussian_blur with 8σ + 1 taps, scaled by alpha
// over the width for x and the height for y).
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { expectClose, SEED, uniform } from '../helpers/data.js';
import { blurRef, gridRef, sampleOf, type GridMode, type Images, type Warped } from '../helpers/vision.js';
import { expectWarped, images, SHAPES } from './images.js';

const v = tm.vision;

/** F.elastic_transform: _create_identity_grid + displacement [1 or N][H·W·2], grid_sample, the fill's mask. */
function elasticRef(x: Images, displacement: Float64Array | Float32Array, perSample: boolean, mode: GridMode, fill?: number[]): Warped {
  const [N, C, H, W] = x.shape;
  const parts = Array.from({ length: N }, (_, n) => {
    const d = perSample ? displacement.subarray(n * H * W * 2, (n + 1) * H * W * 2) : displacement;
    return gridRef(sampleOf(x, n), [H, W], (j, i) => [(2 * j + 1) / W - 1 + d[(i * W + j) * 2], (2 * i + 1) / H - 1 + d[(i * W + j) * 2 + 1]], mode, fill);
  });
  return { y: { data: Float64Array.from(parts.flatMap((p) => Array.from(p.y.data))), shape: [N, C, H, W] }, ties: parts.flatMap((p) => p.ties) };
}

describe.each(BACKENDS)('vision elastic on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
    tm.setSeed(SEED);
  });

  it.each(SHAPES)('elasticTransform by one displacement for all and one per sample, each interpolation, with and without fill, $shape (single $single)', async ({ shape, single }) => {
    const { ref, t } = images(shape, single);
    const [N, C, H, W] = shape;
    const shared = uniform(H * W * 2, -0.4, 0.4);
    const each = uniform(N * H * W * 2, -0.4, 0.4);
    const fill = Array.from(uniform(C, 0, 1));
    for (const interpolation of ['nearest', 'bilinear', 'bicubic'] as const) {
      await expectWarped(v.elasticTransform(t, tm.tensor(shared, [1, H, W, 2]), { interpolation }), elasticRef(ref, shared, false, interpolation), single, `shared ${interpolation}`);
      await expectWarped(v.elasticTransform(t, tm.tensor(each, [N, H, W, 2]), { interpolation, fill }), elasticRef(ref, each, true, interpolation, fill), single, `per sample ${interpolation} fill`);
    }
  });

  it('ElasticTransform draws each sample\'s displacement from its noise as get_params does, and warps by it', async () => {
    const { ref, t } = images([3, 3, 11, 13]);
    const elastic = new v.ElasticTransform({ alpha: [30, 20], sigma: [1.1, 0.7], fill: [0.1, 0.5, 0.9] });
    const y = elastic.forward(t);
    const [H, W] = [11, 13];
    const all = new Float64Array(3 * H * W * 2);
    for (const [n, { noise, displacement }] of elastic.last!.entries()) {
      expect(noise.every((u) => u >= -1 && u < 1)).toBe(true);
      // x: 9 taps (8·1.1 + 1 = 9.8), y: 7 taps (6.6, made odd); both with sigmas [1.1, 0.7].
      const dx = blurRef({ data: noise.slice(0, H * W), shape: [1, 1, H, W] }, [9, 9], [1.1, 0.7]).data.map((d) => (d * 30) / W);
      const dy = blurRef({ data: noise.slice(H * W), shape: [1, 1, H, W] }, [7, 7], [1.1, 0.7]).data.map((d) => (d * 20) / H);
      const want = new Float64Array(H * W * 2).map((_, k) => (k % 2 === 0 ? dx[k >> 1] : dy[k >> 1]));
      expectClose(displacement, want, 1e-5, `sample ${n}`);
      all.set(displacement, n * H * W * 2);
    }
    await expectWarped(y, elasticRef(ref, all, true, 'bilinear', [0.1, 0.5, 0.9]), false, 'ElasticTransform');
    // sigma 0: the noise itself, scaled.
    const raw = new v.ElasticTransform({ alpha: 2, sigma: 0 });
    raw.forward(t);
    const q = raw.last![0];
    expectClose(q.displacement, new Float64Array(H * W * 2).map((_, k) => (q.noise[(k % 2) * H * W + (k >> 1)] * 2) / (k % 2 === 0 ? W : H)), 1e-6);
  });

  it('the seed repeats the draws; gradients reach the images and the displacement', async () => {
    const { t } = images([2, 3, 9, 9]);
    const elastic = new v.ElasticTransform({ alpha: 10, sigma: 1 });
    tm.setSeed(9);
    const a = await elastic.forward(t).data();
    tm.setSeed(9);
    expectClose(await elastic.forward(t).data(), a, 0);
    const x = t.clone();
    x.requiresGrad = true;
    const d = tm.tensor(uniform(9 * 9 * 2, -0.2, 0.2), [1, 9, 9, 2]);
    d.requiresGrad = true;
    v.elasticTransform(x, d).sum().backward();
    // Bilinear weights inside the image sum to 1 per output: Σ of the images' gradient is the outputs' count less what fell outside.
    const gx = Array.from(await x.grad!.data());
    expect(gx.every((g) => g >= 0)).toBe(true);
    expect(gx.reduce((p, q) => p + q, 0)).toBeGreaterThan(0.5 * t.size);
    expect(Array.from(await d.grad!.data()).some((g) => g !== 0)).toBe(true);
  });

  it('refuses a displacement of the wrong shape, and a sigma too wide for the image', () => {
    const { t } = images([2, 3, 7, 9]);
    expect(() => v.elasticTransform(t, tm.zeros([2, 7, 9]))).toThrow('elasticTransform: displacement [2,7,9] must be [1 or 2, 7, 9, 2] for images [2,3,7,9]');
    expect(() => v.elasticTransform(t, tm.zeros([3, 7, 9, 2]))).toThrow(tm.ShapeError);
    expect(() => new v.ElasticTransform({ sigma: -1 })).toThrow('ElasticTransform: sigma must be a number or a pair [x, y] of numbers ≥ 0, got -1');
    expect(() => new v.ElasticTransform({ alfa: 3 } as never)).toThrow('ElasticTransform: unknown option "alfa"; the options are interpolation, fill, alpha, sigma');
    expect(() => new v.ElasticTransform().forward(t)).toThrow('ElasticTransform: sigma [5, 5] smooths by 41 taps, reflect-padding by 20, which needs images larger than that; got 9×7');
  });
});
