// SequenceMap: a subgraph run once per item of a sequence (Python's
// [f(t) for t in list]). Its first input is a sequence; each further input
// is a sequence of the same length (read item by item, in step) or a tensor
// (passed whole to every run). Each body output, one tensor per run, is
// collected into a sequence. Runs unroll into the autograd graph, as a
// Loop's iterations do, each in a tidy of its own.
import { tidy } from '../../engine.js';
import type { NodeCall } from '../node_call.js';
import { DATA_TYPES, type OnnxGraphProto } from '../proto.js';
import { Optional } from '../optional.js';
import { Sequence, type SequenceItem } from '../sequence.js';
import { describeValue, isRunnable, isStructured, type Value } from '../value.js';
import type { OpTable } from './op.js';

interface MapPlan {
  body: OnnxGraphProto;
  length: number;
  /** The body's inputs for run k. */
  inputs(k: number): Value[];
}

function mapPlan(call: NodeCall): MapPlan {
  const body = call.graph('body');
  if (body.inputs.length !== call.inputCount || body.outputs.length !== call.node.outputs.length) {
    throw call.error(`its body has ${body.inputs.length} inputs and ${body.outputs.length} outputs; it needs one input per node input (${call.inputCount}) and one output per node output (${call.node.outputs.length})`);
  }
  const first = call.sequence(0);
  const values = Array.from({ length: call.inputCount }, (_, i) => call.anyValue(i));
  values.forEach((v, i) => {
    if (v instanceof Sequence && v.length !== first.length) {
      throw call.error(`its sequences differ in length: input 0 (${call.node.inputs[0]}) holds ${first.length} tensors, input ${i} (${call.node.inputs[i]}) ${v.length}`);
    }
  });
  return { body, length: first.length, inputs: (k) => values.map((v) => (v instanceof Sequence ? v.items[k] : v)) };
}

/** One run's outputs, each a tensor to add to its output sequence. */
function items(call: NodeCall, out: readonly Value[], k: number): SequenceItem[] {
  return out.map((v, j) => {
    if (isStructured(v)) throw call.error(`its body's output ${j} is ${v instanceof Sequence ? 'a sequence' : describeValue(v)} in run ${k}; SequenceMap collects one tensor per run into each output sequence`);
    return v;
  });
}

/** The output sequences: each the runs' tensors, typed as the body declares (which an empty one needs). */
function collect(call: NodeCall, body: OnnxGraphProto, runs: readonly SequenceItem[][]): Sequence[] {
  return body.outputs.map((info, j) => {
    const type = DATA_TYPES[info.elemType];
    return new Sequence(type && isRunnable(type) ? type : undefined, runs.map((r) => r[j]));
  });
}

export const SEQUENCE_MAP_OPS: OpTable = {
  SequenceMap: {
    run: (call) => {
      const plan = mapPlan(call);
      const runs: SequenceItem[][] = [];
      for (let k = 0; k < plan.length; k++) runs.push(tidy(() => items(call, call.runGraph('body', plan.body, plan.inputs(k)), k)));
      return collect(call, plan.body, runs);
    },
    runAsync: async (call) => {
      const plan = mapPlan(call);
      const runs: SequenceItem[][] = [];
      for (let k = 0; k < plan.length; k++) runs.push(items(call, await call.runGraphAsync('body', plan.body, plan.inputs(k)), k));
      return collect(call, plan.body, runs);
    },
  },
};
