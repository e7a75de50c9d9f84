// Runs a decoded ONNX graph node by node in the file's order (ONNX requires
// it topologically sorted), each node through the op table. A node with a
// subgraph (an If's branches, a Loop's or Scan's body) runs it through the
// same runner, in a scope of its own that reads the enclosing graphs' values
// by name, as ONNX's outer-scope rule says. Checked once at load
// (check.ts), so a model that cannot run fails when loaded.
import { ValueError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { checkModelGraph, describe } from './check.js';
import { KeptTensors } from './kept.js';
import { NodeCall } from './node_call.js';
import { opFor } from './ops/index.js';
import { DATA_TYPES, type OnnxGraphProto } from './proto.js';
import { Constant, isIntegerType, type ElementType, type Value } from './value.js';

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
}

export class GraphRunner {
  /** What ops derive from the constants once (a laid-out int8 weight), kept across runs. */
  readonly #kept = new KeptTensors();

  constructor(
    readonly graph: OnnxGraphProto,
    readonly opset: number,
    /** Each graph's initializers (the main graph's and every subgraph's): trainable floats as tensors, the rest as Constants. */
    private readonly initializers: ReadonlyMap<OnnxGraphProto, ReadonlyMap<string, Value>>,
    /** Host copies of small float parameters, for inputs an op must know on the host (Resize's scales). */
    private readonly hostCopies: ReadonlyMap<Tensor, Constant>,
  ) {
    checkModelGraph(graph, (g) => [...(initializers.get(g)?.keys() ?? [])]);
  }

  /**
   * The values of `outputs` given the graph inputs in `feeds`. Every
   * intermediate is an ordinary tensor in the autograd graph; the caller runs
   * this inside tidy to free them.
   */
  run(feeds: ReadonlyMap<string, Tensor>, outputs: readonly string[]): Value[] {
    const scope = this.scopeFor(this.graph);
    for (const [name, t] of feeds) scope.set(name, t);
    // Fed tensors carry their declared element types: i32 holds uint8 and int8 alike.
    const types = new Map<Tensor, ElementType>();
    for (const input of this.graph.inputs) {
      const t = feeds.get(input.name);
      const type = DATA_TYPES[input.elemType] as ElementType | undefined;
      if (t && t.dtype === 'i32' && type && isIntegerType(type)) types.set(t, type);
    }
    this.runNodes(this.graph, scope, { tensors: new Map(), types });
    return outputs.map((name) => {
      const v = scope.get(name);
      if (v === undefined) throw new ValueError(`onnx: the graph output ${name} is never computed`);
      return v;
    });
  }

  private scopeFor(graph: OnnxGraphProto, outer?: Scope): Scope {
    const scope = new Scope(outer);
    for (const [name, v] of this.initializers.get(graph) ?? []) scope.set(name, v);
    return scope;
  }

  private runNodes(graph: OnnxGraphProto, scope: Scope, run: Run): void {
    for (const node of graph.nodes) {
      const inputs = node.inputs.map((name) => {
        if (name === '') return undefined;
        const v = scope.get(name);
        if (v === undefined) throw new ValueError(`onnx: ${describe(node)} needs ${name}, an output its producer does not compute in tmnn (an optional output: a mask, running statistics in training mode)`);
        return v;
      });
      // Trailing optional inputs left out entirely count as absent.
      // A subgraph the node runs sees this graph's values as they stand now, and those around it.
      const subgraph = (g: OnnxGraphProto, values: readonly Value[]): Value[] => this.runSubgraph(g, values, scope, run);
      const call = new NodeCall(node, this.opset, inputs, this.hostCopies, run.tensors, subgraph, run.types, this.#kept);
      // Found: checkModelGraph refused, at load, every node of no known op.
      const op = opFor(node.domain, node.opType)!;
      const constants = inputs.filter((v): v is Constant => v instanceof Constant);
      const onHost = op.host && constants.length === inputs.filter((v) => v !== undefined).length;
      const result = onHost ? op.host!(call, constants) : op.run(call);
      const produced = Array.isArray(result) ? result : [result];
      node.outputs.forEach((name, i) => {
        if (name !== '' && i < produced.length) scope.set(name, produced[i]);
      });
    }
  }

  /** One run of a subgraph: `inputs` bound to its inputs in order; its outputs in order. */
  private runSubgraph(graph: OnnxGraphProto, inputs: readonly Value[], outer: Scope, run: Run): Value[] {
    const scope = this.scopeFor(graph, outer);
    graph.inputs.forEach((info, i) => scope.set(info.name, inputs[i]));
    this.runNodes(graph, scope, run);
    return graph.outputs.map((info) => {
      const v = scope.get(info.name);
      if (v === undefined) throw new ValueError(`onnx: the subgraph ${graph.name || '(unnamed)'}'s output ${info.name} is never computed`);
      return v;
    });
  }

  /** Frees the tensors kept across runs. */
  dispose(): void {
    this.#kept.dispose();
  }
}
