// An LSTM and a GRU layer on webgpu, tmnn next to tfjs-layers' layers on
// tfjs-webgpu on the same adapter, as bench/native/ops.ts sets them against
// tfjs-wasm: MNIST read as a sequence (an image's 28 rows as 28 steps of 28
// pixels, 32 images, 128 units), forward without gradients, and forward +
// the gradients of every weight. tmnn runs twice: with each step's gates one
// kernel (shaders/lstm_cell.wgsl, gru_cell.wgsl and their gradients), and
// with the kernel removed, so each step takes the ops it stands for (which
// fuse into a few chains): what the kernel gains. Timed as single_ops.ts
// times an op, until the GPU has run it, nothing read back, the three in
// turn so that load on the machine hits them alike.
import * as tf from '@tensorflow/tfjs-core';
import * as tm from '../../src/index.js';
import type { GpuData } from '../../src/backends/webgpu/data.js';
import type { WebGpuBackend } from '../../src/backends/webgpu/index.js';
import { recurrentCellsOf } from '../../src/backends/recurrent_cells.js';
import { bestOfEach, printTable } from '../harness.js';
import { tfjsGpuDone } from '../peers/tfjs-webgpu-node.js';
import { SEQUENCE, recurrentPair } from '../recurrent_pair.js';

export interface RecurrentGpuRow {
  op: string;
  /** ms until the GPU is done: with the fused cell, by the ops it stands for, and tfjs-layers'. */
  tmnn: number;
  byOps: number;
  tfjs: number;
}

/** Runs `fn` with the backend's fused kernels of `kind` removed (the op then takes the ops), and puts them back. */
async function withoutKernels(gpu: WebGpuBackend, kind: 'LSTM' | 'GRU', fn: () => Promise<void>): Promise<void> {
  const cells = recurrentCellsOf(gpu);
  const kept = { ...cells };
  if (kind === 'LSTM') cells.lstmCell = cells.lstmCellGrad = undefined;
  else cells.gruCell = cells.gruCellGrad = undefined;
  try {
    await fn();
  } finally {
    Object.assign(cells, kept);
  }
}

/** ms per layer call for each kind and way; tfjs's active backend must be webgpu. */
export async function recurrentGpuTimes(gpu: WebGpuBackend, ms: number): Promise<RecurrentGpuRow[]> {
  return [...await recurrentRows(gpu, 'LSTM', ms), ...await recurrentRows(gpu, 'GRU', ms)];
}

/** One kind's rows: the layers of recurrent_pair.ts, tmnn's with and without its cell kernels, tfjs-layers' on tfjs-webgpu. */
async function recurrentRows(gpu: WebGpuBackend, kind: 'LSTM' | 'GRU', ms: number): Promise<RecurrentGpuRow[]> {
  const { batch, time, features, units } = SEQUENCE;
  const pair = await recurrentPair(kind);
  const { layer, x, peer, tx } = pair;
  const wait = gpu.runtime.ctx.wait;
  const done = async (outs: tm.Tensor[]) => {
    for (const t of outs) gpu.materialize(t.dataRef('bench').storage as GpuData);
    await gpu.sync();
  };
  // Inference: no graph recorded (a forward whose graph is dropped unwalked holds its saved tensors until the garbage collector runs).
  const forward = async () => {
    const y = tm.noGrad(() => layer.forward(x));
    await done([y]);
    y.dispose();
  };
  const step = async () => {
    pair.backward();
    await done(layer.parameters().map((p) => p.grad!));
    pair.clearGrads();
  };
  const peerForward = async () => {
    const y = peer.apply(tx) as tf.Tensor;
    await tfjsGpuDone(wait);
    y.dispose();
  };
  const peerStep = async () => {
    const made = pair.peerGrads();
    await tfjsGpuDone(wait);
    tf.dispose(made);
  };
  const inference = await bestOfEach({ tmnn: forward, byOps: () => withoutKernels(gpu, kind, forward), tfjs: peerForward }, ms);
  const training = await bestOfEach({ tmnn: step, byOps: () => withoutKernels(gpu, kind, step), tfjs: peerStep }, ms);
  pair.dispose();
  return [
    { op: `${kind} ${batch}×${time}×${features} → ${units}, forward, no gradients (tfjs-layers' ${kind.toLowerCase()})`, ...inference },
    { op: `${kind} as above, forward + the gradients of its weights`, ...training },
  ];
}

/** The table of those times: tmnn with the fused cell, by ops, and tfjs-webgpu, with the ratios. */
export function printRecurrentGpuTable(rows: readonly RecurrentGpuRow[]): void {
  printTable(
    'an LSTM and a GRU layer on webgpu, ms until the GPU is done (no read-back)',
    ['layer', 'tmnn', 'tmnn by ops', 'fusion gain', 'tfjs-webgpu', 'speed-up'],
    rows.map((r) => [r.op, r.tmnn, r.byOps, r.byOps / r.tmnn, r.tfjs, r.tfjs / r.tmnn]),
    'tmnn: each step\'s gates one kernel (shaders/lstm_cell.wgsl, gru_cell.wgsl), its gradient another; "by ops": the same layer with those kernels removed, ' +
      'each step the elementwise ops they stand for (fused into a few chains). Each step\'s products are the same on both ways. ' +
      'tfjs-layers\' layers on tfjs-webgpu: Glorot recurrent weights, its GRU with σ gates and the reset gate before Whh (the same work a step).',
  );
}
