// What weightNorm and spectralNorm share: a layer's weight moved into new
// tensors (its parameters and buffers from then on), recomputed from them by
// a forward pre-hook before every forward, and baked back into a plain
// parameter on removal. The layer's own fields keep their names (a layer's
// forward reads this.weight, as before); the instance's ownParameters,
// ownBuffers and dispose are shadowed by own properties, not enumerable, so
// parameters(), optimizers, fit and saving see the new tensors, and the
// field scans never see the wrappers. A load into the new tensors
// (loadStateDict, loadWeights, loadPytorch) or a write of them
// (vectorToParameters) computes the weight again at once.
import { keep, tidy } from '../../engine.js';
import { DTypeError, ValueError, formatShape, formatValue } from '../../errors.js';
import { isFloat } from '../../dtype.js';
import { normalizeAxis } from '../../shape.js';
import { noGrad } from '../../tape.js';
import { Tensor, type HookHandle } from '../../tensor.js';
import { ConvTranspose1d, ConvTranspose2d } from '../conv_transpose.js';
import { Module } from '../module.js';
import { transposedInPytorch } from '../pytorch_layout.js';
import { onLoad } from '../state_dict.js';
import { refuseUnbuilt } from '../unbuilt.js';
import { onWrite } from './parameters_vector.js';

export type ReparametrizationKind = 'weightNorm' | 'spectralNorm' | 'orthogonal' | 'prune';

/** The function that takes `kind` off a weight, as errors name it: removeWeightNorm, prune.remove. */
export function removerOf(kind: ReparametrizationKind): string {
  return kind === 'prune' ? 'prune.remove' : `remove${kind[0].toUpperCase()}${kind.slice(1)}`;
}

/**
 * A reparametrization's tensor in PyTorch's state_dict: the names it may
 * have there, made from the weight's (the first is the one errors name),
 * and whether it is laid out as the weight is (transposed where tmnn's
 * weight is PyTorch's transpose) or as it stands.
 */
export interface PytorchName {
  readonly names: (weight: string) => readonly string[];
  readonly asWeight: boolean;
}

/** torch.nn.utils.parametrize's name for `field` of the weight's parametrization: parametrizations.weight.original beside the weight. */
export function parametrized(weight: string, field: string): string {
  return weight.replace(/[^.]*$/, (own) => `parametrizations.${own}.${field}`);
}

/**
 * Laid out as the weight, under the weight's name with a suffix (weight_g,
 * weight_orig: torch.nn.utils's older reparametrizations) or, where the
 * newer torch.nn.utils.parametrizations keeps the same tensor, its field
 * there (original0, 0._u).
 */
export const suffixed = (suffix: string, field?: string): PytorchName => ({
  names: (weight) => [`${weight}${suffix}`, ...(field === undefined ? [] : [parametrized(weight, field)])],
  asWeight: true,
});

/** One reparametrized tensor of a layer. */
export interface Reparametrization {
  readonly kind: ReparametrizationKind;
  /** The layer's parameters that take the weight's place in ownParameters, by field name. */
  readonly parameters: Record<string, Tensor>;
  /** Saved with the layer, not trained (spectral norm's u and v), by field name. */
  readonly buffers: Record<string, Tensor>;
  /** Where PyTorch's state_dict keeps each of `parameters` and `buffers`, by field name. */
  readonly pytorchNames: Record<string, PytorchName>;
  /** The tensor that was the weight, now one of `parameters`: the plain parameter again after removal. */
  readonly original: Tensor;
  /** The weight from the parameters (and buffers): `iterate` false where nothing may move (eval mode, a removal). */
  readonly compute: (iterate: boolean) => Tensor;
  handle?: HookHandle;
}

type Shadowed = 'ownParameters' | 'ownBuffers' | 'dispose';
const SHADOWED: readonly Shadowed[] = ['ownParameters', 'ownBuffers', 'dispose'];

const applied = new WeakMap<Module, Map<string, Reparametrization>>();
/** What the layer had of its own under the shadowed names before (nearly always nothing: the class's methods). */
const before = new WeakMap<Module, Partial<Record<Shadowed, PropertyDescriptor>>>();

const fieldsOf = (layer: Module) => layer as unknown as Record<string, unknown>;

/**
 * The tensor `name` of `layer`, checked as one a reparametrization can take:
 * a floating-point parameter of the layer's, not reparametrized already.
 */
export function parameterToReparametrize(op: string, layer: Module, name: unknown): { name: string; weight: Tensor } {
  if (!(layer instanceof Module)) throw new ValueError(`${op}: expects a layer (a tm.nn.Module), got ${formatValue(layer)}`);
  // Said as such: a lazy layer not built yet has no parameter of any name yet.
  refuseUnbuilt(op, layer);
  if (typeof name !== 'string' || !name) throw new ValueError(`${op}: name must be the name of a parameter of the layer, got ${formatValue(name)}`);
  const kind = layer.constructor.name;
  const existing = applied.get(layer)?.get(name);
  if (existing) throw new ValueError(`${op}: ${name} of ${kind} is already reparametrized by ${existing.kind}; ${removerOf(existing.kind)} first`);
  const weight = fieldsOf(layer)[name];
  const own = layer.ownParameters();
  if (!(weight instanceof Tensor) || own[name] !== weight) {
    const names = Object.keys(own);
    throw new ValueError(`${op}: ${kind} has no parameter ${JSON.stringify(name)}; its parameters are ${names.length ? names.join(', ') : '(none)'}`);
  }
  if (!isFloat(weight.dtype)) throw new DTypeError(`${op}: ${name} of ${kind} is ${weight.dtype}; a reparametrized weight is floating-point`);
  return { name, weight };
}

/**
 * The axis of `weight` that a norm keeps (one norm per index along it), from
 * `dim` as given; by default the layer's output axis: 1 for a matrix
 * PyTorch keeps transposed (Dense's [inputs, units] weight, a recurrent
 * cell's or attention's) and a transposed convolution's [inChannels,
 * outChannels, …], else 0 (a convolution's filters, PyTorch's default for
 * its own layouts).
 */
export function keptAxis(op: string, layer: Module, name: string, weight: Tensor, dim: unknown): number {
  if (dim === undefined) {
    // A matrix PyTorch keeps transposed (a Dense's weight, a cell's or attention's) has its outputs second here.
    const outputsSecond = (name === 'weight' && (layer instanceof ConvTranspose1d || layer instanceof ConvTranspose2d)) || (weight.rank === 2 && transposedInPytorch(layer, name));
    dim = outputsSecond ? 1 : 0;
  }
  if (typeof dim !== 'number' || !Number.isInteger(dim) || dim < -weight.rank || dim >= weight.rank) {
    throw new ValueError(`${op}: dim must be an axis of ${name} (an integer in [${-weight.rank}, ${weight.rank - 1}] for its shape ${formatShape(weight.shape)}), got ${formatValue(dim)}`);
  }
  return normalizeAxis(op, dim, weight.rank);
}

/**
 * Puts `r` on `layer` in place of its parameter `name`: r's tensors become
 * fields of the layer, `name` holds the computed weight (computed now,
 * without recording), and a pre-hook computes it again before every forward,
 * recording, so gradients reach r's parameters.
 */
export function reparametrize(layer: Module, name: string, r: Reparametrization): void {
  const fields = fieldsOf(layer);
  for (const [field, t] of Object.entries({ ...r.parameters, ...r.buffers })) {
    if (field in layer && fields[field] !== t) throw new ValueError(`${r.kind}: ${layer.constructor.name} already has a field ${field}, where the reparametrization keeps a tensor of its own`);
  }
  Object.assign(fields, r.parameters, r.buffers);
  fields[name] = keep(noGrad(() => tidy(() => r.compute(false))));
  r.handle = layer.registerForwardPreHook(() => refresh(layer, name, r));
  const written = () => recompute(layer, name);
  for (const t of [...Object.values(r.parameters), ...Object.values(r.buffers)]) onWrite(t, written);
  let byName = applied.get(layer);
  if (!byName) {
    byName = new Map();
    applied.set(layer, byName);
    shadow(layer, byName);
  }
  byName.set(name, r);
}

/** Computes the weight again, freeing the one it replaces (a pending backward pass keeps what it reads of it). */
function refresh(layer: Module, name: string, r: Reparametrization): void {
  const next = keep(tidy(() => r.compute(layer.training)));
  const fields = fieldsOf(layer);
  const previous = fields[name];
  fields[name] = next;
  if (previous instanceof Tensor && previous !== next) previous.dispose();
}

/**
 * Computes `name`'s weight again from its reparametrization as it stands,
 * without recording or iterating: after its tensors were written outside a
 * forward (a load, a new pruning mask), so `layer.weight` is not stale.
 */
export function recompute(layer: Module, name: string): void {
  const r = applied.get(layer)?.get(name);
  if (!r) return;
  const fields = fieldsOf(layer);
  const previous = fields[name];
  fields[name] = keep(noGrad(() => tidy(() => r.compute(false))));
  if (previous instanceof Tensor && previous !== r.original) previous.dispose();
}

/**
 * Takes `kind` off the tensor `name` of `layer`: the weight as now computed
 * (no power iteration) is written into the tensor that was the weight before,
 * which becomes the parameter `name` again; the others are freed.
 */
export function unreparametrize(op: string, kind: ReparametrizationKind, layer: Module, name: string): void {
  if (!(layer instanceof Module)) throw new ValueError(`${op}: expects a layer (a tm.nn.Module), got ${formatValue(layer)}`);
  if (typeof name !== 'string') throw new ValueError(`${op}: name must be the name of a parameter of the layer, got ${formatValue(name)}`);
  const byName = applied.get(layer);
  const r = byName?.get(name);
  if (r && r.kind !== kind) throw new ValueError(`${op}: ${name} of ${layer.constructor.name} is reparametrized by ${r.kind}, not ${kind}`);
  if (!r) {
    const mine = [...(byName ?? [])].filter(([, other]) => other.kind === kind).map(([n]) => n);
    throw new ValueError(`${op}: ${name} of ${layer.constructor.name} has no ${kind}${mine.length ? `; ${kind} is on ${mine.join(', ')}` : ''}`);
  }
  r.handle!.remove();
  for (const t of [...Object.values(r.parameters), ...Object.values(r.buffers)]) onWrite(t, null);
  const fields = fieldsOf(layer);
  noGrad(() => {
    const baked = tidy(() => r.compute(false));
    r.original.assign(baked);
    baked.dispose();
  });
  const computed = fields[name];
  if (computed instanceof Tensor && computed !== r.original) computed.dispose();
  for (const [field, t] of Object.entries({ ...r.parameters, ...r.buffers })) {
    delete fields[field];
    if (t === r.original) continue;
    t.grad?.dispose();
    t.dispose();
  }
  // Its gradient was the direction's or the unnormalised weight's, not the weight's.
  r.original.grad?.dispose();
  r.original.grad = null;
  fields[name] = r.original;
  byName!.delete(name);
  if (!byName!.size) unshadow(layer);
}

/** The reparametrization of `layer`'s tensor `name`, if it has one. */
export function reparametrizationOf(layer: Module, name: string): Reparametrization | undefined {
  return applied.get(layer)?.get(name);
}

/** Which of `layer`'s parameters are reparametrized, and how, by the weight's name. */
export function reparametrizationsOf(layer: Module): Map<string, ReparametrizationKind> {
  return new Map([...(applied.get(layer) ?? [])].map(([name, r]) => [name, r.kind]));
}

/**
 * The fields of `layer`'s reparametrizations, each with the name of the
 * weight it stands for and where PyTorch keeps it: loadPytorch reads
 * weightG from weight_g (torch.nn.utils.weight_norm's state_dict names).
 */
export function reparametrizedFields(layer: Module): Map<string, { weight: string; pytorch: PytorchName }> {
  const out = new Map<string, { weight: string; pytorch: PytorchName }>();
  for (const [weight, r] of applied.get(layer) ?? []) for (const [field, pytorch] of Object.entries(r.pytorchNames)) out.set(field, { weight, pytorch });
  return out;
}

/** Shadows the layer's ownParameters, ownBuffers and dispose with versions that know its reparametrizations. */
function shadow(layer: Module, byName: Map<string, Reparametrization>): void {
  const own: Partial<Record<Shadowed, PropertyDescriptor>> = {};
  for (const key of SHADOWED) own[key] = Object.getOwnPropertyDescriptor(layer, key);
  before.set(layer, own);
  const ownParameters = layer.ownParameters;
  const ownBuffers = layer.ownBuffers;
  const dispose = layer.dispose;
  onLoad(layer, () => {
    for (const name of byName.keys()) recompute(layer, name);
  });
  const define = (key: Shadowed, value: () => unknown) => Object.defineProperty(layer, key, { value, writable: true, configurable: true, enumerable: false });
  define('ownParameters', () => {
    let out = ownParameters.call(layer);
    for (const [name, r] of byName) out = replaced(out, name, r.parameters);
    return out;
  });
  define('ownBuffers', () => {
    let out = ownBuffers.call(layer);
    for (const r of byName.values()) out = { ...out, ...r.buffers };
    return out;
  });
  define('dispose', () => {
    // The computed weights are neither parameters nor buffers: Module.dispose would leave them.
    for (const name of byName.keys()) {
      const computed = fieldsOf(layer)[name];
      if (computed instanceof Tensor) computed.dispose();
    }
    dispose.call(layer);
  });
}

function unshadow(layer: Module): void {
  const own = before.get(layer)!;
  before.delete(layer);
  applied.delete(layer);
  onLoad(layer, null);
  for (const key of SHADOWED) {
    if (own[key]) Object.defineProperty(layer, key, own[key]);
    else delete (layer as unknown as Record<string, unknown>)[key];
  }
}

/** `own` with `parameters` where `name` was, in its place in the order (appended if the layer did not list it). */
function replaced(own: Record<string, Tensor>, name: string, parameters: Record<string, Tensor>): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  for (const [key, t] of Object.entries(own)) {
    if (key === name) Object.assign(out, parameters);
    else if (!Object.hasOwn(parameters, key)) out[key] = t;
  }
  return Object.assign(out, parameters);
}
