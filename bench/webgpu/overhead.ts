// What one op costs on small tensors ([64, 128]), where launching it rather
// than its arithmetic sets the time: the regime of small models and of every
// model on a fast GPU. tmnn and tfjs-webgpu each run the same op hundreds of
// times in a row and then wait for the GPU once; the figures are the stretch
// until the last op is issued (the CPU's share: what a launch costs on a GPU
// fast enough to keep up) and until the GPU is done, each divided by the ops.
// Each side is used as its users write it: relu(x·w + b) is one fused launch
// in tmnn and three in tfjs.
import * as tf from '@tensorflow/tfjs-core';
import * as tm from '../../src/index.js';
import type { GpuData } from '../../src/backends/webgpu/data.js';
import type { WebGpuBackend } from '../../src/backends/webgpu/index.js';
import { tilesSettled } from '../../src/backends/webgpu/kernels/matmul_tuning.js';

const OPS = 300;
const ROUNDS = 3;

/** µs per op: until it is issued, and until the GPU has run it. */
export interface OpCost {
  issueUs: number;
  doneUs: number;
}

export interface OverheadRow {
  op: string;
  tmnn: OpCost;
  tfjs: OpCost;
}

/** µs per op of each case for tmnn (on `gpu`) and tfjs (its active backend, webgpu), best of a few rounds. */
export async function launchOverhead(gpu: WebGpuBackend): Promise<OverheadRow[]> {
  const [xv, wv, bv] = [[64, 128], [128, 64], [64]].map((shape, i) => ({ shape, values: tm.randn(shape, { seed: i + 1 }) }));
  const tmnnIn = { x: xv.values, w: wv.values, b: bv.values };
  const tfIn = await Promise.all([xv, wv, bv].map(async (v) => tf.tensor(await v.values.data(), v.shape)));
  const [tx, tw, tb] = tfIn;
  const cases: { op: string; tmnn: () => tm.Tensor; tfjs: () => tf.Tensor }[] = [
    { op: 'x + 1', tmnn: () => tmnnIn.x.add(1), tfjs: () => tf.add(tx, 1) },
    { op: 'relu(x·w + b)', tmnn: () => tmnnIn.x.matmul(tmnnIn.w).add(tmnnIn.b).relu(), tfjs: () => tf.relu(tf.add(tf.matMul(tx, tw), tb)) },
    { op: 'sum(x, axis 1)', tmnn: () => tmnnIn.x.sum(1), tfjs: () => tf.sum(tx, 1) },
    { op: 'softmax(x)', tmnn: () => tmnnIn.x.softmax(-1), tfjs: () => tf.softmax(tx) },
  ];
  const rows: OverheadRow[] = [];
  for (const c of cases) {
    const best = { tmnn: { issueUs: Infinity, doneUs: Infinity }, tfjs: { issueUs: Infinity, doneUs: Infinity } };
    for (let round = 0; round <= ROUNDS; round++) { // round 0 warms both up (pipelines) and is not counted
      const tmnn = await timeTmnn(gpu, c.tmnn);
      if (round === 0) await tilesSettled(gpu.runtime); // the product's shape ran 300 times: its tile is being measured
      const tfjs = await timeTfjs(c.tfjs);
      if (round > 0) [best.tmnn, best.tfjs] = [fastest(best.tmnn, tmnn), fastest(best.tfjs, tfjs)];
    }
    rows.push({ op: c.op, ...best });
  }
  for (const t of Object.values(tmnnIn)) t.dispose();
  tf.dispose(tfIn);
  return rows;
}

function fastest(a: OpCost, b: OpCost): OpCost {
  return { issueUs: Math.min(a.issueUs, b.issueUs), doneUs: Math.min(a.doneUs, b.doneUs) };
}

function perOp(start: number, issued: number): OpCost {
  return { issueUs: ((issued - start) * 1000) / OPS, doneUs: ((performance.now() - start) * 1000) / OPS };
}

async function timeTmnn(gpu: WebGpuBackend, op: () => tm.Tensor): Promise<OpCost> {
  await gpu.sync();
  const start = performance.now();
  for (let i = 0; i < OPS; i++) {
    const y = tm.tidy(op);
    gpu.materialize(y.dataRef('bench').storage as GpuData); // run it now, as a read would
    y.dispose();
  }
  const issued = performance.now();
  await gpu.sync();
  return perOp(start, issued);
}

async function timeTfjs(op: () => tf.Tensor): Promise<OpCost> {
  await tf.tidy(() => op()).data();
  const start = performance.now();
  let last: tf.Tensor | undefined;
  for (let i = 0; i < OPS; i++) {
    last?.dispose();
    last = tf.tidy(op);
  }
  const issued = performance.now();
  await last!.data(); // the queue runs in order: the last op done means all are
  last!.dispose();
  return perOp(start, issued);
}
