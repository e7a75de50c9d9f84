// Max pooling that says where each maximum came from, and its inverse:
// PyTorch's max_pool2d(return_indices=True) and max_unpool2d, the pair an
// encoder-decoder such as SegNet uses to put features back where the encoder
// found them. An index is a position in its channel's plane of x (y·W + x;
// along a sequence, the position; in a volume, d·H·W + y·W + x), i32.
// maxPool3dWithIndices is in ops/pool3d.ts, with the 3-D pools it is built
// on; the unpooling here takes any of the three.
import { tidy } from '../engine.js';
import { DTypeError, ShapeError, ValueError, formatShape, formatValue } from '../errors.js';
import { checkOptions, type OptionNames } from '../options.js';
import { noGrad } from '../tape.js';
import type { Tensor } from '../tensor.js';
import { poolWindows, type MaxPool1dOptions, type MaxPool2dOptions } from './conv.js';
import { add, div, equal, greaterEqual, less, maximum, mul, where } from './elementwise.js';
import { logicalAnd } from './logical.js';
import { argmax } from './reduce.js';
import { concat, gather, gatherOrZero, reshape, scatterRows, slice } from './movement.js';
import { onesLike } from './creation.js';
import { checkTensor, fromStorageArray, onBackendOf, refuseIndicesOutside } from './util.js';
import { asVolumes, shownTriple, triplesOf, type Size3d } from './volumes.js';
import { IMAGES, SEQUENCES, asImages, shownSize, sizesOf, windowMax, windowTable, windowTableOf, type Size2d, type SpatialAxes } from './windows.js';

/** A max pooling's values and, for each, the position in its channel's plane (or volume) of x it was taken from. */
export interface PooledWithIndices {
  values: Tensor;
  /** i32, values' shape. */
  indices: Tensor;
}

/**
 * maxPool2d, with the position (i32, in its channel's H×W plane of x) of each
 * window's maximum: PyTorch's max_pool2d(..., return_indices=True), for
 * maxUnpool2d. A tie goes to the first of the window's taps in row order, a
 * NaN to the window's first NaN (PyTorch's CPU kernel takes its last). The
 * values are maxPool2d's, with its gradient.
 */
export function maxPool2dWithIndices(x: Tensor, kernelSize: Size2d, options: MaxPool2dOptions = {}): PooledWithIndices {
  return poolWithIndices('maxPool2dWithIndices', IMAGES, x, kernelSize, options);
}

/** maxPool2dWithIndices along one axis: x [N, C, L] (or [C, L]); each index a position along L. */
export function maxPool1dWithIndices(x: Tensor, kernelSize: number, options: MaxPool1dOptions = {}): PooledWithIndices {
  return poolWithIndices('maxPool1dWithIndices', SEQUENCES, x, kernelSize, options);
}

/**
 * maxPool2d (a 1-D one as images of height 1) with the position of each
 * window's maximum in its channel's plane: the 1-D and 2-D ops, and each of
 * the 2-D pools maxPool3dWithIndices runs as. `op` names the caller in errors.
 */
export function poolWithIndices(op: string, axes: SpatialAxes, x: Tensor, kernelSize: Size2d, options: MaxPool2dOptions): PooledWithIndices {
  return tidy(() => {
    const { images, unbatch, windows } = poolWindows(op, axes, true, x, kernelSize, options);
    const [n, channels, height, width] = images.shape;
    const plane = height * width;
    const planes = reshape(images, [n * channels, plane]);
    const values = unbatch(reshape(windowMax(op, planes, windows), [n, channels, ...windows.out]));
    const [positions, taps] = [windows.out[0] * windows.out[1], windows.kernel[0] * windows.kernel[1]];
    const table = windowTable(op, windows, 1, 1); // [positions · taps], a tap in the padding `plane`
    // Every window holds a pixel; where all of them are −∞ the argmax below could land on padding first, so each
    // window's first pixel stands in.
    const firstPixel = Int32Array.from({ length: positions }, (_, j) => table.subarray(j * taps, (j + 1) * taps).find((at) => at < plane)!);
    const indices = noGrad(() => {
      const picks = reshape(windowTableOf(op, planes, windows, 1, 1), [positions, taps]);
      // Each plane's windows' values [rows, positions, taps] gathered a run of planes at a time (2^22 values), each run's
      // argmax kept: all of them at once could pass what a GPU binds (128 MiB on lavapipe) and what a CPU holds easily.
      const total = planes.shape[0];
      const rows = Math.max(1, Math.floor(2 ** 22 / Math.max(1, positions * taps)));
      const runs = Array.from({ length: Math.max(1, Math.ceil(total / rows)) }, (_, r) => {
        const [first, count] = [r * rows, Math.min(rows, total - r * rows)];
        const run = count === total ? planes : slice(planes, [first, 0], [count, plane]);
        return tidy(() => argmax(where(less(picks, plane), gatherOrZero(run, picks, 1), -Infinity), 2));
      });
      const tap = runs.length === 1 ? runs[0] : concat(runs, 0);
      const rowStarts = onBackendOf(op, planes, () => fromStorageArray(Int32Array.from({ length: positions }, (_, j) => j * taps), [positions], 'i32'));
      const at = gather(reshape(picks, [positions * taps]), add(tap, rowStarts), 0);
      const first = onBackendOf(op, planes, () => fromStorageArray(firstPixel, [positions], 'i32'));
      return where(equal(at, plane), first, at);
    });
    return { values, indices: unbatch(reshape(indices, [n, channels, ...windows.out])) };
  });
}

export interface MaxUnpool2dOptions {
  /** The pooling's stride. Default: the window's size. */
  stride?: Size2d;
  /** The pooling's padding. Default 0. */
  padding?: Size2d;
  /**
   * The pooled image's [height, width], for a pooling whose windows left rows
   * or columns out (an odd size pooled by 2): within a stride of the size
   * the window, stride and padding give. Default that size.
   */
  outputSize?: Size2d;
}

export interface MaxUnpool1dOptions {
  stride?: number;
  padding?: number;
  /** The pooled sequence's length. */
  outputSize?: number;
}

export interface MaxUnpool3dOptions {
  /** The pooling's stride. Default: the window's size. */
  stride?: Size3d;
  /** The pooling's padding. Default 0. */
  padding?: Size3d;
  /** The pooled volume's [depth, height, width], as MaxUnpool2dOptions' outputSize. */
  outputSize?: Size3d;
}

type AnyUnpoolOptions = MaxUnpool1dOptions | MaxUnpool2dOptions | MaxUnpool3dOptions;

const UNPOOL_OPTIONS: OptionNames<AnyUnpoolOptions> = { stride: true, padding: true, outputSize: true };

/**
 * How an unpooling reads x and its sizes: sequences and images as images
 * [N, C, H, W] (a sequence one of height 1, its sizes there `flat`: 1 for
 * a window or a step, 0 for padding), volumes as [N, C, D, H, W].
 */
export interface UnpoolLayout {
  /** The pool's spatial axes, as its name counts them. */
  readonly count: 1 | 2 | 3;
  /** What an output of this layout holds per channel, as errors name it. */
  readonly unit: 'plane' | 'volume';
  /** x as a batch [N, C, ...spatial], and `unbatch` to give a result x's layout back. */
  batch(op: string, x: Tensor): { batch: Tensor; unbatch: (y: Tensor) => Tensor };
  /** A size option as one number per spatial axis of the batch, refused unless integers ≥ least. */
  sizes(op: string, name: string, v: unknown, least: number, flat: number): number[];
  /** Sizes as errors show them: 3×3. */
  shown(sizes: readonly number[]): string;
}

function imageLayout(axes: SpatialAxes): UnpoolLayout {
  return {
    count: axes.count,
    unit: 'plane',
    batch: (op, x) => {
      const { images, unbatch } = asImages(op, axes, x);
      return { batch: images, unbatch };
    },
    sizes: (op, name, v, least, flat) => sizesOf(op, name, v, least, axes, flat),
    shown: (sizes) => shownSize(axes, sizes),
  };
}

export const SEQUENCE_UNPOOL = imageLayout(SEQUENCES);
export const IMAGE_UNPOOL = imageLayout(IMAGES);
export const VOLUME_UNPOOL: UnpoolLayout = {
  count: 3,
  unit: 'volume',
  batch: (op, x) => {
    const { volumes, unbatch } = asVolumes(op, x);
    return { batch: volumes, unbatch };
  },
  sizes: (op, name, v, least) => triplesOf(op, name, v, least),
  shown: shownTriple,
};

/** An unpooling's window, stride and padding checked, one number per spatial axis of its layout's batch: for the ops and the layers alike. */
export function unpoolSizes(op: string, layout: UnpoolLayout, kernelSize: unknown, options: { stride?: unknown; padding?: unknown }): { kernel: number[]; stride: number[]; padding: number[] } {
  const kernel = layout.sizes(op, 'kernelSize', kernelSize, 1, 1);
  const stride = options.stride === undefined ? kernel : layout.sizes(op, 'stride', options.stride, 1, 1);
  return { kernel, stride, padding: layout.sizes(op, 'padding', options.padding ?? 0, 0, 0) };
}

/**
 * maxPool2dWithIndices undone: x [N, C, H', W'] (or [C, H', W']) put back at
 * `indices` (i32, x's shape: positions in each channel's plane of the
 * output) in an output of zeros [N, C, H, W], H = (H' − 1)·stride −
 * 2·padding + window unless outputSize says otherwise (PyTorch's
 * max_unpool2d). Where several indices of a plane name one position (from
 * overlapping windows) the output holds their mean, to rounding: the value
 * they share when they came from one pooling (PyTorch keeps whichever write
 * lands last, which may differ from run to run). An index outside the plane is an error where indices can be read
 * at once (js, native); on a GPU it puts nothing. Differentiable in x.
 */
export function maxUnpool2d(x: Tensor, indices: Tensor, kernelSize: Size2d, options: MaxUnpool2dOptions = {}): Tensor {
  return unpool('maxUnpool2d', IMAGE_UNPOOL, x, indices, kernelSize, options);
}

/** maxUnpool2d along one axis: x and indices [N, C, L'] (or [C, L']) → [N, C, L]. */
export function maxUnpool1d(x: Tensor, indices: Tensor, kernelSize: number, options: MaxUnpool1dOptions = {}): Tensor {
  return unpool('maxUnpool1d', SEQUENCE_UNPOOL, x, indices, kernelSize, options);
}

/**
 * maxPool3dWithIndices undone: x [N, C, D', H', W'] (or [C, D', H', W'])
 * put back at `indices` (i32, x's shape: positions d·H·W + h·W + w in each
 * channel's volume of the output) in an output of zeros [N, C, D, H, W],
 * each size (in − 1)·stride − 2·padding + window unless outputSize says
 * otherwise (PyTorch's max_unpool3d). As maxUnpool2d: the mean where
 * several indices of a volume name one position, an index outside the
 * volume an error on js and native. Differentiable in x.
 */
export function maxUnpool3d(x: Tensor, indices: Tensor, kernelSize: Size3d, options: MaxUnpool3dOptions = {}): Tensor {
  return unpool('maxUnpool3d', VOLUME_UNPOOL, x, indices, kernelSize, options);
}

const product = (sizes: readonly number[]) => sizes.reduce((a, b) => a * b, 1);

function unpool(op: string, layout: UnpoolLayout, x: Tensor, indices: Tensor, kernelSize: Size2d | Size3d, options: AnyUnpoolOptions): Tensor {
  const opts = checkOptions(op, options, UNPOOL_OPTIONS);
  checkTensor(op, indices, 'indices');
  const { kernel, stride, padding } = unpoolSizes(op, layout, kernelSize, opts);
  return tidy(() => {
    const { batch, unbatch } = layout.batch(op, x);
    if (indices.dtype !== 'i32') throw new DTypeError(`${op}: indices must be i32 (as maxPool${layout.count}dWithIndices gives them), got ${indices.dtype}`);
    if (indices.shape.length !== x.shape.length || indices.shape.some((d, i) => d !== x.shape[i])) {
      throw new ShapeError(`${op}: indices ${formatShape(indices.shape)} must have x's shape ${formatShape(x.shape)}`);
    }
    const [n, channels, ...pooled] = batch.shape;
    const natural = pooled.map((p, a) => (p - 1) * stride[a] - 2 * padding[a] + kernel[a]);
    const made = `a pooling of window ${layout.shown(kernel)}, stride ${layout.shown(stride)} and padding ${layout.shown(padding)}`;
    if (opts.outputSize === undefined && natural.some((s) => s < 1)) throw new ShapeError(`${op}: ${made} makes x ${formatShape(x.shape)} from no ${layout.unit} (${layout.shown(natural)})`);
    const size = opts.outputSize === undefined ? natural : layout.sizes(op, 'outputSize', opts.outputSize, 1, 1);
    if (size.some((s, a) => s <= natural[a] - stride[a] || s >= natural[a] + stride[a])) {
      throw new ValueError(`${op}: outputSize ${formatValue(opts.outputSize)} is not one ${made} makes x ${formatShape(x.shape)} from: ${layout.shown(natural)} or within a stride of it`);
    }
    const plane = product(size);
    const planes = n * channels;
    const { unit } = layout;
    if (planes * plane >= 2 ** 31) throw new ShapeError(`${op}: an output of ${planes} ${unit}s of ${plane} values is more than an i32 index names (2^31)`);
    refuseIndicesOutside(op, indices, 0, plane, `an output ${unit} of ${layout.shown(size)} = ${plane} positions`);
    // Each channel's indices moved into its own stretch of one flat output; one outside its plane (or volume) goes past
    // the end, where the scatter puts nothing.
    const flat = reshape(indices, [planes, product(pooled)]);
    const inPlane = logicalAnd(greaterEqual(flat, 0), less(flat, plane));
    const starts = onBackendOf(op, x, () => fromStorageArray(Int32Array.from({ length: planes }, (_, p) => p * plane), [planes, 1], 'i32'));
    const at = reshape(where(inPlane, add(flat, starts), planes * plane), [flat.size]);
    const sums = scatterRows(reshape(batch, [flat.size]), at, [planes * plane], 0);
    // A sum times its count's reciprocal, not divided by the count: a GPU's division may be an ulp off even for 2v / 2,
    // and a position named once (or a power of two times) must get its value back exactly.
    const shares = noGrad(() => div(1, maximum(scatterRows(onesLike(reshape(batch, [flat.size])), at, [planes * plane], 0), 1)));
    const out = mul(sums, shares);
    return unbatch(reshape(out, [n, channels, ...size]));
  });
}
