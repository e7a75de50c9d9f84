// Learning-rate schedules: call step() once per epoch (fit does it for you).
// The epoch schedules are each a formula for the rate at an epoch, from the
// optimiser's starting rate; ReduceLROnPlateau instead watches a value the
// epoch gives it (a validation loss) and cuts the rate when that stops improving.
import { ValueError, formatValue } from '../errors.js';
import { checkOptions, type OptionNames } from '../options.js';
import { hyperparameter, type Optimizer } from './optimizer.js';

/** A schedule stepped by the epochs' count alone: StepLR, CosineAnnealingLR, ExponentialLR, LinearLR. */
export interface Scheduler {
  step(): void;
}

/**
 * A schedule stepped with each epoch's value of what it watches:
 * ReduceLROnPlateau. fit gives whichever schedule it has the epoch's
 * monitored value (valLoss where there is validation, else loss); a
 * Scheduler, which takes none, is one of these too.
 */
export interface MetricScheduler {
  step(metric: number): void;
}

abstract class EpochScheduler implements Scheduler {
  private epoch = 0;
  protected readonly base: number;

  constructor(private readonly optimizer: Optimizer) {
    this.base = optimizer.lr;
  }

  /** The learning rate for `epoch` (1 after the first step). */
  protected abstract rateAt(epoch: number): number;

  step(): void {
    this.optimizer.lr = this.rateAt(++this.epoch);
  }
}

/** Multiplies the learning rate by `gamma` every `stepSize` epochs. */
export class StepLR extends EpochScheduler {
  constructor(optimizer: Optimizer, readonly options: { stepSize: number; gamma?: number }) {
    super(optimizer);
    this.options = checkOptions('StepLR', options, { stepSize: true, gamma: true });
    const { stepSize, gamma } = this.options;
    if (!Number.isInteger(stepSize) || stepSize < 1) throw new ValueError(`StepLR: stepSize must be a positive integer, got ${formatValue(stepSize)}`);
    hyperparameter('StepLR', 'gamma', gamma ?? 0.1, 0, Infinity, { min: true });
  }

  protected rateAt(epoch: number): number {
    return this.base * (this.options.gamma ?? 0.1) ** Math.floor(epoch / this.options.stepSize);
  }
}

/** Anneals the learning rate from its start to `minLr` along a half cosine over `tMax` epochs, then holds it. */
export class CosineAnnealingLR extends EpochScheduler {
  constructor(optimizer: Optimizer, readonly options: { tMax: number; minLr?: number }) {
    super(optimizer);
    this.options = checkOptions('CosineAnnealingLR', options, { tMax: true, minLr: true });
    const { tMax, minLr } = this.options;
    if (!Number.isInteger(tMax) || tMax < 1) throw new ValueError(`CosineAnnealingLR: tMax must be a positive integer, got ${formatValue(tMax)}`);
    hyperparameter('CosineAnnealingLR', 'minLr', minLr ?? 0, 0, optimizer.lr);
  }

  protected rateAt(epoch: number): number {
    const min = this.options.minLr ?? 0;
    const t = Math.min(epoch, this.options.tMax);
    return min + ((this.base - min) * (1 + Math.cos((Math.PI * t) / this.options.tMax))) / 2;
  }
}

/** Multiplies the learning rate by `gamma` every epoch. */
export class ExponentialLR extends EpochScheduler {
  constructor(optimizer: Optimizer, readonly options: { gamma: number }) {
    super(optimizer);
    this.options = checkOptions('ExponentialLR', options, { gamma: true });
    hyperparameter('ExponentialLR', 'gamma', this.options.gamma, 0, Infinity, { min: true });
  }

  protected rateAt(epoch: number): number {
    return this.base * this.options.gamma ** epoch;
  }
}

/**
 * Scales the learning rate linearly from startFactor·lr to endFactor·lr over
 * totalIters epochs, then holds it (PyTorch's LinearLR; its defaults, 1/3 → 1
 * over 5: a warm-up). The starting factor applies from the start.
 */
export class LinearLR extends EpochScheduler {
  private readonly start: number;
  private readonly end: number;
  private readonly total: number;

  constructor(optimizer: Optimizer, options: { startFactor?: number; endFactor?: number; totalIters?: number } = {}) {
    super(optimizer);
    const { startFactor = 1 / 3, endFactor = 1, totalIters = 5 } = checkOptions('LinearLR', options, { startFactor: true, endFactor: true, totalIters: true });
    this.start = hyperparameter('LinearLR', 'startFactor', startFactor, 0, 1, { min: true });
    this.end = hyperparameter('LinearLR', 'endFactor', endFactor, 0, 1);
    if (!Number.isInteger(totalIters) || totalIters < 1) throw new ValueError(`LinearLR: totalIters must be a positive integer, got ${formatValue(totalIters)}`);
    this.total = totalIters;
    optimizer.lr = this.base * this.start;
  }

  protected rateAt(epoch: number): number {
    const t = Math.min(epoch, this.total) / this.total;
    return this.base * (this.start + (this.end - this.start) * t);
  }
}

export interface ReduceLROnPlateauOptions {
  /** 'min' (default): lower is better, as a loss; 'max': higher is better, as an accuracy. */
  mode?: 'min' | 'max';
  /** What the rate is multiplied by on a plateau (default 0.1), in [0, 1). */
  factor?: number;
  /** Epochs without improvement let pass (default 10): the rate is cut on the next one without. */
  patience?: number;
  /** How much better a value must be to count as an improvement (default 1e-4), by thresholdMode. */
  threshold?: number;
  /** 'rel' (default): better than best·(1 − threshold) in 'min' mode, best·(1 + threshold) in 'max'; 'abs': than best ∓ threshold. */
  thresholdMode?: 'rel' | 'abs';
  /** Epochs after a cut whose lack of improvement is not counted (default 0). */
  cooldown?: number;
  /** The rate is never cut below this (default 0). */
  minLr?: number;
  /** A cut smaller than this is not made (default 1e-8; PyTorch's eps). */
  epsilon?: number;
}

const PLATEAU_OPTIONS: OptionNames<ReduceLROnPlateauOptions> = {
  mode: true, factor: true, patience: true, threshold: true, thresholdMode: true, cooldown: true, minLr: true, epsilon: true,
};

/**
 * Cuts the learning rate by `factor` once the watched value (step(value),
 * once an epoch) has gone more than `patience` epochs without improving,
 * then waits `cooldown` epochs before counting again: PyTorch's
 * ReduceLROnPlateau, its best, num_bad_epochs and cooldown kept the same way.
 */
export class ReduceLROnPlateau implements MetricScheduler {
  readonly mode: 'min' | 'max';
  readonly factor: number;
  readonly patience: number;
  readonly threshold: number;
  readonly thresholdMode: 'rel' | 'abs';
  readonly cooldown: number;
  readonly minLr: number;
  readonly epsilon: number;
  private bestSeen: number;
  private badEpochs = 0;
  private coolingFor = 0;

  constructor(private readonly optimizer: Optimizer, options: ReduceLROnPlateauOptions = {}) {
    const where = 'ReduceLROnPlateau';
    const { mode = 'min', factor = 0.1, patience = 10, threshold = 1e-4, thresholdMode = 'rel', cooldown = 0, minLr = 0, epsilon = 1e-8 } = checkOptions(where, options, PLATEAU_OPTIONS);
    if (mode !== 'min' && mode !== 'max') throw new ValueError(`${where}: mode must be 'min' or 'max', got ${formatValue(mode)}`);
    if (thresholdMode !== 'rel' && thresholdMode !== 'abs') throw new ValueError(`${where}: thresholdMode must be 'rel' or 'abs', got ${formatValue(thresholdMode)}`);
    for (const [name, value] of [['patience', patience], ['cooldown', cooldown]] as const) {
      if (!Number.isSafeInteger(value) || value < 0) throw new ValueError(`${where}: ${name} must be an integer ≥ 0, got ${formatValue(value)}`);
    }
    [this.mode, this.thresholdMode, this.patience, this.cooldown] = [mode, thresholdMode, patience, cooldown];
    this.factor = hyperparameter(where, 'factor', factor, 0, 1, { max: true });
    this.threshold = hyperparameter(where, 'threshold', threshold, 0);
    this.minLr = hyperparameter(where, 'minLr', minLr, 0);
    this.epsilon = hyperparameter(where, 'epsilon', epsilon, 0);
    this.bestSeen = mode === 'min' ? Infinity : -Infinity;
  }

  /** The best value stepped so far (∞ in 'min' mode before the first, −∞ in 'max'). */
  get best(): number {
    return this.bestSeen;
  }

  /** Epochs in a row without improvement, outside cooldown (PyTorch's num_bad_epochs). */
  get numBadEpochs(): number {
    return this.badEpochs;
  }

  /** Epochs of cooldown left. */
  get cooldownCounter(): number {
    return this.coolingFor;
  }

  step(metric: number): void {
    if (typeof metric !== 'number') throw new ValueError(`ReduceLROnPlateau.step: takes the epoch's value of what it watches (a validation loss, say), got ${formatValue(metric)}`);
    if (this.improves(metric)) {
      this.bestSeen = metric;
      this.badEpochs = 0;
    } else {
      this.badEpochs++; // a NaN too: no comparison with it holds
    }
    if (this.coolingFor > 0) {
      this.coolingFor--;
      this.badEpochs = 0;
    }
    if (this.badEpochs > this.patience) {
      const next = Math.max(this.optimizer.lr * this.factor, this.minLr);
      if (this.optimizer.lr - next > this.epsilon) this.optimizer.lr = next;
      this.coolingFor = this.cooldown;
      this.badEpochs = 0;
    }
  }

  /** PyTorch's is_better. In 'rel' mode the margin is best·threshold, so past a negative best in 'min' mode a slightly worse value counts, as it does in PyTorch. */
  private improves(value: number): boolean {
    const best = this.bestSeen;
    if (this.mode === 'min') return this.thresholdMode === 'rel' ? value < best * (1 - this.threshold) : value < best - this.threshold;
    return this.thresholdMode === 'rel' ? value > best * (1 + this.threshold) : value > best + this.threshold;
  }
}
