// What the tape owes the outputs of one op that save one another for their
// backward (eigh's and eig's values and vectors, tape.ts's linkSiblings):
// backward passes that free one before the other, in either order, one held
// by another op, and a second derivative, all work; and nothing is left
// behind once the outputs are disposed, after a forward pass or a retained
// backward pass.
import { expect } from 'vitest';
import * as tm from '../../src/index.js';

export interface Decomposition {
  /** values and vectors of x. */
  both(x: tm.Tensor): { values: tm.Tensor; vectors: tm.Tensor };
  /** The values alone (eigvalsh, eigvals). */
  values(x: tm.Tensor): tm.Tensor;
  /** A real tensor of the values, for a loss (the real parts of complex ones). */
  real(values: tm.Tensor): tm.Tensor;
}

/** The first test of the header, on x (requiresGrad; 4 × 4). */
export async function expectSiblingsFreedInAnyOrder(x: tm.Tensor, d: Decomposition): Promise<void> {
  const before = tm.memory().numTensors;
  for (const valuesFirst of [false, true]) {
    const { values, vectors } = d.both(x);
    // The walk frees the nodes in the order the sum's terms were recorded.
    const loss = tm.tidy(() => {
      const parts = valuesFirst ? [tm.sum(d.real(values))] : [];
      parts.push(tm.sum(tm.mul(vectors, vectors)));
      if (!valuesFirst) parts.push(tm.sum(d.real(values)));
      return tm.add(parts[0], parts[1]);
    });
    loss.backward();
    expect(Array.from(await x.grad!.data()).every(Number.isFinite), 'the gradient').toBe(true);
    for (const t of [loss, values, vectors, x.grad!]) t.dispose();
    x.grad = null;
  }
  // Backward through the vectors alone, then the values disposed while another op still holds them.
  const { values, vectors } = d.both(x);
  const held = tm.mul(values, 2);
  const loss = tm.tidy(() => tm.sum(tm.mul(vectors, vectors)));
  loss.backward();
  expect(() => values.dispose()).not.toThrow();
  for (const t of [held, loss, vectors, x.grad!]) t.dispose();
  x.grad = null;
  // A second derivative of a loss linear in the eigenvalues.
  const w = tm.tensor([0.5, -1, 2, 1]);
  const f = tm.tidy(() => tm.sum(tm.mul(d.real(d.values(x)), w)));
  const [g] = tm.grad(f, [x], { createGraph: true });
  const h = tm.tidy(() => tm.sum(tm.mul(g, g)));
  const [gg] = tm.grad(h, [x]);
  expect(Array.from(await gg.data()).every(Number.isFinite), 'the second derivative').toBe(true);
  for (const t of [w, f, g, h, gg]) t.dispose();
  expect(tm.memory().numTensors, 'left behind').toBe(before);
}

/** The second test of the header, on x (requiresGrad). */
export function expectNothingLeftBehind(x: tm.Tensor, d: Decomposition): void {
  const before = tm.memory().numTensors;
  for (const decompose of [() => [d.values(x)], () => Object.values(d.both(x))]) {
    for (const o of decompose()) o.dispose();
    expect(tm.memory().numTensors, 'after a forward pass').toBe(before);
    const outs = decompose();
    const loss = tm.tidy(() => tm.sum(d.real(outs[0])));
    loss.backward({ retainGraph: true });
    for (const t of [loss, ...outs, x.grad!]) t.dispose();
    x.grad = null;
    expect(tm.memory().numTensors, 'after a retained backward pass').toBe(before);
  }
}
