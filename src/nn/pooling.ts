// MaxPool2d and AvgPool2d: the largest value or the mean of each window of
// NCHW images, as PyTorch's (stride defaults to the window: windows side by side).
import { pairOf, type Pair } from '../ops/conv.js';
import { avgPool2d, maxPool2d } from '../ops/index.js';
import { checkOptions } from '../options.js';
import { ValueError, formatValue } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { Module, type LayerConfig } from './module.js';

export interface Pool2dLayerOptions {
  /** Default: the window's size. */
  stride?: Pair;
  /** At most half the window: −∞ for MaxPool2d, 0 (counted in the mean) for AvgPool2d. Default 0. */
  padding?: Pair;
}

abstract class Pool2d extends Module {
  readonly kernelSize: readonly [number, number];
  readonly stride: readonly [number, number];
  readonly padding: readonly [number, number];

  constructor(private readonly kind: 'MaxPool2d' | 'AvgPool2d', kernelSize: Pair, options: Pool2dLayerOptions) {
    super();
    const opts = checkOptions(this.kind, options, { stride: true, padding: true });
    this.kernelSize = pairOf(this.kind, 'kernelSize', kernelSize, 1);
    this.stride = pairOf(this.kind, 'stride', opts.stride ?? this.kernelSize, 1);
    this.padding = pairOf(this.kind, 'padding', opts.padding ?? 0, 0);
    if (2 * this.padding[0] > this.kernelSize[0] || 2 * this.padding[1] > this.kernelSize[1]) {
      throw new ValueError(`${this.kind}: padding ${formatValue(opts.padding)} is more than half the ${this.kernelSize.join('×')} window`);
    }
  }

  config(): LayerConfig {
    return { type: this.kind, kernelSize: [...this.kernelSize], stride: [...this.stride], padding: [...this.padding] };
  }
}

export class MaxPool2d extends Pool2d {
  constructor(kernelSize: Pair, options: Pool2dLayerOptions = {}) {
    super('MaxPool2d', kernelSize, options);
  }

  forward(x: Tensor): Tensor {
    return maxPool2d(x, this.kernelSize, { stride: this.stride, padding: this.padding });
  }
}

export class AvgPool2d extends Pool2d {
  constructor(kernelSize: Pair, options: Pool2dLayerOptions = {}) {
    super('AvgPool2d', kernelSize, options);
  }

  forward(x: Tensor): Tensor {
    return avgPool2d(x, this.kernelSize, { stride: this.stride, padding: this.padding });
  }
}
