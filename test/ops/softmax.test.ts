// softmax and logSoftmax along any axis on every backend, against a float64
// reference: odd sizes, size-1 and empty axes, scalars, huge and infinite
// logits, f16 and int inputs.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { TOL, asF16, asF32, expectClose, uniform } from '../helpers/data.js';
import { f64, reduceAxes, roundF16, size, softmaxRef } from '../helpers/float64.js';

const CASES: [number[], number[]][] = [
  [[3, 4, 5], [0, 1, 2, -1, -2, -3]],
  [[7], [0, -1]],
  [[13, 31], [0, 1]],
  [[2, 1, 3], [1, 2]],
  [[2, 3, 1, 4], [2, 3]],
  [[1, 1], [0, 1]],
  [[127, 129], [0, 1]],
];

describe.each(BACKENDS)('softmax and logSoftmax on %s', (backend) => {
  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  describe.each(CASES.map(([s, a]) => [s, a] as const))('of shape %j', (shape, axes) => {
    it.each(axes.map((a) => [a]))('along axis %i match the reference, and softmax sums to 1 along it', async (axis) => {
      const x = f64(shape, asF32(uniform(size(shape), -5, 5)));
      const t = tm.tensor(x.v, shape);
      const s = t.softmax(axis);
      const ls = t.logSoftmax(axis);
      for (const [y, log] of [[s, false], [ls, true]] as const) {
        expect(y.shape).toEqual(shape);
        expect(y.dtype).toBe('f32');
        expectClose(await y.data(), softmaxRef(x, axis, log).v, TOL.f32, log ? 'logSoftmax' : 'softmax');
      }
      const a = axis < 0 ? axis + shape.length : axis;
      const sums = reduceAxes(f64(shape, await s.data()), [a], 0, (acc, v) => acc + v);
      expectClose(sums.v, sums.v.map(() => 1), TOL.f32);
    });
  });

  it('the axis defaults to the last', async () => {
    const x = f64([4, 6], asF32(uniform(24)));
    expectClose(await tm.tensor(x.v, [4, 6]).softmax().data(), softmaxRef(x, 1, false).v);
    expectClose(await tm.tensor(x.v, [4, 6]).logSoftmax().data(), softmaxRef(x, 1, true).v);
  });

  it('is stable for huge logits along any axis', async () => {
    const big = f64([3, 4], Float64Array.from([1000, 1001, 1002, 999, -1e30, 0, 1e30, 5, 3e38, 3e38, -3e38, 0]));
    for (const axis of [0, 1]) {
      const t = tm.tensor(big.v, big.shape);
      expectClose(await t.softmax(axis).data(), softmaxRef(big, axis, false).v, TOL.f32, `softmax axis ${axis}`);
      // Log-probabilities beyond f32's range (−6e38) are -Infinity in f32.
      expectClose(await t.logSoftmax(axis).data(), softmaxRef(big, axis, true).v.map(Math.fround), TOL.f32, `logSoftmax axis ${axis}`);
    }
  });

  it('logSoftmax stays finite where softmax underflows to 0', async () => {
    const ls = await tm.tensor([0, -200, -1000]).logSoftmax().data();
    expectClose(ls, [0, -200, -1000], TOL.f32);
    expect(Array.from(await tm.tensor([0, -200]).softmax().data())).toEqual([1, 0]);
  });

  it('-Infinity logits get probability 0; a row of nothing but -Infinity is NaN', async () => {
    const t = tm.tensor([[-Infinity, 1, 2, -Infinity], [-Infinity, -Infinity, -Infinity, -Infinity], [0, 0, -Infinity, 0]]);
    const e = Math.exp(1);
    expectClose(await t.softmax().data(), [0, 1 / (1 + e), e / (1 + e), 0, NaN, NaN, NaN, NaN, 1 / 3, 1 / 3, 0, 1 / 3], TOL.f32);
    expectClose(await t.logSoftmax().data(), [-Infinity, -Math.log1p(e), 1 - Math.log1p(e), -Infinity, NaN, NaN, NaN, NaN, -Math.log(3), -Math.log(3), -Infinity, -Math.log(3)], TOL.f32);
    expectClose(await t.softmax(0).data(), softmaxRef(f64([3, 4], await t.data()), 0, false).v, TOL.f32);
  });

  it('NaN in a row makes that row NaN and leaves the others alone', async () => {
    const got = await tm.tensor([[1, NaN, 2], [1, 2, 3]]).softmax().data();
    expectClose(got, [NaN, NaN, NaN, ...softmaxRef(f64([3], [1, 2, 3]), 0, false).v], TOL.f32);
  });

  it('f16 in, f16 out, close to the float64 result rounded to f16', async () => {
    for (const axis of [0, 1]) {
      const x = f64([13, 9], asF16(uniform(117, -3, 3)));
      const t = tm.tensor(x.v, [13, 9], { dtype: 'f16' });
      for (const log of [false, true]) {
        const y = log ? t.logSoftmax(axis) : t.softmax(axis);
        expect(y.dtype).toBe('f16');
        const got = await y.data();
        expect(Array.from(got)).toEqual(Array.from(got, roundF16));
        expectClose(got, softmaxRef(x, axis, log).v.map(roundF16), TOL.f16, `log=${log} axis=${axis}`);
      }
    }
  });

  it('ints are computed as f32', async () => {
    for (const dtype of ['i8', 'i32'] as const) {
      const y = tm.tensor([[1, 2, 3], [-4, 0, 4]], { dtype }).softmax(0);
      expect(y.dtype).toBe('f32');
      expectClose(await y.data(), softmaxRef(f64([2, 3], [1, 2, 3, -4, 0, 4]), 0, false).v, TOL.f32);
    }
  });

  it('a scalar is a row of one: softmax 1, logSoftmax 0; empty tensors stay empty', async () => {
    expect(await tm.tensor(7).softmax().item()).toBe(1);
    expect(await tm.tensor(7).logSoftmax().item()).toBe(0);
    expect(tm.tensor(7).softmax().shape).toEqual([]);
    for (const [shape, axis] of [[[0, 3], -1], [[0, 3], 0], [[2, 0], 1], [[2, 0], 0]] as const) {
      const y = tm.zeros([...shape]).softmax(axis);
      expect(y.shape).toEqual(shape);
      expect((await y.data()).length).toBe(0);
    }
  });
});
