// tm.linalg's array-API names (cross, diagonal, matmul, norm, vander,
// matrixTranspose, outer, trace, tensordot) against float64 references
// written here on fresh random data, odd sizes and batches, and against the
// top-level ops where linalg's conventions differ: diagonal and trace on the
// last two axes, vander's rising powers and batches, cross's broadcasting,
// norm's choice between a vector and a matrix norm and its refusals.
// Gradients against central differences of the float64 references.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../../src/index.js';
import { BACKENDS } from '../../helpers/backends.js';
import { asF32, expectClose, expectExact, randomInts, uniform } from '../../helpers/data.js';
import { expectGradients } from '../../helpers/linalg.js';
import { svdRef } from '../../helpers/spectral.js';

/** Row-major strides of `shape`. */
function stridesOf(shape: readonly number[]): number[] {
  const out = new Array<number>(shape.length).fill(1);
  for (let d = shape.length - 2; d >= 0; d--) out[d] = out[d + 1] * shape[d + 1];
  return out;
}

/** Every multi-index of `shape`, in row-major order. */
function indicesOf(shape: readonly number[]): number[][] {
  const size = shape.reduce((p, d) => p * d, 1);
  const strides = stridesOf(shape);
  return Array.from({ length: size }, (_, flat) => shape.map((d, i) => Math.floor(flat / strides[i]) % d));
}

/** The entry of v [shape] at `index` (NumPy-broadcast: index may be longer, size-1 axes read at 0). */
function read(v: ArrayLike<number>, shape: readonly number[], index: readonly number[]): number {
  const strides = stridesOf(shape);
  const tail = index.slice(index.length - shape.length);
  return v[tail.reduce((s, i, d) => s + (shape[d] === 1 ? 0 : i) * strides[d], 0)];
}

/** Random f32 values and the tensor holding them. */
function random(shape: number[], lo = -2, hi = 2): [Float64Array, tm.Tensor] {
  const v = asF32(uniform(shape.reduce((p, d) => p * d, 1), lo, hi));
  return [v, tm.tensor(Float32Array.from(v), shape)];
}

/** a × b of 3-vectors along axis k of the broadcast shape `out`, in float64. */
function cross64(a: Float64Array, aShape: number[], b: Float64Array, bShape: number[], out: number[], k: number): Float64Array {
  return Float64Array.from(indicesOf(out), (index) => {
    const part = (v: Float64Array, shape: number[], c: number) => read(v, shape, index.map((e, d) => (d === k ? c : e)));
    const [i, j] = [(index[k] + 1) % 3, (index[k] + 2) % 3];
    return part(a, aShape, i) * part(b, bShape, j) - part(a, aShape, j) * part(b, bShape, i);
  });
}

/** Diagonal `offset` of the matrices in axes a1, a2 of v [shape], the others first, in float64. */
function diagonal64(v: ArrayLike<number>, shape: number[], offset: number, a1: number, a2: number): { values: Float64Array; shape: number[] } {
  const rest = shape.flatMap((d, i) => (i === a1 || i === a2 ? [] : [i]));
  const length = Math.max(0, Math.min(shape[a1] - Math.max(-offset, 0), shape[a2] - Math.max(offset, 0)));
  const outShape = [...rest.map((i) => shape[i]), length];
  const values = Float64Array.from(indicesOf(outShape), (index) => {
    const full = new Array<number>(shape.length);
    rest.forEach((axis, r) => (full[axis] = index[r]));
    const k = index[index.length - 1];
    full[a1] = k + Math.max(-offset, 0);
    full[a2] = k + Math.max(offset, 0);
    return read(v, shape, full);
  });
  return { values, shape: outShape };
}

/** Sums of v [..., k] along its last axis, in float64 (shape its shape). */
function lastSums(v: ArrayLike<number>, shape: readonly number[]): Float64Array {
  const k = shape[shape.length - 1];
  return Float64Array.from({ length: shape.slice(0, -1).reduce((p, d) => p * d, 1) }, (_, r) => Array.from({ length: k }, (_, c) => v[r * k + c]).reduce((s, e) => s + e, 0));
}

/** The matrix norm `ord` of a [m, n] in float64. */
function matrixNorm64(a: ArrayLike<number>, m: number, n: number, ord: tm.linalg.MatrixNormOrder): number {
  if (ord === 'fro') return Math.sqrt(Array.from(a).reduce((s, v) => s + v * v, 0));
  if (ord === 'nuc' || ord === 2 || ord === -2) {
    const s = svdRef(a, m, n).s;
    return ord === 'nuc' ? s.reduce((t, v) => t + v, 0) : ord === 2 ? s[0] : s[s.length - 1];
  }
  const columns = Math.abs(ord) === 1;
  const sums = Array.from({ length: columns ? n : m }, (_, o) => Array.from({ length: columns ? m : n }, (_, i) => Math.abs(columns ? a[i * n + o] : a[o * n + i])).reduce((s, v) => s + v, 0));
  return ord > 0 ? Math.max(...sums) : Math.min(...sums);
}

/** The vector norm `ord` of v in float64. */
function vectorNorm64(v: ArrayLike<number>, ord: number): number {
  const r = Array.from(v, Math.abs);
  if (ord === Infinity) return Math.max(...r);
  if (ord === -Infinity) return Math.min(...r);
  if (ord === 0) return r.filter((e) => e !== 0).length;
  return r.reduce((t, e) => t + e ** ord, 0) ** (1 / ord);
}

/** The vectors of v [shape] along axis a, in the row-major order of the other axes. */
function vectorsAlong(v: ArrayLike<number>, shape: number[], a: number): number[][] {
  const others = shape.filter((_, i) => i !== a);
  return indicesOf(others).map((index) => Array.from({ length: shape[a] }, (_, k) => read(v, shape, [...index.slice(0, a), k, ...index.slice(a)])));
}

/** The entries of v [shape] with the two axes a1, a2 moved last (in that order), in float64. */
function movedLast(v: ArrayLike<number>, shape: number[], a1: number, a2: number): { values: Float64Array; shape: number[] } {
  const rest = shape.flatMap((_, i) => (i === a1 || i === a2 ? [] : [i]));
  const order = [...rest, a1, a2];
  const outShape = order.map((i) => shape[i]);
  const values = Float64Array.from(indicesOf(outShape), (index) => {
    const full = new Array<number>(shape.length);
    order.forEach((axis, r) => (full[axis] = index[r]));
    return read(v, shape, full);
  });
  return { values, shape: outShape };
}

describe.each(BACKENDS)('tm.linalg array-API functions on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it('cross: 3-vectors along the last axis by default or another, batch axes broadcasting across ranks', async () => {
    const cases: [number[], number[], number | undefined, number[]][] = [
      [[3], [3], undefined, [3]],
      [[5, 3], [5, 3], undefined, [5, 3]],
      [[2, 1, 3], [7, 3], undefined, [2, 7, 3]],
      [[3, 5], [2, 3, 1], -2, [2, 3, 5]],
      [[4, 3, 1], [1, 3, 5], 1, [4, 3, 5]],
    ];
    for (const [aShape, bShape, axis, out] of cases) {
      const [a, A] = random(aShape);
      const [b, B] = random(bShape);
      const y = tm.linalg.cross(A, B, axis === undefined ? {} : { axis });
      expect(y.shape, `${aShape} × ${bShape}`).toEqual(out);
      const k = (axis ?? -1) < 0 ? out.length + (axis ?? -1) : axis!;
      expectClose(await y.data(), cross64(a, aShape, b, bShape, out, k), 1e-5, `cross ${aShape} × ${bShape} axis ${axis}`, new Array(out.reduce((p, d) => p * d, 1)).fill(8));
    }
    // The basis: x × y = z; ints exactly.
    expect(await tm.linalg.cross(tm.tensor([1, 0, 0]), tm.tensor([0, 1, 0])).array()).toEqual([0, 0, 1]);
    const ints = tm.linalg.cross(tm.tensor([[1, 2, 3]], { dtype: 'i32' }), tm.tensor([[4, 5, 6], [-1, 0, 2]], { dtype: 'i32' }));
    expect(ints.dtype).toBe('i32');
    expect(await ints.array()).toEqual([[-3, 6, -3], [4, -5, 2]]);
  });

  it('diagonal: the last two axes by default (tm.diagonal takes the first two), offsets and other axes', async () => {
    const shape = [2, 3, 5, 4];
    const [v, A] = random(shape);
    const last = tm.linalg.diagonal(A);
    expect(last.shape).toEqual([2, 3, 4]);
    expectExact(await last.data(), diagonal64(v, shape, 0, 2, 3).values, 'diagonal of the last two axes');
    // tm.diagonal's default is axes 0 and 1: another result altogether.
    expect(tm.diagonal(A).shape).toEqual([5, 4, 2]);
    expectExact(await tm.linalg.diagonal(A, { axis1: 0, axis2: 1 }).data(), await tm.diagonal(A).data(), 'axes 0 and 1 as tm.diagonal');
    for (const [offset, a1, a2] of [[1, -2, -1], [-2, -2, -1], [3, -2, -1], [4, -2, -1], [-5, -2, -1], [1, 3, 1], [-1, 0, 2]]) {
      const want = diagonal64(v, shape, offset, (a1 + 4) % 4, (a2 + 4) % 4);
      const got = tm.linalg.diagonal(A, { offset, axis1: a1, axis2: a2 });
      expect(got.shape, `offset ${offset} axes ${a1}, ${a2}`).toEqual(want.shape);
      expectExact(await got.data(), want.values, `diagonal offset ${offset} axes ${a1}, ${a2}`);
    }
    expect(await tm.linalg.diagonal(tm.tensor([[1, 2, 3], [4, 5, 6]], { dtype: 'i32' }), { offset: 1 }).array()).toEqual([2, 6]);
  });

  it('trace: the sum of each matrix\'s diagonal over the last two axes, batched, with an offset', async () => {
    const shape = [3, 2, 5, 7];
    const [v, A] = random(shape);
    for (const offset of [0, 1, -1, 4, 6, -4, 7, -5]) {
      const got = tm.linalg.trace(A, offset === 0 ? undefined : { offset });
      expect(got.shape).toEqual([3, 2]);
      const d = diagonal64(v, shape, offset, 2, 3);
      expectClose(await got.data(), lastSums(d.values, d.shape), 1e-6, `trace offset ${offset}`, new Array(6).fill(2 * 5));
    }
    // One matrix: tm.trace's value, as a scalar; ints sum in i32.
    const [m, M] = random([5, 5]);
    expect(tm.linalg.trace(M).shape).toEqual([]);
    expectClose([await tm.linalg.trace(M).array() as number], [await tm.trace(M).array() as number], 1e-6, 'trace of one matrix');
    expectClose([await tm.linalg.trace(M).array() as number], [[0, 6, 12, 18, 24].reduce((s, i) => s + m[i], 0)], 1e-6, 'trace by hand');
    const ints = tm.linalg.trace(tm.tensor([[[1, 2], [3, 4]], [[5, 6], [7, 8]]], { dtype: 'i32' }));
    expect(ints.dtype).toBe('i32');
    expect(await ints.array()).toEqual([5, 13]);
  });

  it('matrixTranspose swaps the last two axes of each matrix', async () => {
    const shape = [2, 3, 5];
    const [v, A] = random(shape);
    const t = tm.linalg.matrixTranspose(A);
    expect(t.shape).toEqual([2, 5, 3]);
    expectExact(await t.data(), Float64Array.from(indicesOf([2, 5, 3]), ([b, i, j]) => v[(b * 3 + j) * 5 + i]), 'matrixTranspose');
    expect(await tm.linalg.matrixTranspose(tm.tensor([[1, 2, 3]])).array()).toEqual([[1], [2], [3]]);
  });

  it('vander: rising powers x⁰ … x^(n−1) of each vector along the last axis (tm.vander falls, on one vector)', async () => {
    const [v, X] = random([2, 3, 5], -1.5, 1.5);
    for (const n of [undefined, 3, 7, 1]) {
      const cols = n ?? 5;
      const y = tm.linalg.vander(X, n === undefined ? {} : { n });
      expect(y.shape).toEqual([2, 3, 5, cols]);
      const want = Float64Array.from(indicesOf([2, 3, 5, cols]), ([b, r, i, j]) => v[(b * 3 + r) * 5 + i] ** j);
      expectClose(await y.data(), want, 2e-6, `vander n ${n}`);
    }
    expect(tm.linalg.vander(X, { n: 0 }).shape).toEqual([2, 3, 5, 0]);
    // One vector: np.vander's increasing option, the reverse of tm.vander's default.
    const x = tm.tensor([2, -1, 3]);
    expect(await tm.linalg.vander(x).array()).toEqual([[1, 2, 4], [1, -1, 1], [1, 3, 9]]);
    expect(await tm.linalg.vander(x).array()).toEqual(await tm.vander(x, { increasing: true }).array());
    expect(await tm.vander(x).array()).toEqual([[4, 2, 1], [1, -1, 1], [9, 3, 1]]);
    // Ints exactly; a scalar as a vector of one.
    const ints = tm.linalg.vander(tm.tensor([[3, -2]], { dtype: 'i32' }), { n: 4 });
    expect(ints.dtype).toBe('i32');
    expect(await ints.array()).toEqual([[[1, 3, 9, 27], [1, -2, 4, -8]]]);
    expect(await tm.linalg.vander(tm.scalar(3), { n: 3 }).array()).toEqual([[1, 3, 9]]);
  });

  it('norm with no axis: the 2-norm of all entries without ord; with ord, a vector\'s or a matrix\'s norm', async () => {
    const [v, A] = random([2, 3, 5]);
    expectClose([await tm.linalg.norm(A).array() as number], [vectorNorm64(v, 2)], 1e-5, '2-norm flattened');
    expect(tm.linalg.norm(A, undefined, { keepDims: true }).shape).toEqual([1, 1, 1]);
    // A vector: any numeric ord.
    const [x, X] = random([7]);
    x[3] = 0;
    const X0 = tm.tensor(Float32Array.from(x), [7]);
    for (const ord of [2, 1, 3, 0.5, 0, Infinity, -Infinity]) {
      expectClose([await tm.linalg.norm(X0, ord).array() as number], [vectorNorm64(x, ord)], 1e-5, `vector ord ${ord}`);
    }
    X.dispose();
    // A matrix: ord a matrix norm's, with odd sizes; no ord is Frobenius (the flattened 2-norm).
    for (const [m, n] of [[5, 3], [3, 7], [4, 4]]) {
      const [a, M] = random([m, n]);
      for (const ord of ['fro', 'nuc', 2, -2, 1, -1, Infinity, -Infinity] as const) {
        expectClose([await tm.linalg.norm(M, ord).array() as number], [matrixNorm64(a, m, n, ord)], 2e-5, `matrix ${m} × ${n} ord ${ord}`, [matrixNorm64(a, m, n, 'fro')]);
      }
      expectClose([await tm.linalg.norm(M).array() as number], [matrixNorm64(a, m, n, 'fro')], 1e-5, `matrix ${m} × ${n} no ord`);
      // ord 2 of a matrix is its largest singular value, not the 2-norm of its entries (which vectorNorm gives).
      expectClose([await tm.linalg.vectorNorm(M, 2).array() as number], [matrixNorm64(a, m, n, 'fro')], 1e-5, 'vectorNorm flattens');
      expect(tm.linalg.norm(M, 1, { keepDims: true }).shape).toEqual([1, 1]);
    }
    expect(await tm.linalg.norm(tm.tensor([3, 4], { dtype: 'i32' })).array()).toBe(5);
  });

  it('norm with axes: one is a vector norm along it, two a matrix norm over them, in the order given', async () => {
    const shape = [3, 4, 5];
    const [v, A] = random(shape);
    // One axis (a number or a list of one): the vector norms along it.
    for (const [axis, ord] of [[-1, undefined], [[1], 3], [0, Infinity], [[-3], 1]] as const) {
      const a = ((Array.isArray(axis) ? axis[0] : axis) as number + 3) % 3;
      const got = tm.linalg.norm(A, ord, { axis });
      expect(got.shape).toEqual(shape.filter((_, i) => i !== a));
      expectClose(await got.data(), vectorsAlong(v, shape, a).map((r) => vectorNorm64(r, ord ?? 2)), 1e-5, `norm along axis ${axis} ord ${ord}`);
      expect(tm.linalg.norm(A, ord, { axis, keepDims: true }).shape).toEqual(shape.map((d, i) => (i === a ? 1 : d)));
    }
    // Two axes: the matrices with rows along the first given, columns along the second.
    for (const [a1, a2] of [[1, 2], [2, 0], [0, -2], [-1, -2]]) {
      const [p, q] = [(a1 + 3) % 3, (a2 + 3) % 3];
      const moved = movedLast(v, shape, p, q);
      const [m, n] = [shape[p], shape[q]];
      const other = shape[3 - p - q];
      for (const ord of [undefined, 'nuc', 1, -Infinity, 2] as const) {
        const got = tm.linalg.norm(A, ord, { axis: [a1, a2] });
        expect(got.shape).toEqual([other]);
        const want = Array.from({ length: other }, (_, b) => matrixNorm64(moved.values.subarray(b * m * n, (b + 1) * m * n), m, n, ord ?? 'fro'));
        const scale = Array.from({ length: other }, (_, b) => matrixNorm64(moved.values.subarray(b * m * n, (b + 1) * m * n), m, n, 'fro'));
        expectClose(await got.data(), want, 2e-5, `norm over axes ${a1}, ${a2} ord ${ord}`, scale);
        expect(tm.linalg.norm(A, ord, { axis: [a1, a2], keepDims: true }).shape).toEqual(shape.map((d, i) => (i === p || i === q ? 1 : d)));
      }
    }
    // The last two axes, as matrixNorm takes them.
    expectExact(await tm.linalg.norm(A, 'nuc', { axis: [-2, -1] }).data(), await tm.linalg.matrixNorm(A, 'nuc').data(), 'the last two axes are matrixNorm\'s');
  });

  it('matmul and tensordot are the top-level ops; outer takes vectors only', async () => {
    expect(tm.linalg.matmul).toBe(tm.matmul);
    expect(tm.linalg.tensordot).toBe(tm.tensordot);
    const [a, A] = random([2, 3, 5]);
    const [b, B] = random([5, 4]);
    const y = tm.linalg.matmul(A, B);
    expect(y.shape).toEqual([2, 3, 4]);
    expectClose(await y.data(), Float64Array.from(indicesOf([2, 3, 4]), ([p, i, j]) => [0, 1, 2, 3, 4].reduce((s, k) => s + a[(p * 3 + i) * 5 + k] * b[k * 4 + j], 0)), 1e-5, 'matmul', new Array(24).fill(20));
    expect(tm.linalg.tensordot(A, B, 1).shape).toEqual([2, 3, 4]);
    const [x, X] = random([3]);
    const [w, W] = random([5]);
    const o = tm.linalg.outer(X, W);
    expect(o.shape).toEqual([3, 5]);
    expectClose(await o.data(), Float64Array.from(indicesOf([3, 5]), ([i, j]) => x[i] * w[j]), 1e-6, 'outer');
    expect(() => tm.linalg.outer(tm.ones([2, 2]), W)).toThrow('outer: a and b must be vectors, got [2,2] and [5]');
  });

  it('gradients: norm (a vector norm, a matrix norm over two axes), trace, diagonal, vander and cross', async () => {
    const shape = [3, 4, 2];
    const v = asF32(uniform(24, -1, 1));
    await expectGradients([shape], [v], (A) => [tm.linalg.norm(A)], (a) => Float64Array.of(vectorNorm64(a, 2)));
    await expectGradients([shape], [v], (A) => [tm.linalg.norm(A, 3, { axis: 1 })], (a) => Float64Array.from(vectorsAlong(a, shape, 1), (r) => vectorNorm64(r, 3)));
    await expectGradients([shape], [v], (A) => [tm.linalg.norm(A, 'fro', { axis: [2, 0] }), tm.linalg.norm(A, 1, { axis: [2, 0] })], (a) => {
      const moved = movedLast(a, shape, 2, 0);
      const mats = [0, 1, 2, 3].map((b) => moved.values.subarray(b * 6, (b + 1) * 6));
      return Float64Array.from([...mats.map((m) => matrixNorm64(m, 2, 3, 'fro')), ...mats.map((m) => matrixNorm64(m, 2, 3, 1))]);
    });
    const sq = [2, 3, 4];
    const s = asF32(uniform(24, -1, 1));
    await expectGradients([sq], [s], (A) => [tm.linalg.trace(A, { offset: 1 }), tm.linalg.diagonal(A, { offset: -1 })], (a) => {
      const d = diagonal64(a, sq, 1, 1, 2);
      return Float64Array.from([...lastSums(d.values, d.shape), ...diagonal64(a, sq, -1, 1, 2).values]);
    });
    const x = asF32(uniform(6, -1, 1));
    await expectGradients([[2, 3]], [x], (X) => [tm.linalg.vander(X, { n: 4 })], (xs) => Float64Array.from(indicesOf([2, 3, 4]), ([b, i, j]) => xs[b * 3 + i] ** j));
    await expectGradients([[2, 3], [3]], [asF32(uniform(6)), asF32(uniform(3))], (a, b) => [tm.linalg.cross(a, b)], (a, b) => cross64(a, [2, 3], b, [3], [2, 3], 1));
  });

  it('cross and trace of random int batches agree with float64 exactly', async () => {
    const a = randomInts(2 * 5 * 3, -9, 9);
    const b = randomInts(5 * 3, -9, 9);
    const y = tm.linalg.cross(tm.tensor(Int32Array.from(a), [2, 5, 3]), tm.tensor(Int32Array.from(b), [5, 3]));
    expectExact(await y.data(), cross64(a, [2, 5, 3], b, [5, 3], [2, 5, 3], 2), 'integer cross');
    const m = randomInts(3 * 4 * 6, -9, 9);
    const d = diagonal64(m, [3, 4, 6], 2, 1, 2);
    expectExact(await tm.linalg.trace(tm.tensor(Int32Array.from(m), [3, 4, 6]), { offset: 2 }).data(), lastSums(d.values, d.shape), 'integer trace');
  });

  it('refuses bad shapes, axes, orders and options, naming them', () => {
    const A = tm.ones([2, 3, 4]);
    // cross
    expect(() => tm.linalg.cross(tm.ones([2, 4]), tm.ones([2, 3]))).toThrow('linalg.cross: a [2,4] and b [2,3] must both have size 3 along axis -1, the vectors\' (got 4 and 3)');
    expect(() => tm.linalg.cross(tm.ones([1, 3]), tm.ones([3, 3]), { axis: 0 })).toThrow('linalg.cross: a [1,3] and b [3,3] must both have size 3 along axis 0, the vectors\' (got 1 and 3)');
    expect(() => tm.linalg.cross(tm.ones([2, 3]), tm.ones([4, 3]))).toThrow('linalg.cross: the batch axes of a [2,3] and b [4,3] do not broadcast (axis -2: 2 against 4)');
    expect(() => tm.linalg.cross(tm.ones([5, 2, 3]), tm.ones([4, 3]))).toThrow('linalg.cross: the batch axes of a [5,2,3] and b [4,3] do not broadcast (axis -2: 2 against 4)');
    expect(() => tm.linalg.cross(tm.ones([2, 3]), tm.ones([3, 2, 3]), { axis: 1 })).toThrow('linalg.cross: a [2,3] and b [3,2,3] differ in rank, so axis 1 would name different axes of the two: give it counted from the end (negative)');
    expect(() => tm.linalg.cross(tm.ones([3]), tm.ones([2, 3]), { axis: -2 })).toThrow('linalg.cross: axis -2 is out of range for a tensor of rank 1');
    expect(() => tm.linalg.cross(tm.scalar(1), tm.ones([3]))).toThrow('linalg.cross: a [] and b [3] must both hold 3-vectors along an axis (a scalar has none)');
    expect(() => tm.linalg.cross(tm.ones([3]), tm.ones([3]), { dim: 0 } as never)).toThrow('linalg.cross: unknown option "dim"; the options are axis');
    // diagonal, trace, matrixTranspose
    expect(() => tm.linalg.diagonal(tm.ones([3]))).toThrow('linalg.diagonal: A must be a matrix or a batch of them [..., m, n], got [3]');
    expect(() => tm.linalg.diagonal(A, { axis1: 2, axis2: -1 })).toThrow('linalg.diagonal: axis1 2 and axis2 -1 are the same axis of [2,3,4]');
    expect(() => tm.linalg.diagonal(A, { axis1: 3 })).toThrow('linalg.diagonal: axis 3 is out of range for a tensor of rank 3');
    expect(() => tm.linalg.diagonal(A, { offset: 0.5 })).toThrow('linalg.diagonal: offset must be an integer, got 0.5');
    expect(() => tm.linalg.diagonal(A, { dim1: 0 } as never)).toThrow('linalg.diagonal: unknown option "dim1"; the options are offset, axis1, axis2');
    expect(() => tm.linalg.trace(tm.ones([4]))).toThrow('linalg.trace: A must be a matrix or a batch of them [..., m, n], got [4]');
    expect(() => tm.linalg.trace(A, { axis1: 0 } as never)).toThrow('linalg.trace: unknown option "axis1"; the options are offset');
    expect(() => tm.linalg.matrixTranspose(tm.ones([4]))).toThrow('linalg.matrixTranspose: A must be a matrix or a batch of them [..., m, n], got [4]');
    // vander
    expect(() => tm.linalg.vander(tm.ones([3]), { n: -1 })).toThrow('linalg.vander: n must be a non-negative integer, got -1');
    expect(() => tm.linalg.vander(tm.ones([3]), { increasing: false } as never)).toThrow('linalg.vander: unknown option "increasing"; the options are n');
    // norm's dispatch: ord with no axis needs a vector or a matrix; a vector norm takes numbers; a matrix norm its orders.
    expect(() => tm.linalg.norm(A, 2)).toThrow('linalg.norm: with ord 2 and no axis, A must be a vector or a matrix, got [2,3,4] (give the axis or axes to reduce, or leave ord out for the 2-norm of all entries)');
    expect(() => tm.linalg.norm(tm.scalar(3), 'fro')).toThrow('linalg.norm: with ord "fro" and no axis, A must be a vector or a matrix, got []');
    expect(() => tm.linalg.norm(tm.ones([3]), 'fro')).toThrow('linalg.norm: ord "fro" is a matrix norm\'s, and a vector norm (along one axis) takes a number');
    expect(() => tm.linalg.norm(A, 'nuc', { axis: 1 })).toThrow('linalg.norm: ord "nuc" is a matrix norm\'s, and a vector norm (along one axis) takes a number');
    expect(() => tm.linalg.norm(tm.ones([3, 3]), 3)).toThrow("linalg.norm: a matrix norm's ord must be 'fro', 'nuc', 2, -2, 1, -1, Infinity or -Infinity, got 3");
    expect(() => tm.linalg.norm(A, 0, { axis: [0, 1] })).toThrow("linalg.norm: a matrix norm's ord must be 'fro', 'nuc', 2, -2, 1, -1, Infinity or -Infinity, got 0");
    expect(() => tm.linalg.norm(A, 'max' as never)).toThrow('linalg.norm: ord must be a number (Infinity and −Infinity included), \'fro\' or \'nuc\', got "max"');
    expect(() => tm.linalg.norm(A, NaN)).toThrow('linalg.norm: ord must be a number (Infinity and −Infinity included), \'fro\' or \'nuc\', got NaN');
    expect(() => tm.linalg.norm(A, undefined, { axis: [0, 1, 2] })).toThrow('linalg.norm: axis must be one axis (a vector norm along it) or two (a matrix norm over them), got [0, 1, 2]');
    expect(() => tm.linalg.norm(A, undefined, { axis: [] })).toThrow('linalg.norm: axis must be one axis (a vector norm along it) or two (a matrix norm over them), got []');
    expect(() => tm.linalg.norm(A, undefined, { axis: [1, -2] })).toThrow('linalg.norm: axis [1, -2] names axis 1 of [2,3,4] twice; a matrix norm needs two different axes');
    expect(() => tm.linalg.norm(A, undefined, { axis: 3 })).toThrow('linalg.norm: axis 3 is out of range for a tensor of rank 3');
    expect(() => tm.linalg.norm(A, 2, { dim: 0 } as never)).toThrow('linalg.norm: unknown option "dim"; the options are axis, keepDims');
    expect(() => tm.linalg.norm(A, 2, { axis: 0, keepDims: 'yes' } as never)).toThrow('linalg.norm: keepDims must be true or false, got "yes"');
  });
});
