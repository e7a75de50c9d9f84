// The webgpu row kernels (reductions, products among them, arg-reductions, softmax) and the data
// movement kernels (strided copy, concat; oneHot, a fused chain), through
// the public API, against float64 references: odd sizes on both sides of
// the launch shapes' thresholds (one invocation per short row; one workgroup
// per longer row, rows past 65535 on the grid's y axis; a ~1e6-long row),
// f32, f16, i8/i32, NaN and ±Infinity as the js backend treats them — each
// with the subgroup path and with the workgroup-tree path forced, and in the
// invocation-per-row layout.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../../src/index.js';
import { activeBackend } from '../../../src/engine.js';
import type { WebGpuBackend } from '../../../src/backends/webgpu/index.js';
import { INVOCATION_MAX_ROW, measureRowLayout, reduceOptions, rowLaunch, SHORT_ROW, useSubgroups } from '../../../src/backends/webgpu/kernels/reduce.js';
import { measurementsSettled } from '../../../src/backends/webgpu/tuning_store.js';
import { fromStorage } from '../../../src/ops/util.js';
import { TOL, asF16, asF32, expectClose, expectExact, intsOf, randomInts, uniform } from '../../helpers/data.js';
import { broadcastToRef, concatRef, f64, permute, sliceRef } from '../../helpers/float64.js';

type RowOp = 'sum' | 'mean' | 'max' | 'min' | 'argmax' | 'argmin';
const OPS: RowOp[] = ['sum', 'mean', 'max', 'min', 'argmax', 'argmin'];

/** op along each row of x [outer, inner], as the js backend defines it (float64; int sums wrap in i32). */
function rowRef(op: RowOp, v: ArrayLike<number>, outer: number, inner: number, int = false): Float64Array {
  const out = new Float64Array(outer);
  for (let r = 0; r < outer; r++) {
    let acc = op === 'max' ? -Infinity : op === 'min' ? Infinity : 0;
    let best = 0;
    for (let i = 0; i < inner; i++) {
      const x = v[r * inner + i];
      if (op === 'sum' || op === 'mean') acc = int && op === 'sum' ? (acc + x) | 0 : acc + x;
      else if (op === 'max' || op === 'min') acc = Number.isNaN(acc) || Number.isNaN(x) ? NaN : op === 'max' ? Math.max(acc, x) : Math.min(acc, x);
      else {
        const b = v[r * inner + best];
        if (Number.isNaN(b)) continue;
        if (Number.isNaN(x) || (op === 'argmax' ? x > b : x < b)) best = i;
      }
    }
    out[r] = op === 'argmax' || op === 'argmin' ? best : op === 'mean' ? acc / inner : int && inner === 0 ? 0 : acc;
  }
  return out;
}

/** Σ|x| per row: the scale of a float sum's rounding error. */
function absRow(v: ArrayLike<number>, outer: number, inner: number): Float64Array {
  const out = new Float64Array(outer);
  for (let r = 0; r < outer; r++) for (let i = 0; i < inner; i++) out[r] += Math.abs(v[r * inner + i]);
  return out;
}

/** softmax / log-softmax of each row, as the js backend computes it (shifted by a finite max, else by 0). */
function softmaxRows(v: ArrayLike<number>, outer: number, inner: number, log: boolean): Float64Array {
  const out = new Float64Array(outer * inner);
  for (let r = 0; r < outer; r++) {
    const row = Array.from({ length: inner }, (_, i) => v[r * inner + i]);
    let max = -Infinity;
    for (const x of row) max = Number.isNaN(max) || Number.isNaN(x) ? NaN : Math.max(max, x);
    const shift = Number.isFinite(max) ? max : 0;
    let s = 0;
    for (const x of row) s += Math.exp(x - shift);
    for (let i = 0; i < inner; i++) out[r * inner + i] = log ? row[i] - shift - Math.log(s) : Math.exp(row[i] - shift) / s;
  }
  return out;
}

const run = (t: tm.Tensor, op: RowOp): tm.Tensor => t[op](-1);

async function checkRows(v: Float64Array, outer: number, inner: number, dtype: 'f32' | 'f16' | 'i32' | 'i8', ops = OPS): Promise<void> {
  const t = tm.tensor(v, [outer, inner], { dtype });
  const int = dtype === 'i32' || dtype === 'i8';
  for (const op of ops) {
    const y = run(t, op);
    const got = await y.data();
    const want = rowRef(op, v, outer, inner, int);
    const what = `${op} of ${dtype} [${outer}, ${inner}]`;
    if (op === 'argmax' || op === 'argmin' || op === 'max' || op === 'min' || (int && op === 'sum')) {
      expectExact(got, want, what);
    } else {
      const tol = dtype === 'f16' ? 2e-2 : TOL.f32;
      const scale = absRow(v, outer, inner);
      expectClose(got, want, tol, what, op === 'mean' ? scale.map((s) => s / inner) : scale);
    }
    y.dispose();
  }
  t.dispose();
}

const SHAPES: [number, number][] = [[1, 1], [1, 7], [3, 7], [5, 32], [5, 33], [4, 127], [3, 129], [2, 513], [1000, 3], [300, 17], [65, 300], [64, 33], [70, 4096], [66, 4097], [1, 4099]];

// Longer rows: a workgroup per row (with subgroup operations, or the
// workgroup-memory tree), or an invocation per row where rows are many (the
// layout a device may measure faster).
describe.each([[true, 'workgroup'], [false, 'workgroup'], [true, 'invocation']] as const)('webgpu row kernels, subgroups %s, longer rows a %s each', (subgroups, layout) => {
  beforeAll(async () => {
    expect(await tm.init({ backend: 'webgpu' })).toBe('webgpu');
    reduceOptions.subgroups = subgroups;
    reduceOptions.layout = layout;
  });
  afterAll(() => {
    reduceOptions.subgroups = true;
    reduceOptions.layout = null;
  });

  it('takes the path asked for (lavapipe has subgroups)', () => {
    const rt = (activeBackend() as WebGpuBackend).runtime;
    expect(useSubgroups(rt)).toBe(subgroups && rt.ctx.features.subgroups);
    if (subgroups) expect(rt.ctx.features.subgroups).toBe(true);
    // Per row up to INVOCATION_MAX_ROW where rows fill a workgroup; short rows always.
    expect(rowLaunch(rt, 64, 300).perInvocation).toBe(layout === 'invocation');
    expect(rowLaunch(rt, 63, 300).perInvocation).toBe(false);
    expect(rowLaunch(rt, 64, INVOCATION_MAX_ROW + 1).perInvocation).toBe(false);
    expect(rowLaunch(rt, 1, SHORT_ROW).perInvocation).toBe(true);
  });

  it.each(SHAPES)('f32 [%i, %i]: sum, mean, max, min, argmax, argmin along rows', async (outer, inner) => {
    await checkRows(asF32(uniform(outer * inner)), outer, inner, 'f32');
  });

  it('a ~1e6-long row, and rows past 65535 workgroups', async () => {
    const n = (1 << 20) + 3;
    const v = asF32(uniform(n, 0, 1));
    v[777_777] = 5; // a unique max far in
    v[123_456] = -5;
    await checkRows(v, 1, n, 'f32');
    const many = asF32(uniform(70_000 * 33));
    await checkRows(many, 70_000, 33, 'f32', ['sum', 'max', 'argmin']);
  });

  it('long rows among few rows are reduced in chunks, then per row: f32 with NaN/±∞, i32 wrapping, f16', async () => {
    const inner = 70_001; // 5 chunks, the last one short
    const v = asF32(uniform(3 * inner));
    v[inner + 69_999] = NaN;
    v[2 * inner + 40_000] = Infinity;
    v[2 * inner + 69_000] = Infinity; // a tie in a later chunk: argmax names the first
    v[0 * inner + 5] = -Infinity;
    v[0 * inner + 65_000] = -Infinity;
    await checkRows(v, 3, inner, 'f32');
    const { commands } = (activeBackend() as WebGpuBackend).runtime;
    const t = tm.tensor(v, [3, inner]);
    await t.data();
    await measurementsSettled();
    const before = commands.dispatches;
    await t.max(1).data();
    expect(commands.dispatches - before, 'a chunk pass and a row pass').toBe(2);
    await t.argmin(1).data();
    expect(commands.dispatches - before, 'a chunk pass and a row pass').toBe(4);
    await checkRows(intsOf('i32', 2 * 131_072), 2, 131_072, 'i32');
    await checkRows(asF16(uniform(100_000, 0, 1)), 1, 100_000, 'f16', ['sum', 'mean', 'max', 'argmax']);
  });

  it('a reduction over leading axes reads the columns in place: one launch, no transposed copy (chunked: two)', async () => {
    const { commands } = (activeBackend() as WebGpuBackend).runtime;
    const shape = [128, 7, 37];
    const v = asF32(uniform(128 * 7 * 37));
    const t = tm.tensor(v, shape);
    // Once first, with any measurement it starts in the background (which launches kernels of its own) settled.
    await t.sum([0, 1]).data();
    await measurementsSettled();
    const before = commands.dispatches;
    const got = await t.sum([0, 1]).data();
    expect(commands.dispatches - before).toBe(1);
    const want = Float64Array.from({ length: 37 }, (_, c) => { let s = 0; for (let r = 0; r < 128 * 7; r++) s += v[r * 37 + c]; return s; });
    expectClose(got, want, 1e-5);
    const tall = tm.tensor(asF32(uniform(70_001 * 2)), [70_001, 2]);
    await tall.max(0).data();
    await measurementsSettled();
    const from = commands.dispatches;
    await tall.max(0).data();
    expect(commands.dispatches - from, 'a chunk pass and a column pass').toBe(2);
  });

  // Products of ±1 with a few 2s and ½s are exact in f32 whatever order the invocations and subgroups
  // multiply in, so any lost or doubled share shows; odd i32s never reach 0, so their wrapping shows.
  it.each(SHAPES)('prod of f32 and i32 [%i, %i] along rows, exactly', async (outer, inner) => {
    const n = outer * inner;
    const signs = uniform(n, 0, 1);
    const floats = uniform(n, 0, 1).map((r, i) => (r < 0.01 ? 2 : r < 0.02 ? 0.5 : 1) * (signs[i] < 0.5 ? -1 : 1));
    const odd = intsOf('i32', n).map((v) => v | 1);
    for (const [v, dtype] of [[floats, 'f32'], [odd, 'i32']] as const) {
      const want = Float64Array.from({ length: outer }, (_, r) => {
        let p = 1;
        for (let i = 0; i < inner; i++) p = dtype === 'i32' ? Math.imul(p, v[r * inner + i]) : p * v[r * inner + i];
        return p;
      });
      expectExact(await tm.tensor(v, [outer, inner], { dtype }).prod(1).data(), want, `prod of ${dtype} [${outer}, ${inner}]`);
    }
  });

  it('many short rows (one invocation each), more than 65535 of them', async () => {
    await checkRows(asF32(uniform(200_000 * 2)), 200_000, 2, 'f32', ['sum', 'min', 'argmax']);
  });

  it.each([[9, 513], [100, 7], [3, 129]])('f16 [%i, %i] (stored f16, computed in f32)', async (outer, inner) => {
    await checkRows(asF16(uniform(outer * inner)), outer, inner, 'f16');
  });

  it.each([['i32', 7, 13], ['i32', 3, 1000], ['i8', 5, 7], ['i8', 4, 300], ['i32', 2, 40]] as const)('%s [%i, %i]: exact, sums wrapping in i32, means f32 from the exact sum', async (dtype, outer, inner) => {
    await checkRows(intsOf(dtype, outer * inner), outer, inner, dtype);
  });

  it('the mean of big ints is computed from the exact (64-bit) sum; small negative sums too', async () => {
    const big = tm.tensor(new Int32Array(3000).fill(2147483647), [3, 1000]);
    expectClose(await big.mean(1).data(), [2147483647, 2147483647, 2147483647], TOL.f32);
    const neg = tm.tensor(new Int32Array([-3, -2, 0, 0, 0, 0, 0, 0, ...new Int32Array(32)]), [1, 40]);
    expectClose(await neg.mean(1).data(), [-5 / 40], TOL.f32);
    expectClose(await tm.tensor(new Int32Array([-3, -2]), [1, 2]).mean(1).data(), [-2.5], TOL.f32);
  });

  it('NaN propagates through sum/mean/max/min and is the extreme for argmax/argmin (first one wins), long and short rows', async () => {
    for (const inner of [5, 40, 513, 4099]) {
      const outer = 4;
      const v = asF32(uniform(outer * inner));
      v[0 * inner + inner - 1] = NaN; // last element of row 0
      v[1 * inner + Math.floor(inner / 2)] = NaN;
      v[1 * inner + inner - 2] = NaN; // a second, later NaN: argmax/argmin name the first
      v[2 * inner + 1] = Infinity;
      v[2 * inner + 3] = -Infinity;
      v[3 * inner + 2] = Infinity;
      v[3 * inner + inner - 1] = Infinity; // ties at +∞: the first index
      await checkRows(v, outer, inner, 'f32');
    }
  });

  it('ties go to the first index, across subgroups and workgroup slots', async () => {
    const inner = 1000;
    const v = new Float64Array(3 * inner);
    v[0 * inner + 700] = 3; v[0 * inner + 300] = 3; v[0 * inner + 999] = 3;
    v[1 * inner + 900] = -2; v[1 * inner + 17] = -2;
    // row 2 all equal → 0
    await checkRows(v, 3, inner, 'f32', ['argmax', 'argmin']);
    const allNegInf = new Float64Array(129).fill(-Infinity);
    await checkRows(allNegInf, 1, 129, 'f32');
  });

  it('empty rows: sum 0, mean NaN, max −∞, min +∞ (ints: 0), argmax 0 — as the js kernels give', async () => {
    const t = tm.zeros([3, 0]);
    expectExact(await t.sum(1).data(), [0, 0, 0]);
    expectExact(await t.mean(1).data(), [NaN, NaN, NaN]);
    const i = tm.zeros([2, 0], { dtype: 'i32' });
    expectExact(await i.sum(1).data(), [0, 0]);
    expectExact(await i.mean(1).data(), [NaN, NaN]);
    // max/min/argmax of an empty axis are errors in the ops layer; the kernels still answer like js.
    const backend = activeBackend();
    const kernel = async (op: 'max' | 'min' | 'argmax', x: tm.Tensor) => {
      const dtype = op === 'argmax' ? 'i32' : x.dtype;
      const storage = op === 'argmax' ? backend.argReduce('argmax', x.info('test')) : backend.reduce(op, x.info('test'), x.dtype);
      return fromStorage(backend, storage, [x.shape[0]], dtype).data();
    };
    expectExact(await kernel('max', t), [-Infinity, -Infinity, -Infinity]);
    expectExact(await kernel('min', t), [Infinity, Infinity, Infinity]);
    expectExact(await kernel('max', i), [0, 0]);
    expectExact(await kernel('min', i), [0, 0]);
    expectExact(await kernel('argmax', t), [0, 0, 0]);
    const long = tm.zeros([70, 0]); // more rows than one workgroup of per-row invocations
    expectExact(await kernel('min', long), new Array(70).fill(Infinity));
  });

  it('other axes and keepDims go through the same kernels', async () => {
    const shape = [129, 7, 3];
    const x = f64(shape, asF32(uniform(129 * 21)));
    const t = tm.tensor(x.v, shape);
    const moved = permute(x, [1, 2, 0]); // [7, 3, 129]: axis 0 last
    const y = t.sum(0, { keepDims: true });
    expect(y.shape).toEqual([1, 7, 3]);
    expectClose(await y.data(), rowRef('sum', moved.v, 21, 129), TOL.f32, 'sum axis 0', absRow(moved.v, 21, 129));
    expectExact(await t.argmax(0).data(), rowRef('argmax', moved.v, 21, 129));
    expectExact(await t.max([0, 2]).data(), rowRef('max', permute(x, [1, 0, 2]).v, 7, 387));
  });

  describe('softmax and logSoftmax', () => {
    it.each([...SHAPES, [1, (1 << 20) + 1]] as [number, number][])('f32 [%i, %i]', async (outer, inner) => {
      const v = asF32(uniform(outer * inner, -8, 8));
      const t = tm.tensor(v, [outer, inner]);
      expectClose(await t.softmax().data(), softmaxRows(v, outer, inner, false), TOL.f32, 'softmax');
      expectClose(await t.logSoftmax().data(), softmaxRows(v, outer, inner, true), TOL.f32 * 10, 'logSoftmax');
    });

    it('along axis 0, and f16', async () => {
      const x = f64([129, 5], asF32(uniform(645)));
      const moved = permute(x, [1, 0]);
      const want = f64([5, 129], softmaxRows(moved.v, 5, 129, false));
      expectClose(await tm.tensor(x.v, [129, 5]).softmax(0).data(), permute(want, [1, 0]).v, TOL.f32);
      const h = asF16(uniform(3 * 300));
      const th = tm.tensor(h, [3, 300], { dtype: 'f16' });
      expect(th.softmax().dtype).toBe('f16');
      expectClose(await th.softmax().data(), softmaxRows(h, 3, 300, false), 2e-2, 'f16 softmax');
      expectClose(await th.logSoftmax().data(), softmaxRows(h, 3, 300, true), 2e-2, 'f16 logSoftmax');
    });

    it('long rows among few rows, in chunks: NaN, +∞, all −∞, a lone finite value, huge logits late', async () => {
      const inner = 70_001;
      const v = asF32(uniform(5 * inner, -8, 8));
      v[69_999] = NaN;
      v[inner + 40_000] = Infinity;
      v.fill(-Infinity, 2 * inner, 3 * inner);
      v.fill(-Infinity, 3 * inner, 4 * inner);
      v[3 * inner + 66_000] = -1e30; // the only finite value, in the last full chunk
      v[4 * inner + 69_990] = 1e30;
      const t = tm.tensor(v, [5, inner]);
      const { commands } = (activeBackend() as WebGpuBackend).runtime;
      await t.data();
      await measurementsSettled();
      const before = commands.dispatches;
      expectClose(await t.softmax().data(), softmaxRows(v, 5, inner, false), TOL.f32, 'softmax');
      expect(commands.dispatches - before, 'chunk stats, then combine and write').toBe(2);
      expectClose(await t.logSoftmax().data(), softmaxRows(v, 5, inner, true), TOL.f32, 'logSoftmax');
    });

    it.each([4, 100])('rows of length %i with NaN, +∞, all −∞ and huge logits match js', async (inner) => {
      const v = new Float64Array(5 * inner).map((_, i) => (i % 7) - 3);
      v[0 * inner + 2] = NaN;
      v[1 * inner + 1] = Infinity; // NaN there, 0 (log: −∞) elsewhere
      v.fill(-Infinity, 2 * inner, 3 * inner);
      v.fill(1e30, 3 * inner, 3 * inner + 2);
      v[4 * inner + 3] = -Infinity;
      const t = tm.tensor(v, [5, inner]);
      expectClose(await t.softmax().data(), softmaxRows(v, 5, inner, false), TOL.f32, 'softmax');
      expectClose(await t.logSoftmax().data(), softmaxRows(v, 5, inner, true), TOL.f32, 'logSoftmax');
    });
  });
});

describe('webgpu movement kernels', () => {
  beforeAll(async () => {
    expect(await tm.init({ backend: 'webgpu' })).toBe('webgpu');
  });

  it.each(['f32', 'f16', 'i32', 'i8'] as const)('transpose, slice and broadcastTo of %s, odd shapes', async (dtype) => {
    const shape = [7, 129, 3];
    const v = dtype === 'i8' || dtype === 'i32' ? intsOf(dtype, 7 * 129 * 3) : dtype === 'f16' ? asF16(uniform(7 * 129 * 3)) : asF32(uniform(7 * 129 * 3));
    const x = f64(shape, v);
    const t = tm.tensor(v, shape, { dtype });
    for (const perm of [[2, 0, 1], [1, 0, 2], [0, 2, 1], [2, 1, 0]]) expectExact(await t.transpose(perm).data(), permute(x, perm).v, `perm ${perm}`);
    expectExact(await t.slice([1, 5, 1], [5, 121, 2]).data(), sliceRef(x, [1, 5, 1], [5, 121, 2]).v, 'slice');
    const row = f64([1, 129], v.slice(0, 129));
    expectExact(await tm.tensor(row.v, [1, 129], { dtype }).broadcastTo([513, 129]).data(), broadcastToRef(row, [513, 129]).v, 'broadcastTo');
    const col = f64([7, 1, 1], v.slice(0, 7));
    expectExact(await tm.tensor(col.v, [7, 1, 1], { dtype }).broadcastTo([2, 7, 5, 3]).data(), broadcastToRef(col, [2, 7, 5, 3]).v, 'broadcastTo rank up');
  });

  it('a strided copy of rank 8+, negative strides and a scalar', async () => {
    const backend = activeBackend();
    const v = asF32(uniform(2 ** 9));
    const shape = Array(9).fill(2);
    const t = tm.tensor(v, shape);
    const x = f64(shape, v);
    const perm = [8, 0, 7, 1, 6, 2, 5, 3, 4];
    expectExact(await t.transpose(perm).data(), permute(x, perm).v, 'rank 9 transpose');
    // Reversal: stride −1 from the last element; and a 2-D reversal of both axes.
    const r = fromStorage(backend, backend.stridedCopy(t.info('test'), [512], [-1], 511), [512], 'f32');
    expectExact(await r.data(), Float64Array.from(v).reverse(), 'reversed');
    const m = tm.tensor(v.slice(0, 35), [5, 7]);
    const both = fromStorage(backend, backend.stridedCopy(m.info('test'), [5, 7], [-7, -1], 34), [5, 7], 'f32');
    expectExact(await both.data(), v.slice(0, 35).reverse(), 'both axes reversed');
    // 12 axes that do not merge (every stride out of order), straight to the kernel.
    const big = tm.tensor(asF32(uniform(4096)), [4096]);
    const bigV = await big.data();
    const perm12 = [11, 0, 10, 1, 9, 2, 8, 3, 7, 4, 6, 5];
    const strides12 = perm12.map((p) => 2 ** (11 - p));
    const g = fromStorage(backend, backend.stridedCopy(big.info('test'), Array(12).fill(2), strides12, 0), Array(12).fill(2), 'f32');
    expectExact(await g.data(), permute(f64(Array(12).fill(2), bigV), perm12).v, 'rank 12 gather');
    const s = fromStorage(backend, backend.stridedCopy(m.info('test'), [], [], 12), [], 'f32');
    expectExact(await s.data(), [v[12]], 'scalar at an offset');
  });

  it.each([0, 1, 2, -1])('concat along axis %i of odd shapes, every dtype', async (axis) => {
    for (const dtype of ['f32', 'f16', 'i32', 'i8'] as const) {
      const base = [3, 5, 7];
      const a = axis < 0 ? axis + 3 : axis;
      const shapes = [1, 4, 0, 9].map((n) => base.map((d, i) => (i === a ? n : d)));
      const parts = shapes.map((s) => {
        const n = s.reduce((p, q) => p * q, 1);
        const v = dtype === 'i8' || dtype === 'i32' ? intsOf(dtype, n) : dtype === 'f16' ? asF16(uniform(n)) : asF32(uniform(n));
        return { x: f64(s, v), t: tm.tensor(v, s, { dtype }) };
      });
      const y = tm.concat(parts.map((p) => p.t), axis);
      expect(y.dtype).toBe(dtype);
      expectExact(await y.data(), concatRef(parts.map((p) => p.x), a).v, `${dtype} axis ${axis}`);
    }
  });

  it.each(['f32', 'f16', 'i32', 'i8'] as const)('oneHot to %s: out-of-range indices give a zero row', async (dtype) => {
    const depth = 13;
    const idx = randomInts(5 * 41, -3, depth + 3);
    for (const indexDtype of ['i32', 'i8'] as const) {
      const y = tm.oneHot(tm.tensor(idx, [5, 41], { dtype: indexDtype }), depth, dtype);
      expect(y.shape).toEqual([5, 41, depth]);
      expect(y.dtype).toBe(dtype);
      const want = new Float64Array(idx.length * depth);
      idx.forEach((k, i) => { if (k >= 0 && k < depth) want[i * depth + k] = 1; });
      expectExact(await y.data(), want, `${indexDtype} → ${dtype}`);
    }
    expectExact(await tm.oneHot(tm.tensor(new Int32Array([0, 1]), [2]), 0, dtype).data(), []);
  });

  it('oneHot is a pending chain: a loss\'s product and sum with it are one launch, no buffer of its own', async () => {
    const { commands } = (activeBackend() as WebGpuBackend).runtime;
    const [rows, depth] = [70, 10];
    const idx = randomInts(rows, 0, depth - 1);
    const logp = asF32(uniform(rows * depth));
    const labels = tm.tensor(idx, [rows], { dtype: 'i32' });
    const x = tm.tensor(logp, [rows, depth]);
    await Promise.all([labels.data(), x.data()]);
    await measurementsSettled();
    const before = commands.dispatches;
    const picked = tm.tidy(() => labels.oneHot(depth).mul(x).sum(1));
    expect(commands.dispatches - before).toBe(1);
    expectExact(await picked.data(), Float64Array.from(idx, (k, r) => logp[r * depth + k]));
  });
});

it('the layout of longer rows is timed on this device once', async () => {
  expect(await tm.init({ backend: 'webgpu' })).toBe('webgpu');
  const rt = (activeBackend() as WebGpuBackend).runtime;
  const layout = await measureRowLayout(rt);
  expect(['workgroup', 'invocation']).toContain(layout);
  expect(await measureRowLayout(rt)).toBe(layout);
  expect(rowLaunch(rt, 256, 1024).perInvocation).toBe(layout === 'invocation');
});
