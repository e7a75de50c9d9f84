// The autograd tape, as seen from the ops: each differentiable op declares its
// gradient next to itself and hands it to `record`, which links the output to
// its inputs when any of them needs a gradient. Walking the links backwards is
// src/autograd/'s job.
import { isFloat } from './dtype.js';
import { keep } from './engine.js';
import { Tensor } from './tensor.js';

/**
 * Gradients of an op's inputs given the gradient `dy` of its output, in
 * input order; `null` for an input that needs none (see `needs`). Tensors the
 * backward pass reads are passed back as `saved`, so the op needs no closure
 * over tensors a user might dispose.
 */
export type Backward = (dy: Tensor, saved: readonly Tensor[], needs: readonly boolean[]) => (Tensor | null)[];

export interface GradNode {
  readonly op: string;
  readonly inputs: readonly Tensor[];
  readonly backward: Backward;
  /** Views of the tensors backward reads, holding their storage alive until released. */
  saved: Tensor[];
}

let enabled = true;

/** Runs `fn` without recording gradients (inference, optimiser updates). */
export function noGrad<T>(fn: () => T): T {
  const was = enabled;
  enabled = false;
  try {
    return fn();
  } finally {
    enabled = was;
  }
}

export function isGradEnabled(): boolean {
  return enabled;
}

/** Whether a gradient will flow back into `t`. */
export function needsGrad(t: Tensor): boolean {
  return t.requiresGrad || t.gradFn !== null;
}

/**
 * Links `output` to `inputs` through `backward` when recording is on and some
 * input needs a gradient. `save` lists the tensors backward will read.
 */
export function record(output: Tensor, op: string, inputs: readonly Tensor[], save: readonly Tensor[], backward: Backward): Tensor {
  if (!enabled || !isFloat(output.dtype) || !inputs.some(needsGrad)) return output;
  // Views share storage, so saving costs no copy; keep() keeps them out of tidy's reach.
  const saved = save.map((t) => keep(new Tensor(t.dataRef(op), t.shape, t.dtype)));
  output.gradFn = { op, inputs: [...inputs], backward, saved };
  return output;
}
