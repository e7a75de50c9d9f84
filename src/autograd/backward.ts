// Reverse-mode autodiff: walk the ops recorded on the tape (tape.ts) from an
// output back to the tensors with requiresGrad, applying each op's declared
// backward. The graph is freed as it is walked, so each forward pass can be
// back-propagated once, unless the walk is asked to keep it (retainGraph) or
// to record a graph of its own (createGraph: the backward functions are ops,
// so the gradients they make can be differentiated in turn).
import { keep, tidy, track, untrack } from '../engine.js';
import { BackendMismatchError, ShapeError, ValueError, formatShape, formatValue } from '../errors.js';
import { checkOptions } from '../options.js';
import { sameShape } from '../shape.js';
import { add, cast, onesLike, zerosLike } from '../ops/index.js';
import { checkTensor, onBackendOf } from '../ops/util.js';
import { BlockGradient, holdingGraphs, needsGrad, noGrad, record, releaseNode, withGrad, type GradNode } from '../tape.js';
import { Tensor } from '../tensor.js';
import { assembleBlocks } from './blocks.js';

/** Tensors reachable from `root` through recorded ops, each after everything it feeds. */
function topologicalOrder(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const seen = new Set<Tensor>();
  // Iterative post-order DFS: deep networks must not overflow the JS stack.
  const stack: { t: Tensor; expanded: boolean }[] = [{ t: root, expanded: false }];
  while (stack.length) {
    const top = stack.pop()!;
    if (top.expanded) {
      order.push(top.t);
      continue;
    }
    if (seen.has(top.t)) continue;
    seen.add(top.t);
    stack.push({ t: top.t, expanded: true });
    for (const input of top.t.gradFn?.inputs ?? []) {
      // Checked before any gradient is summed: the walk would stop there, silently short of
      // everything that input was computed from (as PyTorch's second pass through a freed graph, an error).
      if (walked.has(input)) {
        throw new ValueError(
          `backward: this graph reads a tensor ${formatShape(input.shape)} ${input.dtype} whose own graph an earlier backward() walked and freed, ` +
            'so no gradient could reach what it was computed from; compute it again (run the forward pass), or detach() it to use it as a constant',
        );
      }
      if (needsGrad(input) && !seen.has(input)) stack.push({ t: input, expanded: false });
    }
  }
  return order.reverse();
}

/** Gradients on their way back: summed as they come, a slice's blocks kept aside until the tensor's turn (autograd/blocks.ts). */
interface Pending {
  readonly grads: Map<Tensor, Tensor>;
  readonly blocks: Map<Tensor, BlockGradient[]>;
}

function accumulate(pending: Pending, t: Tensor, g: Tensor | BlockGradient): void {
  if (g instanceof BlockGradient) {
    const list = pending.blocks.get(t);
    if (list) list.push(g);
    else pending.blocks.set(t, [g]);
    return;
  }
  const grads = pending.grads;
  const prev = grads.get(t);
  if (!prev) {
    grads.set(t, g);
    return;
  }
  grads.set(t, add(prev, g));
  prev.dispose();
  g.dispose();
}

/** Tensors whose recorded op a backward pass has walked (and freed): a second pass through them finds no graph. */
const walked = new WeakSet<Tensor>();

/**
 * Frees the graph behind `root` without back-propagating it. A forward pass
 * abandoned before its backward (fit's loss refusing the output's shape)
 * gives back what its ops saved now, rather than whenever the garbage
 * collector finds the graph: on a GPU, memory the collector does not see.
 */
export function dropGraph(root: Tensor): void {
  for (const t of topologicalOrder(root)) releaseNode(t);
}

export interface BackwardOptions {
  /**
   * Keep the graph after the walk, so it can be back-propagated again
   * (PyTorch's retain_graph). Its saved tensors then live until the output
   * is disposed (or garbage), or until the graph is walked without this.
   * Default false.
   */
  retainGraph?: boolean;
  /**
   * Record the backward pass itself, so the gradients it makes have a graph
   * and can be differentiated again: second derivatives, Hessian–vector
   * products, gradient penalties (PyTorch's create_graph). Implies
   * retainGraph. Default false.
   */
  createGraph?: boolean;
}

const BACKWARD_OPTIONS = { retainGraph: true, createGraph: true } as const;

/** How a walk treats the graph it walks: freed behind it, kept, or kept and differentiated (BackwardOptions). */
interface WalkMode {
  readonly retain: boolean;
  readonly create: boolean;
}

function walkMode(op: string, options: BackwardOptions): WalkMode {
  const { retainGraph = false, createGraph = false } = options;
  if (typeof retainGraph !== 'boolean') throw new ValueError(`${op}: retainGraph must be true or false, got ${formatValue(retainGraph)}`);
  if (typeof createGraph !== 'boolean') throw new ValueError(`${op}: createGraph must be true or false, got ${formatValue(createGraph)}`);
  return { retain: retainGraph || createGraph, create: createGraph };
}

export function backward(root: Tensor, gradient?: Tensor, options: BackwardOptions = {}): void {
  const mode = walkMode('backward', checkOptions('backward', options, BACKWARD_OPTIONS));
  checkRoot('backward', root, gradient);
  propagate(root, gradient, null, undefined, mode);
}

/**
 * The gradients of `output` with respect to each of `inputs` (leaves with
 * requiresGrad, or tensors computed from them), PyTorch's
 * torch.autograd.grad: returned, not added to any `.grad` (a weight's
 * included). Only the part of the graph between them is walked, and freed
 * as backward() frees it. An input the output does not depend on gets zeros.
 */
export function grad(output: Tensor, inputs: readonly Tensor[], options: GradOptions = {}): Tensor[] {
  const { gradient, ...walkOptions } = checkOptions('grad', options, { gradient: true, ...BACKWARD_OPTIONS });
  const mode = walkMode('grad', walkOptions);
  if (!Array.isArray(inputs)) throw new ValueError(`grad: inputs must be a list of tensors, got ${formatValue(inputs)}`);
  inputs.forEach((x, i) => {
    checkTensor('grad', x, `input ${i}`);
    if (!needsGrad(x)) throw new ValueError(`grad: input ${i} ${formatShape(x.shape)} ${x.dtype} neither has requiresGrad nor was computed from a tensor that has: no gradient can reach it`);
  });
  checkRoot('grad', output, gradient);
  const found = new Map<Tensor, Tensor>();
  propagate(output, gradient, found, new Set(inputs), mode);
  return inputs.map((x, i) => {
    const g = found.get(x);
    // Tracked as an op's result is (a tidy around the call frees what it does not return); an input listed twice
    // gets a view the second time.
    if (g && inputs.indexOf(x) === i) return (track(g), g);
    return g ? g.reshape(g.shape) : onBackendOf('grad', x, () => zerosLike(x));
  });
}

export interface GradOptions extends BackwardOptions {
  /** The gradient of a non-scalar output, of its shape (the vector of a vector–Jacobian product). Default: 1 for a scalar output. */
  gradient?: Tensor;
}

function checkRoot(op: string, root: Tensor, gradient: Tensor | undefined): void {
  checkTensor(op, root, 'output');
  if (!needsGrad(root)) {
    if (walked.has(root)) {
      throw new ValueError(`${op}: this tensor's graph was already back-propagated, and each backward() frees the graph it walks; compute the output again (run the forward pass) to back-propagate again`);
    }
    throw new ValueError(`${op}: this tensor does not depend on any tensor with requiresGrad (or was computed under noGrad, or from intermediates whose graph an earlier backward() freed)`);
  }
  if (gradient === undefined && root.size !== 1) {
    throw new ValueError(`${op}: output ${formatShape(root.shape)} is not a scalar; pass a gradient of the same shape`);
  }
  if (gradient !== undefined && checkTensor(op, gradient, 'gradient').dataRef(op).backend !== root.dataRef(op).backend) {
    throw new BackendMismatchError(`${op}: the gradient lives on ${gradient.backend} (another backend than the output's, ${root.backend}, or one an earlier tm.init() started)`);
  }
  if (gradient !== undefined && !sameShape(gradient.shape, root.shape)) {
    throw new ValueError(`${op}: gradient ${formatShape(gradient.shape)} does not match output ${formatShape(root.shape)}`);
  }
}

/** The walk, with the bookkeeping that frees what an error leaves on the way. */
function propagate(root: Tensor, gradient: Tensor | undefined, found: Map<Tensor, Tensor> | null, targets: Set<Tensor> | undefined, mode: WalkMode): void {
  // Gradients on the way are out of tidy's reach (backward may run inside
  // one); each leaves `grads` as it is freed or handed over, and what an
  // error leaves there is freed here.
  const pending: Pending = { grads: new Map(), blocks: new Map() };
  try {
    const run = () => walk(root, gradient, pending, found && targets ? { found, targets } : null, mode);
    if (mode.create) withGrad(run);
    else noGrad(run);
  } catch (err) {
    if (found) for (const g of found.values()) g.dispose();
    throw err;
  } finally {
    for (const g of pending.grads.values()) g.dispose();
    for (const list of pending.blocks.values()) for (const b of list) b.dy.dispose();
  }
}

/** t's whole gradient, its blocks assembled and added to the rest; undefined when none reached it. Takes it out of `pending`. */
function gradientOf(pending: Pending, t: Tensor): Tensor | undefined {
  const blocks = pending.blocks.get(t);
  if (blocks) {
    // Assembled in a tidy: what a failure (a lost device) leaves half made is freed, and the blocks stay in
    // `pending` until it succeeds, for backward to free (disposing a tensor twice is nothing).
    const whole = untrack(tidy(() => assembleBlocks(t.shape, blocks)));
    pending.blocks.delete(t);
    accumulate(pending, t, whole);
  }
  const g = pending.grads.get(t);
  pending.grads.delete(t);
  return g;
}

/** Where grad() takes the gradients of its inputs instead of adding them to leaves' `.grad`. */
interface Sink {
  readonly targets: Set<Tensor>;
  readonly found: Map<Tensor, Tensor>;
}

/** The tensors of `order` (each before its inputs) from which a target can be reached, targets included. */
function reaching(order: readonly Tensor[], targets: Set<Tensor>): Set<Tensor> {
  const reach = new Set<Tensor>();
  for (let i = order.length - 1; i >= 0; i--) {
    const t = order[i];
    if (targets.has(t) || t.gradFn?.inputs.some((input) => reach.has(input))) reach.add(t);
  }
  return reach;
}

function walk(root: Tensor, gradient: Tensor | undefined, pending: Pending, sink: Sink | null, mode: WalkMode): void {
  pending.grads.set(root, untrack(gradient ? gradient.reshape(gradient.shape) : onesLike(root)));
  const order = topologicalOrder(root);
  const reach = sink ? reaching(order, sink.targets) : null;
  holdingGraphs(order, () => walkOrder(order, reach, pending, sink, mode));
}

/** walk's loop over the graph, each tensor before those it was computed from. */
function walkOrder(order: readonly Tensor[], reach: Set<Tensor> | null, pending: Pending, sink: Sink | null, mode: WalkMode): void {
  for (const t of order) {
    if (reach && !reach.has(t)) continue;
    let dy = gradientOf(pending, t);
    const node = t.gradFn;
    if (!dy) continue;
    if (t.gradHooks.length) dy = hooked(t, dy);
    if (sink?.targets.has(t)) {
      // Taken in t's dtype, as a leaf's .grad is; where the walk goes on past t, it passes a view of it on.
      const taken = dy.dtype === t.dtype ? dy : untrack(cast(dy, t.dtype));
      sink.found.set(t, taken);
      if (!node) {
        if (taken !== dy) dy.dispose();
        continue;
      }
      if (taken === dy) dy = untrack(dy.reshape(dy.shape));
    }
    if (!node) {
      // grad() adds to no `.grad`.
      if (sink) {
        dy.dispose();
        continue;
      }
      // A leaf: a tensor with requiresGrad that no recorded op made.
      if (t.isDisposed) {
        // Freed since the forward pass (a layer disposed after use): nothing can read or step a gradient there, and it would leak.
        dy.dispose();
        continue;
      }
      const g = dy.dtype === t.dtype ? dy : cast(dy, t.dtype);
      if (g !== dy) dy.dispose();
      if (t.grad) {
        const sum = keep(add(t.grad, g));
        t.grad.dispose();
        g.dispose();
        t.grad = sum;
      } else {
        t.grad = keep(g);
      }
      continue;
    }
    const needs = node.inputs.map((input) => needsGrad(input) && (!reach || reach.has(input)));
    let inputGrads: (Tensor | BlockGradient | null)[];
    try {
      const backwardOf = node;
      const step = dy;
      inputGrads = tidy(() => {
        if (!mode.create) return backwardOf.backward(step, backwardOf.saved, needs);
        const grads = backwardOf.backward(step, linkedSaved(backwardOf), needs);
        return backwardOf.firstOrder ? grads.map((g) => g && endOfGraph(backwardOf, g)) : grads;
      });
    } finally {
      dy.dispose();
    }
    node.inputs.forEach((input, i) => {
      const g = inputGrads[i];
      const tensor = g instanceof BlockGradient ? g.dy : g;
      if (g && needs[i]) accumulate(pending, input, g instanceof BlockGradient ? new BlockGradient(untrack(tensor!), g.start) : untrack(g));
      else tensor?.dispose();
    });
    if (mode.retain) continue;
    // Free the graph behind us: its saved tensors are no longer needed.
    releaseNode(t);
    walked.add(t);
  }
}

/** dy after t's gradient hooks (Tensor.registerHook), each given what the one before it left; dy itself freed if replaced. */
function hooked(t: Tensor, dy: Tensor): Tensor {
  for (const hook of t.gradHooks) {
    const given = dy;
    // A view of what the hook returns, so the walk owns it whether the hook made it or returned a tensor it keeps.
    const replaced = tidy(() => {
      let out: unknown;
      try {
        out = hook(given);
      } catch (err) {
        given.dispose();
        throw err;
      }
      if (out === undefined || out === given) return null;
      if (!(out instanceof Tensor)) throw new ValueError(`backward: a gradient hook must return a tensor or nothing, got ${formatValue(out)}`);
      if (!sameShape(out.shape, given.shape)) throw new ShapeError(`backward: a gradient hook returned ${formatShape(out.shape)} for a gradient ${formatShape(given.shape)}`);
      return out.dtype === given.dtype ? out.reshape(out.shape) : cast(out, given.dtype);
    });
    if (replaced === null) continue;
    dy = untrack(replaced);
    given.dispose();
  }
  return dy;
}

/**
 * The tensors node saved, each linked to the graph of the tensor it was
 * saved from, for a backward pass that records (createGraph): the values
 * are the saved ones (those the forward pass used, whatever became of the
 * tensor since), and the gradient reaching them goes on to that tensor.
 */
function linkedSaved(node: GradNode): Tensor[] {
  return node.saved.map((saved, i) => {
    const source = node.sources[i];
    if (!needsGrad(source)) return saved;
    // Tracked: the tidy around the backward call frees it; ops that read it saved their own views. Its
    // backward gives a view of dy, which the walk frees once a backward has run.
    return record(new Tensor(saved.dataRef(node.op), saved.shape, saved.dtype), node.op, [source], [], (dy) => [dy.reshape(dy.shape)]);
  });
}

/**
 * g, a gradient that a kernel made (a firstOrder node's), with a graph that
 * carries on through the gradient it was made from (its dependence on dy is
 * linear, and recorded) but refuses to go on into the op's inputs: that
 * dependence is in the kernel, which has no gradient. Refused when a second
 * derivative needs it, not before: one that does not walk there is right.
 */
function endOfGraph(node: GradNode, g: Tensor | BlockGradient): Tensor | BlockGradient {
  const t = g instanceof BlockGradient ? g.dy : g;
  const inputs = node.inputs.filter(needsGrad);
  const ended = record(t.detach(), node.op, [t, ...inputs], [], (dy, _saved, needs) => {
    if (needs.slice(1).some(Boolean)) {
      throw new ValueError(`grad: the gradient of ${node.op} is computed by a kernel of its own, which has no gradient in turn: no second derivative (createGraph) goes through ${node.op}`);
    }
    return [dy.reshape(dy.shape), ...inputs.map(() => null)];
  });
  return g instanceof BlockGradient ? new BlockGradient(ended, g.start) : ended;
}
