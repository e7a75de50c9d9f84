// ONNX's sampling ops run as one-node models: GridSample (opset 16's and
// 20's mode names, every padding mode and corner convention, 1-D, 2-D and
// 3-D, integer inputs) against a float64 port of ONNX's reference
// (op_grid_sample.py, nearest's ties to even) — but for a bicubic point
// outside the image, whose taps alone are folded, as onnxruntime and PyTorch
// do, where the reference also folds the point first — with the gradients to the input and the
// grid beside central differences of that port; AffineGrid (2-D and 3-D)
// against the reference's base grid times θ; RoiAlign (avg and max, opset 10
// and 16 coordinates, fixed and adaptive sampling) against a port of the
// reference's sampling points, max as onnxruntime's CPU kernel takes it (the
// largest weighted tap), with the input's gradient; MaxRoiPool against the
// reference's bins. onnxruntime-web runs all four beside tmnn. The values
// refused are named.
import * as ort from 'onnxruntime-web';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../../src/index.js';
import { BACKENDS } from '../../helpers/backends.js';
import { asF16, asF32, expectClose, expectExact, randomInts, SEED, uniform } from '../../helpers/data.js';
import { centralDifferences, f64, ravel, size, unravel, type F64 } from '../../helpers/float64.js';
import type { AttributeSpec } from '../../helpers/onnx.js';
import { opModel, runOp, type Feed } from '../../helpers/onnx_run.js';
import { ortRun } from '../../helpers/ort.js';

// ---- float64 references -------------------------------------------------

/** ONNX's _gs_reflect: v reflected about lo and hi until it lies between them. */
function reflectRef(v: number, lo: number, hi: number): number {
  const span = hi - lo;
  if (v < lo) {
    const d = lo - v, n = Math.trunc(d / span), r = d - n * span;
    return n % 2 === 0 ? lo + r : hi - r;
  }
  if (v > hi) {
    const d = v - hi, n = Math.trunc(d / span), r = d - n * span;
    return n % 2 === 0 ? hi - r : lo + r;
  }
  return v;
}

/** numpy's rint: halves to even. */
function rint(v: number): number {
  const r = Math.round(v);
  return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

function cubicCoeffs(t: number): number[] {
  const a = -0.75;
  const far = (d: number) => ((a * d - 5 * a) * d + 8 * a) * d - 4 * a;
  const near = (d: number) => ((a + 2) * d - (a + 3)) * d * d + 1;
  return [far(t + 1), near(t), near(1 - t), far(2 - t)];
}

interface GridPlan {
  mode: string;
  padding: string;
  align: boolean;
}

/** ONNX's GridSample reference, any number of spatial axes: x [N, C, ...dims], grid [N, ...out, k] (x first). */
function gridSampleRef(x: F64, grid: F64, plan: GridPlan): F64 {
  const [n, c, ...dims] = x.shape;
  const k = dims.length;
  const outSpatial = grid.shape.slice(1, -1);
  const shape = [n, c, ...outSpatial];
  const bounds = dims.map((d) => (plan.align ? [0, d - 1] : [-0.5, d - 0.5]));
  const mode = { bilinear: 'linear', bicubic: 'cubic' }[plan.mode] ?? plan.mode;
  const pixel = (b: number, ch: number, at: number[]): number => {
    const fixed = at.map((i, a) => (plan.padding === 'border' ? Math.min(Math.max(i, 0), dims[a] - 1) : plan.padding === 'reflection' ? Math.trunc(reflectRef(i, bounds[a][0], bounds[a][1])) : i));
    if (fixed.some((i, a) => i < 0 || i >= dims[a])) return 0;
    return x.v[ravel([b, ch, ...fixed], x.shape)];
  };
  const y = new Float64Array(size(shape));
  y.forEach((_, o) => {
    const [b, ch, ...pos] = unravel(o, shape);
    const g = Array.from({ length: k }, (_, j) => grid.v[ravel([b, ...pos, j], grid.shape)]).reverse();
    const p = g.map((v, a) => (plan.align ? ((v + 1) / 2) * (dims[a] - 1) : ((v + 1) * dims[a] - 1) / 2)).map((v) => (mode === 'nearest' ? rint(v) : v));
    // The reference clamps or reflects a point outside before taking its taps; onnxruntime (and PyTorch, and tmnn)
    // fold a bicubic point's taps alone. Linear and nearest read the same pixels either way.
    p.forEach((v, a) => {
      const [lo, hi] = bounds[a];
      if ((v < lo || v > hi) && mode !== 'cubic') p[a] = plan.padding === 'border' ? Math.min(Math.max(v, 0), dims[a] - 1) : plan.padding === 'reflection' ? reflectRef(v, lo, hi) : v;
    });
    if (mode === 'nearest') {
      y[o] = pixel(b, ch, p);
      return;
    }
    const interpolate = (a: number, prefix: number[]): number => {
      if (a === k) return pixel(b, ch, prefix);
      const low = Math.floor(p[a]), t = p[a] - low;
      const [first, ws] = mode === 'linear' ? [low, [1 - t, t]] : [low - 1, cubicCoeffs(t)];
      return ws.reduce((s, w, j) => s + w * interpolate(a + 1, [...prefix, first + j]), 0);
    };
    y[o] = interpolate(0, []);
  });
  return { shape, v: y };
}

/** Grid values in [−1.3, 1.3] whose pixel coordinates stay 10⁻³ from every multiple of ½, where nearest jumps: f32 rounding never decides a case. */
function gridValues(gridShape: number[], dims: number[], align: boolean): Float64Array {
  const k = dims.length;
  const v = uniform(size(gridShape), -1.3, 1.3);
  return asF32(v.map((g, i) => {
    const d = dims[k - 1 - (i % k)];
    if (align && d === 1) return g;
    const [toPixel, toGrid] = align ? [(u: number) => ((u + 1) / 2) * (d - 1), (p: number) => (2 * p) / (d - 1) - 1] : [(u: number) => ((u + 1) * d - 1) / 2, (p: number) => (2 * p + 1) / d - 1];
    const p = toPixel(g);
    const off = p * 2 - Math.round(p * 2);
    return Math.abs(off) < 2e-3 ? toGrid((Math.round(p * 2) + (off < 0 ? -4e-3 : 4e-3)) / 2) : g;
  }));
}

/** ONNX's AffineGrid reference: θ · (x, y[, z], 1) over the base grid (an aligned axis of one pixel at −1). */
function affineGridRef(theta: F64, dims: number[], align: boolean): F64 {
  const k = dims.length;
  const n = theta.shape[0];
  const at = (j: number, d: number) => (align ? (d === 1 ? -1 : -1 + (2 * j) / (d - 1)) : -1 + 1 / d + (2 * j) / d);
  const shape = [n, ...dims, k];
  const y = new Float64Array(size(shape));
  y.forEach((_, o) => {
    const [b, ...rest] = unravel(o, shape);
    const row = rest[k];
    const base = [...rest.slice(0, k).map((j, a) => at(j, dims[a])).reverse(), 1];
    y[o] = base.reduce((s, v, j) => s + theta.v[ravel([b, row, j], theta.shape)] * v, 0);
  });
  return { shape, v: y };
}

interface RoiPlan {
  mode: 'avg' | 'max';
  ph: number;
  pw: number;
  ratio: number;
  scale: number;
  halfPixel: boolean;
}

/** ONNX's RoiAlign reference (pre_calc_for_bilinear_interpolate), its max as onnxruntime's kernel: the largest of the bin's weighted taps. */
function roiAlignRef(x: F64, rois: Float64Array, batch: Float64Array, plan: RoiPlan): F64 {
  const [, c, h, w] = x.shape;
  const r = batch.length;
  const shape = [r, c, plan.ph, plan.pw];
  const y = new Float64Array(size(shape));
  for (let n = 0; n < r; n++) {
    const off = plan.halfPixel ? 0.5 : 0;
    const [sw, sh, ew, eh] = [0, 1, 2, 3].map((j) => rois[n * 4 + j] * plan.scale - off);
    let rw = ew - sw, rh = eh - sh;
    if (!plan.halfPixel) [rw, rh] = [Math.max(rw, 1), Math.max(rh, 1)];
    const bh = rh / plan.ph, bw = rw / plan.pw;
    const gh = plan.ratio > 0 ? plan.ratio : Math.ceil(rh / plan.ph), gw = plan.ratio > 0 ? plan.ratio : Math.ceil(rw / plan.pw);
    const count = Math.max(gh * gw, 1);
    for (let ch = 0; ch < c; ch++) {
      const px = (yy: number, xx: number) => x.v[ravel([batch[n], ch, yy, xx], x.shape)];
      for (let i = 0; i < plan.ph; i++) {
        for (let j = 0; j < plan.pw; j++) {
          let acc = 0, seen = false;
          for (let iy = 0; iy < gh; iy++) {
            for (let ix = 0; ix < gw; ix++) {
              let yy = sh + i * bh + ((iy + 0.5) * bh) / gh, xx = sw + j * bw + ((ix + 0.5) * bw) / gw;
              let terms = [0, 0, 0, 0];
              if (!(yy < -1 || yy > h || xx < -1 || xx > w)) {
                yy = Math.max(yy, 0);
                xx = Math.max(xx, 0);
                let y0 = Math.trunc(yy), x0 = Math.trunc(xx), y1 = y0 + 1, x1 = x0 + 1;
                if (y0 >= h - 1) yy = y0 = y1 = h - 1;
                if (x0 >= w - 1) xx = x0 = x1 = w - 1;
                const ly = yy - y0, lx = xx - x0;
                terms = [(1 - ly) * (1 - lx) * px(y0, x0), (1 - ly) * lx * px(y0, x1), ly * (1 - lx) * px(y1, x0), ly * lx * px(y1, x1)];
              }
              if (plan.mode === 'avg') acc += terms[0] + terms[1] + terms[2] + terms[3];
              else {
                const v = Math.max(...terms);
                acc = seen ? Math.max(acc, v) : v;
                seen = true;
              }
            }
          }
          y[ravel([n, ch, i, j], shape)] = plan.mode === 'avg' ? acc / count : acc;
        }
      }
    }
  }
  return { shape, v: y };
}

/** ONNX's MaxRoiPool reference: rounded region, f32 bin bounds, the max over each bin (0 where empty). */
function maxRoiPoolRef(x: F64, rois: Float64Array, [ph, pw]: number[], scale: number): F64 {
  const [, c, h, w] = x.shape;
  const r = rois.length / 5;
  const shape = [r, c, ph, pw];
  const f = Math.fround;
  const round = (v: number) => Math.sign(v) * (Math.floor(Math.abs(v)) + (Math.abs(v) - Math.floor(Math.abs(v)) >= 0.5 ? 1 : 0));
  const y = new Float64Array(size(shape));
  for (let n = 0; n < r; n++) {
    const b = Math.trunc(rois[n * 5]);
    const [sw, sh, ew, eh] = [1, 2, 3, 4].map((j) => round(f(f(rois[n * 5 + j]) * f(scale))));
    const binH = f(Math.max(eh - sh + 1, 1) / ph), binW = f(Math.max(ew - sw + 1, 1) / pw);
    const clamp = (v: number, hi: number) => Math.min(Math.max(v, 0), hi);
    for (let ch = 0; ch < c; ch++) {
      for (let i = 0; i < ph; i++) {
        for (let j = 0; j < pw; j++) {
          const [hs, he] = [clamp(Math.floor(f(i * binH)) + sh, h), clamp(Math.ceil(f((i + 1) * binH)) + sh, h)];
          const [ws, we] = [clamp(Math.floor(f(j * binW)) + sw, w), clamp(Math.ceil(f((j + 1) * binW)) + sw, w)];
          let m = he <= hs || we <= ws ? 0 : -Infinity;
          for (let yy = hs; yy < he; yy++) for (let xx = ws; xx < we; xx++) m = Math.max(m, x.v[ravel([b, ch, yy, xx], x.shape)]);
          y[ravel([n, ch, i, j], shape)] = m;
        }
      }
    }
  }
  return { shape, v: y };
}

// ---- data ---------------------------------------------------------------

const randomF64 = (shape: number[], lo = -2, hi = 2): F64 => f64(shape, asF32(uniform(size(shape), lo, hi)));
const floatFeed = (a: F64, constant = false): Feed => ({ shape: a.shape, values: a.v, constant });

/** Regions [x1, y1, x2, y2] over an image of h × w (in input pixels before spatial_scale), some past its edges, one reversed. */
function boxes(count: number, h: number, w: number, scale: number): Float64Array {
  const v = new Float64Array(count * 4);
  for (let r = 0; r < count; r++) {
    const [x1, y1] = uniform(2, -2, 1).map((u, j) => u + (j ? h : w) * 0.3 * uniform(1, 0, 1)[0]);
    const [bw, bh] = uniform(2, 0.5, 1.1).map((u, j) => u * (j ? h : w) * 0.6);
    v.set([x1, y1, x1 + bw, y1 + bh].map((u) => u / scale), r * 4);
  }
  // The last region reversed: half_pixel samples it with a negative bin (output_half_pixel widens it to a pixel).
  v.set([v[(count - 1) * 4 + 2], v[(count - 1) * 4 + 3], v[(count - 1) * 4], v[(count - 1) * 4 + 1]], (count - 1) * 4);
  return asF32(v);
}

const ortFloat = (a: F64) => new ort.Tensor('float32', Float32Array.from(a.v), a.shape);

// ---- tests --------------------------------------------------------------

describe.each(BACKENDS)('ONNX sampling ops on %s', (backend) => {
  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  describe('GridSample', () => {
    const cases: [string, string, boolean, number][] = [];
    for (const [mode, opset] of [['bilinear', 16], ['nearest', 16], ['bicubic', 16], ['linear', 20], ['cubic', 20]] as const) {
      for (const padding of ['zeros', 'border', 'reflection']) for (const align of [false, true]) cases.push([mode, padding, align, opset]);
    }

    it.each(cases)('samples images (mode %s, padding %s, align_corners %s, opset %i) as ONNX\'s reference', async (mode, padding, align, opset) => {
      const x = randomF64([2, 3, 5, 7]);
      const grid = f64([2, 4, 6, 2], gridValues([2, 4, 6, 2], [5, 7], align));
      const attrs = { mode, padding_mode: padding, align_corners: align ? 1 : 0 };
      const [y] = await runOp('GridSample', [floatFeed(x), floatFeed(grid)], attrs, { opset });
      const want = gridSampleRef(x, grid, { mode, padding, align });
      expect(y.shape).toEqual(want.shape);
      expectClose(y.v, want.v, 1e-4, `GridSample ${mode} ${padding} align ${align} (seed ${SEED})`);
    });

    it.each([['linear'], ['nearest'], ['cubic']])('samples 1-D signals [N, C, W] (opset 20, mode %s)', async (mode) => {
      for (const padding of ['zeros', 'border', 'reflection']) {
        for (const align of [false, true]) {
          const x = randomF64([2, 3, 9]);
          const grid = f64([2, 5, 1], gridValues([2, 5, 1], [9], align));
          const [y] = await runOp('GridSample', [floatFeed(x), floatFeed(grid)], { mode, padding_mode: padding, align_corners: align ? 1 : 0 }, { opset: 20 });
          const want = gridSampleRef(x, grid, { mode, padding, align });
          expect(y.shape).toEqual([2, 3, 5]);
          expectClose(y.v, want.v, 1e-4, `1-D GridSample ${mode} ${padding} align ${align} (seed ${SEED})`);
        }
      }
    });

    const volumeCases = ['linear', 'nearest'].flatMap((mode) => ['zeros', 'border', 'reflection'].flatMap((padding) => [false, true].map((align) => [mode, padding, align] as const)));

    it.each(volumeCases)('samples volumes [N, C, D, H, W] (opset 20, mode %s, padding %s, align_corners %s) as ONNX\'s reference', async (mode, padding, align) => {
      const x = randomF64([2, 2, 3, 4, 5]);
      const grid = f64([2, 2, 3, 4, 3], gridValues([2, 2, 3, 4, 3], [3, 4, 5], align));
      const [y] = await runOp('GridSample', [floatFeed(x), floatFeed(grid)], { mode, padding_mode: padding, align_corners: align ? 1 : 0 }, { opset: 20 });
      const want = gridSampleRef(x, grid, { mode, padding, align });
      expect(y.shape).toEqual([2, 2, 2, 3, 4]);
      expectClose(y.v, want.v, 1e-4, `3-D GridSample ${mode} ${padding} align ${align} (seed ${SEED})`);
    });

    it('samples float16 images, with a float16 grid or a float one', async () => {
      const x = f64([1, 2, 4, 5], asF16(uniform(40)));
      const grid = f64([1, 3, 3, 2], asF16(uniform(18, -1.2, 1.2)));
      const want = gridSampleRef(x, grid, { mode: 'bilinear', padding: 'border', align: false });
      for (const gridType of ['float16', 'float'] as const) {
        const [y] = await runOp('GridSample', [{ shape: x.shape, values: x.v, type: 'float16' }, { shape: grid.shape, values: grid.v, type: gridType }], { padding_mode: 'border' }, { opset: 16, outputTypes: ['float16'] });
        expectClose(y.v, want.v, 1e-2, `float16 GridSample, ${gridType} grid (seed ${SEED})`);
      }
    });

    it('samples integer images exactly with nearest, and truncates a bilinear mix toward zero as the reference stores it', async () => {
      const xs = f64([1, 2, 4, 5], randomInts(40, -1000, 1000));
      const grid = f64([1, 3, 4, 2], gridValues([1, 3, 4, 2], [4, 5], false));
      for (const mode of ['nearest', 'bilinear']) {
        const [y] = await runOp('GridSample', [{ shape: xs.shape, values: xs.v, type: 'int32' }, floatFeed(grid)], { mode, padding_mode: 'border' }, { opset: 16, outputTypes: ['int32'] });
        const want = gridSampleRef(xs, grid, { mode, padding: 'border', align: false }).v.map(Math.trunc);
        if (mode === 'nearest') expectExact(y.v, want, `integer nearest GridSample (seed ${SEED})`);
        // A mix that lands within f32's rounding of a whole number may truncate either way.
        else y.v.forEach((v, i) => expect(Math.abs(v - want[i])).toBeLessThanOrEqual(1));
      }
    });

    it.each([['bilinear', 'border'], ['bicubic', 'reflection'], ['bicubic', 'border'], ['bilinear', 'zeros']])('gives the input and the grid their gradients (mode %s, padding %s), beside central differences', async (mode, padding) => {
      const x = randomF64([1, 2, 4, 5]);
      const grid = f64([1, 3, 3, 2], gridValues([1, 3, 3, 2], [4, 5], false));
      const r = uniform(2 * 9);
      const plan = { mode, padding, align: false };
      const model = tm.onnx.fromBytes(opModel('GridSample', [floatFeed(x), floatFeed(grid)], { mode, padding_mode: padding }, { opset: 16 }));
      const [xt, gt] = [x, grid].map((a) => {
        const t = tm.tensor(a.v, a.shape);
        t.requiresGrad = true;
        return t;
      });
      const out = model.run([xt, gt]);
      out.y0.mul(tm.tensor(r, [1, 2, 3, 3])).sum().backward();
      const loss = () => gridSampleRef(x, grid, plan).v.reduce((s, v, i) => s + v * r[i], 0);
      expectClose(await xt.grad!.data(), centralDifferences(x.v, loss), 1e-3, `GridSample d input (seed ${SEED})`);
      expectClose(await gt.grad!.data(), centralDifferences(grid.v, loss), 2e-3, `GridSample d grid (seed ${SEED})`);
      model.dispose();
    });

    it.each([['zeros'], ['reflection']])('gives a volume and its grid their gradients (linear, padding %s), beside central differences', async (padding) => {
      const x = randomF64([1, 2, 3, 4, 3]);
      const grid = f64([1, 2, 2, 3, 3], gridValues([1, 2, 2, 3, 3], [3, 4, 3], true));
      const r = uniform(2 * 12);
      const plan = { mode: 'linear', padding, align: true };
      const model = tm.onnx.fromBytes(opModel('GridSample', [floatFeed(x), floatFeed(grid)], { mode: 'linear', padding_mode: padding, align_corners: 1 }, { opset: 20 }));
      const [xt, gt] = [x, grid].map((a) => {
        const t = tm.tensor(a.v, a.shape);
        t.requiresGrad = true;
        return t;
      });
      model.run([xt, gt]).y0.mul(tm.tensor(r, [1, 2, 2, 2, 3])).sum().backward();
      const loss = () => gridSampleRef(x, grid, plan).v.reduce((s, v, i) => s + v * r[i], 0);
      expectClose(await xt.grad!.data(), centralDifferences(x.v, loss), 1e-3, `3-D GridSample d input (seed ${SEED})`);
      expectClose(await gt.grad!.data(), centralDifferences(grid.v, loss), 2e-3, `3-D GridSample d grid (seed ${SEED})`);
      model.dispose();
    });

    it('agrees with onnxruntime', async () => {
      for (const [mode, padding, align] of [['bilinear', 'zeros', 0], ['nearest', 'reflection', 1], ['bicubic', 'border', 0], ['bicubic', 'reflection', 1]] as const) {
        const x = randomF64([2, 3, 5, 6]);
        const grid = f64([2, 3, 4, 2], gridValues([2, 3, 4, 2], [5, 6], align === 1));
        const attrs = { mode, padding_mode: padding, align_corners: align };
        const bytes = opModel('GridSample', [floatFeed(x), floatFeed(grid)], attrs, { opset: 16 });
        const want = await ortRun(bytes, { x0: ortFloat(x), x1: ortFloat(grid) });
        const [y] = await runOp('GridSample', [floatFeed(x), floatFeed(grid)], attrs, { opset: 16 });
        expectClose(y.v, Float64Array.from(want.y0.data as Float32Array), 1e-4, `GridSample ${mode} ${padding} vs onnxruntime (seed ${SEED})`);
      }
      for (const [mode, padding, align] of [['linear', 'reflection', 0], ['nearest', 'border', 1], ['linear', 'zeros', 1]] as const) {
        const x = randomF64([1, 2, 3, 4, 5]);
        const grid = f64([1, 2, 3, 2, 3], gridValues([1, 2, 3, 2, 3], [3, 4, 5], align === 1));
        const attrs = { mode, padding_mode: padding, align_corners: align };
        const bytes = opModel('GridSample', [floatFeed(x), floatFeed(grid)], attrs, { opset: 20 });
        const want = await ortRun(bytes, { x0: ortFloat(x), x1: ortFloat(grid) });
        const [y] = await runOp('GridSample', [floatFeed(x), floatFeed(grid)], attrs, { opset: 20 });
        expectClose(y.v, Float64Array.from(want.y0.data as Float32Array), 1e-4, `3-D GridSample ${mode} ${padding} vs onnxruntime (seed ${SEED})`);
      }
    });

    it('names the modes, padding modes and shapes it does not run', async () => {
      const x = randomF64([1, 1, 3, 3]), grid = randomF64([1, 2, 2, 2]);
      await expect(runOp('GridSample', [floatFeed(x), floatFeed(grid)], { mode: 'area' })).rejects.toThrow(/\(GridSample\): mode = "area" is not one of bilinear, linear, nearest, bicubic, cubic/);
      await expect(runOp('GridSample', [floatFeed(x), floatFeed(grid)], { padding_mode: 'wrap' })).rejects.toThrow(/padding_mode = "wrap" is not one of zeros, border, reflection/);
      const volume = randomF64([1, 1, 2, 3, 3]), grid3 = randomF64([1, 2, 2, 2, 3]);
      await expect(runOp('GridSample', [floatFeed(volume), floatFeed(grid3)], { mode: 'cubic' }, { opset: 20 })).rejects.toThrow(/mode = "cubic" is not supported for volumes \(\[N, C, D, H, W\]\): tmnn samples them linear or nearest, as onnxruntime does/);
      await expect(runOp('GridSample', [floatFeed(randomF64([1, 1, 2, 2, 2, 2])), floatFeed(randomF64([1, 1, 1, 1, 1, 4]))], {}, { opset: 20 })).rejects.toThrow(/input is \[1, 1, 2, 2, 2, 2\]; tmnn runs GridSample on \[N, C, W\], \[N, C, H, W\] and \[N, C, D, H, W\]/);
      await expect(runOp('GridSample', [floatFeed(x), floatFeed(randomF64([1, 2, 2, 3]))])).rejects.toThrow(/grid is \[1, 2, 2, 3\]; input \[1, 1, 3, 3\] needs \[1, …, …, 2\]/);
    });
  });

  describe('AffineGrid', () => {
    it.each([[[2, 3, 4, 5], 0], [[2, 3, 4, 5], 1], [[1, 2, 3, 1], 1], [[2, 1, 3, 4, 5], 0], [[2, 1, 3, 4, 5], 1], [[1, 1, 1, 2, 3], 1]])('makes the grid of size %j (align_corners %i) as ONNX\'s reference, and θ\'s gradient', async (sizes, align) => {
      const k = sizes.length - 2;
      const theta = randomF64([sizes[0], k, k + 1]);
      const model = tm.onnx.fromBytes(opModel('AffineGrid', [floatFeed(theta), { shape: [sizes.length], values: sizes, type: 'int64', constant: true }], { align_corners: align }, { opset: 20 }));
      const t = tm.tensor(theta.v, theta.shape);
      t.requiresGrad = true;
      const out = model.run([t]);
      const want = affineGridRef(theta, sizes.slice(2), align === 1);
      expect(out.y0.shape).toEqual(want.shape);
      expectClose(await out.y0.data(), want.v, 1e-5, `AffineGrid ${sizes} (seed ${SEED})`);
      const r = uniform(want.v.length);
      out.y0.mul(tm.tensor(r, want.shape)).sum().backward();
      // Linear in θ: the difference quotient is exact.
      const loss = () => affineGridRef(theta, sizes.slice(2), align === 1).v.reduce((s, v, i) => s + v * r[i], 0);
      expectClose(await t.grad!.data(), centralDifferences(theta.v, loss, 1e-3), 1e-4, `AffineGrid dθ (seed ${SEED})`);
      model.dispose();
    });

    // No aligned axis of one pixel here: ONNX's reference puts it at −1, PyTorch at 0, onnxruntime (Eigen's LinSpaced) at 1.
    it('agrees with onnxruntime in 2-D and 3-D', async () => {
      for (const [sizes, align] of [[[2, 3, 4, 5], 0], [[1, 3, 3, 4], 1], [[2, 1, 2, 3, 4], 1]] as const) {
        const k = sizes.length - 2;
        const theta = randomF64([sizes[0], k, k + 1]);
        const inputs: Feed[] = [floatFeed(theta), { shape: [sizes.length], values: [...sizes], type: 'int64', constant: true }];
        const bytes = opModel('AffineGrid', inputs, { align_corners: align }, { opset: 20 });
        const want = await ortRun(bytes, { x0: ortFloat(theta) });
        const [y] = await runOp('AffineGrid', inputs, { align_corners: align }, { opset: 20 });
        expect(y.shape).toEqual(want.y0.dims);
        expectClose(y.v, Float64Array.from(want.y0.data as Float32Array), 1e-5, `AffineGrid ${sizes} vs onnxruntime (seed ${SEED})`);
      }
    });

    it('names a θ that does not fit the size', async () => {
      const theta = randomF64([2, 2, 3]);
      await expect(runOp('AffineGrid', [floatFeed(theta), { shape: [5], values: [2, 1, 3, 4, 5], type: 'int64', constant: true }], {}, { opset: 20 })).rejects.toThrow(/\(AffineGrid\): theta is \[2, 2, 3\]; size \[2, 1, 3, 4, 5\] needs \[2, 3, 4\]/);
    });
  });

  describe('RoiAlign', () => {
    const plans: [string, RoiPlan, number][] = [];
    for (const mode of ['avg', 'max'] as const) {
      for (const [ratio, scale] of [[0, 0.5], [2, 1]]) {
        plans.push([`${mode}, sampling_ratio ${ratio}, opset 10`, { mode, ph: 3, pw: 2, ratio, scale, halfPixel: false }, 10]);
        plans.push([`${mode}, sampling_ratio ${ratio}, half_pixel`, { mode, ph: 2, pw: 4, ratio, scale, halfPixel: true }, 16]);
      }
    }
    plans.push(['avg, output_half_pixel at opset 16', { mode: 'avg', ph: 3, pw: 3, ratio: 0, scale: 0.5, halfPixel: false }, 16]);

    const attrsOf = (plan: RoiPlan, opset: number): Record<string, AttributeSpec> => ({
      mode: plan.mode, output_height: plan.ph, output_width: plan.pw, sampling_ratio: plan.ratio, spatial_scale: { float: plan.scale },
      ...(opset >= 16 ? { coordinate_transformation_mode: plan.halfPixel ? 'half_pixel' : 'output_half_pixel' } : {}),
    });

    it.each(plans)('pools its regions (%s) as ONNX\'s reference', async (_, plan, opset) => {
      const x = randomF64([2, 3, 9, 11]);
      const rois = boxes(5, 9, 11, plan.scale);
      const batch = randomInts(5, 0, 1);
      const inputs: Feed[] = [floatFeed(x), { shape: [5, 4], values: rois, constant: true }, { shape: [5], values: batch, type: 'int64', constant: true }];
      const [y] = await runOp('RoiAlign', inputs, attrsOf(plan, opset), { opset });
      const want = roiAlignRef(x, rois, batch, plan);
      expect(y.shape).toEqual(want.shape);
      expectClose(y.v, want.v, 1e-5, `RoiAlign (seed ${SEED})`);
    });

    it('reads regions computed on the device back in runAsync, and refuses them in run, naming runAsync', async () => {
      const plan: RoiPlan = { mode: 'avg', ph: 2, pw: 2, ratio: 0, scale: 1, halfPixel: true };
      const x = randomF64([1, 2, 6, 7]);
      const rois = boxes(3, 6, 7, 1);
      const inputs: Feed[] = [floatFeed(x), { shape: [3, 4], values: rois }, { shape: [3], values: [0, 0, 0], type: 'int64', constant: true }];
      const [y] = await runOp('RoiAlign', inputs, attrsOf(plan, 16), { opset: 16, mode: 'async' });
      expectClose(y.v, roiAlignRef(x, rois, new Float64Array(3), plan).v, 1e-5, `RoiAlign of device regions (seed ${SEED})`);
      await expect(runOp('RoiAlign', inputs, attrsOf(plan, 16), { opset: 16 })).rejects.toThrow(/\(RoiAlign\): its rois \(input 1, x1\) is computed on the device.*model\.runAsync/);
    });

    it.each([['avg'], ['max']] as const)('gives the input its gradient (%s), beside central differences', async (mode) => {
      const plan: RoiPlan = { mode, ph: 2, pw: 3, ratio: 0, scale: 1, halfPixel: true };
      const x = randomF64([2, 2, 5, 6]);
      const rois = boxes(3, 5, 6, 1), batch = Float64Array.from([1, 0, 1]);
      const model = tm.onnx.fromBytes(opModel('RoiAlign', [floatFeed(x), { shape: [3, 4], values: rois, constant: true }, { shape: [3], values: batch, type: 'int64', constant: true }], attrsOf(plan, 16), { opset: 16 }));
      const xt = tm.tensor(x.v, x.shape);
      xt.requiresGrad = true;
      const r = uniform(3 * 2 * 2 * 3);
      model.run([xt]).y0.mul(tm.tensor(r, [3, 2, 2, 3])).sum().backward();
      const loss = () => roiAlignRef(x, rois, batch, plan).v.reduce((s, v, i) => s + v * r[i], 0);
      expectClose(await xt.grad!.data(), centralDifferences(x.v, loss), 1e-3, `RoiAlign ${mode} d input (seed ${SEED})`);
      model.dispose();
    });

    it('agrees with onnxruntime, max as its CPU kernel takes it', async () => {
      for (const [plan, opset] of [[{ mode: 'avg', ph: 3, pw: 2, ratio: 0, scale: 0.5, halfPixel: true }, 16], [{ mode: 'max', ph: 2, pw: 3, ratio: 2, scale: 1, halfPixel: false }, 10], [{ mode: 'max', ph: 2, pw: 2, ratio: 0, scale: 0.5, halfPixel: true }, 16]] as const) {
        const x = randomF64([2, 3, 8, 9]);
        const rois = boxes(4, 8, 9, plan.scale), batch = randomInts(4, 0, 1);
        const inputs: Feed[] = [floatFeed(x), { shape: [4, 4], values: rois }, { shape: [4], values: batch, type: 'int64', constant: true }];
        const bytes = opModel('RoiAlign', inputs, attrsOf(plan, opset), { opset });
        const want = await ortRun(bytes, { x0: ortFloat(x), x1: new ort.Tensor('float32', Float32Array.from(rois), [4, 4]) });
        const [y] = await runOp('RoiAlign', inputs, attrsOf(plan, opset), { opset, mode: 'async' });
        expectClose(y.v, Float64Array.from(want.y0.data as Float32Array), 1e-5, `RoiAlign ${plan.mode} vs onnxruntime (seed ${SEED})`);
      }
    });

    it('pools float16 images', async () => {
      const plan: RoiPlan = { mode: 'avg', ph: 2, pw: 2, ratio: 2, scale: 1, halfPixel: true };
      const x = f64([1, 2, 6, 7], asF16(uniform(84)));
      const rois = asF16(boxes(3, 6, 7, 1));
      const inputs: Feed[] = [{ shape: x.shape, values: x.v, type: 'float16' }, { shape: [3, 4], values: rois, type: 'float16', constant: true }, { shape: [3], values: [0, 0, 0], type: 'int64', constant: true }];
      const [y] = await runOp('RoiAlign', inputs, { output_height: 2, output_width: 2, sampling_ratio: 2 }, { opset: 16, outputTypes: ['float16'] });
      expectClose(y.v, roiAlignRef(x, rois, new Float64Array(3), plan).v, 1e-2, `float16 RoiAlign (seed ${SEED})`);
      const [z] = await runOp('MaxRoiPool', [inputs[0], { shape: [1, 5], values: [0, 1, 1, 5, 4], type: 'float16', constant: true }], { pooled_shape: [2, 3] }, { outputTypes: ['float16'] });
      expectExact(z.v, maxRoiPoolRef(x, Float64Array.from([0, 1, 1, 5, 4]), [2, 3], 1).v, `float16 MaxRoiPool (seed ${SEED})`);
    });

    it('pools no regions into an empty output', async () => {
      const x = randomF64([1, 2, 4, 4]);
      const [y] = await runOp('RoiAlign', [floatFeed(x), { shape: [0, 4], values: [], constant: true }, { shape: [0], values: [], type: 'int64', constant: true }], { output_height: 2, output_width: 3 }, { opset: 16 });
      expect(y.shape).toEqual([0, 2, 2, 3]);
      const [z] = await runOp('MaxRoiPool', [floatFeed(x), { shape: [0, 5], values: [], constant: true }], { pooled_shape: [2, 2] });
      expect(z.shape).toEqual([0, 2, 2, 2]);
    });

    it('names its bad modes and batch indices', async () => {
      const x = randomF64([1, 1, 4, 4]);
      const inputs = (b: number): Feed[] => [floatFeed(x), { shape: [1, 4], values: [0, 0, 2, 2], constant: true }, { shape: [1], values: [b], type: 'int64', constant: true }];
      await expect(runOp('RoiAlign', inputs(0), { mode: 'sum' }, { opset: 16 })).rejects.toThrow(/\(RoiAlign\): mode = "sum" is not one of avg, max/);
      await expect(runOp('RoiAlign', inputs(0), { coordinate_transformation_mode: 'asymmetric' }, { opset: 16 })).rejects.toThrow(/coordinate_transformation_mode = "asymmetric" is not one of half_pixel, output_half_pixel/);
      await expect(runOp('RoiAlign', inputs(1), {}, { opset: 16 })).rejects.toThrow(/region 0's batch index 1 is outside the input's batch of 1/);
    });
  });

  describe('MaxRoiPool', () => {
    function regions(count: number, n: number, h: number, w: number, scale: number): Float64Array {
      const v = new Float64Array(count * 5);
      for (let r = 0; r < count; r++) {
        const [x1, y1] = [uniform(1, -2, w * 0.6)[0], uniform(1, -2, h * 0.6)[0]];
        v.set([randomInts(1, 0, n - 1)[0], ...[x1, y1, x1 + uniform(1, -1, w)[0], y1 + uniform(1, -1, h)[0]].map((u) => u / scale)], r * 5);
      }
      return asF32(v);
    }

    it.each([[[2, 2], 1], [[3, 2], 0.5], [[1, 4], 0.25]])('pools each region\'s bins (pooled_shape %j, spatial_scale %f) as ONNX\'s reference', async (pooled, scale) => {
      const x = randomF64([2, 3, 8, 10]);
      const rois = regions(6, 2, 8, 10, scale);
      const inputs: Feed[] = [floatFeed(x), { shape: [6, 5], values: rois, constant: true }];
      const [y] = await runOp('MaxRoiPool', inputs, { pooled_shape: pooled, spatial_scale: { float: scale } });
      const want = maxRoiPoolRef(x, rois, pooled, scale);
      expect(y.shape).toEqual(want.shape);
      expectExact(y.v, want.v, `MaxRoiPool (seed ${SEED})`);
      const bytes = opModel('MaxRoiPool', [floatFeed(x), { shape: [6, 5], values: rois }], { pooled_shape: pooled, spatial_scale: { float: scale } });
      const ortY = await ortRun(bytes, { x0: ortFloat(x), x1: new ort.Tensor('float32', Float32Array.from(rois), [6, 5]) });
      expectExact(Float64Array.from(ortY.y0.data as Float32Array), want.v, `MaxRoiPool's reference vs onnxruntime (seed ${SEED})`);
    });

    it('gives the input the gradient of each bin\'s maximum', async () => {
      const x = randomF64([1, 2, 6, 7]);
      const rois = asF32(Float64Array.from([0, 0.4, 1.2, 5.3, 4.6, 0, 2, 0, 6, 3]));
      const model = tm.onnx.fromBytes(opModel('MaxRoiPool', [floatFeed(x), { shape: [2, 5], values: rois, constant: true }], { pooled_shape: [2, 2] }));
      const xt = tm.tensor(x.v, x.shape);
      xt.requiresGrad = true;
      const r = uniform(2 * 2 * 4);
      model.run([xt]).y0.mul(tm.tensor(r, [2, 2, 2, 2])).sum().backward();
      const loss = () => maxRoiPoolRef(x, rois, [2, 2], 1).v.reduce((s, v, i) => s + v * r[i], 0);
      expectClose(await xt.grad!.data(), centralDifferences(x.v, loss), 1e-4, `MaxRoiPool d input (seed ${SEED})`);
      model.dispose();
    });

    it('names a bad pooled_shape and batch index', async () => {
      const x = randomF64([1, 1, 4, 4]);
      await expect(runOp('MaxRoiPool', [floatFeed(x), { shape: [1, 5], values: [0, 0, 0, 2, 2], constant: true }], { pooled_shape: [2] })).rejects.toThrow(/\(MaxRoiPool\): pooled_shape = \[2\] must give the bins' \[height, width\], positive/);
      await expect(runOp('MaxRoiPool', [floatFeed(x), { shape: [1, 5], values: [3, 0, 0, 2, 2], constant: true }], { pooled_shape: [2, 2] })).rejects.toThrow(/region 0's batch index 3 is outside the input's batch of 1/);
    });
  });
});


it('tm.onnx.SUPPORTED_OPS lists the sampling ops', () => {
  expect(tm.onnx.SUPPORTED_OPS).toEqual(expect.arrayContaining(['GridSample', 'AffineGrid', 'RoiAlign', 'MaxRoiPool']));
});
