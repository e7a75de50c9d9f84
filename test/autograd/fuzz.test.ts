// Gradients of random programs (test/helpers/programs.ts: elementwise ops,
// broadcasts, views, transposes, slices and concatenation, reductions,
// products, shared subexpressions) through a weighted sum of their outputs, on
// every backend against the js backend. The programs' values are small
// integers, so every gradient is an exact integer too, and the backends must
// agree bit for bit: broadcast gradients summed back to their shapes, the ties
// of maximum/minimum/relu/abs, sums over axes, products' transposed gradients,
// a value read by several ops, and on webgpu the backward chains fused. Each
// op's gradient against finite differences is gradients.test.ts.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { sizeOf } from '../../src/shape.js';
import { BACKENDS } from '../helpers/backends.js';
import { collected } from '../helpers/gc.js';
import { SEED, expectExact, randomInts } from '../helpers/data.js';
import { evaluate, siblingPrograms, type Program } from '../helpers/programs.js';

/** Weights for a program's outputs, drawn once so every backend sees the same loss. */
const weightsFor = (program: Program) => program.outputs.map((k) => {
  const shape = program.shapes[k];
  return { shape, values: randomInts(sizeOf(shape), -2, 2) };
});

/** The gradient of Σₖ Σ wₖ·outputₖ with respect to each leaf, in the order evaluate() meets the leaves (zeros for none). */
async function leafGradients(program: Program, weights: ReturnType<typeof weightsFor>): Promise<Float64Array[]> {
  const leaves: tm.Tensor[] = [];
  const outputs = evaluate(program, (l) => {
    const t = tm.keep(tm.tensor(l.values, [...l.shape]));
    t.requiresGrad = true;
    leaves.push(t);
    return t;
  });
  const loss = tm.tidy(() =>
    outputs.map((y, i) => y.mul(tm.tensor(weights[i].values, [...weights[i].shape])).sum()).reduce((a, b) => a.add(b)));
  if (loss.gradFn) loss.backward();
  const grads = await Promise.all(leaves.map(async (l) => (l.grad ? Float64Array.from(await l.grad.data()) : new Float64Array(l.size))));
  for (const t of [...leaves, ...outputs, loss]) {
    t.grad?.dispose();
    t.dispose();
  }
  return grads;
}

describe('gradients of random programs', () => {
  const programs = siblingPrograms(SEED ^ 0x5bd1e995, 20, { differentiable: true });
  const weights = programs.map(weightsFor);
  const want: Float64Array[][] = [];

  beforeAll(async () => {
    await tm.init({ backend: 'js' });
    for (const [i, program] of programs.entries()) want.push(await leafGradients(program, weights[i]));
  });

  it.each(BACKENDS.filter((b) => b !== 'js'))('on %s are, bit for bit, those on js', { timeout: 120_000 }, async (backend) => {
    await tm.init({ backend });
    const before = await collected();
    for (const [i, program] of programs.entries()) {
      const got = await leafGradients(program, weights[i]);
      got.forEach((g, leaf) => expectExact(g, want[i][leaf], `${backend}, program ${i} (test seed ${SEED}), leaf ${leaf} of\n${program.text}\n`));
    }
    // What ops off the loss's path saved for a backward that never comes is freed once garbage.
    expect(await collected()).toBe(before);
  });

  // Many get none: a leaf read only by comparisons, by sign, by the side of maximum that lost, or by nothing.
  it('reach many leaves: a quarter or more get a gradient that is not all zeros', () => {
    const leaves = want.flat();
    expect(leaves.filter((g) => g.some((v) => v !== 0)).length).toBeGreaterThan(leaves.length / 4);
  });
});
