// tm.distributions.Gamma and Beta against float64 formulas written here (log Γ
// and ψ from test/helpers/special.ts's series), on fresh random parameters
// broadcast at several shapes, on every backend: logProb, entropy, mean,
// variance, mode, and Gamma's and Chi2's cdf (the incomplete gamma
// function); Marsaglia–Tsang's draws (concentrations below 1 among them) by
// their moments and −mean logProb within a few standard errors; seeded
// reproducibility; flat memory; and errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { asF32, expectClose, uniform } from '../helpers/data.js';
import { broadcastMap, expectFractionBelow, expectMoments, meanAndError } from '../helpers/distributions.js';
import { size } from '../helpers/float64.js';
import { betaincRef, betaincShapeDerivativesRef, digammaRef, gammaincShapeDerivativeRef, incompleteGammaRef, lgammaRef } from '../helpers/special.js';
import { collected } from '../helpers/gc.js';

const { Gamma, Beta } = tm.distributions;
type Distribution = tm.distributions.Distribution;

const logBeta = (a: number, b: number) => lgammaRef(a) + lgammaRef(b) - lgammaRef(a + b);

interface Spec {
  name: string;
  make: (a: tm.Tensor | number, b: tm.Tensor | number) => Distribution;
  ranges: [[number, number], [number, number]];
  values: [number, number];
  logProb: (x: number, a: number, b: number) => number;
  entropy: (a: number, b: number) => number;
  mean: (a: number, b: number) => number;
  variance: (a: number, b: number) => number;
}

const SPECS: Spec[] = [
  {
    name: 'Gamma', make: (a, b) => new Gamma(a, b), ranges: [[0.3, 5], [0.5, 3]], values: [0.05, 5],
    logProb: (x, a, b) => a * Math.log(b) + (a - 1) * Math.log(x) - b * x - lgammaRef(a),
    entropy: (a, b) => a - Math.log(b) + lgammaRef(a) + (1 - a) * digammaRef(a),
    mean: (a, b) => a / b, variance: (a, b) => a / (b * b),
  },
  {
    name: 'Beta', make: (a, b) => new Beta(a, b), ranges: [[0.4, 4], [0.4, 4]], values: [0.02, 0.98],
    logProb: (x, a, b) => (a - 1) * Math.log(x) + (b - 1) * Math.log1p(-x) - logBeta(a, b),
    entropy: (a, b) => logBeta(a, b) - (a - 1) * digammaRef(a) - (b - 1) * digammaRef(b) + (a + b - 2) * digammaRef(a + b),
    mean: (a, b) => a / (a + b), variance: (a, b) => (a * b) / ((a + b) ** 2 * (a + b + 1)),
  },
];

const spec0LogProb = SPECS[0].logProb;
const draw = (shape: number[], [lo, hi]: [number, number]) => ({ v: asF32(uniform(size(shape), lo, hi)), shape });

describe.each(BACKENDS)('Gamma and Beta on %s', (backend) => {
  const tol = backend === 'webgpu' ? 1e-4 : 1e-5;

  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  afterAll(async () => {
    await tm.init({ backend: 'js' });
  });

  describe.each(SPECS)('$name', (spec) => {
    it.each([
      { shapes: [[7], [7]], value: [7] },
      { shapes: [[13, 1], [5]], value: [3, 1, 5] },
      { shapes: [[1], [6]], value: [2, 6] },
    ])('logProb, entropy, mean, variance with parameters $shapes and values $value', async ({ shapes, value }) => {
      const params = [draw(shapes[0], spec.ranges[0]), draw(shapes[1], spec.ranges[1])];
      const d = spec.make(tm.tensor(params[0].v, params[0].shape), tm.tensor(params[1].v, params[1].shape));
      const x = { v: asF32(uniform(size(value), ...spec.values)), shape: value };
      const want = broadcastMap([x, ...params], spec.logProb);
      const got = d.logProb(tm.tensor(x.v, value));
      expect(got.shape).toEqual(want.shape);
      // lgamma in f32 carries a few ulp of log Γ's size: the scale is the sum of the terms' magnitudes.
      const scale = broadcastMap([x, ...params], (v, a, b) => Math.abs(spec.logProb(v, a, b)) + Math.abs(lgammaRef(a)) + Math.abs(lgammaRef(b)) + 1).v;
      expectClose(await got.data(), want.v, 10 * tol, 'logProb', scale);
      for (const member of ['entropy', 'mean', 'variance'] as const) {
        const ref = broadcastMap(params, spec[member]);
        const result = member === 'entropy' ? d.entropy() : d[member];
        expect(result.shape).toEqual(ref.shape);
        expectClose(await result.data(), ref.v, 10 * tol, member);
      }
    });

    it('20,000 draws of three parameter pairs (a concentration below 1 among them): mean, variance and −mean logProb within 5 standard errors', async () => {
      const n = 20000;
      const first = { v: Float64Array.from([0.45, Math.fround(uniform(1, 1, 3)[0]), 3.5].map(Math.fround)), shape: [3] };
      const second = draw([3], spec.ranges[1]);
      const d = spec.make(tm.tensor(first.v, [3]), tm.tensor(second.v, [3]));
      const x = d.sample([n]);
      expect(x.shape).toEqual([n, 3]);
      const values = await x.data();
      expect(values.every((v) => v > 0 && Number.isFinite(v) && (spec.name === 'Gamma' || v < 1))).toBe(true);
      const at = (f: (a: number, b: number) => number) => broadcastMap([first, second], f).v;
      expectMoments(values, n, at(spec.mean), at(spec.variance), `${spec.name}.sample`);
      const logProb = await d.logProb(x).data();
      const entropy = at(spec.entropy);
      for (let j = 0; j < 3; j++) {
        const { mean, error } = meanAndError(Float64Array.from({ length: n }, (_, i) => -logProb[i * 3 + j]));
        expect(Math.abs(mean - entropy[j]), `−mean logProb ${mean} of column ${j}, entropy ${entropy[j]} ± 5·${error}`).toBeLessThanOrEqual(5 * error + 10 * tol);
      }
    });

    it('sample: reproducible under tm.setSeed, no gradient (rsample\'s is test/distributions/gamma_rsample.test.ts\'s); memory flat', async () => {
      const a = tm.tensor(asF32(uniform(4, 0.5, 3)), [4]);
      a.requiresGrad = true;
      const d = spec.make(a, 1.5);
      tm.setSeed(99);
      const first = d.sample([3]);
      tm.setSeed(99);
      expect(Array.from(await d.sample([3]).data())).toEqual(Array.from(await first.data()));
      expect(first.requiresGrad).toBe(false);

      // Out of the graph: a graph's saved tensors live until its backward pass (or the collector).
      const plain = a.detach();
      const value = tm.tensor(asF32(uniform(4, ...spec.values)), [4]);
      const before = await collected();
      const e = spec.make(plain, 2);
      const results = [e.sample([2]), e.logProb(value), e.entropy(), e.mean, e.variance, e.stddev];
      for (const t of results) t.dispose();
      e.dispose();
      expect(tm.memory().numTensors).toBe(before);
    });
  });

  it('small concentrations: Gamma(0.05) draws stay positive, Beta(0.1, 0.1) draws inside (0, 1), their logProb finite', async () => {
    const gamma = new Gamma(0.05, 1).sample([5000]);
    expect((await gamma.data()).every((v) => v > 0)).toBe(true);
    const beta = new Beta(0.1, 0.1);
    const x = beta.sample([5000]);
    const values = await x.data();
    expect(values.every((v) => v > 0 && v < 1)).toBe(true);
    // Most of Beta(0.1, 0.1)'s mass is next to 0 and 1: the clamp is reached, not just allowed for.
    expect(values.some((v) => v < 1e-20 || v > 1 - 1e-6)).toBe(true);
    expect((await beta.logProb(x).data()).every(Number.isFinite)).toBe(true);
  });

  it('Gamma\'s cdf is P(α, βx) (the incomplete gamma function, float64 here), 0 at and below 0, with a finite gradient in x everywhere and ∂P/∂α in α', async () => {
    const a = { v: asF32(Float64Array.from([0.4, 1, 3.5, 12])), shape: [4] };
    const b = { v: asF32(uniform(4, 0.5, 3)), shape: [4] };
    const x = { v: asF32(uniform(3 * 4, 0.01, 8)).map((v, i) => (i < 2 ? -v : i < 4 ? 0 : v)), shape: [3, 4] };
    const value = tm.tensor(x.v, [3, 4]);
    value.requiresGrad = true;
    const concentration = tm.tensor(a.v, [4]);
    concentration.requiresGrad = true;
    const got = new Gamma(concentration, tm.tensor(b.v, [4])).cdf(value);
    const want = broadcastMap([x, a, b], (v, alpha, beta) => (v <= 0 ? 0 : incompleteGammaRef(alpha, beta * v)[0]));
    expectClose(await got.data(), want.v, 10 * tol, 'cdf', want.v.map(() => 1));
    got.sum().backward();
    const density = broadcastMap([x, a, b], (v, alpha, beta) => (v <= 0 ? 0 : Math.exp(spec0LogProb(v, alpha, beta))));
    expectClose(await value.grad!.data(), density.v, 10 * tol, 'd cdf/dx', density.v.map((d) => d + 1));
    // In α, ∂P/∂α (tm.special.gammainc's gradient in a) summed over the rows; 0 from the values at and below 0.
    const byShape = broadcastMap([x, a, b], (v, alpha, beta) => (v <= 0 ? 0 : gammaincShapeDerivativeRef(alpha, beta * v))).v;
    const summed = [0, 1, 2, 3].map((j) => byShape[j] + byShape[4 + j] + byShape[8 + j]);
    expectClose(await concentration.grad!.data(), summed, 10 * tol, 'd cdf/dα', summed.map((d) => Math.abs(d) + 1));
    concentration.dispose();
  });

  it('Beta\'s cdf is I_x(a, b) (the incomplete beta function, float64 here), 0 at and below 0 and 1 at and above 1, differentiable in a and b', async () => {
    const a = { v: asF32(Float64Array.from([0.4, 1, 3.5, 20])), shape: [4] };
    const b = { v: asF32(Float64Array.from([2, 0.6, 3.5, 9])), shape: [4] };
    const x = { v: asF32(uniform(3 * 4, 0.01, 0.99)).map((v, i) => (i === 0 ? -0.5 : i === 1 ? 0 : i === 2 ? 1 : i === 3 ? 1.5 : v)), shape: [3, 4] };
    const [ta, tb] = [tm.tensor(a.v, [4]), tm.tensor(b.v, [4])];
    ta.requiresGrad = true;
    tb.requiresGrad = true;
    const got = new Beta(ta, tb).cdf(tm.tensor(x.v, [3, 4]));
    const want = broadcastMap([x, a, b], (v, p, q) => (v <= 0 ? 0 : v >= 1 ? 1 : betaincRef(p, q, v)[0]));
    expectClose(await got.data(), want.v, 10 * tol, 'cdf', want.v.map(() => 1));
    // Its gradients in a and b, summed over the rows (0 from the values outside (0, 1)).
    got.sum().backward();
    for (const [k, t] of [[0, ta], [1, tb]] as const) {
      const each = broadcastMap([x, a, b], (v, p, q) => (v <= 0 || v >= 1 ? 0 : betaincShapeDerivativesRef(p, q, v)[k])).v;
      const summed = [0, 1, 2, 3].map((j) => each[j] + each[4 + j] + each[8 + j]);
      expectClose(await t.grad!.data(), summed, 10 * tol, `d cdf/d${k === 0 ? 'a' : 'b'}`, summed.map((d) => Math.abs(d) + 1));
      t.dispose();
    }
  });

  it('Gamma\'s mode is (α − 1)/β, 0 below α = 1; errors name the parameters', async () => {
    const d = new Gamma(tm.tensor([0.5, 3]), tm.tensor([2, 4]));
    expectClose(await d.mode.data(), [0, 0.5], tol, 'mode');
    expect(() => new Gamma(tm.ones([2]), tm.ones([3]))).toThrow(new tm.ShapeError('Gamma: concentration [2] and rate [3] cannot be broadcast together'));
    expect(() => new Beta(1, tm.ones([2], { dtype: 'i32' }))).toThrow(new tm.DTypeError('Beta: concentration0 must be f32 or f16, got i32'));
  });
});

describe.each(BACKENDS)('Chi2, StudentT and Dirichlet (drawn through Gamma) on %s', (backend) => {
  const tol = backend === 'webgpu' ? 1e-4 : 1e-5;
  const { Chi2, StudentT, Dirichlet } = tm.distributions;

  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  afterAll(async () => {
    await tm.init({ backend: 'js' });
  });

  const chi2LogProb = (x: number, k: number) => (k / 2 - 1) * Math.log(x) - x / 2 - (k / 2) * Math.LN2 - lgammaRef(k / 2);
  const studentLogProb = (x: number, nu: number, m: number, s: number) => {
    const y = (x - m) / s;
    return lgammaRef((nu + 1) / 2) - lgammaRef(nu / 2) - 0.5 * Math.log(nu * Math.PI) - Math.log(s) - ((nu + 1) / 2) * Math.log1p((y * y) / nu);
  };

  it('Chi2: logProb, entropy, mean, variance and mode; 20,000 draws by their moments and −mean logProb', async () => {
    const df = { v: asF32(Float64Array.from([0.7, 2, 5.5, 13])), shape: [4] };
    const d = new Chi2(tm.tensor(df.v, [4]));
    const x = { v: asF32(uniform(3 * 4, 0.05, 12)), shape: [3, 4] };
    const want = broadcastMap([x, df], chi2LogProb);
    expectClose(await d.logProb(tm.tensor(x.v, [3, 4])).data(), want.v, 10 * tol, 'logProb', want.v.map((v, i) => Math.abs(v) + Math.abs(lgammaRef(df.v[i % 4] / 2)) + 1));
    const entropy = Array.from(df.v, (k) => k / 2 + Math.LN2 + lgammaRef(k / 2) + (1 - k / 2) * digammaRef(k / 2));
    expectClose(await d.entropy().data(), entropy, 10 * tol, 'entropy');
    expectClose(await d.mean.data(), df.v, 0, 'mean');
    expectClose(await d.variance.data(), df.v.map((k) => 2 * k), 0, 'variance');
    expectClose(await d.mode.data(), df.v.map((k) => Math.max(k - 2, 0)), tol, 'mode');
    const cdf = broadcastMap([x, df], (v, k) => incompleteGammaRef(k / 2, v / 2)[0]);
    expectClose(await d.cdf(tm.tensor(x.v, [3, 4])).data(), cdf.v, 10 * tol, 'cdf', cdf.v.map(() => 1));
    const n = 20000;
    const draws = d.sample([n]);
    const values = await draws.data();
    expectMoments(values, n, df.v, df.v.map((k) => 2 * k), 'Chi2.sample');
    const logProb = await d.logProb(draws).data();
    for (let j = 0; j < 4; j++) {
      const { mean, error } = meanAndError(Float64Array.from({ length: n }, (_, i) => -logProb[i * 4 + j]));
      expect(Math.abs(mean - entropy[j]), `Chi2 column ${j}`).toBeLessThanOrEqual(5 * error + 10 * tol);
    }
  });

  it('StudentT: logProb, entropy, mean, variance (∞ and NaN for few degrees of freedom); 20,000 draws by a quantile, moments where finite, and −mean logProb', async () => {
    const nu = Float64Array.from([0.8, 1.5, 4, 9].map(Math.fround));
    const [loc, scale] = [asF32(uniform(4, -2, 2)), asF32(uniform(4, 0.5, 2))];
    const d = new StudentT(tm.tensor(nu), tm.tensor(loc), tm.tensor(scale));
    const x = asF32(uniform(4, -6, 6));
    expectClose(await d.logProb(tm.tensor(x)).data(), Array.from(x, (v, j) => studentLogProb(v, nu[j], loc[j], scale[j])), 10 * tol, 'logProb', Array.from(x, () => 5));
    const entropy = Array.from(nu, (v, j) => {
      const logBeta = lgammaRef(v / 2) + lgammaRef(0.5) - lgammaRef((v + 1) / 2);
      return Math.log(scale[j]) + ((v + 1) / 2) * (digammaRef((v + 1) / 2) - digammaRef(v / 2)) + 0.5 * Math.log(v) + logBeta;
    });
    expectClose(await d.entropy().data(), entropy, 10 * tol, 'entropy');
    expect(Array.from(await d.mean.data()).map((v, j) => (Number.isNaN(v) ? 'NaN' : Math.fround(v) === Math.fround(loc[j])))).toEqual(['NaN', true, true, true]);
    const variance = await d.variance.data();
    expect([Number.isNaN(variance[0]), variance[1]]).toEqual([true, Infinity]);
    // cdf: ½·I_z(ν/2, ½), z = ν/(ν + y²), below the location and its complement above.
    const at = Array.from(x).concat(loc[0], -40, 40);
    const cdf = at.map((v, i) => {
      const j = i % 4;
      const y = (v - loc[j]) / scale[j];
      const tail = 0.5 * (y === 0 ? 1 : betaincRef(nu[j] / 2, 0.5, nu[j] / (nu[j] + y * y))[0]);
      return y > 0 ? 1 - tail : tail;
    });
    const d7 = new StudentT(tm.tensor(nu), tm.tensor(loc), tm.tensor(scale));
    expectClose(await d7.cdf(tm.tensor(at.slice(0, 4))).data(), cdf.slice(0, 4), 10 * tol, 'cdf', [1, 1, 1, 1]);
    expectClose(await new StudentT(tm.tensor(Array.from(nu).slice(0, 3)), tm.tensor(Array.from(loc).slice(0, 3)), tm.tensor(Array.from(scale).slice(0, 3))).cdf(tm.tensor(at.slice(4))).data(), cdf.slice(4), 10 * tol, 'cdf at the location and far out', [1, cdf[5], 1]);
    expectClose(variance.slice(2), [2, 3].map((j) => (scale[j] ** 2 * nu[j]) / (nu[j] - 2)), tol, 'variance');
    const n = 20000;
    const draws = d.sample([n]);
    const values = await draws.data();
    // Half the draws fall below the location, whatever ν.
    expectFractionBelow(values, n, loc, [0.5, 0.5, 0.5, 0.5], 'StudentT.sample');
    const finite = Float64Array.from({ length: n }, (_, i) => values[i * 4 + 3]);
    expectMoments(finite, n, [loc[3]], [(scale[3] ** 2 * nu[3]) / (nu[3] - 2)], 'StudentT.sample, ν = 9');
    const logProb = await d.logProb(draws).data();
    for (let j = 0; j < 4; j++) {
      const { mean, error } = meanAndError(Float64Array.from({ length: n }, (_, i) => -logProb[i * 4 + j]));
      expect(Math.abs(mean - entropy[j]), `StudentT column ${j}`).toBeLessThanOrEqual(5 * error + 10 * tol);
    }
  });

  it('Dirichlet: event shape [K]; logProb, entropy, mean, variance and mode; 20,000 draws on the simplex by their moments', async () => {
    const alpha = Float64Array.from([0.6, 2, 3.5, 1.2, 4, 7].map(Math.fround));
    const d = new Dirichlet(tm.tensor(alpha, [2, 3]));
    expect([d.batchShape, d.eventShape]).toEqual([[2], [3]]);
    const raw = asF32(uniform(6, 0.1, 1));
    const x = Float64Array.from(raw, (v, i) => v / (raw[Math.floor(i / 3) * 3] + raw[Math.floor(i / 3) * 3 + 1] + raw[Math.floor(i / 3) * 3 + 2]));
    const rows = [0, 1].map((r) => Array.from(alpha.subarray(r * 3, r * 3 + 3)));
    const logProb = rows.map((a, r) => a.reduce((s, ak, k) => s + (ak - 1) * Math.log(x[r * 3 + k]) - lgammaRef(ak), 0) + lgammaRef(a.reduce((s, v) => s + v, 0)));
    expectClose(await d.logProb(tm.tensor(x, [2, 3])).data(), logProb, 10 * tol, 'logProb', [5, 5]);
    const entropy = rows.map((a) => {
      const a0 = a.reduce((s, v) => s + v, 0);
      return a.reduce((s, v) => s + lgammaRef(v), 0) - lgammaRef(a0) + (a0 - 3) * digammaRef(a0) - a.reduce((s, v) => s + (v - 1) * digammaRef(v), 0);
    });
    expectClose(await d.entropy().data(), entropy, 10 * tol, 'entropy');
    const mean = rows.flatMap((a) => a.map((v) => v / a.reduce((s, u) => s + u, 0)));
    const variance = rows.flatMap((a) => {
      const a0 = a.reduce((s, u) => s + u, 0);
      return a.map((v) => (v * (a0 - v)) / (a0 * a0 * (a0 + 1)));
    });
    expectClose(await d.mean.data(), mean, tol, 'mean');
    expectClose(await d.variance.data(), variance, tol, 'variance');
    const mode = await d.mode.data();
    expect(Array.from(mode.slice(0, 3)).every(Number.isNaN)).toBe(true);
    expectClose(mode.slice(3), [0.2 / 9.2, 3 / 9.2, 6 / 9.2], tol, 'mode');
    const n = 20000;
    const values = await d.sample([n]).data();
    for (let i = 0; i < n * 2; i++) expect(Math.abs(values[i * 3] + values[i * 3 + 1] + values[i * 3 + 2] - 1)).toBeLessThan(1e-5);
    expectMoments(values, n, mean, variance, 'Dirichlet.sample');
  });

  it('errors: a Dirichlet without a category axis, parameters that do not broadcast', () => {
    expect(() => new Dirichlet(2)).toThrow(new tm.ShapeError('Dirichlet: concentration must have a last axis of the K categories, got []'));
    expect(() => new StudentT(tm.ones([2]), tm.zeros([3]))).toThrow(new tm.ShapeError('StudentT: df [2] and loc [3] cannot be broadcast together'));
  });
});
