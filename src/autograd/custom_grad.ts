// Ops with a gradient of the user's choosing (torch.autograd.Function,
// tf.customGrad): a straight-through estimator, a gradient reversal layer, a
// stabler formula than the one autograd would derive. The forward runs
// without recording; the gradient the user gives is what the backward pass
// applies, recorded like any op's when the pass records (createGraph).
import { ShapeError, ValueError, formatShape, formatValue } from '../errors.js';
import { sameShape } from '../shape.js';
import { cast, sumToShape } from '../ops/index.js';
import { checkTensor } from '../ops/util.js';
import { noGrad, record } from '../tape.js';
import { Tensor } from '../tensor.js';

/** What the function given to customGrad returns: its result, and how to differentiate it. */
export interface CustomGradResult {
  /** The result. */
  value: Tensor;
  /**
   * The gradient of each input given the result's gradient `dy` (of the
   * result's shape) and the tensors listed in `save`: a tensor of the
   * input's shape (or one that broadcasts to it, summed back as a broadcast's
   * gradient is), or null for none. Written with tmnn's ops, it can be
   * differentiated again (createGraph).
   */
  gradient: (dy: Tensor, saved: readonly Tensor[]) => readonly (Tensor | null)[] | Tensor | null;
  /**
   * Tensors the gradient reads, kept alive until the backward pass has run
   * (the inputs or the value among them): the forward's intermediates may be
   * freed (by a tidy) before then.
   */
  save?: readonly Tensor[];
}

/**
 * An op made of `fn`, whose gradient is the one `fn` says rather than the one
 * autograd would derive from its ops: `fn(...inputs)` returns
 * `{ value, gradient, save? }` (see CustomGradResult) and runs without
 * recording a graph. Inputs are tensors; each gets a gradient if it needs one.
 *
 *     const roundSte = tm.autograd.customGrad((x) => ({ value: x.round(), gradient: (dy) => dy }));
 */
export function customGrad<Inputs extends Tensor[]>(fn: (...inputs: Inputs) => CustomGradResult): (...inputs: Inputs) => Tensor {
  if (typeof fn !== 'function') throw new ValueError(`customGrad: expects a function of tensors, got ${formatValue(fn)}`);
  const name = fn.name || 'customGrad';
  return (...inputs: Inputs): Tensor => {
    inputs.forEach((x, i) => checkTensor(name, x, `input ${i}`));
    const result = noGrad(() => fn(...inputs));
    if (result === null || typeof result !== 'object' || !(result.value instanceof Tensor)) {
      throw new ValueError(`${name}: customGrad's function must return { value, gradient }, value a tensor; got ${formatValue(result)}`);
    }
    const { value, gradient, save = [] } = result;
    if (typeof gradient !== 'function') throw new ValueError(`${name}: customGrad's function must return a gradient function, got ${formatValue(gradient)}`);
    if (!Array.isArray(save)) throw new ValueError(`${name}: save must be a list of tensors, got ${formatValue(save)}`);
    save.forEach((t, i) => checkTensor(name, t, `save[${i}]`));
    // The value's own tensor, not one an input shares: recording links it, and an input handed back unchanged would be linked to itself.
    const output = inputs.includes(value) ? value.detach() : value;
    return record(output, name, inputs, save, (dy, saved, needs) => gradientsOf(name, gradient(dy, saved), inputs, needs));
  };
}

/** What a custom gradient function returned, checked against the inputs: one per input, each summed to its input's shape and dtype. */
function gradientsOf(name: string, given: readonly (Tensor | null)[] | Tensor | null, inputs: readonly Tensor[], needs: readonly boolean[]): (Tensor | null)[] {
  const list = given instanceof Tensor || given === null ? [given] : given;
  if (!Array.isArray(list) || list.length !== inputs.length) {
    throw new ValueError(`${name}: the gradient function must return one gradient (or null) per input, ${inputs.length}; got ${formatValue(given)}`);
  }
  return list.map((g, i) => {
    if (g === null || g === undefined || !needs[i]) return null;
    if (!(g instanceof Tensor)) throw new ValueError(`${name}: gradient ${i} must be a tensor or null, got ${formatValue(g)}`);
    const x = inputs[i];
    const misfit = () => new ShapeError(`${name}: gradient ${i} ${formatShape(g.shape)} does not fit input ${i} ${formatShape(x.shape)}`);
    if (g.rank < x.rank || g.shape.slice(g.rank - x.rank).some((d, k) => d !== x.shape[k] && x.shape[k] !== 1)) throw misfit();
    // A view even of the same shape: the walk frees the gradients it is given, and this one may be dy, a saved tensor or one the user keeps.
    const summed = sumToShape(g, x.shape);
    if (!sameShape(summed.shape, x.shape)) throw misfit();
    return summed.dtype === x.dtype ? summed : cast(summed, x.dtype);
  });
}
