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
