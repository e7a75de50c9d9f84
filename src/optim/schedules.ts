// Learning-rate schedules: call step() once per epoch (fit does it for you).
import { ValueError } from '../errors.js';
import type { Optimizer } from './optimizer.js';

export interface Scheduler {
  step(): void;
}

/** Multiplies the learning rate by `gamma` every `stepSize` epochs. */
export class StepLR implements Scheduler {
  private epoch = 0;
  private readonly base: number;

  constructor(private readonly optimizer: Optimizer, readonly options: { stepSize: number; gamma?: number }) {
    if (!(options.stepSize >= 1)) throw new ValueError(`StepLR: stepSize must be at least 1, got ${options.stepSize}`);
    this.base = optimizer.lr;
  }

  step(): void {
    this.epoch++;
    this.optimizer.lr = this.base * (this.options.gamma ?? 0.1) ** Math.floor(this.epoch / this.options.stepSize);
  }
}

/** Anneals the learning rate from its start to `minLr` along a half cosine over `tMax` epochs. */
export class CosineAnnealingLR implements Scheduler {
  private epoch = 0;
  private readonly base: number;

  constructor(private readonly optimizer: Optimizer, readonly options: { tMax: number; minLr?: number }) {
    if (!(options.tMax >= 1)) throw new ValueError(`CosineAnnealingLR: tMax must be at least 1, got ${options.tMax}`);
    this.base = optimizer.lr;
  }

  step(): void {
    this.epoch = Math.min(this.epoch + 1, this.options.tMax);
    const min = this.options.minLr ?? 0;
    this.optimizer.lr = min + ((this.base - min) * (1 + Math.cos((Math.PI * this.epoch) / this.options.tMax))) / 2;
  }
}
