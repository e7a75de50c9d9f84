// Layers whose tensors do not exist yet: a lazy layer (lazy.ts) before an
// input has told it its input size. What the rest of tm.nn does with one:
// a load (loadStateDict, loadWeights, loadPytorch) first builds it from the
// state's shapes (PyTorch's lazy load hook); fit builds it by a dry run
// when it makes its own optimizer; save, saveWeights, training checkpoints,
// summary, ONNX export, quantizeDynamic, the reparametrizations, the
// fusions, functionalCall and requiresGrad(false) refuse it by name.
//
// Known through a registry kept off the layer rather than `instanceof
// LazyModule` or a member: module.ts and state_dict.ts need it and lazy.ts's
// layers import them (importing lazy.ts back would be a cycle), and a member
// would be one more on a lazy layer's type, where any private one clashes
// with the class it becomes and narrowing by that class gives `never`.
import { ValueError } from '../errors.js';
import type { Module } from './module.js';
import type { Source } from './pytorch_layout.js';
import type { StateEntry } from './state_dict.js';

/**
 * What building a layer from a state did.
 * @internal
 */
export interface Sizing {
  /** The layer's names (with their prefix) that the state lacks, where it lacks them all and the layer stays unbuilt: a strict load's missing names. */
  readonly missing: readonly string[];
  /** Unbuilds the layer again (frees what was built), for a load refused after it was built. */
  readonly undo: () => void;
}

/**
 * A layer with no tensors until its input size is known: what the rest of
 * tm.nn asks of it.
 * @internal
 */
export interface Unbuilt {
  /** Its class's name as written ('LazyLinear'), for errors: constructor.name does not survive minification. */
  readonly lazyName: string;
  /** The type of the layer it becomes, as that layer's config names it ('Dense'). */
  readonly becomes: string;
  /** The tensors the layer it becomes will have, by name, and where PyTorch keeps each (loadPytorch sizes it by their shapes). */
  readonly pytorchSources: ReadonlyMap<string, Source>;
  /**
   * Builds `layer` (the one this is of) for the input size the entries of
   * `state` under `prefix` give, before the load (`where`, for errors)
   * writes them into it; where the state has none of its names, leaves it
   * unbuilt and names them as missing.
   */
  sizeFromState(layer: Module, state: Readonly<Record<string, StateEntry>>, prefix: string, where: string): Sizing;
  /** The same for a copy of the layer (copyModule): a state of its own. */
  copied(): Unbuilt;
}

/** The layers not built yet, each with what it knows of what it becomes. */
const unbuiltLayers = new WeakMap<Module, Unbuilt>();

/** Notes `layer` as unbuilt (`unbuilt` what it knows) or, with null, as built. @internal */
export function setUnbuilt(layer: Module, unbuilt: Unbuilt | null): void {
  if (unbuilt) unbuiltLayers.set(layer, unbuilt);
  else unbuiltLayers.delete(layer);
}

/** What an unbuilt layer knows of what it becomes; undefined for any other layer. @internal */
export function unbuiltOf(layer: Module): Unbuilt | undefined {
  return unbuiltLayers.get(layer);
}

/** Whether `layer` is a lazy layer not built yet. @internal */
export function isUnbuilt(layer: Module): boolean {
  return unbuiltLayers.has(layer);
}

/** Makes `copy` (a field-by-field copy of `layer`, copyModule's) unbuilt as `layer` is, if it is. @internal */
export function copyUnbuilt(layer: Module, copy: Module): void {
  const unbuilt = unbuiltLayers.get(layer);
  if (unbuilt) unbuiltLayers.set(copy, unbuilt.copied());
}

/** Builds every unbuilt layer of `model` that `state` gives an input size (see Unbuilt); on an error, unbuilds those it built and throws. @internal */
export function sizeFromState(model: Module, state: Readonly<Record<string, StateEntry>>, where = 'loadStateDict'): Sizing[] {
  const done: Sizing[] = [];
  try {
    for (const [path, layer] of model.namedModules()) {
      const unbuilt = unbuiltOf(layer);
      if (unbuilt) done.push(unbuilt.sizeFromState(layer, state, path === '' ? '' : `${path}.`, where));
    }
  } catch (err) {
    undoSizings(done);
    throw err;
  }
  return done;
}

/** Unbuilds what sizeFromState built, last first. @internal */
export function undoSizings(sizings: readonly Sizing[]): void {
  for (const sizing of [...sizings].reverse()) sizing.undo();
}

/** How an error names the unbuilt layer at `path` of a model ('' for the model itself). @internal */
export function unbuiltName(path: string, unbuilt: Unbuilt): string {
  return path === '' ? `this ${unbuilt.lazyName}` : `layer ${path} (a ${unbuilt.lazyName})`;
}

/**
 * Refuses `model` if a layer in it (or itself) is unbuilt, naming the
 * first: `where` needs every layer's tensors (those of the layers `needs`
 * picks). `then` ends the message.
 * @internal
 */
export function refuseUnbuilt(where: string, model: Module, then = '', needs: (unbuilt: Unbuilt) => boolean = () => true): void {
  for (const [path, layer] of model.namedModules()) {
    const unbuilt = unbuiltOf(layer);
    if (unbuilt && needs(unbuilt)) throw new ValueError(`${where}: ${unbuiltName(path, unbuilt)} has not seen an input yet, so its parameters do not exist: run a forward on a batch first (PyTorch's dry run)${then}`);
  }
}
