// Optimizer: updates parameters in place (Tensor.assign) from their .grad,
// outside the autograd graph.
import { keep, tidy } from '../engine.js';
import { ValueError } from '../errors.js';
import { noGrad } from '../tape.js';
import type { Tensor } from '../tensor.js';

export abstract class Optimizer {
  /** The learning rate; schedulers change it between epochs. */
  lr: number;
  protected readonly params: Tensor[];
  /** Per-parameter state (momentum buffers, moments), created on first use. */
  private readonly state = new Map<Tensor, Record<string, Tensor>>();
  protected steps = 0;

  constructor(params: Tensor[], lr: number) {
    if (!(lr > 0)) throw new ValueError(`optimizer: lr must be positive, got ${lr}`);
    const bad = params.find((p) => !p.requiresGrad);
    if (bad) throw new ValueError(`optimizer: parameter ${bad} does not have requiresGrad set`);
    this.params = params;
    this.lr = lr;
  }

  /** The new value of `param` from its gradient; `state` holds this parameter's buffers. */
  protected abstract update(param: Tensor, grad: Tensor, state: Record<string, Tensor>): Tensor;

  /** Applies one update to every parameter that has a gradient. */
  step(): void {
    this.steps++;
    noGrad(() => {
      for (const p of this.params) {
        if (!p.grad) continue;
        const state = this.state.get(p) ?? {};
        this.state.set(p, state);
        const next = tidy(() => {
          const value = this.update(p, p.grad!, state);
          // Buffers replaced during the update must outlive the tidy.
          for (const t of Object.values(state)) keep(t);
          return value;
        });
        p.assign(next);
        next.dispose();
      }
    });
  }

  /** Replaces a state buffer, freeing the old one. */
  protected setState(state: Record<string, Tensor>, key: string, value: Tensor): Tensor {
    const old = state[key];
    state[key] = keep(value);
    if (old && old !== value) old.dispose();
    return value;
  }

  /** Clears every parameter's gradient. */
  zeroGrad(): void {
    for (const p of this.params) {
      p.grad?.dispose();
      p.grad = null;
    }
  }

  /** Frees the optimizer's buffers. */
  dispose(): void {
    for (const s of this.state.values()) for (const t of Object.values(s)) t.dispose();
    this.state.clear();
  }
}
