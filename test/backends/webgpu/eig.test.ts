// The webgpu backend's Jacobi kernels (shaders/eigh_jacobi.wgsl,
// svd_jacobi.wgsl) against the js backend's float64 loops, kernel to
// kernel: eigen- and singular values within f32 rounding, vectors (whose
// signs may differ) by A·V = V·diag(λ) or U·diag(s)·Vh = A and their
// orthonormality; on both workgroup sizes (64 up to 64 rows, 256 past it),
// with more rows than invocations, and a batch past the binding limit in
// bands of matrices (every buffer poisoned first, so a matrix left
// unwritten shows) on a backend told its kernels bind at most 64 KiB.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../../src/index.js';
import { createJsBackend } from '../../../src/backends/js/index.js';
import type { Backend } from '../../../src/backends/kernels.js';
import { activeBackend, setActive } from '../../../src/engine.js';
import { webGpuBackendOn } from '../../../src/backends/webgpu/index.js';
import { linalgOf } from '../../../src/backends/linalg.js';
import { fromStorage } from '../../../src/ops/util.js';
import { SEED, expectClose, uniform } from '../../helpers/data.js';
import { identity, maxDifference, product, transposed } from '../../helpers/spectral.js';
import { freshDevices } from '../../helpers/webgpu.js';

const freshDevice = freshDevices();

const js = createJsBackend();

/** `batch` symmetric n × n matrices, uniform in [−1, 1]. */
function symmetric(batch: number, n: number): Float32Array {
  const r = Float32Array.from(uniform(batch * n * n, -1, 1));
  for (let b = 0; b < batch; b++) for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) r[(b * n + j) * n + i] = r[(b * n + i) * n + j];
  return r;
}

/** Checks backend's eigh of a [batch, n, n] against the js loops': values, A·V = V·diag(λ), VᵀV = I. */
async function checkEigh(gpu: Backend, a: Float32Array, batch: number, n: number): Promise<void> {
  const A = tm.tensor(a, [batch, n, n]);
  const out = linalgOf(gpu).eigh(A.info('test'));
  const values = fromStorage(gpu, out.values, [batch, n], 'f32');
  const vectors = fromStorage(gpu, out.vectors, [batch, n, n], 'f32');
  const want = linalgOf(js).eigh({ storage: a, shape: [batch, n, n], dtype: 'f32' });
  const [l, v] = [await values.data(), await vectors.data()];
  for (let b = 0; b < batch; b++) {
    const ab = Float64Array.from(a.subarray(b * n * n, (b + 1) * n * n));
    const lb = l.subarray(b * n, (b + 1) * n);
    // Each rotation rounds entries of A's size: the error grows with its Frobenius norm, √n times its largest eigenvalue here.
    const scale = Math.sqrt(ab.reduce((t, x) => t + x * x, 0));
    expectClose(lb, want.values.subarray(b * n, (b + 1) * n), 2e-5, `eigenvalues of matrix ${b}, n=${n}`, new Float64Array(n).fill(scale));
    const vb = Float64Array.from(v.subarray(b * n * n, (b + 1) * n * n));
    expect(maxDifference(product(ab, vb, n, n, n), vb.map((x, i) => x * lb[i % n])), `A·V − V·diag(λ), matrix ${b} (seed ${SEED})`).toBeLessThanOrEqual(2e-5 * scale);
    expect(maxDifference(product(transposed(vb, n, n), vb, n, n, n), identity(n)), `VᵀV − I, matrix ${b} (seed ${SEED})`).toBeLessThanOrEqual(2e-5 * Math.sqrt(n));
  }
  for (const t of [A, values, vectors]) t.dispose();
}

/** Checks backend's svd of a [batch, m, n] against the js loops': s, U·diag(s)·Vh = A, UᵀU = I, Vh·Vhᵀ = I. */
async function checkSvd(gpu: Backend, a: Float32Array, batch: number, m: number, n: number): Promise<void> {
  const k = Math.min(m, n);
  const A = tm.tensor(a, [batch, m, n]);
  const out = linalgOf(gpu).svd(A.info('test'));
  const [u, s, vh] = [fromStorage(gpu, out.u, [batch, m, k], 'f32'), fromStorage(gpu, out.s, [batch, k], 'f32'), fromStorage(gpu, out.vh, [batch, k, n], 'f32')];
  const want = linalgOf(js).svd({ storage: a, shape: [batch, m, n], dtype: 'f32' });
  const [ud, sd, vhd] = [await u.data(), await s.data(), await vh.data()];
  for (let b = 0; b < batch; b++) {
    const sb = sd.subarray(b * k, (b + 1) * k);
    const scale = want.s[b * k];
    expectClose(sb, want.s.subarray(b * k, (b + 1) * k), 2e-5, `singular values of matrix ${b}, ${m} × ${n}`, new Float64Array(k).fill(scale));
    const ub = Float64Array.from(ud.subarray(b * m * k, (b + 1) * m * k));
    const vhb = Float64Array.from(vhd.subarray(b * k * n, (b + 1) * k * n));
    const ab = Float64Array.from(a.subarray(b * m * n, (b + 1) * m * n));
    expect(maxDifference(product(ub.map((x, i) => x * sb[i % k]), vhb, m, k, n), ab), `U·diag(s)·Vh − A, matrix ${b} (seed ${SEED})`).toBeLessThanOrEqual(2e-5 * Math.sqrt(k) * scale);
    expect(maxDifference(product(transposed(ub, m, k), ub, k, m, k), identity(k)), `UᵀU − I, matrix ${b} (seed ${SEED})`).toBeLessThanOrEqual(2e-5 * Math.sqrt(m));
    expect(maxDifference(product(vhb, transposed(vhb, k, n), k, n, k), identity(k)), `Vh·Vhᵀ − I, matrix ${b} (seed ${SEED})`).toBeLessThanOrEqual(2e-5 * Math.sqrt(n));
  }
  for (const t of [A, u, s, vh]) t.dispose();
}

describe('webgpu eigh and svd', () => {
  beforeAll(async () => {
    expect(await tm.init({ backend: 'webgpu' })).toBe('webgpu');
  });

  it.each([[3, 5], [2, 64], [2, 65], [1, 150]])('eigh matches the js backend for %i matrices of n = %i', async (batch, n) => {
    await checkEigh(activeBackend(), symmetric(batch, n), batch, n);
  });

  it.each([[2, 64, 20], [2, 20, 64], [1, 90, 70], [1, 70, 90], [1, 300, 3]])('svd matches the js backend for %i matrices of %i × %i', async (batch, m, n) => {
    await checkSvd(activeBackend(), Float32Array.from(uniform(batch * m * n, -1, 1)), batch, m, n);
  });

  it('run a batch past the binding limit in bands of whole matrices', async () => {
    const ctx = (await freshDevice()).runtime.ctx;
    const gpu = webGpuBackendOn({ ...ctx, limits: { ...ctx.limits, maxStorageBufferBindingSize: 64 * 1024 } }, { poison: true });
    setActive(gpu, { backend: 'webgpu', reason: 'test: 64 KiB bindings', passedOver: [] });
    try {
      // 70 matrices whose scratch (A, V and the rotations: 1,200 bytes for 12 × 12) takes more than one binding.
      const before = gpu.runtime.commands.dispatches;
      await checkEigh(gpu, symmetric(70, 12), 70, 12);
      expect(gpu.runtime.commands.dispatches - before).toBeGreaterThan(1);
      // 12 × 8: k = 8 singular values, 32 bytes a matrix, so bands of a multiple of 8 matrices start aligned.
      const between = gpu.runtime.commands.dispatches;
      await checkSvd(gpu, Float32Array.from(uniform(70 * 12 * 8, -1, 1)), 70, 12, 8);
      expect(gpu.runtime.commands.dispatches - between).toBeGreaterThan(1);
    } finally {
      await tm.init({ backend: 'webgpu' });
    }
  });
});
