// Module: the base of every layer. A layer is a small class a user could
// write: it owns parameters (tensors with requiresGrad) and sublayers, and
// maps a tensor to a tensor in `forward`.
import type { Tensor } from '../tensor.js';

export abstract class Module {
  /** Train mode (the default) enables dropout; eval mode turns it off. */
  training = true;

  abstract forward(x: Tensor): Tensor;

  /** Sublayers, for parameters() and train()/eval() to recurse into. */
  children(): Module[] {
    return [];
  }

  /** This layer's own parameters, named (used for saving). */
  ownParameters(): Record<string, Tensor> {
    return {};
  }

  /** Every parameter of this layer and its sublayers. */
  parameters(): Tensor[] {
    return Object.values(this.namedParameters());
  }

  /** Parameters keyed by path: `0.weight`, `2.bias`… (the names in a saved file). */
  namedParameters(prefix = ''): Record<string, Tensor> {
    const out: Record<string, Tensor> = {};
    for (const [name, p] of Object.entries(this.ownParameters())) out[prefix + name] = p;
    this.children().forEach((child, i) => Object.assign(out, child.namedParameters(`${prefix}${i}.`)));
    return out;
  }

  train(on = true): this {
    this.training = on;
    for (const c of this.children()) c.train(on);
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  /** A plain description from which `tm.nn.load` rebuilds the layer. */
  abstract config(): LayerConfig;

  /** Frees every parameter (and its gradient). */
  dispose(): void {
    for (const p of this.parameters()) {
      p.grad?.dispose();
      p.dispose();
    }
  }
}

export type LayerConfig = { type: string; [key: string]: unknown };
