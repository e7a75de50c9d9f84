// Runs a decoded ONNX graph node by node in the file's order (ONNX requires
// it topologically sorted), each node through the op table. Checked once at
// load: every op is one tmnn runs, every input is made before it is used, so
// a model that cannot run fails when loaded and names all it lacks.
import { ValueError } from '../errors.js';
import { CorruptFileError } from '../io/errors.js';
import { Tensor } from '../tensor.js';
import { KeptTensors } from './kept.js';
import { NodeCall } from './node_call.js';
import { OPS } from './ops/index.js';
import { DATA_TYPES, type OnnxGraphProto, type OnnxNodeProto } from './proto.js';
import { Constant, isIntegerType, type ElementType, type Value } from './value.js';

/** The oldest default-domain operator set tmnn reads: older ones changed Reshape, Slice and more in ways it does not follow. */
export const OLDEST_OPSET = 7;

export class GraphRunner {
  /** What ops derive from the constants once (a laid-out int8 weight), kept across runs. */
  readonly #kept = new KeptTensors();

  constructor(
    readonly graph: OnnxGraphProto,
    readonly opset: number,
    /** Values known before the run: trainable float initializers as tensors, the rest as Constants. */
    private readonly known: ReadonlyMap<string, Value>,
    private readonly hostCopies: ReadonlyMap<string, Constant>,
  ) {
    checkGraph(graph, new Set([...known.keys(), ...graph.inputs.map((i) => i.name)]));
  }

  /**
   * The values of `outputs` given the graph inputs in `feeds`. Every
   * intermediate is an ordinary tensor in the autograd graph; the caller runs
   * this inside tidy to free them.
   */
  run(feeds: ReadonlyMap<string, Tensor>, outputs: readonly string[]): Value[] {
    const values = new Map<string, Value>(this.known);
    for (const [name, t] of feeds) values.set(name, t);
    const tensors = new Map<Constant, Tensor>();
    // Fed tensors carry their declared element types: i32 holds uint8 and int8 alike.
    const types = new Map<Tensor, ElementType>();
    for (const input of this.graph.inputs) {
      const t = feeds.get(input.name);
      const type = DATA_TYPES[input.elemType] as ElementType | undefined;
      if (t && t.dtype === 'i32' && type && isIntegerType(type)) types.set(t, type);
    }
    for (const node of this.graph.nodes) {
      const inputs = node.inputs.map((name) => {
        if (name === '') return undefined;
        const v = values.get(name);
        if (v === undefined) throw new ValueError(`onnx: ${describe(node)} needs ${name}, an output its producer does not compute in tmnn (an optional output: a mask, running statistics in training mode)`);
        return v;
      });
      // Trailing optional inputs left out entirely count as absent.
      const call = new NodeCall(node, this.opset, inputs, this.hostCopies, tensors, types, this.#kept);
      const op = OPS[node.opType];
      const constants = inputs.filter((v): v is Constant => v instanceof Constant);
      const onHost = op.host && constants.length === inputs.filter((v) => v !== undefined).length;
      const result = onHost ? op.host!(call, constants) : op.run(call);
      const produced = Array.isArray(result) ? result : [result];
      node.outputs.forEach((name, i) => {
        if (name !== '' && i < produced.length) values.set(name, produced[i]);
      });
    }
    return outputs.map((name) => {
      const v = values.get(name);
      if (v === undefined) throw new ValueError(`onnx: the graph output ${name} is never computed`);
      return v;
    });
  }

  /** Frees the tensors kept across runs. */
  dispose(): void {
    this.#kept.dispose();
  }
}

function describe(node: OnnxNodeProto): string {
  return `node ${node.name ? `'${node.name}' ` : ''}(${node.opType})`;
}

/** Refuses, with everything wrong at once, a graph tmnn cannot run: unknown ops, other domains, subgraphs, inputs used before they are made. */
function checkGraph(graph: OnnxGraphProto, given: ReadonlySet<string>): void {
  const unknown = new Map<string, number>();
  for (const node of graph.nodes) {
    const name = node.domain ? `${node.domain}.${node.opType}` : node.opType;
    if (node.domain || !Object.hasOwn(OPS, node.opType)) unknown.set(name, (unknown.get(name) ?? 0) + 1);
  }
  if (unknown.size) {
    const list = [...unknown].map(([op, n]) => (n > 1 ? `${op} (${n} nodes)` : op)).join(', ');
    throw new ValueError(`onnx: the model uses ops tmnn does not run: ${list}. tm.onnx.SUPPORTED_OPS lists the ${Object.keys(OPS).length} it runs`);
  }
  const made = new Set(given);
  for (const node of graph.nodes) {
    for (const input of node.inputs) {
      if (input !== '' && !made.has(input)) {
        const later = graph.nodes.some((n) => n.outputs.includes(input));
        throw new CorruptFileError(
          later
            ? `onnx: ${describe(node)} uses ${input} before the node that makes it; the graph is not in topological order as ONNX requires`
            : `onnx: ${describe(node)} uses ${input}, which no node, input or initializer provides`,
        );
      }
    }
    for (const output of node.outputs) if (output !== '') made.add(output);
  }
  for (const output of graph.outputs) {
    if (!made.has(output.name)) throw new CorruptFileError(`onnx: the graph output ${output.name} is made by no node, input or initializer`);
  }
}
