// tm.distributions' transforms of whole vectors and matrices on every
// backend: StickBreakingTransform and CorrCholeskyTransform against float64
// forwards written here (the stick broken share by share; each row of the
// factor a signed stick of its tanh's squares), their log-determinants
// against the log |det| of those forwards' central-difference Jacobians
// (of y's first K − 1 entries; of L's entries below the diagonal), round
// trips, gradients of forward against central differences, and PyTorch
// 1.13's own values at fixed points; SoftmaxTransform and
// LowerCholeskyTransform's forward and right inverse, and that neither has a
// log-determinant; shapes, inverse maps, flat memory and errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { asF32, expectClose, uniform } from '../helpers/data.js';
import { collected } from '../helpers/gc.js';
import { jacobian64, logAbsDet64 } from '../helpers/jacobian.js';
import { stickBreaking64 } from '../helpers/transform_refs.js';

const { StickBreakingTransform, SoftmaxTransform, LowerCholeskyTransform, CorrCholeskyTransform, ExpTransform } = tm.distributions;

/** L row by row: Lᵢⱼ = tanh(x)ᵢⱼ·√(what the row's earlier squares leave), the diagonal the rest. */
function corrCholesky64(x: readonly number[], d: number): number[] {
  const l = new Array<number>(d * d).fill(0);
  let k = 0;
  for (let i = 0; i < d; i++) {
    let left = 1;
    for (let j = 0; j < i; j++) {
      const r = Math.tanh(x[k++]);
      l[i * d + j] = r * Math.sqrt(left);
      left *= 1 - r * r;
    }
    l[i * d + i] = Math.sqrt(left);
  }
  return l;
}

/** L's entries below the diagonal, row by row. */
function belowDiagonal(l: readonly number[], d: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < d; i++) for (let j = 0; j < i; j++) out.push(l[i * d + j]);
  return out;
}

/** Rows of `count` vectors of length n. */
const rowsOf = (v: ArrayLike<number>, n: number) => Array.from({ length: v.length / n }, (_, r) => Array.from(v).slice(r * n, r * n + n));

describe.each(BACKENDS)('vector transforms on %s', (backend) => {
  const tol = backend === 'webgpu' ? 1e-4 : 1e-5;

  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  afterAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it('StickBreakingTransform: forward onto the simplex, inverse, log-determinant against float64 Jacobians of y\'s first K − 1 entries, its inverse map', async () => {
    const k = 5;
    const x = asF32(uniform(3 * (k - 1), -3, 3));
    const t = new StickBreakingTransform();
    expect([t.domainEventDims, t.codomainEventDims, t.eventDims, t.bijective]).toEqual([1, 1, 1, true]);
    const tx = tm.tensor(x, [3, k - 1]);
    const y = t.forward(tx);
    expect(y.shape).toEqual([3, k]);
    const want = rowsOf(x, k - 1).flatMap(stickBreaking64);
    expectClose(await y.data(), want, tol, 'forward');
    for (const row of rowsOf(await y.data(), k)) expect(Math.abs(row.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-5);
    const lad = rowsOf(x, k - 1).map((row) => logAbsDet64(jacobian64((v) => stickBreaking64(v).slice(0, k - 1), row), k - 1));
    const got = t.logAbsDetJacobian(tx, y);
    expect(got.shape).toEqual([3]);
    expectClose(await got.data(), lad, 1e-4, 'log |det|');
    expectClose(await t.inverse(y).data(), x, 1e-3, 'inverse(forward(x))', x.map((v) => Math.abs(v) + 1));
    // A point of the simplex back and forth.
    const raw = asF32(uniform(2 * k, 0.05, 1));
    const simplex = rowsOf(raw, k).flatMap((row) => row.map((v) => v / row.reduce((a, b) => a + b, 0)));
    const back = t.forward(t.inverse(tm.tensor(simplex, [2, k])));
    expectClose(await back.data(), simplex, 1e-4, 'forward(inverse(y))');
    expect([t.forwardShape([2, 4]), t.inverseShape([2, 5]), t.inv.forwardShape([2, 5]), t.inv.inverseShape([7])]).toEqual([[2, 5], [2, 4], [2, 4], [8]]);
    expectClose(await t.inv.logAbsDetJacobian(y, tx).data(), lad.map((v) => -v), 1e-4, 'inv log |det|');
    expect(() => t.sign()).toThrow(new tm.ValueError('StickBreakingTransform: no sign (it is not a monotone map of one variable)'));
  });

  it('StickBreakingTransform: PyTorch 1.13\'s values at a fixed point', async () => {
    // torch.distributions.transforms.StickBreakingTransform() at x = [[0.3, −1.2, 2.5], [−0.7, 0.05, −3.0]] (float32 values, float64 torch).
    const t = new StickBreakingTransform();
    const x = tm.tensor([[0.3, -1.2, 2.5], [-0.7, 0.05, -3.0]]);
    const y = t.forward(x);
    expectClose(await y.data(), [0.3103224446, 0.0902691646, 0.5539383612, 0.0454700296, 0.1420200755, 0.2956045097, 0.0266711451, 0.5357042697], tol, 'torch forward');
    expectClose(await t.logAbsDetJacobian(x, y).data(), [-7.2565064517, -7.4188657001], tol, 'torch log |det|');
  });

  it('StickBreakingTransform and CorrCholeskyTransform: forward\'s gradient against central differences of the float64 forward', async () => {
    for (const [name, n, out, f] of [
      ['stick-breaking', 4, 5, (v: readonly number[]) => stickBreaking64(v)],
      ['corr-cholesky', 6, 16, (v: readonly number[]) => corrCholesky64(v, 4)],
    ] as const) {
      const x0 = asF32(uniform(n, -1.5, 1.5));
      const w = asF32(uniform(out, -1, 1));
      const t = name === 'stick-breaking' ? new StickBreakingTransform() : new CorrCholeskyTransform();
      const x = tm.tensor(x0);
      x.requiresGrad = true;
      t.forward(x).reshape([out]).mul(tm.tensor(w)).sum().backward();
      const j = jacobian64(f, Array.from(x0));
      const want = Array.from({ length: n }, (_, c) => w.reduce((s, wi, r) => s + wi * j[r * n + c], 0));
      expectClose(await x.grad!.data(), want, 1e-4, `${name} gradient`, want.map(() => 1));
    }
  });

  it('CorrCholeskyTransform: forward a correlation matrix\'s factor, inverse, log-determinant against float64 Jacobians of the entries below the diagonal', async () => {
    for (const d of [2, 3, 5]) {
      const n = (d * (d - 1)) / 2;
      const x = asF32(uniform(2 * n, -2, 2));
      const t = new CorrCholeskyTransform();
      expect([t.domainEventDims, t.codomainEventDims]).toEqual([1, 2]);
      const tx = tm.tensor(x, [2, n]);
      const y = t.forward(tx);
      expect(y.shape).toEqual([2, d, d]);
      const want = rowsOf(x, n).flatMap((row) => corrCholesky64(row, d));
      const got = await y.data();
      expectClose(got, want, tol, `D = ${d} forward`);
      // Each row of unit length: L·Lᵀ has a unit diagonal.
      for (let i = 0; i < 2 * d; i++) expect(Math.abs(Array.from(got.subarray(i * d, i * d + d)).reduce((s, v) => s + v * v, 0) - 1)).toBeLessThan(1e-5);
      const lad = rowsOf(x, n).map((row) => logAbsDet64(jacobian64((v) => belowDiagonal(corrCholesky64(v, d), d), row), n));
      const ladGot = t.logAbsDetJacobian(tx, y);
      expect(ladGot.shape).toEqual([2]);
      expectClose(await ladGot.data(), lad, 1e-4, `D = ${d} log |det|`);
      expectClose(await t.inverse(y).data(), x, 1e-3, `D = ${d} inverse(forward(x))`, x.map((v) => Math.abs(v) + 1));
      expect([t.forwardShape([3, n]), t.inverseShape([3, d, d])]).toEqual([[3, d, d], [3, n]]);
    }
  });

  it('CorrCholeskyTransform: PyTorch 1.13\'s values at a fixed point', async () => {
    // torch.distributions.transforms.CorrCholeskyTransform() at x = [[0.4, −0.9, 1.3, 0.2, −2.1, 0.7]] (float32 values, float64 torch).
    const t = new CorrCholeskyTransform();
    const x = tm.tensor([[0.4, -0.9, 1.3, 0.2, -2.1, 0.7]]);
    const y = t.forward(x);
    expectClose(await y.data(), [1, 0, 0, 0, 0.3799489674, 0.9250074498, 0, 0, -0.7162978586, 0.6013058044, 0.3540461939, 0, 0.1973753231, -0.9513611978, 0.1429618553, 0.1884589107], tol, 'torch forward');
    expectClose(await t.logAbsDetJacobian(x, y).data(), [-7.3916168333], tol, 'torch log |det|');
  });

  it('SoftmaxTransform: forward the softmax, inverse log y (a right inverse), no log-determinant', async () => {
    const x = asF32(uniform(2 * 4, -3, 3));
    const t = new SoftmaxTransform();
    const y = t.forward(tm.tensor(x, [2, 4]));
    const want = rowsOf(x, 4).flatMap((row) => {
      const e = row.map(Math.exp);
      return e.map((v) => v / e.reduce((a, b) => a + b, 0));
    });
    expectClose(await y.data(), want, tol, 'forward');
    expectClose(await t.inverse(y).data(), want.map(Math.log), tol, 'inverse', want.map(() => 5));
    expectClose(await t.forward(t.inverse(y)).data(), want, tol, 'forward(inverse(y))');
    expect(t.bijective).toBe(false);
    expect(() => t.logAbsDetJacobian()).toThrow(new tm.ValueError('SoftmaxTransform: not bijective (softmax(x + c) = softmax(x)), so no log-determinant'));
  });

  it('LowerCholeskyTransform: the part below the diagonal with e^diagonal on it, inverse log of the diagonal, no log-determinant', async () => {
    // PyTorch 1.13's LowerCholeskyTransform()([[0.5, 9, 9], [−0.3, −1, 9], [0.8, 0.1, 0.2]]).
    const t = new LowerCholeskyTransform();
    const m = tm.tensor([[0.5, 9, 9], [-0.3, -1.0, 9], [0.8, 0.1, 0.2]]);
    const y = t.forward(m);
    expectClose(await y.data(), [1.6487212707, 0, 0, -0.3000000119, 0.3678794412, 0, 0.8000000119, 0.1000000015, 1.2214027618], tol, 'forward');
    expectClose(await t.inverse(y).data(), [0.5, 0, 0, -0.3, -1, 0, 0.8, 0.1, 0.2], tol, 'inverse');
    const batch = asF32(uniform(2 * 9, -2, 2));
    const yb = await t.forward(tm.tensor(batch, [2, 3, 3])).data();
    const wantB = Array.from(batch, (v, i) => {
      const [r, c] = [Math.floor((i % 9) / 3), i % 3];
      return c < r ? v : c === r ? Math.exp(v) : 0;
    });
    expectClose(yb, wantB, tol, 'batched forward');
    expect(t.bijective).toBe(false);
    expect(() => t.logAbsDetJacobian()).toThrow(new tm.ValueError('LowerCholeskyTransform: not bijective (the part above the diagonal is dropped), so no log-determinant'));
  });

  it('memory stays flat; errors name the shape that does not fit', async () => {
    const x = tm.tensor([[0.3, -0.2, 0.1]]);
    const before = await collected();
    const [sb, cc, sm, lc] = [new StickBreakingTransform(), new CorrCholeskyTransform(), new SoftmaxTransform(), new LowerCholeskyTransform()];
    const y = sb.forward(x);
    const l = cc.forward(x);
    const results = [y, sb.inverse(y), sb.logAbsDetJacobian(x, y), l, cc.inverse(l), cc.logAbsDetJacobian(x, l), sm.forward(x), sm.inverse(y), lc.forward(l), lc.inverse(l)];
    for (const r of results) r.dispose();
    expect(tm.memory().numTensors).toBe(before);
    expect(() => sb.forward(tm.scalar(1))).toThrow(new tm.ShapeError('StickBreakingTransform.forward: x [] has fewer axes than the 1 an event spans'));
    expect(() => sb.forwardShape([])).toThrow(new tm.ShapeError('StickBreakingTransform.forwardShape: shape [] has no vector axis (its last)'));
    expect(() => cc.forward(tm.zeros([2, 4]))).toThrow(new tm.ShapeError('CorrCholeskyTransform.forward: x [2,4] has 4 entries in its last axis, not D·(D − 1)/2 for a D ≥ 2'));
    expect(() => cc.inverse(tm.zeros([3, 2]))).toThrow(new tm.ShapeError('CorrCholeskyTransform.inverse: y [3,2] is not a batch of square matrices'));
    expect(() => cc.inverseShape([2, 3])).toThrow(new tm.ShapeError('CorrCholeskyTransform.inverseShape: shape [2,3] is not of square matrices'));
    expect(() => lc.forward(tm.zeros([3]))).toThrow(new tm.ShapeError('LowerCholeskyTransform.forward: x [3] has fewer axes than the 2 an event spans'));
    expect(() => cc.eventDims).toThrow(new tm.ValueError('CorrCholeskyTransform: maps events of 1 axes to events of 2; read domainEventDims or codomainEventDims'));
    expect(new ExpTransform().eventDims).toBe(0);
  });
});
