// Max pooling that says where each maximum came from, and its inverse:
// PyTorch's max_pool2d(return_indices=True) and max_unpool2d, the pair an
// encoder-decoder such as SegNet uses to put features back where the encoder
// found them. An index is a position in its channel's plane of x (y·W + x;
// along a sequence, the position), i32.
import { tidy } from '../engine.js';
import { DTypeError, ShapeError, ValueError, formatShape, formatValue } from '../errors.js';
import { checkOptions, type OptionNames } from '../options.js';
import { noGrad } from '../tape.js';
import type { Tensor } from '../tensor.js';
import { poolWindows, type MaxPool1dOptions, type MaxPool2dOptions } from './conv.js';
import { add, div, equal, greaterEqual, less, maximum, mul, where } from './elementwise.js';
import { logicalAnd } from './logical.js';
import { argmax } from './reduce.js';
import { gather, gatherOrZero, reshape, scatterRows } from './movement.js';
import { onesLike } from './creation.js';
import { checkTensor, fromStorageArray, onBackendOf, refuseIndicesOutside } from './util.js';
import { IMAGES, SEQUENCES, asImages, shownSize, sizesOf, windowMax, windowTable, windowTableOf, type Size2d, type SpatialAxes } from './windows.js';

/** A max pooling's values and, for each, the position in its channel's plane of x it was taken from. */
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

function poolWithIndices(op: string, axes: SpatialAxes, x: Tensor, kernelSize: Size2d, options: MaxPool2dOptions): PooledWithIndices {
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
      const tapValues = where(less(picks, plane), gatherOrZero(planes, picks, 1), -Infinity); // [planes, positions, taps]
      const tap = argmax(tapValues, 2);
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

const UNPOOL_OPTIONS: OptionNames<MaxUnpool2dOptions> = { stride: true, padding: true, outputSize: true };

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
  return unpool('maxUnpool2d', IMAGES, x, indices, kernelSize, options);
}

/** maxUnpool2d along one axis: x and indices [N, C, L'] (or [C, L']) → [N, C, L]. */
export function maxUnpool1d(x: Tensor, indices: Tensor, kernelSize: number, options: MaxUnpool1dOptions = {}): Tensor {
  return unpool('maxUnpool1d', SEQUENCES, x, indices, kernelSize, options);
}

function unpool(op: string, axes: SpatialAxes, x: Tensor, indices: Tensor, kernelSize: Size2d, options: MaxUnpool2dOptions): Tensor {
  const opts = checkOptions(op, options, UNPOOL_OPTIONS);
  checkTensor(op, indices, 'indices');
  const kernel = sizesOf(op, 'kernelSize', kernelSize, 1, axes, 1);
  const stride = opts.stride === undefined ? kernel : sizesOf(op, 'stride', opts.stride, 1, axes, 1);
  const padding = sizesOf(op, 'padding', opts.padding ?? 0, 0, axes, 0);
  return tidy(() => {
    const { images, unbatch } = asImages(op, axes, x);
    if (indices.dtype !== 'i32') throw new DTypeError(`${op}: indices must be i32 (as maxPool${axes.count}dWithIndices gives them), got ${indices.dtype}`);
    if (indices.shape.length !== x.shape.length || indices.shape.some((d, i) => d !== x.shape[i])) {
      throw new ShapeError(`${op}: indices ${formatShape(indices.shape)} must have x's shape ${formatShape(x.shape)}`);
    }
    const [n, channels, ...pooled] = images.shape;
    const natural = [0, 1].map((a) => (pooled[a] - 1) * stride[a] - 2 * padding[a] + kernel[a]) as [number, number];
    const size = opts.outputSize === undefined ? natural : sizesOf(op, 'outputSize', opts.outputSize, 1, axes, 1);
    for (const a of [0, 1]) {
      if (size[a] <= natural[a] - stride[a] || size[a] >= natural[a] + stride[a]) {
        throw new ValueError(
          `${op}: outputSize ${formatValue(opts.outputSize)} is not one a pooling of window ${shownSize(axes, kernel)}, stride ${shownSize(axes, stride)} and padding ${shownSize(axes, padding)} ` +
            `makes x ${formatShape(x.shape)} from: ${shownSize(axes, natural)} or within a stride of it`,
        );
      }
    }
    const plane = size[0] * size[1];
    const planes = n * channels;
    if (planes * plane >= 2 ** 31) throw new ShapeError(`${op}: an output of ${planes} planes of ${plane} values is more than an i32 index names (2^31)`);
    refuseIndicesOutside(op, indices, 0, plane, `an output plane of ${shownSize(axes, size)} = ${plane} positions`);
    // Each plane's indices moved into its own stretch of one flat output; one outside its plane goes past the end, where
    // the scatter puts nothing.
    const flat = reshape(indices, [planes, pooled[0] * pooled[1]]);
    const inPlane = logicalAnd(greaterEqual(flat, 0), less(flat, plane));
    const starts = onBackendOf(op, x, () => fromStorageArray(Int32Array.from({ length: planes }, (_, p) => p * plane), [planes, 1], 'i32'));
    const at = reshape(where(inPlane, add(flat, starts), planes * plane), [flat.size]);
    const sums = scatterRows(reshape(images, [flat.size]), at, [planes * plane], 0);
    // A sum times its count's reciprocal, not divided by the count: a GPU's division may be an ulp off even for 2v / 2,
    // and a position named once (or a power of two times) must get its value back exactly.
    const shares = noGrad(() => div(1, maximum(scatterRows(onesLike(reshape(images, [flat.size])), at, [planes * plane], 0), 1)));
    const out = mul(sums, shares);
    return unbatch(reshape(out, [n, channels, ...size]));
  });
}
