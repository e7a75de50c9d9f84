// onnxruntime-web as a second reference: a model's bytes run once on its
// WebAssembly provider, the session released after. Options such as
// graphOptimizationLevel 'disabled' keep it to the nodes as written (it
// would fuse a DequantizeLinear → MatMul into its own 4-bit product).
import * as ort from 'onnxruntime-web';

export async function ortRun(bytes: Uint8Array, feeds: Record<string, ort.Tensor>, options: ort.InferenceSession.SessionOptions = {}): Promise<Record<string, ort.Tensor>> {
  const session = await ort.InferenceSession.create(bytes, { ...options, executionProviders: ['wasm'] });
  try {
    return await session.run(feeds);
  } finally {
    await session.release();
  }
}
