// Correctness of the webgpu kernels on the adapter at hand, against the js
// backend (float64 inside, rounded once on store) on the same seeded data:
// for a machine with a GPU but no checkout to run `npm test` in (the
// workplace's device machine; scripts/device-kit.sh runs this before the
// bench). A GPU can differ from lavapipe where tests cannot see it —
// subgroup sizes, f16 rounding, workgroup limits — so this covers what
// varies by adapter: every matmul tile candidate at sizes that do not divide
// the tiles (f32 and f16, transposed, batched, a batch past a launch
// dimension's workgroups) and the tiles on f16 subgroup matrices where the
// device has them, the fused epilogue, the int8
// and f16 ways of a quantized product on every int8 kernel and tile, the row
// kernels (reductions, softmax, a reduction reading its chain) with and
// without subgroups and in both row layouts, a training step's gradients,
// and recurrent layers through the cells' kernels.
import * as tm from '../../src/index.js';
import { activeBackend } from '../../src/engine.js';
import type { WebGpuBackend } from '../../src/backends/webgpu/index.js';
import { TILE_CANDIDATES, describeTile, productTileRuns, tileRuns } from '../../src/backends/webgpu/kernels/matmul_kernel.js';
import { MATRIX_PRODUCT_TILES } from '../../src/backends/webgpu/kernels/matmul_matrix.js';
import { tune, useTile } from '../../src/backends/webgpu/kernels/matmul_tuning.js';
import { useQuantizedPath } from '../../src/backends/webgpu/kernels/quantized_path.js';
import { reduceOptions } from '../../src/backends/webgpu/kernels/reduce.js';
import { describeInt8Kernel, int8Candidates, useInt8Kernel } from '../../src/backends/webgpu/kernels/matmul_int8.js';
import { useW8Tile } from '../../src/backends/webgpu/kernels/matmul_w8.js';
import { describeQuantizedTile, QUANTIZED_TILES, quantizedTileRuns } from '../../src/backends/webgpu/kernels/quantized_tiles.js';

interface Case {
  readonly name: string;
  /** Largest error allowed, relative to the largest magnitude of the reference. */
  readonly tol: number;
  readonly run: () => tm.Tensor | tm.Tensor[];
}

const F32 = 1e-4;
const F16 = 2e-2;

/** Products large enough to take the tuned tile (≥ 2²¹ multiply-adds), with no dimension a multiple of a tile. */
function matmulCases(): Case[] {
  const cases: Case[] = [];
  for (const dtype of ['f32', 'f16'] as const) {
    const tol = dtype === 'f32' ? F32 : F16;
    const r = (shape: number[], seed: number) => tm.randn(shape, { seed, dtype });
    cases.push(
      { name: `${dtype} [129, 257] · [257, 131]`, tol, run: () => r([129, 257], 1).matmul(r([257, 131], 2)) },
      { name: `${dtype} [131, 263] · [263, 132] (N % 4 = 0: vec4 tiles)`, tol, run: () => r([131, 263], 3).matmul(r([263, 132], 4)) },
      { name: `${dtype} Aᵀ · Bᵀ, [263, 131]ᵀ · [133, 263]ᵀ`, tol, run: () => tm.matmul(r([263, 131], 5), r([133, 263], 6), { transposeA: true, transposeB: true }) },
      { name: `${dtype} batched [3, 67, 129] · shared [129, 260]`, tol, run: () => r([3, 67, 129], 7).matmul(r([129, 260], 8)) },
      { name: `${dtype} relu(x·w + b), fused`, tol, run: () => r([129, 257], 9).matmul(r([257, 132], 10)).add(r([132], 11)).relu() },
      // More tiles than the 65,535 workgroups a launch dimension takes: folded into two (shaders/tile_grid.wgsl).
      { name: `${dtype} a batch of 70,001 [2, 5] · [5, 4] products`, tol, run: () => r([70_001, 2, 5], 12).matmul(r([70_001, 5, 4], 13)) },
    );
  }
  return cases;
}

function rowCases(): Case[] {
  const x = (shape: number[], seed: number) => tm.randn(shape, { seed });
  return [
    { name: 'sum, max, argmax along rows of [37, 1031]', tol: F32, run: () => [x([37, 1031], 20).sum(1), x([37, 1031], 20).max(1), x([37, 1031], 20).argmax(1).cast('f32')] },
    { name: 'mean over a ~1e6-long row', tol: F32, run: () => x([1, 999_983], 21).mean(1) },
    { name: 'sum along axis 0 of [513, 67]', tol: F32, run: () => x([513, 67], 22).sum(0) },
    { name: 'softmax and logSoftmax of [67, 1025]', tol: F32, run: () => [x([67, 1025], 23).softmax(-1), x([67, 1025], 23).logSoftmax(-1)] },
    { name: 'sum of |x − 0.5| along rows of [300, 700] and axis 0 of [700, 300] (the chain read by the reduction)', tol: F32, run: () => [x([300, 700], 24).sub(0.5).abs().sum(1), x([700, 300], 25).sub(0.5).abs().sum(0)] },
  ];
}

function otherCases(): Case[] {
  return [
    {
      name: 'x · quantize(w), [67, 259] · [259, 131]',
      tol: 2e-2, // the int8 way quantizes x on the fly; both ways are compared with js's own (int8) way
      run: () => tm.randn([67, 259], { seed: 30 }).matmul(tm.quantize(tm.randn([259, 131], { seed: 31 }))),
    },
    {
      name: 'gradients of a small MLP step (cross-entropy)',
      tol: F32,
      run: () => {
        const w1 = tm.randn([61, 33], { seed: 40, std: 0.3 });
        const w2 = tm.randn([33, 10], { seed: 41, std: 0.3 });
        for (const w of [w1, w2]) w.requiresGrad = true;
        const loss = tm.tidy(() => tm.losses.crossEntropy(tm.randn([17, 61], { seed: 42 }).matmul(w1).relu().matmul(w2), tm.tensor(new Int32Array(17).map((_, i) => i % 10), [17])));
        loss.backward();
        return [loss, w1.grad!, w2.grad!];
      },
    },
    {
      name: "an LSTM and a GRU, 3 sequences of 5 steps of 7 → 129 units: outputs and every weight's gradient (the cells' kernels)",
      tol: F32,
      run: () => (['LSTM', 'GRU'] as const).flatMap((kind) => {
        const layer = new tm.nn[kind](7, 129, { seed: 50 });
        const [y, loss] = tm.tidy(() => {
          const out = layer.forward(tm.randn([3, 5, 7], { seed: 51 }));
          return [out, out.square().mean()];
        });
        loss.backward();
        return [y, loss, ...layer.parameters().map((p) => p.grad!)];
      }),
    },
  ];
}

async function values(c: Case): Promise<Float64Array> {
  const out = c.run();
  const parts = Array.isArray(out) ? out : [out];
  const data = await Promise.all(parts.map((t) => t.data()));
  for (const t of parts) t.dispose();
  return Float64Array.from(data.flatMap((d) => Array.from(d as ArrayLike<number>)));
}

/** Largest |got − want| over the largest |want|; Infinity for a NaN or a length mismatch. */
function relativeError(got: Float64Array, want: Float64Array): number {
  if (got.length !== want.length) return Infinity;
  let err = 0;
  let scale = 1e-30;
  for (let i = 0; i < want.length; i++) {
    if (Number.isNaN(got[i]) !== Number.isNaN(want[i])) return Infinity;
    if (!Number.isNaN(want[i])) err = Math.max(err, Math.abs(got[i] - want[i]));
    scale = Math.max(scale, Math.abs(want[i]));
  }
  return err / scale;
}

/** Runs every case on js, then on webgpu in each variant; prints a line per check. Returns the number that failed. */
export async function webgpuCheck(): Promise<number> {
  const groups = { matmul: matmulCases(), rows: rowCases(), other: otherCases() };
  await tm.init({ backend: 'js' });
  const want = new Map<Case, Float64Array>();
  for (const c of Object.values(groups).flat()) want.set(c, await values(c));

  await tm.init({ backend: 'webgpu' });
  const gpu = activeBackend() as WebGpuBackend;
  console.log(`checking webgpu on ${gpu.device.description} against the js backend`);
  let failed = 0;
  let checked = 0;
  const check = async (c: Case, variant: string) => {
    const err = relativeError(await values(c), want.get(c)!);
    checked++;
    if (!(err <= c.tol)) {
      failed++;
      console.log(`FAIL ${c.name} [${variant}]: relative error ${err.toExponential(2)} > ${c.tol}`);
    }
  };
  // Tuned first: a tuning still running when a product starts would replace the tile set for it.
  await tune(gpu.runtime);
  for (const tile of TILE_CANDIDATES) {
    if (!tileRuns(tile, gpu.runtime.ctx)) {
      console.log(`not checked: the tile ${describeTile(tile)} cannot run on this device (workgroup size, workgroup memory or subgroup size)`);
      continue;
    }
    useTile(gpu.runtime, tile);
    for (const c of groups.matmul) if (!c.name.startsWith('f16') || gpu.features.f16) await check(c, describeTile(tile));
  }
  // Tiles on f16 subgroup matrices run f16 products only (a pinned one leaves the rest on the default tile).
  for (const tile of MATRIX_PRODUCT_TILES) {
    if (!productTileRuns(tile, gpu.runtime.ctx, 'f16')) {
      console.log(`not checked: ${describeTile(tile)} (this device has no f16 subgroup matrices, or the tile is past its limits)`);
      continue;
    }
    useTile(gpu.runtime, tile);
    for (const c of groups.matmul) if (c.name.startsWith('f16')) await check(c, describeTile(tile));
  }
  for (const subgroups of gpu.features.subgroups ? [true, false] : [false]) {
    reduceOptions.subgroups = subgroups;
    reduceOptions.layout = 'workgroup';
    for (const c of groups.rows) await check(c, subgroups ? 'a workgroup per row, subgroups' : 'a workgroup per row, workgroup tree');
  }
  reduceOptions.layout = 'invocation';
  for (const c of groups.rows) await check(c, 'an invocation per row where rows are many');
  reduceOptions.subgroups = true;
  reduceOptions.layout = null;
  useQuantizedPath(gpu.runtime, 'int8');
  for (const kernel of int8Candidates(gpu.runtime.ctx)) {
    useInt8Kernel(gpu.runtime, kernel);
    await check(groups.other[0], `int8 way, ${describeInt8Kernel(kernel)}`);
  }
  useInt8Kernel(gpu.runtime, null);
  useQuantizedPath(gpu.runtime, 'f16');
  for (const tile of QUANTIZED_TILES.filter((t) => quantizedTileRuns(t, gpu.features))) {
    useW8Tile(gpu.runtime, tile);
    await check(groups.other[0], `f16 way, ${describeQuantizedTile(tile)}`);
  }
  useW8Tile(gpu.runtime, null);
  useQuantizedPath(gpu.runtime, null);
  useTile(gpu.runtime, null);
  await check(groups.other[1], 'tuned tile');
  await check(groups.other[2], 'tuned tile');
  console.log(`${checked - failed} of ${checked} checks passed${failed ? `, ${failed} FAILED` : ''}`);
  return failed;
}
