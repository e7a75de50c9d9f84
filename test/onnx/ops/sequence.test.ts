// ONNX's sequences of tensors (src/onnx/sequence.ts, src/onnx/ops/sequence.ts)
// on every backend: each op against the list it stands for, computed here on
// plain arrays — construct, insert at positions (negative ones counting from
// the end), read, erase, count; concatenate and stack along an axis; split by
// a size, by sizes, into single slices with and without their axis — at odd
// shapes. Then the patterns scripted PyTorch exports: a Loop appending x·i to
// a list then concatenated, a split read item by item; If branches returning
// lists; SequenceMap; gradients through split, index and concatenation;
// positions read back in runAsync; and the errors (a position out of range,
// mismatched shapes, an empty list concatenated, a sequence reaching a graph
// output in run, which gives tensors) named. onnxruntime-web runs the loop,
// split and SequenceMap patterns too. runModel checks every tensor a run made
// freed. Sequences as graph inputs and outputs: test/onnx/sequence_io.test.ts.
import * as ort from 'onnxruntime-web';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../../src/index.js';
import { BACKENDS } from '../../helpers/backends.js';
import { expectClose, expectExact, SEED, uniform } from '../../helpers/data.js';
import { f64, ravel, size, type F64 } from '../../helpers/float64.js';
import { onnxModel, type NodeSpec, type SubgraphSpec, type TensorSpec, type ValueSpec } from '../../helpers/onnx.js';
import { feed, runModel } from '../../helpers/onnx_run.js';
import { ortRun } from '../../helpers/ort.js';

const rand = (shape: number[]): F64 => f64(shape, uniform(size(shape)));
const int64 = (v: number | number[]): TensorSpec => (Array.isArray(v) ? { type: 'int64', shape: [v.length], values: v } : { type: 'int64', shape: [], values: [v] });
const bool = (v: boolean): TensorSpec => ({ type: 'bool', shape: [], values: [v ? 1 : 0] });

/** A model of `nodes` reading float inputs `xs` (named x0, x1…) and returning float outputs `outputs`. */
function model(xs: readonly F64[], nodes: readonly NodeSpec[], outputs: readonly string[], initializers: Record<string, TensorSpec> = {}, extraInputs: readonly ValueSpec[] = []): Uint8Array {
  return onnxModel({
    inputs: [...xs.map((x, i) => ({ name: `x${i}`, shape: x.shape })), ...extraInputs],
    outputs: outputs.map((name) => ({ name })),
    nodes,
    initializers,
  });
}

/** Slices [from, to) of `x` along `axis`, the axis kept. */
function cut(x: F64, axis: number, from: number, to: number): F64 {
  const shape = x.shape.map((d, i) => (i === axis ? to - from : d));
  const out = new Float64Array(size(shape));
  let k = 0;
  const index = new Array<number>(shape.length).fill(0);
  for (let flat = 0; flat < out.length; flat++) {
    let rest = flat;
    for (let d = shape.length - 1; d >= 0; d--) {
      index[d] = rest % shape[d];
      rest = Math.floor(rest / shape[d]);
    }
    out[k++] = x.v[ravel(index.map((v, d) => (d === axis ? v + from : v)), x.shape)];
  }
  return f64(shape, out);
}

/** Arrays joined along `axis` (the float64 concat). */
function join(xs: readonly F64[], axis: number): F64 {
  const shape = [...xs[0].shape];
  shape[axis] = xs.reduce((n, x) => n + x.shape[axis], 0);
  const outer = size(shape.slice(0, axis));
  const out: number[] = [];
  for (let o = 0; o < outer; o++) {
    for (const x of xs) {
      const block = size(x.shape.slice(axis));
      for (let i = 0; i < block; i++) out.push(x.v[o * block + i]);
    }
  }
  return f64(shape, out);
}

/** Same-shaped arrays stacked along a new axis `axis`. */
const stackRef = (xs: readonly F64[], axis: number): F64 => join(xs.map((x) => f64([...x.shape.slice(0, axis), 1, ...x.shape.slice(axis)], x.v)), axis);

const f32 = (x: F64): F64 => f64(x.shape, Float32Array.from(x.v));

function expectArray(got: F64, want: F64, what: string, tol = 0): void {
  expect(got.shape, `${what} shape (test seed ${SEED})`).toEqual(want.shape);
  if (tol) expectClose(got.v, want.v, tol, what);
  else expectExact(got.v, f32(want).v, what);
}

/** A Loop body appending x · i to the list it carries (Python: for i in range(M): out.append(x * i)). */
const appendBody = (): SubgraphSpec => ({
  name: 'body',
  inputs: [{ name: 'i', type: 'int64', shape: [] }, { name: 'cond_in', type: 'bool', shape: [] }, { name: 'list_in', sequence: true }],
  outputs: [{ name: 'cond_out', type: 'bool', shape: [] }, { name: 'list_out', sequence: true }],
  nodes: [
    { op: 'Identity', inputs: ['cond_in'], outputs: ['cond_out'] },
    { op: 'Cast', inputs: ['i'], outputs: ['fi'], attributes: { to: 1 } },
    { op: 'Mul', inputs: ['x0', 'fi'], outputs: ['xi'] },
    { op: 'SequenceInsert', inputs: ['list_in', 'xi'], outputs: ['list_out'] },
  ],
});

/** torch.cat([x * i for i in range(M)], axis) as a Loop over a list (new_axis 1 for torch.stack). */
function appendLoop(x: F64, trips: number, axis: number, newAxis: 0 | 1): Uint8Array {
  return model(
    [x],
    [
      { op: 'SequenceEmpty', inputs: [], outputs: ['empty'] },
      { op: 'Loop', name: 'append', inputs: ['M', 'cond', 'empty'], outputs: ['list'], attributes: { body: { graph: appendBody() } } },
      { op: 'ConcatFromSequence', name: 'cat', inputs: ['list'], outputs: ['y'], attributes: { axis, new_axis: newAxis } },
    ],
    ['y'],
    { M: int64(trips), cond: bool(true) },
  );
}

function appendRef(x: F64, trips: number, axis: number, newAxis: 0 | 1): F64 {
  const items = Array.from({ length: trips }, (_, i) => f64(x.shape, f32(x).v.map((v) => v * i)));
  return newAxis ? stackRef(items, axis) : join(items, axis);
}

/** SplitToSequence of x0 (split given as an initializer, or left out), then every item read by SequenceAt, and the count. */
function splitModel(x: F64, count: number, attributes: Record<string, number>, split?: number | number[]): Uint8Array {
  const at = Array.from({ length: count }, (_, k): NodeSpec => ({ op: 'SequenceAt', inputs: ['parts', `k${k}`], outputs: [`y${k}`] }));
  const positions = Object.fromEntries(Array.from({ length: count }, (_, k) => [`k${k}`, int64(k % 2 ? k - count : k)]));
  return onnxModel({
    inputs: [{ name: 'x0', shape: x.shape }],
    outputs: [{ name: 'n', type: 'int64' }, ...at.map((n) => ({ name: n.outputs[0] }))],
    nodes: [
      { op: 'SplitToSequence', inputs: split === undefined ? ['x0'] : ['x0', 'split'], outputs: ['parts'], attributes },
      { op: 'SequenceLength', inputs: ['parts'], outputs: ['n'] },
      ...at,
    ],
    initializers: { ...positions, ...(split === undefined ? {} : { split: int64(split) }) },
  });
}

const ortFloat = (x: F64): ort.Tensor => new ort.Tensor('float32', Float32Array.from(x.v), [...x.shape]);

it('tm.onnx.SUPPORTED_OPS lists the sequence ops', () => {
  const ops = ['SequenceEmpty', 'SequenceConstruct', 'SequenceInsert', 'SequenceAt', 'SequenceErase', 'SequenceLength', 'ConcatFromSequence', 'SplitToSequence', 'SequenceMap'];
  expect(tm.onnx.SUPPORTED_OPS).toEqual(expect.arrayContaining(ops));
});

describe.each(BACKENDS)('tm.onnx sequence ops on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  describe('building and reading a list', () => {
    it('SequenceConstruct, SequenceAt at positions from either end, and SequenceLength', async () => {
      const xs = [rand([3, 5]), rand([2, 7]), rand([1, 3, 2])];
      const positions = [0, 1, 2, -1, -2, -3];
      const bytes = onnxModel({
        inputs: xs.map((x, i) => ({ name: `x${i}`, shape: x.shape })),
        outputs: [{ name: 'n', type: 'int64' }, ...positions.map((_, k) => ({ name: `y${k}` }))],
        nodes: [
          { op: 'SequenceConstruct', inputs: ['x0', 'x1', 'x2'], outputs: ['list'] },
          { op: 'SequenceLength', inputs: ['list'], outputs: ['n'] },
          ...positions.map((_, k): NodeSpec => ({ op: 'SequenceAt', inputs: ['list', `p${k}`], outputs: [`y${k}`] })),
        ],
        initializers: Object.fromEntries(positions.map((p, k) => [`p${k}`, int64(p)])),
      });
      const [n, ...ys] = await runModel(bytes, xs.map((x) => feed(x)));
      expect([...n.v]).toEqual([3]);
      positions.forEach((p, k) => expectArray(ys[k], xs[(p + 3) % 3], `SequenceAt ${p}`));
    });

    it('SequenceInsert appends, or inserts at a position counted from either end; SequenceErase drops one (the last by default)', async () => {
      // [] → [a] → [b, a] (at 0) → [b, c, a] (at −1) → [b, c, a, d] (at 3, the end) → erase −3: [b, a, d] → erase: [b, a].
      const [a, b, c, d] = [rand([4, 3]), rand([4, 3]), rand([4, 3]), rand([4, 3])];
      const bytes = onnxModel({
        inputs: [a, b, c, d].map((x, i) => ({ name: `x${i}`, shape: x.shape })),
        outputs: [{ name: 'full' }, { name: 'erased' }, { name: 'n', type: 'int64' }],
        nodes: [
          { op: 'SequenceEmpty', inputs: [], outputs: ['s0'], attributes: { dtype: 1 } },
          { op: 'SequenceInsert', inputs: ['s0', 'x0'], outputs: ['s1'] },
          { op: 'SequenceInsert', inputs: ['s1', 'x1', 'zero'], outputs: ['s2'] },
          { op: 'SequenceInsert', inputs: ['s2', 'x2', 'minus1'], outputs: ['s3'] },
          { op: 'SequenceInsert', inputs: ['s3', 'x3', 'three'], outputs: ['s4'] },
          { op: 'ConcatFromSequence', inputs: ['s4'], outputs: ['full'], attributes: { axis: 0, new_axis: 1 } },
          { op: 'SequenceErase', inputs: ['s4', 'minus3'], outputs: ['s5'] },
          { op: 'SequenceErase', inputs: ['s5'], outputs: ['s6'] },
          { op: 'ConcatFromSequence', inputs: ['s6'], outputs: ['erased'], attributes: { axis: 1 } },
          { op: 'SequenceLength', inputs: ['s6'], outputs: ['n'] },
        ],
        initializers: { zero: int64(0), minus1: int64(-1), three: int64(3), minus3: int64(-3) },
      });
      const [full, erased, n] = await runModel(bytes, [a, b, c, d].map((x) => feed(x)));
      expectArray(full, stackRef([b, c, a, d], 0), 'the list after four inserts, stacked');
      expectArray(erased, join([b, a], 1), 'the list after two erasures, concatenated on axis 1');
      expect([...n.v]).toEqual([2]);
    });
  });

  it('reads a position computed on the device in runAsync, and names runAsync where run cannot', async () => {
    const xs = [rand([2, 3]), rand([4, 3]), rand([1, 3])];
    const bytes = onnxModel({
      inputs: [...xs.map((x, i) => ({ name: `x${i}`, shape: x.shape })), { name: 'p', type: 'int64', shape: [] }],
      outputs: [{ name: 'y' }],
      nodes: [
        { op: 'SequenceConstruct', inputs: ['x0', 'x1', 'x2'], outputs: ['list'] },
        { op: 'SequenceAt', name: 'at', inputs: ['list', 'p'], outputs: ['y'] },
      ],
    });
    const fed = [...xs.map((x) => feed(x)), { shape: [], values: [-2], type: 'int64' as const }];
    const [y] = await runModel(bytes, fed, 'async');
    expectArray(y, xs[1], 'SequenceAt −2');
    await expect(runModel(bytes, fed)).rejects.toThrow(/node 'at' \(SequenceAt\): its position \(input 1, p\) is computed on the device.*runAsync/);
  });

  describe('ConcatFromSequence', () => {
    it.each([
      [[[2, 3], [2, 5], [2, 1]], 1],
      [[[2, 3], [2, 5], [2, 1]], -1],
      [[[3, 2, 3], [1, 2, 3]], 0],
      [[[5]], 0],
    ])('concatenates %j along axis %i', async (shapes, axis) => {
      const xs = shapes.map((s) => rand(s));
      const bytes = model(xs, [
        { op: 'SequenceConstruct', inputs: xs.map((_, i) => `x${i}`), outputs: ['list'] },
        { op: 'ConcatFromSequence', inputs: ['list'], outputs: ['y'], attributes: { axis } },
      ], ['y']);
      const [y] = await runModel(bytes, xs.map((x) => feed(x)));
      expectArray(y, join(xs, axis < 0 ? axis + shapes[0].length : axis), 'concatenated');
    });

    it.each([0, 1, 2, -1, -3])('stacks along new axis %i (new_axis = 1; −1 is after the last)', async (axis) => {
      const xs = [rand([3, 5]), rand([3, 5]), rand([3, 5]), rand([3, 5])];
      const bytes = model(xs, [
        { op: 'SequenceConstruct', inputs: xs.map((_, i) => `x${i}`), outputs: ['list'] },
        { op: 'ConcatFromSequence', inputs: ['list'], outputs: ['y'], attributes: { axis, new_axis: 1 } },
      ], ['y']);
      const [y] = await runModel(bytes, xs.map((x) => feed(x)));
      expectArray(y, stackRef(xs, axis < 0 ? axis + 3 : axis), 'stacked');
    });

    it('keeps a list of host values (shapes, sizes) on the host, for the Reshape that reads it', async () => {
      const x = rand([6, 5]);
      const bytes = model([x], [
        { op: 'Shape', inputs: ['x0'], outputs: ['shape'] },
        { op: 'Gather', inputs: ['shape', 'one'], outputs: ['cols'], attributes: { axis: 0 } },
        { op: 'SequenceConstruct', inputs: ['minus1', 'cols'], outputs: ['dims'] },
        { op: 'ConcatFromSequence', inputs: ['dims'], outputs: ['target'], attributes: { axis: 0 } },
        { op: 'Transpose', inputs: ['x0'], outputs: ['xt'] },
        { op: 'Reshape', inputs: ['xt', 'target'], outputs: ['y'] },
      ], ['y'], { one: int64([1]), minus1: int64([-1]) });
      const [y] = await runModel(bytes, [feed(x)]);
      const xt = f64([5, 6], Array.from({ length: 30 }, (_, k) => x.v[(k % 6) * 5 + Math.floor(k / 6)]));
      expectArray(y, f64([6, 5], xt.v), 'the transpose reshaped by a target built as a list');
    });
  });

  describe('SplitToSequence', () => {
    const x = rand([5, 7]);
    it.each([
      ['a scalar split (pieces of 3, the last what is left)', 1, 3, [[0, 3], [3, 6], [6, 7]]],
      ['a list of sizes', 1, [1, 4, 0, 2], [[0, 1], [1, 5], [5, 5], [5, 7]]],
      ['a list of sizes on axis −2', -2, [2, 3], [[0, 2], [2, 5]]],
    ] as const)('cuts by %s', async (_, axis, split, bounds) => {
      const a = axis < 0 ? axis + 2 : axis;
      const [n, ...ys] = await runModel(splitModel(x, bounds.length, { axis }, split as number | number[]), [feed(x)]);
      expect([...n.v]).toEqual([bounds.length]);
      bounds.forEach(([from, to], k) => expectArray(ys[k], cut(x, a, from, to), `piece ${k}`));
    });

    it.each([1, 0])('without split cuts single slices, keepdims = %i', async (keepdims) => {
      const [n, ...ys] = await runModel(splitModel(x, 5, { axis: 0, keepdims }), [feed(x)]);
      expect([...n.v]).toEqual([5]);
      for (let k = 0; k < 5; k++) {
        const row = cut(x, 0, k, k + 1);
        expectArray(ys[k], keepdims ? row : f64([7], row.v), `slice ${k}`);
      }
    });
  });

  describe('a list built in a Loop (for i in range(M): out.append(x * i))', () => {
    it.each([
      [[3, 5], 4, 0, 0],
      [[3, 5], 1, 1, 0],
      [[2, 3, 1], 3, 0, 1],
      [[7], 5, -1, 1],
    ] as const)('x %j, %i iterations, concatenated on axis %i (new_axis %i), in run and runAsync', async (shape, trips, axis, newAxis) => {
      const x = rand([...shape]);
      const bytes = appendLoop(x, trips, axis, newAxis);
      const rank = shape.length + newAxis;
      const want = appendRef(x, trips, axis < 0 ? axis + rank : axis, newAxis);
      for (const mode of ['sync', 'async'] as const) {
        const [y] = await runModel(bytes, [feed(x)], mode);
        expectArray(y, want, `${mode} run`, 1e-6);
      }
    });

    it('agrees with onnxruntime-web', async () => {
      const x = rand([3, 4]);
      const bytes = appendLoop(x, 4, 0, 1);
      const [y] = await runModel(bytes, [feed(x)]);
      const got = await ortRun(bytes, { x0: ortFloat(x) });
      expect(got.y.dims).toEqual(y.shape);
      expectClose(y.v, Array.from(got.y.data as Float32Array), 1e-6, 'against onnxruntime-web');
    });

    it('refuses to concatenate the empty list of zero iterations, naming the node', async () => {
      const x = rand([3]);
      await expect(runModel(appendLoop(x, 0, 0, 0), [feed(x)])).rejects.toThrow(/node 'cat' \(ConcatFromSequence\): its sequence is empty: there is nothing to concatenate/);
    });

    it('carries gradients through the list to a float initializer the body reads', async () => {
      // y = cat_i(w · i), so d sum(y · g)/dw = Σ_i i · g_i.
      const n = 5, trips = 4;
      const w = rand([n]);
      const body: SubgraphSpec = { ...appendBody(), nodes: appendBody().nodes.map((node) => (node.op === 'Mul' ? { ...node, inputs: ['w', 'fi'] } : node)) };
      const m = tm.onnx.fromBytes(onnxModel({
        inputs: [{ name: 'g', shape: [trips * n] }],
        outputs: [{ name: 'y' }],
        initializers: { M: int64(trips), cond: bool(true), w: { shape: [n], values: w.v } },
        nodes: [
          { op: 'SequenceEmpty', inputs: [], outputs: ['empty'] },
          { op: 'Loop', inputs: ['M', 'cond', 'empty'], outputs: ['list'], attributes: { body: { graph: body } } },
          { op: 'ConcatFromSequence', inputs: ['list'], outputs: ['cat'], attributes: { axis: 0 } },
          { op: 'Mul', inputs: ['cat', 'g'], outputs: ['y'] },
        ],
      }));
      const g = rand([trips * n]);
      const gt = tm.tensor(Array.from(g.v), [trips * n]);
      const y = m.forward(gt);
      const loss = tm.sum(y);
      loss.backward();
      const want = Array.from({ length: n }, (_, j) => Array.from({ length: trips }, (_, i) => i * Math.fround(g.v[i * n + j])).reduce((s, v) => s + v, 0));
      expectClose(await m.namedParameters().w.grad!.data(), want, 1e-5, `d/dw (seed ${SEED})`);
      for (const t of [gt, y, loss]) t.dispose();
      m.dispose();
    });
  });

  describe('a split list read back (list(torch.split(x, sizes)) then indexed)', () => {
    it('agrees with onnxruntime-web, in run and runAsync', async () => {
      const x = rand([4, 9]);
      const bytes = splitModel(x, 3, { axis: 1 }, [2, 4, 3]);
      const want = await ortRun(bytes, { x0: ortFloat(x) });
      for (const mode of ['sync', 'async'] as const) {
        const [n, ...ys] = await runModel(bytes, [feed(x)], mode);
        expect([...n.v]).toEqual(Array.from(want.n.data as BigInt64Array, Number));
        ys.forEach((y, k) => {
          expect(y.shape).toEqual(want[`y${k}`].dims);
          expectExact(y.v, Array.from(want[`y${k}`].data as Float32Array), `${mode} piece ${k} against onnxruntime-web`);
        });
      }
    });

    it('carries gradients through split, SequenceAt and concatenation to the parameter split', async () => {
      // y = cat(rows 1..2 of W, row 0 of W) · g: dW is g with its rows moved back.
      const w = rand([3, 4]);
      const m = tm.onnx.fromBytes(onnxModel({
        inputs: [{ name: 'g', shape: [3, 4] }],
        outputs: [{ name: 'y' }],
        initializers: { W: { shape: [3, 4], values: w.v }, split: int64([1, 2]), last: int64(-1), first: int64(0) },
        nodes: [
          { op: 'SplitToSequence', inputs: ['W', 'split'], outputs: ['parts'], attributes: { axis: 0 } },
          { op: 'SequenceAt', inputs: ['parts', 'last'], outputs: ['tail'] },
          { op: 'SequenceAt', inputs: ['parts', 'first'], outputs: ['head'] },
          { op: 'SequenceConstruct', inputs: ['tail', 'head'], outputs: ['rolled'] },
          { op: 'ConcatFromSequence', inputs: ['rolled'], outputs: ['cat'], attributes: { axis: 0 } },
          { op: 'Mul', inputs: ['cat', 'g'], outputs: ['y'] },
        ],
      }));
      const g = rand([3, 4]);
      const gt = tm.tensor(Array.from(g.v), [3, 4]);
      const y = m.forward(gt);
      const loss = tm.sum(y);
      loss.backward();
      const gf = f32(g).v;
      const want = [...gf.slice(8, 12), ...gf.slice(0, 8)];
      expectClose(await m.namedParameters().W.grad!.data(), want, 1e-6, `dW (seed ${SEED})`);
      expectClose(await y.data(), [...f32(w).v.slice(4), ...f32(w).v.slice(0, 4)].map((v, k) => v * gf[k]), 1e-6, 'forward');
      for (const t of [gt, y, loss]) t.dispose();
      m.dispose();
    });
  });

  describe('lists from If branches', () => {
    const branch = (name: string, items: string[]): SubgraphSpec => ({
      name,
      inputs: [],
      outputs: [{ name: `${name}_list`, sequence: true }],
      nodes: [{ op: 'SequenceConstruct', inputs: items, outputs: [`${name}_list`] }],
    });
    const ifModel = (a: F64, b: F64, cond: 'constant' | 'fed', thenItems: string[], elseItems: string[]): Uint8Array =>
      onnxModel({
        inputs: [{ name: 'x0', shape: a.shape }, { name: 'x1', shape: b.shape }, ...(cond === 'fed' ? [{ name: 'c', type: 'bool' as const, shape: [] }] : [])],
        outputs: [{ name: 'y' }, { name: 'n', type: 'int64' }],
        initializers: cond === 'constant' ? { c: bool(true) } : {},
        nodes: [
          { op: 'If', name: 'pick', inputs: ['c'], outputs: ['list'], attributes: { then_branch: { graph: branch('then', thenItems) }, else_branch: { graph: branch('else', elseItems) } } },
          { op: 'ConcatFromSequence', inputs: ['list'], outputs: ['y'], attributes: { axis: 0 } },
          { op: 'SequenceLength', inputs: ['list'], outputs: ['n'] },
        ],
      });

    it('takes the branch a host condition names, whatever the other list holds', async () => {
      const a = rand([2, 3]), b = rand([5, 3]);
      const [y, n] = await runModel(ifModel(a, b, 'constant', ['x0', 'x1', 'x0'], ['x1']), [feed(a), feed(b)]);
      expectArray(y, join([a, b, a], 0), 'then branch');
      expect([...n.v]).toEqual([3]);
    });

    it.each([true, false])('picks item by item with a device condition (%s) when the lists agree in length and shapes; runAsync runs the branch taken', async (taken) => {
      const a = rand([3, 4]), b = rand([3, 4]);
      const bytes = ifModel(a, b, 'fed', ['x0', 'x1'], ['x1', 'x0']);
      const c = { shape: [], values: [taken ? 1 : 0], type: 'bool' as const };
      for (const mode of ['sync', 'async'] as const) {
        const [y, n] = await runModel(bytes, [feed(a), feed(b), c], mode);
        expectArray(y, join(taken ? [a, b] : [b, a], 0), `${mode} run`);
        expect([...n.v]).toEqual([2]);
      }
    });

    it('refuses lists of different lengths under a device condition in run, and runs them in runAsync', async () => {
      const a = rand([2, 3]), b = rand([2, 3]);
      const bytes = ifModel(a, b, 'fed', ['x0', 'x1', 'x0'], ['x1']);
      const c = { shape: [], values: [0], type: 'bool' as const };
      await expect(runModel(bytes, [feed(a), feed(b), c])).rejects.toThrow(/node 'pick' \(If\): its condition is computed on the device.*a sequence of 3 tensors from then_branch but a sequence of 1 tensors from else_branch/);
      const [y] = await runModel(bytes, [feed(a), feed(b), c], 'async');
      expectArray(y, b, 'else branch in runAsync');
    });
  });

  describe('SequenceMap ([f(a, b, w) for a, b in zip(list_a, list_b)])', () => {
    /** Rows of x0 and of x1 mapped to a · w + b and −b, each list stacked back. */
    const mapModel = (x: F64, w: F64): Uint8Array =>
      onnxModel({
        inputs: [{ name: 'x0', shape: x.shape }, { name: 'x1', shape: x.shape }, { name: 'w', shape: w.shape }],
        outputs: [{ name: 'y0' }, { name: 'y1' }],
        nodes: [
          { op: 'SplitToSequence', inputs: ['x0'], outputs: ['la'], attributes: { axis: 0, keepdims: 0 } },
          { op: 'SplitToSequence', inputs: ['x1'], outputs: ['lb'], attributes: { axis: 0, keepdims: 0 } },
          {
            op: 'SequenceMap',
            name: 'map',
            inputs: ['la', 'lb', 'w'],
            outputs: ['m0', 'm1'],
            attributes: {
              body: {
                graph: {
                  name: 'f',
                  inputs: [{ name: 'a', shape: [x.shape[1]] }, { name: 'b', shape: [x.shape[1]] }, { name: 'wi', shape: w.shape }],
                  outputs: [{ name: 'o0', shape: [x.shape[1]] }, { name: 'o1', shape: [x.shape[1]] }],
                  nodes: [
                    { op: 'Mul', inputs: ['a', 'wi'], outputs: ['aw'] },
                    { op: 'Add', inputs: ['aw', 'b'], outputs: ['o0'] },
                    { op: 'Neg', inputs: ['b'], outputs: ['o1'] },
                  ],
                },
              },
            },
          },
          { op: 'ConcatFromSequence', inputs: ['m0'], outputs: ['y0'], attributes: { axis: 0, new_axis: 1 } },
          { op: 'ConcatFromSequence', inputs: ['m1'], outputs: ['y1'], attributes: { axis: 0, new_axis: 1 } },
        ],
      });

    it.each([[5, 3], [1, 7]])('maps two lists in step and a tensor passed whole, rows of [%i, %i], in run and runAsync', async (r, c) => {
      const a = rand([r, c]), b = rand([r, c]), w = rand([c]);
      const af = f32(a).v, bf = f32(b).v, wf = f32(w).v;
      const want0 = f64([r, c], af.map((v, k) => Math.fround(v * wf[k % c]) + bf[k]));
      const want1 = f64([r, c], bf.map((v) => -v));
      for (const mode of ['sync', 'async'] as const) {
        const [y0, y1] = await runModel(mapModel(a, w), [feed(a), feed(b), feed(w)], mode);
        expectArray(y0, want0, `${mode} a · w + b`, 1e-6);
        expectArray(y1, want1, `${mode} −b`);
      }
    });

    it('agrees with onnxruntime-web', async () => {
      const a = rand([4, 3]), b = rand([4, 3]), w = rand([3]);
      const bytes = mapModel(a, w);
      const [y0, y1] = await runModel(bytes, [feed(a), feed(b), feed(w)]);
      const got = await ortRun(bytes, { x0: ortFloat(a), x1: ortFloat(b), w: ortFloat(w) });
      expectClose(y0.v, Array.from(got.y0.data as Float32Array), 1e-6, 'y0 against onnxruntime-web');
      expectExact(y1.v, Array.from(got.y1.data as Float32Array), 'y1 against onnxruntime-web');
    });

    it('refuses lists of different lengths', async () => {
      const bytes = onnxModel({
        inputs: [{ name: 'x0', shape: [3, 2] }, { name: 'x1', shape: [4, 2] }],
        outputs: [{ name: 'y' }],
        nodes: [
          { op: 'SplitToSequence', inputs: ['x0'], outputs: ['la'] },
          { op: 'SplitToSequence', inputs: ['x1'], outputs: ['lb'] },
          {
            op: 'SequenceMap', name: 'map', inputs: ['la', 'lb'], outputs: ['m'],
            attributes: { body: { graph: { name: 'f', inputs: [{ name: 'a' }, { name: 'b' }], outputs: [{ name: 'o' }], nodes: [{ op: 'Add', inputs: ['a', 'b'], outputs: ['o'] }] } } },
          },
          { op: 'ConcatFromSequence', inputs: ['m'], outputs: ['y'], attributes: { axis: 0 } },
        ],
      });
      await expect(runModel(bytes, [feed(rand([3, 2])), feed(rand([4, 2]))])).rejects.toThrow(/node 'map' \(SequenceMap\): its sequences differ in length: input 0 \(la\) holds 3 tensors, input 1 \(lb\) 4/);
    });
  });

  describe('errors', () => {
    const three = [rand([2, 3]), rand([2, 4]), rand([2, 3])];
    const listThen = (node: NodeSpec, initializers: Record<string, TensorSpec> = {}) =>
      model(three, [{ op: 'SequenceConstruct', inputs: ['x0', 'x1', 'x2'], outputs: ['list'] }, node], ['y'], initializers);

    it.each([3, -4])('SequenceAt at position %i of three tensors', async (p) => {
      const bytes = listThen({ op: 'SequenceAt', name: 'at', inputs: ['list', 'p'], outputs: ['y'] }, { p: int64(p) });
      await expect(runModel(bytes, three.map((x) => feed(x)))).rejects.toThrow(new RegExp(`node 'at' \\(SequenceAt\\): position ${p} is out of range for a sequence of 3 tensors \\(positions run from -3 to 2\\)`));
    });

    it('ConcatFromSequence of tensors whose other dimensions differ', async () => {
      const bytes = listThen({ op: 'ConcatFromSequence', name: 'cat', inputs: ['list'], outputs: ['y'], attributes: { axis: 0 } });
      await expect(runModel(bytes, three.map((x) => feed(x)))).rejects.toThrow(/node 'cat' \(ConcatFromSequence\): its sequence's tensor 1 is \[2, 4\] but tensor 0 is \[2, 3\]; concatenating them along axis 0 needs/);
      const stacked = listThen({ op: 'ConcatFromSequence', name: 'cat', inputs: ['list'], outputs: ['y'], attributes: { axis: 0, new_axis: 1 } });
      await expect(runModel(stacked, three.map((x) => feed(x)))).rejects.toThrow(/its sequence's tensor 1 is \[2, 4\] but tensor 0 is \[2, 3\]; stacking them \(new_axis = 1\) needs every tensor the same shape/);
    });

    it('SequenceInsert of an integer tensor into a list of floats', async () => {
      const bytes = listThen({ op: 'SequenceInsert', name: 'ins', inputs: ['list', 'k'], outputs: ['y'] }, { k: int64([1, 2]) });
      await expect(runModel(bytes, three.map((x) => feed(x)))).rejects.toThrow(/node 'ins' \(SequenceInsert\): the tensor inserted \(input 1, k\) is int64, but the sequence holds float tensors/);
    });

    it('SplitToSequence sizes that do not add up to the axis', async () => {
      const x = rand([4, 5]);
      await expect(runModel(splitModel(x, 1, { axis: 1 }, [2, 2]), [feed(x)])).rejects.toThrow(/its split \[2, 2\] adds up to 4, not to the 5 of axis 1/);
    });

    it('a tensor op given a sequence, and a sequence op given a tensor', async () => {
      const x = rand([2, 3]);
      const relu = model([x], [{ op: 'SplitToSequence', inputs: ['x0'], outputs: ['s'] }, { op: 'Relu', name: 'r', inputs: ['s'], outputs: ['y'] }], ['y']);
      await expect(runModel(relu, [feed(x)])).rejects.toThrow(/node 'r' \(Relu\): input 0 \(s\) is a sequence of 2 tensors; Relu takes a tensor there/);
      const at = model([x], [{ op: 'SequenceAt', name: 'at', inputs: ['x0', 'p'], outputs: ['y'] }], ['y'], { p: int64(0) });
      await expect(runModel(at, [feed(x)])).rejects.toThrow(/node 'at' \(SequenceAt\): input 0 \(x0\) is a tensor \[2, 3\]; SequenceAt takes a sequence there/);
    });

    it('a sequence output, declared or found, refused by run and runAsync, which give tensors (runValues gives arrays)', async () => {
      const x = rand([2, 3]);
      const declared = onnxModel({
        inputs: [{ name: 'x0', shape: [2, 3] }],
        outputs: [{ name: 'parts', sequence: true }],
        nodes: [{ op: 'SplitToSequence', inputs: ['x0'], outputs: ['parts'] }],
      });
      for (const mode of ['sync', 'async'] as const) {
        await expect(runModel(declared, [feed(x)], mode)).rejects.toThrow(/the graph output parts is seq\(float\); model.run and runAsync give tensors only: model.runValues \(runValuesAsync\) gives a sequence as an array of tensors/);
      }
      const undeclared = model([x], [{ op: 'SplitToSequence', inputs: ['x0'], outputs: ['y'] }], ['y']);
      for (const mode of ['sync', 'async'] as const) {
        await expect(runModel(undeclared, [feed(x)], mode)).rejects.toThrow(/the graph output y is a sequence of 2 tensors; model.run and runAsync give tensors only: model.runValues/);
      }
    });
  });
});
