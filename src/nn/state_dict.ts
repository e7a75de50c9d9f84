// A module's weights by name, whatever the module (a custom one included):
// PyTorch's state_dict and load_state_dict (state_file.ts writes and reads
// them as a safetensors file). tm.nn.load rebuilds a known architecture from
// its model file; these fill a module the caller has built. A load checks every entry before it
// changes anything, so a refused one leaves the module as it was.
import { DTypeError, ShapeError, ValueError, formatShape, formatValue } from '../errors.js';
import type { SafetensorsEntry } from '../io/safetensors.js';
import { cast } from '../ops/index.js';
import { fromStorageArray, onBackendOf } from '../ops/util.js';
import { checkOptions } from '../options.js';
import { noGrad } from '../tape.js';
import { Tensor } from '../tensor.js';
import type { Module } from './module.js';
import { sizeFromState, undoSizings } from './unbuilt.js';

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

/** What a layer does after a load wrote into its tensors (a reparametrized layer computes its weight again), by layer. */
const afterLoad = new WeakMap<Module, () => void>();

/** Sets (or with null clears) what `layer` does after a load writes into its tensors (tm.nn.utils' reparametrizations). */
export function onLoad(layer: Module, fn: (() => void) | null): void {
  if (fn) afterLoad.set(layer, fn);
  else afterLoad.delete(layer);
}

/** Tells every layer of `module` that a load wrote into its tensors (loadStateDict, loadPytorch). */
export function loaded(module: Module): void {
  for (const layer of module.modules()) afterLoad.get(layer)?.();
}

/** Lists names for an error, the first few of many. */
const listed = (names: string[]) => (names.length > 5 ? `${names.slice(0, 5).join(', ')} and ${names.length - 5} more` : names.join(', '));

/** Writes `state`'s values into `module`'s parameters and buffers of the same names (see Module.loadStateDict). */
export function loadState(module: Module, state: Record<string, StateEntry>, options: LoadStateOptions = {}): LoadStateResult {
  const { strict = true } = checkOptions('loadStateDict', options, { strict: 'boolean' });
  if (state === null || typeof state !== 'object' || Array.isArray(state)) throw new ValueError(`loadStateDict: expects an object of tensors by name (module.stateDict()), got ${formatValue(state)}`);
  // Lazy layers not yet built are built first from the state's shapes (PyTorch's lazy load hook), and unbuilt
  // again if the load is refused; one the state has none of the names of stays unbuilt, its names missing.
  const sizings = sizeFromState(module, state);
  try {
    return loadSized(module, state, strict, sizings.flatMap((sizing) => sizing.missing));
  } catch (err) {
    undoSizings(sizings);
    throw err;
  }
}

/** loadState once the lazy layers are built: `unbuilt`, the names of those still not, which the state lacks. */
function loadSized(module: Module, state: Record<string, StateEntry>, strict: boolean, unbuilt: readonly string[]): LoadStateResult {
  const own = module.namedState();
  // Before the names: a float checkpoint meeting a quantized model differs in them too, and this says why.
  for (const name of Object.keys(own)) if (Object.hasOwn(state, name)) checkQuantized(name, own[name], state[name]);
  const missing = [...Object.keys(own).filter((name) => !Object.hasOwn(state, name)), ...unbuilt];
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
  loaded(module);
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
  if (target.dtype === 'i8') {
    if (entry.dtype !== 'i8') throw new DTypeError(`loadStateDict: ${name} is ${entry.dtype}; the module's is int8 (quantized) and loads from i8 only`);
  } else if (entry.dtype !== 'f32' && entry.dtype !== 'f16') throw new DTypeError(`loadStateDict: ${name} is ${entry.dtype}; weights load from f32 or f16`);
}

/**
 * Refuses a float weight for a quantized layer's int8 one and the other way
 * round: a checkpoint of the float model loads into the float model, which
 * tm.nn.quantizeDynamic then quantizes (PyTorch's order too); a quantized
 * model's state loads into a quantized model.
 */
function checkQuantized(name: string, target: Tensor, entry: StateEntry): void {
  const dtype = (entry as { dtype?: unknown } | null)?.dtype;
  if (typeof dtype !== 'string' || (target.dtype === 'i8') === (dtype === 'i8')) return;
  if (target.dtype === 'i8') {
    throw new DTypeError(`loadStateDict: ${name} is int8 in the module (a layer quantized by tm.nn.quantizeDynamic) and ${dtype} in the state, a float checkpoint: load it into the float model, then quantize that`);
  }
  throw new DTypeError(`loadStateDict: ${name} is ${target.dtype} in the module and int8 in the state, a quantized model's: load it into a model quantized the same way (tm.nn.quantizeDynamic)`);
}
