// sort, argsort and topk on every backend against a float64 sort of each row
// by the order they promise: by value, NaN after every number ascending and
// before every number descending, ties by position. Rows from 1 to past a
// power of two (the GPU's network pads to one), along every axis, in every
// dtype, with ties and NaNs planted.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { asDType, expectClose, expectExact, intsOf, uniform } from '../helpers/data.js';
import { size, strides } from '../helpers/float64.js';

/** Positions of each line of x along `axis`, in the promised order: [lines][k]. */
function sortedPositions(values: ArrayLike<number>, shape: number[], axis: number, descending: boolean): { line: number[]; order: number[] }[] {
  const st = strides(shape);
  const n = shape[axis];
  const lines: { line: number[]; order: number[] }[] = [];
  for (let i = 0; i < size(shape); i++) {
    if (Math.floor(i / st[axis]) % n !== 0) continue; // the first entry of each line
    const line = Array.from({ length: n }, (_, j) => i + j * st[axis]);
    const order = Array.from({ length: n }, (_, j) => j).sort((a, b) => {
      const [va, vb] = [values[line[a]], values[line[b]]];
      if (Number.isNaN(va) || Number.isNaN(vb)) return Number.isNaN(va) && Number.isNaN(vb) ? a - b : (Number.isNaN(va) ? 1 : -1) * (descending ? -1 : 1);
      return va === vb ? a - b : (va < vb ? -1 : 1) * (descending ? -1 : 1);
    });
    lines.push({ line, order });
  }
  return lines;
}

/** values and indices as tmnn lays them out: the line's k entries along `axis`, the other axes as x's. */
function expected(values: ArrayLike<number>, shape: number[], axis: number, k: number, descending: boolean): { values: number[]; indices: number[] } {
  const outShape = shape.map((d, i) => (i === axis ? k : d));
  const st = strides(outShape);
  const out = { values: new Array<number>(size(outShape)), indices: new Array<number>(size(outShape)) };
  const xs = strides(shape);
  for (const { line, order } of sortedPositions(values, shape, axis, descending)) {
    // The line's first entry in x, re-addressed into the output.
    const idx = shape.map((_, d) => Math.floor(line[0] / xs[d]) % shape[d]);
    const base = idx.reduce((acc, v, d) => acc + v * st[d], 0);
    for (let j = 0; j < k; j++) {
      out.values[base + j * st[axis]] = values[line[order[j]]];
      out.indices[base + j * st[axis]] = order[j];
    }
  }
  return out;
}

/** Values with ties (a third rounded to a few levels) and, for floats, NaNs and ±∞ among them. */
function valuesWithTies(n: number, dtype: tm.DType): Float64Array {
  if (dtype === 'i8' || dtype === 'i32') return intsOf(dtype, n).map((v, i) => (i % 4 === 0 ? 3 : v));
  const v = asDType(uniform(n, -50, 50).map((x, i) => (i % 3 === 0 ? Math.round(x / 20) : x)), dtype);
  for (let i = 5; i < n; i += 17) v[i] = NaN;
  if (n > 9) [v[7], v[9]] = [Infinity, -Infinity];
  return v;
}

const CASES: { shape: number[]; axis: number }[] = [
  { shape: [1], axis: 0 }, { shape: [7], axis: 0 }, { shape: [13, 31], axis: -1 }, { shape: [13, 31], axis: 0 },
  { shape: [3, 1, 7], axis: 1 }, { shape: [2, 129, 3], axis: 1 }, { shape: [5, 1000], axis: 1 }, { shape: [2, 1025], axis: -1 },
];

describe.each(BACKENDS)('sort, argsort and topk on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  describe.each(['f32', 'f16', 'i32', 'i8'] as const)('%s', (dtype) => {
    it.each(CASES)('sort of $shape along axis $axis, both ways: NaN last ascending and first descending, ties by position', async ({ shape, axis }) => {
      const v = valuesWithTies(size(shape), dtype);
      const x = tm.tensor(v, shape, { dtype });
      const a = axis < 0 ? shape.length + axis : axis;
      for (const descending of [false, true]) {
        const want = expected(v, shape, a, shape[a], descending);
        const { values, indices } = x.sort({ axis, descending });
        expect([values.shape, values.dtype, indices.shape, indices.dtype]).toEqual([shape, dtype, shape, 'i32']);
        expectExact(await indices.data(), want.indices, `indices descending ${descending}`);
        expectExact(await values.data(), want.values, `values descending ${descending}`);
        expectExact(await x.argsort({ axis, descending }).data(), want.indices, 'argsort');
      }
    });
  });

  it.each([0, 1, 3, 31])('topk with k = %i along either axis: the k largest or smallest, in order', async (k) => {
    const shape = [13, 31];
    const v = valuesWithTies(size(shape), 'f32');
    const x = tm.tensor(v, shape);
    for (const [axis, largest] of [[1, true], [1, false], [0, true]] as const) {
      if (k > shape[axis]) continue;
      const want = expected(v, shape, axis, k, largest);
      const { values, indices } = x.topk(k, { axis, largest });
      expect(values.shape).toEqual(shape.map((d, i) => (i === axis ? k : d)));
      expectExact(await indices.data(), want.indices, `topk ${k} axis ${axis} largest ${largest}`);
      expectExact(await values.data(), want.values, 'values');
    }
  });

  it("the values' gradient goes back to the entries they were picked from (0 to the rest)", async () => {
    const shape = [4, 9];
    const v = Float64Array.from(uniform(36).map(Math.fround));
    const x = tm.tensor(v, shape);
    x.requiresGrad = true;
    const r = uniform(12);
    x.topk(3, { axis: 1 }).values.mul(tm.tensor(r, [4, 3])).sum().backward();
    const want = new Float64Array(36);
    const { indices } = expected(v, shape, 1, 3, true);
    indices.forEach((pos, i) => (want[Math.floor(i / 3) * 9 + pos] += r[i]));
    expectClose(await x.grad!.data(), want, 1e-6);
  });

  it('a scalar sorts to itself; an empty axis or k = 0 gives empty results', async () => {
    const { values, indices } = tm.scalar(4).sort();
    expect([values.shape, await values.data(), await indices.data()]).toEqual([[], new Float32Array([4]), new Int32Array([0])]);
    expect(tm.zeros([3, 0]).sort().values.shape).toEqual([3, 0]);
    expect(tm.ones([0, 4]).topk(2).indices.shape).toEqual([0, 2]);
    const x = tm.ones([2, 3]);
    x.requiresGrad = true;
    x.topk(0).values.sum().backward(); // nothing picked: a gradient of zeros, as PyTorch's
    expect(Array.from(await x.grad!.data())).toEqual([0, 0, 0, 0, 0, 0]);
  });
});

describe('sort, argsort and topk refuse', () => {
  it('a k past the axis, an axis x does not have, and options they do not take', async () => {
    await tm.init({ backend: 'js' });
    const x = tm.zeros([3, 4]);
    expect(() => x.topk(5)).toThrow('topk: k must be an integer in [0, 4] (the size of axis -1 of x [3,4]), got 5');
    expect(() => x.topk(1.5)).toThrow('topk: k must be an integer in [0, 4]');
    expect(() => x.sort({ axis: 2 })).toThrow(/sort: axis 2/);
    expect(() => x.sort({ dim: 0 } as tm.SortOptions)).toThrow(/sort: unknown option "dim"/);
    expect(() => x.topk(1, { descending: true } as tm.TopkOptions)).toThrow(/topk: unknown option "descending"/);
  });
});
