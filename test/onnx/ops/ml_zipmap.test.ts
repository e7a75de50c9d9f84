// ai.onnx.ml's ZipMap (src/onnx/ops/ml_zipmap.ts) on every backend: a
// classifier's probabilities [N, C] as one Map per sample from class label
// to probability, keyed by int64 labels (numbers) or string ones, in the
// labels' order; one sample's [C] as one map; made on the host, so a GPU's
// synchronous run refuses probabilities computed on the device, while js and
// native read them in place; the attributes and inputs it refuses.
// onnxruntime-web cannot read a sequence of maps back ("Reading data from
// non-tensor typed value is not supported"), so the reference is the
// definition, and scikit-learn's predict_proba through skl2onnx's default
// layout (test/onnx/sklearn_models.test.ts).
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../../src/index.js';
import { BACKENDS } from '../../helpers/backends.js';
import { asF32, uniform } from '../../helpers/data.js';
import { runValues } from '../../helpers/onnx_run.js';
import { onnxModel, type AttributeSpec, type TensorSpec, type ValueSpec } from '../../helpers/onnx.js';

const ML = { 'ai.onnx.ml': 1 };

/** x → ZipMap → y, y declared seq(map(keyType, tensor(float))); x a graph input, or an initializer when `initializer` is given. */
function zipMapModel(attributes: Record<string, AttributeSpec>, x: ValueSpec, keyType: 'int64' | 'string', initializer?: TensorSpec): Uint8Array {
  return onnxModel({
    opset: 17,
    domains: ML,
    inputs: initializer ? [] : [x],
    initializers: initializer ? { x: initializer } : undefined,
    outputs: [{ name: 'y', sequence: true, mapKey: keyType }],
    nodes: [{ op: 'ZipMap', domain: 'ai.onnx.ml', inputs: ['x'], outputs: ['y'], attributes }],
  });
}

/** The maps ZipMap's definition gives for rows of `x` ([N, C] row-major) and `keys`. */
function zipped(x: ArrayLike<number>, keys: readonly tm.onnx.MapKey[]): Map<tm.onnx.MapKey, number>[] {
  const rows = x.length / keys.length;
  return Array.from({ length: rows }, (_, n) => new Map(keys.map((k, c) => [k, x[n * keys.length + c]])));
}

describe.each(BACKENDS)('tm.onnx ai.onnx.ml ZipMap on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it.each([
    ['int64 labels', 'int64', [7, -3, 2 ** 40, 0]],
    ['string labels', 'string', ['cat', 'dog', 'eel']],
  ] as const)('zips each row of [N, C] with the %s, in their order, as numbers or strings', async (_, keyType, keys) => {
    const attributes: Record<string, AttributeSpec> = keyType === 'int64' ? { classlabels_int64s: [...keys] as number[] } : { classlabels_strings: { strings: [...keys] as string[] } };
    for (const n of [1, 7, 33]) {
      const x = asF32(uniform(n * keys.length));
      const model = zipMapModel(attributes, { name: 'x', shape: ['N', keys.length] }, keyType);
      const { y } = await runValues(model, { x: { shape: [n, keys.length], v: x } }, 'async');
      expect(y, `N = ${n}`).toEqual(zipped(x, keys));
      for (const m of y as Map<tm.onnx.MapKey, number>[]) expect([...m.keys()]).toEqual(keys);
    }
  });

  it('makes one map of one sample\'s [C]', async () => {
    const x = asF32(uniform(4));
    const model = zipMapModel({ classlabels_int64s: [0, 1, 2, 3] }, { name: 'x', shape: [4] }, 'int64');
    expect((await runValues(model, { x: { shape: [4], v: x } }, 'async')).y).toEqual(zipped(x, [0, 1, 2, 3]));
  });

  it(`runs synchronously on probabilities known on the host (an initializer), and on ones computed on the device ${backend === 'webgpu' ? 'refuses, naming runValuesAsync' : 'reads them in place'}`, async () => {
    const values = [0.25, 0.75, 0.5, 0.5];
    const constant = zipMapModel({ classlabels_strings: { strings: ['no', 'yes'] } }, { name: 'x' }, 'string', { shape: [2, 2], values });
    expect((await runValues(constant, {})).y).toEqual(zipped(values, ['no', 'yes']));
    const computed = zipMapModel({ classlabels_strings: { strings: ['no', 'yes'] } }, { name: 'x', shape: ['N', 2] }, 'string');
    const run = runValues(computed, { x: { shape: [2, 2], v: Float64Array.from(values) } });
    if (backend !== 'webgpu') expect((await run).y).toEqual(zipped(values, ['no', 'yes']));
    else await expect(run).rejects.toThrow(/\(ZipMap\): makes its maps on the host, from x, which is computed on the device; tmnn's synchronous run .* never reads the device back; .*model\.runValuesAsync \(runAsync\) reads it back/);
  });

  it('describes its output as ONNX names the type, and run (tensors only) points to runValuesAsync', () => {
    const model = tm.onnx.fromBytes(zipMapModel({ classlabels_int64s: [1, 2] }, { name: 'x', shape: ['N', 2] }, 'int64'));
    expect(model.outputs).toEqual([{ name: 'y', type: 'seq(map(int64,tensor(float)))' }]);
    const x = tm.ones([3, 2]);
    expect(() => model.run({ x })).toThrow(/the graph output y is seq\(map\(int64,tensor\(float\)\)\); model\.run and runAsync give tensors only: .*runValuesAsync a sequence of maps/);
    x.dispose();
    model.dispose();
  });

  it('names bad attributes and inputs', async () => {
    const x = { shape: [2, 3], v: asF32(uniform(6)) };
    const run = (attributes: Record<string, AttributeSpec>, spec: ValueSpec = { name: 'x', shape: ['N', 3] }, input = x) => runValues(zipMapModel(attributes, spec, 'int64'), { x: input }, 'async');
    await expect(run({ classlabels_int64s: [0, 1, 2], classlabels_strings: { strings: ['a', 'b', 'c'] } })).rejects.toThrow(/\(ZipMap\): has both classlabels_int64s and classlabels_strings; ZipMap takes one of them/);
    await expect(run({})).rejects.toThrow(/needs its keys in classlabels_int64s or classlabels_strings; it has neither/);
    await expect(run({ classlabels_int64s: [0, 1] })).rejects.toThrow(/its input x is \[2, 3\], 3 columns for 2 labels; ZipMap takes one column per label/);
    await expect(run({ classlabels_int64s: [0, 2 ** 53 + 2, 1] })).rejects.toThrow(/classlabels_int64s holds 9007199254740994, past 2\^53: a JavaScript number cannot hold it exactly as a map key/);
    await expect(run({ classlabels_int64s: [0, 1, 2] }, { name: 'x', shape: [1, 2, 3] }, { shape: [1, 2, 3], v: x.v })).rejects.toThrow(/its input x is \[1, 2, 3\]; ZipMap takes \[N, C\] or one sample's \[C\]/);
  });

  it('is refused as a graph input: tmnn gives sequences of maps, it takes none', () => {
    const bytes = onnxModel({
      opset: 17,
      domains: ML,
      inputs: [{ name: 'm', sequence: true, mapKey: 'int64' }],
      outputs: [{ name: 'y', sequence: true, mapKey: 'int64' }],
      nodes: [{ op: 'Identity', inputs: ['m'], outputs: ['y'] }],
    });
    expect(() => tm.onnx.fromBytes(bytes)).toThrow(/the graph's input m is of type seq\(map\(int64,tensor\(float\)\)\); tmnn gives sequences of maps as outputs \(ZipMap's\) but takes none as an input/);
  });
});
