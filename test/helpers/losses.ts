// What the loss suites share: a loss's three reductions checked against
// per-sample values computed in float64, and the gradient of its mean
// against central differences.
import { expect } from 'vitest';
import * as tm from '../../src/index.js';
import { expectClose } from './data.js';
import { centralDifferences } from './float64.js';

export const sum = (v: ArrayLike<number>): number => Array.from(v).reduce((a, b) => a + b, 0);

/**
 * Checks a loss's three reductions against per-sample values `perSample`
 * computes from the inputs in float64, and the gradients of its mean with
 * respect to the float inputs listed in `differentiate`, by central differences.
 */
export async function checkLoss(
  inputs: { values: Float64Array; shape: number[]; dtype?: tm.DType }[], differentiate: number[],
  perSample: (values: Float64Array[]) => Float64Array, call: (t: tm.Tensor[], options: tm.losses.LossOptions) => tm.Tensor, tol: number,
): Promise<void> {
  const tensors = () => inputs.map(({ values, shape, dtype }) => tm.tensor(values, shape, { dtype: dtype ?? 'f32' }));
  const want = perSample(inputs.map((i) => i.values));
  expectClose(await call(tensors(), { reduction: 'none' }).data(), want, tol, 'none');
  expectClose(await call(tensors(), { reduction: 'sum' }).data(), [sum(want)], tol, 'sum', [sum(want.map(Math.abs))]);
  const leaves = tensors();
  for (const i of differentiate) leaves[i].requiresGrad = true;
  const mean = call(leaves, {});
  expect(mean.shape).toEqual([]);
  expectClose(await mean.data(), [sum(want) / want.length], tol, 'mean', [sum(want.map(Math.abs)) / want.length]);
  mean.backward();
  const loss = () => sum(perSample(inputs.map((i) => i.values))) / want.length;
  for (const i of differentiate) expectClose(await leaves[i].grad!.data(), centralDifferences(inputs[i].values, loss), tol, `gradient of input ${i}`);
}
