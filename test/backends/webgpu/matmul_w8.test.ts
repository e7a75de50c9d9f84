// The f16 way of a product with an int8 weight on webgpu, kernel by kernel:
// out[m, n] = scale[n] · Σ_k f16(x[m, k]) · w[n, k] with x f32 (rounded to
// f16 by the kernel as it loads it) or f16 as stored, and w int8 four to a
// word, on every tile (square workgroups, and one-row workgroups sharing x
// through subgroups), at sizes where rows of w do not start on a word (K % 4
// != 0) and edges do not fill a tile. The int8 values and x in f16 are exact
// in f32, so only the f32 sum rounds.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../../src/index.js';
import { activeBackend } from '../../../src/engine.js';
import type { GpuData } from '../../../src/backends/webgpu/data.js';
import type { WebGpuBackend } from '../../../src/backends/webgpu/index.js';
import { matmulW8, measureW8Tile } from '../../../src/backends/webgpu/kernels/matmul_w8.js';
import { describeQuantizedTile, QUANTIZED_TILES, quantizedTileRuns, type QuantizedTile } from '../../../src/backends/webgpu/kernels/quantized_tiles.js';
import { asF16, asF32, expectClose, expectExact, randomInts, TOL, uniform } from '../../helpers/data.js';

let gpu: WebGpuBackend;
beforeAll(async () => {
  await tm.init({ backend: 'webgpu' });
  gpu = activeBackend() as WebGpuBackend;
});

/** scale[n] · Σ_k x[m, k] · w[n, k] in float64, and the same over magnitudes (the scale of the rounding). */
function reference(x: Float64Array, w: Float64Array, scales: Float64Array, m: number, n: number, k: number): { want: Float64Array; size: Float64Array } {
  const want = new Float64Array(m * n);
  const size = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      let a = 0;
      for (let p = 0; p < k; p++) {
        s += x[i * k + p] * w[j * k + p];
        a += Math.abs(x[i * k + p] * w[j * k + p]);
      }
      want[i * n + j] = s * scales[j];
      size[i * n + j] = a * Math.abs(scales[j]);
    }
  }
  return { want, size };
}

function maxRelDiff(got: ArrayLike<number>, want: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]) / (Math.abs(want[i]) + 1e-30));
  return worst;
}

async function product(tile: QuantizedTile, x: tm.Tensor, w: tm.Tensor, scales: tm.Tensor): Promise<Float32Array> {
  const rt = gpu.runtime;
  const operand = (t: tm.Tensor) => {
    const d = t.dataRef('test').storage as GpuData;
    gpu.materialize(d);
    return { buffer: d.buffer!, shape: t.shape, dtype: t.dtype };
  };
  const [m, n] = [x.shape[0], w.shape[0]];
  const out = rt.pool.acquire(m * n * 4);
  matmulW8(rt, operand(x), operand(w), operand(scales), out, tile);
  const bytes = await rt.commands.read(out, m * n * 4);
  rt.pool.release(out);
  return new Float32Array(bytes);
}

/** Whether this adapter runs the tile; says so where it does not (a feature the adapter lacks, not a failure). */
function runs(tile: QuantizedTile): boolean {
  if (quantizedTileRuns(tile, gpu.features)) return true;
  console.log(`skipped ${describeQuantizedTile(tile)}: this adapter's subgroups (${gpu.features.subgroupSize ?? 'no fixed size'}) do not fit the tile`);
  return false;
}

describe.each(QUANTIZED_TILES.map((t) => [describeQuantizedTile(t), t] as const))('x · int8 weight through %s', (_, tile) => {
  it.each([
    ['f32', 1, 1, 1], ['f32', 1, 4, 1], ['f32', 7, 13, 5], ['f32', 33, 127, 17], ['f32', 5, 513, 129], ['f32', 19, 40, 300], ['f32', 129, 6, 7],
    ['f16', 7, 13, 5], ['f16', 33, 130, 65], ['f16', 9, 64, 40],
  ] as const)('%s x: M=%i K=%i N=%i', async (dtype, m, k, n) => {
    if (!runs(tile)) return;
    const xv = asF32(uniform(m * k));
    const wv = randomInts(n * k, -128, 127);
    const sv = asF32(uniform(n, 0.001, 0.1));
    const x = tm.tensor(xv, [m, k], { dtype });
    const w = tm.tensor(wv, [n, k], { dtype: 'i8' });
    const scales = tm.tensor(sv, [n]);
    const { want, size } = reference(asF16(xv), wv, sv, m, n, k);
    expectClose(await product(tile, x, w, scales), want, TOL.f32, `${dtype} x · int8 weight`, size);
    // Not the unrounded product: the f32 x really went through f16.
    if (dtype === 'f32' && k >= 13) expect(maxRelDiff(await product(tile, x, w, scales), reference(xv, wv, sv, m, n, k).want)).toBeGreaterThan(1e-6);
  });
});

it('2,097,157 rows, more workgroups than a launch dimension takes, are folded into the grid and every row is right', async () => {
  const [m, k, n] = [65_536 * 32 + 5, 4, 3];
  const xv = asF16(uniform(m * k));
  const wv = randomInts(n * k, -128, 127);
  const sv = asF32(uniform(n, 0.001, 0.1));
  const x = tm.tensor(asF32(xv), [m, k]);
  const w = tm.tensor(wv, [n, k], { dtype: 'i8' });
  const scales = tm.tensor(sv, [n]);
  const { want, size } = reference(xv, wv, sv, m, n, k);
  for (const tile of QUANTIZED_TILES.filter(runs)) expectClose(await product(tile, x, w, scales), want, TOL.f32, describeQuantizedTile(tile), size);
  for (const t of [x, w, scales]) t.dispose();
});

it('rounds f32 activations exactly as f16 does: ties to even, subnormal halves, overflow to ∞, NaN', async () => {
  const values = [1 + 2 ** -11, 1 + 3 * 2 ** -11, -(1 + 2 ** -11), 0.1, -1 / 3, 65000, 65519, 65520, -1e6, 1e-6, -3e-7, 6.1e-5, 2 ** -25, 3 * 2 ** -25, 0, -0, NaN, Infinity];
  const xv = asF32(Float64Array.from(values));
  // K = 1, one column, weight 1 and scale 1: out[m] = f16(x[m]) itself.
  const x = tm.tensor(xv, [xv.length, 1]);
  const w = tm.tensor([1], [1, 1], { dtype: 'i8' });
  const scales = tm.tensor([1], [1]);
  for (const tile of QUANTIZED_TILES.filter(runs)) expectExact(await product(tile, x, w, scales), asF16(xv), describeQuantizedTile(tile));
});

it('the tile is chosen by timing every one the device runs, once', async () => {
  const tile = await measureW8Tile(gpu.runtime);
  expect(QUANTIZED_TILES.filter((t) => quantizedTileRuns(t, gpu.features))).toContain(tile);
  expect(await measureW8Tile(gpu.runtime)).toBe(tile);
});
