// Pruning (PyTorch's torch.nn.utils.prune): a weight multiplied by a mask
// of zeros and ones, so the entries it zeroes are gone from the layer's
// function and get no gradient. The weight moves into `weightOrig` (still
// the parameter) and the mask into the buffer `weightMask`; weight =
// weightOrig · weightMask before every forward. Pruning a pruned weight
// again chooses among the entries (or channels) still unpruned and
// multiplies the masks, as PyTorch's PruningContainer does.
//
// The choices are PyTorch's: the count pruned is an integer amount as
// given, or round(amount · n) for a fraction, Python's round (half to
// even), n the entries (channels) still unpruned; l1 prunes the smallest
// |w|, ln structured keeps the channels of largest Ln norm, random picks
// by uniform draws (torch.topk of them, as PyTorch does). Among equal scores
// tm.topk's order decides, by position (the earlier entry first: pruned
// first by l1, kept first by ln structured); torch.topk leaves the order of
// ties unspecified.
//
// Every pruning function is async: the count depends on the mask as it
// stands on the device, read before the new mask is made.
import { ShapeError, ValueError, formatShape, formatValue } from '../../errors.js';
import { keep, tidy } from '../../engine.js';
import { concat, gather, rand, tensor } from '../../ops/index.js';
import { onBackendOf } from '../../ops/util.js';
import { checkOptions, type OptionNames } from '../../options.js';
import { checkSeed } from '../../random.js';
import { roundHalfEven } from '../../round.js';
import { Tensor } from '../../tensor.js';
import { noGrad } from '../../tape.js';
import { Module } from '../module.js';
import { keptAxis, parameterToReparametrize, recompute, reparametrizationOf, reparametrizationsOf, reparametrize, suffixed, unreparametrize } from './reparametrize.js';

/** A layer after pruning its parameter N: the unpruned weight as its parameter `${N}Orig`, the mask as its buffer `${N}Mask`. */
export type Pruned<L extends Module, N extends string = 'weight'> = L & { [K in `${N}Orig` | `${N}Mask`]: Tensor };

export interface L1UnstructuredOptions {
  /**
   * What to prune: a fraction in [0, 1] of the entries still unpruned, or a
   * count of them. An integer is a count: 1 is one entry (JavaScript has no
   * 1.0 apart from 1; PyTorch's amount=1.0, everything, is the count).
   */
  amount: number;
  /** Scores of the weight's shape whose smallest |s| are pruned in place of the weight's (PyTorch's importance_scores). */
  importanceScores?: Tensor;
}

export interface RandomUnstructuredOptions {
  /** What to prune: a fraction in [0, 1] of the entries still unpruned, or a count of them (an integer, as l1Unstructured's). */
  amount: number;
  /** Seed for the draws (see also tm.setSeed). */
  seed?: number;
}

export interface LnStructuredOptions {
  /** What to prune: a fraction in [0, 1] of the channels still unpruned, or a count of them (an integer). */
  amount: number;
  /** The norm's order: a number > 0, or Infinity (the largest |w|). PyTorch's n (1, 2…). */
  n: number;
  /**
   * The axis whose slices (channels) are pruned whole. Default the layer's
   * output axis: 1 for Dense's [inputs, units] weight and a transposed
   * convolution's, else 0 (a convolution's filters), which is PyTorch's
   * dim=0 in its layouts.
   */
  dim?: number;
  /** Scores of the weight's shape whose norms rank the channels in place of the weight's (PyTorch's importance_scores). */
  importanceScores?: Tensor;
}

export interface RandomStructuredOptions {
  /** What to prune: a fraction in [0, 1] of the channels still unpruned, or a count of them (an integer). */
  amount: number;
  /** The axis whose slices are pruned whole; default the layer's output axis, as lnStructured's. */
  dim?: number;
  /** Seed for the draws (see also tm.setSeed). */
  seed?: number;
}

export interface GlobalUnstructuredOptions {
  /** How entries are chosen across all the tensors: the smallest |w| ('l1') or at random. */
  method: 'l1' | 'random';
  /** A fraction in [0, 1] of the entries still unpruned in all the tensors together, or a count of them. */
  amount: number;
  /** Seed for the draws of method 'random'. */
  seed?: number;
}

/** A tensor globalUnstructured prunes: a layer and the name of its parameter, and optionally scores that rank its entries. */
export type GlobalPruningTarget = readonly [Module, string] | readonly [Module, string, Tensor];

const L1_OPTIONS: OptionNames<L1UnstructuredOptions> = { amount: true, importanceScores: true };
const RANDOM_OPTIONS: OptionNames<RandomUnstructuredOptions> = { amount: true, seed: true };
const LN_OPTIONS: OptionNames<LnStructuredOptions> = { amount: true, n: true, dim: true, importanceScores: true };
const RANDOM_STRUCTURED_OPTIONS: OptionNames<RandomStructuredOptions> = { amount: true, dim: true, seed: true };
const GLOBAL_OPTIONS: OptionNames<GlobalUnstructuredOptions> = { method: true, amount: true, seed: true };

/** A tensor about to be pruned: its parameter, its mask as it stands (all ones the first time), read to the host. */
interface Target {
  readonly layer: Module;
  readonly name: string;
  /** The weight as trained: the parameter, weightOrig once pruned. */
  readonly original: Tensor;
  /** The current mask, one number per entry, 0 or 1. */
  readonly mask: Float64Array;
  /** The mask's tensor where the weight is pruned already. */
  readonly maskTensor?: Tensor;
}

/** The tensors a pruning is choosing for, by layer: another one on them before it is done would read a mask about to change. */
const busy = new WeakMap<Module, Set<string>>();

/** Runs the pruning `body` of `tensors`, refusing a second one on any of them until it is done. */
async function exclusively<T>(op: string, tensors: readonly (readonly [Module, string])[], body: () => Promise<T>): Promise<T> {
  // Only what names a layer's tensor: the rest is refused by name in body.
  const mine = tensors.filter(([layer, name]) => layer instanceof Module && typeof name === 'string');
  for (const [layer, name] of mine) {
    if (busy.get(layer)?.has(name)) throw new ValueError(`${op}: ${name} of ${layer.constructor.name} is being pruned already; await one pruning before the next`);
  }
  for (const [layer, name] of mine) busy.set(layer, (busy.get(layer) ?? new Set()).add(name));
  try {
    return await body();
  } finally {
    for (const [layer, name] of mine) busy.get(layer)?.delete(name);
  }
}

/** The parameter `name` of `layer`, checked, with its mask. */
async function targetOf(op: string, layer: Module, name: unknown): Promise<Target> {
  const existing = layer instanceof Module && typeof name === 'string' ? reparametrizationOf(layer, name) : undefined;
  if (existing?.kind === 'prune') {
    const maskTensor = existing.buffers[`${name}Mask`];
    return { layer, name: name as string, original: existing.original, mask: Float64Array.from(await maskTensor.data()), maskTensor };
  }
  // Checks the layer and name, and refuses a weight under weightNorm or spectralNorm.
  const { weight } = parameterToReparametrize(op, layer, name);
  return { layer, name: name as string, original: weight, mask: new Float64Array(weight.size).fill(1) };
}

/**
 * Puts `mask` (the whole new mask, the old one's zeros included) on the
 * target: the first time a reparametrization weight = weightOrig · mask,
 * later the mask written into the buffer and the weight computed again.
 */
function applyMask<L extends Module, N extends string>(target: Target, mask: Float64Array): Pruned<L, N> {
  const { layer, name, original } = target;
  const next = onBackendOf('prune', original, () => tensor(mask, [...original.shape], { dtype: original.dtype }));
  if (target.maskTensor) {
    noGrad(() => target.maskTensor!.assign(next));
    next.dispose();
    recompute(layer, name);
  } else {
    const maskTensor = keep(next);
    try {
      reparametrize(layer, name, {
        kind: 'prune',
        parameters: { [`${name}Orig`]: original },
        buffers: { [`${name}Mask`]: maskTensor },
        pytorchNames: { [`${name}Orig`]: suffixed('_orig'), [`${name}Mask`]: suffixed('_mask') },
        original,
        compute: () => original.mul(maskTensor),
      });
    } catch (e) {
      // A field of the layer's own where the mask would go.
      maskTensor.dispose();
      throw e;
    }
  }
  return layer as Pruned<L, N>;
}

/** Checks `amount` as PyTorch does before it looks at the tensor: a fraction in [0, 1] or a count ≥ 0. */
function checkAmount(op: string, amount: unknown): number {
  if (typeof amount !== 'number' || !Number.isFinite(amount) || amount < 0 || (!Number.isInteger(amount) && amount > 1)) {
    throw new ValueError(`${op}: amount must be a fraction in [0, 1] or a count (an integer ≥ 0), got ${formatValue(amount)}`);
  }
  return amount;
}

/** How many of `n` to prune: an integer amount as it is (at most n), a fraction times n rounded half to even (Python's round). */
function countOf(op: string, amount: number, n: number, what: string): number {
  if (Number.isInteger(amount)) {
    if (amount > n) throw new ValueError(`${op}: amount ${amount} is more than the ${n} ${what} left unpruned`);
    return amount;
  }
  return roundHalfEven(amount * n);
}

/** The positions of the mask's ones. */
function aliveOf(mask: Float64Array): Int32Array {
  const out: number[] = [];
  mask.forEach((m, i) => m !== 0 && out.push(i));
  return Int32Array.from(out);
}

/** Reads the positions `make` gives (topk's), made on `on`'s backend without recording, its intermediates freed. */
async function positions(on: Tensor, make: () => Tensor): Promise<Int32Array> {
  const t = noGrad(() => tidy(() => onBackendOf('prune', on, make)));
  const out = Int32Array.from(await t.data());
  t.dispose();
  return out;
}

/** Positions as an i32 tensor (gather's indices). */
const indices = (at: Int32Array): Tensor => tensor(at, [at.length], { dtype: 'i32' });

/** The current weight, weightOrig · mask (the entries pruned before read as zero, as PyTorch's module.weight). */
const currentWeight = (target: Target): Tensor => (target.maskTensor ? target.original.mul(target.maskTensor) : target.original);

/** What ranks the target's entries: the scores given, checked to be of the weight's shape, else the current weight. */
function scoresOf(op: string, target: Target, given: unknown): () => Tensor {
  if (given === undefined) return () => currentWeight(target);
  const { layer, name, original } = target;
  if (!(given instanceof Tensor)) throw new ValueError(`${op}: importanceScores of ${name} must be a Tensor of its shape ${formatShape(original.shape)}, got ${formatValue(given)}`);
  if (given.shape.length !== original.rank || given.shape.some((d, i) => d !== original.shape[i])) {
    throw new ShapeError(`${op}: importanceScores are ${formatShape(given.shape)}, ${name} of ${layer.constructor.name} is ${formatShape(original.shape)}`);
  }
  return () => given;
}

/** The unstructured pruning of one tensor: `pick` gives positions among the `alive` entries' `count` to prune. */
async function unstructured<L extends Module, N extends string>(op: string, target: Target, amount: number, pick: (alive: Int32Array, count: number) => Promise<Int32Array>): Promise<Pruned<L, N>> {
  const alive = aliveOf(target.mask);
  const count = countOf(op, amount, alive.length, `entries of ${target.name} of ${target.layer.constructor.name}`);
  const mask = target.mask.slice();
  if (count > 0) for (const i of await pick(alive, count)) mask[alive[i]] = 0;
  return applyMask<L, N>(target, mask);
}

/**
 * Prunes the `amount` entries of smallest |w| of the parameter `name` of
 * `layer` (PyTorch's prune.l1_unstructured), among those still unpruned.
 * The first pruning makes `${name}Orig` the parameter (the weight tensor
 * itself) and `${name}Mask` a buffer; `layer[name]` is weightOrig · mask,
 * computed again before every forward. Apply it before making the
 * optimizer. Resolves to the layer.
 */
export async function l1Unstructured<L extends Module, N extends string>(layer: L, name: N, options: L1UnstructuredOptions): Promise<Pruned<L, N>> {
  const { amount, importanceScores } = checkOptions('prune.l1Unstructured', options, L1_OPTIONS);
  checkAmount('prune.l1Unstructured', amount);
  return exclusively('prune.l1Unstructured', [[layer, name]], async () => {
    const target = await targetOf('prune.l1Unstructured', layer, name);
    const scores = scoresOf('prune.l1Unstructured', target, importanceScores);
    return unstructured<L, N>('prune.l1Unstructured', target, amount, (alive, count) =>
      positions(target.original, () => gather(scores().reshape([target.original.size]).abs(), indices(alive)).topk(count, { largest: false }).indices));
  });
}

/**
 * Prunes `amount` entries of the parameter `name` of `layer` chosen at
 * random among those still unpruned (PyTorch's prune.random_unstructured:
 * the largest of uniform draws). As l1Unstructured otherwise.
 */
export async function randomUnstructured<L extends Module, N extends string>(layer: L, name: N, options: RandomUnstructuredOptions): Promise<Pruned<L, N>> {
  const { amount, seed } = checkOptions('prune.randomUnstructured', options, RANDOM_OPTIONS);
  checkAmount('prune.randomUnstructured', amount);
  if (seed !== undefined) checkSeed('prune.randomUnstructured', seed);
  return exclusively('prune.randomUnstructured', [[layer, name]], async () => {
    const target = await targetOf('prune.randomUnstructured', layer, name);
    return unstructured<L, N>('prune.randomUnstructured', target, amount, (alive, count) =>
      positions(target.original, () => rand([alive.length], { seed }).topk(count).indices));
  });
}

/** The structured pruning of one tensor along `dim`: `pick` gives positions among the alive channels' `count` to prune. */
async function structured<L extends Module, N extends string>(op: string, target: Target, amount: number, dim: number, pick: (channels: Int32Array, count: number) => Promise<Int32Array>): Promise<Pruned<L, N>> {
  const { original, mask } = target;
  const channels = original.shape[dim];
  const inner = original.shape.slice(dim + 1).reduce((a, b) => a * b, 1);
  const channelOf = (i: number) => Math.floor(i / inner) % channels;
  // A channel is still there while any of its entries is (PyTorch's keep_channel: the mask's sum over it non-zero).
  const there = new Uint8Array(channels);
  mask.forEach((m, i) => m !== 0 && (there[channelOf(i)] = 1));
  const alive = aliveOf(Float64Array.from(there));
  const count = countOf(op, amount, alive.length, `channels of ${target.name} of ${target.layer.constructor.name} along axis ${dim}`);
  const next = mask.slice();
  if (count > 0) {
    const pruned = new Uint8Array(channels);
    for (const c of await pick(alive, count)) pruned[alive[c]] = 1;
    next.forEach((_, i) => pruned[channelOf(i)] && (next[i] = 0));
  }
  return applyMask<L, N>(target, next);
}

/** The axis structured pruning takes, checked: `dim` or the layer's output axis. */
function structuredAxis(op: string, target: Target, dim: unknown): number {
  const { layer, name, original } = target;
  if (original.rank === 0) throw new ValueError(`${op}: ${name} of ${layer.constructor.name} is a scalar; structured pruning takes a tensor with at least one axis`);
  return keptAxis(op, layer, name, original, dim);
}

/**
 * Prunes the `amount` channels of smallest Ln norm (`n`) of the parameter
 * `name` of `layer`, among those still unpruned (PyTorch's
 * prune.ln_structured): a channel is the slice at one index along `dim`, its
 * norm taken over the other axes of the current weight (the entries pruned
 * before counting as zero), and the `count` left keep the largest norms. As
 * l1Unstructured otherwise.
 */
export async function lnStructured<L extends Module, N extends string>(layer: L, name: N, options: LnStructuredOptions): Promise<Pruned<L, N>> {
  const { amount, n, dim, importanceScores } = checkOptions('prune.lnStructured', options, LN_OPTIONS);
  checkAmount('prune.lnStructured', amount);
  if (typeof n !== 'number' || !(n > 0)) throw new ValueError(`prune.lnStructured: n must be a number > 0 or Infinity (the norm's order), got ${formatValue(n)}`);
  return exclusively('prune.lnStructured', [[layer, name]], async () => {
    const target = await targetOf('prune.lnStructured', layer, name);
    const axis = structuredAxis('prune.lnStructured', target, dim);
    const scores = scoresOf('prune.lnStructured', target, importanceScores);
    const rest = target.original.shape.map((_, i) => i).filter((i) => i !== axis);
    return structured<L, N>('prune.lnStructured', target, amount, axis, async (alive, count) => {
      const keeping = await positions(target.original, () => {
        const slices = gather(scores(), indices(alive), axis);
        // A vector's channels are its entries: their norm is |w|.
        const norms = !rest.length ? slices.abs() : n === 1 || n === 2 || n === Infinity ? slices.norm(rest, { ord: n }) : slices.abs().pow(n).sum(rest).pow(1 / n);
        return norms.topk(alive.length - count).indices;
      });
      const kept = new Set(keeping);
      return Int32Array.from(alive.keys()).filter((c) => !kept.has(c));
    });
  });
}

/**
 * Prunes `amount` channels (slices along `dim`) of the parameter `name` of
 * `layer` chosen at random among those still unpruned (PyTorch's
 * prune.random_structured: the smallest of uniform draws). As lnStructured
 * otherwise.
 */
export async function randomStructured<L extends Module, N extends string>(layer: L, name: N, options: RandomStructuredOptions): Promise<Pruned<L, N>> {
  const { amount, dim, seed } = checkOptions('prune.randomStructured', options, RANDOM_STRUCTURED_OPTIONS);
  checkAmount('prune.randomStructured', amount);
  if (seed !== undefined) checkSeed('prune.randomStructured', seed);
  return exclusively('prune.randomStructured', [[layer, name]], async () => {
    const target = await targetOf('prune.randomStructured', layer, name);
    const axis = structuredAxis('prune.randomStructured', target, dim);
    return structured<L, N>('prune.randomStructured', target, amount, axis, (alive, count) =>
      positions(target.original, () => rand([alive.length], { seed }).topk(count, { largest: false }).indices));
  });
}

/**
 * Prunes nothing (PyTorch's prune.identity): the parameter `name` of
 * `layer` becomes `${name}Orig` with a mask of ones, so code that expects
 * a pruned layer finds one. A pruned weight is left as it is.
 */
export async function identity<L extends Module, N extends string>(layer: L, name: N): Promise<Pruned<L, N>> {
  return exclusively('prune.identity', [[layer, name]], async () => {
    const target = await targetOf('prune.identity', layer, name);
    return applyMask<L, N>(target, target.mask);
  });
}

/**
 * Prunes the entries of the parameter `name` of `layer` where `mask` (a
 * tensor of the weight's shape, of zeros and ones) is 0 (PyTorch's
 * prune.custom_from_mask); a pruned weight keeps its zeros too.
 */
export async function customFromMask<L extends Module, N extends string>(layer: L, name: N, mask: Tensor): Promise<Pruned<L, N>> {
  if (!(mask instanceof Tensor)) throw new ValueError(`prune.customFromMask: mask must be a Tensor of zeros and ones, got ${formatValue(mask)}`);
  return exclusively('prune.customFromMask', [[layer, name]], async () => {
    const target = await targetOf('prune.customFromMask', layer, name);
    const shape = target.original.shape;
    if (mask.shape.length !== shape.length || mask.shape.some((d, i) => d !== shape[i])) {
      throw new ShapeError(`prune.customFromMask: mask is ${formatShape(mask.shape)}, ${name} of ${layer.constructor.name} is ${formatShape(shape)}`);
    }
    const values = await mask.data();
    const next = target.mask.slice();
    for (let i = 0; i < next.length; i++) {
      const m = Number(values[i]);
      if (m !== 0 && m !== 1) throw new ValueError(`prune.customFromMask: mask must hold only zeros and ones, got ${formatValue(m)} at position ${i}`);
      next[i] *= m;
    }
    return applyMask<L, N>(target, next);
  });
}

/**
 * Prunes the `amount` entries of smallest |w| (method 'l1') or random ones
 * among all the tensors `parameters` names ([layer, name] pairs) together,
 * still unpruned (PyTorch's prune.global_unstructured): a tensor of small
 * weights loses more than one of large. A third element, a tensor of the
 * weight's shape, ranks its entries in place of the weight (PyTorch's
 * importance_scores). Every tensor listed is pruned (a mask of ones where
 * nothing was chosen). Resolves when all are.
 */
export async function globalUnstructured(parameters: readonly GlobalPruningTarget[], options: GlobalUnstructuredOptions): Promise<void> {
  const op = 'prune.globalUnstructured';
  const { method, amount, seed } = checkOptions(op, options, GLOBAL_OPTIONS);
  if (method !== 'l1' && method !== 'random') throw new ValueError(`${op}: method must be 'l1' or 'random', got ${formatValue(method)}`);
  checkAmount(op, amount);
  if (seed !== undefined) checkSeed(op, seed);
  if (!Array.isArray(parameters) || !parameters.length || parameters.some((p) => !Array.isArray(p) || p.length < 2 || p.length > 3)) {
    throw new ValueError(`${op}: parameters must be a non-empty array of [layer, name] pairs (or [layer, name, importanceScores]), got ${formatValue(parameters)}`);
  }
  const seen = new Map<Module, Set<string>>();
  for (const [layer, name] of parameters) {
    const names = seen.get(layer) ?? new Set();
    if (names.has(name)) throw new ValueError(`${op}: ${name} of ${layer.constructor.name} is listed twice`);
    seen.set(layer, names.add(name));
  }
  return exclusively(op, parameters.map(([layer, name]) => [layer, name] as const), async () => {
    const targets: Target[] = [];
    for (const [layer, name] of parameters) targets.push(await targetOf(op, layer, name));
    const scores = targets.map((t, i) => scoresOf(op, t, parameters[i][2]));
    const alive = targets.map((t) => aliveOf(t.mask));
    const total = alive.reduce((s, a) => s + a.length, 0);
    const count = countOf(op, amount, total, 'entries of the tensors listed');
    const masks = targets.map((t) => t.mask.slice());
    if (count > 0) {
      const chosen = await positions(targets[0].original, () => {
        if (method === 'random') return rand([total], { seed }).topk(count).indices;
        return concat(targets.map((t, i) => gather(scores[i]().reshape([t.original.size]).abs(), indices(alive[i])))).topk(count, { largest: false }).indices;
      });
      // Position p of the concatenation is in the tensor whose alive entries span it.
      const starts = alive.map((_, i) => alive.slice(0, i).reduce((s, a) => s + a.length, 0));
      for (const p of chosen) {
        let t = 0;
        while (t + 1 < targets.length && starts[t + 1] <= p) t++;
        masks[t][alive[t][p - starts[t]]] = 0;
      }
    }
    targets.forEach((t, i) => applyMask<Module, string>(t, masks[i]));
  });
}

/**
 * Makes the pruning of the parameter `name` of `layer` permanent (PyTorch's
 * prune.remove): weightOrig · mask is written into the tensor that was
 * weightOrig, which becomes the parameter `name` again (zeros where
 * pruned, free to train), and the mask is freed.
 */
export function remove<L extends Module>(layer: L, name: string): L {
  if (layer instanceof Module && typeof name === 'string' && !reparametrizationOf(layer, name)) {
    const pruned = [...reparametrizationsOf(layer)].filter(([, kind]) => kind === 'prune').map(([n]) => n);
    throw new ValueError(`prune.remove: ${name} of ${layer.constructor.name} is not pruned${pruned.length ? `; pruned: ${pruned.join(', ')}` : ''}`);
  }
  unreparametrize('prune.remove', 'prune', layer, name);
  return layer;
}

/** Whether `layer` or any layer inside it has a pruned tensor (PyTorch's prune.is_pruned). */
export function isPruned(layer: Module): boolean {
  if (!(layer instanceof Module)) throw new ValueError(`prune.isPruned: expects a layer (a tm.nn.Module), got ${formatValue(layer)}`);
  return layer.modules().some((m) => [...reparametrizationsOf(m).values()].includes('prune'));
}
