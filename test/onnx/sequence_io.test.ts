// Sequences (seq(tensor)) at a model's edges (src/onnx/edges.ts) on every
// backend: a sequence input takes an array of tensors (each checked against
// the declared element type and shape, an empty array too) in run and
// runValues alike; a sequence output comes back from runValues (and
// runValuesAsync) as an array of tensors, each the caller's own (a tensor
// passed straight through, or twice, is copied); model.inputs and outputs
// name the type 'seq(float)'; gradients reach the tensors given in a list.
// References are float64 loops written here. onnxruntime-web's JavaScript
// API feeds and returns tensors only, so it has no part here (the in-graph
// sequence ops are checked beside it in test/onnx/ops/sequence.test.ts).
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { expectClose, expectExact, SEED, uniform } from '../helpers/data.js';
import { f64, size, type F64 } from '../helpers/float64.js';
import { onnxModel, type TensorSpec } from '../helpers/onnx.js';
import { floatTensor, runValues, type Read } from '../helpers/onnx_run.js';

const rand = (shape: number[]): F64 => f64(shape, uniform(size(shape)));
const f32 = (v: ArrayLike<number>): Float64Array => Float64Array.from(Float32Array.from(v));
const int64 = (v: number[]): TensorSpec => ({ type: 'int64', shape: [v.length], values: v });

function expectTensors(got: Read, want: readonly F64[], what: string): void {
  expect(Array.isArray(got), `${what} is an array`).toBe(true);
  const list = got as F64[];
  expect(list.map((t) => t.shape), `${what} shapes (test seed ${SEED})`).toEqual(want.map((t) => t.shape));
  list.forEach((t, k) => expectExact(t.v, f32(want[k].v), `${what} tensor ${k}`));
}

/** The rows [from, to) of a 2-D array. */
const rows = (x: F64, from: number, to: number): F64 => f64([to - from, x.shape[1]], x.v.slice(from * x.shape[1], to * x.shape[1]));

/** A model of a list input: its length, its tensors joined along axis 0, and the list itself (an Identity) as outputs. */
const listModel = (cols: number) =>
  onnxModel({
    inputs: [{ name: 'list', shape: [null, cols], sequence: true }],
    outputs: [{ name: 'n', type: 'int64', shape: [] }, { name: 'joined', shape: [null, cols] }, { name: 'same', shape: [null, cols], sequence: true }],
    nodes: [
      { op: 'SequenceLength', inputs: ['list'], outputs: ['n'] },
      { op: 'ConcatFromSequence', inputs: ['list'], outputs: ['joined'], attributes: { axis: 0 } },
      { op: 'Identity', inputs: ['list'], outputs: ['same'] },
    ],
  });

describe.each(BACKENDS)('tm.onnx sequences as graph inputs and outputs on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it.each([[[2, 1, 4], 3], [[5], 7]])('a sequence input of tensors of %j rows of %i: its length, its tensors joined, and itself back (copies)', async (lengths, cols) => {
    const xs = lengths.map((r) => rand([r, cols]));
    const bytes = listModel(cols);
    const model = tm.onnx.fromBytes(bytes);
    try {
      expect(model.inputs).toEqual([{ name: 'list', type: 'seq(float)', shape: [null, cols] }]);
      expect(model.outputs.map((o) => o.type)).toEqual(['int64', 'float', 'seq(float)']);
    } finally {
      model.dispose();
    }
    for (const mode of ['sync', 'async'] as const) {
      const got = await runValues(bytes, { list: xs }, mode);
      expectExact((got.n as F64).v, [xs.length], `${mode} length`);
      expectExact((got.joined as F64).v, f32(xs.flatMap((x) => [...x.v])), `${mode} joined`);
      expectTensors(got.same, xs, `${mode} the list back`);
    }
  });

  it('the tensors of a sequence output are the caller\'s own: the inputs passed through are copies, a tensor twice in a list two tensors', async () => {
    const xs = [rand([2, 3]), rand([1, 3])];
    const bytes = onnxModel({
      inputs: [{ name: 'list', shape: [null, 3], sequence: true }, { name: 'x', shape: [2, 3] }],
      outputs: [{ name: 'same', sequence: true }, { name: 'twice', sequence: true }],
      nodes: [
        { op: 'Identity', inputs: ['list'], outputs: ['same'] },
        { op: 'SequenceConstruct', inputs: ['x', 'x'], outputs: ['twice'] },
      ],
    });
    const model = tm.onnx.fromBytes(bytes);
    const list = xs.map(floatTensor), x = floatTensor(xs[0]);
    try {
      const got = model.runValues({ list, x });
      const same = got.same as tm.Tensor[], twice = got.twice as tm.Tensor[];
      expect(same.some((t, k) => t === list[k]) || twice.includes(x) || twice[0] === twice[1]).toBe(false);
      for (const t of [...same, ...twice]) t.dispose();
      expect(list.every((t) => !t.isDisposed) && !x.isDisposed).toBe(true);
      expectExact(await list[1].data(), f32(xs[1].v), 'an input tensor after its copy is freed');
    } finally {
      for (const t of [...list, x]) t.dispose();
      model.dispose();
    }
  });

  it('an empty list input, and a list output cut from a tensor (runValues and runValuesAsync)', async () => {
    const x = rand([7, 3]);
    const bytes = onnxModel({
      inputs: [{ name: 'list', shape: [null, 3], sequence: true }, { name: 'x', shape: [7, 3] }],
      outputs: [{ name: 'n', type: 'int64', shape: [] }, { name: 'parts', sequence: true }],
      nodes: [
        { op: 'SequenceLength', inputs: ['list'], outputs: ['n'] },
        { op: 'SplitToSequence', inputs: ['x', 'split'], outputs: ['parts'] },
      ],
      initializers: { split: int64([3, 0, 4]) },
    });
    for (const mode of ['sync', 'async'] as const) {
      const got = await runValues(bytes, { list: [], x }, mode);
      expectExact((got.n as F64).v, [0], `${mode} an empty list's length`);
      expectTensors(got.parts, [rows(x, 0, 3), rows(x, 3, 3), rows(x, 3, 7)], `${mode} x cut into 3, 0 and 4 rows`);
    }
    const empty = onnxModel({
      inputs: [{ name: 'list', sequence: true }],
      outputs: [{ name: 'same', sequence: true }],
      nodes: [{ op: 'Identity', inputs: ['list'], outputs: ['same'] }],
    });
    expect((await runValues(empty, { list: [] })).same).toEqual([]);
  });

  it('an integer sequence input fed i32 tensors', async () => {
    const bytes = onnxModel({
      inputs: [{ name: 'ids', type: 'int64', sequence: true }],
      outputs: [{ name: 'all', type: 'int64' }],
      nodes: [{ op: 'ConcatFromSequence', inputs: ['ids'], outputs: ['all'], attributes: { axis: 0 } }],
    });
    const model = tm.onnx.fromBytes(bytes);
    const ids = [tm.tensor([3, -1, 70000], [3], { dtype: 'i32' }), tm.tensor([5], [1], { dtype: 'i32' })];
    try {
      const out = model.run({ ids });
      expect(Array.from(await out.all.data())).toEqual([3, -1, 70000, 5]);
      out.all.dispose();
    } finally {
      ids.forEach((t) => t.dispose());
      model.dispose();
    }
  });

  it('gradients reach each tensor given in a list', async () => {
    const xs = [rand([2, 3]), rand([3, 3])], w = rand([3]);
    const bytes = onnxModel({
      inputs: [{ name: 'list', shape: [null, 3], sequence: true }],
      outputs: [{ name: 'y' }],
      nodes: [
        { op: 'ConcatFromSequence', inputs: ['list'], outputs: ['all'], attributes: { axis: 0 } },
        { op: 'Mul', inputs: ['all', 'w'], outputs: ['y'] },
      ],
      initializers: { w: { shape: [3], values: w.v } },
    });
    const model = tm.onnx.fromBytes(bytes);
    const list = xs.map(floatTensor);
    list.forEach((t) => (t.requiresGrad = true));
    try {
      const loss = tm.tidy(() => model.run({ list }).y.square().sum());
      loss.backward();
      // d/dx Σ (x w)² = 2 x w².
      const wf = f32(w.v);
      for (const [k, t] of list.entries()) expectClose(await t.grad!.data(), f32(xs[k].v).map((v, j) => 2 * v * wf[j % 3] ** 2), 1e-5, `list tensor ${k} gradient`);
      loss.dispose();
    } finally {
      list.forEach((t) => {
        t.grad?.dispose();
        t.dispose();
      });
      model.dispose();
    }
  });

  it('names what is wrong with a sequence given: a tensor for a list, an element type or shape the model does not take, a list for a tensor', () => {
    const model = tm.onnx.fromBytes(listModel(3));
    const [a, b] = [floatTensor(rand([2, 3])), floatTensor(rand([2, 4]))];
    const k = tm.tensor([1, 2, 3], [1, 3], { dtype: 'i32' });
    try {
      expect(() => model.runValues({ list: a })).toThrow(/onnx: input list is a sequence \(seq\(float\)\) and takes an array of tensors, got a f32 tensor \[2, 3\]/);
      expect(() => model.runValues({ list: [a, k] })).toThrow(/onnx: input list's tensor 1 is i32; the model takes float there, given as f32/);
      expect(() => model.runValues({ list: [a, b] })).toThrow(/onnx: input list's tensor 1 is \[2, 4\]; the model takes \[\?, 3\]/);
      expect(() => model.runValues({ list: null })).toThrow(/onnx: input list is a sequence \(seq\(float\)\) and takes an array of tensors, got null/);
    } finally {
      for (const t of [a, b, k]) t.dispose();
      model.dispose();
    }
    const plain = tm.onnx.fromBytes(onnxModel({ inputs: [{ name: 'x', shape: [2, 3] }], outputs: [{ name: 'y' }], nodes: [{ op: 'Relu', inputs: ['x'], outputs: ['y'] }] }));
    const c = floatTensor(rand([2, 3]));
    try {
      expect(() => plain.run({ x: [c, c] })).toThrow(/onnx: input x must be a tensor, got an array of 2/);
    } finally {
      c.dispose();
      plain.dispose();
    }
  });
});
