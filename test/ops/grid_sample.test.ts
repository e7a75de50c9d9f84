// gridSample against a float64 transcription of PyTorch's grid_sampler_2d
// CPU kernel (plain loops, one grid point at a time): every mode ×
// paddingMode × alignCorners, at grids reaching past [−1, 1] so that every
// padding mode matters (reflection's several times over), and gradients —
// the input's and the grid's — against central differences of that
// reference, with the grid's points kept off the kinks (whole and half
// pixels, where the floor, the rounding, the clip and the reflections turn).
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { asF16, expectClose, uniform } from '../helpers/data.js';

interface Setting {
  mode: tm.GridSampleMode;
  paddingMode: tm.GridSamplePaddingMode;
  alignCorners: boolean;
}

/** Images [n, c, h, w] in float64. */
interface Images {
  shape: [number, number, number, number];
  v: Float64Array;
}

const PADDING_MODES: tm.GridSamplePaddingMode[] = ['zeros', 'border', 'reflection'];
const settingsOf = (mode: tm.GridSampleMode): Setting[] => PADDING_MODES.flatMap((paddingMode) => [false, true].map((alignCorners) => ({ mode, paddingMode, alignCorners })));

// PyTorch's GridSampler.h, in float64.
function unnormalize(coord: number, size: number, alignCorners: boolean): number {
  return alignCorners ? ((coord + 1) / 2) * (size - 1) : ((coord + 1) * size - 1) / 2;
}

function clipCoordinates(x: number, size: number): number {
  return Math.min(size - 1, Math.max(x, 0));
}

function reflectCoordinates(x: number, twiceLow: number, twiceHigh: number): number {
  if (twiceLow === twiceHigh) return 0;
  const min = twiceLow / 2;
  const span = (twiceHigh - twiceLow) / 2;
  const d = Math.abs(x - min);
  const extra = d % span; // C's fmod
  const flips = Math.floor(d / span);
  return flips % 2 === 0 ? extra + min : span - extra + min;
}

function computeCoordinates(x: number, size: number, s: Setting): number {
  if (s.paddingMode === 'border') return clipCoordinates(x, size);
  if (s.paddingMode === 'reflection') {
    return clipCoordinates(s.alignCorners ? reflectCoordinates(x, 0, 2 * (size - 1)) : reflectCoordinates(x, -1, 2 * size - 1), size);
  }
  return x;
}

/** C's nearbyint: halves to the even integer. */
function nearbyint(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

function cubicCoefficients(t: number): number[] {
  const a = -0.75;
  const near = (x: number) => ((a + 2) * x - (a + 3)) * x * x + 1;
  const far = (x: number) => ((a * x - 5 * a) * x + 8 * a) * x - 4 * a;
  return [far(t + 1), near(t), near(1 - t), far(2 - t)];
}

/** Every channel of image b at the grid point (gx, gy), as grid_sampler_2d's CPU kernel computes it. */
function samplePoint(img: Images, b: number, gx: number, gy: number, s: Setting): Float64Array {
  const [, c, h, w] = img.shape;
  const read = (ch: number, iy: number, ix: number) => (iy >= 0 && iy < h && ix >= 0 && ix < w ? img.v[((b * c + ch) * h + iy) * w + ix] : 0);
  const out = new Float64Array(c);
  if (s.mode === 'bicubic') {
    // The taps are whole pixels, each brought in by the padding mode (get_value_bounded).
    const [ix, iy] = [unnormalize(gx, w, s.alignCorners), unnormalize(gy, h, s.alignCorners)];
    const [x0, y0] = [Math.floor(ix), Math.floor(iy)];
    const [wx, wy] = [cubicCoefficients(ix - x0), cubicCoefficients(iy - y0)];
    const bounded = (ch: number, yy: number, xx: number) => read(ch, Math.trunc(computeCoordinates(yy, h, s)), Math.trunc(computeCoordinates(xx, w, s)));
    for (let ch = 0; ch < c; ch++) {
      const rows = [0, 1, 2, 3].map((j) => [0, 1, 2, 3].reduce((acc, i) => acc + wx[i] * bounded(ch, y0 - 1 + j, x0 - 1 + i), 0));
      out[ch] = rows.reduce((acc, r, j) => acc + wy[j] * r, 0);
    }
    return out;
  }
  const ix = computeCoordinates(unnormalize(gx, w, s.alignCorners), w, s);
  const iy = computeCoordinates(unnormalize(gy, h, s.alignCorners), h, s);
  if (s.mode === 'nearest') {
    for (let ch = 0; ch < c; ch++) out[ch] = read(ch, nearbyint(iy), nearbyint(ix));
    return out;
  }
  const [x0, y0] = [Math.floor(ix), Math.floor(iy)];
  const [x1, y1] = [x0 + 1, y0 + 1];
  const [nw, ne, sw, se] = [(x1 - ix) * (y1 - iy), (ix - x0) * (y1 - iy), (x1 - ix) * (iy - y0), (ix - x0) * (iy - y0)];
  for (let ch = 0; ch < c; ch++) out[ch] = read(ch, y0, x0) * nw + read(ch, y0, x1) * ne + read(ch, y1, x0) * sw + read(ch, y1, x1) * se;
  return out;
}

/** input sampled at grid [n, ho, wo, 2]: [n, c, ho, wo]. */
function gridSampleRef(img: Images, grid: Float64Array, [ho, wo]: number[], s: Setting): Float64Array {
  const [n, c] = img.shape;
  const out = new Float64Array(n * c * ho * wo);
  for (let b = 0; b < n; b++) {
    for (let k = 0; k < ho * wo; k++) {
      const at = (b * ho * wo + k) * 2;
      samplePoint(img, b, grid[at], grid[at + 1], s).forEach((v, ch) => (out[(b * c + ch) * ho * wo + k] = v));
    }
  }
  return out;
}

/** The gradients of Σ y·r by central differences of the reference: each input entry, and each grid coordinate (only its point's outputs move). */
function gradientsRef(img: Images, grid: Float64Array, out: number[], s: Setting, r: Float64Array) {
  const [n, c] = img.shape;
  const points = out[0] * out[1];
  const loss = (im: Images) => gridSampleRef(im, grid, out, s).reduce((acc, y, i) => acc + y * r[i], 0);
  const dInput = new Float64Array(img.v.length);
  for (let e = 0; e < img.v.length; e++) {
    // The loss is linear in the input: a step of ½ is as exact as any.
    const plus = Float64Array.from(img.v);
    const minus = Float64Array.from(img.v);
    plus[e] += 0.5;
    minus[e] -= 0.5;
    dInput[e] = loss({ shape: img.shape, v: plus }) - loss({ shape: img.shape, v: minus });
  }
  const dGrid = new Float64Array(grid.length);
  const step = 1e-6;
  for (let b = 0; b < n; b++) {
    for (let k = 0; k < points; k++) {
      const at = (b * points + k) * 2;
      const pointLoss = (gx: number, gy: number) => samplePoint(img, b, gx, gy, s).reduce((acc, y, ch) => acc + y * r[(b * c + ch) * points + k], 0);
      dGrid[at] = (pointLoss(grid[at] + step, grid[at + 1]) - pointLoss(grid[at] - step, grid[at + 1])) / (2 * step);
      dGrid[at + 1] = (pointLoss(grid[at], grid[at + 1] + step) - pointLoss(grid[at], grid[at + 1] - step)) / (2 * step);
    }
  }
  return { dInput, dGrid };
}

/**
 * A grid [n, ho, wo, 2] drawn from [lo, hi) and rounded as `round` stores
 * it, each coordinate at least 0.05 pixel from a whole or half pixel (where
 * the sampling has its kinks: 0 and size − 1 too, and every reflection) —
 * but on a single pixel with aligned corners, where every point is pixel 0.
 */
function drawGrid(n: number, [ho, wo]: number[], [h, w]: number[], alignCorners: boolean, round: (v: Float64Array) => Float64Array, lo = -2.2, hi = 2.2): Float64Array {
  const grid = new Float64Array(n * ho * wo * 2);
  for (let i = 0; i < grid.length; i++) {
    const size = i % 2 === 0 ? w : h;
    for (;;) {
      const g = round(uniform(1, lo, hi))[0];
      const twice = 2 * unnormalize(g, size, alignCorners);
      if ((alignCorners && size === 1) || Math.abs(twice - Math.round(twice)) >= 0.1) {
        grid[i] = g;
        break;
      }
    }
  }
  return grid;
}

const f32 = (v: Float64Array) => Float64Array.from(Float32Array.from(v));

/** v's largest magnitude at every index: the scale of a comparison whose entries are sums that cancel, terms the size of the largest result. */
function largestEverywhere(v: Float64Array): Float64Array {
  const largest = v.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
  return v.map(() => largest);
}

const SHAPES = [
  { input: [2, 3, 7, 5], out: [13, 11] },
  { input: [1, 2, 1, 1], out: [7, 5] },
  { input: [3, 1, 13, 11], out: [7, 5] },
  { input: [2, 4, 4, 1], out: [1, 3] },
] as { input: [number, number, number, number]; out: [number, number] }[];
const CASES = SHAPES.flatMap((shape) => PADDING_MODES.map((paddingMode) => ({ ...shape, paddingMode })));

describe.each(BACKENDS)('gridSample on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  describe.each(['bilinear', 'nearest', 'bicubic'] as const)('%s', (mode) => {
    it.each(CASES)('input $input at a $out grid, $paddingMode padding, with and without alignCorners: values and both gradients against float64', async ({ input, out, paddingMode }) => {
      const [n, c] = input;
      for (const s of [false, true].map((alignCorners) => ({ mode, paddingMode, alignCorners }))) {
        const what = `${s.mode} ${s.paddingMode} alignCorners ${s.alignCorners}`;
        const img: Images = { shape: input, v: f32(uniform(input.reduce((a, b) => a * b))) };
        const grid = drawGrid(n, out, input.slice(2), s.alignCorners, f32);
        const r = f32(uniform(n * c * out[0] * out[1]));
        const x = tm.tensor(img.v, input);
        const g = tm.tensor(grid, [n, ...out, 2]);
        x.requiresGrad = true;
        g.requiresGrad = true;
        const y = tm.gridSample(x, g, s);
        expect(y.shape).toEqual([n, c, ...out]);
        expectClose(await y.data(), gridSampleRef(img, grid, out, s), 1e-5, what);
        const loss = y.mul(tm.tensor(r, y.shape)).sum();
        loss.backward();
        const want = gradientsRef(img, grid, out, s, r);
        expectClose(await x.grad!.data(), want.dInput, 1e-5, `${what}: input gradient`);
        // Nearest's is exactly 0 (PyTorch's). The others are differences of neighbouring pixels times half the axis,
        // summed over the channels, that cancel: within f32's rounding of the largest of them.
        if (mode === 'nearest') expect(Array.from(await g.grad!.data()).every((v) => v === 0), `${what}: grid gradient`).toBe(true);
        else expectClose(await g.grad!.data(), want.dGrid, 1e-5, `${what}: grid gradient`, largestEverywhere(want.dGrid));
        for (const t of [x, g, y, loss, x.grad!, g.grad!]) t.dispose();
      }
    });

    it('f16 input and grid: values within 1e-2 of float64, every paddingMode and alignCorners; gradients too', async () => {
      const input: [number, number, number, number] = [2, 3, 7, 5];
      const out = [13, 11];
      const [n, c] = input;
      for (const s of settingsOf(mode)) {
        const what = `f16 ${s.mode} ${s.paddingMode} alignCorners ${s.alignCorners}`;
        const img: Images = { shape: input, v: asF16(uniform(input.reduce((a, b) => a * b), -1, 1)) };
        const grid = drawGrid(n, out, input.slice(2), s.alignCorners, asF16);
        const r = asF16(uniform(n * c * out[0] * out[1], -1, 1));
        const x = tm.tensor(img.v, input, { dtype: 'f16' });
        const g = tm.tensor(grid, [n, ...out, 2], { dtype: 'f16' });
        x.requiresGrad = true;
        g.requiresGrad = true;
        const y = tm.gridSample(x, g, s);
        expect(y.dtype).toBe('f16');
        expectClose(await y.data(), gridSampleRef(img, grid, out, s), 1e-2, what);
        const loss = y.mul(tm.tensor(r, y.shape, { dtype: 'f16' })).sum();
        loss.backward();
        expect([x.grad!.dtype, g.grad!.dtype]).toEqual(['f16', 'f16']);
        const want = gradientsRef(img, grid, out, s, r);
        expectClose(await x.grad!.data(), want.dInput, 1e-2, `${what}: input gradient`);
        expectClose(await g.grad!.data(), want.dGrid, 1e-2, `${what}: grid gradient`, largestEverywhere(want.dGrid));
        for (const t of [x, g, y, loss, x.grad!, g.grad!]) t.dispose();
      }
    });
  });

  it("gives PyTorch's values on [[1, 2], [3, 4]]: the centre, a corner past the pixels' centres in each padding mode, bicubic's overshoot, nearest's half to even", async () => {
    const x = tm.tensor([[[[1, 2], [3, 4]]]]);
    const at = (px: number, py: number) => tm.tensor([[[[px, py]]]]);
    const read = async (px: number, py: number, options: tm.GridSampleOptions) => (await tm.gridSample(x, at(px, py), options).data())[0];
    for (const alignCorners of [false, true]) expect(await read(0, 0, { alignCorners })).toBeCloseTo(2.5, 6);
    // (−1, −1) without aligned corners is the image's outer corner, half a pixel before pixel (0, 0)'s centre in each direction.
    expect(await read(-1, -1, {})).toBeCloseTo(0.25, 6);
    expect(await read(-1, -1, { paddingMode: 'border' })).toBeCloseTo(1, 6);
    expect(await read(-1, -1, { paddingMode: 'reflection' })).toBeCloseTo(1, 6);
    // The centre in bicubic: each axis's taps −1 … 2 weighted −0.09375, 0.59375, 0.59375, −0.09375; zeros drop the outer ones.
    expect(await read(0, 0, { mode: 'bicubic' })).toBeCloseTo(0.59375 * 0.59375 * 10, 6);
    expect(await read(0, 0, { mode: 'bicubic', paddingMode: 'border' })).toBeCloseTo(2.5, 6);
    // Along 5 pixels with aligned corners x = 0.25 is pixel 2.5, read as pixel 2; x = −0.25 is 1.5, also 2.
    const row = tm.tensor([[[[10, 20, 30, 40, 50]]]]);
    const grid = tm.tensor([[[[0.25, 0], [-0.25, 0]]]]);
    expect(Array.from(await tm.gridSample(row, grid, { mode: 'nearest', alignCorners: true }).data())).toEqual([30, 30]);
  });

  it("gives the grid PyTorch's gradient on the edge: 0 across it where border padding clamps, the slope to the zeros beyond without", async () => {
    const x = tm.tensor([[[[1, 2], [3, 4]]]]);
    // (1, 0) with aligned corners: the right edge, halfway down, where the value is (2 + 4)/2.
    for (const [paddingMode, across] of [['border', 0], ['zeros', -1.5]] as const) {
      const grid = tm.tensor([[[[1, 0]]]]);
      grid.requiresGrad = true;
      const y = tm.gridSample(x, grid, { paddingMode, alignCorners: true });
      expect((await y.data())[0]).toBeCloseTo(3, 6);
      y.sum().backward();
      // Down: (4 − 2) times half the axis (½); across: 0 − 3 (the column past the edge reads 0) times ½, or nothing when clamped.
      expectClose(await grid.grad!.data(), [across, 1], 1e-6, paddingMode);
    }
  });

  it('leaves nothing behind but its output, nor after a backward pass', async () => {
    const x = tm.randn([2, 3, 6, 5], { seed: 1 });
    const g = tm.rand([2, 4, 3, 2], { seed: 2 }).mul(3).sub(1.5);
    for (const mode of ['bilinear', 'nearest', 'bicubic'] as const) {
      const before = tm.memory();
      const y = tm.gridSample(x, g, { mode, paddingMode: 'reflection' });
      expect(tm.memory().numTensors).toBe(before.numTensors + 1);
      y.dispose();
      expect(tm.memory()).toEqual(before);
      x.requiresGrad = true;
      g.requiresGrad = true;
      const loss = tm.tidy(() => tm.gridSample(x, g, { mode, paddingMode: 'reflection' }).square().sum());
      loss.backward();
      loss.dispose();
      for (const t of [x, g]) {
        t.grad!.dispose();
        t.grad = null;
        t.requiresGrad = false;
      }
      expect(tm.memory()).toEqual(before);
    }
  });

  it('an empty grid gives an empty output', () => {
    expect(tm.gridSample(tm.zeros([2, 3, 4, 4]), tm.zeros([2, 0, 5, 2])).shape).toEqual([2, 3, 0, 5]);
  });
});

describe('gridSample refuses', () => {
  it('inputs that are not images, grids that do not fit them (both shapes named), dtypes and options it does not know', async () => {
    await tm.init({ backend: 'js' });
    const x = tm.zeros([2, 3, 4, 4]);
    const grid = tm.zeros([2, 5, 5, 2]);
    expect(() => tm.gridSample(tm.zeros([3, 4, 4]), grid)).toThrow('gridSample: input [3,4,4] must be images [N, C, H, W]');
    expect(() => tm.gridSample(x, tm.zeros([3, 5, 5, 2]))).toThrow("gridSample: grid [3,5,5,2] must be [N, Ho, Wo, 2] with input [2,3,4,4]'s N = 2");
    expect(() => tm.gridSample(x, tm.zeros([2, 5, 5, 3]))).toThrow("gridSample: grid [2,5,5,3] must be [N, Ho, Wo, 2] with input [2,3,4,4]'s N = 2");
    expect(() => tm.gridSample(x, tm.zeros([2, 25, 2]))).toThrow("gridSample: grid [2,25,2] must be [N, Ho, Wo, 2] with input [2,3,4,4]'s N = 2");
    expect(() => tm.gridSample(tm.zeros([2, 3, 0, 4]), grid)).toThrow('gridSample: input [2,3,0,4] has no pixels to sample');
    expect(() => tm.gridSample(x, grid.cast('f16'))).toThrow('gridSample: input (f32) and grid (f16) must share a float dtype');
    expect(() => tm.gridSample(x.cast('i32'), grid.cast('i32'))).toThrow('gridSample: input (i32) and grid (i32) must share a float dtype');
    expect(() => tm.gridSample(x, grid, { mode: 'linear' as tm.GridSampleMode })).toThrow("gridSample: unknown mode \"linear\"; expected 'bilinear', 'nearest', 'bicubic'");
    expect(() => tm.gridSample(x, grid, { paddingMode: 'reflect' as tm.GridSamplePaddingMode })).toThrow("gridSample: unknown paddingMode \"reflect\"; expected 'zeros', 'border', 'reflection'");
    expect(() => tm.gridSample(x, grid, { align_corners: true } as tm.GridSampleOptions)).toThrow('gridSample: unknown option "align_corners" (did you mean alignCorners?)');
    expect(() => tm.gridSample(x, grid, { alignCorners: 'true' as unknown as boolean })).toThrow('gridSample: alignCorners must be true or false, got "true"');
    expect(() => tm.gridSample(x, [[0, 0]] as unknown as tm.Tensor)).toThrow('gridSample: grid must be a Tensor, got object');
  });
});
