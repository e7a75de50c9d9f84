// onnxruntime-web run in Node, as the peer of tm.onnx: its WebAssembly
// execution provider on the CPU, and its WebGPU one on Dawn through the npm
// package `webgpu` (the adapter tmnn's webgpu backend uses), so both sides
// of the table run the same .onnx file on the same hardware.
//
// What its WebGPU provider takes in Node:
// - `navigator.gpu`, which it asks for an adapter: a Dawn GPU object, kept
//   alive here for the process (Dawn's instance must outlive its devices).
// - Dawn's classes and constants as globals (GPUBufferUsage…).
// - Its WebAssembly memory is shared (threads), and Dawn's writeBuffer refuses
//   views of a SharedArrayBuffer ("Invalid argument"); browsers accept them.
//   queue.writeBuffer is wrapped to copy such a view first: a copy per upload
//   that a browser would not make, counted against onnxruntime's time.
import { quietDawn } from '../../src/backends/webgpu/dawn_notices.js';

type Ort = typeof import('onnxruntime-web');
export type OrtProvider = 'wasm' | 'webgpu';

let ort: Promise<Ort> | null = null;
let dawnGpu: GPU | undefined;

async function load(): Promise<Ort> {
  process.env.XDG_RUNTIME_DIR ??= '/tmp';
  const webgpu = await import('webgpu');
  if (typeof (globalThis as { GPUBufferUsage?: unknown }).GPUBufferUsage === 'undefined') Object.assign(globalThis, webgpu.globals);
  const gpu = (dawnGpu = webgpu.create([]));
  await quietDawn(() => gpu.requestAdapter());
  const g = globalThis as unknown as { navigator?: { gpu?: GPU } };
  if (g.navigator) Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true });
  else Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
  const queue = (webgpu.globals as unknown as { GPUQueue: { prototype: GPUQueue } }).GPUQueue.prototype;
  const write = queue.writeBuffer;
  queue.writeBuffer = function (this: GPUQueue, buffer: GPUBuffer, offset: number, data: BufferSource, ...rest: number[]) {
    const view = data as ArrayBufferView;
    if (view.buffer instanceof SharedArrayBuffer) data = new Uint8Array(view.buffer, view.byteOffset, view.byteLength).slice();
    return (write as (...args: unknown[]) => undefined).call(this, buffer, offset, data, ...rest);
  } as GPUQueue['writeBuffer'];
  // The bundle with the WebGPU provider (the package's Node entry has WebAssembly only).
  const module = (await import('onnxruntime-web/webgpu')) as unknown as Ort;
  return module;
}

/**
 * A session of `bytes` on `provider`: run() gives the first output's values.
 * The bundle with the WebGPU provider is built without the ai.onnx.ml ops
 * (scikit-learn's tree ensembles and the like: "No Op registered"); such a
 * model runs on the package's plain WebAssembly build instead, and
 * `provider` says 'wasm' whichever was asked for.
 */
export async function ortSession(bytes: Uint8Array, provider: OrtProvider): Promise<{ provider: OrtProvider; run: (x: Float32Array, shape: number[]) => Promise<Float32Array>; release: () => Promise<void> }> {
  ort ??= load();
  const bundle = await ort;
  let o = bundle;
  let session: Awaited<ReturnType<Ort['InferenceSession']['create']>>;
  try {
    session = await o.InferenceSession.create(bytes, { executionProviders: [provider], graphOptimizationLevel: 'all' });
  } catch (e) {
    if (!/No Op registered for .* with domain_version/.test(String(e))) throw e;
    o = (await import('onnxruntime-web')) as Ort;
    provider = 'wasm';
    session = await o.InferenceSession.create(bytes, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
  }
  const [input] = session.inputNames;
  const [output] = session.outputNames;
  return {
    provider,
    run: async (x, shape) => {
      const feeds = { [input]: new o.Tensor('float32', x, shape) };
      const out = await session.run(feeds);
      const t = out[output];
      // On webgpu the output may stay on the GPU: getData() downloads it, as data() does on tmnn's side.
      const values = (await t.getData()) as Float32Array;
      for (const v of Object.values(out)) v.dispose();
      return values;
    },
    release: () => session.release(),
  };
}

/** onnxruntime-web's version, for the table's title. */
export async function ortVersion(): Promise<string> {
  ort ??= load();
  return (await ort).env.versions.web ?? 'unknown';
}

/** The threads onnxruntime-web's WebAssembly provider runs on (its default: half the cores, at most 4). */
export async function ortThreads(): Promise<number | undefined> {
  ort ??= load();
  return (await ort).env.wasm.numThreads;
}

/** Keeps Dawn's GPU object reachable for the process. */
export function ortGpu(): GPU | undefined {
  return dawnGpu;
}
