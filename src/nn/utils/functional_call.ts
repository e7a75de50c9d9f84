// A module called with some of its parameters (or buffers) replaced by
// other tensors, as PyTorch's torch.func.functional_call: the module's
// own tensors are untouched, and gradients flow to the ones given. What
// meta-learning needs (MAML's inner step: the loss of the model at
// θ − α∇L(θ), differentiated back to θ), and derivatives of a model's
// output with respect to its weights (tm.autograd.jacobian over a function
// of the weights).
import { ShapeError, ValueError, formatShape, formatValue } from '../../errors.js';
import { Tensor } from '../../tensor.js';
import { Module } from '../module.js';

/** The layer a path of namedState's names (`0.1.weight`) holds its tensor in, and the field. */
function ownerOf(module: Module, name: string): [Module, string] {
  const parts = name.split('.');
  let layer = module;
  for (const part of parts.slice(0, -1)) layer = layer.children()[Number(part)];
  return [layer, parts[parts.length - 1]];
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
  const state = module.namedState();
  const swaps: [Record<string, unknown>, string, Tensor, Tensor][] = [];
  for (const [name, t] of Object.entries(replacements)) {
    const own = state[name];
    if (own === undefined) throw new ValueError(`functionalCall: the module has no parameter or buffer ${name} (it has ${Object.keys(state).join(', ')})`);
    if (!(t instanceof Tensor)) throw new ValueError(`functionalCall: ${name} must be a tensor, got ${formatValue(t)}`);
    if (t.shape.join() !== own.shape.join()) throw new ShapeError(`functionalCall: ${name} is ${formatShape(own.shape)} in the module, the replacement ${formatShape(t.shape)}`);
    const [layer, field] = ownerOf(module, name);
    const fields = layer as unknown as Record<string, unknown>;
    // A layer that names its tensors otherwise than its fields cannot take a replacement this way: refused rather than ignored.
    if (fields[field] !== own) throw new ValueError(`functionalCall: ${name} is not held in a field ${field} of its ${layer.constructor.name}, so it cannot be replaced`);
    swaps.push([fields, field, own, t]);
  }
  for (const [fields, field, , t] of swaps) fields[field] = t;
  try {
    return Reflect.apply(module.forward, module, args) as ReturnType<M['forward']>;
  } finally {
    for (const [fields, field, own] of swaps) fields[field] = own;
  }
}
