// MaxUnpool over NCL sequences (1d), NCHW images (2d) or NCDHW volumes (3d):
// a MaxPool's values put back where its forwardWithIndices found them, zeros
// elsewhere (PyTorch's nn.MaxUnpool1d/2d/3d), the decoder half of a
// SegNet-style model.
import { ValueError } from '../errors.js';
import { checkOptions } from '../options.js';
import { maxUnpool1d, maxUnpool2d, maxUnpool3d } from '../ops/index.js';
import { IMAGE_UNPOOL, SEQUENCE_UNPOOL, VOLUME_UNPOOL, unpoolSizes, type MaxUnpool1dOptions, type MaxUnpool2dOptions, type MaxUnpool3dOptions, type UnpoolLayout } from '../ops/unpool.js';
import type { Size3d, Triple } from '../ops/volumes.js';
import type { Size2d } from '../ops/windows.js';
import type { Tensor } from '../tensor.js';
import { Module, type LayerConfig } from './module.js';

/** A size in the op's own form: a sequence's number, an image's [height, width], a volume's [depth, height, width]. */
type UnpoolSize = number | readonly [number, number] | Triple;

/** An unpooling op as a layer calls it, its sizes in the op's own form. */
type UnpoolOp<Size extends UnpoolSize> = (x: Tensor, indices: Tensor, kernelSize: Size, options: { stride: Size; padding: Size; outputSize?: Size }) => Tensor;

abstract class MaxUnpool<Size extends UnpoolSize> extends Module {
  /** The window, stride and padding as unpoolSizes gives them: one number per spatial axis of the layout's batch. */
  private readonly sizes: { kernel: number[]; stride: number[]; padding: number[] };

  constructor(
    private readonly kind: 'MaxUnpool1d' | 'MaxUnpool2d' | 'MaxUnpool3d',
    private readonly layout: UnpoolLayout,
    private readonly unpool: UnpoolOp<Size>,
    kernelSize: Size2d | Size3d,
    options: { stride?: Size2d | Size3d; padding?: Size2d | Size3d },
  ) {
    super();
    this.sizes = unpoolSizes(kind, layout, kernelSize, checkOptions(kind, options, { stride: true, padding: true }));
  }

  /** Sizes in the op's own form (a fresh array): a sequence's are the width of the images it is unpooled as. */
  private shown(sizes: readonly number[]): Size {
    return (this.layout.count === 1 ? sizes[1] : [...sizes]) as Size;
  }

  get kernelSize(): Size {
    return this.shown(this.sizes.kernel);
  }

  get stride(): Size {
    return this.shown(this.sizes.stride);
  }

  get padding(): Size {
    return this.shown(this.sizes.padding);
  }

  /** x put back at `indices` (the pool's forwardWithIndices's), in an output of outputSize where the pooled input's size was not the one its numbers give back. */
  forward(x: Tensor, indices?: Tensor, outputSize?: Size): Tensor {
    if (indices === undefined) throw new ValueError(`${this.kind}: forward(x, indices) needs the positions the max pool took its values from (its forwardWithIndices gives them)`);
    return this.unpool(x, indices, this.kernelSize, { stride: this.stride, padding: this.padding, ...(outputSize === undefined ? {} : { outputSize }) });
  }

  config(): LayerConfig {
    return { type: this.kind, kernelSize: this.kernelSize, stride: this.stride, padding: this.padding };
  }
}

export class MaxUnpool2d extends MaxUnpool<readonly [number, number]> {
  constructor(kernelSize: Size2d, options: Omit<MaxUnpool2dOptions, 'outputSize'> = {}) {
    super('MaxUnpool2d', IMAGE_UNPOOL, maxUnpool2d, kernelSize, options);
  }
}

export class MaxUnpool1d extends MaxUnpool<number> {
  constructor(kernelSize: number, options: Omit<MaxUnpool1dOptions, 'outputSize'> = {}) {
    super('MaxUnpool1d', SEQUENCE_UNPOOL, maxUnpool1d, kernelSize, options);
  }
}

/** PyTorch's nn.MaxUnpool3d: a MaxPool3d's values put back in volumes [N, C, D, H, W] (or [C, D, H, W]). */
export class MaxUnpool3d extends MaxUnpool<Triple> {
  constructor(kernelSize: Size3d, options: Omit<MaxUnpool3dOptions, 'outputSize'> = {}) {
    super('MaxUnpool3d', VOLUME_UNPOOL, maxUnpool3d, kernelSize, options);
  }
}
