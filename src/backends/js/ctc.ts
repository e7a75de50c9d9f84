// The CTC kernel on the js backend (the contract in kernels.ts): for each
// sample, the forward variables α and, for a gradient, the backward
// variables β over the target interleaved with blanks, in float64 and in
// log space, as Graves et al. (2006) give them; rounded once on store.
import type { StorageArray } from '../../dtype.js';
import { valuesOf, type Js } from './values.js';

/** log(e^a + e^b), exact where either is −∞. */
function logAdd(a: number, b: number): number {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  return Math.max(a, b) + Math.log1p(Math.exp(-Math.abs(a - b)));
}

export function ctc(lp: Js, targets: Js, inputLengths: Int32Array, targetLengths: Int32Array, blank: number, withGrad: boolean): StorageArray {
  const [frames, batch, classes] = lp.shape;
  const labels = targets.shape[1];
  const [x, y] = [valuesOf(lp), valuesOf(targets)];
  const out = new Float32Array(batch + (withGrad ? frames * batch * classes : 0));
  const grad = out.subarray(batch);
  for (let n = 0; n < batch; n++) {
    const [steps, states] = [inputLengths[n], 2 * targetLengths[n] + 1];
    const ext = Int32Array.from({ length: states }, (_, s) => (s & 1 ? y[n * labels + (s >> 1)] : blank));
    if (ext.some((c) => c < 0 || c >= classes)) {
      out[n] = NaN;
      if (withGrad) for (let t = 0; t < steps; t++) grad.fill(NaN, (t * batch + n) * classes, (t * batch + n + 1) * classes);
      continue;
    }
    const at = (t: number, s: number) => x[(t * batch + n) * classes + ext[s]];
    // A state may also be entered from two back (over a blank) unless it is a blank or repeats the label there.
    const skips = (s: number) => s >= 2 && ext[s] !== blank && ext[s] !== ext[s - 2];
    const alpha = new Float64Array(steps * states).fill(-Infinity);
    alpha[0] = at(0, 0);
    if (states > 1) alpha[1] = at(0, 1);
    for (let t = 1; t < steps; t++) {
      for (let s = 0; s < states; s++) {
        const from = (t - 1) * states + s;
        let sum = alpha[from];
        if (s >= 1) sum = logAdd(sum, alpha[from - 1]);
        if (skips(s)) sum = logAdd(sum, alpha[from - 2]);
        alpha[t * states + s] = sum + at(t, s);
      }
    }
    const last = (steps - 1) * states;
    const logLikelihood = logAdd(alpha[last + states - 1], states > 1 ? alpha[last + states - 2] : -Infinity);
    out[n] = -logLikelihood;
    if (!withGrad || logLikelihood === -Infinity) continue;
    const beta = new Float64Array(steps * states).fill(-Infinity);
    beta[last + states - 1] = at(steps - 1, states - 1);
    if (states > 1) beta[last + states - 2] = at(steps - 1, states - 2);
    for (let t = steps - 2; t >= 0; t--) {
      for (let s = 0; s < states; s++) {
        const from = (t + 1) * states + s;
        let sum = beta[from];
        if (s + 1 < states) sum = logAdd(sum, beta[from + 1]);
        if (s + 2 < states && skips(s + 2)) sum = logAdd(sum, beta[from + 2]);
        beta[t * states + s] = sum + at(t, s);
      }
    }
    // d(−log p)/d lp[t, c] = −Σ over the states s of class c of α_t(s)·β_t(s) / (p · y_t(c)): α and β both hold y_t(c).
    const occupancy = new Map<number, number>();
    for (let t = 0; t < steps; t++) {
      occupancy.clear();
      for (let s = 0; s < states; s++) occupancy.set(ext[s], logAdd(occupancy.get(ext[s]) ?? -Infinity, alpha[t * states + s] + beta[t * states + s]));
      const row = (t * batch + n) * classes;
      for (const [c, logSum] of occupancy) grad[row + c] = -Math.exp(logSum - logLikelihood - x[row + c]);
    }
  }
  return out;
}
