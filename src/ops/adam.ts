// One Adam step as one op: the new parameter and moments,
//   g' = g + l2·p                       (Adam's weight decay, when l2 ≠ 0)
//   m' = β1·m + (1 − β1)·g'
//   v' = β2·v + (1 − β2)·g'²
//   p' = decay·p − stepSize · m' / (√v' + ε̂)   (AdamW's decay, when ≠ 1)
// in one pass over memory where the backend has the kernel (js, native: as
// separate elementwise ops the step is a dozen passes; webgpu records those
// ops' expression at once, which it fuses into one kernel), and elsewhere
// as those elementwise ops. The optimizer (optim/adam.ts) folds its bias
// correction into stepSize and ε̂.
import type { AdamStep } from '../backends/kernels.js';
import { tidy } from '../engine.js';
import type { Tensor } from '../tensor.js';
import { add, div, mul, sqrt, square, sub } from './elementwise.js';
import { fromStorage, sameShapeOperands } from './util.js';

export type { AdamStep } from '../backends/kernels.js';

export interface AdamState {
  p: Tensor;
  m: Tensor;
  v: Tensor;
}

export function adamStep(p: Tensor, g: Tensor, m: Tensor, v: Tensor, step: AdamStep): AdamState {
  const backend = sameShapeOperands('adam', { p, g, m, v });
  if (!backend.adam || [p, g, m, v].some((t) => t.dtype !== 'f32')) return adamStepByOps(p, g, m, v, step);
  const [sp, sm, sv] = backend.adam(p.info('adam'), g.info('adam'), m.info('adam'), v.info('adam'), step);
  return { p: fromStorage(backend, sp, p.shape, 'f32'), m: fromStorage(backend, sm, p.shape, 'f32'), v: fromStorage(backend, sv, p.shape, 'f32') };
}

/** The same step as elementwise ops (any float dtypes, promoted as the ops promote). */
export function adamStepByOps(p: Tensor, g: Tensor, m: Tensor, v: Tensor, step: AdamStep): AdamState {
  return tidy(() => {
    const grad = step.l2 !== 0 ? add(g, mul(p, step.l2)) : g;
    const m1 = add(mul(m, step.beta1), mul(grad, 1 - step.beta1));
    const v1 = add(mul(v, step.beta2), mul(square(grad), 1 - step.beta2));
    const base = step.decay !== 1 ? mul(p, step.decay) : p;
    return { p: sub(base, mul(div(m1, add(sqrt(v1), step.epsilonHat)), step.stepSize)), m: m1, v: v1 };
  });
}
