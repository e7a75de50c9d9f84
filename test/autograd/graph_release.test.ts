// When a graph's memory comes back. What recorded ops save for backward is
// freed by the backward pass that walks them, and otherwise as soon as no
// tensor that could start or continue a walk is left: disposing the last
// tensor that leads to a part of the graph frees that part at once, without
// waiting for the garbage collector (which never sees GPU memory). Tensors
// still held keep their graphs, and backward from them gives what it gave.
// Every test here runs synchronously: no finalizer can run in between, so
// what comes back is what dispose freed.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';

const live = () => tm.memory().numTensors;

function parameter(shape: number[], seed: number): tm.Tensor {
  const w = tm.randn(shape, { seed });
  w.requiresGrad = true;
  return w;
}

/** x·W1 → tanh → ·W2 → sigmoid: every op saves something for its backward. */
const forward = (x: tm.Tensor, w1: tm.Tensor, w2: tm.Tensor) => x.matmul(w1).tanh().matmul(w2).sigmoid();

async function values(t: tm.Tensor): Promise<number[]> {
  return Array.from(await t.data());
}

describe('a graph is freed once nothing can walk it', () => {
  beforeAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it('an inference forward in a tidy, outside noGrad: disposing its output gives back what every op saved, run after run', () => {
    const [x, w1, w2] = [tm.randn([5, 7], { seed: 1 }), parameter([7, 9], 2), parameter([9, 3], 3)];
    const before = live();
    for (let run = 0; run < 50; run++) {
      const y = tm.tidy(() => forward(x, w1, w2));
      expect(y.gradFn).not.toBeNull();
      expect(live()).toBeGreaterThan(before + 1); // the saved tensors, besides y
      y.dispose();
      expect(live(), `after run ${run}`).toBe(before);
    }
  });

  it('disposing outputs in any order frees a shared graph only when the last goes', () => {
    const [x, w1, w2] = [tm.randn([4, 7], { seed: 4 }), parameter([7, 9], 5), parameter([9, 3], 6)];
    const before = live();
    const [a, b] = tm.tidy(() => {
      const h = x.matmul(w1).tanh();
      return [h.matmul(w2).sigmoid(), h.square()];
    });
    const withBoth = live();
    a.dispose();
    expect(live()).toBeLessThan(withBoth - 1); // a's own ops' saved tensors are back
    expect(b.gradFn).not.toBeNull();
    b.dispose();
    expect(live()).toBe(before);
  });

  it('a tensor still held keeps its graph: backward from it after the others are disposed gives the gradients it gave before', async () => {
    const [x, w1, w2] = [tm.randn([4, 7], { seed: 7 }), parameter([7, 9], 8), parameter([9, 3], 9)];
    const want = tm.grad(tm.tidy(() => forward(x, w1, w2).sum()), [w1, w2]);
    const before = live();
    const [y, h] = tm.tidy(() => {
      const hidden = x.matmul(w1).tanh();
      return [hidden.matmul(w2).sigmoid().sum(), hidden];
    });
    h.dispose(); // y still leads to it
    const got = tm.grad(y, [w1, w2]);
    for (let i = 0; i < 2; i++) expect(await values(got[i])).toEqual(await values(want[i]));
    y.dispose();
    got.forEach((g) => g.dispose());
    expect(live()).toBe(before);
  });

  it('an intermediate still held keeps its graph when the output computed from it is disposed', async () => {
    const [x, w1, w2] = [tm.randn([4, 7], { seed: 10 }), parameter([7, 9], 11), parameter([9, 3], 12)];
    const want = tm.grad(tm.tidy(() => x.matmul(w1).tanh().sum()), [w1])[0];
    const [y, h] = tm.tidy(() => {
      const hidden = x.matmul(w1).tanh();
      return [hidden.matmul(w2).sigmoid(), hidden];
    });
    y.dispose();
    const [got] = tm.grad(h.sum(), [w1]);
    expect(await values(got)).toEqual(await values(want));
  });

  it('a graph kept by retainGraph is freed when its output is disposed', () => {
    const [x, w1, w2] = [tm.randn([4, 7], { seed: 13 }), parameter([7, 9], 14), parameter([9, 3], 15)];
    const before = live();
    const loss = tm.tidy(() => forward(x, w1, w2).mean());
    loss.backward({ retainGraph: true });
    loss.backward({ retainGraph: true });
    expect(live()).toBeGreaterThan(before + 3); // the graph, and w1.grad and w2.grad
    loss.dispose();
    expect(live()).toBe(before + 2);
    [w1, w2].forEach((w) => w.grad!.dispose());
  });

  it('a gradient recorded with createGraph keeps the graph it needs after the loss is disposed, and frees it when it goes', async () => {
    const w = parameter([6], 16);
    const before = live();
    // d/dw Σ w³ = 3w², whose own gradient (of its sum) is 6w.
    const loss = tm.tidy(() => w.pow(3).sum());
    const [g] = tm.grad(loss, [w], { createGraph: true });
    loss.dispose();
    // retainGraph: the walk leaves g's graph as it found it; the sum it starts from goes with the tidy.
    const [second] = tm.tidy(() => tm.grad(g.sum(), [w], { retainGraph: true }));
    const wv = await values(w);
    (await values(second)).forEach((v, i) => expect(v).toBeCloseTo(6 * wv[i], 4));
    second.dispose();
    g.dispose();
    expect(live()).toBe(before);
  });

  it('grad() walking part of a graph frees the part it did not need: once the op that made the output is walked, nothing leads there', () => {
    const [x, w1, w2] = [tm.randn([4, 7], { seed: 17 }), parameter([7, 9], 18), parameter([7, 3], 19)];
    const before = live();
    const y = tm.tidy(() => x.matmul(w1).tanh().sum().add(x.matmul(w2).sigmoid().sum()));
    // Only w2's side is walked; w1's, left behind, is freed as the walk ends.
    const [g] = tm.tidy(() => tm.grad(y, [w2]));
    expect(live()).toBe(before + 2);
    y.dispose();
    g.dispose();
    expect(live()).toBe(before);
  });

  it('a gradient hook that disposes the tensor it is called for does not cut the walk short', async () => {
    const w = parameter([3, 3], 20);
    const x = tm.randn([2, 3], { seed: 21 });
    const want = tm.grad(tm.tidy(() => x.matmul(w).tanh().square().sum()), [w])[0];
    const h = x.matmul(w);
    const y = tm.tidy(() => h.tanh().square().sum());
    // By then the ops that read h have been walked and freed: only the walk itself still holds h's graph.
    h.registerHook(() => h.dispose());
    y.backward();
    expect(h.isDisposed).toBe(true);
    expect(await values(w.grad!)).toEqual(await values(want));
  });

  it('a checkpointed forward is freed with its output', () => {
    const [x, w1, w2] = [tm.randn([4, 7], { seed: 22 }), parameter([7, 9], 23), parameter([9, 3], 24)];
    const before = live();
    const y = tm.tidy(() => tm.autograd.checkpoint((input: tm.Tensor) => forward(input, w1, w2), x).sum());
    y.dispose();
    expect(live()).toBe(before);
  });
});
