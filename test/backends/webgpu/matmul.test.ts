// The webgpu matmul kernels: every tile candidate (register-blocked, and
// through workgroup memory) at odd sizes, transposes and shared batches
// against float64; the tuned choice; and the fused epilogue — matmul + bias
// + relu in one launch, with the product itself still right when a tensor
// holds it.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../../src/index.js';
import { activeBackend } from '../../../src/engine.js';
import type { GpuData } from '../../../src/backends/webgpu/data.js';
import type { WebGpuBackend } from '../../../src/backends/webgpu/index.js';
import { TILE_CANDIDATES, matmulWithTile, tileFor, tune } from '../../../src/backends/webgpu/kernels/matmul.js';
import { asF32, expectClose, expectExact, randomInts, uniform } from '../../helpers/data.js';
import { f64, matmulRef, wrapInt } from '../../helpers/float64.js';

let gpu: WebGpuBackend;
beforeAll(async () => {
  await tm.init({ backend: 'webgpu' });
  gpu = activeBackend() as WebGpuBackend;
});

const storageOf = (t: tm.Tensor) => t.dataRef('test').storage as GpuData;
function bufferOf(t: tm.Tensor): GPUBuffer {
  gpu.materialize(storageOf(t));
  return storageOf(t).buffer!;
}

describe.each(TILE_CANDIDATES.map((t, i) => [`${t.shared ? `shared(bk ${t.shared.bk}) ` : ''}${t.tileM}×${t.tileN} in ${t.wgX}×${t.wgY}`, i] as const))('tile %s', (_, index) => {
  const tile = TILE_CANDIDATES[index];
  it.each([[1, 1, 1], [7, 13, 5], [127, 129, 131], [65, 3, 70], [2, 513, 9]])('f32 M=%i K=%i N=%i with every transpose, and a shared batch', async (m, k, n) => {
    for (const [transposeA, transposeB] of [[false, false], [true, false], [false, true], [true, true]]) {
      const batch = 2;
      const av = asF32(uniform(batch * m * k));
      const bv = asF32(uniform(k * n));
      const aShape = transposeA ? [batch, k, m] : [batch, m, k];
      const bShape = transposeB ? [1, n, k] : [1, k, n];
      const a = tm.tensor(av, aShape);
      const b = tm.tensor(bv, bShape);
      const out = gpu.runtime.pool.acquire(batch * m * n * 4);
      matmulWithTile(gpu.runtime, { buffer: bufferOf(a), shape: aShape, dtype: 'f32' }, { buffer: bufferOf(b), shape: bShape, dtype: 'f32' }, { transposeA, transposeB }, 'f32', out, tile);
      const got = new Float32Array(await gpu.runtime.commands.read(out, batch * m * n * 4));
      gpu.runtime.pool.release(out);
      const want = matmulRef(f64(aShape, av), f64(bShape.slice(1), bv), { transposeA, transposeB });
      expectClose(got, want.v, 1e-4, `${transposeA}/${transposeB}`, want.v.map(() => Math.sqrt(k) * 2));
    }
  });

  it('i32 wraps like C', async () => {
    const [m, k, n] = [9, 33, 7];
    const av = randomInts(m * k, -(2 ** 31), 2 ** 31 - 1);
    const bv = randomInts(k * n, -(2 ** 31), 2 ** 31 - 1);
    const a = tm.tensor(av, [1, m, k], { dtype: 'i32' });
    const b = tm.tensor(bv, [1, k, n], { dtype: 'i32' });
    const out = gpu.runtime.pool.acquire(m * n * 4);
    const config = { transposeA: false, transposeB: false };
    matmulWithTile(gpu.runtime, { buffer: bufferOf(a), shape: [1, m, k], dtype: 'i32' }, { buffer: bufferOf(b), shape: [1, k, n], dtype: 'i32' }, config, 'i32', out, tile);
    const got = new Int32Array(await gpu.runtime.commands.read(out, m * n * 4));
    gpu.runtime.pool.release(out);
    const want = new Float64Array(m * n);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0n;
        for (let p = 0; p < k; p++) s += BigInt(av[i * k + p]) * BigInt(bv[p * n + j]);
        want[i * n + j] = wrapInt(s, 'i32');
      }
    }
    expectExact(got, want);
  });
});

describe('the tile a device uses', () => {
  it('is measured once among the candidates and kept', async () => {
    const tile = await tune(gpu.runtime);
    expect(TILE_CANDIDATES).toContain(tile);
    expect(tileFor(gpu.runtime)).toBe(tile);
    expect(await tune(gpu.runtime)).toBe(tile);
  });
});

describe('the fused epilogue', () => {
  const launches = (t: tm.Tensor) => {
    const before = gpu.runtime.commands.dispatches;
    gpu.materialize(storageOf(t));
    return gpu.runtime.commands.dispatches - before;
  };

  it.each([[1, 1, 1], [7, 13, 5], [129, 67, 131]])('relu(x·w + b) at M=%i K=%i N=%i is one launch and matches float64', async (m, k, n) => {
    const xv = asF32(uniform(m * k));
    const wv = asF32(uniform(k * n));
    const bv = asF32(uniform(n));
    const y = tm.tidy(() => tm.tensor(xv, [m, k]).matmul(tm.tensor(wv, [k, n])).add(tm.tensor(bv, [n])).relu());
    expect(launches(y)).toBe(1);
    const p = matmulRef(f64([m, k], xv), f64([k, n], wv));
    expectClose(await y.data(), p.v.map((v, i) => Math.max(v + bv[i % n], 0)), 1e-4, 'fused', p.v.map(() => Math.sqrt(k) * 2));
  });

  it('writes the product too when a tensor still holds it, in the same launch', async () => {
    const [m, k, n] = [17, 9, 23];
    const xv = asF32(uniform(m * k));
    const wv = asF32(uniform(k * n));
    const h = tm.tensor(xv, [m, k]).matmul(tm.tensor(wv, [k, n]));
    const y = h.sub(0.25).tanh();
    expect(launches(y)).toBe(1);
    expect(launches(h)).toBe(0);
    const p = matmulRef(f64([m, k], xv), f64([k, n], wv));
    expectClose(await h.data(), p.v, 1e-4, 'product', p.v.map(() => Math.sqrt(k) * 2));
    expectClose(await y.data(), p.v.map((v) => Math.tanh(v - 0.25)), 1e-4, 'epilogue', p.v.map(() => Math.sqrt(k) * 2));
  });

  it('f16: the epilogue stores f16 from the f32 accumulator', async () => {
    if (!gpu.features.f16) return void console.log('skipped: no shader-f16 on this adapter');
    const [m, k, n] = [31, 29, 37];
    const xv = uniform(m * k, -1, 1);
    const wv = uniform(k * n, -1, 1);
    const x = tm.tensor(xv, [m, k], { dtype: 'f16' });
    const w = tm.tensor(wv, [k, n], { dtype: 'f16' });
    const xs = await x.cast('f32').data();
    const ws = await w.cast('f32').data();
    const y = tm.tidy(() => x.matmul(w).mul(2).relu());
    expect(y.dtype).toBe('f16');
    expect(launches(y)).toBe(1);
    const p = matmulRef(f64([m, k], xs), f64([k, n], ws));
    expectClose(await y.cast('f32').data(), p.v.map((v) => Math.max(2 * v, 0)), 2e-2, 'f16', p.v.map(() => Math.sqrt(k)));
  });
});
