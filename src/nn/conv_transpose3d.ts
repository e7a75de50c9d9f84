// ConvTranspose3d, as PyTorch's: y = convTranspose3d(x, W) + b with W of
// shape [inChannels, outChannels/groups, kd, kh, kw], the upsampling half of
// a volumetric autoencoder or a 3-D U-Net (stride 2 with kernel 2 doubles
// each size). Weights start He-normal over PyTorch's fans for this layout
// (fan-in: outChannels/groups × window).
import { CONV_TRANSPOSE3D_OPTIONS, convTranspose3d, convTranspose3dSizes, type ConvTranspose3dOptions, type ConvTranspose3dSizes } from '../ops/conv_transpose3d.js';
import type { Size3d, Triple } from '../ops/volumes.js';
import { checkOptions, type OptionNames } from '../options.js';
import type { Tensor } from '../tensor.js';
import type { LayerOnly } from './conv.js';
import { VolumeConvolution } from './conv3d.js';
import type { LayerConfig } from './module.js';

export interface ConvTranspose3dLayerOptions extends ConvTranspose3dOptions, LayerOnly {}

const OPTIONS: OptionNames<ConvTranspose3dLayerOptions> = { ...CONV_TRANSPOSE3D_OPTIONS, bias: 'boolean', init: true, seed: true };

/** Over NCDHW volumes [batch, inChannels, depth, height, width] (or one volume without the batch); sizes a number for all three axes or [depth, height, width]. */
export class ConvTranspose3d extends VolumeConvolution<ConvTranspose3dSizes> {
  constructor(inChannels: number, outChannels: number, kernelSize: Size3d, options: ConvTranspose3dLayerOptions = {}) {
    const { bias, init, seed, ...opOptions } = checkOptions('ConvTranspose3d', options, OPTIONS);
    super('ConvTranspose3d', convTranspose3dSizes('ConvTranspose3d', opOptions), inChannels, outChannels, kernelSize, { bias, init, seed }, true);
  }

  get padding(): Triple {
    return [...this.sizes.padding];
  }

  get outputPadding(): Triple {
    return [...this.sizes.outputPadding];
  }

  /** x [N, inChannels, D, H, W] (or one volume without N) → [N, outChannels, D', H', W'], larger by the stride. */
  forward(x: Tensor): Tensor {
    const options = { stride: this.stride, padding: this.padding, outputPadding: this.outputPadding, dilation: this.dilation, groups: this.groups };
    return this.convolved(x, (x, w) => convTranspose3d(x, w, options));
  }

  config(): LayerConfig {
    return this.described({ padding: this.padding, outputPadding: this.outputPadding });
  }
}
