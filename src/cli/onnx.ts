// `tmnn onnx FILE`: will this ONNX model run here, and how fast? Loads it on
// the backend tmnn picks (or --backend), describes it (producer, opset, inputs
// and outputs, parameters, ops), then times inference on zeros of its input
// shapes, a free dimension (a batch size) taken as 1, a sequence input a list
// of one such tensor, an optional one holding it — with runAsync where
// the synchronous run refuses the model for needing device values read back
// (NonZero, a Loop whose length depends on the data). A model using ops tmnn
// does not run fails to load, and the error lists them all.
import { ValueError } from '../errors.js';
import { backend } from '../engine.js';
import { tensor } from '../ops/creation.js';
import { load } from '../onnx/index.js';
import { USE_RUN_ASYNC } from '../onnx/node_call.js';
import type { OnnxInput, OnnxOutput } from '../onnx/edges.js';
import type { OnnxModel, OnnxValueDescription } from '../onnx/model.js';
import { StringTensor } from '../onnx/string_tensor.js';
import { noGrad } from '../tape.js';
import { Tensor } from '../tensor.js';

export interface OnnxSummary {
  file: string;
  backend: string;
  producer: string;
  opset: number;
  inputs: readonly OnnxValueDescription[];
  outputs: readonly OnnxValueDescription[];
  parameters: number;
  ops: Record<string, number>;
  /**
   * Inference on zeros of the inputs' shapes (free dimensions 1): the shapes
   * run (a sequence's as a list of shapes, an empty optional's null), and ms
   * per run (op + readback, best of runs).
   */
  timing: { inputShapes: Record<string, ValueShape>; outputShapes: Record<string, ValueShape>; ms: number; mode: 'run' | 'runAsync' };
}

const describeShape = (v: OnnxValueDescription) => `${v.name}: ${v.type}${v.shape ? ` [${v.shape.map((d) => d ?? '?').join(', ')}]` : ''}`;

/** A value's shape: a tensor's, a sequence's tensors', null for an empty optional, how many maps for a sequence of maps (ZipMap's), how many entries for a map. */
export type ValueShape = number[] | { sequence: number[][] } | { maps: number } | { entries: number } | null;

/** Zeros of an input's declared shape (a free or symbolic dimension as 1), in the dtype it is given as; a list of one for a sequence; empty strings for strings; an empty Map for a map. */
function zerosFor(info: OnnxValueDescription): Tensor | Tensor[] | StringTensor | Map<never, never> {
  if (info.type.startsWith('map(')) return new Map<never, never>();
  const shape = (info.shape ?? []).map((d) => (typeof d === 'number' ? d : 1));
  const size = shape.reduce((a, b) => a * b, 1);
  if (info.type === 'string') return new StringTensor(new Array<string>(size).fill(''), shape);
  // 'float16', 'seq(int64)', 'optional(seq(float))': the element type inside.
  const element = info.type.replace(/^(optional\()?(seq\()?/, '').replace(/\)+$/, '');
  const integer = /int|bool/.test(element);
  const zeros = integer ? tensor(new Int32Array(size), shape, { dtype: 'i32' }) : tensor(new Float32Array(size), shape, { dtype: element === 'float16' ? 'f16' : 'f32' });
  return /^(optional\()?seq\(/.test(info.type) ? [zeros] : zeros;
}

const isMap = (v: unknown): v is ReadonlyMap<unknown, unknown> => v instanceof Map;
const tensorsOf = (v: OnnxOutput | OnnxInput): readonly Tensor[] => (v === null || v instanceof StringTensor || isMap(v) ? [] : v instanceof Tensor ? [v] : v.filter((t): t is Tensor => t instanceof Tensor));
function shapeOf(v: OnnxOutput | OnnxInput): ValueShape {
  if (v === null) return null;
  if (isMap(v)) return { entries: v.size };
  if (v instanceof Tensor || v instanceof StringTensor) return [...v.shape];
  const tensors = tensorsOf(v);
  return tensors.length === v.length ? { sequence: tensors.map((t) => [...t.shape]) } : { maps: v.length };
}

async function timeInference(model: OnnxModel): Promise<OnnxSummary['timing']> {
  const feeds: Record<string, Tensor | Tensor[] | StringTensor | Map<never, never>> = Object.fromEntries(model.inputs.map((i) => [i.name, zerosFor(i)]));
  let mode: 'run' | 'runAsync' = 'run';
  const once = async () => {
    const outputs = mode === 'run' ? noGrad(() => model.runValues(feeds)) : await model.runValuesAsync(feeds, { grad: false });
    await Promise.all(Object.values(outputs).flatMap(tensorsOf).map((t) => t.data()));
    return outputs;
  };
  let first: Record<string, OnnxOutput>;
  try {
    first = await once();
  } catch (err) {
    if (!(err instanceof ValueError && err.message.includes(USE_RUN_ASYNC))) throw err;
    mode = 'runAsync';
    first = await once();
  }
  const outputShapes = Object.fromEntries(Object.entries(first).map(([name, v]) => [name, shapeOf(v)]));
  for (const t of Object.values(first).flatMap(tensorsOf)) t.dispose();
  let best = Infinity;
  const until = performance.now() + 1000;
  for (let run = 0; run < 3 || performance.now() < until; run++) {
    const start = performance.now();
    const outputs = await once();
    best = Math.min(best, performance.now() - start);
    for (const t of Object.values(outputs).flatMap(tensorsOf)) t.dispose();
  }
  const inputShapes = Object.fromEntries(Object.entries(feeds).map(([name, v]) => [name, shapeOf(v)]));
  for (const t of Object.values(feeds).flatMap(tensorsOf)) t.dispose();
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
  const dims = (d: readonly number[]) => `[${d.join(', ')}]`;
  const shape = (d: ValueShape) => (d === null ? 'none' : Array.isArray(d) ? dims(d) : 'maps' in d ? `${d.maps} maps` : 'entries' in d ? `a map of ${d.entries}` : `seq(${d.sequence.map(dims).join(', ')})`);
  const shapes = (r: Record<string, ValueShape>) => Object.entries(r).map(([n, d]) => `${n} ${shape(d)}`).join(', ');
  return [
    `${s.file}: ONNX opset ${s.opset}${s.producer ? `, from ${s.producer}` : ''}`,
    `  inputs      ${s.inputs.map(describeShape).join('; ')}`,
    `  outputs     ${s.outputs.map(describeShape).join('; ')}`,
    `  parameters  ${s.parameters.toLocaleString('en-US')}`,
    `  ops         ${ops}`,
    `  runs on ${s.backend}: ${s.timing.ms.toFixed(2)} ms per run${s.timing.mode === 'runAsync' ? ' with runAsync (it reads device values back)' : ''} (${shapes(s.timing.inputShapes)} → ${shapes(s.timing.outputShapes)}; op + readback, best of runs)`,
  ].join('\n');
}
