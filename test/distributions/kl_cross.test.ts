// klDivergence across families (PyTorch's cross-family pairs) on every
// backend, against ∫ p·(log p − log q) by the midpoint rule in float64 on
// log-densities written here, at fresh random parameters: finite pairs, the
// pairs that are ∞ for some parameters (p's support leaving q's) and those
// that always are, and Bernoulli ‖ Poisson as a two-term sum.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { SEED, uniform } from '../helpers/data.js';
import { lgammaRef } from '../helpers/special.js';

const D = tm.distributions;
type Distribution = tm.distributions.Distribution;
type Density = (x: number) => number;

const LOG_2PI = Math.log(2 * Math.PI);
const softplus = (l: number) => (l > 0 ? l + Math.log1p(Math.exp(-l)) : Math.log1p(Math.exp(l)));
const f32 = Math.fround;
const draw = (lo: number, hi: number) => f32(uniform(1, lo, hi)[0]);

const normal = (m: number, s: number): Density => (x) => -0.5 * ((x - m) / s) ** 2 - Math.log(s) - 0.5 * LOG_2PI;
const exponential = (r: number): Density => (x) => (x < 0 ? -Infinity : Math.log(r) - r * x);
const gamma = (a: number, r: number): Density => (x) => a * Math.log(r) - lgammaRef(a) + (a - 1) * Math.log(x) - r * x;
const gumbel = (m: number, b: number): Density => (x) => -Math.log(b) - (x - m) / b - Math.exp(-(x - m) / b);
const laplace = (m: number, b: number): Density => (x) => -Math.log(2 * b) - Math.abs(x - m) / b;
const beta = (a: number, b: number): Density => (x) => (a - 1) * Math.log(x) + (b - 1) * Math.log1p(-x) - lgammaRef(a) - lgammaRef(b) + lgammaRef(a + b);
const continuousBernoulli = (l: number): Density => (x) => x * l - softplus(l) + Math.log(l / Math.tanh(l / 2));
const pareto = (s: number, alpha: number): Density => (x) => Math.log(alpha) + alpha * Math.log(s) - (alpha + 1) * Math.log(x);
const uniformDensity = (lo: number, hi: number): Density => () => -Math.log(hi - lo);

/** ∫ₐᵇ e^(log p)·(log p − log q) by the midpoint rule on 400,000 intervals (through x = a·eᵘ where `logScale`, for Pareto's tail). */
function klRef(logP: Density, logQ: Density, a: number, b: number, logScale = false): number {
  const n = 400000;
  const [lo, hi] = logScale ? [0, Math.log(b / a)] : [a, b];
  const h = (hi - lo) / n;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const u = lo + (i + 0.5) * h;
    const x = logScale ? a * Math.exp(u) : u;
    const lp = logP(x);
    if (lp === -Infinity) continue;
    sum += Math.exp(lp) * (lp - logQ(x)) * (logScale ? x : 1);
  }
  return sum * h;
}

interface Side {
  make: () => Distribution;
  log: Density;
  /** Where p's mass lies (to 1e-12), for p; unused for q. */
  range: [number, number];
  logScale?: boolean;
}

/** Each family at fresh random parameters (f32), with its float64 log-density and where its mass is. */
const families: Record<string, () => Side> = {
  Normal: () => { const [m, s] = [draw(-1, 1), draw(0.5, 2)]; return { make: () => new D.Normal(m, s), log: normal(m, s), range: [m - 14 * s, m + 14 * s] }; },
  Exponential: () => { const r = draw(0.5, 2); return { make: () => new D.Exponential(r), log: exponential(r), range: [0, 60 / r] }; },
  Gamma: () => { const [a, r] = [draw(1.5, 4), draw(0.5, 2)]; return { make: () => new D.Gamma(a, r), log: gamma(a, r), range: [0, (a + 80) / r] }; },
  Gumbel: () => { const [m, b] = [draw(-1, 1), draw(0.5, 2)]; return { make: () => new D.Gumbel(m, b), log: gumbel(m, b), range: [m - 5 * b, m + 60 * b] }; },
  Laplace: () => { const [m, b] = [draw(-1, 1), draw(0.5, 2)]; return { make: () => new D.Laplace(m, b), log: laplace(m, b), range: [m - 60 * b, m + 60 * b] }; },
  Beta: () => { const [a, b] = [draw(1.5, 4), draw(1.5, 4)]; return { make: () => new D.Beta(a, b), log: beta(a, b), range: [0, 1] }; },
  ContinuousBernoulli: () => { const l = draw(-3, 3); return { make: () => new D.ContinuousBernoulli({ logits: l }), log: continuousBernoulli(l), range: [0, 1] }; },
  Pareto: () => { const [s, alpha] = [draw(0.5, 2), draw(2.5, 5)]; return { make: () => new D.Pareto(s, alpha), log: pareto(s, alpha), range: [s, s * 1e7], logScale: true }; },
  Uniform: () => { const [lo, hi] = [draw(0.1, 0.4), draw(0.6, 0.9)]; return { make: () => new D.Uniform(lo, hi), log: uniformDensity(lo, hi), range: [lo, hi] }; },
  // A q wide enough for any p above: Uniform on [l, h] ⊃ [0, 1], Pareto of scale below the Uniform p's low.
  WideUniform: () => { const [lo, hi] = [draw(-1, 0), draw(1, 2)]; return { make: () => new D.Uniform(lo, hi), log: uniformDensity(lo, hi), range: [lo, hi] }; },
  LowPareto: () => { const [s, alpha] = [draw(0.01, 0.1), draw(0.5, 3)]; return { make: () => new D.Pareto(s, alpha), log: pareto(s, alpha), range: [s, 1] }; },
};

const FINITE: [string, string][] = [
  ...['Beta', 'ContinuousBernoulli', 'Exponential', 'Gamma', 'Gumbel', 'Laplace', 'Pareto', 'Uniform'].map((p): [string, string] => [p, 'Normal']),
  ...['Beta', 'ContinuousBernoulli', 'Gamma', 'Pareto', 'Uniform'].map((p): [string, string] => [p, 'Exponential']),
  ...['Beta', 'Exponential', 'Pareto', 'Uniform'].map((p): [string, string] => [p, 'Gamma']),
  ...['Normal', 'Exponential', 'Gamma', 'Uniform'].map((p): [string, string] => [p, 'Gumbel']),
  ['Normal', 'Laplace'], ['Beta', 'WideUniform'], ['ContinuousBernoulli', 'WideUniform'], ['Uniform', 'Beta'], ['Uniform', 'LowPareto'],
];

describe.each(BACKENDS)('klDivergence across families on %s', (backend) => {
  const tol = backend === 'webgpu' ? 1e-3 : 1e-4;

  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  afterAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it('every finite pair against ∫ p·(log p − log q), at fresh random parameters', async () => {
    const failures: string[] = [];
    for (const [pName, qName] of FINITE) {
      const [p, q] = [families[pName](), families[qName]()];
      const want = klRef(p.log, q.log, ...p.range, p.logScale);
      const got = (await D.klDivergence(p.make(), q.make()).data())[0];
      if (!(Math.abs(got - want) <= tol * (Math.abs(want) + 1))) failures.push(`${pName} ‖ ${qName}: got ${got}, want ${want}`);
    }
    expect(failures, `test seed ${SEED}`).toEqual([]);
  });

  it('∞ where p\'s support leaves q\'s: for some parameters (batched beside finite ones), and always', async () => {
    const low = tm.tensor([-0.5, 0.2]);
    const high = tm.tensor([0.5, 0.8]);
    const uniform = new D.Uniform(low, high);
    const finiteAt1 = (t: tm.Tensor) => t.data().then((v) => [v[0], Number.isFinite(v[1])]);
    expect(await finiteAt1(D.klDivergence(uniform, new D.Exponential(1)))).toEqual([Infinity, true]);
    expect(await finiteAt1(D.klDivergence(uniform, new D.Gamma(2, 1)))).toEqual([Infinity, true]);
    expect(await finiteAt1(D.klDivergence(uniform, new D.Beta(2, 2)))).toEqual([Infinity, true]);
    expect(await finiteAt1(D.klDivergence(new D.Uniform(tm.tensor([0.05, 0.5]), 0.9), new D.Pareto(0.1, 2)))).toEqual([Infinity, true]);
    expect(Array.from(await D.klDivergence(new D.Beta(2, 2), new D.Uniform(tm.tensor([0.1, 0]), tm.tensor([1, 1]))).data()).map(Number.isFinite)).toEqual([false, true]);
    expect(Array.from(await D.klDivergence(new D.Normal(tm.zeros([3]), 1), new D.Beta(2, 2)).data())).toEqual([Infinity, Infinity, Infinity]);
    expect(Array.from(await D.klDivergence(new D.Pareto(1, tm.tensor([1.5, 3])), new D.Normal(0, 1)).data()).map(Number.isFinite)).toEqual([false, true]);
    expect(Array.from(await D.klDivergence(new D.Poisson(2), new D.Bernoulli({ probs: 0.3 })).data())).toEqual([Infinity]);
  });

  it('Bernoulli ‖ Poisson is Σₖ₌₀,₁ p(k)·(log p(k) − log q(k))', async () => {
    const [p, rate] = [draw(0.1, 0.9), draw(0.2, 3)];
    const want = (1 - p) * (Math.log1p(-p) + rate) + p * (Math.log(p) - Math.log(rate) + rate);
    const got = (await D.klDivergence(new D.Bernoulli({ probs: p }), new D.Poisson(rate)).data())[0];
    expect(Math.abs(got - want), `got ${got}, want ${want} (test seed ${SEED})`).toBeLessThanOrEqual(tol * (Math.abs(want) + 1));
  });
});
