// Conv2d: filters slid over NCHW images, as PyTorch's nn.Conv2d: y =
// conv2d(x, W) + b, W of shape [outChannels, inChannels/groups, kh, kw].
// Weights start He-normal over the fan-in (channels per group × window),
// since convolutions are nearly always followed by a rectifier; bias zeros.
import { tidy } from '../engine.js';
import { ValueError, formatValue } from '../errors.js';
import { pairOf, type Pair } from '../ops/conv.js';
import { conv2d, zeros } from '../ops/index.js';
import { checkOptions, type OptionNames } from '../options.js';
import { checkSeed } from '../random.js';
import type { Tensor } from '../tensor.js';
import { INITIALIZERS, initFilled, type Initializer } from './init.js';
import { Module, type LayerConfig } from './module.js';

export interface Conv2dLayerOptions {
  /** Default 1. */
  stride?: Pair;
  /** Zeros on each side (a number or [height, width]), 'valid' (none, the default) or 'same' (output as large as the input; stride 1). */
  padding?: Pair | 'valid' | 'same';
  /** Default 1. */
  dilation?: Pair;
  /** Default 1; inChannels (= outChannels) for a depthwise convolution. */
  groups?: number;
  /** Default true. */
  bias?: boolean;
  /** Default 'he'. */
  init?: Initializer;
  /** Seed for the initial weights (see also tm.setSeed). */
  seed?: number;
}

const OPTIONS: OptionNames<Conv2dLayerOptions> = { stride: true, padding: true, dilation: true, groups: true, bias: 'boolean', init: true, seed: true };

export class Conv2d extends Module {
  readonly kernelSize: readonly [number, number];
  readonly stride: readonly [number, number];
  /** [height, width] zeros on each side, or 'same'. */
  readonly padding: readonly [number, number] | 'same';
  readonly dilation: readonly [number, number];
  readonly groups: number;
  weight: Tensor;
  bias: Tensor | null;

  constructor(readonly inChannels: number, readonly outChannels: number, kernelSize: Pair, options: Conv2dLayerOptions = {}) {
    super();
    for (const [name, v] of [['inChannels', inChannels], ['outChannels', outChannels]] as const) {
      if (!Number.isSafeInteger(v) || v <= 0) throw new ValueError(`Conv2d: ${name} must be a positive integer, got ${formatValue(v)}`);
    }
    const opts = checkOptions('Conv2d', options, OPTIONS);
    this.kernelSize = pairOf('Conv2d', 'kernelSize', kernelSize, 1);
    this.stride = pairOf('Conv2d', 'stride', opts.stride ?? 1, 1);
    this.dilation = pairOf('Conv2d', 'dilation', opts.dilation ?? 1, 1);
    this.padding = opts.padding === 'same' ? 'same' : opts.padding === 'valid' ? [0, 0] : pairOf('Conv2d', 'padding', opts.padding ?? 0, 0);
    if (this.padding === 'same' && (this.stride[0] !== 1 || this.stride[1] !== 1)) throw new ValueError(`Conv2d: padding 'same' needs stride 1, got stride ${formatValue(opts.stride)}`);
    this.groups = opts.groups ?? 1;
    if (!Number.isSafeInteger(this.groups) || this.groups < 1 || inChannels % this.groups || outChannels % this.groups) {
      throw new ValueError(`Conv2d: groups must be a positive integer dividing inChannels ${inChannels} and outChannels ${outChannels}, got ${formatValue(opts.groups)}`);
    }
    if (opts.init !== undefined && !INITIALIZERS.includes(opts.init)) {
      throw new ValueError(`Conv2d: unknown init ${formatValue(opts.init)}; expected one of ${INITIALIZERS.join(', ')}`);
    }
    if (opts.seed !== undefined) checkSeed('Conv2d', opts.seed);
    const taps = this.kernelSize[0] * this.kernelSize[1];
    const shape = [outChannels, inChannels / this.groups, ...this.kernelSize];
    this.weight = initFilled(opts.init ?? 'he', shape, (inChannels / this.groups) * taps, (outChannels / this.groups) * taps, opts.seed);
    this.weight.requiresGrad = true;
    this.bias = opts.bias === false ? null : zeros([outChannels]);
    if (this.bias) this.bias.requiresGrad = true;
  }

  /** x [N, inChannels, H, W] (or one image [inChannels, H, W]) → [N, outChannels, H', W']; an f16 x computes in f16, as Dense. */
  forward(x: Tensor): Tensor {
    return tidy(() => {
      const { stride, padding, dilation, groups } = this;
      const y = conv2d(x, this.inPrecisionOf(x, this.weight), { stride, padding, dilation, groups });
      if (!this.bias) return y;
      const channelAxis = y.rank === 4 ? [1, this.outChannels, 1, 1] : [this.outChannels, 1, 1];
      return y.add(this.inPrecisionOf(x, this.bias).reshape(channelAxis));
    });
  }

  override ownParameters(): Record<string, Tensor> {
    return this.bias ? { weight: this.weight, bias: this.bias } : { weight: this.weight };
  }

  config(): LayerConfig {
    return {
      type: 'Conv2d', inChannels: this.inChannels, outChannels: this.outChannels, kernelSize: [...this.kernelSize], stride: [...this.stride],
      padding: this.padding === 'same' ? 'same' : [...this.padding], dilation: [...this.dilation], groups: this.groups, bias: this.bias !== null,
    };
  }
}
