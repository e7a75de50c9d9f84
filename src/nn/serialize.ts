// Saving a model: its parameters as safetensors entries, named by path
// (`0.weight`), and its architecture as JSON in the header's metadata, so
// that tm.nn.load needs nothing but the file. Both are checked as load
// checks them (model_format.ts) before anything is written: a file save
// writes, load reads back.
import { encodeSafetensors, type SafetensorsEntry } from '../io/safetensors.js';
import type { Tensor } from '../tensor.js';
import { VERSION } from '../version.js';
import { ValueError } from '../errors.js';
import { checkModel, FORMAT } from './model_format.js';
import type { Module } from './module.js';
import { removerOf, reparametrizationsOf } from './utils/reparametrize.js';
import { isQuantized } from './quantized_layers.js';
import { Sequential } from './sequential.js';
import { refuseUnbuilt } from './unbuilt.js';

/** The model file of `model`, whose parameters `params` are being read into `entries` (Sequential.toBytes). */
export async function modelToBytes(model: Module, params: Record<string, Tensor>, entries: Promise<Record<string, SafetensorsEntry>>): Promise<Uint8Array> {
  refuseUnbuilt('save', model);
  const config = model.config();
  for (const layer of model.modules()) {
    for (const [name, kind] of reparametrizationsOf(layer)) {
      const remove = removerOf(kind);
      throw new ValueError(
        `save: the ${name} of a ${layer.constructor.name} is under tm.nn.utils.${kind}, which a model file does not record: ${remove} first (keeping the weight it computes), ` +
          `or saveWeights and loadWeights into a model built the same way; nothing was written`,
      );
    }
  }
  refuseNestedQuantized(model);
  checkModel(config, params, (problem) => {
    throw new ValueError(`save: ${problem}; nothing was written`);
  });
  return encodeSafetensors(await entries, { format: FORMAT, tmnn_version: VERSION, model: JSON.stringify(config) });
}

/**
 * A QuantizedDense inside a layer other than a Sequential (a transformer
 * layer's feed-forward block): that layer's description names float Dense
 * layers, so the file could not say which are int8. Refused by name.
 */
function refuseNestedQuantized(model: Module): void {
  const seen = new Set<Module>();
  const visit = (layer: Module, path: string, inside: Module | null): void => {
    if (seen.has(layer)) return;
    seen.add(layer);
    if (isQuantized(layer) && inside) {
      throw new ValueError(
        `save: layer ${path} is a ${layer.constructor.name} inside a ${inside.constructor.name}, whose description in a model file names float layers; ` +
          'save its weights (saveWeights) and loadWeights them into a model built the same way and quantized (tm.nn.quantizeDynamic); nothing was written',
      );
    }
    const holder = inside ?? (layer instanceof Sequential ? null : layer);
    for (const [name, child] of layer.namedChildren()) visit(child, path ? `${path}.${name}` : name, holder);
  };
  visit(model, '', null);
}
