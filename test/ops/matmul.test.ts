// matmul on every backend against a float64 product: odd sizes, transposes
// without copies, batches with broadcasting, 1-D operands, f16, and exact int8.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { asF16, asF32, expectClose, uniform } from '../helpers/data.js';
import { f64, matmul2, permute, transpose2, type F64 } from '../helpers/float64.js';

const SIZES: [number, number, number][] = [[1, 1, 1], [1, 7, 1], [7, 13, 5], [33, 17, 65], [64, 64, 64], [127, 129, 131]];

/** Batched product of [B, m, k] × [B, k, n] (batch 1 broadcasts). */
function batched(a: F64, b: F64): F64 {
  const [ba, m, k] = a.shape;
  const [bb, , n] = b.shape;
  const batch = Math.max(ba, bb);
  const v = new Float64Array(batch * m * n);
  for (let t = 0; t < batch; t++) {
    const at = f64([m, k], a.v.subarray((ba === 1 ? 0 : t) * m * k, ((ba === 1 ? 0 : t) + 1) * m * k));
    const bt = f64([k, n], b.v.subarray((bb === 1 ? 0 : t) * k * n, ((bb === 1 ? 0 : t) + 1) * k * n));
    v.set(matmul2(at, bt).v, t * m * n);
  }
  return { shape: [batch, m, n], v };
}

describe.each(BACKENDS)('matmul on %s', (backend) => {
  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  it.each(SIZES)('f32 [%i×%i]·[%i×…] and every transpose flag', async (m, k, n) => {
    const a = f64([m, k], asF32(uniform(m * k)));
    const b = f64([k, n], asF32(uniform(k * n)));
    const want = matmul2(a, b).v;
    const ta = tm.tensor(Float32Array.from(a.v), [m, k]);
    const tb = tm.tensor(Float32Array.from(b.v), [k, n]);
    const taT = tm.tensor(Float32Array.from(transpose2(a).v), [k, m]);
    const tbT = tm.tensor(Float32Array.from(transpose2(b).v), [n, k]);
    for (const [x, y, opts] of [[ta, tb, {}], [taT, tb, { transposeA: true }], [ta, tbT, { transposeB: true }], [taT, tbT, { transposeA: true, transposeB: true }]] as const) {
      const c = x.matmul(y, opts);
      expect(c.shape).toEqual([m, n]);
      expectClose(await c.data(), want, 1e-5);
    }
  });

  it('f16 operands give f16 within f16 precision', async () => {
    const [m, k, n] = [31, 67, 29];
    const a = f64([m, k], asF16(uniform(m * k, -1, 1)));
    const b = f64([k, n], asF16(uniform(k * n, -1, 1)));
    const c = tm.tensor(Float32Array.from(a.v), [m, k], { dtype: 'f16' }).matmul(tm.tensor(Float32Array.from(b.v), [k, n], { dtype: 'f16' }));
    expect(c.dtype).toBe('f16');
    expectClose(await c.data(), matmul2(a, b).v, 2e-2);
  });

  it('batches, broadcasting batch axes like NumPy', async () => {
    const a = f64([2, 1, 5, 7], asF32(uniform(70)));
    const b = f64([3, 7, 4], asF32(uniform(84)));
    const c = tm.tensor(Float32Array.from(a.v), a.shape).matmul(tm.tensor(Float32Array.from(b.v), b.shape));
    expect(c.shape).toEqual([2, 3, 5, 4]);
    const got = await c.data();
    for (let i = 0; i < 2; i++) {
      const want = batched(f64([1, 5, 7], a.v.subarray(i * 35, (i + 1) * 35)), b);
      expectClose(got.subarray(i * 60, (i + 1) * 60), want.v, 1e-5);
    }
    const shared = f64([6, 4], asF32(uniform(24)));
    const many = f64([5, 3, 6], asF32(uniform(90)));
    const d = tm.tensor(Float32Array.from(many.v), many.shape).matmul(tm.tensor(Float32Array.from(shared.v), shared.shape), {});
    expectClose(await d.data(), batched(many, f64([1, 6, 4], shared.v)).v, 1e-5);
    const e = tm.tensor(Float32Array.from(many.v), many.shape).matmul(tm.tensor(Float32Array.from(many.v), many.shape), { transposeB: true });
    expectClose(await e.data(), batched(many, permute(many, [0, 2, 1])).v, 1e-5);
  });

  it('1-D operands are promoted and the added axis dropped', async () => {
    const v = f64([4], asF32(uniform(4)));
    const m = f64([4, 3], asF32(uniform(12)));
    const tv = tm.tensor(Float32Array.from(v.v), [4]);
    const tm43 = tm.tensor(Float32Array.from(m.v), [4, 3]);
    const vm = tv.matmul(tm43);
    expect(vm.shape).toEqual([3]);
    expectClose(await vm.data(), matmul2(f64([1, 4], v.v), m).v);
    const mv = tm43.matmul(tm.tensor(Float32Array.from(v.v.slice(0, 3)), [3]));
    expect(mv.shape).toEqual([4]);
    const dot = tv.matmul(tv);
    expect(dot.shape).toEqual([]);
    expectClose(await dot.data(), [v.v.reduce((s, x) => s + x * x, 0)]);
  });

  it.each([[1, 4, 1], [7, 13, 5], [33, 300, 17], [64, 64, 64]])('i8 × i8 gives the exact i32 product at %i×%i×%i', async (m, k, n) => {
    const ints = (len: number) => Int8Array.from(uniform(len, -128, 128), Math.floor);
    const a = ints(m * k);
    const b = ints(k * n);
    const c = tm.tensor(a, [m, k]).matmul(tm.tensor(b, [k, n]));
    expect(c.dtype).toBe('i32');
    const want = matmul2(f64([m, k], a), f64([k, n], b)).v;
    expect(Array.from(await c.data())).toEqual(Array.from(want));
    const cT = tm.tensor(Int8Array.from(transpose2(f64([m, k], a)).v), [k, m]).matmul(tm.tensor(b, [k, n]), { transposeA: true });
    expect(Array.from(await cT.data())).toEqual(Array.from(want));
  });

  it('an empty inner dimension gives zeros; empty outer dimensions give empty results', async () => {
    expect(await tm.ones([2, 0]).matmul(tm.ones([0, 3])).array()).toEqual([[0, 0, 0], [0, 0, 0]]);
    expect(await tm.ones([2, 0], { dtype: 'i8' }).matmul(tm.ones([0, 3], { dtype: 'i8' })).array()).toEqual([[0, 0, 0], [0, 0, 0]]);
    expect(tm.ones([0, 4]).matmul(tm.ones([4, 3])).shape).toEqual([0, 3]);
  });

  it('names both shapes when inner dimensions differ', () => {
    expect(() => tm.zeros([2, 3]).matmul(tm.zeros([4, 5]))).toThrow('matmul: inner dimensions differ: [2,3] x [4,5] (3 vs 4)');
    expect(() => tm.zeros([2, 3]).matmul(tm.zeros([2, 5]), { transposeB: true })).toThrow(/\[2,3\] x \[2,5\]ᵀ/);
    expect(() => tm.zeros([2, 2, 3]).matmul(tm.zeros([3, 3, 1]))).toThrow(/cannot be broadcast/);
  });
});
