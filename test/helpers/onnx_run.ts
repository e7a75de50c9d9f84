// Runs one-op ONNX models for the op tests: each input either fed as a graph
// input (a device tensor) or written as an initializer (a host constant, the
// way exporters give axes, shapes and pads), the outputs read back as float64
// arrays, and every tensor the run made checked freed.
import { expect } from 'vitest';
import * as tm from '../../src/index.js';
import { SEED } from './data.js';
import type { F64 } from './float64.js';
import { onnxModel, type AttributeSpec, type NodeSpec, type OnnxTypeName, type TensorSpec } from './onnx.js';

export interface Feed {
  shape: readonly number[];
  values: ArrayLike<number>;
  type?: OnnxTypeName;
  /** Written into the file as an initializer (a Constant for int types) rather than fed at run time. */
  constant?: boolean;
  /** An initializer's stored form, written as given (the 8-bit floats and 4-bit integers, from bits the test chose). */
  stored?: TensorSpec['stored'];
}

/** A feed of int64s written as an initializer: axes, shapes, pads, indices. */
export const ints = (values: readonly number[], shape: readonly number[] = [values.length]): Feed => ({ shape, values, type: 'int64', constant: true });

/** A float feed from a reference array. */
export const feed = (a: F64, type: OnnxTypeName = 'float'): Feed => ({ shape: a.shape, values: a.v, type });

const DTYPE: Partial<Record<OnnxTypeName, tm.DType>> = {
  float: 'f32', double: 'f32', float16: 'f16', int64: 'i32', int32: 'i32', bool: 'i32', int8: 'i32', uint8: 'i32', int16: 'i32', uint16: 'i32', uint32: 'i32', uint64: 'i32', bfloat16: 'f32',
  int4: 'i32', uint4: 'i32', float8e4m3fn: 'f32', float8e4m3fnuz: 'f32', float8e5m2: 'f32', float8e5m2fnuz: 'f32', float4e2m1: 'f32',
};

export interface RunOptions {
  opset?: number;
  outputs?: number;
  /** The outputs' declared element types (float unless given): onnxruntime checks them. */
  outputTypes?: readonly OnnxTypeName[];
  /** 'async' runs the model with runAsync, which reads device values back where an op needs them on the host. */
  mode?: 'sync' | 'async';
  /** The node's domain ('com.microsoft'); the model imports it. */
  domain?: string;
}

/** The node's outputs for `inputs` (null leaves an optional input out) on the active backend. */
export async function runOp(op: string, inputs: readonly (Feed | null)[], attributes: Record<string, AttributeSpec> = {}, options: RunOptions = {}): Promise<F64[]> {
  return runModel(opModel(op, inputs, attributes, options), fedOf(inputs), options.mode);
}

/** The bytes of a one-node model: each input a graph input, or an initializer where the feed says constant. */
export function opModel(op: string, inputs: readonly (Feed | null)[], attributes: Record<string, AttributeSpec> = {}, options: RunOptions = {}): Uint8Array {
  const initializers: Record<string, TensorSpec> = {};
  const graphInputs: { name: string; type: OnnxTypeName; shape: readonly number[] }[] = [];
  const names = inputs.map((f, i) => {
    if (!f) return '';
    const name = `x${i}`;
    if (f.constant) initializers[name] = { type: f.type, shape: f.shape, values: f.values, stored: f.stored };
    else graphInputs.push({ name, type: f.type ?? 'float', shape: f.shape });
    return name;
  });
  const outputs = Array.from({ length: options.outputs ?? 1 }, (_, i) => `y${i}`);
  const node: NodeSpec = { op, inputs: names, outputs, attributes, domain: options.domain };
  return onnxModel({ opset: options.opset, inputs: graphInputs, outputs: outputs.map((name, i) => ({ name, type: options.outputTypes?.[i] })), nodes: [node], initializers });
}

/** The feeds opModel makes graph inputs, in order. */
export function fedOf(inputs: readonly (Feed | null)[]): Feed[] {
  return inputs.filter((f): f is Feed => f !== null && !f.constant);
}

/** Every graph output of a model's bytes for fed inputs given in the graph's order; `mode` 'async' runs it with runAsync. */
export async function runModel(bytes: Uint8Array, fed: readonly Feed[], mode: 'sync' | 'async' = 'sync'): Promise<F64[]> {
  const before = tm.memory().numTensors;
  const model = tm.onnx.fromBytes(bytes);
  const xs = fed.map((f) => tm.tensor(Array.from(f.values), [...f.shape], { dtype: DTYPE[f.type ?? 'float'] }));
  try {
    const got = mode === 'async' ? await model.runAsync(xs, { grad: false }) : tm.noGrad(() => model.run(xs));
    const out: F64[] = [];
    for (const o of model.outputs) {
      const t = got[o.name];
      out.push({ shape: [...t.shape], v: Float64Array.from(await t.data()) });
    }
    for (const t of Object.values(got)) t.dispose();
    return out;
  } finally {
    for (const t of xs) t.dispose();
    model.dispose();
    // At most the count before: what the run leaves would raise it, but the finalizers of earlier tests' garbage (an
    // undisposed tensor, a graph never run backward) may free some at any await above and lower it.
    expect(tm.memory().numTensors, `tensors left after running the model (test seed ${SEED})`).toBeLessThanOrEqual(before);
  }
}

/** The one output of a one-op model. */
export async function run1(op: string, inputs: readonly (Feed | null)[], attributes: Record<string, AttributeSpec> = {}, options: RunOptions = {}): Promise<F64> {
  return (await runOp(op, inputs, attributes, options))[0];
}

/** A few SGD steps on random targets: every parameter moves. */
export async function trainSteps(model: tm.onnx.OnnxModel, x: tm.Tensor): Promise<void> {
  const opt = new tm.optim.SGD(model.parameters(), { lr: 0.1 });
  for (let step = 0; step < 3; step++) {
    const loss = tm.tidy(() => model.forward(x).sub(1).square().mean());
    loss.backward();
    opt.step();
    opt.zeroGrad();
    loss.dispose();
  }
}

/** A float64 array as an f32 tensor. */
export const floatTensor = (x: F64): tm.Tensor => tm.tensor(Float32Array.from(x.v), [...x.shape]);

/** An output read back: a tensor's shape and values, an array of them for a sequence, null for an empty optional, the Maps of a sequence of maps, strings as they are. */
export type Read = F64 | F64[] | null | Map<tm.onnx.MapKey, number>[] | tm.onnx.StringTensor | tm.onnx.StringTensor[];

const isTensors = (v: readonly unknown[]): v is tm.Tensor[] => v.every((t) => t instanceof tm.Tensor);

async function readOutput(v: tm.onnx.OnnxOutput): Promise<Read> {
  if (v === null || v instanceof tm.onnx.StringTensor) return v;
  if (Array.isArray(v)) return isTensors(v) ? Promise.all(v.map(async (t) => ({ shape: [...t.shape], v: Float64Array.from(await t.data()) }))) : v;
  return { shape: [...v.shape], v: Float64Array.from(await v.data()) };
}

function disposeOutput(v: tm.onnx.OnnxOutput): void {
  if (Array.isArray(v)) v.forEach((t) => t instanceof tm.Tensor && t.dispose());
  else if (v instanceof tm.Tensor) v.dispose();
}

/** Every output of model.runValues (or runValuesAsync) for `inputs`, read back; every tensor the run made is checked freed. */
export async function runValues(bytes: Uint8Array, inputs: Record<string, F64 | F64[] | null | undefined>, mode: 'sync' | 'async' = 'sync'): Promise<Record<string, Read>> {
  const before = tm.memory().numTensors;
  const model = tm.onnx.fromBytes(bytes);
  const given: Record<string, tm.onnx.OnnxInput | undefined> = {};
  const made: tm.Tensor[] = [];
  for (const [name, x] of Object.entries(inputs)) {
    if (x === null || x === undefined) given[name] = x;
    else if (Array.isArray(x)) made.push(...(given[name] = x.map(floatTensor)));
    else made.push((given[name] = floatTensor(x)));
  }
  try {
    const got = mode === 'async' ? await model.runValuesAsync(given, { grad: false }) : tm.noGrad(() => model.runValues(given));
    const out: Record<string, Read> = {};
    for (const [name, v] of Object.entries(got)) out[name] = await readOutput(v);
    Object.values(got).forEach(disposeOutput);
    return out;
  } finally {
    made.forEach((t) => t.dispose());
    model.dispose();
    expect(tm.memory().numTensors, `tensors left after running the model (test seed ${SEED})`).toBeLessThanOrEqual(before);
  }
}

/** A graph output's shape and elements, strings or numbers (a tensor read back and freed). */
export async function readElements(v: tm.onnx.OnnxOutput): Promise<{ shape: number[]; values: (string | number)[] }> {
  if (v instanceof tm.onnx.StringTensor) return { shape: [...v.shape], values: [...v.values] };
  const t = v as tm.Tensor;
  const read = { shape: [...t.shape], values: Array.from(await t.data()) };
  t.dispose();
  return read;
}
