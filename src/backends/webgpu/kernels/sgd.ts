// One SGD step (ops/sgd.ts gives the formula) recorded as the pending
// elementwise ops that ops/sgd.ts's elementwise way would record, as
// kernels/adam.ts records Adam's: fusion makes it one kernel, computing the
// same bits, without a tensor made per op.
import type { SgdStep } from '../../kernels.js';
import { arithmetic, type Info, type Recorder } from './recorder.js';

/** The new p, and the new velocity (null without momentum), as pending expressions. */
export function recordSgd(r: Recorder, p: Info, g: Info, velocity: Info | null, h: SgdStep): [Info, Info | null] {
  const [add, sub, mul] = (['add', 'sub', 'mul'] as const).map((op) => arithmetic(r, op));
  const grad = h.weightDecay !== 0 ? add(g, mul(p, h.weightDecay)) : g;
  if (h.momentum === 0) return [sub(p, mul(grad, h.lr)), null];
  // The first velocity is the gradient, in a buffer of its own.
  const v = velocity ? add(mul(velocity, h.momentum), grad) : r.op({ kind: 'unary', op: 'copy' }, [grad]);
  return [sub(p, mul(h.nesterov ? add(grad, mul(v, h.momentum)) : v, h.lr)), v];
}
