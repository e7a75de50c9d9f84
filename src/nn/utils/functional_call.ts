// A module called with some of its parameters (or buffers) replaced by
// other tensors, as PyTorch's torch.func.functional_call: the module's
// own tensors are untouched, and gradients flow to the ones given. What
// meta-learning needs (MAML's inner step: the loss of the model at
// θ − α∇L(θ), differentiated back to θ), and derivatives of a model's
// output with respect to its weights (tm.autograd.jacobian over a function
// of the weights).
import { ShapeError, ValueError, formatShape, formatValue } from '../../errors.js';
import { Tensor } from '../../tensor.js';
import { Module, REPLACE_OWN_TENSOR } from '../module.js';
import { refuseUnbuilt } from '../unbuilt.js';

/** The layer a path of namedState's names (`0.1.weight`, `1.enc.weight`) holds its tensor in, and the tensor's name there. */
function ownerOf(owners: ReadonlyMap<string, Module>, name: string): [Module, string] {
  const cut = name.lastIndexOf('.');
  return [owners.get(cut < 0 ? '' : name.slice(0, cut))!, name.slice(cut + 1)];
}

/**
 * module.forward(...args) with the tensors of `replacements` in place of its
 * parameters and buffers of the same names (namedState's: `0.weight`…),
 * each of the same shape; the module's own tensors are put back afterwards,
 * a throw included.
 */
export function functionalCall<M extends Module>(
  module: M, replacements: Readonly<Record<string, Tensor>>, ...args: Parameters<M['forward']>
): ReturnType<M['forward']> {
  if (!(module instanceof Module)) throw new ValueError(`functionalCall: expects a module, got ${formatValue(module)}`);
  // Said as such: a lazy layer not built yet has no tensors to replace, and the forward would build it.
  refuseUnbuilt('functionalCall', module);
  const state = module.namedState();
  // Each tensor's layer by its path, once: a lookup per name stays linear in the names.
  const owners = new Map(module.namedModules());
  // Each swap is undone, last first, once forward is done, or at once where a later name is refused.
  const undo: (() => void)[] = [];
  try {
    for (const [name, t] of Object.entries(replacements)) {
      const own = state[name];
      if (own === undefined) throw new ValueError(`functionalCall: the module has no parameter or buffer ${name} (it has ${Object.keys(state).join(', ')})`);
      if (!(t instanceof Tensor)) throw new ValueError(`functionalCall: ${name} must be a tensor, got ${formatValue(t)}`);
      if (t.shape.join() !== own.shape.join()) throw new ShapeError(`functionalCall: ${name} is ${formatShape(own.shape)} in the module, the replacement ${formatShape(t.shape)}`);
      const [layer, field] = ownerOf(owners, name);
      // A layer that names its tensors otherwise than its fields cannot take a replacement this way: refused rather than ignored.
      const putBack = layer[REPLACE_OWN_TENSOR](field, own, t);
      if (!putBack) throw new ValueError(`functionalCall: ${name} is not held in a field ${field} of its ${layer.constructor.name}, so it cannot be replaced`);
      undo.push(putBack);
    }
    return Reflect.apply(module.forward, module, args) as ReturnType<M['forward']>;
  } finally {
    for (const putBack of undo.reverse()) putBack();
  }
}
