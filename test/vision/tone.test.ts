// invert, solarize, adjustGamma, adjustSharpness and autocontrast against
// torchvision's float definitions in float64; and gradients reaching the
// images through them.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { asF32, expectClose, uniform } from '../helpers/data.js';
import { autocontrastRef, build, gammaRef, invertRef, sharpnessRef, solarizeRef, type Images } from '../helpers/vision.js';
import { images, shapeOf, SHAPES } from './images.js';

const v = tm.vision;

async function expectImages(y: tm.Tensor, want: Images, single: boolean, what: string, tol = 1e-5) {
  expect(y.shape, what).toEqual(shapeOf(want, single));
  expectClose(await y.data(), want.data, tol, what);
}

describe.each(BACKENDS)('vision tone and sharpness on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it.each(SHAPES)('invert and solarize at thresholds across [0, 1] and at a pixel\'s own value, $shape (single $single)', async ({ shape, single }) => {
    const { ref, t } = images(shape, single);
    await expectImages(v.invert(t), invertRef(ref), single, 'invert', 1e-6);
    // ref.data[0] as the threshold: that pixel is inverted (≥). Drawn thresholds are f32 values: an f32 image is compared with
    // the threshold in f32, as PyTorch's; a float64 one can round down onto a pixel's value and flip it (p ≈ 1e-4 a run).
    for (const threshold of [0, 1, -0.5, ref.data[0], ...asF32(uniform(2, 0, 1))]) {
      await expectImages(v.solarize(t, threshold), solarizeRef(ref, threshold), single, `solarize ${threshold}`, 1e-6);
    }
  });

  it.each(SHAPES)('adjustGamma with gamma 0 to 3 and gains, $shape (single $single)', async ({ shape, single }) => {
    const { ref, t } = images(shape, single);
    // A black pixel: 0^γ is 0, and 1 at γ = 0.
    const withBlack = { ref: build(ref.shape, (n, c, i, j) => (i === 0 && j === 0 ? 0 : ref.data[((n * shape[1] + c) * shape[2] + i) * shape[3] + j])) };
    const tb = tm.tensor(Float32Array.from(withBlack.ref.data), single ? shape.slice(1) : shape);
    for (const [gamma, gain] of [[1, 1], [0, 1], [0, 0.5], [0.5, 1], [2.2, 1.3], [uniform(1, 0, 3)[0], uniform(1, 0.5, 1.5)[0]]]) {
      await expectImages(v.adjustGamma(tb, gamma, gain), gammaRef(withBlack.ref, gamma, gain), single, `gamma ${gamma} gain ${gain}`);
    }
    await expectImages(v.adjustGamma(t, 0.7), gammaRef(ref, 0.7, 1), single, 'gain 1 by default');
  });

  it.each(SHAPES)('adjustSharpness at factors 0 to 3, the border kept, $shape (single $single)', async ({ shape, single }) => {
    const { ref, t } = images(shape, single);
    for (const f of [0, 1, 2, ...uniform(2, 0, 3)]) {
      await expectImages(v.adjustSharpness(t, f), sharpnessRef(ref, f), single, `sharpness ${f}`);
    }
  });

  it.each(SHAPES)('autocontrast stretches each channel of each image, flat channels left, $shape (single $single)', async ({ shape, single }) => {
    const { ref, t } = images(shape, single);
    await expectImages(v.autocontrast(t), autocontrastRef(ref), single, 'autocontrast');
    // Channel 0 of sample 0 flat at 0.4: kept as it is.
    const [, C, H, W] = shape;
    const flat = build(ref.shape, (n, c, i, j) => (n === 0 && c === 0 ? 0.4 : ref.data[((n * C + c) * H + i) * W + j]));
    await expectImages(v.autocontrast(tm.tensor(Float32Array.from(flat.data), t.shape)), autocontrastRef(flat), single, 'a flat channel');
  });

  it('gradients reach the images: invert −1, solarize ±1 by side, gamma γ·gain·x^(γ−1) where unclamped, sharpness by its kernel, autocontrast 1/(max − min)', async () => {
    const { ref, t } = images([2, 3, 5, 7]);
    const gradOf = async (op: (x: tm.Tensor) => tm.Tensor) => {
      const x = t.clone();
      x.requiresGrad = true;
      op(x).sum().backward();
      return x.grad!.data();
    };
    expectClose(await gradOf(v.invert), new Float64Array(t.size).fill(-1), 0);
    expectClose(await gradOf((x) => v.solarize(x, 0.5)), ref.data.map((p) => (p >= 0.5 ? -1 : 1)), 0);
    expectClose(await gradOf((x) => v.adjustGamma(x, 2, 0.9)), ref.data.map((p) => 2 * 0.9 * p), 1e-5);
    // Sharpness at 0.5 blends two convex combinations of pixels (no clamp reached): Σ over outputs of ½x + ½·smoothed, so a pixel's
    // gradient is ½ + ½·(1 if it is a border output) + ½·Σ the kernel weights of the inside outputs it feeds.
    const sharp = await gradOf((x) => v.adjustSharpness(x, 0.5));
    const [H, W] = [5, 7];
    const inside = (i: number, j: number) => i > 0 && j > 0 && i < H - 1 && j < W - 1;
    const wantSharp = new Float64Array(t.size).map((_, k) => {
      const [i, j] = [Math.floor(k / W) % H, k % W];
      let s = inside(i, j) ? 0 : 1;
      for (let di = -1; di <= 1; di++) for (let dj = -1; dj <= 1; dj++) if (inside(i + di, j + dj)) s += (di === 0 && dj === 0 ? 5 : 1) / 13;
      return 0.5 + 0.5 * s;
    });
    expectClose(sharp, wantSharp, 1e-5, 'sharpness');
    // Autocontrast: a pixel that is neither its channel's darkest nor brightest moves its output alone, by 1 / (max − min).
    const stretched = await gradOf(v.autocontrast);
    for (let nc = 0; nc < 6; nc++) {
      const plane = Array.from(ref.data.slice(nc * 35, (nc + 1) * 35));
      const [lo, hi] = [Math.min(...plane), Math.max(...plane)];
      plane.forEach((p, k) => {
        if (p !== lo && p !== hi) expect(stretched[nc * 35 + k]).toBeCloseTo(1 / (hi - lo), 3);
      });
    }
  });
});
