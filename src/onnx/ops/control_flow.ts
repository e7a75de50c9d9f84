// ONNX's control flow: If, Loop and Scan, each running subgraphs (branches,
// bodies) that read the enclosing graphs' values by name.
//
// tmnn's forward is synchronous and never reads a device tensor back, so
// every decision that picks what runs — which branch, whether another
// iteration — must be known on the host: a Constant (a Constant node, an int
// initializer, shape arithmetic, a loop's own counter). That covers what
// exporters emit for Python control flow on sizes and arguments: PyTorch's
// scripted `for i in range(n)` is a Loop with a host trip count and a
// constant-true condition. Where a decision is data on the device:
// - If runs both branches and picks each output with tm.where, when the
//   branches' outputs agree in shape and type: the same result, and the
//   gradient flows to the branch taken. Otherwise it is refused.
// - Loop is refused: how many iterations run decides the scan outputs'
//   shapes, which cannot be known without reading the condition back.
// Iterations are unrolled into the autograd graph, so gradients flow through
// every iteration to the parameters the body reads. Each runs in a tidy of its
// own, so a long loop holds only its carried values and scan outputs, not
// every iteration's intermediates (what backward needs, the ops saved).
import { tidy } from '../../engine.js';
import * as ops from '../../ops/index.js';
import { Tensor } from '../../tensor.js';
import { hostIndex, hostStack } from '../host_math.js';
import type { NodeCall } from '../node_call.js';
import { DATA_TYPES, type OnnxGraphProto, type OnnxValueInfo } from '../proto.js';
import { Constant, elementTypeOf, isRunnable, type Value } from '../value.js';
import type { OpTable } from './op.js';

const scalar = (type: 'int64' | 'bool', v: number): Constant => new Constant(type, [], Float64Array.of(v));

/** A one-element value known on the host, as a number; `what` says where it came from when it is not. */
function onHost(call: NodeCall, v: Value, what: string, why: string): number {
  if (v instanceof Tensor) {
    throw call.error(`${what} is computed on the device (from the model's inputs or parameters); ${why}`);
  }
  if (v.size !== 1) throw call.error(`${what} should hold one element, it is [${v.shape.join(', ')}]`);
  return v.data[0];
}

/** The shape and type of subgraph output `info` as declared, for a scan output of zero iterations, which no iteration shows. */
function emptyStack(call: NodeCall, info: OnnxValueInfo, axis: number, body: string): Constant {
  const type = DATA_TYPES[info.elemType];
  const shape = info.shape;
  if (!shape || shape.some((d) => typeof d !== 'number') || !type || !isRunnable(type)) {
    throw call.error(`runs zero iterations, so its scan output ${info.name} is empty, but its ${body} does not declare that output's element type and full shape (it is ${type ?? 'untyped'} [${shape?.map((d) => d ?? '?').join(', ') ?? 'no shape'}]) to give the empty result`);
  }
  const dims = shape as number[];
  const a = normalize(call, axis, dims.length + 1, 'scan output axis');
  return new Constant(type, [...dims.slice(0, a), 0, ...dims.slice(a)], new Float64Array(0));
}

function normalize(call: NodeCall, axis: number, rank: number, what: string): number {
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) throw call.error(`${what} ${axis} is outside rank ${rank}`);
  return axis < 0 ? axis + rank : axis;
}

/** One scan output: the iterations' values joined along a new axis (on the host when every one is a Constant). */
function stackValues(call: NodeCall, items: readonly Value[], axis: number, info: OnnxValueInfo, body: string): Value {
  if (!items.length) return emptyStack(call, info, axis, body);
  const shape = items[0].shape;
  const at = items.findIndex((v) => v.shape.length !== shape.length || v.shape.some((d, i) => d !== shape[i]));
  if (at >= 0) {
    throw call.error(`its scan output ${info.name} is [${shape.join(', ')}] in iteration 0 but [${items[at].shape.join(', ')}] in iteration ${at}; a scan output's iterations must agree in shape`);
  }
  const a = normalize(call, axis, shape.length + 1, `scan output ${info.name}'s axis`);
  if (items.every((v): v is Constant => v instanceof Constant)) return hostStack(items, a);
  return ops.stack(items.map((v) => call.asTensor(v, `scan output ${info.name}`)), a);
}

/** Checks a body's arity against the node's: `inputs` and `outputs` it must have. */
function checkArity(call: NodeCall, name: string, body: OnnxGraphProto, inputs: number, outputs: number, layout: string): void {
  if (body.inputs.length !== inputs || body.outputs.length !== outputs) {
    throw call.error(`its ${name} has ${body.inputs.length} inputs and ${body.outputs.length} outputs; for this node's ${call.inputCount} inputs and ${call.node.outputs.length} outputs it needs ${inputs} and ${outputs} (${layout})`);
  }
}

/** The two branches' values of one If output, picked by a condition on the device: both are computed, tm.where keeps one. */
function select(call: NodeCall, cond: Tensor, a: Value, b: Value, k: number): Value {
  if (a === b) return a;
  const name = call.node.outputs[k];
  const ta = call.asTensor(a, `then_branch output ${k}`), tb = call.asTensor(b, `else_branch output ${k}`);
  const sameShape = ta.rank === tb.rank && ta.shape.every((d, i) => d === tb.shape[i]);
  if (!sameShape || ta.dtype !== tb.dtype) {
    throw call.error(`its condition is computed on the device, so tmnn runs both branches and picks each output with where; output ${k} (${name}) is ${elementTypeOf(ta)} [${ta.shape.join(', ')}] from then_branch but ${elementTypeOf(tb)} [${tb.shape.join(', ')}] from else_branch, which cannot be picked elementwise. Make the condition known without the device (a Constant, or computed from shapes), or the branches agree`);
  }
  return ops.where(cond, ta, tb);
}

export const CONTROL_FLOW_OPS: OpTable = {
  If: {
    hostInputs: [0],
    run: (call) => {
      const thenBranch = call.graph('then_branch'), elseBranch = call.graph('else_branch');
      for (const [name, g] of [['then_branch', thenBranch], ['else_branch', elseBranch]] as const) {
        if (g.outputs.length !== call.node.outputs.length) throw call.error(`its ${name} has ${g.outputs.length} outputs, the node ${call.node.outputs.length}`);
      }
      if (call.isConstant(0)) {
        const taken = call.constant(0, 'condition');
        if (taken.size !== 1) throw call.error(`its condition should hold one element, it is [${taken.shape.join(', ')}]`);
        return taken.data[0] ? call.runGraph('then_branch', thenBranch, []) : call.runGraph('else_branch', elseBranch, []);
      }
      const cond = call.tensor(0);
      if (cond.size !== 1) throw call.error(`its condition should hold one element, it is [${cond.shape.join(', ')}]`);
      const a = call.runGraph('then_branch', thenBranch, []), b = call.runGraph('else_branch', elseBranch, []);
      const c = ops.reshape(cond, []);
      return a.map((v, k) => select(call, c, v, b[k], k));
    },
  },

  Loop: {
    hostInputs: [0, 1],
    run: (call) => {
      const body = call.graph('body');
      const carriedCount = Math.max(0, call.inputCount - 2);
      const scanCount = call.node.outputs.length - carriedCount;
      if (scanCount < 0) throw call.error(`has ${carriedCount} loop-carried inputs but only ${call.node.outputs.length} outputs; each carried value has a final output`);
      checkArity(call, 'body', body, 2 + carriedCount, 1 + carriedCount + scanCount, 'inputs: iteration number, condition, carried values; outputs: condition, carried values, scan outputs');
      if (!call.has(0) && !call.has(1)) throw call.error('has neither a trip count (input 0) nor a condition (input 1): it would never stop');
      const refusal = `tmnn decides each iteration on the host without reading the device back, and how many run sets the scan outputs' shapes: a loop whose length depends on tensor data is not supported. A loop over a range of sizes or constants is: re-export with the count fixed, or taken from an input's shape`;
      const trips = call.has(0) ? onHost(call, call.isConstant(0) ? call.constant(0, 'trip count') : call.value(0), 'its trip count (input 0)', refusal) : Infinity;
      let cond = call.has(1) ? onHost(call, call.isConstant(1) ? call.constant(1, 'condition') : call.value(1), 'its condition (input 1)', refusal) !== 0 : true;
      let carried = Array.from({ length: carriedCount }, (_, i) => call.value(2 + i));
      const scans: Value[][] = Array.from({ length: scanCount }, () => []);
      for (let i = 0; i < trips && cond; i++) {
        const out = tidy(() => call.runGraph('body', body, [scalar('int64', i), scalar('bool', 1), ...carried]));
        cond = onHost(call, out[0], `its body's condition output (${body.outputs[0].name}, iteration ${i})`, refusal) !== 0;
        carried = out.slice(1, 1 + carriedCount);
        out.slice(1 + carriedCount).forEach((v, k) => scans[k].push(v));
      }
      return [...carried, ...scans.map((items, k) => stackValues(call, items, 0, body.outputs[1 + carriedCount + k], 'body'))];
    },
  },

  Scan: {
    run: (call) => {
      if (call.opset < 9) throw call.error(`opset ${call.opset}'s Scan (a batch axis, and sequence_lens as input 0) is not supported; re-export the model with opset 9 or later`);
      const body = call.graph('body');
      const scanInputs = call.int('num_scan_inputs');
      if (scanInputs === undefined) throw call.error('attribute num_scan_inputs is required');
      const stateCount = call.inputCount - scanInputs;
      if (scanInputs < 1 || stateCount < 0) throw call.error(`num_scan_inputs = ${scanInputs} should be between 1 and its ${call.inputCount} inputs`);
      const scanOutputs = call.node.outputs.length - stateCount;
      if (scanOutputs < 0) throw call.error(`has ${stateCount} state inputs but only ${call.node.outputs.length} outputs; each state has a final output`);
      checkArity(call, 'body', body, stateCount + scanInputs, stateCount + scanOutputs, 'inputs: states, scan input slices; outputs: states, scan output slices');
      const list = (name: string, count: number, what: (v: number) => boolean, rule: string): number[] => {
        const v = call.ints(name, new Array<number>(count).fill(0));
        if (v.length !== count) throw call.error(`${name} has ${v.length} entries, it should have ${count}`);
        const bad = v.find((x) => !what(x));
        if (bad !== undefined) throw call.error(`${name} holds ${bad}; ${rule}`);
        return v;
      };
      const isDirection = (v: number) => v === 0 || v === 1;
      const directions = 'a direction is 0 (forward) or 1 (reverse)';
      const inAxes = list('scan_input_axes', scanInputs, Number.isInteger, 'an axis is an integer');
      const inDirections = list('scan_input_directions', scanInputs, isDirection, directions);
      const outAxes = list('scan_output_axes', scanOutputs, Number.isInteger, 'an axis is an integer');
      const outDirections = list('scan_output_directions', scanOutputs, isDirection, directions);

      // Each scan input cut into its slices once, in the order the iterations read them.
      let length = -1;
      const slices = inAxes.map((axis0, j) => {
        const x = call.value(stateCount + j);
        const name = call.node.inputs[stateCount + j];
        const axis = normalize(call, axis0, x.shape.length, `scan input ${name}'s axis`);
        if (length >= 0 && x.shape[axis] !== length) throw call.error(`its scan inputs differ in length: ${call.node.inputs[stateCount]} has ${length} along its scan axis, ${name} ${x.shape[axis]}`);
        length = x.shape[axis];
        const parts: Value[] = x instanceof Constant ? Array.from({ length }, (_, i) => hostIndex(x, axis, i)) : length ? ops.unbind(x, axis) : [];
        return inDirections[j] ? parts.reverse() : parts;
      });

      let states = Array.from({ length: stateCount }, (_, i) => call.value(i));
      const scans: Value[][] = Array.from({ length: scanOutputs }, () => []);
      for (let t = 0; t < length; t++) {
        const out = tidy(() => call.runGraph('body', body, [...states, ...slices.map((parts) => parts[t])]));
        states = out.slice(0, stateCount);
        out.slice(stateCount).forEach((v, k) => scans[k].push(v));
      }
      // A reverse scan output holds the last iteration's value first.
      return [...states, ...scans.map((items, k) => stackValues(call, outDirections[k] ? items.reverse() : items, outAxes[k], body.outputs[stateCount + k], 'body'))];
    },
  },
};
