// tm.autograd's derivatives of functions (torch.autograd.functional):
// jacobian, hessian, vjp, jvp and hvp, against float64 formulas worked out
// in the test, and against each other (Jv and vᵀJ from the Jacobian, Hv from
// the Hessian), on every backend; with createGraph their results
// differentiate again, without it the call leaves no graph or tensor behind.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { expectClose, uniform } from '../helpers/data.js';
import { collected } from '../helpers/gc.js';

const f32 = (v: Float64Array | number[]) => Float32Array.from(v);

/** a [m, n] · b [n, p] in float64, row-major. */
function matmul64(a: ArrayLike<number>, b: ArrayLike<number>, m: number, n: number, p: number): Float64Array {
  const out = new Float64Array(m * p);
  for (let i = 0; i < m; i++) for (let k = 0; k < n; k++) for (let j = 0; j < p; j++) out[i * p + j] += a[i * n + k] * b[k * p + j];
  return out;
}

describe.each(BACKENDS)('tm.autograd functional on %s', (backend) => {
  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  afterAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it('jacobian of A·tanh(x) is A·diag(1 − tanh²x), [outputs, inputs]', async () => {
    const [m, n] = [3, 5];
    const av = uniform(m * n);
    const xv = uniform(n);
    const A = tm.tensor(f32(av), [m, n]);
    const J = tm.autograd.jacobian((x) => A.matmul(x.tanh()), tm.tensor(f32(xv)));
    expect(J.shape).toEqual([m, n]);
    expectClose(await J.data(), Float64Array.from({ length: m * n }, (_, k) => av[k] * (1 - Math.tanh(xv[k % n]) ** 2)), 1e-5);
  });

  it('jacobian of several inputs: one block per input, of shape [...output, ...input]', async () => {
    const a = tm.tensor(f32(uniform(6)), [2, 3]);
    const b = tm.tensor(f32(uniform(6)), [2, 3]);
    const [ja, jb] = tm.autograd.jacobian((x, y) => x.mul(y), [a, b]);
    expect(ja.shape).toEqual([2, 3, 2, 3]);
    const [av, bv] = [await a.data(), await b.data()];
    const diagonal = (v: ArrayLike<number>) => Float64Array.from({ length: 36 }, (_, k) => (Math.floor(k / 6) === k % 6 ? v[k % 6] : 0));
    expectClose(await ja.data(), diagonal(bv), 1e-6, 'd(ab)/da');
    expectClose(await jb.data(), diagonal(av), 1e-6, 'd(ab)/db');
  });

  it('hessian of xᵀAx is A + Aᵀ, and of Σ x²y the blocks diag(2y), diag(2x), diag(2x), 0', async () => {
    const n = 7;
    const av = uniform(n * n);
    const A = tm.tensor(f32(av), [n, n]);
    const H = tm.autograd.hessian((x) => x.matmul(A.matmul(x)), tm.tensor(f32(uniform(n))));
    expect(H.shape).toEqual([n, n]);
    expectClose(await H.data(), Float64Array.from({ length: n * n }, (_, k) => av[k] + av[(k % n) * n + Math.floor(k / n)]), 1e-5);

    const xv = uniform(3);
    const yv = uniform(3);
    const blocks = tm.autograd.hessian((x, y) => x.square().mul(y).sum(), [tm.tensor(f32(xv)), tm.tensor(f32(yv))]);
    const diag = (v: ArrayLike<number>, s: number) => Float64Array.from({ length: 9 }, (_, k) => (Math.floor(k / 3) === k % 3 ? s * v[k % 3] : 0));
    expectClose(await blocks[0][0].data(), diag(yv, 2), 1e-6, 'xx');
    expectClose(await blocks[0][1].data(), diag(xv, 2), 1e-6, 'xy');
    expectClose(await blocks[1][0].data(), diag(xv, 2), 1e-6, 'yx');
    expectClose(await blocks[1][1].data(), new Float64Array(9), 0, 'yy');
  });

  it('vjp, jvp and hvp are the products with the Jacobian and the Hessian, which they never form', async () => {
    const [m, n] = [4, 6];
    const w = tm.tensor(f32(uniform(m * n)), [m, n]);
    const fn = (x: tm.Tensor) => w.matmul(x.sin()).exp();
    const x = tm.tensor(f32(uniform(n, -1, 1)));
    const J = await tm.autograd.jacobian(fn, x).data();
    const u = uniform(m);
    const v = uniform(n);

    const { output, vjp } = tm.autograd.vjp(fn, x, tm.tensor(f32(u)));
    expectClose(await output.data(), await fn(x).data(), 1e-6, 'output');
    expectClose(await vjp.data(), matmul64(u, J, 1, m, n), 1e-4, 'uᵀJ');
    expectClose(await tm.autograd.jvp(fn, x, tm.tensor(f32(v))).jvp.data(), matmul64(J, v, m, n, 1), 1e-4, 'Jv');

    const scalar = (t: tm.Tensor) => fn(t).sum().log();
    const H = await tm.autograd.hessian(scalar, x).data();
    const { hvp } = tm.autograd.hvp(scalar, x, tm.tensor(f32(v)));
    expectClose(await hvp.data(), matmul64(H, v, n, n, 1), 1e-4, 'Hv');
    // A Hessian is symmetric: ∂²/∂i∂j taken both ways.
    expectClose(H, Float64Array.from(H, (_, k) => H[(k % n) * n + Math.floor(k / n)]), 1e-5, 'symmetry');
  });

  it('with createGraph the results differentiate again: the gradient of Σ diag(J) for x³ is 6x', async () => {
    const values = [0.5, -1, 2];
    const x = tm.tensor(values);
    x.requiresGrad = true;
    const J = tm.autograd.jacobian((t) => t.pow(3), x, { createGraph: true });
    const [g] = tm.grad(J.sum(), [x]);
    expectClose(await g.data(), values.map((v) => 6 * v), 1e-5);
    const { hvp } = tm.autograd.hvp((t) => t.pow(4).sum(), x, tm.onesLike(x), { createGraph: true });
    const [g2] = tm.grad(hvp.sum(), [x]); // d/dx Σ 12x² = 24x
    expectClose(await g2.data(), values.map((v) => 24 * v), 1e-5);
  });

  it('a function that does not use its input has a zero Jacobian, Jv and Hv; the identity has the identity', async () => {
    const x = tm.tensor([1, 2, 3]);
    const c = tm.tensor([4, 5]);
    expectClose(await tm.autograd.jacobian(() => c.mul(2), x).data(), new Float64Array(6), 0, 'J');
    expectClose(await tm.autograd.jvp(() => c.mul(2), x, x).jvp.data(), [0, 0], 0, 'Jv');
    expectClose(await tm.autograd.hvp((t) => t.sum(), x, x).hvp.data(), [0, 0, 0], 0, 'Hv of a linear function');
    expectClose(await tm.autograd.jacobian((t) => t, x).data(), [1, 0, 0, 0, 1, 0, 0, 0, 1], 0, 'identity');
  });

  it('leaves nothing behind without createGraph, and leaves alone the graph of a tensor the function closed over', async () => {
    const w = tm.tensor(f32(uniform(12)), [3, 4]);
    w.requiresGrad = true;
    const h = w.tanh(); // a graph the user will back-propagate later
    const x = tm.tensor(f32(uniform(4)));
    const ones = tm.ones([3]);
    const before = await collected();
    const results = [
      tm.autograd.jacobian((t) => h.matmul(t).exp(), x),
      ...Object.values(tm.autograd.vjp((t) => h.matmul(t).exp(), x, ones)),
      ...Object.values(tm.autograd.jvp((t) => h.matmul(t).exp(), x, x)),
      tm.autograd.hessian((t) => h.matmul(t).exp().sum(), x),
    ];
    for (const r of results) expect(r.gradFn).toBeNull();
    for (const r of results) r.dispose();
    expect(tm.memory().numTensors).toBe(before);
    h.sum().backward();
    expectClose(await w.grad!.data(), (await h.data()).map((t) => 1 - t * t), 1e-6, "h's own gradient");
  });

  it('refuses what it cannot differentiate, naming it', () => {
    const x = tm.tensor([1, 2, 3]);
    expect(() => tm.autograd.jacobian('sin' as unknown as (t: tm.Tensor) => tm.Tensor, x)).toThrow(/expects a function/);
    expect(() => tm.autograd.jacobian((t) => t, [])).toThrow(/non-empty list/);
    expect(() => tm.autograd.jacobian((t) => [t] as unknown as tm.Tensor, x)).toThrow(/must return a tensor/);
    expect(() => tm.autograd.hessian((t) => t.square(), x)).toThrow(/must return a scalar, got \[3\]/);
    expect(() => tm.autograd.hvp((t) => t.square(), x, x)).toThrow(/must return a scalar, got \[3\]/);
    expect(() => tm.autograd.vjp((t) => t.square(), x)).toThrow(/not a scalar; pass v/);
    expect(() => tm.autograd.vjp((t) => t.square(), x, tm.ones([2]))).toThrow(/v \[2\] does not match .*\[3\]/);
    expect(() => tm.autograd.jvp((t) => t.square(), x, tm.ones([4]))).toThrow(/v\[0\] \[4\] does not match .*\[3\]/);
    expect(() => tm.autograd.jvp((t, u) => t.mul(u), [x, x], [x])).toThrow(/one tensor v per input \(2\)/);
    expect(() => tm.autograd.jacobian((t) => t, tm.tensor(new Int32Array([1, 2])))).toThrow(/only f32 and f16/);
    expect(() => tm.autograd.jacobian((t) => t, x, { createGraf: true } as unknown as tm.autograd.FunctionalOptions)).toThrow(/createGraf/);
  });
});
