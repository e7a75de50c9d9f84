// Symmetric int8 weights on every backend: quantize/dequantize round trips
// within half a step, and a product with a quantized weight equals the
// float64 product of the dequantized operands (x quantized per row the same
// way), since the int8 part is exact. On webgpu the other way a device may
// pick — the weight dequantized to f16, x not quantized — is checked too.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { activeBackend } from '../../src/engine.js';
import type { WebGpuBackend } from '../../src/backends/webgpu/index.js';
import { measureQuantizedPaths, quantizedShapeWay, quantizedTiming, useQuantizedPath } from '../../src/backends/webgpu/kernels/quantized_path.js';
import { quantizeRows as quantizeRowsOnGpu } from '../../src/backends/webgpu/quantize_rows.js';
import { BACKENDS } from '../helpers/backends.js';
import { asF16, asF32, expectClose, TOL, uniform } from '../helpers/data.js';
import { f64, matmulRef } from '../helpers/float64.js';

/** The per-row symmetric int8 quantization tm.quantize documents, in float64: values and scales of rows [r, c]. */
function quantizeRows(v: Float64Array, r: number, c: number): { q: Float64Array; s: Float64Array } {
  const q = new Float64Array(r * c);
  const s = new Float64Array(r);
  for (let i = 0; i < r; i++) {
    let m = 0;
    for (let j = 0; j < c; j++) m = Math.max(m, Math.abs(v[i * c + j]));
    s[i] = Math.fround(m === 0 ? 1 : Math.fround(m) / 127);
    for (let j = 0; j < c; j++) q[i * c + j] = Math.max(-128, Math.min(127, Math.round(Math.abs(v[i * c + j]) / s[i]) * Math.sign(v[i * c + j])));
  }
  return { q, s };
}

describe.each(BACKENDS)('int8 quantization on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
    // The int8 way, whatever this device would measure (the f16 way has its own tests below).
    if (backend === 'webgpu') useQuantizedPath((activeBackend() as WebGpuBackend).runtime, 'int8');
  });

  it.each([[1, 1], [7, 5], [129, 127], [13, 513]])('quantize [%i, %i] → int8 rows [N, K] and scales; dequantize is within half a step', async (k, n) => {
    const w = asF32(uniform(k * n, -3, 3));
    const q = tm.quantize(tm.tensor(w, [k, n]));
    expect(q.values.dtype).toBe('i8');
    expect(q.values.shape).toEqual([n, k]);
    expect(q.scales.shape).toEqual([n]);
    expect(q.shape).toEqual([k, n]);
    expect(q.bytes).toBe(k * n + 4 * n);
    const scales = await q.scales.data();
    const back = await tm.dequantize(q).data();
    for (let i = 0; i < k; i++) {
      for (let j = 0; j < n; j++) {
        expect(Math.abs(back[i * n + j] - w[i * n + j])).toBeLessThanOrEqual(scales[j] / 2 + 1e-6 * Math.abs(w[i * n + j]));
      }
    }
    q.dispose();
  });

  it.each([[1, 4, 1], [7, 13, 5], [33, 127, 17], [16, 129, 64], [5, 513, 3]])('x [%i, %i] · q → the float64 product of the dequantized operands', async (m, k, n) => {
    const x = asF32(uniform(m * k, -2, 2));
    const w = asF32(uniform(k * n, -1, 1));
    const q = tm.quantize(tm.tensor(w, [k, n]));
    const y = tm.matmul(tm.tensor(x, [m, k]), q);
    expect(y.dtype).toBe('f32');
    expect(y.shape).toEqual([m, n]);
    // Reference: both operands quantized as documented, multiplied exactly, scaled back.
    const wq = quantizeRows(Float64Array.from({ length: n * k }, (_, i) => w[(i % k) * n + Math.floor(i / k)]), n, k);
    const xq = quantizeRows(x, m, k);
    const prod = matmulRef(f64([m, k], xq.q), f64([n, k], wq.q), { transposeB: true });
    const want = prod.v.map((v, i) => v * xq.s[Math.floor(i / n)] * wq.s[i % n]);
    // The int8 sum is exact. What is left: f32 rounding of the scaling, and x/scale landing on the
    // other side of a .5 (GPU division is within 2.5 ulp), which moves one x value by one step:
    // allow two such steps per output, each worth xs·ws·|wq| ≤ xs·ws·127.
    const scale = want.map((_, i) => (2 * xq.s[Math.floor(i / n)] * wq.s[i % n] * 127) / 1e-5);
    expectClose(await y.data(), want, 1e-5, 'quantized matmul', scale);
    // And it is close to the float product: within the quantization error of both sides.
    const exact = matmulRef(f64([m, k], x), f64([k, n], w));
    const bound = exact.v.map((_, i) => k * (xq.s[Math.floor(i / n)] * 1 + wq.s[i % n] * 2));
    const got = await y.data();
    got.forEach((g, i) => expect(Math.abs(g - exact.v[i])).toBeLessThanOrEqual(bound[i]));
    q.dispose();
  });

  it('batched activations [B, M, K] work; tidy keeps a returned QuantizedTensor whole', async () => {
    const q = tm.tidy(() => tm.quantize(tm.randn([9, 4], { seed: 4 })));
    const x = tm.randn([2, 3, 9], { seed: 5 });
    const y = x.matmul(q);
    expect(y.shape).toEqual([2, 3, 4]);
    const flat = tm.matmul(x.reshape([6, 9]), q);
    expectClose(await y.data(), await flat.data(), 1e-6);
    expectClose(await q.matmul(x).data(), await y.data(), 0); // q.matmul(x) applies the weight: x · w
  });

  it('a weight with no rows (K = 0) quantizes to empty rows of scale 1, and x [M, 0] · q is zeros, as the float product is', async () => {
    const q = tm.quantize(tm.zeros([0, 3]));
    expect(q.values.shape).toEqual([3, 0]);
    expect(Array.from(await q.scales.data())).toEqual([1, 1, 1]);
    expect(tm.dequantize(q).shape).toEqual([0, 3]);
    const y = tm.matmul(tm.zeros([2, 0]), q);
    expect(y.shape).toEqual([2, 3]);
    expect(Array.from(await y.data())).toEqual(Array.from(await tm.matmul(tm.zeros([2, 0]), tm.zeros([0, 3])).data()));
    // No columns (N = 0): no scales, and an empty product.
    const none = tm.quantize(tm.ones([4, 0]));
    expect([none.values.shape, none.scales.shape, tm.matmul(tm.ones([2, 4]), none).shape]).toEqual([[0, 4], [0], [2, 0]]);
  });

  it('rejects what it cannot do, with the reason', () => {
    expect(() => tm.quantize(tm.tensor([1, 2], [2], { dtype: 'f32' }))).toThrow(/must be 2-D \[K, N\], got \[2\]/);
    expect(() => tm.quantize(tm.tensor([[1]], { dtype: 'i32' }))).toThrow(/must be f32 or f16, got i32/);
    expect(() => tm.quantize(tm.ones([2, 2]), { dtype: 'i4' as 'i8' })).toThrow(/dtype must be 'i8'/);
    const q = tm.quantize(tm.ones([3, 2]));
    expect(() => tm.matmul(tm.ones([2, 4]), q)).toThrow(/inner dimensions differ: \[2,4\] x quantized \[3,2\]/);
    const x = tm.ones([2, 3]);
    x.requiresGrad = true;
    expect(() => tm.matmul(x, q)).toThrow(/no gradient flows through a quantized weight/);
    // Nor through an x computed from a parameter: its gradient was dropped as silently ([1,1] for [7,15]).
    expect(() => tm.matmul(x.mul(2), q)).toThrow(/no gradient flows through a quantized weight/);
    expect(tm.noGrad(() => tm.matmul(x, q)).shape).toEqual([2, 2]);
    // A plain array as x is named, as for a float product (it was a TypeError reading NaN).
    expect(() => tm.matmul([[1, 2, 3]] as unknown as tm.Tensor, q)).toThrow(tm.ValueError);
    const gone = tm.quantize(tm.ones([3, 2]));
    gone.dispose();
    expect(() => tm.dequantize(gone)).toThrow(/^dequantize: /);
  });
});

describe('quantized products on webgpu: the f16 way, and the choice between the two', () => {
  let gpu: WebGpuBackend;
  beforeAll(async () => {
    await tm.init({ backend: 'webgpu' });
    gpu = activeBackend() as WebGpuBackend;
  });

  it.each([[1, 4, 1], [7, 13, 5], [33, 127, 17], [5, 513, 3], [64, 130, 129]])('f16 way: x [%i, %i] · q is x in f16 times the int8 weight, summed in f32 and scaled', async (m, k, n) => {
    useQuantizedPath(gpu.runtime, 'f16');
    expect(gpu.quantizedMatmulPath()).toBe('f16');
    const x = asF32(uniform(m * k, -2, 2));
    const q = tm.quantize(tm.tensor(asF32(uniform(k * n, -1, 1)), [k, n]));
    const y = tm.matmul(tm.tensor(x, [m, k]), q);
    expect(y.dtype).toBe('f32');
    expect(y.shape).toEqual([m, n]);
    // Reference from the stored int8 values and scales: y[m, n] = scales[n] · Σ_k f16(x[m, k]) · values[n, k].
    const [values, scales] = [await q.values.data(), await q.scales.data()];
    const xh = asF16(x);
    const want = matmulRef(f64([m, k], xh), f64([n, k], values), { transposeB: true }).v.map((v, i) => v * scales[i % n]);
    const size = matmulRef(f64([m, k], xh.map(Math.abs)), f64([n, k], values.map(Math.abs)), { transposeB: true }).v.map((v, i) => v * scales[i % n]);
    expectClose(await y.data(), want, TOL.f32, 'f16-way quantized matmul', size);
    q.dispose();
  });

  it('f16 way: batched and 1-D activations, and empty ones', async () => {
    useQuantizedPath(gpu.runtime, 'f16');
    const q = tm.tidy(() => tm.quantize(tm.randn([9, 4], { seed: 4 })));
    const x = tm.randn([2, 3, 9], { seed: 5 });
    const y = x.matmul(q);
    expect(y.shape).toEqual([2, 3, 4]);
    expectClose(await y.data(), await tm.matmul(x.reshape([6, 9]), q).data(), 0);
    const row = tm.matmul(x.reshape([6, 9]).slice([2], [1]).reshape([9]), q);
    expect(row.shape).toEqual([4]);
    expectClose(await row.data(), (await y.data()).slice(8, 12), 0);
    const empty = tm.matmul(tm.zeros([0, 9]), q);
    expect(empty.shape).toEqual([0, 4]);
  });

  it('the device times both ways once, keeps the faster, and reports it', async () => {
    const path = await measureQuantizedPaths(gpu.runtime);
    const timing = quantizedTiming(gpu.runtime)!.value;
    expect(['int8', 'f16']).toContain(path);
    expect(timing.int8Ms).toBeGreaterThan(0);
    expect(timing.f16Ms).toBeGreaterThan(0);
    expect(timing.path).toBe(timing.int8Ms <= timing.f16Ms ? 'int8' : 'f16');
    expect(await measureQuantizedPaths(gpu.runtime)).toBe(path); // measured once
  });

  it('times the int8 way whole: the launches on x it times with the product are the ones x · q makes', async () => {
    useQuantizedPath(gpu.runtime, 'int8');
    const [m, k, n] = [37, 96, 53];
    const x = tm.randn([m, k], { seed: 8 });
    const q = tm.quantize(tm.randn([k, n], { seed: 9 }));
    for (const t of [x, q.values, q.scales]) await t.data();
    // Poison fills (the test mode's, one per buffer taken) aside: the product's output is one more here.
    const launches = (kernels: { kernel: string; launches: number }[]) => kernels.filter((t) => t.kernel !== 'fill').map((t) => `${t.kernel} ×${t.launches}`).sort();
    const { kernels: real } = await gpu.timeKernels(async () => {
      const y = tm.noGrad(() => x.matmul(q));
      await y.data();
      y.dispose();
    });
    const product = real.filter((t) => t.kernel.startsWith('matmul_int8'));
    expect(product.map((t) => t.launches)).toEqual([1]);
    const buffer = gpu.runtime.pool.acquire(m * k * 4);
    const { kernels: timed } = await gpu.timeKernels(async () => quantizeRowsOnGpu(gpu, buffer, m, k));
    gpu.runtime.pool.release(buffer);
    expect(launches(timed)).toEqual(launches(real.filter((t) => !product.includes(t))));
    useQuantizedPath(gpu.runtime, null);
    x.dispose();
    q.dispose();
  });

  it('a shape run a second time is timed on its own and takes its way from then on; a pinned way overrides it', async () => {
    useQuantizedPath(gpu.runtime, null);
    await measureQuantizedPaths(gpu.runtime);
    const shape = { m: 37, k: 96, n: 53 };
    const x = tm.randn([shape.m, shape.k], { seed: 6 });
    const q = tm.quantize(tm.randn([shape.k, shape.n], { seed: 7 }));
    const general = gpu.quantizedMatmulPath();
    expect(gpu.quantizedMatmulPath(shape)).toBe(general); // first run: the device's way
    expect(gpu.quantizedMatmulPath(shape)).toBe(general); // second: timed in the background
    const own = await quantizedShapeWay(gpu.runtime, shape);
    expect(['int8', 'f16']).toContain(own);
    expect(gpu.quantizedMatmulPath(shape)).toBe(own);
    // Whichever way the shape takes, the product is x · dequantize(q) within the ways' rounding.
    const want = await tm.matmul(x, tm.dequantize(q)).data();
    expectClose(await tm.noGrad(() => x.matmul(q)).data(), want, 3e-2, 'x · q', want.map(() => 10));
    useQuantizedPath(gpu.runtime, own === 'int8' ? 'f16' : 'int8');
    expect(gpu.quantizedMatmulPath(shape)).not.toBe(own);
    useQuantizedPath(gpu.runtime, null);
    expect(gpu.quantizedMatmulPath(shape)).toBe(own);
    q.dispose();
  });
});
