// Delta features (torchaudio.functional.compute_deltas, HTK's regression
// formula): each coefficient's slope over time, least squares over a window
// of 2n + 1 frames: d[t] = Σ_{k=1..n} k·(c[t + k] − c[t − k]) / (2·Σ k²).
import { tidy } from '../engine.js';
import { ValueError, formatValue } from '../errors.js';
import { add, mul, sub } from '../ops/elementwise.js';
import { pad, slice } from '../ops/movement.js';
import { checkOptions } from '../options.js';
import type { Tensor } from '../tensor.js';
import { checkFloatTensor } from './checks.js';

/** computeDeltas' options. */
export interface DeltaOptions {
  /** The window, 2n + 1 frames (an even length reads as one less), at least 3 (default 5). */
  winLength?: number;
  /** How the ends are padded: tm.pad's modes (default 'replicate'). */
  mode?: 'replicate' | 'constant' | 'reflect' | 'circular';
}

/** The deltas of specgram [..., freq, time] (any float tensor, along its last axis), its shape. Differentiable. */
export function computeDeltas(specgram: Tensor, options: DeltaOptions = {}): Tensor {
  const op = 'computeDeltas';
  const { winLength = 5, mode = 'replicate' } = checkOptions(op, options, { winLength: true, mode: true });
  if (!Number.isSafeInteger(winLength) || winLength < 3) throw new ValueError(`${op}: winLength must be an integer ≥ 3, got ${formatValue(winLength)}`);
  const c = checkFloatTensor(op, specgram, 'specgram', 1, '[..., time]');
  const n = Math.floor((winLength - 1) / 2);
  const denominator = (n * (n + 1) * (2 * n + 1)) / 3;
  const time = c.shape[c.rank - 1];
  return tidy(() => {
    const padded = pad(c, c.shape.map((_, i) => (i === c.rank - 1 ? [n, n] : [0, 0])), { mode });
    const at = (k: number) => slice(padded, c.shape.map((_, i) => (i === c.rank - 1 ? n + k : 0)), c.shape.map((d, i) => (i === c.rank - 1 ? time : d)));
    let sum: Tensor | undefined;
    for (let k = 1; k <= n; k++) {
      const term = mul(sub(at(k), at(-k)), k / denominator);
      sum = sum ? add(sum, term) : term;
    }
    return sum!;
  });
}
