// searchsorted and bucketize on every backend against a count written here:
// how many entries of the sorted row come before each value, NaN ordered
// after every number (NumPy's searchsorted; where tmnn's sort puts it).
// Sorted rows with ties, ±∞ and NaNs, values that hit the entries exactly,
// 1-D and batched, every dtype and a mix of two; then the binary search's
// own cases: rows of odd sizes with runs of ties, ±0, subnormals, ±∞ and
// NaNs at the end (f32) or entries near ±2^31 (i32), values on and beside
// every entry, and one search too large for a count of every pair.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { asDType, asF32, expectExact, randomInts, uniform } from '../helpers/data.js';
import { collected } from '../helpers/gc.js';

/** Whether sorted entry s comes before value v: s < v (s ≤ v if right) in an order with NaN last. */
function before(s: number, v: number, right: boolean): boolean {
  if (Number.isNaN(v)) return right || !Number.isNaN(s);
  if (Number.isNaN(s)) return false;
  return right ? s <= v : s < v;
}

/** searchsorted's indices for rows of n sorted entries and rows of m values (a 1-D sorted: rows = 1). */
function searchRef(sorted: ArrayLike<number>, n: number, values: ArrayLike<number>, m: number, batched: boolean, right: boolean): number[] {
  return Array.from(values, (v, i) => {
    const row = batched ? Math.floor(i / m) : 0;
    let count = 0;
    for (let j = 0; j < n; j++) if (before(sorted[row * n + j], v, right)) count++;
    return count;
  });
}

/** `rows` ascending rows of n values of `dtype`, with ties, and for floats ±∞ and NaNs (last, as sort puts them). */
function sortedRows(rows: number, n: number, dtype: tm.DType): Float64Array {
  const out = new Float64Array(rows * n);
  for (let r = 0; r < rows; r++) {
    const row = Array.from(dtype === 'i8' || dtype === 'i32' ? randomInts(n, -20, 20) : asDType(uniform(n, -20, 20).map((x, i) => (i % 3 === 0 ? Math.round(x) : x)), dtype));
    if (dtype === 'f32' || dtype === 'f16') {
      if (n > 4) [row[1], row[2]] = [-Infinity, Infinity];
      if (n > 6) row[4] = row[5] = NaN;
    }
    row.sort((a, b) => (Number.isNaN(a) ? 1 : Number.isNaN(b) ? -1 : a - b));
    out.set(row, r * n);
  }
  return out;
}

/** Values to look up: half picked from the sorted entries (exact hits), the rest between and beyond them, NaN among floats. */
function probes(count: number, sorted: ArrayLike<number>, dtype: tm.DType): Float64Array {
  const ints = dtype === 'i8' || dtype === 'i32';
  const free = ints ? randomInts(count, -25, 25) : asDType(uniform(count, -25, 25), dtype);
  return free.map((v, i) => {
    if (i % 2 === 0 && sorted.length > 0) return sorted[Math.floor(i * 7919) % sorted.length];
    if (!ints && i % 11 === 5) return NaN;
    return v;
  });
}

const DTYPES: tm.DType[] = ['f32', 'f16', 'i32', 'i8'];

/** The first of n entries from `start` not before v (a plain binary search; the rows are sorted). */
function binarySearchRef(sorted: ArrayLike<number>, start: number, n: number, v: number, right: boolean): number {
  let [lo, hi] = [0, n];
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (before(sorted[start + mid], v, right)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const F32_SPECIAL = [-Infinity, Infinity, 0, -0, 2 ** -149, -(2 ** -149), 2 ** -130, 1, -1];
const I32_SPECIAL = [-2147483648, -2147483647, 2147483647, 2147483646, 16777216, 16777217, -16777217, 0, -1];

/**
 * `rows` ascending rows of n entries drawn from a pool of about n / 3 values
 * (runs of ties): f32 with ±∞, ±0 and subnormals among them and the last few
 * NaN; i32 with entries near ±2^31 and past 2^24.
 */
function tieRows(rows: number, n: number, dtype: 'f32' | 'i32'): Float64Array {
  const out = new Float64Array(rows * n);
  for (let r = 0; r < rows; r++) {
    const free = dtype === 'f32' ? asF32(uniform(Math.max(1, Math.ceil(n / 3)), -100, 100))
      : randomInts(Math.max(1, Math.ceil(n / 3)), 0, 2).map((k, i) => (k === 0 ? 2147483647 - ((i * 7919) % 3000) : k === 1 ? -2147483648 + ((i * 104729) % 3000) : (i % 101) - 50));
    const pool = [...(dtype === 'f32' ? F32_SPECIAL : I32_SPECIAL), ...free];
    const row = Array.from(randomInts(n, 0, pool.length - 1), (k) => pool[k]).sort((a, b) => a - b);
    if (dtype === 'f32' && n >= 7) for (let i = n - 1 - Math.floor(n / 50); i < n; i++) row[i] = NaN;
    out.set(row, r * n);
  }
  return out;
}

/** The f32 next to x away from zero (up) or toward −∞ (down): x itself for ±∞ and NaN. */
function nextF32(x: number, up: boolean): number {
  if (!Number.isFinite(x)) return x;
  if (x === 0) return up ? 2 ** -149 : -(2 ** -149);
  const bits = new Int32Array(Float32Array.of(x).buffer);
  bits[0] += (x > 0) === up ? 1 : -1;
  return new Float32Array(bits.buffer)[0];
}

/** m values a row: its entries themselves and their neighbours either side, a few free values and (f32) NaN. */
function besideEntries(rows: number, n: number, m: number, sorted: ArrayLike<number>, dtype: 'f32' | 'i32'): Float64Array {
  const pick = randomInts(rows * m, 0, n - 1);
  const free = dtype === 'f32' ? asF32(uniform(rows * m, -120, 120)) : randomInts(rows * m, -2147483648, 2147483647);
  return Float64Array.from(pick, (k, i) => {
    const e = sorted[Math.floor(i / m) * n + k];
    switch (i % 5) {
      case 0: return e;
      case 1: return dtype === 'f32' ? nextF32(e, true) : Math.min(e + 1, 2147483647);
      case 2: return dtype === 'f32' ? nextF32(e, false) : Math.max(e - 1, -2147483648);
      case 3: return dtype === 'f32' && i % 7 === 3 ? NaN : free[i];
      default: return i % 3 === 0 ? e : free[i];
    }
  });
}

describe.each(BACKENDS)('searchsorted and bucketize on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  describe.each(DTYPES)('%s', (dtype) => {
    it.each([
      { n: 1, values: [7] }, { n: 7, values: [] as number[] }, { n: 13, values: [3, 5] }, { n: 31, values: [2, 1, 13] }, { n: 0, values: [4] },
    ])('a 1-D sorted of $n searched by values $values, left and right', async ({ n, values }) => {
      const s = sortedRows(1, n, dtype);
      const m = values.reduce((a, b) => a * b, 1);
      const v = probes(m, s, dtype);
      const [st, vt] = [tm.tensor(s, [n], { dtype }), tm.tensor(v, values, { dtype })];
      for (const right of [false, true]) {
        const out = tm.searchsorted(st, vt, { right });
        expect(out.dtype).toBe('i32');
        expect(out.shape).toEqual(values);
        expectExact(await out.data(), searchRef(s, n, v, m, false, right), `right ${right}`);
        out.dispose();
      }
      st.dispose();
      vt.dispose();
    });

    it.each([
      { sorted: [3, 13], values: [3, 7] }, { sorted: [2, 1, 5], values: [2, 1, 1] }, { sorted: [1, 1], values: [1, 9] }, { sorted: [4, 6], values: [4, 0] },
      { sorted: [2, 0], values: [2, 3] }, { sorted: [0, 4], values: [0, 2] }, { sorted: [2, 3, 5], values: [2, 3, 4] },
    ])('batched rows: sorted $sorted by values $values', async ({ sorted, values }) => {
      const n = sorted[sorted.length - 1];
      const m = values[values.length - 1];
      const rows = sorted.slice(0, -1).reduce((a, b) => a * b, 1);
      const s = sortedRows(rows, n, dtype);
      const v = probes(rows * m, s, dtype);
      const [st, vt] = [tm.tensor(s, sorted, { dtype }), tm.tensor(v, values, { dtype })];
      for (const right of [false, true]) {
        const out = tm.searchsorted(st, vt, { right });
        expect(out.shape).toEqual(values);
        expectExact(await out.data(), searchRef(s, n, v, m, true, right), `right ${right}`);
        out.dispose();
      }
      st.dispose();
      vt.dispose();
    });

    it('bucketize is searchsorted of x in the boundaries, in x\'s shape', async () => {
      const b = sortedRows(1, 9, dtype);
      const x = probes(7 * 13, b, dtype);
      const [bt, xt] = [tm.tensor(b, [9], { dtype }), tm.tensor(x, [7, 13], { dtype })];
      for (const right of [false, true]) {
        const out = tm.bucketize(xt, bt, { right });
        expect(out.shape).toEqual([7, 13]);
        expectExact(await out.data(), searchRef(b, 9, x, 91, false, right), `right ${right}`);
        out.dispose();
      }
      bt.dispose();
      xt.dispose();
    });
  });

  it('compares values of another dtype, promoted as the comparisons do', async () => {
    const s = sortedRows(1, 11, 'i32');
    const v = uniform(17, -25, 25).map((x, i) => (i === 3 ? NaN : i % 4 === 0 ? s[i % 11] : asDType(Float64Array.of(x), 'f32')[0]));
    const [st, vt] = [tm.tensor(s, [11], { dtype: 'i32' }), tm.tensor(v, [17])];
    for (const right of [false, true]) {
      const out = tm.searchsorted(st, vt, { right });
      expectExact(await out.data(), searchRef(s, 11, v, 17, false, right), `right ${right}`);
      out.dispose();
    }
    st.dispose();
    vt.dispose();
  });

  it('compares ints past 2^24 exactly whatever their two dtypes, and f16 beside i8 as f16', async () => {
    const s = Float64Array.of(-2147483648, -2147483647, -16777217, -5, 0, 3, 16777216, 16777217, 16777217, 2147483646, 2147483647);
    const v = Float64Array.of(-2147483648, -2147483647, -16777218, -16777217, -16777216, 16777215, 16777216, 16777217, 16777218, 2147483646, 2147483647, -6, 0, 3, 127, -128);
    const small = Float64Array.of(-128, -3, 0, 0, 7, 127);
    const cases: [Float64Array, tm.DType, Float64Array, tm.DType][] = [
      [s, 'i32', v, 'i32'], [small, 'i8', v, 'i32'], [s, 'i32', small, 'i8'], [small, 'f16', Float64Array.of(-128, -4, -3, 0, 1, 7, 8, 126, 127), 'i8'], [small, 'i8', Float64Array.of(-128.5, 0, 0.5, NaN, 126.5), 'f16'],
    ];
    for (const [sv, sd, vv, vd] of cases) {
      const [st, vt] = [tm.tensor(sv, [sv.length], { dtype: sd }), tm.tensor(vv, [vv.length], { dtype: vd })];
      for (const right of [false, true]) {
        const out = tm.searchsorted(st, vt, { right });
        expectExact(await out.data(), searchRef(sv, sv.length, vv, vv.length, false, right), `${sd} sorted, ${vd} values, right ${right}`);
        out.dispose();
      }
      st.dispose();
      vt.dispose();
    }
  });

  describe.each(['f32', 'i32'] as const)('binary search of %s rows', (dtype) => {
    it.each([1, 7, 127, 129, 4099])('n = %i: 1-D and 3 batched rows, values on and beside every entry, both sides', async (n) => {
      for (const rows of [1, 3]) {
        const s = tieRows(rows, n, dtype);
        const m = 3 * n + 5;
        const v = besideEntries(rows, n, m, s, dtype);
        const shape = rows === 1 ? [n] : [rows, n];
        const [st, vt] = [tm.tensor(s, shape, { dtype }), tm.tensor(v, rows === 1 ? [m] : [rows, m], { dtype })];
        for (const right of [false, true]) {
          const out = tm.searchsorted(st, vt, { right });
          expect(out.shape).toEqual(vt.shape);
          expectExact(await out.data(), searchRef(s, n, v, m, rows > 1, right), `rows ${rows}, right ${right}`);
          out.dispose();
        }
        st.dispose();
        vt.dispose();
      }
    });
  });

  it('searches 200,000 values in 100,000 sorted entries (20 billion pairs for a count) against a host binary search', async () => {
    const [n, m] = [100_000, 200_000];
    const s = tieRows(1, n, 'f32');
    const v = besideEntries(1, n, m, s, 'f32');
    const [st, vt] = [tm.tensor(s, [n]), tm.tensor(v, [m])];
    const before = await collected();
    for (const right of [false, true]) {
      const out = tm.searchsorted(st, vt, { right });
      expect(tm.memory().numTensors).toBe(before + 1);
      expectExact(await out.data(), Array.from(v, (x) => binarySearchRef(s, 0, n, x, right)), `right ${right}`);
      out.dispose();
    }
    for (const t of [st, vt]) t.dispose();
  });

  it('leaves no tensors behind', async () => {
    const s = tm.tensor([1, 2, NaN]);
    const v = tm.tensor([[NaN, 2], [0, 5]]);
    const before = await collected();
    for (const right of [false, true]) tm.searchsorted(s, v, { right }).dispose();
    tm.bucketize(v, s).dispose();
    expect(tm.memory().numTensors).toBe(before);
    const [left, right] = [tm.searchsorted(s, v), tm.searchsorted(s, v, { right: true })];
    expect(await left.array()).toEqual([[2, 1], [0, 2]]);
    expect(await right.array()).toEqual([[3, 2], [0, 2]]);
    for (const t of [s, v, left, right]) t.dispose();
  });

  it('refuses a scalar sorted, mismatched rows and bad options, naming them', () => {
    const s = tm.zeros([2, 5]);
    expect(() => tm.searchsorted(tm.scalar(1), tm.zeros([3]))).toThrow('searchsorted: sorted must have at least one axis to search along, got a scalar');
    expect(() => tm.searchsorted(s, tm.zeros([3, 4]))).toThrow('searchsorted: values [3,4] must match sorted [2,5] on every axis but the last (or sorted must be 1-D)');
    expect(() => tm.searchsorted(s, tm.zeros([4]))).toThrow('searchsorted: values [4] must match sorted [2,5]');
    expect(() => tm.searchsorted(tm.zeros([5]), tm.zeros([3]), { right: 1 as unknown as boolean })).toThrow(/searchsorted.*right/);
    expect(() => tm.searchsorted(tm.zeros([5]), tm.zeros([3]), { side: 'left' } as never)).toThrow(/searchsorted.*side/);
    expect(() => tm.bucketize(tm.zeros([3]), s)).toThrow('bucketize: boundaries must be 1-D, got [2,5]');
  });
});

describe.each(BACKENDS)('isin on %s', (backend) => {
  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  it.each([[[7], [3]], [[13, 31], [50]], [[127, 129], [5, 7]], [[4], [0]], [[0, 3], [4]]])('elements %j among test values %j: np.isin (and invert), ints and floats, NaN in nothing', async (eShape, tShape) => {
    for (const [eType, tType] of [['i32', 'i32'], ['f32', 'f32'], ['i8', 'f32'], ['f16', 'i32']] as const) {
      const elements = asDType(randomInts(eShape.reduce((a, b) => a * b, 1), -20, 20), eType);
      const tests = asDType(randomInts(tShape.reduce((a, b) => a * b, 1), -20, 20), tType);
      if (eType === 'f32' && elements.length > 2 && tests.length) {
        elements[1] = NaN;
        tests[0] = NaN;
      }
      const set = new Set(tests);
      const want = Float64Array.from(elements, (v) => (!Number.isNaN(v) && set.has(v) ? 1 : 0));
      const y = tm.isin(tm.tensor(elements, eShape, { dtype: eType }), tm.tensor(tests, tShape, { dtype: tType }));
      expect([y.shape, y.dtype]).toEqual([eShape, 'i32']);
      expectExact(await y.data(), want, `isin ${eType} in ${tType}`);
      expectExact(await tm.isin(tm.tensor(elements, eShape, { dtype: eType }), tm.tensor(tests, tShape, { dtype: tType }), { invert: true }).data(), want.map((v) => 1 - v), 'invert');
    }
  });
});
