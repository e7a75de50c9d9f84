// GroupNorm, as PyTorch's nn.GroupNorm: the channels (axis 1) split into
// numGroups groups of consecutive channels, and each sample's group
// normalised over its channels and every position after them (the population
// variance, plus epsilon), then each channel scaled and shifted by a learned
// weight and bias (ones and zeros to start). It keeps no statistics between
// batches, so training and eval compute the same and a batch of one sample
// works: where batches are too small for BatchNorm. One group is LayerNorm
// over all of a sample's features; as many groups as channels is
// InstanceNorm with affine.
import { tidy } from '../engine.js';
import { ShapeError, ValueError, formatShape, formatValue } from '../errors.js';
import { ones, zeros } from '../ops/index.js';
import { checkOptions, type OptionNames } from '../options.js';
import type { Tensor } from '../tensor.js';
import { Module, type LayerConfig } from './module.js';

export interface GroupNormOptions {
  /** Added to the variance before its square root (default 1e-5, PyTorch's eps). */
  epsilon?: number;
  /** A learned weight and bias per channel (default true); false normalises only. */
  affine?: boolean;
}

const OPTIONS: OptionNames<GroupNormOptions> = { epsilon: true, affine: 'boolean' };

export class GroupNorm extends Module {
  readonly epsilon: number;
  /** Null without affine. */
  weight: Tensor | null;
  bias: Tensor | null;

  /** Over [batch, numChannels, ...] (any positions after the channels, or none). */
  constructor(readonly numGroups: number, readonly numChannels: number, options: GroupNormOptions = {}) {
    super();
    for (const [name, value] of [['numGroups', numGroups], ['numChannels', numChannels]] as const) {
      if (!Number.isSafeInteger(value) || value <= 0) throw new ValueError(`GroupNorm: ${name} must be a positive integer, got ${formatValue(value)}`);
    }
    if (numChannels % numGroups !== 0) throw new ValueError(`GroupNorm: numChannels ${numChannels} does not split into numGroups ${numGroups} equal groups (it must be a multiple of numGroups)`);
    const { epsilon = 1e-5, affine = true } = checkOptions('GroupNorm', options, OPTIONS);
    if (typeof epsilon !== 'number' || !(epsilon > 0) || !Number.isFinite(epsilon)) throw new ValueError(`GroupNorm: epsilon must be a finite number > 0, got ${formatValue(epsilon)}`);
    this.epsilon = epsilon;
    this.weight = affine ? ones([numChannels]) : null;
    this.bias = affine ? zeros([numChannels]) : null;
    if (this.weight && this.bias) this.weight.requiresGrad = this.bias.requiresGrad = true;
  }

  get affine(): boolean {
    return this.weight !== null;
  }

  forward(x: Tensor): Tensor {
    if (x.rank < 2 || x.shape[1] !== this.numChannels) {
      throw new ShapeError(`GroupNorm: x ${formatShape(x.shape)} is not [batch, ${this.numChannels}, ...] (the layer's ${this.numChannels} channels in ${this.numGroups} groups)`);
    }
    // A group's channels are consecutive, so each sample's groups are the rows of this view.
    const grouped = [x.shape[0], this.numGroups, x.shape.slice(2).reduce((n, d) => n * d, this.numChannels / this.numGroups)];
    const channels = x.shape.map((d, i) => (i === 1 ? d : 1));
    return tidy(() => {
      const rows = x.reshape(grouped);
      const normalised = rows.sub(rows.mean(2, { keepDims: true })).div(rows.variance(2, { keepDims: true }).add(this.epsilon).sqrt()).reshape(x.shape);
      if (!this.weight || !this.bias) return normalised;
      return normalised.mul(this.inPrecisionOf(x, this.weight).reshape(channels)).add(this.inPrecisionOf(x, this.bias).reshape(channels));
    });
  }

  override ownParameters(): Record<string, Tensor> {
    return this.weight && this.bias ? { weight: this.weight, bias: this.bias } : {};
  }

  config(): LayerConfig {
    return { type: 'GroupNorm', numGroups: this.numGroups, numChannels: this.numChannels, epsilon: this.epsilon, affine: this.affine };
  }
}
