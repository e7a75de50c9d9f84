// tm.onnx.toOnnx and saveOnnx: a tmnn model written as an ONNX file, in eval
// semantics (dropout left out, BatchNorm by its running estimates), so it
// runs wherever ONNX runs. The model is traced once: each layer runs on a
// sample input in eval mode (nothing in the model changes) to learn the
// shapes its exporter needs, and the exporters (export/*.ts) write its
// nodes. A symbolic size in inputShape (a string, e.g. 'batch') is traced at
// two sizes; whatever differs between the two follows it, and is never
// written into the graph as a number.
import { tidy } from '../engine.js';
import { ValueError, formatValue } from '../errors.js';
import { writeFileAtomic } from '../io/file.js';
import { checkOptions as checkNames } from '../options.js';
import { Embedding } from '../nn/embedding.js';
import { inEvalMode, Module } from '../nn/module.js';
import { Sequential } from '../nn/sequential.js';
import { refuseUnbuilt } from '../nn/unbuilt.js';
import { zeros } from '../ops/index.js';
import { noGrad } from '../tape.js';
import type { Tensor } from '../tensor.js';
import { encodeModel, type GraphSpec, type ValueSpec } from './encode.js';
import { externalize, unsafeLocation, writePartsBeside } from './external.js';
import { ACTIVATION_EXPORTS } from './export/activations.js';
import { ATTENTION_EXPORTS } from './export/attention.js';
import { Builder, describe, type LayerExport, type Value } from './export/builder.js';
import { LAYER_EXPORTS } from './export/layers.js';
import { NORM_EXPORTS } from './export/norms.js';
import { RECURRENT_EXPORTS } from './export/recurrent.js';
import { SHAPE_EXPORTS } from './export/shape_layers.js';

export interface ToOnnxOptions {
  /** The input's shape; a string is a symbolic size (e.g. 'batch'), which the graph then takes at any value. */
  inputShape: readonly (number | string)[];
  /** The default operator set version (default 17); 13 to 21. */
  opset?: number;
  /** Default 'x'. */
  inputName?: string;
  /** Default 'y'. */
  outputName?: string;
}

export interface SaveOnnxOptions extends ToOnnxOptions {
  /**
   * Initializers of `threshold` bytes or more (default 1024, onnx's) written
   * to one file beside the model, at `location` (default the model file's
   * name + '.data'), each at an aligned offset; true for the defaults. A
   * model past protobuf's 2 GB can only be saved so.
   */
  externalData?: boolean | { location?: string; threshold?: number };
}

const OLDEST = 13;
const NEWEST = 21;

/** The sizes a symbolic size is traced at: a batch axis (the first) small, the others large enough for windows and pools. */
const TRACED = [[2, 3], [32, 48]] as const;

const EXPORTS = new Map<abstract new (...args: never[]) => Module, LayerExport<never>>([...ACTIVATION_EXPORTS, ...LAYER_EXPORTS, ...NORM_EXPORTS, ...SHAPE_EXPORTS, ...ATTENTION_EXPORTS, ...RECURRENT_EXPORTS]);

function exporterOf(layer: Module): LayerExport | undefined {
  // The class's own exporter, not a base class's: a subclass may compute something else.
  return EXPORTS.get(layer.constructor as abstract new (...args: never[]) => Module) as LayerExport | undefined;
}

function checkOptions(options: ToOnnxOptions): Required<ToOnnxOptions> {
  if (typeof options !== 'object' || options === null) throw new ValueError(`toOnnx: expects options { inputShape, opset?, inputName?, outputName? }, got ${formatValue(options)}`);
  const { inputShape, opset = 17, inputName = 'x', outputName = 'y' } = checkNames('toOnnx', options, { inputShape: true, opset: true, inputName: true, outputName: true });
  if (!Array.isArray(inputShape) || inputShape.some((d) => !(typeof d === 'string' ? d.length > 0 : Number.isSafeInteger(d) && d > 0))) {
    throw new ValueError(`toOnnx: inputShape must list positive sizes or symbolic names (strings), got ${formatValue(inputShape)}`);
  }
  if (!Number.isSafeInteger(opset) || opset < OLDEST || opset > NEWEST) throw new ValueError(`toOnnx: opset must be an integer from ${OLDEST} to ${NEWEST}, got ${formatValue(opset)}`);
  for (const [what, name] of [['inputName', inputName], ['outputName', outputName]] as const) {
    if (typeof name !== 'string' || !name) throw new ValueError(`toOnnx: ${what} must be a non-empty string, got ${formatValue(name)}`);
  }
  if (inputName === outputName) throw new ValueError(`toOnnx: inputName and outputName must differ, both are ${JSON.stringify(inputName)}`);
  return { inputShape, opset, inputName, outputName };
}

/** The first layer the input reaches, through nested Sequentials. */
function firstLayer(model: Module): Module | undefined {
  let layer: Module | undefined = model;
  while (layer?.constructor === Sequential) layer = (layer as Sequential).layers[0];
  return layer;
}

/** Sizes the traced samples agree on, null where they differ. */
function merged(shapes: readonly (readonly number[])[]): (number | null)[] {
  return shapes[0].map((d, i) => (shapes.every((s) => s.length === shapes[0].length && s[i] === d) ? d : null));
}

/**
 * Walks the model, running each layer on the samples (one, or two where a
 * size is symbolic) and writing its nodes; the samples' outputs and the
 * value holding them.
 */
function trace(b: Builder, layer: Module, path: string, xs: Tensor[], x: Value, input: Module | undefined): [Tensor[], Value] {
  // A Sequential's own class only: a subclass may compute something else in its forward.
  if (layer.constructor === Sequential) {
    let state: [Tensor[], Value] = [xs, x];
    (layer as Sequential).layers.forEach((child, i) => {
      const next = trace(b, child, path === '' ? `${i}` : `${path}.${i}`, state[0], state[1], input);
      // Each layer's samples go once the next has run (a large model's activations need not all be held).
      for (const t of state[0]) if (!xs.includes(t) && !next[0].includes(t)) t.dispose();
      state = next;
    });
    return state;
  }
  const call = { layer, path };
  const exporter = exporterOf(layer);
  if (!exporter) throw new ValueError(`toOnnx: ${describe(call)} has no ONNX export in tmnn yet`);
  if (layer instanceof Embedding && layer !== input) throw new ValueError(`toOnnx: ${describe(call)} must be the model's first layer, which takes the int64 indices of the graph's input`);
  let ys: Tensor[];
  try {
    ys = xs.map((s) => layer.forward(s));
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new ValueError(`toOnnx: tracing ${describe(call)} on x of shape [${x.shape.map((d) => d ?? '?').join(', ')}] failed: ${why}`);
  }
  const outShape = merged(ys.map((y) => y.shape));
  const name = exporter({ layer, path, x, outShape, b });
  return [ys, { name, shape: outShape }];
}

/**
 * The bytes of an ONNX file computing `model` in eval mode for inputs of
 * `inputShape` (its strings symbolic sizes, free in the graph). Parameters
 * and buffers are initializers named by their paths ('0.weight',
 * '2.runningMean'), but for the recurrent layers' weights, which ONNX lays
 * out otherwise: each layer's W, R and B, all directions in one ('0.W_L1');
 * the model is not changed. A layer with no ONNX form in
 * tmnn is refused, named by its path and type, as is a subclass of a layer
 * (its forward may compute something else). Forward hooks are JavaScript,
 * not part of the model, and are left out.
 */
export async function toOnnx(model: Module, options: ToOnnxOptions): Promise<Uint8Array> {
  return encodeModel(await modelSpec(model, options));
}

/** What toOnnx encodes: the model's graph and initializers. */
async function modelSpec(model: Module, options: ToOnnxOptions): Promise<GraphSpec> {
  if (!(model instanceof Module)) throw new ValueError(`toOnnx: expects a tm.nn.Module, got ${formatValue(model)}`);
  // Tracing would build a lazy layer from the sample, changing the model (and it has no exporter before).
  refuseUnbuilt('toOnnx', model);
  const { inputShape, opset, inputName, outputName } = checkOptions(options);
  const input = firstLayer(model);
  const indices = input instanceof Embedding;
  const paths = new Map(Object.entries(model.namedState()).map(([name, t]) => [t, name] as const));
  const b = new Builder(opset, paths, [inputName, outputName]);
  const symbolic = inputShape.some((d) => typeof d === 'string');
  const samples = (symbolic ? [0, 1] : [0]).map((k) => inputShape.map((d, i) => (typeof d === 'number' ? d : TRACED[i === 0 ? 0 : 1][k])));
  const x: Value = { name: inputName, shape: merged(samples) };
  let out: Value = x;
  // Whether the output's first size is the input's in every sample traced (the batch, passed through).
  let batchKept = false;
  inEvalMode(model, () => noGrad(() => tidy(() => {
    const xs = samples.map((shape) => zeros(shape, { dtype: indices ? 'i32' : 'f32' }));
    const [ys, value] = trace(b, model, '', xs, x, input);
    out = value;
    batchKept = ys.every((y, k) => y.rank > 0 && y.shape[0] === samples[k][0]);
  })));
  let result = out.name;
  // A graph output must be a node's: a model that only drops out (or nothing) passes x through an Identity.
  if (result === inputName) result = b.node('Identity', [inputName], {}, outputName);
  // The last node's output is renamed to the graph's output name.
  const last = b.nodes.findIndex((n) => n.outputs.includes(result));
  b.nodes[last] = { ...b.nodes[last], outputs: b.nodes[last].outputs.map((o) => (o === result ? outputName : o)) };
  await b.readParameters();
  const inputSpec: ValueSpec = { name: inputName, type: indices ? 'int64' : 'float', shape: inputShape };
  // The output's first size named as the input's symbolic one where it is that (the batch); other symbolic sizes left free.
  const batchName = typeof inputShape[0] === 'string' && batchKept ? inputShape[0] : null;
  const outputSpec: ValueSpec = { name: outputName, type: 'float', shape: out.shape.map((d, i) => d ?? (i === 0 ? batchName : null)) };
  // The IR version each operator set came with: 19 and 20 with IR 9, 21 with IR 10.
  const irVersion = opset >= 21 ? 10 : opset >= 19 ? 9 : 8;
  return { opset, irVersion, producer: 'tmnn', name: 'tmnn', inputs: [inputSpec], outputs: [outputSpec], nodes: b.nodes, initializers: b.initializers };
}

/** saveOnnx's externalData option, checked: where the side file goes and which initializers it takes; null for none. */
async function sideFile(path: string | URL, externalData: SaveOnnxOptions['externalData']): Promise<{ location: string; threshold: number } | null> {
  if (externalData === undefined || externalData === false) return null;
  if (externalData !== true && (typeof externalData !== 'object' || externalData === null)) {
    throw new ValueError(`saveOnnx: externalData must be true, false or { location?, threshold? }, got ${formatValue(externalData)}`);
  }
  const { location, threshold = 1024 } = externalData === true ? {} : checkNames('saveOnnx externalData', externalData, { location: true, threshold: true });
  if (!(Number.isSafeInteger(threshold) && threshold >= 0)) throw new ValueError(`saveOnnx: externalData.threshold must be a byte count (an integer ≥ 0), got ${formatValue(threshold)}`);
  if (location === undefined) {
    const name = path instanceof URL ? decodeURIComponent(path.pathname) : path;
    return { location: `${name.split(/[\\/]/).pop()}.data`, threshold };
  }
  if (typeof location !== 'string' || !location) throw new ValueError(`saveOnnx: externalData.location must be a non-empty file name, got ${formatValue(location)}`);
  const unsafe = unsafeLocation(location);
  if (unsafe) throw new ValueError(`saveOnnx: externalData.location ${JSON.stringify(location)} ${unsafe}; readers (tmnn, onnxruntime) refuse such a file`);
  return { location, threshold };
}

/**
 * Writes toOnnx's bytes to `path` (atomically: a reader never sees half a
 * file); with externalData, the large initializers to a file beside it
 * first (atomically too), which the model file names.
 */
export async function saveOnnx(model: Module, path: string | URL, options: SaveOnnxOptions): Promise<void> {
  if (typeof options !== 'object' || options === null) throw new ValueError(`saveOnnx: expects options { inputShape, opset?, inputName?, outputName?, externalData? }, got ${formatValue(options)}`);
  const { externalData, ...rest } = checkNames('saveOnnx', options, { inputShape: true, opset: true, inputName: true, outputName: true, externalData: true });
  const side = await sideFile(path, externalData);
  const spec = await modelSpec(model, rest);
  if (side) {
    const { initializers, parts } = externalize(spec.initializers ?? {}, side.location, side.threshold);
    if (parts.length) await writePartsBeside(path, side.location, parts);
    spec.initializers = initializers;
  }
  await writeFileAtomic(path, encodeModel(spec));
}
