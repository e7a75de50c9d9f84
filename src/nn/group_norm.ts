// GroupNorm, as PyTorch's nn.GroupNorm: the channels (axis 1) split into
// numGroups groups of consecutive channels, and each sample's group
// normalised over its channels and every position after them (the population
// variance, plus epsilon), then each channel scaled and shifted by a learned
// weight and bias (ones and zeros to start). It keeps no statistics between
// batches, so training and eval compute the same and a batch of one sample
// works: where batches are too small for BatchNorm. One group is LayerNorm
// over all of a sample's features; as many groups as channels is
// InstanceNorm with affine. groupNorm is PyTorch's F.group_norm.
import { isFloat } from '../dtype.js';
import { tidy } from '../engine.js';
import { DTypeError, ShapeError, ValueError, formatShape, formatValue } from '../errors.js';
import { ones, zeros } from '../ops/index.js';
import { checkOptions, type OptionNames } from '../options.js';
import type { Tensor } from '../tensor.js';
import { Module, type LayerConfig } from './module.js';
import { checkEpsilon } from './normalized_shape.js';

/** numGroups as a positive integer. */
function checkGroups(where: string, numGroups: number): void {
  if (!Number.isSafeInteger(numGroups) || numGroups <= 0) throw new ValueError(`${where}: numGroups must be a positive integer, got ${formatValue(numGroups)}`);
}

/**
 * PyTorch's F.group_norm: the channels of x [batch, channels, ...] split
 * into numGroups groups of consecutive channels, each sample's group
 * normalised to mean 0 and variance 1 over its channels and positions (the
 * population variance, plus epsilon), then each channel scaled by `weight`
 * and shifted by `bias` where given ([channels] each).
 */
export function groupNorm(x: Tensor, numGroups: number, weight?: Tensor | null, bias?: Tensor | null, epsilon = 1e-5): Tensor {
  checkGroups('groupNorm', numGroups);
  checkEpsilon('groupNorm', epsilon);
  if (!isFloat(x.dtype)) throw new DTypeError(`groupNorm: x must be f32 or f16, got ${x.dtype}`);
  if (x.rank < 2 || x.shape[1] % numGroups !== 0) {
    throw new ShapeError(`groupNorm: x ${formatShape(x.shape)} is not [batch, channels, ...] with channels a multiple of numGroups ${numGroups}`);
  }
  for (const [name, t] of [['weight', weight], ['bias', bias]] as const) {
    if (t && (t.rank !== 1 || t.shape[0] !== x.shape[1])) throw new ShapeError(`groupNorm: ${name} ${formatShape(t.shape)} is not [${x.shape[1]}], one per channel of x ${formatShape(x.shape)}`);
  }
  // A group's channels are consecutive, so each sample's groups are the rows of this view.
  const grouped = [x.shape[0], numGroups, x.shape.slice(2).reduce((n, d) => n * d, x.shape[1] / numGroups)];
  const channels = x.shape.map((d, i) => (i === 1 ? d : 1));
  const inXs = (p: Tensor): Tensor => (p.dtype === x.dtype ? p : p.cast(x.dtype)).reshape(channels);
  return tidy(() => {
    const rows = x.reshape(grouped);
    let y = rows.sub(rows.mean(2, { keepDims: true })).div(rows.variance(2, { keepDims: true }).add(epsilon).sqrt()).reshape(x.shape);
    if (weight) y = y.mul(inXs(weight));
    if (bias) y = y.add(inXs(bias));
    return y;
  });
}

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
    checkGroups('GroupNorm', numGroups);
    if (!Number.isSafeInteger(numChannels) || numChannels <= 0) throw new ValueError(`GroupNorm: numChannels must be a positive integer, got ${formatValue(numChannels)}`);
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
    return groupNorm(x, this.numGroups, this.weight, this.bias, this.epsilon);
  }

  override ownParameters(): Record<string, Tensor> {
    return this.weight && this.bias ? { weight: this.weight, bias: this.bias } : {};
  }

  config(): LayerConfig {
    return { type: 'GroupNorm', numGroups: this.numGroups, numChannels: this.numChannels, epsilon: this.epsilon, affine: this.affine };
  }
}
