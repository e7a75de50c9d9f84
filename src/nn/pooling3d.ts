// MaxPool3d and AvgPool3d over NCDHW volumes: the largest value or the mean
// of each window, as PyTorch's (stride defaults to the window: windows side
// by side). Sizes are one number for all three axes or [depth, height,
// width], as the ops take them.
import { avgPool3d, maxPool3d, maxPool3dWithIndices, pool3dSizes, type AvgPool3dOptions, type MaxPool3dOptions, type Pool3dSizes } from '../ops/pool3d.js';
import type { PooledWithIndices } from '../ops/unpool.js';
import type { Size3d, Triple } from '../ops/volumes.js';
import type { Tensor } from '../tensor.js';
import { Module, type LayerConfig } from './module.js';

abstract class Pool3d extends Module {
  /** The window and options as [depth, height, width] sizes. */
  protected readonly sizes: Pool3dSizes;

  constructor(protected readonly kind: 'MaxPool3d' | 'AvgPool3d', kernelSize: Size3d, options: MaxPool3dOptions | AvgPool3dOptions) {
    super();
    this.sizes = pool3dSizes(kind, kernelSize, options, kind === 'AvgPool3d');
  }

  get kernelSize(): Triple {
    return [...this.sizes.kernel];
  }

  get stride(): Triple {
    return [...this.sizes.stride];
  }

  get padding(): Triple {
    return [...this.sizes.padding];
  }

  /** Whether a last window past the volume is kept (the output size rounded up). */
  get ceilMode(): boolean {
    return this.sizes.ceilMode;
  }

  config(): LayerConfig {
    return { type: this.kind, kernelSize: this.kernelSize, stride: this.stride, padding: this.padding, ceilMode: this.ceilMode };
  }
}

/** The largest value of each window of x [N, C, D, H, W] (or [C, D, H, W]), as PyTorch's nn.MaxPool3d. */
export class MaxPool3d extends Pool3d {
  constructor(kernelSize: Size3d, options: MaxPool3dOptions = {}) {
    super('MaxPool3d', kernelSize, options);
  }

  /** The spacing of the window's taps. */
  get dilation(): Triple {
    return [...this.sizes.dilation];
  }

  forward(x: Tensor): Tensor {
    return maxPool3d(x, this.kernelSize, this.options());
  }

  /** forward's values, and the position of each in its channel's volume of x, for a MaxUnpool3d. */
  forwardWithIndices(x: Tensor): PooledWithIndices {
    return maxPool3dWithIndices(x, this.kernelSize, this.options());
  }

  private options(): MaxPool3dOptions {
    return { stride: this.stride, padding: this.padding, dilation: this.dilation, ceilMode: this.ceilMode };
  }

  override config(): LayerConfig {
    return { ...super.config(), dilation: this.dilation };
  }
}

/** The mean of each window of x [N, C, D, H, W] (or [C, D, H, W]), as PyTorch's nn.AvgPool3d. */
export class AvgPool3d extends Pool3d {
  constructor(kernelSize: Size3d, options: AvgPool3dOptions = {}) {
    super('AvgPool3d', kernelSize, options);
  }

  /** Whether the padding counts in each mean. */
  get countIncludePad(): boolean {
    return this.sizes.countIncludePad;
  }

  forward(x: Tensor): Tensor {
    return avgPool3d(x, this.kernelSize, { stride: this.stride, padding: this.padding, ceilMode: this.ceilMode, countIncludePad: this.countIncludePad });
  }

  override config(): LayerConfig {
    return { ...super.config(), countIncludePad: this.countIncludePad };
  }
}
