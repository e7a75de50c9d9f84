// Runs a one-op ONNX model forward and back: its first fed input a tensor
// that requires a gradient, the loss Σ y·r for a given r, so a test can
// compare both y and dL/dx with float64 references.
import * as tm from '../../src/index.js';
import type { AttributeSpec } from './onnx.js';
import { fedOf, opModel, type Feed, type RunOptions } from './onnx_run.js';

/** y (the node's first output) and the gradient of Σ y·r with respect to the first fed input (a float one). */
export async function runWithGrad(op: string, inputs: readonly (Feed | null)[], attributes: Record<string, AttributeSpec>, r: ArrayLike<number>, options: RunOptions = {}): Promise<{ y: Float64Array; shape: number[]; dx: Float64Array }> {
  const model = tm.onnx.fromBytes(opModel(op, inputs, attributes, options));
  const xs = fedOf(inputs).map((f) => tm.tensor(Array.from(f.values), [...f.shape], { dtype: (f.type ?? 'float') === 'float' ? 'f32' : 'i32' }));
  xs[0].requiresGrad = true;
  try {
    const y = model.run(xs).y0;
    const loss = y.mul(tm.tensor(Array.from(r), [...y.shape])).sum();
    loss.backward();
    const out = { y: Float64Array.from(await y.data()), shape: [...y.shape], dx: Float64Array.from(await xs[0].grad!.data()) };
    y.dispose();
    loss.dispose();
    return out;
  } finally {
    for (const t of xs) t.dispose();
    model.dispose();
  }
}
