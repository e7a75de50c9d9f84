// The webgpu section of `npm run bench`: tmnn's WGSL matmul next to
// TensorFlow.js's WebGPU backend on the same Dawn adapter, both timed as
// op + `await data()`; f16 next to f32 with the bytes a weight tensor takes;
// and a fused matmul + bias + relu (one launch) against the same three ops
// forced to run one launch each.
import * as tm from '../../src/index.js';
import { activeBackend } from '../../src/engine.js';
import type { GpuData } from '../../src/backends/webgpu/data.js';
import type { WebGpuBackend } from '../../src/backends/webgpu/index.js';
import { tune } from '../../src/backends/webgpu/kernels/matmul.js';
import { measureInt8Paths } from '../../src/backends/webgpu/kernels/matmul_int8.js';
import { bestOf, gflops, printTable, verdict } from '../harness.js';
import { tfjsMatmulGflops } from '../peers/tfjs.js';
import { useTfjsWebgpu } from '../peers/tfjs-webgpu-node.js';

const SIZES = [256, 512, 1024, 2048];

/** GFLOP/s of an n×n product on the active (webgpu) backend, op + readback. */
async function tmnnGflops(n: number, dtype: 'f32' | 'f16', ms: number): Promise<number> {
  const a = tm.randn([n, n], { seed: 1, dtype });
  const b = tm.randn([n, n], { seed: 2, dtype });
  const t = await bestOf(async () => {
    const c = a.matmul(b);
    await c.data();
    c.dispose();
  }, ms, 2);
  a.dispose();
  b.dispose();
  return gflops(2 * n ** 3, t);
}

/** GOP/s of x · quantize(w) (activations quantized on the fly, exact int8 product, scaled back), op + readback. */
async function quantizedGops(n: number, ms: number): Promise<number> {
  const x = tm.randn([n, n], { seed: 1 });
  const w = tm.randn([n, n], { seed: 2 });
  const q = tm.quantize(w);
  const t = await bestOf(async () => {
    const y = x.matmul(q);
    await y.data();
    y.dispose();
  }, ms, 2);
  for (const d of [x, w, q]) d.dispose();
  return gflops(2 * n ** 3, t);
}

/** Milliseconds of relu(x·w + bias) fused (one launch) and forced into three launches. */
async function fusedVsUnfused(gpu: WebGpuBackend, n: number): Promise<{ fused: number; unfused: number }> {
  const x = tm.randn([n, n], { seed: 1 });
  const w = tm.randn([n, n], { seed: 2 });
  const bias = tm.randn([n], { seed: 3 });
  const run = (t: tm.Tensor) => gpu.materialize(t.dataRef('bench').storage as GpuData);
  const fused = await bestOf(async () => {
    const y = tm.tidy(() => x.matmul(w).add(bias).relu());
    await y.data();
    y.dispose();
  }, 2000, 2);
  const unfused = await bestOf(async () => {
    const y = tm.tidy(() => {
      const h = x.matmul(w);
      run(h);
      const s = h.add(bias);
      run(s);
      return s.relu();
    });
    await y.data();
    y.dispose();
  }, 2000, 2);
  for (const t of [x, w, bias]) t.dispose();
  return { fused, unfused };
}

export async function webgpuSection(): Promise<void> {
  try {
    await tm.init({ backend: 'webgpu' });
  } catch (err) {
    console.log(`\nwebgpu: skipped, no adapter here: ${(err as Error).message}`);
    return;
  }
  const gpu = activeBackend() as WebGpuBackend;
  const tile = await tune(gpu.runtime);
  const ms = gpu.device.software ? 1500 : 500;
  const int8Path = await measureInt8Paths(gpu.runtime);
  const ours = new Map<number, { f32: number; f16: number; int8: number }>();
  for (const n of SIZES) {
    ours.set(n, {
      f32: await tmnnGflops(n, 'f32', ms),
      f16: gpu.features.f16 ? await tmnnGflops(n, 'f16', ms) : NaN,
      int8: await quantizedGops(n, ms),
    });
  }
  const { fused, unfused } = await fusedVsUnfused(gpu, 1024);
  const adapter = await useTfjsWebgpu();
  const rows: (string | number)[][] = [];
  const checks: string[] = [];
  for (const n of SIZES) {
    const peer = await tfjsMatmulGflops(n, ms);
    const { f32, f16, int8 } = ours.get(n)!;
    const kib = (bytes: number) => (bytes / 1024).toFixed(0);
    rows.push([String(n), f32, f16, int8, peer, f32 / peer, `${kib(n * n * 4)} / ${kib(n * n * 2)} / ${kib(n * n + 4 * n)}`]);
    if (n >= 1024) checks.push(`N=${n} f32 vs tfjs-webgpu ${(f32 / peer).toFixed(2)}× ≥ 2×: ${verdict(f32 / peer, 2)}`);
  }
  printTable(
    `matmul on webgpu (${gpu.device.description}), GFLOP/s, op + await data(); tmnn tile ${tile.tileM}×${tile.tileN} per invocation, ${tile.wgX}×${tile.wgY} workgroup (measured on this device); tfjs-webgpu on ${adapter}`,
    ['N', 'tmnn f32', 'tmnn f16', 'tmnn int8 (GOP/s)', 'tfjs-webgpu f32', 'f32 ratio', 'KiB per weight f32 / f16 / int8+scales'],
    rows,
    `${checks.join('; ')}\nint8 = x · tm.quantize(w): x quantized per row on the fly, exact int8 product through ${int8Path} ` +
      `(chosen by timing it against the other way on this device${gpu.features.dot4I8Packed ? '' : '; the adapter lacks packed_4x8_integer_dot_product'}), scaled back to f32`,
  );
  const ratio = unfused / fused;
  printTable(
    'matmul + bias + relu at N=1024 on webgpu, ms (best of runs, op + await data())',
    ['', 'fused (one launch)', 'three launches', 'speed-up'],
    [['relu(x·w + b)', fused, unfused, ratio]],
    `floor: fused ≥ 1.3× unfused: ${ratio.toFixed(2)}× ${verdict(ratio, 1.3)}` +
      (gpu.device.software ? ' (on a software adapter the product itself dominates; the launches fusion saves are a small share)' : ''),
  );
}
