// The probe: one timed matmul per backend, used by selection.ts to choose
// between a hardware GPU and OpenBLAS. Timings are cached per machine in
// $XDG_CACHE_HOME/tmnn/probe.json (or ~/.cache/...), keyed by everything that
// changes the answer: tmnn's version, the backend and its device, and the
// environment OpenBLAS reads.
import type { Backend } from './backends/kernels.js';
import { encodeValues } from './dtype.js';
import { normal } from './random.js';
import { VERSION } from './version.js';

const PROBE_N = 512;

export function probeKey(backend: Backend): string {
  const env = typeof process !== 'undefined' ? process.env : {};
  const blas = ['OPENBLAS_CORETYPE', 'OPENBLAS_NUM_THREADS', 'TMNN_NUM_THREADS'].map((k) => `${k}=${env[k] ?? ''}`).join(',');
  return `${VERSION}|${backend.name}|${backend.device.description}|${blas}`;
}

/**
 * GFLOP/s of an n×n f32 matmul including the readback: the best of runs that
 * fill about `ms` milliseconds (at least `minReps`).
 */
export async function timeMatmul(backend: Backend, n = PROBE_N, ms = 200, minReps = 3): Promise<number> {
  const upload = (seed: number) => backend.upload(encodeValues(normal(n * n, 0, 1, seed), 'f32', 'probe'), 'f32');
  const a = { storage: upload(1), shape: [1, n, n], dtype: 'f32' as const };
  const b = { storage: upload(2), shape: [1, n, n], dtype: 'f32' as const };
  let best = Infinity;
  try {
    const until = performance.now() + ms;
    for (let rep = 0; rep < minReps || performance.now() < until; rep++) {
      const start = performance.now();
      const c = backend.matmul(a, b, { transposeA: false, transposeB: false }, 'f32');
      await backend.download(c, 'f32', n * n);
      best = Math.min(best, performance.now() - start);
      backend.free(c);
    }
  } finally {
    backend.free(a.storage);
    backend.free(b.storage);
  }
  return (2 * n ** 3) / (best / 1000) / 1e9;
}

async function cachePath(): Promise<string | null> {
  if (typeof process === 'undefined' || !process.versions?.node) return null;
  const { homedir } = await import('node:os');
  const { join } = await import('node:path');
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'tmnn', 'probe.json');
}

export async function loadProbeCache(): Promise<Record<string, number>> {
  const path = await cachePath();
  if (!path) return {};
  try {
    const { readFile } = await import('node:fs/promises');
    const parsed: unknown = JSON.parse(await readFile(path, 'utf8'));
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, number>) : {};
  } catch {
    return {};
  }
}

/** Written to a temporary file and renamed, so a crash never leaves a torn cache. */
export async function saveProbeCache(cache: Record<string, number>): Promise<void> {
  const path = await cachePath();
  if (!path) return;
  try {
    const { mkdir, writeFile, rename } = await import('node:fs/promises');
    const { dirname } = await import('node:path');
    await mkdir(dirname(path), { recursive: true });
    const tmp = `${path}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify(cache, null, 2));
    await rename(tmp, path);
  } catch {
    // A read-only home only costs a re-probe next time.
  }
}
