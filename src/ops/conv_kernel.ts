// conv2d on a backend that has a conv2d kernel (backends/convolution.ts):
// the forward in one kernel, reading the windows where they lie (webgpu) or
// a few rows of them at a time (native), where ops/conv.ts would gather
// every window of the batch at once, and the gradients in the kernel's
// other two kinds (the input's gradient is also convTranspose2d's forward).
// The three differentiate into each other — y = conv(x, w), dx =
// inputGrad(dy, w) and dw = weightGrad(x, dy) are each linear in both
// operands — so one function records them all.
import { backendFor } from '../engine.js';
import { convKernelsOf, convOutputShape, type ConvGeometry, type ConvKernel } from '../backends/convolution.js';
import { record } from '../tape.js';
import type { Tensor } from '../tensor.js';
import { cast } from './cast.js';
import { reshape } from './movement.js';
import { computed } from './util.js';
import type { Windows } from './windows.js';

/**
 * `kind` of the backend's conv2d kernel on a and b over `windows` (the
 * convolution's, of `channels` in `groups` by `filters`), or null where a's
 * backend has no such kernel, the two dtypes differ or the kernel does not
 * take the geometry (a tensor past webgpu's binding limit): the caller then
 * composes it from gathers and products.
 */
export function inConvKernel(
  op: string, kind: ConvKernel, a: Tensor, b: Tensor, windows: Windows, { batch, channels, filters, groups }: { batch: number; channels: number; filters: number; groups: number },
): Tensor | null {
  const kernels = convKernelsOf(backendFor(op, [a.dataRef(op), b.dataRef(op)]));
  const { height, width, kernel, stride, dilation, sides, out } = windows;
  const g: ConvGeometry = { batch, channels, height, width, filters, groups, kernel, stride, dilation, padding: [sides[0][0], sides[1][0]], out };
  if (!kernels.conv2d || a.dtype !== b.dtype || kernels.takes?.(g, a.dtype) === false) return null;
  return convKernel(op, kind, a, b, g);
}

/** One kind of the kernel on a and b (backends/convolution.ts names which is which), its gradient recorded. */
function convKernel(op: string, kind: ConvKernel, a: Tensor, b: Tensor, g: ConvGeometry): Tensor {
  const backend = backendFor(op, [a.dataRef(op), b.dataRef(op)]);
  const out = computed(op, backend, convOutputShape(kind, g), a.dtype, () => convKernelsOf(backend).conv2d!(kind, a.info(op), b.info(op), g));
  return record(out, op, [a, b], [a, b], (d, [a, b], needs) => {
    // The gradient comes in the dtype of what used the output (an f32 bias after an f16 conv); the kernel takes its operands' one dtype.
    const [da, db] = gradients(op, kind, a, b, d.dtype === a.dtype ? d : cast(d, a.dtype), g);
    // The kernel reads a 1-D weight [F, C, k] as [F, C, 1, k], and makes its gradient so: given back in the weight's own shape.
    const shapedAs = (grad: Tensor, operand: Tensor) => (grad.rank === operand.rank ? grad : reshape(grad, operand.shape));
    return [needs[0] ? shapedAs(da(), a) : null, needs[1] ? shapedAs(db(), b) : null];
  });
}

/** d(kind(a, b))/da and /db given the output's gradient d, each made only when asked for. */
function gradients(op: string, kind: ConvKernel, a: Tensor, b: Tensor, d: Tensor, g: ConvGeometry): [() => Tensor, () => Tensor] {
  switch (kind) {
    case 'forward': // a x, b w
      return [() => convKernel(op, 'inputGrad', d, b, g), () => convKernel(op, 'weightGrad', a, d, g)];
    case 'inputGrad': // a dy, b w: dx's gradient d is an image
      return [() => convKernel(op, 'forward', d, b, g), () => convKernel(op, 'weightGrad', d, a, g)];
    case 'weightGrad': // a x, b dy: dw's gradient d is a weight
      return [() => convKernel(op, 'inputGrad', b, d, g), () => convKernel(op, 'forward', a, d, g)];
  }
}
