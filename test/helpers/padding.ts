// tm.pad's modes as the references of the signal tests read them.

export type PadMode = 'reflect' | 'constant' | 'replicate' | 'circular';

/** Sample p of x (one signal) under `mode`, p possibly outside [0, x.length): torch's F.pad of one sample at a time. */
export function paddedAt(x: ArrayLike<number>, p: number, mode: PadMode): number {
  const L = x.length;
  if (p >= 0 && p < L) return x[p];
  if (mode === 'constant') return 0;
  if (mode === 'replicate') return x[p < 0 ? 0 : L - 1];
  if (mode === 'circular') return x[((p % L) + L) % L];
  return x[p < 0 ? -p : 2 * (L - 1) - p];
}
