// x · q for the quantized layers (QuantizedDense, the quantized recurrent layers and cells),
// with a straight-through gradient for x: dy · dequantize(q)ᵀ, the gradient of
// x·dequantize(q), as if x had not been rounded to int8 — so float layers
// before a quantized one can still be fine-tuned, or an input's saliency
// read. None for the int8 values or scales: nothing quantized is trained.
// (PyTorch's dynamic layers pass none; a model that is all quantized has
// nothing to train either way.)
import { customGrad } from '../autograd/custom_grad.js';
import { QuantizedTensor, quantizedMatmul } from '../ops/quantize.js';
import type { Tensor } from '../tensor.js';

const linear = customGrad(function quantizedLinear(x: Tensor, values: Tensor, scales: Tensor) {
  return {
    value: quantizedMatmul(x, new QuantizedTensor(values, scales)),
    // dy · (values · diag(scales))ᵀ summed over N: scale dy's columns, then multiply by the [N, K] values.
    gradient: (dy: Tensor, [v, s]: readonly Tensor[]) => [dy.mul(s).matmul(v.cast('f32')), null, null],
    save: [values, scales],
  };
});

/** x [..., K] · q ([K, N]) → f32 [..., N], x quantized per row as tm.matmul(x, q) does; the gradient straight through to x. */
export function quantizedLinear(x: Tensor, q: QuantizedTensor): Tensor {
  return linear(x, q.values, q.scales);
}
