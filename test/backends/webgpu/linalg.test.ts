// The webgpu backend's dense factorizations (shaders/lu.wgsl,
// lu_solve.wgsl, cholesky.wgsl, qr.wgsl, triangular_solve.wgsl) against the
// js backend's float64 loops, kernel to kernel: the same pivots from the
// workgroup's reduction (the first of equals, as the js loop's scan),
// factors within f32 rounding, on both workgroup sizes (n ≤ 64 and past
// it), with more rows than invocations (n = 300), and batches; a batch past the binding limit in
// bands of matrices, on a backend told its kernels bind at most 64 KiB
// (every buffer poisoned first, so a matrix left unwritten shows).
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../../src/index.js';
import { createJsBackend } from '../../../src/backends/js/index.js';
import type { Backend } from '../../../src/backends/kernels.js';
import { activeBackend, setActive } from '../../../src/engine.js';
import { webGpuBackendOn } from '../../../src/backends/webgpu/index.js';
import { linalgOf } from '../../../src/backends/linalg.js';
import { fromStorage } from '../../../src/ops/util.js';
import { expectClose, uniform } from '../../helpers/data.js';
import { freshDevices, storageOf } from '../../helpers/webgpu.js';

const freshDevice = freshDevices();

const js = createJsBackend();

/** `batch` matrices n·I + R (R uniform in [−1, 1]), rows shuffled: pivots clear of near-ties, so f32 and float64 choose alike. */
function shuffledDominant(batch: number, n: number): Float32Array {
  const r = uniform(batch * n * n, -1, 1);
  const out = new Float32Array(batch * n * n);
  for (let m = 0; m < batch; m++) {
    const order = Array.from(uniform(n), (u, i) => [u, i]).sort((p, q) => p[0] - q[0]).map(([, i]) => i);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) out[(m * n + i) * n + j] = r[(m * n + order[i]) * n + j] + (order[i] === j ? n : 0);
    }
  }
  return out;
}

/** `batch` symmetric matrices, uniform in [−1, 1] off the diagonal and n on it: diagonally dominant, so positive definite. */
function dominantSymmetric(batch: number, n: number): Float32Array {
  const r = uniform(batch * n * n, -1, 1);
  const out = new Float32Array(batch * n * n);
  for (let m = 0; m < batch; m++) {
    for (let i = 0; i < n; i++) {
      for (let j = 0; j <= i; j++) out[(m * n + i) * n + j] = out[(m * n + j) * n + i] = i === j ? n : r[(m * n + i) * n + j];
    }
  }
  return out;
}

const largest = (v: ArrayLike<number>) => Array.from(v).reduce((m, x) => Math.max(m, Math.abs(x)), 0);
const normwise = (got: ArrayLike<number>, want: ArrayLike<number>, tol: number, what: string) =>
  expectClose(got, want, tol, what, new Float64Array(want.length).fill(largest(want)));

describe('webgpu luFactor, luSolve, cholesky, qr and triangularSolve', () => {
  beforeAll(async () => {
    expect(await tm.init({ backend: 'webgpu' })).toBe('webgpu');
  });

  it.each([[3, 1], [2, 5], [2, 64], [2, 65], [1, 300]])('give the js backend\'s pivots and, within f32 rounding, its factors and solutions, for %i matrices of n = %i', async (batch, n) => {
    const gpu = activeBackend();
    const values = shuffledDominant(batch, n);
    const a = tm.tensor(values, [batch, n, n]);
    const aJs = { storage: values, shape: [batch, n, n], dtype: 'f32' as const };
    const { lu, pivots } = linalgOf(gpu).luFactor(a.info('test'));
    const want = linalgOf(js).luFactor(aJs);
    const luT = fromStorage(gpu, lu, [batch, n, n], 'f32');
    const pivotsT = fromStorage(gpu, pivots, [batch, n], 'i32');
    expect(Array.from(await pivotsT.data())).toEqual(Array.from(want.pivots));
    normwise(await luT.data(), want.lu, 1e-5, 'lu');
    const rhs = Float32Array.from(uniform(batch * n * 3, -1, 1));
    const b = tm.tensor(rhs, [batch, n, 3]);
    const x = fromStorage(gpu, linalgOf(gpu).luSolve(luT.info('test'), pivotsT.info('test'), b.info('test')), [batch, n, 3], 'f32');
    const xJs = linalgOf(js).luSolve({ storage: want.lu, shape: [batch, n, n], dtype: 'f32' }, { storage: want.pivots, shape: [batch, n], dtype: 'i32' }, { storage: rhs, shape: [batch, n, 3], dtype: 'f32' });
    normwise(await x.data(), xJs, 1e-5, 'x');
    // Symmetric positive definite: the shuffle undone by A·Aᵀ, n² added to the diagonal.
    const spd = await tm.tidy(() => tm.matmul(a, a, { transposeB: true }).add(tm.eye(n).mul(n * n))).data();
    const s = tm.tensor(spd, [batch, n, n]);
    const l = fromStorage(gpu, linalgOf(gpu).cholesky(s.info('test')), [batch, n, n], 'f32');
    normwise(await l.data(), linalgOf(js).cholesky({ storage: Float32Array.from(spd), shape: [batch, n, n], dtype: 'f32' }), 1e-5, 'l');
    for (const t of [a, luT, pivotsT, b, x, s, l]) t.dispose();
  });

  it.each([[3, 1, 1], [2, 7, 5], [2, 5, 7], [2, 64, 64], [2, 65, 40], [1, 300, 20], [1, 3, 300]])('qr gives the js backend\'s Q and R within f32 rounding, reduced and complete, for %i matrices of %i × %i', async (batch, m, n) => {
    const gpu = activeBackend();
    const values = Float32Array.from(uniform(batch * m * n, -1, 1));
    const a = tm.tensor(values, [batch, m, n]);
    for (const complete of [false, true]) {
      const c = complete ? m : Math.min(m, n);
      const { q, r } = linalgOf(gpu).qr(a.info('test'), complete);
      const want = linalgOf(js).qr({ storage: values, shape: [batch, m, n], dtype: 'f32' }, complete);
      const [qT, rT] = [fromStorage(gpu, q, [batch, m, c], 'f32'), fromStorage(gpu, r, [batch, c, n], 'f32')];
      expectClose(await qT.data(), want.q, 1e-4, `q complete=${complete}`, new Float64Array(want.q.length).fill(1));
      normwise(await rT.data(), want.r, 1e-4, `r complete=${complete}`);
      qT.dispose();
      rT.dispose();
    }
    a.dispose();
  });

  it.each([[1, 1, 1], [3, 17, 4], [1, 300, 2]])('triangularSolve gives the js backend\'s solutions for %i matrices of n = %i, k = %i, every triangle and diagonal', async (batch, n, k) => {
    const gpu = activeBackend();
    // A diagonal of 2 ± 1, within ±1/n elsewhere: well conditioned whichever triangle is read, and with a unit diagonal too.
    const values = Float32Array.from(uniform(batch * n * n, -1, 1).map((v, e) => ((e % (n * n)) % (n + 1) === 0 ? 2 + v : v / n)));
    const rhs = Float32Array.from(uniform(batch * n * k, -1, 1));
    const [a, b] = [tm.tensor(values, [batch, n, n]), tm.tensor(rhs, [batch, n, k])];
    for (const upper of [true, false]) {
      for (const unit of [false, true]) {
        const x = fromStorage(gpu, linalgOf(gpu).triangularSolve(a.info('test'), b.info('test'), upper, unit), [batch, n, k], 'f32');
        const want = linalgOf(js).triangularSolve({ storage: values, shape: [batch, n, n], dtype: 'f32' }, { storage: rhs, shape: [batch, n, k], dtype: 'f32' }, upper, unit);
        normwise(await x.data(), want, 1e-5, `upper=${upper} unit=${unit}`);
        x.dispose();
      }
    }
    a.dispose();
    b.dispose();
  });

  it('run a batch past the binding limit in bands of whole matrices', async () => {
    const ctx = (await freshDevice()).runtime.ctx;
    const gpu = webGpuBackendOn({ ...ctx, limits: { ...ctx.limits, maxStorageBufferBindingSize: 64 * 1024 } }, { poison: true });
    const small: Backend = gpu;
    setActive(gpu, { backend: 'webgpu', reason: 'test: 64 KiB bindings', passedOver: [] });
    try {
      // 70 matrices of 20 × 20: 112,000 bytes, in bands of 32 (a multiple of 16, where every array's rows end aligned).
      const [batch, n] = [70, 20];
      const values = shuffledDominant(batch, n);
      const a = tm.tensor(values, [batch, n, n]);
      const aJs = { storage: values, shape: [batch, n, n], dtype: 'f32' as const };
      const want = linalgOf(js).luFactor(aJs);
      gpu.materialize(storageOf(a));
      const before = gpu.runtime.commands.dispatches;
      const { lu, pivots } = linalgOf(small).luFactor(a.info('test'));
      expect(gpu.runtime.commands.dispatches - before).toBe(3);
      const luT = fromStorage(small, lu, [batch, n, n], 'f32');
      const pivotsT = fromStorage(small, pivots, [batch, n], 'i32');
      expect(Array.from(await pivotsT.data())).toEqual(Array.from(want.pivots));
      normwise(await luT.data(), want.lu, 1e-5, 'lu');
      const rhs = Float32Array.from(uniform(batch * n * 2, -1, 1));
      const b = tm.tensor(rhs, [batch, n, 2]);
      const x = fromStorage(small, linalgOf(small).luSolve(luT.info('test'), pivotsT.info('test'), b.info('test')), [batch, n, 2], 'f32');
      const xJs = linalgOf(js).luSolve({ storage: want.lu, shape: [batch, n, n], dtype: 'f32' }, { storage: want.pivots, shape: [batch, n], dtype: 'i32' }, { storage: rhs, shape: [batch, n, 2], dtype: 'f32' });
      normwise(await x.data(), xJs, 1e-5, 'x');
      const spd = dominantSymmetric(batch, n);
      const s = tm.tensor(spd, [batch, n, n]);
      const l = fromStorage(small, linalgOf(small).cholesky(s.info('test')), [batch, n, n], 'f32');
      normwise(await l.data(), linalgOf(js).cholesky({ storage: spd, shape: [batch, n, n], dtype: 'f32' }), 1e-5, 'l');
      // And through the ops, in the same bands.
      const solved = tm.linalg.solve(a, b);
      normwise(await solved.data(), xJs, 1e-5, 'solve(A, B)');
      // QR, its scratch taken band by band: 70 matrices of 20 × 12, four arrays of them, one dispatch a band.
      const rect = Float32Array.from(uniform(batch * 20 * 12, -1, 1));
      const r = tm.tensor(rect, [batch, 20, 12]);
      gpu.materialize(storageOf(r));
      const dispatched = gpu.runtime.commands.dispatches;
      const factors = linalgOf(small).qr(r.info('test'), false);
      expect(gpu.runtime.commands.dispatches - dispatched).toBeGreaterThan(1);
      const qrJs = linalgOf(js).qr({ storage: rect, shape: [batch, 20, 12], dtype: 'f32' }, false);
      const [qT, rT] = [fromStorage(small, factors.q, [batch, 20, 12], 'f32'), fromStorage(small, factors.r, [batch, 12, 12], 'f32')];
      expectClose(await qT.data(), qrJs.q, 1e-4, 'banded q', new Float64Array(qrJs.q.length).fill(1));
      normwise(await rT.data(), qrJs.r, 1e-4, 'banded r');
      const solvedT = fromStorage(small, linalgOf(small).triangularSolve(luT.info('test'), b.info('test'), true, false), [batch, n, 2], 'f32');
      normwise(await solvedT.data(), linalgOf(js).triangularSolve({ storage: want.lu, shape: [batch, n, n], dtype: 'f32' }, { storage: rhs, shape: [batch, n, 2], dtype: 'f32' }, true, false), 1e-5, 'banded triangularSolve');
      for (const t of [a, luT, pivotsT, b, x, s, l, solved, r, qT, rT, solvedT]) t.dispose();
    } finally {
      await tm.init({ backend: 'webgpu' });
    }
  });
});
