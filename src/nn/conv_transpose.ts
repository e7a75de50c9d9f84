// ConvTranspose1d and ConvTranspose2d, as PyTorch's: y = convTranspose(x, W)
// + b with W of shape [inChannels, outChannels/groups, ...kernel], the
// upsampling half of an autoencoder, a U-Net or a GAN's generator (stride 2
// with kernel 4 and padding 1, or kernel 3, padding 1 and outputPadding 1,
// doubles the size). Weights start He-normal over PyTorch's fans for this
// layout (fan-in: outChannels/groups × window).
import { tidy } from '../engine.js';
import { CONV_TRANSPOSE_OPTIONS, convTransposeSizes, type ConvTranspose1dOptions, type ConvTranspose2dOptions, type ConvTransposeSizes } from '../ops/conv_transpose.js';
import { convTranspose1d, convTranspose2d } from '../ops/index.js';
import { IMAGES, SEQUENCES, shownSizes, sizesOf, type Size2d, type SpatialAxes } from '../ops/windows.js';
import { checkOptions, type OptionNames } from '../options.js';
import type { Tensor } from '../tensor.js';
import { addChannelBias, convParameters, type LayerOnly } from './conv.js';
import { Module, type LayerConfig } from './module.js';

export interface ConvTranspose2dLayerOptions extends ConvTranspose2dOptions, LayerOnly {}
export interface ConvTranspose1dLayerOptions extends ConvTranspose1dOptions, LayerOnly {}

const OPTIONS: OptionNames<ConvTranspose2dLayerOptions> = { ...CONV_TRANSPOSE_OPTIONS, bias: 'boolean', init: true, seed: true };

type TransposeOp<Size> = (x: Tensor, weight: Tensor, options: { stride: Size; padding: Size; outputPadding: Size; dilation: Size; groups: number }) => Tensor;

abstract class TransposedConvolution<Size extends number | readonly [number, number]> extends Module {
  weight: Tensor;
  bias: Tensor | null;
  /** The options as [height, width] sizes; the getters give them in the op's own form. */
  private readonly sizes: ConvTransposeSizes;
  private readonly kernel: [number, number];

  constructor(
    private readonly kind: 'ConvTranspose1d' | 'ConvTranspose2d', private readonly axes: SpatialAxes, private readonly op: TransposeOp<Size>,
    readonly inChannels: number, readonly outChannels: number, kernelSize: Size2d, options: ConvTranspose2dLayerOptions | ConvTranspose1dLayerOptions,
  ) {
    super();
    const { bias, init, seed, ...opOptions } = checkOptions(kind, options as ConvTranspose2dLayerOptions, OPTIONS);
    this.sizes = convTransposeSizes(kind, axes, opOptions);
    this.kernel = sizesOf(kind, 'kernelSize', kernelSize, 1, axes, 1);
    const taps = this.kernel[0] * this.kernel[1];
    const shape = [inChannels, outChannels / this.groups, ...(axes.count === 2 ? this.kernel : [this.kernel[1]])];
    // PyTorch's fans read the weight's axes 1 (in) and 0 (out), as for a convolution: here outChannels/groups and inChannels.
    ({ weight: this.weight, bias: this.bias } = convParameters(kind, inChannels, outChannels, this.groups, { bias, init, seed }, shape, [(outChannels / this.groups) * taps, inChannels * taps]));
  }

  get kernelSize(): Size {
    return shownSizes(this.axes, this.kernel) as Size;
  }

  get stride(): Size {
    return shownSizes(this.axes, this.sizes.stride) as Size;
  }

  get padding(): Size {
    return shownSizes(this.axes, this.sizes.padding) as Size;
  }

  get outputPadding(): Size {
    return shownSizes(this.axes, this.sizes.outputPadding) as Size;
  }

  get dilation(): Size {
    return shownSizes(this.axes, this.sizes.dilation) as Size;
  }

  get groups(): number {
    return this.sizes.groups;
  }

  /** x [N, inChannels, ...] (or one sample without N) → [N, outChannels, ...], larger by the stride; an f16 x computes in f16. */
  forward(x: Tensor): Tensor {
    return tidy(() => {
      const options = { stride: this.stride, padding: this.padding, outputPadding: this.outputPadding, dilation: this.dilation, groups: this.groups };
      const y = this.op(x, this.inPrecisionOf(x, this.weight), options);
      return this.bias ? addChannelBias(y, this.inPrecisionOf(x, this.bias), x.rank === this.axes.count + 2) : y;
    });
  }

  override ownParameters(): Record<string, Tensor> {
    return this.bias ? { weight: this.weight, bias: this.bias } : { weight: this.weight };
  }

  config(): LayerConfig {
    return {
      type: this.kind, inChannels: this.inChannels, outChannels: this.outChannels, kernelSize: this.kernelSize, stride: this.stride,
      padding: this.padding, outputPadding: this.outputPadding, dilation: this.dilation, groups: this.groups, bias: this.bias !== null,
    };
  }
}

/** Over NCHW images: sizes a number for both axes or [height, width]. */
export class ConvTranspose2d extends TransposedConvolution<readonly [number, number]> {
  constructor(inChannels: number, outChannels: number, kernelSize: Size2d, options: ConvTranspose2dLayerOptions = {}) {
    super('ConvTranspose2d', IMAGES, convTranspose2d, inChannels, outChannels, kernelSize, options);
  }
}

/** Along NCL sequences [batch, inChannels, length]. */
export class ConvTranspose1d extends TransposedConvolution<number> {
  constructor(inChannels: number, outChannels: number, kernelSize: number, options: ConvTranspose1dLayerOptions = {}) {
    super('ConvTranspose1d', SEQUENCES, convTranspose1d, inChannels, outChannels, kernelSize, options);
  }
}
