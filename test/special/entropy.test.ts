// tm.special.entr and xlog1py on every backend against float64 (−x·log x and
// x·log1p(y) in doubles), PyTorch's values at 0 and their gradients (given
// outright: no NaN from a branch not taken), broadcast.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { asF32, uniform } from '../helpers/data.js';
import { collected } from '../helpers/gc.js';
import { SHAPES, checkShapeAndDTypes, expectEdges, expectWithin, logSpace, symmetric } from '../helpers/special_functions.js';

const entrRef = (x: number) => (Number.isNaN(x) ? NaN : x > 0 ? -x * Math.log(x) : x === 0 ? 0 : -Infinity);
const xlog1pyRef = (x: number, y: number) => (Number.isNaN(y) ? NaN : x === 0 ? 0 : x * Math.log1p(y));
const SUBNORMALS = [1.4e-45, 1e-42, 3e-40, 1.1e-38];

describe.each(BACKENDS)('tm.special entropy terms on %s', (backend) => {
  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  it('entr: −x·log x from the subnormals to 1e30, through its zero at 1', async () => {
    const x = new Float32Array([...logSpace(1e-30, 1e30, 601), ...SUBNORMALS, ...uniform(2001, 0, 5), ...logSpace(1e-7, 0.5, 101).flatMap((d) => [1 + d, 1 - d])]);
    const got = await tm.special.entr(tm.tensor(x, [x.length])).data();
    expectWithin('entr', got, Array.from(x, entrRef), (_i, w) => 2e-6 * Math.abs(w), (i) => `${x[i]}`);
  });

  it('xlog1py: x·log1p(y) for y from −1 + 6e-8 to 1e30, small y (where log(1 + y) would round) too', async () => {
    const ys = [...symmetric(logSpace(1e-30, 0.99, 301)), ...logSpace(1, 1e30, 301), ...logSpace(6e-8, 0.5, 101).map((d) => -1 + d)];
    const xs = Array.from(uniform(ys.length, -5, 5));
    const [x, y] = [new Float32Array(xs), new Float32Array(ys)];
    const got = await tm.special.xlog1py(tm.tensor(x), tm.tensor(y)).data();
    expectWithin('xlog1py', got, Array.from(x, (v, i) => xlog1pyRef(v, y[i])), (_i, w) => 2e-6 * Math.abs(w), (i) => `${x[i]}, ${y[i]}`);
  });

  it('the edges as PyTorch\'s: entr 0 at ±0, −∞ below 0 and at ∞; xlog1py 0 where x = 0 unless y is NaN', async () => {
    const entrEdges: [number, number][] = [[0, 0], [-0, 0], [-1, -Infinity], [-1e-45, -Infinity], [-Infinity, -Infinity], [Infinity, -Infinity], [NaN, NaN], [1, 0]];
    expectEdges('entr', await tm.special.entr(tm.tensor(entrEdges.map((e) => e[0]))).data(), entrEdges.map((e) => e[1]), (i) => `${entrEdges[i][0]}`);
    const edges: [number, number, number][] = [[0, -1, 0], [0, -2, 0], [0, NaN, NaN], [0, Infinity, 0], [1, -1, -Infinity], [-2, -1, Infinity], [2, -2, NaN], [NaN, 1, NaN], [3, 0, 0], [1, 1e-30, 1e-30]];
    const got = await tm.special.xlog1py(tm.tensor(edges.map((e) => e[0])), tm.tensor(edges.map((e) => e[1]))).data();
    expectEdges('xlog1py', got, edges.map((e) => e[2]), (i) => `${edges[i][0]}, ${edges[i][1]}`);
  });

  it.each(SHAPES.map((s) => [s]))('at shape %j, from f16 (rounded once) and from ints; xlog1py with a number', async (shape) => {
    await checkShapeAndDTypes('entr', tm.special.entr, entrRef, shape, 0, 4, [1, 2, 0, 7]);
    await checkShapeAndDTypes('xlog1py(x, 0.5)', (t) => tm.special.xlog1py(t, 0.5), (x) => xlog1pyRef(x, 0.5), shape, -3, 3, [1, 0, -2]);
    await checkShapeAndDTypes('xlog1py(2, y)', (t) => tm.special.xlog1py(2, t), (y) => xlog1pyRef(2, y), shape, -0.9, 5, [0, 1, 30]);
  });

  it('gradients: entr −(1 + log x) (∞ at 0, NaN below); xlog1py log1p(y) (0 where x = 0) and x/(1 + y), broadcast', async () => {
    const values = [1e-3, 0.3, 1, 5, 0, -1];
    const x = tm.tensor(values);
    x.requiresGrad = true;
    const weights = uniform(values.length, 0.5, 2);
    tm.tidy(() => tm.special.entr(x).mul(tm.tensor(weights)).sum()).backward();
    const xs = Array.from(new Float32Array(values));
    expectWithin('entr′', await x.grad!.data(), xs.map((v, i) => weights[i] * (v < 0 ? NaN : -(1 + Math.log(v)))), (_i, w) => 1e-6 * Math.abs(w), (i) => `${xs[i]}`);
    x.dispose();
    const av = asF32(uniform(12, -2, 2));
    av[0] = 0;
    const bv = asF32(uniform(4, -0.9, 3));
    bv[1] = 0.5;
    const a = tm.tensor(av, [3, 4]);
    const b = tm.tensor(bv, [4]);
    a.requiresGrad = true;
    b.requiresGrad = true;
    tm.tidy(() => tm.special.xlog1py(a, b).sum()).backward();
    expectWithin('xlog1py′ x', await a.grad!.data(), Array.from(av, (v, i) => (v === 0 ? 0 : Math.log1p(bv[i % 4]))), (_i, w) => 1e-6 * (Math.abs(w) + 1e-30), (i) => `${i}`);
    expectWithin('xlog1py′ y', await b.grad!.data(), Array.from(bv, (v, j) => [0, 1, 2].reduce((s, r) => s + av[r * 4 + j] / (1 + v), 0)), (_i, w) => 1e-5 * (Math.abs(w) + 1), (i) => `${i}`);
    a.dispose();
    b.dispose();
    // At x = 0 and y = −1 the value is 0 and the gradient with respect to x is 0, not 0·(−∞).
    const z = tm.tensor([0, 0]);
    z.requiresGrad = true;
    tm.tidy(() => tm.special.xlog1py(z, tm.tensor([-1, 2])).sum()).backward();
    expect(Array.from(await z.grad!.data())).toEqual([0, 0]);
    z.dispose();
  });

  it('bad arguments are named, and no tensors are left behind', async () => {
    expect(() => tm.special.xlog1py(tm.tensor([1, 2]), tm.tensor([1, 2, 3]))).toThrow(/xlog1py: shapes \[2\] and \[3\] cannot be broadcast/);
    expect(() => tm.special.entr([1, 2] as unknown as tm.Tensor)).toThrow(/entr: x must be a Tensor or a number, got object/);
    const x = tm.tensor([0.5, 2, 0]);
    x.requiresGrad = true;
    const before = await collected();
    tm.tidy(() => tm.special.entr(x).add(tm.special.xlog1py(x, x)).sum().backward());
    x.grad!.dispose();
    expect(await collected()).toBe(before);
    x.dispose();
  });
});
