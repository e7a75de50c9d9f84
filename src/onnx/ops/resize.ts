// ONNX's Resize and Upsample, and DepthToSpace / SpaceToDepth. Resize is
// separable: each resized axis in turn is a weighted sum of a few of the
// input's entries along it, the entries and weights worked out on the host
// from the coordinate transformation, mode and nearest_mode (as ONNX's
// reference computes them), applied as one gather and a weighted sum. That
// gives every combination of ONNX's modes exactly, where tmnn's own
// interpolate knows only PyTorch's, and the gradient comes from gather's.
import * as ops from '../../ops/index.js';
import type { Tensor } from '../../tensor.js';
import type { NodeCall } from '../node_call.js';
import type { OnnxOp, OpTable } from './op.js';

type Transform = (x: number, inSize: number, outSize: number, scale: number, roi: readonly [number, number]) => number;

/**
 * Output coordinate → input coordinate, by coordinate_transformation_mode.
 * align_corners divides by the output's length, pytorch_half_pixel maps a
 * length-1 output to 0, as the spec's formulas and onnxruntime do. Computed
 * in float32 steps (f), as runtimes compute them from float32 scales: 4 /
 * 1.6f is then the tie 2.5 that exact arithmetic gives, which nearest_mode
 * decides, not 2.4999999.
 */
const f = Math.fround;
const TRANSFORMS: Record<string, Transform> = {
  half_pixel: (x, _n, _m, s) => f(f(f(x + 0.5) / s) - 0.5),
  half_pixel_symmetric: (x, n, m, s) => {
    const adjustment = f(m / f(s * n));
    return f(f(f(n / 2) * f(1 - adjustment)) + f(f(f(x + 0.5) / s) - 0.5));
  },
  pytorch_half_pixel: (x, _n, m, s) => (m > 1 ? f(f(f(x + 0.5) / s) - 0.5) : 0),
  align_corners: (x, n, m) => (m === 1 ? 0 : f(f(x * (n - 1)) / (m - 1))),
  asymmetric: (x, _n, _m, s) => f(x / s),
  tf_half_pixel_for_nn: (x, _n, _m, s) => f(f(x + 0.5) / s),
  // The region [start, end) of the axis (fractions of its last index) spread over the output.
  tf_crop_and_resize: (x, n, m, _s, [start, end]) => (m > 1 ? f(f(start * (n - 1)) + f(f(x * f(f(end - start) * (n - 1))) / (m - 1))) : f(f(0.5 * f(start + end)) * (n - 1))),
};

type Rounding = (x: number, scale: number) => number;

const NEAREST: Record<string, Rounding> = {
  round_prefer_floor: (x) => (x - Math.floor(x) === 0.5 ? Math.floor(x) : Math.round(x)),
  round_prefer_ceil: (x) => Math.round(x),
  floor: (x) => Math.floor(x),
  ceil: (x) => Math.ceil(x),
  // Upsample and Resize-10: truncation when enlarging, ceil when shrinking (onnxruntime's "simple" rounding).
  simple: (x, scale) => (scale < 1 ? Math.ceil(x) : Math.floor(x)),
};

/** The taps of one output entry along an axis: input indices and their weights (none, for a tf_crop_and_resize entry outside the input). */
type Taps = { index: number[]; weight: number[]; outside?: boolean };

function cubicWeight(t: number, a: number): number {
  t = Math.abs(t);
  if (t <= 1) return ((a + 2) * t - (a + 3)) * t * t + 1;
  return t < 2 ? ((a * t - 5 * a) * t + 8 * a) * t - 4 * a : 0;
}

interface AxisPlan {
  mode: string;
  transform: Transform;
  nearest: Rounding;
  cubicA: number;
  excludeOutside: boolean;
  /** Widen the filter by 1/scale when shrinking (opset 18's antialias), linear and cubic. */
  antialias: boolean;
  /** tf_crop_and_resize: the value of an output entry whose coordinate falls outside the input. */
  extrapolation?: number;
}

/**
 * The weights of the neighbours left + start … of a coordinate `ratio` past
 * its left neighbour, ratio in (0, 1] (the spec's reference prefers the left
 * entry): linear's two and cubic's four, or with antialias a filter widened by
 * 1/scale and normalized.
 */
function coefficients(plan: AxisPlan, ratio: number, scale: number): { start: number; weight: number[] } {
  const s = Math.min(scale, 1);
  const widened = plan.antialias && s < 1;
  if (plan.mode === 'linear') {
    if (!widened) return { start: 0, weight: [1 - ratio, ratio] };
    const start = Math.floor(-1 / s) + 1;
    return normalized(start, Array.from({ length: 2 - 2 * start }, (_, j) => Math.min(1, Math.max(0, 1 - Math.abs((start + j - ratio) * s)))));
  }
  if (!widened) return { start: -1, weight: [-1, 0, 1, 2].map((i) => cubicWeight(i - ratio, plan.cubicA)) };
  const start = Math.floor(-2 / s) + 1;
  return normalized(start, Array.from({ length: 2 - 2 * start }, (_, j) => cubicWeight(s * (start + j - ratio), plan.cubicA)));
}

function normalized(start: number, weight: number[]): { start: number; weight: number[] } {
  const total = weight.reduce((a, b) => a + b, 0);
  return { start, weight: weight.map((w) => w / total) };
}

/** Each output entry's taps along one axis; indices past the ends read the edge entry (ONNX's reference pads with edge values). */
function axisTaps(plan: AxisPlan, n: number, m: number, scale: number, roi: readonly [number, number]): Taps[] {
  const clamp = (i: number) => Math.min(n - 1, Math.max(0, i));
  return Array.from({ length: m }, (_, o) => {
    const x = plan.transform(o, n, m, scale, roi);
    if (plan.extrapolation !== undefined && (x < 0 || x > n - 1)) return { index: [], weight: [], outside: true };
    if (plan.mode === 'nearest') return { index: [clamp(plan.nearest(x, scale))], weight: [1] };
    const ratio = Number.isInteger(x) ? 1 : x - Math.floor(x);
    const { start, weight } = coefficients(plan, ratio, scale);
    const raw = weight.map((_, j) => x - ratio + start + j);
    if (!plan.excludeOutside) return { index: raw.map(clamp), weight };
    const inside = weight.map((w, j) => (raw[j] < 0 || raw[j] >= n ? 0 : w));
    const total = inside.reduce((a, b) => a + b, 0);
    return { index: raw.map(clamp), weight: inside.map((w) => w / total) };
  });
}

/**
 * x resized along `axis` to the taps': one gather of every tap, weighted and
 * summed, plus the extrapolation value where an entry has no taps.
 */
function resizeAxis(x: Tensor, axis: number, taps: Taps[], extrapolation = 0): Tensor {
  const n = x.shape[axis], m = taps.length;
  const identity = m === n && taps.every((t, o) => !t.outside && t.index.reduce((s, i, k) => s + (i === o ? t.weight[k] : 0), 0) === 1 && t.weight.every((w, k) => t.index[k] === o || w === 0));
  if (identity) return x;
  const k = Math.max(1, ...taps.map((t) => t.index.length));
  const padded = taps.map((t) => ({ index: [...t.index, ...Array(k - t.index.length).fill(0)], weight: [...t.weight, ...Array(k - t.weight.length).fill(0)] }));
  const index = ops.tensor(Int32Array.from(padded.flatMap((t) => t.index)), [m * k], { dtype: 'i32' });
  const gathered = ops.gather(x, index, axis);
  const outside = taps.some((t) => t.outside);
  if (k === 1 && !outside) return gathered;
  const trailing = Array(x.rank - axis - 1).fill(1);
  const shape = [...x.shape.slice(0, axis), m, k, ...x.shape.slice(axis + 1)];
  const weight = ops.tensor(Float32Array.from(padded.flatMap((t) => t.weight)), [m, k, ...trailing], { dtype: x.dtype });
  const y = ops.sum(ops.mul(ops.reshape(gathered, shape), weight), [axis + 1]);
  if (!outside || extrapolation === 0) return y;
  return ops.add(y, ops.tensor(Float32Array.from(taps, (t) => (t.outside ? extrapolation : 0)), [m, ...trailing], { dtype: x.dtype }));
}

/** Resizes x to `sizes` with per-axis `scales` (the ratio the coordinate transformation divides by) and regions of interest. */
function resize(x: Tensor, sizes: number[], scales: number[], plan: AxisPlan, rois?: [number, number][]): Tensor {
  return sizes.reduce((y, m, axis) => resizeAxis(y, axis, axisTaps(plan, x.shape[axis], m, scales[axis], rois?.[axis] ?? [0, 1]), plan.extrapolation), x);
}

/** The given scales or sizes (only along `axes`, opset 18) widened to every axis. */
function spread(call: NodeCall, x: Tensor, given: number[], axes: number[] | undefined, fill: (axis: number) => number, what: string): number[] {
  if (!axes) {
    if (given.length !== x.rank) throw call.error(`${what} has ${given.length} entries; the input has ${x.rank} axes`);
    return given;
  }
  if (given.length !== axes.length) throw call.error(`${what} has ${given.length} entries; axes lists ${axes.length}`);
  const out = x.shape.map((_, a) => fill(a));
  axes.forEach((a, i) => (out[a < 0 ? a + x.rank : a] = given[i]));
  return out;
}

/** The given input unless left out or empty (opsets 11–12 pass an empty scales beside sizes). */
function optionalNumbers(call: NodeCall, i: number, what: string): number[] | undefined {
  const v = call.numbers(i, what);
  return v && v.length ? v : undefined;
}

const resizeOp: OnnxOp = {
  hostInputs: [1, 2, 3],
  run: (call) => {
    const x = call.tensor(0);
    const legacy = call.opset < 11;
    const mode = call.string('mode', 'nearest');
    if (!['nearest', 'linear', 'cubic'].includes(mode) || (legacy && mode === 'cubic')) throw call.error(`mode = "${mode}" is not supported: tmnn resizes with nearest, linear${legacy ? '' : ' and cubic'}`);
    const coordinates = legacy ? 'asymmetric' : call.string('coordinate_transformation_mode', 'half_pixel');
    const transform = TRANSFORMS[coordinates];
    if (!transform) throw call.error(`coordinate_transformation_mode = "${coordinates}" is not one ONNX defines`);
    const nearestMode = legacy ? 'simple' : call.string('nearest_mode', 'round_prefer_floor');
    if (!NEAREST[nearestMode] || (nearestMode === 'simple' && !legacy)) throw call.error(`nearest_mode = "${nearestMode}" is not one ONNX defines`);
    const axes = call.ints('axes');
    let scales = optionalNumbers(call, legacy ? 1 : 2, 'scales');
    const sizesGiven = legacy ? undefined : optionalNumbers(call, 3, 'sizes');
    let sizes: number[];
    if (sizesGiven) {
      if (scales) throw call.error('it gives both scales and sizes; ONNX allows one of them');
      sizes = spread(call, x, sizesGiven, axes, (a) => x.shape[a], 'sizes');
      const policy = call.string('keep_aspect_ratio_policy', 'stretch');
      if (policy !== 'stretch') {
        if (policy !== 'not_larger' && policy !== 'not_smaller') throw call.error(`keep_aspect_ratio_policy = "${policy}" is not one of stretch, not_larger, not_smaller`);
        const chosen = (axes ?? x.shape.map((_, a) => a)).map((a) => (a < 0 ? a + x.rank : a));
        const ratios = chosen.map((a) => sizes[a] / x.shape[a]);
        const s = f(policy === 'not_larger' ? Math.min(...ratios) : Math.max(...ratios));
        sizes = x.shape.map((d, a) => (chosen.includes(a) ? Math.floor(s * d + 0.5) : d));
        scales = x.shape.map((_, a) => (chosen.includes(a) ? s : 1));
      } else {
        scales = sizes.map((m, a) => f(m / x.shape[a]));
      }
    } else {
      if (!scales) throw call.error('it gives neither scales nor sizes');
      scales = spread(call, x, scales, axes, () => 1, 'scales');
      if (scales.some((s) => !(s > 0))) throw call.error(`scales = [${scales.join(', ')}] must be positive`);
      scales = scales.map(f);
      sizes = x.shape.map((d, a) => Math.floor(f(d * scales![a])));
    }
    if (sizes.some((m) => !Number.isInteger(m) || m < 1)) throw call.error(`the output would be [${sizes.join(', ')}]; every size must be at least 1`);
    const plan: AxisPlan = {
      mode,
      transform,
      nearest: NEAREST[nearestMode],
      cubicA: call.float('cubic_coeff_a', -0.75),
      excludeOutside: call.int('exclude_outside', 0) !== 0,
      antialias: call.int('antialias', 0) !== 0,
    };
    if (coordinates !== 'tf_crop_and_resize') return resize(x, sizes, scales, plan);
    // The spec sizes a scaled crop by the region, its reference by the whole input: only sizes say one thing.
    if (!sizesGiven) throw call.error('coordinate_transformation_mode = "tf_crop_and_resize" with scales is not supported (the spec and its reference size the output differently); give sizes');
    const roi = optionalNumbers(call, 1, 'roi');
    const chosen = (axes ?? x.shape.map((_, a) => a)).map((a) => (a < 0 ? a + x.rank : a));
    if (!roi || roi.length !== 2 * chosen.length) throw call.error(`tf_crop_and_resize needs roi: ${2 * chosen.length} values (every start, then every end)`);
    const rois = x.shape.map((_, a): [number, number] => {
      const i = chosen.indexOf(a);
      return i < 0 ? [0, 1] : [f(roi[i]), f(roi[chosen.length + i])];
    });
    return resize(x, sizes, scales, { ...plan, extrapolation: call.float('extrapolation_value', 0) }, rois);
  },
};

/** Upsample (opsets 7–9): scales an attribute (7) or an input (9), asymmetric coordinates. */
const upsample: OnnxOp = {
  hostInputs: [1],
  run: (call) => {
    const x = call.tensor(0);
    let mode = call.string('mode', 'nearest');
    if (mode === 'bilinear') mode = 'linear';
    if (mode !== 'nearest' && mode !== 'linear') throw call.error(`mode = "${mode}" is not supported: Upsample has nearest and linear`);
    const scales = call.opset < 9 ? call.floats('scales') : call.numbers(1, 'scales');
    if (!scales || scales.length !== x.rank) throw call.error(`scales must give one factor per axis of the ${x.rank}-axis input`);
    if (scales.some((s) => !(s >= 1))) throw call.error(`scales = [${scales.join(', ')}] must be at least 1 (Upsample enlarges)`);
    const sizes = x.shape.map((d, a) => Math.floor(f(d * f(scales[a]))));
    return resize(x, sizes, scales.map(f), { mode, transform: TRANSFORMS.asymmetric, nearest: NEAREST.simple, cubicA: -0.75, excludeOutside: false, antialias: false });
  },
};

function blocks(call: NodeCall, x: Tensor): number {
  if (x.rank !== 4) throw call.error(`input is [${x.shape.join(', ')}]; ${call.node.opType} takes [N, C, H, W]`);
  const b = call.int('blocksize');
  if (b === undefined || !Number.isInteger(b) || b < 1) throw call.error(`blocksize = ${b} must be a positive integer`);
  return b;
}

/**
 * DepthToSpace: channels moved into b×b blocks of pixels. DCR (the default)
 * takes the block offset from the high channel bits, CRD (PyTorch's
 * pixel_shuffle) from the low ones.
 */
const depthToSpace: OnnxOp = {
  run: (call) => {
    const x = call.tensor(0);
    const b = blocks(call, x);
    const [n, c, h, w] = x.shape;
    if (c % (b * b)) throw call.error(`its ${c} channels are not a multiple of blocksize² = ${b * b}`);
    const mode = call.string('mode', 'DCR');
    const out = [n, c / (b * b), h * b, w * b];
    if (mode === 'DCR') return ops.reshape(ops.transpose(ops.reshape(x, [n, b, b, c / (b * b), h, w]), [0, 3, 4, 1, 5, 2]), out);
    if (mode === 'CRD') return ops.reshape(ops.transpose(ops.reshape(x, [n, c / (b * b), b, b, h, w]), [0, 1, 4, 2, 5, 3]), out);
    throw call.error(`mode = "${mode}" is not one of DCR, CRD`);
  },
};

/** SpaceToDepth: DepthToSpace's DCR inverse, b×b blocks of pixels into channels. */
const spaceToDepth: OnnxOp = {
  run: (call) => {
    const x = call.tensor(0);
    const b = blocks(call, x);
    const [n, c, h, w] = x.shape;
    if (h % b || w % b) throw call.error(`its ${h}×${w} pixels do not split into ${b}×${b} blocks`);
    return ops.reshape(ops.transpose(ops.reshape(x, [n, c, h / b, b, w / b, b]), [0, 3, 5, 1, 2, 4]), [n, c * b * b, h / b, w / b]);
  },
};

export const RESIZE_OPS: OpTable = {
  Resize: resizeOp,
  Upsample: upsample,
  DepthToSpace: depthToSpace,
  SpaceToDepth: spaceToDepth,
};
