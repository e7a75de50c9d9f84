// One node of an ONNX graph being run: its inputs (already computed) and its
// attributes, with the reads every op needs — a tensor, a value the op must
// know on the host (a shape, axes), an attribute with ONNX's default — each
// failing with an error that names the node.
import { ValueError } from '../errors.js';
import { Tensor } from '../tensor.js';
import type { KeptOwner, KeptTensors } from './kept.js';
import type { OnnxAttribute, OnnxGraphProto, OnnxNodeProto, OnnxSparseTensorProto, OnnxTensorProto, OnnxType } from './proto.js';
import { Sequence, type SequenceItem } from './sequence.js';
import { Optional } from './optional.js';
import { StringTensor } from './string_tensor.js';
import { Constant, constantOf, describeValue, hostValueOf, isStructured, tensorOf, type ElementType, type Value } from './value.js';

/** How a node runs its subgraphs: synchronously, and in an asynchronous run (runAsync) through the asynchronous runner too. */
export interface Subgraphs {
  run(graph: OnnxGraphProto, inputs: readonly Value[]): Value[];
  runAsync?(graph: OnnxGraphProto, inputs: readonly Value[]): Promise<Value[]>;
  /** In an asynchronous run: runs fn in a tidy, recorded for autograd only if the run is. */
  step?<T>(fn: () => T): T;
}

/** What the synchronous run says of a value it would have to read from the device. */
export const USE_RUN_ASYNC = `tmnn's synchronous run (run, forward) never reads the device back; model.runAsync (or forwardAsync) does, where an op needs a value on the host`;

/** What nodes' attributes made (NodeCall.fromAttributes), by node: a node's attributes do not change between runs. */
const FROM_ATTRIBUTES = new WeakMap<OnnxNodeProto, unknown>();

export class NodeCall {
  constructor(
    readonly node: OnnxNodeProto,
    /** The model's version of the default (ai.onnx) operator set: attributes moved to inputs across versions. */
    readonly opset: number,
    /** The model's version of the node's own domain's operator set (ai.onnx.ml's, com.microsoft's; the default's for a default-domain node). */
    readonly domainOpset: number,
    private readonly inputs: readonly (Value | undefined)[],
    /**
     * Host copies of small float parameters, for inputs an op must know on
     * the host (Resize's scales). Keyed by the parameter itself, not its
     * name, so a subgraph's value of the same name is never mistaken for it.
     */
    private readonly hostCopies: ReadonlyMap<Tensor, Constant>,
    /** Constants already made tensors in this run. */
    private readonly tensors: Map<Constant, Tensor>,
    /** Runs one of the node's subgraphs on the given inputs, in a scope that reads the enclosing graphs' values. */
    private readonly subgraph: Subgraphs,
    /**
     * The ONNX element type of tensors whose dtype does not say it, in this
     * run: tmnn holds every integer type as i32, so a uint8 and an int8 tensor
     * look alike. Graph inputs enter with their declared type; ops that make
     * quantized tensors record theirs (typed()).
     */
    private readonly types: Map<Tensor, ElementType>,
    /** Tensors derived from constants, kept across runs until the model is disposed. */
    private readonly keptTensors: KeptTensors,
  ) {}

  /** "node 'Conv_3' (Conv)", for messages. */
  get where(): string {
    return `node ${this.node.name ? `'${this.node.name}' ` : ''}(${this.node.opType})`;
  }

  error(message: string): ValueError {
    return new ValueError(`onnx: ${this.where}: ${message}`);
  }

  get inputCount(): number {
    return this.inputs.length;
  }

  /** Whether input i is given (optional inputs are left out, or named ''). */
  has(i: number): boolean {
    return this.inputs[i] !== undefined;
  }

  /** Input i, a tensor or a host array: a sequence or an optional there is an error (an op that takes one reads it with sequence() or anyValue()). */
  value(i: number): SequenceItem {
    const v = this.anyValue(i);
    if (isStructured(v)) throw this.error(`input ${i} (${this.node.inputs[i]}) is ${describeValue(v)}; ${this.node.opType} takes a tensor there${v instanceof Optional ? ' (OptionalGetElement takes the tensor out of an optional)' : ''}`);
    return v;
  }

  /** Input i, which must be a sequence (ONNX's seq(tensor)). */
  sequence(i: number): Sequence {
    const v = this.anyValue(i);
    if (!(v instanceof Sequence)) throw this.error(`input ${i} (${this.node.inputs[i]}) is ${describeValue(v)}; ${this.node.opType} takes a sequence there${v instanceof Optional ? ' (OptionalGetElement takes the sequence out of an optional)' : ''}`);
    return v;
  }

  /** Input i as it is, tensor or sequence: for ops that pass values through (Identity, a Loop's carried values). */
  anyValue(i: number): Value {
    const v = this.inputs[i];
    if (v === undefined) throw this.error(`input ${i} is required`);
    return v;
  }

  /**
   * Input i, which must be a tensor of strings: refused otherwise, saying
   * `why` the op takes strings there where it takes numbers too.
   */
  stringTensor(i: number, why?: string): StringTensor {
    const v = this.anyValue(i);
    if (v instanceof StringTensor) return v;
    const at = `input ${i} (${this.node.inputs[i]}) is ${isStructured(v) ? describeValue(v) : 'numeric'}`;
    throw this.error(why ? `${at}, but ${why}; it takes a string tensor there` : `${at}; ${this.node.opType} takes strings there`);
  }

  /** Input i as a tensor on the active backend (a host Constant is uploaded once per run). */
  tensor(i: number): Tensor {
    return this.asTensor(this.value(i), `input ${i} (${this.node.inputs[i]})`);
  }

  /** Every input as tensors (variadic ops: Concat, Sum, Max…). */
  allTensors(): Tensor[] {
    return this.inputs.map((_, i) => this.tensor(i));
  }

  asTensor(v: Value, what: string): Tensor {
    if (v instanceof Tensor) return v;
    if (isStructured(v)) throw this.error(`${what} is ${describeValue(v)} where a tensor is needed`);
    let t = this.tensors.get(v);
    // A loop iteration's tidy frees what it uploaded: a later iteration uploads again.
    if (!t || t.isDisposed) {
      t = tensorOf(v, `${this.where} ${what}`);
      this.tensors.set(v, t);
    }
    return t;
  }

  /**
   * Input i's ONNX element type where it is known: a Constant's own, one
   * recorded for a tensor (a graph input's declared type, a quantizing op's
   * output), a float or i8 tensor's from its dtype. An i32 tensor of no
   * recorded type is an integer of unknown width: undefined.
   */
  elementType(i: number): ElementType | undefined {
    const v = this.value(i);
    if (v instanceof Constant) return v.type;
    const recorded = this.types.get(v);
    if (recorded) return recorded;
    return v.dtype === 'f32' ? 'float' : v.dtype === 'f16' ? 'float16' : v.dtype === 'i8' ? 'int8' : undefined;
  }

  /** Records that t, an output of this node, holds ONNX type `type` (tmnn's i32 holds uint8 and int8 alike). */
  typed(t: Tensor, type: ElementType): Tensor {
    this.types.set(t, type);
    return t;
  }

  /**
   * A tensor derived from constant `owner` (and `withValue`, by identity),
   * or from the attributes of node `owner`, made once and kept across runs:
   * work on a model's fixed weights done once, not every run.
   */
  kept(owner: KeptOwner, withValue: unknown, key: string, make: () => Tensor): Tensor {
    return this.keptTensors.get(owner, withValue, key, make);
  }

  /**
   * What `read` makes of the node's attributes (a forest's tables, an SVM's
   * support vectors), read once per node and shared by its runs. A read
   * that throws keeps nothing, so its error repeats at each run.
   */
  fromAttributes<T>(read: () => T): T {
    if (FROM_ATTRIBUTES.has(this.node)) return FROM_ATTRIBUTES.get(this.node) as T;
    const made = read();
    FROM_ATTRIBUTES.set(this.node, made);
    return made;
  }

  /** Whether input i is known on the host. */
  isConstant(i: number): boolean {
    const v = this.inputs[i];
    return v instanceof Constant || (v instanceof Tensor && this.hostCopies.has(v));
  }

  /**
   * Input i on the host: a value the op needs before it can run (Reshape's
   * shape, Slice's starts). One computed from a model input's data cannot
   * be known without reading the device back, which tmnn's synchronous run
   * does not do.
   */
  constant(i: number, what: string): Constant {
    const v = this.value(i);
    if (v instanceof Constant) return v;
    const copy = this.hostCopies.get(v);
    if (copy) return copy;
    throw this.error(`its ${what} (input ${i}, ${this.node.inputs[i]}) is computed on the device, from the model's inputs or its parameters (float initializers); ${USE_RUN_ASYNC}. Otherwise it must be known without the device: a constant, or computed from shapes and Constant nodes only`);
  }

  /** Input i on the host as one number: a scalar (or any one-element tensor), named `name` in the error when it holds more. */
  scalar(i: number, name: string): number {
    const c = this.constant(i, name);
    if (c.size !== 1) throw this.error(`${name} (input ${i}) should be a scalar, it is [${c.shape.join(', ')}]`);
    return c.data[0];
  }

  /** Input i on the host as a list of numbers, or undefined when the input is left out. */
  numbers(i: number, what: string): number[] | undefined {
    return this.has(i) ? this.constant(i, what).values() : undefined;
  }

  private attribute(name: string): OnnxAttribute | undefined {
    return this.node.attributes.get(name);
  }

  int(name: string, fallback: number): number;
  int(name: string): number | undefined;
  int(name: string, fallback?: number): number | undefined {
    const a = this.attribute(name);
    if (!a) return fallback;
    if (a.kind !== 'int') throw this.error(`attribute ${name} should be an int, it is ${a.kind}`);
    return a.value;
  }

  float(name: string, fallback: number): number;
  float(name: string): number | undefined;
  float(name: string, fallback?: number): number | undefined {
    const a = this.attribute(name);
    if (!a) return fallback;
    if (a.kind === 'int') return a.value;
    if (a.kind !== 'float') throw this.error(`attribute ${name} should be a float, it is ${a.kind}`);
    return a.value;
  }

  ints(name: string, fallback: number[]): number[];
  ints(name: string): number[] | undefined;
  ints(name: string, fallback?: number[]): number[] | undefined {
    const a = this.attribute(name);
    if (!a) return fallback;
    if (a.kind !== 'ints') throw this.error(`attribute ${name} should be a list of ints, it is ${a.kind}`);
    return a.value;
  }

  floats(name: string): number[] | undefined {
    const a = this.attribute(name);
    if (!a) return undefined;
    if (a.kind !== 'floats') throw this.error(`attribute ${name} should be a list of floats, it is ${a.kind}`);
    return a.value;
  }

  string(name: string, fallback: string): string;
  string(name: string): string | undefined;
  string(name: string, fallback?: string): string | undefined {
    const a = this.attribute(name);
    if (!a) return fallback;
    if (a.kind !== 'string') throw this.error(`attribute ${name} should be a string, it is ${a.kind}`);
    return a.value;
  }

  strings(name: string): string[] | undefined {
    const a = this.attribute(name);
    if (!a) return undefined;
    if (a.kind !== 'strings') throw this.error(`attribute ${name} should be a list of strings, it is ${a.kind}`);
    return a.value;
  }

  /** A tensor-valued attribute (Constant's value, ConstantOfShape's value) on the host. */
  tensorAttribute(name: string): Constant | undefined {
    const a = this.attribute(name);
    if (!a) return undefined;
    if (a.kind !== 'tensor') throw this.error(`attribute ${name} should be a tensor, it is ${a.kind}`);
    return constantOf(a.value as OnnxTensorProto, `${this.where} attribute ${name}`);
  }

  /** A tensor-valued attribute that may hold strings (Constant's value): a StringTensor for strings, else a Constant. */
  hostValueAttribute(name: string): Constant | StringTensor | undefined {
    const a = this.attribute(name);
    if (!a) return undefined;
    if (a.kind !== 'tensor') throw this.error(`attribute ${name} should be a tensor, it is ${a.kind}`);
    return hostValueOf(a.value as OnnxTensorProto, `${this.where} attribute ${name}`);
  }

  /** A sparse-tensor attribute (Constant's sparse_value): a SparseTensorProto. */
  sparseAttribute(name: string): OnnxSparseTensorProto | undefined {
    const a = this.attribute(name);
    if (!a) return undefined;
    if (a.kind !== 'sparse') throw this.error(`attribute ${name} should be a sparse tensor, it is ${a.kind}`);
    return a.value;
  }

  /** A type-valued attribute (Optional's type): a TypeProto. */
  typeAttribute(name: string): OnnxType | undefined {
    const a = this.attribute(name);
    if (!a) return undefined;
    if (a.kind !== 'type') throw this.error(`attribute ${name} should be a type, it is ${a.kind}`);
    return a.value;
  }

  /** A graph-valued attribute: an If's branch, a Loop's or Scan's body. */
  graph(name: string): OnnxGraphProto {
    const a = this.attribute(name);
    if (!a) throw this.error(`attribute ${name} (a graph) is required`);
    if (a.kind !== 'graph') throw this.error(`attribute ${name} should be a graph, it is ${a.kind}`);
    return a.value;
  }

  /** Runs subgraph `graph` (the node's attribute `name`) once on `inputs`, given in the order of its inputs; its outputs in order. */
  runGraph(name: string, graph: OnnxGraphProto, inputs: readonly Value[]): Value[] {
    this.checkGraphInputs(name, graph, inputs);
    return this.subgraph.run(graph, inputs);
  }

  /** Whether this node runs in an asynchronous run (runAsync), which may read device values back. */
  get isAsync(): boolean {
    return this.subgraph.runAsync !== undefined;
  }

  /** runGraph in an asynchronous run: the subgraph's nodes may read device values back. */
  runGraphAsync(name: string, graph: OnnxGraphProto, inputs: readonly Value[]): Promise<Value[]> {
    this.checkGraphInputs(name, graph, inputs);
    if (!this.subgraph.runAsync) throw this.error(`runs its ${name} asynchronously outside an asynchronous run`);
    return this.subgraph.runAsync(graph, inputs);
  }

  /**
   * The synchronous part of an op's runAsync (cutting inputs, stacking
   * results) in a tidy of its own, recorded for autograd as the run is:
   * outside a node's own tidy, nothing else frees what it makes.
   */
  step<T>(fn: () => T): T {
    if (!this.subgraph.step) throw this.error('runs an asynchronous step outside an asynchronous run');
    return this.subgraph.step(fn);
  }

  private checkGraphInputs(name: string, graph: OnnxGraphProto, inputs: readonly Value[]): void {
    if (inputs.length !== graph.inputs.length) {
      throw this.error(`its ${name} takes ${graph.inputs.length} inputs (${graph.inputs.map((i) => i.name).join(', ')}); the node gives it ${inputs.length}`);
    }
  }

  /** Refuses an attribute set to a value tmnn does not implement. */
  refuse(name: string, isSupported: (value: unknown) => boolean, why: string): void {
    const a = this.attribute(name);
    if (a && 'value' in a && !isSupported(a.value)) throw this.error(`${name} = ${JSON.stringify(a.value)} is not supported: ${why}`);
  }
}
