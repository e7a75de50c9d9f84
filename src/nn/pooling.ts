// MaxPool and AvgPool over NCHW images (2d) or NCL sequences (1d): the
// largest value or the mean of each window, as PyTorch's (stride defaults to
// the window: windows side by side).
import { ValueError, formatValue } from '../errors.js';
import { IMAGES, SEQUENCES, sizesOf, type Pair, type SpatialAxes } from '../ops/conv.js';
import { avgPool1d, avgPool2d, maxPool1d, maxPool2d } from '../ops/index.js';
import { checkOptions } from '../options.js';
import type { Tensor } from '../tensor.js';
import { shownSizes } from './conv.js';
import { Module, type LayerConfig } from './module.js';

export interface PoolLayerOptions<Size> {
  /** Default: the window's size. */
  stride?: Size;
  /** At most half the window: −∞ for a max, 0 (counted in the mean) for a mean. Default 0. */
  padding?: Size;
}
export type Pool2dLayerOptions = PoolLayerOptions<Pair>;
export type Pool1dLayerOptions = PoolLayerOptions<number>;

type PoolKind = 'MaxPool1d' | 'MaxPool2d' | 'AvgPool1d' | 'AvgPool2d';
const POOLS = { MaxPool1d: maxPool1d, MaxPool2d: maxPool2d, AvgPool1d: avgPool1d, AvgPool2d: avgPool2d } as const;

abstract class Pool<Size extends number | readonly [number, number]> extends Module {
  readonly kernelSize: Size;
  readonly stride: Size;
  readonly padding: Size;

  constructor(private readonly kind: PoolKind, axes: SpatialAxes, kernelSize: Pair, options: PoolLayerOptions<Pair>) {
    super();
    const opts = checkOptions(kind, options, { stride: true, padding: true });
    const kernel = sizesOf(kind, 'kernelSize', kernelSize, 1, axes, 1);
    const padding = sizesOf(kind, 'padding', opts.padding ?? 0, 0, axes, 0);
    if (2 * padding[0] > kernel[0] || 2 * padding[1] > kernel[1]) {
      throw new ValueError(`${kind}: padding ${formatValue(opts.padding)} is more than half the ${axes.count === 2 ? kernel.join('×') : kernel[1]} window`);
    }
    const shown = (sizes: [number, number]) => shownSizes(axes, sizes) as Size;
    this.kernelSize = shown(kernel);
    this.stride = shown(sizesOf(kind, 'stride', opts.stride ?? shownSizes(axes, kernel), 1, axes, 1));
    this.padding = shown(padding);
  }

  forward(x: Tensor): Tensor {
    const pool = POOLS[this.kind] as (x: Tensor, kernel: Size, options: PoolLayerOptions<Size>) => Tensor;
    return pool(x, this.kernelSize, { stride: this.stride, padding: this.padding });
  }

  config(): LayerConfig {
    const copy = <T>(v: T): T => (Array.isArray(v) ? ([...v] as T) : v);
    return { type: this.kind, kernelSize: copy(this.kernelSize), stride: copy(this.stride), padding: copy(this.padding) };
  }
}

export class MaxPool2d extends Pool<readonly [number, number]> {
  constructor(kernelSize: Pair, options: Pool2dLayerOptions = {}) {
    super('MaxPool2d', IMAGES, kernelSize, options);
  }
}

export class AvgPool2d extends Pool<readonly [number, number]> {
  constructor(kernelSize: Pair, options: Pool2dLayerOptions = {}) {
    super('AvgPool2d', IMAGES, kernelSize, options);
  }
}

export class MaxPool1d extends Pool<number> {
  constructor(kernelSize: number, options: Pool1dLayerOptions = {}) {
    super('MaxPool1d', SEQUENCES, kernelSize, options);
  }
}

export class AvgPool1d extends Pool<number> {
  constructor(kernelSize: number, options: Pool1dLayerOptions = {}) {
    super('AvgPool1d', SEQUENCES, kernelSize, options);
  }
}
