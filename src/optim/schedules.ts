// Learning-rate schedules: call step() once per epoch (fit does it for you).
// Each is a formula for the rate at an epoch, from the optimiser's starting rate.
import { ValueError, formatValue } from '../errors.js';
import { checkOptions } from '../options.js';
import { hyperparameter, type Optimizer } from './optimizer.js';

export interface Scheduler {
  step(): void;
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
