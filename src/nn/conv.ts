// Conv1d and Conv2d: filters slid over NCL sequences or NCHW images, as
// PyTorch's: y = conv(x, W) + b, W of shape [outChannels, inChannels/groups,
// ...kernel]. Weights start He-normal over the fan-in (channels per group ×
// window), since convolutions are nearly always followed by a rectifier; bias
// zeros. Sizes are numbers along a sequence and [height, width] pairs (or a
// number for both) over images, as the ops take them.
import { tidy } from '../engine.js';
import { ValueError, formatValue } from '../errors.js';
import { CONV_OPTIONS, convSizes, type Conv1dOptions, type Conv2dOptions, type ConvSizes } from '../ops/conv.js';
import { conv1d, conv2d, zeros } from '../ops/index.js';
import { IMAGES, SEQUENCES, shownSizes, sizesOf, type Size2d, type SpatialAxes } from '../ops/windows.js';
import { checkOptions, type OptionNames } from '../options.js';
import { checkSeed } from '../random.js';
import type { Tensor } from '../tensor.js';
import { INITIALIZERS, initShaped, type Initializer } from './init.js';
import { Module, type LayerConfig } from './module.js';

/** What a convolution layer adds to its op's options. */
export interface LayerOnly {
  /** Default true. */
  bias?: boolean;
  /** Default 'he'. */
  init?: Initializer;
  /** Seed for the initial weights (see also tm.setSeed). */
  seed?: number;
}
export interface Conv2dLayerOptions extends Conv2dOptions, LayerOnly {}
export interface Conv1dLayerOptions extends Conv1dOptions, LayerOnly {}

const OPTIONS: OptionNames<Conv2dLayerOptions> = { ...CONV_OPTIONS, bias: 'boolean', init: true, seed: true };

/**
 * Checks what a convolution layer takes besides its sizes and makes its
 * parameters: a weight of `shape` drawn by `init` (He by default) over
 * `fans` [in, out] (PyTorch's), and a bias of zeros.
 */
export function convParameters(
  kind: string, inChannels: number, outChannels: number, groups: number, { bias, init, seed }: LayerOnly, shape: number[], fans: [number, number],
): { weight: Tensor; bias: Tensor | null } {
  for (const [name, v] of [['inChannels', inChannels], ['outChannels', outChannels]] as const) {
    if (!Number.isSafeInteger(v) || v <= 0) throw new ValueError(`${kind}: ${name} must be a positive integer, got ${formatValue(v)}`);
  }
  if (inChannels % groups || outChannels % groups) {
    throw new ValueError(`${kind}: groups must be a positive integer dividing inChannels ${inChannels} and outChannels ${outChannels}, got ${formatValue(groups)}`);
  }
  if (init !== undefined && !INITIALIZERS.includes(init)) throw new ValueError(`${kind}: unknown init ${formatValue(init)}; expected one of ${INITIALIZERS.join(', ')}`);
  if (seed !== undefined) checkSeed(kind, seed);
  const weight = initShaped(init ?? 'he', shape, fans[0], fans[1], seed);
  weight.requiresGrad = true;
  const b = bias === false ? null : zeros([outChannels]);
  if (b) b.requiresGrad = true;
  return { weight, bias: b };
}

/** y [N, C, ...] (or [C, ...] when not `batched`) plus a bias [C] along its channels. */
export function addChannelBias(y: Tensor, bias: Tensor, batched: boolean): Tensor {
  const channelAxis = batched ? 1 : 0;
  return y.add(bias.reshape(y.shape.map((d, i) => (i === channelAxis ? d : 1))));
}

/** A convolution op as a layer calls it, with its sizes in the op's own form. */
type ConvOp<Size> = (x: Tensor, weight: Tensor, options: { stride: Size; padding: Size | 'same'; dilation: Size; groups: number }) => Tensor;

abstract class Convolution<Size extends number | readonly [number, number]> extends Module {
  weight: Tensor;
  bias: Tensor | null;
  /** The options as [height, width] sizes; the getters below give them in the op's own form. */
  private readonly sizes: ConvSizes;
  private readonly kernel: [number, number];

  constructor(
    private readonly kind: 'Conv1d' | 'Conv2d', private readonly axes: SpatialAxes, private readonly conv: ConvOp<Size>,
    readonly inChannels: number, readonly outChannels: number, kernelSize: Size2d, options: Conv2dLayerOptions | Conv1dLayerOptions,
  ) {
    super();
    const { bias, init, seed, ...convOptions } = checkOptions(kind, options as Conv2dLayerOptions, OPTIONS);
    this.sizes = convSizes(kind, axes, convOptions);
    this.kernel = sizesOf(kind, 'kernelSize', kernelSize, 1, axes, 1);
    // Fans as PyTorch counts them: channels in a group (in) and all filters (out), times the window.
    const taps = this.kernel[0] * this.kernel[1];
    const shape = [outChannels, inChannels / this.groups, ...(axes.count === 2 ? this.kernel : [this.kernel[1]])];
    ({ weight: this.weight, bias: this.bias } = convParameters(kind, inChannels, outChannels, this.groups, { bias, init, seed }, shape, [(inChannels / this.groups) * taps, outChannels * taps]));
  }

  get kernelSize(): Size {
    return shownSizes(this.axes, this.kernel) as Size;
  }

  get stride(): Size {
    return shownSizes(this.axes, this.sizes.stride) as Size;
  }

  get padding(): Size | 'same' {
    return this.sizes.padding === 'same' ? 'same' : (shownSizes(this.axes, this.sizes.padding) as Size);
  }

  get dilation(): Size {
    return shownSizes(this.axes, this.sizes.dilation) as Size;
  }

  get groups(): number {
    return this.sizes.groups;
  }

  /** x [N, inChannels, ...] (or one sample without N) → [N, outChannels, ...]; an f16 x computes in f16, as Dense. */
  forward(x: Tensor): Tensor {
    return tidy(() => {
      const y = this.conv(x, this.inPrecisionOf(x, this.weight), { stride: this.stride, padding: this.padding, dilation: this.dilation, groups: this.groups });
      return this.bias ? addChannelBias(y, this.inPrecisionOf(x, this.bias), x.rank === this.axes.count + 2) : y;
    });
  }

  override ownParameters(): Record<string, Tensor> {
    return this.bias ? { weight: this.weight, bias: this.bias } : { weight: this.weight };
  }

  config(): LayerConfig {
    return {
      type: this.kind, inChannels: this.inChannels, outChannels: this.outChannels, kernelSize: this.kernelSize, stride: this.stride,
      padding: this.padding, dilation: this.dilation, groups: this.groups, bias: this.bias !== null,
    };
  }
}

/** Over NCHW images [batch, inChannels, height, width]; sizes a number for both axes or [height, width]. */
export class Conv2d extends Convolution<readonly [number, number]> {
  constructor(inChannels: number, outChannels: number, kernelSize: Size2d, options: Conv2dLayerOptions = {}) {
    super('Conv2d', IMAGES, conv2d, inChannels, outChannels, kernelSize, options);
  }
}

/** Along NCL sequences [batch, inChannels, length] (an Embedding's output through Permute([2, 1]), audio, sensor series). */
export class Conv1d extends Convolution<number> {
  constructor(inChannels: number, outChannels: number, kernelSize: number, options: Conv1dLayerOptions = {}) {
    super('Conv1d', SEQUENCES, conv1d, inChannels, outChannels, kernelSize, options);
  }
}
