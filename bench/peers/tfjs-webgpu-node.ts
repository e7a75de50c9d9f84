// TensorFlow.js's WebGPU backend (@tensorflow/tfjs-backend-webgpu), run in
// Node on Dawn through the npm package `webgpu`, so tfjs-webgpu can stand next
// to tmnn's own WebGPU backend in the benchmarks.
//
// What it takes:
// - Dawn's WebGPU classes and constants (GPUBufferUsage, GPUMapMode, …) as
//   globals: tfjs-webgpu uses them by their global names.
// - `globalThis.navigator.gpu`: tfjs-webgpu checks for it when its module is
//   first evaluated and registers the 'webgpu' backend only if it is there,
//   and again when it creates the backend, so it goes in before the (dynamic)
//   import below. Node 20 has no `navigator` global; Node 21+ has one without
//   `gpu`, to which `gpu` is added. Once the backend exists tfjs-webgpu no
//   longer looks at navigator, and it is put back as it was.
// - No other browser API: training and `await data()` need none. tfjs-webgpu
//   uses `document` only for its profiling-tool flag and `OffscreenCanvas` only
//   for synchronous reads (`dataSync`) of GPU data, which this file does not
//   shim; the training peer reads results asynchronously.
//
// Exit: with webgpu 0.6.2 a script that used this backend and disposed its
// tensors exits by itself (checked here, Node 20, lavapipe). Dawn holds a
// native device that tfjs never destroys, so should another Dawn build keep
// the event loop alive, end the script with `process.exit()`.
import * as tf from '@tensorflow/tfjs-core';
import { quietDawn } from '../../src/backends/webgpu/dawn_notices.js';

let ready: Promise<string> | null = null;
/**
 * The Dawn GPU object tfjs-webgpu's device came from. It must outlive the
 * device: once navigator no longer holds it, garbage collection takes Dawn's
 * instance with it, and the next GPU work crashes (SIGSEGV, SIGABRT) or hangs.
 */
let dawnGpu: GPU | undefined;

interface NavigatorWithGpu {
  gpu?: GPU;
}

async function load(): Promise<string> {
  // Mesa's Vulkan drivers (lavapipe among them) look for a runtime directory.
  process.env.XDG_RUNTIME_DIR ??= '/tmp';
  let webgpu: typeof import('webgpu');
  try {
    webgpu = await import('webgpu');
  } catch (e) {
    throw new Error(`tfjs-webgpu in Node needs the npm package 'webgpu' (Dawn's bindings), which did not load: ${(e as Error).message}`);
  }
  // Dawn's classes and constants stay global: tfjs-webgpu uses them while it runs.
  if (typeof (globalThis as { GPUBufferUsage?: unknown }).GPUBufferUsage === 'undefined') Object.assign(globalThis, webgpu.globals);
  // navigator.gpu is needed only until the backend exists (module evaluation
  // and the backend's factory); it is removed again afterwards, so that other
  // code in the process (tmnn's adapter search) does not take Node for a browser.
  const g = globalThis as unknown as { navigator?: NavigatorWithGpu };
  let restore = () => {};
  if (!g.navigator?.gpu) {
    const gpu = (dawnGpu = webgpu.create([]));
    // Dawn discovers the adapters on an instance's first request and prints notices as it does: made here, quietly, as tmnn's own are.
    await quietDawn(() => gpu.requestAdapter());
    if (g.navigator) {
      // Node 21+: `navigator` is a global without `gpu`; the object is extensible.
      const nav = g.navigator;
      Object.defineProperty(nav, 'gpu', { value: gpu, configurable: true });
      restore = () => void delete nav.gpu;
    } else {
      Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
      restore = () => void delete g.navigator;
    }
  }
  try {
    await import('@tensorflow/tfjs-backend-webgpu');
    if (!tf.findBackendFactory('webgpu')) {
      throw new Error(
        "tfjs-webgpu did not register its 'webgpu' backend: its module was evaluated before navigator.gpu existed " +
          "(import '@tensorflow/tfjs-backend-webgpu' only through useTfjsWebgpu()).",
      );
    }
    let ok: boolean;
    try {
      ok = await tf.setBackend('webgpu');
    } catch (e) {
      throw new Error(`tfjs-webgpu could not start on Dawn: ${(e as Error).message}`);
    }
    if (!ok) throw new Error('tfjs-webgpu could not start on Dawn: no WebGPU adapter (requestAdapter gave none) or requestDevice failed');
  } finally {
    restore();
  }
  await tf.ready();
  const info = (tf.backend() as unknown as { adapterInfo?: { vendor?: string; architecture?: string } }).adapterInfo;
  return [info?.vendor, info?.architecture].filter(Boolean).join(' ') || 'unknown adapter';
}

/**
 * Makes tfjs's active backend 'webgpu', running on Dawn in Node. Safe to call
 * again (it then only switches back to 'webgpu'). Resolves to a short
 * description of the adapter (vendor and architecture as tfjs reports them).
 */
export async function useTfjsWebgpu(): Promise<string> {
  ready ??= load();
  try {
    const adapter = await ready;
    if (tf.getBackend() !== 'webgpu') await tf.setBackend('webgpu');
    return adapter;
  } catch (e) {
    ready = null;
    throw e;
  }
}

/** The parts of tfjs-webgpu's backend that end its batch of work and submit it (not in its public types). */
interface TfjsWebgpuInternals {
  endComputePassEncoder(): void;
  submitQueue(): void;
  device: GPUDevice;
}

/**
 * Resolves once the GPU has run everything tfjs-webgpu was asked to do, with
 * nothing read back: tfjs records kernels into a command encoder that it
 * submits in batches, so the batch is ended and submitted, then the queue
 * waited on. `wait` is how to wait for a GPU promise (tmnn's waiter, so that
 * both sides of a comparison wait alike).
 */
export async function tfjsGpuDone(wait: <T>(pending: Promise<T>) => Promise<T> = (p) => p): Promise<void> {
  const backend = tf.backend() as unknown as TfjsWebgpuInternals;
  backend.endComputePassEncoder();
  backend.submitQueue();
  await wait(backend.device.queue.onSubmittedWorkDone());
}
