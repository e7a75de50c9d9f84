// f16 products on subgroup matrices (kernels/matmul_matrix.ts,
// shaders/matmul_matrix.wgsl): every tile a device runs, at sizes that fill
// no matrix evenly, with every transpose and a shared batch, against float64
// on the same f16 values; through the op with a fused epilogue; refused for
// operands that are not f16; how the device's tile for f16 products is
// chosen and remembered. The adapter in CI that has f16 subgroup
// matrices is Mesa 26's lavapipe (second_adapter.test.ts runs this file
// there, where a skip would hide a failure: TMNN_TEST_EXPECT_F16_MATRIX).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import * as tm from '../../../src/index.js';
import { activeBackend } from '../../../src/engine.js';
import type { GpuData } from '../../../src/backends/webgpu/data.js';
import type { WebGpuBackend } from '../../../src/backends/webgpu/index.js';
import { describeTile, matmulWithTile } from '../../../src/backends/webgpu/kernels/matmul_kernel.js';
import { MATRIX_PRODUCT_TILES, matrixProductRuns, type MatrixProductTile } from '../../../src/backends/webgpu/kernels/matmul_matrix.js';
import { tileForProduct, tileTuning, tune, useTile } from '../../../src/backends/webgpu/kernels/matmul_tuning.js';
import { decodeF16 } from '../../../src/f16.js';
import { asF16, expectClose, uniform } from '../../helpers/data.js';
import { f64, matmulRef } from '../../helpers/float64.js';
import { freshDevices } from '../../helpers/webgpu.js';

let gpu: WebGpuBackend;
beforeAll(async () => {
  await tm.init({ backend: 'webgpu' });
  gpu = activeBackend() as WebGpuBackend;
});

/** Whether this device runs the tile; says so where it does not (a feature the adapter lacks, not a failure). */
function runs(tile: MatrixProductTile): boolean {
  const why = !gpu.features.f16Matrix
    ? 'this device has no f16 subgroup matrices (they need Dawn\'s allow_unsafe_apis, TMNN_WEBGPU_UNSAFE_APIS=1, shader-f16, and a driver with VK_KHR_cooperative_matrix)'
    : !matrixProductRuns(tile, gpu.runtime.ctx, 'f16') ? 'the tile does not fit this device\'s limits' : null;
  if (why && process.env.TMNN_TEST_EXPECT_F16_MATRIX === '1') throw new Error(`expected to run ${describeTile(tile)}, but ${why}`);
  if (why) console.log(`skipped ${describeTile(tile)}: ${why}`);
  return why === null;
}

function bufferOf(t: tm.Tensor): GPUBuffer {
  const storage = t.dataRef('test').storage as GpuData;
  gpu.materialize(storage);
  return storage.buffer!;
}

/** f16 operands [batch, m, k] (or transposed) × [1, k, n], summed in f32 and stored as `out`, on `tile`: the result as f32. */
async function product(tile: MatrixProductTile, av: Float64Array, bv: Float64Array, aShape: number[], bShape: number[], transposeA: boolean, transposeB: boolean, out: 'f32' | 'f16') {
  const [a, b] = [tm.tensor(av, aShape, { dtype: 'f16' }), tm.tensor(bv, bShape, { dtype: 'f16' })];
  const [batch] = aShape;
  const [m, n] = [transposeA ? aShape[2] : aShape[1], transposeB ? bShape[1] : bShape[2]];
  const bytes = batch * m * n * (out === 'f32' ? 4 : 2);
  const buffer = gpu.runtime.pool.acquire(Math.ceil(bytes / 4) * 4);
  matmulWithTile(gpu.runtime, { buffer: bufferOf(a), shape: aShape, dtype: 'f16' }, { buffer: bufferOf(b), shape: bShape, dtype: 'f16' }, { transposeA, transposeB }, out, buffer, tile);
  const raw = await gpu.runtime.commands.read(buffer, Math.ceil(bytes / 4) * 4);
  gpu.runtime.pool.release(buffer);
  a.dispose();
  b.dispose();
  return out === 'f32' ? new Float32Array(raw, 0, batch * m * n) : decodeF16(new Uint16Array(raw, 0, batch * m * n));
}

// Only where Dawn may offer subgroup matrices (allow_unsafe_apis): as second_adapter.test.ts runs this file.
const TILES = process.env.TMNN_WEBGPU_UNSAFE_APIS === '1' ? MATRIX_PRODUCT_TILES : [];
if (!TILES.length) console.log('the f16 products on subgroup matrices are checked where Dawn may offer them (TMNN_WEBGPU_UNSAFE_APIS=1): second_adapter.test.ts');

describe.each(TILES.map((t) => [describeTile(t), t] as const))('%s', (_, tile) => {
  it.each([[1, 1, 1], [7, 13, 5], [8, 8, 8], [127, 129, 131], [65, 3, 70], [2, 513, 9], [33, 64, 200]])(
    'f16 M=%i K=%i N=%i, every transpose, a shared batch, summed in f32: float64 on the same f16 values',
    async (m, k, n) => {
      if (!runs(tile)) return;
      for (const [transposeA, transposeB] of [[false, false], [true, false], [false, true], [true, true]]) {
        const batch = 2;
        // f16 operands: the products are exact in f32, so the sums are as close as an f32 sum's.
        const av = asF16(uniform(batch * m * k));
        const bv = asF16(uniform(k * n));
        const aShape = transposeA ? [batch, k, m] : [batch, m, k];
        const bShape = transposeB ? [1, n, k] : [1, k, n];
        const want = matmulRef(f64(aShape, av), f64(bShape.slice(1), bv), { transposeA, transposeB });
        const scale = want.v.map(() => Math.sqrt(k) * 2);
        expectClose(await product(tile, av, bv, aShape, bShape, transposeA, transposeB, 'f32'), want.v, 1e-4, `${transposeA}/${transposeB} → f32`, scale);
        expectClose(await product(tile, av, bv, aShape, bShape, transposeA, transposeB, 'f16'), want.v, 2e-2, `${transposeA}/${transposeB} → f16`, scale);
      }
    },
  );

  describe('through the op', () => {
    afterAll(() => useTile(gpu.runtime, null));

    it('relu(x·w + b) in f16, large enough for the device\'s tile, runs on it in one launch and matches float64', async () => {
      if (!runs(tile)) return;
      await tune(gpu.runtime); // nothing in flight that would overwrite the tile set here
      useTile(gpu.runtime, tile);
      const [m, k, n] = [129, 130, 131]; // 2.2M multiply-adds: past the size that uses the device's tile
      const dims = { batchA: 1, batchB: 1, batch: 1, m, k, n };
      expect(tileForProduct(gpu.runtime, dims, { transposeA: false, transposeB: false }, { operands: 'f16', out: 'f16' })).toBe(tile);
      const [xv, wv, bv] = [asF16(uniform(m * k)), asF16(uniform(k * n)), asF16(uniform(n))];
      const before = gpu.runtime.commands.dispatches;
      const y = tm.tidy(() => tm.tensor(xv, [m, k], { dtype: 'f16' }).matmul(tm.tensor(wv, [k, n], { dtype: 'f16' })).add(tm.tensor(bv, [n], { dtype: 'f16' })).relu());
      gpu.materialize(y.dataRef('test').storage as GpuData);
      expect(gpu.runtime.commands.dispatches - before).toBe(1);
      expect(y.dtype).toBe('f16');
      const p = matmulRef(f64([m, k], xv), f64([k, n], wv));
      expectClose(await y.cast('f32').data(), p.v.map((v, i) => Math.max(v + bv[i % n], 0)), 2e-2, 'fused f16', p.v.map(() => Math.sqrt(k) * 2));
      // An f32 product of the same size runs on the f32 tiles meanwhile.
      const [xf, wf] = [uniform(m * k), uniform(k * n)];
      const z = tm.tensor(xf, [m, k]).matmul(tm.tensor(wf, [k, n]));
      const q = matmulRef(f64([m, k], xf), f64([k, n], wf));
      expectClose(await z.data(), q.v, 1e-4, 'f32 beside it', q.v.map(() => Math.sqrt(k) * 2));
    });
  });
});

describe('a tile on subgroup matrices', () => {
  it('refuses operands that are not f16, naming them, rather than reading them as f16', () => {
    const buffer = gpu.runtime.pool.acquire(64);
    const op = (shape: number[]) => ({ buffer, shape, dtype: 'f32' as const });
    expect(() => matmulWithTile(gpu.runtime, op([1, 2, 2]), op([1, 2, 2]), { transposeA: false, transposeB: false }, 'f32', buffer, MATRIX_PRODUCT_TILES[0]))
      .toThrow(/needs f16 operands summed in f32 on a device with f16 subgroup matrices \(operands f32, sums f32\)/);
    gpu.runtime.pool.release(buffer);
  });
});

describe("the device's tile for f16 products", () => {
  const freshDevice = freshDevices();
  const plain = { transposeA: false, transposeB: false };
  const large = { batchA: 1, batchB: 1, batch: 1, m: 256, n: 256, k: 256 }; // past the size that uses the device's tile
  const saved = process.env.XDG_CACHE_HOME;
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tmnn-matrix-tuning-'));
    process.env.XDG_CACHE_HOME = dir;
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.XDG_CACHE_HOME;
    else process.env.XDG_CACHE_HOME = saved;
  });

  it('is the f32 winner unless a tile on f16 subgroup matrices beat it on an f16 product; f32 products keep the f32 tile', async () => {
    const gpu = await freshDevice();
    const best = await tune(gpu.runtime);
    const { f16 } = tileTuning(gpu.runtime)!.value;
    if (gpu.features.f16Matrix) {
      // Raced: on lavapipe, which emulates the matrices, they lose (~7 against ~30 GFLOP/s at 512³).
      if (f16) expect(MATRIX_PRODUCT_TILES).toContain(f16);
    } else {
      expect(f16).toBeUndefined();
    }
    expect(tileForProduct(gpu.runtime, large, plain, { operands: 'f16', out: 'f16' })).toBe(f16 ?? best);
    expect(tileForProduct(gpu.runtime, large, plain, { operands: 'f32', out: 'f32' })).toBe(best);
  });

  it('is remembered for the next device on the adapter, and dropped where that device has no subgroup matrices to run it on', async () => {
    await tune((await freshDevice()).runtime);
    const file = join(dir, 'tmnn', 'webgpu-tuning.json');
    const stored = JSON.parse(readFileSync(file, 'utf8')) as Record<string, { value: Record<string, unknown> }>;
    const [key] = Object.keys(stored).filter((k) => k.endsWith('|matmul-tile'));
    // As a GPU whose tensor cores won the race would have stored it.
    const tile = MATRIX_PRODUCT_TILES[0];
    stored[key].value.f16 = JSON.parse(JSON.stringify(tile));
    writeFileSync(file, JSON.stringify(stored));

    const gpu = await freshDevice();
    const best = await tune(gpu.runtime);
    expect(tileTuning(gpu.runtime)!.source).toBe('remembered');
    const f16Tile = tileForProduct(gpu.runtime, large, plain, { operands: 'f16', out: 'f16' });
    if (!matrixProductRuns(tile, gpu.runtime.ctx, 'f16')) {
      console.log('this device has no f16 subgroup matrices: the remembered tile is dropped (second_adapter.test.ts runs this file where it is kept)');
      expect(tileTuning(gpu.runtime)!.value.f16).toBeUndefined();
      expect(f16Tile).toBe(best);
      return;
    }
    expect(f16Tile).toBe(tile);
    expect(tileForProduct(gpu.runtime, large, plain, { operands: 'f32', out: 'f32' })).toBe(best);
  });
});
