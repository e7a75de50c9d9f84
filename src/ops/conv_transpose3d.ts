// The transposed convolution over NCDHW volumes (PyTorch's
// conv_transpose3d): conv3d's gradient with respect to its input, built on
// convTranspose2d as conv3d is on conv2d. Input depth slice id spreads, by
// the filter's depth tap kd, over output depth id·stride − padding +
// kd·dilation; so each tap's convTranspose2d of all the input's slices (a
// batch of images [D·N, C, H, W]) is gathered, output depth by output depth,
// from the slice that lands there (none where no slice does: zeros), and the
// KD taps summed.
import { isFloat } from '../dtype.js';
import { tidy } from '../engine.js';
import { DTypeError, ShapeError, ValueError, formatShape, formatValue } from '../errors.js';
import { checkOptions, type OptionNames } from '../options.js';
import { Tensor } from '../tensor.js';
import { convTranspose2d } from './conv_transpose.js';
import { add } from './elementwise.js';
import { gatherOrZero, reshape, slice, transpose } from './movement.js';
import { checkTensor, fromValues, onBackendOf } from './util.js';
import { asVolumes, shownTriple, triplesOf, type Size3d, type Triple } from './volumes.js';

export interface ConvTranspose3dOptions {
  /** Step between the windows the input values spread over: the upsampling factor. Default 1. */
  stride?: Size3d;
  /** Cut from each side of the output (the padding of the convolution this undoes). Default 0. */
  padding?: Size3d;
  /** Added after the last along each axis, less than the stride or the dilation: picks among the output sizes a strided convolution maps to one input size. Default 0. */
  outputPadding?: Size3d;
  /** Spacing between the filter's taps. Default 1. */
  dilation?: Size3d;
  /** Channels split into this many groups, each with its own filters. Default 1. */
  groups?: number;
}

export const CONV_TRANSPOSE3D_OPTIONS: OptionNames<ConvTranspose3dOptions> = { stride: true, padding: true, outputPadding: true, dilation: true, groups: true };

/** A 3-D transposed convolution's options checked, as [depth, height, width] sizes. */
export interface ConvTranspose3dSizes {
  stride: Triple;
  padding: Triple;
  outputPadding: Triple;
  dilation: Triple;
  groups: number;
}

/** Checks a 3-D transposed convolution's options, for the op, nn.ConvTranspose3d and model files alike. */
export function convTranspose3dSizes(op: string, options: ConvTranspose3dOptions): ConvTranspose3dSizes {
  if (options instanceof Tensor) throw new ValueError(`${op}: the third argument is the options, not a bias: add a bias to the result`);
  const opts = checkOptions(op, options, CONV_TRANSPOSE3D_OPTIONS);
  const groups = opts.groups ?? 1;
  if (!Number.isSafeInteger(groups) || groups < 1) throw new ValueError(`${op}: groups must be a positive integer, got ${formatValue(groups)}`);
  const stride = triplesOf(op, 'stride', opts.stride ?? 1, 1);
  const dilation = triplesOf(op, 'dilation', opts.dilation ?? 1, 1);
  const padding = triplesOf(op, 'padding', opts.padding ?? 0, 0);
  const outputPadding = triplesOf(op, 'outputPadding', opts.outputPadding ?? 0, 0);
  // As PyTorch: more would add rows no input value reaches.
  if (outputPadding.some((p, a) => p >= Math.max(stride[a], dilation[a]))) {
    throw new ValueError(`${op}: outputPadding ${formatValue(opts.outputPadding)} must be less than the stride ${shownTriple(stride)} or the dilation ${shownTriple(dilation)}`);
  }
  return { stride, padding, outputPadding, dilation, groups };
}

/**
 * The transpose of conv3d: x [N, inChannels, D, H, W] (or one volume
 * [inChannels, D, H, W]) and weight [inChannels, outChannels/groups, kd, kh,
 * kw] (PyTorch's layout) give [N, outChannels, D', H', W'] with D' = (D −
 * 1)·stride − 2·padding + dilation·(kd − 1) + outputPadding + 1, and so
 * along height and width. It is conv3d's gradient with respect to its input.
 */
export function convTranspose3d(x: Tensor, weight: Tensor, options: ConvTranspose3dOptions = {}): Tensor {
  const op = 'convTranspose3d';
  return tidy(() => {
    const { volumes, unbatch } = asVolumes(op, x);
    checkTensor(op, weight, 'weight');
    const { stride, padding, outputPadding, dilation, groups } = convTranspose3dSizes(op, options);
    const [n, inChannels, depth, height, width] = volumes.shape;
    if (weight.rank !== 5) throw new ShapeError(`${op}: weight must be [inChannels, outChannels/groups, depth, height, width], got ${formatShape(weight.shape)}`);
    if (weight.shape[0] !== inChannels) throw new ShapeError(`${op}: weight ${formatShape(weight.shape)} is for ${weight.shape[0]} input channels (its first axis), x ${formatShape(x.shape)} has ${inChannels}`);
    if (inChannels % groups) throw new ShapeError(`${op}: groups ${groups} must divide x's ${inChannels} channels (x ${formatShape(x.shape)})`);
    if (!isFloat(weight.dtype)) throw new DTypeError(`${op}: weight must be f32 or f16, got ${weight.dtype}`);
    if (weight.size === 0) throw new ShapeError(`${op}: weight ${formatShape(weight.shape)} is empty: no channel or tap to spread over`);
    const [, perGroup, ...kernel] = weight.shape;
    const outChannels = perGroup * groups;
    const size = [depth, height, width].map((d, a) => (d - 1) * stride[a] - 2 * padding[a] + dilation[a] * (kernel[a] - 1) + outputPadding[a] + 1);
    if (size.some((d) => d < 1)) {
      throw new ShapeError(`${op}: padding ${shownTriple(padding)} cuts all of the ${shownTriple(size.map((d, a) => d + 2 * padding[a]))} output of x ${formatShape(x.shape)} by a ${shownTriple(kernel)} window`);
    }
    // Depth first, [D, N, C, H, W]: the input's slices are then a batch of images as they lie.
    const images = reshape(transpose(volumes, [2, 0, 1, 3, 4]), [depth * n, inChannels, height, width]);
    const planar = {
      stride: [stride[1], stride[2]] as const, padding: [padding[1], padding[2]] as const,
      outputPadding: [outputPadding[1], outputPadding[2]] as const, dilation: [dilation[1], dilation[2]] as const, groups,
    };
    let sum: Tensor | null = null;
    for (let kd = 0; kd < kernel[0]; kd++) {
      const taps = reshape(slice(weight, [0, 0, kd, 0, 0], [inChannels, perGroup, 1, kernel[1], kernel[2]]), [inChannels, perGroup, kernel[1], kernel[2]]);
      const spread = reshape(convTranspose2d(images, taps, planar), [depth, n, outChannels, size[1], size[2]]);
      // Output depth o takes, by this tap, input slice (o + padding − kd·dilation)/stride where that is a whole slice of x; none (index `depth`, read as 0) elsewhere.
      const from = Array.from({ length: size[0] }, (_, o) => {
        const at = o + padding[0] - kd * dilation[0];
        return at >= 0 && at % stride[0] === 0 && at / stride[0] < depth ? at / stride[0] : depth;
      });
      const indices = onBackendOf(op, x, () => fromValues(op, from, [size[0]], 'i32'));
      const landed = gatherOrZero(spread, indices, 0);
      sum = sum === null ? landed : add(sum, landed);
    }
    // [D', N, outChannels, H', W'] back to NCDHW.
    return unbatch(transpose(sum!, [1, 2, 0, 3, 4]));
  });
}
