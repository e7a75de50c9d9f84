// Convolution over NCDHW volumes ([batch, channels, depth, height, width],
// PyTorch's conv3d), built on conv2d rather than kernels of its own: the
// filter's depth tap kd meets the depth slices od·stride + kd·dilation of x
// (zero-padded along depth), which taken for every output depth od are a
// batch of images [OD·N, C, H, W]; conv2d convolves them with that tap's
// 2-D filters weight[:, :, kd], and the KD results summed are the volume's.
// So each backend's conv2d (native's kernel, or the im2col matmul) does the
// work, and the gradients, of any order, come from the ops'.
import { isFloat } from '../dtype.js';
import { tidy } from '../engine.js';
import { DTypeError, ShapeError, ValueError, formatShape, formatValue } from '../errors.js';
import { checkOptions, type OptionNames } from '../options.js';
import { Tensor } from '../tensor.js';
import { conv2d } from './conv.js';
import { add } from './elementwise.js';
import { gatherOrZero, reshape, slice, transpose } from './movement.js';
import { checkTensor, fromValues, onBackendOf } from './util.js';
import { asVolumes, refuseEmptyOutput, shownTriple, triplesOf, windowsAlong, type Size3d, type Triple } from './volumes.js';

export interface Conv3dOptions {
  /** Step between windows. Default 1. */
  stride?: Size3d;
  /**
   * Zeros around the volume: a number or [depth, height, width] on each side,
   * 'valid' (none, the default), or 'same' (the output as large as the input;
   * stride 1 only; an odd total puts the extra one after, as PyTorch).
   */
  padding?: Size3d | 'valid' | 'same';
  /** Spacing between the filter's taps. Default 1. */
  dilation?: Size3d;
  /** Channels split into this many groups, each convolved with its own filters (channels = groups: depthwise). Default 1. */
  groups?: number;
}

export const CONV3D_OPTIONS: OptionNames<Conv3dOptions> = { stride: true, padding: true, dilation: true, groups: true };

/** A 3-D convolution's options checked, as [depth, height, width] sizes. */
export interface Conv3dSizes {
  stride: Triple;
  dilation: Triple;
  /** Zeros on each side, or 'same'. */
  padding: Triple | 'same';
  groups: number;
}

/** Checks a 3-D convolution's options, for the op, nn.Conv3d and model files alike. */
export function conv3dSizes(op: string, options: Conv3dOptions): Conv3dSizes {
  if (options instanceof Tensor) {
    throw new ValueError(`${op}: the third argument is the options, not a bias (PyTorch's F.conv3d(x, w, b)): add a bias to the result, y.add(b.reshape([1, filters, 1, 1, 1]))`);
  }
  const opts = checkOptions(op, options, CONV3D_OPTIONS);
  const groups = opts.groups ?? 1;
  if (!Number.isSafeInteger(groups) || groups < 1) throw new ValueError(`${op}: groups must be a positive integer, got ${formatValue(groups)}`);
  const stride = triplesOf(op, 'stride', opts.stride ?? 1, 1);
  const dilation = triplesOf(op, 'dilation', opts.dilation ?? 1, 1);
  if (opts.padding === 'same') {
    if (stride.some((s) => s !== 1)) throw new ValueError(`${op}: padding 'same' needs stride 1, got stride ${formatValue(opts.stride)}`);
    return { stride, dilation, padding: 'same', groups };
  }
  if (typeof opts.padding === 'string' && opts.padding !== 'valid') {
    throw new ValueError(`${op}: padding must be a number, [depth, height, width], 'valid' or 'same', got ${formatValue(opts.padding)}`);
  }
  const padding = opts.padding === 'valid' ? ([0, 0, 0] as Triple) : triplesOf(op, 'padding', opts.padding ?? 0, 0);
  return { stride, dilation, padding, groups };
}

/** [before, after] zeros along each axis: the padding on both sides, or 'same''s split (the extra one after, as PyTorch). */
export function conv3dSides(sizes: Conv3dSizes, kernel: readonly number[]): [number, number][] {
  return [0, 1, 2].map((a): [number, number] => {
    if (sizes.padding !== 'same') return [sizes.padding[a], sizes.padding[a]];
    const total = sizes.dilation[a] * (kernel[a] - 1);
    return [Math.floor(total / 2), total - Math.floor(total / 2)];
  });
}

/**
 * Cross-correlation of x [N, C, D, H, W] (or one volume [C, D, H, W]) with
 * `weight` [filters, C/groups, kd, kh, kw], as PyTorch's conv3d (no flip of
 * the filter): [N, filters, D', H', W']. Add a bias with
 * `y.add(b.reshape([1, filters, 1, 1, 1]))` (nn.Conv3d does).
 */
export function conv3d(x: Tensor, weight: Tensor, options: Conv3dOptions = {}): Tensor {
  const op = 'conv3d';
  // One tidy for all of it: views made before a later check throws are freed with it.
  return tidy(() => {
    const { volumes, unbatch } = asVolumes(op, x);
    checkTensor(op, weight, 'weight');
    const sizes = conv3dSizes(op, options);
    const { stride, dilation, groups } = sizes;
    const [n, channels, depth, height, width] = volumes.shape;
    if (weight.rank !== 5) throw new ShapeError(`${op}: weight must be [filters, channels/groups, depth, height, width], got ${formatShape(weight.shape)}`);
    const [filters, perGroup, ...kernel] = weight.shape;
    if (channels % groups || filters % groups) {
      throw new ShapeError(`${op}: groups ${groups} must divide x's ${channels} channels and weight's ${filters} filters (x ${formatShape(x.shape)}, weight ${formatShape(weight.shape)})`);
    }
    if (perGroup * groups !== channels) {
      const channelsLast = x.shape[x.rank - 1] === perGroup * groups ? `; x looks channels-last: ${op} takes channels first, x.transpose([0, 4, 1, 2, 3])` : '';
      throw new ShapeError(`${op}: weight ${formatShape(weight.shape)} takes ${perGroup} channels${groups > 1 ? ` per group (×${groups} groups)` : ''}, x ${formatShape(x.shape)} has ${channels}${channelsLast}`);
    }
    if (!isFloat(weight.dtype)) throw new DTypeError(`${op}: weight must be f32 or f16, got ${weight.dtype}`);
    if (weight.size === 0) throw new ShapeError(`${op}: weight ${formatShape(weight.shape)} is empty: no filter, channel or tap to sum`);
    const sides = conv3dSides(sizes, kernel);
    const out = [depth, height, width].map((d, a) => windowsAlong(d, sides[a], kernel[a], stride[a], dilation[a]));
    refuseEmptyOutput(op, x, out, kernel, dilation, sides);
    // Depth first, [D, N, C, H, W]: the slices a depth tap meets, gathered, are then a batch of images as they lie.
    const slices = transpose(volumes, [2, 0, 1, 3, 4]);
    const planar = { stride: [stride[1], stride[2]] as const, dilation: [dilation[1], dilation[2]] as const, groups };
    const padding = sizes.padding === 'same' ? ('same' as const) : ([sizes.padding[1], sizes.padding[2]] as const);
    let sum: Tensor | null = null;
    for (let kd = 0; kd < kernel[0]; kd++) {
      // The slice each output depth meets with this tap; one in the depth padding names none (index `depth`: gatherOrZero reads 0).
      const at = Array.from({ length: out[0] }, (_, o) => {
        const d = o * stride[0] + kd * dilation[0] - sides[0][0];
        return d >= 0 && d < depth ? d : depth;
      });
      const indices = onBackendOf(op, x, () => fromValues(op, at, [out[0]], 'i32'));
      const images = reshape(gatherOrZero(slices, indices, 0), [out[0] * n, channels, height, width]);
      const taps = reshape(slice(weight, [0, 0, kd, 0, 0], [filters, perGroup, 1, kernel[1], kernel[2]]), [filters, perGroup, kernel[1], kernel[2]]);
      const y = conv2d(images, taps, { ...planar, padding });
      sum = sum === null ? y : add(sum, y);
    }
    // [OD, N, filters, OH, OW] back to NCDHW.
    return unbatch(transpose(reshape(sum!, [out[0], n, filters, out[1], out[2]]), [1, 2, 0, 3, 4]));
  });
}
