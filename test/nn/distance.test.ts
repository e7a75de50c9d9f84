// CosineSimilarity and PairwiseDistance as layers (PyTorch's nn modules)
// against their definitions computed here in float64, on fresh random data:
// the layer's options reach the function, and bad options are refused when
// the layer is made. (The functions' own cases: test/ops/distance.test.ts.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { asF32, expectClose, uniform } from '../helpers/data.js';

describe.each(BACKENDS)('CosineSimilarity and PairwiseDistance layers on %s', (backend) => {
  const tol = backend === 'webgpu' ? 1e-4 : 1e-5;

  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  afterAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it('CosineSimilarity compares a and b [3, 4, 7] along axis 1 by default, or the axis given', async () => {
    const [a, b] = [asF32(uniform(84)), asF32(uniform(84))];
    const at = (v: ArrayLike<number>, i: number, j: number, l: number) => v[(i * 4 + j) * 7 + l];
    const cos = (pairs: [number, number][]) => {
      const dot = pairs.reduce((s, [x, y]) => s + x * y, 0);
      const na = Math.max(Math.hypot(...pairs.map(([x]) => x)), 1e-8);
      const nb = Math.max(Math.hypot(...pairs.map(([, y]) => y)), 1e-8);
      return dot / (na * nb);
    };
    const alongChannels: number[] = [];
    for (let i = 0; i < 3; i++) for (let l = 0; l < 7; l++) alongChannels.push(cos([0, 1, 2, 3].map((j) => [at(a, i, j, l), at(b, i, j, l)])));
    const alongLast: number[] = [];
    for (let i = 0; i < 3; i++) for (let j = 0; j < 4; j++) alongLast.push(cos([0, 1, 2, 3, 4, 5, 6].map((l) => [at(a, i, j, l), at(b, i, j, l)])));
    const [ta, tb] = [tm.tensor(a, [3, 4, 7]), tm.tensor(b, [3, 4, 7])];
    const byDefault = new tm.nn.CosineSimilarity().forward(ta, tb);
    expect(byDefault.shape).toEqual([3, 7]);
    expectClose(await byDefault.data(), alongChannels, tol);
    expectClose(await new tm.nn.CosineSimilarity({ axis: -1 }).forward(ta, tb).data(), alongLast, tol);
  });

  it('PairwiseDistance takes ‖a − b + ε‖ₚ along the last axis, keeping it when asked', async () => {
    const [a, b] = [asF32(uniform(5 * 9)), asF32(uniform(5 * 9))];
    const want = (p: number, eps: number) =>
      Array.from({ length: 5 }, (_, i) => Array.from({ length: 9 }, (_, j) => Math.abs(a[i * 9 + j] - b[i * 9 + j] + eps) ** p).reduce((s, v) => s + v, 0) ** (1 / p));
    const [ta, tb] = [tm.tensor(a, [5, 9]), tm.tensor(b, [5, 9])];
    const euclid = new tm.nn.PairwiseDistance().forward(ta, tb);
    expect(euclid.shape).toEqual([5]);
    expectClose(await euclid.data(), want(2, 1e-6), tol);
    const kept = new tm.nn.PairwiseDistance({ p: 3, epsilon: 0.1, keepDims: true }).forward(ta, tb);
    expect(kept.shape).toEqual([5, 1]);
    expectClose(await kept.data(), want(3, 0.1), tol);
  });
});

describe('CosineSimilarity and PairwiseDistance layers', () => {
  beforeAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it('refuse bad options when made, and a missing second input', () => {
    expect(() => new tm.nn.CosineSimilarity({ axis: 1.5 })).toThrow(new tm.ValueError('CosineSimilarity: axis must be an integer, got 1.5'));
    expect(() => new tm.nn.CosineSimilarity({ epsilon: -1 })).toThrow(new tm.ValueError('CosineSimilarity: epsilon must be a finite number ≥ 0, got -1'));
    expect(() => new tm.nn.PairwiseDistance({ p: 0 })).toThrow(new tm.ValueError('PairwiseDistance: p must be a number > 0 or Infinity, got 0'));
    expect(() => new tm.nn.PairwiseDistance({ norm: 2 } as never)).toThrow(tm.ValueError);
    expect(() => new tm.nn.PairwiseDistance().forward(tm.zeros([2, 3]))).toThrow(new tm.ValueError('PairwiseDistance: forward(a, b) compares two tensors; b is missing'));
  });
});
