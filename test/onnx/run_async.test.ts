// OnnxModel.runAsync and forwardAsync (src/onnx/graph.ts, model.ts) on every
// backend: models whose control flow or shapes depend on tensor data, which
// the synchronous run refuses (naming runAsync) — a Loop doubling its input
// until its sum passes a threshold, a Loop whose trip count is computed from
// an input, an If on the device whose branches differ in shape, a Reshape to a
// shape computed on the device, NonZero inside a Loop body — against plain JS
// and onnxruntime-web; gradients through a data-dependent Loop against finite
// differences; every tensor the run made freed, after a failure too; outputs
// the caller's own as in run.
import * as ort from 'onnxruntime-web';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { expectClose, expectExact, randomInts, SEED, uniform } from '../helpers/data.js';
import { collected } from '../helpers/gc.js';
import { onnxModel, type NodeSpec, type SubgraphSpec } from '../helpers/onnx.js';
import { runModel } from '../helpers/onnx_run.js';
import { ortRun } from '../helpers/ort.js';

const scalar = (type: 'bool' | 'int64' | 'float', v: number) => ({ type, shape: [], values: [v] });

/**
 * A while loop: x ← x · w until sum(x) reaches t, the condition computed on
 * the device before the loop and after each iteration; each iteration's x is
 * a scan output, so the output's length is the iteration count.
 */
function growModel(n: number, t: number, w: ArrayLike<number>): Uint8Array {
  const body: SubgraphSpec = {
    name: 'body',
    inputs: [{ name: 'i', type: 'int64', shape: [] }, { name: 'cond_in', type: 'bool', shape: [] }, { name: 'x', shape: [n] }],
    outputs: [{ name: 'cond_out', type: 'bool', shape: [] }, { name: 'x_out', shape: [n] }, { name: 'x_scan', type: 'float', shape: [n] }],
    nodes: [
      { op: 'Mul', inputs: ['x', 'w'], outputs: ['x_out'] },
      { op: 'Identity', inputs: ['x_out'], outputs: ['x_scan'] },
      { op: 'ReduceSum', inputs: ['x_out'], outputs: ['s'], attributes: { keepdims: 0 } },
      { op: 'Less', inputs: ['s', 't'], outputs: ['cond_out'] },
    ],
  };
  return onnxModel({
    inputs: [{ name: 'x0', shape: [n] }],
    outputs: [{ name: 'x', type: 'float' }, { name: 'steps', type: 'float' }],
    initializers: { t: scalar('float', t), w: { shape: [n], values: w } },
    nodes: [
      { op: 'ReduceSum', inputs: ['x0'], outputs: ['s0'], attributes: { keepdims: 0 } },
      { op: 'Less', inputs: ['s0', 't'], outputs: ['go'] },
      { op: 'Loop', name: 'grow', inputs: ['', 'go', 'x0'], outputs: ['x', 'steps'], attributes: { body: { graph: body } } },
    ],
  });
}

/** growModel in float64 (the caller rounds w to f32 as the file holds it). */
function growRef(x0: ArrayLike<number>, t: number, w: ArrayLike<number>): { x: number[]; steps: number[][] } {
  let x = Array.from(x0);
  const steps: number[][] = [];
  const sum = (v: number[]) => v.reduce((a, b) => a + b, 0);
  while (sum(x) < t) {
    x = x.map((v, j) => v * w[j]);
    steps.push(x);
  }
  return { x, steps };
}

/** An If on sum(x) > 0, computed on the device: then x twice over ([2n]), else sum(x) kept as [1]; `bad` makes else an impossible Reshape. */
function ifModel(n: number, bad = false): Uint8Array {
  const thenBranch: SubgraphSpec = { name: 'then', inputs: [], outputs: [{ name: 'twice' }], nodes: [{ op: 'Concat', inputs: ['x', 'x'], outputs: ['twice'], attributes: { axis: 0 } }] };
  const elseNodes: NodeSpec[] = bad
    ? [{ op: 'Reshape', inputs: ['x', 'wrong'], outputs: ['total'] }]
    : [{ op: 'ReduceSum', inputs: ['x'], outputs: ['total'], attributes: { keepdims: 1 } }];
  const elseBranch: SubgraphSpec = { name: 'else', inputs: [], outputs: [{ name: 'total' }], nodes: elseNodes };
  return onnxModel({
    inputs: [{ name: 'x', shape: [n] }],
    outputs: [{ name: 'y' }],
    initializers: { zero: scalar('float', 0), wrong: { type: 'int64', shape: [1], values: [n + 1] } },
    nodes: [
      { op: 'ReduceSum', inputs: ['x'], outputs: ['s'], attributes: { keepdims: 0 } },
      { op: 'Greater', inputs: ['s', 'zero'], outputs: ['positive'] },
      { op: 'If', name: 'pick', inputs: ['positive'], outputs: ['y'], attributes: { then_branch: { graph: thenBranch }, else_branch: { graph: elseBranch } } },
    ],
  });
}

describe.each(BACKENDS)('tm.onnx runAsync on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  describe('a Loop whose length depends on the data', () => {
    it.each([[1, 4], [5, 30], [7, 200], [3, 0.5]])('doubles x (n = %i) until its sum passes %f, as a JS loop and onnxruntime do', async (n, t) => {
      const w = new Float64Array(n).fill(2);
      const x0 = uniform(n, 0.1, 1);
      const bytes = growModel(n, t, w);
      const want = growRef(x0.map(Math.fround), t, w.map(Math.fround));
      const [x, steps] = await runModel(bytes, [{ shape: [n], values: x0 }], 'async');
      expectClose(x.v, want.x, 1e-6, `x (seed ${SEED})`);
      expect(steps.shape).toEqual([want.steps.length, n]);
      expectClose(steps.v, want.steps.flat(), 1e-6, `each iteration's x (seed ${SEED})`);
      const ortOut = await ortRun(bytes, { x0: new ort.Tensor('float32', Float32Array.from(x0), [n]) });
      expectClose(x.v, ortOut.x.data as Float32Array, 1e-6, 'x vs onnxruntime');
      expect(steps.shape).toEqual(ortOut.steps.dims);
      expectClose(steps.v, ortOut.steps.data as Float32Array, 1e-6, 'steps vs onnxruntime');
    });

    it('is refused by the synchronous run, which names runAsync', () => {
      const model = tm.onnx.fromBytes(growModel(3, 10, [2, 2, 2]));
      const x = tm.tensor([0.5, 0.5, 0.5]);
      expect(() => tm.noGrad(() => model.run([x]))).toThrow(/node 'grow' \(Loop\): its condition \(input 1\) is computed on the device .*model\.runAsync \(or forwardAsync\)/);
      x.dispose();
      model.dispose();
    });

    it('runs a trip count computed from an input', async () => {
      // acc ← acc + x, max(k) times.
      const body: SubgraphSpec = {
        name: 'body',
        inputs: [{ name: 'i', type: 'int64', shape: [] }, { name: 'cond_in', type: 'bool', shape: [] }, { name: 'acc', shape: [3] }],
        outputs: [{ name: 'cond_out', type: 'bool', shape: [] }, { name: 'acc_out', shape: [3] }],
        nodes: [{ op: 'Identity', inputs: ['cond_in'], outputs: ['cond_out'] }, { op: 'Add', inputs: ['acc', 'x'], outputs: ['acc_out'] }],
      };
      const bytes = onnxModel({
        inputs: [{ name: 'x', shape: [3] }, { name: 'k', type: 'int64', shape: [4] }],
        outputs: [{ name: 'acc' }],
        initializers: { yes: scalar('bool', 1), acc0: { shape: [3], values: [0, 0, 0] } },
        nodes: [
          { op: 'ReduceMax', inputs: ['k'], outputs: ['m'], attributes: { keepdims: 0 } },
          { op: 'Loop', inputs: ['m', 'yes', 'acc0'], outputs: ['acc'], attributes: { body: { graph: body } } },
        ],
      });
      const x = uniform(3), k = randomInts(4, 0, 6);
      const trips = Math.max(...k);
      const [acc] = await runModel(bytes, [{ shape: [3], values: x }, { shape: [4], values: k, type: 'int64' }], 'async');
      expectClose(acc.v, x.map((v) => trips * Math.fround(v)), 1e-5, `acc after ${trips} trips (seed ${SEED})`);
    });

    it('carries gradients through the iterations to a parameter, as finite differences of the float64 loop say', async () => {
      const n = 4;
      const w = uniform(n, 1.5, 2), x0 = uniform(n, 0.1, 1);
      const t = 40;
      const model = tm.onnx.fromBytes(growModel(n, t, w));
      const x = tm.tensor(Array.from(x0), [n]);
      const y = await model.forwardAsync(x);
      const loss = tm.sum(y);
      loss.backward();
      const grad = await model.namedParameters().w.grad!.data();
      // Central differences of sum(x) in float64; the iteration count holds still for so small a step.
      const f = (ww: Float64Array) => growRef(x0.map(Math.fround), t, ww).x.reduce((a, b) => a + b, 0);
      const h = 1e-6;
      const want = Array.from({ length: n }, (_, j) => {
        const up = Float64Array.from(w, (v) => Math.fround(v)), down = Float64Array.from(up);
        up[j] += h;
        down[j] -= h;
        return (f(up) - f(down)) / (2 * h);
      });
      expect(growRef(x0.map(Math.fround), t, w.map(Math.fround)).steps.length).toBeGreaterThan(1);
      expectClose(grad, want, 1e-4, `d sum(x)/dw (seed ${SEED})`);
      for (const tt of [x, y, loss]) tt.dispose();
      model.dispose();
    });

    it('runs NonZero inside its body: each iteration counts the elements of x above i', async () => {
      const body: SubgraphSpec = {
        name: 'body',
        inputs: [{ name: 'i', type: 'int64', shape: [] }, { name: 'cond_in', type: 'bool', shape: [] }],
        outputs: [{ name: 'cond_out', type: 'bool', shape: [] }, { name: 'count', type: 'int64', shape: [] }],
        nodes: [
          { op: 'Identity', inputs: ['cond_in'], outputs: ['cond_out'] },
          { op: 'Cast', inputs: ['i'], outputs: ['fi'], attributes: { to: 1 } },
          { op: 'Greater', inputs: ['x', 'fi'], outputs: ['above'] },
          { op: 'NonZero', inputs: ['above'], outputs: ['where'] },
          { op: 'Shape', inputs: ['where'], outputs: ['dims'] },
          { op: 'Gather', inputs: ['dims', 'one'], outputs: ['count'], attributes: { axis: 0 } },
        ],
      };
      const bytes = onnxModel({
        inputs: [{ name: 'x', shape: [3, 5] }],
        outputs: [{ name: 'counts', type: 'int64' }],
        initializers: { M: scalar('int64', 4), yes: scalar('bool', 1), one: scalar('int64', 1) },
        nodes: [{ op: 'Loop', inputs: ['M', 'yes'], outputs: ['counts'], attributes: { body: { graph: body } } }],
      });
      const x = uniform(15, -1, 4);
      const [counts] = await runModel(bytes, [{ shape: [3, 5], values: x }], 'async');
      expectExact(counts.v, [0, 1, 2, 3].map((i) => Array.from(x).filter((v) => Math.fround(v) > i).length), `counts (seed ${SEED})`);
    });
  });

  describe('an If whose condition is on the device', () => {
    it.each([5, 1, 8])('runs only the branch taken, whose shape may differ from the other\'s, as onnxruntime does (n = %i)', async (n) => {
      for (const sign of [1, -1]) {
        const x = uniform(n, 0.1, 1).map((v) => sign * v);
        const [y] = await runModel(ifModel(n), [{ shape: [n], values: x }], 'async');
        const xf = Array.from(x, Math.fround);
        const want = sign > 0 ? [...xf, ...xf] : [xf.reduce((a, b) => a + b, 0)];
        expect(y.shape).toEqual([want.length]);
        expectClose(y.v, want, 1e-5, `sign ${sign} (seed ${SEED})`);
        const ortOut = await ortRun(ifModel(n), { x: new ort.Tensor('float32', Float32Array.from(x), [n]) });
        expect(y.shape).toEqual(ortOut.y.dims);
        expectClose(y.v, ortOut.y.data as Float32Array, 1e-6, `sign ${sign} vs onnxruntime`);
      }
    });

    it('never runs the other branch: one that would fail is left alone', async () => {
      const x = uniform(4, 0.1, 1);
      const [y] = await runModel(ifModel(4, true), [{ shape: [4], values: x }], 'async');
      expect(y.shape).toEqual([8]);
      // The synchronous run runs both branches, so it reaches the failing Reshape.
      await expect(runModel(ifModel(4, true), [{ shape: [4], values: x }])).rejects.toThrow(/Reshape/);
    });

    it('is refused by the synchronous run where the branches differ in shape, which names runAsync', async () => {
      await expect(runModel(ifModel(3), [{ shape: [3], values: uniform(3, 0.1, 1) }])).rejects.toThrow(/node 'pick' \(If\): .*float \[6\] from then_branch but float \[1\] from else_branch.*model\.runAsync \(or forwardAsync\) does, .* and runs only the branch taken/);
    });
  });

  describe('values an op needs on the host', () => {
    const reshapeModel = () =>
      onnxModel({
        inputs: [{ name: 'x', shape: [12] }, { name: 'dims', type: 'int64', shape: [2] }],
        outputs: [{ name: 'y' }],
        nodes: [
          { op: 'Abs', inputs: ['dims'], outputs: ['shape'] },
          { op: 'Reshape', inputs: ['x', 'shape'], outputs: ['y'] },
        ],
      });

    it('reads a shape computed on the device back for Reshape', async () => {
      const x = uniform(12);
      for (const dims of [[3, 4], [-2, 6], [12, 1]]) {
        const [y] = await runModel(reshapeModel(), [{ shape: [12], values: x }, { shape: [2], values: dims, type: 'int64' }], 'async');
        expect(y.shape).toEqual(dims.map(Math.abs));
        expectClose(y.v, x, 1e-6, 'y');
      }
      await expect(runModel(reshapeModel(), [{ shape: [12], values: x }, { shape: [2], values: [3, 4], type: 'int64' }])).rejects.toThrow(/\(Reshape\): its shape \(input 1, shape\) is computed on the device.*model\.runAsync/);
    });
  });

  describe('memory and outputs', () => {
    it('frees every tensor it made when a node fails part way through a loop', async () => {
      // A Loop of 10 iterations doubling x, whose If fails (an impossible Reshape) once sum(x) passes 8.
      const n = 3;
      const thenBranch: SubgraphSpec = { name: 'then', inputs: [], outputs: [{ name: 'doubled' }], nodes: [{ op: 'Mul', inputs: ['x', 'two'], outputs: ['doubled'] }] };
      const elseBranch: SubgraphSpec = { name: 'else', inputs: [], outputs: [{ name: 'broken' }], nodes: [{ op: 'Reshape', inputs: ['x', 'wrong'], outputs: ['broken'] }] };
      const body: SubgraphSpec = {
        name: 'body',
        inputs: [{ name: 'i', type: 'int64', shape: [] }, { name: 'cond_in', type: 'bool', shape: [] }, { name: 'x', shape: [n] }],
        outputs: [{ name: 'cond_out', type: 'bool', shape: [] }, { name: 'x_out', shape: [n] }, { name: 'x_scan', shape: [n] }],
        nodes: [
          { op: 'Identity', inputs: ['cond_in'], outputs: ['cond_out'] },
          { op: 'ReduceSum', inputs: ['x'], outputs: ['s'], attributes: { keepdims: 0 } },
          { op: 'Less', inputs: ['s', 'eight'], outputs: ['small'] },
          { op: 'If', inputs: ['small'], outputs: ['x_out'], attributes: { then_branch: { graph: thenBranch }, else_branch: { graph: elseBranch } } },
          { op: 'Neg', inputs: ['x_out'], outputs: ['x_scan'] },
        ],
      };
      const model = tm.onnx.fromBytes(onnxModel({
        inputs: [{ name: 'x0', shape: [n] }],
        outputs: [{ name: 'x' }, { name: 'scan' }],
        initializers: { M: scalar('int64', 10), yes: scalar('bool', 1), two: scalar('float', 2), eight: scalar('float', 8), wrong: { type: 'int64', shape: [1], values: [n + 1] } },
        nodes: [{ op: 'Loop', inputs: ['M', 'yes', 'x0'], outputs: ['x', 'scan'], attributes: { body: { graph: body } } }],
      }));
      const x = tm.tensor([1, 1, 1]);
      const before = await collected(); // earlier tests' garbage collected first, so that no finalizer frees it at an await below
      await expect(model.runAsync([x], { grad: false })).rejects.toThrow(/Reshape/);
      expect(tm.memory().numTensors, 'tensors left after the failed run').toBe(before);
      // Under the bound all along, it runs, and frees all but its outputs.
      const small = tm.tensor([0.001, 0.002, 0.001]);
      const out = await model.runAsync([small], { grad: false });
      expect(tm.memory().numTensors - before).toBe(1 + 2);
      expectClose(await out.x.data(), [0.001, 0.002, 0.001].map((v) => Math.fround(v) * 1024), 1e-5, 'x after 10 doublings');
      for (const t of [x, small, ...Object.values(out)]) t.dispose();
      expect(tm.memory().numTensors).toBe(before - 1);
      model.dispose();
    });

    it('records for autograd unless grad is false, and checks its options', async () => {
      const model = tm.onnx.fromBytes(growModel(2, 10, [2, 2]));
      const x = tm.tensor([1, 2]);
      const recorded = await model.runAsync([x]);
      expect(recorded.x.gradFn, 'a recorded op behind x').not.toBeNull();
      const plain = await model.runAsync([x], { grad: false });
      expect(plain.x.gradFn, 'no op recorded behind x').toBeNull();
      expectExact(await plain.x.data(), await recorded.x.data(), 'the same values either way');
      await expect(model.runAsync([x], { grd: false } as tm.onnx.RunAsyncOptions)).rejects.toThrow(/OnnxModel\.runAsync: unknown option "grd"; the options are grad/);
      for (const t of [x, ...Object.values(recorded), ...Object.values(plain)]) t.dispose();
      model.dispose();
    });

    it('gives outputs of the caller\'s own: an input passed through, or one value two outputs share, is copied', async () => {
      const model = tm.onnx.fromBytes(onnxModel({
        inputs: [{ name: 'x', shape: [2] }],
        outputs: [{ name: 'same' }, { name: 'a' }, { name: 'b' }],
        nodes: [
          { op: 'Identity', inputs: ['x'], outputs: ['same'] },
          { op: 'Neg', inputs: ['x'], outputs: ['a'] },
          { op: 'Identity', inputs: ['a'], outputs: ['b'] },
        ],
      }));
      const x = tm.tensor([1.5, -2]);
      const before = await collected();
      const out = await model.runAsync({ x });
      expect(out.same).not.toBe(x);
      expect(out.a).not.toBe(out.b);
      expect(tm.memory().numTensors - before).toBe(3);
      for (const t of Object.values(out)) t.dispose();
      expectExact(await x.data(), [1.5, -2], 'x, untouched');
      // forwardAsync: the first output only, the others freed.
      const first = await model.forwardAsync(x);
      expect(tm.memory().numTensors - before).toBe(1);
      expectExact(await first.data(), [1.5, -2], 'forwardAsync');
      first.dispose();
      expect(tm.memory().numTensors).toBe(before);
      x.dispose();
      model.dispose();
    });

    it('runs a Scan through the asynchronous runner as the synchronous run does', async () => {
      // s ← s + a_t, y_t = s · b_t.
      const body: SubgraphSpec = {
        name: 'scan_body',
        inputs: [{ name: 's', shape: [3] }, { name: 'a_t', shape: [3] }, { name: 'b_t', shape: [3] }],
        outputs: [{ name: 's_out', shape: [3] }, { name: 'y_t', shape: [3] }],
        nodes: [{ op: 'Add', inputs: ['s', 'a_t'], outputs: ['s_out'] }, { op: 'Mul', inputs: ['s_out', 'b_t'], outputs: ['y_t'] }],
      };
      const bytes = onnxModel({
        opset: 11,
        // a is a parameter (a float initializer): its slices, cut outside any node, are freed after the scan too.
        inputs: [{ name: 's0', shape: [3] }, { name: 'b', shape: [3, 5] }],
        initializers: { a: { shape: [5, 3], values: uniform(15) } },
        outputs: [{ name: 's' }, { name: 'y' }],
        nodes: [{ op: 'Scan', inputs: ['s0', 'a', 'b'], outputs: ['s', 'y'], attributes: { body: { graph: body }, num_scan_inputs: 2, scan_input_axes: [0, 1], scan_input_directions: [0, 1] } }],
      });
      const feeds = [{ shape: [3], values: uniform(3) }, { shape: [3, 5], values: uniform(15) }];
      const want = await runModel(bytes, feeds);
      const got = await runModel(bytes, feeds, 'async');
      got.forEach((g, k) => {
        expect(g.shape).toEqual(want[k].shape);
        expectExact(g.v, want[k].v, `output ${k}`);
      });
    });
  });
});
