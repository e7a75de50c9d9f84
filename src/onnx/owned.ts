// The tensors an asynchronous run made, by the graph run that made them:
// tidy is synchronous, so runAsync frees its intermediates itself. Each node
// runs in a tidy of its own (which frees what it made but did not return);
// what it returned is owned here by the graph it ran in. When a subgraph run
// ends, its outputs pass to the graph around it and the rest is freed — as
// nested tidies would do — and the main graph's end frees all but its outputs.
// A sequence's tensors count as its own: kept with it, freed with it.
import type { Tensor } from '../tensor.js';
import { tensorsIn, type Value } from './value.js';

export class OwnedTensors {
  /** One set per graph run in progress, innermost last. */
  readonly #levels: Set<Tensor>[] = [];
  /** Tensors the run did not make and must never free: the inputs, the parameters, the model's kept tensors. */
  readonly #outside: (t: Tensor) => boolean;
  /** Which level owns each tensor the run made. */
  readonly #owner = new Map<Tensor, Set<Tensor>>();

  constructor(outside: (t: Tensor) => boolean) {
    this.#outside = outside;
  }

  /** A graph run begins: what its nodes make is its own until it ends. */
  enter(): void {
    this.#levels.push(new Set());
  }

  /** Records a node's results: a tensor seen for the first time was made by it, and belongs to the graph running now. */
  add(values: readonly Value[]): void {
    const level = this.#levels[this.#levels.length - 1];
    for (const v of values.flatMap(tensorsIn)) {
      if (this.#owner.has(v) || this.#outside(v)) continue;
      level.add(v);
      this.#owner.set(v, level);
    }
  }

  /**
   * The graph run in progress ends: `kept` (its outputs) pass to the graph
   * around it, or, for the main graph, to no one (the caller's now); every
   * other tensor it made is freed. On a failure nothing is kept.
   */
  leave(kept: readonly Value[]): void {
    const level = this.#levels.pop()!;
    const parent = this.#levels[this.#levels.length - 1];
    const keep = new Set(kept.flatMap(tensorsIn));
    for (const t of level) {
      if (keep.has(t)) {
        if (parent) {
          parent.add(t);
          this.#owner.set(t, parent);
        } else this.#owner.delete(t);
      } else {
        this.#owner.delete(t);
        if (!t.isDisposed) t.dispose();
      }
    }
  }
}

