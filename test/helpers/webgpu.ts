// Backends on devices of their own, as a new process would get them, for
// tests of what a device measures or remembers (registered with the calling
// file's afterAll, which gives every device back); and the launches that
// computing a tensor makes.
import { afterAll } from 'vitest';
import type * as tm from '../../src/index.js';
import { createWebGpuBackend, type WebGpuBackend } from '../../src/backends/webgpu/index.js';
import type { GpuData } from '../../src/backends/webgpu/data.js';

/** The webgpu storage behind a tensor. */
export const storageOf = (t: tm.Tensor) => t.dataRef('test').storage as GpuData;

/** Dispatches `gpu` makes while computing `t` (none if it is computed already). */
export function launches(gpu: WebGpuBackend, t: tm.Tensor): number {
  const before = gpu.runtime.commands.dispatches;
  gpu.materialize(storageOf(t));
  return gpu.runtime.commands.dispatches - before;
}

/** Call at a test file's top level; returns the function that starts one. */
export function freshDevices(): () => Promise<WebGpuBackend> {
  const started: WebGpuBackend[] = [];
  afterAll(() => {
    for (const gpu of started) gpu.release?.();
  });
  return async () => {
    const gpu = await createWebGpuBackend();
    started.push(gpu);
    return gpu;
  };
}
