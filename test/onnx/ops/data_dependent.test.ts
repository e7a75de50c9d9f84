// ONNX's ops whose output shapes depend on their inputs' values
// (src/onnx/ops/data_dependent.ts) on every backend: NonZero, Compress and
// Unique against plain JS loops, at odd shapes, run with runAsync (which reads
// a device input back) and, where the values are constants, synchronously; the
// synchronous run refusing device values with a message naming runAsync;
// onnxruntime-web agreeing on NonZero's and Unique's layouts.
import * as ort from 'onnxruntime-web';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../../src/index.js';
import { BACKENDS } from '../../helpers/backends.js';
import { expectClose, expectExact, randomInts, SEED, uniform } from '../../helpers/data.js';
import { f64, size, type F64 } from '../../helpers/float64.js';
import { opModel, runOp, type Feed } from '../../helpers/onnx_run.js';
import { ortRun } from '../../helpers/ort.js';

/** Floats of which about half are exactly zero. */
function sparse(shape: number[]): F64 {
  const v = uniform(size(shape));
  return f64(shape, v.map((x) => (x < 0 ? 0 : x)));
}

/** NonZero in float64: [rank, count], each column one non-zero element's index, row-major order (a scalar as rank 1). */
function nonZeroRef(x: F64): F64 {
  const shape = x.shape.length ? x.shape : [1];
  const cols: number[][] = [];
  for (let flat = 0; flat < x.v.length; flat++) {
    if (x.v[flat] === 0) continue;
    const index: number[] = [];
    let rest = flat;
    for (let d = shape.length - 1; d >= 0; d--) {
      index.unshift(rest % shape[d]);
      rest = Math.floor(rest / shape[d]);
    }
    cols.push(index);
  }
  const out: number[] = [];
  for (let r = 0; r < shape.length; r++) for (const c of cols) out.push(c[r]);
  return f64([shape.length, cols.length], out);
}

/** Unique in float64, by sorting or first appearance, over elements (no axis) or slices along axis 0 of a rank-2 array. */
function uniqueRef(x: F64, sorted: boolean, axis0: boolean): { y: F64; first: number[]; inverse: number[]; counts: number[] } {
  const units = axis0 ? Array.from({ length: x.shape[0] }, (_, k) => Array.from(x.v.slice(k * x.shape[1], (k + 1) * x.shape[1]))) : Array.from(x.v, (v) => [v]);
  const distinct: number[] = [];
  units.forEach((u, k) => {
    if (!distinct.some((j) => units[j].every((v, i) => v === u[i]))) distinct.push(k);
  });
  if (sorted) {
    distinct.sort((a, b) => {
      for (let i = 0; i < units[a].length; i++) if (units[a][i] !== units[b][i]) return units[a][i] - units[b][i];
      return 0;
    });
  }
  const same = (a: number[], b: number[]) => a.every((v, i) => v === b[i]);
  const inverse = units.map((u) => distinct.findIndex((j) => same(units[j], u)));
  const counts = distinct.map((_, r) => inverse.filter((i) => i === r).length);
  const y = axis0 ? f64([distinct.length, x.shape[1]], distinct.flatMap((j) => units[j])) : f64([distinct.length], distinct.map((j) => units[j][0]));
  return { y, first: distinct, inverse, counts };
}

const numbers = (t: ort.Tensor): number[] => Array.from(t.data as ArrayLike<number | bigint>, Number);

describe.each(BACKENDS)('tm.onnx data-dependent ops on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  describe('NonZero', () => {
    it.each([[[7]], [[3, 5]], [[2, 3, 4]], [[1, 1, 9]], [[]]])('finds the non-zero elements of a device input of shape %j (runAsync)', async (shape) => {
      const x = sparse(shape);
      const [y] = await runOp('NonZero', [{ shape, values: x.v }], {}, { mode: 'async' });
      const want = nonZeroRef(x);
      expect(y.shape).toEqual(want.shape);
      expectExact(y.v, want.v, `NonZero of [${shape}] (seed ${SEED})`);
    });

    it('gives [rank, 0] for an all-zero input, and reads int64 inputs', async () => {
      const [empty] = await runOp('NonZero', [{ shape: [4, 3], values: new Float64Array(12) }], {}, { mode: 'async' });
      expect(empty.shape).toEqual([2, 0]);
      const x = f64([5, 2], randomInts(10, -1, 2));
      const [y] = await runOp('NonZero', [{ shape: [5, 2], values: x.v, type: 'int64' }], {}, { mode: 'async' });
      const want = nonZeroRef(x);
      expect(y.shape).toEqual(want.shape);
      expectExact(y.v, want.v, `NonZero of int64s (seed ${SEED})`);
    });

    it('runs synchronously on a constant input, and refuses a device one there, naming runAsync', async () => {
      const x = f64([3, 4], randomInts(12, 0, 2));
      const [y] = await runOp('NonZero', [{ shape: [3, 4], values: x.v, type: 'int64', constant: true }]);
      expectExact(y.v, nonZeroRef(x).v, 'NonZero of a constant');
      await expect(runOp('NonZero', [{ shape: [3, 4], values: x.v }])).rejects.toThrow(/\(NonZero\): its output's shape \(how many elements are non-zero\) depends on the values of x0, which is computed on the device; .*model\.runAsync \(or forwardAsync\)/);
    });

    it('agrees with onnxruntime, a scalar included', async () => {
      for (const shape of [[2, 3, 4], []]) {
        const x = sparse(shape);
        const bytes = opModel('NonZero', [{ shape, values: x.v }], {}, { outputTypes: ['int64'] });
        const want = await ortRun(bytes, { x0: new ort.Tensor('float32', Float32Array.from(x.v), shape) });
        const [y] = await runOp('NonZero', [{ shape, values: x.v }], {}, { mode: 'async' });
        expect(y.shape).toEqual(want.y0.dims);
        expectExact(y.v, numbers(want.y0), `NonZero of [${shape}] vs onnxruntime (seed ${SEED})`);
      }
    });
  });

  describe('Compress', () => {
    const condition = (n: number): Feed => ({ shape: [n], values: randomInts(n, 0, 1), type: 'bool' });

    it.each([[undefined, [11]], [undefined, [3, 4]], [0, [5, 3]], [1, [2, 7, 3]], [-1, [3, 6]]] as const)('keeps the entries its condition picks (axis %s, x %j), the condition on the device (runAsync)', async (axis, shape) => {
      const x = f64([...shape], uniform(size([...shape])));
      const n = axis === undefined ? size([...shape]) : shape[axis < 0 ? axis + shape.length : axis];
      for (const length of [n, n - 1]) {
        const c = condition(length);
        const [y] = await runOp('Compress', [{ shape: x.shape, values: x.v }, c], axis === undefined ? {} : { axis }, { mode: 'async' });
        // float64: the positions kept along the axis (or of the flattened input).
        const kept = Array.from(c.values).flatMap((v, i) => (v ? [i] : []));
        if (axis === undefined) {
          expectClose(y.v, kept.map((i) => x.v[i]), 1e-6, `Compress of [${shape}] (seed ${SEED})`);
          continue;
        }
        const a = axis < 0 ? axis + shape.length : axis;
        const outer = size(shape.slice(0, a)), inner = size(shape.slice(a + 1));
        const want: number[] = [];
        for (let o = 0; o < outer; o++) for (const k of kept) for (let i = 0; i < inner; i++) want.push(x.v[(o * shape[a] + k) * inner + i]);
        expect(y.shape).toEqual(shape.map((d, i) => (i === a ? kept.length : d)));
        expectClose(y.v, want, 1e-6, `Compress of [${shape}] along ${axis} (seed ${SEED})`);
      }
    });

    it('runs synchronously with a constant condition, and passes the gradient to the data', async () => {
      const model = tm.onnx.fromBytes(opModel('Compress', [{ shape: [4, 3], values: new Float64Array(12) }, { shape: [3], values: [1, 0, 1], type: 'bool', constant: true }], { axis: 1 }));
      const xv = uniform(12);
      const x = tm.tensor(Array.from(xv), [4, 3]);
      x.requiresGrad = true;
      const y = model.forward(x);
      expect(y.shape).toEqual([4, 2]);
      const loss = tm.sum(y);
      loss.backward();
      expectExact(await x.grad!.data(), Array.from({ length: 12 }, (_, i) => (i % 3 === 1 ? 0 : 1)), 'd sum(y)/dx');
      for (const t of [x, y, loss, x.grad!]) t.dispose();
      model.dispose();
    });

    it('refuses a condition longer than its axis', async () => {
      await expect(runOp('Compress', [{ shape: [2, 3], values: uniform(6) }, { shape: [4], values: [1, 0, 1, 1], type: 'bool', constant: true }], { axis: 1 })).rejects.toThrow(/\(Compress\): its condition has 4 entries, more than the 3 entries of its input's axis 1/);
    });
  });

  describe('Unique', () => {
    // Few distinct values, so repeats are common.
    const repeated = (shape: number[]) => f64(shape, randomInts(size(shape), -3, 4));

    it.each([[1, [13]], [0, [13]], [1, [3, 5]], [0, [2, 2, 3]]] as const)('gives the distinct elements, their first indices, the inverse and counts (sorted %i, x %j)', async (sorted, shape) => {
      const x = repeated([...shape]);
      const got = await runOp('Unique', [{ shape: x.shape, values: x.v }], { sorted }, { mode: 'async', outputs: 4 });
      const want = uniqueRef(x, sorted === 1, false);
      expectExact(got[0].v, want.y.v, `Y (seed ${SEED})`);
      expectExact(got[1].v, want.first, 'indices');
      expectExact(got[2].v, want.inverse, 'inverse_indices');
      expectExact(got[3].v, want.counts, 'counts');
    });

    it.each([1, 0])('finds distinct rows along axis 0 (sorted %i)', async (sorted) => {
      // Rows drawn from three, so some repeat.
      const pool = [uniform(4), uniform(4), uniform(4)];
      const picks = Array.from(randomInts(9, 0, 2));
      const x = f64([9, 4], picks.flatMap((p) => Array.from(pool[p])));
      const got = await runOp('Unique', [{ shape: x.shape, values: x.v }], { sorted, axis: 0 }, { mode: 'async', outputs: 4 });
      const want = uniqueRef(f64(x.shape, x.v.map(Math.fround)), sorted === 1, true);
      expect(got[0].shape).toEqual(want.y.shape);
      expectClose(got[0].v, want.y.v, 1e-6, `Y (seed ${SEED})`);
      expectExact(got[1].v, want.first, 'indices');
      expectExact(got[2].v, want.inverse, 'inverse_indices');
      expectExact(got[3].v, want.counts, 'counts');
    });

    it('agrees with onnxruntime', async () => {
      const x = repeated([4, 5]);
      const bytes = opModel('Unique', [{ shape: x.shape, values: x.v }], { sorted: 1 }, { outputs: 4, outputTypes: ['float', 'int64', 'int64', 'int64'] });
      const want = await ortRun(bytes, { x0: new ort.Tensor('float32', Float32Array.from(x.v), x.shape) });
      const got = await runOp('Unique', [{ shape: x.shape, values: x.v }], { sorted: 1 }, { mode: 'async', outputs: 4 });
      ['y0', 'y1', 'y2', 'y3'].forEach((name, k) => expectExact(got[k].v, numbers(want[name]), `${name} vs onnxruntime`));
    });

    it('refuses a device input in the synchronous run', async () => {
      await expect(runOp('Unique', [{ shape: [5], values: uniform(5) }], {}, { outputs: 4 })).rejects.toThrow(/\(Unique\): .*runAsync/);
    });
  });
});
