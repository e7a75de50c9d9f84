// ONNX's control flow: If, Loop and Scan, each running subgraphs (branches,
// bodies) that read the enclosing graphs' values by name.
//
// tmnn's synchronous run never reads a device tensor back, so every decision
// that picks what runs — which branch, whether another iteration — must be
// known on the host there: a Constant (a Constant node, an int initializer,
// shape arithmetic, a loop's own counter). That covers what exporters emit
// for Python control flow on sizes and arguments: PyTorch's scripted
// `for i in range(n)` is a Loop with a host trip count and a constant-true
// condition. Where a decision is data on the device:
// - If runs both branches and picks each output with tm.where, when the
//   branches' outputs agree in shape and type: the same result, and the
//   gradient flows to the branch taken. Otherwise it is refused.
// - Loop is refused: how many iterations run decides the scan outputs'
//   shapes, which cannot be known without reading the condition back.
// An asynchronous run (runAsync) reads such decisions back instead: If runs
// only the branch taken, Loop reads its condition after each iteration, and
// every subgraph runs through the asynchronous runner.
// Iterations are unrolled into the autograd graph, so gradients flow through
// every iteration to the parameters the body reads. Each runs in a tidy of its
// own, so a long loop holds only its carried values and scan outputs, not
// every iteration's intermediates (what backward needs, the ops saved).
// Opset 8's Scan is batched: the body runs over each batch entry in turn,
// for that entry's sequence_lens (a decision that must be on the host too).
// A carried value or an If output may be a sequence (a Python list being
// built) or an optional; a device-condition If picks two lists of one length
// item by item, and two optionals both full (or both empty) by their elements.
import { tidy } from '../../engine.js';
import * as ops from '../../ops/index.js';
import { Tensor } from '../../tensor.js';
import { hostIndex, hostStack } from '../host_math.js';
import { USE_RUN_ASYNC, type NodeCall } from '../node_call.js';
import { DATA_TYPES, type OnnxGraphProto, type OnnxValueInfo } from '../proto.js';
import { Optional } from '../optional.js';
import { Sequence, type SequenceItem } from '../sequence.js';
import type { MapSequence, OnnxMap } from '../map_sequence.js';
import type { StringTensor } from '../string_tensor.js';
import { Constant, describeValue, elementTypeOf, isStructured, isRunnable, type Value } from '../value.js';
import type { OpTable } from './op.js';

const scalar = (type: 'int64' | 'bool', v: number): Constant => new Constant(type, [], Float64Array.of(v));

/** A one-element value known on the host, as a number; `what` says where it came from when it is not. */
function onHost(call: NodeCall, v: Value, what: string, why: string): number {
  if (isStructured(v)) throw call.error(`${what} is ${describeValue(v)}; it should be a one-element tensor`);
  if (v instanceof Tensor) {
    throw call.error(`${what} is computed on the device (from the model's inputs or parameters); ${why}`);
  }
  if (v.size !== 1) throw call.error(`${what} should hold one element, it is [${v.shape.join(', ')}]`);
  return v.data[0];
}

/** onHost in an asynchronous run: a value on the device is read back. */
async function readHost(call: NodeCall, v: Value, what: string): Promise<number> {
  if (isStructured(v)) throw call.error(`${what} is ${describeValue(v)}; it should be a one-element tensor`);
  if (v.size !== 1) throw call.error(`${what} should hold one element, it is [${v.shape.join(', ')}]`);
  return v instanceof Constant ? v.data[0] : (await v.data())[0];
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
function stackValues(call: NodeCall, values: readonly Value[], axis: number, info: OnnxValueInfo, body: string): Value {
  if (!values.length) return emptyStack(call, info, axis, body);
  const items = values.filter((v): v is SequenceItem => !(v instanceof Sequence || v instanceof Optional));
  if (items.length !== values.length) {
    const other = values.find((v) => v instanceof Sequence || v instanceof Optional)!;
    throw call.error(`its scan output ${info.name} is ${other instanceof Sequence ? 'a sequence' : describeValue(other)}; ONNX stacks tensors as scan outputs (carry a sequence as a loop-carried value to collect a list)`);
  }
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
  if (isStructured(a) || isStructured(b)) {
    // Sequences of the same length pick item by item, optionals both full by their elements (both empty: either);
    // otherwise which one the run gives decides a shape, which cannot be picked on the device.
    const refuse = () => call.error(`its condition is computed on the device, so tmnn's synchronous run runs both branches and picks each output with where; output ${k} (${name}) is ${describeValue(a)} from then_branch but ${describeValue(b)} from else_branch, which cannot be picked elementwise. ${USE_RUN_ASYNC}, and runs only the branch taken`);
    if (a instanceof Sequence && b instanceof Sequence && a.length === b.length) {
      return new Sequence(a.elementType ?? b.elementType, a.items.map((item, j) => select(call, cond, item, b.items[j], k) as SequenceItem));
    }
    if (a instanceof Optional && b instanceof Optional && a.hasElement === b.hasElement) {
      if (!a.element || !b.element) return a;
      const element = select(call, cond, a.element, b.element, k) as Exclude<Value, Optional | MapSequence | OnnxMap | StringTensor>;
      return new Optional({ elementType: a.type.elementType ?? b.type.elementType, sequence: a.type.sequence }, element);
    }
    throw refuse();
  }
  const ta = call.asTensor(a, `then_branch output ${k}`), tb = call.asTensor(b, `else_branch output ${k}`);
  const sameShape = ta.rank === tb.rank && ta.shape.every((d, i) => d === tb.shape[i]);
  if (!sameShape || ta.dtype !== tb.dtype) {
    throw call.error(`its condition is computed on the device, so tmnn's synchronous run runs both branches and picks each output with where; output ${k} (${name}) is ${elementTypeOf(ta)} [${ta.shape.join(', ')}] from then_branch but ${elementTypeOf(tb)} [${tb.shape.join(', ')}] from else_branch, which cannot be picked elementwise. ${USE_RUN_ASYNC}, and runs only the branch taken; or make the condition known without the device (a Constant, or computed from shapes), or the branches agree`);
  }
  return ops.where(cond, ta, tb);
}

/** An If's two branches, each with as many outputs as the node. */
function branches(call: NodeCall): [OnnxGraphProto, OnnxGraphProto] {
  const thenBranch = call.graph('then_branch'), elseBranch = call.graph('else_branch');
  for (const [name, g] of [['then_branch', thenBranch], ['else_branch', elseBranch]] as const) {
    if (g.outputs.length !== call.node.outputs.length) throw call.error(`its ${name} has ${g.outputs.length} outputs, the node ${call.node.outputs.length}`);
  }
  return [thenBranch, elseBranch];
}

/** An If's condition, known on the host. */
function ifCondition(call: NodeCall): boolean {
  const taken = call.constant(0, 'condition');
  if (taken.size !== 1) throw call.error(`its condition should hold one element, it is [${taken.shape.join(', ')}]`);
  return taken.data[0] !== 0;
}

const LOOP_REFUSAL = `how many iterations run sets the scan outputs' shapes, so a loop whose length depends on tensor data needs the device read back: ${USE_RUN_ASYNC}. A loop over a range of sizes or constants runs synchronously: re-export with the count fixed, or taken from an input's shape`;

/** A Loop's body and how many carried values and scan outputs it has, checked against the node. */
function loopPlan(call: NodeCall): { body: OnnxGraphProto; carriedCount: number; scanCount: number } {
  const body = call.graph('body');
  const carriedCount = Math.max(0, call.inputCount - 2);
  const scanCount = call.node.outputs.length - carriedCount;
  if (scanCount < 0) throw call.error(`has ${carriedCount} loop-carried inputs but only ${call.node.outputs.length} outputs; each carried value has a final output`);
  checkArity(call, 'body', body, 2 + carriedCount, 1 + carriedCount + scanCount, 'inputs: iteration number, condition, carried values; outputs: condition, carried values, scan outputs');
  if (!call.has(0) && !call.has(1)) throw call.error('has neither a trip count (input 0) nor a condition (input 1): it would never stop');
  return { body, carriedCount, scanCount };
}

interface ScanPlan {
  body: OnnxGraphProto;
  stateCount: number;
  scanOutputs: number;
  outAxes: number[];
  outDirections: number[];
  /** Each scan input cut into its slices, in the order the iterations read them (as many as iterations). */
  slices: Value[][];
}

/** A Scan's body and how many states, scan inputs and scan outputs it has, checked against the node, whose states start at input `first`. */
function scanCounts(call: NodeCall, first: number, layout: string): { body: OnnxGraphProto; stateCount: number; scanInputs: number; scanOutputs: number } {
  const body = call.graph('body');
  const scanInputs = call.int('num_scan_inputs');
  if (scanInputs === undefined) throw call.error('attribute num_scan_inputs is required');
  const stateCount = call.inputCount - first - scanInputs;
  if (scanInputs < 1 || stateCount < 0) throw call.error(`num_scan_inputs = ${scanInputs} should be between 1 and its ${call.inputCount - first} inputs${first ? ' after sequence_lens' : ''}`);
  const scanOutputs = call.node.outputs.length - stateCount;
  if (scanOutputs < 0) throw call.error(`has ${stateCount} state inputs but only ${call.node.outputs.length} outputs; each state has a final output`);
  checkArity(call, 'body', body, stateCount + scanInputs, stateCount + scanOutputs, layout);
  return { body, stateCount, scanInputs, scanOutputs };
}

/** Integer attribute `name` of `count` entries (zeros where absent), each passing `what`. */
function intList(call: NodeCall, name: string, count: number, what: (v: number) => boolean, rule: string): number[] {
  const v = call.ints(name, new Array<number>(count).fill(0));
  if (v.length !== count) throw call.error(`${name} has ${v.length} entries, it should have ${count}`);
  const bad = v.find((x) => !what(x));
  if (bad !== undefined) throw call.error(`${name} holds ${bad}; ${rule}`);
  return v;
}

const isDirection = (v: number) => v === 0 || v === 1;
const DIRECTIONS = 'a direction is 0 (forward) or 1 (reverse)';

/** A Scan's attributes checked against its inputs and body, and its scan inputs cut into slices. */
function scanPlan(call: NodeCall): ScanPlan {
  const { body, stateCount, scanInputs, scanOutputs } = scanCounts(call, 0, 'inputs: states, scan input slices; outputs: states, scan output slices');
  const inAxes = intList(call, 'scan_input_axes', scanInputs, Number.isInteger, 'an axis is an integer');
  const inDirections = intList(call, 'scan_input_directions', scanInputs, isDirection, DIRECTIONS);
  const outAxes = intList(call, 'scan_output_axes', scanOutputs, Number.isInteger, 'an axis is an integer');
  const outDirections = intList(call, 'scan_output_directions', scanOutputs, isDirection, DIRECTIONS);

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
  return { body, stateCount, scanOutputs, outAxes, outDirections, slices };
}

/**
 * Opset 8's Scan, batched: input 0 the optional sequence_lens ([batch], int64),
 * then states [batch, …] and scan inputs [batch, T, …]. The body sees one
 * batch entry at a time (its states and slices without the batch axis); entry
 * b runs sequence_lens[b] iterations (1 to T; T where not given), a reverse scan input
 * read from position sequence_lens[b] − 1 down, and its scan outputs are
 * padded with zeros to T, as onnxruntime does.
 */
interface BatchedScanPlan {
  body: OnnxGraphProto;
  stateCount: number;
  scanOutputs: number;
  /** Per batch entry: its states, then each scan input's slices in the order its iterations read them. */
  entries: { states: Value[]; slices: Value[][] }[];
  /** The scan inputs' length along axis 1: every scan output's, after padding. */
  length: number;
}

/** The batch entries of x: slices along axis 0, on the host for a Constant. */
function entriesOf(x: Tensor | Constant): Value[] {
  if (x instanceof Constant) return Array.from({ length: x.shape[0] }, (_, i) => hostIndex(x, 0, i));
  return x.shape[0] ? ops.unbind(x, 0) : [];
}

/** Opset 8's Scan checked against its inputs and body, each batch entry cut out; `lengths` the sequence_lens read on the host (undefined: not given). */
function batchedScanPlan(call: NodeCall, lengths: Constant | undefined): BatchedScanPlan {
  const { body, stateCount, scanInputs, scanOutputs } = scanCounts(call, 1, 'opset 8: inputs: states, scan input slices of one batch entry; outputs: states, scan output slices');
  const directions = intList(call, 'directions', scanInputs, isDirection, DIRECTIONS);

  const values = Array.from({ length: stateCount + scanInputs }, (_, i) => call.value(1 + i));
  const name = (i: number) => call.node.inputs[1 + i];
  const batch = values[0].shape[0];
  values.forEach((v, i) => {
    const least = i < stateCount ? 1 : 2;
    if (v.shape.length < least) throw call.error(`${i < stateCount ? 'state' : 'scan input'} ${name(i)} is [${v.shape.join(', ')}]; opset 8's Scan takes ${i < stateCount ? 'states [batch, …]' : 'scan inputs [batch, sequence, …]'}`);
    if (v.shape[0] !== batch) throw call.error(`its inputs differ in batch size: ${name(0)} has ${batch} entries, ${name(i)} ${v.shape[0]}`);
  });
  const length = values[stateCount].shape[1];
  const mismatch = values.slice(stateCount).findIndex((v) => v.shape[1] !== length);
  if (mismatch >= 0) throw call.error(`its scan inputs differ in length: ${name(stateCount)} has ${length} along axis 1, ${name(stateCount + mismatch)} ${values[stateCount + mismatch].shape[1]}`);
  if (lengths && lengths.size !== batch) throw call.error(`sequence_lens (input 0) holds ${lengths.size} lengths for a batch of ${batch}`);
  const lengthOf = (b: number): number => {
    if (!lengths) return length;
    const n = lengths.data[b];
    // onnxruntime's rule: a given length is at least 1.
    if (!Number.isInteger(n) || n < 1 || n > length) throw call.error(`sequence_lens[${b}] is ${n}; it should be between 1 and the scan inputs' length ${length}`);
    return n;
  };

  const perValue = values.map(entriesOf);
  const entries = Array.from({ length: batch }, (_, b) => {
    const n = lengthOf(b);
    const slices = perValue.slice(stateCount).map((entries, j) => {
      const x = entries[b] as Tensor | Constant;
      const parts: Value[] = x instanceof Constant ? Array.from({ length: n }, (_, t) => hostIndex(x, 0, t)) : ops.unbind(x, 0).slice(0, n);
      return directions[j] ? parts.reverse() : parts;
    });
    return { states: perValue.slice(0, stateCount).map((entries) => entries[b]), slices };
  });
  return { body, stateCount, scanOutputs, entries, length };
}

/** Opset 8's outputs: each final state stacked over the batch, each scan output padded with zeros to the full length and stacked likewise. */
function batchedScanResult(call: NodeCall, plan: BatchedScanPlan, entries: readonly ScanSteps[]): Value[] {
  const info = (k: number) => plan.body.outputs[k];
  const finals = Array.from({ length: plan.stateCount }, (_, k) => stackValues(call, entries.map((entry) => entry.states[k]), 0, info(k), 'body'));
  const outputs = Array.from({ length: plan.scanOutputs }, (_, k) => {
    const rows = entries.map((entry) => {
      const items = entry.outputs[k];
      const short = plan.length - items.length;
      // A short entry ran at least once (lengths start at 1): its first slice gives the padding's shape and type.
      const padded = short ? [...items, ...new Array<Value>(short).fill(zeroLike(call, items[0], info(plan.stateCount + k)))] : items;
      return stackValues(call, padded, 0, info(plan.stateCount + k), 'body');
    });
    if (rows.length) return stackValues(call, rows, 0, info(plan.stateCount + k), 'body');
    const slice = emptyStack(call, info(plan.stateCount + k), 0, 'body');
    return new Constant(slice.type, [0, plan.length, ...slice.shape.slice(1)], new Float64Array(0));
  });
  return [...finals, ...outputs];
}

/** Zeros of a scan output slice's shape and type. */
function zeroLike(call: NodeCall, seen: Value, info: OnnxValueInfo): Value {
  if (seen instanceof Constant) return new Constant(seen.type, seen.shape, new Float64Array(seen.size));
  if (seen instanceof Tensor) return ops.zeros(seen.shape, { dtype: seen.dtype });
  throw call.error(`its scan output ${info.name} is ${describeValue(seen)}; ONNX stacks tensors as scan outputs`);
}

const LENGTHS_REFUSAL = `how many iterations each batch entry runs is read from it, so sequence_lens computed on the device needs the device read back: ${USE_RUN_ASYNC}`;

/** sequence_lens of opset 8's Scan where given, known on the host. */
function batchLengths(call: NodeCall): Constant | undefined {
  if (!call.has(0)) return undefined;
  const v = call.value(0);
  if (v instanceof Tensor) throw call.error(`its sequence_lens (input 0, ${call.node.inputs[0]}) is computed on the device (from the model's inputs or parameters); ${LENGTHS_REFUSAL}`);
  return v;
}

/** batchLengths in an asynchronous run: a device tensor is read back. */
async function readBatchLengths(call: NodeCall): Promise<Constant | undefined> {
  if (!call.has(0)) return undefined;
  const v = call.value(0);
  return v instanceof Constant ? v : new Constant('int64', [...v.shape], Float64Array.from(await v.data()));
}

/** A Scan's outputs: the final states, then each scan output stacked (a reverse one holds the last iteration's value first). */
function scanResult(call: NodeCall, plan: ScanPlan, states: Value[], scans: Value[][]): Value[] {
  return [...states, ...scans.map((items, k) => stackValues(call, plan.outDirections[k] ? items.reverse() : items, plan.outAxes[k], plan.body.outputs[plan.stateCount + k], 'body'))];
}

/** What one scan (opset 9's, or one batch entry of opset 8's) leaves: its final states and each scan output's slices, in iteration order. */
interface ScanSteps {
  states: Value[];
  outputs: Value[][];
}

/** `states` carried through the body once per slice of `slices` (each scan input's, in the order the iterations read them), each iteration in a tidy of its own. */
function scanSteps(call: NodeCall, body: OnnxGraphProto, stateCount: number, scanOutputs: number, states: Value[], slices: readonly Value[][]): ScanSteps {
  const outputs: Value[][] = Array.from({ length: scanOutputs }, () => []);
  for (let t = 0; t < slices[0].length; t++) {
    const out = tidy(() => call.runGraph('body', body, [...states, ...slices.map((parts) => parts[t])]));
    states = out.slice(0, stateCount);
    out.slice(stateCount).forEach((v, k) => outputs[k].push(v));
  }
  return { states, outputs };
}

/** scanSteps through the asynchronous runner. */
async function scanStepsAsync(call: NodeCall, body: OnnxGraphProto, stateCount: number, scanOutputs: number, states: Value[], slices: readonly Value[][]): Promise<ScanSteps> {
  const outputs: Value[][] = Array.from({ length: scanOutputs }, () => []);
  for (let t = 0; t < slices[0].length; t++) {
    const out = await call.runGraphAsync('body', body, [...states, ...slices.map((parts) => parts[t])]);
    states = out.slice(0, stateCount);
    out.slice(stateCount).forEach((v, k) => outputs[k].push(v));
  }
  return { states, outputs };
}

/** Opset 8's Scan through the asynchronous runner: sequence_lens read back where computed on the device. */
async function batchedScanAsync(call: NodeCall): Promise<Value[]> {
  const lengths = await readBatchLengths(call);
  // Entries and slices cut outside any node's tidy: freed here once the scan is done, unless a body passed one out.
  const plan = call.step(() => batchedScanPlan(call, lengths));
  let result: Value[] = [];
  try {
    const ran: ScanSteps[] = [];
    for (const entry of plan.entries) ran.push(await scanStepsAsync(call, plan.body, plan.stateCount, plan.scanOutputs, entry.states, entry.slices));
    result = call.step(() => batchedScanResult(call, plan, ran));
  } finally {
    const kept = new Set<Value>(result);
    for (const entry of plan.entries) for (const v of [...entry.states, ...entry.slices.flat()]) if (v instanceof Tensor && !kept.has(v) && !v.isDisposed) v.dispose();
  }
  return result;
}

export const CONTROL_FLOW_OPS: OpTable = {
  If: {
    hostInputs: [0],
    run: (call) => {
      const [thenBranch, elseBranch] = branches(call);
      if (call.isConstant(0)) {
        const taken = ifCondition(call);
        return taken ? call.runGraph('then_branch', thenBranch, []) : call.runGraph('else_branch', elseBranch, []);
      }
      const cond = call.tensor(0);
      if (cond.size !== 1) throw call.error(`its condition should hold one element, it is [${cond.shape.join(', ')}]`);
      const a = call.runGraph('then_branch', thenBranch, []), b = call.runGraph('else_branch', elseBranch, []);
      const c = ops.reshape(cond, []);
      return a.map((v, k) => select(call, c, v, b[k], k));
    },
    // The condition was read back (hostInputs): only the branch taken runs, whatever the other's shapes.
    runAsync: async (call) => {
      const [thenBranch, elseBranch] = branches(call);
      return ifCondition(call) ? call.runGraphAsync('then_branch', thenBranch, []) : call.runGraphAsync('else_branch', elseBranch, []);
    },
  },

  Loop: {
    hostInputs: [0, 1],
    run: (call) => {
      const { body, carriedCount, scanCount } = loopPlan(call);
      const trips = call.has(0) ? onHost(call, call.isConstant(0) ? call.constant(0, 'trip count') : call.value(0), 'its trip count (input 0)', LOOP_REFUSAL) : Infinity;
      let cond = call.has(1) ? onHost(call, call.isConstant(1) ? call.constant(1, 'condition') : call.value(1), 'its condition (input 1)', LOOP_REFUSAL) !== 0 : true;
      let carried = Array.from({ length: carriedCount }, (_, i) => call.anyValue(2 + i));
      const scans: Value[][] = Array.from({ length: scanCount }, () => []);
      for (let i = 0; i < trips && cond; i++) {
        const out = tidy(() => call.runGraph('body', body, [scalar('int64', i), scalar('bool', 1), ...carried]));
        cond = onHost(call, out[0], `its body's condition output (${body.outputs[0].name}, iteration ${i})`, LOOP_REFUSAL) !== 0;
        carried = out.slice(1, 1 + carriedCount);
        out.slice(1 + carriedCount).forEach((v, k) => scans[k].push(v));
      }
      return [...carried, ...scans.map((items, k) => stackValues(call, items, 0, body.outputs[1 + carriedCount + k], 'body'))];
    },
    // The trip count and first condition were read back (hostInputs); each iteration's condition is read as it comes.
    runAsync: async (call) => {
      const { body, carriedCount, scanCount } = loopPlan(call);
      const trips = call.has(0) ? onHost(call, call.constant(0, 'trip count'), 'its trip count (input 0)', LOOP_REFUSAL) : Infinity;
      let cond = call.has(1) ? onHost(call, call.constant(1, 'condition'), 'its condition (input 1)', LOOP_REFUSAL) !== 0 : true;
      let carried = Array.from({ length: carriedCount }, (_, i) => call.anyValue(2 + i));
      const scans: Value[][] = Array.from({ length: scanCount }, () => []);
      for (let i = 0; i < trips && cond; i++) {
        const out = await call.runGraphAsync('body', body, [scalar('int64', i), scalar('bool', 1), ...carried]);
        cond = (await readHost(call, out[0], `its body's condition output (${body.outputs[0].name}, iteration ${i})`)) !== 0;
        carried = out.slice(1, 1 + carriedCount);
        out.slice(1 + carriedCount).forEach((v, k) => scans[k].push(v));
      }
      return call.step(() => [...carried, ...scans.map((items, k) => stackValues(call, items, 0, body.outputs[1 + carriedCount + k], 'body'))]);
    },
  },

  Scan: {
    run: (call) => {
      if (call.opset < 9) {
        const plan = batchedScanPlan(call, batchLengths(call));
        return batchedScanResult(call, plan, plan.entries.map((entry) => scanSteps(call, plan.body, plan.stateCount, plan.scanOutputs, entry.states, entry.slices)));
      }
      const plan = scanPlan(call);
      const ran = scanSteps(call, plan.body, plan.stateCount, plan.scanOutputs, Array.from({ length: plan.stateCount }, (_, i) => call.anyValue(i)), plan.slices);
      return scanResult(call, plan, ran.states, ran.outputs);
    },
    runAsync: async (call) => {
      if (call.opset < 9) return batchedScanAsync(call);
      // Slices cut outside any node's tidy: freed here once the scan is done, unless a body passed one out as a state.
      const plan = call.step(() => scanPlan(call));
      let result: Value[] = [];
      try {
        const ran = await scanStepsAsync(call, plan.body, plan.stateCount, plan.scanOutputs, Array.from({ length: plan.stateCount }, (_, i) => call.anyValue(i)), plan.slices);
        result = call.step(() => scanResult(call, plan, ran.states, ran.outputs));
      } finally {
        const kept = new Set<Value>(result);
        for (const parts of plan.slices) for (const v of parts) if (v instanceof Tensor && !kept.has(v) && !v.isDisposed) v.dispose();
      }
      return result;
    },
  },
};
