// tm.distributions.klDivergence's closed forms against the same formulas in
// float64 written here and against Monte-Carlo estimates (the mean of
// log p(x) − log q(x) over 20,000 draws of p, within a few standard errors),
// on fresh random parameters with batch shapes broadcasting, on every
// backend; Independent's reinterpreted axes; a gradient; and errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { asF32, expectClose, uniform } from '../helpers/data.js';
import { broadcastMap, inverseSpd64, logDetSpd64, meanAndError } from '../helpers/distributions.js';
import { broadcastShape, size } from '../helpers/float64.js';
import { matmul64, transpose64 } from '../helpers/linalg.js';
import { digammaRef, lgammaRef } from '../helpers/special.js';

const D = tm.distributions;
type Distribution = tm.distributions.Distribution;

/** Fresh f32 parameters of `shape` in [lo, hi). */
const draw = (shape: number[], lo: number, hi: number) => ({ v: asF32(uniform(size(shape), lo, hi)), shape });
type Param = ReturnType<typeof draw>;
const t = (p: Param) => tm.tensor(p.v, p.shape);

/** A pair's p and q, and KL(p ‖ q) in float64 of the broadcast batch. */
interface Pair {
  p: Distribution;
  q: Distribution;
  want: Float64Array;
}

const normalKl = (mp: number, sp: number, mq: number, sq: number) => Math.log(sq / sp) + (sp * sp + (mp - mq) ** 2) / (2 * sq * sq) - 0.5;

/** Rows of probabilities [rows, k] normalised, from positive weights. */
function normalisedRows(w: Float64Array, k: number): Float64Array {
  const out = new Float64Array(w.length);
  for (let r = 0; r < w.length / k; r++) {
    let s = 0;
    for (let c = 0; c < k; c++) s += w[r * k + c];
    for (let c = 0; c < k; c++) out[r * k + c] = w[r * k + c] / s;
  }
  return out;
}

/** A random symmetric positive definite n × n matrix in f32, symmetric after rounding. */
function spd(n: number): Float64Array {
  const b = uniform(n * n, -1, 1);
  const a = asF32(matmul64(b, transpose64(b, n, n), n, n, n));
  for (let i = 0; i < n; i++) a[i * n + i] = Math.fround(a[i * n + i] + n / 2);
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) a[i * n + j] = a[j * n + i];
  return a;
}

const PAIRS: { name: string; make: () => Pair }[] = [
  {
    name: 'Normal ‖ Normal', make: () => {
      const [mp, sp, mq, sq] = [draw([3], -1, 1), draw([3], 0.5, 1.5), draw([1], -1, 1), draw([3], 0.5, 1.5)];
      return { p: new D.Normal(t(mp), t(sp)), q: new D.Normal(t(mq), t(sq)), want: broadcastMap([mp, sp, mq, sq], normalKl).v };
    },
  },
  {
    name: 'LogNormal ‖ LogNormal', make: () => {
      const [mp, sp, mq, sq] = [draw([3], -0.5, 0.5), draw([3], 0.2, 0.6), draw([3], -0.5, 0.5), draw([1], 0.2, 0.6)];
      return { p: new D.LogNormal(t(mp), t(sp)), q: new D.LogNormal(t(mq), t(sq)), want: broadcastMap([mp, sp, mq, sq], normalKl).v };
    },
  },
  {
    name: 'Uniform ‖ Uniform', make: () => {
      // p inside q: q's ends drawn beyond p's.
      const [lp, hp, lq, hq] = [draw([3], -1, -0.2), draw([3], 0.2, 1), draw([3], -2, -1.1), draw([3], 1.1, 2)];
      return { p: new D.Uniform(t(lp), t(hp)), q: new D.Uniform(t(lq), t(hq)), want: broadcastMap([lp, hp, lq, hq], (a, b, c, d) => Math.log((d - c) / (b - a))).v };
    },
  },
  {
    name: 'Laplace ‖ Laplace', make: () => {
      const [mp, bp, mq, bq] = [draw([3], -1, 1), draw([3], 0.5, 1.5), draw([3], -1, 1), draw([3], 0.5, 1.5)];
      const kl = (m1: number, b1: number, m2: number, b2: number) => Math.log(b2 / b1) + Math.abs(m1 - m2) / b2 + (b1 / b2) * Math.exp(-Math.abs(m1 - m2) / b1) - 1;
      return { p: new D.Laplace(t(mp), t(bp)), q: new D.Laplace(t(mq), t(bq)), want: broadcastMap([mp, bp, mq, bq], kl).v };
    },
  },
  {
    name: 'Exponential ‖ Exponential', make: () => {
      const [rp, rq] = [draw([3], 0.5, 2), draw([3], 0.5, 2)];
      return { p: new D.Exponential(t(rp)), q: new D.Exponential(t(rq)), want: broadcastMap([rp, rq], (a, b) => Math.log(a / b) + b / a - 1).v };
    },
  },
  {
    name: 'Gamma ‖ Gamma', make: () => {
      const [ap, bp, aq, bq] = [draw([3], 0.5, 4), draw([3], 0.5, 2), draw([3], 0.5, 4), draw([1], 0.5, 2)];
      const kl = (a1: number, b1: number, a2: number, b2: number) =>
        a2 * Math.log(b1 / b2) + lgammaRef(a2) - lgammaRef(a1) + (a1 - a2) * digammaRef(a1) + ((b2 - b1) * a1) / b1;
      return { p: new D.Gamma(t(ap), t(bp)), q: new D.Gamma(t(aq), t(bq)), want: broadcastMap([ap, bp, aq, bq], kl).v };
    },
  },
  {
    // 1/X moves both densities alike: the Gammas' divergence.
    name: 'InverseGamma ‖ InverseGamma', make: () => {
      const [ap, bp, aq, bq] = [draw([3], 1, 4), draw([3], 0.5, 2), draw([3], 1, 4), draw([1], 0.5, 2)];
      const kl = (a1: number, b1: number, a2: number, b2: number) =>
        a2 * Math.log(b1 / b2) + lgammaRef(a2) - lgammaRef(a1) + (a1 - a2) * digammaRef(a1) + ((b2 - b1) * a1) / b1;
      return { p: new D.InverseGamma(t(ap), t(bp)), q: new D.InverseGamma(t(aq), t(bq)), want: broadcastMap([ap, bp, aq, bq], kl).v };
    },
  },
  {
    name: 'Beta ‖ Beta', make: () => {
      const [ap, bp, aq, bq] = [draw([3], 0.6, 4), draw([3], 0.6, 4), draw([3], 0.6, 4), draw([3], 0.6, 4)];
      const logBeta = (a: number, b: number) => lgammaRef(a) + lgammaRef(b) - lgammaRef(a + b);
      const kl = (a1: number, b1: number, a2: number, b2: number) =>
        logBeta(a2, b2) - logBeta(a1, b1) + (a1 - a2) * digammaRef(a1) + (b1 - b2) * digammaRef(b1) + (a2 - a1 + b2 - b1) * digammaRef(a1 + b1);
      return { p: new D.Beta(t(ap), t(bp)), q: new D.Beta(t(aq), t(bq)), want: broadcastMap([ap, bp, aq, bq], kl).v };
    },
  },
  {
    name: 'Gumbel ‖ Gumbel', make: () => {
      const [mp, bp, mq, bq] = [draw([3], -1, 1), draw([3], 0.5, 1.5), draw([1], -1, 1), draw([3], 0.5, 1.5)];
      const g = 0.5772156649015329;
      const kl = (a: number, b: number, c: number, d: number) => Math.log(d / b) + (a - c) / d + g * (b / d - 1) + Math.exp((c - a) / d + lgammaRef(1 + b / d)) - 1;
      return { p: new D.Gumbel(t(mp), t(bp)), q: new D.Gumbel(t(mq), t(bq)), want: broadcastMap([mp, bp, mq, bq], kl).v };
    },
  },
  {
    name: 'HalfNormal ‖ HalfNormal', make: () => {
      const [sp, sq] = [draw([3], 0.5, 1.5), draw([3], 0.5, 1.5)];
      return { p: new D.HalfNormal(t(sp)), q: new D.HalfNormal(t(sq)), want: broadcastMap([sp, sq], (a, b) => normalKl(0, a, 0, b)).v };
    },
  },
  {
    name: 'Pareto ‖ Pareto', make: () => {
      const [mp, ap, mq, aq] = [draw([3], 1.5, 2), draw([3], 3, 5), draw([3], 0.5, 1), draw([1], 3, 5)];
      const kl = (m1: number, a1: number, m2: number, a2: number) => a2 * Math.log(m1 / m2) - Math.log(a2 / a1) + a2 / a1 - 1;
      return { p: new D.Pareto(t(mp), t(ap)), q: new D.Pareto(t(mq), t(aq)), want: broadcastMap([mp, ap, mq, aq], kl).v };
    },
  },
  {
    name: 'Dirichlet ‖ Dirichlet', make: () => {
      const [ap, aq] = [draw([2, 4], 0.5, 3), draw([2, 4], 0.5, 3)];
      const want = Float64Array.from({ length: 2 }, (_, r) => {
        const [a, b] = [Array.from(ap.v.subarray(r * 4, r * 4 + 4)), Array.from(aq.v.subarray(r * 4, r * 4 + 4))];
        const [sa, sb] = [a.reduce((x, y) => x + y, 0), b.reduce((x, y) => x + y, 0)];
        return lgammaRef(sa) - lgammaRef(sb) - a.reduce((acc, v, k) => acc + lgammaRef(v) - lgammaRef(b[k]), 0) + a.reduce((acc, v, k) => acc + (v - b[k]) * (digammaRef(v) - digammaRef(sa)), 0);
      });
      return { p: new D.Dirichlet(t(ap)), q: new D.Dirichlet(t(aq)), want };
    },
  },
  {
    name: 'Geometric ‖ Geometric', make: () => {
      const [pp, lq] = [draw([3], 0.2, 0.9), draw([3], -2, 2)];
      const kl = (a: number, l: number) => {
        const b = 1 / (1 + Math.exp(-l));
        const entropy = (-(1 - a) * Math.log1p(-a) - a * Math.log(a)) / a;
        return -entropy - (1 / a - 1) * Math.log1p(-b) - Math.log(b);
      };
      return { p: new D.Geometric({ probs: t(pp) }), q: new D.Geometric({ logits: t(lq) }), want: broadcastMap([pp, lq], kl).v };
    },
  },
  {
    name: 'Poisson ‖ Poisson', make: () => {
      const [rp, rq] = [draw([3], 0.5, 30), draw([3], 0.5, 30)];
      return { p: new D.Poisson(t(rp)), q: new D.Poisson(t(rq)), want: broadcastMap([rp, rq], (a, b) => a * Math.log(a / b) - a + b).v };
    },
  },
  {
    name: 'Cauchy ‖ Cauchy', make: () => {
      const [mp, sp, mq, sq] = [draw([3], -1, 1), draw([3], 0.5, 1.5), draw([3], -1, 1), draw([1], 0.5, 1.5)];
      const kl = (a: number, b: number, c: number, d: number) => Math.log((b + d) ** 2 + (a - c) ** 2) - Math.log(4 * b * d);
      return { p: new D.Cauchy(t(mp), t(sp)), q: new D.Cauchy(t(mq), t(sq)), want: broadcastMap([mp, sp, mq, sq], kl).v };
    },
  },
  {
    name: 'Chi2 ‖ Chi2', make: () => {
      const [kp, kq] = [draw([3], 1, 8), draw([3], 1, 8)];
      const kl = (a: number, b: number) => lgammaRef(b / 2) - lgammaRef(a / 2) + ((a - b) / 2) * digammaRef(a / 2);
      return { p: new D.Chi2(t(kp)), q: new D.Chi2(t(kq)), want: broadcastMap([kp, kq], kl).v };
    },
  },
  {
    name: 'Binomial ‖ Binomial (one count)', make: () => {
      const n = { v: Float64Array.from([3, 12, 40]), shape: [3] };
      const [pp, lq] = [draw([3], 0.1, 0.9), draw([3], -2, 2)];
      const kl = (c: number, a: number, l: number) => { const b = 1 / (1 + Math.exp(-l)); return c * (a * Math.log(a / b) + (1 - a) * Math.log((1 - a) / (1 - b))); };
      return { p: new D.Binomial(t(n), { probs: t(pp) }), q: new D.Binomial(t(n), { logits: t(lq) }), want: broadcastMap([n, pp, lq], kl).v };
    },
  },
  {
    name: 'TransformedDistribution ‖ TransformedDistribution (the same maps)', make: () => {
      const [mp, sp, mq, sq] = [draw([3], -1, 1), draw([3], 0.5, 1.5), draw([3], -1, 1), draw([3], 0.5, 1.5)];
      const maps = [new D.AffineTransform(0.5, 2), new D.ExpTransform()];
      return {
        p: new D.TransformedDistribution(new D.Normal(t(mp), t(sp)), maps),
        q: new D.TransformedDistribution(new D.Normal(t(mq), t(sq)), [new D.AffineTransform(0.5, 2), new D.ExpTransform()]),
        want: broadcastMap([mp, sp, mq, sq], normalKl).v,
      };
    },
  },
  {
    name: 'Bernoulli ‖ Bernoulli', make: () => {
      const [pp, lq] = [draw([3], 0.1, 0.9), draw([3], -2, 2)];
      const kl = (a: number, l: number) => { const b = 1 / (1 + Math.exp(-l)); return a * Math.log(a / b) + (1 - a) * Math.log((1 - a) / (1 - b)); };
      return { p: new D.Bernoulli({ probs: t(pp) }), q: new D.Bernoulli({ logits: t(lq) }), want: broadcastMap([pp, lq], kl).v };
    },
  },
  ...(['Categorical', 'OneHotCategorical'] as const).map((kind) => ({
    name: `${kind} ‖ ${kind}`, make: (): Pair => {
      const [wp, wq] = [draw([3, 5], 0.1, 1), draw([3, 5], 0.1, 1)];
      const [pp, pq] = [normalisedRows(wp.v, 5), normalisedRows(wq.v, 5)];
      const want = Float64Array.from({ length: 3 }, (_, r) => {
        let s = 0;
        for (let c = 0; c < 5; c++) s += pp[r * 5 + c] * Math.log(pp[r * 5 + c] / pq[r * 5 + c]);
        return s;
      });
      const logits = tm.tensor(pq.map(Math.log), [3, 5]);
      return { p: new D[kind]({ probs: t(wp) }), q: new D[kind]({ logits }), want };
    },
  })),
  {
    name: 'MultivariateNormal ‖ MultivariateNormal', make: () => {
      const n = 3;
      const [mp, mq] = [draw([2, n], -1, 1), draw([n], -1, 1)];
      const [sp, sq] = [spd(n), spd(n)];
      const inverse = inverseSpd64(sq, n);
      const trace = matmul64(inverse, sp, n, n, n).filter((_, i) => i % (n + 1) === 0).reduce((a, b) => a + b, 0);
      const want = Float64Array.from({ length: 2 }, (_, b) => {
        const d = Float64Array.from({ length: n }, (_, k) => mq.v[k] - mp.v[b * n + k]);
        const m = matmul64(d, matmul64(inverse, d, n, n, 1), 1, n, 1)[0];
        return 0.5 * (trace + m - n + logDetSpd64(sq, n) - logDetSpd64(sp, n));
      });
      return {
        p: new D.MultivariateNormal(t(mp), { covariance: tm.tensor(sp, [n, n]) }),
        q: new D.MultivariateNormal(t(mq), { precision: tm.tensor(asF32(inverse), [n, n]) }),
        want,
      };
    },
  },
  {
    name: 'Independent ‖ Independent', make: () => {
      const [mp, sp, mq, sq] = [draw([3, 4], -1, 1), draw([4], 0.5, 1.5), draw([3, 4], -1, 1), draw([3, 4], 0.5, 1.5)];
      const each = broadcastMap([mp, sp, mq, sq], normalKl).v;
      const want = Float64Array.from({ length: 3 }, (_, r) => each.subarray(r * 4, r * 4 + 4).reduce((a, b) => a + b, 0));
      return { p: new D.Independent(new D.Normal(t(mp), t(sp)), 1), q: new D.Independent(new D.Normal(t(mq), t(sq)), 1), want };
    },
  },
];

describe.each(BACKENDS)('klDivergence on %s', (backend) => {
  const tol = backend === 'webgpu' ? 1e-4 : 1e-5;

  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  afterAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it.each(PAIRS)('$name: the closed form against float64, and against the mean log-ratio of 20,000 draws of p', async ({ make }) => {
    const { p, q, want } = make();
    const kl = tm.distributions.klDivergence(p, q);
    expect(kl.shape).toEqual(broadcastShape(p.batchShape, q.batchShape));
    const got = await kl.data();
    // A divergence is a difference of logs: its error scales with the logs' size, about 1 here.
    expectClose(got, want, 10 * tol, 'kl', new Float64Array(want.length).fill(1));
    const n = 20000;
    const x = p.sample([n]);
    const ratio = await tm.tidy(() => p.logProb(x).sub(q.logProb(x))).data();
    const m = want.length;
    for (let j = 0; j < m; j++) {
      const { mean, error } = meanAndError(Float64Array.from({ length: n }, (_, i) => ratio[i * m + j]));
      expect(Math.abs(mean - want[j]), `Monte-Carlo ${mean} of batch entry ${j}, closed form ${want[j]} ± 5·${error}`).toBeLessThanOrEqual(5 * error + 10 * tol);
    }
  });

  it('Uniform ‖ Uniform is ∞ where p reaches outside q; the Normal pair\'s gradient in p\'s loc is (μp − μq)/σq²', async () => {
    const kl = tm.distributions.klDivergence(new D.Uniform(tm.tensor([0, -0.25]), tm.tensor([1, 0.5])), new D.Uniform(-0.5, 0.75));
    expectClose(await kl.data(), [Infinity, Math.log(1.25 / 0.75)], tol, 'kl');
    const loc = tm.tensor([0.3, -1.2]);
    loc.requiresGrad = true;
    tm.distributions.klDivergence(new D.Normal(loc, 0.8), new D.Normal(tm.tensor([1, 0.5]), tm.tensor([1.5, 0.7]))).sum().backward();
    expectClose(await loc.grad!.data(), [(0.3 - 1) / 1.5 ** 2, (-1.2 - 0.5) / 0.7 ** 2], tol, 'd/dloc');
  });

  it('the README\'s VAE lines: z = q.rsample() and KL(q ‖ N(0, 1)) summed per sample, its gradients μ and (e^logVar − 1)/2', async () => {
    const [b, k] = [5, 3];
    const [mu, logVar] = [draw([b, k], -1, 1), draw([b, k], -1, 1)];
    const [muT, logVarT] = [t(mu), t(logVar)];
    muT.requiresGrad = true;
    logVarT.requiresGrad = true;
    const q = new D.Normal(muT, logVarT.mul(0.5).exp());
    const z = q.rsample();
    expect(z.shape).toEqual([b, k]);
    const kl = tm.distributions.klDivergence(q, new D.Normal(0, 1)).sum(-1);
    expect(kl.shape).toEqual([b]);
    const want = Float64Array.from({ length: b }, (_, i) => {
      let s = 0;
      for (let j = 0; j < k; j++) s += 0.5 * (Math.exp(logVar.v[i * k + j]) + mu.v[i * k + j] ** 2 - 1 - logVar.v[i * k + j]);
      return s;
    });
    expectClose(await kl.data(), want, tol, 'kl');
    kl.sum().backward();
    expectClose(await muT.grad!.data(), mu.v, tol, 'd/dmu');
    expectClose(await logVarT.grad!.data(), logVar.v.map((v) => 0.5 * Math.expm1(v)), tol, 'd/dlogVar');
  });

  it('Binomial ‖ Binomial is ∞ where p\'s count exceeds q\'s and NaN (no closed form) where it falls short', async () => {
    const kl = tm.distributions.klDivergence(new D.Binomial(tm.tensor([5, 4, 5]), { probs: 0.3 }), new D.Binomial(tm.tensor([4, 5, 5]), { probs: 0.6 }));
    const got = Array.from(await kl.data());
    expect(got.slice(0, 2)).toEqual([Infinity, NaN]);
    expectClose(got.slice(2), [5 * (0.3 * Math.log(0.3 / 0.6) + 0.7 * Math.log(0.7 / 0.4))], 10 * tol, 'equal counts');
  });

  it('a distribution returned from tm.tidy keeps the scalars it made from numbers; dispose frees them', async () => {
    const d = tm.tidy(() => new D.Normal(1, 2));
    expectClose(await d.logProb(tm.tensor([1])).data(), [-Math.log(2) - 0.5 * Math.log(2 * Math.PI)], tol, 'logProb');
    d.dispose();
    expect(d.loc.isDisposed && d.scale.isDisposed).toBe(true);
  });

  it('Independent: batch axes read as event axes; logProb and entropy sum over them, draws and moments are the base\'s', async () => {
    const [m, s] = [draw([3, 4], -1, 1), draw([4], 0.5, 1.5)];
    const base = new D.Normal(t(m), t(s));
    const d = new D.Independent(base, 1);
    expect(d.batchShape).toEqual([3]);
    expect(d.eventShape).toEqual([4]);
    const x = draw([2, 3, 4], -2, 2);
    const each = broadcastMap([x, m, s], (v, a, b) => -0.5 * ((v - a) / b) ** 2 - Math.log(b) - 0.5 * Math.log(2 * Math.PI)).v;
    const lp = d.logProb(t(x));
    expect(lp.shape).toEqual([2, 3]);
    expectClose(await lp.data(), Float64Array.from({ length: 6 }, (_, r) => each.subarray(r * 4, r * 4 + 4).reduce((a, b) => a + b, 0)), tol, 'logProb');
    const h = broadcastMap([m, s], (_a, b) => 0.5 + 0.5 * Math.log(2 * Math.PI) + Math.log(b)).v;
    expectClose(await d.entropy().data(), Float64Array.from({ length: 3 }, (_, r) => h.subarray(r * 4, r * 4 + 4).reduce((a, b) => a + b, 0)), tol, 'entropy');
    expect(d.sample([5]).shape).toEqual([5, 3, 4]);
    expectClose(await d.mean.data(), m.v, tol, 'mean');
    // A Categorical's labels through Independent: its int dtype passes, the rows' log-probabilities summed.
    const logits = draw([2, 3, 4], -2, 2);
    const labels = tm.tensor([[0, 3, 1], [2, 2, 0]], { dtype: 'i32' });
    const rowsOf = new D.Independent(new D.Categorical({ logits: t(logits) }), 1);
    expect(rowsOf.eventShape).toEqual([3]);
    const logSoftmax = (r: number, c: number) => {
      const row = Array.from(logits.v.subarray(r * 4, r * 4 + 4));
      return row[c] - Math.log(row.reduce((a, b) => a + Math.exp(b), 0));
    };
    expectClose(await rowsOf.logProb(labels).data(), [logSoftmax(0, 0) + logSoftmax(1, 3) + logSoftmax(2, 1), logSoftmax(3, 2) + logSoftmax(4, 2) + logSoftmax(5, 0)], tol, 'Independent Categorical');
    expect(() => d.logProb(tm.zeros([3, 5]))).toThrow(new tm.ShapeError('Independent.logProb: value [3,5] does not end with the event shape [4] (batch [3])'));
    expect(() => new D.Independent(base, 3)).toThrow(new tm.ValueError('Independent: reinterpretedBatchDims must be an integer in [0, 2] for Normal\'s batch shape [3,4], got 3'));
  });

  it('errors: a pair without a closed form (both classes named), batch shapes that do not broadcast, Independents of other axes, other class counts', () => {
    const normal = new D.Normal(tm.zeros([3]), 1);
    expect(() => tm.distributions.klDivergence(normal, new D.Cauchy(0, 1))).toThrow(new tm.ValueError('klDivergence: no closed form for Normal ‖ Cauchy'));
    expect(() => tm.distributions.klDivergence(new D.Categorical({ probs: tm.ones([4]) }), new D.OneHotCategorical({ probs: tm.ones([4]) })))
      .toThrow(new tm.ValueError('klDivergence: no closed form for Categorical ‖ OneHotCategorical'));
    expect(() => tm.distributions.klDivergence(normal, new D.Normal(tm.zeros([4]), 1)))
      .toThrow(new tm.ShapeError('klDivergence: the batch shapes [3] of p and [4] of q cannot be broadcast together'));
    const base = new D.Normal(tm.zeros([2, 3]), 1);
    expect(() => tm.distributions.klDivergence(new D.Independent(base, 1), new D.Independent(base, 2)))
      .toThrow(new tm.ShapeError('klDivergence: Independent of event shape [3] and Independent of event shape [2,3] differ'));
    expect(() => tm.distributions.klDivergence(new D.Categorical({ probs: tm.ones([4]) }), new D.Categorical({ probs: tm.ones([5]) })))
      .toThrow(new tm.ShapeError('klDivergence: Categorical of 4 classes and Categorical of 5 differ'));
    expect(() => tm.distributions.klDivergence(normal, tm.zeros([3]) as never)).toThrow(tm.ValueError);
    expect(() => tm.distributions.klDivergence(new D.TransformedDistribution(normal, new D.ExpTransform()), new D.TransformedDistribution(normal, new D.AffineTransform(0, 2))))
      .toThrow(new tm.ValueError('klDivergence: TransformedDistributions through different transforms have no closed form'));
  });
});
