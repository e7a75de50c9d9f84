// Elementwise ops on a [1024, 1024] tensor (~1M elements), tmnn next to
// tfjs-webgpu on the same adapter: memory traffic rather than launches sets
// the time here (timed as single_ops.ts times every single op).
import * as tf from '@tensorflow/tfjs-core';
import * as tm from '../../src/index.js';
import type { WebGpuBackend } from '../../src/backends/webgpu/index.js';
import { gpuOpTimes, type GpuOpCase, type GpuOpRow } from './single_ops.js';

const SHAPE = [1024, 1024];

/** ms per op for each case; tfjs's active backend must be webgpu. */
export async function elementwiseTimes(gpu: WebGpuBackend, ms: number): Promise<GpuOpRow[]> {
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
