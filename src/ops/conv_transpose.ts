// Transposed convolution (PyTorch's conv_transpose2d / conv_transpose1d,
// sometimes called deconvolution): conv2d's gradient with respect to its
// input, taken as an op of its own. Each input value spreads its filters'
// taps over a window of the output, windows overlapping where the stride is
// smaller than the kernel; an upsampling layer in decoders, U-Nets and GANs.
// It is computed as that gradient is: by a backend's conv2d kernel
// ('inputGrad') where there is one, else a matmul into each window's values
// and their sums into the pixels they came from (col2im: windowSums), in the
// windows of the convolution whose gradient this is (ops/windows.ts).
import { isFloat } from '../dtype.js';
import { tidy } from '../engine.js';
import { DTypeError, ShapeError, ValueError, formatShape, formatValue } from '../errors.js';
import { checkOptions, type OptionNames } from '../options.js';
import { Tensor } from '../tensor.js';
import { inConvKernel } from './conv_kernel.js';
import { matmul } from './matmul.js';
import { reshape } from './movement.js';
import { checkTensor } from './util.js';
import { IMAGES, SEQUENCES, asImages, shownSize, sizesOf, windowSums, type Size2d, type SpatialAxes, type Windows } from './windows.js';

export interface ConvTranspose2dOptions {
  /** Step between the windows the input values spread over: the upsampling factor. Default 1. */
  stride?: Size2d;
  /** Rows and columns cut from each side of the output (the padding of the convolution this undoes). Default 0. */
  padding?: Size2d;
  /** Rows and columns added after the last (bottom, right), less than the stride or the dilation: picks among the output sizes a strided convolution maps to one input size. Default 0. */
  outputPadding?: Size2d;
  /** Spacing between the filter's taps. Default 1. */
  dilation?: Size2d;
  /** Channels split into this many groups, each with its own filters. Default 1. */
  groups?: number;
}

/** convTranspose2d's options along one axis. */
export interface ConvTranspose1dOptions {
  stride?: number;
  padding?: number;
  outputPadding?: number;
  dilation?: number;
  groups?: number;
}

export const CONV_TRANSPOSE_OPTIONS: OptionNames<ConvTranspose2dOptions> = { stride: true, padding: true, outputPadding: true, dilation: true, groups: true };

/** A transposed convolution's options checked, as [height, width] sizes (a 1-D one's height flat). */
export interface ConvTransposeSizes {
  stride: [number, number];
  padding: [number, number];
  outputPadding: [number, number];
  dilation: [number, number];
  groups: number;
}

/** Checks a transposed convolution's options, for the ops, nn.ConvTranspose1d/2d and model files alike. */
export function convTransposeSizes(op: string, axes: SpatialAxes, options: ConvTranspose2dOptions | ConvTranspose1dOptions): ConvTransposeSizes {
  if (options instanceof Tensor) throw new ValueError(`${op}: the third argument is the options, not a bias: add a bias to the result`);
  const opts = checkOptions(op, options as ConvTranspose2dOptions, CONV_TRANSPOSE_OPTIONS);
  const groups = opts.groups ?? 1;
  if (!Number.isSafeInteger(groups) || groups < 1) throw new ValueError(`${op}: groups must be a positive integer, got ${formatValue(groups)}`);
  const stride = sizesOf(op, 'stride', opts.stride ?? 1, 1, axes, 1);
  const dilation = sizesOf(op, 'dilation', opts.dilation ?? 1, 1, axes, 1);
  const padding = sizesOf(op, 'padding', opts.padding ?? 0, 0, axes, 0);
  const outputPadding = sizesOf(op, 'outputPadding', opts.outputPadding ?? 0, 0, axes, 0);
  // As PyTorch: more would add rows no input value reaches.
  if ([0, 1].some((a) => outputPadding[a] >= Math.max(stride[a], dilation[a]))) {
    throw new ValueError(`${op}: outputPadding ${formatValue(opts.outputPadding)} must be less than the stride ${shownSize(axes, stride)} or the dilation ${shownSize(axes, dilation)}`);
  }
  return { stride, padding, outputPadding, dilation, groups };
}

/**
 * The transpose of conv2d: x [N, inChannels, H, W] (or one image [inChannels,
 * H, W]) and weight [inChannels, outChannels/groups, kh, kw] (PyTorch's
 * layout: the conv's filters first) give [N, outChannels, H', W'] with H' =
 * (H − 1)·stride − 2·padding + dilation·(kh − 1) + outputPadding + 1. It is
 * conv2d's gradient with respect to its input: a stride of 2 doubles the size.
 */
export function convTranspose2d(x: Tensor, weight: Tensor, options: ConvTranspose2dOptions = {}): Tensor {
  return transpose('convTranspose2d', IMAGES, x, weight, options);
}

/** convTranspose2d along one axis: x [N, inChannels, L] (or [inChannels, L]) with weight [inChannels, outChannels/groups, k] → [N, outChannels, L']. */
export function convTranspose1d(x: Tensor, weight: Tensor, options: ConvTranspose1dOptions = {}): Tensor {
  return transpose('convTranspose1d', SEQUENCES, x, weight, options);
}

function transpose(op: string, axes: SpatialAxes, x: Tensor, weight: Tensor, options: ConvTranspose2dOptions | ConvTranspose1dOptions): Tensor {
  return tidy(() => {
    const { images, unbatch } = asImages(op, axes, x);
    checkTensor(op, weight, 'weight');
    const { stride, padding, outputPadding, dilation, groups } = convTransposeSizes(op, axes, options);
    const [n, inChannels, height, width] = images.shape;
    const weightLayout = axes.count === 2 ? '[inChannels, outChannels/groups, height, width]' : '[inChannels, outChannels/groups, length]';
    if (weight.rank !== axes.count + 2) throw new ShapeError(`${op}: weight must be ${weightLayout}, got ${formatShape(weight.shape)}`);
    if (weight.shape[0] !== inChannels) throw new ShapeError(`${op}: weight ${formatShape(weight.shape)} is for ${weight.shape[0]} input channels (its first axis), x ${formatShape(x.shape)} has ${inChannels}`);
    if (inChannels % groups) throw new ShapeError(`${op}: groups ${groups} must divide x's ${inChannels} channels (x ${formatShape(x.shape)})`);
    if (!isFloat(weight.dtype)) throw new DTypeError(`${op}: weight must be f32 or f16, got ${weight.dtype}`);
    if (weight.size === 0) throw new ShapeError(`${op}: weight ${formatShape(weight.shape)} is empty: no channel or tap to spread over`);
    const kernel = (axes.count === 2 ? weight.shape.slice(2) : [1, weight.shape[2]]) as [number, number];
    const outChannels = weight.shape[1] * groups;
    const size = [height, width].map((d, a) => (d - 1) * stride[a] - 2 * padding[a] + dilation[a] * (kernel[a] - 1) + outputPadding[a] + 1);
    if (size[0] < 1 || size[1] < 1) {
      throw new ShapeError(`${op}: padding ${shownSize(axes, padding)} cuts all of the ${shownSize(axes, size.map((d, a) => d + 2 * padding[a]))} output of x ${formatShape(x.shape)} by a ${shownSize(axes, kernel)} window`);
    }
    // The convolution whose input gradient this is: over [N, outChannels, ...size] in windows that give [H, W].
    // Its padding after is what lands its last window on the last input row (outputPadding rows are past every window).
    const windows: Windows = {
      height: size[0], width: size[1], kernel, stride, dilation, out: [height, width],
      sides: [[padding[0], padding[0] - outputPadding[0]], [padding[1], padding[1] - outputPadding[1]]],
    };
    const inKernel = inConvKernel(op, 'inputGrad', images, weight, windows, { batch: n, channels: outChannels, filters: inChannels, groups });
    if (inKernel) return unbatch(inKernel);
    // Each input value times its filters' taps, [N, groups, positions, taps], summed into the pixels those taps read in the convolution.
    const spread = matmul(reshape(images, [n, groups, inChannels / groups, height * width]), reshape(weight, [groups, inChannels / groups, -1]), { transposeA: true });
    return unbatch(reshape(windowSums(op, spread, windows, outChannels, groups), [n, outChannels, ...size]));
  });
}
