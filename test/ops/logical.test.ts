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

describe.each(BACKENDS)('isPosInf, isNegInf and isReal on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  // torch.isposinf / isneginf of [nan, inf, -inf, 0, -0, 1, -2.5, 3.4e38, 1e-40] (PyTorch 1.13): True only at inf / -inf.
  it.each(['f32', 'f16'] as const)('isPosInf and isNegInf of %s specials are 1 only at +∞ and −∞, in its dtype', async (dtype) => {
    const x = tm.tensor(SPECIAL, [SPECIAL.length], { dtype });
    const values = Array.from(await x.data());
    for (const [op, ref] of [[tm.isPosInf, (v: number) => v === Infinity], [tm.isNegInf, (v: number) => v === -Infinity]] as const) {
      const y = op(x);
      expect(y.dtype).toBe(dtype);
      expectExact(await y.data(), values.map((v) => +ref(v)), op.name);
    }
    // f16 overflows 3.4e38 to +∞: one more +∞ than f32.
    expect(Array.from(await tm.isPosInf(x).data()).filter((v) => v === 1).length).toBe(dtype === 'f16' ? 2 : 1);
  });

  it('ints are never infinite, and every entry of every tensor is real (tmnn has no complex dtype)', async () => {
    const ints = tm.tensor([-3, 0, 7], [3], { dtype: 'i32' });
    expect([tm.isPosInf(ints).dtype, await tm.isPosInf(ints).array(), await tm.isNegInf(ints.cast('i8')).array()]).toEqual(['i32', [0, 0, 0], [0, 0, 0]]);
    // torch.isreal of a real tensor is True everywhere, NaN and ±∞ included; np.isreal of ints too.
    const x = tm.tensor([[NaN, Infinity, -Infinity], [0, -1, 2.5]]);
    const real = tm.isReal(x);
    expect([real.dtype, real.shape, await real.array()]).toEqual(['f32', [2, 3], [[1, 1, 1], [1, 1, 1]]]);
    expect(await tm.isReal(ints).array()).toEqual([1, 1, 1]);
    // A complex tensor is float pairs [..., 2]: each number in it is real.
    expect(tm.isReal(tm.zeros([4, 2], { dtype: 'f16' })).dtype).toBe('f16');
  });

  it('refuse what is not a tensor, naming the op', () => {
    expect(() => tm.isPosInf([1] as never)).toThrow(/isPosInf: x must be a Tensor/);
    expect(() => tm.isNegInf(1 as never)).toThrow(/isNegInf: x must be a Tensor/);
    expect(() => tm.isReal(null as never)).toThrow(/isReal: x must be a Tensor/);
  });
});
