// tm.distributions.OneHotCategoricalStraightThrough on every backend, and
// OneHotCategorical's logProb as PyTorch's reads it: rsample's values are
// sample's one-hot rows under one seed, its gradient the probabilities'
// (float64: n·p ⊙ (w − p·w) in the logits, through the normalisation in
// probs); logProb takes the marked class's log-probability, so a class of
// probability 0 elsewhere gives no NaN and no gradient reaches the value;
// 20,000 draws' frequencies; KL; flat memory and errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { SEED, asF32, expectClose, uniform } from '../helpers/data.js';
import { collected } from '../helpers/gc.js';

const { OneHotCategorical, OneHotCategoricalStraightThrough, klDivergence } = tm.distributions;

const softmaxRow = (l: readonly number[]) => {
  const e = l.map((v) => Math.exp(v - Math.max(...l)));
  return e.map((v) => v / e.reduce((a, b) => a + b, 0));
};

describe.each(BACKENDS)('OneHotCategoricalStraightThrough on %s', (backend) => {
  const tol = backend === 'webgpu' ? 1e-4 : 1e-5;

  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  afterAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it('rsample: sample\'s one-hot rows under one seed, exactly; 20,000 draws land on each class as often as its probability', async () => {
    const p = [0.1, 0.2, 0.3, 0.4];
    const d = new OneHotCategoricalStraightThrough({ probs: tm.tensor([p, [0.4, 0.3, 0.2, 0.1]]) });
    expect([d.batchShape, d.eventShape, d.name]).toEqual([[2], [4], 'OneHotCategoricalStraightThrough']);
    tm.setSeed(7);
    const drawn = await d.rsample([6]).data();
    tm.setSeed(7);
    expect(Array.from(drawn)).toEqual(Array.from(await d.sample([6]).data()));
    const n = 20000;
    const v = await d.rsample([n]).data();
    expect(v.every((x) => x === 0 || x === 1)).toBe(true);
    for (let c = 0; c < 4; c++) {
      let seen = 0;
      for (let i = 0; i < n; i++) seen += v[i * 8 + c];
      const se = Math.sqrt((p[c] * (1 - p[c])) / n);
      expect(Math.abs(seen / n - p[c]), `class ${c}: ${seen / n} against ${p[c]} (test seed ${SEED})`).toBeLessThanOrEqual(5 * se);
    }
  });

  it('rsample\'s gradient is the probabilities\': n·p ⊙ (w − p·w) in the logits, (w − p·w)·n/Σprobs in unnormalised probs', async () => {
    const k = 5;
    const n = 7;
    const logits = asF32(uniform(2 * k, -2, 2));
    const w = asF32(uniform(k, -1, 1));
    const l = tm.tensor(logits, [2, k]);
    l.requiresGrad = true;
    new OneHotCategoricalStraightThrough({ logits: l }).rsample([n]).mul(tm.tensor(w)).sum().backward();
    const want = [0, 1].flatMap((r) => {
      const p = softmaxRow(Array.from(logits.subarray(r * k, r * k + k)));
      const pw = p.reduce((s, pj, j) => s + pj * w[j], 0);
      return p.map((pj, j) => n * pj * (w[j] - pw));
    });
    expectClose(await l.grad!.data(), want, 1e-4, 'd/dlogits', want.map(() => n));
    const raw = asF32(uniform(k, 0.2, 2));
    const probs = tm.tensor(raw);
    probs.requiresGrad = true;
    new OneHotCategoricalStraightThrough({ probs }).rsample([n]).mul(tm.tensor(w)).sum().backward();
    const total = raw.reduce((a, b) => a + b, 0);
    const pw = raw.reduce((s, v, j) => s + (v / total) * w[j], 0);
    const wantP = Array.from(w, (wj) => (n * (wj - pw)) / total);
    expectClose(await probs.grad!.data(), wantP, 1e-4, 'd/dprobs', wantP.map(() => n));
  });

  it('logProb: the marked class\'s log-probability, finite beside a class of probability 0, with no gradient through the value (PyTorch\'s)', async () => {
    const d = new OneHotCategorical({ probs: tm.tensor([0, 0.25, 0.75]) });
    expectClose(await d.logProb(tm.tensor([[0, 1, 0], [0, 0, 1], [1, 0, 0]])).data(), [Math.log(0.25), Math.log(0.75), -Infinity], tol, 'logProb');
    const k = 4;
    const logits = asF32(uniform(k, -1, 1));
    const l = tm.tensor(logits);
    l.requiresGrad = true;
    const st = new OneHotCategoricalStraightThrough({ logits: l });
    const draws = st.rsample([9]);
    st.logProb(draws).sum().backward();
    const rows = await draws.data();
    const p = softmaxRow(Array.from(logits));
    // Σ over draws of ∂ log p[c]/∂l = onehot(c) − p; a value path would add its own terms.
    const want = p.map((pj, j) => {
      let count = 0;
      for (let i = 0; i < 9; i++) count += rows[i * k + j];
      return count - 9 * pj;
    });
    expectClose(await l.grad!.data(), want, 1e-4, 'd/dlogits of logProb(rsample)', want.map(() => 9));
  });

  it('KL, memory and errors', async () => {
    const [a, b] = [asF32(uniform(3, -1, 1)), asF32(uniform(3, -1, 1))];
    const kl = klDivergence(new OneHotCategoricalStraightThrough({ logits: tm.tensor(a) }), new OneHotCategoricalStraightThrough({ logits: tm.tensor(b) }));
    const [pa, pb] = [softmaxRow(Array.from(a)), softmaxRow(Array.from(b))];
    expectClose(await kl.data(), [pa.reduce((s, p, j) => s + p * Math.log(p / pb[j]), 0)], tol, 'KL');
    const probs = tm.tensor([0.2, 0.5, 0.3]);
    const before = await collected();
    const d = new OneHotCategoricalStraightThrough({ probs });
    const draws = d.rsample([4]);
    for (const t of [draws, d.logProb(draws), d.sample([2]), d.mean, d.mode]) t.dispose();
    d.dispose();
    expect(tm.memory().numTensors).toBe(before);
    expect(() => new OneHotCategoricalStraightThrough({ probs: tm.ones([3, 5]) }).logProb(tm.zeros([3, 4])))
      .toThrow(new tm.ShapeError('OneHotCategoricalStraightThrough.logProb: value [3,4] does not end with the event shape [5] (batch [3])'));
    expect(() => new OneHotCategoricalStraightThrough({ logits: 0.3 })).toThrow(new tm.ShapeError('OneHotCategoricalStraightThrough: logits must have a class axis (its last), got []'));
  });
});
