// tmnn's native matmul next to cblas_sgemm called directly from C, and int8
// next to f32 on the native backend. tmnn is timed through the public API as
// the best of runs filling ~0.4 s, like the C program, two ways: op + await
// data() (the worker hand-off and the readback copy count), and op until the
// product is in memory (one element read back: the work a direct cblas_sgemm
// call does). Each N runs tmnn then C back to back, so both see the same
// machine load.
import * as tm from '../../src/index.js';
import { bestOf, gflops } from '../harness.js';
import { directSgemm } from './direct.js';

export interface SgemmRow {
  n: number;
  /** op + await data() */
  tmnnGflops: number;
  cGflops: number;
  /** tmnn / C */
  ratio: number;
  /** op until the product is in memory (one element read back) */
  inMemoryGflops: number;
  inMemoryRatio: number;
}

export interface Int8Row {
  n: number;
  f32Gflops: number;
  int8Gops: number;
  /** int8 / f32 */
  ratio: number;
}

const SIZES = [256, 512, 1024, 2048];

/**
 * GFLOP/s (GOP/s for i8) of an n×n×n matmul in `dtype` on the active backend:
 * op + data(), or with `readback` false until the product is in memory.
 */
export async function matmulGflops(n: number, dtype: 'f32' | 'f16' | 'i8' = 'f32', readback = true, ms = 400): Promise<number> {
  const make = (seed: number) =>
    dtype === 'i8'
      ? tm.tensor(Int8Array.from({ length: n * n }, (_, i) => ((i * (seed === 1 ? 7919 : 104729)) % 255) - 127), [n, n])
      : tm.randn([n, n], { seed, dtype });
  const a = make(1);
  const b = make(2);
  try {
    const best = await bestOf(async () => {
      const c = a.matmul(b);
      if (readback) await c.data();
      else {
        const corner = c.slice([0, 0], [1, 1]); // waits for the product, copies one element
        await corner.data();
        corner.dispose();
      }
      c.dispose();
    }, ms);
    return gflops(2 * n ** 3, best);
  } finally {
    a.dispose();
    b.dispose();
  }
}

/** Rows {n, tmnnGflops, cGflops, ratio} for each N. Initialises the native backend. */
export async function compareSgemm(sizes: readonly number[] = SIZES): Promise<SgemmRow[]> {
  await tm.init({ backend: 'native' });
  const rows: SgemmRow[] = [];
  for (const n of sizes) {
    const tmnnGflops = await matmulGflops(n);
    const inMemoryGflops = await matmulGflops(n, 'f32', false);
    const cGflops = directSgemm([n]).results[0].gflops;
    rows.push({ n, tmnnGflops, cGflops, ratio: tmnnGflops / cGflops, inMemoryGflops, inMemoryRatio: inMemoryGflops / cGflops });
  }
  return rows;
}

/** int8 GEMM (i8 × i8 → i32) against f32 sgemm on the native backend at N (default 1024). */
export async function compareInt8(n = 1024): Promise<Int8Row> {
  await tm.init({ backend: 'native' });
  const f32Gflops = await matmulGflops(n, 'f32');
  const int8Gops = await matmulGflops(n, 'i8');
  return { n, f32Gflops, int8Gops, ratio: int8Gops / f32Gflops };
}
