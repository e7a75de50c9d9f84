// Tensors by name read into safetensors entries: what a model file
// (serialize.ts) and a weights file (state_dict.ts) both write.
import type { SafetensorsEntry } from '../io/safetensors.js';
import type { Tensor } from '../tensor.js';

/** Tensors by name as safetensors entries, for a model file and a weights file alike. */
export async function entriesOf(state: Record<string, Tensor>): Promise<Record<string, SafetensorsEntry>> {
  // Every read starts now, before the first await: a step taken while the save is under way
  // (fit going on after an onEpochEnd checkpoint) must not reach some parameters of the file and not others.
  const reads = Object.entries(state).map(([name, t]) => [name, t, t.storageData()] as const);
  const entries: Record<string, SafetensorsEntry> = {};
  for (const [name, t, data] of reads) entries[name] = { dtype: t.dtype, shape: t.shape, data: await data };
  return entries;
}
