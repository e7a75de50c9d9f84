// Averages of the weights along a training run, evaluated in their place:
// an exponential moving average (EMA: Polyak averaging as TensorFlow's
// ExponentialMovingAverage and timm's ModelEma keep it) and stochastic weight
// averaging (SWA, Izmailov et al. 2018: the plain mean of the weights at
// chosen steps, PyTorch's AveragedModel). Each often generalises better than
// the last step's weights. The averages are kept in f32 whatever the
// weights' float dtype: an f16 average would not move by (1 − decay)·w.
import { keep, tidy } from '../engine.js';
import { DTypeError, ValueError, formatValue } from '../errors.js';
import { isFloat } from '../dtype.js';
import { checkOptions } from '../options.js';
import { noGrad } from '../tape.js';
import { Tensor } from '../tensor.js';
import { hyperparameter } from './optimizer.js';
import { stateCount, stateOf, stateTensor, type StateTensor, type WeightAverageState } from './state.js';

/** Writes each average into its tensor, cast to the tensor's dtype; a tensor without one (null) is left as it is. */
export function writeAverages(tensors: readonly Tensor[], averages: readonly (Tensor | null)[]): void {
  noGrad(() => {
    tensors.forEach((t, i) => {
      const average = averages[i];
      if (!average) return;
      const value = tidy(() => average.cast(t.dtype));
      t.assign(value);
      value.dispose();
    });
  });
}

/** Runs `fn` with the averages written into the tensors, and puts the tensors' own values back after, whether fn returns, resolves or throws. */
export async function withAveragesWritten<T>(tensors: readonly Tensor[], averages: readonly (Tensor | null)[], fn: () => T | Promise<T>): Promise<T> {
  const own = tensors.map((t) => keep(t.detach()));
  writeAverages(tensors, averages);
  try {
    return await fn();
  } finally {
    tensors.forEach((t, i) => {
      t.assign(own[i]);
      own[i].dispose();
    });
  }
}

/** What EMA and SWA share: the tensors followed, their averages, and putting the averages in their place. */
export abstract class WeightAverage {
  protected readonly tensors: Tensor[];
  private readonly kept: Tensor[];
  private count = 0;

  constructor(protected readonly name: string, tensors: Tensor[]) {
    if (!Array.isArray(tensors) || tensors.some((t) => !(t instanceof Tensor))) {
      throw new ValueError(`${name}: expects an array of tensors (model.parameters(), or Object.values(model.namedState()) for the buffers too), got ${formatValue(tensors)}`);
    }
    const twice = tensors.find((t, i) => tensors.indexOf(t) !== i);
    if (twice) throw new ValueError(`${name}: tensor ${twice} is listed twice`);
    const int = tensors.find((t) => !isFloat(t.dtype));
    if (int) throw new DTypeError(`${name}: only float tensors are averaged, got ${int}`);
    this.tensors = [...tensors];
    this.kept = noGrad(() => tensors.map((t) => keep(t.cast('f32'))));
  }

  /** How many times update() has been called. */
  get updates(): number {
    return this.count;
  }

  /** The averages, f32, in the order of the tensors given (the tensors' values until the first update). */
  get averages(): readonly Tensor[] {
    return this.kept;
  }

  /** The weight of the current values in the new average at the n-th update (1 for the first). */
  protected abstract share(n: number): number;

  /** Folds the tensors' current values into their averages (after each optimizer step, or each epoch for SWA). */
  update(): void {
    this.tensors.forEach((t) => t.dataRef(`${this.name}.update`));
    const share = this.share(++this.count);
    noGrad(() => {
      this.kept.forEach((avg, i) => {
        const next = tidy(() => (share === 1 ? this.tensors[i].cast('f32') : avg.add(this.tensors[i].cast('f32').sub(avg).mul(share))));
        avg.assign(next);
        next.dispose();
      });
    });
  }

  /** Writes the averages into the tensors for good (to save or deploy the averaged model). */
  copyTo(): void {
    writeAverages(this.tensors, this.kept);
  }

  /**
   * Runs `fn` with the averages in the tensors' place (evaluate or save the
   * averaged model), and puts the tensors' own values back after, whether fn
   * returns, resolves or throws.
   */
  withAverages<T>(fn: () => T | Promise<T>): Promise<T> {
    return withAveragesWritten(this.tensors, this.kept, fn);
  }

  /** The updates folded in and copies of the averages (yours to dispose), to resume training from. */
  stateDict(): WeightAverageState {
    return { average: this.name, updates: this.count, averages: noGrad(() => this.kept.map((avg) => keep(avg.clone()))) };
  }

  /** Loads a state stateDict() gave, of an average of the same kind over tensors of the same shapes; a state refused changes nothing. */
  loadStateDict(state: WeightAverageState<StateTensor>): void {
    this.prepareLoad(state)();
  }

  /**
   * Checks `state` and gives what loads it (see Optimizer.prepareLoad).
   * @internal
   */
  prepareLoad(state: WeightAverageState<StateTensor>): () => void {
    const where = `${this.name}.loadStateDict`;
    const checked = stateOf(where, state, 'average', this.name);
    const updates = stateCount(where, 'updates', checked.updates);
    const list = checked.averages;
    if (!Array.isArray(list) || list.length !== this.tensors.length) {
      throw new ValueError(`${where}: the state holds ${Array.isArray(list) ? list.length : formatValue(list)} averages and this ${this.name} follows ${this.tensors.length} tensors`);
    }
    const made = list.map((entry: unknown, i) => stateTensor(`${where}: averages[${i}]`, entry, this.tensors[i], ['f32']));
    return () => {
      this.count = updates;
      noGrad(() => {
        this.kept.forEach((avg, i) => {
          const value = made[i]();
          avg.assign(value);
          value.dispose();
        });
      });
    };
  }

  /** Frees the averages. */
  dispose(): void {
    for (const avg of this.kept) avg.dispose();
  }
}

export interface EMAOptions {
  /** How much of the average each update keeps, in [0, 1]. Default 0.999. */
  decay?: number;
  /**
   * The decay at the n-th update is min(decay, (1 + n) / (10 + n)), so the
   * first updates are not dominated by the initial weights (TensorFlow's
   * num_updates). Default false.
   */
  warmup?: boolean;
}

/**
 * An exponential moving average of tensors (a model's weights):
 * average ← decay · average + (1 − decay) · value at each update(), the first
 * update taking the values as they are (PyTorch's AveragedModel with an EMA).
 */
export class EMA extends WeightAverage {
  readonly decay: number;
  readonly warmup: boolean;

  constructor(tensors: Tensor[], options: EMAOptions = {}) {
    const { decay = 0.999, warmup = false } = checkOptions('EMA', options, { decay: true, warmup: 'boolean' });
    super('EMA', tensors);
    this.decay = hyperparameter('EMA', 'decay', decay, 0, 1);
    this.warmup = warmup;
  }

  protected share(n: number): number {
    if (n === 1) return 1;
    return 1 - (this.warmup ? Math.min(this.decay, (1 + n) / (10 + n)) : this.decay);
  }
}

/**
 * Stochastic weight averaging: the plain mean of the values at every
 * update() (call it once an epoch from some epoch on, as the paper does).
 * A model with BatchNorm needs its running statistics recomputed for the
 * averaged weights (a pass over the training data in train mode) before it
 * is evaluated.
 */
export class SWA extends WeightAverage {
  constructor(tensors: Tensor[]) {
    super('SWA', tensors);
  }

  protected share(n: number): number {
    return 1 / n;
  }
}
