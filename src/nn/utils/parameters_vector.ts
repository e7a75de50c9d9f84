// Every parameter of a model as one flat vector and back (PyTorch's
// parameters_to_vector and vector_to_parameters): for methods that treat
// the weights as a single point (evolution strategies, line searches,
// second-order steps, averaging by hand).
import { tidy } from '../../engine.js';
import { DTypeError, ShapeError, ValueError, formatShape, formatValue } from '../../errors.js';
import { cast, concat } from '../../ops/index.js';
import { noGrad } from '../../tape.js';
import { Tensor } from '../../tensor.js';

/**
 * What a write into a tensor must bring up to date, by tensor: a
 * reparametrized layer's weight, computed from the tensor
 * (reparametrize.ts sets it), which would otherwise be stale until the
 * layer's next forward.
 */
const afterWrite = new WeakMap<Tensor, () => void>();

/** Sets (or with null clears) what runs after vectorToParameters writes into `tensor`: once a call, however many of the tensors it covers the call writes. */
export function onWrite(tensor: Tensor, fn: (() => void) | null): void {
  if (fn) afterWrite.set(tensor, fn);
  else afterWrite.delete(tensor);
}

/** `params` checked as a non-empty array of live tensors. */
function checkParams(op: string, params: unknown): readonly Tensor[] {
  if (!Array.isArray(params) || !params.length || params.some((p) => !(p instanceof Tensor))) {
    throw new ValueError(`${op}: params must be a non-empty array of tensors (model.parameters()), got ${formatValue(params)}`);
  }
  for (const [i, p] of params.entries()) if ((p as Tensor).isDisposed) throw new ValueError(`${op}: params[${i}] was disposed`);
  return params as Tensor[];
}

/**
 * The values of `params`, each flattened in its own order, one after the
 * other: a vector [total size]. Differentiable (a loss of it sends gradients
 * back to the parameters). They must share a dtype.
 */
export function parametersToVector(params: readonly Tensor[]): Tensor {
  const ps = checkParams('parametersToVector', params);
  const other = ps.findIndex((p) => p.dtype !== ps[0].dtype);
  if (other >= 0) throw new DTypeError(`parametersToVector: params[0] is ${ps[0].dtype} and params[${other}] ${ps[other].dtype}; the vector has one dtype`);
  return tidy(() => concat(ps.map((p) => p.reshape([p.size]))));
}

/**
 * Writes `vec` into `params` in place, in parametersToVector's order (each
 * parameter takes the next p.size values, cast to its dtype); the tensors
 * stay the same objects, so optimizers and layers holding them see the new
 * values, and a reparametrized layer's weight (weightNorm, spectralNorm,
 * prune) is computed again from them at once. Not recorded for gradients,
 * as an optimizer's step.
 */
export function vectorToParameters(vec: Tensor, params: readonly Tensor[]): void {
  if (!(vec instanceof Tensor)) throw new ValueError(`vectorToParameters: vec must be a tensor, got ${formatValue(vec)}`);
  const ps = checkParams('vectorToParameters', params);
  const total = ps.reduce((n, p) => n + p.size, 0);
  if (vec.rank !== 1) throw new ShapeError(`vectorToParameters: vec must be a vector, got ${formatShape(vec.shape)}`);
  if (vec.shape[0] !== total) {
    throw new ShapeError(`vectorToParameters: vec ${formatShape(vec.shape)} has ${vec.shape[0]} values; the parameters ${ps.map((p) => formatShape(p.shape)).join(', ')} hold ${total}`);
  }
  noGrad(() => {
    let offset = 0;
    for (const p of ps) {
      const values = tidy(() => {
        const part = vec.slice([offset], [p.size]).reshape(p.shape);
        return part.dtype === p.dtype ? part : cast(part, p.dtype);
      });
      p.assign(values);
      values.dispose();
      offset += p.size;
    }
  });
  for (const fn of new Set(ps.map((p) => afterWrite.get(p)))) fn?.();
}
