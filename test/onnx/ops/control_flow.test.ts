// ONNX's control flow (src/onnx/ops/control_flow.ts) on every backend:
// hand-built If, Loop and Scan models against plain JS loops computing the
// same thing, at several trip counts including 0 and 1; bodies reading the
// enclosing graph's values by name; an If nested in a Loop; Scan's axes and
// directions; opset 8's batched Scan (per-entry sequence lengths, against
// onnxruntime-web too); gradients through the iterations to a parameter; a
// condition on the device (If picks with where, Loop is refused); the
// load-time checks reaching into subgraphs.
import * as ort from 'onnxruntime-web';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../../src/index.js';
import { BACKENDS } from '../../helpers/backends.js';
import { expectClose, expectExact, SEED, uniform } from '../../helpers/data.js';
import { f64, ravel, size, type F64 } from '../../helpers/float64.js';
import { onnxModel, type NodeSpec, type SubgraphSpec } from '../../helpers/onnx.js';
import { feed, runModel } from '../../helpers/onnx_run.js';
import { collected } from '../../helpers/gc.js';
import { ortRun } from '../../helpers/ort.js';

const rand = (shape: number[]): F64 => f64(shape, uniform(size(shape)));
const bool = (v: boolean) => ({ type: 'bool' as const, shape: [], values: [v ? 1 : 0] });
const int64 = (v: number) => ({ type: 'int64' as const, shape: [], values: [v] });

/**
 * A Loop body: acc ← acc · x + i (x read from the main graph by name, i the
 * iteration number), its condition passed through, and acc − x as the scan
 * output of each iteration.
 */
const accumulateBody = (n: number): SubgraphSpec => ({
  name: 'body',
  inputs: [{ name: 'i', type: 'int64', shape: [] }, { name: 'cond_in', type: 'bool', shape: [] }, { name: 'acc', shape: [n] }],
  outputs: [{ name: 'cond_out', type: 'bool', shape: [] }, { name: 'acc_out', shape: [n] }, { name: 'scan_out', shape: [n] }],
  nodes: [
    { op: 'Identity', inputs: ['cond_in'], outputs: ['cond_out'] },
    { op: 'Cast', inputs: ['i'], outputs: ['fi'], attributes: { to: 1 } },
    { op: 'Mul', inputs: ['acc', 'x'], outputs: ['ax'] },
    { op: 'Add', inputs: ['ax', 'fi'], outputs: ['acc_out'] },
    { op: 'Sub', inputs: ['acc_out', 'x'], outputs: ['scan_out'] },
  ],
});

function accumulateRef(x: F64, acc0: F64, trips: number): { acc: F64; scan: F64 } {
  const n = x.v.length;
  let acc = Float64Array.from(acc0.v);
  const scan: number[] = [];
  for (let i = 0; i < trips; i++) {
    acc = acc.map((a, j) => a * x.v[j] + i);
    scan.push(...acc.map((a, j) => a - x.v[j]));
  }
  return { acc: f64([n], acc), scan: f64([trips, n], scan) };
}

function loopModel(n: number, trips: number, opset: number): Uint8Array {
  return onnxModel({
    opset,
    inputs: [{ name: 'x', shape: [n] }, { name: 'acc0', shape: [n] }],
    outputs: [{ name: 'acc' }, { name: 'scan' }],
    initializers: { M: int64(trips), cond: bool(true) },
    nodes: [{ op: 'Loop', name: 'loop', inputs: ['M', 'cond', 'acc0'], outputs: ['acc', 'scan'], attributes: { body: { graph: accumulateBody(n) } } }],
  });
}

/** A Scan body: state s ← s + a_t, output y_t = s · b_t, over two scan inputs. */
const scanBody = (n: number): SubgraphSpec => ({
  name: 'scan_body',
  inputs: [{ name: 's', shape: [n] }, { name: 'a_t', shape: [n] }, { name: 'b_t', shape: [n] }],
  outputs: [{ name: 's_out', shape: [n] }, { name: 'y_t', shape: [n] }],
  nodes: [
    { op: 'Add', inputs: ['s', 'a_t'], outputs: ['s_out'] },
    { op: 'Mul', inputs: ['s_out', 'b_t'], outputs: ['y_t'] },
  ],
});

/** Row t along `axis` of a rank-2 array. */
const rowAt = (x: F64, axis: number, t: number): number[] =>
  Array.from({ length: x.shape[1 - axis] }, (_, j) => x.v[ravel(axis === 0 ? [t, j] : [j, t], x.shape)]);

function scanRef(s0: F64, a: F64, b: F64, aAxis: number, aReverse: boolean, bAxis: number, bReverse: boolean, outAxis: number, outReverse: boolean): { s: F64; y: F64 } {
  const T = a.shape[aAxis], n = s0.v.length;
  const s = Float64Array.from(s0.v);
  const rows: number[][] = [];
  for (let t = 0; t < T; t++) {
    const at = rowAt(a, aAxis, aReverse ? T - 1 - t : t), bt = rowAt(b, bAxis, bReverse ? T - 1 - t : t);
    for (let j = 0; j < n; j++) s[j] += at[j];
    rows.push(bt.map((v, j) => s[j] * v));
  }
  if (outReverse) rows.reverse();
  const shape = outAxis === 0 ? [T, n] : [n, T];
  const y = new Float64Array(T * n);
  rows.forEach((row, t) => row.forEach((v, j) => (y[ravel(outAxis === 0 ? [t, j] : [j, t], shape)] = v)));
  return { s: f64([n], s), y: f64(shape, y) };
}

describe.each(BACKENDS)('tm.onnx control flow on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  describe('Loop', () => {
    it.each([0, 1, 2, 5])('runs %i iterations of a host trip count: carried values, scan outputs stacked on a new first axis, the main graph read by name', async (trips) => {
      for (const opset of [11, 13, 16]) {
        const x = rand([3]), acc0 = rand([3]);
        const [acc, scan] = await runModel(loopModel(3, trips, opset), [feed(x), feed(acc0)]);
        const want = accumulateRef(x, acc0, trips);
        expect(acc.shape).toEqual([3]);
        expect(scan.shape).toEqual([trips, 3]);
        expectClose(acc.v, want.acc.v, 1e-5, `acc, ${trips} trips, opset ${opset} (seed ${SEED})`);
        expectClose(scan.v, want.scan.v, 1e-5, `scan, ${trips} trips (seed ${SEED})`);
      }
    });

    it('stops when the body\'s condition, computed on the host, turns false (a while loop with no trip count)', async () => {
      // cond_out = i + 1 < limit: the body runs for i = 0 … limit − 1.
      for (const limit of [1, 3, 6]) {
        const body = accumulateBody(2);
        const nodes: NodeSpec[] = [
          { op: 'Add', inputs: ['i', 'one'], outputs: ['next'] },
          { op: 'Less', inputs: ['next', 'limit'], outputs: ['cond_out'] },
          ...body.nodes.slice(1),
        ];
        const bytes = onnxModel({
          inputs: [{ name: 'x', shape: [2] }, { name: 'acc0', shape: [2] }],
          outputs: [{ name: 'acc' }, { name: 'scan' }],
          initializers: { cond: bool(true), limit: int64(limit), one: int64(1) },
          nodes: [{ op: 'Loop', inputs: ['', 'cond', 'acc0'], outputs: ['acc', 'scan'], attributes: { body: { graph: { ...body, nodes } } } }],
        });
        const x = rand([2]), acc0 = rand([2]);
        const [acc, scan] = await runModel(bytes, [feed(x), feed(acc0)]);
        const want = accumulateRef(x, acc0, limit);
        expectClose(acc.v, want.acc.v, 1e-5, `acc, limit ${limit}`);
        expect(scan.shape).toEqual([limit, 2]);
        expectClose(scan.v, want.scan.v, 1e-5, `scan, limit ${limit}`);
      }
    });

    it('skips the body when the initial condition is false', async () => {
      const bytes = onnxModel({
        inputs: [{ name: 'x', shape: [3] }, { name: 'acc0', shape: [3] }],
        outputs: [{ name: 'acc' }, { name: 'scan' }],
        initializers: { M: int64(4), cond: bool(false) },
        nodes: [{ op: 'Loop', inputs: ['M', 'cond', 'acc0'], outputs: ['acc', 'scan'], attributes: { body: { graph: accumulateBody(3) } } }],
      });
      const x = rand([3]), acc0 = rand([3]);
      const [acc, scan] = await runModel(bytes, [feed(x), feed(acc0)]);
      expectClose(acc.v, acc0.v, 1e-6, 'acc');
      expect(scan.shape).toEqual([0, 3]);
    });

    it('runs an If nested in its body, whose branches read the body\'s values and the main graph\'s', async () => {
      // acc ← acc + x on even iterations, acc · x on odd ones; the condition is host arithmetic on i.
      const n = 4;
      const branch = (op: string, name: string): SubgraphSpec => ({ name, inputs: [], outputs: [{ name: `${name}_out`, shape: [n] }], nodes: [{ op, inputs: ['acc', 'x'], outputs: [`${name}_out`] }] });
      const body: SubgraphSpec = {
        name: 'body',
        inputs: [{ name: 'i', type: 'int64', shape: [] }, { name: 'cond_in', type: 'bool', shape: [] }, { name: 'acc', shape: [n] }],
        outputs: [{ name: 'cond_out', type: 'bool', shape: [] }, { name: 'acc_out', shape: [n] }],
        nodes: [
          { op: 'Identity', inputs: ['cond_in'], outputs: ['cond_out'] },
          { op: 'Mod', inputs: ['i', 'two'], outputs: ['parity'] },
          { op: 'Equal', inputs: ['parity', 'zero'], outputs: ['even'] },
          { op: 'If', inputs: ['even'], outputs: ['acc_out'], attributes: { then_branch: { graph: branch('Add', 'add') }, else_branch: { graph: branch('Mul', 'mul') } } },
        ],
      };
      for (const trips of [0, 1, 4, 7]) {
        const bytes = onnxModel({
          inputs: [{ name: 'x', shape: [n] }, { name: 'acc0', shape: [n] }],
          outputs: [{ name: 'acc' }],
          initializers: { M: int64(trips), cond: bool(true), two: int64(2), zero: int64(0) },
          nodes: [{ op: 'Loop', inputs: ['M', 'cond', 'acc0'], outputs: ['acc'], attributes: { body: { graph: body } } }],
        });
        const x = rand([n]), acc0 = rand([n]);
        const [acc] = await runModel(bytes, [feed(x), feed(acc0)]);
        const want = Float64Array.from(acc0.v);
        for (let i = 0; i < trips; i++) for (let j = 0; j < n; j++) want[j] = i % 2 === 0 ? want[j] + x.v[j] : want[j] * x.v[j];
        expectClose(acc.v, want, 1e-5, `${trips} trips (seed ${SEED})`);
      }
    });

    it('uploads a main-graph Constant again in each iteration after the last one\'s tidy freed it', async () => {
      // acc ← acc · c, c a Constant node's [3] floats: every iteration needs it as a tensor.
      const body: SubgraphSpec = {
        name: 'body',
        inputs: [{ name: 'i', type: 'int64', shape: [] }, { name: 'cond_in', type: 'bool', shape: [] }, { name: 'acc', shape: [3] }],
        outputs: [{ name: 'cond_out', type: 'bool', shape: [] }, { name: 'acc_out', shape: [3] }],
        nodes: [{ op: 'Identity', inputs: ['cond_in'], outputs: ['cond_out'] }, { op: 'Mul', inputs: ['acc', 'c'], outputs: ['acc_out'] }],
      };
      const c = rand([3]);
      const bytes = onnxModel({
        inputs: [{ name: 'acc0', shape: [3] }],
        outputs: [{ name: 'acc' }],
        initializers: { M: int64(4), cond: bool(true) },
        nodes: [
          { op: 'Constant', inputs: [], outputs: ['c'], attributes: { value: { tensor: { shape: [3], values: c.v } } } },
          { op: 'Loop', inputs: ['M', 'cond', 'acc0'], outputs: ['acc'], attributes: { body: { graph: body } } },
        ],
      });
      const acc0 = rand([3]);
      const [acc] = await runModel(bytes, [feed(acc0)]);
      expectClose(acc.v, acc0.v.map((a, j) => a * Math.fround(c.v[j]) ** 4), 1e-5, 'acc');
    });

    it('stacks Constants on the host: a scan output of the iteration numbers feeds a Reshape\'s shape', async () => {
      // The scan output [1, 2, …] stays known on the host, so Reshape can read it as a shape.
      const body: SubgraphSpec = {
        name: 'body',
        inputs: [{ name: 'i', type: 'int64', shape: [] }, { name: 'cond_in', type: 'bool', shape: [] }],
        outputs: [{ name: 'cond_out', type: 'bool', shape: [] }, { name: 'dim', type: 'int64', shape: [] }],
        nodes: [{ op: 'Identity', inputs: ['cond_in'], outputs: ['cond_out'] }, { op: 'Add', inputs: ['i', 'one'], outputs: ['dim'] }],
      };
      const bytes = onnxModel({
        inputs: [{ name: 'x', shape: [6] }],
        outputs: [{ name: 'y' }],
        initializers: { M: int64(3), cond: bool(true), one: int64(1) },
        nodes: [
          { op: 'Loop', inputs: ['M', 'cond'], outputs: ['dims'], attributes: { body: { graph: body } } },
          { op: 'Reshape', inputs: ['x', 'dims'], outputs: ['y'] },
        ],
      });
      const x = rand([6]);
      const [y] = await runModel(bytes, [feed(x)]);
      expect(y.shape).toEqual([1, 2, 3]);
      expectClose(y.v, x.v, 1e-6, 'y');
    });

    it.each([1, 3])('carries gradients through %i iterations to a float initializer the body reads (fine-tuning)', async (trips) => {
      // acc ← acc · w, so acc = acc0 · w^M and d sum(acc)/dw = M · acc0 · w^(M−1).
      const n = 3;
      const w = rand([n]);
      const body: SubgraphSpec = {
        name: 'body',
        inputs: [{ name: 'i', type: 'int64', shape: [] }, { name: 'cond_in', type: 'bool', shape: [] }, { name: 'acc', shape: [n] }],
        outputs: [{ name: 'cond_out', type: 'bool', shape: [] }, { name: 'acc_out', shape: [n] }],
        nodes: [{ op: 'Identity', inputs: ['cond_in'], outputs: ['cond_out'] }, { op: 'Mul', inputs: ['acc', 'w'], outputs: ['acc_out'] }],
      };
      const model = tm.onnx.fromBytes(onnxModel({
        inputs: [{ name: 'acc0', shape: [n] }],
        outputs: [{ name: 'acc' }],
        initializers: { M: int64(trips), cond: bool(true), w: { shape: [n], values: w.v } },
        nodes: [{ op: 'Loop', inputs: ['M', 'cond', 'acc0'], outputs: ['acc'], attributes: { body: { graph: body } } }],
      }));
      const acc0 = rand([n]);
      const x = tm.tensor(Array.from(acc0.v), [n]);
      const y = model.forward(x);
      const loss = tm.sum(y);
      loss.backward();
      const param = model.parameters()[0];
      const grad = await param.grad!.data();
      const want = Array.from({ length: n }, (_, j) => trips * acc0.v[j] * Math.fround(w.v[j]) ** (trips - 1));
      expectClose(grad, want, 1e-5, `d/dw after ${trips} iterations (seed ${SEED})`);
      expectClose(await y.data(), acc0.v.map((a, j) => a * Math.fround(w.v[j]) ** trips), 1e-5, 'forward');
      for (const t of [x, y, loss]) t.dispose();
      model.dispose();
    });

    it('makes a body\'s own float initializer a parameter, whose gradient flows through the iterations and which toBytes writes back in place', async () => {
      // acc ← acc · v, v the body's initializer: d sum(acc)/dv = M · acc0 · v^(M−1).
      const before = await collected();
      const n = 3, trips = 2;
      const v = rand([n]);
      const body: SubgraphSpec = {
        name: 'body',
        inputs: [{ name: 'i', type: 'int64', shape: [] }, { name: 'cond_in', type: 'bool', shape: [] }, { name: 'acc', shape: [n] }],
        outputs: [{ name: 'cond_out', type: 'bool', shape: [] }, { name: 'acc_out', shape: [n] }],
        initializers: { v: { shape: [n], values: v.v } },
        nodes: [{ op: 'Identity', inputs: ['cond_in'], outputs: ['cond_out'] }, { op: 'Mul', inputs: ['acc', 'v'], outputs: ['acc_out'] }],
      };
      const model = tm.onnx.fromBytes(onnxModel({
        inputs: [{ name: 'acc0', shape: [n] }],
        outputs: [{ name: 'acc' }],
        initializers: { M: int64(trips), cond: bool(true) },
        nodes: [{ op: 'Loop', inputs: ['M', 'cond', 'acc0'], outputs: ['acc'], attributes: { body: { graph: body } } }],
      }));
      expect(Object.keys(model.namedParameters())).toEqual(['v']);
      const acc0 = rand([n]);
      const x = tm.tensor(Array.from(acc0.v), [n]);
      const y = model.forward(x);
      const loss = tm.sum(y);
      loss.backward();
      const vf = v.v.map(Math.fround);
      const grad = acc0.v.map((a, j) => trips * a * vf[j] ** (trips - 1));
      expectClose(await model.namedParameters().v.grad!.data(), grad, 1e-5, `d/dv (seed ${SEED})`);
      // A step by hand (v − 0.1 · grad), then the file written back and read again.
      const p = model.namedParameters().v;
      tm.tidy(() => tm.noGrad(() => p.assign(tm.sub(p, tm.mul(p.grad!, 0.1)))));
      const again = tm.onnx.fromBytes(await model.toBytes());
      expectClose(await again.namedParameters().v.data(), vf.map((w, j) => w - 0.1 * grad[j]), 1e-6, 'v after a step, read back from the file');
      model.zeroGrad();
      for (const t of [x, y, loss]) t.dispose();
      again.dispose();
      model.dispose();
      expect(tm.memory().numTensors).toBe(before);
    });

    it('refuses a condition computed on the device, naming the node', async () => {
      const body = accumulateBody(2);
      const nodes: NodeSpec[] = [
        { op: 'ReduceSum', inputs: ['acc'], outputs: ['total'], attributes: { keepdims: 0 } },
        { op: 'Less', inputs: ['total', 'ten'], outputs: ['cond_out'] },
        ...body.nodes.slice(1),
      ];
      const model = tm.onnx.fromBytes(onnxModel({
        inputs: [{ name: 'x', shape: [2] }, { name: 'acc0', shape: [2] }],
        outputs: [{ name: 'acc' }, { name: 'scan' }],
        initializers: { M: int64(5), cond: bool(true), ten: { shape: [], values: [10], type: 'int64' } },
        nodes: [{ op: 'Loop', name: 'while_small', inputs: ['M', 'cond', 'acc0'], outputs: ['acc', 'scan'], attributes: { body: { graph: { ...body, nodes } } } }],
      }));
      const x = tm.ones([2]), acc0 = tm.ones([2]);
      expect(() => tm.noGrad(() => model.run([x, acc0]))).toThrow(/node 'while_small' \(Loop\): its body's condition output \(cond_out, iteration 0\) is computed on the device/);
      for (const t of [x, acc0]) t.dispose();
      model.dispose();
    });

    it('refuses a trip count fed as a graph input (a Python int argument), saying how to re-export', () => {
      const model = tm.onnx.fromBytes(onnxModel({
        inputs: [{ name: 'x', shape: [3] }, { name: 'acc0', shape: [3] }, { name: 'n', type: 'int64', shape: [] }],
        outputs: [{ name: 'acc' }, { name: 'scan' }],
        initializers: { cond: bool(true) },
        nodes: [{ op: 'Loop', name: 'loop', inputs: ['n', 'cond', 'acc0'], outputs: ['acc', 'scan'], attributes: { body: { graph: accumulateBody(3) } } }],
      }));
      const xs = [tm.ones([3]), tm.ones([3]), tm.tensor([2], [], { dtype: 'i32' })];
      expect(() => tm.noGrad(() => model.run(xs))).toThrow(/node 'loop' \(Loop\): its trip count \(input 0\) is computed on the device .* re-export with the count fixed, or taken from an input's shape/);
      for (const t of xs) t.dispose();
      model.dispose();
    });

    it('refuses a body whose inputs do not fit the node\'s', () => {
      const bytes = onnxModel({
        inputs: [{ name: 'x', shape: [3] }, { name: 'acc0', shape: [3] }, { name: 'acc1', shape: [3] }],
        outputs: [{ name: 'acc' }, { name: 'acc_b' }, { name: 'scan' }],
        initializers: { M: int64(2), cond: bool(true) },
        nodes: [{ op: 'Loop', name: 'loop', inputs: ['M', 'cond', 'acc0', 'acc1'], outputs: ['acc', 'acc_b', 'scan'], attributes: { body: { graph: accumulateBody(3) } } }],
      });
      const model = tm.onnx.fromBytes(bytes);
      const xs = [tm.ones([3]), tm.ones([3]), tm.ones([3])];
      expect(() => tm.noGrad(() => model.run(xs))).toThrow(/node 'loop' \(Loop\): its body has 3 inputs and 3 outputs; .* it needs 4 and 4/);
      for (const t of xs) t.dispose();
      model.dispose();
    });
  });

  describe('If', () => {
    const branch = (name: string, op: string, extra: string): SubgraphSpec => ({
      name,
      inputs: [],
      outputs: [{ name: `${name}_y`, shape: [3] }],
      nodes: [{ op, inputs: ['x', extra], outputs: [`${name}_y`] }],
    });
    const ifModel = (cond: NodeSpec[], condInit: Record<string, ReturnType<typeof bool>> = {}, elseBranch = branch('else', 'Mul', 'x')) => onnxModel({
      inputs: [{ name: 'x', shape: [3] }],
      outputs: [{ name: 'y' }],
      initializers: { ...condInit, two: { shape: [], values: [2] } },
      nodes: [...cond, { op: 'If', name: 'pick', inputs: ['c'], outputs: ['y'], attributes: { then_branch: { graph: branch('then', 'Add', 'two') }, else_branch: { graph: elseBranch } } }],
    });

    it.each([true, false])('runs the branch a host condition (%s) picks, across opsets', async (c) => {
      for (const opset of [7, 11, 13, 16]) {
        const x = rand([3]);
        const bytes = onnxModel({
          opset,
          inputs: [{ name: 'x', shape: [3] }],
          outputs: [{ name: 'y' }],
          initializers: { c: bool(c), two: { shape: [], values: [2] } },
          nodes: [{ op: 'If', inputs: ['c'], outputs: ['y'], attributes: { then_branch: { graph: branch('then', 'Add', 'two') }, else_branch: { graph: branch('else', 'Mul', 'x') } } }],
        });
        const [y] = await runModel(bytes, [feed(x)]);
        expectClose(y.v, x.v.map((v) => (c ? v + 2 : v * v)), 1e-5, `opset ${opset}`);
      }
    });

    it('picks between both branches with where when the condition is on the device', async () => {
      // c = sum(x) > 0, from the data: tmnn runs both branches and selects.
      const cond: NodeSpec[] = [
        { op: 'ReduceSum', inputs: ['x'], outputs: ['s'], attributes: { keepdims: 0 } },
        { op: 'Greater', inputs: ['s', 'zero'], outputs: ['c'] },
      ];
      const bytes = onnxModel({
        inputs: [{ name: 'x', shape: [3] }],
        outputs: [{ name: 'y' }],
        initializers: { zero: { shape: [], values: [0] }, two: { shape: [], values: [2] } },
        nodes: [...cond, { op: 'If', inputs: ['c'], outputs: ['y'], attributes: { then_branch: { graph: branch('then', 'Add', 'two') }, else_branch: { graph: branch('else', 'Mul', 'x') } } }],
      });
      for (const sign of [1, -1]) {
        const x = f64([3], uniform(3, 0.1, 2).map((v) => sign * v));
        const [y] = await runModel(bytes, [feed(x)]);
        expectClose(y.v, x.v.map((v) => (sign > 0 ? v + 2 : v * v)), 1e-5, `sum(x) ${sign > 0 ? '>' : '<'} 0`);
      }
      // The gradient flows to the branch taken: dy/dx is 1 (x + 2) or 2x (x · x). The condition is
      // fed here (a device tensor outside the autograd graph): a condition computed from an x that
      // requires grad leaves its ReduceSum's node unreached by backward, held until collected.
      const model = tm.onnx.fromBytes(onnxModel({
        inputs: [{ name: 'x', shape: [3] }, { name: 'c', type: 'bool', shape: [] }],
        outputs: [{ name: 'y' }],
        initializers: { two: { shape: [], values: [2] } },
        nodes: [{ op: 'If', inputs: ['c'], outputs: ['y'], attributes: { then_branch: { graph: branch('then', 'Add', 'two') }, else_branch: { graph: branch('else', 'Mul', 'x') } } }],
      }));
      for (const taken of [1, 0]) {
        const xv = uniform(3);
        const x = tm.tensor(Array.from(xv), [3]);
        x.requiresGrad = true;
        const c = tm.tensor([taken], [], { dtype: 'i32' });
        const y = model.forward(x, c);
        const loss = tm.sum(y);
        loss.backward();
        expectClose(await x.grad!.data(), xv.map((v) => (taken ? 1 : 2 * Math.fround(v))), 1e-6, `dx, condition ${taken}`);
        expectClose(await model.namedParameters().two.grad!.data(), [taken ? 3 : 0], 1e-6, `d/dtwo, condition ${taken}`);
        model.zeroGrad();
        for (const t of [x.grad!, x, c, y, loss]) t.dispose();
      }
      model.dispose();
    });

    it('refuses a device condition whose branches disagree in shape, naming the node and both shapes', () => {
      const wide: SubgraphSpec = { name: 'else', inputs: [], outputs: [{ name: 'else_y' }], nodes: [{ op: 'Concat', inputs: ['x', 'x'], outputs: ['else_y'], attributes: { axis: 0 } }] };
      const model = tm.onnx.fromBytes(onnxModel({
        inputs: [{ name: 'x', shape: [3] }, { name: 'c', type: 'bool', shape: [] }],
        outputs: [{ name: 'y' }],
        initializers: { two: { shape: [], values: [2] } },
        nodes: [{ op: 'If', name: 'pick', inputs: ['c'], outputs: ['y'], attributes: { then_branch: { graph: branch('then', 'Add', 'two') }, else_branch: { graph: wide } } }],
      }));
      const x = tm.ones([3]), c = tm.tensor([1], [], { dtype: 'i32' });
      expect(() => tm.noGrad(() => model.run([x, c]))).toThrow(/node 'pick' \(If\): its condition is computed on the device.*float \[3\] from then_branch but float \[6\] from else_branch/);
      for (const t of [x, c]) t.dispose();
      model.dispose();
    });

    it('reads a Constant node\'s condition on the host', async () => {
      const x = rand([3]);
      const bytes = ifModel([{ op: 'Constant', inputs: [], outputs: ['c'], attributes: { value: { tensor: { type: 'bool', shape: [], values: [0] } } } }]);
      const [y] = await runModel(bytes, [feed(x)]);
      expectClose(y.v, x.v.map((v) => v * v), 1e-5, 'else branch');
    });
  });

  describe('Scan', () => {
    const cases = [
      { aAxis: 0, aReverse: false, bAxis: 0, bReverse: false, outAxis: 0, outReverse: false },
      { aAxis: 1, aReverse: true, bAxis: 0, bReverse: false, outAxis: 1, outReverse: false },
      { aAxis: 0, aReverse: false, bAxis: 1, bReverse: true, outAxis: 0, outReverse: true },
      { aAxis: -1, aReverse: true, bAxis: -2, bReverse: true, outAxis: -1, outReverse: true },
    ];
    it.each(cases)('scans axes and directions %o at lengths 0, 1 and 5', async (c) => {
      const n = 3;
      const norm = (a: number) => (a < 0 ? a + 2 : a);
      for (const T of [0, 1, 5]) {
        const shapeFor = (axis: number) => (norm(axis) === 0 ? [T, n] : [n, T]);
        const s0 = rand([n]), a = rand(shapeFor(c.aAxis)), b = rand(shapeFor(c.bAxis));
        const bytes = onnxModel({
          opset: 11,
          inputs: [{ name: 's0', shape: [n] }, { name: 'a', shape: a.shape }, { name: 'b', shape: b.shape }],
          outputs: [{ name: 's' }, { name: 'y' }],
          nodes: [{
            op: 'Scan', name: 'scan', inputs: ['s0', 'a', 'b'], outputs: ['s', 'y'],
            attributes: {
              body: { graph: scanBody(n) }, num_scan_inputs: 2,
              scan_input_axes: [c.aAxis, c.bAxis], scan_input_directions: [+c.aReverse, +c.bReverse],
              scan_output_axes: [c.outAxis], scan_output_directions: [+c.outReverse],
            },
          }],
        });
        const [s, y] = await runModel(bytes, [feed(s0), feed(a), feed(b)]);
        const want = scanRef(s0, a, b, norm(c.aAxis), c.aReverse, norm(c.bAxis), c.bReverse, norm(c.outAxis), c.outReverse);
        expect(y.shape, `T = ${T}`).toEqual(want.y.shape);
        expectClose(s.v, want.s.v, 1e-5, `state, T = ${T} (seed ${SEED})`);
        expectClose(y.v, want.y.v, 1e-5, `scan output, T = ${T} (seed ${SEED})`);
      }
    });

    it('scans a Constant on the host (opset 9\'s defaults: axis 0, forward)', async () => {
      // A cumulative sum of an int64 initializer: every value stays a Constant.
      const a = [3, -1, 4, 1, -5];
      const body: SubgraphSpec = {
        name: 'body',
        inputs: [{ name: 's', type: 'int64', shape: [] }, { name: 'a_t', type: 'int64', shape: [] }],
        outputs: [{ name: 's_out', type: 'int64', shape: [] }, { name: 'y_t', type: 'int64', shape: [] }],
        nodes: [{ op: 'Add', inputs: ['s', 'a_t'], outputs: ['s_out'] }, { op: 'Identity', inputs: ['s_out'], outputs: ['y_t'] }],
      };
      const bytes = onnxModel({
        opset: 9,
        inputs: [],
        outputs: [{ name: 's' }, { name: 'y' }],
        initializers: { s0: int64(10), a: { type: 'int64', shape: [5], values: a } },
        nodes: [{ op: 'Scan', inputs: ['s0', 'a'], outputs: ['s', 'y'], attributes: { body: { graph: body }, num_scan_inputs: 1 } }],
      });
      const [s, y] = await runModel(bytes, []);
      const sums = a.map((_, i) => 10 + a.slice(0, i + 1).reduce((p, q) => p + q, 0));
      expectExact(s.v, [sums[4]], 'state');
      expectExact(y.v, sums, 'scan output');
    });

    it('refuses bad directions and axis lists, naming the node', async () => {
      const model = (opset: number, attributes = {}) => tm.onnx.fromBytes(onnxModel({
        opset,
        inputs: [{ name: 's0', shape: [2] }, { name: 'a', shape: [4, 2] }, { name: 'b', shape: [4, 2] }],
        outputs: [{ name: 's' }, { name: 'y' }],
        nodes: [{ op: 'Scan', name: 'scan', inputs: ['s0', 'a', 'b'], outputs: ['s', 'y'], attributes: { body: { graph: scanBody(2) }, num_scan_inputs: 2, ...attributes } }],
      }));
      const xs = [tm.ones([2]), tm.ones([4, 2]), tm.ones([4, 2])];
      for (const [m, pattern] of [
        [model(11, { scan_input_directions: [0, 2] }), /node 'scan' \(Scan\): scan_input_directions holds 2; a direction is 0 \(forward\) or 1 \(reverse\)/],
        [model(11, { scan_output_axes: [0, 1] }), /scan_output_axes has 2 entries, it should have 1/],
      ] as const) {
        expect(() => tm.noGrad(() => m.run(xs))).toThrow(pattern);
        m.dispose();
      }
      xs.forEach((t) => t.dispose());
    });

    /** Opset 8's batched Scan of scanBody over states s0 [B, n] and scan inputs a, b [B, T, n], b read in reverse; `lens` an int64 initializer, a graph input, or absent. */
    function batchedModel(B: number, T: number, n: number, lens: 'initializer' | 'input' | 'none', values: readonly number[] = []): Uint8Array {
      const given = lens === 'input' ? [{ name: 'lens', type: 'int64' as const, shape: [B] }] : [];
      return onnxModel({
        opset: 8,
        inputs: [...given, { name: 's0', shape: [B, n] }, { name: 'a', shape: [B, T, n] }, { name: 'b', shape: [B, T, n] }],
        outputs: [{ name: 's' }, { name: 'y' }],
        initializers: lens === 'initializer' ? { lens: { type: 'int64', shape: [values.length], values } } : {},
        nodes: [{ op: 'Scan', name: 'scan', inputs: [lens === 'none' ? '' : 'lens', 's0', 'a', 'b'], outputs: ['s', 'y'], attributes: { body: { graph: scanBody(n) }, num_scan_inputs: 2, directions: [0, 1] } }],
      });
    }

    /** Batch entry b of a [B, …] array. */
    const entry = (x: F64, b: number): F64 => {
      const inner = x.shape.slice(1), m = size(inner);
      return f64(inner, x.v.slice(b * m, (b + 1) * m));
    };

    /** The reference: each entry scanned alone (scanRef) over its first lens[b] steps, b's reverse read from there, outputs padded with zeros. */
    function batchedRef(s0: F64, a: F64, b: F64, lens: readonly number[]): { s: number[]; y: number[] } {
      const [B, T, n] = a.shape;
      const s: number[] = [], y: number[] = [];
      for (let e = 0; e < B; e++) {
        const L = lens[e];
        const head = (x: F64) => f64([L, n], entry(x, e).v.slice(0, L * n));
        const one = scanRef(entry(s0, e), head(a), head(b), 0, false, 0, true, 0, false);
        s.push(...one.s.v);
        y.push(...one.y.v, ...new Array<number>((T - L) * n).fill(0));
      }
      return { s, y };
    }

    it('runs opset 8\'s batched Scan: each batch entry its own sequence length, a reverse input read from that length back, scan outputs padded with zeros, as onnxruntime does', async () => {
      const n = 3;
      for (const [T, lens] of [[5, [5, 2, 1, 3]], [1, [1, 1]], [0, [0, 0]], [4, [4]]] as const) {
        const B = lens.length;
        const s0 = rand([B, n]), a = rand([B, T, n]), b = rand([B, T, n]);
        for (const mode of ['sync', 'async'] as const) {
          // onnxruntime takes lengths from 1 to T: a scan of length 0 runs without them.
          for (const [kind, all] of [...(T ? [['initializer', lens] as const] : []), ['none', new Array<number>(B).fill(T)]] as const) {
            const [s, y] = await runModel(batchedModel(B, T, n, kind, lens), [feed(s0), feed(a), feed(b)], mode);
            const want = batchedRef(s0, a, b, all);
            const what = `T = ${T}, lens ${kind === 'none' ? 'absent' : `[${lens.join(', ')}]`}, ${mode}`;
            expect([s.shape, y.shape], what).toEqual([[B, n], [B, T, n]]);
            expectClose(s.v, want.s, 1e-5, `state, ${what} (seed ${SEED})`);
            expectClose(y.v, want.y, 1e-5, `scan output, ${what} (seed ${SEED})`);
          }
        }
        // onnxruntime-web's CPU Scan (opset 8) on the same values.
        if (!T) continue;
        const ortFloat = (x: F64) => new ort.Tensor('float32', Float32Array.from(x.v), [...x.shape]);
        const theirs = await ortRun(batchedModel(B, T, n, 'initializer', lens), { s0: ortFloat(s0), a: ortFloat(a), b: ortFloat(b) });
        const mine = batchedRef(s0, a, b, lens);
        expectClose(theirs.s.data as Float32Array, mine.s, 1e-5, `onnxruntime's state, T = ${T}`);
        expectClose(theirs.y.data as Float32Array, mine.y, 1e-5, `onnxruntime's scan output, T = ${T}`);
      }
    });

    it('reads opset 8\'s sequence_lens back from the device in runAsync; the synchronous run refuses it, and lengths of 0 or past the sequence (as onnxruntime), naming the node', async () => {
      const n = 2, T = 3, lens = [1, 3];
      const s0 = rand([2, n]), a = rand([2, T, n]), b = rand([2, T, n]);
      const fed = [{ shape: [2], values: lens, type: 'int64' as const }, feed(s0), feed(a), feed(b)];
      const [s, y] = await runModel(batchedModel(2, T, n, 'input'), fed, 'async');
      const want = batchedRef(s0, a, b, lens);
      expectClose(s.v, want.s, 1e-5, `state (seed ${SEED})`);
      expectClose(y.v, want.y, 1e-5, `scan output (seed ${SEED})`);
      await expect(runModel(batchedModel(2, T, n, 'input'), fed)).rejects.toThrow(/node 'scan' \(Scan\): its sequence_lens \(input 0, lens\) is computed on the device .*model\.runAsync/);
      for (const wrong of [4, 0]) {
        await expect(runModel(batchedModel(2, T, n, 'initializer', [1, wrong]), fed.slice(1))).rejects.toThrow(new RegExp(`node 'scan' \\(Scan\\): sequence_lens\\[1\\] is ${wrong}; it should be between 1 and the scan inputs' length 3`));
      }
      await expect(runModel(batchedModel(2, T, n, 'initializer', [1, 2, 3]), fed.slice(1))).rejects.toThrow(/sequence_lens \(input 0\) holds 3 lengths for a batch of 2/);
    });
  });

  describe('load-time checks reach into subgraphs', () => {
    it('lists unknown ops in a body with the main graph\'s, and counts body nodes in opCounts', () => {
      const body = accumulateBody(3);
      const strange: SubgraphSpec = { ...body, nodes: [...body.nodes.slice(0, 4), { op: 'Frobnicate', inputs: ['acc_out'], outputs: ['scan_out'] }] };
      const bytes = onnxModel({
        inputs: [{ name: 'x', shape: [3] }, { name: 'acc0', shape: [3] }],
        outputs: [{ name: 'y' }],
        initializers: { M: int64(2), cond: bool(true) },
        nodes: [
          { op: 'Loop', inputs: ['M', 'cond', 'acc0'], outputs: ['acc', 'scan'], attributes: { body: { graph: strange } } },
          { op: 'Frobnicate', inputs: ['acc'], outputs: ['y'] },
        ],
      });
      expect(() => tm.onnx.fromBytes(bytes)).toThrow(/ops tmnn does not run: Frobnicate \(2 nodes\)/);
      const model = tm.onnx.fromBytes(loopModel(3, 2, 17));
      expect(Object.fromEntries(model.opCounts)).toEqual({ Loop: 1, Identity: 1, Cast: 1, Mul: 1, Add: 1, Sub: 1 });
      model.dispose();
    });

    it('refuses a body reading a name no enclosing graph makes, or one made after its node', () => {
      const body = accumulateBody(3);
      const typo: SubgraphSpec = { ...body, nodes: body.nodes.map((n) => (n.op === 'Mul' ? { ...n, inputs: ['acc', 'xx'] } : n)) };
      const outer = (b: SubgraphSpec, after: NodeSpec[] = []) => onnxModel({
        inputs: [{ name: 'x0', shape: [3] }, { name: 'acc0', shape: [3] }],
        outputs: [{ name: 'acc' }],
        initializers: { M: int64(2), cond: bool(true) },
        nodes: [
          { op: 'Loop', name: 'loop', inputs: ['M', 'cond', 'acc0'], outputs: ['acc', 'scan'], attributes: { body: { graph: b } } },
          ...after,
        ],
      });
      expect(() => tm.onnx.fromBytes(outer(typo))).toThrow(/node 'Mul_2' \(Mul\) \(in the body of node 'loop' \(Loop\)\) uses xx, which no node, input or initializer provides \(in this graph or those around it\)/);
      // x made by a node after the Loop: not yet made when the body runs.
      expect(() => tm.onnx.fromBytes(outer(body, [{ op: 'Identity', inputs: ['x0'], outputs: ['x'] }]))).toThrow(/\(in the body of node 'loop' \(Loop\)\) uses x, which no node/);
      const unsorted: SubgraphSpec = { ...body, nodes: [body.nodes[0], body.nodes[3], body.nodes[1], body.nodes[2], body.nodes[4]] };
      expect(() => tm.onnx.fromBytes(loopModelWith(unsorted))).toThrow(/uses ax before the node that makes it/);
    });
  });
});

function loopModelWith(body: SubgraphSpec): Uint8Array {
  return onnxModel({
    inputs: [{ name: 'x', shape: [3] }, { name: 'acc0', shape: [3] }],
    outputs: [{ name: 'acc' }],
    initializers: { M: int64(2), cond: bool(true) },
    nodes: [{ op: 'Loop', inputs: ['M', 'cond', 'acc0'], outputs: ['acc', 'scan'], attributes: { body: { graph: body } } }],
  });
}
