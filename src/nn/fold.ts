// Unfold and Fold, as PyTorch's F.unfold / F.fold: the sliding blocks of
// an image as columns (im2col), and columns added back into an image
// (col2im). unfold of x [N, C, H, W] is [N, C·kh·kw, L], a column per
// block position (row-major over the L = oh·ow positions), each column the
// block's values channel by channel, a channel's taps row-major: PyTorch's
// order, so code written against it indexes the same. fold puts each
// column's values back where unfold took them from, summing where blocks
// overlap: fold(unfold(x)) is x times how many blocks cover each pixel.
// Both are the window gathers convolution is built on (ops/windows.ts), and
// each is the other's gradient.
import { isFloat } from '../dtype.js';
import { tidy } from '../engine.js';
import { DTypeError, ShapeError, formatShape } from '../errors.js';
import { checkOptions, type OptionNames } from '../options.js';
import { reshape, transpose } from '../ops/index.js';
import { checkTensor } from '../ops/util.js';
import { IMAGES, asImages, shownSizes, sizesOf, windowSums, windowValues, windowsIn, windowsOver, type Size2d, type Windows } from '../ops/windows.js';
import type { Tensor } from '../tensor.js';
import { Module, type LayerConfig } from './module.js';

export interface UnfoldOptions {
  /** Spacing between a block's taps. Default 1. */
  dilation?: Size2d;
  /** Zeros on each side of the image (a number or [height, width]). Default 0. */
  padding?: Size2d;
  /** Step between blocks. Default 1. */
  stride?: Size2d;
}

/** fold's options: unfold's, describing the blocks the columns came from. */
export type FoldOptions = UnfoldOptions;

const OPTIONS: OptionNames<UnfoldOptions> = { dilation: true, padding: true, stride: true };

/** The block geometry of unfold and fold, as [height, width] sizes. */
interface BlockSizes {
  kernel: [number, number];
  dilation: [number, number];
  padding: [number, number];
  stride: [number, number];
}

function blockSizes(op: string, kernelSize: Size2d, options: UnfoldOptions): BlockSizes {
  const opts = checkOptions(op, options, OPTIONS);
  return {
    kernel: sizesOf(op, 'kernelSize', kernelSize, 1, IMAGES, 1),
    dilation: sizesOf(op, 'dilation', opts.dilation ?? 1, 1, IMAGES, 1),
    padding: sizesOf(op, 'padding', opts.padding ?? 0, 0, IMAGES, 0),
    stride: sizesOf(op, 'stride', opts.stride ?? 1, 1, IMAGES, 1),
  };
}

const sidesOf = (padding: [number, number]): Windows['sides'] => [[padding[0], padding[0]], [padding[1], padding[1]]];

/**
 * The blocks of x [N, C, H, W] (or one image [C, H, W]) as columns: [N,
 * C·kh·kw, L] (or [C·kh·kw, L]), L the number of block positions; PyTorch's
 * F.unfold. Its gradient is fold.
 */
export function unfold(x: Tensor, kernelSize: Size2d, options: UnfoldOptions = {}): Tensor {
  const { kernel, dilation, padding, stride } = blockSizes('unfold', kernelSize, options);
  return tidy(() => {
    const { images } = asImages('unfold', IMAGES, x);
    const [n, channels] = images.shape;
    const windows = windowsOver('unfold', IMAGES, x, images, sidesOf(padding), kernel, stride, dilation);
    const blocks = windows.out[0] * windows.out[1];
    // [N, 1 group, L, C·taps] → [N, C·taps, L]
    const columns = transpose(reshape(windowValues('unfold', images, windows, 1), [n, blocks, channels * kernel[0] * kernel[1]]), [0, 2, 1]);
    return x.rank === 3 ? reshape(columns, columns.shape.slice(1)) : columns;
  });
}

/**
 * Columns x [N, C·kh·kw, L] (or [C·kh·kw, L]) summed into images [N, C,
 * outputSize] (or [C, ...outputSize]): each column's values put where
 * unfold with the same sizes takes a block's from, overlaps added; PyTorch's
 * F.fold. L must be the number of blocks that fit in outputSize. Its
 * gradient is unfold.
 */
export function fold(x: Tensor, outputSize: Size2d, kernelSize: Size2d, options: FoldOptions = {}): Tensor {
  checkTensor('fold', x, 'x');
  const { kernel, dilation, padding, stride } = blockSizes('fold', kernelSize, options);
  const [height, width] = sizesOf('fold', 'outputSize', outputSize, 1, IMAGES, 1);
  if (x.rank !== 2 && x.rank !== 3) throw new ShapeError(`fold: x must be [batch, channels × kernel taps, blocks] (or [channels × kernel taps, blocks]), got ${formatShape(x.shape)}`);
  if (!isFloat(x.dtype)) throw new DTypeError(`fold: x must be f32 or f16, got ${x.dtype} (cast it: x.cast('f32'))`);
  const [rows, blocks] = x.shape.slice(-2);
  const taps = kernel[0] * kernel[1];
  if (rows === 0 || rows % taps) throw new ShapeError(`fold: x ${formatShape(x.shape)} has ${rows} rows, not a positive multiple of the ${kernel.join('×')} kernel's ${taps} taps`);
  const windows = windowsIn(height, width, sidesOf(padding), kernel, stride, dilation);
  const fits = Math.max(windows.out[0], 0) * Math.max(windows.out[1], 0);
  if (windows.out[0] < 1 || windows.out[1] < 1 || fits !== blocks) {
    throw new ShapeError(`fold: x ${formatShape(x.shape)} has ${blocks} blocks, but ${fits} ${kernel.join('×')} blocks fit in outputSize ${height}×${width} (padding ${padding.join('×')}, stride ${stride.join('×')}, dilation ${dilation.join('×')})`);
  }
  const channels = rows / taps;
  return tidy(() => {
    const columns = x.rank === 3 ? x : reshape(x, [1, rows, blocks]);
    const n = columns.shape[0];
    // [N, C·taps, L] → [N, 1 group, L, C·taps], as windowValues gives them
    const values = reshape(transpose(columns, [0, 2, 1]), [n, 1, blocks, rows]);
    const images = windowSums('fold', values, windows, channels, 1);
    return reshape(images, x.rank === 3 ? [n, channels, height, width] : [channels, height, width]);
  });
}

/** Images to columns of blocks, as PyTorch's nn.Unfold; see unfold. */
export class Unfold extends Module {
  readonly #sizes: BlockSizes;

  constructor(kernelSize: Size2d, options: UnfoldOptions = {}) {
    super();
    this.#sizes = blockSizes('Unfold', kernelSize, options);
  }

  forward(x: Tensor): Tensor {
    const { kernel, ...options } = this.#sizes;
    return unfold(x, kernel, options);
  }

  config(): LayerConfig {
    return { type: 'Unfold', ...shownBlockSizes(this.#sizes) };
  }
}

/** Columns of blocks summed into images, as PyTorch's nn.Fold; see fold. */
export class Fold extends Module {
  readonly #sizes: BlockSizes;
  readonly #outputSize: [number, number];

  constructor(outputSize: Size2d, kernelSize: Size2d, options: FoldOptions = {}) {
    super();
    this.#outputSize = sizesOf('Fold', 'outputSize', outputSize, 1, IMAGES, 1);
    this.#sizes = blockSizes('Fold', kernelSize, options);
  }

  forward(x: Tensor): Tensor {
    const { kernel, ...options } = this.#sizes;
    return fold(x, this.#outputSize, kernel, options);
  }

  config(): LayerConfig {
    return { type: 'Fold', outputSize: shownSizes(IMAGES, this.#outputSize), ...shownBlockSizes(this.#sizes) };
  }
}

/** The sizes as a config holds them: fresh [height, width] pairs. */
function shownBlockSizes({ kernel, dilation, padding, stride }: BlockSizes): Record<string, number | [number, number]> {
  return { kernelSize: shownSizes(IMAGES, kernel), dilation: shownSizes(IMAGES, dilation), padding: shownSizes(IMAGES, padding), stride: shownSizes(IMAGES, stride) };
}
