// Which values of a graph are only ever read on the host: a float
// initializer that reaches nothing but shape inputs (Shape → Cast → Mul by a
// float initializer → Reshape, the arithmetic exporters leave for a scale)
// would be a parameter — a device tensor whose value the host cannot read
// without waiting — and Reshape could not know its target. Found here at
// load, such an initializer is kept a host Constant instead: no gradient
// could reach it anyway, since shapes, axes and counts are not
// differentiable.
import { eachGraph, subgraphsOf } from './check.js';
import { opFor } from './ops/index.js';
import type { OnnxGraphProto } from './proto.js';

/**
 * The names of `graph`'s values every use of which is on the host: an input
 * an op reads only as numbers (its hostInputs), or an input of a node that
 * computes on the host (an op with a host path) whose outputs are all such
 * values themselves. A graph output, or a value a subgraph reads, is not.
 */
export function hostOnlyValues(graph: OnnxGraphProto): Set<string> {
  const onDevice = new Set(graph.outputs.map((o) => o.name));
  const onHost = new Set<string>();
  const hostOnly = (name: string) => onHost.has(name) && !onDevice.has(name);
  // Backwards: every reader of a node's outputs comes after it (ONNX's topological order), so each
  // output is decided before the node's inputs are.
  for (let k = graph.nodes.length - 1; k >= 0; k--) {
    const node = graph.nodes[k];
    // A subgraph's reads of this graph's values (its outer scope) are taken as device reads: kept simple.
    for (const [, g] of subgraphsOf(node)) for (const name of namesRead(g)) onDevice.add(name);
    const op = opFor(node.domain, node.opType);
    const computedOnHost = op?.host !== undefined && node.outputs.every((o) => o === '' || hostOnly(o));
    node.inputs.forEach((name, i) => {
      if (name === '') return;
      if (computedOnHost || op?.hostInputs?.includes(i)) onHost.add(name);
      else onDevice.add(name);
    });
  }
  return new Set([...onHost].filter(hostOnly));
}

/** Every name a graph and the graphs inside it read: node inputs and graph outputs. */
function namesRead(graph: OnnxGraphProto): Set<string> {
  const names = new Set<string>();
  for (const g of eachGraph(graph)) {
    for (const node of g.nodes) for (const name of node.inputs) names.add(name);
    for (const o of g.outputs) names.add(o.name);
  }
  return names;
}
