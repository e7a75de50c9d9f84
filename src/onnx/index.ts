// tm.onnx: ONNX models run (and fine-tuned) as tmnn modules, and tmnn models
// written as ONNX files (toOnnx, saveOnnx).
import { readFileBytes } from '../io/file.js';
import { ValueError } from '../errors.js';
import { checkOptions } from '../options.js';
import { besideFile, externalTensors, givenSource, locationsOf, readExternal, type ExternalSource } from './external.js';
import { decodeModel } from './proto.js';
import { OnnxModel, type FromBytesOptions } from './model.js';

export { fromBytes, OnnxModel } from './model.js';
export type { FromBytesOptions, OnnxFiles, OnnxValueDescription, RunAsyncOptions, RunOptions } from './model.js';
export type { OnnxInput, OnnxInputs, OnnxOutput } from './edges.js';
export type { MapKey } from './map_sequence.js';
export { StringTensor, type NestedStrings } from './string_tensor.js';
export type { ExternalData } from './external.js';
export { SUPPORTED_MICROSOFT_OPS, SUPPORTED_ML_OPS, SUPPORTED_OPS, SUPPORTED_TRAINING_OPS } from './ops/index.js';
export { saveOnnx, toOnnx } from './export.js';
export type { SaveOnnxOptions, ToOnnxOptions } from './export.js';

/**
 * Loads an ONNX model: a file's path (Node), URL, or its bytes. Its float
 * initializers become the model's parameters on the active backend, so run
 * `tm.init()` first to choose where it runs. Data the model keeps in external
 * files is read from beside the model file (each location relative to its
 * directory), or from `externalData` where given — which, unlike fromBytes's,
 * may give Promises.
 */
export async function load(source: string | URL | Uint8Array | ArrayBuffer, options?: FromBytesOptions): Promise<OnnxModel> {
  const { externalData } = checkOptions('onnx.load', options, { externalData: true });
  let bytes: Uint8Array;
  let files: ExternalSource | undefined = externalData === undefined ? undefined : givenSource(externalData);
  if (source instanceof Uint8Array || source instanceof ArrayBuffer) bytes = source instanceof Uint8Array ? source.slice() : new Uint8Array(source.slice(0));
  else if (typeof source === 'string' || source instanceof URL) {
    bytes = await readFileBytes(source);
    files ??= besideFile(source);
  } else throw new ValueError(`onnx.load: expects a path, URL or the file's bytes`);
  const proto = decodeModel(bytes);
  const tensors = externalTensors(proto);
  const locations = locationsOf(tensors);
  // Without files, a tensor kept outside is refused when the model reads it (constantOf), naming it.
  if (!files || !locations.length) return new OnnxModel(proto, bytes);
  await readExternal(tensors, files);
  return new OnnxModel(proto, bytes, { locations, source: files });
}
