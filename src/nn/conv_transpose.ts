// ConvTranspose1d and ConvTranspose2d, as PyTorch's: y = convTranspose(x, W)
// + b with W of shape [inChannels, outChannels/groups, ...kernel], the
// upsampling half of an autoencoder, a U-Net or a GAN's generator (stride 2
// with kernel 4 and padding 1, or kernel 3, padding 1 and outputPadding 1,
// doubles the size). Weights start He-normal over PyTorch's fans for this
// layout (fan-in: outChannels/groups × window).
import { CONV_TRANSPOSE_OPTIONS, convTransposeSizes, type ConvTranspose1dOptions, type ConvTranspose2dOptions, type ConvTransposeSizes } from '../ops/conv_transpose.js';
import { convTranspose1d, convTranspose2d } from '../ops/index.js';
import { IMAGES, SEQUENCES, shownSizes, type Size2d, type SpatialAxes } from '../ops/windows.js';
import { checkOptions, type OptionNames } from '../options.js';
import type { Tensor } from '../tensor.js';
import { ConvolutionLayer, type LayerOnly } from './conv.js';
import type { LayerConfig } from './module.js';

export interface ConvTranspose2dLayerOptions extends ConvTranspose2dOptions, LayerOnly {}
export interface ConvTranspose1dLayerOptions extends ConvTranspose1dOptions, LayerOnly {}

const OPTIONS: OptionNames<ConvTranspose2dLayerOptions> = { ...CONV_TRANSPOSE_OPTIONS, bias: 'boolean', init: true, seed: true };

type TransposeOp<Size> = (x: Tensor, weight: Tensor, options: { stride: Size; padding: Size; outputPadding: Size; dilation: Size; groups: number }) => Tensor;

abstract class TransposedConvolution<Size extends number | readonly [number, number]> extends ConvolutionLayer<Size, ConvTransposeSizes> {
  constructor(
    kind: 'ConvTranspose1d' | 'ConvTranspose2d', axes: SpatialAxes, private readonly op: TransposeOp<Size>,
    inChannels: number, outChannels: number, kernelSize: Size2d, options: ConvTranspose2dLayerOptions | ConvTranspose1dLayerOptions,
  ) {
    const { bias, init, seed, ...opOptions } = checkOptions(kind, options as ConvTranspose2dLayerOptions, OPTIONS);
    super(kind, axes, convTransposeSizes(kind, axes, opOptions), inChannels, outChannels, kernelSize, { bias, init, seed }, true);
  }

  get padding(): Size {
    return shownSizes(this.axes, this.sizes.padding) as Size;
  }

  get outputPadding(): Size {
    return shownSizes(this.axes, this.sizes.outputPadding) as Size;
  }

  /** x [N, inChannels, ...] (or one sample without N) → [N, outChannels, ...], larger by the stride. */
  forward(x: Tensor): Tensor {
    const options = { stride: this.stride, padding: this.padding, outputPadding: this.outputPadding, dilation: this.dilation, groups: this.groups };
    return this.convolved(x, (x, w) => this.op(x, w, options));
  }

  config(): LayerConfig {
    return this.described({ padding: this.padding, outputPadding: this.outputPadding });
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
