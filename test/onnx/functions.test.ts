// Model-local functions (ModelProto.functions; src/onnx/functions.ts) on
// every backend: onnx's own writer's file (scripts/make-onnx-function-
// fixtures.py) — a function calling another twice, attributes taken from the
// caller (ref_attr_name) or left to the op's default, a name both bodies use,
// a value read from inside an If's branch, a branch's initializer (a
// constant: each call copies it), each function called twice —
// inlined when loaded and run beside onnxruntime-web; overloads (IR 10:
// functions of one name told apart by the overload each calling node names,
// written by tmnn's encoder); and a function that calls itself, or two
// definitions of one overload, refused by name.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-web';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { expectClose, SEED, uniform } from '../helpers/data.js';
import { ortRun } from '../helpers/ort.js';
import { onnxModel, type FunctionSpec, type GraphSpec } from '../helpers/onnx.js';

/** custom.Scale three ways: overload 'double' (x + x), overload 'shift' (x + 1, from a Constant in its body), and no overload (−x). */
const SCALES: FunctionSpec[] = [
  { name: 'Scale', domain: 'custom', overload: 'double', inputs: ['x'], outputs: ['y'], nodes: [{ op: 'Add', inputs: ['x', 'x'], outputs: ['y'] }] },
  {
    name: 'Scale', domain: 'custom', overload: 'shift', inputs: ['x'], outputs: ['y'],
    nodes: [
      { op: 'Constant', inputs: [], outputs: ['one'], attributes: { value: { tensor: { shape: [], values: [1] } } } },
      { op: 'Add', inputs: ['x', 'one'], outputs: ['y'] },
    ],
  },
  { name: 'Scale', domain: 'custom', inputs: ['x'], outputs: ['y'], nodes: [{ op: 'Neg', inputs: ['x'], outputs: ['y'] }] },
];

/** a = Scale·double(x), b = Scale·shift(a), c = Scale·double(b), d = Scale(c): 2x, 2x + 1, 4x + 2, −4x − 2. */
function overloadModel(functions: FunctionSpec[]): Uint8Array {
  const spec: GraphSpec = {
    opset: 18,
    irVersion: 10,
    inputs: [{ name: 'x', shape: [2, 3] }],
    outputs: ['a', 'b', 'c', 'd'].map((name) => ({ name })),
    nodes: [
      { op: 'Scale', domain: 'custom', overload: 'double', inputs: ['x'], outputs: ['a'] },
      { op: 'Scale', domain: 'custom', overload: 'shift', inputs: ['a'], outputs: ['b'] },
      { op: 'Scale', domain: 'custom', overload: 'double', inputs: ['b'], outputs: ['c'] },
      { op: 'Scale', domain: 'custom', inputs: ['c'], outputs: ['d'] },
    ],
    functions,
  };
  return onnxModel(spec);
}

const fixture = (file: string) => new Uint8Array(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'onnx', 'functions', file)));

describe.each(BACKENDS)('model-local functions on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it('inlines each call (nested, twice over, attributes from the caller or the op\'s default, a branch reading the body\'s value) and computes what onnxruntime computes', async () => {
    const bytes = fixture('functions.onnx');
    const model = tm.onnx.fromBytes(bytes);
    // Two Blocks of two LinearRelus each, and one LinearRelu: 5 of each of its ops; Block's If and Constant twice.
    expect(model.opCounts).toEqual(new Map([['MatMul', 5], ['Add', 5], ['LeakyRelu', 5], ['Constant', 2], ['If', 2], ['Identity', 2], ['Mul', 2]]));
    // The graph's weights train; a function body's own initializer (a branch's 2), copied into each call, is a constant.
    expect(Object.keys(model.namedParameters()).sort()).toEqual(['B1', 'B2', 'W1', 'W2']);
    const x = Float32Array.from(uniform(10, -2, 2));
    const theirs = await ortRun(bytes, { x: new ort.Tensor('float32', x, [2, 5]) });
    const input = tm.tensor(x, [2, 5]);
    const out = tm.noGrad(() => model.run({ x: input }));
    for (const name of ['y1', 'y2', 'y3']) expectClose(await out[name].data(), theirs[name].data as Float32Array, 1e-5, `${name} (seed ${SEED})`);
    // slope 0.2 and 0.3 give different outputs wherever a last pre-activation is negative; LinearRelu alone is [2, 4].
    expect(out.y3.shape).toEqual([2, 4]);
    for (const t of [input, ...Object.values(out)]) t.dispose();
    model.dispose();
  });

  it('calls the overload each node names (IR 10), as onnxruntime does', async () => {
    const bytes = overloadModel(SCALES);
    const model = tm.onnx.fromBytes(bytes);
    expect(model.opCounts).toEqual(new Map([['Add', 3], ['Constant', 1], ['Neg', 1]]));
    const x = Float32Array.from(uniform(6, -2, 2));
    const input = tm.tensor(x, [2, 3]);
    const out = tm.noGrad(() => model.run({ x: input }));
    const want: Record<string, (v: number) => number> = { a: (v) => 2 * v, b: (v) => 2 * v + 1, c: (v) => 4 * v + 2, d: (v) => -4 * v - 2 };
    const theirs = await ortRun(bytes, { x: new ort.Tensor('float32', x, [2, 3]) });
    for (const [name, f] of Object.entries(want)) {
      expectClose(await out[name].data(), Array.from(x, (v) => f(Math.fround(v))), 1e-6, `${name} (seed ${SEED})`);
      expectClose(await out[name].data(), theirs[name].data as Float32Array, 1e-6, `${name}, onnxruntime`);
    }
    for (const t of [input, ...Object.values(out)]) t.dispose();
    model.dispose();
  });
});

describe('model-local functions tmnn refuses', () => {
  it('names a function defined twice for one overload', () => {
    expect(() => tm.onnx.fromBytes(overloadModel([...SCALES, SCALES[1]]))).toThrow(/defines function custom\.Scale \(overload 'shift'\) twice; ONNX allows one definition for each overload/);
  });

  it('names a function that calls itself', () => {
    expect(() => tm.onnx.fromBytes(fixture('recursive.onnx'))).toThrow(/function custom\.Loop calls itself \(custom\.Loop → custom\.Loop\); tmnn inlines functions, so none may recurse/);
  });
});
