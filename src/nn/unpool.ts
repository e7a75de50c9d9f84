// MaxUnpool over NCHW images (2d) or NCL sequences (1d): a MaxPool's values
// put back where its forwardWithIndices found them, zeros elsewhere
// (PyTorch's nn.MaxUnpool2d), the decoder half of a SegNet-style model.
import { ValueError } from '../errors.js';
import { checkOptions } from '../options.js';
import { maxUnpool1d, maxUnpool2d } from '../ops/index.js';
import { IMAGES, SEQUENCES, shownSizes, sizesOf, type Size2d, type SpatialAxes } from '../ops/windows.js';
import type { MaxUnpool1dOptions, MaxUnpool2dOptions } from '../ops/unpool.js';
import type { Tensor } from '../tensor.js';
import { Module, type LayerConfig } from './module.js';

abstract class MaxUnpool<Size extends number | readonly [number, number]> extends Module {
  private readonly sizes: { kernel: [number, number]; stride: [number, number]; padding: [number, number] };

  constructor(private readonly kind: 'MaxUnpool1d' | 'MaxUnpool2d', private readonly axes: SpatialAxes, kernelSize: Size2d, options: MaxUnpool2dOptions) {
    super();
    options = checkOptions(kind, options as Omit<MaxUnpool2dOptions, 'outputSize'>, { stride: true, padding: true });
    const kernel = sizesOf(kind, 'kernelSize', kernelSize, 1, axes, 1);
    const stride = options.stride === undefined ? kernel : sizesOf(kind, 'stride', options.stride, 1, axes, 1);
    this.sizes = { kernel, stride, padding: sizesOf(kind, 'padding', options.padding ?? 0, 0, axes, 0) };
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

  /** x put back at `indices` (the pool's forwardWithIndices's), in an output of outputSize where the pooled input's size was not the one its numbers give back. */
  forward(x: Tensor, indices?: Tensor, outputSize?: Size): Tensor {
    if (indices === undefined) throw new ValueError(`${this.kind}: forward(x, indices) needs the positions the max pool took its values from (its forwardWithIndices gives them)`);
    const options = { stride: this.stride, padding: this.padding, ...(outputSize === undefined ? {} : { outputSize }) };
    return this.axes.count === 2
      ? maxUnpool2d(x, indices, this.kernelSize as Size2d, options as MaxUnpool2dOptions)
      : maxUnpool1d(x, indices, this.kernelSize as number, options as MaxUnpool1dOptions);
  }

  config(): LayerConfig {
    return { type: this.kind, kernelSize: this.kernelSize, stride: this.stride, padding: this.padding };
  }
}

export class MaxUnpool2d extends MaxUnpool<readonly [number, number]> {
  constructor(kernelSize: Size2d, options: Omit<MaxUnpool2dOptions, 'outputSize'> = {}) {
    super('MaxUnpool2d', IMAGES, kernelSize, options);
  }
}

export class MaxUnpool1d extends MaxUnpool<number> {
  constructor(kernelSize: number, options: Omit<MaxUnpool1dOptions, 'outputSize'> = {}) {
    super('MaxUnpool1d', SEQUENCES, kernelSize, options);
  }
}
