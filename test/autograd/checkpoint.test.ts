// tm.checkpoint: a block run without keeping its intermediates and run again
// when backward() reaches it gives the gradients the plain block gives (to
// its inputs, the weights it reads through a closure, and what its inputs
// were computed from), holds less memory between the passes, replays its
// dropout masks, moves BatchNorm's estimates once, nests, and refuses what
// it cannot recompute.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { collected } from '../helpers/gc.js';
import { expectClose } from '../helpers/data.js';

/** A residual MLP block, its weights seeded. */
function block(width: number, seed: number, extra: tm.nn.Module[] = []): tm.nn.Sequential {
  return new tm.nn.Sequential([new tm.nn.Dense(width, 4 * width, { seed }), new tm.nn.GELU(), ...extra, new tm.nn.Dense(4 * width, width, { seed: seed + 1 })]);
}

/** The gradients of a loss over `blocks` applied in turn to x (checkpointed or not), as arrays: x's, then every parameter's. */
async function gradients(blocks: tm.nn.Module[], x: tm.Tensor, checkpointed: boolean): Promise<Float32Array[]> {
  const input = x.detach();
  input.requiresGrad = true;
  let h = input;
  for (const b of blocks) h = checkpointed ? tm.checkpoint((v) => v.add(b.forward(v)), h) : h.add(b.forward(h));
  h.square().mean().backward();
  const params = blocks.flatMap((b) => b.parameters());
  const out = [await input.grad!.data(), ...(await Promise.all(params.map((p) => p.grad!.data())))] as Float32Array[];
  for (const p of params) p.grad = (p.grad!.dispose(), null);
  input.grad!.dispose();
  return out;
}

describe.each(BACKENDS)('checkpoint on %s', (backend) => {
  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  afterAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it('gives the plain blocks\' gradients, to the input and to every weight read through a closure', async () => {
    const blocks = [block(13, 1), block(13, 3), block(13, 5)];
    const x = tm.randn([7, 13], { seed: 9 });
    const plain = await gradients(blocks, x, false);
    const checkpointed = await gradients(blocks, x, true);
    expect(checkpointed.length).toBe(1 + 3 * 4);
    checkpointed.forEach((g, i) => expectClose(g, plain[i], 1e-6, `gradient ${i}`));
  });

  it('holds only the blocks\' outputs between the passes, not what their ops saved', async () => {
    const blocks = [block(64, 1), block(64, 3), block(64, 5), block(64, 7)];
    const x = tm.randn([32, 64], { seed: 2 });
    x.requiresGrad = true;
    const heldAfterForward = async (checkpointed: boolean) => {
      await collected();
      const before = tm.memory().numBytes;
      let h = x;
      for (const b of blocks) h = checkpointed ? tm.checkpoint((v) => v.add(b.forward(v)), h) : tm.tidy(() => h.add(b.forward(h)));
      const loss = h.square().mean();
      const held = tm.memory().numBytes - before;
      loss.backward();
      return held;
    };
    const plain = await heldAfterForward(false);
    const checkpointed = await heldAfterForward(true);
    // Each plain block keeps its 32×256 hidden activations (and GELU's input) alive for backward; a checkpointed one its 32×64 output.
    expect(checkpointed).toBeLessThan(plain / 3);
    for (const p of [x, ...blocks.flatMap((b) => b.parameters())]) p.grad = (p.grad?.dispose(), null);
  });

  it('replays its dropout masks, seeded and unseeded, so the gradients are the first pass\'s', async () => {
    const x = tm.randn([9, 8], { seed: 4 });
    // Seeded layers: each draws mask after mask, so a recomputation that drew again would drop other units.
    const seeded = await gradients([block(8, 1, [new tm.nn.Dropout(0.5, 77)])], x, false);
    const seededAgain = await gradients([block(8, 1, [new tm.nn.Dropout(0.5, 77)])], x, true);
    seededAgain.forEach((g, i) => expectClose(g, seeded[i], 1e-6, `seeded dropout, gradient ${i}`));
    tm.setSeed(5);
    const unseeded = await gradients([block(8, 1, [new tm.nn.Dropout(0.5)])], x, false);
    tm.setSeed(5);
    const unseededAgain = await gradients([block(8, 1, [new tm.nn.Dropout(0.5)])], x, true);
    unseededAgain.forEach((g, i) => expectClose(g, unseeded[i], 1e-6, `unseeded dropout, gradient ${i}`));
    // The masks did drop units: a block without dropout differs.
    const none = await gradients([block(8, 1)], x, false);
    expect(Array.from(none[0]).some((g, i) => Math.abs(g - seeded[0][i]) > 1e-3)).toBe(true);
  });

  it('moves BatchNorm\'s running estimates once, as the plain forward pass does', async () => {
    const run = async (checkpointed: boolean) => {
      const norm = new tm.nn.BatchNorm1d(6);
      const w = tm.randn([6, 6], { seed: 8 });
      w.requiresGrad = true;
      const x = tm.randn([10, 6], { seed: 3 });
      const f = (v: tm.Tensor) => norm.forward(v.matmul(w)).relu();
      (checkpointed ? tm.checkpoint(f, x) : f(x)).sum().backward();
      return [await norm.runningMean!.data(), await norm.runningVar!.data(), await w.grad!.data()];
    };
    const plain = await run(false);
    const checkpointed = await run(true);
    checkpointed.forEach((v, i) => expectClose(v, plain[i], 1e-6, ['running mean', 'running variance', 'weight gradient'][i]));
  });

  it('passes gradients on to what its input was computed from, nests, and leaves no tensor behind', async () => {
    const a = tm.randn([5, 4], { seed: 1 });
    a.requiresGrad = true;
    const w = tm.randn([4, 4], { seed: 2 });
    w.requiresGrad = true;
    const f = (v: tm.Tensor) => v.matmul(w).tanh();
    const outer = (v: tm.Tensor) => tm.checkpoint(f, tm.checkpoint(f, v)).mul(2);
    const loss = (nested: boolean) => (nested ? tm.checkpoint(outer, a.mul(3)) : f(f(a.mul(3))).mul(2)).sum();
    // In tidy: the forward passes' tensors are freed at once, not left to the collector the count below waits on.
    tm.tidy(() => loss(false).backward());
    const [ga, gw] = [await a.grad!.data(), await w.grad!.data()];
    for (const t of [a, w]) t.grad = (t.grad!.dispose(), null);
    const before = await collected();
    tm.tidy(() => loss(true).backward());
    expectClose(await a.grad!.data(), ga, 1e-6, 'a, through a.mul(3) before the checkpoint');
    expectClose(await w.grad!.data(), gw, 1e-6, 'w, read by both nested checkpoints');
    for (const t of [a, w]) t.grad = (t.grad!.dispose(), null);
    expect(await collected()).toBe(before);
  });

  it('is the plain function under noGrad, or when nothing it reads needs a gradient; and returns an input as it is', async () => {
    const x = tm.randn([3, 3], { seed: 1 });
    const y = tm.noGrad(() => tm.checkpoint((v) => v.exp(), x));
    expect(y.gradFn).toBeNull();
    expect(tm.checkpoint((v) => v.exp(), x).gradFn).toBeNull();
    const p = tm.randn([3], { seed: 2 });
    p.requiresGrad = true;
    expect(tm.checkpoint((v) => v, p)).toBe(p);
  });

  it('refuses what it cannot recompute, naming it', async () => {
    const w = tm.randn([3, 3], { seed: 1 });
    w.requiresGrad = true;
    const x = tm.randn([2, 3], { seed: 2 });
    expect(() => tm.checkpoint(5 as unknown as () => tm.Tensor)).toThrow('checkpoint: expects a function of tensors, got number');
    expect(() => tm.checkpoint(() => [w] as unknown as tm.Tensor)).toThrow('checkpoint: the function must return a tensor, got object');
    const y = tm.checkpoint((v) => v.matmul(w), x);
    x.dispose();
    expect(() => y.sum().backward()).toThrow('checkpoint: input 0 was disposed before backward() reached it; the recomputation needs it');
    expect(w.grad).toBeNull();
    expect(w.gradFn).toBeNull();
    expect(w.requiresGrad).toBe(true);
    // A function that draws a different number of masks on its second run.
    let runs = 0;
    const drop = new tm.nn.Dropout(0.5);
    const z = tm.checkpoint((v) => (runs++ === 0 ? v.matmul(w) : drop.forward(drop.forward(v.matmul(w)))), tm.ones([2, 3]));
    expect(() => z.sum().backward()).toThrow('checkpoint: the recomputed forward pass drew more random numbers than the first (0 draws); the function must do the same on both');
  });
});
