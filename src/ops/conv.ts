// Convolution and pooling over NCHW images ([batch, channels, height,
// width], PyTorch's layout) and NCL sequences ([batch, channels, length]:
// an image of height 1), built from ops every backend already has, as
// tinygrad builds its convolutions from movement ops: each window's values
// gathered into a row (im2col, one gather with an index table per geometry;
// a tap in the zero padding names no pixel, and reads 0: ops/windows.ts),
// then one batched matmul with the filters (conv) or a max / mean along the
// window (pooling). Their gradients come with them: gather's is a
// scatter-add (overlapping windows sum into the pixel they share). A backend
// with a conv2d kernel of its own (native's, webgpu's) convolves there
// instead (ops/conv_kernel.ts).
import { isFloat } from '../dtype.js';
import { tidy } from '../engine.js';
import { DTypeError, ShapeError, ValueError, formatShape, formatValue } from '../errors.js';
import { checkOptions, type OptionNames } from '../options.js';
import { Tensor } from '../tensor.js';
import { inConvKernel } from './conv_kernel.js';
import { matmul } from './matmul.js';
import { div } from './elementwise.js';
import { reshape } from './movement.js';
import { mean, sum } from './reduce.js';
import { checkTensor, fromValues, onBackendOf } from './util.js';
import { IMAGES, SEQUENCES, asImages, shownSize, sizesOf, windowMax, windowValues, windowsOver, type Size2d, type SpatialAxes, type Windows } from './windows.js';

export interface Conv2dOptions {
  /** Step between windows. Default 1. */
  stride?: Size2d;
  /**
   * Zeros around the image: a number or [height, width] on each side, 'valid'
   * (none, the default), or 'same' (the output as large as the input; stride
   * 1 only; an odd total puts the extra row or column after, as PyTorch).
   */
  padding?: Size2d | 'valid' | 'same';
  /** Spacing between the filter's taps (atrous convolution). Default 1. */
  dilation?: Size2d;
  /** Channels split into this many groups, each convolved with its own filters (channels = groups: depthwise). Default 1. */
  groups?: number;
}

/** conv2d's options along one axis: each a single number. */
export interface Conv1dOptions {
  /** Default 1. */
  stride?: number;
  /** Zeros at each end, 'valid' (none, the default) or 'same' (output as long as the input; stride 1). */
  padding?: number | 'valid' | 'same';
  /** Default 1. */
  dilation?: number;
  /** Default 1. */
  groups?: number;
}

export interface Pool2dOptions {
  /** Step between windows. Default: the window's size (windows side by side). */
  stride?: Size2d;
  /** Added on each side, at most half the window: −∞ for maxPool2d, 0 (counted in the mean, as PyTorch's default) for avgPool2d. Default 0. */
  padding?: Size2d;
  /**
   * A last window that runs past the (padded) image is kept, its part past
   * it holding nothing, so the output size rounds up (PyTorch's ceil_mode),
   * unless it would start past the image and its padding before. Default false.
   */
  ceilMode?: boolean;
}

export interface Pool1dOptions {
  /** Default: the window's size. */
  stride?: number;
  /** At each end, at most half the window. Default 0. */
  padding?: number;
  /** As the 2-D pools'. Default false. */
  ceilMode?: boolean;
}

/** maxPool2d's options: a pooling's, and the spacing of the window's taps. */
export interface MaxPool2dOptions extends Pool2dOptions {
  /** Spacing between the window's taps, as conv2d's (PyTorch's dilation). Default 1. */
  dilation?: Size2d;
}

export interface MaxPool1dOptions extends Pool1dOptions {
  /** As maxPool2d's. Default 1. */
  dilation?: number;
}

/** avgPool2d's options: a pooling's, and whether the padding counts. */
export interface AvgPool2dOptions extends Pool2dOptions {
  /** Count the padding's zeros in each mean (true, PyTorch's default), or average over the window's pixels alone. */
  countIncludePad?: boolean;
}

export interface AvgPool1dOptions extends Pool1dOptions {
  /** As avgPool2d's. Default true. */
  countIncludePad?: boolean;
}

export const CONV_OPTIONS: OptionNames<Conv2dOptions> = { stride: true, padding: true, dilation: true, groups: true };
const POOL_OPTIONS: OptionNames<Pool2dOptions> = { stride: true, padding: true, ceilMode: 'boolean' };
const MAX_POOL_OPTIONS: OptionNames<MaxPool2dOptions> = { ...POOL_OPTIONS, dilation: true };
const AVG_POOL_OPTIONS: OptionNames<AvgPool2dOptions> = { ...POOL_OPTIONS, countIncludePad: 'boolean' };

/** The options of any pool: a max pool's or an average pool's. */
export type AnyPoolOptions = MaxPool2dOptions | MaxPool1dOptions | AvgPool2dOptions | AvgPool1dOptions;

/** A convolution's options checked, as [height, width] sizes (a 1-D one's height flat). */
export interface ConvSizes {
  stride: [number, number];
  dilation: [number, number];
  /** Zeros on each side, or 'same'. */
  padding: [number, number] | 'same';
  groups: number;
}

/** Checks a convolution's options, for the ops and for nn.Conv1d/Conv2d (and model files) alike. */
export function convSizes(op: string, axes: SpatialAxes, options: Conv2dOptions | Conv1dOptions): ConvSizes {
  if (options instanceof Tensor) {
    throw new ValueError(`${op}: the third argument is the options, not a bias (PyTorch's F.${op}(x, w, b)): add a bias to the result, y.add(b.reshape([1, filters${axes.count === 2 ? ', 1, 1' : ', 1'}]))`);
  }
  const opts = checkOptions(op, options as Conv2dOptions, CONV_OPTIONS);
  const groups = opts.groups ?? 1;
  if (!Number.isSafeInteger(groups) || groups < 1) throw new ValueError(`${op}: groups must be a positive integer, got ${formatValue(groups)}`);
  const stride = sizesOf(op, 'stride', opts.stride ?? 1, 1, axes, 1);
  const dilation = sizesOf(op, 'dilation', opts.dilation ?? 1, 1, axes, 1);
  if (opts.padding === 'same') {
    if (stride[0] !== 1 || stride[1] !== 1) throw new ValueError(`${op}: padding 'same' needs stride 1, got stride ${formatValue(opts.stride)}`);
    return { stride, dilation, padding: 'same', groups };
  }
  if (typeof opts.padding === 'string' && opts.padding !== 'valid') {
    throw new ValueError(`${op}: padding must be a number${axes.count === 2 ? ', [height, width]' : ''}, 'valid' or 'same', got ${formatValue(opts.padding)}`);
  }
  const padding = opts.padding === 'valid' ? ([0, 0] as [number, number]) : sizesOf(op, 'padding', opts.padding ?? 0, 0, axes, 0);
  return { stride, dilation, padding, groups };
}

/** A pooling's window and options checked, as [height, width] sizes. */
export interface PoolSizes {
  kernel: [number, number];
  stride: [number, number];
  padding: [number, number];
  /** A max pool's tap spacing ([1, 1] for an average pool). */
  dilation: [number, number];
  /** Whether a mean counts the padding (a max pool's: true, unused). */
  countIncludePad: boolean;
  ceilMode: boolean;
}

/** Checks a pooling's window and options (an average's take countIncludePad too), for the ops and the nn pools (and model files) alike. */
export function poolSizes(op: string, axes: SpatialAxes, kernelSize: Size2d, options: AnyPoolOptions, average = false): PoolSizes {
  // A max pool refuses countIncludePad, an average pool dilation, as any option it does not have.
  const opts = checkOptions(op, options as AvgPool2dOptions & MaxPool2dOptions, (average ? AVG_POOL_OPTIONS : MAX_POOL_OPTIONS) as OptionNames<AvgPool2dOptions & MaxPool2dOptions>);
  const kernel = sizesOf(op, 'kernelSize', kernelSize, 1, axes, 1);
  const stride = opts.stride === undefined ? kernel : sizesOf(op, 'stride', opts.stride, 1, axes, 1);
  const padding = sizesOf(op, 'padding', opts.padding ?? 0, 0, axes, 0);
  const dilation = sizesOf(op, 'dilation', opts.dilation ?? 1, 1, axes, 1);
  // The window as it lies on the image, its taps spread by the dilation (PyTorch checks the padding against that).
  const span = [0, 1].map((a) => dilation[a] * (kernel[a] - 1) + 1);
  if (2 * padding[0] > span[0] || 2 * padding[1] > span[1]) {
    throw new ValueError(`${op}: padding ${formatValue(opts.padding)} is more than half the ${shownSize(axes, kernel)} window${span[0] * span[1] !== kernel[0] * kernel[1] ? ` (dilated: ${shownSize(axes, span as [number, number])})` : ''} (a window could then hold padding only)`);
  }
  return { kernel, stride, padding, dilation, countIncludePad: opts.countIncludePad ?? true, ceilMode: opts.ceilMode ?? false };
}

/**
 * Cross-correlation of x [N, C, H, W] with `weight` [filters, C/groups, kh,
 * kw], as PyTorch's conv2d (no flip of the filter): [N, filters, H', W'].
 * Add a bias with `y.add(b.reshape([1, filters, 1, 1]))` (nn.Conv2d does).
 */
export function conv2d(x: Tensor, weight: Tensor, options: Conv2dOptions = {}): Tensor {
  return convolve('conv2d', IMAGES, x, weight, options);
}

/** conv2d along one axis, as PyTorch's conv1d: x [N, C, L] (or [C, L]) with weight [filters, C/groups, k] gives [N, filters, L']. */
export function conv1d(x: Tensor, weight: Tensor, options: Conv1dOptions = {}): Tensor {
  return convolve('conv1d', SEQUENCES, x, weight, options);
}

function convolve(op: string, axes: SpatialAxes, x: Tensor, weight: Tensor, options: Conv2dOptions | Conv1dOptions): Tensor {
  // One tidy for all of it: x's image view (and the table) made before a later check throws are freed with it.
  return tidy(() => {
    const { images, unbatch } = asImages(op, axes, x);
    checkTensor(op, weight, 'weight');
    const { stride, dilation, padding, groups } = convSizes(op, axes, options);
    const [n, channels] = images.shape;
    if (weight.rank !== axes.count + 2) throw new ShapeError(`${op}: weight must be ${axes.weight}, got ${formatShape(weight.shape)}`);
    const [filters, perGroup] = weight.shape;
    if (channels % groups || filters % groups) {
      throw new ShapeError(`${op}: groups ${groups} must divide x's ${channels} channels and weight's ${filters} filters (x ${formatShape(x.shape)}, weight ${formatShape(weight.shape)})`);
    }
    if (perGroup * groups !== channels) {
      // Channels last (NHWC, TensorFlow's layout) is the likely mistake where x's last axis has the count.
      const channelsLast = x.shape[x.rank - 1] === perGroup * groups ? `; x looks channels-last: ${op} takes channels first, x.transpose(${axes.count === 2 ? '[0, 3, 1, 2]' : '[0, 2, 1]'})` : '';
      throw new ShapeError(`${op}: weight ${formatShape(weight.shape)} takes ${perGroup} channels${groups > 1 ? ` per group (×${groups} groups)` : ''}, x ${formatShape(x.shape)} has ${channels}${channelsLast}`);
    }
    if (!isFloat(weight.dtype)) throw new DTypeError(`${op}: weight must be f32 or f16, got ${weight.dtype}`);
    if (weight.size === 0) throw new ShapeError(`${op}: weight ${formatShape(weight.shape)} is empty: no filter, channel or tap to sum`);
    const kernel = (axes.count === 2 ? weight.shape.slice(2) : [1, weight.shape[2]]) as [number, number];
    const side = (a: 0 | 1): [number, number] => {
      if (padding !== 'same') return [padding[a], padding[a]];
      const total = dilation[a] * (kernel[a] - 1);
      return [Math.floor(total / 2), total - Math.floor(total / 2)];
    };
    const windows = windowsOver(op, axes, x, images, [side(0), side(1)], kernel, stride, dilation);
    const inKernel = inConvKernel(op, 'forward', images, weight, windows, { batch: n, channels, filters, groups });
    if (inKernel) return unbatch(inKernel);
    const values = windowValues(op, images, windows, groups);
    // [groups, filters/groups, taps] · [N, groups, positions, taps]ᵀ: [N, groups, filters/groups, positions], already NCHW.
    const y = matmul(reshape(weight, [groups, filters / groups, perGroup * kernel[0] * kernel[1]]), values, { transposeB: true });
    return unbatch(reshape(y, [n, filters, ...windows.out]));
  });
}

/** A pooling's windows over x, x as images (asImages) and its sizes: what the pools here and maxPool2dWithIndices (ops/unpool.ts) start from. */
export interface PoolWindows extends PoolSizes {
  readonly images: Tensor;
  readonly unbatch: (y: Tensor) => Tensor;
  readonly windows: Windows;
}

export function poolWindows(op: string, axes: SpatialAxes, largest: boolean, x: Tensor, kernelSize: Size2d, options: AnyPoolOptions): PoolWindows {
  const { images, unbatch } = asImages(op, axes, x);
  const sizes = poolSizes(op, axes, kernelSize, options, !largest);
  const { kernel, stride, padding, dilation, ceilMode } = sizes;
  const span = [0, 1].map((a) => dilation[a] * (kernel[a] - 1) + 1);
  const size = images.shape.slice(2);
  // ceilMode: past the padding after, as much as the last window that starts within the image or its padding needs
  // (PyTorch's rule); windowsOver then counts that many windows.
  const after = (a: 0 | 1) => {
    if (!ceilMode) return padding[a];
    let out = Math.ceil((size[a] + 2 * padding[a] - span[a]) / stride[a]) + 1;
    if ((out - 1) * stride[a] >= size[a] + padding[a]) out--;
    return Math.max(padding[a], (out - 1) * stride[a] + span[a] - size[a] - padding[a]);
  };
  const sides = [after(0), after(1)];
  const windows = windowsOver(op, axes, x, images, [[padding[0], sides[0]], [padding[1], sides[1]]], kernel, stride, dilation);
  return { ...sizes, images, unbatch, windows };
}

function pool(op: string, axes: SpatialAxes, largest: boolean, x: Tensor, kernelSize: Size2d, options: AnyPoolOptions): Tensor {
  return tidy(() => {
    const { images, unbatch, windows, kernel, padding, countIncludePad } = poolWindows(op, axes, largest, x, kernelSize, options);
    const [n, channels, height, width] = images.shape;
    const sides = [windows.sides[0][1], windows.sides[1][1]];
    // The max in one kernel, every channel a plane of its own (the padding's taps pick nothing).
    if (largest) return unbatch(reshape(windowMax(op, reshape(images, [n * channels, height * width]), windows), [n, channels, ...windows.out]));
    // The mean: every channel's windows gathered (as images of one channel) and averaged over the window, the padding's
    // zeros counted (PyTorch's default) but not a ceilMode window's part past the padding, or over its pixels alone.
    const [positions, taps] = [windows.out[0] * windows.out[1], kernel[0] * kernel[1]];
    const values = reshape(windowValues(op, reshape(images, [n * channels, 1, height, width]), windows, 1), [n * channels, positions, taps]);
    const overhang = sides[0] !== padding[0] || sides[1] !== padding[1];
    const everyTapCounts = !overhang && (countIncludePad || (padding[0] === 0 && padding[1] === 0));
    const pooled = everyTapCounts ? mean(values, 2) : div(sum(values, 2), tapsCounted(op, windows, countIncludePad ? padding : [0, 0], images));
    return unbatch(reshape(pooled, [n, channels, ...windows.out]));
  });
}

/** How many taps of each window fall within the image and `padding` on each side (the rest counts for nothing), in `like`'s dtype, on its backend: [windows]. */
function tapsCounted(op: string, windows: Windows, padding: readonly [number, number], like: Tensor): Tensor {
  const along = (a: 0 | 1, o: number) => {
    const first = o * windows.stride[a] - windows.sides[a][0];
    return Math.min(first + windows.kernel[a], (a === 0 ? windows.height : windows.width) + padding[a]) - Math.max(first, -padding[a]);
  };
  const counts = Array.from({ length: windows.out[0] * windows.out[1] }, (_, j) => along(0, Math.floor(j / windows.out[1])) * along(1, j % windows.out[1]));
  return onBackendOf(op, like, () => fromValues(op, counts, [counts.length], like.dtype));
}

/**
 * The largest value of each kernelSize window of x [N, C, H, W] (or [C, H, W]): [N, C, H', W'].
 * Its gradient shares a tie evenly among the values tied (PyTorch's goes to the first of them).
 */
export function maxPool2d(x: Tensor, kernelSize: Size2d, options: MaxPool2dOptions = {}): Tensor {
  return pool('maxPool2d', IMAGES, true, x, kernelSize, options);
}

/** The mean of each kernelSize window of x [N, C, H, W] (or [C, H, W]): [N, C, H', W']. */
export function avgPool2d(x: Tensor, kernelSize: Size2d, options: AvgPool2dOptions = {}): Tensor {
  return pool('avgPool2d', IMAGES, false, x, kernelSize, options);
}

/** maxPool2d along one axis: x [N, C, L] (or [C, L]) → [N, C, L']. */
export function maxPool1d(x: Tensor, kernelSize: number, options: MaxPool1dOptions = {}): Tensor {
  return pool('maxPool1d', SEQUENCES, true, x, kernelSize, options);
}

/** avgPool2d along one axis: x [N, C, L] (or [C, L]) → [N, C, L']. */
export function avgPool1d(x: Tensor, kernelSize: number, options: AvgPool1dOptions = {}): Tensor {
  return pool('avgPool1d', SEQUENCES, false, x, kernelSize, options);
}
