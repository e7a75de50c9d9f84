// One Adam step (ops/adam.ts gives the formula) recorded as the pending
// elementwise ops that ops/adam.ts's elementwise way would record, in the
// same shape: fusion turns it into the same one kernel, computing the same
// bits, without a tensor made (and autograd and tidy consulted) per op.
import type { AdamStep } from '../../kernels.js';
import { arithmetic, type Info, type Recorder } from './recorder.js';

/** The new p, m and v as pending expressions. */
export function recordAdam(r: Recorder, p: Info, g: Info, m: Info, v: Info, h: AdamStep): [Info, Info, Info] {
  const [add, sub, mul, div] = (['add', 'sub', 'mul', 'div'] as const).map((op) => arithmetic(r, op));
  const grad = h.l2 !== 0 ? add(g, mul(p, h.l2)) : g;
  const m1 = add(mul(m, h.beta1), mul(grad, 1 - h.beta1));
  const v1 = add(mul(v, h.beta2), mul(mul(grad, grad), 1 - h.beta2));
  const base = h.decay !== 1 ? mul(p, h.decay) : p;
  const p1 = sub(base, mul(div(m1, add(r.op({ kind: 'unary', op: 'sqrt' }, [v1]), h.epsilonHat)), h.stepSize));
  return [p1, m1, v1];
}
