// MaxPool and AvgPool over NCHW images (2d) or NCL sequences (1d): the
// largest value or the mean of each window, as PyTorch's (stride defaults to
// the window: windows side by side).
import { poolSizes, type AnyPoolOptions, type AvgPool1dOptions, type AvgPool2dOptions, type MaxPool1dOptions, type MaxPool2dOptions, type PoolSizes } from '../ops/conv.js';
import { avgPool1d, avgPool2d, maxPool1d, maxPool1dWithIndices, maxPool2d, maxPool2dWithIndices } from '../ops/index.js';
import type { PooledWithIndices } from '../ops/unpool.js';
import { IMAGES, SEQUENCES, shownSizes, type Size2d, type SpatialAxes } from '../ops/windows.js';
import type { Tensor } from '../tensor.js';
import { Module, type LayerConfig } from './module.js';

/** A pooling op as a layer calls it, with its sizes in the op's own form. */
type PoolOp<Size> = (x: Tensor, kernelSize: Size, options: { stride: Size; padding: Size; ceilMode: boolean; countIncludePad?: boolean; dilation?: Size }) => Tensor;

abstract class Pool<Size extends number | readonly [number, number]> extends Module {
  /** The window and options as [height, width] sizes; the getters below give them in the op's own form. */
  private readonly sizes: PoolSizes;

  private readonly average: boolean;

  constructor(private readonly kind: 'MaxPool1d' | 'MaxPool2d' | 'AvgPool1d' | 'AvgPool2d', private readonly axes: SpatialAxes, private readonly pool: PoolOp<Size>, kernelSize: Size2d, options: AnyPoolOptions) {
    super();
    this.average = kind.startsWith('Avg');
    this.sizes = poolSizes(kind, axes, kernelSize, options, this.average);
  }

  get kernelSize(): Size {
    return shownSizes(this.axes, this.sizes.kernel) as Size;
  }

  get stride(): Size {
    return shownSizes(this.axes, this.sizes.stride) as Size;
  }

  get padding(): Size {
    return shownSizes(this.axes, this.sizes.padding) as Size;
  }

  /** A max pool's spacing of the window's taps. */
  get dilation(): Size {
    return shownSizes(this.axes, this.sizes.dilation) as Size;
  }

  /** An average pool's: whether the padding counts in each mean. */
  get countIncludePad(): boolean {
    return this.sizes.countIncludePad;
  }

  /** Whether a last window past the image is kept (the output size rounded up). */
  get ceilMode(): boolean {
    return this.sizes.ceilMode;
  }

  forward(x: Tensor): Tensor {
    const options = { stride: this.stride, padding: this.padding, ceilMode: this.ceilMode };
    return this.pool(x, this.kernelSize, this.average ? { ...options, countIncludePad: this.countIncludePad } : { ...options, dilation: this.dilation });
  }

  config(): LayerConfig {
    const config: LayerConfig = { type: this.kind, kernelSize: this.kernelSize, stride: this.stride, padding: this.padding, ceilMode: this.ceilMode };
    return this.average ? { ...config, countIncludePad: this.countIncludePad } : { ...config, dilation: this.dilation };
  }
}

export class MaxPool2d extends Pool<readonly [number, number]> {
  constructor(kernelSize: Size2d, options: MaxPool2dOptions = {}) {
    super('MaxPool2d', IMAGES, maxPool2d, kernelSize, options);
  }

  /** forward's values, and the position of each in its channel's plane of x, for a MaxUnpool2d. */
  forwardWithIndices(x: Tensor): PooledWithIndices {
    return maxPool2dWithIndices(x, this.kernelSize, { stride: this.stride, padding: this.padding, dilation: this.dilation, ceilMode: this.ceilMode });
  }
}

export class AvgPool2d extends Pool<readonly [number, number]> {
  constructor(kernelSize: Size2d, options: AvgPool2dOptions = {}) {
    super('AvgPool2d', IMAGES, avgPool2d, kernelSize, options);
  }
}

export class MaxPool1d extends Pool<number> {
  constructor(kernelSize: number, options: MaxPool1dOptions = {}) {
    super('MaxPool1d', SEQUENCES, maxPool1d, kernelSize, options);
  }

  /** forward's values, and the position of each along x's sequence, for a MaxUnpool1d. */
  forwardWithIndices(x: Tensor): PooledWithIndices {
    return maxPool1dWithIndices(x, this.kernelSize, { stride: this.stride, padding: this.padding, dilation: this.dilation, ceilMode: this.ceilMode });
  }
}

export class AvgPool1d extends Pool<number> {
  constructor(kernelSize: number, options: AvgPool1dOptions = {}) {
    super('AvgPool1d', SEQUENCES, avgPool1d, kernelSize, options);
  }
}
