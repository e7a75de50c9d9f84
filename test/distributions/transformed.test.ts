// tm.distributions' transforms and TransformedDistribution against float64
// on every backend: each map's forward, inverse and log-determinant (the log
// of its derivative written here), at large |x| too, and its inverse map;
// a Normal through exp, an affine map (a decreasing one included: cdf
// flipped), a chain and tanh (a squashed Gaussian policy) against the
// densities those make in closed form; rsample's gradient through tanh;
// event axes an affine map spans; flat memory; and errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { asF32, expectClose, uniform } from '../helpers/data.js';
import { broadcastMap, expectFractionBelow } from '../helpers/distributions.js';
import { erfRef } from '../helpers/float64.js';
import { erfcRef } from '../helpers/special.js';
import { collected } from '../helpers/gc.js';

const { Normal, LogNormal, TransformedDistribution, ExpTransform, SigmoidTransform, TanhTransform, SoftplusTransform, PowerTransform, AffineTransform } = tm.distributions;

const LOG_2PI = Math.log(2 * Math.PI);
const normalLogPdf = (x: number, m: number, s: number) => -0.5 * ((x - m) / s) ** 2 - Math.log(s) - 0.5 * LOG_2PI;
const normalCdf = (z: number) => (z < 0 ? 0.5 * erfcRef(-z / Math.SQRT2) : 0.5 * (1 + erfRef(z / Math.SQRT2)));
const softplus = (x: number) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));

interface MapSpec {
  name: string;
  make: () => tm.distributions.Transform;
  /** Where x is drawn. */
  domain: [number, number];
  /** Points of the domain where a naive formula would round (|x| large). */
  extremes: number[];
  f: (x: number) => number;
  /** log |f′(x)|. */
  logDerivative: (x: number) => number;
  sign: number;
}

const MAPS: MapSpec[] = [
  { name: 'exp', make: () => new ExpTransform(), domain: [-3, 3], extremes: [-20, 20], f: Math.exp, logDerivative: (x) => x, sign: 1 },
  { name: 'sigmoid', make: () => new SigmoidTransform(), domain: [-5, 5], extremes: [-30, 30], f: (x) => 1 / (1 + Math.exp(-x)), logDerivative: (x) => -softplus(-x) - softplus(x), sign: 1 },
  { name: 'tanh', make: () => new TanhTransform(), domain: [-3, 3], extremes: [-30, 30], f: Math.tanh, logDerivative: (x) => 2 * (Math.LN2 - x - softplus(-2 * x)), sign: 1 },
  { name: 'softplus', make: () => new SoftplusTransform(), domain: [-4, 4], extremes: [-30, 40], f: softplus, logDerivative: (x) => -softplus(-x), sign: 1 },
  { name: 'power 2.5', make: () => new PowerTransform(2.5), domain: [0.2, 3], extremes: [1e-3, 50], f: (x) => x ** 2.5, logDerivative: (x) => Math.log(2.5 * x ** 1.5), sign: 1 },
  { name: 'power −1.5', make: () => new PowerTransform(-1.5), domain: [0.2, 3], extremes: [1e-2, 50], f: (x) => x ** -1.5, logDerivative: (x) => Math.log(1.5 * x ** -2.5), sign: -1 },
  { name: 'affine', make: () => new AffineTransform(0.7, -2.5), domain: [-3, 3], extremes: [-1e4, 1e4], f: (x) => 0.7 - 2.5 * x, logDerivative: () => Math.log(2.5), sign: -1 },
];

describe.each(BACKENDS)('transformed distributions on %s', (backend) => {
  const tol = backend === 'webgpu' ? 1e-4 : 1e-5;

  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  afterAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it.each(MAPS)('$name: forward, inverse, log |f′| (at large |x| too) and its inverse map', async ({ make, domain, extremes, f, logDerivative, sign }) => {
    const x = Array.from(asF32(uniform(9, ...domain))).concat(extremes.map(Math.fround));
    const t = make();
    const tx = tm.tensor(x);
    const y = t.forward(tx);
    expectClose(await y.data(), x.map(f), tol, 'forward');
    const back = await t.inverse(tm.tensor(x.slice(0, 9).map(f))).data();
    expectClose(back.slice(0, 9), x.slice(0, 9), 1e-3, 'inverse', x.slice(0, 9).map((v) => Math.abs(v) + 1));
    const want = x.map(logDerivative);
    expectClose(await t.logAbsDetJacobian(tx, y).data(), want, tol, 'log |f′|', want.map((v) => Math.abs(v) + 1));
    expect(t.sign()).toBe(sign);
    // f⁻¹'s log-determinant at y is −log |f′(x)|, and its inverse is f again.
    expectClose(await t.inv.logAbsDetJacobian(y, tx).data(), want.map((v) => -v), tol, 'inv log |f′|', want.map((v) => Math.abs(v) + 1));
    expectClose(await t.inv.forward(y).data(), await t.inverse(y).data(), 0, 'inv.forward');
    expect(t.inv.inv).toBe(t);
  });

  it('Normal through exp is LogNormal: logProb, cdf, icdf and draws', async () => {
    const loc = asF32(uniform(4, -1, 1));
    const scale = asF32(uniform(4, 0.2, 0.8));
    const d = new TransformedDistribution(new Normal(tm.tensor(loc), tm.tensor(scale)), new ExpTransform());
    expect([d.batchShape, d.eventShape]).toEqual([[4], []]);
    const v = { v: asF32(uniform(3 * 4, 0.05, 5)), shape: [3, 4] };
    const p = { v: loc, shape: [4] };
    const s = { v: scale, shape: [4] };
    const want = broadcastMap([v, p, s], (x, m, sd) => normalLogPdf(Math.log(x), m, sd) - Math.log(x));
    expectClose(await d.logProb(tm.tensor(v.v, [3, 4])).data(), want.v, tol, 'logProb', want.v.map((w) => Math.abs(w) + 1));
    const cdf = broadcastMap([v, p, s], (x, m, sd) => normalCdf((Math.log(x) - m) / sd));
    expectClose(await d.cdf(tm.tensor(v.v, [3, 4])).data(), cdf.v, tol, 'cdf', cdf.v.map(() => 1));
    const q = tm.tensor(asF32(uniform(4, 0.05, 0.95)));
    expectClose(await d.icdf(q).data(), await new LogNormal(tm.tensor(loc), tm.tensor(scale)).icdf(q).data(), tol, 'icdf');
    const draws = await d.sample([20000]).data();
    expectFractionBelow(draws, 20000, loc.map(Math.exp), new Array(4).fill(0.5), 'sample: half below the median e^loc');
  });

  it('an affine map of either sign: logProb, cdf (flipped where it decreases) and icdf match the Normal it makes', async () => {
    const loc = asF32(uniform(5, -1, 1));
    const scale = asF32(uniform(5, 0.3, 2));
    const a = asF32(uniform(5, -2, 2));
    const b = asF32(uniform(5, 0.5, 2)).map((v, i) => (i % 2 === 0 ? -v : v));
    const d = new TransformedDistribution(new Normal(tm.tensor(loc), tm.tensor(scale)), new AffineTransform(tm.tensor(a), tm.tensor(b)));
    const value = { v: asF32(uniform(2 * 5, -4, 4)), shape: [2, 5] };
    const mean = loc.map((m, i) => a[i] + b[i] * m);
    const sd = scale.map((sc, i) => Math.abs(b[i]) * sc);
    const want = broadcastMap([value, { v: mean, shape: [5] }, { v: sd, shape: [5] }], normalLogPdf);
    expectClose(await d.logProb(tm.tensor(value.v, [2, 5])).data(), want.v, tol, 'logProb', want.v.map((w) => Math.abs(w) + 1));
    const cdf = broadcastMap([value, { v: mean, shape: [5] }, { v: sd, shape: [5] }], (x, m, s) => normalCdf((x - m) / s));
    expectClose(await d.cdf(tm.tensor(value.v, [2, 5])).data(), cdf.v, tol, 'cdf', cdf.v.map(() => 1));
    const q = asF32(uniform(5, 0.05, 0.95));
    const x = d.icdf(tm.tensor(q));
    expectClose(await d.cdf(x).data(), q, 1e-4, 'cdf(icdf(q))');
  });

  it('a chain (exp then square) and exp⁻¹ of a LogNormal: the densities of LogNormal(2μ, 2σ) and of the Normal back', async () => {
    const loc = asF32(uniform(3, -0.5, 0.5));
    const scale = asF32(uniform(3, 0.2, 0.5));
    const base = new Normal(tm.tensor(loc), tm.tensor(scale));
    const chained = new TransformedDistribution(base, [new ExpTransform(), new PowerTransform(2)]);
    const value = { v: asF32(uniform(2 * 3, 0.1, 4)), shape: [2, 3] };
    const want = broadcastMap([value, { v: loc, shape: [3] }, { v: scale, shape: [3] }], (y, m, s) => normalLogPdf(Math.log(y), 2 * m, 2 * s) - Math.log(y));
    expectClose(await chained.logProb(tm.tensor(value.v, [2, 3])).data(), want.v, tol, 'chain logProb', want.v.map((w) => Math.abs(w) + 1));
    const back = new TransformedDistribution(new LogNormal(tm.tensor(loc), tm.tensor(scale)), new ExpTransform().inv);
    const x = tm.tensor(asF32(uniform(6, -2, 2)), [2, 3]);
    expectClose(await back.logProb(x).data(), await base.logProb(x).data(), tol, 'exp⁻¹ of a LogNormal');
  });

  it('a tanh-squashed Normal: logProb log N(atanh y) − log(1 − y²), draws inside (−1, 1), rsample gradient (1 − y²) to loc', async () => {
    const loc = tm.tensor(asF32(uniform(4, -1, 1)), [4]);
    loc.requiresGrad = true;
    const scale = asF32(uniform(4, 0.3, 1.2));
    const d = new TransformedDistribution(new Normal(loc, tm.tensor(scale)), new TanhTransform());
    const locs = Array.from(await loc.data());
    const value = { v: asF32(uniform(3 * 4, -0.97, 0.97)), shape: [3, 4] };
    const want = broadcastMap([value, { v: locs, shape: [4] }, { v: scale, shape: [4] }], (y, m, s) => normalLogPdf(Math.atanh(y), m, s) - Math.log1p(-y * y));
    expectClose(await d.logProb(tm.tensor(value.v, [3, 4])).data(), want.v, 1e-4, 'logProb', want.v.map((w) => Math.abs(w) + 1));
    const y = d.rsample([500]);
    y.sum().backward();
    const ys = await y.data();
    expect(ys.every((v) => v > -1 && v < 1)).toBe(true);
    const want2 = [0, 1, 2, 3].map((j) => {
      let total = 0;
      for (let i = 0; i < 500; i++) total += 1 - ys[i * 4 + j] ** 2;
      return total;
    });
    expectClose(await loc.grad!.data(), want2, 1e-4, 'gradient', want2.map((w) => w + 1));
  });

  it('an affine map over a vector (eventDim 1) reads the last batch axis as the event: logProb sums over it', async () => {
    const base = new Normal(tm.tensor(asF32(uniform(12, -1, 1)), [3, 4]), 1.5);
    const scale = asF32(uniform(4, 0.5, 2));
    const d = new TransformedDistribution(base, new AffineTransform(0, tm.tensor(scale), { eventDim: 1 }));
    expect([d.batchShape, d.eventShape]).toEqual([[3], [4]]);
    const x = tm.tensor(asF32(uniform(12, -3, 3)), [3, 4]);
    const elementwise = new TransformedDistribution(base, new AffineTransform(0, tm.tensor(scale)));
    const got = d.logProb(x);
    expect(got.shape).toEqual([3]);
    expectClose(await got.data(), await elementwise.logProb(x).sum(-1).data(), tol, 'logProb over the event');
  });

  it('memory stays flat; mean and entropy are missing; errors name the problem', async () => {
    const loc = tm.tensor([0.5, -0.5]);
    const before = await collected();
    const base = new Normal(loc, 1);
    const d = new TransformedDistribution(base, [new AffineTransform(1, 2), new TanhTransform()]);
    const [value, p] = [tm.tensor([0.2, -0.3]), tm.tensor([0.3, 0.6])];
    const results = [d.sample([3]), d.rsample([3]), d.logProb(value), d.cdf(value), d.icdf(p)];
    for (const t of [...results, value, p]) t.dispose();
    base.dispose();
    expect(tm.memory().numTensors).toBe(before);
    expect(() => d.mean).toThrow(new tm.ValueError('TransformedDistribution: no mean in closed form'));
    expect(() => d.entropy()).toThrow(new tm.ValueError('TransformedDistribution: no entropy in closed form'));
    expect(() => new TransformedDistribution(loc as unknown as tm.distributions.Distribution, [])).toThrow(new tm.ValueError(`TransformedDistribution: base must be a distribution, got ${String(loc)}`));
    expect(() => new TransformedDistribution(base, [new ExpTransform(), 'tanh' as unknown as tm.distributions.Transform])).toThrow(new tm.ValueError('TransformedDistribution: transforms[1] must be a transform, got "tanh"'));
    expect(() => new TransformedDistribution(base, new AffineTransform(0, 1, { eventDim: 2 }))).toThrow(new tm.ValueError("TransformedDistribution: AffineTransform spans 2 axes, more than Normal's 1"));
    expect(() => new AffineTransform(0, Infinity)).toThrow(new tm.ValueError('AffineTransform: scale must be a tensor or a finite number, got Infinity'));
    expect(() => new PowerTransform('2' as unknown as number)).toThrow(new tm.ValueError('PowerTransform: exponent must be a Tensor, got string'));
  });
});
