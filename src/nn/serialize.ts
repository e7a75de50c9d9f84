// Saving a model: its parameters as safetensors entries, named by path
// (`0.weight`), and its architecture as JSON in the header's metadata, so
// that tm.nn.load needs nothing but the file.
import { encodeSafetensors, type SafetensorsEntry } from '../io/safetensors.js';
import { writeFileAtomic } from '../io/file.js';
import { VERSION } from '../version.js';
import { ValueError, formatValue } from '../errors.js';
import type { LayerConfig, Module } from './module.js';

export const FORMAT = 'tmnn';

/** The layer types tm.nn.load rebuilds (load.ts). */
export const LOADABLE_LAYERS = ['Sequential', 'Dense', 'ReLU', 'Sigmoid', 'Tanh', 'GELU', 'Softmax', 'LeakyReLU', 'Dropout'] as const;

/**
 * Refuses, before writing, a model with a layer tm.nn.load could not
 * rebuild (a user's own class): the file was written, and only loading it
 * failed, as if corrupt.
 */
function checkLoadable(config: LayerConfig, path: string): void {
  if (!(LOADABLE_LAYERS as readonly string[]).includes(config.type)) {
    throw new ValueError(`save: ${path ? `layer ${path}` : 'the model'} is of type ${formatValue(config.type)}, which tm.nn.load cannot rebuild (it knows ${LOADABLE_LAYERS.join(', ')}); save its parameters with encodeSafetensors instead`);
  }
  if (Array.isArray(config.layers)) config.layers.forEach((layer: LayerConfig, i: number) => checkLoadable(layer, path ? `${path}.${i}` : `${i}`));
}

export async function modelToBytes(model: Module): Promise<Uint8Array> {
  const config = model.config();
  checkLoadable(config, '');
  const entries: Record<string, SafetensorsEntry> = {};
  for (const [name, p] of Object.entries(model.namedParameters())) {
    entries[name] = { dtype: p.dtype, shape: p.shape, data: await p.storageData() };
  }
  return encodeSafetensors(entries, { format: FORMAT, tmnn_version: VERSION, model: JSON.stringify(config) });
}

export async function saveModel(model: Module, path: string): Promise<void> {
  await writeFileAtomic(path, await modelToBytes(model));
}
