// One SGD step (ops/sgd.ts gives the formula) in one loop, each product and
// sum rounded to f32 as the elementwise ops that spell it out would round it.
import { sizeOf } from '../../shape.js';
import type { SgdStep, TensorInfo } from '../kernels.js';
import type { StorageArray } from '../../dtype.js';

export function sgd(
  p: TensorInfo<StorageArray>, g: TensorInfo<StorageArray>, velocity: TensorInfo<StorageArray> | null, h: SgdStep,
): [Float32Array, Float32Array | null] {
  const f = Math.fround;
  const [P, G] = [p.storage as Float32Array, g.storage as Float32Array];
  const V = velocity?.storage as Float32Array | undefined;
  const n = sizeOf(p.shape);
  const pOut = new Float32Array(n);
  const vOut = h.momentum !== 0 ? new Float32Array(n) : null;
  const [lr, mu, decay] = [f(h.lr), f(h.momentum), f(h.weightDecay)];
  for (let i = 0; i < n; i++) {
    const gi = h.weightDecay !== 0 ? f(G[i] + f(P[i] * decay)) : G[i];
    if (!vOut) {
      pOut[i] = f(P[i] - f(gi * lr));
      continue;
    }
    const vi = V ? f(f(V[i] * mu) + gi) : gi;
    vOut[i] = vi;
    pOut[i] = f(P[i] - f((h.nesterov ? f(gi + f(vi * mu)) : vi) * lr));
  }
  return [pOut, vOut];
}
