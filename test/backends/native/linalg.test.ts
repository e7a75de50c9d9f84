// The native backend's dense factorizations (fallback/src/linalg.cc) against
// the js backend's float64 loops: the same pivots (LAPACK's sgetrf on the
// transposed copy pivots rows, as the js loop does) and factors within f32
// rounding, batches split among threads included; QR (sgeqrf and sorgqr on a
// transposed copy) and triangular solves (cblas_strsm) likewise; and the
// addon's refusal of pivots that would swap rows outside the matrix and of
// arrays that do not fit.
import { beforeAll, describe, expect, it } from 'vitest';
import { createJsBackend } from '../../../src/backends/js/index.js';
import type { Backend } from '../../../src/backends/kernels.js';
import { createNativeBackend } from '../../../src/backends/native/index.js';
import { loadAddon, type Addon } from '../../../src/backends/native/addon.js';
import { linalgOf } from '../../../src/backends/linalg.js';
import type { StorageArray } from '../../../src/dtype.js';
import { expectClose, uniform } from '../../helpers/data.js';

let native: Backend<StorageArray>;
let addon: Addon;
const js = createJsBackend();

beforeAll(async () => {
  native = await createNativeBackend();
  addon = await loadAddon();
});

const info = (v: ArrayLike<number>, shape: number[]) => ({ storage: Float32Array.from(v), shape, dtype: 'f32' as const });

/**
 * `batch` matrices n·I + R (R uniform in [−1, 1]) with their rows shuffled:
 * each column's pivot stands clear of the rest, so f32 and float64
 * elimination choose the same rows (near-ties of random matrices would
 * make them differ by chance), and the pivots swap rows all the same.
 */
function shuffledDominant(batch: number, n: number): Float64Array {
  const r = uniform(batch * n * n, -1, 1);
  const out = new Float64Array(batch * n * n);
  for (let m = 0; m < batch; m++) {
    let order = Array.from(uniform(n), (u, i) => [u, i]).sort((p, q) => p[0] - q[0]).map(([, i]) => i);
    // Never the identity (1 draw in 120 at n = 5): the rows must need pivoting, which the test asserts.
    if (n > 1 && order.every((o, i) => o === i)) order = order.reverse();
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) out[(m * n + i) * n + j] = r[(m * n + order[i]) * n + j] + (order[i] === j ? n : 0);
    }
  }
  return out;
}

/** Largest |v| of an array, the scale of norm-wise errors. */
const largest = (v: ArrayLike<number>) => Array.from(v).reduce((m, x) => Math.max(m, Math.abs(x)), 0);

describe('native luFactor, luSolve, cholesky, qr and triangularSolve', () => {
  // 40 matrices of n = 40: ~850k multiply-adds each, enough that the batch is split among threads.
  it.each([[1, 5], [3, 17], [40, 40], [1, 200]])('give the js backend\'s pivots, and its factors within f32 rounding, for %i matrices of n = %i', (batch, n) => {
    const a = info(shuffledDominant(batch, n), [batch, n, n]);
    const got = linalgOf(native).luFactor(a);
    const want = linalgOf(js).luFactor(a);
    expect(Array.from(got.pivots as Int32Array)).toEqual(Array.from(want.pivots as Int32Array));
    expectClose(got.lu, want.lu, 1e-4, 'lu', new Float64Array(batch * n * n).fill(largest(want.lu)));
    const b = info(uniform(batch * n * 3, -1, 1), [batch, n, 3]);
    const lu = { storage: want.lu, shape: [batch, n, n], dtype: 'f32' as const };
    const pivots = { storage: want.pivots, shape: [batch, n], dtype: 'i32' as const };
    const x = linalgOf(native).luSolve(lu, pivots, b);
    const xJs = linalgOf(js).luSolve(lu, pivots, b);
    expectClose(x, xJs, 1e-3, 'x', new Float64Array(batch * n * 3).fill(largest(xJs)));
    expect(Array.from(want.pivots as Int32Array).some((p, i) => p !== i % n) || n === 1).toBe(true);
    // An SPD batch: AᵀA + n·I.
    const spd = new Float32Array(batch * n * n);
    for (let m = 0; m < batch; m++) {
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          let s = i === j ? n : 0;
          for (let p = 0; p < n; p++) s += a.storage[(m * n + p) * n + i] * a.storage[(m * n + p) * n + j];
          spd[(m * n + i) * n + j] = s;
        }
      }
    }
    const l = linalgOf(native).cholesky(info(spd, [batch, n, n]));
    const lJs = linalgOf(js).cholesky(info(spd, [batch, n, n]));
    expectClose(l, lJs, 1e-5, 'l', new Float64Array(batch * n * n).fill(largest(lJs)));
  });

  it('leave a matrix that is not positive definite NaN from the row that fails, as the js loop does', () => {
    const a = info([4, 0, 0, 0, 1, 0, 0, 0, -1], [1, 3, 3]);
    const l = Array.from(linalgOf(native).cholesky(a));
    expect(l).toEqual(Array.from(linalgOf(js).cholesky(a)));
    expect(l).toEqual([2, 0, 0, 0, 1, 0, NaN, NaN, NaN]);
  });

  // 40 matrices of 40 × 30: ~100k multiply-adds each (2mnk), split among threads.
  it.each([[1, 1, 1], [2, 7, 5], [2, 5, 7], [40, 40, 30], [1, 200, 130], [1, 3, 200]])('qr gives the js backend\'s Q and R within f32 rounding, reduced and complete, for %i matrices of %i × %i', (batch, m, n) => {
    const a = info(uniform(batch * m * n, -1, 1), [batch, m, n]);
    for (const complete of [false, true]) {
      const got = linalgOf(native).qr(a, complete);
      const want = linalgOf(js).qr(a, complete);
      expectClose(got.q, want.q, 1e-4, `q complete=${complete}`, new Float64Array(want.q.length).fill(1));
      expectClose(got.r, want.r, 1e-4, `r complete=${complete}`, new Float64Array(want.r.length).fill(largest(want.r)));
    }
  });

  it.each([[1, 1, 1], [3, 17, 4], [40, 40, 40]])('triangularSolve gives the js backend\'s solutions for %i matrices of n = %i, k = %i, every triangle and diagonal', (batch, n, k) => {
    // A diagonal of 2 ± 1, within ±1/n elsewhere: well conditioned whichever triangle is read, and with a unit diagonal too.
    const a = info(uniform(batch * n * n, -1, 1).map((v, e) => ((e % (n * n)) % (n + 1) === 0 ? 2 + v : v / n)), [batch, n, n]);
    const b = info(uniform(batch * n * k, -1, 1), [batch, n, k]);
    for (const upper of [true, false]) {
      for (const unit of [false, true]) {
        const want = linalgOf(js).triangularSolve(a, b, upper, unit);
        expectClose(linalgOf(native).triangularSolve(a, b, upper, unit), want, 1e-4, `upper=${upper} unit=${unit}`, new Float64Array(want.length).fill(largest(want)));
      }
    }
  });

  it('the addon refuses pivots outside the matrix and arrays of the wrong length', () => {
    const lu = new Float32Array([1, 0, 0, 1]);
    const b = new Float32Array([1, 2]);
    expect(() => addon.luSolve(lu, Int32Array.of(0, 2), b, 1, 2, 1, new Float32Array(2))).toThrow('luSolve: a pivot outside [0, n)');
    expect(() => addon.luSolve(lu, Int32Array.of(0, 1), b, 1, 2, 1, new Float32Array(3))).toThrow('luSolve: lengths do not match');
    expect(() => addon.luFactor(lu, 1, 3, new Float32Array(9), new Int32Array(3))).toThrow('luFactor: lengths do not match [batch, n, n]');
    expect(() => addon.cholesky(lu, 1, 2, new Float32Array(3))).toThrow('cholesky: lengths do not match [batch, n, n]');
    expect(() => addon.qr(lu, 1, 2, 2, true, new Float32Array(4), new Float32Array(3))).toThrow('qr: lengths do not match a [batch, m, n], q [batch, m, c], r [batch, c, n]');
    expect(() => addon.qr(lu, 1, 4, 1, true, new Float32Array(4), new Float32Array(1))).toThrow('qr: lengths do not match');
    expect(() => addon.triangularSolve(lu, b, 1, 2, 2, true, false, new Float32Array(4))).toThrow('triangularSolve: lengths do not match a [batch, n, n], b and x [batch, n, k]');
  });
});
