// ONNX's Hardmax, Det and ReverseSequence (src/onnx/ops/misc.ts) on every
// backend, against float64 loops of ONNX's definitions at odd shapes:
// Hardmax along an axis (opset 13) and over the matrix its input is
// coerced to before, ties going to the first maximum; Det of batched
// matrices, within a bound on LU's rounding, and its gradient against
// central differences; ReverseSequence with either axis order, lengths fed
// on the device or written as constants, integers too, and its gradient
// (the same index map read backwards); each beside onnxruntime-web.
import * as ort from 'onnxruntime-web';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../../src/index.js';
import { BACKENDS } from '../../helpers/backends.js';
import { asF32, expectClose, expectExact, randomInts, SEED, uniform } from '../../helpers/data.js';
import { centralDifferences, f64, ravel, size, unravel, type F64 } from '../../helpers/float64.js';
import type { AttributeSpec } from '../../helpers/onnx.js';
import { runWithGrad } from '../../helpers/onnx_grad.js';
import { feed, opModel, run1, type Feed } from '../../helpers/onnx_run.js';
import { ortRun } from '../../helpers/ort.js';

const floats = (shape: number[], lo = -2, hi = 2): F64 => f64(shape, asF32(uniform(size(shape), lo, hi)));
const numbers = (t: ort.Tensor): number[] => Array.from(t.data as ArrayLike<number | bigint>, Number);
const ortFloat = (a: F64) => new ort.Tensor('float32', Float32Array.from(a.v), a.shape);
const ortInt64 = (values: ArrayLike<number>, shape: readonly number[]) => new ort.Tensor('int64', BigInt64Array.from(Array.from(values), (v) => BigInt(v)), [...shape]);

/** 1 at the first largest entry along `axis`, 0 elsewhere. */
function hardmaxRef(x: F64, axis: number): Float64Array {
  const y = new Float64Array(x.v.length);
  x.v.forEach((_, i) => {
    const at = unravel(i, x.shape);
    if (at[axis] !== 0) return;
    let best = 0;
    for (let k = 1; k < x.shape[axis]; k++) if (x.v[ravel(at.map((d, a) => (a === axis ? k : d)), x.shape)] > x.v[ravel(at.map((d, a) => (a === axis ? best : d)), x.shape)]) best = k;
    y[ravel(at.map((d, a) => (a === axis ? best : d)), x.shape)] = 1;
  });
  return y;
}

/** Determinants of x [..., m, m] by Gaussian elimination with partial pivoting, and Hadamard's bound ∏‖row‖ on each. */
function detRef(x: F64): { det: Float64Array; bound: Float64Array } {
  const m = x.shape[x.shape.length - 1], count = x.v.length / (m * m);
  const det = new Float64Array(count), bound = new Float64Array(count);
  for (let b = 0; b < count; b++) {
    const a = Array.from({ length: m }, (_, r) => Array.from(x.v.subarray(b * m * m + r * m, b * m * m + (r + 1) * m)));
    bound[b] = a.reduce((p, row) => p * Math.hypot(...row), 1);
    let d = 1;
    for (let c = 0; c < m; c++) {
      const p = a.slice(c).reduce((best, row, i) => (Math.abs(row[c]) > Math.abs(a[best][c]) ? c + i : best), c);
      if (p !== c) [a[p], a[c], d] = [a[c], a[p], -d];
      d *= a[c][c];
      if (a[c][c] === 0) break;
      for (let r = c + 1; r < m; r++) {
        const f = a[r][c] / a[c][c];
        for (let k = c; k < m; k++) a[r][k] -= f * a[c][k];
      }
    }
    det[b] = d;
  }
  return { det, bound };
}

/** ReverseSequence: the input index each output entry reads. */
function reverseSources(shape: number[], lens: ArrayLike<number>, batchAxis: number, timeAxis: number): number[] {
  return Array.from({ length: size(shape) }, (_, o) => {
    const at = unravel(o, shape);
    const len = lens[at[batchAxis]], t = at[timeAxis];
    return ravel(at.map((d, a) => (a === timeAxis && t < len ? len - 1 - t : d)), shape);
  });
}

async function besideOrt(op: string, inputs: Feed[], ortFeeds: Record<string, ort.Tensor>, attrs: Record<string, AttributeSpec>, opset: number, check: (got: Float64Array, want: number[]) => void): Promise<void> {
  const bytes = opModel(op, inputs, attrs, { opset, outputTypes: [inputs[0].type ?? 'float'] });
  const want = (await ortRun(bytes, ortFeeds)).y0;
  const got = await run1(op, inputs, attrs, { opset });
  expect(got.shape, `${op} beside onnxruntime`).toEqual([...want.dims]);
  check(got.v, numbers(want));
}

describe.each(BACKENDS)('ONNX Hardmax, Det and ReverseSequence on %s', (backend) => {
  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  afterAll(async () => {
    await tm.init({ backend: 'js' });
  });

  describe('Hardmax', () => {
    it.each([
      { shape: [3, 4, 5], axis: undefined },
      { shape: [3, 4, 5], axis: 1 },
      { shape: [7, 3], axis: 0 },
      { shape: [2, 3, 1, 5], axis: -2 },
    ])('marks the first largest entry along axis $axis of $shape (opset 13)', async ({ shape, axis }) => {
      const x = floats(shape);
      const attrs: Record<string, AttributeSpec> = axis === undefined ? {} : { axis };
      const y = await run1('Hardmax', [feed(x)], attrs, { opset: 13 });
      const a = axis === undefined ? shape.length - 1 : axis < 0 ? axis + shape.length : axis;
      expectExact(y.v, hardmaxRef(x, a), `Hardmax (seed ${SEED})`);
      await besideOrt('Hardmax', [feed(x)], { x0: ortFloat(x) }, attrs, 13, (got, want) => expectExact(got, want, `Hardmax beside onnxruntime (seed ${SEED})`));
    });

    it.each([
      { shape: [2, 3, 4], axis: undefined },
      { shape: [2, 3, 4], axis: 0 },
      { shape: [2, 3, 4], axis: 2 },
      { shape: [3, 2, 5], axis: -1 },
    ])('before opset 13 takes the largest of each row of $shape read as a matrix split at axis $axis', async ({ shape, axis }) => {
      const x = floats(shape);
      const attrs: Record<string, AttributeSpec> = axis === undefined ? {} : { axis };
      const a = axis === undefined ? 1 : axis < 0 ? axis + shape.length : axis;
      const rows = size(shape.slice(0, a));
      const y = await run1('Hardmax', [feed(x)], attrs, { opset: 11 });
      expect(y.shape).toEqual(shape);
      expectExact(y.v, hardmaxRef(f64([rows, size(shape) / rows], x.v), 1), `Hardmax opset 11 (seed ${SEED})`);
      await besideOrt('Hardmax', [feed(x)], { x0: ortFloat(x) }, attrs, 11, (got, want) => expectExact(got, want, `Hardmax opset 11 beside onnxruntime (seed ${SEED})`));
    });

    it('before opset 11 takes axis = rank: each entry a row of its own', async () => {
      const x = floats([2, 3]);
      expectExact((await run1('Hardmax', [feed(x)], { axis: 2 }, { opset: 10 })).v, new Float64Array(6).fill(1), `Hardmax axis = rank (seed ${SEED})`);
    });

    it('gives a tie to the first maximum, in f16 too', async () => {
      const x = f64([6, 5], randomInts(30, 0, 2));
      for (const type of ['float', 'float16'] as const) {
        const y = await run1('Hardmax', [feed(x, type)], {}, { opset: 13 });
        expectExact(y.v, hardmaxRef(x, 1), `Hardmax of ties, ${type} (seed ${SEED})`);
      }
      await besideOrt('Hardmax', [feed(x)], { x0: ortFloat(x) }, { axis: 0 }, 13, (got, want) => expectExact(got, want, `Hardmax of ties beside onnxruntime (seed ${SEED})`));
    });
  });

  describe('Det', () => {
    it.each([[[3, 3]], [[2, 4, 4]], [[2, 3, 1, 1]], [[5, 2, 2]]])('gives the determinant of each matrix of %j', async (shape) => {
      const x = floats(shape);
      const y = await run1('Det', [feed(x)], {}, { opset: 11 });
      expect(y.shape).toEqual(shape.slice(0, -2));
      // LU's rounding in f32 stays within a few n³·ε of Hadamard's bound on the determinant.
      const { det, bound } = detRef(x);
      expectClose(y.v, det, 2e-5, `Det (seed ${SEED})`, bound);
      await besideOrt('Det', [feed(x)], { x0: ortFloat(x) }, {}, 11, (got, want) => expectClose(got, want, 2e-5, `Det beside onnxruntime (seed ${SEED})`, bound));
    });

    it('carries the gradient det · A⁻ᵀ, here of well-conditioned matrices, against central differences', async () => {
      const shape = [2, 3, 3];
      // Strictly diagonally dominant (|diagonal| ≥ 5 > the row's other two, each under 2): invertible, A⁻¹ accurate in f32.
      const x = f64(shape, asF32(uniform(18).map((v, i) => (i % 9) % 4 === 0 ? v + 5 * (v < 0 ? -1 : 1) : v)));
      const r = uniform(2);
      const { y, dx } = await runWithGrad('Det', [feed(x)], {}, r, { opset: 11 });
      const { det, bound } = detRef(x);
      expectClose(y, det, 2e-5, `Det y (seed ${SEED})`, bound);
      const values = Float64Array.from(x.v);
      const want = centralDifferences(values, () => detRef(f64(shape, values)).det.reduce((s, d, b) => s + d * r[b], 0));
      expectClose(dx, want, 1e-4, `Det dx (seed ${SEED})`);
    });
  });

  describe('ReverseSequence', () => {
    it.each([
      { shape: [6, 4, 3], batchAxis: 1, timeAxis: 0, constant: false },
      { shape: [3, 7, 2, 2], batchAxis: 0, timeAxis: 1, constant: true },
      { shape: [5, 3], batchAxis: 1, timeAxis: 0, constant: true },
      { shape: [4, 5], batchAxis: 0, timeAxis: 1, constant: false },
    ])('reverses each batch entry\'s first steps of $shape (batch_axis $batchAxis, time_axis $timeAxis, lengths constant: $constant); its gradient reads them back', async ({ shape, batchAxis, timeAxis, constant }) => {
      const x = floats(shape);
      const steps = shape[timeAxis], batch = shape[batchAxis];
      const lens = randomInts(batch, 0, steps);
      lens[0] = steps;
      if (batch > 2) lens[1] = 0;
      const lensFeed: Feed = { shape: [batch], values: lens, type: 'int64', constant };
      const attrs = { batch_axis: batchAxis, time_axis: timeAxis };
      const sources = reverseSources(shape, lens, batchAxis, timeAxis);
      const r = uniform(size(shape));
      const { y, dx } = await runWithGrad('ReverseSequence', [feed(x), lensFeed], attrs, r, { opset: 10 });
      expectExact(y, sources.map((s) => x.v[s]), `ReverseSequence y (seed ${SEED})`);
      const want = new Float64Array(size(shape));
      sources.forEach((s, o) => (want[s] += r[o]));
      expectClose(dx, want, 1e-6, `ReverseSequence dx (seed ${SEED})`);
      const ortFeeds = { x0: ortFloat(x), ...(constant ? {} : { x1: ortInt64(lens, [batch]) }) };
      await besideOrt('ReverseSequence', [feed(x), lensFeed], ortFeeds, attrs, 10, (got, want) => expectExact(got, want, `ReverseSequence beside onnxruntime (seed ${SEED})`));
    });

    it('reverses integers', async () => {
      const x: Feed = { shape: [5, 3, 2], values: randomInts(30, -1000, 1000), type: 'int64' };
      const lens = [5, 2, 3];
      const y = await run1('ReverseSequence', [x, { shape: [3], values: lens, type: 'int64' }], {}, { opset: 10 });
      expectExact(y.v, reverseSources([5, 3, 2], lens, 1, 0).map((s) => x.values[s]), `ReverseSequence of int64 (seed ${SEED})`);
      await besideOrt('ReverseSequence', [x, { shape: [3], values: lens, type: 'int64' }], { x0: ortInt64(x.values, x.shape), x1: ortInt64(lens, [3]) }, {}, 10, (got, want) => expectExact(got, want, `ReverseSequence of int64 beside onnxruntime (seed ${SEED})`));
      // Both known when the model loads (initializers): reversed on the host, batch first here.
      const known = await run1('ReverseSequence', [{ ...x, constant: true }, { shape: [5], values: [2, 0, 3, 1, 3], type: 'int64', constant: true }], { batch_axis: 0, time_axis: 1 }, { opset: 10 });
      expectExact(known.v, reverseSources([5, 3, 2], [2, 0, 3, 1, 3], 0, 1).map((s) => x.values[s]), `ReverseSequence of int64 initializers (seed ${SEED})`);
    });
  });

  it('names the attribute, the input and the value it does not take', async () => {
    const refuse = async (op: string, inputs: Feed[], attrs: Record<string, AttributeSpec>, error: RegExp, opset: number) => {
      await expect(run1(op, inputs, attrs, { opset })).rejects.toThrow(error);
    };
    const x = feed(floats([3, 4, 5]));
    await refuse('Hardmax', [x], { axis: 3 }, /\(Hardmax\): axis = 3 is outside the input's 3 axes/, 13);
    await refuse('Hardmax', [x], { axis: 3 }, /axis = 3 is outside the input's 3 axes/, 11);
    await refuse('Hardmax', [x], { axis: 4 }, /axis = 4 is outside the input's 3 axes/, 10);
    await refuse('Det', [x], {}, /\(Det\): input is \[3, 4, 5\]; it must be square matrices \[\.\.\., M, M\]/, 11);
    const lens = (values: number[]): Feed => ({ shape: [values.length], values, type: 'int64', constant: true });
    await refuse('ReverseSequence', [x, lens([1, 2, 3, 4])], { batch_axis: 2 }, /batch_axis = 2 and time_axis = 0 must be 1 and 0, or 0 and 1/, 10);
    await refuse('ReverseSequence', [x, lens([1, 2, 3])], {}, /sequence_lens \(input 1\) is \[3\]; it must be integers \[4\], one per batch entry/, 10);
    await refuse('ReverseSequence', [x, lens([1, 2, 4, 3])], {}, /sequence_lens holds 4, outside \[0, 3\] \(the time axis's length\)/, 10);
  });
});
