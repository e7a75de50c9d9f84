// tm.distributions' composite and structural transforms on every backend:
// ComposeTransform (its event axes carried through parts that add axes,
// its log-determinant the parts' summed as PyTorch 1.13 sums them, checked
// against float64 and against torch's values at fixed points; the empty
// identity; its inverse; its sign), AbsTransform (no log-determinant),
// IndependentTransform and ReshapeTransform (log-determinants summed over
// the event, or 0, and the TransformedDistributions they make against sums
// of base log-densities), CatTransform and StackTransform (blocks and
// slices through their parts, against PyTorch's values), CumulativeDistributionTransform (Φ and log φ in
// float64; a Normal through its own cdf is Uniform(0, 1): log-density 0,
// draws uniform); TransformedDistribution's shapes through maps that change
// them, a base widened by an affine map's parameters, KL over event axes;
// flat memory and errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { asF32, expectClose, uniform } from '../helpers/data.js';
import { expectFractionBelow } from '../helpers/distributions.js';
import { collected } from '../helpers/gc.js';
import { jacobian64, logAbsDet64 } from '../helpers/jacobian.js';
import { normalLogPdf, normalCdf, stickBreaking64 } from '../helpers/transform_refs.js';

const D = tm.distributions;
const { Normal, TransformedDistribution, ComposeTransform, AbsTransform, IndependentTransform, ReshapeTransform, CumulativeDistributionTransform } = D;
const { ExpTransform, AffineTransform, StickBreakingTransform, CorrCholeskyTransform, TanhTransform, CatTransform, StackTransform } = D;

const rowsOf = (v: ArrayLike<number>, n: number) => Array.from({ length: v.length / n }, (_, r) => Array.from(v).slice(r * n, r * n + n));

describe.each(BACKENDS)('composite and structural transforms on %s', (backend) => {
  const tol = backend === 'webgpu' ? 1e-4 : 1e-5;

  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  afterAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it('ComposeTransform: affine, stick-breaking, affine over the vector: event axes 1 → 1, forward the chain, log-determinant the parts\' summed (float64 and PyTorch\'s)', async () => {
    const x = asF32(uniform(2 * 3, -2, 2));
    const scale = [1, 2, 3, 4];
    const parts = [new AffineTransform(0.5, 2), new StickBreakingTransform(), new AffineTransform(0, tm.tensor(scale), { eventDim: 1 })];
    const t = new ComposeTransform(parts);
    expect([t.domainEventDims, t.codomainEventDims, t.bijective]).toEqual([1, 1, true]);
    expect(t.parts).toEqual(parts);
    const tx = tm.tensor(x, [2, 3]);
    const y = t.forward(tx);
    const want = rowsOf(x, 3).flatMap((row) => stickBreaking64(row.map((v) => 0.5 + 2 * v)).map((v, i) => v * scale[i]));
    expectClose(await y.data(), want, tol, 'forward');
    // torch sums each part's term over the event axes it leaves: 3·log 2 (the first affine's, summed over the vector), the stick-breaking's, log 1·2·3·4.
    const lad = rowsOf(x, 3).map((row) => 3 * Math.LN2 + logAbsDet64(jacobian64((v) => stickBreaking64(v).slice(0, 3), row.map((v) => 0.5 + 2 * v)), 3) + Math.log(24));
    expectClose(await t.logAbsDetJacobian(tx, y).data(), lad, 1e-4, 'log |det|');
    expectClose(await t.inverse(y).data(), x, 1e-3, 'inverse', x.map((v) => Math.abs(v) + 1));
    expect(t.forwardShape([5, 3])).toEqual([5, 4]);
    expect(t.inverseShape([5, 4])).toEqual([5, 3]);
    // PyTorch 1.13: ComposeTransform([AffineTransform(0.5, 2.0), StickBreakingTransform(), AffineTransform(0., tensor([1., 2., 3., 4.]), event_dim=1)])
    // at x = [[0.3, −1.2, 2.5], [−0.7, 0.05, −3.0]] (float32 values, float64 torch).
    const fixed = tm.tensor([[0.3, -1.2, 2.5], [-0.7, 0.05, -3.0]]);
    const fy = t.forward(fixed);
    expectClose(await fy.data(), [0.5003469337, 0.0695324745, 1.3889840268, 0.0075686137, 0.1193487023, 0.8396658352, 0.0056267828, 1.8357711433], tol, 'torch forward');
    expectClose(await t.logAbsDetJacobian(fixed, fy).data(), [-5.8341461885, -4.7937683418], tol, 'torch log |det|');
  });

  it('ComposeTransform: a reshape into a correlation factor (event axes 2 → 2), and a TransformedDistribution through it, against PyTorch', async () => {
    // PyTorch 1.13: ComposeTransform([ReshapeTransform([2, 3], [6]), CorrCholeskyTransform()]), and a standard Normal [2, 3] through it, at L = CorrCholeskyTransform()(x).
    const t = new ComposeTransform([new ReshapeTransform([2, 3], [6]), new CorrCholeskyTransform()]);
    expect([t.domainEventDims, t.codomainEventDims]).toEqual([2, 2]);
    const x = tm.tensor([[0.4, -0.9, 1.3], [0.2, -2.1, 0.7]]);
    const l = t.forward(x);
    expect(l.shape).toEqual([4, 4]);
    expectClose(await t.logAbsDetJacobian(x, l).data(), [-7.3916168333], tol, 'log |det|');
    const d = new TransformedDistribution(new Normal(tm.zeros([2, 3]), 1), t);
    expect([d.batchShape, d.eventShape, d.reinterpretedBatchDims]).toEqual([[], [4, 4], 2]);
    expectClose(await d.logProb(l).data(), [-1.9220140768], tol, 'logProb');
    expect(d.sample([3]).shape).toEqual([3, 4, 4]);
  });

  it('ComposeTransform: exp then stick-breaking sums exp\'s term over the vector; no parts is the identity; its inverse and sign', async () => {
    const x = asF32(uniform(3 * 2, -1, 1));
    const t = new ComposeTransform([new ExpTransform(), new StickBreakingTransform()]);
    expect([t.domainEventDims, t.codomainEventDims]).toEqual([1, 1]);
    const tx = tm.tensor(x, [3, 2]);
    const y = t.forward(tx);
    const lad = rowsOf(x, 2).map((row) => row[0] + row[1] + logAbsDet64(jacobian64((v) => stickBreaking64(v).slice(0, 2), row.map(Math.exp)), 2));
    expectClose(await t.logAbsDetJacobian(tx, y).data(), lad, 1e-4, 'log |det|');
    const inv = t.inv;
    expect(inv).toBeInstanceOf(ComposeTransform);
    expect(inv.inv).toBe(t);
    expect((inv as InstanceType<typeof ComposeTransform>).parts.map((p) => p.name)).toEqual(['StickBreakingTransform.inv', 'ExpTransform.inv']);
    expectClose(await inv.forward(y).data(), await t.inverse(y).data(), 0, 'inv.forward');
    expectClose(await inv.logAbsDetJacobian(y, tx).data(), lad.map((v) => -v), 1e-4, 'inv log |det|');
    expect(inv.forwardShape([3, 3])).toEqual([3, 2]);
    expect(t.sameAs(new ComposeTransform([new ExpTransform(), new StickBreakingTransform()]))).toBe(true);
    expect(t.sameAs(new ComposeTransform([new ExpTransform()]))).toBe(false);

    const identity = new ComposeTransform([]);
    expect([identity.domainEventDims, identity.codomainEventDims, identity.sign()]).toEqual([0, 0, 1]);
    expectClose(await identity.forward(tx).data(), x, 0, 'identity');
    expectClose(await identity.inverse(tx).data(), x, 0, 'identity inverse');
    expectClose(await identity.logAbsDetJacobian(tx, tx).data(), new Array(6).fill(0), 0, 'identity log |det|');

    expect(new ComposeTransform([new AffineTransform(0, -2), new ExpTransform(), new AffineTransform(1, -0.5)]).sign()).toBe(1);
    expect(new ComposeTransform([new AffineTransform(0, -2), new TanhTransform()]).sign()).toBe(-1);
    const signs = new ComposeTransform([new AffineTransform(0, tm.tensor([2, -3])), new AffineTransform(0, -1)]).sign() as tm.Tensor;
    expect(Array.from(await signs.data())).toEqual([-1, 1]);
    expect(() => t.sign()).toThrow(new tm.ValueError('StickBreakingTransform: no sign (it is not a monotone map of one variable)'));
  });

  it('AbsTransform: |x|, its root y, not bijective: a TransformedDistribution through it samples but has no logProb', async () => {
    const x = asF32(uniform(8, -3, 3));
    const t = new AbsTransform();
    expectClose(await t.forward(tm.tensor(x)).data(), x.map(Math.abs), 0, 'forward');
    expectClose(await t.inverse(tm.tensor(x.map(Math.abs))).data(), x.map(Math.abs), 0, 'inverse');
    expect(t.bijective).toBe(false);
    expect(t.inv.bijective).toBe(false);
    expect(() => t.logAbsDetJacobian()).toThrow(new tm.ValueError('AbsTransform: not bijective (|x| = |−x|), so no log-determinant'));
    expect(() => t.sign()).toThrow(new tm.ValueError('AbsTransform: no sign (it is not a monotone map of one variable)'));
    const d = new TransformedDistribution(new Normal(0, 1), t);
    const draws = await d.sample([20000]).data();
    expect(draws.every((v) => v >= 0)).toBe(true);
    // |Z| ≤ 1 with probability 2Φ(1) − 1.
    expectFractionBelow(draws, 20000, [1], [2 * normalCdf(1) - 1], 'half-normal draws');
    expect(() => d.logProb(tm.tensor([0.5]))).toThrow(new tm.ValueError('AbsTransform: not bijective (|x| = |−x|), so no log-determinant'));
  });

  it('IndependentTransform: exp over a vector sums log |det| over it; a Normal through it has LogNormal\'s density summed over the vector', async () => {
    const loc = asF32(uniform(3 * 4, -1, 1));
    const t = new IndependentTransform(new ExpTransform(), 1);
    expect([t.domainEventDims, t.codomainEventDims, t.reinterpretedBatchDims, t.sign()]).toEqual([1, 1, 1, 1]);
    const x = asF32(uniform(3 * 4, -2, 2));
    const tx = tm.tensor(x, [3, 4]);
    const y = t.forward(tx);
    const lad = t.logAbsDetJacobian(tx, y);
    expect(lad.shape).toEqual([3]);
    expectClose(await lad.data(), rowsOf(x, 4).map((r) => r.reduce((a, b) => a + b, 0)), tol, 'log |det|', [5, 5, 5]);
    expectClose(await t.inverse(y).data(), x, 1e-5, 'inverse', x.map((v) => Math.abs(v) + 1));
    const d = new TransformedDistribution(new Normal(tm.tensor(loc, [3, 4]), 0.8), t);
    expect([d.batchShape, d.eventShape]).toEqual([[3], [4]]);
    const v = asF32(uniform(3 * 4, 0.1, 4));
    const want = rowsOf(v, 4).map((row, r) => row.reduce((s, yv, j) => s + normalLogPdf(Math.log(yv), loc[r * 4 + j], 0.8) - Math.log(yv), 0));
    expectClose(await d.logProb(tm.tensor(v, [3, 4])).data(), want, tol, 'logProb', want.map((w) => Math.abs(w) + 4));
    expect(t.sameAs(new IndependentTransform(new ExpTransform(), 1))).toBe(true);
    expect(t.sameAs(new IndependentTransform(new ExpTransform(), 2))).toBe(false);
    expect(() => new IndependentTransform(new ExpTransform(), 2).forward(tm.zeros([3]))).toThrow(new tm.ShapeError('IndependentTransform.forward: x [3] has fewer axes than the 2 an event spans'));
  });

  it('ReshapeTransform: events [2, 3] read as [6], log-determinant 0 per event; a Normal through it sums its density over the six', async () => {
    const t = new ReshapeTransform([2, 3], [6]);
    expect([t.domainEventDims, t.codomainEventDims]).toEqual([2, 1]);
    const x = asF32(uniform(5 * 6, -2, 2));
    const tx = tm.tensor(x, [5, 2, 3]);
    const y = t.forward(tx);
    expect(y.shape).toEqual([5, 6]);
    expectClose(await y.data(), x, 0, 'forward');
    expect(t.inverse(y).shape).toEqual([5, 2, 3]);
    const lad = t.logAbsDetJacobian(tx);
    expect(lad.shape).toEqual([5]);
    expectClose(await lad.data(), [0, 0, 0, 0, 0], 0, 'log |det|');
    expect([t.forwardShape([7, 2, 3]), t.inverseShape([7, 6]), t.inv.forwardShape([6])]).toEqual([[7, 6], [7, 2, 3], [2, 3]]);
    const loc = asF32(uniform(6, -1, 1));
    const d = new TransformedDistribution(new Normal(tm.tensor(loc, [2, 3]), 1.5), t);
    expect([d.batchShape, d.eventShape]).toEqual([[], [6]]);
    const want = rowsOf(x, 6).map((row) => row.reduce((s, v, j) => s + normalLogPdf(v, loc[j], 1.5), 0));
    expectClose(await d.logProb(tm.tensor(x, [5, 6])).data(), want, tol, 'logProb', want.map((w) => Math.abs(w) + 6));
    expect(d.sample([4]).shape).toEqual([4, 6]);
    expect(() => new ReshapeTransform([2, 3], [4])).toThrow(new tm.ShapeError('ReshapeTransform: inShape [2,3] holds 6 entries and outShape [4] 4; they must hold as many'));
    expect(() => t.forward(tm.zeros([3, 2]))).toThrow(new tm.ShapeError('ReshapeTransform.forward: x [3,2] does not end with the event shape [2,3]'));
    expect(() => t.forwardShape([3, 2])).toThrow(new tm.ShapeError('ReshapeTransform.forwardShape: shape [3,2] does not end with [2,3]'));
    expect(() => t.sign()).toThrow(new tm.ValueError('ReshapeTransform: no sign (it is not a monotone map of one variable)'));
  });

  it('CumulativeDistributionTransform: Φ and log φ in float64, icdf back; a Normal through its own cdf is Uniform(0, 1)', async () => {
    const [m, s] = [0.3, 1.7];
    const t = new CumulativeDistributionTransform(new Normal(m, s));
    const x = asF32(uniform(9, -4, 4));
    const tx = tm.tensor(x);
    const y = t.forward(tx);
    expectClose(await y.data(), x.map((v) => normalCdf((v - m) / s)), tol, 'forward');
    expectClose(await t.logAbsDetJacobian(tx, y).data(), x.map((v) => normalLogPdf(v, m, s)), tol, 'log |det|');
    expectClose(await t.inverse(y).data(), x, 1e-3, 'inverse', x.map((v) => Math.abs(v) + 1));
    expect(t.sign()).toBe(1);
    // PyTorch 1.13: CumulativeDistributionTransform(Normal(0.3, 1.7)) at [−1, 0.5, 2.2].
    const fixed = tm.tensor([-1, 0.5, 2.2]);
    expectClose(await t.forward(fixed).data(), [0.2222233556, 0.5468263378, 0.8681411169], tol, 'torch forward');
    expectClose(await t.logAbsDetJacobian(fixed, t.forward(fixed)).data(), [-1.7419543445, -1.4564872263, -2.0741342748], tol, 'torch log |det|');
    const base = new Normal(tm.tensor([m, m]), tm.tensor([s, s]));
    const u = new TransformedDistribution(base, new CumulativeDistributionTransform(base));
    const at = asF32(uniform(2 * 2, 0.05, 0.95));
    expectClose(await u.logProb(tm.tensor(at, [2, 2])).data(), [0, 0, 0, 0], 1e-4, 'uniform logProb');
    const draws = await u.sample([20000]).data();
    expect(draws.every((v) => v >= 0 && v <= 1)).toBe(true);
    expectFractionBelow(draws, 20000, [0.3, 0.8], [0.3, 0.8], 'uniform draws');
    expect(() => new CumulativeDistributionTransform(new D.MultivariateNormal(tm.zeros([2]), { covariance: tm.eye(2) })))
      .toThrow(new tm.ValueError('CumulativeDistributionTransform: needs a distribution of scalar events (a cdf), got MultivariateNormal of event shape [2]'));
  });

  it('TransformedDistribution: an affine map with wider parameters widens the batch (base drawn for it); KL through a map over a vector sums over it', async () => {
    const loc = asF32(uniform(2 * 3, -1, 1));
    const d = new TransformedDistribution(new Normal(tm.zeros([3]), 1), new AffineTransform(tm.tensor(loc, [2, 3]), 2));
    expect([d.batchShape, d.eventShape]).toEqual([[2, 3], []]);
    const draws = d.sample([4000]);
    expect(draws.shape).toEqual([4000, 2, 3]);
    const v = asF32(uniform(6, -3, 3));
    expectClose(await d.logProb(tm.tensor(v, [2, 3])).data(), Array.from(v, (x, i) => normalLogPdf(x, loc[i], 2)), tol, 'logProb');
    expect(() => new TransformedDistribution(new Normal(tm.zeros([1, 3]), 1), new AffineTransform(tm.tensor(loc, [2, 3]), 2)))
      .toThrow(new tm.ValueError("TransformedDistribution: the transforms widen Normal's axes [1,3] to [2,3]; give Normal parameters of that shape"));

    const [pl, ql] = [asF32(uniform(3 * 4, -1, 1)), asF32(uniform(3 * 4, -1, 1))];
    const map = new AffineTransform(1, tm.tensor(asF32(uniform(4, 0.5, 2))), { eventDim: 1 });
    const p = new TransformedDistribution(new Normal(tm.tensor(pl, [3, 4]), 0.7), map);
    const q = new TransformedDistribution(new Normal(tm.tensor(ql, [3, 4]), 1.1), map);
    expect(p.reinterpretedBatchDims).toBe(1);
    const kl = D.klDivergence(p, q);
    expect(kl.shape).toEqual([3]);
    const normalKl = (a: number, b: number) => Math.log(1.1 / 0.7) + (0.7 ** 2 + (a - b) ** 2) / (2 * 1.1 ** 2) - 0.5;
    expectClose(await kl.data(), rowsOf(pl, 4).map((row, r) => row.reduce((s, a, j) => s + normalKl(a, ql[r * 4 + j]), 0)), tol, 'KL', [5, 5, 5]);
  });

  it('CatTransform and StackTransform: blocks and slices through their parts, log-determinants concatenated or summed as PyTorch\'s (float64 and torch\'s values)', async () => {
    // PyTorch 1.13 at x = [[0.3, −1.2, 2.5, 0.4, −0.6], [−0.7, 0.05, −3.0, 1.1, 0.9]] (float32 values, float64 torch):
    // CatTransform([ExpTransform(), AffineTransform(1., −3.)], dim=1, lengths=[2, 3]);
    // CatTransform([IndependentTransform(ExpTransform(), 1), AffineTransform(0., 2.)], dim=−1, lengths=[2, 3]);
    // StackTransform([ExpTransform(), TanhTransform()], dim=0).
    const rows = [[0.3, -1.2, 2.5, 0.4, -0.6], [-0.7, 0.05, -3.0, 1.1, 0.9]];
    const x = tm.tensor(rows);
    const c1 = new CatTransform([new ExpTransform(), new AffineTransform(1, -3)], { axis: 1, lengths: [2, 3] });
    expect([c1.domainEventDims, c1.codomainEventDims]).toEqual([0, 0]);
    const y1 = c1.forward(x);
    expectClose(await y1.data(), [1.3498588237, 0.3011941976, -6.5, -0.2000000179, 2.8000000715, 0.4965853097, 1.0512710972, 10.0, -2.3000000715, -1.6999999285], tol, 'cat forward');
    expectClose(await c1.logAbsDetJacobian(x, y1).data(), [0.3, -1.2, Math.log(3), Math.log(3), Math.log(3), -0.7, 0.05, Math.log(3), Math.log(3), Math.log(3)].map(Math.fround), tol, 'cat log |det| (concatenated)');
    expectClose(await c1.inverse(y1).data(), rows.flat().map(Math.fround), 1e-5, 'cat inverse', rows.flat().map((v) => Math.abs(v) + 1));
    expectClose(await c1.inv.forward(y1).data(), await c1.inverse(y1).data(), 0, 'cat inv');
    const c2 = new CatTransform([new IndependentTransform(new ExpTransform(), 1), new AffineTransform(0, 2)], { axis: -1, lengths: [2, 3] });
    expect(c2.domainEventDims).toBe(1);
    const y2 = c2.forward(x);
    const lad2 = c2.logAbsDetJacobian(x, y2);
    expect(lad2.shape).toEqual([2]);
    expectClose(await lad2.data(), [1.1794415059, 1.4294415543], tol, 'cat log |det| (summed inside the event)');
    const s1 = new StackTransform([new ExpTransform(), new TanhTransform()]);
    const y3 = s1.forward(x);
    expectClose(await y3.data(), [...rows[0].map((v) => Math.exp(Math.fround(v))), ...rows[1].map((v) => Math.tanh(Math.fround(v)))], tol, 'stack forward');
    expectClose(await s1.logAbsDetJacobian(x, y3).data(), [0.3000000119, -1.2000000477, 2.5, 0.400000006, -0.6000000238, -0.4545404443, -0.0024989591, -4.6186570092, -1.0238723166, -0.7196608258], tol, 'stack log |det|');
    expectClose(await s1.inverse(y3).data(), rows.flat().map(Math.fround), 1e-4, 'stack inverse', rows.flat().map((v) => Math.abs(v) + 1));
    // A Normal through a stack: exp of the first row, tanh of the second, densities of each.
    const d = new TransformedDistribution(new Normal(tm.zeros([2, 3]), 1), new StackTransform([new ExpTransform(), new TanhTransform()]));
    const v = [[0.5, 1.5, 2.5], [-0.5, 0.2, 0.9]];
    const want = [...v[0].map((e) => normalLogPdf(Math.log(Math.fround(e)), 0, 1) - Math.log(Math.fround(e))), ...v[1].map((t) => normalLogPdf(Math.atanh(Math.fround(t)), 0, 1) - Math.log1p(-(Math.fround(t) ** 2)))];
    expectClose(await d.logProb(tm.tensor(v)).data(), want, 1e-4, 'stacked logProb', want.map((w) => Math.abs(w) + 1));
    expect(() => c1.forward(tm.zeros([2, 4]))).toThrow(new tm.ShapeError('CatTransform.forward: x [2,4] has 4 entries along axis 1; the lengths [2,3] sum to 5'));
    expect(() => s1.forward(tm.zeros([3, 5]))).toThrow(new tm.ShapeError('StackTransform.forward: x [3,5] has 3 slices along axis 0, for 2 parts'));
    expect(() => new StackTransform([new IndependentTransform(new ExpTransform(), 1)], { axis: -1 }).forward(tm.zeros([2, 1])))
      .toThrow(new tm.ShapeError("StackTransform.forward: axis -1 of x [2,1] falls inside the parts' events of 1 axes; stack along a batch axis"));
    expect(() => new CatTransform([new ExpTransform()], { lengths: [1, 2] })).toThrow(new tm.ValueError('CatTransform: lengths must hold a positive integer for each of the 1 parts, got [1, 2]'));
    expect(() => new CatTransform([new ExpTransform()], { axis: 0.5 })).toThrow(new tm.ValueError('CatTransform: axis must be an integer, got 0.5'));
    expect(() => new StackTransform([new CorrCholeskyTransform()])).toThrow(new tm.ValueError('StackTransform: parts[0], CorrCholeskyTransform, maps events of 1 axes to 2; each part must keep its event\'s axes'));
  });

  it('memory stays flat; errors name the problem', async () => {
    const x = tm.tensor([[0.3, -0.2, 0.1]]);
    const before = await collected();
    const c = new ComposeTransform([new ExpTransform(), new StickBreakingTransform()]);
    const i = new IndependentTransform(new ExpTransform(), 1);
    const r = new ReshapeTransform([3], [1, 3]);
    const base = new Normal(0, 1);
    const cdf = new CumulativeDistributionTransform(base);
    const y = c.forward(x);
    const results = [y, c.inverse(y), c.logAbsDetJacobian(x, y), c.inv.forward(y), i.forward(x), i.logAbsDetJacobian(x, x), r.forward(x), r.logAbsDetJacobian(x), cdf.forward(x), cdf.logAbsDetJacobian(x)];
    for (const t of results) t.dispose();
    base.dispose();
    expect(tm.memory().numTensors).toBe(before);
    expect(() => new ComposeTransform([new ExpTransform(), 'exp' as unknown as tm.distributions.Transform])).toThrow(new tm.ValueError('ComposeTransform: parts[1] must be a transform, got "exp"'));
    expect(() => new ComposeTransform(new ExpTransform() as unknown as tm.distributions.Transform[])).toThrow(tm.ValueError);
    expect(() => new IndependentTransform(new ExpTransform(), -1)).toThrow(new tm.ValueError('IndependentTransform: reinterpretedBatchDims must be an integer ≥ 0, got -1'));
    expect(() => new CumulativeDistributionTransform(x as unknown as tm.distributions.Distribution)).toThrow(tm.ValueError);
    expect(() => new TransformedDistribution(new Normal(tm.zeros([3]), 1), [new ExpTransform(), new CorrCholeskyTransform(), new IndependentTransform(new ExpTransform(), 3)]))
      .toThrow(new tm.ValueError("TransformedDistribution: IndependentTransform spans 2 axes, more than Normal's 1"));
  });
});
