// ChainedScheduler (PyTorch's): epoch schedules applied together, each
// step, their factors multiplied, e.g. a ConstantLR warm-up factor on top
// of an ExponentialLR decay.
import { checkOptions } from '../options.js';
import type { Optimizer } from './optimizer.js';
import { ScheduleGroup } from './schedule_group.js';
import type { Scheduler } from './schedules.js';

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
export class ChainedScheduler extends ScheduleGroup {
  constructor(optimizer: Optimizer, options: { schedulers: Scheduler[] }) {
    const { schedulers } = checkOptions('ChainedScheduler', options, { schedulers: true });
    super(optimizer, 'ChainedScheduler', schedulers, 'be chained', (s) =>
      s.name === 'OneCycleLR' || s.name === 'CyclicLR' ? 'sets the rate outright rather than scaling it' : undefined);
    this.initialStep();
  }

  protected rate(epoch: number): number {
    return this.schedulers.reduce((rate, s) => (this.base === 0 ? 0 : rate * (s.rateAt(epoch) / this.base)), this.base);
  }
}
