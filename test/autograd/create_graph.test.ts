// backward and grad with createGraph (the backward pass recorded, so its
// gradients can be differentiated again) and retainGraph (the graph kept
// for another pass), on every backend: second derivatives worked out by
// hand, gradient penalties the same as on js (whose second derivatives
// test/autograd/second_order.test.ts checks op by op against float64), and
// the ops whose backward is a kernel of the backend's (max pooling, the
// LSTM and GRU cells) taking ops instead when the pass records.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { gruCell } from '../../src/ops/gru_cell.js';
import { lstmCell } from '../../src/ops/lstm_cell.js';
import { BACKENDS } from '../helpers/backends.js';
import { expectClose, uniform } from '../helpers/data.js';

/** A small convolutional critic's gradient penalty, (‖∂D/∂x‖ − 1)², and its gradient with respect to every weight but the last bias: what WGAN-GP trains with. */
async function penaltyGradients(backend: tm.BackendName, images: Float32Array): Promise<Float32Array[]> {
  await tm.init({ backend });
  const critic = new tm.nn.Sequential([
    new tm.nn.Conv2d(2, 3, 3, { padding: 1, seed: 21 }),
    new tm.nn.Tanh(),
    new tm.nn.MaxPool2d(2),
    new tm.nn.Flatten(),
    new tm.nn.Dense(3 * 3 * 2, 4, { seed: 22, activation: 'softplus' }),
    new tm.nn.Dense(4, 1, { seed: 23 }),
  ]);
  const x = tm.tensor(images, [3, 2, 6, 4]);
  x.requiresGrad = true;
  const [dx] = tm.grad(critic.forward(x).sum(), [x], { createGraph: true });
  const norms = dx.square().sum([1, 2, 3]).add(1e-12).sqrt();
  norms.sub(1).square().mean().backward();
  const parameters = critic.parameters();
  // ∂D/∂x does not depend on the last bias: no gradient reaches it (PyTorch's None).
  expect(parameters.at(-1)!.grad).toBeNull();
  const grads = await Promise.all(parameters.slice(0, -1).map((p) => p.grad!.data() as Promise<Float32Array>));
  critic.dispose();
  return grads;
}

describe.each(BACKENDS)('createGraph and retainGraph on %s', (backend) => {
  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  afterAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it('backward({ createGraph: true }) leaves a .grad that has a gradient of its own: d²(x³ + sin x)/dx² = 6x − sin x', async () => {
    const values = [0.5, -1.25, 2, 0.1];
    const x = tm.tensor(values);
    x.requiresGrad = true;
    x.pow(3).add(x.sin()).sum().backward({ createGraph: true });
    expectClose(await x.grad!.data(), values.map((v) => 3 * v * v + Math.cos(v)), 1e-5, 'first');
    const [second] = tm.grad(x.grad!.sum(), [x]);
    expectClose(await second.data(), values.map((v) => 6 * v - Math.sin(v)), 1e-5, 'second');
  });

  it('tm.grad with createGraph gives mixed partials: ∂²(x²y³)/∂x∂y = 6xy²', async () => {
    const [x, y] = [tm.tensor([1.5, -2]), tm.tensor([0.5, 3])];
    for (const t of [x, y]) t.requiresGrad = true;
    const [dx] = tm.grad(x.square().mul(y.pow(3)).sum(), [x], { createGraph: true });
    expectClose(await dx.data(), [2 * 1.5 * 0.125, 2 * -2 * 27], 1e-5, 'd/dx');
    const [dxdy] = tm.grad(dx.sum(), [y]);
    expectClose(await dxdy.data(), [6 * 1.5 * 0.25, 6 * -2 * 9], 1e-5, 'd²/dxdy');
  });

  it('retainGraph keeps the graph for a second pass, which adds to .grad again; without it the second pass is refused', async () => {
    const w = tm.tensor([1, 2, 3]);
    w.requiresGrad = true;
    const loss = w.square().sum();
    loss.backward(undefined, { retainGraph: true });
    loss.backward();
    expectClose(await w.grad!.data(), [4, 8, 12], 0, 'twice 2w');
    expect(() => loss.backward()).toThrow(/already back-propagated/);
  });

  it('a convolutional critic\'s gradient penalty (conv, tanh, max pooling, softplus, dense) differentiates to what js gives', async () => {
    const images = Float32Array.from(uniform(3 * 2 * 6 * 4));
    const here = await penaltyGradients(backend, images);
    const reference = await penaltyGradients('js', images);
    await tm.init({ backend });
    expect(here.length).toBe(5);
    here.forEach((g, i) => expectClose(g, reference[i], 1e-4, `parameter ${i}`));
    // Not a vacuous comparison: the penalty does reach every weight.
    for (const g of reference) expect(g.some((v) => Math.abs(v) > 1e-6)).toBe(true);
  });

  it('max pooling, whose backend gradient is a kernel of its own, takes ops when the pass records: its second derivative is 0, its mixed one the pooled choice', async () => {
    const x = tm.tensor([[[[1, 5, 2, 0], [3, 4, 7, 6]]]]); // maxima 5 and 7
    x.requiresGrad = true;
    const [dx] = tm.grad(tm.maxPool2d(x, 2).square().sum(), [x], { createGraph: true });
    expectClose(await dx.data(), [0, 10, 0, 0, 0, 0, 14, 0], 0, 'd/dx of Σ max²');
    const [ddx] = tm.grad(dx.sum(), [x]);
    expectClose(await ddx.data(), [0, 2, 0, 0, 0, 0, 2, 0], 0, 'd/dx of Σ 2·max');
  });

  it('the LSTM cell kernel\'s gradient, recorded, has the Hessian–vector products of the cell written as ops', async () => {
    const [batch, hidden] = [3, 5];
    const z = tm.tensor(Float32Array.from(uniform(batch * 4 * hidden)), [batch, 4 * hidden]);
    const c = tm.tensor(Float32Array.from(uniform(batch * hidden)), [batch, hidden]);
    const rh = tm.tensor(Float32Array.from(uniform(batch * hidden)), [batch, hidden]);
    const rc = tm.tensor(Float32Array.from(uniform(batch * hidden)), [batch, hidden]);
    const vz = tm.tensor(Float32Array.from(uniform(batch * 4 * hidden)), [batch, 4 * hidden]);
    const vc = tm.tensor(Float32Array.from(uniform(batch * hidden)), [batch, hidden]);
    const byKernel = (zz: tm.Tensor, cc: tm.Tensor) => {
      const next = lstmCell(zz, cc);
      return next.h.mul(rh).sum().add(next.c.mul(rc).sum());
    };
    const byOps = (zz: tm.Tensor, cc: tm.Tensor) => {
      const [i, f, g, o] = tm.split(zz, hidden, 1);
      const next = f.sigmoid().mul(cc).add(i.sigmoid().mul(g.tanh()));
      return o.sigmoid().mul(next.tanh()).mul(rh).sum().add(next.mul(rc).sum());
    };
    const got = tm.autograd.hvp(byKernel, [z, c], [vz, vc]).hvp;
    const want = tm.autograd.hvp(byOps, [z, c], [vz, vc]).hvp;
    expectClose(await got[0].data(), await want[0].data(), 1e-5, 'Hv for z');
    expectClose(await got[1].data(), await want[1].data(), 1e-5, 'Hv for c');
  });

  it('the GRU cell kernel\'s gradient, recorded, has the Hessian–vector products of the cell written as ops', async () => {
    const [batch, hidden] = [3, 5];
    const gates = [batch, 3 * hidden];
    const [xw, hw, vx, vh] = [0, 1, 2, 3].map(() => tm.tensor(Float32Array.from(uniform(batch * 3 * hidden)), gates));
    const [h, vp, dy] = [0, 1, 2].map(() => tm.tensor(Float32Array.from(uniform(batch * hidden)), [batch, hidden]));
    const byKernel = (x: tm.Tensor, w: tm.Tensor, p: tm.Tensor) => gruCell(x, w, p).mul(dy).sum();
    const byOps = (x: tm.Tensor, w: tm.Tensor, p: tm.Tensor) => {
      const [xr, xz, xn] = tm.split(x, hidden, 1);
      const [hr, hz, hn] = tm.split(w, hidden, 1);
      const [r, z] = [xr.add(hr).sigmoid(), xz.add(hz).sigmoid()];
      const n = xn.add(r.mul(hn)).tanh();
      return z.neg().add(1).mul(n).add(z.mul(p)).mul(dy).sum();
    };
    const got = tm.autograd.hvp(byKernel, [xw, hw, h], [vx, vh, vp]).hvp;
    const want = tm.autograd.hvp(byOps, [xw, hw, h], [vx, vh, vp]).hvp;
    for (const [k, name] of ['xw', 'hw', 'h'].entries()) expectClose(await got[k].data(), await want[k].data(), 1e-5, `Hv for ${name}`);
  });

  it('a checkpointed block differentiates twice as the same block without the checkpoint', async () => {
    const w = tm.tensor(Float32Array.from(uniform(12)), [3, 4]);
    const x = tm.tensor(Float32Array.from(uniform(8)), [2, 4]);
    const block = (t: tm.Tensor) => t.matmul(w, { transposeB: true }).tanh().square();
    const penalty = (useCheckpoint: boolean) => {
      const leaf = x.detach();
      leaf.requiresGrad = true;
      const y = useCheckpoint ? tm.checkpoint(block, leaf) : block(leaf);
      const [dx] = tm.grad(y.sum(), [leaf], { createGraph: true });
      return tm.grad(dx.square().sum(), [leaf])[0];
    };
    expectClose(await penalty(true).data(), await penalty(false).data(), 1e-5);
  });

  it("refuses a second derivative through CTC's kernel, naming it, while its first derivative with createGraph still comes", async () => {
    const [frames, batch, classes] = [6, 2, 4];
    const logits = tm.tensor(Float32Array.from(uniform(frames * batch * classes)), [frames, batch, classes]);
    logits.requiresGrad = true;
    const targets = tm.tensor(new Int32Array([1, 2, 3, 1]), [2, 2]);
    const loss = tm.losses.ctc(logits.logSoftmax(), targets, [6, 6], [2, 2]);
    const [dl] = tm.grad(loss, [logits], { createGraph: true });
    expect(dl.shape).toEqual([frames, batch, classes]);
    expect(() => tm.grad(dl.square().sum(), [logits])).toThrow(/ctc.*kernel of its own|kernel of its own.*ctc/);
  });

  it('refuses options that are not booleans, and unknown ones', () => {
    const x = tm.tensor([1, 2]);
    x.requiresGrad = true;
    expect(() => tm.grad(x.sum(), [x], { createGraph: 'yes' as unknown as boolean })).toThrow(/createGraph must be true or false/);
    expect(() => x.sum().backward({ retainGraf: true } as unknown as tm.BackwardOptions)).toThrow(/retainGraf/);
  });
});
