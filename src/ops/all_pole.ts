// The all-pole recursion w[n] = v[n] − Σₖ aₖ·w[n − k] along each row of v,
// for coefficients known on the host (tm.signal's lfilter and sosfilt with
// numbers): one pass over the samples on every backend (a row per
// invocation on the GPU). Its gradient is the same recursion run backwards:
// the filter is a lower-triangular Toeplitz operator, whose transpose is
// the reversal of it.
import { backendFor } from '../engine.js';
import { ValueError, formatValue } from '../errors.js';
import { record } from '../tape.js';
import type { Tensor } from '../tensor.js';
import { MOST_POLES, allPoleKernelOf } from '../backends/all_pole.js';
import { flip } from './movement.js';
import { computed } from './util.js';

export { MOST_POLES } from '../backends/all_pole.js';

/**
 * v f32 [rows, n] through 1/A(z), a = [1, a₁ … a_p] (normalized, p ≤
 * MOST_POLES): f32 [rows, n]. Differentiable in v.
 */
export function allPole(v: Tensor, a: readonly number[]): Tensor {
  if (a[0] !== 1 || a.length - 1 > MOST_POLES) throw new ValueError(`allPole: a must be [1, a1 … ap] with p ≤ ${MOST_POLES}, got ${formatValue(a)}`);
  const backend = backendFor('allPole', [v.dataRef('allPole')]);
  const coefficients = Float32Array.from(a.slice(1));
  const out = computed('allPole', backend, v.shape, 'f32', () => allPoleKernelOf(backend)(v.info('allPole'), v.shape[0], coefficients));
  return record(out, 'allPole', [v], [], (dy) => [flip(allPole(flip(dy, 1), a), 1)]);
}
