// BatchNorm1d, BatchNorm2d and BatchNorm3d, as PyTorch's: each channel (axis
// 1) normalised over the batch (and the length, the height and width, or the
// depth, height and width) to mean 0 and variance 1, then scaled and shifted
// by a learned weight and bias. Training
// normalises with the batch's own statistics (the population variance) and
// moves running estimates toward them (by `momentum`, the variance unbiased);
// eval mode (predict, evaluate) normalises with the running estimates
// (running_norm.ts: what BatchNorm and InstanceNorm share).
import { formatShape } from '../errors.js';
import type { Tensor } from '../tensor.js';
import type { LayerConfig } from './module.js';
import { RunningNorm, type RunningNormOptions } from './running_norm.js';

export interface BatchNormOptions extends RunningNormOptions {
  /** A learned weight and bias per channel (default true); false normalises only. */
  affine?: boolean;
  /** Keep running estimates for eval mode (default true); false normalises with the batch's statistics in eval mode too, as PyTorch's. */
  trackRunningStats?: boolean;
}

abstract class BatchNorm extends RunningNorm {
  constructor(kind: 'BatchNorm1d' | 'BatchNorm2d' | 'BatchNorm3d', private readonly ranks: readonly number[], private readonly expected: (features: number) => string, features: number, options: BatchNormOptions) {
    super(kind, features, options, { affine: true, trackRunningStats: true });
  }

  forward(x: Tensor): Tensor {
    this.checkInput(x, this.ranks, this.expected(this.features));
    const axes = x.shape.flatMap((_, i) => (i === 1 ? [] : [i]));
    const count = axes.reduce((n, a) => n * x.shape[a], 1);
    return this.normalise(x, {
      axes, count,
      observed: (statistic) => statistic,
      tooFew: () => this.training
        ? `${this.kind}: training needs more than one value per channel to take a variance of, x ${formatShape(x.shape)} has ${count} (in fit, a last batch of one sample: pass dropLast: true, or a batchSize that does not leave one over)`
        : `${this.kind}: without running estimates (trackRunningStats: false) eval mode too normalises by the batch, which needs more than one value per channel; x ${formatShape(x.shape)} has ${count}`,
    });
  }

  /** affine and trackRunningStats written only when off: files from before they existed hold neither. */
  config(): LayerConfig {
    return {
      type: this.kind, features: this.features, epsilon: this.epsilon, momentum: this.momentum,
      ...(this.affine ? {} : { affine: false }), ...(this.trackRunningStats ? {} : { trackRunningStats: false }),
    };
  }
}

/** Over [batch, features] or [batch, features, length]: after a Dense, or a 1-D convolution's channels. */
export class BatchNorm1d extends BatchNorm {
  constructor(features: number, options: BatchNormOptions = {}) {
    super('BatchNorm1d', [2, 3], (c) => `[batch, ${c}] or [batch, ${c}, length]`, features, options);
  }
}

/** Over NCHW images [batch, features, height, width] (features: the channels): after a Conv2d. */
export class BatchNorm2d extends BatchNorm {
  constructor(features: number, options: BatchNormOptions = {}) {
    super('BatchNorm2d', [4], (c) => `[batch, ${c}, height, width]`, features, options);
  }
}

/** Over NCDHW volumes [batch, features, depth, height, width] (features: the channels): after a Conv3d. */
export class BatchNorm3d extends BatchNorm {
  constructor(features: number, options: BatchNormOptions = {}) {
    super('BatchNorm3d', [5], (c) => `[batch, ${c}, depth, height, width]`, features, options);
  }
}
