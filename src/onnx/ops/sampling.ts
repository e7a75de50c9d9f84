// ONNX's sampling ops: GridSample and AffineGrid on tmnn's gridSample and
// affineGrid, RoiAlign and MaxRoiPool as gathers of the input's pixels over
// each region's sampling points, weighted and summed or maxed.
//
// GridSample is PyTorch's grid_sample, as onnxruntime runs it: nearest's
// ties go to the even pixel, bicubic is Keys' a = −0.75, and a bicubic point
// past the image has its 4×4 taps folded in by the padding mode. ONNX's
// reference (op_grid_sample.py) also clamps or reflects such a point itself
// before taking its taps, which reads other pixels; its conformance tests
// never meet the case, and onnxruntime and PyTorch, where the models come
// from, do not, so neither does tmnn. A signal [N, C, W] is sampled as an
// image one row high; a volume [N, C, D, H, W] by volume_sampling.ts.
//
// The regions (rois, batch_indices) are read on the host (hostInputs): how
// many points RoiAlign samples per bin (sampling_ratio 0, its default) and
// which pixels a MaxRoiPool bin spans depend on their values, so the shape
// of the gather does too. A region computed on the device is read back in an
// asynchronous run (runAsync); no gradient reaches the regions, as none does
// in onnxruntime. The input's gradient comes through the gathers.
import * as ops from '../../ops/index.js';
import { gatherOrZero } from '../../ops/movement.js';
import type { Tensor } from '../../tensor.js';
import type { NodeCall } from '../node_call.js';
import { isIntegerType } from '../value.js';
import type { OpTable } from './op.js';
import { sampleVolume, type VolumeMode } from './volume_sampling.js';

type Mode = 'bilinear' | 'nearest' | 'bicubic';
type Padding = 'zeros' | 'border' | 'reflection';

/** ONNX's mode names (opset 16's bilinear/bicubic, 20's linear/cubic) as tmnn's. */
const MODES: Readonly<Record<string, Mode>> = { bilinear: 'bilinear', linear: 'bilinear', nearest: 'nearest', bicubic: 'bicubic', cubic: 'bicubic' };
const PADDINGS: readonly Padding[] = ['zeros', 'border', 'reflection'];

function gridSampleRun(call: NodeCall): Tensor {
  const modeName = call.string('mode', 'bilinear');
  const mode = Object.hasOwn(MODES, modeName) ? MODES[modeName] : undefined;
  if (!mode) throw call.error(`mode = "${modeName}" is not one of ${Object.keys(MODES).join(', ')}`);
  const padding = call.string('padding_mode', 'zeros') as Padding;
  if (!PADDINGS.includes(padding)) throw call.error(`padding_mode = "${padding}" is not one of ${PADDINGS.join(', ')}`);
  const align = call.int('align_corners', 0) !== 0;
  const x = call.tensor(0), grid = call.tensor(1);
  if (x.rank < 3 || x.rank > 5) throw call.error(`input is [${x.shape.join(', ')}]; tmnn runs GridSample on [N, C, W], [N, C, H, W] and [N, C, D, H, W]`);
  if (x.rank === 5 && mode === 'bicubic') throw call.error(`mode = "${modeName}" is not supported for volumes ([N, C, D, H, W]): tmnn samples them linear or nearest, as onnxruntime does`);
  const spatial = x.rank - 2;
  if (grid.rank !== x.rank || grid.shape[0] !== x.shape[0] || grid.shape[x.rank - 1] !== spatial) {
    throw call.error(`grid is [${grid.shape.join(', ')}]; input [${x.shape.join(', ')}] needs [${x.shape[0]}, ${Array(spatial).fill('…').join(', ')}, ${spatial}]`);
  }
  const type = call.elementType(0);
  // Integers are sampled as f32 and truncated back, as the reference stores its float sums in X's type; an f16 input
  // with an f32 grid (ONNX lets their types differ) in f32, and rounded back.
  const inF32 = x.dtype !== grid.dtype;
  const input = inF32 ? ops.cast(x, 'f32') : x;
  let images = input, points = inF32 ? ops.cast(grid, 'f32') : grid;
  if (spatial === 1) {
    // A signal is an image one row high, every point on that row (y = 0 names it in either corner convention).
    const [n, c, w] = x.shape, [, wo] = grid.shape;
    images = ops.reshape(input, [n, c, 1, w]);
    points = ops.reshape(ops.concat([points, ops.zerosLike(points)], 2), [n, 1, wo, 2]);
  }
  let y = spatial === 3 ? sampleVolume(images, points, mode as VolumeMode, padding, align) : ops.gridSample(images, points, { mode, paddingMode: padding, alignCorners: align });
  if (spatial === 1) y = ops.reshape(y, [x.shape[0], x.shape[1], grid.shape[1]]);
  if (!inF32) return y;
  const back = ops.cast(y, x.dtype);
  return type && isIntegerType(type) ? call.typed(back, type) : back;
}

/** The normalised positions of an axis's n pixels, as ONNX's reference (an aligned axis of one pixel at −1, where PyTorch puts it at 0 and onnxruntime at 1). */
function positions(n: number, align: boolean): number[] {
  return Array.from({ length: n }, (_, j) => (align ? (n === 1 ? -1 : -1 + (2 * j) / (n - 1)) : (2 * j + 1) / n - 1));
}

/**
 * AffineGrid: θ [N, 2, 3] (or [N, 3, 4]) and size [N, C, H, W] (or
 * [N, C, D, H, W]) → the grid [N, H, W, 2] (or [N, D, H, W, 3]) of
 * θ · (x, y[, z], 1) over the output's pixels. 2-D grids are tmnn's
 * affineGrid; 3-D ones (and an aligned axis of one pixel, which ONNX places
 * differently) the same product over a base grid made here.
 */
function affineGridRun(call: NodeCall): Tensor {
  const theta = call.tensor(0);
  const size = call.numbers(1, 'size')!;
  const align = call.int('align_corners', 0) !== 0;
  if (size.length !== 4 && size.length !== 5) throw call.error(`size = [${size.join(', ')}] must be [N, C, H, W] or [N, C, D, H, W]`);
  const k = size.length - 2;
  const [n, , ...spatial] = size;
  if (theta.rank !== 3 || theta.shape[0] !== n || theta.shape[1] !== k || theta.shape[2] !== k + 1) {
    throw call.error(`theta is [${theta.shape.join(', ')}]; size [${size.join(', ')}] needs [${n}, ${k}, ${k + 1}]`);
  }
  if (spatial.some((d) => !Number.isInteger(d) || d < 1)) throw call.error(`size = [${size.join(', ')}] must have positive spatial sizes`);
  if (k === 2 && !(align && spatial.includes(1))) return ops.affineGrid(theta, size, { alignCorners: align });
  // The base grid's rows: each output pixel's (x, y[, z], 1), x along the last axis.
  const axes = spatial.map((d) => positions(d, align));
  const count = spatial.reduce((a, b) => a * b, 1);
  const base = new Float32Array(count * (k + 1));
  for (let p = 0; p < count; p++) {
    let rest = p;
    for (let a = k - 1; a >= 0; a--) {
      base[p * (k + 1) + (k - 1 - a)] = axes[a][rest % spatial[a]];
      rest = Math.floor(rest / spatial[a]);
    }
    base[p * (k + 1) + k] = 1;
  }
  const homogeneous = ops.tensor(base, [1, count, k + 1], { dtype: theta.dtype });
  return ops.reshape(ops.matmul(homogeneous, theta, { transposeB: true }), [n, ...spatial, k]);
}

/**
 * Gathers: output bin b reads, for each of its `width` slots, pixel
 * `at[b·width + s]` of the input's rows [N·H·W, C] times `weight[…]`, plus
 * `bias[…]` (−∞ for a max's unused slot); an index of N·H·W reads 0.
 */
interface Taps {
  bins: number;
  width: number;
  at: Int32Array;
  weight: Float32Array;
  bias?: Float32Array;
}

/** The most gathered values one step holds (64 MiB of f32): a large region's many slots are taken in steps of at most this. */
const GATHER_BUDGET = 2 ** 24;

/** The slots [from, to) of every bin, as their own Taps. */
function slotRange(taps: Taps, from: number, to: number): Taps {
  const width = to - from;
  const pick = <T extends Int32Array | Float32Array>(a: T): T => {
    if (width === taps.width) return a;
    const out = new (a.constructor as new (n: number) => T)(taps.bins * width);
    for (let b = 0; b < taps.bins; b++) out.set(a.subarray(b * taps.width + from, b * taps.width + to), b * width);
    return out;
  };
  return { bins: taps.bins, width, at: pick(taps.at), weight: pick(taps.weight), bias: taps.bias && pick(taps.bias) };
}

/**
 * Every bin's slots gathered from the input's rows [N·H·W, C], weighted
 * (and biased), summed (avg) or maxed over, as [R, C, PH, PW]; in steps of
 * a few slots where all at once would hold too many values.
 */
function pooled(x: Tensor, taps: Taps, reduce: 'sum' | 'max', rois: number, pooledShape: [number, number]): Tensor {
  const [n, c, h, w] = x.shape;
  const rows = ops.reshape(ops.transpose(x, [0, 2, 3, 1]), [n * h * w, c]);
  const step = Math.max(1, Math.floor(GATHER_BUDGET / Math.max(1, taps.bins * c)));
  let bins: Tensor | null = null;
  for (let from = 0; from < taps.width; from += step) {
    const part = slotRange(taps, from, Math.min(taps.width, from + step));
    const slots = part.bins * part.width;
    let values = gatherOrZero(rows, ops.tensor(part.at, [slots], { dtype: 'i32' }), 0);
    values = ops.mul(values, ops.tensor(part.weight, [slots, 1], { dtype: x.dtype }));
    if (part.bias) values = ops.add(values, ops.tensor(part.bias, [slots, 1], { dtype: x.dtype }));
    const grouped = ops.reshape(values, [part.bins, part.width, c]);
    const reduced = reduce === 'sum' ? ops.sum(grouped, [1]) : ops.max(grouped, [1]);
    bins = bins ? (reduce === 'sum' ? ops.add(bins, reduced) : ops.maximum(bins, reduced)) : reduced;
  }
  return ops.transpose(ops.reshape(bins!, [rois, ...pooledShape, c]), [0, 3, 1, 2]);
}

/** A float input of the regions, [R, columns], read on the host. */
function regions(call: NodeCall, i: number, columns: number, what: string): { count: number; data: Float64Array } {
  const r = call.constant(i, what);
  if (r.shape.length !== 2 || r.shape[1] !== columns) throw call.error(`${what} is [${r.shape.join(', ')}]; it must be [num_rois, ${columns}]`);
  return { count: r.shape[0], data: r.data };
}

function imagesInput(call: NodeCall): Tensor {
  const x = call.tensor(0);
  if (x.rank !== 4) throw call.error(`input is [${x.shape.join(', ')}]; it must be [N, C, H, W]`);
  if (x.dtype !== 'f32' && x.dtype !== 'f16') throw call.error(`input is ${x.dtype}; ${call.node.opType} takes float tensors`);
  return x;
}

function checkBatch(call: NodeCall, b: number, n: number, r: number): void {
  if (!Number.isInteger(b) || b < 0 || b >= n) throw call.error(`region ${r}'s batch index ${b} is outside the input's batch of ${n}`);
}

/**
 * One RoiAlign sampling point's 4 bilinear taps (ONNX's
 * pre_calc_for_bilinear_interpolate): none off the image by more than a
 * pixel (weight 0 at pixel 0), the point clamped to the image otherwise.
 */
function bilinearTaps(y: number, x: number, height: number, width: number): { at: number[]; weight: number[] } {
  if (y < -1 || y > height || x < -1 || x > width) return { at: [0, 0, 0, 0], weight: [0, 0, 0, 0] };
  y = Math.max(y, 0);
  x = Math.max(x, 0);
  let yLow = Math.floor(y), xLow = Math.floor(x), yHigh: number, xHigh: number;
  if (yLow >= height - 1) yHigh = yLow = y = height - 1;
  else yHigh = yLow + 1;
  if (xLow >= width - 1) xHigh = xLow = x = width - 1;
  else xHigh = xLow + 1;
  const ly = y - yLow, lx = x - xLow, hy = 1 - ly, hx = 1 - lx;
  return { at: [yLow * width + xLow, yLow * width + xHigh, yHigh * width + xLow, yHigh * width + xHigh], weight: [hy * hx, hy * lx, ly * hx, ly * lx] };
}

/**
 * RoiAlign: each region's output_height × output_width bins, each the
 * average (or max) of a grid of bilinearly sampled points. Max follows
 * onnxruntime's CPU kernel, the maximum over the bin's points of the
 * largest of each point's 4 weighted taps (w·x), not of the interpolated
 * values; ONNX's reference has changed between the two.
 */
function roiAlignRun(call: NodeCall): Tensor {
  const x = imagesInput(call);
  const [n, , height, width] = x.shape;
  const mode = call.string('mode', 'avg');
  if (mode !== 'avg' && mode !== 'max') throw call.error(`mode = "${mode}" is not one of avg, max`);
  const transform = call.string('coordinate_transformation_mode', call.opset >= 16 ? 'half_pixel' : 'output_half_pixel');
  if (transform !== 'half_pixel' && transform !== 'output_half_pixel') throw call.error(`coordinate_transformation_mode = "${transform}" is not one of half_pixel, output_half_pixel`);
  const halfPixel = transform === 'half_pixel';
  const ph = call.int('output_height', 1), pw = call.int('output_width', 1);
  if (!(ph >= 1 && pw >= 1)) throw call.error(`output_height = ${ph} and output_width = ${pw} must be positive`);
  const ratio = call.int('sampling_ratio', 0);
  if (ratio < 0) throw call.error(`sampling_ratio = ${ratio} must be 0 (adaptive) or positive`);
  const scale = call.float('spatial_scale', 1);
  const rois = regions(call, 1, 4, 'rois');
  const batch = call.constant(2, 'batch_indices');
  if (batch.size !== rois.count) throw call.error(`batch_indices has ${batch.size} entries for ${rois.count} regions`);
  const plans = Array.from({ length: rois.count }, (_, r) => {
    checkBatch(call, batch.data[r], n, r);
    const offset = halfPixel ? 0.5 : 0;
    const [startW, startH, endW, endH] = Array.from(rois.data.subarray(r * 4, r * 4 + 4), (v) => v * scale - offset);
    let roiW = endW - startW, roiH = endH - startH;
    if (!halfPixel) [roiW, roiH] = [Math.max(roiW, 1), Math.max(roiH, 1)];
    const gridH = ratio > 0 ? ratio : Math.ceil(roiH / ph), gridW = ratio > 0 ? ratio : Math.ceil(roiW / pw);
    // A negative grid (a reversed region with half_pixel) samples nothing, as the reference's empty loops.
    const points = gridH > 0 && gridW > 0 ? gridH * gridW : 0;
    return { startW, startH, binH: roiH / ph, binW: roiW / pw, gridH, gridW, points, count: Math.max(gridH * gridW, 1), image: batch.data[r] * height * width };
  });
  const widest = Math.max(1, ...plans.map((p) => p.points)) * 4;
  const bins = rois.count * ph * pw;
  const taps: Taps = { bins, width: widest, at: new Int32Array(bins * widest), weight: new Float32Array(bins * widest) };
  if (mode === 'max') taps.bias = new Float32Array(bins * widest);
  plans.forEach((p, r) => {
    for (let i = 0; i < ph; i++) {
      for (let j = 0; j < pw; j++) {
        const first = ((r * ph + i) * pw + j) * widest;
        for (let iy = 0; iy < p.gridH; iy++) {
          const y = p.startH + i * p.binH + ((iy + 0.5) * p.binH) / p.gridH;
          for (let ix = 0; ix < p.gridW; ix++) {
            const xx = p.startW + j * p.binW + ((ix + 0.5) * p.binW) / p.gridW;
            const { at, weight } = bilinearTaps(y, xx, height, width);
            const slot = first + (iy * p.gridW + ix) * 4;
            for (let t = 0; t < 4; t++) {
              taps.at[slot + t] = p.image + at[t];
              taps.weight[slot + t] = mode === 'avg' ? weight[t] / p.count : weight[t];
            }
          }
        }
        // A max's unused slots must lose to every real one; a bin of no points stays 0, as the reference's.
        if (taps.bias && p.points > 0) taps.bias.fill(-Infinity, first + p.points * 4, first + widest);
        taps.at.fill(n * height * width, first + p.points * 4, first + widest);
      }
    }
  });
  return pooled(x, taps, mode === 'avg' ? 'sum' : 'max', rois.count, [ph, pw]);
}

/** C++'s roundf, halves away from zero. */
function roundAway(v: number): number {
  return Math.sign(v) * Math.floor(Math.abs(v) + 0.5);
}

/**
 * MaxRoiPool: each region ([batch, x1, y1, x2, y2], scaled and rounded to
 * whole pixels) cut into pooled_shape bins, each the maximum of the pixels
 * it spans; an empty bin is 0. The bins' bounds are computed in f32, as
 * onnxruntime's kernel does.
 */
function maxRoiPoolRun(call: NodeCall): Tensor {
  const x = imagesInput(call);
  const [n, , height, width] = x.shape;
  const shape = call.ints('pooled_shape');
  if (!shape || shape.length !== 2 || shape.some((d) => !Number.isInteger(d) || d < 1)) throw call.error(`pooled_shape ${shape ? `= [${shape.join(', ')}] ` : ''}must give the bins' [height, width], positive`);
  const [ph, pw] = shape;
  const scale = Math.fround(call.float('spatial_scale', 1));
  const rois = regions(call, 1, 5, 'rois');
  const f = Math.fround;
  const windows = Array.from({ length: rois.count }, (_, r) => {
    const roi = Array.from(rois.data.subarray(r * 5, r * 5 + 5), f);
    checkBatch(call, Math.trunc(roi[0]), n, r);
    const [startW, startH, endW, endH] = roi.slice(1).map((v) => roundAway(f(v * scale)));
    const roiW = Math.max(endW - startW + 1, 1), roiH = Math.max(endH - startH + 1, 1);
    const binH = f(roiH / ph), binW = f(roiW / pw);
    const bounds = (k: number, bin: number, start: number, size: number) => {
      const clamp = (v: number) => Math.min(Math.max(v + start, 0), size);
      return [clamp(Math.floor(f(k * bin))), clamp(Math.ceil(f((k + 1) * bin)))];
    };
    return { image: Math.trunc(roi[0]) * height * width, rows: Array.from({ length: ph }, (_, i) => bounds(i, binH, startH, height)), columns: Array.from({ length: pw }, (_, j) => bounds(j, binW, startW, width)) };
  });
  const span = ([a, b]: number[]) => Math.max(b - a, 0);
  const widest = Math.max(1, ...windows.flatMap((w) => w.rows.flatMap((rows) => w.columns.map((columns) => span(rows) * span(columns)))));
  const bins = rois.count * ph * pw;
  // Unused slots repeat the bin's first pixel, which leaves its maximum as it is; an empty bin reads 0 (index N·H·W).
  const taps: Taps = { bins, width: widest, at: new Int32Array(bins * widest).fill(n * height * width), weight: new Float32Array(bins * widest).fill(1) };
  windows.forEach((w, r) => {
    w.rows.forEach(([top, bottom], i) => {
      w.columns.forEach(([left, right], j) => {
        const first = ((r * ph + i) * pw + j) * widest;
        let slot = first;
        for (let yy = top; yy < bottom; yy++) for (let xx = left; xx < right; xx++) taps.at[slot++] = w.image + yy * width + xx;
        if (slot > first) taps.at.fill(taps.at[first], slot, first + widest);
      });
    });
  });
  return pooled(x, taps, 'max', rois.count, [ph, pw]);
}

export const SAMPLING_OPS: OpTable = {
  GridSample: { run: gridSampleRun },
  AffineGrid: { hostInputs: [1], run: affineGridRun },
  RoiAlign: { hostInputs: [1, 2], run: roiAlignRun },
  MaxRoiPool: { hostInputs: [1], run: maxRoiPoolRun },
};
