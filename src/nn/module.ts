// Module: the base of every layer. A layer is a small class a user could
// write: it owns parameters (tensors with requiresGrad) and sublayers, held
// in its fields, and maps a tensor to a tensor in `forward`.
import { Tensor } from '../tensor.js';

export abstract class Module {
  /** Train mode (the default) enables dropout; eval mode turns it off. */
  training = true;

  abstract forward(x: Tensor): Tensor;

  /**
   * Sublayers, for parameters() and train()/eval() to recurse into: by
   * default every layer held in a field (or in an array in a field), in the
   * order the fields were set, as PyTorch registers submodules.
   */
  children(): Module[] {
    const out: Module[] = [];
    for (const value of Object.values(this)) {
      if (value instanceof Module) out.push(value);
      else if (Array.isArray(value)) for (const v of value) if (v instanceof Module) out.push(v);
    }
    return out;
  }

  /**
   * This layer's own parameters, named (the names saving uses): by default
   * every field holding a tensor with requiresGrad, so a custom layer's
   * weights are trained by fit and stepped by an optimizer of parameters().
   */
  ownParameters(): Record<string, Tensor> {
    const out: Record<string, Tensor> = {};
    for (const [name, value] of Object.entries(this)) if (value instanceof Tensor && !value.isDisposed && value.requiresGrad) out[name] = value;
    return out;
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
