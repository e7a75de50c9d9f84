// scikit-learn pipelines of strings (test/fixtures/onnx_sklearn/strings,
// scripts/make-sklearn-fixtures.py) next to onnxruntime-web's WebAssembly
// build running the same files: a TF-IDF text classifier (StringNormalizer,
// Tokenizer, TfIdfVectorizer, then a linear model) and a ColumnTransformer
// over a one-hot colour and an ordinal size. Each takes its fixture's rows
// repeated to ~1,000 and gives the class names (output_label); timed as a
// user sees it, strings in, names out: runValuesAsync on tmnn (the string
// ops on the host, the numbers on the backend), session.run on onnxruntime.
// Its WebGPU build has no ai.onnx.ml ops, so both lines' peer is the
// WebAssembly one.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-web';
import * as tm from '../src/index.js';
import { bestOfEach, printTable } from './harness.js';
import { ortVersion } from './peers/onnxruntime-web-node.js';

const DIR = join(import.meta.dirname, '..', 'test', 'fixtures', 'onnx_sklearn', 'strings');
const PIPELINES = [
  { name: 'tfidf_text_classifier', what: 'TF-IDF (1- and 2-grams) + logistic regression, 1,080 documents' },
  { name: 'categorical_pipeline', what: 'scaler, one-hot colour, ordinal size + logistic regression, 1,015 rows' },
];

type Given = { shape: number[]; values: number[] } | { shape: number[]; strings: string[] };

/** The fixture's inputs with their rows repeated `times`. */
function repeated(name: string, times: number): Record<string, Given> {
  const { inputs } = JSON.parse(readFileSync(join(DIR, `${name}.json`), 'utf8')) as { inputs: Record<string, Given> };
  return Object.fromEntries(Object.entries(inputs).map(([k, v]) => {
    const shape = [v.shape[0] * times, ...v.shape.slice(1)];
    return [k, 'strings' in v ? { shape, strings: new Array<string[]>(times).fill(v.strings).flat() } : { shape, values: new Array<number[]>(times).fill(v.values).flat() }];
  }));
}

export async function sklearnStringsSection(): Promise<void> {
  const rows: (string | number)[][] = [];
  for (const { name, what } of PIPELINES) {
    const bytes = new Uint8Array(readFileSync(join(DIR, `${name}.onnx`)));
    const rowsIn = JSON.parse(readFileSync(join(DIR, `${name}.json`), 'utf8')).outputs.output_label.length as number;
    const given = repeated(name, Math.ceil(1000 / rowsIn));
    const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
    const feeds = Object.fromEntries(Object.entries(given).map(([k, v]) => [k, 'strings' in v ? new ort.Tensor('string', v.strings, v.shape) : new ort.Tensor('float32', Float32Array.from(v.values), v.shape)]));
    const theirs = async () => (await session.run(feeds, ['output_label'])).output_label.data as string[];
    for (const backend of ['native', 'webgpu'] as tm.BackendName[]) {
      await tm.init({ backend });
      const model = tm.onnx.fromBytes(bytes);
      const inputs = Object.fromEntries(Object.entries(given).map(([k, v]) => [k, 'strings' in v ? new tm.onnx.StringTensor(v.strings, v.shape) : tm.tensor(Float32Array.from(v.values), v.shape)]));
      const ours = async () => ((await model.runValuesAsync(inputs, { grad: false, outputs: ['output_label'] })).output_label as tm.onnx.StringTensor).values;
      // Both sides must name the same classes before their times mean anything.
      const [a, b] = [await ours(), await theirs()];
      const differ = a.filter((label, i) => label !== b[i]).length;
      const ms = await bestOfEach({ tmnn: async () => void (await ours()), ort: async () => void (await theirs()) }, 2000);
      rows.push([what, `${backend} / ort-wasm`, ms.tmnn, ms.ort, ms.ort / ms.tmnn, differ ? `${differ} labels differ` : 'same labels']);
      for (const v of Object.values(inputs)) if (v instanceof tm.Tensor) v.dispose();
      model.dispose();
    }
    await session.release();
  }
  printTable(
    `scikit-learn pipelines of strings through tm.onnx vs onnxruntime-web ${await ortVersion()} (WebAssembly) on the same .onnx files, ms per batch, strings in → class names out, best of rounds`,
    ['pipeline', 'tmnn backend / onnxruntime provider', 'tmnn ms', 'onnxruntime ms', 'tmnn speed-up', 'check'],
    rows,
    'tmnn runs the string ops (StringNormalizer, Tokenizer, TfIdfVectorizer, OneHotEncoder over strings, LabelEncoder) on the host in JavaScript and the rest on the backend named; webgpu reads the classes back before naming them.',
  );
}
