// One Adam step (ops/adam.ts gives the formula) in one loop, each product and
// sum rounded to f32 as the elementwise ops that spell it out would round it.
import { sizeOf } from '../../shape.js';
import type { AdamStep, TensorInfo } from '../kernels.js';
import type { StorageArray } from '../../dtype.js';

export function adam(
  p: TensorInfo<StorageArray>, g: TensorInfo<StorageArray>, m: TensorInfo<StorageArray>, v: TensorInfo<StorageArray>, h: AdamStep,
): [Float32Array, Float32Array, Float32Array] {
  const f = Math.fround;
  const [P, G, M, V] = [p, g, m, v].map((t) => t.storage as Float32Array);
  const n = sizeOf(p.shape);
  const [pOut, mOut, vOut] = [new Float32Array(n), new Float32Array(n), new Float32Array(n)];
  const [b1, c1, b2, c2] = [f(h.beta1), f(1 - h.beta1), f(h.beta2), f(1 - h.beta2)];
  const [step, eps, l2, decay] = [f(h.stepSize), f(h.epsilonHat), f(h.l2), f(h.decay)];
  for (let i = 0; i < n; i++) {
    const gi = h.l2 !== 0 ? f(G[i] + f(P[i] * l2)) : G[i];
    const mi = f(f(M[i] * b1) + f(gi * c1));
    const vi = f(f(V[i] * b2) + f(f(gi * gi) * c2));
    const base = h.decay !== 1 ? f(P[i] * decay) : P[i];
    mOut[i] = mi;
    vOut[i] = vi;
    pOut[i] = f(base - f(f(mi / f(f(Math.sqrt(vi)) + eps)) * step));
  }
  return [pOut, mOut, vOut];
}
