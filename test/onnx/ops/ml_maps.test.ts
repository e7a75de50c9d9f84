// ai.onnx.ml's ops that take a map (src/onnx/ops/ml_maps.ts) on every
// backend: DictVectorizer (string and int64 vocabularies; float, int64 and
// string values; keys outside the vocabulary left out, missing ones 0 or ''),
// CastMap (DENSE and SPARSE, to float, string and int64, from floats and
// strings), a DictVectorizer feeding a linear classifier as skl2onnx writes
// scikit-learn's DictVectorizer pipelines, and what they refuse. A map is a
// graph input given as a JS Map. onnxruntime-web takes no map as an input,
// so the references are onnxruntime's kernels' rules, written out here.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../../src/index.js';
import { BACKENDS } from '../../helpers/backends.js';
import { randomInts, SEED, uniform } from '../../helpers/data.js';
import { readElements } from '../../helpers/onnx_run.js';
import { onnxModel, type AttributeSpec, type NodeSpec, type OnnxTypeName } from '../../helpers/onnx.js';

/** A model from map input m (keys of `keyType`, values of `valueType`) through `nodes` to output y of `outType`. */
function mapModel(keyType: 'int64' | 'string', valueType: OnnxTypeName, nodes: NodeSpec[], outType: OnnxTypeName, outputs: string[] = ['y']): Uint8Array {
  return onnxModel({
    opset: 17,
    domains: { 'ai.onnx.ml': 1 },
    inputs: [{ name: 'm', type: valueType, mapKey: keyType }],
    outputs: outputs.map((name) => ({ name, type: name === 'y' ? outType : 'float' })),
    nodes,
  });
}

const ml = (op: string, inputs: string[], outputs: string[], attributes: Record<string, AttributeSpec>): NodeSpec => ({ op, domain: 'ai.onnx.ml', inputs, outputs, attributes });

describe.each(BACKENDS)('tm.onnx ai.onnx.ml ops on maps on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  async function run(bytes: Uint8Array, m: Map<tm.onnx.MapKey, number | string>, output = 'y') {
    const model = await tm.onnx.fromBytes(bytes);
    try {
      const sync = await readElements(tm.noGrad(() => model.runValues({ m }))[output]);
      expect(await readElements((await model.runValuesAsync({ m }))[output]), 'runValuesAsync gives what runValues gives').toEqual(sync);
      return sync;
    } finally {
      model.dispose();
    }
  }

  it('DictVectorizer lays a map out along its vocabulary: missing keys 0 (or \'\'), other keys left out', async () => {
    const words = ['height', 'weight', 'age', 'é', ''];
    const values = Array.from(uniform(5), Math.fround);
    const given = new Map<tm.onnx.MapKey, number>([['age', values[0]], ['height', values[1]], ['shoe', values[2]], ['', values[3]]]);
    expect(await run(mapModel('string', 'float', [ml('DictVectorizer', ['m'], ['y'], { string_vocabulary: { strings: words } })], 'float'), given)).toEqual({ shape: [1, 5], values: [values[1], 0, values[0], 0, values[3]] });
    const ints = new Map<tm.onnx.MapKey, number>([[7, 70], [-2, -20], [3, 30]]);
    expect(await run(mapModel('int64', 'int64', [ml('DictVectorizer', ['m'], ['y'], { int64_vocabulary: [3, 5, 7] })], 'int64'), ints)).toEqual({ shape: [1, 3], values: [30, 0, 70] });
    const names = new Map<tm.onnx.MapKey, string>([[1, 'one'], [4, 'four']]);
    expect(await run(mapModel('int64', 'string', [ml('DictVectorizer', ['m'], ['y'], { int64_vocabulary: [4, 2, 1] })], 'string'), names)).toEqual({ shape: [1, 3], values: ['four', '', 'one'] });
  });

  it('CastMap lays a map keyed by position out densely or sparsely, cast to float, string or int64 as onnxruntime casts', async () => {
    const floats = new Map<tm.onnx.MapKey, number>([[4, 2.75], [0, -1.5], [2, 1e-7]]);
    const castMap = (attributes: Record<string, AttributeSpec>, valueType: OnnxTypeName, outType: OnnxTypeName) => mapModel('int64', valueType, [ml('CastMap', ['m'], ['y'], attributes)], outType);
    expect(await run(castMap({}, 'float', 'float'), floats)).toEqual({ shape: [1, 3], values: [-1.5, Math.fround(1e-7), 2.75] });
    expect(await run(castMap({ map_form: 'SPARSE', max_map: 6 }, 'float', 'float'), floats)).toEqual({ shape: [1, 6], values: [-1.5, 0, Math.fround(1e-7), 0, 2.75, 0] });
    expect(await run(castMap({ cast_to: 'TO_STRING' }, 'float', 'string'), floats)).toEqual({ shape: [1, 3], values: ['-1.500000', '0.000000', '2.750000'] });
    expect(await run(castMap({ cast_to: 'TO_INT64' }, 'float', 'int64'), floats)).toEqual({ shape: [1, 3], values: [-1, 0, 2] });
    const strings = new Map<tm.onnx.MapKey, string>([[1, '2.5'], [0, '-3'], [3, '1e2']]);
    expect(await run(castMap({ map_form: 'SPARSE', max_map: 4 }, 'string', 'float'), strings)).toEqual({ shape: [1, 4], values: [-3, 2.5, 0, 100] });
    expect(await run(castMap({ cast_to: 'TO_INT64' }, 'string', 'int64'), strings)).toEqual({ shape: [1, 3], values: [-3, 2, 1] });
    expect(await run(castMap({ cast_to: 'TO_STRING', map_form: 'SPARSE', max_map: 4 }, 'string', 'string'), strings)).toEqual({ shape: [1, 4], values: ['-3', '2.5', '0', '1e2'] });
  });

  it('runs a DictVectorizer pipeline (DictVectorizer → LinearClassifier) on random maps as its definition computes it', async () => {
    const vocabulary = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
    const classes = 3;
    const w = Array.from(uniform(classes * vocabulary.length), Math.fround), b = Array.from(uniform(classes), Math.fround);
    const bytes = onnxModel({
      opset: 17,
      domains: { 'ai.onnx.ml': 1 },
      inputs: [{ name: 'm', type: 'float', mapKey: 'string' }],
      outputs: [{ name: 'label', type: 'int64' }, { name: 'scores', type: 'float' }],
      nodes: [
        ml('DictVectorizer', ['m'], ['x'], { string_vocabulary: { strings: vocabulary } }),
        ml('LinearClassifier', ['x'], ['label', 'scores'], { coefficients: { floats: w }, intercepts: { floats: b }, classlabels_ints: [10, 20, 30] }),
      ],
    });
    const model = await tm.onnx.fromBytes(bytes);
    for (let trial = 0; trial < 5; trial++) {
      const picks = randomInts(4, 0, vocabulary.length + 1);
      const values = uniform(4);
      const m = new Map<tm.onnx.MapKey, number>(Array.from(picks, (k, i) => [k < vocabulary.length ? vocabulary[k] : `other${i}`, Math.fround(values[i])]));
      const x = vocabulary.map((k) => m.get(k) ?? 0);
      const scores = Array.from({ length: classes }, (_, c) => x.reduce((s, v, f) => s + v * w[c * vocabulary.length + f], b[c]));
      const out = tm.noGrad(() => model.run({ m }));
      const got = Array.from(await out.scores.data());
      got.forEach((v, c) => expect(Math.abs(v - scores[c]), `score ${c} (seed ${SEED})`).toBeLessThan(1e-5 * (1 + Math.abs(scores[c]))));
      expect(Array.from(await out.label.data())).toEqual([[10, 20, 30][scores.indexOf(Math.max(...scores))]]);
      out.label.dispose();
      out.scores.dispose();
    }
    model.dispose();
  });

  it('refuses a map of the wrong kinds, a map output, and attributes it does not know, naming them', async () => {
    const dv = mapModel('string', 'float', [ml('DictVectorizer', ['m'], ['y'], { string_vocabulary: { strings: ['a'] } })], 'float');
    const model = await tm.onnx.fromBytes(dv);
    expect(() => model.runValues({ m: tm.tensor([1]) as unknown as Map<string, number> })).toThrow(/input m is a map \(map\(string,tensor\(float\)\)\) and takes a JS Map, got a f32 tensor \[1\]/);
    expect(() => model.runValues({ m: new Map([[1, 2]]) })).toThrow(/input m's key 1 is not a string: the map is map\(string,tensor\(float\)\)/);
    expect(() => model.runValues({ m: new Map([['a', 'x']]) })).toThrow(/input m's value at "a" is string, not a number/);
    model.dispose();
    expect(() => tm.onnx.fromBytes(onnxModel({ opset: 17, inputs: [{ name: 'm', mapKey: 'int64' }], outputs: [{ name: 'y', mapKey: 'int64' }], nodes: [{ op: 'Identity', inputs: ['m'], outputs: ['y'] }] }))).toThrow(
      /the graph's output y is of type map\(int64,tensor\(float\)\); tmnn takes one map as an input \(DictVectorizer's, CastMap's\) but gives none as an output/,
    );
    const refused = async (keyType: 'int64' | 'string', valueType: OnnxTypeName, op: string, attributes: Record<string, AttributeSpec>, m: Map<tm.onnx.MapKey, number | string>) => {
      const bad = await tm.onnx.fromBytes(mapModel(keyType, valueType, [ml(op, ['m'], ['y'], attributes)], 'float'));
      try {
        return bad.runValues({ m });
      } finally {
        bad.dispose();
      }
    };
    await expect(refused('string', 'float', 'DictVectorizer', { int64_vocabulary: [1] }, new Map([['a', 1]]))).rejects.toThrow(/\(DictVectorizer\): its vocabulary is int64_vocabulary, but its input is keyed by string/);
    await expect(refused('string', 'float', 'DictVectorizer', {}, new Map([['a', 1]]))).rejects.toThrow(/needs its vocabulary in exactly one of string_vocabulary and int64_vocabulary/);
    await expect(refused('int64', 'float', 'CastMap', { map_form: 'SPARSE', max_map: 2 }, new Map([[2, 1]]))).rejects.toThrow(/\(CastMap\): its map has key 2, outside \[0, max_map = 2\) of the SPARSE form/);
    await expect(refused('int64', 'float', 'CastMap', { cast_to: 'TO_DOUBLE' }, new Map([[0, 1]]))).rejects.toThrow(/cast_to = 'TO_DOUBLE' is not one of TO_FLOAT, TO_STRING, TO_INT64/);
    await expect(refused('string', 'float', 'CastMap', {}, new Map([['a', 1]]))).rejects.toThrow(/its input is map\(string, float\); CastMap takes map\(int64, float\) or map\(int64, string\)/);
    const relu = await tm.onnx.fromBytes(mapModel('string', 'float', [{ op: 'Relu', inputs: ['m'], outputs: ['y'] }], 'float'));
    expect(() => relu.runValues({ m: new Map([['a', 1]]) })).toThrow(/\(Relu\): input 0 \(m\) is a map of 1 entries \(map\(string, float\)\); Relu takes no maps in tmnn/);
    relu.dispose();
  });
});
