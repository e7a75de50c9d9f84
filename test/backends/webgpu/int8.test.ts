// The packed int8 product on webgpu: A [B, M, K] · Bᵀ read straight from
// words holding four int8, exact in i32, on both ways of summing four byte
// products (dot4I8Packed and extracted bytes) and every tile (square
// workgroups, and one-row workgroups sharing A through subgroups), and on
// subgroup matrices (tensor cores) where the device has them, at sizes
// where rows do not start on a word (K % 4 != 0) and edges do not fill a tile.
// CI's lavapipe (Mesa 25) has no subgroup matrices: second_adapter.test.ts
// runs this file again on a Mesa 26 lavapipe that has them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../../src/index.js';
import { activeBackend } from '../../../src/engine.js';
import type { GpuData } from '../../../src/backends/webgpu/data.js';
import type { WebGpuBackend } from '../../../src/backends/webgpu/index.js';
import { describeInt8Kernel, int8Candidates, matmulInt8, measureInt8Kernel, useInt8Kernel, type Int8Kernel } from '../../../src/backends/webgpu/kernels/matmul_int8.js';
import { MATRIX_TILES } from '../../../src/backends/webgpu/kernels/matrix_tiles.js';
import { useQuantizedPath } from '../../../src/backends/webgpu/kernels/quantized_path.js';
import { QUANTIZED_TILES, quantizedTileRuns, SQUARE_TILE } from '../../../src/backends/webgpu/kernels/quantized_tiles.js';
import { asF32, expectExact, randomInts, uniform } from '../../helpers/data.js';
import { wrapInt } from '../../helpers/float64.js';

let gpu: WebGpuBackend;
beforeAll(async () => {
  await tm.init({ backend: 'webgpu' });
  gpu = activeBackend() as WebGpuBackend;
});

/** Σ_k a[b, m, k] · b[b, n, k] in exact integers, wrapped to i32. */
function reference(a: Float64Array, b: Float64Array, batchA: number, batchB: number, m: number, n: number, k: number): Float64Array {
  const batch = Math.max(batchA, batchB);
  const out = new Float64Array(batch * m * n);
  for (let t = 0; t < batch; t++) {
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) s += a[((batchA === 1 ? 0 : t) * m + i) * k + p] * b[((batchB === 1 ? 0 : t) * n + j) * k + p];
        out[(t * m + i) * n + j] = wrapInt(s, 'i32');
      }
    }
  }
  return out;
}

async function product(kernel: Int8Kernel, a: tm.Tensor, b: tm.Tensor, batch: number, m: number, n: number): Promise<Int32Array> {
  const rt = gpu.runtime;
  const operand = (t: tm.Tensor) => {
    const d = t.dataRef('test').storage as GpuData;
    gpu.materialize(d);
    return { buffer: d.buffer!, shape: t.shape.length === 3 ? t.shape : [1, ...t.shape], dtype: 'i8' as const };
  };
  const out = rt.pool.acquire(batch * m * n * 4);
  matmulInt8(rt, operand(a), operand(b), out, { kernel });
  const bytes = await rt.commands.read(out, batch * m * n * 4);
  rt.pool.release(out);
  return new Int32Array(bytes);
}

// Subgroup matrices only where Dawn may offer them (allow_unsafe_apis): as second_adapter.test.ts runs this file.
const KERNELS: Int8Kernel[] = [
  ...(['dot4I8Packed', 'unpacked'] as const).flatMap((path) => QUANTIZED_TILES.map((tile) => ({ path, tile }))),
  ...(process.env.TMNN_WEBGPU_UNSAFE_APIS === '1' ? MATRIX_TILES.map((tile) => ({ path: 'subgroupMatrix' as const, tile })) : []),
];

/** Whether this adapter runs the kernel; says so where it does not (a feature the adapter lacks, not a failure). */
function runs(kernel: Int8Kernel): boolean {
  const why = kernel.path === 'dot4I8Packed' && !gpu.features.dot4I8Packed
    ? 'this adapter lacks packed_4x8_integer_dot_product'
    : kernel.path === 'subgroupMatrix'
    ? !gpu.features.int8Matrix
      ? 'this device has no int8 subgroup matrices (they need Dawn\'s allow_unsafe_apis, TMNN_WEBGPU_UNSAFE_APIS=1, and a driver with VK_KHR_cooperative_matrix)'
      : !int8Candidates(gpu.runtime.ctx).some((c) => c.tile === kernel.tile) ? 'the tile does not fit this device\'s limits' : null
    : !quantizedTileRuns(kernel.tile, gpu.features) ? `this adapter's subgroups (${gpu.features.subgroupSize ?? 'no fixed size'}) do not fit the tile` : null;
  // second_adapter.test.ts runs this file on an adapter that has them, where a skip would hide a failure.
  if (why && kernel.path === 'subgroupMatrix' && process.env.TMNN_TEST_EXPECT_INT8_MATRIX === '1') throw new Error(`expected to run ${describeInt8Kernel(kernel)}, but ${why}`);
  if (why) console.log(`skipped ${describeInt8Kernel(kernel)}: ${why}`);
  return why === null;
}

describe.each(KERNELS.map((k) => [describeInt8Kernel(k), k] as const))('int8 product through %s', (_, kernel) => {
  it.each([[1, 1, 1], [1, 4, 1], [7, 13, 5], [33, 127, 17], [64, 64, 64], [5, 513, 129], [129, 6, 7], [19, 40, 300]])('M=%i K=%i N=%i is exact', async (m, k, n) => {
    if (!runs(kernel)) return;
    const av = randomInts(m * k, -128, 127);
    const bv = randomInts(n * k, -128, 127);
    const a = tm.tensor(av, [m, k], { dtype: 'i8' });
    const b = tm.tensor(bv, [n, k], { dtype: 'i8' });
    expectExact(await product(kernel, a, b, 1, m, n), reference(av, bv, 1, 1, m, n, k));
  });

  it('batches, one side shared; extremes (-128 · -128) accumulate past i16', async () => {
    if (!runs(kernel)) return;
    const [batch, m, k, n] = [3, 9, 37, 11];
    const av = randomInts(batch * m * k, -128, 127).map((v, i) => (i % 7 === 0 ? -128 : v));
    const bv = randomInts(n * k, -128, 127).map((v, i) => (i % 5 === 0 ? -128 : v));
    const a = tm.tensor(av, [batch, m, k], { dtype: 'i8' });
    const b = tm.tensor(bv, [1, n, k], { dtype: 'i8' });
    expectExact(await product(kernel, a, b, batch, m, n), reference(av, bv, batch, 1, m, n, k));
  });
  it('a batch of 70,001 products, more workgroups than a launch dimension takes, is folded into the grid and stays exact', async () => {
    if (!runs(kernel)) return;
    const [batch, m, k, n] = [70_001, 2, 5, 3];
    const av = randomInts(batch * m * k, -128, 127);
    const bv = randomInts(batch * n * k, -128, 127);
    const a = tm.tensor(av, [batch, m, k], { dtype: 'i8' });
    const b = tm.tensor(bv, [batch, n, k], { dtype: 'i8' });
    expectExact(await product(kernel, a, b, batch, m, n), reference(av, bv, batch, batch, m, n, k));
    a.dispose();
    b.dispose();
  });
});

describe.each(KERNELS.map((k) => [describeInt8Kernel(k), k] as const))('a float chain over the product through %s', (_, kernel) => {
  afterAll(() => useInt8Kernel(gpu.runtime, null));
  it.each([[7, 13, 5], [33, 130, 65], [70, 64, 129]])('runs as its epilogue, in the same launch: M=%i K=%i N=%i', async (m, k, n) => {
    if (!runs(kernel)) return;
    useInt8Kernel(gpu.runtime, kernel);
    const av = randomInts(m * k, -128, 127);
    const bv = randomInts(n * k, -128, 127);
    const rowScale = asF32(uniform(m, 0.01, 1));
    const colScale = asF32(uniform(n, 0.01, 1));
    const [a, b] = [tm.tensor(av, [m, k], { dtype: 'i8' }), tm.tensor(bv, [n, k], { dtype: 'i8' })];
    const [rs, cs] = [tm.tensor(rowScale, [m, 1]), tm.tensor(colScale, [n])];
    for (const t of [a, b, rs, cs]) await t.data();
    const before = gpu.runtime.commands.dispatches;
    // The int8 way of x · q ends this way: the exact sums back to floats, scaled per row and per column.
    const y = tm.tidy(() => tm.matmul(a, b, { transposeB: true }).cast('f32').mul(rs).mul(cs));
    gpu.materialize(y.dataRef('test').storage as GpuData);
    expect(gpu.runtime.commands.dispatches - before).toBe(1);
    const sums = reference(av, bv, 1, 1, m, n, k);
    const want = sums.map((s, i) => Math.fround(Math.fround(s * rowScale[Math.floor(i / n)]) * colScale[i % n]));
    expectExact(await y.data(), want);
  });
});

describe.each(KERNELS.map((k) => [describeInt8Kernel(k), k] as const))('x · tm.quantize(w) through %s', (_, kernel) => {
  afterAll(() => {
    useInt8Kernel(gpu.runtime, null);
    useQuantizedPath(gpu.runtime, null);
  });
  // The int8 way's sums are exact on every kernel, and its float steps (x's quantization, the scaling back) are the same launches: so the same bits.
  it.each([[[33, 130], 65], [[2, 9, 37], 11], [[1, 300], 129]] as const)('x %j times a quantized [K, %i] weight gives the square tile\'s floats, bit for bit', async (xShape, n) => {
    if (!runs(kernel)) return;
    const k = xShape[xShape.length - 1];
    const size = (xShape as readonly number[]).reduce((p, d) => p * d, 1);
    const x = tm.tensor(asF32(uniform(size, -2, 2)), [...xShape]);
    const q = tm.quantize(tm.tensor(asF32(uniform(k * n, -1, 1)), [k, n]));
    useQuantizedPath(gpu.runtime, 'int8');
    useInt8Kernel(gpu.runtime, { path: 'unpacked', tile: SQUARE_TILE });
    const want = await tm.matmul(x, q).data();
    useInt8Kernel(gpu.runtime, kernel);
    expectExact(await tm.matmul(x, q).data(), Float64Array.from(want));
    q.dispose();
  });
});

it('the kernel is chosen by timing every one the device runs, once', async () => {
  const kernel = await measureInt8Kernel(gpu.runtime);
  expect(KERNELS.filter((k) => runs(k))).toContainEqual(kernel);
  expect(await measureInt8Kernel(gpu.runtime)).toBe(kernel);
  // matmul(i8, i8ᵀ) through the ops layer takes this kernel and stays exact.
  const a = tm.tensor(randomInts(6 * 10, -128, 127), [6, 10], { dtype: 'i8' });
  const b = tm.tensor(randomInts(4 * 10, -128, 127), [4, 10], { dtype: 'i8' });
  const want = reference(Float64Array.from(await a.data()), Float64Array.from(await b.data()), 1, 1, 6, 4, 10);
  expectExact(await tm.matmul(a, b, { transposeB: true }).data(), want);
});
