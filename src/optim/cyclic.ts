// Cyclical learning rates (Smith 2017; PyTorch's CyclicLR): the rate goes
// back and forth between baseLr and maxLr, stepSizeUp steps up and
// stepSizeDown down, the swing scaled per cycle or per step:
//   cycle c = ⌊1 + t/(up + down)⌋, x = 1 + t/(up + down) − c ∈ [0, 1)
//   height = x/r on the way up (x ≤ r = up/(up + down)), (x − 1)/(r − 1) down
//   lr = baseLr + (maxLr − baseLr)·height·scale(c, or t for 'exp_range')
//   scale: 'triangular' 1, 'triangular2' 1/2^(c − 1), 'exp_range' gamma^t
// Counted in optimizer steps: it is meant to be stepped once a batch.
import { ValueError, formatValue } from '../errors.js';
import { checkOptions, type OptionNames } from '../options.js';
import { hyperparameter, type Optimizer } from './optimizer.js';
import { EpochScheduler, integerSetting } from './schedules.js';

export interface CyclicLROptions {
  /** The rate at the bottom of each cycle, where it starts. */
  baseLr: number;
  /** The rate at the top of the first cycle. */
  maxLr: number;
  /** Steps from the bottom to the top (default 2000). */
  stepSizeUp?: number;
  /** Steps from the top back down (default stepSizeUp). */
  stepSizeDown?: number;
  /** How the swing shrinks: 'triangular' (default, not at all), 'triangular2' (halved each cycle) or 'exp_range' (by gamma each step). */
  mode?: 'triangular' | 'triangular2' | 'exp_range';
  /** 'exp_range''s factor per step (default 1). */
  gamma?: number;
  /** A scale of your own in place of mode's, of the cycle (scaleMode 'cycle', the default) or of the step ('iterations'); in [0, 1]. */
  scaleFn?: (x: number) => number;
  scaleMode?: 'cycle' | 'iterations';
}

const OPTIONS: OptionNames<CyclicLROptions> = {
  baseLr: true, maxLr: true, stepSizeUp: true, stepSizeDown: true, mode: true, gamma: true, scaleFn: true, scaleMode: true,
};

/**
 * PyTorch's CyclicLR, less its momentum cycling (the optimizer's momentum
 * or β1 is its own throughout, as under OneCycleLR). It sets the rate to
 * baseLr when made. Step it once a batch: in your own loop after
 * optimizer.step(), or through fit's schedulerInterval: 'batch'.
 */
export class CyclicLR extends EpochScheduler {
  readonly baseLr: number;
  readonly maxLr: number;
  readonly stepSizeUp: number;
  readonly stepSizeDown: number;
  readonly mode: 'triangular' | 'triangular2' | 'exp_range';
  readonly gamma: number;
  private readonly scale: (x: number) => number;
  private readonly scaleMode: 'cycle' | 'iterations';

  constructor(optimizer: Optimizer, options: CyclicLROptions) {
    super(optimizer, 'CyclicLR');
    const where = 'CyclicLR';
    const { baseLr, maxLr, stepSizeUp = 2000, stepSizeDown, mode = 'triangular', gamma = 1, scaleFn, scaleMode } = checkOptions(where, options, OPTIONS);
    this.baseLr = hyperparameter(where, 'baseLr', baseLr, 0);
    this.maxLr = hyperparameter(where, 'maxLr', maxLr, 0);
    this.stepSizeUp = integerSetting(where, 'stepSizeUp', stepSizeUp, 1);
    this.stepSizeDown = stepSizeDown === undefined ? this.stepSizeUp : integerSetting(where, 'stepSizeDown', stepSizeDown, 1);
    if (mode !== 'triangular' && mode !== 'triangular2' && mode !== 'exp_range') throw new ValueError(`${where}: mode must be 'triangular', 'triangular2' or 'exp_range', got ${formatValue(mode)}`);
    this.mode = mode;
    this.gamma = hyperparameter(where, 'gamma', gamma, 0, 1, { min: true });
    if (scaleFn !== undefined && typeof scaleFn !== 'function') throw new ValueError(`${where}: scaleFn must be a function of the cycle or the step, got ${formatValue(scaleFn)}`);
    if (scaleMode !== undefined && scaleMode !== 'cycle' && scaleMode !== 'iterations') throw new ValueError(`${where}: scaleMode must be 'cycle' or 'iterations', got ${formatValue(scaleMode)}`);
    if (scaleFn) {
      this.scale = scaleFn;
      this.scaleMode = scaleMode ?? 'cycle';
    } else {
      this.scale = mode === 'triangular' ? () => 1 : mode === 'triangular2' ? (c) => 1 / 2 ** (c - 1) : (t) => this.gamma ** t;
      this.scaleMode = mode === 'exp_range' ? 'iterations' : 'cycle';
    }
    this.initialStep();
  }

  protected rate(step: number): number {
    const total = this.stepSizeUp + this.stepSizeDown;
    const up = this.stepSizeUp / total;
    const cycle = Math.floor(1 + step / total);
    const x = 1 + step / total - cycle;
    const height = x <= up ? x / up : (x - 1) / (up - 1);
    const factor: unknown = this.scale(this.scaleMode === 'cycle' ? cycle : step);
    if (typeof factor !== 'number' || !Number.isFinite(factor)) throw new ValueError(`CyclicLR: scaleFn(${this.scaleMode === 'cycle' ? cycle : step}) must give a finite number, got ${formatValue(factor)}`);
    return this.baseLr + (this.maxLr - this.baseLr) * height * factor;
  }
}
