// The probe: one timed matmul per backend, used by selection.ts to choose
// between a hardware GPU and OpenBLAS. Timings are cached per machine in
// probe.json (machine_cache.ts), keyed by everything that changes the answer:
// tmnn's version, the backend and its device, and the environment OpenBLAS
// reads.
import type { Backend } from './backends/kernels.js';
import { encodeValues } from './dtype.js';
import { readCache, writeCacheEntry } from './machine_cache.js';
import { normal } from './random.js';
import { VERSION } from './version.js';

const PROBE_N = 512;
const PROBE_FILE = 'probe.json';

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

/** Probe timings from earlier processes, by probeKey. */
export async function loadProbeCache(): Promise<Record<string, number>> {
  const entries = await readCache(PROBE_FILE);
  return Object.fromEntries(Object.entries(entries).filter((e): e is [string, number] => typeof e[1] === 'number'));
}

export async function saveProbeTiming(key: string, gflops: number): Promise<void> {
  await writeCacheEntry(PROBE_FILE, key, gflops);
}
