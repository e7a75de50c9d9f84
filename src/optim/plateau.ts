// ReduceLROnPlateau: rather than a formula of the epoch, it watches a value
// each epoch gives it (a validation loss) and cuts the learning rate when
// that stops improving.
import { ValueError, formatValue } from '../errors.js';
import { checkOptions, type OptionNames } from '../options.js';
import { hyperparameter, type Optimizer } from './optimizer.js';
import type { MetricScheduler } from './schedules.js';
import { stateCount, stateOf, type PlateauState } from './state.js';

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

  /** The best value and the counters, to resume training from (PyTorch's state_dict); plain numbers. */
  stateDict(): PlateauState {
    return { scheduler: 'ReduceLROnPlateau', best: this.bestSeen, numBadEpochs: this.badEpochs, cooldownCounter: this.coolingFor };
  }

  /** Loads a state stateDict() gave; the optimizer's rate is the optimizer's state (tm.nn.loadTrainingState loads both). */
  loadStateDict(state: PlateauState): void {
    this.prepareLoad(state)();
  }

  /**
   * Checks `state` and gives what loads it (see Optimizer.prepareLoad).
   * @internal
   */
  prepareLoad(state: PlateauState): () => void {
    const where = 'ReduceLROnPlateau.loadStateDict';
    const checked = stateOf(where, state, 'scheduler', 'ReduceLROnPlateau');
    const best = checked.best;
    if (typeof best !== 'number' || Number.isNaN(best)) throw new ValueError(`${where}: best must be a number (±Infinity before the first step), got ${formatValue(best)}`);
    const badEpochs = stateCount(where, 'numBadEpochs', checked.numBadEpochs);
    const coolingFor = stateCount(where, 'cooldownCounter', checked.cooldownCounter);
    return () => {
      [this.bestSeen, this.badEpochs, this.coolingFor] = [best, badEpochs, coolingFor];
    };
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
