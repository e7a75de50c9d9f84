// Backends on devices of their own, as a new process would get them, for
// tests of what a device measures or remembers. Registered with the calling
// file's afterAll, which gives every device back.
import { afterAll } from 'vitest';
import { createWebGpuBackend, type WebGpuBackend } from '../../src/backends/webgpu/index.js';

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
