// Elementwise ops on a [1024, 1024] tensor (~1M elements), tmnn next to
// tfjs-webgpu on the same adapter: memory traffic rather than launches sets
// the time here. Each op is timed until the GPU has run it, nothing read
// back, both sides waiting for the GPU the same way (tmnn's waiter), in turn
// so that load on the machine hits both alike.
import * as tf from '@tensorflow/tfjs-core';
import * as tm from '../../src/index.js';
import type { GpuData } from '../../src/backends/webgpu/data.js';
import type { WebGpuBackend } from '../../src/backends/webgpu/index.js';
import { bestOfEach } from '../harness.js';
import { tfjsGpuDone } from '../peers/tfjs-webgpu-node.js';

export interface ElementwiseRow {
  op: string;
  /** ms until the GPU is done. */
  tmnn: number;
  tfjs: number;
}

const SHAPE = [1024, 1024];

/** A case of a bench of single ops on webgpu: the op on each side. */
export interface GpuOpCase {
  op: string;
  tmnn: () => tm.Tensor;
  tfjs: () => tf.Tensor;
}

/** ms until the GPU has run each case's op, best of runs in turn, nothing read back; tfjs's active backend must be webgpu. */
export async function gpuOpTimes(gpu: WebGpuBackend, ms: number, cases: readonly GpuOpCase[]): Promise<ElementwiseRow[]> {
  const wait = gpu.runtime.ctx.wait;
  const rows: ElementwiseRow[] = [];
  for (const c of cases) {
    const t = await bestOfEach({
      tmnn: async () => {
        const out = tm.tidy(c.tmnn);
        gpu.materialize(out.dataRef('bench').storage as GpuData);
        await gpu.sync();
        out.dispose();
      },
      tfjs: async () => {
        const out = tf.tidy(c.tfjs);
        await tfjsGpuDone(wait);
        out.dispose();
      },
    }, ms);
    rows.push({ op: c.op, ...t });
  }
  return rows;
}

/** ms per op for each case; tfjs's active backend must be webgpu. */
export async function elementwiseTimes(gpu: WebGpuBackend, ms: number): Promise<ElementwiseRow[]> {
  const [x, y] = [1, 2].map((seed) => tm.randn(SHAPE, { seed }));
  const b = tm.randn([SHAPE[1]], { seed: 3 });
  const [tx, ty, tb] = await Promise.all([x, y, b].map(async (t) => tf.tensor(await t.data(), [...t.shape])));
  const cases: GpuOpCase[] = [
    { op: 'x + y', tmnn: () => x.add(y), tfjs: () => tf.add(tx, ty) },
    { op: 'x + b (b a row, broadcast)', tmnn: () => x.add(b), tfjs: () => tf.add(tx, tb) },
    { op: 'relu(x)', tmnn: () => x.relu(), tfjs: () => tf.relu(tx) },
    { op: 'x · y + 1', tmnn: () => x.mul(y).add(1), tfjs: () => tf.add(tf.mul(tx, ty), 1) },
  ];
  const rows = await gpuOpTimes(gpu, ms, cases);
  for (const t of [x, y, b]) t.dispose();
  tf.dispose([tx, ty, tb]);
  return rows;
}
