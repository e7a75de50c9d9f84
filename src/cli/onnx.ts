// `tmnn onnx FILE`: will this ONNX model run here, and how fast? Loads it on
// the backend tmnn picks (or --backend), describes it (producer, opset, inputs
// and outputs, parameters, ops), then times inference on zeros of its input
// shapes, a free dimension (a batch size) taken as 1 — with runAsync where
// the synchronous run refuses the model for needing device values read back
// (NonZero, a Loop whose length depends on the data). A model using ops tmnn
// does not run fails to load, and the error lists them all.
import { ValueError } from '../errors.js';
import { backend } from '../engine.js';
import { tensor } from '../ops/creation.js';
import { load } from '../onnx/index.js';
import { USE_RUN_ASYNC } from '../onnx/node_call.js';
import type { OnnxModel, OnnxValueDescription } from '../onnx/model.js';
import { noGrad } from '../tape.js';
import type { Tensor } from '../tensor.js';

export interface OnnxSummary {
  file: string;
  backend: string;
  producer: string;
  opset: number;
  inputs: readonly OnnxValueDescription[];
  outputs: readonly OnnxValueDescription[];
  parameters: number;
  ops: Record<string, number>;
  /** Inference on zeros of the inputs' shapes (free dimensions 1): the shapes run, and ms per run (op + readback, best of runs). */
  timing: { inputShapes: Record<string, number[]>; outputShapes: Record<string, number[]>; ms: number; mode: 'run' | 'runAsync' };
}

const describeShape = (v: OnnxValueDescription) => `${v.name}: ${v.type}${v.shape ? ` [${v.shape.map((d) => d ?? '?').join(', ')}]` : ''}`;

/** Zeros of an input's declared shape (a free or symbolic dimension as 1), in the dtype it is given as. */
function zerosFor(info: OnnxValueDescription): Tensor {
  const shape = (info.shape ?? []).map((d) => (typeof d === 'number' ? d : 1));
  const size = shape.reduce((a, b) => a * b, 1);
  const integer = /int|bool/.test(info.type);
  return integer ? tensor(new Int32Array(size), shape, { dtype: 'i32' }) : tensor(new Float32Array(size), shape, { dtype: info.type === 'float16' ? 'f16' : 'f32' });
}

async function timeInference(model: OnnxModel): Promise<OnnxSummary['timing']> {
  const feeds = Object.fromEntries(model.inputs.map((i) => [i.name, zerosFor(i)]));
  let mode: 'run' | 'runAsync' = 'run';
  const once = async () => {
    const outputs = mode === 'run' ? noGrad(() => model.run(feeds)) : await model.runAsync(feeds, { grad: false });
    await Promise.all(Object.values(outputs).map((t) => t.data()));
    return outputs;
  };
  let first: Record<string, Tensor>;
  try {
    first = await once();
  } catch (err) {
    if (!(err instanceof ValueError && err.message.includes(USE_RUN_ASYNC))) throw err;
    mode = 'runAsync';
    first = await once();
  }
  const outputShapes = Object.fromEntries(Object.entries(first).map(([name, t]) => [name, [...t.shape]]));
  for (const t of Object.values(first)) t.dispose();
  let best = Infinity;
  const until = performance.now() + 1000;
  for (let run = 0; run < 3 || performance.now() < until; run++) {
    const start = performance.now();
    const outputs = await once();
    best = Math.min(best, performance.now() - start);
    for (const t of Object.values(outputs)) t.dispose();
  }
  const inputShapes = Object.fromEntries(Object.entries(feeds).map(([name, t]) => [name, [...t.shape]]));
  for (const t of Object.values(feeds)) t.dispose();
  return { inputShapes, outputShapes, ms: best, mode };
}

export async function onnxSummary(file: string): Promise<OnnxSummary> {
  // load, not fromBytes: data kept in external files is read from beside the model.
  const model = await load(file);
  try {
    model.eval();
    return {
      file,
      backend: backend(),
      producer: model.producer,
      opset: model.opset,
      inputs: model.inputs,
      outputs: model.outputs,
      parameters: model.parameters().reduce((n, p) => n + p.size, 0),
      ops: Object.fromEntries(model.opCounts),
      timing: await timeInference(model),
    };
  } finally {
    model.dispose();
  }
}

export function formatOnnxSummary(s: OnnxSummary): string {
  const ops = Object.entries(s.ops).sort((a, b) => b[1] - a[1]).map(([op, n]) => `${op} ×${n}`).join(', ');
  const shapes = (r: Record<string, number[]>) => Object.entries(r).map(([n, d]) => `${n} [${d.join(', ')}]`).join(', ');
  return [
    `${s.file}: ONNX opset ${s.opset}${s.producer ? `, from ${s.producer}` : ''}`,
    `  inputs      ${s.inputs.map(describeShape).join('; ')}`,
    `  outputs     ${s.outputs.map(describeShape).join('; ')}`,
    `  parameters  ${s.parameters.toLocaleString('en-US')}`,
    `  ops         ${ops}`,
    `  runs on ${s.backend}: ${s.timing.ms.toFixed(2)} ms per run${s.timing.mode === 'runAsync' ? ' with runAsync (it reads device values back)' : ''} (${shapes(s.timing.inputShapes)} → ${shapes(s.timing.outputShapes)}; op + readback, best of runs)`,
  ].join('\n');
}
