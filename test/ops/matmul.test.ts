// matmul on every backend against a float64 product written in the test:
// odd sizes, transposes without copies, batches with NumPy batch
// broadcasting, 1-D operands, empty dimensions, f16, and exact int8 → i32.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { TOL, asDType, expectClose, expectExact, intsOf, randomInts, uniform } from '../helpers/data.js';
import { f64, map, matmulRef, roundF16, size, wrapInt, type F64 } from '../helpers/float64.js';
import { runIsolated } from '../helpers/isolated.js';

const SIZES: [number, number, number][] = [[1, 1, 1], [1, 7, 1], [7, 13, 5], [13, 1, 31], [33, 17, 65], [64, 64, 64], [127, 129, 131]];
const FLAGS = [{}, { transposeA: true }, { transposeB: true }, { transposeA: true, transposeB: true }] as const;
/** f16 products accumulate many rounded terms: a looser bound than one elementwise rounding. */
const F16_ACC = 5 * TOL.f16;

type Opts = { transposeA?: boolean; transposeB?: boolean };

/**
 * The product with every term made positive: Σ|a||b|, the scale of a float
 * product's rounding errors (a result much smaller than its terms, from
 * cancellation, is only good to a few ulps of the terms).
 */
const termScale = (a: F64, b: F64, opts: Opts = {}) => matmulRef(map(a, Math.abs), map(b, Math.abs), opts).v;

/** The shape an operand is stored in for a product that sees `logical` (its last two axes swapped when transposed). */
const stored = (logical: number[], transposed = false) =>
  transposed && logical.length >= 2 ? [...logical.slice(0, -2), logical[logical.length - 1], logical[logical.length - 2]] : logical;

/** Random operands for logical shapes a, b under `opts`, as float64 references and as tensors. */
function operands(la: number[], lb: number[], opts: Opts, dtype: tm.DType = 'f32'): { a: F64; b: F64; ta: tm.Tensor; tb: tm.Tensor } {
  const sa = stored(la, opts.transposeA);
  const sb = stored(lb, opts.transposeB);
  const draw = (n: number) => (dtype === 'i8' || dtype === 'i32' ? intsOf(dtype, n) : asDType(uniform(n, -1, 1), dtype));
  const a = f64(sa, draw(size(sa)));
  const b = f64(sb, draw(size(sb)));
  return { a, b, ta: tm.tensor(a.v, sa, { dtype }), tb: tm.tensor(b.v, sb, { dtype }) };
}

describe.each(BACKENDS)('matmul on %s', (backend) => {
  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  it.each(SIZES)('f32 [%i×%i]·[…×%i] with every transpose flag', async (m, k, n) => {
    for (const opts of FLAGS) {
      const { a, b, ta, tb } = operands([m, k], [k, n], opts);
      const c = ta.matmul(tb, opts);
      expect(c.shape).toEqual([m, n]);
      expect(c.dtype).toBe('f32');
      expectClose(await c.data(), matmulRef(a, b, opts).v, TOL.f32, JSON.stringify(opts), termScale(a, b, opts));
    }
  });

  it.each([[31, 67, 29], [1, 129, 7], [13, 13, 13]])('f16 [%i×%i]·[…×%i] gives f16 with every transpose flag', async (m, k, n) => {
    for (const opts of FLAGS) {
      const { a, b, ta, tb } = operands([m, k], [k, n], opts, 'f16');
      const c = ta.matmul(tb, opts);
      expect(c.dtype).toBe('f16');
      const got = await c.data();
      expect(Array.from(got)).toEqual(Array.from(got, roundF16));
      expectClose(got, matmulRef(a, b, opts).v.map(roundF16), F16_ACC, JSON.stringify(opts));
    }
  });

  it.each([
    [[2, 1, 5, 7], [3, 7, 4], [2, 3, 5, 4]],
    [[5, 3, 6], [6, 4], [5, 3, 4]],
    [[6, 4], [5, 4, 3], [5, 6, 3]],
    [[1, 3, 4], [5, 4, 2], [5, 3, 2]],
    [[2, 1, 3, 4], [1, 5, 4, 2], [2, 5, 3, 2]],
    [[7, 1, 13], [1, 13, 3], [7, 1, 3]],
    [[3, 2, 5], [3, 5, 1], [3, 2, 1]],
  ])('batched %j · %j → %j, batch axes broadcast like NumPy, with every transpose flag', async (la, lb, want) => {
    for (const opts of FLAGS) {
      const { a, b, ta, tb } = operands(la, lb, opts);
      const c = ta.matmul(tb, opts);
      expect(c.shape).toEqual(want);
      expectClose(await c.data(), matmulRef(a, b, opts).v, TOL.f32, JSON.stringify(opts), termScale(a, b, opts));
    }
  });

  it.each([
    [[4], [4, 3], [3]], [[4, 3], [3], [4]], [[7], [7], []], [[4], [5, 4, 3], [5, 3]], [[5, 3, 4], [4], [5, 3]], [[1], [1, 129], [129]],
  ])('1-D operands are promoted like NumPy and the added axis dropped: %j · %j → %j', async (la, lb, want) => {
    const { a, b, ta, tb } = operands(la, lb, {});
    const c = ta.matmul(tb);
    expect(c.shape).toEqual(want);
    expectClose(await c.data(), matmulRef(a, b).v, TOL.f32, '', termScale(a, b));
  });

  it('transpose flags on a 1-D operand change nothing (a vector has no axes to swap)', async () => {
    const { a, b, ta, tb } = operands([4], [4, 3], {});
    expectClose(await ta.matmul(tb, { transposeA: true }).data(), matmulRef(a, b).v, TOL.f32, '', termScale(a, b));
    const { a: c, b: d, ta: tc, tb: td } = operands([3, 4], [4], {});
    expectClose(await tc.matmul(td, { transposeB: true }).data(), matmulRef(c, d).v, TOL.f32, '', termScale(c, d));
  });

  it('property: random batch shapes, sizes, 1-D operands and transpose flags match the reference', async () => {
    const dim = fc.integer({ min: 1, max: 3 });
    const side = fc.record({ batch: fc.array(fc.tuple(dim, fc.boolean()), { maxLength: 2 }), vector: fc.boolean(), transposed: fc.boolean() });
    await fc.assert(
      fc.asyncProperty(side, side, fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 9 }), async (sa, sb, m, k, n) => {
        // Both batches come from one list of sizes (each side may use 1 instead), so they broadcast.
        const full = sa.batch.length >= sb.batch.length ? sa.batch : sb.batch;
        const batchOf = (own: typeof full) => own.map(([, one], i) => (one ? 1 : full[full.length - own.length + i][0]));
        const la = sa.vector ? [k] : [...batchOf(sa.batch), m, k];
        const lb = sb.vector ? [k] : [...batchOf(sb.batch), k, n];
        const opts = { transposeA: sa.transposed, transposeB: sb.transposed };
        const { a, b, ta, tb } = operands(la, lb, opts);
        const want = matmulRef(a, b, opts);
        const c = ta.matmul(tb, opts);
        expect(c.shape).toEqual(want.shape);
        expectClose(await c.data(), want.v, TOL.f32, `${JSON.stringify(la)} · ${JSON.stringify(lb)} ${JSON.stringify(opts)}`, termScale(a, b, opts));
        for (const t of [ta, tb, c]) t.dispose();
      }),
      { numRuns: 60 },
    );
  });

  it.each([[1, 4, 1], [7, 13, 5], [33, 300, 17], [64, 64, 64], [5, 129, 127]])('i8 × i8 gives the exact i32 product at %i×%i×%i, with every transpose flag', async (m, k, n) => {
    for (const opts of FLAGS) {
      const { a, b, ta, tb } = operands([m, k], [k, n], opts, 'i8');
      const c = ta.matmul(tb, opts);
      expect(c.dtype).toBe('i32');
      expectExact(await c.data(), matmulRef(a, b, opts).v, JSON.stringify(opts));
    }
  });

  it('i8 × i8 batched with a broadcast batch, transposed, is exact too', async () => {
    for (const opts of FLAGS) {
      const { a, b, ta, tb } = operands([3, 1, 7, 33], [4, 33, 5], opts, 'i8');
      const c = ta.matmul(tb, opts);
      expect([c.shape, c.dtype]).toEqual([[3, 4, 7, 5], 'i32']);
      expectExact(await c.data(), matmulRef(a, b, opts).v, JSON.stringify(opts));
    }
  });

  it('i32 × i32 (and i8 × i32) accumulate in i32, wrapping like C', async () => {
    const a = intsOf('i32', 3 * 5);
    const b = randomInts(5 * 2, -1000, 1000);
    const c = tm.tensor(a, [3, 5], { dtype: 'i32' }).matmul(tm.tensor(b, [5, 2], { dtype: 'i32' }));
    expect(c.dtype).toBe('i32');
    const want: number[] = [];
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 2; j++) {
        let s = 0n;
        for (let p = 0; p < 5; p++) s += BigInt(a[i * 5 + p]) * BigInt(b[p * 2 + j]);
        want.push(wrapInt(s, 'i32'));
      }
    }
    expectExact(await c.data(), want);
    const small = randomInts(3 * 5, -128, 127);
    const d = tm.tensor(small, [3, 5], { dtype: 'i8' }).matmul(tm.tensor(b, [5, 2], { dtype: 'i32' }));
    expect(d.dtype).toBe('i32');
    expectExact(await d.data(), matmulRef(f64([3, 5], small), f64([5, 2], b)).v);
  });

  it('an empty inner dimension gives zeros; empty outer or batch dimensions give empty results', async () => {
    for (const dtype of tm.DTYPES) {
      const c = tm.ones([2, 0], { dtype }).matmul(tm.ones([0, 3], { dtype }));
      expect(c.shape).toEqual([2, 3]);
      expect(await c.array(), dtype).toEqual([[0, 0, 0], [0, 0, 0]]);
    }
    expect(await tm.ones([0, 2]).matmul(tm.ones([0, 3]), { transposeA: true }).array()).toEqual([[0, 0, 0], [0, 0, 0]]);
    expect(await tm.ones([0]).matmul(tm.ones([0])).item()).toBe(0);
    expect(tm.ones([0, 4]).matmul(tm.ones([4, 3])).shape).toEqual([0, 3]);
    expect(tm.ones([2, 4]).matmul(tm.ones([4, 0])).shape).toEqual([2, 0]);
  });

  it('an empty batch gives an empty result, for every dtype (run in its own process: it has crashed native code)', () => {
    // The kernel contract gives each operand batch 1 or the full batch B; with B = 0 one operand
    // has batch 0 and the other 1, and max(0, 1) = 1 batch must not be computed from an empty operand.
    const r = runIsolated(backend, `
      const out = [];
      for (const dtype of tm.DTYPES) {
        for (const [a, b] of [[[0, 2, 4], [4, 3]], [[2, 4], [0, 4, 3]], [[0, 2, 4], [1, 4, 3]], [[3, 0, 2, 4], [4, 3]]]) {
          const c = tm.ones(a, { dtype }).matmul(tm.ones(b, { dtype }));
          out.push([c.shape, (await c.data()).length]);
        }
      }
      return out;
    `);
    expect(r.signal, r.stderr).toBeNull();
    expect(r.status, r.stderr).toBe(0);
    expect(r.value).toEqual(tm.DTYPES.flatMap(() => [[[0, 2, 3], 0], [[0, 2, 3], 0], [[0, 2, 3], 0], [[3, 0, 2, 3], 0]]));
  });

  it('a large product consumed at once by any other kernel gives the right values (a backend may still be computing it)', async () => {
    // 256·512·512 = 2^26 multiply-adds: large enough for a backend to run the GEMM asynchronously.
    const [m, k, n] = [256, 512, 512];
    const a = f64([m, k], asDType(uniform(m * k, -1, 1), 'f32'));
    const b = f64([k, n], asDType(uniform(k * n, -1, 1), 'f32'));
    const ta = tm.tensor(a.v, [m, k]);
    const tb = tm.tensor(b.v, [k, n]);
    const product = () => ta.matmul(tb);
    // The product itself, checked at sampled entries against float64 dot products.
    const p = f64([m, n], await product().data());
    for (const [i, j] of Array.from({ length: 64 }, (_, t) => [(t * 37) % m, (t * 101 + 7) % n])) {
      let want = 0;
      let scale = 0;
      for (let q = 0; q < k; q++) {
        want += a.v[i * k + q] * b.v[q * n + j];
        scale += Math.abs(a.v[i * k + q] * b.v[q * n + j]);
      }
      expectClose([p.v[i * n + j]], [want], TOL.f32, `[${i},${j}]`, [scale]);
    }
    const small = f64([n, 3], uniform(n * 3, -1, 1).map(Math.fround));
    const consumers: [string, (c: tm.Tensor) => tm.Tensor, F64, number, Float64Array?][] = [
      ['add', (c) => c.add(1), f64([m, n], p.v.map((x) => Math.fround(x + 1))), 0],
      ['neg', (c) => c.neg(), f64([m, n], p.v.map((x) => -x)), 0],
      ['max', (c) => c.max(0), maxOver0(p), 0],
      ['transpose', (c) => c.transpose(), f64([n, m], Float64Array.from({ length: m * n }, (_, t) => p.v[(t % m) * n + Math.floor(t / m)])), 0],
      ['slice', (c) => c.slice([1, 2], [3, 4]), f64([3, 4], [1, 2, 3].flatMap((i) => [2, 3, 4, 5].map((j) => p.v[i * n + j]))), 0],
      ['concat', (c) => tm.concat([c, c]), f64([2 * m, n], [...p.v, ...p.v]), 0],
      ['cast to f16', (c) => c.cast('f16'), f64([m, n], p.v.map(roundF16)), 0],
      ['reshape', (c) => c.reshape([-1]), f64([m * n], p.v), 0],
      ['matmul', (c) => c.matmul(tm.tensor(small.v, small.shape)), matmulRef(p, small), TOL.f32, termScale(p, small)],
    ];
    for (const [name, consume, want, tol, scale] of consumers) {
      const y = consume(product());
      expect(y.shape, name).toEqual(want.shape);
      expectClose(await y.data(), want.v, tol, name, scale);
    }
  });

  it('names both shapes when inner dimensions differ', () => {
    expect(() => tm.zeros([2, 3]).matmul(tm.zeros([4, 5]))).toThrow('matmul: inner dimensions differ: [2,3] x [4,5] (3 vs 4)');
    expect(() => tm.zeros([2, 3]).matmul(tm.zeros([2, 5]), { transposeB: true })).toThrow(/\[2,3\] x \[2,5\]ᵀ/);
    expect(() => tm.zeros([2, 2, 3]).matmul(tm.zeros([3, 3, 1]))).toThrow(/cannot be broadcast/);
  });
});

/** Largest entry of each column. */
function maxOver0(p: F64): F64 {
  const [m, n] = p.shape;
  const v = new Float64Array(n).fill(-Infinity);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) v[j] = Math.max(v[j], p.v[i * n + j]);
  return f64([n], v);
}
