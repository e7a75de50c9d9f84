// Tensors of strings in ONNX graphs (src/onnx/string_tensor.ts,
// string_ops.ts) on every backend: tm.onnx.StringTensor as a graph input and
// output (runValues gives one; run, tensors only, points there), string
// initializers and Constant nodes, and the ops that move elements without
// reading them — Identity, Reshape, Flatten, Squeeze, Unsqueeze, Transpose,
// Concat, Slice, Gather, GatherElements, GatherND, Compress, Split, Expand,
// Tile, ReverseSequence, ScatterElements, ScatterND, and Shape and Size of
// strings — and Unique, which compares them, each against onnxruntime-web on
// random words at odd shapes. Gather's indices may come from the device: js
// and native read them in place, a GPU's are read back by runValuesAsync.
// Cast between strings and numbers, as onnxruntime's C conversions do it.
// Sequences and optionals hold strings as they hold numbers, inside the graph
// and at its edges. Ops that compute on numbers refuse strings by name, as
// does mixing strings with numbers.
import * as ort from 'onnxruntime-web';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { randomInts, SEED } from '../helpers/data.js';
import { onnxModel, type AttributeSpec, type NodeSpec, type TensorSpec, type ValueSpec } from '../helpers/onnx.js';
import { readElements } from '../helpers/onnx_run.js';
import { ortRun } from '../helpers/ort.js';

const WORDS = ['alpha', 'beta', '', 'γάμμα', '東京', 'a b', 'x'];
const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
const words = (n: number): string[] => Array.from(randomInts(n, 0, WORDS.length - 1), (k) => `${WORDS[k]}${k % 2 ? n : ''}`);
const ints = (values: readonly number[]): TensorSpec => ({ type: 'int64', shape: [values.length], values });

/** A graph of `nodes` from string input x (of `shape`) to string output y, with int64 initializers. */
function stringGraph(shape: readonly (number | string)[], nodes: readonly NodeSpec[], initializers: Record<string, TensorSpec> = {}, extraInputs: readonly ValueSpec[] = [], yType: 'string' | 'int64' = 'string'): Uint8Array {
  return onnxModel({ opset: 17, inputs: [{ name: 'x', type: 'string', shape }, ...extraInputs], initializers, outputs: [{ name: 'y', type: yType }], nodes });
}

const node = (op: string, inputs: string[], attributes: Record<string, AttributeSpec> = {}): NodeSpec => ({ op, inputs, outputs: ['y'], attributes });

describe('tm.onnx.StringTensor', () => {
  it('holds strings of a shape, frozen, and nests them by it', () => {
    const t = new tm.onnx.StringTensor(['a', 'b', 'c', 'd', 'e', 'f'], [2, 3]);
    expect(t.shape).toEqual([2, 3]);
    expect(t.rank).toBe(2);
    expect(t.size).toBe(6);
    expect(t.array()).toEqual([['a', 'b', 'c'], ['d', 'e', 'f']]);
    expect(Object.isFrozen(t.values) && Object.isFrozen(t.shape)).toBe(true);
    expect(new tm.onnx.StringTensor(['only'], []).array()).toBe('only');
    expect(new tm.onnx.StringTensor(['u', 'v']).shape).toEqual([2]);
  });

  it('is made from nested arrays too, their shape its own, ragged ones refused', () => {
    const t = tm.onnx.StringTensor.from([['a', 'b', 'c'], ['d', 'e', 'f']]);
    expect(t.shape).toEqual([2, 3]);
    expect(t.values).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
    expect(tm.onnx.StringTensor.from('x').shape).toEqual([]);
    expect(tm.onnx.StringTensor.from([[], []]).shape).toEqual([2, 0]);
    expect(() => tm.onnx.StringTensor.from([['a'], ['b', 'c']])).toThrow(/StringTensor\.from: the arrays are ragged: \[1\] holds 2 where the first of its level holds 1/);
    expect(() => tm.onnx.StringTensor.from([['a', 1 as unknown as string]])).toThrow(/StringTensor\.from: element \[0\]\[1\] is number, not a string/);
  });

  it('refuses values that are not strings and a shape of another size, naming them', () => {
    expect(() => new tm.onnx.StringTensor(['a', 3 as unknown as string])).toThrow(/StringTensor: values\[1\] is number, not a string/);
    expect(() => new tm.onnx.StringTensor(['a', 'b', 'c'], [2, 2])).toThrow(/StringTensor: shape \[2, 2\] holds 4 elements, 3 values given/);
    expect(() => new tm.onnx.StringTensor(['a'], [-1])).toThrow(/StringTensor: shape must be a list of non-negative integers, got \[-1\]/);
  });
});

describe.each(BACKENDS)('tensors of strings in ONNX graphs on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  /** The model's y for x on tmnn (runValues and runValuesAsync) and on onnxruntime-web, which must agree. */
  async function agree(what: string, bytes: Uint8Array, x: tm.onnx.StringTensor): Promise<void> {
    await agreeWith(what, bytes, { x });
  }

  /** The same for string inputs `feeds`. */
  async function agreeWith(what: string, bytes: Uint8Array, feeds: Record<string, tm.onnx.StringTensor>): Promise<void> {
    const model = await tm.onnx.fromBytes(bytes);
    const sync = model.runValues(feeds).y;
    const async = (await model.runValuesAsync(feeds)).y;
    const theirs = (await ortRun(bytes, Object.fromEntries(Object.entries(feeds).map(([name, v]) => [name, new ort.Tensor('string', [...v.values], [...v.shape])])))).y;
    const read = (v: tm.onnx.OnnxOutput) => (v instanceof tm.onnx.StringTensor ? { shape: [...v.shape], values: [...v.values] } : v);
    const want = { shape: [...theirs.dims], values: Array.from(theirs.data as string[]) };
    expect(read(sync), `${what} (seed ${SEED})`).toEqual(want);
    expect(read(async), `${what}, runValuesAsync`).toEqual(want);
    model.dispose();
  }

  it('moves strings through the ops that move elements, as onnxruntime does', async () => {
    for (const shape of [[1, 1, 1], [3, 1, 5], [2, 7, 1]]) {
      const x = new tm.onnx.StringTensor(words(size(shape)), shape);
      const [a, b, c] = shape;
      await agree(`Identity ${shape}`, stringGraph(shape, [node('Identity', ['x'])]), x);
      await agree(`Reshape ${shape}`, stringGraph(shape, [node('Reshape', ['x', 's'])], { s: ints([c, -1]) }), x);
      await agree(`Flatten ${shape}`, stringGraph(shape, [node('Flatten', ['x'], { axis: 2 })]), x);
      await agree(`Squeeze ${shape}`, stringGraph(shape, [node('Squeeze', ['x'])]), x);
      await agree(`Unsqueeze ${shape}`, stringGraph(shape, [node('Unsqueeze', ['x', 'axes'])], { axes: ints([0, 4]) }), x);
      await agree(`Transpose ${shape}`, stringGraph(shape, [node('Transpose', ['x'], { perm: [2, 0, 1] })]), x);
      await agree(`Concat ${shape}`, stringGraph(shape, [{ op: 'Reshape', inputs: ['x', 's'], outputs: ['r'] }, node('Concat', ['x', 'r', 'x'], { axis: 1 })], { s: ints([a, -1, c]) }), x);
      await agree(`Slice ${shape}`, stringGraph(shape, [node('Slice', ['x', 'starts', 'ends', 'axes', 'steps'])], { starts: ints([-1, 0]), ends: ints([-1 - c, b]), axes: ints([2, 1]), steps: ints([-2, 2]) }), x);
      await agree(`Gather ${shape}`, stringGraph(shape, [node('Gather', ['x', 'i'], { axis: 2 })], { i: ints([c - 1, 0, -1]) }), x);
      await agree(`Expand ${shape}`, stringGraph(shape, [node('Expand', ['x', 's'])], { s: ints([2, a, b, c]) }), x);
      await agree(`Tile ${shape}`, stringGraph(shape, [node('Tile', ['x', 'r'])], { r: ints([2, 1, 3]) }), x);
      await agree(`Compress ${shape}`, stringGraph(shape, [node('Compress', ['x', 'keep'], { axis: 2 })], { keep: { type: 'bool', shape: [c], values: Array.from({ length: c }, (_, i) => i % 2) } }), x);
      await agree(`Compress ${shape}, flattened`, stringGraph(shape, [node('Compress', ['x', 'keep'])], { keep: { type: 'bool', shape: [Math.min(3, a * b * c)], values: [1, 0, 1].slice(0, a * b * c) } }), x);
      const along = Array.from({ length: a * b * 2 }, (_, i) => (i % 2 ? -1 : (i * 7) % c));
      await agree(`GatherElements ${shape}`, stringGraph(shape, [node('GatherElements', ['x', 'i'], { axis: 2 })], { i: { type: 'int64', shape: [a, b, 2], values: along } }), x);
      await agree(`GatherND ${shape}`, stringGraph(shape, [node('GatherND', ['x', 'i'])], { i: { type: 'int64', shape: [3, 2], values: [0, 0, a - 1, b - 1, -1, 0] } }), x);
      await agree(`GatherND ${shape}, batch_dims 1`, stringGraph(shape, [node('GatherND', ['x', 'i'], { batch_dims: 1 })], { i: { type: 'int64', shape: [a, 2, 2], values: Array.from({ length: a * 4 }, (_, i) => (i % 2 ? c - 1 : (i * 3) % b)) } }), x);
      await agree(`ReverseSequence ${shape}`, stringGraph(shape, [node('ReverseSequence', ['x', 'lens'], { batch_axis: 1, time_axis: 0 })], { lens: ints(Array.from({ length: b }, (_, i) => (i * 2 + 1) % (a + 1))) }), x);
      await agree(`ReverseSequence ${shape}, batch first`, stringGraph(shape, [node('ReverseSequence', ['x', 'lens'], { batch_axis: 0, time_axis: 1 })], { lens: ints(Array.from({ length: a }, (_, i) => b - (i % (b + 1)))) }), x);
      // Updates of strings written into x (a second string input, u), the last write winning.
      const u = { name: 'u', type: 'string' as const, shape: [a, b, 2] };
      const scatter = (op: string, indices: TensorSpec) => onnxModel({ opset: 17, inputs: [{ name: 'x', type: 'string', shape }, u], initializers: { i: indices }, outputs: [{ name: 'y', type: 'string' }], nodes: [node(op, ['x', 'i', 'u'], op === 'ScatterElements' ? { axis: 2 } : {})] });
      const updates = new tm.onnx.StringTensor(words(a * b * 2).map((w) => `${w}!`), [a, b, 2]);
      await agreeWith(`ScatterElements ${shape}`, scatter('ScatterElements', { type: 'int64', shape: [a, b, 2], values: along }), { x, u: updates });
      const ndUpdates = new tm.onnx.StringTensor(words(2 * c), [2, c]);
      await agreeWith(`ScatterND ${shape}`, onnxModel({ opset: 17, inputs: [{ name: 'x', type: 'string', shape }, { name: 'u', type: 'string', shape: [2, c] }], initializers: { i: { type: 'int64', shape: [2, 2], values: [0, b - 1, -1, 0] } }, outputs: [{ name: 'y', type: 'string' }], nodes: [node('ScatterND', ['x', 'i', 'u'])] }), { x, u: ndUpdates });
      // Split's second part is not a graph output: y is the first, [a, b, 1].
      await agree(`Split ${shape}`, stringGraph(shape, [{ op: 'Split', inputs: ['x', 'parts'], outputs: ['z', 'y'], attributes: { axis: 2 } }], { parts: ints([c - 1, 1]) }), x);
    }
  });

  it('finds the distinct strings (Unique: sorted as onnxruntime sorts them, by UTF-8 bytes; or in order of appearance), with their first indices, the inverse and the counts', async () => {
    // Characters past U+FFFF sort after U+E000–U+FFFF in UTF-8, before them in JavaScript's UTF-16 order.
    const pool = ['b', 'a', '', 'ab', '\u{1F600}', '\uFB00', 'é', 'A', 'b '];
    for (const [shape, attributes] of [[[13], {}], [[13], { sorted: 0 }], [[4, 5], { axis: 1 }], [[2, 3, 4], { axis: 0, sorted: 0 }], [[2, 3, 4], { axis: 2 }]] as const) {
      const values = Array.from(randomInts(size(shape), 0, pool.length - 1), (k) => pool[k]);
      [values[0], values[values.length - 1]] = [pool[4], pool[5]]; // both sides of UTF-16's misorder, always
      if (shape.length === 2) for (let r = 0; r < 4; r++) values[r * 5 + 3] = values[r * 5 + 1]; // a repeated column
      const bytes = onnxModel({
        opset: 17,
        inputs: [{ name: 'x', type: 'string', shape }],
        outputs: [{ name: 'y', type: 'string' }, { name: 'first', type: 'int64' }, { name: 'inverse', type: 'int64' }, { name: 'counts', type: 'int64' }],
        nodes: [{ op: 'Unique', inputs: ['x'], outputs: ['y', 'first', 'inverse', 'counts'], attributes }],
      });
      const x = new tm.onnx.StringTensor(values, shape);
      const theirs = await ortRun(bytes, { x: new ort.Tensor('string', values, [...shape]) });
      const model = await tm.onnx.fromBytes(bytes);
      for (const mine of [model.runValues({ x }), await model.runValuesAsync({ x })]) {
        const y = mine.y as tm.onnx.StringTensor;
        const what = `Unique ${JSON.stringify(attributes)} of [${shape}] (seed ${SEED})`;
        expect({ shape: [...y.shape], values: [...y.values] }, what).toEqual({ shape: [...theirs.y.dims], values: Array.from(theirs.y.data as string[]) });
        for (const name of ['first', 'inverse', 'counts']) expect((await readElements(mine[name])).values, `${what}: ${name}`).toEqual(Array.from(theirs[name].data as BigInt64Array, Number));
      }
      model.dispose();
    }
  });

  it('picks strings with Where, broadcast, its condition computed on the device, as onnxruntime does', async () => {
    // y = where(scores > 0, names, fallback): names [3, 4], fallback one string for all.
    const bytes = onnxModel({
      opset: 17,
      inputs: [{ name: 'scores', shape: [3, 4] }, { name: 'names', type: 'string', shape: [3, 4] }, { name: 'fallback', type: 'string', shape: [1] }],
      initializers: { zero: { type: 'float', shape: [], values: [0] } },
      outputs: [{ name: 'y', type: 'string' }],
      nodes: [{ op: 'Greater', inputs: ['scores', 'zero'], outputs: ['c'] }, node('Where', ['c', 'names', 'fallback'])],
    });
    const values = Array.from(randomInts(12, -3, 3));
    const names = new tm.onnx.StringTensor(words(12), [3, 4]), fallback = new tm.onnx.StringTensor(['—']);
    const theirs = Array.from((await ortRun(bytes, { scores: new ort.Tensor('float32', Float32Array.from(values), [3, 4]), names: new ort.Tensor('string', [...names.values], [3, 4]), fallback: new ort.Tensor('string', ['—'], [1]) })).y.data as string[]);
    const model = await tm.onnx.fromBytes(bytes);
    const scores = tm.tensor(Float32Array.from(values), [3, 4]);
    expect(((await model.runValuesAsync({ scores, names, fallback })).y as tm.onnx.StringTensor).values, `Where (seed ${SEED})`).toEqual(theirs);
    if (backend !== 'webgpu') expect((tm.tidy(() => model.runValues({ scores, names, fallback })).y as tm.onnx.StringTensor).values).toEqual(theirs);
    scores.dispose();
    model.dispose();
  });

  it('takes the shape and size of strings (Shape, Size) as numbers', async () => {
    const x = new tm.onnx.StringTensor(words(6), [2, 3]);
    for (const op of ['Shape', 'Size']) {
      const bytes = stringGraph([2, 3], [node(op, ['x'])], {}, [], 'int64');
      const model = await tm.onnx.fromBytes(bytes);
      const y = model.run({ x }).y;
      const theirs = (await ortRun(bytes, { x: new ort.Tensor('string', [...x.values], [2, 3]) })).y;
      expect(Array.from(await y.data()), op).toEqual(Array.from(theirs.data as BigInt64Array, Number));
      y.dispose();
      model.dispose();
    }
  });

  it('reads string initializers and Constant nodes of strings (value, value_strings, value_string)', async () => {
    const bytes = onnxModel({
      opset: 17,
      inputs: [],
      initializers: { names: { type: 'string', shape: [2], values: [], strings: ['ant', 'bee'] } },
      outputs: [{ name: 'y', type: 'string' }],
      nodes: [
        { op: 'Constant', inputs: [], outputs: ['zero'], attributes: { value_ints: [0] } },
        { op: 'Constant', inputs: [], outputs: ['c1'], attributes: { value: { tensor: { type: 'string', shape: [1], values: [], strings: ['cat'] } } } },
        { op: 'Constant', inputs: [], outputs: ['c2'], attributes: { value_strings: { strings: ['dog', 'eel'] } } },
        { op: 'Constant', inputs: [], outputs: ['c3'], attributes: { value_string: 'fox' } },
        { op: 'Unsqueeze', inputs: ['c3', 'zero'], outputs: ['c3v'] },
        node('Concat', ['names', 'c1', 'c2', 'c3v'], { axis: 0 }),
      ],
    });
    const model = await tm.onnx.fromBytes(bytes);
    const y = model.runValues({}).y as tm.onnx.StringTensor;
    expect(y.array()).toEqual(['ant', 'bee', 'cat', 'dog', 'eel', 'fox']);
    expect(Array.from((await ortRun(bytes, {})).y.data as string[])).toEqual([...y.values]);
    model.dispose();
  });

  it(`gathers strings at indices computed on the device: ${backend === 'webgpu' ? 'runValuesAsync reads them back, the synchronous run refuses' : 'read in place, by either run'}`, async () => {
    // The place of each row's largest score, picked from the row's names.
    const bytes = stringGraph([4], [{ op: 'ArgMax', inputs: ['scores'], outputs: ['i'], attributes: { axis: 1, keepdims: 0 } }, node('Gather', ['x', 'i'])], {}, [{ name: 'scores', shape: [3, 4] }]);
    const model = await tm.onnx.fromBytes(bytes);
    const x = new tm.onnx.StringTensor(['n', 'e', 's', 'w']);
    const scores = tm.tensor(Float32Array.of(0, 3, 1, 2, 9, 0, 0, 0, 1, 1, 5, 1), [3, 4]);
    expect(((await model.runValuesAsync({ x, scores })).y as tm.onnx.StringTensor).values).toEqual(['e', 'n', 's']);
    if (backend === 'webgpu') expect(() => model.runValues({ x, scores })).toThrow(/\(Gather\) runs on the host, having strings or a map among its inputs, and its input 1 \(i\) is computed on the device; .*model\.runValuesAsync reads it back/);
    else expect((tm.tidy(() => model.runValues({ x, scores })).y as tm.onnx.StringTensor).values).toEqual(['e', 'n', 's']);
    scores.dispose();
    model.dispose();
  });

  it('casts numbers to strings as onnxruntime writes them (printf\'s %.8g), and strings to numbers as it reads them (strtod, strtoll)', async () => {
    const castModel = (from: 'float' | 'double' | 'int64' | 'bool' | 'string', to: number, toType: 'string' | 'float' | 'double' | 'int64' | 'int32' | 'uint8' | 'bool') =>
      onnxModel({ opset: 17, inputs: [{ name: 'x', type: from, shape: [null] }], outputs: [{ name: 'y', type: toType }], nodes: [node('Cast', ['x'], { to })] });
    // Exact ties at the 8th digit (1234567.25) go to the even neighbour, as printf rounds them: 1234567.2, 123456.12, -1234568.2.
    const ties = [1234567.25, 1234567.75, 123456.125, -1234568.25, 2 ** 23 + 0.5];
    const floats = [0.1, 1e-5, 1e8, 3.14159, -0, NaN, Infinity, -Infinity, 100, 1 / 3, 1.5e-40, 2 ** 24 + 1, ...ties, ...Array.from(randomInts(6, -1e6, 1e6), (v) => v / 997)];
    const inputs: [string, 'float' | 'double' | 'int64' | 'bool', tm.Tensor, ort.Tensor][] = [
      ['float', 'float', tm.tensor(Float32Array.from(floats)), new ort.Tensor('float32', Float32Array.from(floats))],
      ['double (held as f32)', 'double', tm.tensor(Float32Array.from(floats)), new ort.Tensor('float64', Float64Array.from(Float32Array.from(floats)))],
      ['int64', 'int64', tm.tensor(Int32Array.of(0, -5, 2 ** 31 - 1, 42), [4], { dtype: 'i32' }), new ort.Tensor('int64', BigInt64Array.of(0n, -5n, 2n ** 31n - 1n, 42n))],
      ['bool', 'bool', tm.tensor(Int32Array.of(0, 1, 1), [3], { dtype: 'i32' }), new ort.Tensor('bool', Uint8Array.of(0, 1, 1))],
    ];
    for (const [what, type, mine, theirs] of inputs) {
      const bytes = castModel(type, 8, 'string');
      const model = await tm.onnx.fromBytes(bytes);
      const want = Array.from((await ortRun(bytes, { x: theirs })).y.data as string[]);
      expect(((await model.runValuesAsync({ x: mine })).y as tm.onnx.StringTensor).values, `${what} to strings (seed ${SEED})`).toEqual(want);
      if (backend !== 'webgpu') expect((model.runValues({ x: mine }).y as tm.onnx.StringTensor).values, `${what} to strings, synchronous run`).toEqual(want);
      else expect(() => model.runValues({ x: mine })).toThrow(/\(Cast\): casts numbers to strings on the host, from x, which is computed on the device/);
      mine.dispose();
      model.dispose();
    }
    const strings = new tm.onnx.StringTensor(['3.14', '1e-5', '1E8', '+INF', 'inf', '-Inf', 'NaN', ' 42', '42abc', '-7', '0x10', '0x1.8p1', '300']);
    for (const [to, type] of [[1, 'float'], [11, 'double'], [7, 'int64'], [6, 'int32'], [2, 'uint8'], [9, 'bool']] as const) {
      const given = type === 'float' || type === 'double' ? strings : new tm.onnx.StringTensor(strings.values.filter((v) => !/inf|nan/i.test(v)));
      const bytes = castModel('string', to, type);
      const model = await tm.onnx.fromBytes(bytes);
      const y = model.runValues({ x: given }).y as tm.Tensor;
      // tmnn holds double as f32.
      const want = Array.from((await ortRun(bytes, { x: new ort.Tensor('string', [...given.values]) })).y.data as ArrayLike<number | bigint | boolean>, (v) => (type === 'double' ? Math.fround(Number(v)) : Number(v)));
      expect(Array.from(await y.data()), `strings to ${type}`).toEqual(want);
      y.dispose();
      model.dispose();
    }
    const toFloat = await tm.onnx.fromBytes(castModel('string', 1, 'float'));
    const toInt = await tm.onnx.fromBytes(castModel('string', 7, 'int64'));
    expect(() => toFloat.runValues({ x: new tm.onnx.StringTensor(['1', 'true']) })).toThrow(/\(Cast\): element 1 of its input, "true", starts with no number \(casting strings to float\)/);
    expect(() => toFloat.runValues({ x: new tm.onnx.StringTensor(['1e400']) })).toThrow(/element 0 of its input, "1e400", is out of the range of double/);
    expect(() => toInt.runValues({ x: new tm.onnx.StringTensor(['', '1']) })).toThrow(/element 0 of its input, "", starts with no integer \(casting strings to int64\)/);
    toFloat.dispose();
    toInt.dispose();
  });

  it('compares, joins, splits and matches strings element by element (Equal, StringConcat, StringSplit, RegexFullMatch), as onnxruntime does', async () => {
    const model = (op: string, inputs: ValueSpec[], outputs: ValueSpec[], attributes: Record<string, AttributeSpec> = {}) =>
      onnxModel({ opset: 20, irVersion: 9, inputs, outputs, nodes: [{ op, inputs: inputs.map((i) => i.name), outputs: outputs.map((o) => o.name), attributes }] });
    const s = (name: string, rank: number): ValueSpec => ({ name, type: 'string', shape: new Array(rank).fill(null) });
    async function agreeAll(what: string, bytes: Uint8Array, given: Record<string, tm.onnx.StringTensor>): Promise<void> {
      const theirs = await ortRun(bytes, Object.fromEntries(Object.entries(given).map(([k, v]) => [k, new ort.Tensor('string', [...v.values], [...v.shape])])));
      const m = await tm.onnx.fromBytes(bytes);
      const ours = m.runValues(given);
      for (const [name, t] of Object.entries(theirs)) {
        const values = t.type === 'string' ? Array.from(t.data as string[]) : Array.from(t.data as ArrayLike<number | bigint>, Number);
        expect(await readElements(ours[name]), `${what}: ${name} (seed ${SEED})`).toEqual({ shape: [...t.dims], values });
      }
      m.dispose();
    }
    const a = new tm.onnx.StringTensor(words(12), [3, 4]), b = new tm.onnx.StringTensor(words(4), [4]), column = new tm.onnx.StringTensor(words(3), [3, 1]);
    for (const [what, y] of [['b', b], ['a column', column], ['a itself', a]] as const) {
      await agreeAll(`Equal with ${what}`, model('Equal', [s('a', 2), s('b', y.rank)], [{ name: 'y', type: 'bool' }]), { a, b: y });
      await agreeAll(`StringConcat with ${what}`, model('StringConcat', [s('a', 2), s('b', y.rank)], [{ name: 'y', type: 'string' }]), { a, b: y });
    }
    const texts = new tm.onnx.StringTensor(['a,b,,c', '', ',', '  two  words ', 'x,y', 'one'], [2, 3]);
    for (const attributes of [{ delimiter: ',' }, { delimiter: ',', maxsplit: 1 }, {}, { maxsplit: 1 }, { delimiter: ', ' }] as Record<string, AttributeSpec>[]) {
      await agreeAll(`StringSplit ${JSON.stringify(attributes)}`, model('StringSplit', [s('x', 2)], [{ name: 'y', type: 'string' }, { name: 'z', type: 'int64' }], attributes), { x: texts });
    }
    await agreeAll('StringSplit of empty strings only', model('StringSplit', [s('x', 1)], [{ name: 'y', type: 'string' }, { name: 'z', type: 'int64' }]), { x: new tm.onnx.StringTensor(['', '']) });
    for (const pattern of ['[a-zα-ω]+\\d*', 'a b|東京.*', '(?:x|alpha)\\!?', '.*']) {
      await agreeAll(`RegexFullMatch ${pattern}`, model('RegexFullMatch', [s('x', 2)], [{ name: 'y', type: 'bool' }], { pattern }), { x: new tm.onnx.StringTensor([...words(5), 'abc1', 'x!'], [7, 1]) });
    }
  });

  it('builds, reads and joins sequences of strings (SplitToSequence, SequenceConstruct/Insert/Erase/At/Length, ConcatFromSequence), given and given back as arrays of StringTensors, as onnxruntime does', async () => {
    const shape = [3, 4];
    const x = new tm.onnx.StringTensor(words(12), shape);
    const more = new tm.onnx.StringTensor(words(4), [1, 4]);
    const scalar = (value: number): TensorSpec => ({ type: 'int64', shape: [], values: [value] });
    const initializers = { one: scalar(1), last: scalar(-1), sizes: ints([1, 2]) };
    // The ops on tensors of strings in and out, which onnxruntime-web (tensors only at its edges) runs too.
    const tensorNodes: NodeSpec[] = [
      { op: 'SplitToSequence', inputs: ['x'], outputs: ['rows'], attributes: { axis: 0, keepdims: 0 } },
      { op: 'SplitToSequence', inputs: ['x', 'sizes'], outputs: ['parts'], attributes: { axis: 0 } },
      { op: 'SequenceInsert', inputs: ['parts', 'more', 'one'], outputs: ['inserted'] },
      { op: 'SequenceErase', inputs: ['inserted', 'last'], outputs: ['erased'] },
      { op: 'ConcatFromSequence', inputs: ['erased'], outputs: ['joined'], attributes: { axis: 0 } },
      { op: 'SequenceConstruct', inputs: ['more', 'more'], outputs: ['pair'] },
      { op: 'ConcatFromSequence', inputs: ['pair'], outputs: ['stacked'], attributes: { axis: 1, new_axis: 1 } },
      { op: 'SequenceAt', inputs: ['rows', 'last'], outputs: ['picked'] },
      { op: 'SequenceLength', inputs: ['inserted'], outputs: ['count'] },
    ];
    const tensorOutputs: ValueSpec[] = [{ name: 'joined', type: 'string' }, { name: 'stacked', type: 'string' }, { name: 'picked', type: 'string' }, { name: 'count', type: 'int64' }];
    const inputs: ValueSpec[] = [{ name: 'x', type: 'string', shape }, { name: 'more', type: 'string', shape: [1, 4] }];
    const bytes = onnxModel({ opset: 17, inputs, initializers, outputs: tensorOutputs, nodes: tensorNodes });
    const theirs = await ortRun(bytes, { x: new ort.Tensor('string', [...x.values], shape), more: new ort.Tensor('string', [...more.values], [1, 4]) });
    const model = await tm.onnx.fromBytes(bytes);
    for (const mine of [model.runValues({ x, more }), await model.runValuesAsync({ x, more })]) {
      for (const name of ['joined', 'stacked', 'picked', 'count']) {
        const want = Array.from(theirs[name].data as ArrayLike<string | bigint>, (v) => (typeof v === 'bigint' ? Number(v) : v));
        expect(await readElements(mine[name]), `${name} (seed ${SEED})`).toEqual({ shape: [...theirs[name].dims], values: want });
      }
    }
    model.dispose();
    // Sequences of strings at the graph's edges: an array of StringTensors in, and out.
    const edges = await tm.onnx.fromBytes(onnxModel({
      opset: 17,
      inputs: [...inputs, { name: 'given', type: 'string', sequence: true }],
      initializers,
      outputs: [{ name: 'rows', type: 'string', sequence: true }, { name: 'echo', type: 'string', sequence: true }, { name: 'total', type: 'int64' }],
      nodes: [...tensorNodes, { op: 'Identity', inputs: ['given'], outputs: ['echo'] }, { op: 'SequenceLength', inputs: ['given'], outputs: ['total'] }],
    }));
    const given = [new tm.onnx.StringTensor(['a'], [1]), new tm.onnx.StringTensor(words(6), [2, 3])];
    const out = edges.runValues({ x, more, given });
    expect((out.rows as tm.onnx.StringTensor[]).map((r) => [[...r.shape], [...r.values]])).toEqual([0, 1, 2].map((r) => [[4], x.values.slice(r * 4, r * 4 + 4)]));
    expect(out.echo).toEqual(given);
    expect((await readElements(out.total)).values).toEqual([2]);
    edges.dispose();
  });

  it('wraps strings in optionals (Optional, OptionalHasElement, OptionalGetElement, an empty optional(string)), as onnxruntime does, and takes and gives optional(string) and optional(seq(string)) at the graph\'s edges', async () => {
    const shape = [3, 4];
    const x = new tm.onnx.StringTensor(words(12), shape);
    const stringType = { type: { type: 'string' as const } };
    // Inside the graph: onnxruntime-web (tensors only at its edges) runs these too.
    const inside = onnxModel({
      opset: 18,
      inputs: [{ name: 'x', type: 'string', shape }],
      outputs: [{ name: 'has', type: 'bool' }, { name: 'none', type: 'bool' }, { name: 'plain', type: 'bool' }, { name: 'e', type: 'string' }, { name: 'joined', type: 'string' }, { name: 'same', type: 'string' }],
      nodes: [
        { op: 'Optional', inputs: ['x'], outputs: ['o'], attributes: { type: stringType } },
        { op: 'OptionalHasElement', inputs: ['o'], outputs: ['has'] },
        { op: 'OptionalGetElement', inputs: ['o'], outputs: ['e'] },
        { op: 'Optional', inputs: [], outputs: ['empty'], attributes: { type: stringType } },
        { op: 'OptionalHasElement', inputs: ['empty'], outputs: ['none'] },
        { op: 'OptionalHasElement', inputs: ['x'], outputs: ['plain'] },
        { op: 'OptionalGetElement', inputs: ['x'], outputs: ['same'] },
        { op: 'SplitToSequence', inputs: ['x'], outputs: ['rows'], attributes: { axis: 0, keepdims: 0 } },
        { op: 'Optional', inputs: ['rows'], outputs: ['list'] },
        { op: 'OptionalGetElement', inputs: ['list'], outputs: ['back'] },
        { op: 'ConcatFromSequence', inputs: ['back'], outputs: ['joined'], attributes: { axis: 0 } },
      ],
    });
    const theirs = await ortRun(inside, { x: new ort.Tensor('string', [...x.values], shape) });
    const model = await tm.onnx.fromBytes(inside);
    for (const mine of [model.runValues({ x }), await model.runValuesAsync({ x })]) {
      for (const name of ['has', 'none', 'plain', 'e', 'joined', 'same']) {
        const want = Array.from(theirs[name].data as ArrayLike<string | number | boolean>, (v) => (typeof v === 'boolean' ? Number(v) : v));
        expect(await readElements(mine[name]), `${name} (seed ${SEED})`).toEqual({ shape: [...theirs[name].dims], values: want });
      }
    }
    model.dispose();
    // At the edges: `def f(x, name: Optional[str-tensor], names: Optional[List[...]])`, each given back, and
    // `name if name is not None else default` decided on the host (OptionalHasElement → If).
    const branch = (name: string, nodes: NodeSpec[]) => ({ graph: { name, inputs: [], outputs: [{ name: `${name}_y`, type: 'string' as const }], nodes } });
    const edges = await tm.onnx.fromBytes(onnxModel({
      opset: 18,
      inputs: [{ name: 'name', type: 'string', shape: [2], optional: true }, { name: 'names', type: 'string', sequence: true, optional: true }],
      initializers: { fallback: { type: 'string', shape: [2], values: [], strings: ['none', 'given'] } },
      outputs: [{ name: 'echo', type: 'string', optional: true }, { name: 'list', type: 'string', sequence: true, optional: true }, { name: 'picked', type: 'string' }, { name: 'count', type: 'int64' }],
      nodes: [
        { op: 'Identity', inputs: ['name'], outputs: ['echo'] },
        { op: 'Identity', inputs: ['names'], outputs: ['list'] },
        { op: 'OptionalHasElement', inputs: ['name'], outputs: ['given'] },
        {
          op: 'If', inputs: ['given'], outputs: ['picked'],
          attributes: {
            then_branch: branch('then', [{ op: 'OptionalGetElement', inputs: ['name'], outputs: ['then_y'] }]),
            else_branch: branch('else', [{ op: 'Identity', inputs: ['fallback'], outputs: ['else_y'] }]),
          },
        },
        { op: 'OptionalHasElement', inputs: ['names'], outputs: ['listed'] },
        { op: 'Cast', inputs: ['listed'], outputs: ['count'], attributes: { to: 7 } },
      ],
    }));
    expect(edges.inputs).toEqual([{ name: 'name', type: 'optional(string)', shape: [2] }, { name: 'names', type: 'optional(seq(string))' }]);
    const name = new tm.onnx.StringTensor(['ab', 'γ'], [2]);
    const names = [new tm.onnx.StringTensor(words(3), [3]), new tm.onnx.StringTensor([], [0])];
    const full = edges.runValues({ name, names });
    expect(full.echo).toBe(name);
    expect(full.list).toEqual(names);
    expect(await readElements(full.picked)).toEqual({ shape: [2], values: ['ab', 'γ'] });
    expect((await readElements(full.count)).values).toEqual([1]);
    for (const none of [edges.runValues({ name: null, names: null }), await edges.runValuesAsync({})]) {
      expect(none.echo).toBeNull();
      expect(none.list).toBeNull();
      expect(await readElements(none.picked)).toEqual({ shape: [2], values: ['none', 'given'] });
      expect((await readElements(none.count)).values).toEqual([0]);
    }
    const numbers = tm.tensor([1, 2]);
    expect(() => edges.runValues({ name: numbers })).toThrow(/input name is a tensor of strings and takes a tm\.onnx\.StringTensor .*, got a f32 tensor \[2\]/);
    expect(() => edges.runValues({ name: new tm.onnx.StringTensor(['a']) })).toThrow(/input name is \[1\]; the model takes \[2\]/);
    expect(() => edges.runValues({ names: name })).toThrow(/input names is a sequence \(seq\(string\)\) and takes an array of tm\.onnx\.StringTensors, got a string tensor \[2\]/);
    numbers.dispose();
    edges.dispose();
    // An Optional's type attribute that its input does not match.
    const mismatch = await tm.onnx.fromBytes(onnxModel({ opset: 18, inputs: [{ name: 'x', shape: [2] }], outputs: [{ name: 'y' }], nodes: [{ op: 'Optional', name: 'wrap', inputs: ['x'], outputs: ['o'], attributes: { type: stringType } }, { op: 'OptionalGetElement', inputs: ['o'], outputs: ['y'] }] }));
    const two = tm.tensor([1, 2]);
    expect(() => mismatch.runValues({ x: two })).toThrow(/node 'wrap' \(Optional\): its type attribute says optional\(string\), but input 0 \(x\) is a tensor \[2\] of f32/);
    two.dispose();
    mismatch.dispose();
  });

  it('describes string inputs and outputs; run refuses to give strings, pointing at runValues', async () => {
    const model = await tm.onnx.fromBytes(stringGraph(['n', 2], [node('Identity', ['x'])]));
    expect(model.inputs).toEqual([{ name: 'x', type: 'string', shape: ['n', 2] }]);
    expect(model.outputs).toEqual([{ name: 'y', type: 'string' }]);
    const x = new tm.onnx.StringTensor(['a', 'b'], [1, 2]);
    expect(() => model.run({ x })).toThrow(/the graph output y is string; model\.run and runAsync give tensors only: .*a tensor of strings as a StringTensor/);
    await expect(model.runAsync({ x })).rejects.toThrow(/the graph output y is string; model\.run and runAsync give tensors only/);
    model.dispose();
  });

  it('refuses a tensor for strings, strings for numbers or of the wrong shape, numeric ops on strings, strings among numbers, and sequences of strings', async () => {
    const identity = await tm.onnx.fromBytes(stringGraph(['n', 2], [node('Identity', ['x'])]));
    const numbers = tm.tensor([1, 2], [1, 2]);
    expect(() => identity.runValues({ x: numbers })).toThrow(/input x is a tensor of strings and takes a tm\.onnx\.StringTensor \(new tm\.onnx\.StringTensor\(values, shape\)\), got a f32 tensor \[1, 2\]/);
    expect(() => identity.runValues({ x: new tm.onnx.StringTensor(['a', 'b', 'c']) })).toThrow(/input x is \[3\]; the model takes \[n, 2\]/);
    identity.dispose();
    const relu = await tm.onnx.fromBytes(onnxModel({ inputs: [{ name: 'x', shape: [2] }], outputs: [{ name: 'y' }], nodes: [node('Relu', ['x'])] }));
    expect(() => relu.run({ x: new tm.onnx.StringTensor(['a', 'b']) as unknown as tm.Tensor })).toThrow(/input x must be a tensor, got a string tensor \[2\] \(the model takes float there\)/);
    relu.dispose();
    const strings = new tm.onnx.StringTensor(['a', 'b'], [1, 2]);
    const reluOfStrings = await tm.onnx.fromBytes(stringGraph([1, 2], [node('Relu', ['x'])]));
    expect(() => reluOfStrings.runValues({ x: strings })).toThrow(/\(Relu\): input 0 \(x\) is a string tensor \[1, 2\]; Relu takes no strings in tmnn/);
    reluOfStrings.dispose();
    const mixed = await tm.onnx.fromBytes(stringGraph([1, 2], [node('Concat', ['x', 'n'], { axis: 0 })], { n: { type: 'int64', shape: [1, 2], values: [1, 2] } }));
    expect(() => mixed.runValues({ x: strings })).toThrow(/\(Concat\): input 1 \(n\) is a tensor \[1, 2\] among string tensors; Concat takes one element type/);
    mixed.dispose();
    const gatherFrom = await tm.onnx.fromBytes(stringGraph([1, 2], [node('Gather', ['w', 'x'])], { w: { type: 'int64', shape: [2], values: [1, 2] } }));
    expect(() => gatherFrom.runValues({ x: strings })).toThrow(/\(Gather\): input 1 \(x\) is a string tensor \[1, 2\]; Gather takes strings only as input 0 in tmnn/);
    gatherFrom.dispose();
    const equalMixed = await tm.onnx.fromBytes(stringGraph([1, 2], [node('Equal', ['x', 'n'])], { n: { type: 'int64', shape: [2], values: [1, 2] } }, [], 'int64'));
    expect(() => equalMixed.runValues({ x: strings })).toThrow(/\(Equal\): input 1 \(n\) is numeric; Equal takes strings there/);
    equalMixed.dispose();
    const scatterAdd = (updates: 'string' | 'float') => onnxModel({ opset: 18, inputs: [{ name: 'x', type: 'string', shape: [1, 2] }, { name: 'u', type: updates, shape: [1, 1] }], initializers: { i: { type: 'int64', shape: [1, 1], values: [1] } }, outputs: [{ name: 'y', type: 'string' }], nodes: [node('ScatterElements', ['x', 'i', 'u'], { axis: 1, reduction: updates === 'string' ? 'add' : 'none' })] });
    const adds = await tm.onnx.fromBytes(scatterAdd('string'));
    expect(() => adds.runValues({ x: strings, u: new tm.onnx.StringTensor(['z'], [1, 1]) })).toThrow(/\(ScatterElements\): reduction add combines elements, and strings are only written \(reduction none\)/);
    adds.dispose();
    const numbersInto = await tm.onnx.fromBytes(scatterAdd('float'));
    const one = tm.tensor([[1]]);
    expect(() => numbersInto.runValues({ x: strings, u: one })).toThrow(/\(ScatterElements\): input 2 \(u\) is .* among string tensors; ScatterElements takes one element type/);
    one.dispose();
    numbersInto.dispose();
    const split = await tm.onnx.fromBytes(onnxModel({ opset: 20, irVersion: 9, inputs: [{ name: 'x', type: 'string', shape: [2] }], outputs: [{ name: 'y', type: 'string' }], nodes: [{ op: 'StringSplit', inputs: ['x'], outputs: ['y', 'z'], attributes: { maxsplit: -1 } }] }));
    expect(() => split.runValues({ x: new tm.onnx.StringTensor(['a', 'b']) })).toThrow(/\(StringSplit\): maxsplit is -1; it must be 0 or more/);
    split.dispose();
    const match = await tm.onnx.fromBytes(onnxModel({ opset: 20, irVersion: 9, inputs: [{ name: 'x', type: 'string', shape: [2] }], outputs: [{ name: 'y', type: 'bool' }], nodes: [{ op: 'RegexFullMatch', inputs: ['x'], outputs: ['y'], attributes: { pattern: '(a' } }] }));
    expect(() => match.runValues({ x: new tm.onnx.StringTensor(['a', 'b']) })).toThrow(/\(RegexFullMatch\): pattern "\(a" is not a regular expression JavaScript reads/);
    match.dispose();
    const list = await tm.onnx.fromBytes(onnxModel({ opset: 17, inputs: [{ name: 'x', type: 'string', sequence: true }], outputs: [{ name: 'y', type: 'string' }], nodes: [node('ConcatFromSequence', ['x'], { axis: 0 })] }));
    expect(() => list.runValues({ x: strings })).toThrow(/input x is a sequence \(seq\(string\)\) and takes an array of tm\.onnx\.StringTensors, got a string tensor \[1, 2\]/);
    expect(() => list.runValues({ x: [strings, tm.tensor([1]) as unknown as tm.onnx.StringTensor] })).toThrow(/input x's tensor 1 is a tensor of strings and takes a tm\.onnx\.StringTensor .*, got a f32 tensor \[1\]/);
    list.dispose();
    numbers.dispose();
  });
});
