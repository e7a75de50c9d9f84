// The webgpu section of `npm run bench`: tmnn's WGSL matmul next to
// TensorFlow.js's WebGPU backend on the same Dawn adapter, both timed as
// op + `await data()`; f16 next to f32 with the bytes a weight tensor takes;
// and a fused matmul + bias + relu (one launch) against the same three ops
// forced to run one launch each.
import * as tm from '../../src/index.js';
import { activeBackend } from '../../src/engine.js';
import type { GpuData } from '../../src/backends/webgpu/data.js';
import type { WebGpuBackend } from '../../src/backends/webgpu/index.js';
import { describeTile } from '../../src/backends/webgpu/kernels/matmul_kernel.js';
import { MATRIX_PRODUCT_TILES } from '../../src/backends/webgpu/kernels/matmul_matrix.js';
import { shapeTiles, tileTuning, tilesSettled, tune } from '../../src/backends/webgpu/kernels/matmul_tuning.js';
import type { Tuned } from '../../src/backends/webgpu/tuning_store.js';
import { describeInt8Kernel, measureInt8Kernel } from '../../src/backends/webgpu/kernels/matmul_int8.js';
import { int8KernelTimes } from './int8_kernels.js';
import { measureQuantizedPaths, quantizedShapeWay, quantizedTiming, useQuantizedPath } from '../../src/backends/webgpu/kernels/quantized_path.js';
import type { QuantizedPath } from '../../src/backends/kernels.js';
import { bestOf, gflops, median, printTable, roundsOfEach, verdict } from '../harness.js';
import { tfjsMatmulGflops } from '../peers/tfjs.js';
import { useTfjsWebgpu } from '../peers/tfjs-webgpu-node.js';
import { printGpuOpTable } from './single_ops.js';
import { convTimes } from './conv.js';
import { printRecurrentGpuTable, recurrentGpuTimes } from './recurrent.js';
import { elementwiseTimes } from './elementwise.js';
import { launchOverhead } from './overhead.js';
import { timeSplit } from './readback.js';
import { tileTimes } from './tiles.js';
import { trainingStepProfile } from './profile.js';

const SIZES = [256, 512, 1024, 2048];

/** Where a tuned choice came from, for the table's notes. */
function provenance(t: Tuned<unknown> | undefined): string {
  if (!t) return 'not measured';
  return t.source === 'measured' ? 'measured in this run' : `remembered from ${t.measuredAt.slice(0, 16).replace('T', ' ')} UTC; TMNN_CACHE=0 measures afresh`;
}

/**
 * Runs `op` twice and waits for the tile measurements that starts (the
 * device's tile, and the tile of each product shape run a second time:
 * kernels/matmul_tuning.ts), so that they do not run in the background of
 * what is timed next.
 */
async function settle(gpu: WebGpuBackend, op: () => Promise<unknown>): Promise<void> {
  await op();
  await op();
  await tilesSettled(gpu.runtime);
}

/** GFLOP/s of an n×n product on the active (webgpu) backend, op + readback. */
async function tmnnGflops(gpu: WebGpuBackend, n: number, dtype: 'f32' | 'f16', ms: number): Promise<number> {
  const a = tm.randn([n, n], { seed: 1, dtype });
  const b = tm.randn([n, n], { seed: 2, dtype });
  const run = async () => {
    const c = a.matmul(b);
    await c.data();
    c.dispose();
  };
  await settle(gpu, run);
  const t = await bestOf(run, ms, 2);
  a.dispose();
  b.dispose();
  return gflops(2 * n ** 3, t);
}

/** The way tmnn takes for x [n, n] · quantize(w [n, n]) once the shape has run twice (and so been timed). */
async function wayTaken(gpu: WebGpuBackend, n: number): Promise<QuantizedPath> {
  const x = tm.randn([n, n], { seed: 1 });
  const q = tm.quantize(tm.randn([n, n], { seed: 2 }));
  for (let i = 0; i < 2; i++) await tm.noGrad(() => x.matmul(q)).data();
  x.dispose();
  q.dispose();
  return quantizedShapeWay(gpu.runtime, { m: n, k: n, n });
}

/**
 * GOP/s of x · quantize(w), op + readback, the way given: int8 (activations
 * quantized on the fly, exact int8 product, scaled back) or f16 (x in f16
 * times the int8 weight turned into floats in the kernel).
 */
async function quantizedGops(gpu: WebGpuBackend, n: number, ms: number, path: QuantizedPath): Promise<number> {
  useQuantizedPath(gpu.runtime, path);
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

/**
 * Milliseconds of relu(x·w + bias) fused (one launch) and forced into three
 * launches, and of the product x·w alone (what fusion cannot save), timed in
 * turn so that load on the machine hits all three alike; and the speed-up as
 * the median over rounds of unfused / fused within a round, which a burst of
 * load moves less than a ratio of two fastest runs taken rounds apart. Each
 * is timed until the GPU has finished, without reading the result back: a
 * readback is the same for both ways and on a real GPU would outweigh what
 * fusion saves.
 */
async function fusedVsUnfused(gpu: WebGpuBackend, n: number): Promise<{ fused: number; unfused: number; product: number; speedUp: number; noise: string }> {
  const x = tm.randn([n, n], { seed: 1 });
  const w = tm.randn([n, n], { seed: 2 });
  const bias = tm.randn([n], { seed: 3 });
  const run = (t: tm.Tensor) => gpu.materialize(t.dataRef('bench').storage as GpuData);
  const time = async (f: () => tm.Tensor) => {
    const y = tm.tidy(f);
    run(y);
    await gpu.sync();
    y.dispose();
  };
  await settle(gpu, () => time(() => x.matmul(w)));
  const rounds = await roundsOfEach({
    fused: () => time(() => x.matmul(w).add(bias).relu()),
    unfused: () => time(() => {
      const h = x.matmul(w);
      run(h);
      const s = h.add(bias);
      run(s);
      return s.relu();
    }),
    product: () => time(() => x.matmul(w)),
  }, gpu.device.software ? 6000 : 2000);
  for (const t of [x, w, bias]) t.dispose();
  const best = (k: 'fused' | 'unfused' | 'product') => Math.min(...rounds.map((r) => r[k]));
  const products = rounds.map((r) => r.product);
  // How much the same product moved between rounds: the noise any ratio here sits in.
  const noise = `${rounds.length} rounds; x·w alone ${best('product').toFixed(1)} / ${median(products).toFixed(1)} / ${Math.max(...products).toFixed(1)} ms fastest / median / slowest`;
  return { fused: best('fused'), unfused: best('unfused'), product: best('product'), speedUp: median(rounds.map((r) => r.unfused / r.fused)), noise };
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
  const int8Kernel = await measureInt8Kernel(gpu.runtime);
  const quantizedPath = await measureQuantizedPaths(gpu.runtime);
  const timing = quantizedTiming(gpu.runtime)!;
  const ours = new Map<number, { f32: number; f16: number; int8: number; q16: number }>();
  for (const n of SIZES) {
    ours.set(n, {
      f32: await tmnnGflops(gpu, n, 'f32', ms),
      // Without shader-f16, f16 tensors still work (packed two to a word, computed in f32): the row shows what that costs.
      f16: await tmnnGflops(gpu, n, 'f16', ms),
      int8: await quantizedGops(gpu, n, ms, 'int8'),
      q16: await quantizedGops(gpu, n, ms, 'f16'),
    });
  }
  useQuantizedPath(gpu.runtime, null);
  const ways = new Map<number, QuantizedPath>();
  for (const n of SIZES) ways.set(n, await wayTaken(gpu, n));
  const { fused, unfused, product, speedUp, noise } = await fusedVsUnfused(gpu, 1024);
  const adapter = await useTfjsWebgpu();
  const rows: (string | number)[][] = [];
  const checks: string[] = [];
  for (const n of SIZES) {
    const peer = await tfjsMatmulGflops(n, ms);
    const { f32, f16, int8, q16 } = ours.get(n)!;
    const kib = (bytes: number) => (bytes / 1024).toFixed(0);
    rows.push([String(n), f32, f16, int8, q16, ways.get(n)!, peer, f32 / peer, `${kib(n * n * 4)} / ${kib(n * n * 2)} / ${kib(n * n + 4 * n)}`]);
    if (n >= 1024) checks.push(`N=${n} f32 vs tfjs-webgpu ${(f32 / peer).toFixed(2)}× ≥ 2×: ${verdict(f32 / peer, 2)}`);
  }
  // Each square shape ran twice before it was timed, so it may have a tile of its own (kernels/matmul_tuning.ts).
  const byShape = new Map(shapeTiles(gpu.runtime).map((s) => [s.shape, s.tile]));
  const tilesRun = (dtypes: string) => SIZES.map((n) => {
    const own = byShape.get(`${n}x${n}x${n}${dtypes}`);
    return `N=${n} ${own ? describeTile(own) : "the device's"}`;
  }).join('; ');
  const f16Tile = tileTuning(gpu.runtime)?.value.f16;
  printTable(
    `matmul on webgpu (${gpu.device.description}), GFLOP/s, op + await data(); tmnn tile ${describeTile(tile)} (${provenance(tileTuning(gpu.runtime))}); tfjs-webgpu on ${adapter}`,
    ['N', 'tmnn f32', gpu.features.f16 ? 'tmnn f16' : 'tmnn f16 (packed, f32 compute)', 'x·q int8 way', 'x·q f16 way', 'x·q way taken', 'tfjs-webgpu f32', 'f32 ratio', 'KiB per weight f32 / f16 / int8+scales'],
    rows,
    `${checks.join('; ')}\nf32 products ran on: ${tilesRun('')}.\n` +
      `f16 products ran on: ${tilesRun(' f16')}; the device's for f16: ${f16Tile ? describeTile(f16Tile) : 'its f32 tile'}` +
      `${gpu.features.f16Matrix ? ' (tiles on f16 subgroup matrices raced it)' : ''}.\nx·q = x · tm.quantize(w), weight int8 at rest. int8 way: x quantized per row on the fly, exact int8 product through ${describeInt8Kernel(int8Kernel)} ` +
      `(chosen by timing it against the other ways and tiles on this device${gpu.features.dot4I8Packed ? '' : '; the adapter lacks packed_4x8_integer_dot_product'}), scaled back to f32. ` +
      `f16 way: x rounded to f16 as the kernel loads it, times the int8 weight turned into floats in the kernel, summed in f32.\n` +
      `The device's way: ${quantizedPath}, timing each way whole (GPU time and recording) on a [256, 1024] × [1024, 1024] product, int8 ${timing.value.int8Ms.toFixed(1)} ms, f16 ${timing.value.f16Ms.toFixed(1)} ms (${provenance(timing)}); ` +
      '"way taken": each shape, run twice, timed the same way on its own. Whole: the int8 way\'s launches on x (its row maxima, its quantization) with its product, against the f16 way\'s one kernel.',
  );
  // On a CPU rasteriser tfjs takes seconds for one 2048³ product: the split stops at 1024 there.
  const split = await timeSplit(gpu, gpu.device.software ? [256, 1024] : SIZES, ms);
  printTable(
    'where op + await data() goes (f32 matmul on webgpu): the product until the GPU is done, then the read-back of it, ms',
    ['N', 'tmnn product', 'tfjs product', 'product ratio', 'tmnn GFLOP/s no read-back', 'tmnn read-back', 'tfjs read-back', 'Dawn alone read-back', 'JS copy median / min'],
    split.map((r) => [
      String(r.n), r.tmnnProduct, r.tfjsProduct, r.tfjsProduct / r.tmnnProduct, gflops(2 * r.n ** 3, r.tmnnProduct),
      r.tmnnRead, r.tfjsRead, r.dawnRead, `${r.hostCopyMedian.toFixed(2)} / ${r.hostCopyMin.toFixed(2)}`,
    ]),
    'Both halves timed in the same runs (compute, wait for the GPU, then read); best of runs. "Dawn alone": copy into a mappable buffer, mapAsync, ' +
      'copy out, with no library in between: what any library pays at least. "JS copy": the same bytes copied from one JavaScript array into a new one, ' +
      'as every read-back ends: where that memory is fresh rather than reused by malloc, page faults dominate (costly in sandboxed VMs; see bench/webgpu/readback.ts). ' +
      'The floors above are on op + data(), both halves together.',
  );
  if (!gpu.device.software && gpu.features.timestampQuery) {
    // On a CPU rasteriser every candidate takes seconds to compile and run: tuning's own measurement is the picture there.
    const sizes = [1024, 2048, 4096];
    const tiles = await tileTimes(gpu, sizes);
    printTable(
      'every matmul tile candidate on webgpu, f32 GFLOP/s by GPU timestamps (no launch, sync or read-back)',
      ['tile', ...sizes.map((n) => `N=${n}`), ''],
      tiles.map((r) => [describeTile(r.tile), ...r.gflops, r.tile === tile ? '← the device\'s tile' : '']),
      'The device\'s tile was chosen by timing the candidates on a product sized to the device (kernels/matmul_tuning.ts); ' +
        'products a program runs again are timed per shape as well.',
    );
    if (gpu.features.f16Matrix) {
      const chosen = f16Tile ?? tile;
      const f16Tiles = await tileTimes(gpu, sizes, { tiles: [tile, ...MATRIX_PRODUCT_TILES], dtype: 'f16' });
      const { M, N, K } = gpu.features.f16Matrix;
      printTable(
        `f16 products on webgpu: the tiles on f16 subgroup matrices (${M}×${N}×${K}, summed in f32) against the device's f32 tile, GFLOP/s by GPU timestamps`,
        ['tile', ...sizes.map((n) => `N=${n}`), ''],
        f16Tiles.map((r) => [describeTile(r.tile), ...r.gflops, r.tile === chosen ? '← the device\'s tile for f16' : '']),
        'Raced on an f16 product when the device\'s tile is measured (kernels/matmul_tuning.ts); f16 shapes a program runs again are timed per shape with them.',
      );
    }
  }
  {
    // On a CPU rasteriser one size says enough (each kernel takes ~100 ms at 1024 there).
    const sizes = gpu.device.software ? [512] : [1024, 2048, 4096];
    const kernels = await int8KernelTimes(gpu, sizes);
    printTable(
      'every int8 product kernel on webgpu, exact [n, n] · [n, n]ᵀ in i32, GOP/s by the GPU\'s clock (no launch, sync or read-back)',
      ['kernel', ...sizes.map((n) => `N=${n}`), ''],
      kernels.map((r) => [describeInt8Kernel(r.kernel), ...r.gops, JSON.stringify(r.kernel) === JSON.stringify(int8Kernel) ? '← the device\'s kernel' : '']),
      'The device\'s kernel was chosen by timing these on a [256, 512] · [512, 512]ᵀ product (kernels/matmul_int8.ts). ' +
        (gpu.features.int8Matrix
          ? `subgroupMatrix: on the adapter's i8 subgroup matrices (${gpu.features.int8Matrix.M}×${gpu.features.int8Matrix.N}×${gpu.features.int8Matrix.K}).`
          : 'No subgroup-matrix kernels: this device has none (TMNN_WEBGPU_UNSAFE_APIS=1 asks Dawn for them; the adapter must list i8 ones).'),
    );
  }
  printGpuOpTable(
    'elementwise ops on [1024, 1024] on webgpu, ms until the GPU is done (no read-back)',
    await elementwiseTimes(gpu, ms),
    'Memory-bound work: tmnn computes four elements per invocation where the length allows (shaders/elementwise_vec4.wgsl), ' +
      'reading inputs of the output\'s size as vec4s; `x · y + 1` is one fused launch in tmnn, two in tfjs.',
  );
  printGpuOpTable(
    'a convolution, its training step and a pooling on webgpu, ms until the GPU is done (no read-back)',
    await convTimes(gpu, ms),
    'tmnn convolves in one kernel a kind, an implicit GEMM reading each window\'s pixels where they lie (shaders/conv2d.wgsl; no im2col buffer), ' +
      'the weight\'s gradient summed in runs added up after; the pooling takes the max over each window an index table lists (shaders/window_max.wgsl); ' +
      'tfjs-webgpu convolves and pools NHWC images directly.',
  );
  printRecurrentGpuTable(await recurrentGpuTimes(gpu, ms));
  const overhead = await launchOverhead(gpu);
  printTable(
    `one op on small tensors (x [64, 128], w [128, 64]) on webgpu, µs per op: 300 in a row, then one wait for the GPU`,
    ['op', 'tmnn issued', 'tfjs issued', 'speed-up', 'tmnn GPU done', 'tfjs GPU done', 'speed-up'],
    overhead.map((r) => [r.op, r.tmnn.issueUs, r.tfjs.issueUs, r.tfjs.issueUs / r.tmnn.issueUs, r.tmnn.doneUs, r.tfjs.doneUs, r.tfjs.doneUs / r.tmnn.doneUs]),
    'Launch cost, not arithmetic: what small models pay per op, and every model on a fast GPU. "issued": the CPU\'s share, until the last op is handed to the GPU; ' +
      '"GPU done": until the GPU has run them all. relu(x·w + b) is one fused launch in tmnn, three in tfjs.' +
      (gpu.device.software ? ' On a software adapter the GPU is the same CPU: its threads slow the issuing side too, and the kernels take part of "GPU done".' : ''),
  );
  if (gpu.features.timestampQuery) {
    const { kernels, stepMs, shapes } = await trainingStepProfile(gpu);
    const gpuMs = kernels.reduce((sum, k) => sum + k.ms, 0);
    printTable(
      `GPU time per kernel in a training step (MLP 784-256-256-10, batch 128, Adam) on webgpu, timestamp queries`,
      ['kernel', 'launches per step', 'GPU ms per step', 'share'],
      kernels.map((k) => [k.kernel, k.launches, k.ms, `${((100 * k.ms) / gpuMs).toFixed(0)}%`]),
      `GPU busy ${gpuMs.toFixed(1)} ms of a ${stepMs.toFixed(1)} ms step (timed: each dispatch in a pass of its own). ` +
        '`elementwise` is every fused chain (the optimizer update, activations, gradients); `matmul*` carry fused epilogues.',
    );
    printTable(
      'matmul tile per product shape of that step (timed per shape on this device, kernels/matmul_tuning.ts)',
      ['product [m, k] × [k, n]', 'tile', 'source'],
      shapes.map((s) => [s.shape, s.tile ? describeTile(s.tile) : `the device's (${describeTile(tile)})`, s.source]),
      `The device's tile, timed on square products: ${describeTile(tile)}. Aᵀ / Bᵀ: the operand read transposed in place (the gradients).`,
    );
  } else {
    console.log('\nGPU time per kernel: skipped, this adapter has no timestamp-query');
  }
  printTable(
    'matmul + bias + relu at N=1024 on webgpu, ms (best of runs, op until the GPU is done; no readback)',
    ['', 'fused (one launch)', 'three launches', 'speed-up (median of rounds)', 'x·w alone'],
    [['relu(x·w + b)', fused, unfused, speedUp, product]],
    `floor: fused ≥ 1.3× unfused: ${speedUp.toFixed(2)}× ${verdict(speedUp, 1.3)} (${noise})` +
      // The fused op contains the product: timing it faster than the product alone is the machine's noise, not fusion.
      (product > fused * 1.05 ? `; UNRELIABLE this run: x·w alone (${product.toFixed(0)} ms) timed slower than the fused op that contains it` : '') +
      (gpu.device.software ? ' (on a software adapter the product itself dominates; the launches fusion saves are a small share)' : ''),
  );
}
