// ONNX's reductions (src/onnx/ops/reduce.ts) as one-op models on every
// backend, against float64 loops written here: Reduce* with axes as an
// attribute and as an input (ReduceSum from opset 13, the rest from 18),
// keepdims, noop_with_empty_axes, the host path for shape arithmetic; ArgMax
// and ArgMin with select_last_index; TopK; CumSum's and CumProd's exclusive
// and reverse (CumProd beside onnxruntime-web too);
// Softmax before opset 13 (over the input flattened at axis) and from 13.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../../src/index.js';
import { BACKENDS } from '../../helpers/backends.js';
import { asF32, expectClose, expectExact, randomInts, uniform } from '../../helpers/data.js';
import { f64, ravel, reduceAxes, size, softmaxRef, unravel, type F64 } from '../../helpers/float64.js';
import { ortNode } from '../../helpers/onnx_microsoft.js';
import { feed, ints, run1, runOp } from '../../helpers/onnx_run.js';

const rand = (shape: number[], lo = -2, hi = 2): F64 => f64(shape, asF32(uniform(size(shape), lo, hi)));

function expectF64(got: F64, want: F64, tol: number, what: string): void {
  expect(got.shape, `${what} shape`).toEqual(want.shape);
  expectClose(got.v, want.v, tol, what);
}

/** A reduction as init, step and finish over each group of elements. */
type Reducer = [init: number, step: (acc: number, x: number) => number, finish?: (acc: number, n: number) => number];
const REDUCERS: Record<string, Reducer> = {
  ReduceSum: [0, (a, x) => a + x],
  ReduceMean: [0, (a, x) => a + x, (a, n) => a / n],
  ReduceMax: [-Infinity, Math.max],
  ReduceMin: [Infinity, Math.min],
  ReduceProd: [1, (a, x) => a * x],
  ReduceL1: [0, (a, x) => a + Math.abs(x)],
  ReduceL2: [0, (a, x) => a + x * x, Math.sqrt],
  ReduceSumSquare: [0, (a, x) => a + x * x],
  ReduceLogSumExp: [0, (a, x) => a + Math.exp(x), Math.log],
  ReduceLogSum: [0, (a, x) => a + x, Math.log],
};

function reduceRef(op: string, x: F64, axes: number[] | undefined, keepDims: boolean): F64 {
  const [init, step, finish] = REDUCERS[op];
  const all = (axes ?? x.shape.map((_, i) => i)).map((a) => (a < 0 ? a + x.shape.length : a));
  const r = reduceAxes(x, all, init, step, keepDims);
  const n = all.reduce((p, a) => p * x.shape[a], 1);
  return finish ? { shape: r.shape, v: r.v.map((v) => finish(v, n)) } : r;
}

/** Positions along `axis` of each line, as a list of flat indices per line (in the order of the output with that axis kept at 1). */
function lines(shape: number[], axis: number): number[][] {
  const outer = shape.map((d, i) => (i === axis ? 1 : d));
  return Array.from({ length: size(outer) }, (_, o) => {
    const index = unravel(o, outer);
    return Array.from({ length: shape[axis] }, (_, j) => ravel(index.map((v, i) => (i === axis ? j : v)), shape));
  });
}

describe.each(BACKENDS)('tm.onnx reductions on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it('Reduce*: axes as attribute and as input by opset, keepdims 0/1, negative axes, all axes', async () => {
    for (const shape of [[7], [3, 13], [2, 3, 5]]) {
      const signed = rand(shape, -1.5, 1.5), positive = rand(shape, 0.5, 1.5);
      const rank = shape.length;
      for (const op of Object.keys(REDUCERS)) {
        const x = op === 'ReduceLogSum' ? positive : signed;
        const since = op === 'ReduceSum' ? 13 : 18;
        for (const axes of [undefined, [-1], rank > 1 ? [0, rank - 1] : [0]]) {
          for (const keepdims of [0, 1]) {
            const want = reduceRef(op, x, axes, keepdims === 1);
            const what = `${op} ${shape} axes ${axes} keepdims ${keepdims}`;
            const tol = op === 'ReduceProd' ? 1e-4 : 2e-5;
            const attrs = { keepdims, ...(axes ? { axes } : {}) };
            expectF64(await run1(op, [feed(x)], attrs, { opset: since - 1 }), want, tol, `${what} (attribute)`);
            expectF64(await run1(op, [feed(x), axes ? ints(axes) : null], { keepdims }, { opset: since }), want, tol, `${what} (input)`);
          }
        }
      }
    }
  });

  it('refuses axes given as an attribute where the opset takes them as an input', async () => {
    const x = feed(rand([3, 7]));
    await expect(run1('ReduceMean', [x], { axes: [1] }, { opset: 18 })).rejects.toThrow(/ReduceMean_0' \(ReduceMean\): axes is an attribute, but from opset 18 it is input 1 \(the model's opset is 18\)/);
    await expect(run1('ReduceSum', [x], { axes: [1] }, { opset: 13 })).rejects.toThrow(/from opset 13 it is input 1/);
    await expect(run1('Squeeze', [x], { axes: [0] }, { opset: 13 })).rejects.toThrow(/Squeeze.*from opset 13 it is input 1/);
  });

  it('noop_with_empty_axes passes the input through; host reductions of int shapes', async () => {
    const x = rand([3, 7]);
    expectF64(await run1('ReduceSum', [feed(x)], { noop_with_empty_axes: 1 }, { opset: 13 }), x, 0, 'ReduceSum noop');
    expectF64(await run1('ReduceMax', [feed(x), ints([])], { noop_with_empty_axes: 1 }, { opset: 18 }), x, 0, 'ReduceMax noop, empty axes');
    expectF64(await run1('ReduceSum', [feed(x), ints([])], {}, { opset: 13 }), reduceRef('ReduceSum', x, undefined, true), 2e-5, 'ReduceSum empty axes reduce all');
    const shape = [2, 3, 4];
    const v = Array.from(randomInts(24, -9, 9));
    const host = { shape, values: v, type: 'int64' as const, constant: true };
    const xi = f64(shape, v);
    for (const op of ['ReduceSum', 'ReduceProd', 'ReduceMax', 'ReduceMin']) {
      expectExact((await run1(op, [host], { axes: [1], keepdims: 0 }, { opset: 12 })).v, reduceRef(op, xi, [1], false).v, `host ${op}`);
    }
    expectExact((await run1('ReduceProd', [{ shape: [3], values: [2, 3, 7], type: 'int64', constant: true }], { keepdims: 0 }, { opset: 13 })).v, [42], 'host ReduceProd of a shape');
  });

  it('ArgMax and ArgMin: axis, keepdims, select_last_index with ties', async () => {
    for (const shape of [[7], [3, 13], [2, 5, 3]]) {
      // Few distinct values: ties on most lines.
      const x = f64(shape, randomInts(size(shape), 0, 3));
      for (const axis of [0, -1]) {
        const a = axis < 0 ? axis + shape.length : axis;
        for (const [op, better] of [['ArgMax', (p: number, q: number) => p > q], ['ArgMin', (p: number, q: number) => p < q]] as const) {
          for (const last of [0, 1]) {
            const want = lines(shape, a).map((line) => line.reduce((best, at, j) => {
              const v = x.v[at], b = x.v[line[best]];
              return better(v, b) || (last && v === b) ? j : best;
            }, 0));
            for (const keepdims of [0, 1]) {
              const got = await run1(op, [feed(x)], { axis, keepdims, select_last_index: last }, { opset: 13 });
              expect(got.shape).toEqual(keepdims ? shape.map((d, i) => (i === a ? 1 : d)) : shape.filter((_, i) => i !== a));
              expectExact(got.v, want, `${op} ${shape} axis ${axis} last ${last} keepdims ${keepdims}`);
            }
          }
        }
      }
    }
  });

  it('TopK: values and indices, largest and smallest, k as attribute (opset 9) and input', async () => {
    for (const [shape, axis, k] of [[[13], -1, 3], [[3, 7], 1, 7], [[5, 4, 3], 0, 2]] as const) {
      const x = rand([...shape]);
      const a = axis < 0 ? axis + shape.length : axis;
      for (const largest of [1, 0]) {
        const outShape = shape.map((d, i) => (i === a ? k : d));
        const values = new Float64Array(size(outShape)), indices = new Float64Array(size(outShape));
        const outLines = lines(outShape, a);
        lines([...shape], a).forEach((line, l) => {
          const order = line.map((_, j) => j).sort((p, q) => (largest ? x.v[line[q]] - x.v[line[p]] : x.v[line[p]] - x.v[line[q]]));
          outLines[l].forEach((at, j) => {
            values[at] = x.v[line[order[j]]];
            indices[at] = order[j];
          });
        });
        const what = `TopK ${shape} axis ${axis} k ${k} largest ${largest}`;
        const [v, i] = await runOp('TopK', [feed(x), ints([k])], { axis, largest }, { opset: 11, outputs: 2 });
        expectF64(v, { shape: outShape, v: values }, 0, what);
        expectExact(i.v, indices, `${what} indices`);
        if (largest) {
          const [v9, i9] = await runOp('TopK', [feed(x)], { axis, k }, { opset: 9, outputs: 2 });
          expectF64(v9, { shape: outShape, v: values }, 0, `${what} opset 9`);
          expectExact(i9.v, indices, `${what} opset 9 indices`);
        }
      }
    }
  });

  it('CumSum: exclusive and reverse, negative axis', async () => {
    for (const [shape, axis] of [[[13], 0], [[3, 7], 1], [[4, 3, 5], -3], [[5, 1], 1]] as const) {
      const x = rand([...shape]);
      const a = axis < 0 ? axis + shape.length : axis;
      for (const exclusive of [0, 1]) {
        for (const reverse of [0, 1]) {
          const want = new Float64Array(x.v.length);
          for (const line of lines([...shape], a)) {
            const order = reverse ? [...line].reverse() : line;
            let total = 0;
            for (const at of order) {
              if (exclusive) { want[at] = total; total += x.v[at]; } else { total += x.v[at]; want[at] = total; }
            }
          }
          expectF64(await run1('CumSum', [feed(x), ints([axis], [])], { exclusive, reverse }, { opset: 14 }), { shape: [...shape], v: want }, 2e-5, `CumSum ${shape} axis ${axis} exclusive ${exclusive} reverse ${reverse}`);
        }
      }
    }
  });

  it('CumProd (opset 26): exclusive and reverse, negative axis, zeros and negatives, integers exactly, as onnxruntime does', async () => {
    for (const [shape, axis] of [[[11], 0], [[3, 7], 1], [[4, 3, 5], -3], [[5, 1], 1]] as const) {
      // Factors near 1 (and some zeros, some negative) keep long products in range.
      const x = f64([...shape], asF32(uniform(size([...shape]), 0.5, 1.5).map((v, i) => (i % 7 === 3 ? 0 : i % 3 === 1 ? -v : v))));
      const whole = f64([...shape], Array.from(randomInts(size([...shape]), -3, 3)));
      const a = axis < 0 ? axis + shape.length : axis;
      for (const exclusive of [0, 1]) {
        for (const reverse of [0, 1]) {
          const ref = (v: Float64Array) => {
            const want = new Float64Array(v.length);
            for (const line of lines([...shape], a)) {
              let total = 1;
              for (const at of reverse ? [...line].reverse() : line) {
                if (exclusive) { want[at] = total; total *= v[at]; } else { total *= v[at]; want[at] = total; }
              }
            }
            return want;
          };
          const what = `CumProd ${shape} axis ${axis} exclusive ${exclusive} reverse ${reverse}`;
          const got = await run1('CumProd', [feed(x), ints([axis], [])], { exclusive, reverse }, { opset: 26 });
          expectF64(got, { shape: [...shape], v: ref(x.v) }, 2e-5, what);
          expectClose(got.v, (await ortNode('CumProd', [feed(x), ints([axis], [])], { exclusive, reverse }, { opset: 26 }))[0], 2e-5, `${what}, onnxruntime`);
          expectExact((await run1('CumProd', [feed(whole, 'int64'), ints([axis], [])], { exclusive, reverse }, { opset: 26 })).v, ref(whole.v), `${what}, int64`);
        }
      }
    }
  });

  it('CumSum exclusive is exact where an element dwarfs the sum before it', async () => {
    // Each output is the sum of the elements before; computing it as inclusive − x loses the small sums to x's rounding.
    const x = f64([6], asF32(Float64Array.of(1e-3, 1e4, 2e-3, -1e4, 3e-3, 5e3)));
    const want = [0, x.v[0], x.v[0] + x.v[1], x.v[0] + x.v[1] + x.v[2], x.v[0] + x.v[1] + x.v[2] + x.v[3], x.v[0] + x.v[1] + x.v[2] + x.v[3] + x.v[4]];
    const got = await run1('CumSum', [feed(x), ints([0], [])], { exclusive: 1 }, { opset: 14 });
    expectClose(got.v.slice(0, 2), want.slice(0, 2), 1e-6, 'CumSum exclusive, small sums');
    const reversed = await run1('CumSum', [feed(x), ints([0], [])], { exclusive: 1, reverse: 1 }, { opset: 14 });
    expectClose([reversed.v[5], reversed.v[4]], [0, x.v[5]], 1e-6, 'CumSum exclusive reverse, small sums');
  });

  it('Softmax and LogSoftmax: opset 11 flattens at axis (default 1), opset 13 one axis (default -1)', async () => {
    for (const shape of [[7], [3, 13], [2, 3, 5]]) {
      const x = rand(shape, -4, 4);
      for (const [op, log] of [['Softmax', false], ['LogSoftmax', true]] as const) {
        expectF64(await run1(op, [feed(x)], {}, { opset: 13 }), softmaxRef(x, -1, log), 2e-5, `${op} opset 13 ${shape}`);
        if (shape.length > 1) expectF64(await run1(op, [feed(x)], { axis: 0 }, { opset: 13 }), softmaxRef(x, 0, log), 2e-5, `${op} opset 13 axis 0 ${shape}`);
        const flatAt = (a: number) => {
          const outer = size(shape.slice(0, a));
          const flat = softmaxRef(f64([outer, size(shape) / outer], x.v), 1, log);
          return { shape, v: flat.v };
        };
        if (shape.length > 1) expectF64(await run1(op, [feed(x)], {}, { opset: 11 }), flatAt(1), 2e-5, `${op} opset 11 ${shape}`);
        expectF64(await run1(op, [feed(x)], { axis: 0 }, { opset: 11 }), flatAt(0), 2e-5, `${op} opset 11 axis 0 ${shape}`);
        expectF64(await run1(op, [feed(x)], { axis: -1 }, { opset: 11 }), flatAt(shape.length - 1), 2e-5, `${op} opset 11 axis -1 ${shape}`);
      }
    }
  });
});
