// onnxruntime-web as a second reference: a model's bytes run once on its
// WebAssembly provider, the session released after.
import * as ort from 'onnxruntime-web';

export async function ortRun(bytes: Uint8Array, feeds: Record<string, ort.Tensor>): Promise<Record<string, ort.Tensor>> {
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
  try {
    return await session.run(feeds);
  } finally {
    await session.release();
  }
}
