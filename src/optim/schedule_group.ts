// What SequentialLR and ChainedScheduler share: a list of epoch schedules
// over one optimizer, checked when made, read (never stepped) by the group,
// and saved and loaded with it.
import { ValueError, formatValue } from '../errors.js';
import type { Optimizer } from './optimizer.js';
import { ReduceLROnPlateau } from './plateau.js';
import { EpochScheduler } from './schedules.js';
import type { EpochSchedulerState } from './state.js';

export abstract class ScheduleGroup extends EpochScheduler {
  readonly schedulers: readonly EpochScheduler[];

  /**
   * `schedulers` checked in `name`'s errors: a non-empty list of epoch
   * schedules over `optimizer`, none a ReduceLROnPlateau (it follows a
   * watched value, which the group cannot `use` it for: "take turns",
   * "be chained") nor one `refuse` names a reason against.
   */
  protected constructor(optimizer: Optimizer, name: string, schedulers: unknown, use: string, refuse: (s: EpochScheduler) => string | undefined = () => undefined) {
    super(optimizer, name);
    if (!Array.isArray(schedulers) || !schedulers.length) throw new ValueError(`${name}: schedulers must be a non-empty array of schedules, got ${formatValue(schedulers)}`);
    for (const [i, s] of (schedulers as unknown[]).entries()) {
      if (s instanceof ReduceLROnPlateau) throw new ValueError(`${name}: schedulers[${i}] is a ReduceLROnPlateau, which follows a watched value, not the epochs; it cannot ${use}`);
      if (!(s instanceof EpochScheduler)) throw new ValueError(`${name}: schedulers[${i}] must be an epoch schedule (tm.optim.LinearLR, CosineAnnealingLR, …), got ${formatValue(s)}`);
      const reason = refuse(s);
      if (reason) throw new ValueError(`${name}: schedulers[${i}] is a ${s.name}, which ${reason}; it cannot ${use}`);
      if (s.optimizer !== optimizer) throw new ValueError(`${name}: schedulers[${i}] (a ${s.name}) schedules another optimizer than this ${name}'s`);
    }
    this.schedulers = Object.freeze([...(schedulers as EpochScheduler[])]);
  }

  override stateDict(): EpochSchedulerState {
    return { ...super.stateDict(), schedulers: this.schedulers.map((s) => s.stateDict()) };
  }

  /** @internal */
  override prepareLoad(state: EpochSchedulerState): () => void {
    const own = super.prepareLoad(state);
    const list: unknown = state.schedulers;
    if (!Array.isArray(list) || list.length !== this.schedulers.length) {
      throw new ValueError(`${this.name}.loadStateDict: the state's schedulers must be ${this.schedulers.length} schedules' states, got ${formatValue(list)}`);
    }
    const loads = this.schedulers.map((s, i) => s.prepareLoad(list[i] as EpochSchedulerState));
    return () => {
      for (const load of loads) load();
      own();
    };
  }
}
