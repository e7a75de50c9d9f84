// The webgpu matmul kernels: every tile candidate (register-blocked, and
// through workgroup memory) at odd sizes, transposes and shared batches
// against float64, and the fused epilogue — matmul + bias + relu in one
// launch, with the product itself still right when a tensor holds it. Which
// tile a product runs on: matmul_tuning.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../../src/index.js';
import { activeBackend } from '../../../src/engine.js';
import type { GpuData } from '../../../src/backends/webgpu/data.js';
import type { WebGpuBackend } from '../../../src/backends/webgpu/index.js';
import { TILE_CANDIDATES, matmulWithTile, type MatmulTile } from '../../../src/backends/webgpu/kernels/matmul_kernel.js';
import { tune, useTile } from '../../../src/backends/webgpu/kernels/matmul_tuning.js';
import { TOL, asF16, asF32, expectClose, expectExact, randomInts, uniform } from '../../helpers/data.js';
import { f64, matmulRef, roundF16, wrapInt } from '../../helpers/float64.js';

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

const tileName = (t: MatmulTile) => `${t.shared ? `shared(bk ${t.shared.bk}) ` : ''}${t.vec4 ? 'vec4 ' : ''}${t.shareA ? 'shared-A ' : ''}${t.tileM}×${t.tileN} in ${t.wgX}×${t.wgY}`;

describe.each(TILE_CANDIDATES.map((t, i) => [tileName(t), i] as const))('tile %s', (_, index) => {
  const tile = TILE_CANDIDATES[index];
  // vec4 tiles read B four columns at a time: only for B row-major with N % 4 == 0 (else matmul.wgsl runs).
  const shapes = tile.vec4
    ? [[1, 1, 4], [7, 13, 8], [127, 129, 132], [65, 3, 68], [2, 513, 12], [33, 17, 4 * 67]]
    : [[1, 1, 1], [7, 13, 5], [127, 129, 131], [65, 3, 70], [2, 513, 9]];
  const transposes = tile.vec4 ? [[false, false], [true, false]] : [[false, false], [true, false], [false, true], [true, true]];
  it.each(shapes)('f32 M=%i K=%i N=%i with every transpose it takes, and a shared batch', async (m, k, n) => {
    for (const [transposeA, transposeB] of transposes) {
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

  it('a batch of 70,001 products, more workgroups than a launch dimension takes, is folded into the grid and every product is right', async () => {
    const [batch, m, k, n] = [70_001, 3, 5, tile.vec4 ? 4 : 3];
    const [aShape, bShape] = [[batch, m, k], [batch, k, n]];
    const av = asF32(uniform(batch * m * k));
    const bv = asF32(uniform(batch * k * n));
    const [a, b] = [tm.tensor(av, aShape), tm.tensor(bv, bShape)];
    const out = gpu.runtime.pool.acquire(batch * m * n * 4);
    matmulWithTile(gpu.runtime, { buffer: bufferOf(a), shape: aShape, dtype: 'f32' }, { buffer: bufferOf(b), shape: bShape, dtype: 'f32' }, { transposeA: false, transposeB: false }, 'f32', out, tile);
    const got = new Float32Array(await gpu.runtime.commands.read(out, batch * m * n * 4));
    gpu.runtime.pool.release(out);
    a.dispose();
    b.dispose();
    const want = matmulRef(f64(aShape, av), f64(bShape, bv));
    expectClose(got, want.v, 1e-4, 'batch of 70,001', want.v.map(() => Math.sqrt(k) * 2));
  });

  it('i32 wraps like C', async () => {
    const [m, k, n] = [9, 33, tile.vec4 ? 8 : 7];
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

describe('a tile', () => {
  it('refuses a vec4 tile for a product it cannot read, rather than reading B wrong', () => {
    const tile = TILE_CANDIDATES.find((t) => t.vec4)!;
    const buffer = gpu.runtime.pool.acquire(64);
    const op = (shape: number[]) => ({ buffer, shape, dtype: 'f32' as const });
    expect(() => matmulWithTile(gpu.runtime, op([1, 2, 2]), op([1, 2, 3]), { transposeA: false, transposeB: false }, 'f32', buffer, tile)).toThrow(/vec4 tile needs B row-major and N a multiple of 4 \(N=3\)/);
    expect(() => matmulWithTile(gpu.runtime, op([1, 2, 2]), op([1, 4, 2]), { transposeA: false, transposeB: true }, 'f32', buffer, tile)).toThrow(/N=4, B transposed/);
    gpu.runtime.pool.release(buffer);
  });
});

describe('the fused epilogue', () => {
  afterAll(() => useTile(gpu.runtime, null));
  const launches = (t: tm.Tensor) => {
    const before = gpu.runtime.commands.dispatches;
    gpu.materialize(storageOf(t));
    return gpu.runtime.commands.dispatches - before;
  };

  /** relu(x·w + b) on fresh data in `dtype`: one launch, and float64's answer on the same (rounded) values. */
  async function expectFusedRelu(m: number, k: number, n: number, dtype: 'f32' | 'f16' = 'f32'): Promise<void> {
    const round = dtype === 'f16' ? asF16 : asF32;
    const [xv, wv, bv] = [round(uniform(m * k)), round(uniform(k * n)), round(uniform(n))];
    const y = tm.tidy(() => tm.tensor(xv, [m, k], { dtype }).matmul(tm.tensor(wv, [k, n], { dtype })).add(tm.tensor(bv, [n], { dtype })).relu());
    expect(launches(y)).toBe(1);
    const p = matmulRef(f64([m, k], xv), f64([k, n], wv));
    if (dtype === 'f32') {
      expectClose(await y.data(), p.v.map((v, i) => Math.max(v + bv[i % n], 0)), 1e-4, 'fused f32', p.v.map(() => Math.sqrt(k) * 2));
      return;
    }
    // As op by op: the product stored in f16, then the sum with b rounded to f16 (a rounding of the f32
    // sum to the other neighbour moves a result by an f16 step of its own size).
    const want = p.v.map((v, i) => Math.max(roundF16(roundF16(v) + bv[i % n]), 0));
    expectClose(await y.cast('f32').data(), want, TOL.f16, 'fused f16', want.map((v) => Math.max(Math.abs(v), Math.sqrt(k) * 2)));
  }

  it.each([[1, 1, 1], [7, 13, 5], [129, 67, 131]])('relu(x·w + b) at M=%i K=%i N=%i is one launch and matches float64', async (m, k, n) => {
    await expectFusedRelu(m, k, n);
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

  it('p + c·(2p) for a product p a tensor holds: the other product computes p (its operand\'s epilogue writes it), and the sum reads it as an input', async () => {
    // The sum's epilogue candidate was p, written while the other product's operand was: the sum took it for pending (tm.linalg.qr's gradient of a 1 × 3 matrix).
    const n = 3;
    const [av, bv, cv] = [asF32(uniform(n * n)), asF32(uniform(n * n)), asF32(uniform(n * n))];
    const p = tm.tensor(av, [n, n]).matmul(tm.tensor(bv, [n, n]));
    const y = tm.tidy(() => p.add(tm.tensor(cv, [n, n]).matmul(p.mul(2))));
    const pv = matmulRef(f64([n, n], av), f64([n, n], bv));
    const want = matmulRef(f64([n, n], cv), f64([n, n], pv.v.map((v) => 2 * v))).v.map((v, i) => v + pv.v[i]);
    expectClose(await y.data(), want, 1e-5, 'p + c·2p', want.map(() => 8));
    expectClose(await p.data(), pv.v, 1e-5, 'p', pv.v.map(() => 4));
  });

  it.each(TILE_CANDIDATES.map((t) => [tileName(t), t] as const))('relu(x·w + b) on the %s tile, large enough to use it, matches float64', async (_, tile) => {
    await tune(gpu.runtime); // nothing in flight that would overwrite the tile set here
    useTile(gpu.runtime, tile);
    const [m, k, n] = [129, 130, 132]; // 2.2M multiply-adds: past the size that uses the device's tile
    await expectFusedRelu(m, k, n);
    if (!gpu.features.f16) return void console.log('skipped the f16 half: no shader-f16 on this adapter');
    // The same in f16: f16 operands, f32 accumulator, the epilogue storing f16.
    await expectFusedRelu(m, k, n, 'f16');
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
