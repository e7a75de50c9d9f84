// ONNX's optional type (src/onnx/optional.ts, src/onnx/ops/optional.ts) on
// every backend: Optional wrapping a tensor or a sequence, or making an empty
// optional of its type attribute; OptionalHasElement and OptionalGetElement
// on optionals, and (opset 18) on plain tensors and no input at all. Then the
// patterns torch.jit.script exports for Optional[Tensor]: a model input that
// may be None (`if bias is not None:` as OptionalHasElement → If, decided
// on the host), a Loop carrying an optional that starts empty, If branches
// returning optionals (picked with where under a device condition);
// optional inputs fed null or left out, optional outputs as null from
// runValues; gradients through an optional; runAsync; and the errors. The
// references are float64 loops written here; onnxruntime-web (whose wasm
// build runs the Optional* ops, though its JavaScript API feeds and returns
// only tensors) runs the in-graph patterns too. Every run checks each tensor
// it made freed.
import * as ort from 'onnxruntime-web';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { expectClose, expectExact, SEED, uniform } from '../helpers/data.js';
import { f64, size, type F64 } from '../helpers/float64.js';
import { onnxModel, type NodeSpec, type SubgraphSpec, type TensorSpec, type ValueSpec } from '../helpers/onnx.js';
import { feed, floatTensor, runModel, runValues, type Read } from '../helpers/onnx_run.js';
import { ortRun } from '../helpers/ort.js';

const rand = (shape: number[]): F64 => f64(shape, uniform(size(shape)));
const f32 = (v: ArrayLike<number>): Float64Array => Float64Array.from(Float32Array.from(v));
const int64 = (v: number): TensorSpec => ({ type: 'int64', shape: [], values: [v] });
const bool = (v: boolean): TensorSpec => ({ type: 'bool', shape: [], values: [v ? 1 : 0] });
const ortFloat = (x: F64): ort.Tensor => new ort.Tensor('float32', Float32Array.from(x.v), [...x.shape]);

function expectTensor(got: Read, shape: readonly number[], want: ArrayLike<number>, what: string, tol = 0): void {
  expect(got === null || Array.isArray(got), `${what} is a tensor`).toBe(false);
  const t = got as F64;
  expect(t.shape, `${what} shape (test seed ${SEED})`).toEqual(shape);
  if (tol) expectClose(t.v, want, tol, what);
  else expectExact(t.v, f32(want), what);
}

/** y = x · 2 through an optional: Optional(x) → OptionalGetElement → Mul, and OptionalHasElement of it. */
function wrapModel(x: F64, opset: number): Uint8Array {
  return onnxModel({
    opset,
    inputs: [{ name: 'x', shape: x.shape }],
    outputs: [{ name: 'has', type: 'bool', shape: [] }, { name: 'y', shape: x.shape }],
    nodes: [
      { op: 'Optional', name: 'wrap', inputs: ['x'], outputs: ['o'] },
      { op: 'OptionalHasElement', inputs: ['o'], outputs: ['has'] },
      { op: 'OptionalGetElement', inputs: ['o'], outputs: ['e'] },
      { op: 'Mul', inputs: ['e', 'two'], outputs: ['y'] },
    ],
    initializers: { two: { shape: [], values: [2] } },
  });
}

/**
 * torch.jit.script of `def f(x, bias: Optional[Tensor]): return x + bias if bias is not None else x * 3`:
 * bias an input of type optional(tensor(float)), the branch picked by OptionalHasElement.
 */
function optionalInputModel(x: F64): Uint8Array {
  const branch = (name: string, nodes: NodeSpec[]): SubgraphSpec => ({ name, inputs: [], outputs: [{ name: `${name}_y` }], nodes });
  return onnxModel({
    opset: 15,
    inputs: [{ name: 'x', shape: x.shape }, { name: 'bias', shape: [x.shape[x.shape.length - 1]], optional: true }],
    outputs: [{ name: 'y' }],
    nodes: [
      { op: 'OptionalHasElement', inputs: ['bias'], outputs: ['given'] },
      {
        op: 'If',
        name: 'is_not_none',
        inputs: ['given'],
        outputs: ['y'],
        attributes: {
          then_branch: { graph: branch('then', [{ op: 'OptionalGetElement', inputs: ['bias'], outputs: ['b'] }, { op: 'Add', inputs: ['x', 'b'], outputs: ['then_y'] }]) },
          else_branch: { graph: branch('else', [{ op: 'Mul', inputs: ['x', 'three'], outputs: ['else_y'] }]) },
        },
      },
    ],
    initializers: { three: { shape: [], values: [3] } },
  });
}

/** The body of a Loop carrying `acc: Optional[Tensor] = None` (Python: acc = x * i if acc is None else acc + x * i), its If branches returning optionals. */
function accumulateBody(x: F64): SubgraphSpec {
  const ox: ValueSpec = { name: '', shape: x.shape, optional: true };
  const branch = (name: string, nodes: NodeSpec[]): SubgraphSpec => ({ name, inputs: [], outputs: [{ ...ox, name: `${name}_acc` }], nodes });
  return {
    name: 'body',
    inputs: [{ name: 'i', type: 'int64', shape: [] }, { name: 'cond_in', type: 'bool', shape: [] }, { ...ox, name: 'acc_in' }],
    outputs: [{ name: 'cond_out', type: 'bool', shape: [] }, { ...ox, name: 'acc_out' }],
    nodes: [
      { op: 'Identity', inputs: ['cond_in'], outputs: ['cond_out'] },
      { op: 'Cast', inputs: ['i'], outputs: ['fi'], attributes: { to: 1 } },
      { op: 'Mul', inputs: ['x', 'fi'], outputs: ['xi'] },
      { op: 'OptionalHasElement', inputs: ['acc_in'], outputs: ['set'] },
      {
        op: 'If',
        name: 'first',
        inputs: ['set'],
        outputs: ['acc_out'],
        attributes: {
          then_branch: { graph: branch('add', [{ op: 'OptionalGetElement', inputs: ['acc_in'], outputs: ['a'] }, { op: 'Add', inputs: ['a', 'xi'], outputs: ['sum'] }, { op: 'Optional', inputs: ['sum'], outputs: ['add_acc'] }]) },
          else_branch: { graph: branch('start', [{ op: 'Optional', inputs: ['xi'], outputs: ['start_acc'] }]) },
        },
      },
    ],
  };
}

/** for i in range(M) over accumulateBody, outputting whether acc was set and acc itself (an optional output). */
function accumulateModel(x: F64, trips: number): Uint8Array {
  return onnxModel({
    opset: 18,
    inputs: [{ name: 'x', shape: x.shape }],
    outputs: [{ name: 'set', type: 'bool', shape: [] }, { name: 'acc', shape: x.shape, optional: true }],
    nodes: [
      { op: 'Optional', name: 'none', inputs: [], outputs: ['acc0'], attributes: { type: { type: { shape: x.shape } } } },
      { op: 'Loop', name: 'loop', inputs: ['M', 'cond', 'acc0'], outputs: ['acc'], attributes: { body: { graph: accumulateBody(x) } } },
      { op: 'OptionalHasElement', inputs: ['acc'], outputs: ['set'] },
    ],
    initializers: { M: int64(trips), cond: bool(true) },
  });
}

/** accumulateModel's result: Σ x · i for i < trips, in f32 as the graph computes it; null for none. */
function accumulateRef(x: F64, trips: number): Float64Array | null {
  if (!trips) return null;
  const xf = f32(x.v);
  const acc = xf.map(() => 0);
  for (let i = 0; i < trips; i++) for (let k = 0; k < acc.length; k++) acc[k] = Math.fround(acc[k] + Math.fround(xf[k] * i));
  return acc;
}

it('tm.onnx.SUPPORTED_OPS lists the optional ops', () => {
  expect(tm.onnx.SUPPORTED_OPS).toEqual(expect.arrayContaining(['Optional', 'OptionalHasElement', 'OptionalGetElement']));
});

describe.each(BACKENDS)('tm.onnx optional values on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  describe('the ops', () => {
    it.each([15, 18])('Optional wraps a tensor: OptionalHasElement is true, OptionalGetElement gives it back (opset %i), as onnxruntime-web', async (opset) => {
      const x = rand([3, 5]);
      const bytes = wrapModel(x, opset);
      const [has, y] = await runModel(bytes, [feed(x)]);
      expect([...has.v]).toEqual([1]);
      expectExact(y.v, f32(x.v).map((v) => v * 2), 'x · 2');
      const got = await ortRun(bytes, { x: ortFloat(x) });
      expect(Array.from(got.has.data as Uint8Array)).toEqual([1]);
      expectExact(y.v, Array.from(got.y.data as Float32Array), 'y against onnxruntime-web');
    });

    it('an empty optional of the type attribute holds nothing; an integer tensor wraps and unwraps as it is', async () => {
      const k = [3, -7, 2 ** 20];
      const bytes = onnxModel({
        opset: 15,
        inputs: [{ name: 'k', type: 'int64', shape: [3] }],
        outputs: [{ name: 'none', type: 'bool', shape: [] }, { name: 'has', type: 'bool', shape: [] }, { name: 'k2', type: 'int64', shape: [3] }],
        nodes: [
          { op: 'Optional', inputs: [], outputs: ['empty'], attributes: { type: { type: { type: 'float', shape: [2] } } } },
          { op: 'OptionalHasElement', inputs: ['empty'], outputs: ['none'] },
          { op: 'Optional', inputs: ['k'], outputs: ['ok'], attributes: { type: { type: { type: 'int64' } } } },
          { op: 'OptionalHasElement', inputs: ['ok'], outputs: ['has'] },
          { op: 'OptionalGetElement', inputs: ['ok'], outputs: ['k1'] },
          { op: 'Add', inputs: ['k1', 'k1'], outputs: ['k2'] },
        ],
      });
      const [none, has, k2] = await runModel(bytes, [{ shape: [3], values: k, type: 'int64' }]);
      expect([...none.v, ...has.v]).toEqual([0, 1]);
      expect([...k2.v]).toEqual(k.map((v) => 2 * v));
      const got = await ortRun(bytes, { k: new ort.Tensor('int64', BigInt64Array.from(k.map(BigInt)), [3]) });
      expect([...(got.none.data as Uint8Array), ...(got.has.data as Uint8Array)]).toEqual([0, 1]);
      expect(Array.from(got.k2.data as BigInt64Array, Number)).toEqual(k.map((v) => 2 * v));
    });

    it('an optional of a sequence, and an empty optional(seq(float))', async () => {
      const x = rand([5, 3]);
      const bytes = onnxModel({
        opset: 15,
        inputs: [{ name: 'x', shape: x.shape }],
        outputs: [{ name: 'has', type: 'bool', shape: [] }, { name: 'none', type: 'bool', shape: [] }, { name: 'n', type: 'int64', shape: [] }, { name: 'y' }],
        nodes: [
          { op: 'SplitToSequence', inputs: ['x'], outputs: ['rows'], attributes: { axis: 0, keepdims: 0 } },
          { op: 'Optional', inputs: ['rows'], outputs: ['o'] },
          { op: 'OptionalHasElement', inputs: ['o'], outputs: ['has'] },
          { op: 'OptionalGetElement', inputs: ['o'], outputs: ['list'] },
          { op: 'SequenceLength', inputs: ['list'], outputs: ['n'] },
          { op: 'ConcatFromSequence', inputs: ['list'], outputs: ['y'], attributes: { axis: 1, new_axis: 1 } },
          { op: 'Optional', inputs: [], outputs: ['empty'], attributes: { type: { type: { sequence: true } } } },
          { op: 'OptionalHasElement', inputs: ['empty'], outputs: ['none'] },
        ],
      });
      const [has, none, n, y] = await runModel(bytes, [feed(x)]);
      expect([...has.v, ...none.v, ...n.v]).toEqual([1, 0, 5]);
      // Rows stacked along axis 1: the transpose.
      const xf = f32(x.v);
      expectExact(y.v, Array.from({ length: 15 }, (_, k) => xf[(k % 5) * 3 + Math.floor(k / 5)]), 'rows stacked along axis 1');
      expect(y.shape).toEqual([3, 5]);
      const got = await ortRun(bytes, { x: ortFloat(x) });
      expect([...(got.has.data as Uint8Array), ...(got.none.data as Uint8Array)]).toEqual([1, 0]);
      expectExact(y.v, Array.from(got.y.data as Float32Array), 'y against onnxruntime-web');
    });

    it('opset 18: OptionalHasElement of a tensor is true and of no input false; OptionalGetElement gives a tensor or a sequence back', async () => {
      const x = rand([2, 3]);
      const bytes = onnxModel({
        opset: 18,
        inputs: [{ name: 'x', shape: x.shape }],
        outputs: [{ name: 'has', type: 'bool', shape: [] }, { name: 'nothing', type: 'bool', shape: [] }, { name: 'y', shape: x.shape }, { name: 'n', type: 'int64', shape: [] }],
        nodes: [
          { op: 'OptionalHasElement', inputs: ['x'], outputs: ['has'] },
          { op: 'OptionalHasElement', inputs: [''], outputs: ['nothing'] },
          { op: 'OptionalGetElement', inputs: ['x'], outputs: ['y'] },
          { op: 'SplitToSequence', inputs: ['x'], outputs: ['rows'] },
          { op: 'OptionalGetElement', inputs: ['rows'], outputs: ['same'] },
          { op: 'SequenceLength', inputs: ['same'], outputs: ['n'] },
        ],
      });
      const [has, nothing, y, n] = await runModel(bytes, [feed(x)]);
      expect([...has.v, ...nothing.v, ...n.v]).toEqual([1, 0, 2]);
      expectExact(y.v, f32(x.v), 'x given back');
      const got = await ortRun(bytes, { x: ortFloat(x) });
      expect([...(got.has.data as Uint8Array), ...(got.nothing.data as Uint8Array)]).toEqual([1, 0]);
      expect(Array.from(got.n.data as BigInt64Array, Number)).toEqual([2]);
    });
  });

  describe('Optional[Tensor] as scripted PyTorch exports it', () => {
    it('an optional model input: fed a tensor, fed null, left out (by name or from the end of the list), decided on the host', async () => {
      const x = rand([4, 3]), bias = rand([3]);
      const bytes = optionalInputModel(x);
      const model = tm.onnx.fromBytes(bytes);
      try {
        expect(model.inputs.map((i) => [i.name, i.type, i.shape])).toEqual([['x', 'float', [4, 3]], ['bias', 'optional(float)', [3]]]);
      } finally {
        model.dispose();
      }
      const xf = f32(x.v), bf = f32(bias.v);
      const added = f32(xf.map((v, k) => v + bf[k % 3])), tripled = f32(xf.map((v) => v * 3));
      for (const mode of ['sync', 'async'] as const) {
        expectTensor((await runValues(bytes, { x, bias }, mode)).y, [4, 3], added, `${mode} x + bias`);
        expectTensor((await runValues(bytes, { x, bias: null }, mode)).y, [4, 3], tripled, `${mode} bias null: x · 3`);
        expectTensor((await runValues(bytes, { x }, mode)).y, [4, 3], tripled, `${mode} bias left out: x · 3`);
      }
      const [y] = await runModel(bytes, [feed(x)]);
      expectExact(y.v, tripled, 'run([x]): the optional input at the end left out');
      expectExact(Array.from((await ortRun(bytes, { x: ortFloat(x), bias: ortFloat(bias) })).y.data as Float32Array), added, 'x + bias against onnxruntime-web');
      // onnxruntime-web's session.run refuses a feed left out ("input 'bias' is missing in 'feeds'") and takes no null: only the tensor case compares.
    });

    it.each([[4, [2, 3]], [1, [5]], [0, [3, 2]]])('a Loop carrying an optional that starts empty, %i iterations of [%s], its If branches returning optionals (run, runAsync, onnxruntime-web)', async (trips, shape) => {
      const x = rand(shape);
      const bytes = accumulateModel(x, trips);
      const want = accumulateRef(x, trips);
      for (const mode of ['sync', 'async'] as const) {
        const got = await runValues(bytes, { x }, mode);
        expectTensor(got.set, [], [want ? 1 : 0], `${mode} acc is set`);
        if (want) expectTensor(got.acc, shape, want, `${mode} Σ x · i`);
        else expect(got.acc, `${mode}: no iteration leaves acc None`).toBeNull();
      }
      if (want) {
        // onnxruntime-web's JavaScript API returns tensors only: its acc read through OptionalGetElement.
        const unwrapped = onnxModel({
          opset: 18,
          inputs: [{ name: 'x', shape: x.shape }],
          outputs: [{ name: 'y', shape: x.shape }],
          nodes: [
            { op: 'Optional', inputs: [], outputs: ['acc0'], attributes: { type: { type: { shape: x.shape } } } },
            { op: 'Loop', inputs: ['M', 'cond', 'acc0'], outputs: ['acc'], attributes: { body: { graph: accumulateBody(x) } } },
            { op: 'OptionalGetElement', inputs: ['acc'], outputs: ['y'] },
          ],
          initializers: { M: int64(trips), cond: bool(true) },
        });
        const got = await ortRun(unwrapped, { x: ortFloat(x) });
        expectExact(Array.from(got.y.data as Float32Array), want, 'Σ x · i from onnxruntime-web');
        const [y] = await runModel(unwrapped, [feed(x)]);
        expectExact(y.v, want, 'Σ x · i through OptionalGetElement');
      }
    });

    it('If under a device condition picks between two full optionals with where, and refuses a full against an empty one', async () => {
      const x = rand([2, 3]);
      const pick = (elseEmpty: boolean): Uint8Array => {
        const branch = (name: string, nodes: NodeSpec[]): SubgraphSpec => ({ name, inputs: [], outputs: [{ name: `${name}_o`, optional: true }], nodes });
        return onnxModel({
          opset: 18,
          inputs: [{ name: 'x', shape: x.shape }],
          outputs: [{ name: 'y' }],
          nodes: [
            { op: 'ReduceSum', inputs: ['x'], outputs: ['s'], attributes: { keepdims: 0 } },
            { op: 'Greater', inputs: ['s', 'zero'], outputs: ['positive'] },
            {
              op: 'If',
              name: 'pick',
              inputs: ['positive'],
              outputs: ['o'],
              attributes: {
                then_branch: { graph: branch('pos', [{ op: 'Neg', inputs: ['x'], outputs: ['nx'] }, { op: 'Optional', inputs: ['nx'], outputs: ['pos_o'] }]) },
                else_branch: { graph: branch('neg', elseEmpty ? [{ op: 'Optional', inputs: [], outputs: ['neg_o'], attributes: { type: { type: {} } } }] : [{ op: 'Optional', inputs: ['x'], outputs: ['neg_o'] }]) },
              },
            },
            { op: 'OptionalGetElement', inputs: ['o'], outputs: ['y'] },
          ],
          initializers: { zero: { shape: [], values: [0] } },
        });
      };
      const xf = f32(x.v);
      const sum = xf.reduce((a, b) => a + b, 0);
      const [y] = await runModel(pick(false), [feed(x)]);
      expectExact(y.v, sum > 0 ? xf.map((v) => -v) : xf, 'picked by the sign of Σx');
      await expect(runModel(pick(true), [feed(x)])).rejects.toThrow(/node 'pick' \(If\): its condition is computed on the device.*output 0 \(o\) is an optional holding a tensor \[2, 3\] from then_branch but an empty optional\(float\) from else_branch/);
      // runAsync reads the condition back and runs only the branch taken.
      if (sum > 0) expectTensor((await runValues(pick(true), { x }, 'async')).y, [2, 3], xf.map((v) => -v), 'async: the then branch');
      else await expect(runValues(pick(true), { x }, 'async')).rejects.toThrow(/node 'OptionalGetElement_3' \(OptionalGetElement\): input 0 \(o\) is an empty optional\(float\): there is no element to get/);
    });
  });

  describe('graph inputs and outputs', () => {
    it('an optional output is its tensor or null from runValues; run refuses it, naming runValues, and forward gives the tensor output before it', async () => {
      const x = rand([3, 2]);
      const bytes = accumulateModel(x, 2);
      const model = tm.onnx.fromBytes(bytes);
      const t = floatTensor(x);
      try {
        expect(model.outputs.map((o) => o.type)).toEqual(['bool', 'optional(float)']);
        expect(() => model.run([t])).toThrow(/the graph output acc is optional\(float\); model.run and runAsync give tensors only: model.runValues \(runValuesAsync\) gives/);
        await expect(model.runAsync([t])).rejects.toThrow(/the graph output acc is optional\(float\)/);
        // forward computes the first output alone: the tensor, not the optional after it.
        const first = tm.noGrad(() => model.forward(t));
        const all = tm.noGrad(() => model.runValues([t]));
        expect(Array.from(await first.data())).toEqual(Array.from(await (all[model.outputs[0].name] as tm.Tensor).data()));
        for (const v of [first, ...Object.values(all)]) if (v instanceof tm.Tensor) v.dispose();
      } finally {
        t.dispose();
        model.dispose();
      }
    });

    it('an optional of an integer type fed an i32 tensor, and an optional(seq(float)) input fed an array or null', async () => {
      const xs = [rand([2, 3]), rand([1, 3])];
      const bytes = onnxModel({
        opset: 18,
        inputs: [{ name: 'list', shape: [null, 3], sequence: true, optional: true }],
        outputs: [{ name: 'has', type: 'bool', shape: [] }],
        nodes: [{ op: 'OptionalHasElement', inputs: ['list'], outputs: ['has'] }],
      });
      const model = tm.onnx.fromBytes(bytes);
      try {
        expect(model.inputs[0].type).toBe('optional(seq(float))');
      } finally {
        model.dispose();
      }
      expectTensor((await runValues(bytes, { list: xs })).has, [], [1], 'a list given');
      expectTensor((await runValues(bytes, { list: [] })).has, [], [1], 'an empty list given: an optional holding an empty sequence');
      expectTensor((await runValues(bytes, { list: null })).has, [], [0], 'null');
    });

    it('gradients flow through an optional to the tensor inside and to a parameter', async () => {
      const x = rand([3, 4]), w = rand([4]);
      const bytes = onnxModel({
        opset: 15,
        inputs: [{ name: 'x', shape: x.shape }],
        outputs: [{ name: 'y' }],
        nodes: [
          { op: 'Mul', inputs: ['x', 'w'], outputs: ['xw'] },
          { op: 'Optional', inputs: ['xw'], outputs: ['o'] },
          { op: 'OptionalGetElement', inputs: ['o'], outputs: ['e'] },
          { op: 'Mul', inputs: ['e', 'e'], outputs: ['y'] },
        ],
        initializers: { w: { shape: [4], values: w.v } },
      });
      const model = tm.onnx.fromBytes(bytes);
      const xt = floatTensor(x);
      xt.requiresGrad = true;
      try {
        const loss = tm.tidy(() => model.forward(xt).sum());
        loss.backward();
        // d/dx Σ (x w)² = 2 x w², d/dw = Σ_rows 2 x² w.
        const xf = f32(x.v), wf = f32(w.v);
        expectClose(await xt.grad!.data(), xf.map((v, k) => 2 * v * wf[k % 4] ** 2), 1e-5, 'x gradient');
        const wGrad = wf.map((wv, j) => [0, 1, 2].reduce((a, r) => a + 2 * xf[r * 4 + j] ** 2 * wv, 0));
        expectClose(await model.parameters()[0].grad!.data(), wGrad, 1e-5, 'w gradient');
        loss.dispose();
      } finally {
        xt.grad?.dispose();
        xt.dispose();
        model.dispose();
      }
    });
  });

  describe('errors', () => {
    const one = (opset: number, nodes: NodeSpec[], inputs: ValueSpec[] = [{ name: 'x', shape: [2, 3] }]): Uint8Array =>
      onnxModel({ opset, inputs, outputs: [{ name: 'y' }], nodes });
    const x = rand([2, 3]);

    it('OptionalGetElement of an empty optional, Optional with neither input nor type, an optional given where a tensor goes', async () => {
      const empty = one(15, [{ op: 'Optional', inputs: [], outputs: ['o'], attributes: { type: { type: {} } } }, { op: 'OptionalGetElement', name: 'get', inputs: ['o'], outputs: ['y'] }]);
      await expect(runModel(empty, [feed(x)])).rejects.toThrow(/node 'get' \(OptionalGetElement\): input 0 \(o\) is an empty optional\(float\): there is no element to get \(test it with OptionalHasElement first\)/);
      const untyped = one(15, [{ op: 'Optional', name: 'none', inputs: [], outputs: ['y'] }]);
      await expect(runModel(untyped, [feed(x)])).rejects.toThrow(/node 'none' \(Optional\): has no input and no type attribute: an empty optional needs its type/);
      const relu = one(15, [{ op: 'Optional', inputs: ['x'], outputs: ['o'] }, { op: 'Relu', name: 'r', inputs: ['o'], outputs: ['y'] }]);
      await expect(runModel(relu, [feed(x)])).rejects.toThrow(/node 'r' \(Relu\): input 0 \(o\) is an optional holding a tensor \[2, 3\]; Relu takes a tensor there \(OptionalGetElement takes the tensor out of an optional\)/);
      const twice = one(15, [{ op: 'Optional', inputs: ['x'], outputs: ['o'] }, { op: 'Optional', name: 'again', inputs: ['o'], outputs: ['y'] }]);
      await expect(runModel(twice, [feed(x)])).rejects.toThrow(/node 'again' \(Optional\): input 0 \(o\) is an optional holding a tensor \[2, 3\]; Optional wraps a tensor or a sequence of them, not an optional/);
    });

    it('a type attribute the input does not match, and one of a type tmnn has no optional of', async () => {
      const seq = one(15, [{ op: 'Optional', name: 'wrap', inputs: ['x'], outputs: ['o'], attributes: { type: { type: { sequence: true } } } }, { op: 'OptionalGetElement', inputs: ['o'], outputs: ['y'] }]);
      await expect(runModel(seq, [feed(x)])).rejects.toThrow(/node 'wrap' \(Optional\): its type attribute says optional\(seq\(float\)\), but input 0 \(x\) is a tensor \[2, 3\] of f32/);
      const ints = one(15, [{ op: 'Optional', name: 'wrap', inputs: ['x'], outputs: ['o'], attributes: { type: { type: { type: 'int64' } } } }, { op: 'OptionalGetElement', inputs: ['o'], outputs: ['y'] }]);
      await expect(runModel(ints, [feed(x)])).rejects.toThrow(/node 'wrap' \(Optional\): its type attribute says optional\(int64\), but input 0 \(x\) is a tensor \[2, 3\] of f32/);
      const nested = one(15, [{ op: 'Optional', name: 'wrap', inputs: [], outputs: ['y'], attributes: { type: { type: { optional: true } } } }]);
      await expect(runModel(nested, [feed(x)])).rejects.toThrow(/node 'wrap' \(Optional\): type = optional\(float\) is not supported: an optional holds a tensor or a sequence of tensors/);
      const maps = one(15, [{ op: 'Optional', name: 'wrap', inputs: [], outputs: ['y'], attributes: { type: { type: { sequence: true, mapKey: 'int64' } } } }]);
      await expect(runModel(maps, [feed(x)])).rejects.toThrow(/node 'wrap' \(Optional\): type = seq\(map\(int64,tensor\(float\)\)\) is not supported: an optional holds a tensor or a sequence of tensors/);
    });

    it('opsets before 18 take only optionals; before 15 there are none', async () => {
      const has = one(15, [{ op: 'OptionalHasElement', name: 'has', inputs: ['x'], outputs: ['y'] }]);
      await expect(runModel(has, [feed(x)])).rejects.toThrow(/node 'has' \(OptionalHasElement\): input 0 \(x\) is a tensor \[2, 3\]; before opset 18 \(the model imports 15\) OptionalHasElement takes an optional \(opset 18 takes a tensor or sequence too\)/);
      const get = one(17, [{ op: 'OptionalGetElement', name: 'get', inputs: ['x'], outputs: ['y'] }]);
      await expect(runModel(get, [feed(x)])).rejects.toThrow(/node 'get' \(OptionalGetElement\): input 0 \(x\) is a tensor \[2, 3\]; before opset 18 \(the model imports 17\)/);
      const nothing = one(15, [{ op: 'OptionalHasElement', name: 'has', inputs: [''], outputs: ['y'] }]);
      await expect(runModel(nothing, [feed(x)])).rejects.toThrow(/node 'has' \(OptionalHasElement\): input 0 is required before opset 18 \(the model imports 15\)/);
      const old = one(14, [{ op: 'Optional', name: 'wrap', inputs: ['x'], outputs: ['y'] }]);
      await expect(runModel(old, [feed(x)])).rejects.toThrow(/node 'wrap' \(Optional\): is an opset 15 op \(ONNX's optional type\); the model imports opset 14/);
    });

    it('null or nothing for an input that is not optional; a model input of a type tmnn has no value for', async () => {
      const model = tm.onnx.fromBytes(optionalInputModel(x));
      try {
        expect(() => model.runValues({ x: null, bias: null })).toThrow(/onnx: input x must be a tensor, got null; only an input of optional type \(x is float\) may be null or left out/);
        expect(() => model.runValues({ bias: null })).toThrow(/onnx: input x is missing; the model takes x, bias/);
        expect(() => model.runValues([])).toThrow(/onnx: the model takes 1 to 2 inputs \(x, bias\), got 0/);
      } finally {
        model.dispose();
      }
      // A seq(tensor) input's sequence_type (field 4 of its TypeProto) rewritten as a sparse_tensor_type (field 8).
      const bytes = onnxModel({ inputs: [{ name: 'list', sequence: true }], outputs: [{ name: 'n', type: 'int64' }], nodes: [{ op: 'SequenceLength', inputs: ['list'], outputs: ['n'] }] });
      const at = bytes.findIndex((b, i) => b === 0x22 && bytes[i + 2] === 0x0a && bytes[i + 3] === bytes[i + 1] - 2 && bytes[i + 4] === 0x0a);
      bytes[at] = 0x42;
      expect(() => tm.onnx.fromBytes(bytes)).toThrow(/onnx: the graph's input list is of type sparse_tensor\(…\); tmnn runs tensors, sequences of tensors \(seq\(tensor\)\) and optionals of either, takes one map/);
    });
  });
});
