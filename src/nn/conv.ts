// Conv1d and Conv2d: filters slid over NCL sequences or NCHW images, as
// PyTorch's: y = conv(x, W) + b, W of shape [outChannels, inChannels/groups,
// ...kernel]. Weights start He-normal over the fan-in (channels per group ×
// window), since convolutions are nearly always followed by a rectifier; bias
// zeros. Sizes are numbers along a sequence and [height, width] pairs (or a
// number for both) over images, as the ops take them.
import { tidy } from '../engine.js';
import { ShapeError, ValueError, formatShape, formatValue } from '../errors.js';
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
/** How a convolution layer pads, as PyTorch's padding_mode: zeros, or x's own entries (tm.pad's modes). */
export type PaddingMode = 'zeros' | 'reflect' | 'replicate' | 'circular';
export const PADDING_MODES: readonly PaddingMode[] = ['zeros', 'reflect', 'replicate', 'circular'];

/** A convolution layer's (not a transposed one's): what fills its padding. */
interface PaddedBy {
  /** Default 'zeros'. */
  paddingMode?: PaddingMode;
}
export interface Conv2dLayerOptions extends Conv2dOptions, LayerOnly, PaddedBy {}
export interface Conv1dLayerOptions extends Conv1dOptions, LayerOnly, PaddedBy {}

const OPTIONS: OptionNames<Conv2dLayerOptions> = { ...CONV_OPTIONS, bias: 'boolean', init: true, seed: true, paddingMode: true };

/** y [N, C, ...] (or [C, ...] when not `batched`) plus a bias [C] along its channels. */
function addChannelBias(y: Tensor, bias: Tensor, batched: boolean): Tensor {
  const channelAxis = batched ? 1 : 0;
  return y.add(bias.reshape(y.shape.map((d, i) => (i === channelAxis ? d : 1))));
}

/** The sizes every convolution has, as [height, width] pairs. */
interface SharedSizes {
  stride: [number, number];
  dilation: [number, number];
  groups: number;
}

/**
 * What the convolution layers share (this file's and nn/conv_transpose.ts's):
 * the weight, drawn by `init` (He by default) over PyTorch's fans (the
 * weight's axis 1 in, axis 0 out, each times the window), and a bias of
 * zeros; the window and the sizes, kept once as [height, width] pairs and
 * given back in the op's own form by the getters.
 */
export abstract class ConvolutionLayer<Size extends number | readonly [number, number], Sizes extends SharedSizes> extends Module {
  weight: Tensor;
  bias: Tensor | null;
  protected readonly kernel: [number, number];

  /** `transposed`: the weight is [inChannels, outChannels/groups, ...kernel] rather than [outChannels, inChannels/groups, ...kernel]. */
  protected constructor(
    protected readonly kind: string, protected readonly axes: SpatialAxes, protected readonly sizes: Sizes,
    readonly inChannels: number, readonly outChannels: number, kernelSize: Size2d, { bias, init, seed }: LayerOnly, transposed: boolean,
  ) {
    super();
    this.kernel = sizesOf(kind, 'kernelSize', kernelSize, 1, axes, 1);
    for (const [name, v] of [['inChannels', inChannels], ['outChannels', outChannels]] as const) {
      if (!Number.isSafeInteger(v) || v <= 0) throw new ValueError(`${kind}: ${name} must be a positive integer, got ${formatValue(v)}`);
    }
    if (inChannels % this.groups || outChannels % this.groups) {
      throw new ValueError(`${kind}: groups must be a positive integer dividing inChannels ${inChannels} and outChannels ${outChannels}, got ${formatValue(this.groups)}`);
    }
    if (init !== undefined && !INITIALIZERS.includes(init)) throw new ValueError(`${kind}: unknown init ${formatValue(init)}; expected one of ${INITIALIZERS.join(', ')}`);
    if (seed !== undefined) checkSeed(kind, seed);
    const taps = this.kernel[0] * this.kernel[1];
    const [first, second] = transposed ? [inChannels, outChannels / this.groups] : [outChannels, inChannels / this.groups];
    this.weight = initShaped(init ?? 'he', [first, second, ...(axes.count === 2 ? this.kernel : [this.kernel[1]])], second * taps, first * taps, seed);
    this.weight.requiresGrad = true;
    this.bias = bias === false ? null : zeros([outChannels]);
    if (this.bias) this.bias.requiresGrad = true;
  }

  get kernelSize(): Size {
    return shownSizes(this.axes, this.kernel) as Size;
  }

  get stride(): Size {
    return shownSizes(this.axes, this.sizes.stride) as Size;
  }

  get dilation(): Size {
    return shownSizes(this.axes, this.sizes.dilation) as Size;
  }

  get groups(): number {
    return this.sizes.groups;
  }

  /** `op` applied to x and the weight, plus the bias; an f16 x computes in f16 with f16 copies of both, as Dense. */
  protected convolved(x: Tensor, op: (x: Tensor, weight: Tensor) => Tensor): Tensor {
    return tidy(() => {
      const y = op(x, this.inPrecisionOf(x, this.weight));
      return this.bias ? addChannelBias(y, this.inPrecisionOf(x, this.bias), x.rank === this.axes.count + 2) : y;
    });
  }

  override ownParameters(): Record<string, Tensor> {
    return this.bias ? { weight: this.weight, bias: this.bias } : { weight: this.weight };
  }

  /** The description every convolution's config has, with `sizes` (its padding and the like) in the middle. */
  protected described(sizes: Record<string, unknown>): LayerConfig {
    return {
      type: this.kind, inChannels: this.inChannels, outChannels: this.outChannels, kernelSize: this.kernelSize, stride: this.stride,
      ...sizes, dilation: this.dilation, groups: this.groups, bias: this.bias !== null,
    };
  }
}

/** A convolution op as a layer calls it, with its sizes in the op's own form. */
type ConvOp<Size> = (x: Tensor, weight: Tensor, options: { stride: Size; padding: Size | 'same'; dilation: Size; groups: number }) => Tensor;

abstract class Convolution<Size extends number | readonly [number, number]> extends ConvolutionLayer<Size, ConvSizes> {
  readonly paddingMode: PaddingMode;

  constructor(kind: 'Conv1d' | 'Conv2d', axes: SpatialAxes, private readonly conv: ConvOp<Size>, inChannels: number, outChannels: number, kernelSize: Size2d, options: Conv2dLayerOptions | Conv1dLayerOptions) {
    const { bias, init, seed, paddingMode = 'zeros', ...convOptions } = checkOptions(kind, options as Conv2dLayerOptions, OPTIONS);
    super(kind, axes, convSizes(kind, axes, convOptions), inChannels, outChannels, kernelSize, { bias, init, seed }, false);
    if (!PADDING_MODES.includes(paddingMode)) throw new ValueError(`${kind}: unknown paddingMode ${formatValue(paddingMode)}; expected ${PADDING_MODES.join(', ')}`);
    this.paddingMode = paddingMode;
  }

  get padding(): Size | 'same' {
    return this.sizes.padding === 'same' ? 'same' : (shownSizes(this.axes, this.sizes.padding) as Size);
  }

  /** x [N, inChannels, ...] (or one sample without N) → [N, outChannels, ...]. */
  forward(x: Tensor): Tensor {
    const sizes = { stride: this.stride, dilation: this.dilation, groups: this.groups };
    if (this.paddingMode === 'zeros') return this.convolved(x, (x, w) => this.conv(x, w, { ...sizes, padding: this.padding }));
    // Padded first with x's own entries, then convolved with none (as PyTorch does for its other modes);
    // x checked before, so that errors show the x given rather than the padded one.
    const channelAxis = x.rank - this.axes.count - 1;
    if (channelAxis !== 0 && channelAxis !== 1) throw new ShapeError(`${this.kind}: x must be ${this.axes.x}, got ${formatShape(x.shape)}`);
    if (x.shape[channelAxis] !== this.inChannels) throw new ShapeError(`${this.kind}: takes ${this.inChannels} channels, x ${formatShape(x.shape)} has ${x.shape[channelAxis]}`);
    const spatial = this.sides();
    const paddings = x.shape.map((_, i) => spatial[i - (x.rank - spatial.length)] ?? ([0, 0] as [number, number]));
    return tidy(() => {
      const padded = x.pad(paddings, { mode: this.paddingMode as Exclude<PaddingMode, 'zeros'> });
      return this.convolved(padded, (p, w) => this.conv(p, w, { ...sizes, padding: shownSizes(this.axes, [0, 0]) as Size }));
    });
  }

  /** [before, after] along each spatial axis: the padding on both sides, or 'same''s split (the extra one after, as the op splits it). */
  private sides(): [number, number][] {
    const pairs = [0, 1].map((a): [number, number] => {
      if (this.sizes.padding !== 'same') return [this.sizes.padding[a], this.sizes.padding[a]];
      const total = this.sizes.dilation[a] * (this.kernel[a] - 1);
      return [Math.floor(total / 2), total - Math.floor(total / 2)];
    });
    return this.axes.count === 2 ? pairs : [pairs[1]];
  }

  config(): LayerConfig {
    return this.described({ padding: this.padding, ...(this.paddingMode === 'zeros' ? {} : { paddingMode: this.paddingMode }) });
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
