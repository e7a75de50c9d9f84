// A module's weights by name, whatever the module (a custom one included):
// PyTorch's state_dict and load_state_dict, and a safetensors file of them.
// tm.nn.load rebuilds a known architecture from its model file; these fill
// a module the caller has built. A load checks every entry before it
// changes anything, so a refused one leaves the module as it was.
import { DTypeError, ShapeError, ValueError, formatShape, formatValue } from '../errors.js';
import { readFileBytes, writeFileAtomic } from '../io/file.js';
import { decodeSafetensors, encodeSafetensors, type SafetensorsEntry } from '../io/safetensors.js';
import { cast } from '../ops/index.js';
import { fromStorageArray, onBackendOf } from '../ops/util.js';
import { checkOptions } from '../options.js';
import { noGrad } from '../tape.js';
import { Tensor } from '../tensor.js';
import { VERSION } from '../version.js';
import type { Module } from './module.js';
import { entriesOf } from './state_entries.js';

/** What a load takes for one name: a tensor (on the module's backend), or a file's entry. */
export type StateEntry = Tensor | SafetensorsEntry;

export interface LoadStateOptions {
  /** Refuse a state whose names differ from the module's, missing or unexpected (PyTorch's default). Default true. */
  strict?: boolean;
}

/** The names a non-strict load left alone. */
export interface LoadStateResult {
  /** The module's, absent from the state: left as they were. */
  missing: string[];
  /** The state's, naming nothing in the module: ignored. */
  unexpected: string[];
}

const STATE_FORMAT = 'tmnn-state';

/** Lists names for an error, the first few of many. */
const listed = (names: string[]) => (names.length > 5 ? `${names.slice(0, 5).join(', ')} and ${names.length - 5} more` : names.join(', '));

/** Writes `state`'s values into `module`'s parameters and buffers of the same names (see Module.loadStateDict). */
export function loadState(module: Module, state: Record<string, StateEntry>, options: LoadStateOptions = {}): LoadStateResult {
  const { strict = true } = checkOptions('loadStateDict', options, { strict: 'boolean' });
  if (state === null || typeof state !== 'object' || Array.isArray(state)) throw new ValueError(`loadStateDict: expects an object of tensors by name (module.stateDict()), got ${formatValue(state)}`);
  const own = module.namedState();
  const missing = Object.keys(own).filter((name) => !Object.hasOwn(state, name));
  const unexpected = Object.keys(state).filter((name) => !Object.hasOwn(own, name));
  if (strict && (missing.length || unexpected.length)) {
    const parts = [missing.length ? `missing ${listed(missing)}` : '', unexpected.length ? `unexpected ${listed(unexpected)}` : ''].filter(Boolean);
    throw new ValueError(`loadStateDict: the state's names differ from the module's: ${parts.join('; ')} (pass { strict: false } to load what matches)`);
  }
  const pairs = Object.keys(own).filter((name) => Object.hasOwn(state, name)).map((name) => [name, own[name], state[name]] as const);
  for (const [name, target, entry] of pairs) checkEntry(name, target, entry);
  noGrad(() => {
    for (const [, target, entry] of pairs) {
      const value = onBackendOf('loadStateDict', target, () => {
        const source = entry instanceof Tensor ? entry : fromStorageArray(entry.data, entry.shape, entry.dtype);
        return source.dtype === target.dtype && source !== entry ? source : cast(source, target.dtype);
      });
      target.assign(value);
      if (value !== entry) value.dispose();
    }
  });
  return { missing, unexpected };
}

function checkEntry(name: string, target: Tensor, entry: StateEntry): void {
  if (entry instanceof Tensor) {
    if (entry.isDisposed) throw new ValueError(`loadStateDict: ${name} was disposed`);
    if (entry.dataRef('loadStateDict').backend !== target.dataRef('loadStateDict').backend) {
      throw new ValueError(`loadStateDict: ${name} lives on ${entry.backend}, the module's ${name} on ${target.backend}`);
    }
  } else if (entry === null || typeof entry !== 'object' || !Array.isArray(entry.shape) || !ArrayBuffer.isView(entry.data)) {
    throw new ValueError(`loadStateDict: ${name} must be a Tensor or a safetensors entry { dtype, shape, data }, got ${formatValue(entry)}`);
  }
  const shape = entry.shape;
  if (shape.length !== target.shape.length || shape.some((d, i) => d !== target.shape[i])) {
    throw new ShapeError(`loadStateDict: ${name} is ${formatShape(shape)} in the state and ${formatShape(target.shape)} in the module`);
  }
  if (entry.dtype !== 'f32' && entry.dtype !== 'f16') throw new DTypeError(`loadStateDict: ${name} is ${entry.dtype}; weights load from f32 or f16`);
}

/** The module's parameters and buffers as a safetensors file (see Module.saveWeights). */
export async function stateToBytes(module: Module): Promise<Uint8Array> {
  const state = module.namedState();
  for (const [name, t] of Object.entries(state)) {
    if (t.isDisposed) throw new ValueError(`saveWeights: ${name} ${formatShape(t.shape)} was disposed; nothing was written`);
  }
  return encodeSafetensors(await entriesOf(state), { format: STATE_FORMAT, tmnn_version: VERSION });
}

/** Writes the module's weights to `path`, atomically. */
export async function saveState(module: Module, path: string | URL): Promise<void> {
  await writeFileAtomic(path, await stateToBytes(module));
}

/** Loads weights from a file (a path, or its bytes) saveWeights wrote, or any safetensors file of matching names. */
export async function loadStateFile(module: Module, source: string | URL | Uint8Array, options: LoadStateOptions = {}): Promise<LoadStateResult> {
  const bytes = source instanceof Uint8Array ? source : await readFileBytes(source);
  return loadState(module, decodeSafetensors(bytes).entries, options);
}
