// tm.distributions' continuous scalar distributions (Normal, LogNormal,
// Uniform, Laplace, Exponential, Cauchy, Gumbel, Weibull, Pareto, HalfNormal,
// HalfCauchy, Kumaraswamy) against their closed forms computed
// here in float64, on fresh random parameters broadcast at several shapes, on
// every backend: logProb, cdf, icdf, entropy, mean and variance; the
// statistics of 20,000 draws (moments and quantiles within a few standard
// errors, and −mean logProb against the entropy); rsample's gradients
// against each draw's derivative in its parameters; seeded reproducibility;
// flat memory; and errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { asF32, expectClose, uniform } from '../helpers/data.js';
import { broadcastMap, expectFractionBelow, expectMoments, meanAndError } from '../helpers/distributions.js';
import { erfRef, roundF16, size } from '../helpers/float64.js';
import { digammaRef, erfcRef, erfinvRef, lgammaRef } from '../helpers/special.js';
import { collected } from '../helpers/gc.js';

const { Normal, LogNormal, Uniform, Laplace, Exponential, Cauchy, Gumbel, Weibull, Pareto, HalfNormal, HalfCauchy, Kumaraswamy } = tm.distributions;
const EULER_GAMMA = 0.5772156649015329;
type Distribution = tm.distributions.Distribution;

const LOG_2PI = Math.log(2 * Math.PI);
const normalCdf = (z: number) => (z < 0 ? 0.5 * erfcRef(-z / Math.SQRT2) : 0.5 * (1 + erfRef(z / Math.SQRT2)));
const normalIcdf = (q: number) => Math.SQRT2 * erfinvRef(2 * q - 1);

/** A distribution's closed forms in float64, p its parameters in the constructor's order. */
interface Spec {
  name: string;
  make: (...p: (tm.Tensor | number)[]) => Distribution;
  /** Each parameter's range for fresh draws. */
  ranges: [number, number][];
  /** Where values are drawn for logProb and cdf. */
  values: [number, number];
  logProb: (x: number, ...p: number[]) => number;
  cdf: (x: number, ...p: number[]) => number;
  icdf: (q: number, ...p: number[]) => number;
  entropy: (...p: number[]) => number;
  mean: (...p: number[]) => number;
  variance: (...p: number[]) => number;
  /** The derivative of an rsample draw x in each parameter, x given. */
  grads: (x: number, ...p: number[]) => number[];
  /** Its moments are finite (not Cauchy's). */
  moments: boolean;
}

const SPECS: Spec[] = [
  {
    name: 'Normal', make: (loc, scale) => new Normal(loc, scale), ranges: [[-2, 2], [0.3, 2]], values: [-4, 4],
    logProb: (x, m, s) => -0.5 * ((x - m) / s) ** 2 - Math.log(s) - 0.5 * LOG_2PI,
    cdf: (x, m, s) => normalCdf((x - m) / s),
    icdf: (q, m, s) => m + s * normalIcdf(q),
    entropy: (_m, s) => 0.5 + 0.5 * LOG_2PI + Math.log(s),
    mean: (m) => m, variance: (_m, s) => s * s,
    grads: (x, m, s) => [1, (x - m) / s], moments: true,
  },
  {
    name: 'LogNormal', make: (loc, scale) => new LogNormal(loc, scale), ranges: [[-1, 1], [0.2, 0.6]], values: [0.05, 5],
    logProb: (x, m, s) => -0.5 * ((Math.log(x) - m) / s) ** 2 - Math.log(s) - 0.5 * LOG_2PI - Math.log(x),
    cdf: (x, m, s) => normalCdf((Math.log(x) - m) / s),
    icdf: (q, m, s) => Math.exp(m + s * normalIcdf(q)),
    entropy: (m, s) => 0.5 + 0.5 * LOG_2PI + Math.log(s) + m,
    mean: (m, s) => Math.exp(m + (s * s) / 2), variance: (m, s) => Math.expm1(s * s) * Math.exp(2 * m + s * s),
    grads: (x, m, s) => [x, (x * (Math.log(x) - m)) / s], moments: true,
  },
  {
    name: 'Uniform', make: (low, high) => new Uniform(low, high), ranges: [[-2, -0.5], [0.5, 2]], values: [-2.5, 2.5],
    logProb: (x, l, h) => (x >= l && x < h ? -Math.log(h - l) : -Infinity),
    cdf: (x, l, h) => Math.min(Math.max((x - l) / (h - l), 0), 1),
    icdf: (q, l, h) => l + q * (h - l),
    entropy: (l, h) => Math.log(h - l),
    mean: (l, h) => (l + h) / 2, variance: (l, h) => (h - l) ** 2 / 12,
    grads: (x, l, h) => [(h - x) / (h - l), (x - l) / (h - l)], moments: true,
  },
  {
    name: 'Laplace', make: (loc, scale) => new Laplace(loc, scale), ranges: [[-2, 2], [0.3, 2]], values: [-4, 4],
    logProb: (x, m, b) => -Math.abs(x - m) / b - Math.log(2 * b),
    cdf: (x, m, b) => (x < m ? 0.5 * Math.exp((x - m) / b) : 1 - 0.5 * Math.exp(-(x - m) / b)),
    icdf: (q, m, b) => (q < 0.5 ? m + b * Math.log(2 * q) : m - b * Math.log(2 - 2 * q)),
    entropy: (_m, b) => 1 + Math.log(2 * b),
    mean: (m) => m, variance: (_m, b) => 2 * b * b,
    grads: (x, m, b) => [1, (x - m) / b], moments: true,
  },
  {
    name: 'Exponential', make: (rate) => new Exponential(rate), ranges: [[0.3, 3]], values: [0.01, 4],
    logProb: (x, r) => Math.log(r) - r * x,
    cdf: (x, r) => -Math.expm1(-r * x),
    icdf: (q, r) => -Math.log1p(-q) / r,
    entropy: (r) => 1 - Math.log(r),
    mean: (r) => 1 / r, variance: (r) => 1 / (r * r),
    grads: (x, r) => [-x / r], moments: true,
  },
  {
    name: 'Cauchy', make: (loc, scale) => new Cauchy(loc, scale), ranges: [[-2, 2], [0.3, 2]], values: [-4, 4],
    logProb: (x, m, g) => -Math.log(Math.PI) - Math.log(g) - Math.log1p(((x - m) / g) ** 2),
    cdf: (x, m, g) => Math.atan((x - m) / g) / Math.PI + 0.5,
    icdf: (q, m, g) => m + g * Math.tan(Math.PI * (q - 0.5)),
    entropy: (_m, g) => Math.log(4 * Math.PI * g),
    mean: () => NaN, variance: () => Infinity,
    grads: (x, m, g) => [1, (x - m) / g], moments: false,
  },
  {
    name: 'Gumbel', make: (loc, scale) => new Gumbel(loc, scale), ranges: [[-2, 2], [0.3, 2]], values: [-3, 6],
    logProb: (x, m, b) => -((x - m) / b + Math.exp(-(x - m) / b)) - Math.log(b),
    cdf: (x, m, b) => Math.exp(-Math.exp(-(x - m) / b)),
    icdf: (q, m, b) => m - b * Math.log(-Math.log(q)),
    entropy: (_m, b) => Math.log(b) + 1 + EULER_GAMMA,
    mean: (m, b) => m + EULER_GAMMA * b, variance: (_m, b) => ((Math.PI * b) ** 2) / 6,
    grads: (x, m, b) => [1, (x - m) / b], moments: true,
  },
  {
    name: 'Weibull', make: (scale, k) => new Weibull(scale, k), ranges: [[0.5, 2], [0.8, 3]], values: [0.05, 4],
    logProb: (x, l, k) => Math.log(k / l) + (k - 1) * Math.log(x / l) - (x / l) ** k,
    cdf: (x, l, k) => -Math.expm1(-((x / l) ** k)),
    icdf: (q, l, k) => l * (-Math.log1p(-q)) ** (1 / k),
    entropy: (l, k) => EULER_GAMMA * (1 - 1 / k) + Math.log(l / k) + 1,
    mean: (l, k) => l * Math.exp(lgammaRef(1 + 1 / k)), variance: (l, k) => l * l * (Math.exp(lgammaRef(1 + 2 / k)) - Math.exp(2 * lgammaRef(1 + 1 / k))),
    grads: (x, l, k) => [x / l, (-x * Math.log(x / l)) / k], moments: true,
  },
  {
    name: 'Pareto', make: (scale, alpha) => new Pareto(scale, alpha), ranges: [[0.5, 2], [4.5, 6]], values: [2.05, 6],
    logProb: (x, m, a) => Math.log(a) + a * Math.log(m) - (a + 1) * Math.log(x),
    cdf: (x, m, a) => 1 - (m / x) ** a,
    icdf: (q, m, a) => m * (1 - q) ** (-1 / a),
    entropy: (m, a) => Math.log(m / a) + 1 / a + 1,
    mean: (m, a) => (a * m) / (a - 1), variance: (m, a) => (m * m * a) / ((a - 1) ** 2 * (a - 2)),
    grads: (x, m, a) => [x / m, (-x * Math.log(x / m)) / a], moments: true,
  },
  {
    name: 'HalfNormal', make: (scale) => new HalfNormal(scale), ranges: [[0.3, 2]], values: [0.01, 4],
    logProb: (x, s) => 0.5 * Math.log(2 / Math.PI) - Math.log(s) - (x * x) / (2 * s * s),
    cdf: (x, s) => erfRef(x / (s * Math.SQRT2)),
    icdf: (q, s) => s * Math.SQRT2 * erfinvRef(q),
    entropy: (s) => 0.5 * Math.log((Math.PI * s * s) / 2) + 0.5,
    mean: (s) => s * Math.sqrt(2 / Math.PI), variance: (s) => s * s * (1 - 2 / Math.PI),
    grads: (x, s) => [x / s], moments: true,
  },
  {
    name: 'HalfCauchy', make: (scale) => new HalfCauchy(scale), ranges: [[0.3, 2]], values: [0.01, 5],
    logProb: (x, s) => Math.log(2 / Math.PI) - Math.log(s) - Math.log1p((x / s) ** 2),
    cdf: (x, s) => (2 / Math.PI) * Math.atan(x / s),
    icdf: (q, s) => s * Math.tan((Math.PI * q) / 2),
    entropy: (s) => Math.log(2 * Math.PI * s),
    mean: () => Infinity, variance: () => Infinity,
    grads: (x, s) => [x / s], moments: false,
  },
  {
    name: 'Kumaraswamy', make: (a, b) => new Kumaraswamy(a, b), ranges: [[0.8, 3], [0.8, 3]], values: [0.02, 0.98],
    logProb: (x, a, b) => Math.log(a * b) + (a - 1) * Math.log(x) + (b - 1) * Math.log1p(-(x ** a)),
    cdf: (x, a, b) => 1 - (1 - x ** a) ** b,
    icdf: (q, a, b) => (1 - (1 - q) ** (1 / b)) ** (1 / a),
    entropy: (a, b) => 1 - 1 / b + (1 - 1 / a) * (digammaRef(b + 1) + EULER_GAMMA) - Math.log(a * b),
    mean: (a, b) => b * Math.exp(lgammaRef(1 + 1 / a) + lgammaRef(b) - lgammaRef(1 + 1 / a + b)),
    variance: (a, b) => {
      const m = (k: number) => b * Math.exp(lgammaRef(1 + k / a) + lgammaRef(b) - lgammaRef(1 + k / a + b));
      return m(2) - m(1) ** 2;
    },
    grads: (x, a, b) => {
      const w = 1 - x ** a;
      return [(-x * Math.log(x)) / a, (x * w * Math.log(w)) / (a * b * x ** a)];
    },
    moments: true,
  },
];

/** Parameter shapes ('number': given as a number) and the value's shape they meet in logProb and cdf. */
const CASES: { shapes: (number[] | 'number')[]; value: number[] }[] = [
  { shapes: [[7], [7]], value: [7] },
  { shapes: [[13, 1], [5]], value: [3, 1, 5] },
  { shapes: ['number', [6]], value: [2, 6] },
  { shapes: [[1], 'number'], value: [4] },
];

/** Fresh parameters of a case: f32 values (one for a number) and their shapes ([] for a number). */
function drawParameters(spec: Spec, shapes: (number[] | 'number')[]): { v: Float64Array; shape: number[]; given: 'number' | 'tensor' }[] {
  return spec.ranges.map(([lo, hi], i) => {
    const s = shapes[i];
    const shape = s === 'number' ? [] : s;
    return { v: asF32(uniform(size(shape), lo, hi)), shape, given: s === 'number' ? 'number' : 'tensor' };
  });
}

const tensorsOf = (params: ReturnType<typeof drawParameters>) => params.map((p) => (p.given === 'number' ? p.v[0] : tm.tensor(p.v, p.shape)));

describe.each(BACKENDS)('continuous distributions on %s', (backend) => {
  const tol = backend === 'webgpu' ? 1e-4 : 1e-5;

  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  afterAll(async () => {
    await tm.init({ backend: 'js' });
  });

  describe.each(SPECS)('$name', (spec) => {
    it.each(CASES)('logProb, cdf, icdf, entropy, mean, variance with parameters $shapes and values $value', async ({ shapes, value }) => {
      const params = drawParameters(spec, shapes);
      const d = spec.make(...tensorsOf(params));
      const batch = broadcastMap(params, () => 0).shape;
      expect(d.batchShape).toEqual(batch);
      expect(d.eventShape).toEqual([]);

      const x = asF32(uniform(size(value), ...spec.values));
      const q = asF32(uniform(size(value), 0.05, 0.95));
      const args = (v: Float64Array) => [{ v, shape: value }, ...params];
      for (const [member, ref, input, memberTol] of [
        ['logProb', spec.logProb, x, tol],
        ['cdf', spec.cdf, x, tol],
        ['icdf', spec.icdf, q, 10 * tol],
      ] as const) {
        const want = broadcastMap(args(input), ref);
        const got = d[member](tm.tensor(input, value));
        expect(got.shape, member).toEqual(want.shape);
        expectClose(await got.data(), want.v, memberTol, `${spec.name}.${member}`);
      }
      for (const member of ['entropy', 'mean', 'variance'] as const) {
        const want = broadcastMap(params, spec[member]);
        const got = member === 'entropy' ? d.entropy() : d[member];
        expect(got.shape, member).toEqual(batch);
        expectClose(await got.data(), want.v, tol, `${spec.name}.${member}`);
      }
      const stddev = d.stddev;
      expectClose(await stddev.data(), broadcastMap(params, (...p) => Math.sqrt(spec.variance(...p))).v, tol, `${spec.name}.stddev`);
    });

    it('20,000 draws: mean and variance, two quantiles and −mean logProb (the entropy) within 5 standard errors', async () => {
      const n = 20000;
      const params = drawParameters(spec, spec.ranges.map(() => [3]));
      const d = spec.make(...tensorsOf(params));
      const draws = d.sample([n]);
      expect(draws.shape).toEqual([n, 3]);
      const values = await draws.data();
      const at = (f: (...p: number[]) => number) => broadcastMap(params, f).v;
      if (spec.moments) expectMoments(values, n, at(spec.mean), at(spec.variance), `${spec.name}.sample`);
      for (const q of [0.3, 0.8]) expectFractionBelow(values, n, at((...p) => spec.icdf(q, ...p)), [q, q, q], `${spec.name}.sample`);
      // −log p(x) of the draws, per column: their mean is an estimate of the entropy (exact for a
      // Uniform's, whose density is constant: f32's rounding is the whole difference there).
      const logProb = await d.logProb(draws).data();
      const entropy = at(spec.entropy);
      for (let j = 0; j < 3; j++) {
        const { mean, error } = meanAndError(Float64Array.from({ length: n }, (_, i) => -logProb[i * 3 + j]));
        expect(Math.abs(mean - entropy[j]), `${spec.name}: −mean logProb ${mean} of column ${j}, entropy ${entropy[j]} ± 5·${error}`).toBeLessThanOrEqual(5 * error + tol * (Math.abs(entropy[j]) + 1));
      }
    });

    it('rsample: the gradient of Σ draws in each parameter is Σ ∂x/∂θ of the draws, a parameter of shape [1] summing over the batch', async () => {
      const n = 1000;
      const shapes = spec.ranges.map((_, i) => (i === 0 ? [3] : [1]));
      const params = drawParameters(spec, shapes);
      const leaves = params.map((p) => tm.tensor(p.v, p.shape));
      for (const t of leaves) t.requiresGrad = true;
      const d = spec.make(...leaves);
      const x = d.rsample([n]);
      expect(x.shape).toEqual([n, 3]);
      x.sum().backward();
      const values = await x.data();
      const want = params.map((p) => new Float64Array(size(p.shape)));
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < 3; j++) {
          const p = params.map((q) => q.v[q.shape[0] === 1 ? 0 : j]);
          spec.grads(values[i * 3 + j], ...p).forEach((g, k) => (want[k][params[k].shape[0] === 1 ? 0 : j] += g));
        }
      }
      const scale = want.map((w) => Float64Array.from(w, () => n));
      for (let k = 0; k < leaves.length; k++) expectClose(await leaves[k].grad!.data(), want[k], tol, `${spec.name} d/dθ${k}`, scale[k]);
    });

    it('sample: the same draws after the same tm.setSeed, other draws after another; no gradient', async () => {
      const params = drawParameters(spec, spec.ranges.map(() => [4]));
      const leaves = params.map((p) => tm.tensor(p.v, p.shape));
      for (const t of leaves) t.requiresGrad = true;
      const d = spec.make(...leaves);
      tm.setSeed(2024);
      const a = d.sample([5]);
      tm.setSeed(2024);
      const b = await d.sample([5]).data();
      tm.setSeed(2025);
      const c = await d.sample([5]).data();
      expect(Array.from(await a.data())).toEqual(Array.from(b));
      expect(Array.from(c)).not.toEqual(Array.from(b));
      expect(a.requiresGrad).toBe(false);
    });

    it('memory stays flat: the members free their intermediates, dispose the scalars made from numbers', async () => {
      const params = drawParameters(spec, spec.ranges.map((_, i) => (i === 0 ? [5] : 'number')));
      const tensors = params.map((p) => tm.tensor(p.v, p.shape));
      const before = await collected();
      const d = spec.make(...params.map((p, i) => (i === 0 ? tensors[0] : p.v[0])));
      const value = tm.tensor(asF32(uniform(5, ...spec.values)), [5]);
      const p = tm.fill([5], 0.4);
      const results = [d.sample([2]), d.rsample([2]), d.logProb(value), d.cdf(value), d.icdf(p), d.entropy(), d.mean, d.variance, d.stddev];
      expect(tm.memory().numTensors).toBe(before + spec.ranges.length - 1 + 2 + results.length);
      for (const t of [...results, value, p]) t.dispose();
      d.dispose();
      expect(tm.memory().numTensors).toBe(before);
      for (const t of tensors) expect(t.isDisposed).toBe(false);
    });
  });

  it('f16 parameters: draws, logProb and entropy in f16, within f16\'s rounding of the float64 values', async () => {
    const loc = Float64Array.from(uniform(6, -1, 1), roundF16);
    const scale = Float64Array.from(uniform(6, 0.5, 1.5), roundF16);
    for (const make of [(l: tm.Tensor, s: tm.Tensor) => new Normal(l, s), (l: tm.Tensor, s: tm.Tensor) => new Laplace(l, s)]) {
      const d = make(tm.tensor(loc, [6], { dtype: 'f16' }), tm.tensor(scale, [6], { dtype: 'f16' }));
      const x = d.sample([50]);
      expect(x.dtype).toBe('f16');
      expect((await x.data()).every(Number.isFinite)).toBe(true);
      const spec = SPECS.find((sp) => sp.name === d.name)!;
      const value = Float64Array.from(uniform(6, -2, 2), roundF16);
      const lp = d.logProb(tm.tensor(value, [6], { dtype: 'f16' }));
      expect(lp.dtype).toBe('f16');
      expectClose(await lp.data(), Float64Array.from(value, (v, i) => spec.logProb(v, loc[i], scale[i])), 1e-2, `${d.name} f16 logProb`);
      expectClose(await d.entropy().data(), Float64Array.from(scale, (s, i) => spec.entropy(loc[i], s)), 1e-2, `${d.name} f16 entropy`);
    }
  });

  it('errors: parameters that do not broadcast (both named), non-float ones, numbers that are not finite, a value of a wrong shape or dtype', () => {
    expect(() => new Normal(tm.zeros([3]), tm.ones([4]))).toThrow(new tm.ShapeError('Normal: loc [3] and scale [4] cannot be broadcast together'));
    expect(() => new Uniform(tm.zeros([2, 3]), tm.ones([5, 1, 2]))).toThrow(new tm.ShapeError('Uniform: low [2,3] and high [5,1,2] cannot be broadcast together'));
    expect(() => new Laplace(tm.zeros([3], { dtype: 'i32' }), 1)).toThrow(new tm.DTypeError('Laplace: loc must be f32 or f16, got i32'));
    expect(() => new Exponential(NaN)).toThrow(new tm.ValueError('Exponential: rate must be a tensor or a finite number, got NaN'));
    expect(() => new Cauchy(0, [1] as unknown as number)).toThrow(tm.ValueError);
    const d = new Normal(tm.zeros([3]), 1);
    expect(() => d.logProb(tm.zeros([4]))).toThrow(new tm.ShapeError('Normal.logProb: value [4] does not broadcast against the batch and event shape [3]'));
    expect(() => d.cdf(tm.zeros([3], { dtype: 'i32' }))).toThrow(new tm.DTypeError('Normal.cdf: value must be f32 or f16, got i32'));
    expect(() => d.sample([-1])).toThrow(tm.ShapeError);
    expect(() => new Exponential(1).sample([2.5])).toThrow(tm.ShapeError);
  });
});
