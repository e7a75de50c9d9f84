// ONNX's model-local functions (ModelProto.functions, ONNX ≥ 1.10): ops a
// model defines for its own nodes out of other nodes, as onnxscript and
// PyTorch's dynamo exporter write them. tmnn inlines every call when the
// model loads, as onnxruntime does: the calling node gives way to the
// function's body, the body's formal inputs and outputs bound to the node's,
// the body's own values renamed apart (a function called twice makes two
// sets of them), an attribute that refers to the caller's (ref_attr_name)
// given the caller's value, else the function's default, else left out;
// calls in a body are inlined in turn, and a body's subgraphs (an If's
// branches) renamed with it — their initializers read as constants, since
// each call copies them and the file has one place to save them to.
// A function is named by its domain, name and overload (IR 10: two
// functions of one name told apart by an overload string, which the calling
// node gives; PyTorch's dynamo exporter writes one per instance of a module
// whose attributes differ). Everything after — the checks, the run, op
// counts — sees the inlined graph.
import { ValueError } from '../errors.js';
import type { OnnxAttribute, OnnxFunctionProto, OnnxGraphProto, OnnxNodeProto } from './proto.js';

const keyOf = (domain: string, name: string, overload: string) => `${domain}::${name}::${overload}`;

/** `graph` with every call of one of `functions` replaced by its body; `opsets` the model's (a function's own must agree for the default domain). */
export function inlineFunctions(graph: OnnxGraphProto, functions: readonly OnnxFunctionProto[], opsets: ReadonlyMap<string, number>): OnnxGraphProto {
  if (!functions.length) return graph;
  const byKey = new Map<string, OnnxFunctionProto>();
  for (const f of functions) {
    const key = keyOf(f.domain, f.name, f.overload);
    if (byKey.has(key)) throw new ValueError(`onnx: the model defines function ${name(f)} twice; ONNX allows one definition for each overload`);
    const own = f.opsets.get(''), model = opsets.get('');
    if (own !== undefined && model !== undefined && own !== model) {
      throw new ValueError(`onnx: function ${name(f)} imports operator set ${own} and the model ${model}; tmnn runs a model's nodes, its functions' too, at one (re-export with one opset_version)`);
    }
    byKey.set(key, f);
  }
  let calls = 0;

  const inlineGraph = (g: OnnxGraphProto, stack: readonly string[]): OnnxGraphProto => ({ ...g, nodes: g.nodes.flatMap((n) => inlineNode(n, stack)) });

  const inlineNode = (node: OnnxNodeProto, stack: readonly string[]): OnnxNodeProto[] => {
    const f = byKey.get(keyOf(node.domain, node.opType, node.overload));
    if (!f) return [{ ...node, attributes: mapGraphs(node.attributes, (g) => inlineGraph(g, stack)) }];
    if (stack.includes(name(f))) throw new ValueError(`onnx: function ${name(f)} calls itself (${[...stack, name(f)].join(' → ')}); tmnn inlines functions, so none may recurse`);
    if (node.inputs.length > f.inputs.length || node.outputs.length > f.outputs.length) {
      throw new ValueError(`onnx: node ${node.name ? `'${node.name}' ` : ''}calls function ${name(f)} with ${node.inputs.length} inputs and ${node.outputs.length} outputs; it takes ${f.inputs.length} and gives ${f.outputs.length}`);
    }
    // The body's values: formal inputs and outputs bound to the node's (a left-out one to ''), the rest its own.
    const prefix = `${node.name || f.name}#${++calls}/`;
    const bound = new Map<string, string>();
    f.inputs.forEach((formal, i) => bound.set(formal, node.inputs[i] ?? ''));
    f.outputs.forEach((formal, i) => bound.set(formal, node.outputs[i] ?? ''));
    const rename = (value: string) => (value === '' ? '' : bound.get(value) ?? prefix + value);
    const attributeOf = (referred: string) => node.attributes.get(referred) ?? f.defaults.get(referred);
    const body = f.nodes.map((n) => renamed(n, rename, attributeOf, prefix));
    return body.flatMap((n) => inlineNode(n, [...stack, name(f)]));
  };

  return inlineGraph(graph, []);
}

function name(f: OnnxFunctionProto): string {
  const qualified = f.domain ? `${f.domain}.${f.name}` : f.name;
  return f.overload ? `${qualified} (overload '${f.overload}')` : qualified;
}

/** A node's attributes with each subgraph replaced by `map` of it. */
function mapGraphs(attributes: ReadonlyMap<string, OnnxAttribute>, map: (g: OnnxGraphProto) => OnnxGraphProto): Map<string, OnnxAttribute> {
  return new Map([...attributes].map(([key, a]) => [key, a.kind === 'graph' ? { kind: 'graph', value: map(a.value) } : a]));
}

/** A body node as inlined: its values renamed, its attributes' references resolved, its subgraphs renamed alike. */
function renamed(node: OnnxNodeProto, rename: (value: string) => string, attributeOf: (referred: string) => OnnxAttribute | undefined, prefix: string): OnnxNodeProto {
  const attributes = new Map<string, OnnxAttribute>();
  for (const [key, a] of node.attributes) {
    if (a.kind === 'ref') {
      const given = attributeOf(a.value);
      if (given) attributes.set(key, given);
    } else if (a.kind === 'graph') attributes.set(key, { kind: 'graph', value: renamedGraph(a.value, rename, attributeOf, prefix) });
    else attributes.set(key, a);
  }
  return { ...node, name: prefix + (node.name || node.opType), inputs: node.inputs.map(rename), outputs: node.outputs.map(rename), attributes };
}

/** A subgraph of a body, every name in it renamed: the body's values it reads, and its own (none may repeat an enclosing graph's). */
function renamedGraph(g: OnnxGraphProto, rename: (value: string) => string, attributeOf: (referred: string) => OnnxAttribute | undefined, prefix: string): OnnxGraphProto {
  return {
    ...g,
    inputs: g.inputs.map((v) => ({ ...v, name: rename(v.name) })),
    outputs: g.outputs.map((v) => ({ ...v, name: rename(v.name) })),
    initializers: g.initializers.map((t) => ({ ...t, name: rename(t.name), inlined: true })),
    sparseInitializers: g.sparseInitializers.map((t) => ({ ...t, values: { ...t.values, name: rename(t.values.name) } })),
    nodes: g.nodes.map((n) => renamed(n, rename, attributeOf, prefix)),
  };
}
