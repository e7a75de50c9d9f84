// The OnnxModel API (src/onnx/model.ts, graph.ts) on every backend: running by
// name and position, what the model says about itself, clear errors for wrong
// inputs and for graphs tmnn cannot run, float initializers as trainable
// parameters (gradients against float64, an optimizer step, saving and
// loading weights), int initializers as host constants, initializers in the
// typed fields and as float16, loading from a path and from bytes.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { asF16, asF32, expectClose, expectExact, uniform } from '../helpers/data.js';
import { f64, matmulRef, size, type F64 } from '../helpers/float64.js';
import { onnxModel, type GraphSpec } from '../helpers/onnx.js';
import { collected } from '../helpers/gc.js';

const rand = (shape: number[]): F64 => f64(shape, asF32(uniform(size(shape))));
const t = (a: F64, dtype: tm.DType = 'f32') => tm.tensor(Array.from(a.v), a.shape, { dtype });

/** y = Gemm(x, W, b) with W [n, k] (transB), then z = Relu(y): two outputs, a batch dimension. */
function linearModel(k: number, n: number, w: F64, b: F64, extra: Partial<GraphSpec> = {}): Uint8Array {
  return onnxModel({
    opset: 13,
    producer: 'tmnn-test',
    inputs: [{ name: 'x', shape: ['batch', k] }],
    outputs: [{ name: 'y' }, { name: 'z' }],
    initializers: { W: { shape: w.shape, values: w.v }, b: { shape: b.shape, values: b.v } },
    nodes: [
      { op: 'Gemm', inputs: ['x', 'W', 'b'], outputs: ['y'], attributes: { transB: 1 } },
      { op: 'Relu', inputs: ['y'], outputs: ['z'] },
    ],
    ...extra,
  });
}

function linearRef(x: F64, w: F64, b: F64): F64 {
  const y = matmulRef(x, w, { transposeB: true });
  const n = b.v.length;
  return { shape: y.shape, v: y.v.map((v, i) => v + b.v[i % n]) };
}

/** Bytes of a model written field by field, for what the test helper does not write (external data, sparse initializers). */
function rawModel(graph: (g: BinaryWriter) => void, opset = 13): Uint8Array {
  const w = new BinaryWriter();
  w.tag(1, WireType.Varint).int64(8);
  w.tag(8, WireType.LengthDelimited).fork().tag(2, WireType.Varint).int64(opset).join();
  w.tag(7, WireType.LengthDelimited).fork();
  graph(w);
  w.join();
  return w.finish();
}

/** An Identity node x → y and their value infos. */
function identityGraph(g: BinaryWriter): void {
  g.tag(1, WireType.LengthDelimited).fork().tag(1, WireType.LengthDelimited).string('x').tag(2, WireType.LengthDelimited).string('y').tag(4, WireType.LengthDelimited).string('Identity').join();
  for (const [field, name] of [[11, 'x'], [12, 'y']] as const) {
    g.tag(field, WireType.LengthDelimited).fork().tag(1, WireType.LengthDelimited).string(name)
      .tag(2, WireType.LengthDelimited).fork().tag(1, WireType.LengthDelimited).fork().tag(1, WireType.Varint).int32(1).join().join().join();
  }
}

describe.each(BACKENDS)('tm.onnx OnnxModel on %s', (backend) => {
  let dir: string;
  beforeAll(async () => {
    await tm.init({ backend });
    dir = mkdtempSync(join(tmpdir(), 'tmnn-onnx-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('runs by name and by position, forward gives the first output, and describes itself', async () => {
    const before = await collected();
    const [k, n] = [7, 3];
    const w = rand([n, k]), b = rand([n]);
    const model = tm.onnx.fromBytes(linearModel(k, n, w, b));
    expect(model.inputs).toEqual([{ name: 'x', type: 'float', shape: ['batch', k] }]);
    expect(model.outputs.map((o) => o.name)).toEqual(['y', 'z']);
    expect(model.opset).toBe(13);
    expect(model.producer).toBe('tmnn-test');
    expect([...model.opCounts]).toEqual([['Gemm', 1], ['Relu', 1]]);
    for (const batch of [1, 13]) {
      const x = rand([batch, k]);
      const want = linearRef(x, w, b);
      const xt = t(x);
      const byName = tm.noGrad(() => model.run({ x: xt }));
      const byPosition = tm.noGrad(() => model.run([xt]));
      const first = tm.noGrad(() => model.forward(xt));
      expectClose(await byName.y.data(), want.v, 1e-5, `y by name, batch ${batch}`);
      expectClose(await byName.z.data(), want.v.map((v) => Math.max(v, 0)), 1e-5, `z by name, batch ${batch}`);
      expectClose(await byPosition.y.data(), want.v, 1e-5, 'y by position');
      expect(first.shape).toEqual([batch, n]);
      expectClose(await first.data(), want.v, 1e-5, 'forward');
      for (const r of [xt, first, ...Object.values(byName), ...Object.values(byPosition)]) r.dispose();
    }
    model.dispose();
    expect(tm.memory().numTensors).toBe(before);

    // forward computes the first output alone: the pass-through outputs are not made, and neither the input nor a parameter is freed.
    const passThrough = tm.onnx.fromBytes(linearModel(k, n, w, b, {
      outputs: [{ name: 'y' }, { name: 'xOut' }, { name: 'wOut' }],
      nodes: [
        { op: 'Gemm', inputs: ['x', 'W', 'b'], outputs: ['y'], attributes: { transB: 1 } },
        { op: 'Identity', inputs: ['x'], outputs: ['xOut'] },
        { op: 'Identity', inputs: ['W'], outputs: ['wOut'] },
      ],
    }));
    const x = rand([2, k]);
    const xt = t(x);
    const y = tm.noGrad(() => passThrough.forward(xt));
    expectClose(await y.data(), linearRef(x, w, b).v, 1e-5, 'forward of a pass-through model');
    expect(xt.isDisposed).toBe(false);
    expectExact(await passThrough.namedParameters().W.data(), w.v, 'W after forward');
    // run hands back tensors of the caller's own: a pass-through output is a copy, so disposing it leaves x and W.
    const all = tm.noGrad(() => passThrough.run([xt]));
    expect(all.xOut).not.toBe(xt);
    expect(all.wOut).not.toBe(passThrough.namedParameters().W);
    expectClose(await all.xOut.data(), x.v, 0, 'xOut');
    for (const out of Object.values(all)) out.dispose();
    expect(xt.isDisposed || passThrough.namedParameters().W.isDisposed).toBe(false);
    y.dispose();
    xt.dispose();
    passThrough.dispose();
    expect(tm.memory().numTensors).toBe(before);
  });

  it('run outside noGrad records for fine-tuning, and disposing its outputs gives back what its ops saved, run after run', async () => {
    const [k, n] = [7, 3];
    const w = rand([n, k]), b = rand([n]);
    const model = tm.onnx.fromBytes(linearModel(k, n, w, b));
    const xt = t(rand([5, k]));
    const before = tm.memory().numTensors;
    // Synchronous from here to the last check: no finalizer runs in between, so what comes back is what dispose freed.
    for (let run = 0; run < 20; run++) {
      const { y, z } = model.run({ x: xt });
      expect(z.gradFn).not.toBeNull();
      y.dispose();
      z.dispose();
      expect(tm.memory().numTensors, `after run ${run}`).toBe(before);
    }
    xt.dispose();
    model.dispose();
  });

  it('computes only the outputs options.outputs names, and only the nodes they need', async () => {
    const [k, n] = [7, 3];
    const w = rand([n, k]), b = rand([n]);
    const x = rand([4, k]);
    const want = linearRef(x, w, b);
    const model = tm.onnx.fromBytes(linearModel(k, n, w, b));
    const xt = t(x);
    const before = tm.memory().numTensors;
    const onlyZ = tm.noGrad(() => model.run({ x: xt }, { outputs: ['z'] }));
    expect(Object.keys(onlyZ)).toEqual(['z']);
    expectClose(await onlyZ.z.data(), want.v.map((v) => Math.max(v, 0)), 1e-5, 'z alone');
    const [y, z] = Object.values(await model.runAsync([xt], { outputs: ['y', 'z'], grad: false }));
    expectClose(await y.data(), want.v, 1e-5, 'y of y and z');
    expectClose(await z.data(), await onlyZ.z.data(), 0, 'z of y and z');
    for (const r of [onlyZ.z, y, z]) r.dispose();
    expect(tm.memory().numTensors).toBe(before);
    const bad = (outputs: unknown) => () => model.run({ x: xt }, { outputs: outputs as string[] });
    expect(bad(['w'])).toThrow(/OnnxModel\.run: outputs names "w", which is not an output of the model; its outputs are y, z/);
    expect(bad([])).toThrow(/OnnxModel\.run: outputs must be a non-empty list of output names \(y, z\), got \[\]/);
    expect(bad('z')).toThrow(/outputs must be a non-empty list of output names \(y, z\), got "z"/);
    expect(bad(['z', 'z'])).toThrow(/outputs names z twice/);
    expect(() => model.run({ x: xt }, { output: ['z'] } as tm.onnx.RunOptions)).toThrow(/OnnxModel\.run: unknown option "output" \(did you mean outputs\?\)/);
    xt.dispose();
    model.dispose();

    // Nodes another output needs are left out: here a NonZero, whose values the synchronous run cannot read
    // back, and an If whose branches read a value from outside them, which is kept.
    const branch = (name: string, op: string) => ({ inputs: [], outputs: [{ name: `${name}_out` }], nodes: [{ op, inputs: ['h'], outputs: [`${name}_out`] }] });
    const mixed = tm.onnx.fromBytes(onnxModel({
      inputs: [{ name: 'x', shape: [5] }],
      outputs: [{ name: 'kept' }, { name: 'where', type: 'int64' }],
      initializers: { c: { shape: [], values: [1], type: 'bool' } },
      nodes: [
        { op: 'Relu', inputs: ['x'], outputs: ['h'] },
        { op: 'If', inputs: ['c'], outputs: ['kept'], attributes: { then_branch: { graph: branch('then', 'Neg') }, else_branch: { graph: branch('else', 'Identity') } } },
        { op: 'NonZero', inputs: ['x'], outputs: ['where'] },
      ],
    }));
    const xs = tm.tensor([1, -2, 0, 3, -4]);
    expect(() => tm.noGrad(() => mixed.run({ x: xs }))).toThrow(/\(NonZero\).*model\.runAsync/);
    const { kept } = tm.noGrad(() => mixed.run({ x: xs }, { outputs: ['kept'] }));
    expect(Array.from(await kept.data())).toEqual([-1, -0, -0, -3, -0]);
    for (const r of [kept, xs]) r.dispose();
    mixed.dispose();
  });

  it('refuses wrong inputs with errors that say what it takes', () => {
    const model = tm.onnx.fromBytes(onnxModel({
      inputs: [{ name: 'a', shape: ['batch', 3] }, { name: 'i', type: 'int64', shape: [2] }],
      outputs: [{ name: 'y' }],
      nodes: [{ op: 'Identity', inputs: ['a'], outputs: ['y'] }],
    }));
    const a = tm.zeros([5, 3]), wrongShape = tm.zeros([5, 4]), rank1 = tm.zeros([3]);
    const i = tm.tensor([1, 2], [2], { dtype: 'i32' }), i3 = tm.tensor([1, 2, 3], [3], { dtype: 'i32' });
    try {
      expect(() => model.run([i, i])).toThrow(/input a is i32; the model takes float there, given as f32/);
      expect(() => model.run([a, a])).toThrow(/input i is f32; the model takes int64/);
      expect(() => model.run([wrongShape, i])).toThrow(/input a is \[5, 4\]; the model takes \[batch, 3\]/);
      expect(() => model.run([rank1, i])).toThrow(/input a is \[3\]; the model takes \[batch, 3\]/);
      expect(() => model.run([a, i3])).toThrow(/input i is \[3\]; the model takes \[2\]/);
      expect(() => model.run({ a })).toThrow(/input i is missing; the model takes a, i/);
      expect(() => model.run({ a, i, b: a })).toThrow(/no input named b; its inputs are a, i/);
      expect(() => model.run([a])).toThrow(/takes 2 inputs \(a, i\), got 1/);
      // Before IR version 4 initializers were listed among the inputs too: they are not inputs to feed.
    const listed = tm.onnx.fromBytes(onnxModel({
      inputs: [{ name: 'a', shape: [2] }, { name: 'B', shape: [2] }],
      outputs: [{ name: 'y' }],
      initializers: { B: { shape: [2], values: [1, 2] } },
      nodes: [{ op: 'Add', inputs: ['a', 'B'], outputs: ['y'] }],
    }));
    expect(listed.inputs.map((v) => v.name)).toEqual(['a']);
    listed.dispose();
    // The batch dimension is free.
      for (const batch of [1, 7]) {
        const x = tm.zeros([batch, 3]);
        const { y } = model.run([x, i]);
        expect(y.shape).toEqual([batch, 3]);
        x.dispose();
        y.dispose();
      }
    } finally {
      for (const x of [a, wrongShape, rank1, i, i3]) x.dispose();
      model.dispose();
    }
  });

  it('refuses graphs it cannot run, naming all that is wrong', () => {
    const x = [{ name: 'x' }];
    const refuse = (spec: Partial<GraphSpec> & Pick<GraphSpec, 'nodes'>, error: RegExp | typeof Error) => {
      const bytes = onnxModel({ inputs: x, outputs: [{ name: 'y' }], ...spec });
      expect(() => tm.onnx.fromBytes(bytes)).toThrow(error);
    };
    refuse({
      nodes: [
        { op: 'FooOp', inputs: ['x'], outputs: ['a'] },
        { op: 'FooOp', inputs: ['a'], outputs: ['b'] },
        { op: 'BarOp', inputs: ['b'], outputs: ['c'] },
        { op: 'Relu', inputs: ['c'], outputs: ['y'] },
      ],
    }, /ops tmnn does not run: FooOp \(2 nodes\), BarOp\. tm\.onnx\.SUPPORTED_OPS/);
    refuse({ nodes: [{ op: 'Relu', inputs: ['x'], outputs: ['y'], domain: 'com.example' }] }, /com\.example\.Relu/);
    refuse({ nodes: [{ op: 'Relu', inputs: ['a'], outputs: ['y'] }, { op: 'Relu', inputs: ['x'], outputs: ['a'] }] }, /uses a before the node that makes it; the graph is not in topological order/);
    refuse({ nodes: [{ op: 'Add', inputs: ['x', 'ghost'], outputs: ['y'] }] }, /uses ghost, which no node, input or initializer provides/);
    refuse({ nodes: [{ op: 'Relu', inputs: ['x'], outputs: ['a'] }] }, /graph output y is made by no node/);
    refuse({ opset: 6, nodes: [{ op: 'Relu', inputs: ['x'], outputs: ['y'] }] }, /operator set 6; tmnn runs 7 and later/);
    expect(tm.onnx.SUPPORTED_OPS).toContain('Gemm');
    expect(tm.onnx.SUPPORTED_OPS).not.toContain('FooOp');

    // An initializer whose data lives in another file.
    const external = rawModel((g) => {
      identityGraph(g);
      g.tag(5, WireType.LengthDelimited).fork()
        .tag(1, WireType.Varint).int64(4).tag(2, WireType.Varint).int32(1).tag(8, WireType.LengthDelimited).string('W')
        .tag(13, WireType.LengthDelimited).fork().tag(1, WireType.LengthDelimited).string('location').tag(2, WireType.LengthDelimited).string('weights.bin').join()
        .tag(14, WireType.Varint).int32(1)
        .join();
    });
    expect(() => tm.onnx.fromBytes(external)).toThrow(tm.CorruptFileError);
    expect(() => tm.onnx.fromBytes(external)).toThrow(/initializer W keeps its data in an external file \(weights\.bin\)/);
    const sparse = rawModel((g) => {
      identityGraph(g);
      g.tag(15, WireType.LengthDelimited).fork().join();
      g.tag(15, WireType.LengthDelimited).fork().join();
    });
    expect(() => tm.onnx.fromBytes(sparse)).toThrow(tm.CorruptFileError);
    expect(() => tm.onnx.fromBytes(sparse)).toThrow(/a sparse tensor has no values/);

    // Bytes that are not an ONNX model.
    const good = onnxModel({ inputs: x, outputs: [{ name: 'y' }], nodes: [{ op: 'Relu', inputs: ['x'], outputs: ['y'] }] });
    expect(tm.onnx.fromBytes(good).outputs).toHaveLength(1);
    for (const bad of [good.slice(0, good.length - 9), good.slice(0, 20), new Uint8Array(0), new TextEncoder().encode('definitely not protobuf, just text'), Uint8Array.from({ length: 64 }, (_, i) => (i * 37 + 11) & 255)]) {
      expect(() => tm.onnx.fromBytes(bad), `${bad.length} bytes`).toThrow(tm.CorruptFileError);
    }
  });

  it('float initializers are parameters: gradients against float64, an SGD step, weights saved and loaded', async () => {
    const before = await collected();
    const [batch, k, n] = [5, 7, 3];
    const w = rand([n, k]), b = rand([n]), x = rand([batch, k]), target = rand([batch, n]);
    // An int64 initializer (Reshape's shape) stays a host constant, not a parameter.
    const bytes = linearModel(k, n, w, b, {
      outputs: [{ name: 'r' }],
      initializers: { W: { shape: w.shape, values: w.v }, b: { shape: b.shape, values: b.v }, shape: { type: 'int64', shape: [2], values: [-1, n] } },
      nodes: [
        { op: 'Gemm', inputs: ['x', 'W', 'b'], outputs: ['y'], attributes: { transB: 1 } },
        { op: 'Reshape', inputs: ['y', 'shape'], outputs: ['r'] },
      ],
    });
    const model = tm.onnx.fromBytes(bytes);
    const named = model.namedParameters();
    expect(Object.keys(named).sort()).toEqual(['W', 'b']);
    expect(model.parameters()).toHaveLength(2);
    expectClose(await named.W.data(), w.v, 0, 'W as read');

    // loss = Σ y·target: dL/dW = targetᵀ·x, dL/db = Σ_rows target.
    const xt = t(x), tt = t(target);
    const y = model.forward(xt), yt = tm.mul(y, tt);
    const loss = tm.sum(yt);
    loss.backward();
    y.dispose();
    yt.dispose();
    expectClose(await named.W.grad!.data(), matmulRef(target, x, { transposeA: true }).v, 1e-5, 'dL/dW');
    const db = Array.from({ length: n }, (_, j) => Array.from({ length: batch }, (_, i) => target.v[i * n + j]).reduce((s, v) => s + v, 0));
    expectClose(await named.b.grad!.data(), db, 1e-5, 'dL/db');
    loss.dispose();

    const lr = 0.1;
    const sgd = new tm.optim.SGD(model.parameters(), { lr });
    sgd.step();
    const stepped = { w: f64(w.shape, w.v.map((v, i) => v)), b: f64(b.shape, b.v) };
    const gw = matmulRef(target, x, { transposeA: true }).v;
    stepped.w.v = w.v.map((v, i) => v - lr * gw[i]);
    stepped.b.v = b.v.map((v, j) => v - lr * db[j]);
    const after = tm.noGrad(() => model.forward(xt));
    expectClose(await after.data(), linearRef(x, stepped.w, stepped.b).v, 1e-4, 'output after an SGD step');

    // The trained weights into a fresh model of the same file.
    const saved = await model.weightsToBytes();
    const fresh = tm.onnx.fromBytes(bytes);
    await fresh.loadWeights(saved);
    const again = tm.noGrad(() => fresh.forward(xt));
    expectExact(await again.data(), await after.data(), 'fresh model after loadWeights');
    const path = join(dir, 'weights.safetensors');
    await model.saveWeights(path);
    const third = tm.onnx.fromBytes(bytes);
    await third.loadWeights(path);
    const third_y = tm.noGrad(() => third.forward(xt));
    expectExact(await third_y.data(), await after.data(), 'model after saveWeights → loadWeights from a path');

    for (const r of [xt, tt, after, again, third_y]) r.dispose();
    sgd.zeroGrad();
    for (const m of [model, fresh, third]) m.dispose();
    expect(tm.memory().numTensors).toBe(before);
  });

  it('loads from a path and from bytes; typed-field and float16 initializers read as raw_data does', async () => {
    const before = await collected();
    const w = rand([3, 7]), b = rand([3]);
    const bytes = linearModel(7, 3, w, b);
    const path = join(dir, 'linear.onnx');
    writeFileSync(path, bytes);
    const x = t(rand([4, 7]));
    const fromPath = await tm.onnx.load(path);
    const fromBytes = await tm.onnx.load(bytes);
    const fromBuffer = await tm.onnx.load(bytes.slice().buffer);
    const read = async (m: tm.onnx.OnnxModel) => {
      const y = tm.noGrad(() => m.forward(x));
      const data = await y.data();
      y.dispose();
      return data;
    };
    const want = await read(fromBytes);
    for (const m of [fromPath, fromBuffer]) expectExact(await read(m), want, 'same model');

    // The same initializers written in float_data / int64_data / double_data / int32_data (float16 bits).
    const ints = [3, -1, 0, 9];
    const typed = (typedFields: boolean) => onnxModel({
      inputs: [{ name: 'h', type: 'float16', shape: [4] }],
      outputs: [{ name: 'f' }, { name: 'i' }, { name: 'd' }, { name: 'h16' }],
      initializers: {
        F: { shape: [2, 2], values: [1.5, -2.25, 3, 0.125], typedFields },
        I: { type: 'int64', shape: [4], values: ints, typedFields },
        D: { type: 'double', shape: [2], values: [0.1, -7.5], typedFields },
        H: { type: 'float16', shape: [4], values: [0.5, -1.25, 2048, 0.0999755859375], typedFields },
      },
      nodes: [
        { op: 'Identity', inputs: ['F'], outputs: ['f'] },
        { op: 'Identity', inputs: ['I'], outputs: ['i'] },
        { op: 'Identity', inputs: ['D'], outputs: ['d'] },
        { op: 'Add', inputs: ['h', 'H'], outputs: ['h16'] },
      ],
    });
    const hv = f64([4], asF16(uniform(4)));
    const h = t(hv, 'f16');
    const outputs: Record<string, number[]>[] = [];
    for (const typedFields of [false, true]) {
      const m = tm.onnx.fromBytes(typed(typedFields));
      expect(Object.keys(m.namedParameters()).sort()).toEqual(['D', 'F', 'H']);
      const got = tm.noGrad(() => m.run([h]));
      expect(got.h16.dtype).toBe('f16');
      const read: Record<string, number[]> = {};
      for (const [name, v] of Object.entries(got)) read[name] = Array.from(await v.data());
      outputs.push(read);
      for (const v of Object.values(got)) v.dispose();
      m.dispose();
    }
    expect(outputs[1]).toEqual(outputs[0]);
    expectExact(outputs[0].f, [1.5, -2.25, 3, 0.125], 'float initializer');
    expectExact(outputs[0].i, ints, 'int64 initializer');
    expectExact(outputs[0].d, [Math.fround(0.1), -7.5], 'double initializer (as f32)');
    expectClose(outputs[0].h16, asF16(hv.v.map((v, i) => v + [0.5, -1.25, 2048, 0.0999755859375][i])), 1e-3, 'float16 input + float16 initializer');

    for (const m of [fromPath, fromBytes, fromBuffer]) m.dispose();
    x.dispose();
    h.dispose();
    await expect(tm.onnx.load(join(dir, 'missing.onnx'))).rejects.toThrow();
    expect(tm.memory().numTensors).toBe(before);
  });
});
