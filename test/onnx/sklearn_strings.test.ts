// tm.onnx against scikit-learn models of strings: classifiers trained on
// class names ('setosa', 'yes', 'north') and a pipeline over string columns
// (a one-hot colour, an ordinal size), written by
// scripts/make-sklearn-fixtures.py in skl2onnx's default layout — the labels
// a string tensor (output_label), the probabilities a ZipMap's maps keyed by
// name (output_probability) — beside their inputs and scikit-learn's own
// predict and predict_proba (test/fixtures/onnx_sklearn/strings/NAME.json).
// onnxruntime-web gives scikit-learn's labels for each file first (it cannot
// return the maps, nor take the map of the DictVectorizer model, which runs
// one sample at a time); tm.onnx must give labels and probabilities on
// every backend, through runValuesAsync, and through runValues where the
// backend holds values in memory (js, native; a GPU's synchronous run
// refuses, pointing at runValuesAsync).
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

type Given = { shape: number[]; values: number[] } | { shape: number[]; strings: string[] } | { maps: Record<string, number>[] };
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

/** The samples of a map input, one map each (the DictVectorizer model's), or undefined for a model of tensors. */
const mapsOf = (c: Case): Record<string, number>[] | undefined => Object.values(c.inputs).find((v): v is { maps: Record<string, number>[] } => 'maps' in v)?.maps;

type Inputs = Record<string, tm.Tensor | tm.onnx.StringTensor | Map<string, number>>;

/** The model's inputs: once for a model of tensors, once per sample for a map input. */
function tmInputs(c: Case): Inputs[] {
  const maps = mapsOf(c);
  if (maps) return maps.map((m) => Object.fromEntries(Object.keys(c.inputs).map((k) => [k, new Map(Object.entries(m))])));
  return [Object.fromEntries(Object.entries(c.inputs).map(([k, v]) => [k, 'strings' in v ? new tm.onnx.StringTensor(v.strings, v.shape) : tm.tensor(Float32Array.from((v as { values: number[] }).values), (v as { shape: number[] }).shape)]))];
}

/** The runs' outputs as one run of every sample would give them: the labels joined, the maps in order. */
async function runAll(inputs: Inputs[], run: (given: Inputs) => Promise<Record<string, tm.onnx.OnnxOutput>>): Promise<Record<string, tm.onnx.OnnxOutput>> {
  const outs = [];
  for (const given of inputs) outs.push(await run(given));
  if (outs.length === 1) return outs[0];
  const labels = outs.map((o) => o.output_label as tm.onnx.StringTensor);
  return { output_label: new tm.onnx.StringTensor(labels.flatMap((l) => [...l.values])), output_probability: outs.flatMap((o) => o.output_probability as Map<tm.onnx.MapKey, number>[]) };
}

const freeInputs = (inputs: Inputs[]) => inputs.forEach((i) => Object.values(i).forEach((v) => v instanceof tm.Tensor && v.dispose()));

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
  it.each(NAMES.filter((n) => !mapsOf(load(n))))('%s: onnxruntime-web gives the labels scikit-learn gave', async (name) => {
    const c = load(name);
    const feeds = Object.fromEntries(
      Object.entries(c.inputs).map(([k, v]) => [k, 'strings' in v ? new ort.Tensor('string', v.strings, v.shape) : new ort.Tensor('float32', Float32Array.from((v as { values: number[] }).values), (v as { shape: number[] }).shape)]),
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
    checkOutputs(name, c, await runAll(inputs, (given) => model.runValuesAsync(given, { grad: false })));
    freeInputs(inputs);
    model.dispose();
    expect(tm.memory().numTensors).toBe(before);
  });

  it.each(NAMES)(`%s: runValues ${holdsValues ? 'gives them too' : 'refuses the model, pointing at runValuesAsync'}`, async (name) => {
    const c = load(name);
    const before = await collected();
    const model = await tm.onnx.fromBytes(c.bytes);
    const inputs = tmInputs(c);
    if (holdsValues) checkOutputs(name, c, await runAll(inputs, async (given) => tm.noGrad(() => model.runValues(given))));
    else expect(() => tm.noGrad(() => model.runValues(inputs[0], { outputs: ['output_label'] }))).toThrow(/computed on the device; tmnn's synchronous run .* never reads the device back/);
    freeInputs(inputs);
    model.dispose();
    expect(tm.memory().numTensors).toBe(before);
  });

  it('run, which gives tensors only, refuses the string labels and points at runValues', async () => {
    const c = load('logistic_regression_names');
    const model = await tm.onnx.fromBytes(c.bytes);
    const inputs = tmInputs(c);
    expect(() => model.run(inputs[0], { outputs: ['output_label'] })).toThrow(/output_label is string; model\.run and runAsync give tensors only: .*a tensor of strings as a StringTensor/);
    freeInputs(inputs);
    model.dispose();
  });
});
