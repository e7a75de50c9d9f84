// Where the time of "op + await data()" goes, tmnn and tfjs-webgpu side by
// side: the product alone (until the GPU has finished it, nothing read back),
// and the read-back of a product already computed. The matmul table times
// both together, as the issue asks; on a fast GPU the read-back can be most of
// it (on the H200, 2.9 of tmnn's 3.1 ms at N=1024, while the product took
// 0.24), so the split says whether a ratio there is about kernels or about
// getting bytes home. A third column reads through Dawn with no library in
// between (copy into a mappable buffer, mapAsync, copy out): what any library
// pays at least.
import * as tf from '@tensorflow/tfjs-core';
import * as tm from '../../src/index.js';
import type { GpuData } from '../../src/backends/webgpu/data.js';
import type { WebGpuBackend } from '../../src/backends/webgpu/index.js';
import { tilesSettled } from '../../src/backends/webgpu/kernels/matmul_tuning.js';
import { bestOf, median } from '../harness.js';
import { tfjsGpuDone, useTfjsWebgpu } from '../peers/tfjs-webgpu-node.js';

export interface TimeSplit {
  n: number;
  /** ms of the product until the GPU is done, no read-back. */
  tmnnProduct: number;
  tfjsProduct: number;
  /** ms of `await data()` on a product the GPU has already computed. */
  tmnnRead: number;
  tfjsRead: number;
  /** ms of copy + mapAsync + copy out through Dawn directly, the same bytes. */
  dawnRead: number;
  /** ms to copy the same bytes from one JavaScript array into a new one, median and fastest of runs. */
  hostCopyMedian: number;
  hostCopyMin: number;
}

// GPUBufferUsage.MAP_READ | COPY_DST, GPUMapMode.READ: Dawn's globals are not defined where tmnn runs alone.
const MAP_READ_COPY_DST = 0x0001 | 0x0008;
const MAP_MODE_READ = 0x0001;

/** The split for each n, each size measured for about `ms` on each side. */
export async function timeSplit(gpu: WebGpuBackend, sizes: readonly number[], ms: number): Promise<TimeSplit[]> {
  const rows: TimeSplit[] = [];
  // tfjs runs on a device of its own; tmnn's stays active throughout.
  for (const n of sizes) {
    const ours = await tmnnSplit(gpu, n, ms);
    await useTfjsWebgpu();
    rows.push({ n, ...ours, ...(await tfjsSplit(n, ms, gpu.runtime.ctx.wait)), ...hostCopy(n) });
  }
  return rows;
}

/**
 * A read-back ends by copying the mapped bytes into a new ArrayBuffer (the
 * array data() returns; tfjs does the same). Whether that memory is fresh
 * (every page faulted in by the kernel on first write) or reused from the
 * allocator's heap depends on malloc's heuristics and when garbage collection
 * frees the last array, and a page fault is costly inside sandboxed VMs such
 * as this project's machines: a 4 MiB copy into fresh memory took 11 ms
 * (median) here, reused 0.3 ms. The median tells these apart where the
 * fastest run would hide them.
 */
function hostCopy(n: number): Pick<TimeSplit, 'hostCopyMedian' | 'hostCopyMin'> {
  const source = new Float32Array(n * n).fill(1);
  const times: number[] = [];
  let last: ArrayBuffer | null = null;
  for (let run = 0; run < 21; run++) {
    const start = performance.now();
    last = source.buffer.slice(0);
    times.push(performance.now() - start);
  }
  void last;
  return { hostCopyMedian: median(times), hostCopyMin: Math.min(...times) };
}

/**
 * Best times of the two halves of op + data(), taken in the same runs: each
 * run computes a product (`product` resolves once the GPU is done with it),
 * then reads it back, so load on the machine hits both halves alike.
 */
async function splitRuns<T>(product: () => Promise<T>, read: (result: T) => Promise<unknown>, done: (result: T) => void, ms: number): Promise<{ product: number; read: number }> {
  const best = { product: Infinity, read: Infinity };
  const until = performance.now() + ms;
  for (let run = 0; run < 3 || performance.now() < until; run++) {
    const start = performance.now();
    const result = await product();
    const computed = performance.now();
    await read(result);
    best.product = Math.min(best.product, computed - start);
    best.read = Math.min(best.read, performance.now() - computed);
    done(result);
  }
  return best;
}

async function tmnnSplit(gpu: WebGpuBackend, n: number, ms: number): Promise<Pick<TimeSplit, 'tmnnProduct' | 'tmnnRead' | 'dawnRead'>> {
  const a = tm.randn([n, n], { seed: 1 });
  const b = tm.randn([n, n], { seed: 2 });
  for (let i = 0; i < 2; i++) {
    const c = a.matmul(b);
    await c.data();
    c.dispose();
  }
  await tilesSettled(gpu.runtime);
  const split = await splitRuns(
    async () => {
      const c = a.matmul(b);
      gpu.materialize(c.dataRef('bench').storage as GpuData);
      await gpu.sync();
      return c;
    },
    (c) => c.data(),
    (c) => c.dispose(),
    ms,
  );
  // The same bytes through Dawn alone, from a computed product's buffer into a mappable one of its own.
  const c = a.matmul(b);
  const { device } = gpu.runtime.ctx;
  const storage = c.dataRef('bench').storage as GpuData;
  gpu.materialize(storage);
  const source = storage.buffer!;
  const bytes = n * n * 4;
  const staging = device.createBuffer({ label: 'bench read-back', size: bytes, usage: MAP_READ_COPY_DST });
  const dawnRead = await bestOf(async () => {
    const encoder = device.createCommandEncoder();
    encoder.copyBufferToBuffer(source, 0, staging, 0, bytes);
    device.queue.submit([encoder.finish()]);
    await staging.mapAsync(MAP_MODE_READ);
    staging.getMappedRange().slice(0);
    staging.unmap();
  }, ms / 2);
  staging.destroy();
  for (const x of [c, a, b]) x.dispose();
  return { tmnnProduct: split.product, tmnnRead: split.read, dawnRead };
}

/** tfjs's side; its product is waited for as tmnn's is (`wait`), so the two differ only in their kernels. */
async function tfjsSplit(n: number, ms: number, wait: <T>(pending: Promise<T>) => Promise<T>): Promise<Pick<TimeSplit, 'tfjsProduct' | 'tfjsRead'>> {
  const a = tf.randomNormal([n, n], 0, 1, 'float32', 1);
  const b = tf.randomNormal([n, n], 0, 1, 'float32', 2);
  for (let i = 0; i < 2; i++) {
    const c = tf.matMul(a, b);
    await c.data();
    c.dispose();
  }
  const split = await splitRuns(
    async () => {
      const c = tf.matMul(a, b);
      await tfjsGpuDone(wait);
      return c;
    },
    (c) => c.data(),
    (c) => c.dispose(),
    ms,
  );
  for (const x of [a, b]) x.dispose();
  return { tfjsProduct: split.product, tfjsRead: split.read };
}
