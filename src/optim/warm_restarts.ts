// Cosine annealing with warm restarts (SGDR, Loshchilov & Hutter 2017;
// PyTorch's CosineAnnealingWarmRestarts): the rate anneals along a half
// cosine over a cycle, jumps back to the start, and each cycle is tMult
// times longer than the one before.
//   cycles of t0, t0·tMult, t0·tMult², … epochs; at t epochs into a cycle of T:
//   lr = minLr + (lr₀ − minLr)·(1 + cos(π·t/T))/2
import { checkOptions } from '../options.js';
import { hyperparameter, type Optimizer } from './optimizer.js';
import { EpochScheduler, integerSetting } from './schedules.js';

export interface CosineAnnealingWarmRestartsOptions {
  /** The first cycle's length in steps (PyTorch's T_0), a positive integer. */
  t0: number;
  /** Each cycle's length over the one before (PyTorch's T_mult), an integer ≥ 1. Default 1. */
  tMult?: number;
  /** The rate at each cycle's end (PyTorch's eta_min), at most the starting rate. Default 0. */
  minLr?: number;
}

/**
 * Anneals the learning rate along a half cosine from its start to `minLr`
 * over t0 steps, restarts, and repeats with cycles tMult times longer each
 * time. Stepped once an epoch; with t0 counted in batches, once a batch
 * (fit's schedulerInterval: 'batch').
 */
export class CosineAnnealingWarmRestarts extends EpochScheduler {
  readonly t0: number;
  readonly tMult: number;
  readonly minLr: number;

  constructor(optimizer: Optimizer, options: CosineAnnealingWarmRestartsOptions) {
    super(optimizer, 'CosineAnnealingWarmRestarts');
    const where = 'CosineAnnealingWarmRestarts';
    const { t0, tMult = 1, minLr = 0 } = checkOptions(where, options, { t0: true, tMult: true, minLr: true });
    this.t0 = integerSetting(where, 't0', t0, 1);
    this.tMult = integerSetting(where, 'tMult', tMult, 1);
    this.minLr = hyperparameter(where, 'minLr', minLr, 0, this.base);
  }

  protected rate(epoch: number): number {
    // Where in which cycle the epoch falls: a few subtractions (cycles grow
    // geometrically), exact where PyTorch's closed form takes a logarithm.
    let [t, cycle] = [epoch, this.t0];
    if (this.tMult === 1) t %= cycle;
    else {
      while (t >= cycle) {
        t -= cycle;
        cycle *= this.tMult;
      }
    }
    return this.minLr + ((this.base - this.minLr) * (1 + Math.cos((Math.PI * t) / cycle))) / 2;
  }
}
