// No leaks: a training-like loop (forward, loss, backward, optimizer step,
// a loss read back every few steps) leaves the engine's tensor count and the
// GPU buffer pool flat — every buffer is handed back and reused, none is
// created after the first iterations.
import { expect, it } from 'vitest';
import * as tm from '../../../src/index.js';
import { activeBackend } from '../../../src/engine.js';
import type { WebGpuBackend } from '../../../src/backends/webgpu/index.js';

it('1,000 training steps leave tm.memory() and the buffer pool flat', async () => {
  await tm.init({ backend: 'webgpu' });
  const gpu = activeBackend() as WebGpuBackend;
  tm.setSeed(5);
  const x = tm.randn([16, 12]);
  const y = tm.oneHot(tm.tensor(Int32Array.from({ length: 16 }, (_, i) => i % 4)), 4);
  const model = new tm.nn.Sequential([new tm.nn.Dense(12, 8, { activation: 'relu' }), new tm.nn.Dense(8, 4)]);
  const optimizer = new tm.optim.Adam(model.parameters(), { lr: 0.01 });
  const step = () => tm.tidy(() => {
    optimizer.zeroGrad();
    const loss = tm.losses.crossEntropy(model.forward(x), y);
    loss.backward();
    optimizer.step();
    return loss;
  });
  let first = NaN;
  let last = NaN;
  let settled: { tensors: number; live: number; created: number } | null = null;
  for (let i = 0; i < 1000; i++) {
    const loss = step();
    if (i % 50 === 0 || i === 999) {
      const v = (await loss.data())[0];
      if (i === 0) first = v;
      last = v;
    }
    loss.dispose();
    if (i === 300) settled = { tensors: tm.memory().numTensors, live: gpu.runtime.pool.info.live, created: gpu.runtime.pool.info.created };
  }
  await gpu.sync();
  expect(last).toBeLessThan(first);
  expect(tm.memory().numTensors).toBe(settled!.tensors);
  expect(gpu.runtime.pool.info.live).toBe(settled!.live);
  expect(gpu.runtime.pool.info.created).toBe(settled!.created);
  model.dispose();
  optimizer.dispose();
}, 120_000);
