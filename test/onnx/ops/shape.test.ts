// ONNX's movement and shape ops (src/onnx/ops/shape.ts) as one-op models on
// every backend, against index arithmetic written here: each op on a device
// tensor and, where it has a host path, on constants (the shape arithmetic
// exporters emit); the opset changes that moved axes, starts/ends and pads
// from attributes to inputs; Slice's clamping (negative starts, INT64_MAX
// ends, negative steps); Reshape's 0, -1 and allowzero; Pad's modes.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../../src/index.js';
import { BACKENDS } from '../../helpers/backends.js';
import { expectExact, randomInts } from '../../helpers/data.js';
import { f64, permute, ravel, size, unravel, type F64 } from '../../helpers/float64.js';
import { onnxModel } from '../../helpers/onnx.js';
import { feed, ints, run1, runModel, runOp, type Feed } from '../../helpers/onnx_run.js';

const INT64_MAX = 9223372036854775807;
// Integer values: a fed float tensor takes the device path; the same values as
// an int64 initializer are a host Constant (float initializers are parameters,
// tensors), so `asConstant` is how the host path is tested.
const rand = (shape: number[]): F64 => f64(shape, randomInts(size(shape), -99, 99));
const asConstant = (a: F64): Feed => ({ shape: a.shape, values: a.v, type: 'int64', constant: true });

/** Values by a map from each output multi-index to an input multi-index. */
function pick(x: F64, shape: number[], source: (index: number[]) => number[]): F64 {
  const v = new Float64Array(size(shape));
  for (let i = 0; i < v.length; i++) v[i] = x.v[ravel(source(unravel(i, shape)), x.shape)];
  return { shape, v };
}

function expectSame(got: F64, want: F64, what: string): void {
  expect(got.shape, `${what} shape`).toEqual(want.shape);
  expectExact(got.v, want.v, what);
}

/** x[start:end:step] along each axis with ONNX's clamping: starts into [0, d] stepping forward, [0, d - 1] backward; ends into [0, d] or [-1, d - 1]. */
function sliceRef(x: F64, starts: number[], ends: number[], axes: number[], steps: number[]): F64 {
  const ranges = x.shape.map((d) => ({ start: 0, step: 1, count: d }));
  axes.forEach((a0, k) => {
    const a = a0 < 0 ? a0 + x.shape.length : a0;
    const d = x.shape[a], step = steps[k];
    const norm = (v: number) => (v < 0 ? v + d : v);
    let s = norm(starts[k]), e = norm(Math.min(Math.max(ends[k], -1e9), 1e9));
    if (step > 0) { s = clamp(s, 0, d); e = clamp(e, 0, d); } else { s = clamp(s, 0, d - 1); e = clamp(e, -1, d - 1); }
    const count = step > 0 ? Math.max(0, Math.ceil((e - s) / step)) : Math.max(0, Math.ceil((s - e) / -step));
    ranges[a] = { start: s, step, count };
  });
  return pick(x, ranges.map((r) => r.count), (index) => index.map((v, i) => ranges[i].start + v * ranges[i].step));
}
const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v, lo), hi);

function gatherRef(x: F64, indices: number[], indexShape: number[], axis: number): F64 {
  const shape = [...x.shape.slice(0, axis), ...indexShape, ...x.shape.slice(axis + 1)];
  const r = indexShape.length;
  return pick(x, shape, (index) => {
    const k = ravel(index.slice(axis, axis + r), indexShape);
    const i = indices[k] < 0 ? indices[k] + x.shape[axis] : indices[k];
    return [...index.slice(0, axis), i, ...index.slice(axis + r)];
  });
}

function padRef(x: F64, pads: number[], mode: string, value = 0): F64 {
  const rank = x.shape.length;
  const shape = x.shape.map((d, i) => d + pads[i] + pads[i + rank]);
  const v = new Float64Array(size(shape));
  for (let i = 0; i < v.length; i++) {
    const index = unravel(i, shape).map((j, a) => j - pads[a]);
    const d = x.shape;
    if (index.every((j, a) => j >= 0 && j < d[a])) v[i] = x.v[ravel(index, d)];
    else if (mode === 'constant') v[i] = value;
    else if (mode === 'edge') v[i] = x.v[ravel(index.map((j, a) => clamp(j, 0, d[a] - 1)), d)];
    else if (mode === 'wrap') v[i] = x.v[ravel(index.map((j, a) => ((j % d[a]) + d[a]) % d[a]), d)];
    else v[i] = x.v[ravel(index.map((j, a) => (j < 0 ? -j : j >= d[a] ? 2 * (d[a] - 1) - j : j)), d)];
  }
  return { shape, v };
}

describe.each(BACKENDS)('tm.onnx shape ops on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it('Reshape: 0 copies the input size, -1 is inferred, allowzero keeps 0; on the device and the host', async () => {
    for (const [shape, target, want] of [[[2, 3, 4], [0, -1], [2, 12]], [[3, 7], [-1], [21]], [[13, 1], [13, 0], [13, 1]], [[2, 3, 7], [0, 0, -1, 1], [2, 3, 7, 1]]]) {
      const x = rand(shape);
      expectSame(await run1('Reshape', [feed(x), ints(target)]), { shape: want, v: x.v }, `Reshape ${shape} → ${target}`);
      expectSame(await run1('Reshape', [asConstant(x), ints(target)]), { shape: want, v: x.v }, `host Reshape ${shape} → ${target}`);
    }
    // allowzero: a 0 in the shape is a size of 0 (an empty tensor), not a copy.
    const empty: Feed = { shape: [0, 3], values: [], constant: true };
    expect((await run1('Reshape', [empty, ints([3, 0])], { allowzero: 1 }, { opset: 14 })).shape).toEqual([3, 0]);
    await expect(run1('Reshape', [feed(rand([2, 3])), ints([4, -1])])).rejects.toThrow(/Reshape.*cannot reshape \[2, 3\] to \[4, -1\]/);
  });

  it('Squeeze and Unsqueeze: axes as an attribute (opset 11/12) and as an input (13+), negative axes', async () => {
    const x = rand([3, 1, 7, 1]);
    for (const [opset, given] of [[11, 'attr'], [13, 'input']] as const) {
      const sq = (axes?: number[]) => run1('Squeeze', [feed(x), ...(axes && given === 'input' ? [ints(axes)] : [])], axes && given === 'attr' ? { axes } : {}, { opset });
      expect((await sq([1])).shape).toEqual([3, 7, 1]);
      expect((await sq([-1, 1])).shape).toEqual([3, 7]);
      expect((await sq()).shape).toEqual([3, 7]);
      expectExact((await sq([3])).v, x.v, `Squeeze opset ${opset}`);
      const y = rand([3, 7]);
      const unsq = (axes: number[]) => run1('Unsqueeze', [feed(y), ...(given === 'input' ? [ints(axes)] : [])], given === 'attr' ? { axes } : {}, { opset });
      expect((await unsq([0])).shape).toEqual([1, 3, 7]);
      expect((await unsq([-1, 1])).shape).toEqual([3, 1, 7, 1]);
      const z = await unsq([0, 4, 2]);
      expect(z.shape).toEqual([1, 3, 1, 7, 1]);
      expectExact(z.v, y.v, `Unsqueeze opset ${opset}`);
    }
    await expect(run1('Squeeze', [feed(x), ints([0])], {}, { opset: 13 })).rejects.toThrow(/Squeeze.*axis 0.*not 1/);
  });

  it('Split: sizes as an attribute (opset 11), an input (13), equal parts, num_outputs (18) with a smaller last part', async () => {
    const x = rand([3, 13]);
    const part = (start: number, n: number) => pick(x, [3, n], ([i, j]) => [i, j + start]);
    const check = async (got: F64[], sizes: number[], what: string) => {
      let at = 0;
      for (const [k, n] of sizes.entries()) {
        expectSame(got[k], part(at, n), `${what} part ${k}`);
        at += n;
      }
    };
    await check(await runOp('Split', [feed(x)], { axis: 1, split: [2, 4, 7] }, { opset: 11, outputs: 3 }), [2, 4, 7], 'Split attr');
    await check(await runOp('Split', [feed(x), ints([6, 0, 7])], { axis: -1 }, { opset: 13, outputs: 3 }), [6, 0, 7], 'Split input');
    const y = rand([12, 5]);
    const rows = await runOp('Split', [feed(y)], {}, { opset: 13, outputs: 3 });
    rows.forEach((r, k) => expectSame(r, pick(y, [4, 5], ([i, j]) => [i + 4 * k, j]), `Split equal part ${k}`));
    await check(await runOp('Split', [feed(x)], { axis: 1, num_outputs: 3 }, { opset: 18, outputs: 3 }), [5, 5, 3], 'Split num_outputs');
  });

  it('Slice: attributes (opset 9) and inputs (10+), negative starts and ends, INT64_MAX, negative steps and steps > 1', async () => {
    const x = rand([7, 13]);
    type Case = [starts: number[], ends: number[], axes: number[] | undefined, steps: number[] | undefined];
    const CASES: Case[] = [
      [[1], [5], undefined, undefined],
      [[-3], [INT64_MAX], [1], undefined],
      [[2, -10], [-1, 100], [0, 1], undefined],
      [[0, 1], [INT64_MAX, INT64_MAX], [1, 0], [3, 2]],
      [[-1], [-INT64_MAX], [0], [-1]],
      [[10, 5], [1, -20], [1, 0], [-2, -3]],
      [[3], [3], [1], [1]],
      [[-4, 1], [INT64_MAX, -1], [-1, -2], [2, 1]],
      // A start before the beginning, stepping backward: ONNX clamps it to 0 (one element), where NumPy gives none.
      [[-100], [-INT64_MAX], [0], [-1]],
      [[100, -100], [-100, 100], [0, 1], [-3, 4]],
    ];
    for (const [starts, ends, axes, steps] of CASES) {
      const want = sliceRef(x, starts, ends, axes ?? starts.map((_, i) => i), steps ?? starts.map(() => 1));
      const what = `Slice ${starts}:${ends} axes ${axes} steps ${steps}`;
      const inputs = [ints(starts), ints(ends), axes ? ints(axes) : null, steps ? ints(steps) : null];
      while (inputs.at(-1) === null) inputs.pop();
      expectSame(await run1('Slice', [feed(x), ...inputs], {}, { opset: 13 }), want, what);
      expectSame(await run1('Slice', [feed(x), ...inputs], {}, { opset: 10 }), want, `opset 10 ${what}`);
      expectSame(await run1('Slice', [asConstant(x), ...inputs], {}, { opset: 13 }), want, `host ${what}`);
      if (!steps) expectSame(await run1('Slice', [feed(x)], { starts, ends, ...(axes ? { axes } : {}) }, { opset: 9 }), want, `opset 9 ${what}`);
    }
  });

  it('Gather: constant indices (scalar removes the axis, negative, 2-D, axis 1), indices from the graph, both constant on the host', async () => {
    for (const shape of [[5, 3], [7, 13], [3, 4, 5]]) {
      const x = rand(shape);
      for (const a of [0, 1]) {
        const d = shape[a];
        const CASES: [number[], number[]][] = [
          [[d - 1], []],
          [[-1, 0, -d], [3]],
          [Array.from(randomInts(6, -d, d - 1)), [2, 3]],
        ];
        for (const [indices, indexShape] of CASES) {
          const want = gatherRef(x, indices, indexShape, a);
          const what = `Gather ${shape} axis ${a} indices ${indices} [${indexShape}]`;
          expectSame(await run1('Gather', [feed(x), ints(indices, indexShape)], { axis: a }), want, what);
          expectSame(await run1('Gather', [asConstant(x), ints(indices, indexShape)], { axis: a }), want, `host ${what}`);
          expectSame(await run1('Gather', [feed(x), { shape: indexShape, values: indices, type: 'int64' }], { axis: a }), want, `fed indices ${what}`);
        }
      }
    }
  });

  it('GatherElements: axis 0 and 1, negative indices', async () => {
    for (const shape of [[3, 7], [5, 1]]) {
      const x = rand(shape);
      for (const a of [0, 1, -1]) {
        const ax = a < 0 ? a + 2 : a;
        const indexShape = ax === 0 ? [4, shape[1]] : [shape[0], 3];
        const indices = Array.from(randomInts(size(indexShape), -shape[ax], shape[ax] - 1));
        const want = pick(x, indexShape, (index) => {
          const i = indices[ravel(index, indexShape)];
          return index.map((v, d) => (d === ax ? (i < 0 ? i + shape[ax] : i) : v));
        });
        expectSame(await run1('GatherElements', [feed(x), { shape: indexShape, values: indices, type: 'int64' }], { axis: a }), want, `GatherElements ${shape} axis ${a}`);
        expectSame(await run1('GatherElements', [feed(x), ints(indices, indexShape)], { axis: a }), want, `GatherElements constant indices ${shape} axis ${a}`);
      }
    }
  });

  it('Shape → Gather → Unsqueeze → Concat → Reshape stays on the host and follows the batch size', async () => {
    const bytes = onnxModel({
      opset: 13,
      inputs: [{ name: 'x', shape: ['batch', 3, 4] }],
      outputs: [{ name: 'y' }, { name: 'n' }],
      initializers: { zero: { type: 'int64', shape: [], values: [0] }, minusOne: { type: 'int64', shape: [1], values: [-1] }, axes: { type: 'int64', shape: [1], values: [0] } },
      nodes: [
        { op: 'Shape', inputs: ['x'], outputs: ['s'] },
        { op: 'Gather', inputs: ['s', 'zero'], outputs: ['b'], attributes: { axis: 0 } },
        { op: 'Unsqueeze', inputs: ['b', 'axes'], outputs: ['b1'] },
        { op: 'Concat', inputs: ['b1', 'minusOne'], outputs: ['target'], attributes: { axis: 0 } },
        { op: 'Reshape', inputs: ['x', 'target'], outputs: ['y'] },
        // Size · 2 on the host, out as an int tensor.
        { op: 'Size', inputs: ['x'], outputs: ['size'] },
        { op: 'Mul', inputs: ['size', 'b'], outputs: ['n'] },
      ],
    });
    for (const batch of [2, 5]) {
      const x = rand([batch, 3, 4]);
      const [y, n] = await runModel(bytes, [feed(x)]);
      expectSame(y, { shape: [batch, 12], v: x.v }, `batch ${batch}`);
      expectSame(n, { shape: [], v: Float64Array.of(batch * 12 * batch) }, `Size·batch ${batch}`);
    }
    // Shape's start and end (opset 15), negative end.
    const s = await run1('Shape', [feed(rand([2, 3, 5, 7]))], { start: 1, end: -1 }, { opset: 15 });
    expectSame(s, { shape: [2], v: Float64Array.of(3, 5) }, 'Shape start 1 end -1');
  });

  it('Transpose, Flatten, Concat, Expand, Tile on the device and the host', async () => {
    for (const shape of [[3, 1, 7], [2, 5, 3]]) {
      const x = rand(shape);
      for (const [name, input] of [['device', feed(x)], ['host', asConstant(x)]] as const) {
        expectSame(await run1('Transpose', [input]), permute(x, [2, 1, 0]), `${name} Transpose default ${shape}`);
        expectSame(await run1('Transpose', [input], { perm: [1, 2, 0] }), permute(x, [1, 2, 0]), `${name} Transpose ${shape}`);
        expectSame(await run1('Flatten', [input], { axis: 2 }), { shape: [shape[0] * shape[1], shape[2]], v: x.v }, `${name} Flatten ${shape}`);
        expectSame(await run1('Flatten', [input]), { shape: [shape[0], shape[1] * shape[2]], v: x.v }, `${name} Flatten default ${shape}`);
        // [4, 1, 6 where x has 1, 1] broadcast with x's shape.
        const expandTo = [4, 1, ...shape.slice(1).map((d) => (d === 1 ? 6 : 1))];
        const expanded = [4, ...shape.map((d) => (d === 1 ? 6 : d))];
        expectSame(await run1('Expand', [input, ints(expandTo)]), pick(x, expanded, (i) => i.slice(1).map((v, a) => (shape[a] === 1 ? 0 : v))), `${name} Expand ${shape}`);
        const reps = [2, 1, 3];
        expectSame(await run1('Tile', [input, ints(reps)]), pick(x, shape.map((d, i) => d * reps[i]), (i) => i.map((v, a) => v % shape[a])), `${name} Tile ${shape}`);
        const y = rand([shape[0], 4, shape[2]]);
        const catShape = [shape[0], shape[1] + 4, shape[2]];
        const catWant = { shape: catShape, v: Float64Array.from({ length: size(catShape) }, (_, f) => {
          const [i, j, k] = unravel(f, catShape);
          return j < shape[1] ? x.v[ravel([i, j, k], shape)] : y.v[ravel([i, j - shape[1], k], y.shape)];
        }) };
        expectSame(await run1('Concat', [input, input.constant ? asConstant(y) : feed(y)], { axis: -2 }), catWant, `${name} Concat ${shape}`);
      }
    }
  });

  it('Pad: constant (value attribute before 11, input from 11), reflect, edge, wrap, axes, negative pads crop', async () => {
    for (const shape of [[3, 7], [5, 4]]) {
      const x = rand(shape);
      const PADS = [[1, 2, 2, 1], [0, 3, 1, 0], [2, 1, 2, 2]];
      for (const pads of PADS) {
        for (const mode of ['constant', 'reflect', 'edge']) {
          const value = mode === 'constant' ? 0.5 : 0;
          const inputs = [feed(x), ints(pads), ...(mode === 'constant' ? [{ shape: [], values: [value], constant: true }] : [])];
          expectSame(await run1('Pad', inputs, { mode }, { opset: 13 }), padRef(x, pads, mode, value), `Pad ${mode} ${pads} ${shape}`);
        }
        expectSame(await run1('Pad', [feed(x)], { pads, value: { float: -2 } }, { opset: 7 }), padRef(x, pads, 'constant', -2), `Pad opset 7 ${pads} ${shape}`);
        expectSame(await run1('Pad', [feed(x), ints(pads)], {}, { opset: 11 }), padRef(x, pads, 'constant'), `Pad default 0 ${pads} ${shape}`);
      }
      // wrap (opset 19); axes (opset 18) pad only the axes named.
      expectSame(await run1('Pad', [feed(x), ints([1, 2, 2, 1])], { mode: 'wrap' }, { opset: 19 }), padRef(x, [1, 2, 2, 1], 'wrap'), `Pad wrap ${shape}`);
      expectSame(await run1('Pad', [feed(x), ints([2, 1]), null, ints([-1])], {}, { opset: 18 }), padRef(x, [0, 2, 0, 1], 'constant'), `Pad axes ${shape}`);
      // A negative pad crops that side.
      const cropped = sliceRef(x, [1, 0], [shape[0], shape[1] - 2], [0, 1], [1, 1]);
      expectSame(await run1('Pad', [feed(x), ints([-1, 0, 1, -2])], {}, { opset: 13 }), padRef(cropped, [0, 0, 1, 0], 'constant'), `Pad negative ${shape}`);
    }
  });

  it('Range, ConstantOfShape, Constant (value, value_float, value_ints), EyeLike, Trilu, Identity', async () => {
    const range = async (start: number, limit: number, delta: number, type: 'float' | 'int64') =>
      run1('Range', [start, limit, delta].map((v) => ({ shape: [], values: [v], type, constant: true })), {}, { opset: 11 });
    expectSame(await range(1, 14, 3, 'int64'), { shape: [5], v: Float64Array.of(1, 4, 7, 10, 13) }, 'Range int');
    expectSame(await range(5, -2, -2, 'int64'), { shape: [4], v: Float64Array.of(5, 3, 1, -1) }, 'Range negative delta');
    expectSame(await range(0.5, 2, 0.5, 'float'), { shape: [3], v: Float64Array.of(0.5, 1, 1.5) }, 'Range float');
    expect((await range(3, 1, 1, 'int64')).shape).toEqual([0]);

    expectSame(await run1('ConstantOfShape', [ints([2, 3])], { value: { tensor: { type: 'float', shape: [1], values: [1.5] } } }), { shape: [2, 3], v: new Float64Array(6).fill(1.5) }, 'ConstantOfShape');
    expectSame(await run1('ConstantOfShape', [ints([3])]), { shape: [3], v: new Float64Array(3) }, 'ConstantOfShape default 0');

    const constant = async (attributes: Parameters<typeof run1>[2]) =>
      (await runModel(onnxModel({ opset: 13, inputs: [], outputs: [{ name: 'y' }], nodes: [{ op: 'Constant', inputs: [], outputs: ['y'], attributes }] }), []))[0];
    expectSame(await constant({ value_float: { float: 2.5 } }), { shape: [], v: Float64Array.of(2.5) }, 'Constant value_float');
    expectSame(await constant({ value_ints: [3, -1, 4] }), { shape: [3], v: Float64Array.of(3, -1, 4) }, 'Constant value_ints');
    expectSame(await constant({ value_int: 7 }), { shape: [], v: Float64Array.of(7) }, 'Constant value_int');
    expectSame(await constant({ value_floats: { floats: [0.5, 1] } }), { shape: [2], v: Float64Array.of(0.5, 1) }, 'Constant value_floats');
    expectSame(await constant({ value: { tensor: { type: 'float', shape: [2, 2], values: [1, 2, 3, 4] } } }), { shape: [2, 2], v: Float64Array.of(1, 2, 3, 4) }, 'Constant value');

    const x = rand([3, 5]);
    expectSame(await run1('EyeLike', [feed(x)], { k: 1 }), { shape: [3, 5], v: Float64Array.from({ length: 15 }, (_, f) => +(f % 5 === Math.floor(f / 5) + 1)) }, 'EyeLike k 1');
    const tri = (upper: boolean, k: number) => ({ shape: x.shape, v: x.v.map((v, f) => { const i = Math.floor(f / 5), j = f % 5; return (upper ? j - i >= k : j - i <= k) ? v : 0; }) });
    expectSame(await run1('Trilu', [feed(x)], {}, { opset: 14 }), tri(true, 0), 'Trilu upper');
    expectSame(await run1('Trilu', [feed(x), ints([-1], [])], { upper: 0 }, { opset: 14 }), tri(false, -1), 'Trilu lower k -1');
    expectSame(await run1('Identity', [feed(x)]), x, 'Identity');
    expectSame(await run1('Dropout', [feed(x), { shape: [], values: [0.5], constant: true }], {}, { opset: 13 }), x, 'Dropout (inference)');
    expectSame(await run1('Dropout', [feed(x)], { ratio: { float: 0.3 } }, { opset: 7 }), x, 'Dropout opset 7');
  });
});
