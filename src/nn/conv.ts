// Conv1d and Conv2d: filters slid over NCL sequences or NCHW images, as
// PyTorch's: y = conv(x, W) + b, W of shape [outChannels, inChannels/groups,
// ...kernel]. Weights start He-normal over the fan-in (channels per group ×
// window), since convolutions are nearly always followed by a rectifier; bias
// zeros. Sizes are numbers along a sequence and [height, width] pairs (or a
// number for both) over images; a layer keeps them in the form its op takes.
import { tidy } from '../engine.js';
import { ValueError, formatValue } from '../errors.js';
import { IMAGES, SEQUENCES, sizesOf, type Pair, type SpatialAxes } from '../ops/conv.js';
import { conv1d, conv2d, zeros } from '../ops/index.js';
import { checkOptions, type OptionNames } from '../options.js';
import { checkSeed } from '../random.js';
import type { Tensor } from '../tensor.js';
import { INITIALIZERS, initFilled, type Initializer } from './init.js';
import { Module, type LayerConfig } from './module.js';

export interface ConvLayerOptions<Size> {
  /** Default 1. */
  stride?: Size;
  /** Zeros on each side, 'valid' (none, the default) or 'same' (output as large as the input; stride 1). */
  padding?: Size | 'valid' | 'same';
  /** Default 1. */
  dilation?: Size;
  /** Default 1; inChannels (= outChannels) for a depthwise convolution. */
  groups?: number;
  /** Default true. */
  bias?: boolean;
  /** Default 'he'. */
  init?: Initializer;
  /** Seed for the initial weights (see also tm.setSeed). */
  seed?: number;
}
export type Conv2dLayerOptions = ConvLayerOptions<Pair>;
export type Conv1dLayerOptions = ConvLayerOptions<number>;

const OPTIONS: OptionNames<ConvLayerOptions<Pair>> = { stride: true, padding: true, dilation: true, groups: true, bias: 'boolean', init: true, seed: true };

/** A size as its op takes it and a file holds it: [height, width] over images, the width along a sequence. */
export function shownSizes(axes: SpatialAxes, sizes: readonly [number, number]): number | [number, number] {
  return axes.count === 2 ? [sizes[0], sizes[1]] : sizes[1];
}

abstract class Convolution<Size extends number | readonly [number, number]> extends Module {
  readonly kernelSize: Size;
  readonly stride: Size;
  readonly padding: Size | 'same';
  readonly dilation: Size;
  readonly groups: number;
  weight: Tensor;
  bias: Tensor | null;

  constructor(private readonly kind: 'Conv1d' | 'Conv2d', private readonly axes: SpatialAxes, readonly inChannels: number, readonly outChannels: number, kernelSize: Pair, options: ConvLayerOptions<Pair>) {
    super();
    for (const [name, v] of [['inChannels', inChannels], ['outChannels', outChannels]] as const) {
      if (!Number.isSafeInteger(v) || v <= 0) throw new ValueError(`${kind}: ${name} must be a positive integer, got ${formatValue(v)}`);
    }
    const opts = checkOptions(kind, options, OPTIONS);
    const shown = (sizes: [number, number]) => shownSizes(axes, sizes) as Size;
    const kernel = sizesOf(kind, 'kernelSize', kernelSize, 1, axes, 1);
    this.kernelSize = shown(kernel);
    this.stride = shown(sizesOf(kind, 'stride', opts.stride ?? 1, 1, axes, 1));
    this.dilation = shown(sizesOf(kind, 'dilation', opts.dilation ?? 1, 1, axes, 1));
    this.padding = opts.padding === 'same' ? 'same' : shown(opts.padding === 'valid' ? [0, 0] : sizesOf(kind, 'padding', opts.padding ?? 0, 0, axes, 0));
    if (this.padding === 'same' && sizesOf(kind, 'stride', this.stride, 1, axes, 1).some((s) => s !== 1)) {
      throw new ValueError(`${kind}: padding 'same' needs stride 1, got stride ${formatValue(opts.stride)}`);
    }
    this.groups = opts.groups ?? 1;
    if (!Number.isSafeInteger(this.groups) || this.groups < 1 || inChannels % this.groups || outChannels % this.groups) {
      throw new ValueError(`${kind}: groups must be a positive integer dividing inChannels ${inChannels} and outChannels ${outChannels}, got ${formatValue(opts.groups)}`);
    }
    if (opts.init !== undefined && !INITIALIZERS.includes(opts.init)) {
      throw new ValueError(`${kind}: unknown init ${formatValue(opts.init)}; expected one of ${INITIALIZERS.join(', ')}`);
    }
    if (opts.seed !== undefined) checkSeed(kind, opts.seed);
    const taps = kernel[0] * kernel[1];
    const shape = [outChannels, inChannels / this.groups, ...(axes.count === 2 ? kernel : [kernel[1]])];
    this.weight = initFilled(opts.init ?? 'he', shape, (inChannels / this.groups) * taps, (outChannels / this.groups) * taps, opts.seed);
    this.weight.requiresGrad = true;
    this.bias = opts.bias === false ? null : zeros([outChannels]);
    if (this.bias) this.bias.requiresGrad = true;
  }

  /** x [N, inChannels, ...] (or one sample without N) → [N, outChannels, ...]; an f16 x computes in f16, as Dense. */
  forward(x: Tensor): Tensor {
    return tidy(() => {
      const options = { stride: this.stride, padding: this.padding, dilation: this.dilation, groups: this.groups };
      const weight = this.inPrecisionOf(x, this.weight);
      const y = this.axes.count === 2 ? conv2d(x, weight, options as Conv2dLayerOptions) : conv1d(x, weight, options as Conv1dLayerOptions);
      if (!this.bias) return y;
      const channelAxis = x.rank === this.axes.count + 2 ? 1 : 0;
      return y.add(this.inPrecisionOf(x, this.bias).reshape(y.shape.map((d, i) => (i === channelAxis ? d : 1))));
    });
  }

  override ownParameters(): Record<string, Tensor> {
    return this.bias ? { weight: this.weight, bias: this.bias } : { weight: this.weight };
  }

  config(): LayerConfig {
    const copy = <T>(v: T): T => (Array.isArray(v) ? ([...v] as T) : v);
    return {
      type: this.kind, inChannels: this.inChannels, outChannels: this.outChannels, kernelSize: copy(this.kernelSize), stride: copy(this.stride),
      padding: copy(this.padding), dilation: copy(this.dilation), groups: this.groups, bias: this.bias !== null,
    };
  }
}

/** Over NCHW images [batch, inChannels, height, width]; sizes a number for both axes or [height, width]. */
export class Conv2d extends Convolution<readonly [number, number]> {
  constructor(inChannels: number, outChannels: number, kernelSize: Pair, options: Conv2dLayerOptions = {}) {
    super('Conv2d', IMAGES, inChannels, outChannels, kernelSize, options);
  }
}

/** Along NCL sequences [batch, inChannels, length] (an Embedding's output transposed, audio, sensor series). */
export class Conv1d extends Convolution<number> {
  constructor(inChannels: number, outChannels: number, kernelSize: number, options: Conv1dLayerOptions = {}) {
    super('Conv1d', SEQUENCES, inChannels, outChannels, kernelSize, options);
  }
}
