// ChainedScheduler (PyTorch's): epoch schedules applied together, each
// step, their factors multiplied, e.g. a ConstantLR warm-up factor on top
// of an ExponentialLR decay.
import { ValueError, formatValue } from '../errors.js';
import { checkOptions } from '../options.js';
import type { Optimizer } from './optimizer.js';
import { ReduceLROnPlateau } from './plateau.js';
import { EpochScheduler, type Scheduler } from './schedules.js';
import type { EpochSchedulerState } from './state.js';

/**
 * Runs `schedulers` at once: the rate at epoch e is the optimizer's first
 * rate times each schedule's factor there (its rate at e over that first
 * rate), which is what PyTorch's chaining of its multiplicative schedules
 * gives. Schedules that set a rate outright (OneCycleLR, CyclicLR) do not
 * chain: they are refused. Step this one only; the schedules it holds are
 * read, never stepped.
 *
 *   const warm = new ConstantLR(opt, { factor: 0.1, totalIters: 2 });
 *   const decay = new ExponentialLR(opt, { gamma: 0.9 });
 *   new ChainedScheduler(opt, { schedulers: [warm, decay] });
 */
export class ChainedScheduler extends EpochScheduler {
  readonly schedulers: readonly EpochScheduler[];

  constructor(optimizer: Optimizer, options: { schedulers: Scheduler[] }) {
    super(optimizer, 'ChainedScheduler');
    const where = 'ChainedScheduler';
    const { schedulers } = checkOptions(where, options, { schedulers: true });
    if (!Array.isArray(schedulers) || !schedulers.length) throw new ValueError(`${where}: schedulers must be a non-empty array of schedules, got ${formatValue(schedulers)}`);
    for (const [i, s] of (schedulers as unknown[]).entries()) {
      if (s instanceof ReduceLROnPlateau) throw new ValueError(`${where}: schedulers[${i}] is a ReduceLROnPlateau, which follows a watched value, not the epochs; it cannot be chained`);
      if (!(s instanceof EpochScheduler)) throw new ValueError(`${where}: schedulers[${i}] must be an epoch schedule (tm.optim.ConstantLR, ExponentialLR, …), got ${formatValue(s)}`);
      if (s.name === 'OneCycleLR' || s.name === 'CyclicLR') throw new ValueError(`${where}: schedulers[${i}] is a ${s.name}, which sets the rate outright rather than scaling it; it cannot be chained`);
      if (s.optimizer !== optimizer) throw new ValueError(`${where}: schedulers[${i}] (a ${s.name}) schedules another optimizer than this ChainedScheduler's`);
    }
    this.schedulers = Object.freeze([...(schedulers as EpochScheduler[])]);
    this.initialStep();
  }

  override stateDict(): EpochSchedulerState {
    return { ...super.stateDict(), schedulers: this.schedulers.map((s) => s.stateDict()) };
  }

  /** @internal */
  override prepareLoad(state: EpochSchedulerState): () => void {
    const own = super.prepareLoad(state);
    const list: unknown = state.schedulers;
    if (!Array.isArray(list) || list.length !== this.schedulers.length) {
      throw new ValueError(`ChainedScheduler.loadStateDict: the state's schedulers must be ${this.schedulers.length} schedules' states, got ${formatValue(list)}`);
    }
    const loads = this.schedulers.map((s, i) => s.prepareLoad(list[i] as EpochSchedulerState));
    return () => {
      for (const load of loads) load();
      own();
    };
  }

  protected rate(epoch: number): number {
    return this.schedulers.reduce((rate, s) => (this.base === 0 ? 0 : rate * (s.rateAt(epoch) / this.base)), this.base);
  }
}
