// The 1cycle policy (Smith & Topin 2017; PyTorch's OneCycleLR): the rate
// climbs from maxLr/divFactor to maxLr over the first pctStart of training,
// then anneals far below where it started, to maxLr/(divFactor·finalDivFactor).
// Counted in optimizer steps: it is meant to be stepped once a batch.
//   phases (PyTorch's, their ends at step pctStart·totalSteps − 1 and totalSteps − 1):
//     maxLr/divFactor → maxLr → maxLr/(divFactor·finalDivFactor)
//   threePhase: … → maxLr (pctStart·totalSteps − 1) → maxLr/divFactor (2·pctStart·totalSteps − 2)
//     → maxLr/(divFactor·finalDivFactor) (totalSteps − 1)
//   within a phase from a to b at fraction f: 'cos' b + (a − b)·(1 + cos(π·f))/2, 'linear' a + (b − a)·f
import { ValueError, formatValue } from '../errors.js';
import { checkOptions, type OptionNames } from '../options.js';
import { hyperparameter, type Optimizer } from './optimizer.js';
import { EpochScheduler, integerSetting } from './schedules.js';

export interface OneCycleLROptions {
  /** The rate at the cycle's peak. */
  maxLr: number;
  /** The steps in the cycle (epochs × batches per epoch, when stepped once a batch). */
  totalSteps: number;
  /** The fraction of the steps spent climbing, in [0, 1) ([0, 0.5) with threePhase). Default 0.3. */
  pctStart?: number;
  /** How the rate moves within a phase: 'cos' (default) or 'linear'. */
  annealStrategy?: 'cos' | 'linear';
  /** The starting rate is maxLr/divFactor. Default 25. */
  divFactor?: number;
  /** The final rate is the starting rate/finalDivFactor. Default 1e4. */
  finalDivFactor?: number;
  /** Come back down to the starting rate symmetrically before the final annealing (fastai's schedule is the default two phases). Default false. */
  threePhase?: boolean;
}

const OPTIONS: OptionNames<OneCycleLROptions> = {
  maxLr: true, totalSteps: true, pctStart: true, annealStrategy: true, divFactor: true, finalDivFactor: true, threePhase: 'boolean',
};

interface Phase {
  /** The step at which the phase ends (fractional, as PyTorch's). */
  end: number;
  from: number;
  to: number;
}

/**
 * PyTorch's OneCycleLR, less its momentum cycling (β1 or the momentum is the
 * optimizer's own throughout). It sets the rate to maxLr/divFactor when made,
 * and counts the steps the cycle has: steps 0 to totalSteps − 1 are
 * PyTorch's, step totalSteps (after the last batch) holds the final rate, and
 * a step past it is an error.
 * Step it once a batch: in your own loop after optimizer.step(), or through
 * fit's schedulerInterval: 'batch' (stepped once an epoch, totalSteps is in epochs).
 */
export class OneCycleLR extends EpochScheduler {
  readonly maxLr: number;
  readonly totalSteps: number;
  readonly pctStart: number;
  readonly annealStrategy: 'cos' | 'linear';
  readonly divFactor: number;
  readonly finalDivFactor: number;
  readonly threePhase: boolean;
  private readonly phases: Phase[];

  constructor(optimizer: Optimizer, options: OneCycleLROptions) {
    super(optimizer, 'OneCycleLR');
    const where = 'OneCycleLR';
    const { maxLr, totalSteps, pctStart = 0.3, annealStrategy = 'cos', divFactor = 25, finalDivFactor = 1e4, threePhase = false } = checkOptions(where, options, OPTIONS);
    this.maxLr = hyperparameter(where, 'maxLr', maxLr, 0, Infinity, { min: true });
    this.totalSteps = integerSetting(where, 'totalSteps', totalSteps, 1);
    // Past these, a phase would end before the one it follows (and the last divide by 0).
    this.pctStart = hyperparameter(where, 'pctStart', pctStart, 0, threePhase ? 0.5 : 1, { max: true });
    if (annealStrategy !== 'cos' && annealStrategy !== 'linear') throw new ValueError(`${where}: annealStrategy must be 'cos' or 'linear', got ${formatValue(annealStrategy)}`);
    this.annealStrategy = annealStrategy;
    this.divFactor = hyperparameter(where, 'divFactor', divFactor, 0, Infinity, { min: true });
    this.finalDivFactor = hyperparameter(where, 'finalDivFactor', finalDivFactor, 0, Infinity, { min: true });
    this.threePhase = threePhase;
    const initial = this.maxLr / this.divFactor;
    const min = initial / this.finalDivFactor;
    const peak = this.pctStart * this.totalSteps - 1;
    this.phases = threePhase
      ? [{ end: peak, from: initial, to: this.maxLr }, { end: 2 * peak, from: this.maxLr, to: initial }, { end: this.totalSteps - 1, from: initial, to: min }]
      : [{ end: peak, from: initial, to: this.maxLr }, { end: this.totalSteps - 1, from: this.maxLr, to: min }];
    this.initialStep();
  }

  protected rate(step: number): number {
    if (step > this.totalSteps) {
      throw new ValueError(`OneCycleLR: stepped ${step} times, past the cycle's totalSteps ${this.totalSteps} (stepped once a batch, it is epochs × batches per epoch)`);
    }
    let start = 0;
    for (const [i, phase] of this.phases.entries()) {
      if (step <= phase.end || i === this.phases.length - 1) {
        // A phase of no length (pctStart·totalSteps = 1: the climb is step 0) is at its end; and so
        // is step totalSteps, the one after the last batch, where PyTorch's formula runs on past the
        // end (to a negative rate, linearly).
        const f = phase.end > start ? Math.min((step - start) / (phase.end - start), 1) : 1;
        return this.annealStrategy === 'cos'
          ? phase.to + ((phase.from - phase.to) * (1 + Math.cos(Math.PI * f))) / 2
          : phase.from + (phase.to - phase.from) * f;
      }
      start = phase.end;
    }
    throw new Error('unreachable: the last phase takes every step');
  }
}
