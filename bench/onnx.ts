// tm.onnx running PyTorch's exports (bench/models: an MLP, a CNN, a
// transformer encoder, and the MLP in onnxruntime's dynamic int8 format,
// scripts/make-onnx-int8-bench-model.py) and scikit-learn's tree ensembles
// (a random forest and gradient boosting, ai.onnx.ml's TreeEnsembleRegressor,
// scripts/make-sklearn-fixtures.py) next to onnxruntime-web running the same files, in
// the same process: tmnn's native backend against onnxruntime's WebAssembly
// provider on the CPU, and tmnn's webgpu backend against onnxruntime's WebGPU
// provider on the same Dawn adapter. Inference on a batch, timed as a user
// sees it: input in, output's values out (op + `await data()`, session.run +
// getData()). Each model's four runs take turns, best of rounds.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tm from '../src/index.js';
import { bestOfEach, printTable } from './harness.js';
import { ortSession, ortThreads, ortVersion, type OrtProvider } from './peers/onnxruntime-web-node.js';

const MODELS = [
  { name: 'mlp', shape: [128, 784], what: 'MLP 784-256-128-10, batch 128' },
  { name: 'mlp_int8', shape: [128, 784], what: 'the MLP int8 (dynamic: DynamicQuantizeLinear, MatMulInteger), batch 128' },
  { name: 'cnn', shape: [32, 3, 32, 32], what: 'CNN 3 conv blocks 32-64-128, 32 images 32×32' },
  { name: 'transformer', shape: [8, 32, 64], what: '2 encoder layers d=64, 8 sequences of 32' },
  { name: 'forest', shape: [1000, 20], what: 'scikit-learn random forest, 60 trees of depth 8, 1000 rows of 20 features' },
  { name: 'boosting', shape: [1000, 20], what: 'scikit-learn gradient boosting, 200 trees of depth 5, 1000 rows of 20 features' },
];

const modelFile = (name: string) => new Uint8Array(readFileSync(join(import.meta.dirname, '..', 'bench', 'models', `${name}.onnx`)));

/** A function that runs the model once on x and reads the output back, for tmnn on `backend`. */
async function tmnnRunner(backend: tm.BackendName, bytes: Uint8Array, x: Float32Array, shape: number[]): Promise<{ run: () => Promise<void>; first: () => Promise<Float32Array>; dispose: () => void }> {
  await tm.init({ backend });
  const model = tm.onnx.fromBytes(bytes);
  model.eval();
  const input = tm.tensor(x, shape);
  const once = async () => {
    const y = tm.noGrad(() => model.forward(input));
    const values = (await y.data()) as Float32Array;
    y.dispose();
    return values;
  };
  return { run: async () => void (await once()), first: once, dispose: () => (input.dispose(), model.dispose()) };
}

function maxRelativeDifference(a: Float32Array, b: Float32Array): number {
  let scale = 0, diff = 0;
  for (let i = 0; i < a.length; i++) {
    scale = Math.max(scale, Math.abs(b[i]));
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
  }
  return diff / (scale || 1);
}

export async function onnxSection(): Promise<void> {
  const rows: (string | number)[][] = [];
  const notes: string[] = [];
  // The GPU pairs first: onnxruntime's WebAssembly threads, once started, stay in the process and would
  // share the CPU with lavapipe (a software adapter) for the rest of the run.
  for (const [backend, provider] of [['webgpu', 'webgpu'], ['native', 'wasm']] as [tm.BackendName, OrtProvider][]) {
    for (const { name, shape, what } of MODELS) {
      const bytes = modelFile(name);
      const size = shape.reduce((a, b) => a * b, 1);
      const x = Float32Array.from({ length: size }, (_, i) => Math.sin(i * 0.37));
      let ours;
      try {
        ours = await tmnnRunner(backend, bytes, x, shape);
      } catch (e) {
        notes.push(`${name} on ${backend}: ${(e as Error).message}`);
        continue;
      }
      const peer = await ortSession(bytes, provider);
      // Both sides must compute the same thing before their times mean anything.
      const difference = maxRelativeDifference(await ours.first(), await peer.run(x, shape));
      if (difference > 1e-3) notes.push(`${name} on ${backend}: outputs differ from onnxruntime's by ${difference.toExponential(1)} (relative to the largest)`);
      const ms = await bestOfEach({ tmnn: ours.run, ort: async () => void (await peer.run(x, shape)) }, 3000);
      rows.push([what, `${backend} / ort-${peer.provider}`, ms.tmnn, ms.ort, ms.ort / ms.tmnn]);
      ours.dispose();
      await peer.release();
    }
  }
  printTable(
    `tm.onnx inference vs onnxruntime-web ${await ortVersion()} on the same .onnx files (PyTorch 1.13 exports, an int8 MLP, scikit-learn tree ensembles; bench/models), ms per batch, input in → output read back, best of rounds`,
    ['model', 'tmnn backend / onnxruntime provider', 'tmnn ms', 'onnxruntime ms', 'tmnn speed-up'],
    rows,
    [
      `native: tmnn on OpenBLAS and its C++ kernels; ort-wasm: onnxruntime-web on WebAssembly (SIMD) on its default ${await ortThreads()} thread(s), half the cores (on the 2-core build machine 2 threads measured slower: the CNN ~35 ms against ~25).`,
      'webgpu: both on the same Dawn adapter; onnxruntime-web uploads through a copy of its shared memory (Dawn in Node refuses shared views), which browsers do not need.',
      "The tree ensembles' peer is onnxruntime-web's plain WebAssembly build on both lines: its WebGPU build has no ai.onnx.ml ops.",
      ...notes,
    ].join('\n'),
  );
}
