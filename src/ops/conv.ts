// Convolution and pooling over NCHW images ([batch, channels, height,
// width], PyTorch's layout) and NCL sequences ([batch, channels, length]:
// an image of height 1), built from ops every backend already has, as
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
import { gatherOrZero, pad, reshape } from './movement.js';
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

export interface Pool1dOptions {
  /** Default: the window's size. */
  stride?: number;
  /** At each end, at most half the window. Default 0. */
  padding?: number;
}

export interface Pool2dOptions {
  /** Step between windows. Default: the window's size (windows side by side). */
  stride?: Pair;
  /** Added on each side, at most half the window: −∞ for maxPool2d, 0 (counted in the mean, as PyTorch's default) for avgPool2d. Default 0. */
  padding?: Pair;
}

const CONV_OPTIONS: OptionNames<Conv2dOptions> = { stride: true, padding: true, dilation: true, groups: true };
const POOL_OPTIONS: OptionNames<Pool2dOptions> = { stride: true, padding: true };

/** How an op over one or two spatial axes names its operands; a 1-D one runs as a 2-D one of height 1. */
export interface SpatialAxes {
  readonly count: 1 | 2;
  readonly x: string;
  readonly weight: string;
}
export const IMAGES: SpatialAxes = { count: 2, x: '[batch, channels, height, width] (or one image [channels, height, width])', weight: '[filters, channels/groups, height, width]' };
export const SEQUENCES: SpatialAxes = { count: 1, x: '[batch, channels, length] (or one sequence [channels, length])', weight: '[filters, channels/groups, length]' };

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

/** A size option as [height, width]: a 1-D op's single number is the width, its height `flat` (1 for a step or a window, 0 for padding). */
export function sizesOf(op: string, name: string, v: unknown, least: number, axes: SpatialAxes, flat: number): [number, number] {
  if (axes.count === 2) return pairOf(op, name, v, least);
  if (!Number.isSafeInteger(v) || (v as number) < least) throw new ValueError(`${op}: ${name} must be an integer ≥ ${least}, got ${formatValue(v)}`);
  return [flat, v as number];
}

/** A window's size as errors show it: 3×3, or 5 along a sequence. */
const shownSize = (axes: SpatialAxes, kernel: readonly number[]) => (axes.count === 2 ? kernel.join('×') : String(kernel[1]));

/** The windows over `images` (4-D); errors name x as the user gave it. */
function windowsOver(op: string, axes: SpatialAxes, x: Tensor, images: Tensor, sides: Windows['sides'], kernel: [number, number], stride: [number, number], dilation: [number, number]): Windows {
  const [height, width] = images.shape.slice(2);
  const padded = [height + sides[0][0] + sides[0][1], width + sides[1][0] + sides[1][1]];
  const out = [0, 1].map((a) => Math.floor((padded[a] - dilation[a] * (kernel[a] - 1) - 1) / stride[a]) + 1) as [number, number];
  if (out[0] < 1 || out[1] < 1) {
    const dilated = dilation.some((d) => d > 1) ? ` dilated ${shownSize(axes, dilation)}` : '';
    const padding = sides.flat().some((p) => p) ? ` padded to ${shownSize(axes, padded)}` : '';
    throw new ShapeError(`${op}: a ${shownSize(axes, kernel)} window${dilated} does not fit in x ${formatShape(x.shape)}${padding}`);
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

/**
 * x as a batch of images [N, C, H, W] (a sequence an image of height 1), and
 * `unbatch` to give a result x's layout back: PyTorch takes one image or
 * sequence without its batch axis too.
 */
function asImages(op: string, axes: SpatialAxes, x: Tensor): { images: Tensor; unbatch: (y: Tensor) => Tensor } {
  checkTensor(op, x, 'x');
  const batched = x.rank === axes.count + 2;
  if (!batched && x.rank !== axes.count + 1) throw new ShapeError(`${op}: x must be ${axes.x}, got ${formatShape(x.shape)}`);
  if (!isFloat(x.dtype)) throw new DTypeError(`${op}: x must be f32 or f16, got ${x.dtype} (cast it: x.cast('f32'))`);
  const [channels, ...extent] = x.shape.slice(batched ? 1 : 0);
  if (channels === 0 || extent.some((d) => d === 0)) throw new ShapeError(`${op}: x ${formatShape(x.shape)} has no channels or no ${axes.count === 2 ? 'pixels' : 'positions'} (only its batch may be empty)`);
  const images = reshape(x, [batched ? x.shape[0] : 1, channels, ...(axes.count === 1 ? [1] : []), ...extent]);
  const unbatch = (y: Tensor) => reshape(y, [...(batched ? [y.shape[0]] : []), y.shape[1], ...(axes.count === 2 ? [y.shape[2]] : []), y.shape[3]]);
  return { images, unbatch };
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
  return convolve('conv2d', IMAGES, x, weight, options);
}

/** conv2d along one axis, as PyTorch's conv1d: x [N, C, L] (or [C, L]) with weight [filters, C/groups, k] gives [N, filters, L']. */
export function conv1d(x: Tensor, weight: Tensor, options: Conv1dOptions = {}): Tensor {
  return convolve('conv1d', SEQUENCES, x, weight, options);
}

function convolve(op: string, axes: SpatialAxes, x: Tensor, weight: Tensor, options: Conv2dOptions | Conv1dOptions): Tensor {
  // One tidy for all of it: x seen as images is a view to free whatever fails.
  return tidy(() => {
    const { images, unbatch } = asImages(op, axes, x);
    checkTensor(op, weight, 'weight');
    const opts = checkOptions(op, options as Conv2dOptions, CONV_OPTIONS);
    const groups = opts.groups ?? 1;
    if (!Number.isSafeInteger(groups) || groups < 1) throw new ValueError(`${op}: groups must be a positive integer, got ${formatValue(groups)}`);
    const [n, channels] = images.shape;
    if (weight.rank !== axes.count + 2) throw new ShapeError(`${op}: weight must be ${axes.weight}, got ${formatShape(weight.shape)}`);
    const [filters, perGroup] = weight.shape;
    if (channels % groups || filters % groups) {
      throw new ShapeError(`${op}: groups ${groups} must divide x's ${channels} channels and weight's ${filters} filters (x ${formatShape(x.shape)}, weight ${formatShape(weight.shape)})`);
    }
    if (perGroup * groups !== channels) {
      throw new ShapeError(`${op}: weight ${formatShape(weight.shape)} takes ${perGroup} channels${groups > 1 ? ` per group (×${groups} groups)` : ''}, x ${formatShape(x.shape)} has ${channels}`);
    }
    if (!isFloat(weight.dtype)) throw new DTypeError(`${op}: weight must be f32 or f16, got ${weight.dtype}`);
    if (weight.size === 0) throw new ShapeError(`${op}: weight ${formatShape(weight.shape)} is empty: no filter, channel or tap to sum`);
    const stride = sizesOf(op, 'stride', opts.stride ?? 1, 1, axes, 1);
    const dilation = sizesOf(op, 'dilation', opts.dilation ?? 1, 1, axes, 1);
    const kernel = (axes.count === 2 ? weight.shape.slice(2) : [1, weight.shape[2]]) as [number, number];
    let sides: [[number, number], [number, number]];
    if (opts.padding === 'same') {
      if (stride[0] !== 1 || stride[1] !== 1) throw new ValueError(`${op}: padding 'same' needs stride 1, got stride ${formatValue(opts.stride)}`);
      sides = [0, 1].map((a) => {
        const total = dilation[a] * (kernel[a] - 1);
        return [Math.floor(total / 2), total - Math.floor(total / 2)];
      }) as typeof sides;
    } else {
      if (typeof opts.padding === 'string' && opts.padding !== 'valid') {
        throw new ValueError(`${op}: padding must be a number${axes.count === 2 ? ', [height, width]' : ''}, 'valid' or 'same', got ${formatValue(opts.padding)}`);
      }
      const [ph, pw] = opts.padding === 'valid' ? [0, 0] : sizesOf(op, 'padding', opts.padding ?? 0, 0, axes, 0);
      sides = [[ph, ph], [pw, pw]];
    }
    const w = windowsOver(op, axes, x, images, sides, kernel, stride, dilation);
    const values = windowValues(op, images, w, groups);
    // [groups, filters/groups, taps] · [N, groups, positions, taps]ᵀ: [N, groups, filters/groups, positions], already NCHW.
    const y = matmul(reshape(weight, [groups, filters / groups, perGroup * kernel[0] * kernel[1]]), values, { transposeB: true });
    return unbatch(reshape(y, [n, filters, ...w.out]));
  });
}

function pool(op: string, axes: SpatialAxes, largest: boolean, x: Tensor, kernelSize: Pair, options: Pool2dOptions | Pool1dOptions): Tensor {
  return tidy(() => {
    const { images, unbatch } = asImages(op, axes, x);
    const opts = checkOptions(op, options as Pool2dOptions, POOL_OPTIONS);
    const kernel = sizesOf(op, 'kernelSize', kernelSize, 1, axes, 1);
    const stride = sizesOf(op, 'stride', opts.stride ?? (axes.count === 2 ? kernel : kernel[1]), 1, axes, 1);
    const [ph, pw] = sizesOf(op, 'padding', opts.padding ?? 0, 0, axes, 0);
    if (2 * ph > kernel[0] || 2 * pw > kernel[1]) {
      throw new ValueError(`${op}: padding ${formatValue(opts.padding)} is more than half the ${shownSize(axes, kernel)} window (a window could then hold padding only)`);
    }
    const [n, channels] = images.shape;
    const w = windowsOver(op, axes, x, images, [[ph, ph], [pw, pw]], kernel, stride, [1, 1]);
    // Padding reads 0, which the mean counts (PyTorch's default); a max needs −∞ there: the image padded with it, its windows unpadded.
    const maxPadded = largest && (ph > 0 || pw > 0);
    const padded = maxPadded ? pad(images, [[0, 0], [0, 0], [ph, ph], [pw, pw]], -Infinity) : images;
    const over = maxPadded ? windowsOver(op, axes, x, padded, [[0, 0], [0, 0]], kernel, stride, [1, 1]) : w;
    // Every channel is a group of one: [N·C, 1, positions, taps].
    const values = windowValues(op, reshape(padded, [n * channels, 1, over.height, over.width]), over, 1);
    const pooled = largest ? max(values, 3) : mean(values, 3);
    return unbatch(reshape(pooled, [n, channels, ...w.out]));
  });
}

/**
 * The largest value of each kernelSize window of x [N, C, H, W] (or [C, H, W]): [N, C, H', W'].
 * Its gradient shares a tie evenly among the values tied (PyTorch's goes to the first of them).
 */
export function maxPool2d(x: Tensor, kernelSize: Pair, options: Pool2dOptions = {}): Tensor {
  return pool('maxPool2d', IMAGES, true, x, kernelSize, options);
}

/** The mean of each kernelSize window of x [N, C, H, W] (or [C, H, W]): [N, C, H', W']. */
export function avgPool2d(x: Tensor, kernelSize: Pair, options: Pool2dOptions = {}): Tensor {
  return pool('avgPool2d', IMAGES, false, x, kernelSize, options);
}

/** maxPool2d along one axis: x [N, C, L] (or [C, L]) → [N, C, L']. */
export function maxPool1d(x: Tensor, kernelSize: number, options: Pool1dOptions = {}): Tensor {
  return pool('maxPool1d', SEQUENCES, true, x, kernelSize, options);
}

/** avgPool2d along one axis: x [N, C, L] (or [C, L]) → [N, C, L']. */
export function avgPool1d(x: Tensor, kernelSize: number, options: Pool1dOptions = {}): Tensor {
  return pool('avgPool1d', SEQUENCES, false, x, kernelSize, options);
}
