// Max and average pooling over NCDHW volumes ([batch, channels, depth,
// height, width], PyTorch's max_pool3d and avg_pool3d), built on the 2-D
// pools rather than kernels of their own: a 3-D window is a 2-D window over
// height and width times a 1-D one along depth, and both reductions split
// along it. The max of a window is the max along depth of the 2-D pools'
// maxima; the mean is the mean along depth of the 2-D pools' means, PyTorch's
// divisor being the product of the taps counted along each axis (the
// padding's, where countIncludePad, but never a ceilMode window's part past
// it), as the 2-D pools count theirs. So x [N, C, D, H, W] is pooled as
// images [N, C·D, H, W], and the result, as images [N, C, D, OH·OW], by a
// [kd, 1] window: no copy, no kernel, and the 2-D pools' gradients. The
// same two pools, each saying where its maxima lie, give maxPool3dWithIndices.
import { tidy } from '../engine.js';
import { ShapeError, ValueError, formatValue } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { checkOptions, type OptionNames } from '../options.js';
import { noGrad } from '../tape.js';
import { avgPool2d, maxPool2d } from './conv.js';
import { add } from './elementwise.js';
import { reshape, take } from './movement.js';
import { poolWithIndices, type PooledWithIndices } from './unpool.js';
import { fromStorageArray, onBackendOf } from './util.js';
import { asVolumes, refuseEmptyOutput, shownTriple, triplesOf, windowsAlong, type Size3d, type Triple } from './volumes.js';
import { IMAGES } from './windows.js';

export interface Pool3dOptions {
  /** Step between windows. Default: the window's size (windows side by side). */
  stride?: Size3d;
  /** Added on each side, at most half the window: −∞ for maxPool3d, 0 (counted in the mean, as PyTorch's default) for avgPool3d. Default 0. */
  padding?: Size3d;
  /** A last window that runs past the (padded) volume is kept, as the 2-D pools' ceilMode (PyTorch's ceil_mode). Default false. */
  ceilMode?: boolean;
}

/** maxPool3d's options: a pooling's, and the spacing of the window's taps. */
export interface MaxPool3dOptions extends Pool3dOptions {
  /** Spacing between the window's taps (PyTorch's dilation). Default 1. */
  dilation?: Size3d;
}

/** avgPool3d's options: a pooling's, and whether the padding counts. */
export interface AvgPool3dOptions extends Pool3dOptions {
  /** Count the padding's zeros in each mean (true, PyTorch's default), or average over the window's voxels alone. */
  countIncludePad?: boolean;
}

const POOL_OPTIONS: OptionNames<Pool3dOptions> = { stride: true, padding: true, ceilMode: 'boolean' };
const MAX_POOL_OPTIONS: OptionNames<MaxPool3dOptions> = { ...POOL_OPTIONS, dilation: true };
const AVG_POOL_OPTIONS: OptionNames<AvgPool3dOptions> = { ...POOL_OPTIONS, countIncludePad: 'boolean' };

/** A 3-D pooling's window and options checked, as [depth, height, width] sizes. */
export interface Pool3dSizes {
  kernel: Triple;
  stride: Triple;
  padding: Triple;
  /** A max pool's tap spacing ([1, 1, 1] for an average pool). */
  dilation: Triple;
  /** Whether a mean counts the padding (a max pool's: true, unused). */
  countIncludePad: boolean;
  ceilMode: boolean;
}

/** Checks a 3-D pooling's window and options (an average's take countIncludePad, a max's dilation), for the ops, the nn pools and model files alike. */
export function pool3dSizes(op: string, kernelSize: Size3d, options: MaxPool3dOptions | AvgPool3dOptions, average: boolean): Pool3dSizes {
  const opts = checkOptions(op, options as MaxPool3dOptions & AvgPool3dOptions, (average ? AVG_POOL_OPTIONS : MAX_POOL_OPTIONS) as OptionNames<MaxPool3dOptions & AvgPool3dOptions>);
  const kernel = triplesOf(op, 'kernelSize', kernelSize, 1);
  const stride = opts.stride === undefined ? kernel : triplesOf(op, 'stride', opts.stride, 1);
  const padding = triplesOf(op, 'padding', opts.padding ?? 0, 0);
  const dilation = triplesOf(op, 'dilation', opts.dilation ?? 1, 1);
  // The window as it lies on the volume, its taps spread by the dilation (PyTorch checks the padding against that).
  const span = kernel.map((k, a) => dilation[a] * (k - 1) + 1);
  if (padding.some((p, a) => 2 * p > span[a])) {
    const dilated = span.some((s, a) => s !== kernel[a]) ? ` (dilated: ${shownTriple(span)})` : '';
    throw new ValueError(`${op}: padding ${formatValue(opts.padding)} is more than half the ${shownTriple(kernel)} window${dilated} (a window could then hold padding only)`);
  }
  return { kernel, stride, padding, dilation, countIncludePad: opts.countIncludePad ?? true, ceilMode: opts.ceilMode ?? false };
}

/**
 * A 3-D pooling of x checked and laid out as the two 2-D pools it runs as:
 * `slices` pools each depth slice's height and width (images [N, C·D, H, W]),
 * `across` pools their results along depth (images [N, C, D, H'·W'], a
 * [kd, 1] window). Each stage's sizes are [rows, columns] of its images.
 */
interface Pool3dStages {
  volumes: Tensor;
  unbatch: (y: Tensor) => Tensor;
  sizes: Pool3dSizes;
  /** The output's depth, height and width. */
  out: Triple;
  slices: Pool2dStage;
  across: Pool2dStage;
}

/** One 2-D pool of a 3-D one: its window and options as [rows, columns] of the images it sees. */
interface Pool2dStage {
  kernel: [number, number];
  stride: [number, number];
  padding: [number, number];
  dilation: [number, number];
}

function pool3dStages(op: string, x: Tensor, kernelSize: Size3d, options: MaxPool3dOptions | AvgPool3dOptions, average: boolean): Pool3dStages {
  const { volumes, unbatch } = asVolumes(op, x);
  const sizes = pool3dSizes(op, kernelSize, options, average);
  const { kernel, stride, padding, dilation, ceilMode } = sizes;
  const sides = padding.map((p) => [p, p] as [number, number]);
  const out = volumes.shape.slice(2).map((d, a) => windowsAlong(d, sides[a], kernel[a], stride[a], dilation[a], ceilMode)) as Triple;
  // Checked here, where x is as given: the 2-D pools would name the images they see.
  refuseEmptyOutput(op, x, out, kernel, dilation, sides);
  // The volume's axes a stage's rows and columns are (null: an axis no window moves along, a window of 1 there).
  const stage = (axes: readonly [number, number | null]): Pool2dStage => {
    const of = (sizes: Triple, flat: number) => axes.map((a) => (a === null ? flat : sizes[a])) as [number, number];
    return { kernel: of(kernel, 1), stride: of(stride, 1), padding: of(padding, 0), dilation: of(dilation, 1) };
  };
  return { volumes, unbatch, sizes, out, slices: stage([1, 2]), across: stage([0, null]) };
}

function pool(op: string, largest: boolean, x: Tensor, kernelSize: Size3d, options: MaxPool3dOptions | AvgPool3dOptions): Tensor {
  return tidy(() => {
    const { volumes, unbatch, sizes, out, slices, across } = pool3dStages(op, x, kernelSize, options, !largest);
    const [n, channels, depth, height, width] = volumes.shape;
    const { ceilMode, countIncludePad } = sizes;
    const pool2d = (images: Tensor, { kernel, stride, padding, dilation }: Pool2dStage): Tensor =>
      largest ? maxPool2d(images, kernel, { stride, padding, dilation, ceilMode }) : avgPool2d(images, kernel, { stride, padding, ceilMode, countIncludePad });
    const planes = pool2d(reshape(volumes, [n, channels * depth, height, width]), slices);
    const pooled = pool2d(reshape(planes, [n, channels, depth, out[1] * out[2]]), across);
    return unbatch(reshape(pooled, [n, channels, ...out]));
  });
}

/**
 * The largest value of each kernelSize window of x [N, C, D, H, W] (or [C, D,
 * H, W]): [N, C, D', H', W']. Its gradient shares a tie among the values
 * tied, along depth and then within each slice's window as maxPool2d shares
 * it (PyTorch's goes to the first of them).
 */
export function maxPool3d(x: Tensor, kernelSize: Size3d, options: MaxPool3dOptions = {}): Tensor {
  return pool('maxPool3d', true, x, kernelSize, options);
}

/**
 * maxPool3d, with the position (i32, in its channel's D×H×W volume of x:
 * d·H·W + h·W + w) of each window's maximum: PyTorch's max_pool3d(...,
 * return_indices=True), for maxUnpool3d. A tie goes to the first of the
 * window's taps in (depth, row, column) order, a NaN to the window's first
 * NaN (PyTorch's CPU kernel takes its last). The values are maxPool3d's,
 * with its gradient.
 */
export function maxPool3dWithIndices(x: Tensor, kernelSize: Size3d, options: MaxPool3dOptions = {}): PooledWithIndices {
  const op = 'maxPool3dWithIndices';
  return tidy(() => {
    const { volumes, unbatch, sizes, out, slices, across } = pool3dStages(op, x, kernelSize, options, false);
    const [n, channels, depth, height, width] = volumes.shape;
    const volumeCount = n * channels;
    const positions = out[1] * out[2];
    // The indices below read a flat whole of every volume's slices' maxima.
    if (volumeCount * depth * positions >= 2 ** 31) throw new ShapeError(`${op}: ${volumeCount} volumes of ${depth}×${positions} slice maxima are more than an i32 index names (2^31)`);
    const pool2d = (images: Tensor, { kernel, stride, padding, dilation }: Pool2dStage) => poolWithIndices(op, IMAGES, images, kernel, { stride, padding, dilation, ceilMode: sizes.ceilMode });
    // maxPool3d's two pools, each saying where its maxima lie: within each depth slice's plane, then along depth (an
    // index d·H'·W' + p: slice d's maximum at output position p). A window's first largest slice holds its first
    // largest tap, so a tie goes to the first in (d, h, w) order.
    const planes = pool2d(reshape(volumes, [n, channels * depth, height, width]), slices);
    const pooled = pool2d(reshape(planes.values, [n, channels, depth, positions]), across);
    const indices = noGrad(() => {
      // Slice d's positions made the volume's (its plane starts at d·H·W), then read where the depth pool's indices
      // point, each volume's in its own stretch of the flat whole.
      const sliceStarts = onBackendOf(op, x, () => fromStorageArray(Int32Array.from({ length: depth }, (_, d) => d * height * width), [depth, 1], 'i32'));
      const inVolume = add(reshape(planes.indices, [volumeCount, depth, positions]), sliceStarts);
      const volumeStarts = onBackendOf(op, x, () => fromStorageArray(Int32Array.from({ length: volumeCount }, (_, v) => v * depth * positions), [volumeCount, 1], 'i32'));
      return take(inVolume, add(reshape(pooled.indices, [volumeCount, out[0] * positions]), volumeStarts));
    });
    return { values: unbatch(reshape(pooled.values, [n, channels, ...out])), indices: unbatch(reshape(indices, [n, channels, ...out])) };
  });
}

/** The mean of each kernelSize window of x [N, C, D, H, W] (or [C, D, H, W]): [N, C, D', H', W']. */
export function avgPool3d(x: Tensor, kernelSize: Size3d, options: AvgPool3dOptions = {}): Tensor {
  return pool('avgPool3d', false, x, kernelSize, options);
}
