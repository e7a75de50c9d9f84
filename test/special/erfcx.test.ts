// tm.special.erfcx on every backend against float64 (test/helpers/special.ts:
// the continued fraction 3000 levels deep, e^(x²)·erfc(x) near 0), across
// its three pieces and their seams at 2 and 1e4, out to 1e30 and down to
// where it overflows; with PyTorch's edges and the gradient against central
// differences.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { uniform } from '../helpers/data.js';
import { collected } from '../helpers/gc.js';
import { erfcxRef } from '../helpers/special.js';
import { SHAPES, ULP, centralDifference, checkShapeAndDTypes, expectEdges, expectWithin, logSpace, symmetric } from '../helpers/special_functions.js';

/** Its own error, and below 0 e^(x²)'s, whose condition there is 2x² (the function's own). */
const bound = (x: number, want: number) => Math.abs(want) * (2e-6 + (x < 0 ? 4 * ULP * x * x : 0));

describe.each(BACKENDS)('tm.special.erfcx on %s', (backend) => {
  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  it('relative from 1e-30 to 1e30 on both sides (∞ below −9.4), through the seams at 2 and 1e4', async () => {
    const x = new Float32Array([...symmetric(logSpace(1e-30, 1e30, 401)), ...uniform(1001, -9.5, 30), 1.9999999, 2, 2.0000001, 9999.999, 1e4, 10000.001, -9.38, -9.4]);
    const got = await tm.special.erfcx(tm.tensor(x, [x.length])).data();
    expectWithin('erfcx', got, Array.from(x, erfcxRef), (i, w) => bound(x[i], w), (i) => `${x[i]}`);
  });

  it('the edges as PyTorch\'s: 1 at 0, 0 at +∞, ∞ at −∞, NaN at NaN', async () => {
    const edges = [0, -0, Infinity, -Infinity, NaN];
    expectEdges('erfcx', await tm.special.erfcx(tm.tensor(edges)).data(), [1, 1, 0, Infinity, NaN], (i) => `${edges[i]}`);
  });

  it.each(SHAPES.map((s) => [s]))('at shape %j, from f16 (rounded once) and from ints', async (shape) => {
    await checkShapeAndDTypes('erfcx', tm.special.erfcx, erfcxRef, shape, -3, 20, [1, 2, -3, 0, 40]);
  });

  it('gradient against central differences: 2x·erfcx(x) − 2/√π', async () => {
    const values = [-5, -1, -0.1, 0, 0.7, 1.99, 2.01, 8, 300];
    const x = tm.tensor(values);
    x.requiresGrad = true;
    const weights = uniform(values.length, 0.5, 2);
    tm.tidy(() => tm.special.erfcx(x).mul(tm.tensor(weights)).sum()).backward();
    const xs = Array.from(new Float32Array(values));
    expectWithin('erfcx′', await x.grad!.data(), xs.map((v, i) => weights[i] * centralDifference(erfcxRef, v)), (i, w) => 1e-5 * Math.abs(w) + 2e-6 * Math.abs(xs[i] * weights[i] * erfcxRef(xs[i])), (i) => `${xs[i]}`);
    x.dispose();
  });

  it('leaves no tensors behind, forward and backward', async () => {
    const x = tm.tensor([-3, 0, 1, 50]);
    x.requiresGrad = true;
    const before = await collected();
    tm.tidy(() => tm.special.erfcx(x).sum().backward());
    x.grad!.dispose();
    expect(await collected()).toBe(before);
    x.dispose();
  });
});
