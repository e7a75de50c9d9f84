// searchsorted and bucketize on every backend against a count written here:
// how many entries of the sorted row come before each value, NaN ordered
// after every number (NumPy's searchsorted; where tmnn's sort puts it).
// Sorted rows with ties, ±∞ and NaNs, values that hit the entries exactly,
// 1-D and batched, one row past the size at which the values are compared
// in chunks, every dtype and a mix of two.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { asDType, expectExact, randomInts, uniform } from '../helpers/data.js';
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

  it('compares past 4M pairs in chunks of the values, with the same result', async () => {
    const [n, m] = [2100, 2101];
    const s = sortedRows(1, n, 'f32');
    const v = probes(m, s, 'f32');
    const [st, vt] = [tm.tensor(s, [n]), tm.tensor(v, [m])];
    const before = await collected();
    const out = tm.searchsorted(st, vt);
    expect(tm.memory().numTensors).toBe(before + 1);
    expectExact(await out.data(), searchRef(s, n, v, m, false, false));
    for (const t of [out, st, vt]) t.dispose();
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
