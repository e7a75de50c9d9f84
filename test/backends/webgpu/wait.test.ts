// Waiting for the GPU in Node: Dawn's binding polls from setImmediate
// callbacks, so a plain await would keep the thread spinning. A wait sleeps
// the thread between polls once it passes a millisecond, in short sleeps, and
// still hands back the promise's value or error.
import { afterEach, expect, it, vi } from 'vitest';
import * as tm from '../../../src/index.js';
import { activeBackend } from '../../../src/engine.js';
import type { WebGpuBackend } from '../../../src/backends/webgpu/index.js';
import { gpuWaiter, sleepBetweenPolls } from '../../../src/backends/webgpu/wait.js';

afterEach(() => vi.restoreAllMocks());

const after = <T>(ms: number, value: T) => new Promise<T>((resolve) => setTimeout(() => resolve(value), ms));

it('a wait of a few tens of ms sleeps the thread between polls, never more than 1 ms at a time', async () => {
  const sleep = vi.spyOn(Atomics, 'wait');
  expect(await sleepBetweenPolls(after(30, 'mapped'))).toBe('mapped');
  expect(sleep.mock.calls.length).toBeGreaterThan(5);
  for (const [, , , timeout] of sleep.mock.calls) expect(timeout).toBeLessThanOrEqual(1);
});

it('a promise already settled is handed back without sleeping', async () => {
  const sleep = vi.spyOn(Atomics, 'wait');
  expect(await sleepBetweenPolls(Promise.resolve(7))).toBe(7);
  expect(sleep).not.toHaveBeenCalled();
});

it('a failure comes back as the same error', async () => {
  const lost = new Error('the GPU device was lost');
  await expect(sleepBetweenPolls(new Promise((_, reject) => setTimeout(() => reject(lost), 5)))).rejects.toBe(lost);
});

it('a browser awaits GPU promises as they are (its main thread may not sleep)', async () => {
  const sleep = vi.spyOn(Atomics, 'wait');
  const pending = after(10, 'done');
  expect(gpuWaiter('browser')(pending)).toBe(pending);
  expect(gpuWaiter('Vulkan')).toBe(sleepBetweenPolls);
  await pending;
  expect(sleep).not.toHaveBeenCalled();
});

it('the webgpu backend under Node waits this way for reads, syncs and tunings', async () => {
  await tm.init({ backend: 'webgpu' });
  expect((activeBackend() as WebGpuBackend).runtime.ctx.wait).toBe(sleepBetweenPolls);
});
