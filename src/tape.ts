// The autograd tape, as seen from the ops: each differentiable op declares its
// gradient next to itself and hands it to `record`, which links the output to
// its inputs when any of them needs a gradient. Walking the links backwards is
// src/autograd/'s job.
import { isFloat } from './dtype.js';
import { ValueError } from './errors.js';
import { releaseCollected, type DataRef } from './engine.js';
import { Tensor } from './tensor.js';

/**
 * Gradients of an op's inputs given the gradient `dy` of its output, in
 * input order; `null` for an input that needs none (see `needs`). Tensors the
 * backward pass reads are passed back as `saved`, so the op needs no closure
 * over tensors a user might dispose.
 */
export type Backward = (dy: Tensor, saved: readonly Tensor[], needs: readonly boolean[]) => (Tensor | BlockGradient | null)[];

/**
 * A gradient that is `dy` on the block of the input starting at `start` and 0
 * elsewhere: slice's. The backward walk assembles an input's blocks once
 * (autograd/blocks.ts) rather than padding each to the input's size and
 * adding: a sequence cut into T steps would otherwise cost T full-size
 * tensors (an LSTM's backward was O(T²)).
 */
export class BlockGradient {
  constructor(readonly dy: Tensor, readonly start: readonly number[]) {}
}

export interface GradNode {
  readonly op: string;
  readonly inputs: readonly Tensor[];
  readonly backward: Backward;
  /** Views of the tensors backward reads, holding their storage alive until released. */
  saved: Tensor[];
  /**
   * The tensors `saved` views, as the op was given them: a backward pass that
   * builds a graph of its own (createGraph) links what it reads from `saved`
   * to their graphs through these, so a second derivative reaches what they
   * were computed from.
   */
  sources: Tensor[];
  /**
   * Set where backward is a kernel of its own rather than ops (CTC's), so
   * its gradients have no gradient in turn with respect to the op's inputs.
   */
  readonly firstOrder?: boolean;
  /**
   * The inputs and sources, each counted in its Tensor.graphUses while the
   * node lives, but for the op's own output (an op saving its result, as
   * tanh does, would otherwise hold itself).
   */
  readonly holds: readonly Tensor[];
  /** Set once releaseNode has freed `saved` and given back the node's holds. */
  released?: boolean;
  /**
   * The outputs of one op recorded together, each saving the others (eigh's
   * values and vectors): they hold one another, so none is ever free of
   * holds on its own; releaseUnreachable frees them as a group.
   */
  siblings?: readonly Tensor[];
}

export interface RecordOptions {
  /** backward is a kernel, not recorded ops: no second derivative goes through it (GradNode.firstOrder). */
  firstOrder?: boolean;
}

let enabled = true;

/** Runs `fn` without recording gradients (inference, optimiser updates). */
export function noGrad<T>(fn: () => T): T {
  const was = enabled;
  enabled = false;
  let result: T;
  try {
    result = fn();
  } finally {
    enabled = was;
  }
  if (result instanceof Promise) {
    // Recording would be on again after the function's first await, silently: refused, as tidy refuses it.
    result.catch(() => undefined);
    throw new ValueError('noGrad: the function returned a Promise; noGrad is synchronous (call it around the synchronous part, or await outside it)');
  }
  return result;
}

export function isGradEnabled(): boolean {
  return enabled;
}

/** Runs `fn` recording gradients, within a noGrad (a checkpoint's recomputation inside the backward walk). */
export function withGrad<T>(fn: () => T): T {
  const was = enabled;
  enabled = true;
  try {
    return fn();
  } finally {
    enabled = was;
  }
}

/** Tensors needing a gradient that ops read while a checkpoint's forward runs, recording or not (autograd/checkpoint.ts). */
let reads: Set<Tensor> | null = null;

/** `fn`'s result, and every tensor needing a gradient that an op it ran took as an input. */
export function collectingReads<T>(fn: () => T): { result: T; reads: Set<Tensor> } {
  const outer = reads;
  const mine = new Set<Tensor>();
  reads = mine;
  try {
    return { result: fn(), reads: mine };
  } finally {
    reads = outer;
    if (outer) for (const t of mine) outer.add(t);
  }
}

let recomputations = 0;

/** Runs a checkpoint's second forward pass: layers that keep running statistics leave them as the first pass left them. */
export function recomputing<T>(fn: () => T): T {
  recomputations++;
  try {
    return fn();
  } finally {
    recomputations--;
  }
}

/** Whether a checkpoint is recomputing its forward pass (see recomputing). */
export function isRecomputing(): boolean {
  return recomputations > 0;
}

/** Whether a gradient will flow back into `t`. */
export function needsGrad(t: Tensor): boolean {
  return t.requiresGrad || t.gradFn !== null;
}

/**
 * The saved tensors of a graph dropped without a backward pass (a forward in
 * training mode whose loss was thrown away) are freed when its node is
 * garbage: one registration per node rather than one per saved view.
 */
const droppedGraphs = new FinalizationRegistry<DataRef[]>((refs) => {
  for (const ref of refs) releaseCollected(ref);
});

/**
 * Links `output` to `inputs` through `backward` when recording is on and some
 * input needs a gradient. `save` lists the tensors backward will read.
 */
export function record(output: Tensor, op: string, inputs: readonly Tensor[], save: readonly Tensor[], backward: Backward, options: RecordOptions = {}): Tensor {
  if (reads) for (const t of inputs) if (needsGrad(t)) reads.add(t);
  if (!enabled || !isFloat(output.dtype) || !inputs.some(needsGrad)) return output;
  // Views share storage, so saving costs no copy. Owned: out of tidy's reach and the
  // tensor finalizer's (which would free them a second time), freed by releaseNode or with the node.
  const saved = save.map((t) => new Tensor(t.dataRef(op), t.shape, t.dtype, true));
  const holds = [...inputs, ...save].filter((t) => t !== output);
  const node: GradNode = { op, inputs: [...inputs], backward, saved, sources: [...save], holds, firstOrder: options.firstOrder };
  for (const t of holds) t.graphUses++;
  if (saved.length) droppedGraphs.register(node, saved.map((t) => t.dataRef(op)), node);
  output.gradFn = node;
  linkedHere?.add(output);
  return output;
}

/**
 * Marks recorded outputs of one op as siblings: where each saves the others
 * for its backward, the group is freed once all of them are disposed and
 * nothing but the group holds any of them (releaseUnreachable).
 */
export function linkSiblings(outputs: readonly Tensor[]): void {
  const group = outputs.filter((t) => t.gradFn);
  if (group.length < 2) return;
  for (const t of group) t.gradFn!.siblings = group;
}

/** Whether t's sibling group is unreachable: every member disposed and held only by the members' own nodes. */
function siblingsUnreachable(t: Tensor): boolean {
  const group = t.gradFn?.siblings;
  if (!group) return false;
  return group.every((u) => {
    if (!u.isDisposed || !u.gradFn || u.gradFn.released) return false;
    let inGroup = 0;
    for (const v of group) if (v !== u) for (const h of v.gradFn?.holds ?? []) if (h === u) inGroup++;
    return u.graphUses === inGroup;
  });
}

/** Where record() notes the tensors it links while a call of collectingLinks runs. */
let linkedHere: Set<Tensor> | null = null;

/**
 * Runs fn, adding to `links` every tensor an op it ran linked into a graph:
 * what autograd/functional.ts built, so it can free exactly that and leave
 * alone the graphs of tensors the function closed over.
 */
export function collectingLinks<T>(links: Set<Tensor>, fn: () => T): T {
  const outer = linkedHere;
  linkedHere = links;
  try {
    return fn();
  } finally {
    linkedHere = outer;
    if (outer) for (const t of links) outer.add(t);
  }
}

/**
 * Cuts t from its recorded op and frees the op: what it saved for its
 * backward, once that has run (or can no longer run), and its hold on its
 * inputs and sources. t is a leaf after.
 */
export function releaseNode(t: Tensor): void {
  const node = freeNode(t);
  // What only this node held, disposed, can no longer be reached either: say an output of the same op that
  // its backward saved for a second derivative (eigvalsh's vectors), whose own node nothing walked.
  if (node) for (const h of node.holds) releaseUnreachable(h);
}

/** releaseNode without going on to what the node held: t's node, or null where it had none or was freed before. */
function freeNode(t: Tensor): GradNode | null {
  const node = t.gradFn;
  if (!node) return null;
  t.gradFn = null;
  if (node.released) return null;
  node.released = true;
  droppedGraphs.unregister(node);
  for (const t of node.holds) t.graphUses--;
  for (const s of node.saved) s.dispose();
  node.saved = [];
  node.sources = [];
  // The group's cycle of holds is broken once one member's node goes: plain counting frees the others.
  if (node.siblings) for (const v of node.siblings) if (v.gradFn?.siblings === node.siblings) v.gradFn.siblings = undefined;
  node.siblings = undefined;
  return node;
}

/**
 * Frees the graph behind `t`, a disposed tensor, as far back as nothing
 * else can reach it: a backward pass starts from a live tensor and goes on
 * through recorded ops' inputs (and, recording a second derivative, their
 * saved tensors' sources), so a disposed tensor no op holds can never be
 * walked through again, nor can what only it led to. Without this an
 * inference run over parameters outside noGrad (an ONNX model's `run`, a
 * forward in a tidy) kept every tensor its ops saved until the garbage
 * collector found the graph: on a GPU, memory the collector does not see.
 * PyTorch frees a graph the same way, when its last reference goes.
 */
export function releaseUnreachable(t: Tensor): void {
  const stack = [t];
  while (stack.length) {
    const u = stack.pop()!;
    const node = u.gradFn;
    if (!node || !u.isDisposed) continue;
    if (u.graphUses > 0) {
      if (!siblingsUnreachable(u)) continue;
      // Free every member first (their holds on one another go with them), then go on to what they held.
      const group = node.siblings!;
      const nodes = group.map((v) => v.gradFn!);
      for (const v of group) freeNode(v);
      for (const n of nodes) stack.push(...n.holds);
      continue;
    }
    freeNode(u);
    stack.push(...node.holds);
  }
}

/**
 * Runs a backward walk over `order` holding each of its tensors' graphs: one
 * disposed on the way (by a hook, or the tidy around a backward function)
 * must not free a node the walk has yet to reach. What is unreachable when
 * the walk ends (nodes it did not need, as grad() leaves) is freed then.
 */
export function holdingGraphs(order: readonly Tensor[], walk: () => void): void {
  for (const t of order) t.graphUses++;
  try {
    walk();
  } finally {
    for (const t of order) t.graphUses--;
    for (const t of order) releaseUnreachable(t);
  }
}
