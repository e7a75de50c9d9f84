// Single ops on webgpu, tmnn next to tfjs-webgpu on the same adapter: each
// op timed until the GPU has run it, nothing read back, both sides waiting
// for the GPU the same way (tmnn's waiter), in turn so that load on the
// machine hits both alike. The elementwise and convolution tables use it.
import * as tf from '@tensorflow/tfjs-core';
import * as tm from '../../src/index.js';
import type { GpuData } from '../../src/backends/webgpu/data.js';
import type { WebGpuBackend } from '../../src/backends/webgpu/index.js';
import { bestOfEach, printTable } from '../harness.js';
import { tfjsGpuDone } from '../peers/tfjs-webgpu-node.js';

export interface GpuOpRow {
  op: string;
  /** ms until the GPU is done. */
  tmnn: number;
  tfjs: number;
}

/** A case of a bench of single ops on webgpu: the op on each side. */
export interface GpuOpCase {
  op: string;
  tmnn: () => tm.Tensor;
  tfjs: () => tf.Tensor;
}

/** ms until the GPU has run each case's op, best of runs in turn, nothing read back; tfjs's active backend must be webgpu. */
export async function gpuOpTimes(gpu: WebGpuBackend, ms: number, cases: readonly GpuOpCase[]): Promise<GpuOpRow[]> {
  const wait = gpu.runtime.ctx.wait;
  const rows: GpuOpRow[] = [];
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

/** A table of such times, tmnn and tfjs-webgpu side by side with the ratio. */
export function printGpuOpTable(title: string, rows: readonly GpuOpRow[], note: string): void {
  printTable(title, ['op', 'tmnn', 'tfjs-webgpu', 'speed-up'], rows.map((r) => [r.op, r.tmnn, r.tfjs, r.tfjs / r.tmnn]), note);
}
