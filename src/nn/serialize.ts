// Saving a model: its parameters as safetensors entries, named by path
// (`0.weight`), and its architecture as JSON in the header's metadata, so
// that tm.nn.load needs nothing but the file.
import { encodeSafetensors, type SafetensorsEntry } from '../io/safetensors.js';
import { writeFileAtomic } from '../io/file.js';
import { VERSION } from '../version.js';
import type { Module } from './module.js';

export const FORMAT = 'tmnn';

export async function modelToBytes(model: Module): Promise<Uint8Array> {
  const entries: Record<string, SafetensorsEntry> = {};
  for (const [name, p] of Object.entries(model.namedParameters())) {
    entries[name] = { dtype: p.dtype, shape: p.shape, data: await p.storageData() };
  }
  return encodeSafetensors(entries, { format: FORMAT, tmnn_version: VERSION, model: JSON.stringify(model.config()) });
}

export async function saveModel(model: Module, path: string): Promise<void> {
  await writeFileAtomic(path, await modelToBytes(model));
}
