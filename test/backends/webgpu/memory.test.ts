// No leaks: a training-like loop (forward, loss, backward, optimizer step,
// a loss read back every few steps) leaves the engine's tensor count and the
// GPU buffer pool flat — every buffer is handed back and reused, none is
// created after the first iterations. A tensor larger than a kernel can bind
// gets a buffer marked for windows (windows.test.ts); one past the largest
// buffer a clear error.
// Freed buffers are handed out oldest first, so a repeated step gets the same
// buffers each time.
import { expect, it } from 'vitest';
import * as tm from '../../../src/index.js';
import { activeBackend } from '../../../src/engine.js';
import type { WebGpuBackend } from '../../../src/backends/webgpu/index.js';
import { BufferPool } from '../../../src/backends/webgpu/buffers.js';
import { storageOf } from '../../helpers/webgpu.js';

it('1,000 training steps leave tm.memory() and the buffer pool flat', async () => {
  await tm.init({ backend: 'webgpu' });
  const gpu = activeBackend() as WebGpuBackend;
  tm.setSeed(5);
  const x = tm.randn([16, 12]);
  // Every tensor made here is disposed: one left to the garbage collector would leave the count whenever it ran.
  const y = tm.tidy(() => tm.oneHot(tm.tensor(Int32Array.from({ length: 16 }, (_, i) => i % 4)), 4));
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
  for (const t of [x, y]) t.dispose();
  model.dispose();
  optimizer.dispose();
}, 120_000);

it('a tensor just under the binding limit gets a buffer a kernel can bind whole, whatever its size class; a larger one is marked for windows; past the largest buffer, a clear error', () => {
  const made: number[] = [];
  const device = { createBuffer: ({ size }: { size: number }) => (made.push(size), { size, destroy() {} }) } as unknown as GPUDevice;
  const oversized = new WeakSet<GPUBuffer>();
  const pool = new BufferPool(device, { bindable: 1000, largest: 5000, device: 'a test device', oversized });
  const under = pool.acquire(990); // its size class is 1,024
  pool.acquire(100);
  const over = pool.acquire(1004);
  expect(made).toEqual([1000, 256, 1024]);
  expect([oversized.has(under), oversized.has(over)]).toEqual([false, true]);
  expect(() => pool.acquire(5004)).toThrow('a tensor of 5,004 bytes is more than this device (a test device) holds in one buffer (maxBufferSize 5,000 bytes)');
});

it('buffer sizes stay multiples of 4 under a largest buffer that is not one (lavapipe\'s 2^32 - 1, which Vulkan refused as out of memory)', () => {
  const made: number[] = [];
  const device = { createBuffer: ({ size }: { size: number }) => (made.push(size), { size, destroy() {} }) } as unknown as GPUDevice;
  const pool = new BufferPool(device, { bindable: 1000, largest: 9001, device: 'a test device', oversized: new WeakSet() });
  pool.acquire(9000); // its size class, 9,216, is past the largest: the largest's last whole word, 9,000
  pool.acquire(4001); // 4,096, its size class
  expect(made).toEqual([9000, 4096]);
  // 9,001 bytes take 9,004 in words: past the largest.
  expect(() => pool.acquire(9001)).toThrow('a tensor of 9,001 bytes is more than this device (a test device) holds in one buffer (maxBufferSize 9,001 bytes)');
});

it('freed buffers of a size are handed out oldest first, whatever order they were freed in', () => {
  let made = 0;
  const device = { createBuffer: ({ size }: { size: number }) => ({ size, label: `buffer ${made++}`, destroy() {} }) } as unknown as GPUDevice;
  const pool = new BufferPool(device, { bindable: 1 << 20, largest: 1 << 21, device: 'a test device', oversized: new WeakSet() });
  const [a, b, c] = [pool.acquire(100), pool.acquire(100), pool.acquire(100)];
  const other = pool.acquire(5000);
  for (const buffer of [b, other, c, a]) pool.release(buffer);
  // Buffers are aged by when the pool first kept them: b, then c, then a.
  expect([pool.acquire(100), pool.acquire(100), pool.acquire(100)].map((x) => x.label)).toEqual([b, c, a].map((x) => x.label));
  pool.release(a);
  pool.release(b);
  expect(pool.acquire(100)).toBe(b);
  expect(pool.acquire(5000)).toBe(other);
  expect(made).toBe(4);
});

it('a buffer freed past the idle budget (512 MiB) is retired, not destroyed at once: recorded work may still read it', () => {
  const destroyed: number[] = [];
  let made = 0;
  const device = { createBuffer: ({ size }: { size: number }) => { const id = made++; return { size, destroy: () => destroyed.push(id) }; } } as unknown as GPUDevice;
  const retired: GPUBuffer[] = [];
  const mib = 2 ** 20;
  const pool = new BufferPool(device, { bindable: 256 * mib, largest: 1024 * mib, device: 'a test device', oversized: new WeakSet() }, (b) => retired.push(b));
  const buffers = [pool.acquire(200 * mib), pool.acquire(200 * mib), pool.acquire(200 * mib)];
  for (const b of buffers) pool.release(b);
  expect(retired).toEqual([buffers[2]]);
  pool.trim();
  expect(retired).toEqual([buffers[2], buffers[0], buffers[1]]);
  expect(destroyed).toEqual([]);
});

it('buffers let go of while recorded work still reads them are destroyed once that work is submitted, and the work runs', async () => {
  await tm.init({ backend: 'webgpu' });
  const gpu = activeBackend() as WebGpuBackend;
  const x = tm.fill([4096], 2);
  await x.data();
  const y = x.mul(3);
  gpu.materialize(storageOf(y)); // recorded, not submitted
  x.dispose(); // x's buffer goes idle while the recorded product reads it…
  gpu.runtime.pool.trim(); // …and the pool lets go of every idle buffer: it was destroyed before the submit
  expect(Array.from(await y.data()).every((v) => v === 6)).toBe(true);
});
