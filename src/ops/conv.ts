// 2-D convolution and pooling over NCHW images ([batch, channels, height,
// width], PyTorch's layout), built from ops every backend already has, as
// tinygrad builds its convolutions from movement ops: each window's values
// gathered into a row (im2col, one gather with an index table per geometry;
// a tap in the zero padding names no pixel, and reads 0), then one batched
// matmul with the filters (conv2d) or a max / mean along the window
// (pooling). Their gradients come with them: gather's is a scatter-add
// (overlapping windows sum into the pixel they share).
import { isFloat } from '../dtype.js';
import { tidy } from '../engine.js';
import { DTypeError, ShapeError, ValueError, formatShape, formatValue } from '../errors.js';
import { checkOptions, type OptionNames } from '../options.js';
import type { Tensor } from '../tensor.js';
import { tensor } from './creation.js';
import { matmul } from './matmul.js';
import { expandDims, gatherOrZero, pad, reshape, squeeze } from './movement.js';
import { max, mean } from './reduce.js';
import { checkTensor, onBackendOf } from './util.js';

/** A size given once for both axes, or as [height, width]. */
export type Pair = number | readonly [number, number];

export interface Conv2dOptions {
  /** Step between windows. Default 1. */
  stride?: Pair;
  /**
   * Zeros around the image: a number or [height, width] on each side, 'valid'
   * (none, the default), or 'same' (the output as large as the input; stride
   * 1 only; an odd total puts the extra row or column after, as PyTorch).
   */
  padding?: Pair | 'valid' | 'same';
  /** Spacing between the filter's taps (atrous convolution). Default 1. */
  dilation?: Pair;
  /** Channels split into this many groups, each convolved with its own filters (channels = groups: depthwise). Default 1. */
  groups?: number;
}

export interface Pool2dOptions {
  /** Step between windows. Default: the window's size (windows side by side). */
  stride?: Pair;
  /** Added on each side, at most half the window: −∞ for maxPool2d, 0 (counted in the mean, as PyTorch's default) for avgPool2d. Default 0. */
  padding?: Pair;
}

const CONV_OPTIONS: OptionNames<Conv2dOptions> = { stride: true, padding: true, dilation: true, groups: true };
const POOL_OPTIONS: OptionNames<Pool2dOptions> = { stride: true, padding: true };

/** One window geometry over an image: what the index table and the output's size follow from. */
interface Windows {
  /** The image's height and width, without padding. */
  readonly height: number;
  readonly width: number;
  /** [before, after] zeros along height, then width. */
  readonly sides: readonly [readonly [number, number], readonly [number, number]];
  readonly kernel: readonly [number, number];
  readonly stride: readonly [number, number];
  readonly dilation: readonly [number, number];
  /** Output height and width. */
  readonly out: readonly [number, number];
}

/** A Pair option as [height, width], refused unless integers ≥ least (nn layers check theirs on construction with it). */
export function pairOf(op: string, name: string, v: unknown, least: number): [number, number] {
  const pair = typeof v === 'number' ? [v, v] : v;
  if (!Array.isArray(pair) || pair.length !== 2 || pair.some((n) => !Number.isSafeInteger(n) || n < least)) {
    throw new ValueError(`${op}: ${name} must be an integer ≥ ${least} or a pair [height, width] of them, got ${formatValue(v)}`);
  }
  return [pair[0], pair[1]];
}

function windowsOver(op: string, image: Tensor, sides: Windows['sides'], kernel: [number, number], stride: [number, number], dilation: [number, number]): Windows {
  const [height, width] = image.shape.slice(2);
  const padded = [height + sides[0][0] + sides[0][1], width + sides[1][0] + sides[1][1]];
  const out = [0, 1].map((a) => Math.floor((padded[a] - dilation[a] * (kernel[a] - 1) - 1) / stride[a]) + 1) as [number, number];
  if (out[0] < 1 || out[1] < 1) {
    const dilated = dilation.some((d) => d > 1) ? ` dilated ${dilation.join('×')}` : '';
    const padding = sides.flat().some((p) => p) ? ` padded to ${padded.join('×')}` : '';
    throw new ShapeError(`${op}: a ${kernel.join('×')} window${dilated} does not fit in x ${formatShape(image.shape)}${padding}`);
  }
  return { height, width, sides, kernel, stride, dilation, out };
}

/**
 * For each of `groups` channel groups, each output position, each channel of
 * the group and each tap of the window, where that value sits in one image
 * of `channels`×height×width flattened, or that size (past the end: gather
 * reads 0) for a tap in the padding: [groups, positions, channels/groups ×
 * taps]. Kept per geometry: a training loop asks for the same few tables
 * every step.
 */
const tables = new Map<string, Int32Array>();
/** Entries the kept tables may hold in all (64 MiB); a larger table is made afresh each call. */
const TABLE_ENTRIES_KEPT = 2 ** 24;
let entriesKept = 0;

function windowTable(op: string, w: Windows, channels: number, groups: number): Int32Array {
  const key = JSON.stringify([w, channels, groups]);
  const kept = tables.get(key);
  if (kept) return kept;
  const [kh, kw] = w.kernel;
  const [oh, ow] = w.out;
  const perGroup = channels / groups;
  const outside = channels * w.height * w.width;
  const entries = channels * oh * ow * kh * kw;
  // An i32 index names at most 2^31 values of an image; a table past 2^30 entries is 4 GiB.
  if (outside >= 2 ** 31 || entries > 2 ** 30) {
    throw new ShapeError(`${op}: ${channels} channels of ${w.height}×${w.width} in ${oh}×${ow} windows of ${kh}×${kw} is ${entries.toLocaleString('en-US')} taps to gather per image, more than an index table here holds (2^30; and 2^31 values an image)`);
  }
  const table = new Int32Array(entries);
  let i = 0;
  for (let g = 0; g < groups; g++) {
    for (let y = 0; y < oh; y++) {
      for (let x = 0; x < ow; x++) {
        for (let c = g * perGroup; c < (g + 1) * perGroup; c++) {
          for (let ky = 0; ky < kh; ky++) {
            const iy = y * w.stride[0] + ky * w.dilation[0] - w.sides[0][0];
            for (let kx = 0; kx < kw; kx++) {
              const ix = x * w.stride[1] + kx * w.dilation[1] - w.sides[1][0];
              table[i++] = iy >= 0 && iy < w.height && ix >= 0 && ix < w.width ? (c * w.height + iy) * w.width + ix : outside;
            }
          }
        }
      }
    }
  }
  if (entries > TABLE_ENTRIES_KEPT) return table;
  for (const [oldest, kept] of tables) {
    if (entriesKept + entries <= TABLE_ENTRIES_KEPT) break;
    tables.delete(oldest);
    entriesKept -= kept.length;
  }
  tables.set(key, table);
  entriesKept += entries;
  return table;
}

/** x as a batch ([N, C, H, W]); `unbatch` undoes it for a [C, H, W] x, as PyTorch takes one image without its batch axis. */
function asBatch(op: string, x: Tensor): { images: Tensor; unbatch: (y: Tensor) => Tensor } {
  checkTensor(op, x, 'x');
  if (x.rank !== 4 && x.rank !== 3) throw new ShapeError(`${op}: x must be [batch, channels, height, width] (or one image [channels, height, width]), got ${formatShape(x.shape)}`);
  if (!isFloat(x.dtype)) throw new DTypeError(`${op}: x must be f32 or f16, got ${x.dtype} (cast it: x.cast('f32'))`);
  if (x.shape.slice(-3).some((d) => d === 0)) throw new ShapeError(`${op}: x ${formatShape(x.shape)} has no channels or no pixels (only its batch may be empty)`);
  return x.rank === 4 ? { images: x, unbatch: (y) => y } : { images: expandDims(x, 0), unbatch: (y) => squeeze(y, 0) };
}

/** Each window's values of images [N, C, H, W], gathered: [N, groups, positions, channels/groups × taps]. */
function windowValues(op: string, images: Tensor, w: Windows, groups: number): Tensor {
  const [n, c] = images.shape;
  const table = onBackendOf(op, images, () => tensor(windowTable(op, w, c, groups), [groups, w.out[0] * w.out[1], (c / groups) * w.kernel[0] * w.kernel[1]], { dtype: 'i32' }));
  return gatherOrZero(reshape(images, [n, c * w.height * w.width]), table, 1);
}

/**
 * Cross-correlation of x [N, C, H, W] with `weight` [filters, C/groups, kh,
 * kw], as PyTorch's conv2d (no flip of the filter): [N, filters, H', W'].
 * Add a bias with `y.add(b.reshape([1, filters, 1, 1]))` (nn.Conv2d does).
 */
export function conv2d(x: Tensor, weight: Tensor, options: Conv2dOptions = {}): Tensor {
  const { images, unbatch } = asBatch('conv2d', x);
  checkTensor('conv2d', weight, 'weight');
  const opts = checkOptions('conv2d', options, CONV_OPTIONS);
  const groups = opts.groups ?? 1;
  if (!Number.isSafeInteger(groups) || groups < 1) throw new ValueError(`conv2d: groups must be a positive integer, got ${formatValue(groups)}`);
  const [n, channels, height, width] = images.shape;
  if (weight.rank !== 4) throw new ShapeError(`conv2d: weight must be [filters, channels/groups, height, width], got ${formatShape(weight.shape)}`);
  const [filters, perGroup, kh, kw] = weight.shape;
  if (channels % groups || filters % groups) {
    throw new ShapeError(`conv2d: groups ${groups} must divide x's ${channels} channels and weight's ${filters} filters (x ${formatShape(x.shape)}, weight ${formatShape(weight.shape)})`);
  }
  if (perGroup * groups !== channels) {
    throw new ShapeError(`conv2d: weight ${formatShape(weight.shape)} takes ${perGroup} channels${groups > 1 ? ` per group (×${groups} groups)` : ''}, x ${formatShape(x.shape)} has ${channels}`);
  }
  if (!isFloat(weight.dtype)) throw new DTypeError(`conv2d: weight must be f32 or f16, got ${weight.dtype}`);
  if (weight.size === 0) throw new ShapeError(`conv2d: weight ${formatShape(weight.shape)} is empty: no filter, channel or tap to sum`);
  const stride = pairOf('conv2d', 'stride', opts.stride ?? 1, 1);
  const dilation = pairOf('conv2d', 'dilation', opts.dilation ?? 1, 1);
  const kernel: [number, number] = [kh, kw];
  let sides: [[number, number], [number, number]];
  if (opts.padding === 'same') {
    if (stride[0] !== 1 || stride[1] !== 1) throw new ValueError(`conv2d: padding 'same' needs stride 1, got stride ${formatValue(opts.stride)}`);
    sides = [0, 1].map((a) => {
      const total = dilation[a] * (kernel[a] - 1);
      return [Math.floor(total / 2), total - Math.floor(total / 2)];
    }) as typeof sides;
  } else {
    if (typeof opts.padding === 'string' && opts.padding !== 'valid') {
      throw new ValueError(`conv2d: padding must be a number, [height, width], 'valid' or 'same', got ${formatValue(opts.padding)}`);
    }
    const [ph, pw] = opts.padding === 'valid' ? [0, 0] : pairOf('conv2d', 'padding', opts.padding ?? 0, 0);
    sides = [[ph, ph], [pw, pw]];
  }
  const w = windowsOver('conv2d', images, sides, kernel, stride, dilation);
  return tidy(() => {
    const values = windowValues('conv2d', images, w, groups);
    // [groups, filters/groups, taps] · [N, groups, positions, taps]ᵀ: [N, groups, filters/groups, positions], already NCHW.
    const y = matmul(reshape(weight, [groups, filters / groups, perGroup * kh * kw]), values, { transposeB: true });
    return unbatch(reshape(y, [n, filters, ...w.out]));
  });
}

function pool2d(op: 'maxPool2d' | 'avgPool2d', x: Tensor, kernelSize: Pair, options: Pool2dOptions): Tensor {
  const { images, unbatch } = asBatch(op, x);
  const opts = checkOptions(op, options, POOL_OPTIONS);
  const kernel = pairOf(op, 'kernelSize', kernelSize, 1);
  const stride = pairOf(op, 'stride', opts.stride ?? kernel, 1);
  const [ph, pw] = pairOf(op, 'padding', opts.padding ?? 0, 0);
  if (2 * ph > kernel[0] || 2 * pw > kernel[1]) {
    throw new ValueError(`${op}: padding ${formatValue(opts.padding)} is more than half the ${kernel.join('×')} window (a window could then hold padding only)`);
  }
  const [n, channels] = images.shape;
  const w = windowsOver(op, images, [[ph, ph], [pw, pw]], kernel, stride, [1, 1]);
  return tidy(() => {
    // Padding reads 0, which the mean counts (PyTorch's default); a max needs −∞ there: the image padded with it, its windows unpadded.
    const maxPadded = op === 'maxPool2d' && (ph > 0 || pw > 0);
    const padded = maxPadded ? pad(images, [[0, 0], [0, 0], [ph, ph], [pw, pw]], -Infinity) : images;
    const over = maxPadded ? windowsOver(op, padded, [[0, 0], [0, 0]], kernel, stride, [1, 1]) : w;
    // Every channel is a group of one: [N·C, 1, positions, taps].
    const values = windowValues(op, reshape(padded, [n * channels, 1, over.height, over.width]), over, 1);
    const pooled = op === 'maxPool2d' ? max(values, 3) : mean(values, 3);
    return unbatch(reshape(pooled, [n, channels, ...w.out]));
  });
}

/**
 * The largest value of each kernelSize window of x [N, C, H, W] (or [C, H, W]): [N, C, H', W'].
 * Its gradient shares a tie evenly among the values tied (PyTorch's goes to the first of them).
 */
export function maxPool2d(x: Tensor, kernelSize: Pair, options: Pool2dOptions = {}): Tensor {
  return pool2d('maxPool2d', x, kernelSize, options);
}

/** The mean of each kernelSize window of x [N, C, H, W] (or [C, H, W]): [N, C, H', W']. */
export function avgPool2d(x: Tensor, kernelSize: Pair, options: Pool2dOptions = {}): Tensor {
  return pool2d('avgPool2d', x, kernelSize, options);
}
