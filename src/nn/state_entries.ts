// Tensors by name read into safetensors entries: what a model file
// (serialize.ts) and a weights file (state_file.ts) both write.
import { ValueError, formatShape } from '../errors.js';
import type { SafetensorsEntry } from '../io/safetensors.js';
import { Tensor } from '../tensor.js';

/**
 * Tensors by name as safetensors entries, for a model file and a weights
 * file alike. Each is checked to be a tensor not yet disposed, and every
 * read starts before this returns: a step taken while the save is under way
 * (fit going on after an onEpochEnd checkpoint; the file format loading on
 * first use) must not reach some parameters of the file and not others.
 */
export function readEntries(where: string, state: Record<string, Tensor>): Promise<Record<string, SafetensorsEntry>> {
  for (const [name, t] of Object.entries(state)) {
    // A user may set a layer's weight to anything, tm.quantize's output included (it runs, and has no storage to save).
    if (!(t instanceof Tensor)) {
      throw new ValueError(`${where}: parameter ${name} is ${(t as object)?.constructor?.name ?? typeof t}, not a Tensor; model files hold f32 or f16 tensors (save the float model, and quantize after loading)`);
    }
    if (t.isDisposed) throw new ValueError(`${where}: ${name} ${formatShape(t.shape)} was disposed; nothing was written`);
  }
  const reads = Object.entries(state).map(([name, t]) => [name, t, t.storageData()] as const);
  const entries = (async () => {
    const out: Record<string, SafetensorsEntry> = {};
    for (const [name, t, data] of reads) out[name] = { dtype: t.dtype, shape: t.shape, data: await data };
    return out;
  })();
  // A save refused after this (serialize.ts's checks) leaves the reads unawaited: their failure is not the caller's to handle.
  entries.catch(() => {});
  return entries;
}
