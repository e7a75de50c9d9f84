import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { expectExact } from '../helpers/data.js';

const SPECIAL = [NaN, Infinity, -Infinity, 0, -0, 1, -2.5, 3.4e38, 1e-40];

describe.each(BACKENDS)('value tests and logic on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it.each(['f32', 'f16'] as const)('isNaN, isFinite and isInf of %s specials give 1 or 0 in its dtype', async (dtype) => {
    const x = tm.tensor(SPECIAL, [SPECIAL.length], { dtype });
    const values = Array.from(await x.data());
    for (const [op, ref] of [[tm.isNaN, Number.isNaN], [tm.isFinite, Number.isFinite], [tm.isInf, (v: number) => Math.abs(v) === Infinity]] as const) {
      const y = op(x);
      expect(y.dtype).toBe(dtype);
      expectExact(await y.data(), values.map((v) => +ref(v)), op.name);
    }
  });

  it('ints are never NaN or infinite', async () => {
    const x = tm.tensor([-3, 0, 7], [3], { dtype: 'i32' });
    expect(Array.from(await x.isNaN().data())).toEqual([0, 0, 0]);
    expect(Array.from(await x.isFinite().data())).toEqual([1, 1, 1]);
    expect(Array.from(await tm.isInf(x).data())).toEqual([0, 0, 0]);
  });

  it('and, or, xor and not of non-zero values, broadcasting', async () => {
    const a = tm.tensor([[0, 1, -2, NaN]]);
    const b = tm.tensor([[0], [3]]);
    expect(await tm.logicalAnd(a, b).array()).toEqual([[0, 0, 0, 0], [0, 1, 1, 1]]);
    expect(await tm.logicalOr(a, b).array()).toEqual([[0, 1, 1, 1], [1, 1, 1, 1]]);
    expect(await tm.logicalXor(a, b).array()).toEqual([[0, 1, 1, 1], [1, 0, 0, 0]]);
    expect(await tm.logicalNot(a).array()).toEqual([[1, 0, 0, 0]]);
  });
});
