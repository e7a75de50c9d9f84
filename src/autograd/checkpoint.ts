// Gradient checkpointing (Chen et al. 2016; torch.utils.checkpoint): a block
// of the forward pass run without keeping what its ops save for the backward
// pass, and run again when the backward walk reaches it. Training then holds
// the activations at the blocks' edges rather than inside them: memory for
// one more forward pass of compute.
//
// The recorded node's inputs are every tensor needing a gradient that the
// block's ops read (its arguments, and the weights it reads through a
// closure), collected as the first pass runs. When the walk reaches the node,
// those tensors stand as leaves (their own graph and gradient set aside) for
// a backward pass over the recomputed block, and what reaches each is its
// gradient, handed back to the outer walk, which goes on from there.
import { ValueError } from '../errors.js';
import { recordingSeeds, replayingSeeds } from '../random.js';
import { collectingReads, isGradEnabled, noGrad, record, recomputing, withGrad } from '../tape.js';
import { Tensor } from '../tensor.js';
import { checkTensor } from '../ops/util.js';
import { backward } from './backward.js';

/**
 * fn(...inputs), with the intermediates of its ops freed as it returns and
 * recomputed when backward() reaches its output: the same value and the
 * same gradients, to the inputs and to the tensors fn reads through a
 * closure (a block's weights), for less memory. Its random draws (dropout
 * masks) are replayed in the recomputation, and BatchNorm's running
 * estimates move once. The tensors fn reads must stay alive (undisposed)
 * until backward; fn must compute the same thing when run again. Without
 * gradient recording (noGrad) it is fn(...inputs).
 */
export function checkpoint<Inputs extends Tensor[]>(fn: (...inputs: Inputs) => Tensor, ...inputs: Inputs): Tensor {
  if (typeof fn !== 'function') throw new ValueError(`checkpoint: expects a function of tensors, got ${typeof fn}`);
  inputs.forEach((x, i) => checkTensor('checkpoint', x, `input ${i}`));
  if (!isGradEnabled()) return fn(...inputs);
  const { result: first, seeds } = recordingSeeds(() => collectingReads(() => noGrad(() => fn(...inputs))));
  const { result: y, reads } = first;
  if (!(y instanceof Tensor)) throw new ValueError(`checkpoint: the function must return a tensor, got ${y === null ? 'null' : typeof y}`);
  const boundary = [...reads];
  if (!boundary.length) return y;
  // A tensor fn returned unchanged (an input) is not fn's to recompute: its own graph carries it.
  if (boundary.includes(y)) return y;
  return record(y, 'checkpoint', boundary, [], (dy) => gradientsThrough(fn, inputs, boundary, seeds, dy));
}

/** The gradients of the boundary tensors, from a backward pass over fn run again. */
function gradientsThrough<Inputs extends Tensor[]>(fn: (...inputs: Inputs) => Tensor, inputs: Inputs, boundary: Tensor[], seeds: number[], dy: Tensor): (Tensor | null)[] {
  boundary.forEach((t) => {
    if (t.isDisposed) throw new ValueError(`checkpoint: a tensor ${JSON.stringify(t.shape)} ${t.dtype} the function read was disposed before backward() reached it; the recomputation needs it`);
  });
  inputs.forEach((x, i) => {
    if (x.isDisposed) throw new ValueError(`checkpoint: input ${i} was disposed before backward() reached it; the recomputation needs it`);
  });
  const kept = boundary.map((t) => ({ gradFn: t.gradFn, requiresGrad: t.requiresGrad, grad: t.grad }));
  try {
    for (const t of boundary) {
      t.gradFn = null;
      t.grad = null;
      t.requiresGrad = true;
    }
    const again = replayingSeeds(seeds, () => recomputing(() => withGrad(() => fn(...inputs))));
    if (!(again instanceof Tensor) || again.shape.length !== dy.shape.length || again.shape.some((d, i) => d !== dy.shape[i])) {
      throw new ValueError('checkpoint: the recomputed forward pass gave another result than the first; the function must compute the same thing when run again');
    }
    // Within a backward pass that records (createGraph) this one records too: the gradients it gives end at the
    // boundary tensors, whose own graphs are theirs again by the time a second derivative walks there.
    backward(again, dy, { createGraph: isGradEnabled() });
    return boundary.map((t) => t.grad);
  } catch (err) {
    // What a failed walk (a lost device, an error in a backward) already gave the stand-ins is nobody's.
    boundary.forEach((t, i) => {
      if (t.grad && t.grad !== kept[i].grad) t.grad.dispose();
    });
    throw err;
  } finally {
    boundary.forEach((t, i) => {
      t.gradFn = kept[i].gradFn;
      t.requiresGrad = kept[i].requiresGrad;
      t.grad = kept[i].grad;
    });
  }
}
