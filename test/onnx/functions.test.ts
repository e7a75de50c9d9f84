// Model-local functions (ModelProto.functions; src/onnx/functions.ts) on
// every backend: onnx's own writer's file (scripts/make-onnx-function-
// fixtures.py) — a function calling another twice, attributes taken from the
// caller (ref_attr_name) or left to the op's default, a name both bodies use,
// a value read from inside an If's branch, a branch's initializer (a
// constant: each call copies it), each function called twice —
// inlined when loaded and run beside onnxruntime-web; and a function that
// calls itself, refused by name.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-web';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { expectClose, SEED, uniform } from '../helpers/data.js';
import { ortRun } from '../helpers/ort.js';

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
});

describe('model-local functions tmnn refuses', () => {
  it('names a function that calls itself', () => {
    expect(() => tm.onnx.fromBytes(fixture('recursive.onnx'))).toThrow(/function custom\.Loop calls itself \(custom\.Loop → custom\.Loop\); tmnn inlines functions, so none may recurse/);
  });
});
