// indexAdd, scatterAdd, scatter and scatterReduce (PyTorch's index_add,
// scatter_add, scatter and scatter_reduce) on every backend against float64
// references written here (plain loops over multi-indices): odd sizes,
// indices longer or shorter than x's axis, src larger than the indices,
// negative axes and indices, i8 indices, repeated targets (added up, or
// reduced); every dtype, ints wrapping; gradients to x and to the values
// written (amax's ties and prod's zeros included); bad input refused by
// name, x left as it was.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { asF32, exactValues, expectClose, expectExact, intsOf, randomInts, uniform } from '../helpers/data.js';
import { centralDifferences, f64, ravel, size, unravel, wrapInt, type F64 } from '../helpers/float64.js';

const mod = (a: number, n: number) => ((a % n) + n) % n;

/** Where the entry of indices at `p` writes in x: its own coordinates, the index (from the end if negative) along `a`. */
const targetOf = (p: number[], indices: F64, a: number, xShape: number[]) =>
  ravel(p.map((v, d) => (d === a ? mod(indices.v[ravel(p, indices.shape)], xShape[a]) : v)), xShape);

/** torch.scatter_add: x plus each src entry (within indices' shape) at its target. */
function scatterAddRef(x: F64, indices: F64, src: F64, a: number): F64 {
  const out = Float64Array.from(x.v);
  for (let k = 0; k < indices.v.length; k++) {
    const p = unravel(k, indices.shape);
    out[targetOf(p, indices, a, x.shape)] += src.v[ravel(p, src.shape)];
  }
  return { shape: x.shape, v: out };
}

/** torch.scatter: x with each src entry (within indices' shape) written at its target. */
function scatterRef(x: F64, indices: F64, src: F64, a: number): F64 {
  const out = Float64Array.from(x.v);
  for (let k = 0; k < indices.v.length; k++) {
    const p = unravel(k, indices.shape);
    out[targetOf(p, indices, a, x.shape)] = src.v[ravel(p, src.shape)];
  }
  return { shape: x.shape, v: out };
}

/** torch.index_add with gather's shapes: source's entry at q adds into x with q's index coordinates replaced by the index there. */
function indexAddRef(x: F64, indices: F64, source: F64, a: number): F64 {
  const out = Float64Array.from(x.v);
  const r = indices.shape.length;
  for (let k = 0; k < source.v.length; k++) {
    const q = unravel(k, source.shape);
    const j = mod(indices.v[ravel(q.slice(a, a + r), indices.shape)], x.shape[a]);
    out[ravel([...q.slice(0, a), j, ...q.slice(a + r)], x.shape)] += source.v[k];
  }
  return { shape: x.shape, v: out };
}

/**
 * Values to add in `dtype`: f32 any; f16 small integers, whose sums are
 * exact whatever order a GPU adds them in; ints over their whole range,
 * so that sums wrap.
 */
function addends(dtype: tm.DType, n: number): Float64Array {
  if (dtype === 'f32') return asF32(uniform(n));
  return dtype === 'f16' ? randomInts(n, -8, 8) : intsOf(dtype, n);
}

/** Sums worked in float64 as the dtype holds them: ints wrapped. */
const wrapped = (v: Float64Array, dtype: tm.DType) => (dtype === 'i32' || dtype === 'i8' ? v.map((x) => wrapInt(x, dtype)) : v);

/**
 * torch.scatter_reduce in float64: each target's reduction of x's entry (if
 * included) and the src entries written there; an entry not written keeps
 * x's. In `dtype` as tmnn keeps it: int sums and products wrapped, int means
 * rounded down, f16 rounded.
 */
function scatterReduceRef(x: F64, indices: F64, src: F64, a: number, reduce: tm.ScatterReduction, includeSelf: boolean, dtype: tm.DType | 'f64'): Float64Array {
  const groups = Array.from(x.v, (v) => (includeSelf ? [v] : []));
  for (let k = 0; k < indices.v.length; k++) {
    const p = unravel(k, indices.shape);
    groups[targetOf(p, indices, a, x.shape)].push(src.v[ravel(p, src.shape)]);
  }
  const int = dtype === 'i32' || dtype === 'i8';
  const wrap = (v: number) => (int ? wrapInt(BigInt(v), dtype) : v);
  const reduced = (values: number[]): number => {
    switch (reduce) {
      case 'sum': return wrap(values.reduce((s, v) => s + v, 0));
      case 'prod': return int ? values.reduce((s, v) => wrapInt(BigInt(s) * BigInt(v), dtype), 1) : values.reduce((s, v) => s * v, 1);
      case 'mean': return int ? Math.floor(wrap(values.reduce((s, v) => s + v, 0)) / values.length) : values.reduce((s, v) => s + v, 0) / values.length;
      case 'amax': return values.some(Number.isNaN) ? NaN : Math.max(...values);
      case 'amin': return values.some(Number.isNaN) ? NaN : Math.min(...values);
    }
  };
  return Float64Array.from(groups, (values, i) => (values.length === 0 ? x.v[i] : reduced(values)));
}

/** Random indices into an axis of n (negative ones too) in `shape`: repeats likely. */
const anyIndices = (shape: number[], n: number) => f64(shape, randomInts(size(shape), -n, n - 1));

/** 0 … n − 1 in a random order (of the test's seed). */
const randomPermutation = (n: number) => Array.from(uniform(n), (u, i) => [u, i]).sort((p, q) => p[0] - q[0]).map(([, i]) => i);

/** Indices in `shape` (no longer than n along `a`) that name each target once: each line along `a` a slice of a random permutation, some negative. */
function distinctIndices(shape: number[], a: number, n: number): F64 {
  const v = new Float64Array(size(shape));
  const lines = size(shape) / Math.max(1, shape[a]);
  const stride = size(shape.slice(a + 1));
  for (let line = 0; line < lines; line++) {
    const order = [...Array(n).keys()].sort(() => Math.random() - 0.5);
    const base = Math.floor(line / stride) * shape[a] * stride + (line % stride);
    for (let j = 0; j < shape[a]; j++) v[base + j * stride] = Math.random() < 0.3 ? order[j] - n : order[j];
  }
  return f64(shape, v);
}

describe.each(BACKENDS)('scatters on %s', (backend) => {
  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  describe('scatterAdd', () => {
    it.each([
      [[7], [7], [7], 0], [[7], [20], [23], 0], [[1], [3], [3], -1], [[13, 31], [5, 31], [5, 31], 0], [[13, 31], [13, 40], [15, 41], 1],
      [[13, 31], [20, 17], [20, 17], 0], [[127, 129], [127, 64], [130, 70], 1], [[3, 1, 5], [3, 1, 7], [3, 2, 7], 2], [[3, 4, 5], [2, 9, 3], [2, 9, 5], -2],
      [[4, 6], [4, 0], [4, 2], 1], [[0, 6], [0, 2], [0, 2], 1],
    ])('x %j, indices %j, src %j, along %i: torch.scatter_add, repeats added, in every dtype (ints wrapping), with i32 and i8 indices', async (xShape, iShape, sShape, axis) => {
      const a = mod(axis, xShape.length);
      const indices = anyIndices(iShape, xShape[a]);
      for (const dtype of tm.DTYPES) {
        const [x, src] = [f64(xShape, addends(dtype, size(xShape))), f64(sShape, addends(dtype, size(sShape)))];
        for (const indexType of xShape[a] <= 128 ? (['i32', 'i8'] as const) : (['i32'] as const)) {
          const t = tm.tensor(x.v, xShape, { dtype });
          const y = tm.scatterAdd(t, tm.tensor(indices.v, iShape, { dtype: indexType }), tm.tensor(src.v, sShape, { dtype }), axis);
          expect([y.shape, y.dtype]).toEqual([xShape, dtype]);
          expectClose(await y.data(), wrapped(scatterAddRef(x, indices, src, a).v, dtype), dtype === 'f32' ? 1e-5 : 0, `scatterAdd ${dtype}, ${indexType} indices`);
          expectExact(await t.data(), x.v, 'x left as it was');
        }
      }
    });

    it.each([[[13, 31], [20, 31], [21, 33], 0], [[7], [30], [30], 0], [[3, 4, 5], [3, 9, 2], [3, 9, 2], 1]])('its gradients, x %j, indices %j, src %j along %i: dy to x, dy at each target to the src entry added there, 0 beyond the indices', async (xShape, iShape, sShape, axis) => {
      const indices = anyIndices(iShape, xShape[axis]);
      const r = f64(xShape, asF32(uniform(size(xShape))));
      const x = tm.tensor(uniform(size(xShape)), xShape);
      const src = tm.tensor(uniform(size(sShape)), sShape);
      x.requiresGrad = true;
      src.requiresGrad = true;
      tm.tidy(() => tm.scatterAdd(x, tm.tensor(indices.v, iShape, { dtype: 'i32' }), src, axis).mul(tm.tensor(r.v, xShape)).sum()).backward();
      expectClose(await x.grad!.data(), r.v, 0, 'x gradient');
      const want = new Float64Array(size(sShape));
      for (let k = 0; k < indices.v.length; k++) {
        const p = unravel(k, iShape);
        want[ravel(p, sShape)] = r.v[targetOf(p, indices, axis, xShape)];
      }
      expectClose(await src.grad!.data(), want, 0, 'src gradient');
    });
  });

  describe('scatter', () => {
    it.each([
      [[7], [7], [7], 0], [[7], [3], [5], 0], [[13, 31], [5, 31], [5, 31], 0], [[13, 31], [13, 30], [15, 31], 1], [[127, 129], [120, 64], [127, 70], -2],
      [[3, 1, 5], [3, 1, 5], [3, 2, 7], 2], [[3, 4, 5], [2, 4, 3], [2, 4, 5], 1], [[4, 6], [4, 0], [4, 2], 1], [[0, 6], [0, 2], [0, 2], 1],
    ])('x %j, indices %j (each target once), src %j, along %i: torch.scatter in every dtype, bit for bit, with i32 and i8 indices', async (xShape, iShape, sShape, axis) => {
      const a = mod(axis, xShape.length);
      const indices = distinctIndices(iShape, a, xShape[a]);
      for (const dtype of tm.DTYPES) {
        const x = f64(xShape, exactValues(dtype, size(xShape)));
        const src = f64(sShape, exactValues(dtype, size(sShape)));
        for (const indexType of xShape[a] <= 128 ? (['i32', 'i8'] as const) : (['i32'] as const)) {
          const t = tm.tensor(x.v, xShape, { dtype });
          const y = tm.scatter(t, tm.tensor(indices.v, iShape, { dtype: indexType }), tm.tensor(src.v, sShape, { dtype }), axis);
          expect([y.shape, y.dtype]).toEqual([xShape, dtype]);
          expectExact(await y.data(), scatterRef(x, indices, src, a).v, `scatter ${dtype}, ${indexType} indices`);
          expectExact(await t.data(), x.v, 'x left as it was');
        }
      }
    });

    it('writes a number where src is one (torch.scatter with value)', async () => {
      const x = tm.tensor(new Int32Array([1, 2, 3, 4, 5, 6]), [2, 3]);
      expect(await tm.scatter(x, tm.tensor(new Int32Array([2, 0]), [2, 1]), -7, 1).array()).toEqual([[1, 2, -7], [-7, 5, 6]]);
      expect(await tm.scatter(tm.zeros([2, 2], { dtype: 'f16' }), tm.tensor(new Int8Array([1, 0]), [1, 2]), 0.5, 0).array()).toEqual([[0, 0.5], [0.5, 0]]);
    });

    it('its gradients: dy to the entries of x not written, dy at each target to the src entry written there', async () => {
      const xShape = [13, 31];
      const iShape = [13, 20];
      const indices = distinctIndices(iShape, 1, 31);
      const r = f64(xShape, asF32(uniform(size(xShape))));
      const x = tm.tensor(uniform(size(xShape)), xShape);
      const src = tm.tensor(uniform(13 * 25), [13, 25]);
      x.requiresGrad = true;
      src.requiresGrad = true;
      tm.tidy(() => tm.scatter(x, tm.tensor(indices.v, iShape, { dtype: 'i32' }), src, 1).mul(tm.tensor(r.v, xShape)).sum()).backward();
      const wantX = Float64Array.from(r.v);
      const wantSrc = new Float64Array(13 * 25);
      for (let k = 0; k < indices.v.length; k++) {
        const p = unravel(k, iShape);
        const t = targetOf(p, indices, 1, xShape);
        wantX[t] = 0;
        wantSrc[ravel(p, [13, 25])] = r.v[t];
      }
      expectClose(await x.grad!.data(), wantX, 0, 'x gradient');
      expectClose(await src.grad!.data(), wantSrc, 0, 'src gradient');
    });

    it('refuses two indices naming one entry where it can read them at once; on a GPU that entry is unspecified and the others are written', async () => {
      const x = tm.zeros([2, 3]);
      const twice = tm.tensor(new Int32Array([0, 0, 2]), [1, 3]);
      if (backend === 'webgpu') {
        const y = (await tm.scatter(x, twice, tm.tensor([[1, 2, 3]]), 1).array()) as number[][];
        expect([y[0].slice(1), y[1]]).toEqual([[0, 3], [0, 0, 0]]);
      } else {
        expect(() => tm.scatter(x, twice, tm.tensor([[1, 2, 3]]), 1)).toThrow(
          new tm.ValueError('scatter: indices [1,3] name one entry of x twice (at 0 and 1 of them, flat); scatter writes each entry once (scatterAdd adds repeats)'),
        );
      }
    });
  });

  describe('indexAdd', () => {
    it.each([
      [[7], [3], 0], [[7], [20], 0], [[1], [4], -1], [[13, 31], [40], 0], [[13, 31], [5], 1], [[5, 129, 3], [2, 3], 1], [[5, 129, 3], [7], -1], [[4, 6], [0], 1], [[0, 6], [3], 1],
    ])('x %j, indices %j along %i: torch.index_add (source shaped as gather gives), repeats added, in every dtype (ints wrapping), with i32 and i8 indices', async (xShape, iShape, axis) => {
      const a = mod(axis, xShape.length);
      const indices = anyIndices(iShape, xShape[a]);
      const sShape = [...xShape.slice(0, a), ...iShape, ...xShape.slice(a + 1)];
      for (const dtype of tm.DTYPES) {
        const [x, source] = [f64(xShape, addends(dtype, size(xShape))), f64(sShape, addends(dtype, size(sShape)))];
        for (const indexType of xShape[a] <= 128 ? (['i32', 'i8'] as const) : (['i32'] as const)) {
          const t = tm.tensor(x.v, xShape, { dtype });
          const y = tm.indexAdd(t, tm.tensor(indices.v, iShape, { dtype: indexType }), tm.tensor(source.v, sShape, { dtype }), axis);
          expect([y.shape, y.dtype]).toEqual([xShape, dtype]);
          expectClose(await y.data(), wrapped(indexAddRef(x, indices, source, a).v, dtype), dtype === 'f32' ? 1e-5 : 0, `indexAdd ${dtype}, ${indexType} indices`);
        }
      }
    });

    it('its gradients: dy to x, the rows of dy at the indices to source (a segment sum\'s gradient)', async () => {
      // Six samples summed into three segments by their ids, as a graph network's messages are.
      const ids = tm.tensor(new Int32Array([2, 0, 2, 1, 0, 2]), [6]);
      const messages = tm.tensor(uniform(6 * 5), [6, 5]);
      const x = tm.zeros([3, 5]);
      messages.requiresGrad = true;
      x.requiresGrad = true;
      const r = asF32(uniform(15));
      tm.tidy(() => tm.indexAdd(x, ids, messages, 0).mul(tm.tensor(r, [3, 5])).sum()).backward();
      expectClose(await x.grad!.data(), r, 0, 'x gradient');
      const want = Float64Array.from({ length: 30 }, (_, i) => r[[2, 0, 2, 1, 0, 2][Math.floor(i / 5)] * 5 + (i % 5)]);
      expectClose(await messages.grad!.data(), want, 0, 'source gradient');
    });
  });

  describe('indexCopy and indexFill', () => {
    it.each([[[7], 3, 0], [[1], 1, -1], [[13, 31], 5, 0], [[13, 31], 31, 1], [[5, 129, 3], 7, 1], [[5, 129, 3], 2, -1], [[4, 6], 0, 1]])(
      'x %j, %i distinct rows along %i: torch.index_copy (source\'s rows into x\'s, bit for bit) and index_fill, in every dtype, with i32 and i8 indices',
      async (xShape, k, axis) => {
        const a = mod(axis, xShape.length);
        const n = xShape[a];
        // k distinct rows of the axis, in random order, some counted from the end.
        const rows = Array.from(randomPermutation(n).slice(0, k), (r, j) => (j % 2 ? r - n : r));
        const sShape = xShape.map((d, i) => (i === a ? k : d));
        for (const dtype of tm.DTYPES) {
          const [x, source] = [f64(xShape, addends(dtype, size(xShape))), f64(sShape, addends(dtype, size(sShape)))];
          const copied = Float64Array.from(x.v);
          const filled = Float64Array.from(x.v);
          for (let q = 0; q < source.v.length; q++) {
            const at = unravel(q, sShape);
            const target = ravel(at.map((c, i) => (i === a ? mod(rows[c], n) : c)), xShape);
            copied[target] = source.v[q];
            filled[target] = -3;
          }
          for (const indexType of n <= 128 ? (['i32', 'i8'] as const) : (['i32'] as const)) {
            const indices = tm.tensor(Int32Array.from(rows), [k], { dtype: indexType });
            const y = tm.indexCopy(tm.tensor(x.v, xShape, { dtype }), indices, tm.tensor(source.v, sShape, { dtype }), axis);
            expect([y.shape, y.dtype]).toEqual([xShape, dtype]);
            expectExact(await y.data(), copied, `indexCopy ${dtype}, ${indexType} indices`);
            expectExact(await tm.indexFill(tm.tensor(x.v, xShape, { dtype }), indices, -3, axis).data(), filled, `indexFill ${dtype}, ${indexType} indices`);
          }
        }
      },
    );

    it('gradients: dy to x\'s rows not written, dy\'s rows at the indices to source; indexFill fills a row named twice once', async () => {
      const x = tm.tensor(uniform(4 * 3), [4, 3]);
      const source = tm.tensor(uniform(2 * 3), [2, 3]);
      x.requiresGrad = source.requiresGrad = true;
      const r = asF32(uniform(12));
      const rows = tm.tensor(new Int32Array([3, -4]), [2]);
      tm.tidy(() => tm.indexCopy(x, rows, source, 0).mul(tm.tensor(r, [4, 3])).sum()).backward();
      expectExact(await x.grad!.data(), r.map((v, i) => (Math.floor(i / 3) === 3 || Math.floor(i / 3) === 0 ? 0 : v)), 'x gradient');
      expectExact(await source.grad!.data(), [...r.slice(9, 12), ...r.slice(0, 3)], 'source gradient');
      const z = tm.tensor([[1, 2], [3, 4]]);
      z.requiresGrad = true;
      const twice = tm.tensor(new Int32Array([1, -1, 1]), [3]);
      const y = tm.indexFill(z, twice, 9, 1);
      expect(await y.array()).toEqual([[1, 9], [3, 9]]);
      y.sum().backward();
      expect(await z.grad!.array()).toEqual([[1, 0], [1, 0]]);
    });
  });

  describe('scatterReduce', () => {
    it.each([
      [[7], [20], [23], 0], [[1], [3], [3], -1], [[13, 31], [40, 31], [40, 31], 0], [[13, 31], [13, 40], [15, 41], 1], [[3, 4, 5], [2, 9, 3], [2, 9, 5], -2], [[4, 6], [4, 0], [4, 2], 1],
    ])('x %j, indices %j, src %j, along %i: torch.scatter_reduce by each reduction, with and without x\'s entry, in every dtype', async (xShape, iShape, sShape, axis) => {
      const a = mod(axis, xShape.length);
      const indices = anyIndices(iShape, xShape[a]);
      for (const dtype of tm.DTYPES) {
        // Products of values near 1 (floats) or of small ints (which wrap past i8 soon, as they should).
        const draw = (n: number) => (dtype === 'f32' ? asF32(uniform(n, 0.5, 1.5)) : randomInts(n, dtype === 'f16' ? -2 : -9, dtype === 'f16' ? 2 : 9));
        const [x, src] = [f64(xShape, draw(size(xShape))), f64(sShape, draw(size(sShape)))];
        for (const reduce of ['sum', 'prod', 'mean', 'amax', 'amin'] as const) {
          for (const includeSelf of [true, false]) {
            const t = tm.tensor(x.v, xShape, { dtype });
            const y = tm.scatterReduce(t, tm.tensor(indices.v, iShape, { dtype: 'i32' }), tm.tensor(src.v, sShape, { dtype }), axis, reduce, { includeSelf });
            expect([y.shape, y.dtype]).toEqual([xShape, dtype]);
            const want = scatterReduceRef(x, indices, src, a, reduce, includeSelf, dtype);
            expectClose(await y.data(), want, dtype === 'f32' ? 1e-5 : dtype === 'f16' ? 1e-3 : 0, `${reduce} ${dtype} includeSelf ${includeSelf}`);
            expectExact(await t.data(), x.v, 'x left as it was');
          }
        }
      }
    });

    it.each(['prod', 'mean', 'amax', 'amin'] as const)('the gradients of %s, with and without x\'s entry, against central differences', async (reduce) => {
      const [xShape, iShape, sShape] = [[5, 4], [9, 4], [9, 4]];
      const indices = anyIndices(iShape, 5);
      // Values far apart (no ties for amax and amin) and away from 0.
      const spread = (n: number) => asF32(Float64Array.from([...Array(n).keys()].sort(() => Math.random() - 0.5), (k) => (0.6 + k * 0.05) * (Math.random() < 0.3 ? -1 : 1)));
      for (const includeSelf of [true, false]) {
        const [x, src] = [f64(xShape, spread(20)), f64(sShape, spread(36))];
        const r = asF32(uniform(20));
        const [xt, st] = [tm.tensor(x.v, xShape), tm.tensor(src.v, sShape)];
        xt.requiresGrad = st.requiresGrad = true;
        tm.tidy(() => tm.scatterReduce(xt, tm.tensor(indices.v, iShape, { dtype: 'i32' }), st, 0, reduce, { includeSelf }).mul(tm.tensor(r, xShape)).sum()).backward();
        const loss = () => scatterReduceRef(x, indices, src, 0, reduce, includeSelf, 'f64').reduce((sum, v, i) => sum + v * r[i], 0);
        expectClose(await xt.grad!.data(), centralDifferences(x.v, loss), 1e-4, `${reduce} x gradient, includeSelf ${includeSelf}`);
        expectClose(await st.grad!.data(), centralDifferences(src.v, loss), 1e-4, `${reduce} src gradient, includeSelf ${includeSelf}`);
      }
    });

    it('shares amax\'s gradient evenly among ties, x\'s entry included, and gives prod\'s through zeros as the product of the other factors', async () => {
      const x = tm.tensor([[3], [0], [2]]);
      const src = tm.tensor([[3], [1], [3], [0], [5], [0]]);
      const targets = tm.tensor(new Int32Array([0, 0, 0, 1, 2, 2]), [6, 1]);
      x.requiresGrad = src.requiresGrad = true;
      const max = tm.scatterReduce(x, targets, src, 0, 'amax');
      expect(await max.array()).toEqual([[3], [0], [5]]);
      max.sum().backward();
      // Row 0: x's 3 and two 3s of src share 1; row 1: x's 0 ties src's 0; row 2: src's 5 alone.
      expectClose(await x.grad!.data(), [1 / 3, 1 / 2, 0], 1e-6, 'x');
      expectClose(await src.grad!.data(), [1 / 3, 0, 1 / 3, 1 / 2, 1, 0], 1e-6, 'src');
      x.grad = src.grad = null;
      const prod = tm.scatterReduce(x, targets, src, 0, 'prod');
      expect(await prod.array()).toEqual([[27], [0], [0]]);
      prod.sum().backward();
      // Row 1: x 0 times src 0: each factor's gradient is the other, 0. Row 2: 2·5·0: src's only zero gets 10, the rest 0.
      expectClose(await x.grad!.data(), [9, 0, 0], 1e-6, 'x');
      expectClose(await src.grad!.data(), [9, 27, 9, 0, 0, 10], 1e-6, 'src');
    });

    it('lets a NaN win amax and amin, and leaves entries nothing is written to as x has them', async () => {
      const x = tm.tensor([1, 2, 3]);
      const y = tm.scatterReduce(x, tm.tensor(new Int32Array([0, 0, 1])), tm.tensor([NaN, 5, -1]), 0, 'amin', { includeSelf: false });
      expect(await y.array()).toEqual([NaN, -1, 3]);
      expect(await tm.scatterReduce(x, tm.tensor(new Int32Array([1, 1])), tm.tensor([7, NaN]), 0, 'amax').array()).toEqual([1, NaN, 3]);
    });
  });

  it('each keeps only its result: what it makes on the way is freed, and a refused call leaves nothing', () => {
    const x = tm.zeros([5, 6]);
    const indices = tm.tensor(new Int32Array([4, 0, 2, 1, 3, 0]), [1, 6]);
    const rows = tm.tensor(new Int32Array([1, 1]), [2]);
    const src = tm.ones([2, 6]);
    const [x8, src8, x32, src32] = [x.cast('i8'), src.cast('i8'), x.cast('i32'), src.cast('i32')];
    const calls = [
      () => tm.scatterAdd(x, indices, src, 0), () => tm.scatter(x, indices, src, 0), () => tm.scatter(x, indices, 3, 0), () => tm.indexAdd(x, rows, src, 0),
      () => tm.scatterReduce(x, indices, src, 0, 'amax'), () => tm.scatterReduce(x, indices, src, 0, 'prod', { includeSelf: false }), () => tm.scatterReduce(x, indices, src, 0, 'mean'),
      () => tm.scatterAdd(x8, indices, src8, 0), () => tm.scatterReduce(x32, indices, src32, 0, 'mean'),
    ];
    for (const call of calls) {
      const before = tm.memory();
      const y = call();
      expect(tm.memory().numTensors).toBe(before.numTensors + 1);
      y.dispose();
      expect(tm.memory()).toEqual(before);
    }
    const floatIndices = tm.zeros([1, 6]);
    const before = tm.memory();
    expect(() => tm.scatter(x, floatIndices, 3, 0)).toThrow(tm.DTypeError);
    expect(tm.memory()).toEqual(before);
  });

  describe('bad input', () => {
    it('is refused by name: float indices, a dtype that differs, shapes that do not fit, a scalar, a bad axis, and (where the indices can be read at once) an index outside the axis', async () => {
      const x = tm.zeros([2, 3]);
      const i = (values: number[], shape: number[]) => tm.tensor(new Int32Array(values), shape);
      expect(() => tm.scatterAdd(tm.zeros([2, 3], { dtype: 'i32' }), i([0], [1, 1]), tm.zeros([1, 1], { dtype: 'i8' }), 0)).toThrow(
        new tm.DTypeError('scatterAdd: src is i8, x is i32; they must match'),
      );
      expect(() => tm.scatterReduce(x, i([0], [1, 1]), tm.zeros([1, 1]), 0, 'max' as tm.ScatterReduction)).toThrow(
        new tm.ValueError('scatterReduce: reduce must be \'sum\', \'prod\', \'mean\', \'amax\' or \'amin\', got "max"'),
      );
      expect(() => tm.scatterReduce(x, i([0], [1, 1]), tm.zeros([1, 1]), 0, 'amax', { include_self: false } as tm.ScatterReduceOptions)).toThrow(/scatterReduce: unknown option "include_self"/);
      expect(() => tm.indexAdd(x, tm.tensor([0]), tm.zeros([1, 3]), 0)).toThrow(new tm.DTypeError("indexAdd: indices must be i32 or i8, got f32 (cast them: indices.cast('i32'))"));
      expect(() => tm.scatter(x, i([0], [1, 1]), tm.zeros([1, 1], { dtype: 'f16' }), 0)).toThrow(new tm.DTypeError('scatter: src is f16, x is f32; they must match'));
      expect(() => tm.indexAdd(x, i([0, 1], [2]), tm.zeros([2, 3]), 1)).toThrow(new tm.ShapeError('indexAdd: source [2,3] must be x [2,3] with axis 1 replaced by indices [2]: [2,2]'));
      expect(() => tm.indexAdd(x, i([0, 1], [2]), tm.zeros([3, 2]), 0)).toThrow(new tm.ShapeError('indexAdd: source [3,2] must be x [2,3] with axis 0 replaced by indices [2]: [2,3]'));
      expect(() => tm.scatterAdd(x, i([0, 1], [2]), tm.zeros([2]), 0)).toThrow(new tm.ShapeError("scatterAdd: indices [2] and src [2] must have x's rank, 2 (x is [2,3])"));
      expect(() => tm.scatterAdd(x, i([0, 1], [1, 2]), tm.zeros([1, 1]), 0)).toThrow(new tm.ShapeError('scatterAdd: indices [1,2] are longer than src [1,1] on axis 1'));
      expect(() => tm.scatter(x, i([0, 1, 0, 1], [1, 4]), tm.zeros([1, 4]), 0)).toThrow(
        new tm.ShapeError('scatter: indices [1,4] are longer than x [2,3] on axis 1, which is not the axis written along (0)'),
      );
      expect(() => tm.scatter(tm.scalar(1), i([0], [1]), 2, 0)).toThrow(new tm.ShapeError('scatter: x is a scalar: there is no axis to write along'));
      expect(() => tm.scatterAdd(x, i([0], [1, 1]), tm.zeros([1, 1]), 2)).toThrow('scatterAdd: axis 2 is out of range for a tensor of rank 2');
      const gone = tm.zeros([1, 1]);
      gone.dispose();
      expect(() => tm.scatterAdd(x, i([0], [1, 1]), gone, 0)).toThrow(tm.DisposedTensorError);
      if (backend !== 'webgpu') {
        expect(() => tm.scatterAdd(x, i([0, 2], [2, 1]), tm.zeros([2, 1]), 0)).toThrow(new tm.ValueError('scatterAdd: index 2 (at 1 of indices [2,1]) is outside axis 0 of x [2,3], of length 2'));
        expect(() => tm.indexAdd(x, i([-4], [1]), tm.zeros([2, 1]), -1)).toThrow(new tm.ValueError('indexAdd: index -4 (at 0 of indices [1]) is outside axis -1 of x [2,3], of length 3'));
      } else {
        // The indices live on the GPU: one outside the axis adds or writes nothing rather than wait to be checked.
        expect(await tm.scatterAdd(x, i([0, 2], [2, 1]), tm.ones([2, 1]), 0).array()).toEqual([[1, 0, 0], [0, 0, 0]]);
        expect(await tm.scatter(x, i([5, 1], [1, 2]), 7, 1).array()).toEqual([[0, 7, 0], [0, 0, 0]]);
      }
      expect(() => tm.indexCopy(x, i([0], [1]), tm.zeros([1, 2]), 0)).toThrow(new tm.ShapeError("indexCopy: source [1,2] must be x [2,3] with axis 0 replaced by indices' length 1: [1,3]"));
      expect(() => tm.indexCopy(x, i([0], [1, 1]), tm.zeros([1, 3]), 0)).toThrow(new tm.ShapeError('indexCopy: indices [1,1] must be a vector of rows (or a scalar for one)'));
      expect(() => tm.indexFill(tm.zeros([2], { dtype: 'i8' }), i([0], [1]), 300)).toThrow(new tm.ValueError("indexFill: value 300 is not an integer i8 holds (-128 … 127), and the result keeps x's dtype"));
      if (backend !== 'webgpu') {
        expect(() => tm.indexCopy(x, i([2, -1], [2]), tm.zeros([2, 2]), 1)).toThrow(new tm.ValueError('indexCopy: indices name row 2 of axis 1 twice (at 0 and 1); each row is copied into once'));
        expect(() => tm.indexFill(x, i([3], [1]), 1)).toThrow(new tm.ValueError('indexFill: index 3 (at 0 of indices [1]) is outside axis 0 of x [2,3], of length 2'));
      }
      expect(await x.array()).toEqual([[0, 0, 0], [0, 0, 0]]);
    });
  });
});
