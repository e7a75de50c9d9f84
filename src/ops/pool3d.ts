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
// [kd, 1] window: no copy, no kernel, and the 2-D pools' gradients.
import { tidy } from '../engine.js';
import { ValueError, formatValue } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { checkOptions, type OptionNames } from '../options.js';
import { avgPool2d, maxPool2d } from './conv.js';
import { reshape } from './movement.js';
import { asVolumes, refuseEmptyOutput, shownTriple, triplesOf, windowsAlong, type Size3d, type Triple } from './volumes.js';

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

function pool(op: string, largest: boolean, x: Tensor, kernelSize: Size3d, options: MaxPool3dOptions | AvgPool3dOptions): Tensor {
  return tidy(() => {
    const { volumes, unbatch } = asVolumes(op, x);
    const { kernel, stride, padding, dilation, countIncludePad, ceilMode } = pool3dSizes(op, kernelSize, options, !largest);
    const [n, channels, depth, height, width] = volumes.shape;
    const sides = padding.map((p) => [p, p] as [number, number]);
    const out = [depth, height, width].map((d, a) => windowsAlong(d, sides[a], kernel[a], stride[a], dilation[a], ceilMode));
    // Checked here, where x is as given: the 2-D pools below would name the images they see.
    refuseEmptyOutput(op, x, out, kernel, dilation, sides);
    // A 2-D pool over two of the volume's axes (null: an axis of the images no window moves along, a window of 1 there).
    const pool2d = (images: Tensor, axes: readonly [number, number | null]): Tensor => {
      const of = (sizes: Triple, flat: number) => axes.map((a) => (a === null ? flat : sizes[a])) as [number, number];
      const shared = { stride: of(stride, 1), padding: of(padding, 0), ceilMode };
      return largest ? maxPool2d(images, of(kernel, 1), { ...shared, dilation: of(dilation, 1) }) : avgPool2d(images, of(kernel, 1), { ...shared, countIncludePad });
    };
    const planes = pool2d(reshape(volumes, [n, channels * depth, height, width]), [1, 2]);
    const pooled = pool2d(reshape(planes, [n, channels, depth, out[1] * out[2]]), [0, null]);
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

/** The mean of each kernelSize window of x [N, C, D, H, W] (or [C, D, H, W]): [N, C, D', H', W']. */
export function avgPool3d(x: Tensor, kernelSize: Size3d, options: AvgPool3dOptions = {}): Tensor {
  return pool('avgPool3d', false, x, kernelSize, options);
}
