// Runs a decoded ONNX graph node by node in the file's order (ONNX requires
// it topologically sorted), each node through the op table. A node with a
// subgraph (an If's branches, a Loop's or Scan's body) runs it through the
// same runner, in a scope of its own that reads the enclosing graphs' values
// by name, as ONNX's outer-scope rule says. Checked once at load
// (check.ts), so a model that cannot run fails when loaded.
//
// run is synchronous and never reads the device back. runAsync may: before
// a node runs, each input its op needs on the host (op.hostInputs: a shape,
// a trip count, a condition, NonZero's input) that was computed on the device
// is read back and given to the op as a Constant, as any host value is (no
// gradient flows through it); ops with subgraphs run them asynchronously
// (op.runAsync). tidy is synchronous, so each node runs in a tidy of its own
// and OwnedTensors frees what the nodes returned once no graph needs it.
import { tidy } from '../engine.js';
import { ValueError } from '../errors.js';
import { noGrad } from '../tape.js';
import { Tensor } from '../tensor.js';
import { checkModelGraph, describe, nodesNeeding } from './check.js';
import { isLowBitFloatType } from './float4.js';
import { KeptTensors } from './kept.js';
import { NodeCall, type Subgraphs } from './node_call.js';
import { opFor } from './ops/index.js';
import type { OnnxOp } from './ops/op.js';
import { OwnedTensors } from './owned.js';
import { DATA_TYPES, type OnnxGraphProto, type OnnxNodeProto } from './proto.js';
import { hasHostValues, hostInputs, runOnStrings } from './string_ops.js';
import { Constant, elementTypeOf, isIntegerType, tensorsIn, type ElementType, type Value } from './value.js';

/** The oldest default-domain operator set tmnn reads: older ones changed Reshape, Slice and more in ways it does not follow. */
export const OLDEST_OPSET = 7;

/**
 * The values a graph's nodes can read: its own (inputs, initializers, node
 * outputs), then those of the graphs around it. A chain rather than a copy,
 * so a loop body's scope costs only its own values per iteration.
 */
class Scope {
  private readonly own = new Map<string, Value>();
  constructor(private readonly outer?: Scope) {}

  get(name: string): Value | undefined {
    return this.own.get(name) ?? this.outer?.get(name);
  }

  set(name: string, v: Value): void {
    this.own.set(name, v);
  }
}

/** What one run shares across all its graphs: Constants already made tensors, and the ONNX types of integer tensors (NodeCall's types). */
interface Run {
  tensors: Map<Constant, Tensor>;
  types: Map<Tensor, ElementType>;
  /** Whether an asynchronous run records for autograd: when not, each node runs in noGrad (which cannot wrap an await). */
  grad: boolean;
}

export class GraphRunner {
  /** What ops derive from the constants once (a laid-out int8 weight), kept across runs. */
  readonly #kept = new KeptTensors();
  /** nodesFor's answers, by the outputs asked for. */
  readonly #pruned = new Map<string, readonly OnnxNodeProto[]>();

  constructor(
    readonly graph: OnnxGraphProto,
    /** The model's operator set versions by domain ('' the default, ai.onnx). */
    private readonly opsets: ReadonlyMap<string, number>,
    /** Each graph's initializers (the main graph's and every subgraph's): trainable floats as tensors, the rest as Constants. */
    private readonly initializers: ReadonlyMap<OnnxGraphProto, ReadonlyMap<string, Value>>,
    /** Host copies of small float parameters, for inputs an op must know on the host (Resize's scales). */
    private readonly hostCopies: ReadonlyMap<Tensor, Constant>,
    /** The declared element types of parameters their f32 does not say (double, bfloat16): BitCast reads them. */
    private readonly parameterTypes: ReadonlyMap<Tensor, ElementType> = new Map(),
  ) {
    checkModelGraph(graph, (g) => [...(initializers.get(g)?.keys() ?? [])]);
  }

  /** The model's version of the default (ai.onnx) operator set. */
  get opset(): number {
    return this.opsets.get('')!;
  }

  /** The model's version of the operator set of `node`'s domain ('' for ai.onnx, as proto.ts reads both), 0 where the model imports none (which onnx's checker refuses; tmnn then reads the op by its oldest rules). */
  private domainOpset(node: OnnxNodeProto): number {
    return this.opsets.get(node.domain) ?? 0;
  }

  /**
   * The values of `outputs` given the graph inputs in `feeds`. Every
   * intermediate is an ordinary tensor in the autograd graph; the caller runs
   * this inside tidy to free them. `only`: run only the nodes `outputs` need
   * (the caller asked for some of the outputs), not every node.
   */
  run(feeds: ReadonlyMap<string, Value>, outputs: readonly string[], only = false): Value[] {
    const { scope, run } = this.start(feeds);
    this.runNodes(this.graph, scope, run, only ? this.nodesFor(outputs) : this.graph.nodes);
    return this.outputsOf(this.graph, scope, outputs, 'graph output');
  }

  /**
   * run, reading device values back where an op needs them on the host.
   * Frees every tensor it made but the outputs it returns; an output may be
   * a feed or a parameter itself (the caller copies those).
   */
  async runAsync(feeds: ReadonlyMap<string, Value>, outputs: readonly string[], parameters: ReadonlySet<Tensor>, grad: boolean, only = false): Promise<Value[]> {
    const { scope, run } = this.start(feeds, grad);
    const fed = new Set([...feeds.values()].flatMap(tensorsIn));
    const owned = new OwnedTensors((t) => fed.has(t) || parameters.has(t) || this.#kept.holds(t));
    owned.enter();
    let values: Value[] = [];
    try {
      await this.runNodesAsync(this.graph, scope, run, owned, only ? this.nodesFor(outputs) : this.graph.nodes);
      values = this.outputsOf(this.graph, scope, outputs, 'graph output');
    } finally {
      owned.leave(values);
    }
    return values;
  }

  private start(feeds: ReadonlyMap<string, Value>, grad = true): { scope: Scope; run: Run } {
    const scope = this.scopeFor(this.graph);
    for (const [name, t] of feeds) scope.set(name, t);
    // Fed tensors (a sequence's, an optional's too) carry their declared element types: i32 holds uint8 and int8 alike,
    // f32 a float, a double, a bfloat16 and an 8-bit or 4-bit float; parameters theirs.
    const types = new Map<Tensor, ElementType>(this.parameterTypes);
    for (const input of this.graph.inputs) {
      const v = feeds.get(input.name);
      const type = DATA_TYPES[input.elemType] as ElementType | undefined;
      if (!v || !type) continue;
      for (const t of tensorsIn(v)) {
        if ((t.dtype === 'i32' && isIntegerType(type)) || (t.dtype === 'f32' && (isLowBitFloatType(type) || type === 'double' || type === 'bfloat16'))) types.set(t, type);
      }
    }
    return { scope, run: { tensors: new Map(), types, grad } };
  }

  private scopeFor(graph: OnnxGraphProto, outer?: Scope): Scope {
    const scope = new Scope(outer);
    for (const [name, v] of this.initializers.get(graph) ?? []) scope.set(name, v);
    return scope;
  }

  private outputsOf(graph: OnnxGraphProto, scope: Scope, names: readonly string[], what: string): Value[] {
    return names.map((name) => {
      const v = scope.get(name);
      if (v === undefined) throw new ValueError(`onnx: the ${what} ${name}${graph === this.graph ? '' : ` of subgraph ${graph.name || '(unnamed)'}`} is never computed`);
      return v;
    });
  }

  private inputsOf(node: OnnxNodeProto, scope: Scope): (Value | undefined)[] {
    return node.inputs.map((name) => {
      if (name === '') return undefined;
      const v = scope.get(name);
      if (v === undefined) throw new ValueError(`onnx: ${describe(node)} needs ${name}, an output its producer does not compute in tmnn (one of the optional outputs tmnn leaves out)`);
      return v;
    });
  }

  private callFor(node: OnnxNodeProto, inputs: readonly (Value | undefined)[], subgraphs: Subgraphs, run: Run): NodeCall {
    return new NodeCall(node, this.opset, this.domainOpset(node), inputs, this.hostCopies, run.tensors, subgraphs, run.types, this.#kept);
  }

  /** The outputs of a node with a string or map input, run on the host (string_ops.ts): its numeric inputs read there, in place or already read back. */
  private applyOnStrings(op: OnnxOp, node: OnnxNodeProto, inputs: readonly (Value | undefined)[], subgraphs: Subgraphs, run: Run): Value[] {
    return runOnStrings(op, hostInputs(op, node, inputs, run.types), (given) => this.apply(op, this.callFor(node, given, subgraphs, run), given));
  }

  /** The node's outputs: on the host when the op has a host path and every input is a Constant. */
  private apply(op: OnnxOp, call: NodeCall, inputs: readonly (Value | undefined)[]): Value[] {
    const constants = inputs.filter((v): v is Constant => v instanceof Constant);
    const onHost = op.host && constants.length === inputs.filter((v) => v !== undefined).length;
    const result = onHost ? op.host!(call, constants) : op.run(call);
    return Array.isArray(result) ? result : [result];
  }

  private store(node: OnnxNodeProto, produced: readonly Value[], scope: Scope): void {
    node.outputs.forEach((name, i) => {
      if (name !== '' && i < produced.length) scope.set(name, produced[i]);
    });
  }

  /**
   * The main graph's nodes that `outputs` need, in order (check.ts'
   * nodesNeeding): what run and runAsync compute when given only some
   * outputs (onnxruntime's fetches).
   */
  private nodesFor(outputs: readonly string[]): readonly OnnxNodeProto[] {
    const key = outputs.join('\0');
    let nodes = this.#pruned.get(key);
    if (!nodes) {
      nodes = nodesNeeding(this.graph.nodes, outputs);
      this.#pruned.set(key, nodes);
    }
    return nodes;
  }

  private runNodes(graph: OnnxGraphProto, scope: Scope, run: Run, nodes: readonly OnnxNodeProto[] = graph.nodes): void {
    for (const node of nodes) {
      const inputs = this.inputsOf(node, scope);
      // A subgraph the node runs sees this graph's values as they stand now, and those around it.
      const subgraphs: Subgraphs = { run: (g, values) => this.runSubgraph(g, values, scope, run) };
      // Found: checkModelGraph refused, at load, every node of no known op.
      const op = opFor(node.domain, node.opType)!;
      const produced = hasHostValues(inputs) ? this.applyOnStrings(op, node, inputs, subgraphs, run) : this.apply(op, this.callFor(node, inputs, subgraphs, run), inputs);
      this.store(node, produced, scope);
    }
  }

  private async runNodesAsync(graph: OnnxGraphProto, scope: Scope, run: Run, owned: OwnedTensors, nodes: readonly OnnxNodeProto[] = graph.nodes): Promise<void> {
    for (const node of nodes) {
      const op = opFor(node.domain, node.opType)!;
      const inputs = this.inputsOf(node, scope);
      for (const i of op.hostInputs ?? []) {
        const v = inputs[i];
        if (v instanceof Tensor && !this.hostCopies.has(v)) inputs[i] = await readBack(v, run.types.get(v));
      }
      const subgraphs: Subgraphs = {
        run: (g, values) => this.runSubgraph(g, values, scope, run),
        runAsync: (g, values) => this.runSubgraphAsync(g, values, scope, run, owned),
        step: (fn) => (run.grad ? tidy(fn) : noGrad(() => tidy(fn))),
      };
      let produced: Value[];
      if (hasHostValues(inputs)) {
        // The node runs on the host: its device inputs are read back first.
        for (const [i, v] of inputs.entries()) if (v instanceof Tensor) inputs[i] = await readBack(v, run.types.get(v));
        produced = subgraphs.step!(() => this.applyOnStrings(op, node, inputs, subgraphs, run));
      } else {
        const call = this.callFor(node, inputs, subgraphs, run);
        const result = op.runAsync ? await op.runAsync(call) : call.step(() => this.apply(op, call, inputs));
        produced = Array.isArray(result) ? result : [result];
      }
      owned.add(produced);
      this.store(node, produced, scope);
    }
  }

  /** One run of a subgraph: `inputs` bound to its inputs in order; its outputs in order. */
  private runSubgraph(graph: OnnxGraphProto, inputs: readonly Value[], outer: Scope, run: Run): Value[] {
    const scope = this.subgraphScope(graph, inputs, outer);
    this.runNodes(graph, scope, run);
    return this.outputsOf(graph, scope, graph.outputs.map((o) => o.name), 'output');
  }

  private async runSubgraphAsync(graph: OnnxGraphProto, inputs: readonly Value[], outer: Scope, run: Run, owned: OwnedTensors): Promise<Value[]> {
    const scope = this.subgraphScope(graph, inputs, outer);
    owned.enter();
    let outputs: Value[] = [];
    try {
      await this.runNodesAsync(graph, scope, run, owned);
      outputs = this.outputsOf(graph, scope, graph.outputs.map((o) => o.name), 'output');
    } finally {
      owned.leave(outputs);
    }
    return outputs;
  }

  private subgraphScope(graph: OnnxGraphProto, inputs: readonly Value[], outer: Scope): Scope {
    const scope = this.scopeFor(graph, outer);
    graph.inputs.forEach((info, i) => scope.set(info.name, inputs[i]));
    return scope;
  }

  /** Frees the tensors kept across runs. */
  dispose(): void {
    this.#kept.dispose();
  }
}

/** A device value read back to the host, as a Constant of its ONNX type (recorded, or its dtype's). */
async function readBack(t: Tensor, type: ElementType | undefined): Promise<Constant> {
  const data = await t.data();
  return new Constant(type ?? elementTypeOf(t), [...t.shape], Float64Array.from(data));
}
