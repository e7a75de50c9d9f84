// tm.onnx: ONNX models run (and fine-tuned) as tmnn modules, and tmnn models
// written as ONNX files (toOnnx, saveOnnx).
import { readFileBytes } from '../io/file.js';
import { ValueError } from '../errors.js';
import { fromBytes, OnnxModel } from './model.js';

export { fromBytes, OnnxModel } from './model.js';
export type { OnnxValueDescription } from './model.js';
export { SUPPORTED_MICROSOFT_OPS, SUPPORTED_OPS } from './ops/index.js';
export { saveOnnx, toOnnx } from './export.js';
export type { ToOnnxOptions } from './export.js';

/**
 * Loads an ONNX model: a file's path (Node), URL, or its bytes. Its float
 * initializers become the model's parameters on the active backend, so run
 * `tm.init()` first to choose where it runs.
 */
export async function load(source: string | URL | Uint8Array | ArrayBuffer): Promise<OnnxModel> {
  if (source instanceof Uint8Array || source instanceof ArrayBuffer) return fromBytes(source);
  if (typeof source !== 'string' && !(source instanceof URL)) throw new ValueError(`onnx.load: expects a path, URL or the file's bytes`);
  return fromBytes(await readFileBytes(source));
}
