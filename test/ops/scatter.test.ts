// indexAdd, scatterAdd and scatter (PyTorch's index_add, scatter_add and
// scatter) on every backend against float64 references written here (plain
// loops over multi-indices): odd sizes, indices longer or shorter than x's
// axis, src larger than the indices, negative axes and indices, i8 indices,
// repeated targets (added up); scatter in every dtype, bit for bit;
// gradients to x and to the values written; bad input refused by name, x
// left as it was.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { asF32, exactValues, expectClose, expectExact, randomInts, uniform } from '../helpers/data.js';
import { f64, ravel, size, unravel, type F64 } from '../helpers/float64.js';

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

/** Random indices into an axis of n (negative ones too) in `shape`: repeats likely. */
const anyIndices = (shape: number[], n: number) => f64(shape, randomInts(size(shape), -n, n - 1));

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
    ])('x %j, indices %j, src %j, along %i: torch.scatter_add, repeats added, in f32 and f16, with i32 and i8 indices', async (xShape, iShape, sShape, axis) => {
      const a = mod(axis, xShape.length);
      const indices = anyIndices(iShape, xShape[a]);
      for (const dtype of ['f32', 'f16'] as const) {
        // f16 sums of small integers are exact, whatever order a GPU adds them in.
        const x = f64(xShape, dtype === 'f32' ? asF32(uniform(size(xShape))) : randomInts(size(xShape), -8, 8));
        const src = f64(sShape, dtype === 'f32' ? asF32(uniform(size(sShape))) : randomInts(size(sShape), -8, 8));
        for (const indexType of xShape[a] <= 128 ? (['i32', 'i8'] as const) : (['i32'] as const)) {
          const t = tm.tensor(x.v, xShape, { dtype });
          const y = tm.scatterAdd(t, tm.tensor(indices.v, iShape, { dtype: indexType }), tm.tensor(src.v, sShape, { dtype }), axis);
          expect([y.shape, y.dtype]).toEqual([xShape, dtype]);
          expectClose(await y.data(), scatterAddRef(x, indices, src, a).v, dtype === 'f32' ? 1e-5 : 0, `scatterAdd ${dtype}, ${indexType} indices`);
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
    ])('x %j, indices %j along %i: torch.index_add (source shaped as gather gives), repeats added, in f32 and f16, with i32 and i8 indices', async (xShape, iShape, axis) => {
      const a = mod(axis, xShape.length);
      const indices = anyIndices(iShape, xShape[a]);
      const sShape = [...xShape.slice(0, a), ...iShape, ...xShape.slice(a + 1)];
      for (const dtype of ['f32', 'f16'] as const) {
        const x = f64(xShape, dtype === 'f32' ? asF32(uniform(size(xShape))) : randomInts(size(xShape), -8, 8));
        const source = f64(sShape, dtype === 'f32' ? asF32(uniform(size(sShape))) : randomInts(size(sShape), -8, 8));
        for (const indexType of xShape[a] <= 128 ? (['i32', 'i8'] as const) : (['i32'] as const)) {
          const t = tm.tensor(x.v, xShape, { dtype });
          const y = tm.indexAdd(t, tm.tensor(indices.v, iShape, { dtype: indexType }), tm.tensor(source.v, sShape, { dtype }), axis);
          expect([y.shape, y.dtype]).toEqual([xShape, dtype]);
          expectClose(await y.data(), indexAddRef(x, indices, source, a).v, dtype === 'f32' ? 1e-5 : 0, `indexAdd ${dtype}, ${indexType} indices`);
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

  it('each keeps only its result: what it makes on the way is freed, and a refused call leaves nothing', () => {
    const x = tm.zeros([5, 6]);
    const indices = tm.tensor(new Int32Array([4, 0, 2, 1, 3, 0]), [1, 6]);
    const rows = tm.tensor(new Int32Array([1, 1]), [2]);
    const src = tm.ones([2, 6]);
    const calls = [() => tm.scatterAdd(x, indices, src, 0), () => tm.scatter(x, indices, src, 0), () => tm.scatter(x, indices, 3, 0), () => tm.indexAdd(x, rows, src, 0)];
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
    it('is refused by name: integer x where values are added, float indices, a dtype that differs, shapes that do not fit, a scalar, a bad axis, and (where the indices can be read at once) an index outside the axis', async () => {
      const x = tm.zeros([2, 3]);
      const i = (values: number[], shape: number[]) => tm.tensor(new Int32Array(values), shape);
      expect(() => tm.scatterAdd(tm.zeros([2, 3], { dtype: 'i32' }), i([0], [1, 1]), tm.zeros([1, 1], { dtype: 'i32' }), 0)).toThrow(
        new tm.DTypeError("scatterAdd: x is i32; adds into f32 and f16 only (cast first: x.cast('f32'))"),
      );
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
      expect(await x.array()).toEqual([[0, 0, 0], [0, 0, 0]]);
    });
  });
});
