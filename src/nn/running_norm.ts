// What BatchNorm and InstanceNorm share: each channel (axis 1) normalised to
// mean 0 and variance 1 (the population variance, plus epsilon) over axes the
// layer names, then, with affine, scaled and shifted by a learned weight and
// bias per channel. In training (and in eval mode without running estimates)
// the statistics are x's own; with trackRunningStats, training moves running
// estimates toward what it observed (by `momentum`, the variance unbiased, as
// PyTorch's) and eval mode normalises with those. The running estimates are
// buffers: saved and loaded with the model, not trained.
import { isFloat } from '../dtype.js';
import { tidy } from '../engine.js';
import { DTypeError, ShapeError, ValueError, formatShape, formatValue } from '../errors.js';
import { ones, zeros } from '../ops/index.js';
import { checkOptions, type OptionNames } from '../options.js';
import { isRecomputing, noGrad } from '../tape.js';
import type { Tensor } from '../tensor.js';
import { Module } from './module.js';

export interface RunningNormOptions {
  /** Added to the variance before its square root (default 1e-5, PyTorch's eps). */
  epsilon?: number;
  /** How far each training step moves the running estimates toward what it observed (default 0.1, PyTorch's). */
  momentum?: number;
  /** A learned weight and bias per channel. */
  affine?: boolean;
  /** Keep running estimates for eval mode. */
  trackRunningStats?: boolean;
}

const OPTIONS: OptionNames<RunningNormOptions> = { epsilon: true, momentum: true, affine: 'boolean', trackRunningStats: 'boolean' };

/** A layer's settings, checked; `defaults` where BatchNorm's and InstanceNorm's differ. */
function settings(kind: string, features: number, options: RunningNormOptions, defaults: { affine: boolean; trackRunningStats: boolean }): Required<RunningNormOptions> {
  if (!Number.isSafeInteger(features) || features <= 0) throw new ValueError(`${kind}: features must be a positive integer, got ${formatValue(features)}`);
  const { epsilon = 1e-5, momentum = 0.1, affine = defaults.affine, trackRunningStats = defaults.trackRunningStats } = checkOptions(kind, options, OPTIONS);
  if (typeof epsilon !== 'number' || !(epsilon > 0) || !Number.isFinite(epsilon)) throw new ValueError(`${kind}: epsilon must be a finite number > 0, got ${formatValue(epsilon)}`);
  if (typeof momentum !== 'number' || !(momentum >= 0 && momentum <= 1)) throw new ValueError(`${kind}: momentum must be a number in [0, 1], got ${formatValue(momentum)}`);
  return { epsilon, momentum, affine, trackRunningStats };
}

/**
 * Moves a running estimate toward what a batch observed, by `momentum`
 * (`scale`: momentum times any correction, as n/(n − 1) for a variance),
 * outside the graph and in the estimate's own dtype (f16 where a model was
 * saved in f16).
 */
function moveEstimate(running: Tensor, observed: Tensor, momentum: number, scale: number): void {
  // A checkpoint recomputing this layer's forward pass: the first pass moved the estimates already.
  if (isRecomputing()) return;
  noGrad(() => tidy(() => {
    running.assign(running.mul(1 - momentum).add(observed.reshape(running.shape).cast(running.dtype).mul(scale)));
  }));
}

/** How a layer takes its statistics from x: over which axes, and what of them its running estimates observe. */
export interface Statistics {
  /** The axes each mean and variance is over. */
  readonly axes: number[];
  /** The number of values each is over. */
  readonly count: number;
  /** The statistics the running estimates move toward, from x's (BatchNorm's: them; InstanceNorm's: their mean over the batch); null when there is nothing to observe. */
  readonly observed: (statistic: Tensor) => Tensor | null;
  /** The error where count < 2 (no variance to take). */
  readonly tooFew: () => string;
}

/** The options of batchNorm and instanceNorm, PyTorch's F.batch_norm's and F.instance_norm's. */
export interface ChannelNormOptions {
  /** How far a step moves the running estimates toward what x's statistics observed (default 0.1). */
  momentum?: number;
  /** Added to the variance before its square root (default 1e-5). */
  epsilon?: number;
}

/**
 * The checks batchNorm and instanceNorm share: x a float tensor of
 * [batch, channels, ...] (at least `minRank` axes); each of the running
 * estimates, weight and bias given of [channels] and a float dtype; the
 * estimates both or neither; momentum in [0, 1]; epsilon > 0.
 */
export function checkChannelParts(
  where: string, x: Tensor, minRank: number, tensors: Record<'runningMean' | 'runningVar' | 'weight' | 'bias', Tensor | null | undefined>, momentum: unknown, epsilon: unknown,
): void {
  if (!isFloat(x.dtype)) throw new DTypeError(`${where}: x must be f32 or f16, got ${x.dtype}`);
  if (x.rank < minRank) throw new ShapeError(`${where}: x ${formatShape(x.shape)} is not [batch, channels${minRank > 2 ? ', positions...' : ', ...'}] (it needs at least ${minRank} axes)`);
  for (const [name, t] of Object.entries(tensors)) {
    if (!t) continue;
    if (t.rank !== 1 || t.shape[0] !== x.shape[1]) throw new ShapeError(`${where}: ${name} ${formatShape(t.shape)} is not [${x.shape[1]}], one per channel of x ${formatShape(x.shape)}`);
    if (!isFloat(t.dtype)) throw new DTypeError(`${where}: ${name} must be f32 or f16, got ${t.dtype}`);
  }
  if (!tensors.runningMean !== !tensors.runningVar) throw new ValueError(`${where}: runningMean and runningVar are given together or not at all, got ${tensors.runningMean ? 'runningMean' : 'runningVar'} alone`);
  if (typeof momentum !== 'number' || !(momentum >= 0 && momentum <= 1)) throw new ValueError(`${where}: momentum must be a number in [0, 1], got ${formatValue(momentum)}`);
  if (typeof epsilon !== 'number' || !(epsilon > 0) || !Number.isFinite(epsilon)) throw new ValueError(`${where}: epsilon must be a finite number > 0, got ${formatValue(epsilon)}`);
}

/** What normaliseChannels normalises with, and whether it moves running estimates. */
export interface ChannelNormParts {
  readonly runningMean: Tensor | null;
  readonly runningVar: Tensor | null;
  /** Each channel's scale and shift ([channels]); null for none. */
  readonly weight: Tensor | null;
  readonly bias: Tensor | null;
  /** Normalise by x's own statistics (else by the running estimates, which must then be given). */
  readonly useInputStats: boolean;
  /** With useInputStats, move the running estimates (where given) toward what x's statistics observed. */
  readonly updateRunning: boolean;
  readonly momentum: number;
  readonly epsilon: number;
}

/**
 * x normalised per channel (axis 1), as BatchNorm's and InstanceNorm's
 * layers and their functions (batchNorm, instanceNorm) do: by x's own
 * statistics over `stats.axes`, moving running estimates toward them where
 * asked, or by the running estimates; then scaled and shifted. Parameters
 * and estimates of another float dtype (a model saved in f16, f32 input)
 * are read in x's.
 */
export function normaliseChannels(x: Tensor, stats: Statistics, parts: ChannelNormParts): Tensor {
  const channels = x.shape.map((d, i) => (i === 1 ? d : 1));
  const inXs = (p: Tensor): Tensor => (p.dtype === x.dtype || !isFloat(x.dtype) ? p : p.cast(x.dtype));
  const { runningMean, runningVar, weight, bias, momentum } = parts;
  return tidy(() => {
    let mean: Tensor;
    let variance: Tensor;
    if (parts.useInputStats || !runningMean || !runningVar) {
      if (stats.count < 2) throw new ShapeError(stats.tooFew());
      mean = x.mean(stats.axes, { keepDims: true });
      variance = x.variance(stats.axes, { keepDims: true });
      if (parts.updateRunning && runningMean && runningVar) {
        const [observedMean, observedVariance] = [stats.observed(mean), stats.observed(variance)];
        if (observedMean && observedVariance) {
          // The variance unbiased, as PyTorch's.
          moveEstimate(runningMean, observedMean, momentum, momentum);
          moveEstimate(runningVar, observedVariance, momentum, (momentum * stats.count) / (stats.count - 1));
        }
      }
    } else {
      mean = inXs(runningMean).reshape(channels);
      variance = inXs(runningVar).reshape(channels);
    }
    let y = x.sub(mean).div(variance.add(parts.epsilon).sqrt());
    if (weight) y = y.mul(inXs(weight).reshape(channels));
    if (bias) y = y.add(inXs(bias).reshape(channels));
    return y;
  });
}

export abstract class RunningNorm extends Module {
  readonly epsilon: number;
  readonly momentum: number;
  /** Null without affine. */
  weight: Tensor | null;
  bias: Tensor | null;
  /** The running estimate of each channel's mean (f32, or f16 as loaded): what eval mode normalises with; null without trackRunningStats. */
  runningMean: Tensor | null;
  /** The running estimate of each channel's variance (unbiased). */
  runningVar: Tensor | null;

  constructor(protected readonly kind: string, readonly features: number, options: RunningNormOptions, defaults: { affine: boolean; trackRunningStats: boolean }) {
    super();
    const { epsilon, momentum, affine, trackRunningStats } = settings(kind, features, options, defaults);
    [this.epsilon, this.momentum] = [epsilon, momentum];
    this.weight = affine ? ones([features]) : null;
    this.bias = affine ? zeros([features]) : null;
    if (this.weight && this.bias) this.weight.requiresGrad = this.bias.requiresGrad = true;
    this.runningMean = trackRunningStats ? zeros([features]) : null;
    this.runningVar = trackRunningStats ? ones([features]) : null;
  }

  get affine(): boolean {
    return this.weight !== null;
  }

  get trackRunningStats(): boolean {
    return this.runningMean !== null;
  }

  /** x normalised per channel with the statistics `stats` says how to take (or the running estimates, in eval mode). */
  protected normalise(x: Tensor, stats: Statistics): Tensor {
    const useInputStats = this.training || !this.runningMean || !this.runningVar;
    return normaliseChannels(x, stats, {
      runningMean: this.runningMean, runningVar: this.runningVar, weight: this.weight, bias: this.bias,
      useInputStats, updateRunning: this.training, momentum: this.momentum, epsilon: this.epsilon,
    });
  }

  /** Refuses x whose rank is not one of `ranks` or whose channels are not the layer's, naming `expected`. */
  protected checkInput(x: Tensor, ranks: readonly number[], expected: string): void {
    if (!ranks.includes(x.rank) || x.shape[1] !== this.features) throw new ShapeError(`${this.kind}: x ${formatShape(x.shape)} is not ${expected}`);
  }

  override ownParameters(): Record<string, Tensor> {
    return this.weight && this.bias ? { weight: this.weight, bias: this.bias } : {};
  }

  override ownBuffers(): Record<string, Tensor> {
    return this.runningMean && this.runningVar ? { runningMean: this.runningMean, runningVar: this.runningVar } : {};
  }
}
