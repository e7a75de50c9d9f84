import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { asF16, asF32, expectClose, uniform } from '../helpers/data.js';
import { f64, permute, size, softmaxLast } from '../helpers/float64.js';

describe.each(BACKENDS)('softmax and logSoftmax on %s', (backend) => {
  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  it.each([0, 1, 2, -1])('along axis %i of [3,4,5]', async (axis) => {
    const shape = [3, 4, 5];
    const x = f64(shape, asF32(uniform(60, -5, 5)));
    const a = axis < 0 ? 3 + axis : axis;
    const perm = [0, 1, 2].map((i) => (i === a ? 2 : i === 2 ? a : i)); // swap a with the last axis
    for (const log of [false, true]) {
      const want = permute(softmaxLast(permute(x, perm), log), perm);
      const t = tm.tensor(Float32Array.from(x.v), shape);
      const got = log ? t.logSoftmax(axis) : t.softmax(axis);
      expect(got.shape).toEqual(shape);
      expectClose(await got.data(), want.v, 1e-5);
    }
  });

  it.each([[[1, 1]], [[7, 129]], [[129, 10]]])('rows sum to 1 at shape %j', async (shape) => {
    const x = f64(shape, asF32(uniform(size(shape), -20, 20)));
    const got = await tm.tensor(Float32Array.from(x.v), shape).softmax().data();
    expectClose(got, softmaxLast(x, false).v, 1e-5);
  });

  it('is stable for huge logits and gives NaN for a row of -Infinity', async () => {
    const t = tm.tensor([[1000, 1001, 1002], [-Infinity, -Infinity, -Infinity], [-1e30, 0, 1e30]]);
    const s = await t.softmax().data();
    const e = [Math.exp(-2), Math.exp(-1), 1];
    const z = e[0] + e[1] + e[2];
    expectClose(s.subarray(0, 3), e.map((v) => v / z));
    expect(Array.from(s.subarray(3, 6))).toEqual([NaN, NaN, NaN]);
    expectClose(s.subarray(6), [0, 0, 1]);
    const ls = await t.logSoftmax().data();
    expectClose(ls.subarray(0, 3), e.map((v) => Math.log(v / z)));
  });

  it('f16 in, f16 out; ints are computed as f32', async () => {
    const x = f64([4, 9], asF16(uniform(36, -3, 3)));
    const got = tm.tensor(Float32Array.from(x.v), [4, 9], { dtype: 'f16' }).softmax();
    expect(got.dtype).toBe('f16');
    expectClose(await got.data(), asF16(softmaxLast(x, false).v), 1e-2);
    expect(tm.tensor(new Int32Array([1, 2]), [2]).softmax().dtype).toBe('f32');
  });
});
