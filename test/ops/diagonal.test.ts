// diagonal, diag, trace and outer on every backend and in every dtype,
// against float64 references written here (plain loops over multi-indices):
// offsets above, on and below the main diagonal and past the matrix, axes
// in either order and negative, batches, odd sizes, empty results;
// gradients on every backend; memory left flat; bad input refused with the
// values named.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { exactValues, expectClose, expectExact, randomInts, TOL, uniform } from '../helpers/data.js';
import { f64, ravel, size, unravel, type F64 } from '../helpers/float64.js';

function make(shape: number[], dtype: tm.DType = 'f32'): { x: F64; t: tm.Tensor } {
  const x = f64(shape, exactValues(dtype, size(shape)));
  return { x, t: tm.tensor(x.v, shape, { dtype }) };
}

/**
 * torch.diagonal: x's other axes in order, then k along the diagonal, with
 * entry x[…, i = k + max(−offset, 0) on a1, …, j = k + max(offset, 0) on a2, …];
 * also the flat position in x each entry was read from.
 */
function diagonalRef(x: F64, offset: number, axis1: number, axis2: number): { y: F64; from: number[] } {
  const rank = x.shape.length;
  const [a1, a2] = [(axis1 + rank) % rank, (axis2 + rank) % rank];
  const rest = x.shape.map((_, i) => i).filter((i) => i !== a1 && i !== a2);
  const length = Math.max(0, Math.min(x.shape[a1] - Math.max(-offset, 0), x.shape[a2] - Math.max(offset, 0)));
  const shape = [...rest.map((i) => x.shape[i]), length];
  const from = Array.from({ length: size(shape) }, (_, o) => {
    const idx = unravel(o, shape);
    const k = idx[idx.length - 1];
    const at = new Array<number>(rank);
    rest.forEach((axis, d) => (at[axis] = idx[d]));
    at[a1] = k + Math.max(-offset, 0);
    at[a2] = k + Math.max(offset, 0);
    return ravel(at, x.shape);
  });
  return { y: f64(shape, from.map((i) => x.v[i])), from };
}

/** torch.diag of a vector: [m, m], m = n + |offset|, with v[k] at (k + max(−offset, 0), k + max(offset, 0)). */
function diagMatrixRef(v: F64, offset: number): F64 {
  const n = v.v.length;
  const m = n + Math.abs(offset);
  const y = f64([m, m], new Float64Array(m * m));
  for (let k = 0; k < n; k++) y.v[(k + Math.max(-offset, 0)) * m + k + Math.max(offset, 0)] = v.v[k];
  return y;
}

describe.each(BACKENDS)('diagonals on %s', (backend) => {
  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  describe('diagonal', () => {
    it.each([
      [[5, 5], 0, 0, 1], [[5, 5], 2, 0, 1], [[5, 5], -3, 0, 1], [[5, 5], 7, 0, 1], [[5, 5], -5, 0, 1],
      [[3, 7], 0, 0, 1], [[3, 7], 4, 0, 1], [[3, 7], -1, 0, 1], [[7, 3], 0, 0, 1], [[7, 3], -4, 0, 1],
      [[1, 1], 0, 0, 1], [[13, 31], 5, 1, 0], [[2, 4, 6], 0, 1, 2], [[2, 4, 6], -1, 1, 2], [[4, 3, 5], 1, 2, 0],
      [[2, 3, 4], 0, -1, -3], [[3, 2, 5, 3], 0, 0, 3], [[0, 3], 0, 0, 1], [[4, 0, 2], 0, 0, 1],
    ])('of %j at offset %i between axes %i and %i matches torch.diagonal, in every dtype', async (shape, offset, axis1, axis2) => {
      for (const dtype of tm.DTYPES) {
        const { x, t } = make(shape, dtype);
        const y = tm.diagonal(t, { offset, axis1, axis2 });
        const want = diagonalRef(x, offset, axis1, axis2).y;
        expect([y.shape, y.dtype]).toEqual([want.shape, dtype]);
        expectExact(await y.data(), want.v, `diagonal ${dtype}`);
      }
    });

    it('defaults to the main diagonal of the first two axes; a method too', async () => {
      const { x, t } = make([4, 6, 3]);
      expectExact(await t.diagonal().data(), diagonalRef(x, 0, 0, 1).y.v);
      expectExact(await t.diagonal({ offset: 1, axis2: 2 }).data(), diagonalRef(x, 1, 0, 2).y.v);
    });

    it.each([[[7, 7], 0, 0, 1], [[13, 5], -2, 0, 1], [[3, 4, 5], 1, 2, 1], [[6, 2, 6], 0, 0, 2]])('its gradient, of %j at offset %i between axes %i and %i, is dy on the diagonal and 0 elsewhere', async (shape, offset, axis1, axis2) => {
      const { x, t } = make(shape);
      t.requiresGrad = true;
      const { y, from } = diagonalRef(x, offset, axis1, axis2);
      const r = uniform(y.v.length);
      tm.tidy(() => t.diagonal({ offset, axis1, axis2 }).mul(tm.tensor(r, y.shape)).sum()).backward();
      const want = new Float64Array(x.v.length);
      from.forEach((i, o) => (want[i] += r[o]));
      expectExact(await t.grad!.data(), Float32Array.from(want));
    });

    it('refuses a vector, one axis twice, a bad offset and unknown options', () => {
      const t = tm.zeros([2, 3]);
      expect(() => tm.diagonal(tm.zeros([3]))).toThrow(new tm.ShapeError('diagonal: x must have two axes or more to take a diagonal of, got [3]'));
      expect(() => t.diagonal({ axis1: 1, axis2: -1 })).toThrow(new tm.ShapeError('diagonal: axis1 1 and axis2 -1 are the same axis of [2,3]'));
      expect(() => t.diagonal({ axis1: 2 })).toThrow('diagonal: axis 2 is out of range for a tensor of rank 2');
      expect(() => t.diagonal({ offset: 0.5 })).toThrow(new tm.ValueError('diagonal: offset must be an integer, got 0.5'));
      expect(() => t.diagonal({ dim1: 0 } as tm.DiagonalOptions)).toThrow('diagonal: unknown option "dim1"; the options are offset, axis1, axis2');
    });
  });

  describe('diag', () => {
    it.each([[[7], 0], [[7], 2], [[7], -3], [[1], 0], [[13], 1], [[0], 2]])('of a vector %j at offset %i is the matrix with it on that diagonal, in every dtype', async (shape, offset) => {
      for (const dtype of tm.DTYPES) {
        const { x, t } = make(shape, dtype);
        const y = t.diag(offset);
        const want = diagMatrixRef(x, offset);
        expect([y.shape, y.dtype]).toEqual([want.shape, dtype]);
        expectExact(await y.data(), want.v, `diag ${dtype}`);
      }
    });

    it.each([[[5, 5], 0], [[3, 7], 2], [[7, 3], -1], [[4, 4], 9]])('of a matrix %j at offset %i is its diagonal', async (shape, offset) => {
      const { x, t } = make(shape);
      expectExact(await tm.diag(t, offset).data(), diagonalRef(x, offset, 0, 1).y.v);
    });

    it('round trips: diag(diag(v)) is v; the gradient of a vector\'s diag is dy\'s diagonal', async () => {
      const { x, t } = make([9]);
      expectExact(await t.diag(-2).diag(-2).data(), x.v);
      t.requiresGrad = true;
      const r = uniform(121);
      tm.tidy(() => t.diag(2).mul(tm.tensor(r, [11, 11])).sum()).backward();
      expectExact(await t.grad!.data(), Float32Array.from({ length: 9 }, (_, k) => r[k * 11 + k + 2]));
    });

    it('refuses other ranks and a bad offset', () => {
      expect(() => tm.diag(tm.zeros([2, 2, 2]))).toThrow(new tm.ShapeError('diag: x must be a vector (to put on a diagonal) or a matrix (to take one from), got [2,2,2]'));
      expect(() => tm.diag(tm.scalar(1))).toThrow('diag: x must be a vector (to put on a diagonal) or a matrix (to take one from), got []');
      expect(() => tm.diag(tm.zeros([3]), 1.5)).toThrow(new tm.ValueError('diag: offset must be an integer, got 1.5'));
    });
  });

  describe('diagEmbed', () => {
    it.each([[[2, 7], 0], [[3, 5], 2], [[4, 1, 3], -1], [[6], 0], [[2, 0], 1]])('of %j at offset %i puts each last-axis vector on that diagonal of a matrix, in every dtype', async (shape, offset) => {
      for (const dtype of tm.DTYPES) {
        const { x, t } = make(shape, dtype);
        const y = tm.diagEmbed(t, { offset });
        const n = shape.at(-1)!;
        const m = n + Math.abs(offset);
        const batch = x.v.length / Math.max(n, 1);
        expect([y.shape, y.dtype]).toEqual([[...shape.slice(0, -1), m, m], dtype]);
        const want = new Float64Array(y.size);
        for (let b = 0; b < (n === 0 ? 0 : batch); b++) want.set(diagMatrixRef(f64([n], x.v.subarray(b * n, b * n + n)), offset).v, b * m * m);
        expectExact(await y.data(), want, `diagEmbed ${dtype}`);
      }
    });

    it('puts the matrices on the axes asked, and diagonal with the same options reads the vectors back; the gradient is dy\'s diagonals', async () => {
      const { x, t } = make([3, 4]);
      const y = tm.diagEmbed(t, { offset: 1, axis1: 0, axis2: 2 });
      expect(y.shape).toEqual([5, 3, 5]);
      expectExact(await tm.diagonal(y, { offset: 1, axis1: 0, axis2: 2 }).data(), x.v);
      t.requiresGrad = true;
      const r = uniform(3 * 4 * 4);
      tm.tidy(() => tm.diagEmbed(t).mul(tm.tensor(r, [3, 4, 4])).sum()).backward();
      expectExact(await t.grad!.data(), Float32Array.from({ length: 12 }, (_, i) => r[Math.floor(i / 4) * 16 + (i % 4) * 5]));
      expect(() => tm.diagEmbed(tm.scalar(1))).toThrow(new tm.ShapeError('diagEmbed: x is a scalar: it needs a last axis to put on a diagonal'));
      expect(() => tm.diagEmbed(t, { axis1: 1, axis2: -2 })).toThrow(new tm.ShapeError('diagEmbed: axis1 1 and axis2 -2 are the same axis of the result (rank 3)'));
    });
  });

  describe('trace and outer', () => {
    it.each([[[7, 7]], [[3, 5]], [[5, 3]], [[1, 1]], [[0, 4]]])('trace of %j sums the main diagonal (ints in i32); its gradient is the identity\'s pattern', async (shape) => {
      for (const dtype of ['f32', 'i8', 'i32'] as const) {
        const { x, t } = make(shape, dtype === 'i32' ? 'i8' : dtype);
        const y = (dtype === 'i32' ? t.cast('i32') : t).trace();
        const diagonalSum = diagonalRef(x, 0, 0, 1).y.v.reduce((s, v) => s + v, 0);
        expect([y.shape, y.dtype]).toEqual([[], dtype === 'f32' ? 'f32' : 'i32']);
        expectClose([await y.item()], [diagonalSum], dtype === 'f32' ? TOL.f32 : 0, `trace ${dtype}`, [x.v.reduce((s, v) => s + Math.abs(v), 0)]);
      }
      const { t } = make(shape);
      t.requiresGrad = true;
      t.trace().backward();
      expectExact(await t.grad!.data(), Array.from({ length: size(shape) }, (_, i) => (Math.floor(i / shape[1]) === i % shape[1] ? 1 : 0)));
    });

    it.each([[[7], [13]], [[1], [5]], [[4], [1]], [[0], [3]]])('outer of %j and %j is a[i]·b[j], in every dtype; gradients Σ r·b and Σ r·a', async (sa, sb) => {
      for (const dtype of tm.DTYPES.filter((d) => d !== 'i8')) {
        const small = dtype === 'f32' ? 'f32' : 'i8'; // products an i32 holds, and f16 up to its rounding
        const a = make(sa, small);
        const b = make(sb, small);
        const y = tm.outer(a.t.cast(dtype), b.t.cast(dtype));
        const want = Float64Array.from({ length: sa[0] * sb[0] }, (_, o) => a.x.v[Math.floor(o / sb[0])] * b.x.v[o % sb[0]]);
        expect([y.shape, y.dtype]).toEqual([[sa[0], sb[0]], dtype]);
        expectClose(await y.data(), want, TOL[dtype], `outer ${dtype}`);
      }
      const a = make(sa);
      const b = make(sb);
      a.t.requiresGrad = b.t.requiresGrad = true;
      const r = uniform(sa[0] * sb[0]);
      tm.tidy(() => a.t.outer(b.t).mul(tm.tensor(r, [sa[0], sb[0]])).sum()).backward();
      const da = Float64Array.from({ length: sa[0] }, (_, i) => b.x.v.reduce((s, bj, j) => s + r[i * sb[0] + j] * bj, 0));
      const db = Float64Array.from({ length: sb[0] }, (_, j) => a.x.v.reduce((s, ai, i) => s + r[i * sb[0] + j] * ai, 0));
      const scale = (v: Float64Array, w: Float64Array, byRow: boolean) => v.map((_, i) => w.reduce((s, x, j) => s + Math.abs(x * r[byRow ? i * sb[0] + j : j * sb[0] + i]), 0));
      expectClose(await a.t.grad!.data(), da, TOL.f32, 'da', scale(da, b.x.v, true));
      expectClose(await b.t.grad!.data(), db, TOL.f32, 'db', scale(db, a.x.v, false));
    });

    it('refuse anything but a matrix (trace) and vectors (outer)', () => {
      expect(() => tm.trace(tm.zeros([2, 2, 2]))).toThrow(new tm.ShapeError('trace: x must be a matrix, got [2,2,2]'));
      expect(() => tm.outer(tm.zeros([2, 2]), tm.zeros([3]))).toThrow(new tm.ShapeError('outer: a and b must be vectors, got [2,2] and [3]'));
      expect(() => tm.outer(tm.zeros([2]), 3 as unknown as tm.Tensor)).toThrow('outer: b must be a Tensor, got number');
    });
  });

  it('diagflat puts x flattened on a diagonal of a square matrix of zeros, as diag of the flat vector; its gradient reads the diagonal back', async () => {
    for (const offset of [0, 2, -1]) {
      const x = tm.tensor([[1, 2], [3, 4], [5, 6]]);
      const y = tm.diagflat(x, offset);
      const m = 6 + Math.abs(offset);
      expect(y.shape).toEqual([m, m]);
      const want = new Float64Array(m * m);
      for (let k = 0; k < 6; k++) want[(k + Math.max(-offset, 0)) * m + k + Math.max(offset, 0)] = k + 1;
      expectExact(await y.data(), want, `diagflat offset ${offset}`);
    }
    const x = tm.tensor([[1, 2], [3, 4]]);
    x.requiresGrad = true;
    tm.tidy(() => tm.diagflat(x, 1).mul(tm.arange(0, 25).reshape([5, 5])).sum()).backward();
    expect(await x.grad!.array()).toEqual([[1, 7], [13, 19]]);
    expect(() => tm.diagflat(x, 0.5)).toThrow('diagflat: offset must be an integer, got 0.5');
  });

  it('leave nothing behind but their results, gradients included', async () => {
    const { t: m } = make([5, 7]);
    const { t: v } = make([6]);
    const { t: w } = make([4]);
    const { t: s } = make([5, 5]);
    const run = () => [m.diagonal({ offset: 1 }), m.diag(-1), v.diag(2), s.trace(), v.outer(w)];
    const before = tm.memory();
    const ys = run();
    expect(tm.memory().numTensors).toBe(before.numTensors + ys.length);
    for (const y of ys) y.dispose();
    expect(tm.memory()).toEqual(before);
    for (const t of [m, v, w, s]) t.requiresGrad = true;
    const loss = tm.tidy(() => run().reduce((total, y) => total.add(y.sum()), tm.scalar(0)));
    loss.backward();
    loss.dispose();
    for (const t of [m, v, w, s]) {
      t.grad!.dispose();
      t.grad = null;
    }
    expect(tm.memory()).toEqual(before);
  });
});
