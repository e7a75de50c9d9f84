// ONNX's Gradient (ai.onnx.preview.training): the gradient of a value y of
// the graph with respect to the values xs, given xs and the other values zs
// that y is computed from; one output per x. y may be any shape: the
// gradient is of the sum of its elements (a seed of ones), as onnxruntime's
// training build takes it.
//
// At load, prepareGradients finds for each Gradient node the part of its
// graph that computes y from xs and zs (the nodes y needs, walked back to
// them); the op runs that part again as a subgraph on xs copied as leaves
// that record gradients (whatever the run's own grad mode), and takes
// tm.autograd's grad of y. The part reads everything else (initializers,
// graph inputs, earlier values) from the graph around it, as a subgraph
// does, without a gradient reaching it.
import { grad } from '../../autograd/backward.js';
import * as ops from '../../ops/index.js';
import { needsGrad, withGrad } from '../../tape.js';
import { Tensor } from '../../tensor.js';
import { eachGraph, nodesNeeding } from '../check.js';
import type { NodeCall } from '../node_call.js';
import type { OnnxAttribute, OnnxGraphProto, OnnxNodeProto } from '../proto.js';
import type { OnnxOp, OpTable } from './op.js';

export const TRAINING_DOMAIN = 'ai.onnx.preview.training';

/** Each Gradient node's part of its graph. */
const PARTS = new WeakMap<OnnxNodeProto, OnnxGraphProto>();

const namesOf = (a: OnnxAttribute | undefined): string[] => (a?.kind === 'strings' ? a.value : []);

/** Finds, for every Gradient node of `graph` and its subgraphs, the part of its graph that computes its y. */
export function prepareGradients(graph: OnnxGraphProto): void {
  for (const g of eachGraph(graph)) {
    for (const node of g.nodes) if (node.domain === TRAINING_DOMAIN && node.opType === 'Gradient') PARTS.set(node, partOf(g, node));
  }
}

/** The nodes of g that y needs, walked back to xs and zs (which the part takes as its inputs), in g's order. */
function partOf(g: OnnxGraphProto, node: OnnxNodeProto): OnnxGraphProto {
  const xs = namesOf(node.attributes.get('xs')), zs = namesOf(node.attributes.get('zs'));
  const y = node.attributes.get('y');
  const outputs = y?.kind === 'string' ? [y.value] : [];
  return {
    name: `${node.name || 'Gradient'}'s part`,
    nodes: nodesNeeding(g.nodes.filter((n) => n !== node), outputs, new Set([...xs, ...zs])),
    initializers: [],
    sparseInitializers: [],
    inputs: [...xs, ...zs].map((name) => ({ name, elemType: 0 })),
    outputs: outputs.map((name) => ({ name, elemType: 0 })),
  };
}

function gradient(call: NodeCall): Tensor[] {
  const xs = call.strings('xs') ?? [];
  const zs = call.strings('zs') ?? [];
  const y = call.string('y');
  if (!xs.length || y === undefined) throw call.error('attributes xs (the names differentiated by) and y (the name differentiated) are required');
  if (call.inputCount !== xs.length + zs.length) {
    throw call.error(`has ${call.inputCount} inputs; it takes the values of xs (${xs.length}) then zs (${zs.length})`);
  }
  const part = PARTS.get(call.node);
  if (!part || !part.nodes.length) throw call.error(`y (${y}) is not computed from xs and zs in the node's graph`);
  const leaves = xs.map((_, i) => {
    const x = call.tensor(i);
    if (x.dtype !== 'f32' && x.dtype !== 'f16') throw call.error(`x ${xs[i]} is ${x.dtype}; a gradient is taken with respect to floats`);
    const leaf = x.detach();
    leaf.requiresGrad = true;
    return leaf;
  });
  const others = zs.map((_, i) => call.anyValue(xs.length + i));
  return withGrad(() => {
    const [value] = call.runGraph('part computing y', part, [...leaves, ...others]);
    // A y that no x reaches (a constant, or computed from zs alone): zero gradients.
    if (!(value instanceof Tensor) || !needsGrad(value)) return leaves.map((x) => ops.zerosLike(x));
    if (value.dtype !== 'f32' && value.dtype !== 'f16') throw call.error(`y (${y}) is ${value.dtype}; a gradient is taken of floats`);
    return grad(value, leaves, { gradient: ops.onesLike(value) });
  });
}

export const GRADIENT_OPS: OpTable = { Gradient: { run: gradient } satisfies OnnxOp };
