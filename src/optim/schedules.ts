// Learning-rate schedules: call step() once per epoch (fit does it for you),
// or once per batch for a schedule counted in batches (OneCycleLR). Each
// epoch schedule is a formula for the rate at an epoch, from the optimizer's
// starting rate; ReduceLROnPlateau (plateau.ts) instead watches a value.
import { ValueError, formatValue } from '../errors.js';
import { checkOptions } from '../options.js';
import { hyperparameter, type Optimizer } from './optimizer.js';
import { stateCount, stateOf, type EpochSchedulerState } from './state.js';

/**
 * A schedule stepped by the epochs' count alone: StepLR, MultiStepLR,
 * ExponentialLR, CosineAnnealingLR, CosineAnnealingWarmRestarts, LinearLR,
 * ConstantLR, PolynomialLR, LambdaLR, MultiplicativeLR, OneCycleLR,
 * CyclicLR, SequentialLR, ChainedScheduler.
 */
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

/**
 * Each optimizer's rate before any schedule changed it (PyTorch's
 * initial_lr) and the rate a schedule last set on it. Schedules made one
 * after another over an optimizer, as SequentialLR's are, all start from that
 * first rate, not from the one a warm-up made before them set; a rate set by
 * hand since is a fresh start.
 */
const rates = new WeakMap<Optimizer, { start: number; set: number }>();

function startingRate(optimizer: Optimizer): number {
  const known = rates.get(optimizer);
  if (known && known.set === optimizer.lr) return known.start;
  rates.set(optimizer, { start: optimizer.lr, set: optimizer.lr });
  return optimizer.lr;
}

function setRate(optimizer: Optimizer, lr: number): void {
  optimizer.lr = lr;
  const known = rates.get(optimizer);
  if (known) known.set = optimizer.lr;
}

/** An integer ≥ `min`, or an error naming it. */
export function integerSetting(where: string, name: string, value: unknown, min: number): number {
  if (!Number.isSafeInteger(value) || (value as number) < min) {
    throw new ValueError(`${where}: ${name} must be ${min === 1 ? 'a positive integer' : `an integer ≥ ${min}`}, got ${formatValue(value)}`);
  }
  return value as number;
}

/**
 * A schedule that is a formula of the epoch: step() sets the optimizer's
 * rate to the formula's value at the next epoch, and rateAt(epoch) reads it
 * at any epoch without stepping (to plot a schedule, or for SequentialLR).
 */
export abstract class EpochScheduler implements Scheduler {
  private epoch = 0;
  /** The optimizer's rate before any schedule changed it: the formula's lr. */
  protected base: number;

  /** The optimizer it schedules; its name, in errors. */
  constructor(readonly optimizer: Optimizer, readonly name: string) {
    this.base = startingRate(optimizer);
  }

  /** The epochs stepped so far (PyTorch's last_epoch). */
  get lastEpoch(): number {
    return this.epoch;
  }

  /** The learning rate at `epoch`, 0 being before the first step. */
  rateAt(epoch: number): number {
    integerSetting(`${this.name}.rateAt`, 'epoch', epoch, 0);
    return this.rate(epoch);
  }

  /** The formula, for an integer epoch ≥ 0. */
  protected abstract rate(epoch: number): number;

  /** Sets the next epoch's rate; one refused (past OneCycleLR's last step) leaves the count as it was. */
  step(): void {
    setRate(this.optimizer, this.rateAt(this.epoch + 1));
    this.epoch++;
  }

  /** Its count and starting rate, to resume training from (PyTorch's state_dict); plain numbers. */
  stateDict(): EpochSchedulerState {
    return { scheduler: this.name, lastEpoch: this.epoch, baseLr: this.base };
  }

  /**
   * Loads a state stateDict() gave, of a schedule of the same kind: its
   * count and starting rate. The optimizer's rate is not set here, it is
   * the optimizer's state: load that too (tm.nn.loadTrainingState loads both).
   */
  loadStateDict(state: EpochSchedulerState): void {
    this.prepareLoad(state)();
  }

  /**
   * Checks `state` and gives what loads it (see Optimizer.prepareLoad).
   * @internal
   */
  prepareLoad(state: EpochSchedulerState): () => void {
    const where = `${this.name}.loadStateDict`;
    const checked = stateOf(where, state, 'scheduler', this.name);
    const lastEpoch = stateCount(where, 'lastEpoch', checked.lastEpoch);
    const baseLr = hyperparameter(where, 'baseLr', checked.baseLr, 0);
    return () => {
      [this.epoch, this.base] = [lastEpoch, baseLr];
      // Schedules made over the optimizer from now on start from the loaded rate, as this one does.
      rates.set(this.optimizer, { start: baseLr, set: this.optimizer.lr });
    };
  }

  /** Sets epoch 0's rate, for a schedule whose first rate is not the optimizer's (a warm-up's start). */
  protected initialStep(): void {
    setRate(this.optimizer, this.rate(0));
  }
}

/** Multiplies the learning rate by `gamma` (default 0.1) every `stepSize` epochs. */
export class StepLR extends EpochScheduler {
  constructor(optimizer: Optimizer, readonly options: { stepSize: number; gamma?: number }) {
    super(optimizer, 'StepLR');
    this.options = checkOptions('StepLR', options, { stepSize: true, gamma: true });
    integerSetting('StepLR', 'stepSize', this.options.stepSize, 1);
    hyperparameter('StepLR', 'gamma', this.options.gamma ?? 0.1, 0, Infinity, { min: true });
  }

  protected rate(epoch: number): number {
    return this.base * (this.options.gamma ?? 0.1) ** Math.floor(epoch / this.options.stepSize);
  }
}

/** Multiplies the learning rate by `gamma` (default 0.1) at each of the `milestones`, increasing epochs: PyTorch's MultiStepLR. */
export class MultiStepLR extends EpochScheduler {
  readonly milestones: readonly number[];
  readonly gamma: number;

  constructor(optimizer: Optimizer, options: { milestones: number[]; gamma?: number }) {
    super(optimizer, 'MultiStepLR');
    const { milestones, gamma = 0.1 } = checkOptions('MultiStepLR', options, { milestones: true, gamma: true });
    this.milestones = milestoneList('MultiStepLR', milestones);
    this.gamma = hyperparameter('MultiStepLR', 'gamma', gamma, 0, Infinity, { min: true });
  }

  protected rate(epoch: number): number {
    return this.base * this.gamma ** milestonesPassed(this.milestones, epoch);
  }
}

/** `value` as milestones: an array of increasing positive integers (epochs), or an error naming it. */
export function milestoneList(where: string, value: unknown, length?: number): readonly number[] {
  const increasing = Array.isArray(value) && value.every((m, i) => Number.isSafeInteger(m) && m > (i ? value[i - 1] : 0));
  if (!increasing) throw new ValueError(`${where}: milestones must be an array of increasing positive integers (epochs), got ${formatValue(value)}`);
  if (length !== undefined && value.length !== length) {
    throw new ValueError(`${where}: milestones must be one fewer than the schedules, ${length}, got ${value.length}: ${formatValue(value)}`);
  }
  return Object.freeze([...value]);
}

/** How many of the increasing `milestones` are ≤ epoch (Python's bisect_right). */
export function milestonesPassed(milestones: readonly number[], epoch: number): number {
  let passed = 0;
  while (passed < milestones.length && milestones[passed] <= epoch) passed++;
  return passed;
}

/** Multiplies the learning rate by `gamma` every epoch. */
export class ExponentialLR extends EpochScheduler {
  constructor(optimizer: Optimizer, readonly options: { gamma: number }) {
    super(optimizer, 'ExponentialLR');
    this.options = checkOptions('ExponentialLR', options, { gamma: true });
    hyperparameter('ExponentialLR', 'gamma', this.options.gamma, 0, Infinity, { min: true });
  }

  protected rate(epoch: number): number {
    return this.base * this.options.gamma ** epoch;
  }
}

/** Anneals the learning rate from its start to `minLr` along a half cosine over `tMax` epochs, then holds it. */
export class CosineAnnealingLR extends EpochScheduler {
  constructor(optimizer: Optimizer, readonly options: { tMax: number; minLr?: number }) {
    super(optimizer, 'CosineAnnealingLR');
    this.options = checkOptions('CosineAnnealingLR', options, { tMax: true, minLr: true });
    integerSetting('CosineAnnealingLR', 'tMax', this.options.tMax, 1);
    hyperparameter('CosineAnnealingLR', 'minLr', this.options.minLr ?? 0, 0, this.base);
  }

  protected rate(epoch: number): number {
    const min = this.options.minLr ?? 0;
    const t = Math.min(epoch, this.options.tMax);
    return min + ((this.base - min) * (1 + Math.cos((Math.PI * t) / this.options.tMax))) / 2;
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
    super(optimizer, 'LinearLR');
    const { startFactor = 1 / 3, endFactor = 1, totalIters = 5 } = checkOptions('LinearLR', options, { startFactor: true, endFactor: true, totalIters: true });
    this.start = hyperparameter('LinearLR', 'startFactor', startFactor, 0, 1, { min: true });
    this.end = hyperparameter('LinearLR', 'endFactor', endFactor, 0, 1);
    this.total = integerSetting('LinearLR', 'totalIters', totalIters, 1);
    this.initialStep();
  }

  protected rate(epoch: number): number {
    const t = Math.min(epoch, this.total) / this.total;
    return this.base * (this.start + (this.end - this.start) * t);
  }
}

/**
 * Multiplies the learning rate by `factor` (default 1/3) for the first
 * `totalIters` epochs (default 5), from the start, then leaves it: PyTorch's ConstantLR.
 */
export class ConstantLR extends EpochScheduler {
  readonly factor: number;
  readonly totalIters: number;

  constructor(optimizer: Optimizer, options: { factor?: number; totalIters?: number } = {}) {
    super(optimizer, 'ConstantLR');
    const { factor = 1 / 3, totalIters = 5 } = checkOptions('ConstantLR', options, { factor: true, totalIters: true });
    this.factor = hyperparameter('ConstantLR', 'factor', factor, 0, 1);
    this.totalIters = integerSetting('ConstantLR', 'totalIters', totalIters, 1);
    this.initialStep();
  }

  protected rate(epoch: number): number {
    return epoch < this.totalIters ? this.base * this.factor : this.base;
  }
}

/**
 * Decays the learning rate to 0 over `totalIters` epochs (default 5) as
 * lr·(1 − t/totalIters)^power (power default 1: linear), then holds it at 0:
 * PyTorch's PolynomialLR.
 */
export class PolynomialLR extends EpochScheduler {
  readonly totalIters: number;
  readonly power: number;

  constructor(optimizer: Optimizer, options: { totalIters?: number; power?: number } = {}) {
    super(optimizer, 'PolynomialLR');
    const { totalIters = 5, power = 1 } = checkOptions('PolynomialLR', options, { totalIters: true, power: true });
    this.totalIters = integerSetting('PolynomialLR', 'totalIters', totalIters, 1);
    this.power = hyperparameter('PolynomialLR', 'power', power, 0);
  }

  protected rate(epoch: number): number {
    return this.base * (1 - Math.min(epoch, this.totalIters) / this.totalIters) ** this.power;
  }
}

/** lrLambda(epoch), a finite number ≥ 0, or an error naming the schedule and the epoch. */
function factorAt(name: string, lrLambda: (epoch: number) => number, epoch: number): number {
  const factor: unknown = lrLambda(epoch);
  if (typeof factor !== 'number' || !Number.isFinite(factor) || factor < 0) {
    throw new ValueError(`${name}: lrLambda(${epoch}) must give a finite number ≥ 0, got ${formatValue(factor)}`);
  }
  return factor;
}

/**
 * The learning rate at epoch e is lr·lrLambda(e), lrLambda(0) applying from
 * the start: PyTorch's LambdaLR. A factor that is not a finite number ≥ 0 is an error naming the epoch.
 */
export class LambdaLR extends EpochScheduler {
  readonly lrLambda: (epoch: number) => number;

  constructor(optimizer: Optimizer, options: { lrLambda: (epoch: number) => number }) {
    super(optimizer, 'LambdaLR');
    const { lrLambda } = checkOptions('LambdaLR', options, { lrLambda: true });
    if (typeof lrLambda !== 'function') throw new ValueError(`LambdaLR: lrLambda must be a function of the epoch giving a factor, got ${formatValue(lrLambda)}`);
    this.lrLambda = lrLambda;
    this.initialStep();
  }

  protected rate(epoch: number): number {
    return this.base * factorAt('LambdaLR', this.lrLambda, epoch);
  }
}

/**
 * Multiplies the learning rate by lrLambda(e) at each epoch e ≥ 1, so the
 * rate at epoch e is lr·lrLambda(1)·…·lrLambda(e): PyTorch's
 * MultiplicativeLR. A factor that is not a finite number ≥ 0 is an error
 * naming the epoch.
 */
export class MultiplicativeLR extends EpochScheduler {
  readonly lrLambda: (epoch: number) => number;

  constructor(optimizer: Optimizer, options: { lrLambda: (epoch: number) => number }) {
    super(optimizer, 'MultiplicativeLR');
    const { lrLambda } = checkOptions('MultiplicativeLR', options, { lrLambda: true });
    if (typeof lrLambda !== 'function') throw new ValueError(`MultiplicativeLR: lrLambda must be a function of the epoch giving a factor, got ${formatValue(lrLambda)}`);
    this.lrLambda = lrLambda;
  }

  protected rate(epoch: number): number {
    let rate = this.base;
    for (let e = 1; e <= epoch; e++) {
      rate *= factorAt('MultiplicativeLR', this.lrLambda, e);
    }
    return rate;
  }
}
