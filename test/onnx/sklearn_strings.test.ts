// tm.onnx against scikit-learn models of strings: classifiers trained on
// class names ('setosa', 'yes', 'north') and a pipeline over string columns
// (a one-hot colour, an ordinal size), written by
// scripts/make-sklearn-fixtures.py in skl2onnx's default layout — the labels
// a string tensor (output_label), the probabilities a ZipMap's maps keyed by
// name (output_probability) — beside their inputs and scikit-learn's own
// predict and predict_proba (test/fixtures/onnx_sklearn/strings/NAME.json).
// onnxruntime-web gives scikit-learn's labels for each file first (it cannot
// return the maps); tm.onnx must give labels and probabilities on every
// backend, through runValuesAsync, and through runValues where the backend
// holds values in memory (js, native; a GPU's synchronous run refuses,
// pointing at runValuesAsync).
import * as ort from 'onnxruntime-web';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { expectClose } from '../helpers/data.js';
import { collected } from '../helpers/gc.js';

const DIR = join(import.meta.dirname, '..', 'fixtures', 'onnx_sklearn', 'strings');
const NAMES = readdirSync(DIR).filter((f) => f.endsWith('.onnx')).map((f) => f.slice(0, -'.onnx'.length)).sort();

type Given = { shape: number[]; values: number[] } | { shape: number[]; strings: string[] };
interface Case {
  bytes: Uint8Array;
  inputs: Record<string, Given>;
  labels: string[];
  probabilities?: { shape: number[]; values: number[] };
}

function load(name: string): Case {
  const { inputs, outputs } = JSON.parse(readFileSync(join(DIR, `${name}.json`), 'utf8'));
  return { bytes: new Uint8Array(readFileSync(join(DIR, `${name}.onnx`))), inputs, labels: outputs.output_label, probabilities: outputs.probabilities };
}

function tmInputs(c: Case): Record<string, tm.Tensor | tm.onnx.StringTensor> {
  return Object.fromEntries(Object.entries(c.inputs).map(([k, v]) => [k, 'strings' in v ? new tm.onnx.StringTensor(v.strings, v.shape) : tm.tensor(Float32Array.from(v.values), v.shape)]));
}

/** The run's labels and maps against scikit-learn's: labels exactly, each map keyed by the class names in order, probabilities to f32 rounding. */
function checkOutputs(name: string, c: Case, got: Record<string, tm.onnx.OnnxOutput>): void {
  expect(got.output_label).toBeInstanceOf(tm.onnx.StringTensor);
  const labels = got.output_label as tm.onnx.StringTensor;
  expect(labels.shape, `${name} labels' shape`).toEqual([c.labels.length]);
  expect(labels.values, `${name} labels`).toEqual(c.labels);
  const maps = got.output_probability as Map<tm.onnx.MapKey, number>[];
  expect(maps).toHaveLength(c.labels.length);
  if (!c.probabilities) return;
  const classes = c.probabilities.shape[1];
  for (const m of maps) {
    expect(m.size).toBe(classes);
    for (const key of m.keys()) expect(typeof key).toBe('string');
  }
  // ZipMap's keys are the classifier's names in its order, which is scikit-learn's classes_ (sorted).
  const names = [...maps[0].keys()];
  expect(names, `${name} class names`).toEqual([...names].sort());
  expectClose(maps.flatMap((m) => names.map((k) => m.get(k)!)), c.probabilities.values, 1e-5, `${name} probabilities`);
}

describe('the scikit-learn files of strings', () => {
  it.each(NAMES)('%s: onnxruntime-web gives the labels scikit-learn gave', async (name) => {
    const c = load(name);
    const feeds = Object.fromEntries(
      Object.entries(c.inputs).map(([k, v]) => [k, 'strings' in v ? new ort.Tensor('string', v.strings, v.shape) : new ort.Tensor('float32', Float32Array.from(v.values), v.shape)]),
    );
    const session = await ort.InferenceSession.create(c.bytes, { executionProviders: ['wasm'] });
    try {
      const out = await session.run(feeds, ['output_label']);
      expect(Array.from(out.output_label.data as string[])).toEqual(c.labels);
    } finally {
      await session.release();
    }
  });
});

describe.each(BACKENDS)('tm.onnx runs the scikit-learn files of strings on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });
  const holdsValues = backend !== 'webgpu';

  it.each(NAMES)('%s: runValuesAsync gives scikit-learn\'s labels and probabilities, every tensor freed', async (name) => {
    const c = load(name);
    const before = await collected();
    const model = await tm.onnx.fromBytes(c.bytes);
    const inputs = tmInputs(c);
    checkOutputs(name, c, await model.runValuesAsync(inputs, { grad: false }));
    for (const v of Object.values(inputs)) if (v instanceof tm.Tensor) v.dispose();
    model.dispose();
    expect(tm.memory().numTensors).toBe(before);
  });

  it.each(NAMES)(`%s: runValues ${holdsValues ? 'gives them too' : 'refuses the model, pointing at runValuesAsync'}`, async (name) => {
    const c = load(name);
    const before = await collected();
    const model = await tm.onnx.fromBytes(c.bytes);
    const inputs = tmInputs(c);
    if (holdsValues) checkOutputs(name, c, tm.noGrad(() => model.runValues(inputs)));
    else expect(() => tm.noGrad(() => model.runValues(inputs, { outputs: ['output_label'] }))).toThrow(/computed on the device; tmnn's synchronous run .* never reads the device back/);
    for (const v of Object.values(inputs)) if (v instanceof tm.Tensor) v.dispose();
    model.dispose();
    expect(tm.memory().numTensors).toBe(before);
  });

  it('run, which gives tensors only, refuses the string labels and points at runValues', async () => {
    const c = load('logistic_regression_names');
    const model = await tm.onnx.fromBytes(c.bytes);
    const inputs = tmInputs(c);
    expect(() => model.run(inputs, { outputs: ['output_label'] })).toThrow(/output_label is string; model\.run and runAsync give tensors only: .*a tensor of strings as a StringTensor/);
    for (const v of Object.values(inputs)) if (v instanceof tm.Tensor) v.dispose();
    model.dispose();
  });
});
