// NumPy's broadcasting made explicit (np.broadcast_shapes, np.broadcast_arrays;
// torch.broadcast_shapes, broadcast_tensors): the shape several operands
// broadcast to, and each operand expanded to it.
import { tidy } from '../engine.js';
import { ValueError, formatValue } from '../errors.js';
import { broadcastShapes as broadcastPair, sameShape } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { broadcastTo, clone } from './movement.js';
import { checkTensor } from './util.js';

/** The shape that every one of `shapes` broadcasts to (np.broadcast_shapes); an error naming the first pair that clashes. */
export function broadcastShapes(...shapes: (readonly number[])[]): number[] {
  shapes.forEach((s, i) => {
    if (!Array.isArray(s) || s.some((d) => !Number.isSafeInteger(d) || d < 0)) throw new ValueError(`broadcastShapes: shapes[${i}] must be an array of sizes ≥ 0, got ${formatValue(s)}`);
  });
  return shapes.reduce<number[]>((out, s) => broadcastPair('broadcastShapes', out, s), []);
}

/**
 * Each tensor broadcast to the shape they all broadcast to
 * (torch.broadcast_tensors, np.broadcast_arrays), as new tensors (one
 * already of that shape is copied, so each result is the caller's own).
 * Differentiable: a broadcast's gradient sums back over the axes it added.
 */
export function broadcastTensors(...tensors: Tensor[]): Tensor[] {
  tensors.forEach((t, i) => checkTensor('broadcastTensors', t, `tensors[${i}]`));
  const shape = tensors.reduce<number[]>((out, t) => broadcastPair('broadcastTensors', out, t.shape), []);
  return tidy(() => tensors.map((t) => (sameShape(t.shape, shape) ? clone(t) : broadcastTo(t, shape))));
}
