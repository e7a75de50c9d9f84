// tm.onnx against scikit-learn: small models trained by
// scripts/make-sklearn-fixtures.py and written in skl2onnx's layout (linear
// models, a scaler and imputer before them, a decision tree, a random forest,
// gradient boosting, SVMs: the ai.onnx.ml ops), beside held-out inputs and
// scikit-learn's own predictions (test/fixtures/onnx_sklearn/NAME.onnx and
// NAME.npz). onnxruntime-web gives scikit-learn's outputs for each file first
// (so a file's layout is one onnxruntime reads as skl2onnx's); tm.onnx must
// give them on every backend: labels exactly, scores and values to f32 rounding.
import * as ort from 'onnxruntime-web';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { expectClose } from '../helpers/data.js';
import { collected } from '../helpers/gc.js';
import { onnxModel } from '../helpers/onnx.js';
import { ortRun } from '../helpers/ort.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'onnx_sklearn');
const fixture = (file: string) => new Uint8Array(readFileSync(join(FIXTURES, file)));
const NAMES = readdirSync(FIXTURES).filter((f) => f.endsWith('.onnx')).map((f) => f.slice(0, -'.onnx'.length)).sort();

/** The npz's arrays as numbers: x, and scikit-learn's outputs by name. */
async function expected(name: string): Promise<{ x: tm.Tensor; want: Record<string, number[]> }> {
  const io = tm.fromNpz(fixture(`${name}.npz`));
  const want: Record<string, number[]> = {};
  for (const [k, t] of Object.entries(io)) if (k !== 'x') want[k] = Array.from(await t.data()), t.dispose();
  return { x: io.x, want };
}

function check(name: string, key: string, got: ArrayLike<number>, want: number[]): void {
  if (key === 'label') expect(Array.from(got, Number), `${name}.${key}`).toEqual(want);
  else expectClose(got, want, 1e-5, `${name}.${key}`);
}

describe('the scikit-learn files', () => {
  it.each(NAMES)('%s: onnxruntime-web gives what scikit-learn gave', async (name) => {
    const { x, want } = await expected(name);
    const got = await ortRun(fixture(`${name}.onnx`), { x: new ort.Tensor('float32', Float32Array.from(await x.data()), x.shape) });
    x.dispose();
    for (const [key, values] of Object.entries(want)) check(name, key, Array.from(got[key].data as ArrayLike<number | bigint>, Number), values);
  });
});

describe.each(BACKENDS)('tm.onnx runs the scikit-learn files on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it.each(NAMES.flatMap((n) => [[n, 'run'], [n, 'runAsync']] as const))('%s: computes what scikit-learn computed (%s)', async (name, mode) => {
    const before = await collected();
    const model = await tm.onnx.load(fixture(`${name}.onnx`));
    expect(model.producer).toMatch(/^scikit-learn 1\.2/);
    const { x, want } = await expected(name);
    const got = mode === 'run' ? tm.noGrad(() => model.run({ x })) : await model.runAsync({ x }, { grad: false });
    for (const [key, values] of Object.entries(want)) check(name, key, await got[key].data(), values);
    // Outputs scikit-learn has no counterpart for (an SVM's one-vs-one scores) as onnxruntime gives them.
    const ortOut = await ortRun(fixture(`${name}.onnx`), { x: new ort.Tensor('float32', Float32Array.from(await x.data()), x.shape) });
    for (const key of Object.keys(got).filter((k) => !(k in want))) {
      expect(got[key].shape, `${name}.${key}`).toEqual(ortOut[key].dims);
      expectClose(await got[key].data(), Array.from(ortOut[key].data as Float32Array), 1e-5, `${name}.${key} (onnxruntime)`);
    }
    for (const t of [x, ...Object.values(got)]) t.dispose();
    model.dispose();
    expect(tm.memory().numTensors).toBe(before);
  });
});

describe('tm.onnx.SUPPORTED_ML_OPS', () => {
  it('lists the ai.onnx.ml ops tmnn runs: every one of the domain\'s', () => {
    expect(tm.onnx.SUPPORTED_ML_OPS).toEqual([
      'ArrayFeatureExtractor', 'Binarizer', 'CastMap', 'CategoryMapper', 'DictVectorizer', 'FeatureVectorizer', 'Imputer', 'LabelEncoder', 'LinearClassifier', 'LinearRegressor', 'Normalizer',
      'OneHotEncoder', 'SVMClassifier', 'SVMRegressor', 'Scaler', 'TreeEnsemble', 'TreeEnsembleClassifier', 'TreeEnsembleRegressor', 'ZipMap',
    ]);
  });
});

const ZIPMAP_NAMES = readdirSync(join(FIXTURES, 'zipmap')).map((f) => f.slice(0, -'.onnx'.length)).sort();

describe.each(BACKENDS)('the classifiers as skl2onnx writes them by default, ending in a ZipMap, on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it('has a classifier for every file of probabilities', () => {
    expect(ZIPMAP_NAMES).toEqual(NAMES.filter((n) => readFileSync(join(FIXTURES, `${n}.npz`)).includes('probabilities')));
  });

  it.each(ZIPMAP_NAMES)('%s: runValuesAsync gives scikit-learn\'s predict_proba as one Map per sample, label to probability', async (name) => {
    const before = await collected();
    const model = await tm.onnx.load(fixture(`zipmap/${name}.onnx`));
    expect(model.outputs).toEqual([{ name: 'output_label', type: 'int64', shape: ['N'] }, { name: 'output_probability', type: 'seq(map(int64,tensor(float)))' }]);
    const { x, want } = await expected(name);
    const got = await model.runValuesAsync({ x }, { grad: false });
    check(name, 'label', await (got.output_label as tm.Tensor).data(), want.label);
    const maps = got.output_probability as Map<tm.onnx.MapKey, number>[];
    const classes = want.probabilities.length / x.shape[0];
    expect(maps.length).toBe(x.shape[0]);
    // The classes in order, as numbers (scikit-learn's classes_ here are 0, 1, …).
    for (const m of maps) expect([...m.keys()]).toEqual(Array.from({ length: classes }, (_, c) => c));
    check(name, 'probabilities', maps.flatMap((m) => [...m.values()]), want.probabilities);
    // The synchronous run reads the probabilities in place on js and native, and never reads a GPU back; run gives tensors only: each says what does.
    if (backend !== 'webgpu') {
      const sync = tm.noGrad(() => model.runValues({ x }));
      expect(sync.output_probability).toEqual(maps);
      (sync.output_label as tm.Tensor).dispose();
    } else {
      expect(() => tm.noGrad(() => model.runValues({ x }))).toThrow(/\(ZipMap\): makes its maps on the host, from probabilities, which is computed on the device; .*model\.runValuesAsync \(runAsync\) reads it back/);
    }
    expect(() => model.run({ x })).toThrow(/the graph output output_probability is seq\(map\(int64,tensor\(float\)\)\); model\.run and runAsync give tensors only: .*runValuesAsync a sequence of maps \(ZipMap's\) as an array of Maps/);
    await expect(model.runAsync({ x })).rejects.toThrow(/output_probability is seq\(map\(int64,tensor\(float\)\)\); model\.run and runAsync give tensors only/);
    // The labels alone need no ZipMap: run gives them, synchronously.
    const { output_label: labels } = tm.noGrad(() => model.run({ x }, { outputs: ['output_label'] }));
    check(name, 'label', await labels.data(), want.label);
    labels.dispose();
    for (const t of [x, got.output_label as tm.Tensor]) t.dispose();
    model.dispose();
    expect(tm.memory().numTensors).toBe(before);
  });
});
