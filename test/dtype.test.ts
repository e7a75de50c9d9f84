// Dtype rules: which dtype a result takes (src/dtype.ts promoteTypes and
// scalarDTypeNextTo, and each op's own rule), checked as functions and through
// the ops on every backend, with the values computed in the result dtype.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../src/index.js';
import { checkDType, floatDTypeOf, isDType, promoteTypes, saturateToInt, scalarDTypeNextTo } from '../src/dtype.js';
import { BACKENDS } from './helpers/backends.js';
import { TOL, expectClose } from './helpers/data.js';
import { castRef } from './helpers/float64.js';

const D = tm.DTYPES;
type DType = tm.DType;

/** Expected common dtype of a binary op, row = a, column = b, in DTYPES order (f32, f16, i8, i32). */
const PROMOTION: Record<DType, Record<DType, DType>> = {
  f32: { f32: 'f32', f16: 'f32', i8: 'f32', i32: 'f32' },
  f16: { f32: 'f32', f16: 'f16', i8: 'f16', i32: 'f32' }, // f16 holds every i8 exactly, not every i32
  i8: { f32: 'f32', f16: 'f16', i8: 'i8', i32: 'i32' },
  i32: { f32: 'f32', f16: 'f32', i8: 'i32', i32: 'i32' },
};

const isInt = (d: DType) => d === 'i8' || d === 'i32';

describe('dtype rules as functions', () => {
  it('knows exactly f32, f16, i8 and i32', () => {
    expect([...tm.DTYPES]).toEqual(['f32', 'f16', 'i8', 'i32']);
    for (const d of D) expect(isDType(d)).toBe(true);
    for (const bad of ['f64', 'float32', 'F32', 'int8', 'bool', '', undefined, null, 32]) expect(isDType(bad)).toBe(false);
    expect(() => checkDType('f64', 'op')).toThrow(tm.DTypeError);
    expect(() => checkDType('float32', 'op')).toThrow('op: unknown dtype "float32"; expected one of f32, f16, i8, i32');
  });

  it.each(D.flatMap((a) => D.map((b) => [a, b] as const)))('promoteTypes(%s, %s) follows the table, symmetrically', (a, b) => {
    expect(promoteTypes(a, b)).toBe(PROMOTION[a][b]);
    expect(promoteTypes(b, a)).toBe(PROMOTION[a][b]);
  });

  it('a plain number follows the tensor: floats keep their dtype, ints keep theirs while the number fits', () => {
    const cases: [DType, number, DType][] = [
      ['f32', 2, 'f32'], ['f32', 1e300, 'f32'],
      ['f16', 2, 'f16'], ['f16', 0.5, 'f16'], ['f16', 1e6, 'f16'], ['f16', NaN, 'f16'],
      ['i8', 2, 'i8'], ['i8', -128, 'i8'], ['i8', 127, 'i8'], ['i8', 128, 'i32'], ['i8', -129, 'i32'], ['i8', 1000, 'i32'],
      ['i8', 0.5, 'f32'], ['i8', NaN, 'f32'], ['i8', Infinity, 'f32'], ['i8', 2 ** 31, 'f32'],
      ['i32', 2, 'i32'], ['i32', 2147483647, 'i32'], ['i32', -2147483648, 'i32'], ['i32', 2147483648, 'f32'],
      ['i32', 0.5, 'f32'], ['i32', -Infinity, 'f32'],
    ];
    for (const [d, v, want] of cases) expect(scalarDTypeNextTo(d, v), `${d} next to ${v}`).toBe(want);
  });

  it('float results from ints are f32; float dtypes stay', () => {
    expect(D.map(floatDTypeOf)).toEqual(['f32', 'f16', 'f32', 'f32']);
  });

  it('saturateToInt truncates toward zero, clamps, and sends NaN to 0', () => {
    expect([1.9, -1.9, -0.5, 127.9, 128, -128.9, -129, Infinity, -Infinity, NaN].map((v) => saturateToInt(v, 'i8')))
      .toEqual([1, -1, -0, 127, 127, -128, -128, 127, -128, 0]);
    expect([2147483647.9, 2147483648, -2147483649, 1e20, NaN].map((v) => saturateToInt(v, 'i32')))
      .toEqual([2147483647, 2147483647, -2147483648, 2147483647, 0]);
  });
});

describe.each(BACKENDS)('dtype rules through the ops on %s', (backend) => {
  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  // Small values that every dtype holds exactly, so results differ only by the result dtype's rounding.
  const A = [-6, -1, 0, 3, 5, 7, -3, 2];
  const B = [3, -4, 5, 2, -1, 6, -3, 7];
  const OPS: [string, (a: tm.Tensor, b: tm.Tensor) => tm.Tensor, (x: number, y: number) => number][] = [
    ['add', (a, b) => a.add(b), (x, y) => x + y],
    ['sub', (a, b) => a.sub(b), (x, y) => x - y],
    ['mul', (a, b) => a.mul(b), (x, y) => x * y],
    ['div', (a, b) => a.div(b), (x, y) => x / y],
    ['maximum', (a, b) => a.maximum(b), Math.max],
    ['minimum', (a, b) => a.minimum(b), Math.min],
    ['equal', (a, b) => a.equal(b), (x, y) => +(x === y)],
    ['less', (a, b) => a.less(b), (x, y) => +(x < y)],
    ['greaterEqual', (a, b) => a.greaterEqual(b), (x, y) => +(x >= y)],
  ];

  it.each(D.flatMap((a) => D.map((b) => [a, b] as const)))('%s ⊕ %s: the common dtype (ints ÷ ints give f32), values rounded once into it', async (da, db) => {
    const a = tm.tensor(A, { dtype: da });
    const b = tm.tensor(B, { dtype: db });
    for (const [name, op, ref] of OPS) {
      const y = op(a, b);
      const want = name === 'div' && isInt(PROMOTION[da][db]) ? 'f32' : PROMOTION[da][db];
      expect(y.dtype, name).toBe(want);
      expect(y.shape).toEqual([A.length]);
      expectClose(await y.data(), A.map((x, i) => castRef(ref(x, B[i]), want)), TOL[want], `${da} ${name} ${db}`);
    }
  });

  it('numbers beside tensors take the tensor\'s dtype, on either side', async () => {
    const h = tm.tensor([1, 2], { dtype: 'f16' });
    const i8 = tm.tensor(new Int8Array([1, 2]), [2]);
    const i32 = tm.tensor(new Int32Array([3, 4]), [2]);
    const f = tm.tensor([1, 2]);
    expect(h.mul(2).dtype).toBe('f16');
    expect(tm.mul(2, h).dtype).toBe('f16');
    expect(h.mul(0.5).dtype).toBe('f16');
    expect(Array.from(await h.mul(1e5).data())).toEqual([Infinity, Infinity]); // 1e5 is Infinity in f16
    expect(i8.add(1).dtype).toBe('i8');
    expect(tm.sub(100, i8).dtype).toBe('i8');
    expect(i8.mul(1000).dtype).toBe('i32'); // 1000 does not fit i8
    expect(Array.from(await i8.mul(1000).data())).toEqual([1000, 2000]);
    expect(i8.add(0.5).dtype).toBe('f32');
    expect(i32.mul(0.5).dtype).toBe('f32');
    expect(Array.from(await i32.mul(0.5).data())).toEqual([1.5, 2]);
    expect(i32.add(2 ** 31).dtype).toBe('f32');
    expect(i32.add(NaN).dtype).toBe('f32');
    expect(f.add(1).dtype).toBe('f32');
    expect(i32.greater(3).dtype).toBe('i32');
    expect(Array.from(await i32.greater(3).data())).toEqual([0, 1]);
    expect(tm.add(1, 2).dtype).toBe('f32');
  });

  it('ints divided by ints give f32 (true division)', async () => {
    const i = tm.tensor(new Int32Array([7, -7, 1, 0]), [4]);
    const j = tm.tensor(new Int32Array([2, 2, 3, 0]), [4]);
    const q = i.div(j);
    expect(q.dtype).toBe('f32');
    expectClose(await q.data(), [3.5, -3.5, Math.fround(1 / 3), NaN], 0);
    expect(tm.tensor(new Int8Array([1]), [1]).div(tm.tensor(new Int8Array([4]), [1])).dtype).toBe('f32');
  });

  it.each([
    ['f32', 'f32', 'f32'], ['f16', 'f16', 'f16'], ['f16', 'f32', 'f32'], ['i8', 'i8', 'i32'], ['i8', 'i32', 'i32'],
    ['i32', 'i32', 'i32'], ['i8', 'f16', 'f16'], ['i32', 'f16', 'f32'], ['i8', 'f32', 'f32'],
  ] as const)('matmul %s × %s gives %s', async (da, db, want) => {
    const a = tm.tensor([[1, 2, 3], [4, 5, 6]], { dtype: da });
    const b = tm.tensor([[1, -1], [2, 0], [-3, 4]], { dtype: db });
    const c = a.matmul(b);
    expect(c.dtype).toBe(want);
    expect(await c.array()).toEqual([[-4, 11], [-4, 20]]);
  });

  it('unary ops: neg, abs, sign, relu and square keep int dtypes; exp, log, sqrt, sigmoid and tanh make ints f32 and keep f16', () => {
    for (const d of D) {
      const x = tm.tensor([1, 2], { dtype: d });
      for (const t of [x.neg(), x.abs(), x.sign(), x.relu(), x.square(), x.clip(0, 1)]) expect(t.dtype).toBe(d);
      for (const t of [x.exp(), x.log(), x.sqrt(), x.sigmoid(), x.tanh()]) expect(t.dtype).toBe(floatDTypeOf(d));
    }
  });

  it('reductions: sums of ints are i32, means of ints f32, max/min keep the dtype, argmax/argmin are i32', () => {
    const want: Record<DType, [DType, DType]> = { f32: ['f32', 'f32'], f16: ['f16', 'f16'], i8: ['i32', 'f32'], i32: ['i32', 'f32'] };
    for (const d of D) {
      const x = tm.tensor([[1, 2], [3, 4]], { dtype: d });
      expect([x.sum().dtype, x.mean(0).dtype], d).toEqual(want[d]);
      expect([x.max().dtype, x.min(1).dtype]).toEqual([d, d]);
      expect([x.argmax().dtype, x.argmin(0).dtype]).toEqual(['i32', 'i32']);
      expect([x.softmax().dtype, x.logSoftmax(0).dtype]).toEqual([floatDTypeOf(d), floatDTypeOf(d)]);
    }
  });

  it('concat and where take the common dtype of their values; where\'s condition may be any dtype', async () => {
    for (const a of D) {
      for (const b of D) {
        expect(tm.concat([tm.ones([1], { dtype: a }), tm.ones([2], { dtype: b })]).dtype).toBe(PROMOTION[a][b]);
        const w = tm.where(tm.tensor([1, 0], { dtype: b }), tm.tensor([1, 2], { dtype: a }), tm.tensor([3, 4], { dtype: b }));
        expect(w.dtype).toBe(PROMOTION[a][b]);
        expect(Array.from(await w.data())).toEqual([1, 4]);
      }
    }
  });

  it('movement ops and cast to the same dtype keep the dtype', () => {
    for (const d of D) {
      const x = tm.zeros([2, 3], { dtype: d });
      for (const t of [x.reshape([3, 2]), x.transpose(), x.slice([1]), x.broadcastTo([4, 2, 3]), x.expandDims(0), x.squeeze(), x.clone(), x.cast(d), tm.stack([x, x])]) {
        expect(t.dtype).toBe(d);
      }
    }
  });

  it('tensor() infers i32 from Int32Array, i8 from Int8Array and f32 from everything else', () => {
    expect(tm.tensor(new Int32Array(2), [2]).dtype).toBe('i32');
    expect(tm.tensor(new Int8Array(2), [2]).dtype).toBe('i8');
    for (const arr of [new Float32Array(2), new Float64Array(2), new Uint8Array(2), new Int16Array(2), new Uint16Array(2), new Uint32Array(2)]) {
      expect(tm.tensor(arr, [2]).dtype).toBe('f32');
    }
    expect(tm.tensor([1, 2]).dtype).toBe('f32');
    expect(tm.tensor(new Int32Array([1, 2]), [2], { dtype: 'f16' }).dtype).toBe('f16');
    expect(tm.arange(3).dtype).toBe('i32');
    expect(tm.arange(0.5, 3).dtype).toBe('f32');
  });
});
