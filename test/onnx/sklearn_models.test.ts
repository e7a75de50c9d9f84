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
  it('lists the ai.onnx.ml ops tmnn runs: all but the four of maps and strings (ZipMap, DictVectorizer, CastMap, CategoryMapper)', () => {
    expect(tm.onnx.SUPPORTED_ML_OPS).toEqual([
      'ArrayFeatureExtractor', 'Binarizer', 'FeatureVectorizer', 'Imputer', 'LabelEncoder', 'LinearClassifier', 'LinearRegressor', 'Normalizer',
      'OneHotEncoder', 'SVMClassifier', 'SVMRegressor', 'Scaler', 'TreeEnsemble', 'TreeEnsembleClassifier', 'TreeEnsembleRegressor',
    ]);
  });
});

describe('a classifier as skl2onnx writes it by default', () => {
  it('ends in a ZipMap (a sequence of maps), refused when loaded with the option that leaves it out', () => {
    const bytes = onnxModel({
      inputs: [{ name: 'x', shape: [2, 3] }],
      outputs: [{ name: 'label', type: 'int64' }, { name: 'zipped' }],
      nodes: [
        { op: 'LinearClassifier', domain: 'ai.onnx.ml', inputs: ['x'], outputs: ['label', 'probabilities'], attributes: { coefficients: { floats: [1, 2, 3, 4, 5, 6] }, classlabels_ints: [0, 1] } },
        { op: 'ZipMap', domain: 'ai.onnx.ml', inputs: ['probabilities'], outputs: ['zipped'], attributes: { classlabels_int64s: [0, 1] } },
      ],
    });
    expect(() => tm.onnx.fromBytes(bytes)).toThrow(/does not run: ai\.onnx\.ml\.ZipMap \(ZipMap makes a sequence of maps, .* options=\{'zipmap': False\}/);
  });
});
