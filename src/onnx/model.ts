// An ONNX model as a tmnn Module: its float initializers are parameters (so
// an optimizer fine-tunes them and saveWeights writes them) — those of its
// subgraphs too, and not those only ever read on the host (host_only.ts) —
// and forward runs the graph with tmnn's ops on the active backend, recorded
// for autograd.
import { ShapeError, ValueError, formatValue } from '../errors.js';
import { CorruptFileError } from '../io/errors.js';
import { writeFileAtomic } from '../io/file.js';
import { tidy } from '../engine.js';
import { encodeF16 } from '../f16.js';
import { clone } from '../ops/movement.js';
import { Module, type LayerConfig } from '../nn/module.js';
import { checkOptions } from '../options.js';
import { Tensor } from '../tensor.js';
import { eachGraph, opName } from './check.js';
import { externalTensors, fillExternal, givenFiles, givenSource, locationsOf, patched, type ExternalData, type ExternalFiles } from './external.js';
import { isLowBitFloatType } from './float4.js';
import { inlineFunctions } from './functions.js';
import { prepareGradients } from './ops/gradient.js';
import { GraphRunner, OLDEST_OPSET } from './graph.js';
import { hostOnlyValues } from './host_only.js';
import { decodeModel, type OnnxGraphProto, type OnnxModelProto, type OnnxValueInfo } from './proto.js';
import { StringTensor } from './string_tensor.js';
import { RUN_VALUES, feedValue, isTensorType, outputValue, ownTensor, refuseUnsupportedTypes, tensorOutput, typeName, type OnnxInput, type OnnxInputs, type OnnxOutput } from './edges.js';
import { bfloat16Bits, Constant, denseOf, hostValueOf, isIntegerType, rawByteLength, tensorOf, tensorsIn, type ElementType, type Value } from './value.js';

/**
 * A graph input or output: its name, type and shape (a dimension's size, its
 * symbolic name, or null when free; a sequence's or optional's tensors').
 * The type is a tensor's ONNX element type ('float', 'int64'), or ONNX's
 * name for a sequence or optional of such tensors: 'seq(float)',
 * 'optional(float)', 'optional(seq(float))'.
 */
export interface OnnxValueDescription {
  name: string;
  type: string;
  shape?: readonly (number | string | null)[];
}

export interface RunOptions {
  /**
   * The graph outputs to compute, by name (default: every one). Only the
   * nodes they need run, as onnxruntime's fetches: run can then give the
   * tensors of a model whose other outputs it cannot (a classifier's labels
   * beside a ZipMap's maps), and skips the work of the rest.
   */
  outputs?: readonly string[];
}

export interface RunAsyncOptions extends RunOptions {
  /** Record the run for autograd (default true); false for inference, as noGrad around run. */
  grad?: boolean;
}

export interface FromBytesOptions {
  /** The bytes of the files the model keeps its data in (TensorProto external data), by location or as a function of it. */
  externalData?: ExternalData;
}

/** An ONNX model's files: the model's, and each external data file's by its location (toFiles). */
export interface OnnxFiles {
  model: Uint8Array;
  externalData: Record<string, Uint8Array>;
}

/**
 * Float parameters up to this many elements keep a host copy too, for ops
 * that need them on the host (Resize's scales) where the same initializer is
 * also read as data; one read only on the host is a Constant outright.
 */
const HOST_COPY_LIMIT = 64;

export class OnnxModel extends Module {
  readonly inputs: readonly OnnxValueDescription[];
  readonly outputs: readonly OnnxValueDescription[];
  /** The default (ai.onnx) operator set the model was exported for. */
  readonly opset: number;
  /** The exporting tool and its version, as the file says ('pytorch 1.13.0'). */
  readonly producer: string;
  /** How many nodes of each op type the model has, those in subgraphs (If branches, Loop and Scan bodies) included. */
  readonly opCounts: ReadonlyMap<string, number>;
  // Private fields: Module's field scan must not list these; ownParameters does.
  #parameters: Map<string, Tensor>;
  #runner: GraphRunner;
  /** The graph's inputs (less the initializers old files list among them) and outputs, as declared. */
  #inputInfos: readonly OnnxValueInfo[] = [];
  #outputInfos: readonly OnnxValueInfo[] = [];
  /** The file as read, and where each parameter's elements sit in it: what toBytes() writes the trained values over. */
  #file: Uint8Array;
  #places = new Map<string, { type: ElementType; shape: readonly number[]; offset?: number; location?: string }>();
  /** The external files the model keeps data in, and where to read them again for toFiles. */
  #external?: ExternalFiles;

  /** `proto`'s external data must be read in already (fromBytes, load); `external` says where to read those files again. */
  constructor(proto: OnnxModelProto, file: Uint8Array, external?: ExternalFiles) {
    super();
    this.#file = file;
    this.#external = external?.locations.length ? external : undefined;
    const opset = proto.opsets.get('');
    if (opset === undefined) throw new CorruptFileError(`onnx: the model imports no version of the default (ai.onnx) operator set`);
    if (opset < OLDEST_OPSET) throw new ValueError(`onnx: the model uses operator set ${opset}; tmnn runs ${OLDEST_OPSET} and later (re-export it with a newer opset_version)`);
    const graph = inlineFunctions(proto.graph, proto.functions, proto.opsets);
    prepareGradients(graph);
    this.opset = opset;
    this.producer = [proto.producerName, proto.producerVersion].filter(Boolean).join(' ');

    const initializers = new Map<OnnxGraphProto, Map<string, Value>>();
    const hostCopies = new Map<Tensor, Constant>();
    const parameterTypes = new Map<Tensor, ElementType>();
    this.#parameters = new Map();
    try {
      // A subgraph's float initializers are parameters too (a loop body's
      // weights fine-tune like the main graph's); ONNX forbids a subgraph to
      // reuse an enclosing graph's names, so one namespace holds them all.
      for (const g of eachGraph(graph)) {
        const known = new Map<string, Value>();
        initializers.set(g, known);
        // Sparse initializers are read as dense constants, not parameters: training would fill in their zeros, which the file has no room for.
        for (const sparse of g.sparseInitializers) known.set(sparse.values.name, denseOf(sparse, `sparse initializer ${sparse.values.name}`));
        const hostOnly = hostOnlyValues(g);
        for (const init of g.initializers) {
          const c = hostValueOf(init, `initializer ${init.name}`);
          if (c instanceof StringTensor) {
            known.set(init.name, c);
            continue;
          }
          // Floats too when every use is on the host (a scale in shape arithmetic): no gradient reaches them.
          // 8-bit and 4-bit floats are quantized values, constants as quantized integers are (and toBytes could not write an f32 back as one).
          // And a function body's, copied into each call: the file has one place to save them to.
          if (isIntegerType(c.type) || c.type === 'bool' || isLowBitFloatType(c.type) || hostOnly.has(init.name) || init.inlined) {
            known.set(init.name, c);
            continue;
          }
          if (this.#parameters.has(init.name)) throw new CorruptFileError(`onnx: two initializers are named ${init.name} (one in a subgraph); ONNX requires a subgraph's names to differ from its enclosing graphs'`);
          const p = tensorOf(c, `initializer ${init.name}`);
          p.requiresGrad = true;
          this.#places.set(init.name, { type: c.type, shape: c.shape, offset: init.dataOffset, location: init.external?.location });
          this.#parameters.set(init.name, p);
          known.set(init.name, p);
          if (c.size <= HOST_COPY_LIMIT) hostCopies.set(p, c);
          if (c.type === 'double' || c.type === 'bfloat16') parameterTypes.set(p, c.type);
        }
      }
      const own = initializers.get(graph)!;
      // Before IR version 4 initializers were listed among the inputs too, as their defaults.
      this.#inputInfos = graph.inputs.filter((i) => !own.has(i.name));
      this.#outputInfos = graph.outputs;
      this.inputs = this.#inputInfos.map(describeGraphValue);
      this.outputs = this.#outputInfos.map(describeGraphValue);
      if (!this.outputs.length) throw new CorruptFileError('onnx: the graph has no outputs');
      this.#runner = new GraphRunner(graph, proto.opsets, initializers, hostCopies, parameterTypes);
      // After the runner's checks: a model of another domain's ops (ai.onnx.ml's ZipMap making a seq(map)) is named for its ops.
      refuseUnsupportedTypes(this.#inputInfos, this.#outputInfos);
    } catch (err) {
      for (const p of this.#parameters.values()) p.dispose();
      throw err;
    }
    // Every node in the file, a loop body's counted once (not once per iteration): what the model is made of.
    const counts = new Map<string, number>();
    for (const g of eachGraph(graph)) for (const node of g.nodes) counts.set(opName(node), (counts.get(opName(node)) ?? 0) + 1);
    this.opCounts = counts;
  }

  /** The graph's first output for inputs given in the graph's input order, computed alone (only the nodes it needs run); run() gives every output. */
  forward(...inputs: Tensor[]): Tensor {
    const first = this.outputs[0].name;
    return this.run(inputs, { outputs: [first] })[first];
  }

  /**
   * Every graph output, by name, for inputs given by name or in the graph's
   * input order. Each input is checked against the model's declared element
   * type and shape (symbolic dimensions such as a batch size are free); a
   * sequence input takes an array of tensors, an optional one null (or
   * nothing) for an empty optional. Every output is a tensor of its own, the
   * caller's to dispose: one the graph passes straight through from an input
   * or a parameter (an Identity) is a copy, as is a value two outputs share.
   * A model with sequence or optional outputs runs with runValues, or with
   * `outputs` naming only its tensor outputs (RunOptions).
   */
  run(inputs: OnnxInputs, options: RunOptions = {}): Record<string, Tensor> {
    return this.#run('OnnxModel.run', inputs, options, true, (v, name, held) => ownTensor(tensorOutput(v, name), name, held, clone));
  }

  /**
   * run for a model of any outputs: a sequence (seq(tensor)) as an array of
   * tensors, an optional as its value or null when empty. The tensors are the
   * caller's own, as run's.
   */
  runValues(inputs: OnnxInputs, options: RunOptions = {}): Record<string, OnnxOutput> {
    return this.#run('OnnxModel.runValues', inputs, options, false, (v, name, held) => outputValue(v, name, held, clone));
  }

  /** A run whose outputs `give` makes the caller's own (copying those `held`: feeds, parameters, ones given already). */
  #run<T>(op: string, inputs: OnnxInputs, options: RunOptions, tensorsOnly: boolean, give: (v: Value, name: string, held: Set<Tensor>) => T): Record<string, T> {
    const { outputs } = checkOptions(op, options, { outputs: true });
    const names = this.#outputNames(op, tensorsOnly, outputs);
    const feeds = this.feeds(inputs);
    const held = new Set<Tensor>([...[...feeds.values()].flatMap(tensorsIn), ...this.#parameters.values()]);
    const values = tidy(() => this.#runner.run(feeds, names, outputs !== undefined).map((v, i) => give(v, names[i], held)));
    return Object.fromEntries(names.map((name, i) => [name, values[i]]));
  }

  /**
   * The output names, every one or those `requested` (each an output, named
   * once), checking that run (tensorsOnly) can give each: none declared a
   * sequence or an optional.
   */
  #outputNames(op: string, tensorsOnly: boolean, requested: readonly string[] | undefined): string[] {
    const all = this.#outputInfos.map((o) => o.name);
    if (requested !== undefined) {
      if (!Array.isArray(requested) || requested.length === 0) throw new ValueError(`${op}: outputs must be a non-empty list of output names (${all.join(', ')}), got ${formatValue(requested)}`);
      requested.forEach((name, i) => {
        if (!all.includes(name)) throw new ValueError(`${op}: outputs names ${formatValue(name)}, which is not an output of the model; its outputs are ${all.join(', ')}`);
        if (requested.indexOf(name) !== i) throw new ValueError(`${op}: outputs names ${name} twice`);
      });
    }
    const names = requested ?? all;
    for (const o of this.#outputInfos) {
      if (tensorsOnly && names.includes(o.name) && !isTensorType(o)) {
        throw new ValueError(`onnx: the graph output ${o.name} is ${typeName(o)}; model.run and runAsync give tensors only: ${RUN_VALUES}; or leave it out of options.outputs`);
      }
    }
    return [...names];
  }

  /** forward through runAsync: for models that must read device values back (NonZero, a Loop whose length depends on the data). */
  async forwardAsync(...inputs: Tensor[]): Promise<Tensor> {
    const first = this.outputs[0].name;
    return (await this.runAsync(inputs, { outputs: [first] }))[first];
  }

  /**
   * run for models whose shapes or control flow depend on tensor data: where
   * an op needs a value on the host (NonZero's input, a Loop's condition, a
   * Reshape's shape) that was computed on the device, it is read back, as
   * ONNX runtimes do, and the run waits for it. Gradients flow through the
   * tensor ops as in run; a value read back is a constant to them. Outputs
   * as run's: each the caller's own, every intermediate freed. `grad: false`
   * records no autograd graph, as noGrad around run does (noGrad cannot
   * wrap an await): for inference, whose graph's saved tensors would
   * otherwise live until it is garbage.
   */
  async runAsync(inputs: OnnxInputs, options: RunAsyncOptions = {}): Promise<Record<string, Tensor>> {
    return this.#runAsync(inputs, options, true, (v, name, held) => ownTensor(tensorOutput(v, name), name, held, clone));
  }

  /** runAsync for a model of any outputs, as runValues gives them. */
  async runValuesAsync(inputs: OnnxInputs, options: RunAsyncOptions = {}): Promise<Record<string, OnnxOutput>> {
    return this.#runAsync(inputs, options, false, (v, name, held) => outputValue(v, name, held, clone));
  }

  async #runAsync<T>(inputs: OnnxInputs, options: RunAsyncOptions, tensorsOnly: boolean, give: (v: Value, name: string, held: Set<Tensor>) => T): Promise<Record<string, T>> {
    const op = tensorsOnly ? 'OnnxModel.runAsync' : 'OnnxModel.runValuesAsync';
    const { grad = true, outputs } = checkOptions(op, options, { grad: 'boolean', outputs: true });
    const names = this.#outputNames(op, tensorsOnly, outputs);
    const feeds = this.feeds(inputs);
    const parameters = new Set(this.#parameters.values());
    const values = await this.#runner.runAsync(feeds, names, parameters, grad, outputs !== undefined);
    const held = new Set<Tensor>([...[...feeds.values()].flatMap(tensorsIn), ...parameters]);
    if (tensorsOnly) {
      const bad = values.findIndex((v) => !(v instanceof Tensor || v instanceof Constant));
      if (bad >= 0) {
        // The runner handed these over: free them before refusing.
        for (const t of new Set(values.flatMap(tensorsIn))) if (!held.has(t) && !t.isDisposed) t.dispose();
        tensorOutput(values[bad], names[bad]);
      }
    }
    // The runner frees all it made but these; a feed, a parameter or a value two outputs share is copied.
    const given = values.map((v, i) => give(v, names[i], held));
    return Object.fromEntries(names.map((name, i) => [name, given[i]]));
  }

  private feeds(inputs: OnnxInputs): Map<string, Value> {
    const expected = this.inputs.map((i) => i.name).join(', ');
    const infos = this.#inputInfos;
    let pairs: [OnnxValueInfo, unknown][];
    if (Array.isArray(inputs)) {
      // Trailing inputs of optional type may be left out of the list.
      const least = infos.reduce((n, info, i) => (info.optional ? n : i + 1), 0);
      if (inputs.length < least || inputs.length > infos.length) {
        const range = least === infos.length ? `${infos.length}` : `${least} to ${infos.length}`;
        throw new ValueError(`onnx: the model takes ${range} inputs (${expected}), got ${inputs.length}`);
      }
      pairs = infos.map((info, i) => [info, inputs[i]]);
    } else {
      const given = inputs as Readonly<Record<string, OnnxInput | undefined>>;
      const extra = Object.keys(given).filter((name) => !infos.some((i) => i.name === name));
      if (extra.length) throw new ValueError(`onnx: the model has no input named ${extra.join(', ')}; its inputs are ${expected}`);
      pairs = infos.map((info) => {
        if (!Object.hasOwn(given, info.name) && !info.optional) throw new ValueError(`onnx: input ${info.name} is missing; the model takes ${expected}`);
        return [info, given[info.name]];
      });
    }
    return new Map(pairs.map(([info, v]) => [info.name, feedValue(info, v)]));
  }

  /**
   * The ONNX file this model was read from, with each parameter's current
   * values (after training) written over its initializer's: everything else —
   * the graph, the other initializers, metadata — byte for byte as it was, so
   * any ONNX runtime loads the result. A parameter must keep its shape and
   * dtype; its values are stored in the initializer's own element type. A
   * model that keeps data in external files is refused here: toFiles gives
   * those files too, and save writes them.
   */
  async toBytes(): Promise<Uint8Array> {
    if (this.#external) {
      throw new ValueError(`onnx.toBytes: the model keeps its data in external files (${this.#external.locations.join(', ')}), which one file's bytes leave out; toFiles() gives every file, save(path) writes them beside the model`);
    }
    return (await this.toFiles()).model;
  }

  /**
   * toBytes for a model that keeps data in external files: the model file,
   * and each external file (read again from where the model was loaded from,
   * or from the externalData given) with the trained values written over
   * their ranges — the files' layout as it was.
   */
  async toFiles(): Promise<OnnxFiles> {
    const patches = await this.#patches();
    const externalData: Record<string, Uint8Array> = {};
    for (const location of this.#external?.locations ?? []) {
      externalData[location] = patched((await this.#external!.source.read(location)).slice(), patches.get(location) ?? [], location);
    }
    return { model: patched(this.#file.slice(), patches.get('') ?? [], 'the model file'), externalData };
  }

  /**
   * Writes toBytes() to `path` atomically (Node): a failure leaves any file
   * already there as it was. A model with external data writes each of its
   * files first, at its location beside `path`, each atomically (a file read
   * from disk copied a chunk at a time, so one of any size is written).
   */
  async save(path: string | URL): Promise<void> {
    const patches = await this.#patches();
    for (const location of this.#external?.locations ?? []) await this.#external!.source.copy(location, path, patches.get(location) ?? []);
    await writeFileAtomic(path, patched(this.#file.slice(), patches.get('') ?? [], 'the model file'));
  }

  /** Each parameter's current values in its initializer's element type, and where they go: by file ('' the model's own), at byte offsets. */
  async #patches(): Promise<Map<string, [number, Uint8Array][]>> {
    const patches = new Map<string, [number, Uint8Array][]>();
    for (const [name, p] of this.#parameters) {
      const place = this.#places.get(name)!;
      if (p.isDisposed) throw new ValueError(`onnx.toBytes: parameter ${name} has been disposed`);
      if (p.shape.length !== place.shape.length || p.shape.some((d, i) => d !== place.shape[i])) {
        throw new ShapeError(`onnx.toBytes: parameter ${name} is [${p.shape.join(', ')}], its initializer [${place.shape.join(', ')}]; the file keeps the initializer's shape`);
      }
      if (place.offset === undefined) {
        throw new ValueError(`onnx.toBytes: initializer ${name} keeps its values as a list of separate fields, which tmnn cannot overwrite in place; re-save the model with raw data (onnx's default) to write it back`);
      }
      const values = await p.data();
      const bytes = new Uint8Array(rawByteLength(place.type, values.length));
      writeValues(new DataView(bytes.buffer), place.type, values);
      const file = place.location ?? '';
      if (!patches.has(file)) patches.set(file, []);
      patches.get(file)!.push([place.offset, bytes]);
    }
    return patches;
  }

  /** Frees the parameters, and what the model derived from its constants (int8 weights laid out for the int8 product). */
  override dispose(): void {
    super.dispose();
    this.#runner.dispose();
  }

  override ownParameters(): Record<string, Tensor> {
    return Object.fromEntries([...this.#parameters].filter(([, p]) => !p.isDisposed));
  }

  override config(): LayerConfig {
    return { type: 'OnnxModel', opset: this.opset, producer: this.producer };
  }
}

function describeGraphValue(info: OnnxValueInfo): OnnxValueDescription {
  return { name: info.name, type: typeName(info), ...(info.shape ? { shape: info.shape } : {}) };
}

/** A model from an ONNX file's bytes; one that keeps data in external files takes their bytes as { externalData }. */
export function fromBytes(bytes: Uint8Array | ArrayBuffer, options?: FromBytesOptions): OnnxModel {
  const { externalData } = checkOptions('onnx.fromBytes', options, { externalData: true });
  const view = bytes instanceof Uint8Array ? bytes : bytes instanceof ArrayBuffer ? new Uint8Array(bytes) : null;
  if (!view) throw new ValueError(`onnx.fromBytes: expects a Uint8Array or ArrayBuffer of an ONNX file`);
  // A copy: toBytes() writes over it, and the caller may reuse their buffer.
  const file = view.slice();
  const proto = decodeModel(file);
  const tensors = externalTensors(proto);
  const locations = locationsOf(tensors);
  if (!externalData || !locations.length) return new OnnxModel(proto, file);
  fillExternal(tensors, givenFiles(externalData, locations));
  return new OnnxModel(proto, file, { locations, source: givenSource(externalData) });
}

/** Writes `values` from `view`'s start as elements of `type`, little-endian. */
function writeValues(view: DataView, type: ElementType, values: ArrayLike<number>): void {
  const n = values.length;
  if (type === 'float') for (let i = 0; i < n; i++) view.setFloat32(i * 4, values[i], true);
  else if (type === 'double') for (let i = 0; i < n; i++) view.setFloat64(i * 8, values[i], true);
  else if (type === 'float16') encodeF16(values).forEach((bits, i) => view.setUint16(i * 2, bits, true));
  else if (type === 'bfloat16') for (let i = 0; i < n; i++) view.setUint16(i * 2, bfloat16Bits(values[i]), true);
}

