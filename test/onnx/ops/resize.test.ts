// ONNX's Resize, Upsample, DepthToSpace and SpaceToDepth, run as one-node
// models. Resize against a float64 port of the spec's per-entry definition
// written here (each output entry interpolated along every axis at once, its
// neighbours the n nearest input entries, the edge repeated past the ends,
// the ratio in (0, 1]), for each mode, nearest_mode and coordinate
// transformation, scales and sizes, axes and keep_aspect_ratio_policy; a few
// outputs the spec lists, verbatim; the gradient to the input (the
// transposed weights, from the reference on unit inputs); antialias and
// tf_crop_and_resize (roi, extrapolation_value); the depth/space
// shuffles against index arithmetic; the values refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../../src/index.js';
import { BACKENDS } from '../../helpers/backends.js';
import { asF32, expectClose, uniform } from '../../helpers/data.js';
import { ravel, size, unravel } from '../../helpers/float64.js';
import { singleOp, type AttributeSpec, type TensorSpec } from '../../helpers/onnx.js';

interface Plan {
  mode: string;
  coordinates: string;
  nearest: string;
  a: number;
  excludeOutside: boolean;
  antialias?: boolean;
  extrapolation?: number;
}

function sourceCoordinate(plan: Plan, x: number, n: number, m: number, scale: number, [start, end]: number[]): number {
  switch (plan.coordinates) {
    case 'tf_crop_and_resize': return m > 1 ? start * (n - 1) + (x * (end - start) * (n - 1)) / (m - 1) : 0.5 * (start + end) * (n - 1);
    case 'half_pixel': return (x + 0.5) / scale - 0.5;
    case 'half_pixel_symmetric': return (n / 2) * (1 - m / (scale * n)) + (x + 0.5) / scale - 0.5;
    case 'pytorch_half_pixel': return m > 1 ? (x + 0.5) / scale - 0.5 : 0;
    case 'align_corners': return m === 1 ? 0 : (x * (n - 1)) / (m - 1);
    case 'asymmetric': return x / scale;
    case 'tf_half_pixel_for_nn': return (x + 0.5) / scale;
  }
  throw new Error(plan.coordinates);
}

/** The weights of the neighbours left − 1…left + 2 (cubic), left…left + 1 (linear, nearest) for a ratio in (0, 1]. */
function coefficients(plan: Plan, ratio: number, scale: number): number[] {
  // antialias: the filter stretched by 1/scale when shrinking, over as many neighbours as it reaches, normalized.
  const s = plan.antialias ? Math.min(scale, 1) : 1;
  const stretched = (reach: number, w: (t: number) => number) => {
    const first = Math.floor(-reach / s) + 1;
    const ws = Array.from({ length: 2 - 2 * first }, (_, j) => w(Math.abs((first + j - ratio) * s)));
    const total = ws.reduce((a, b) => a + b, 0);
    return ws.map((v) => v / total);
  };
  if (plan.mode === 'linear') return stretched(1, (t) => Math.max(0, 1 - t));
  if (plan.mode === 'cubic') {
    const A = plan.a;
    return stretched(2, (t) => (t <= 1 ? (A + 2) * t ** 3 - (A + 3) * t ** 2 + 1 : t < 2 ? A * t ** 3 - 5 * A * t ** 2 + 8 * A * t - 4 * A : 0));
  }
  if (ratio === 1) return [0, 1];
  const up = { round_prefer_floor: ratio > 0.5, round_prefer_ceil: ratio >= 0.5, floor: false, ceil: true, simple: scale < 1 }[plan.nearest];
  return up ? [0, 1] : [1, 0];
}

/** One output entry along one axis, from the input entries along it. */
function interpolate1d(plan: Plan, data: number[], x: number, m: number, scale: number, roi: number[]): number {
  const n = data.length;
  const at = sourceCoordinate(plan, x, n, m, scale, roi);
  if (plan.coordinates === 'tf_crop_and_resize' && (at < 0 || at > n - 1)) return plan.extrapolation ?? 0;
  const ratio = Number.isInteger(at) ? 1 : at - Math.floor(at);
  const left = at - ratio;
  const coeffs = coefficients(plan, ratio, scale);
  const first = left - (coeffs.length / 2 - 1);
  const idx = coeffs.map((_, j) => first + j);
  let w = coeffs;
  if (plan.excludeOutside) {
    w = coeffs.map((c, j) => (idx[j] < 0 || idx[j] >= n ? 0 : c));
    const total = w.reduce((s, c) => s + c, 0);
    w = w.map((c) => c / total);
  }
  return idx.reduce((s, i, j) => s + w[j] * data[Math.min(n - 1, Math.max(0, i))], 0);
}

/** The spec's N-D definition: the output entry at `o` interpolated along axis 0 from the (recursively interpolated) slices. */
function resizeRef(plan: Plan, x: Float64Array, shape: number[], out: number[], scales: number[], rois: number[][] = shape.map(() => [0, 1])): Float64Array {
  const entry = (data: Float64Array, ds: number[], o: number[], axis: number): number => {
    const inner = size(ds.slice(1));
    const values = Array.from({ length: ds[0] }, (_, i) => (ds.length === 1 ? data[i] : entry(data.subarray(i * inner, (i + 1) * inner), ds.slice(1), o, axis + 1)));
    return interpolate1d(plan, values, o[axis], out[axis], scales[axis], rois[axis]);
  };
  return Float64Array.from({ length: size(out) }, (_, i) => entry(x, shape, unravel(i, out), 0));
}

interface Case {
  name: string;
  x: number[];
  attrs: Record<string, AttributeSpec>;
  scales?: number[];
  sizes?: number[];
  /** The output and the scales the coordinate transformation divides by, when sizes and policies decide them. */
  out?: number[];
  ratio?: number[];
  /** tf_crop_and_resize's input roi, and the region it gives each axis. */
  roi?: number[];
  rois?: number[][];
  opset?: number;
}

const plan = (c: Case): Plan => ({
  mode: (c.attrs.mode as string) ?? 'nearest',
  coordinates: (c.opset ?? 19) < 11 ? 'asymmetric' : ((c.attrs.coordinate_transformation_mode as string) ?? 'half_pixel'),
  nearest: (c.opset ?? 19) < 11 ? 'simple' : ((c.attrs.nearest_mode as string) ?? 'round_prefer_floor'),
  a: (c.attrs.cubic_coeff_a as { float: number } | undefined)?.float ?? -0.75,
  excludeOutside: c.attrs.exclude_outside === 1,
  antialias: c.attrs.antialias === 1,
  extrapolation: (c.attrs.extrapolation_value as { float: number } | undefined)?.float,
});

function model(c: Case): Uint8Array {
  const opset = c.opset ?? 19;
  const initializers: Record<string, TensorSpec> = {};
  const extra: string[] = [];
  if (opset < 11) {
    initializers.scales = { shape: [c.scales!.length], values: c.scales! };
    extra.push('scales');
  } else {
    extra.push(c.roi ? 'roi' : '', c.scales ? 'scales' : '');
    if (c.roi) initializers.roi = { shape: [c.roi.length], values: c.roi };
    if (c.scales) initializers.scales = { shape: [c.scales.length], values: c.scales };
    if (c.sizes) {
      initializers.sizes = { type: 'int64', shape: [c.sizes.length], values: c.sizes };
      extra.push('sizes');
    }
  }
  return singleOp('Resize', [{ name: 'x', shape: c.x }], c.attrs, { opset, initializers, extraInputs: extra });
}

/** The output shape and per-axis scales a case amounts to. */
function geometry(c: Case): { out: number[]; scales: number[] } {
  if (c.out) return { out: c.out, scales: c.ratio ?? c.out.map((m, a) => m / c.x[a]) };
  if (c.sizes) return { out: c.sizes, scales: c.sizes.map((m, a) => m / c.x[a]) };
  return { out: c.x.map((d, a) => Math.floor(d * c.scales![a])), scales: c.scales! };
}

const CASES: Case[] = [
  // The conv_transpose_upsample fixture's three: nearest ×2 asymmetric floor; linear half_pixel to sizes 5×7; linear align_corners ×2.
  { name: 'nearest ×2 asymmetric floor', x: [2, 3, 4, 5], attrs: { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor', cubic_coeff_a: { float: -0.75 } }, scales: [1, 1, 2, 2], opset: 16 },
  { name: 'linear half_pixel to sizes', x: [2, 2, 3, 3], attrs: { mode: 'linear', coordinate_transformation_mode: 'half_pixel' }, sizes: [2, 2, 5, 7], opset: 16 },
  { name: 'linear align_corners ×2', x: [1, 3, 3, 4], attrs: { mode: 'linear', coordinate_transformation_mode: 'align_corners' }, scales: [1, 1, 2, 2], opset: 16 },
  { name: 'nearest round_prefer_floor half_pixel ×1.5 and ×0.6', x: [1, 2, 5, 6], attrs: {}, scales: [1, 1, 1.5, 0.6] },
  { name: 'nearest round_prefer_ceil asymmetric', x: [1, 1, 7, 5], attrs: { nearest_mode: 'round_prefer_ceil', coordinate_transformation_mode: 'asymmetric' }, scales: [1, 1, 0.5, 1.6] },
  { name: 'nearest ceil tf_half_pixel_for_nn', x: [2, 1, 5, 4], attrs: { nearest_mode: 'ceil', coordinate_transformation_mode: 'tf_half_pixel_for_nn' }, sizes: [2, 1, 8, 3] },
  { name: 'nearest floor align_corners, 1-D', x: [2, 3, 7], attrs: { nearest_mode: 'floor', coordinate_transformation_mode: 'align_corners' }, sizes: [2, 3, 11] },
  { name: 'linear pytorch_half_pixel, to one entry along an axis', x: [1, 2, 5, 6], attrs: { mode: 'linear', coordinate_transformation_mode: 'pytorch_half_pixel' }, sizes: [1, 2, 1, 9] },
  { name: 'linear half_pixel_symmetric, scales off the grid', x: [1, 1, 5, 7], attrs: { mode: 'linear', coordinate_transformation_mode: 'half_pixel_symmetric' }, scales: [1, 1, 1.7, 0.45] },
  { name: 'linear asymmetric, 3-D', x: [1, 2, 3, 4, 5], attrs: { mode: 'linear', coordinate_transformation_mode: 'asymmetric' }, scales: [1, 1, 2, 1.5, 0.8] },
  { name: 'cubic half_pixel', x: [1, 2, 5, 6], attrs: { mode: 'cubic' }, scales: [1, 1, 1.8, 0.7] },
  { name: 'cubic a −0.5, exclude_outside, align_corners', x: [2, 1, 4, 5], attrs: { mode: 'cubic', cubic_coeff_a: { float: -0.5 }, exclude_outside: 1, coordinate_transformation_mode: 'align_corners' }, sizes: [2, 1, 9, 3] },
  { name: 'nearest, sizes along axes [2, 3] (opset 18)', x: [2, 2, 5, 4], attrs: { axes: [2, 3] }, sizes: [7, 3], out: [2, 2, 7, 3] },
  { name: 'linear, scales along axes [-1] (opset 18)', x: [2, 3, 5], attrs: { mode: 'linear', axes: [-1] }, scales: [2.5], out: [2, 3, 12], ratio: [1, 1, 2.5] },
  // not_larger: min(8/4, 9/6) = 1.5 → [6, 9]; not_smaller: max = 2 → [8, 12].
  { name: 'keep_aspect_ratio_policy not_larger', x: [1, 1, 4, 6], attrs: { mode: 'linear', axes: [2, 3], keep_aspect_ratio_policy: 'not_larger' }, sizes: [8, 9], out: [1, 1, 6, 9], ratio: [1, 1, 1.5, 1.5] },
  { name: 'keep_aspect_ratio_policy not_smaller', x: [1, 1, 4, 6], attrs: { axes: [2, 3], keep_aspect_ratio_policy: 'not_smaller' }, sizes: [8, 9], out: [1, 1, 8, 12], ratio: [1, 1, 2, 2] },
  { name: 'linear antialias, shrinking', x: [1, 2, 9, 8], attrs: { mode: 'linear', antialias: 1 }, scales: [1, 1, 0.4, 0.6] },
  { name: 'cubic antialias, exclude_outside, shrinking one axis and enlarging the other', x: [2, 1, 8, 3], attrs: { mode: 'cubic', antialias: 1, exclude_outside: 1 }, sizes: [2, 1, 3, 5] },
  { name: 'tf_crop_and_resize linear, extrapolation 10', x: [1, 2, 5, 6], attrs: { mode: 'linear', coordinate_transformation_mode: 'tf_crop_and_resize', extrapolation_value: { float: 10 } }, roi: [0, 0, 0.2, -0.1, 1, 1, 0.9, 1.3], rois: [[0, 1], [0, 1], [0.2, 0.9], [-0.1, 1.3]], sizes: [1, 2, 4, 7] },
  { name: 'tf_crop_and_resize nearest along axes [2, 3], a single entry along one', x: [2, 1, 6, 5], attrs: { coordinate_transformation_mode: 'tf_crop_and_resize', axes: [2, 3] }, roi: [0.1, 0.3, 0.8, 1.2], rois: [[0, 1], [0, 1], [0.1, 0.8], [0.3, 1.2]], sizes: [1, 6], out: [2, 1, 1, 6] },
  { name: 'opset 10: asymmetric, nearest rounding down when enlarging, up when shrinking', x: [1, 2, 5, 4], attrs: {}, scales: [1, 1, 0.6, 2.5], opset: 10 },
  { name: 'opset 10 linear', x: [1, 2, 3, 4], attrs: { mode: 'linear' }, scales: [1, 1, 2, 0.5], opset: 10 },
];

describe.each(BACKENDS)('ONNX Resize, Upsample and the depth/space shuffles on %s', (backend) => {
  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  afterAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it.each(CASES)('Resize $name', async (c) => {
    const { out, scales } = geometry(c);
    const x = asF32(uniform(size(c.x)));
    const y = tm.onnx.fromBytes(model(c)).forward(tm.tensor(x, c.x));
    expect(y.shape).toEqual(out);
    expectClose(await y.data(), resizeRef(plan(c), x, c.x, out, scales, c.rois), 1e-5, c.name);
  });

  it.each<{ attrs: Record<string, AttributeSpec>; want: number[] }>([
    { attrs: { mode: 'linear' }, want: [1, 1.25, 1.75, 2, 1.5, 1.75, 2.25, 2.5, 2.5, 2.75, 3.25, 3.5, 3, 3.25, 3.75, 4] },
    { attrs: { mode: 'linear', coordinate_transformation_mode: 'align_corners' }, want: [1, 4 / 3, 5 / 3, 2, 5 / 3, 2, 7 / 3, 8 / 3, 7 / 3, 8 / 3, 3, 10 / 3, 3, 10 / 3, 11 / 3, 4] },
  ])('Resize matches the spec\'s example output ($attrs.mode ×2)', async ({ attrs, want }) => {
    const y = tm.onnx.fromBytes(model({ name: '', x: [1, 1, 2, 2], attrs, scales: [1, 1, 2, 2], opset: 13 })).forward(tm.tensor([1, 2, 3, 4], [1, 1, 2, 2]));
    expectClose(await y.data(), want, 1e-6);
  });

  it('Resize-10 and Upsample match the spec\'s nearest examples', async () => {
    const x = tm.tensor([1, 2, 3, 4, 5, 6, 7, 8], [1, 1, 2, 4]);
    const down = tm.onnx.fromBytes(model({ name: '', x: [1, 1, 2, 4], attrs: {}, scales: [1, 1, 0.6, 0.6], opset: 10 })).forward(x);
    expect(Array.from(await down.data())).toEqual([1, 3]);
    const small = tm.tensor([1, 2, 3, 4], [1, 1, 2, 2]);
    const up7 = tm.onnx.fromBytes(singleOp('Upsample', [{ name: 'x', shape: [1, 1, 2, 2] }], { scales: { floats: [1, 1, 2, 3] } }, { opset: 7 })).forward(small);
    const up9 = tm.onnx.fromBytes(singleOp('Upsample', [{ name: 'x', shape: [1, 1, 2, 2] }], {}, { opset: 9, initializers: { s: { shape: [4], values: [1, 1, 2, 3] } }, extraInputs: ['s'] })).forward(small);
    const want = [1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 3, 3, 3, 4, 4, 4];
    for (const y of [up7, up9]) {
      expect(y.shape).toEqual([1, 1, 4, 6]);
      expect(Array.from(await y.data())).toEqual(want);
    }
  });

  it('Upsample linear (opset 9): asymmetric coordinates, against the reference', async () => {
    const shape = [1, 2, 3, 4], scales = [1, 1, 2, 1.5];
    const x = asF32(uniform(size(shape)));
    const y = tm.onnx.fromBytes(singleOp('Upsample', [{ name: 'x', shape }], { mode: 'linear' }, { opset: 9, initializers: { s: { shape: [4], values: scales } }, extraInputs: ['s'] })).forward(tm.tensor(x, shape));
    const p: Plan = { mode: 'linear', coordinates: 'asymmetric', nearest: 'simple', a: -0.75, excludeOutside: false };
    expectClose(await y.data(), resizeRef(p, x, shape, [1, 2, 6, 6], scales), 1e-5);
  });

  it.each<{ name: string; attrs: Record<string, AttributeSpec>; scales: number[] }>([
    { name: 'linear', attrs: { mode: 'linear' }, scales: [1, 1, 1.5, 2.5] },
    { name: 'cubic', attrs: { mode: 'cubic' }, scales: [1, 1, 0.8, 1.7] },
    { name: 'nearest', attrs: {}, scales: [1, 1, 2.5, 0.7] },
  ])('Resize $name passes gradients back: the transposed weights', async (c) => {
    const shape = [1, 2, 3, 4];
    const cs: Case = { name: c.name, x: shape, attrs: c.attrs, scales: c.scales };
    const { out, scales } = geometry(cs);
    const r = asF32(uniform(size(out)));
    // dL/dx_i = Σ_o r_o · y_o(e_i): the reference on each unit input.
    const want = Float64Array.from({ length: size(shape) }, (_, i) => {
      const e = new Float64Array(size(shape));
      e[i] = 1;
      return resizeRef(plan(cs), e, shape, out, scales).reduce((s, v, o) => s + v * r[o], 0);
    });
    const xt = tm.tensor(asF32(uniform(size(shape))), shape);
    xt.requiresGrad = true;
    tm.onnx.fromBytes(model(cs)).forward(xt).mul(tm.tensor(r, out)).sum().backward();
    expectClose(await xt.grad!.data(), want, 1e-4, 'dx');
  });

  it.each([
    { mode: 'DCR', shape: [2, 12, 3, 2], b: 2 },
    { mode: 'CRD', shape: [2, 12, 3, 2], b: 2 }, // PyTorch's pixel_shuffle (the fixture's)
    { mode: 'CRD', shape: [1, 18, 2, 3], b: 3 },
  ])('DepthToSpace $mode blocksize $b on $shape, and SpaceToDepth back (DCR)', async ({ mode, shape, b }) => {
    const [n, c, h, w] = shape;
    const oc = c / (b * b), out = [n, oc, h * b, w * b];
    const x = asF32(uniform(size(shape)));
    const want = Float64Array.from({ length: size(out) }, (_, i) => {
      const [bn, ch, y, xx] = unravel(i, out);
      const [i0, j0] = [y % b, xx % b];
      const from = mode === 'DCR' ? (i0 * b + j0) * oc + ch : ch * b * b + i0 * b + j0;
      return x[ravel([bn, from, Math.floor(y / b), Math.floor(xx / b)], shape)];
    });
    const y = tm.onnx.fromBytes(singleOp('DepthToSpace', [{ name: 'x', shape }], { blocksize: b, ...(mode === 'DCR' ? {} : { mode }) })).forward(tm.tensor(x, shape));
    expect(y.shape).toEqual(out);
    expect(Array.from(await y.data())).toEqual(Array.from(want));
    if (mode === 'DCR') {
      const back = tm.onnx.fromBytes(singleOp('SpaceToDepth', [{ name: 'x', shape: out }], { blocksize: b })).forward(y);
      expect(Array.from(await back.data())).toEqual(Array.from(x));
    }
  });

  it('refuses what it cannot run, naming the node and what is wrong', () => {
    const run = (attrs: Record<string, AttributeSpec>, c: Partial<Case> = {}) => () => tm.onnx.fromBytes(model({ name: '', x: [1, 1, 4, 4], attrs, scales: [1, 1, 2, 2], ...c })).forward(tm.zeros([1, 1, 4, 4]));
    expect(run({ coordinate_transformation_mode: 'tf_crop_and_resize' })).toThrow(/node 'Resize_0' \(Resize\): coordinate_transformation_mode = "tf_crop_and_resize" with scales is not supported .*; give sizes/);
    expect(run({ coordinate_transformation_mode: 'tf_crop_and_resize' }, { scales: undefined, sizes: [1, 1, 2, 2] })).toThrow(/tf_crop_and_resize needs roi: 8 values/);
    expect(run({ mode: 'cubic' }, { opset: 10 })).toThrow(/mode = "cubic" is not supported/);
    expect(run({ mode: 'area' })).toThrow(/mode = "area" is not supported/);
    expect(run({}, { sizes: [1, 1, 8, 8] })).toThrow(/both scales and sizes/);
    expect(run({}, { scales: [1, 1, 2] })).toThrow(/scales has 3 entries; the input has 4 axes/);
    const d2s = (attrs: Record<string, AttributeSpec>) => () => tm.onnx.fromBytes(singleOp('DepthToSpace', [{ name: 'x', shape: [1, 6, 2, 2] }], attrs)).forward(tm.zeros([1, 6, 2, 2]));
    expect(d2s({ blocksize: 2 })).toThrow(/\(DepthToSpace\): its 6 channels are not a multiple of blocksize² = 4/);
    expect(d2s({ blocksize: 1, mode: 'XYZ' })).toThrow(/mode = "XYZ" is not one of DCR, CRD/);
  });
});
