// SequentialLR (PyTorch's): epoch schedules one after another, each handing
// over at a milestone, e.g. a LinearLR warm-up then a CosineAnnealingLR.
import { checkOptions } from '../options.js';
import type { Optimizer } from './optimizer.js';
import { ScheduleGroup } from './schedule_group.js';
import { milestoneList, milestonesPassed, type Scheduler } from './schedules.js';

/**
 * Runs `schedulers` in turn: the first until the first milestone, the next
 * from there, each starting over at its own epoch 0 when it takes over (as
 * PyTorch's does), all from the optimizer's rate before any of them changed it.
 * Step this one only; the schedules it holds are read, never stepped.
 *
 *   const warm = new LinearLR(opt, { startFactor: 0.1, totalIters: 5 });
 *   const cosine = new CosineAnnealingLR(opt, { tMax: 95 });
 *   new SequentialLR(opt, { schedulers: [warm, cosine], milestones: [5] });
 */
export class SequentialLR extends ScheduleGroup {
  readonly milestones: readonly number[];

  constructor(optimizer: Optimizer, options: { schedulers: Scheduler[]; milestones: number[] }) {
    const { schedulers, milestones } = checkOptions('SequentialLR', options, { schedulers: true, milestones: true });
    super(optimizer, 'SequentialLR', schedulers, 'take turns');
    this.milestones = milestoneList('SequentialLR', milestones, this.schedulers.length - 1);
    this.initialStep();
  }

  protected rate(epoch: number): number {
    const turn = milestonesPassed(this.milestones, epoch);
    return this.schedulers[turn].rateAt(epoch - (turn ? this.milestones[turn - 1] : 0));
  }
}
