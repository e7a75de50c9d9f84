// tm.distributions.LogisticNormal on every backend: its shapes (a scalar
// loc and scale one vector of one entry, as PyTorch's), logProb against a
// float64 change of variables (the Normal density at the stick-breaking
// inverse, less the log |det| of the forward's central-difference Jacobian)
// and against PyTorch 1.13's values; 20,000 draws on the simplex whose first
// entry σ(x₀ − log(K − 1)) falls below two points as often as the Normal
// says; rsample's gradients in loc and scale against central differences of
// the same seeded draws; KL the Normals' summed over the vector; flat
// memory and errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { asF32, expectClose, uniform } from '../helpers/data.js';
import { expectFractionBelow } from '../helpers/distributions.js';
import { collected } from '../helpers/gc.js';
import { jacobian64, logAbsDet64 } from '../helpers/jacobian.js';
import { normalLogPdf, normalCdf, stickBreaking64 } from '../helpers/transform_refs.js';

const { LogisticNormal, klDivergence } = tm.distributions;

/** The stick-breaking inverse: xᵢ = log yᵢ − log(1 − Σⱼ₍ⱼ≤ᵢ₎ yⱼ) + log(K − 1 − i). */
function stickUnbreaking64(y: readonly number[]): number[] {
  const n = y.length - 1;
  let used = 0;
  return y.slice(0, n).map((v, i) => {
    used += v;
    return Math.log(v) - Math.log(1 - used) + Math.log(n - i);
  });
}

/** log p(y) by the change of variables, in float64. */
function logisticNormalLogPdf(y: readonly number[], loc: readonly number[], scale: readonly number[]): number {
  const x = stickUnbreaking64(y);
  const n = x.length;
  const base = x.reduce((s, v, i) => s + normalLogPdf(v, loc[i], scale[i]), 0);
  return base - logAbsDet64(jacobian64((v) => stickBreaking64(v).slice(0, n), x), n);
}

describe.each(BACKENDS)('LogisticNormal on %s', (backend) => {
  const tol = backend === 'webgpu' ? 1e-4 : 1e-5;

  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  afterAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it('shapes: batch the parameters\' less their last axis, event [K]; a scalar loc and scale make K = 2', () => {
    const d = new LogisticNormal(tm.zeros([2, 3]), tm.ones([3]));
    expect([d.batchShape, d.eventShape, d.name]).toEqual([[2], [4], 'LogisticNormal']);
    expect(d.loc.shape).toEqual([2, 3]);
    const s = new LogisticNormal(0.3, 0.8);
    expect([s.batchShape, s.eventShape, s.loc.shape, s.scale.shape]).toEqual([[], [2], [1], [1]]);
    expect(s.sample([5]).shape).toEqual([5, 2]);
  });

  it('logProb: the Normal density at the stick-breaking inverse less the map\'s log |det| (float64), and PyTorch\'s values', async () => {
    const k = 4;
    const loc = asF32(uniform(3 * (k - 1), -1, 1));
    const scale = asF32(uniform(k - 1, 0.4, 1.5));
    const d = new LogisticNormal(tm.tensor(loc, [3, k - 1]), tm.tensor(scale));
    const raw = asF32(uniform(3 * k, 0.05, 1));
    const y = Array.from({ length: 3 }, (_, r) => {
      const row = Array.from(raw.subarray(r * k, r * k + k));
      return row.map((v) => Math.fround(v / row.reduce((a, b) => a + b, 0)));
    });
    const want = y.map((row, r) => logisticNormalLogPdf(row, Array.from(loc.subarray(r * (k - 1), (r + 1) * (k - 1))), Array.from(scale)));
    const got = d.logProb(tm.tensor(y.flat(), [3, k]));
    expect(got.shape).toEqual([3]);
    expectClose(await got.data(), want, 1e-4, 'logProb', want.map((w) => Math.abs(w) + 1));
    // PyTorch 1.13: LogisticNormal(loc [[0.2, −0.5, 1.0], [−1.0, 0.3, 0.0]], scale [0.7, 1.3, 0.9]).log_prob([[0.1, 0.2, 0.3, 0.4], [0.05, 0.6, 0.25, 0.1]]),
    // and LogisticNormal(0.3, 0.8).log_prob([[0.3, 0.7]]) (float32 values, float64 torch).
    const fixed = new LogisticNormal(tm.tensor([[0.2, -0.5, 1.0], [-1.0, 0.3, 0.0]]), tm.tensor([0.7, 1.3, 0.9]));
    expectClose(await fixed.logProb(tm.tensor([[0.1, 0.2, 0.3, 0.4], [0.05, 0.6, 0.25, 0.1]])).data(), [0.7297466468, 3.1329363612], tol, 'torch logProb');
    expectClose(await new LogisticNormal(0.3, 0.8).logProb(tm.tensor([[0.3, 0.7]])).data(), [-0.1635005768], tol, 'torch scalar logProb');
  });

  it('20,000 draws on the simplex; the first entry σ(x₀ − log(K − 1)) below two points as often as Φ says', async () => {
    const n = 20000;
    const k = 4;
    const loc = [-0.5, 0.8].map(Math.fround);
    const scale = [0.6, 1.2].map(Math.fround);
    // Rows of loc [2, 3] whose first entries are `loc`; the others matter to the other coordinates only.
    const d = new LogisticNormal(tm.tensor([loc[0], 0.3, -0.2, loc[1], -1, 0.5], [2, 3]), tm.tensor([[scale[0], 1, 1], [scale[1], 0.5, 2]]));
    const draws = d.sample([n]);
    expect(draws.shape).toEqual([n, 2, k]);
    const v = await draws.data();
    const first = new Float64Array(n * 2);
    let [smallest, offSum] = [Infinity, 0];
    for (let i = 0; i < n * 2; i++) {
      let sum = 0;
      for (let j = 0; j < k; j++) {
        smallest = Math.min(smallest, v[i * k + j]);
        sum += v[i * k + j];
      }
      offSum = Math.max(offSum, Math.abs(sum - 1));
      first[i] = v[i * k];
    }
    expect(smallest).toBeGreaterThan(0);
    expect(offSum).toBeLessThan(1e-5);
    for (const at of [0.15, 0.5]) {
      const p = loc.map((m, j) => normalCdf((Math.log(at / (1 - at)) + Math.log(k - 1) - m) / scale[j]));
      expectFractionBelow(first, n, [at, at], p, `first entry ≤ ${at}`);
    }
  });

  it('rsample\'s gradients in loc and scale are the seeded draws\' central differences', async () => {
    const base = { loc: asF32(uniform(3, -1, 1)), scale: asF32(uniform(3, 0.5, 1.5)) };
    const w = tm.tensor(asF32(uniform(5 * 4, -1, 1)), [5, 4]);
    const draw = (l: tm.Tensor, s: tm.Tensor) => new LogisticNormal(l, s).rsample([5]).mul(w).sum();
    const loss = async (which: 'loc' | 'scale', v: Float64Array) => {
      tm.setSeed(23);
      const [l, s] = which === 'loc' ? [v, base.scale] : [base.loc, v];
      return (await tm.tidy(() => draw(tm.tensor(l), tm.tensor(s))).data())[0];
    };
    const [l, s] = [tm.tensor(base.loc), tm.tensor(base.scale)];
    l.requiresGrad = true;
    s.requiresGrad = true;
    tm.setSeed(23);
    draw(l, s).backward();
    const h = 1e-2;
    for (const [which, grad] of [['loc', l.grad!], ['scale', s.grad!]] as const) {
      const want = [];
      for (let j = 0; j < 3; j++) {
        const [up, down] = [Float64Array.from(base[which]), Float64Array.from(base[which])];
        up[j] += h;
        down[j] -= h;
        want.push(((await loss(which, up)) - (await loss(which, down))) / (2 * h));
      }
      expectClose(await grad.data(), want, 2e-3, `d/d${which}`, [5, 5, 5]);
    }
  });

  it('KL between two is their Normals\' summed over the vector', async () => {
    const [pl, ql] = [asF32(uniform(2 * 3, -1, 1)), asF32(uniform(2 * 3, -1, 1))];
    const [ps, qs] = [asF32(uniform(3, 0.5, 1.5)), asF32(uniform(3, 0.5, 1.5))];
    const kl = klDivergence(new LogisticNormal(tm.tensor(pl, [2, 3]), tm.tensor(ps)), new LogisticNormal(tm.tensor(ql, [2, 3]), tm.tensor(qs)));
    expect(kl.shape).toEqual([2]);
    const want = [0, 1].map((r) => [0, 1, 2].reduce((t, j) => t + Math.log(qs[j] / ps[j]) + (ps[j] ** 2 + (pl[r * 3 + j] - ql[r * 3 + j]) ** 2) / (2 * qs[j] ** 2) - 0.5, 0));
    expectClose(await kl.data(), want, tol, 'KL', [5, 5]);
  });

  it('memory stays flat (dispose frees the tensors made from numbers and their [1] views); errors name LogisticNormal', async () => {
    const [value, simplex] = [tm.tensor([[0.2, 0.8]]), tm.tensor([0.2, 0.3, 0.5])];
    const before = await collected();
    const d = new LogisticNormal(0.3, 0.8);
    for (const t of [d.sample([3]), d.rsample([2]), d.logProb(value)]) t.dispose();
    d.dispose();
    const loc = tm.tensor([0.1, -0.2]);
    const e = new LogisticNormal(loc, 0.5);
    for (const t of [e.sample([3]), e.logProb(simplex)]) t.dispose();
    e.dispose();
    expect(loc.isDisposed).toBe(false);
    loc.dispose();
    expect(tm.memory().numTensors).toBe(before);
    expect(() => new LogisticNormal(tm.zeros([2]), tm.ones([3]))).toThrow(new tm.ShapeError('LogisticNormal: loc [2] and scale [3] cannot be broadcast together'));
    expect(() => new LogisticNormal(0, Infinity)).toThrow(new tm.ValueError('LogisticNormal: scale must be a tensor or a finite number, got Infinity'));
    expect(() => new LogisticNormal(tm.zeros([2, 3]), 1).logProb(tm.zeros([2, 3]))).toThrow(new tm.ShapeError('LogisticNormal.logProb: value [2,3] does not end with the event shape [4] (batch [2])'));
    expect(() => new LogisticNormal(0, 1).entropy()).toThrow(new tm.ValueError('LogisticNormal: no entropy in closed form'));
  });
});
