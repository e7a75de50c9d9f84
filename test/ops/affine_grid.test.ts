// affineGrid against its float64 formula (PyTorch's affine_grid: each
// pixel's normalised (x, y, 1) through θ, the positions linspace(−1, 1)
// with aligned corners, else the pixels' centres in between), its gradient
// in theta against the same formula's, and with gridSample: the identity
// reads an image back and a quarter turn turns it, alignCorners either way.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { asF16, expectClose, uniform } from '../helpers/data.js';

/** Pixel j's normalised position along an axis of n: −1 + 2j/(n − 1) aligned, (2j + 1)/n − 1 not; 0 alone. */
function position(j: number, n: number, alignCorners: boolean): number {
  if (n === 1) return 0;
  return alignCorners ? -1 + (2 * j) / (n - 1) : (2 * j + 1) / n - 1;
}

/** grid [n, h, w, 2] for theta [n, 2, 3], and the gradient of Σ grid·r with respect to theta. */
function affineGridRef(theta: Float64Array, [n, , h, w]: number[], alignCorners: boolean, r: Float64Array) {
  const grid = new Float64Array(n * h * w * 2);
  const dTheta = new Float64Array(theta.length);
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < h; i++) {
      for (let j = 0; j < w; j++) {
        const point = [position(j, w, alignCorners), position(i, h, alignCorners), 1];
        for (let row = 0; row < 2; row++) {
          const at = ((b * h + i) * w + j) * 2 + row;
          for (let k = 0; k < 3; k++) {
            grid[at] += theta[(b * 2 + row) * 3 + k] * point[k];
            dTheta[(b * 2 + row) * 3 + k] += r[at] * point[k];
          }
        }
      }
    }
  }
  return { grid, dTheta };
}

const SIZES = [[2, 3, 7, 5], [1, 1, 1, 1], [3, 2, 13, 11], [1, 4, 1, 6]];

describe.each(BACKENDS)('affineGrid on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it.each(SIZES)('size [%i, %i, %i, %i], with and without alignCorners: the grid and its gradient in theta against float64', async (...size) => {
    const [n, , h, w] = size;
    for (const alignCorners of [false, true]) {
      const theta = Float64Array.from(Float32Array.from(uniform(n * 6)));
      const r = Float64Array.from(Float32Array.from(uniform(n * h * w * 2)));
      const t = tm.tensor(theta, [n, 2, 3]);
      t.requiresGrad = true;
      const grid = tm.affineGrid(t, size, { alignCorners });
      expect(grid.shape).toEqual([n, h, w, 2]);
      const want = affineGridRef(theta, size, alignCorners, r);
      expectClose(await grid.data(), want.grid, 1e-5, `alignCorners ${alignCorners}`);
      grid.mul(tm.tensor(r, grid.shape)).sum().backward();
      // Sums over the h·w pixels.
      expectClose(await t.grad!.data(), want.dTheta, 1e-4, `alignCorners ${alignCorners}: theta's gradient`);
    }
  });

  it('f16 theta: the grid within 1e-2, in f16', async () => {
    const size = [2, 3, 7, 5];
    const theta = asF16(uniform(12));
    for (const alignCorners of [false, true]) {
      const grid = tm.affineGrid(tm.tensor(theta, [2, 2, 3], { dtype: 'f16' }), size, { alignCorners });
      expect(grid.dtype).toBe('f16');
      expectClose(await grid.data(), affineGridRef(theta, size, alignCorners, new Float64Array(2 * 7 * 5 * 2)).grid, 1e-2);
    }
  });

  it('with gridSample: the identity reads the image back and a quarter turn turns it, alignCorners either way', async () => {
    const [h, w] = [7, 5];
    const image = Float64Array.from(Float32Array.from(uniform(2 * 3 * h * w)));
    const x = tm.tensor(image, [2, 3, h, w]);
    const square = Float64Array.from(Float32Array.from(uniform(6 * 6)));
    const s = tm.tensor(square, [1, 1, 6, 6]);
    // (x, y) read at (−y, x): output row i, column j reads input row j, column 5 − i.
    const turned = Float64Array.from({ length: 36 }, (_, k) => square[(k % 6) * 6 + (5 - Math.floor(k / 6))]);
    for (const alignCorners of [false, true]) {
      const identity = tm.affineGrid(tm.tensor([[[1, 0, 0], [0, 1, 0]], [[1, 0, 0], [0, 1, 0]]]), [2, 3, h, w], { alignCorners });
      expectClose(await tm.gridSample(x, identity, { alignCorners }).data(), image, 1e-5, `identity, alignCorners ${alignCorners}`);
      const quarter = tm.affineGrid(tm.tensor([[[0, -1, 0], [1, 0, 0]]]), [1, 1, 6, 6], { alignCorners });
      expectClose(await tm.gridSample(s, quarter, { alignCorners }).data(), turned, 1e-5, `quarter turn, alignCorners ${alignCorners}`);
    }
  });

  it('leaves nothing behind but its grid', () => {
    const theta = tm.randn([2, 2, 3], { seed: 1 });
    const before = tm.memory();
    const grid = tm.affineGrid(theta, [2, 3, 7, 5]);
    expect(tm.memory().numTensors).toBe(before.numTensors + 1);
    grid.dispose();
    expect(tm.memory()).toEqual(before);
  });
});

describe('affineGrid refuses', () => {
  it('theta that is not [N, 2, 3] float, sizes that are not [N, C, H, W] or are for another N', async () => {
    await tm.init({ backend: 'js' });
    const theta = tm.zeros([2, 2, 3]);
    expect(() => tm.affineGrid(tm.zeros([2, 3, 3]), [2, 1, 4, 4])).toThrow('affineGrid: theta [2,3,3] must be [N, 2, 3], a 2×3 affine matrix per sample');
    expect(() => tm.affineGrid(tm.zeros([2, 6]), [2, 1, 4, 4])).toThrow('affineGrid: theta [2,6] must be [N, 2, 3], a 2×3 affine matrix per sample');
    expect(() => tm.affineGrid(theta.cast('i32'), [2, 1, 4, 4])).toThrow('affineGrid: theta must be f32 or f16, got i32');
    expect(() => tm.affineGrid(theta, [3, 1, 4, 4])).toThrow('affineGrid: size [3,1,4,4] is for 3 images, theta [2,2,3] holds 2 matrices');
    expect(() => tm.affineGrid(theta, [2, 4, 4])).toThrow("affineGrid: size must be the images' [N, C, H, W], positive integers, got [2, 4, 4]");
    expect(() => tm.affineGrid(theta, [2, 1, 0, 4])).toThrow("affineGrid: size must be the images' [N, C, H, W], positive integers, got [2, 1, 0, 4]");
    expect(() => tm.affineGrid(theta, [2, 1, 4, 4], { align_corners: true } as tm.AffineGridOptions)).toThrow('affineGrid: unknown option "align_corners" (did you mean alignCorners?)');
  });
});
