// SequentialLR (PyTorch's): epoch schedules one after another, each handing
// over at a milestone, e.g. a LinearLR warm-up then a CosineAnnealingLR.
import { ValueError, formatValue } from '../errors.js';
import { checkOptions } from '../options.js';
import type { Optimizer } from './optimizer.js';
import { ReduceLROnPlateau } from './plateau.js';
import { EpochScheduler, milestoneList, milestonesPassed, type Scheduler } from './schedules.js';
import type { EpochSchedulerState } from './state.js';

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
export class SequentialLR extends EpochScheduler {
  readonly schedulers: readonly EpochScheduler[];
  readonly milestones: readonly number[];

  constructor(optimizer: Optimizer, options: { schedulers: Scheduler[]; milestones: number[] }) {
    super(optimizer, 'SequentialLR');
    const where = 'SequentialLR';
    const { schedulers, milestones } = checkOptions(where, options, { schedulers: true, milestones: true });
    if (!Array.isArray(schedulers) || !schedulers.length) throw new ValueError(`${where}: schedulers must be a non-empty array of schedules, got ${formatValue(schedulers)}`);
    for (const [i, s] of (schedulers as unknown[]).entries()) {
      if (s instanceof ReduceLROnPlateau) throw new ValueError(`${where}: schedulers[${i}] is a ReduceLROnPlateau, which follows a watched value, not the epochs; it cannot take turns`);
      if (!(s instanceof EpochScheduler)) throw new ValueError(`${where}: schedulers[${i}] must be an epoch schedule (tm.optim.LinearLR, CosineAnnealingLR, …), got ${formatValue(s)}`);
      if (s.optimizer !== optimizer) throw new ValueError(`${where}: schedulers[${i}] (a ${s.name}) schedules another optimizer than this SequentialLR's`);
    }
    this.schedulers = Object.freeze([...(schedulers as EpochScheduler[])]);
    this.milestones = milestoneList(where, milestones, schedulers.length - 1);
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
      throw new ValueError(`SequentialLR.loadStateDict: the state's schedulers must be ${this.schedulers.length} schedules' states, got ${formatValue(list)}`);
    }
    const loads = this.schedulers.map((s, i) => s.prepareLoad(list[i] as EpochSchedulerState));
    return () => {
      for (const load of loads) load();
      own();
    };
  }

  protected rate(epoch: number): number {
    const turn = milestonesPassed(this.milestones, epoch);
    return this.schedulers[turn].rateAt(epoch - (turn ? this.milestones[turn - 1] : 0));
  }
}
