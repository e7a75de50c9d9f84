// Recording and submitting: kernels recorded between readbacks go to the GPU
// in batches, each launch's parameters (its dims, as a uniform) staged in one
// buffer per submit at its own offset. Hundreds of launches recorded before a
// single readback — several submits' worth — each read their own parameters,
// and an upload into a pooled buffer lands after the recorded work that still
// reads the buffer's old contents. A step repeated over the same buffers
// reuses its bind groups, parameters included, and still reads this step's
// parameters — also when a training loop reads back only every few steps, so
// that several steps share a submit.
import { beforeAll, expect, it, vi } from 'vitest';
import * as tm from '../../../src/index.js';
import { activeBackend, setActive } from '../../../src/engine.js';
import type { GpuData } from '../../../src/backends/webgpu/data.js';
import { webGpuBackendOn, type WebGpuBackend } from '../../../src/backends/webgpu/index.js';
import { measureRowLayout } from '../../../src/backends/webgpu/kernels/reduce.js';
import { expectClose, uniform } from '../../helpers/data.js';

let gpu: WebGpuBackend;
beforeAll(async () => {
  await tm.init({ backend: 'webgpu' });
  gpu = activeBackend() as WebGpuBackend;
});

it('hundreds of launches with parameters, recorded before one readback, each read their own', async () => {
  const n = 300;
  const v = uniform(n * 7);
  const x = tm.tensor(v, [n, 7]);
  const before = gpu.runtime.commands.dispatches;
  // Row k summed over its first (k % 7) + 1 columns: a slice and a reduction per row, each launch with its own dims.
  const sums = Array.from({ length: n }, (_, k) => tm.tidy(() => x.slice([k, 0], [1, (k % 7) + 1]).sum()));
  expect(gpu.runtime.commands.dispatches - before).toBeGreaterThanOrEqual(n);
  const got = await Promise.all(sums.map((s) => s.data()));
  const want = Array.from({ length: n }, (_, k) => v.slice(k * 7, k * 7 + (k % 7) + 1).reduce((a, b) => a + b, 0));
  expectClose(Float64Array.from(got.map((g) => g[0])), Float64Array.from(want), 1e-5);
  for (const t of [x, ...sums]) t.dispose();
});

it('a step repeated over the same buffers makes no new bind groups, yet each run reads its own parameters', async () => {
  const v = uniform(64 * 33);
  const x = tm.tensor(v, [64, 33]);
  // A fused kernel with a scalar (a uniform parameter) and a reduction with its dims: both carry parameters.
  const step = (s: number) => tm.tidy(() => x.mul(s).add(1).sum(1));
  const want = (s: number) => Float64Array.from({ length: 64 }, (_, r) => v.slice(r * 33, r * 33 + 33).reduce((a, b) => a + Math.fround(b * s) + 1, 0));
  // An f32 sum's error is relative to the sum of its terms' sizes, not to the sum, which cancels towards 0 where s < 0.
  const sizes = (s: number) => Float64Array.from({ length: 64 }, (_, r) => v.slice(r * 33, r * 33 + 33).reduce((a, b) => a + Math.abs(b * s + 1), 0));
  const device = gpu.runtime.ctx.device;
  // The device's first reduction times the row layouts (kernels/reduce.ts), binding buffers of its own: done before counting.
  await measureRowLayout(gpu.runtime);
  const created = vi.spyOn(device, 'createBindGroup');
  try {
    for (const s of [2, 3]) { // warm-up: pipelines and the first bind groups
      const y = step(s);
      expectClose(await y.data(), want(s), 1e-5, '', sizes(s));
      y.dispose();
    }
    created.mockClear();
    for (const s of [0.5, -4, 7.25]) {
      const y = step(s);
      expectClose(await y.data(), want(s), 1e-5, '', sizes(s)); // the bind group is last step's; the parameters are this step's
      y.dispose();
    }
    expect(created).not.toHaveBeenCalled();
  } finally {
    created.mockRestore();
    x.dispose();
  }
});

it('a small upload into a pooled buffer waits for recorded work that reads the old contents', async () => {
  // A size no other tensor here has, so the pool's idle buffer of its size is a's.
  const n = 4321;
  const [va, vc] = [uniform(n), uniform(n)];
  const a = tm.tensor(va, [n]);
  const storage = (t: tm.Tensor) => t.dataRef('test').storage as GpuData;
  const b = a.mul(2);
  gpu.materialize(storage(b)); // recorded, not submitted: it reads a's buffer later
  const buffer = storage(a).buffer;
  a.dispose(); // a's buffer goes back to the pool
  const c = tm.tensor(vc, [n]);
  expect(storage(c).buffer).toBe(buffer); // the pool handed it straight back
  expectClose(await b.data(), Float64Array.from(Float32Array.from(va), (x) => 2 * x), 0);
  expectClose(await c.data(), Float64Array.from(Float32Array.from(vc)), 0);
  for (const t of [b, c]) t.dispose();
});

it('reads reuse their read-back buffers, and reads in flight together each get their own', async () => {
  const [va, vb] = [uniform(3000), uniform(3000)];
  const [a, b] = [tm.tensor(va, [3000]), tm.tensor(vb, [3000])];
  const stored = (v: number[] | Float64Array) => Float64Array.from(Float32Array.from(v));
  await a.data(); // the first read makes a read-back buffer of this size
  const created = vi.spyOn(gpu.runtime.ctx.device, 'createBuffer');
  try {
    const [ga, gb] = await Promise.all([a.data(), b.data()]); // one reuses it, the other needs its own
    expect(created).toHaveBeenCalledTimes(1);
    expectClose(ga, stored(va), 0);
    expectClose(gb, stored(vb), 0);
    created.mockClear();
    for (let i = 0; i < 5; i++) expectClose(await b.data(), stored(vb), 0);
    expect(created).not.toHaveBeenCalled();
  } finally {
    created.mockRestore();
    for (const t of [a, b]) t.dispose();
  }
});

it('uploads of every size and alignment come back as written', async () => {
  const sizes = [1, 3, 4, 5, 255, 1023, 1024, 1025, 4096, 70_000];
  const values = sizes.map((n) => uniform(n));
  const i8 = sizes.map((n) => Int8Array.from({ length: n }, (_, i) => (i * 37) % 256 - 128));
  const ts = values.map((v) => tm.tensor(v, [v.length]));
  const ints = i8.map((v) => tm.tensor(v, [v.length], { dtype: 'i8' }));
  for (const [k, t] of ts.entries()) expectClose(await t.data(), Float64Array.from(Float32Array.from(values[k])), 0);
  for (const [k, t] of ints.entries()) expect(Array.from(await t.data())).toEqual(Array.from(i8[k]));
  for (const t of [...ts, ...ints]) t.dispose();
});

it('a training loop that reads back every few steps makes no new bind groups once warm', async () => {
  // As a program runs it: without the test mode's poison fills, whose own launches would hide a step's pattern.
  const plain = webGpuBackendOn(gpu.runtime.ctx, { poison: false });
  setActive(plain, { backend: 'webgpu', reason: 'test: no poison fills', passedOver: [] });
  tm.setSeed(1);
  const x = tm.tensor(Float32Array.from({ length: 32 }, (_, i) => Math.sin(i)), [4, 8]);
  const y = tm.tensor(Int32Array.from([0, 1, 0, 1]));
  const model = new tm.nn.Sequential([new tm.nn.Dense(8, 16, { activation: 'relu' }), new tm.nn.Dense(16, 16, { activation: 'relu' }), new tm.nn.Dense(16, 2)]);
  const optimizer = new tm.optim.Adam(model.parameters(), { lr: 1e-3 });
  const created = vi.spyOn(gpu.runtime.ctx.device, 'createBindGroup');
  // ~20 launches a step and a submit every 64: most submits hold parts of three steps.
  const steps = async (n: number): Promise<number> => {
    created.mockClear();
    for (let i = 1; i <= n; i++) {
      const loss = tm.tidy(() => {
        const l = tm.losses.crossEntropy(model.forward(x), y);
        l.backward();
        optimizer.step();
        optimizer.zeroGrad();
        return l;
      });
      if (i % 20 === 0) expect(Number.isFinite((await loss.data())[0])).toBe(true);
      loss.dispose();
    }
    return created.mock.calls.length;
  };
  try {
    // Warm: the first groups are made, and buffers idle in the pool from earlier work settle into the step's use.
    let warm = 0;
    while ((await steps(20)) > 0) expect(++warm).toBeLessThan(20);
    expect(await steps(100)).toBe(0);
  } finally {
    created.mockRestore();
    for (const t of [x, y]) t.dispose();
    model.dispose();
    optimizer.dispose();
    setActive(gpu, { backend: 'webgpu', reason: 'test', passedOver: [] });
  }
});
