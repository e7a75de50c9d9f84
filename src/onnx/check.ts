// The load-time checks of an ONNX graph, subgraphs included: every op is one
// tmnn runs, every input is made before it is used. A model that cannot run
// fails when loaded and names all it lacks, rather than at the first forward
// that reaches a loop body.
import { ValueError } from '../errors.js';
import { CorruptFileError } from '../io/errors.js';
import { opFor, SUPPORTED_DOMAINS, SUPPORTED_MICROSOFT_OPS, SUPPORTED_ML_OPS, SUPPORTED_OPS, SUPPORTED_TRAINING_OPS } from './ops/index.js';
import type { OnnxGraphProto, OnnxNodeProto } from './proto.js';

export function describe(node: OnnxNodeProto): string {
  return `node ${node.name ? `'${node.name}' ` : ''}(${node.opType})`;
}

/** A node's op as messages and counts name it: the op type, prefixed by its domain outside the default one (com.microsoft.FusedMatMul). */
export function opName(node: OnnxNodeProto): string {
  return node.domain ? `${node.domain}.${node.opType}` : node.opType;
}

/** A node's subgraphs (an If's two branches, a Loop's or Scan's body), by attribute name. */
export function subgraphsOf(node: OnnxNodeProto): [string, OnnxGraphProto][] {
  const out: [string, OnnxGraphProto][] = [];
  for (const [name, a] of node.attributes) if (a.kind === 'graph') out.push([name, a.value]);
  return out;
}

/** Every graph of the model: the main graph, then each subgraph, depth first. */
export function* eachGraph(graph: OnnxGraphProto): Generator<OnnxGraphProto> {
  yield graph;
  for (const node of graph.nodes) for (const [, g] of subgraphsOf(node)) yield* eachGraph(g);
}

/**
 * The nodes of `nodes` that computing `outputs` needs, in their order,
 * walked back no further than the names in `given`. A node with subgraphs
 * needs every name they read, theirs or not (a little more than the names
 * from outside them, never less).
 */
export function nodesNeeding(nodes: readonly OnnxNodeProto[], outputs: Iterable<string>, given: ReadonlySet<string> = new Set()): OnnxNodeProto[] {
  const needed = new Set(outputs);
  const need = (name: string) => void (given.has(name) || needed.add(name));
  const kept: OnnxNodeProto[] = [];
  for (let i = nodes.length - 1; i >= 0; i--) {
    const node = nodes[i];
    if (!node.outputs.some((o) => needed.has(o) && !given.has(o))) continue;
    kept.push(node);
    node.inputs.forEach(need);
    for (const [, sub] of subgraphsOf(node)) {
      for (const g of eachGraph(sub)) {
        for (const n of g.nodes) n.inputs.forEach(need);
        for (const o of g.outputs) need(o.name);
      }
    }
  }
  return kept.reverse();
}

/**
 * Refuses, with everything wrong at once, a graph tmnn cannot run: unknown
 * ops or other domains anywhere (a loop body's count as the main graph's),
 * inputs used before they are made. `initializers` names each graph's own.
 */
export function checkModelGraph(graph: OnnxGraphProto, initializers: (g: OnnxGraphProto) => string[]): void {
  const unknown = new Map<string, number>();
  const otherDomains = new Set<string>();
  for (const g of eachGraph(graph)) {
    for (const node of g.nodes) {
      if (opFor(node.domain, node.opType)) continue;
      const name = opName(node);
      unknown.set(name, (unknown.get(name) ?? 0) + 1);
      if (!SUPPORTED_DOMAINS.includes(node.domain)) otherDomains.add(node.domain);
    }
  }
  if (unknown.size) {
    const list = [...unknown].map(([op, n]) => (n > 1 ? `${op} (${n} nodes)` : op)).join(', ');
    const domains = otherDomains.size ? ` (tmnn runs the default ai.onnx domain, com.microsoft, ai.onnx.ml and ai.onnx.preview.training's optimizers, not ${[...otherDomains].join(', ')})` : '';
    throw new ValueError(
      `onnx: the model uses ops tmnn does not run: ${list}${domains}. tm.onnx.SUPPORTED_OPS lists the ${SUPPORTED_OPS.length} default-domain ops it runs, tm.onnx.SUPPORTED_MICROSOFT_OPS the ${SUPPORTED_MICROSOFT_OPS.length} of com.microsoft, tm.onnx.SUPPORTED_ML_OPS the ${SUPPORTED_ML_OPS.length} of ai.onnx.ml, tm.onnx.SUPPORTED_TRAINING_OPS the ${SUPPORTED_TRAINING_OPS.length} of ai.onnx.preview.training`,
    );
  }
  checkOrder(graph, new Set(), initializers, '');
}

/**
 * Every input of `graph`'s nodes is made before it is read: by the graph's
 * inputs, initializers or an earlier node, or — in a subgraph — by the
 * enclosing graphs before the node that owns it (`outer`).
 */
function checkOrder(graph: OnnxGraphProto, outer: ReadonlySet<string>, initializers: (g: OnnxGraphProto) => string[], within: string): void {
  const made = new Set([...outer, ...graph.inputs.map((i) => i.name), ...initializers(graph)]);
  for (const node of graph.nodes) {
    for (const input of node.inputs) {
      if (input !== '' && !made.has(input)) {
        const later = graph.nodes.some((n) => n.outputs.includes(input));
        throw new CorruptFileError(
          later
            ? `onnx: ${describe(node)}${within} uses ${input} before the node that makes it; the graph is not in topological order as ONNX requires`
            : `onnx: ${describe(node)}${within} uses ${input}, which no node, input or initializer provides${within ? ' (in this graph or those around it)' : ''}`,
        );
      }
    }
    for (const [name, g] of subgraphsOf(node)) checkOrder(g, made, initializers, ` (in the ${name} of ${describe(node)}${within})`);
    for (const output of node.outputs) if (output !== '') made.add(output);
  }
  for (const output of graph.outputs) {
    if (!made.has(output.name)) throw new CorruptFileError(`onnx: the graph output ${output.name}${within} is made by no node, input or initializer`);
  }
}
