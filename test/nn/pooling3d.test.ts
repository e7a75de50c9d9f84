// nn.MaxPool3d and nn.AvgPool3d on every backend against the float64 3-D
// pools (test/helpers/volumes.ts): the window's default stride, the
// options passed on, one volume without its batch axis; their settings and
// config, and their errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { expectClose, uniform } from '../helpers/data.js';
import { f64, size, type F64 } from '../helpers/float64.js';
import { pool3dRef } from '../helpers/volumes.js';

const random = (shape: number[]): F64 => f64(shape, Float64Array.from(Float32Array.from(uniform(size(shape), -1, 1))));

describe.each(BACKENDS)('nn.MaxPool3d and nn.AvgPool3d on %s', (backend) => {
  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  afterAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it('pool each window as the ops do, windows side by side by default, and their gradients follow', async () => {
    const x = random([2, 3, 5, 7, 6]);
    const xt = tm.tensor(x.v, x.shape);
    xt.requiresGrad = true;
    const max = new tm.nn.MaxPool3d([2, 3, 2]);
    const y = max.forward(xt);
    const dy = random([...y.shape]);
    const want = pool3dRef(x, [2, 3, 2], {}, 'max', dy);
    expect(y.shape).toEqual([2, 3, 2, 2, 3]);
    expectClose(await y.data(), want.y.v, 0, 'MaxPool3d');
    tm.tidy(() => y.mul(tm.tensor(dy.v, dy.shape)).sum()).backward();
    expectClose(await xt.grad!.data(), want.dx.v, 1e-6, 'MaxPool3d dx');

    const options = { stride: [1, 2, 2] as [number, number, number], padding: 1, ceilMode: true, countIncludePad: false };
    const avg = new tm.nn.AvgPool3d(3, options);
    expectClose(await avg.forward(xt).data(), pool3dRef(x, [3, 3, 3], options, 'avg').y.v, 1e-5, 'AvgPool3d');
    const dilated = new tm.nn.MaxPool3d(2, { dilation: [2, 1, 1], padding: [1, 0, 1] });
    expectClose(await dilated.forward(xt).data(), pool3dRef(x, [2, 2, 2], { dilation: [2, 1, 1], padding: [1, 0, 1] }, 'max').y.v, 0, 'dilated MaxPool3d');
  });

  it('take one volume without its batch axis', async () => {
    const x = random([3, 4, 5, 6]);
    const y = new tm.nn.AvgPool3d(2).forward(tm.tensor(x.v, x.shape));
    expect(y.shape).toEqual([3, 2, 2, 3]);
    expectClose(await y.data(), pool3dRef(f64([1, ...x.shape], x.v), [2, 2, 2], {}, 'avg').y.v, 1e-5);
  });
});

describe('nn.MaxPool3d and nn.AvgPool3d settings', () => {
  it('hold their sizes as triples; config describes each with its own options', () => {
    const max = new tm.nn.MaxPool3d([1, 2, 3], { padding: [0, 1, 1], dilation: [1, 1, 2] });
    expect([max.kernelSize, max.stride, max.padding, max.dilation, max.ceilMode]).toEqual([[1, 2, 3], [1, 2, 3], [0, 1, 1], [1, 1, 2], false]);
    expect(max.config()).toEqual({ type: 'MaxPool3d', kernelSize: [1, 2, 3], stride: [1, 2, 3], padding: [0, 1, 1], ceilMode: false, dilation: [1, 1, 2] });
    expect(new tm.nn.AvgPool3d(2, { stride: 1, ceilMode: true }).config()).toEqual({ type: 'AvgPool3d', kernelSize: [2, 2, 2], stride: [1, 1, 1], padding: [0, 0, 0], ceilMode: true, countIncludePad: true });
  });

  it('refuse bad settings when built, and x that does not fit when run, naming them', () => {
    expect(() => new tm.nn.MaxPool3d(2, { padding: 2 })).toThrow('MaxPool3d: padding 2 is more than half the 2×2×2 window (a window could then hold padding only)');
    expect(() => new tm.nn.AvgPool3d(2, { dilation: 2 } as tm.AvgPool3dOptions)).toThrow(/AvgPool3d: unknown option "dilation"/);
    expect(() => new tm.nn.MaxPool3d(0)).toThrow('MaxPool3d: kernelSize must be an integer ≥ 1 or a triple [depth, height, width] of them, got 0');
    expect(() => new tm.nn.MaxPool3d(3).forward(tm.zeros([1, 2, 2, 5, 5]))).toThrow('maxPool3d: a 3×3×3 window does not fit in x [1,2,2,5,5]');
  });
});
