// Saving a model: its parameters as safetensors entries, named by path
// (`0.weight`), and its architecture as JSON in the header's metadata, so
// that tm.nn.load needs nothing but the file. Both are checked as load
// checks them (model_format.ts) before anything is written: a file save
// writes, load reads back.
import { encodeSafetensors } from '../io/safetensors.js';
import { writeFileAtomic } from '../io/file.js';
import { Tensor } from '../tensor.js';
import { VERSION } from '../version.js';
import { ValueError, formatShape } from '../errors.js';
import { checkModel, FORMAT } from './model_format.js';
import { entriesOf } from './state_entries.js';
import type { Module } from './module.js';
import { reparametrizationsOf } from './utils/reparametrize.js';

export async function modelToBytes(model: Module): Promise<Uint8Array> {
  const config = model.config();
  const params = model.namedState();
  for (const [name, p] of Object.entries(params)) {
    // A user may set a layer's weight to anything, tm.quantize's output included (it runs, and has no storage to save).
    if (!(p instanceof Tensor)) {
      throw new ValueError(`save: parameter ${name} is ${(p as object)?.constructor?.name ?? typeof p}, not a Tensor; model files hold f32 or f16 tensors (save the float model, and quantize after loading)`);
    }
    if (p.isDisposed) throw new ValueError(`save: ${name} ${formatShape(p.shape)} was disposed; nothing was written`);
  }
  for (const layer of model.modules()) {
    for (const [name, kind] of reparametrizationsOf(layer)) {
      const remove = `remove${kind[0].toUpperCase()}${kind.slice(1)}`;
      throw new ValueError(
        `save: the ${name} of a ${layer.constructor.name} is under tm.nn.utils.${kind}, which a model file does not record: ${remove} first (keeping the weight it computes), ` +
          `or saveWeights and loadWeights into a model built the same way; nothing was written`,
      );
    }
  }
  checkModel(config, params, (problem) => {
    throw new ValueError(`save: ${problem}; nothing was written`);
  });
  return encodeSafetensors(await entriesOf(params), { format: FORMAT, tmnn_version: VERSION, model: JSON.stringify(config) });
}

export async function saveModel(model: Module, path: string | URL): Promise<void> {
  await writeFileAtomic(path, await modelToBytes(model));
}
