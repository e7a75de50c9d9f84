// A module's weights as a safetensors file (Module.weightsToBytes,
// saveWeights, loadWeights). Apart from state_dict.ts so that the file
// format loads on first use, not with every layer; what a save writes is
// read before it loads (state_entries.ts).
import { readFileBytes } from '../io/file.js';
import { decodeSafetensors, encodeSafetensors, type SafetensorsEntry } from '../io/safetensors.js';
import { VERSION } from '../version.js';
import type { Module } from './module.js';
import { loadState, type LoadStateOptions, type LoadStateResult } from './state_dict.js';

const STATE_FORMAT = 'tmnn-state';

/** A weights file of the entries readEntries is reading (Module.weightsToBytes). */
export async function stateToBytes(entries: Promise<Record<string, SafetensorsEntry>>): Promise<Uint8Array> {
  return encodeSafetensors(await entries, { format: STATE_FORMAT, tmnn_version: VERSION });
}

/** Loads weights from a file (a path, or its bytes) saveWeights wrote, or any safetensors file of matching names. */
export async function loadStateFile(module: Module, source: string | URL | Uint8Array, options: LoadStateOptions = {}): Promise<LoadStateResult> {
  const bytes = source instanceof Uint8Array ? source : await readFileBytes(source);
  return loadState(module, decodeSafetensors(bytes).entries, options);
}
