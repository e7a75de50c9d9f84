// Elementwise ops on every backend against float64 references, at odd sizes
// and broadcasting corner cases.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { asF16, asF32, expectClose, uniform } from '../helpers/data.js';
import { broadcast2, f64, map, size } from '../helpers/float64.js';

const UNARY: [string, (x: number) => number, (t: tm.Tensor) => tm.Tensor, number, number][] = [
  ['neg', (x) => -x, (t) => t.neg(), -3, 3],
  ['abs', Math.abs, (t) => t.abs(), -3, 3],
  ['sign', (x) => Math.sign(x), (t) => t.sign(), -3, 3],
  ['exp', Math.exp, (t) => t.exp(), -5, 5],
  ['log', Math.log, (t) => t.log(), 0.01, 50],
  ['sqrt', Math.sqrt, (t) => t.sqrt(), 0, 50],
  ['relu', (x) => Math.max(x, 0), (t) => t.relu(), -3, 3],
  ['sigmoid', (x) => 1 / (1 + Math.exp(-x)), (t) => t.sigmoid(), -8, 8],
  ['tanh', Math.tanh, (t) => t.tanh(), -4, 4],
  ['square', (x) => x * x, (t) => t.square(), -3, 3],
];

const BINARY: [string, (a: number, b: number) => number, (a: tm.Tensor, b: tm.Tensor) => tm.Tensor][] = [
  ['add', (a, b) => a + b, (a, b) => a.add(b)],
  ['sub', (a, b) => a - b, (a, b) => a.sub(b)],
  ['mul', (a, b) => a * b, (a, b) => a.mul(b)],
  ['div', (a, b) => a / b, (a, b) => a.div(b)],
  ['maximum', Math.max, (a, b) => a.maximum(b)],
  ['minimum', Math.min, (a, b) => a.minimum(b)],
  ['equal', (a, b) => +(a === b), (a, b) => a.equal(b)],
  ['notEqual', (a, b) => +(a !== b), (a, b) => a.notEqual(b)],
  ['less', (a, b) => +(a < b), (a, b) => a.less(b)],
  ['lessEqual', (a, b) => +(a <= b), (a, b) => a.lessEqual(b)],
  ['greater', (a, b) => +(a > b), (a, b) => a.greater(b)],
  ['greaterEqual', (a, b) => +(a >= b), (a, b) => a.greaterEqual(b)],
];

/** Shape pairs that broadcast: equal, row vector, size-1 axes both ways, scalars, rank mismatch, empty. */
const PAIRS: [number[], number[]][] = [
  [[1], [1]], [[7], [7]], [[13, 31], [31]], [[127, 129], [127, 1]], [[5, 1, 3], [4, 3]],
  [[], [3, 4]], [[3, 4], []], [[2, 1, 4, 1], [3, 1, 5]], [[0, 3], [3]], [[1, 129], [127, 1]],
];

describe.each(BACKENDS)('elementwise ops on %s', (backend) => {
  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  describe.each(UNARY)('%s', (_name, ref, op, lo, hi) => {
    it.each([[[1]], [[7]], [[13, 31]], [[127, 129]], [[0, 5]]])('f32 at shape %j', async (shape) => {
      const x = asF32(uniform(size(shape), lo, hi));
      const y = op(tm.tensor(Float32Array.from(x), shape));
      expect(y.shape).toEqual(shape);
      expect(y.dtype).toBe('f32');
      expectClose(await y.data(), map(f64(shape, x), ref).v, 1e-5);
    });

    it('f16 stores f16 and matches within f16 precision', async () => {
      const x = asF16(uniform(257, lo, Math.min(hi, 10)));
      const y = op(tm.tensor(Float32Array.from(x), [257], { dtype: 'f16' }));
      expect(y.dtype).toBe('f16');
      expectClose(await y.data(), asF16(map(f64([257], x), ref).v), 2e-2);
    });
  });

  it('neg, abs, sign and relu keep int dtypes; exp of an int gives f32', async () => {
    const x = tm.tensor(new Int32Array([-5, 0, 7, -2147483647]), [4]);
    expect(Array.from(await x.neg().data())).toEqual([5, 0, -7, 2147483647]);
    expect(Array.from(await x.abs().data())).toEqual([5, 0, 7, 2147483647]);
    expect(Array.from(await x.sign().data())).toEqual([-1, 0, 1, -1]);
    expect(Array.from(await x.relu().data())).toEqual([0, 0, 7, 0]);
    const e = tm.tensor(new Int32Array([0, 1, 2]), [3]).exp();
    expect(e.dtype).toBe('f32');
    expectClose(await e.data(), [1, Math.E, Math.E ** 2]);
  });

  describe.each(BINARY)('%s', (_name, ref, op) => {
    it.each(PAIRS)('f32 broadcasting %j with %j', async (sa, sb) => {
      // Small integers make ties (equal, maximum) common as well as ordinary values.
      const a = uniform(size(sa), -3, 3).map((v, i) => (i % 3 === 0 ? Math.round(v) : Math.fround(v)));
      const b = uniform(size(sb), -3, 3).map((v, i) => (i % 2 === 0 ? Math.round(v) : Math.fround(v)));
      const want = broadcast2(f64(sa, a), f64(sb, b), ref);
      const y = op(tm.tensor(Float32Array.from(a), sa), tm.tensor(Float32Array.from(b), sb));
      expect(y.shape).toEqual(want.shape);
      expectClose(await y.data(), want.v, 1e-6);
    });

    it('f16 with broadcasting', async () => {
      const a = asF16(uniform(6 * 5, -3, 3));
      const b = asF16(uniform(5, 0.5, 3));
      const y = op(tm.tensor(Float32Array.from(a), [6, 5], { dtype: 'f16' }), tm.tensor(Float32Array.from(b), [5], { dtype: 'f16' }));
      expect(y.dtype).toBe('f16');
      expectClose(await y.data(), asF16(broadcast2(f64([6, 5], a), f64([5], b), ref).v), 1e-2);
    });
  });

  it('pow matches Math.pow for positive bases and any exponent', async () => {
    const a = asF32(uniform(129, 0.1, 4));
    const b = asF32(uniform(129, -3, 3));
    const y = tm.tensor(Float32Array.from(a), [129]).pow(tm.tensor(Float32Array.from(b), [129]));
    expectClose(await y.data(), broadcast2(f64([129], a), f64([129], b), Math.pow).v, 1e-5);
  });

  it('integer arithmetic wraps like C and stays exact beyond 2^53', async () => {
    const big = tm.tensor(new Int32Array([2147483647, -2147483648, 123456789, 46341]), [4]);
    expect(Array.from(await big.add(1).data())).toEqual([-2147483648, -2147483647, 123456790, 46342]);
    expect(Array.from(await big.mul(big).data())).toEqual([1, 0, Math.imul(123456789, 123456789), Math.imul(46341, 46341)]);
    const i8 = tm.tensor(new Int8Array([127, -128, 100]), [3]);
    expect(Array.from(await i8.add(1).data())).toEqual([-128, -127, 101]);
    expect((await i8.add(1)).dtype).toBe('i8');
  });

  it('NaN propagates through maximum/minimum and compares unequal', async () => {
    const a = tm.tensor([NaN, 1, 2]);
    const b = tm.tensor([0, NaN, 2]);
    expect(Array.from(await a.maximum(b).data())).toEqual([NaN, NaN, 2]);
    expect(Array.from(await a.minimum(b).data())).toEqual([NaN, NaN, 2]);
    expect(Array.from(await a.equal(a).data())).toEqual([0, 1, 1]);
  });

  it('where picks by a broadcast condition; clip limits', async () => {
    const cond = tm.tensor([[1], [0]]);
    const y = tm.where(cond, tm.tensor([[1, 2, 3], [4, 5, 6]]), -1);
    expect(await y.array()).toEqual([[1, 2, 3], [-1, -1, -1]]);
    expect(Array.from(await tm.tensor([-5, 0.5, 9]).clip(0, 1).data())).toEqual([0, 0.5, 1]);
  });

  it('promotes dtypes: f16⊕f32→f32, i8⊕i32→i32, i32÷i32→f32, numbers follow the tensor', async () => {
    const h = tm.tensor([1, 2], { dtype: 'f16' });
    const f = tm.tensor([1, 2]);
    const i = tm.tensor(new Int32Array([3, 4]), [2]);
    const b = tm.tensor(new Int8Array([1, 2]), [2]);
    expect(h.add(f).dtype).toBe('f32');
    expect(h.mul(2).dtype).toBe('f16');
    expect(b.add(i).dtype).toBe('i32');
    expect(i.mul(0.5).dtype).toBe('f32');
    expect(Array.from(await i.mul(0.5).data())).toEqual([1.5, 2]);
    expect(i.div(i).dtype).toBe('f32');
    expect(Array.from(await i.div(tm.tensor(new Int32Array([2, 3]), [2])).data())).toEqual([1.5, Math.fround(4 / 3)]);
    expect(b.mul(1000).dtype).toBe('i32'); // 1000 does not fit i8
    expect(i.greater(3).dtype).toBe('i32');
  });

  it('property: any pair of broadcastable shapes adds like the reference', () => {
    const dim = fc.integer({ min: 1, max: 4 });
    fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(dim, fc.boolean(), fc.boolean()), { maxLength: 4 }), fc.nat(2), async (axes, drop) => {
        const full = axes.map(([d]) => d);
        const sa = axes.map(([d, one]) => (one ? 1 : d)).slice(Math.min(drop, axes.length));
        const sb = axes.map(([d, , one]) => (one ? 1 : d));
        const a = asF32(uniform(size(sa)));
        const b = asF32(uniform(size(sb)));
        const y = tm.tensor(Float32Array.from(a), sa).add(tm.tensor(Float32Array.from(b), sb));
        const want = broadcast2(f64(sa, a), f64(sb, b), (x, z) => x + z);
        expect(y.shape).toEqual(want.shape);
        expect(want.shape.length).toBe(full.length);
        expectClose(await y.data(), want.v, 1e-6);
      }),
      { numRuns: 60 },
    );
  });
});
