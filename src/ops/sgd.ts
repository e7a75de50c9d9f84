// One SGD step as one op: the new parameter and velocity,
//   g' = g + weightDecay·p              (when weightDecay ≠ 0)
//   v' = momentum·v + g'                (v' = g' on the first step; none without momentum)
//   p' = p − lr·(nesterov ? g' + momentum·v' : v')   (p − lr·g' without momentum)
// in one pass over memory where the backend has the kernel, and elsewhere as
// the elementwise ops that spell it out (as ops/adam.ts does for Adam).
import type { SgdStep } from '../backends/kernels.js';
import { tidy } from '../engine.js';
import type { Tensor } from '../tensor.js';
import { add, mul, sub } from './elementwise.js';
import { fromStorage, sameShapeOperands } from './util.js';

export type { SgdStep } from '../backends/kernels.js';

export interface SgdState {
  p: Tensor;
  /** The new velocity: null without momentum. */
  velocity: Tensor | null;
}

/** `velocity` is the last step's (null on the first step, and without momentum). */
export function sgdStep(p: Tensor, g: Tensor, velocity: Tensor | null, step: SgdStep): SgdState {
  const named: Record<string, Tensor> = velocity ? { p, g, velocity } : { p, g };
  const backend = sameShapeOperands('sgd', named);
  const tensors = Object.values(named);
  if (!backend.sgd || tensors.some((t) => t.dtype !== 'f32')) return sgdStepByOps(p, g, velocity, step);
  const [sp, sv] = backend.sgd(p.info('sgd'), g.info('sgd'), velocity?.info('sgd') ?? null, step);
  return { p: fromStorage(backend, sp, p.shape, 'f32'), velocity: sv === null ? null : fromStorage(backend, sv, p.shape, 'f32') };
}

/** The same step as elementwise ops (any float dtypes, promoted as the ops promote). */
export function sgdStepByOps(p: Tensor, g: Tensor, velocity: Tensor | null, step: SgdStep): SgdState {
  return tidy(() => {
    const grad = step.weightDecay !== 0 ? add(g, mul(p, step.weightDecay)) : g;
    if (step.momentum === 0) return { p: sub(p, mul(grad, step.lr)), velocity: null };
    // The first velocity is the gradient: a view of it, which outlives the gradient's tensor.
    const v = velocity ? add(mul(velocity, step.momentum), grad) : grad.reshape(grad.shape);
    const direction = step.nesterov ? add(grad, mul(v, step.momentum)) : v;
    return { p: sub(p, mul(direction, step.lr)), velocity: v };
  });
}
