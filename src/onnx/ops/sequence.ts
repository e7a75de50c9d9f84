// ONNX's sequence ops: building a list of tensors (SequenceEmpty,
// SequenceConstruct, SequenceInsert, SequenceErase), reading it
// (SequenceAt, SequenceLength) and turning it back into a tensor and out of
// one (ConcatFromSequence, SplitToSequence) — what PyTorch's scripted Python
// lists export to. Each op returns a new Sequence sharing its items (sequence.ts).
// The tensor ops among them are tmnn's own (concat, stack, split; SequenceAt
// passes its item through), so gradients flow through a list as through any
// tensor. Positions are read on the host, as a Loop's iteration number is.
import * as ops from '../../ops/index.js';
import type { Tensor } from '../../tensor.js';
import { hostConcat, hostSplit, hostStack } from '../host_math.js';
import type { NodeCall } from '../node_call.js';
import { DATA_TYPES } from '../proto.js';
import { Sequence, type SequenceItem } from '../sequence.js';
import { placesOf, stringsAt } from '../string_ops.js';
import { StringTensor } from '../string_tensor.js';
import { Constant, elementTypeOf, isIntegerType, isRunnable, type ElementType } from '../value.js';
import type { OpTable } from './op.js';

const shapeText = (shape: readonly number[]): string => `[${shape.join(', ')}]`;

/** What an ONNX element type runs as in tmnn: f32, f16, an integer (i32 holds every integer type and bool), or strings. */
export function family(type: ElementType | 'string'): string {
  return type === 'string' ? 'string' : type === 'float16' ? 'f16' : isIntegerType(type) || type === 'bool' ? 'integer' : 'f32';
}

/** What an item runs as: a Constant by its type, a tensor by its dtype. */
export function itemFamily(v: SequenceItem | StringTensor): string {
  if (v instanceof StringTensor) return 'string';
  if (v instanceof Constant) return family(v.type);
  return v.dtype === 'f32' ? 'f32' : v.dtype === 'f16' ? 'f16' : 'integer';
}

/** Input i as a sequence's item: a tensor, or a tensor of strings. */
function item(call: NodeCall, i: number): SequenceItem | StringTensor {
  const v = call.anyValue(i);
  return v instanceof StringTensor ? v : call.value(i);
}

/** An item's ONNX element type where it is known. */
function itemType(call: NodeCall, i: number): ElementType | 'string' | undefined {
  const v = item(call, i);
  if (v instanceof StringTensor) return 'string';
  return v instanceof Constant ? v.type : call.elementType(i) ?? elementTypeOf(v);
}

/** Refuses an item that does not run as the sequence's other items do (a float among integers, numbers among strings). */
function checkFits(call: NodeCall, seq: Sequence, item: SequenceItem | StringTensor, what: string): void {
  const want = seq.items.length ? itemFamily(seq.items[0]) : seq.elementType && family(seq.elementType);
  if (want && itemFamily(item) !== want) {
    const type = item instanceof StringTensor ? 'string' : item instanceof Constant ? item.type : item.dtype;
    throw call.error(`${what} is ${type}, but the sequence holds ${seq.elementType ?? want} tensors; a sequence's tensors share one element type`);
  }
}

/** `move` (a host op that only moves elements: concatenation, a split) done on tensors of strings, by their places (string_ops.ts). */
function moveStrings(items: readonly StringTensor[], move: (places: Constant[]) => Constant[]): StringTensor[] {
  const { pool, placed } = placesOf(items);
  return move(placed as Constant[]).map((c) => stringsAt(pool, c));
}

/**
 * A position input (a Loop's counter, a constant) read on the host, checked
 * against ONNX's range: [-n, n-1] for an item, [-n, n] for an insertion
 * point; negative counts from the end.
 */
function position(call: NodeCall, i: number, length: number, inserting: boolean): number {
  const p = call.constant(i, 'position');
  if (p.size !== 1) throw call.error(`its position (input ${i}) should be a scalar, it is ${shapeText(p.shape)}`);
  const at = p.data[0];
  const last = inserting ? length : length - 1;
  if (!Number.isInteger(at) || at < -length || at > last) {
    const range = length === 0 && !inserting ? 'it is empty' : `positions run from ${-length} to ${last}`;
    throw call.error(`position ${at} is out of range for a sequence of ${length} tensors (${range})`);
  }
  return at < 0 ? at + length : at;
}

function normalizeAxis(call: NodeCall, axis: number, rank: number, what: string): number {
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) throw call.error(`${what} ${axis} is outside [${-rank}, ${rank - 1}]`);
  return axis < 0 ? axis + rank : axis;
}

/** The sizes SplitToSequence cuts an axis of n into: `split` a scalar (pieces of that size, the last what is left) or a list adding up to n. */
function splitSizes(call: NodeCall, split: Constant, n: number, axis: number): number[] {
  if (split.shape.length === 0) {
    const s = split.data[0];
    if (!Number.isInteger(s) || s <= 0) throw call.error(`its split (input 1) is ${s}; a scalar split is the size of each piece, a positive integer`);
    return Array.from({ length: Math.ceil(n / s) }, (_, k) => Math.min(s, n - k * s));
  }
  if (split.shape.length !== 1) throw call.error(`its split (input 1) should be a scalar or a 1-D list of sizes, it is ${shapeText(split.shape)}`);
  const sizes = split.values();
  if (sizes.some((s) => !Number.isInteger(s) || s < 0)) throw call.error(`its split [${sizes.join(', ')}] should hold non-negative integer sizes`);
  const total = sizes.reduce((a, b) => a + b, 0);
  if (total !== n) throw call.error(`its split [${sizes.join(', ')}] adds up to ${total}, not to the ${n} of axis ${axis} of its input`);
  return sizes;
}

/** c cut along `axis` into pieces of `sizes` (hostSplit), each without the axis where `keep` is false (pieces of 1). */
function splitHost(c: Constant, sizes: readonly number[], axis: number, keep: boolean): Constant[] {
  const pieces = hostSplit(c, sizes, axis);
  return keep ? pieces : pieces.map((p) => new Constant(p.type, p.shape.filter((_, i) => i !== axis), p.data));
}

export const SEQUENCE_OPS: OpTable = {
  SequenceEmpty: {
    run: (call) => {
      const code = call.int('dtype', 1);
      const type = DATA_TYPES[code];
      if (type === 'string') return new Sequence('string', []);
      if (!type || !isRunnable(type)) throw call.error(`dtype ${code} (${type ?? 'unknown'}) is not an element type tmnn runs`);
      return new Sequence(type, []);
    },
  },

  SequenceConstruct: {
    strings: 'reads',
    run: (call) => {
      if (!call.inputCount) throw call.error('has no inputs; SequenceConstruct takes one or more tensors (SequenceEmpty makes an empty sequence)');
      const items = Array.from({ length: call.inputCount }, (_, i) => item(call, i));
      const seq = new Sequence(itemType(call, 0), items.slice(0, 1));
      items.forEach((item, i) => checkFits(call, seq, item, `input ${i} (${call.node.inputs[i]})`));
      return new Sequence(seq.elementType, items);
    },
  },

  SequenceInsert: {
    strings: 'reads',
    hostInputs: [2],
    run: (call) => {
      const seq = call.sequence(0);
      const inserted = item(call, 1);
      checkFits(call, seq, inserted, `the tensor inserted (input 1, ${call.node.inputs[1]})`);
      const at = call.has(2) ? position(call, 2, seq.length, true) : seq.length;
      return new Sequence(seq.elementType ?? itemType(call, 1), [...seq.items.slice(0, at), inserted, ...seq.items.slice(at)]);
    },
  },

  SequenceAt: {
    hostInputs: [1],
    run: (call) => {
      const seq = call.sequence(0);
      return seq.items[position(call, 1, seq.length, false)];
    },
  },

  SequenceErase: {
    hostInputs: [1],
    run: (call) => {
      const seq = call.sequence(0);
      const at = call.has(1) ? position(call, 1, seq.length, false) : seq.length - 1;
      if (at < 0) throw call.error('erases the last tensor of an empty sequence');
      return new Sequence(seq.elementType, seq.items.filter((_, k) => k !== at));
    },
  },

  SequenceLength: {
    run: (call) => new Constant('int64', [], Float64Array.of(call.sequence(0).length)),
  },

  ConcatFromSequence: {
    run: (call) => {
      const seq = call.sequence(0);
      const newAxis = call.int('new_axis', 0);
      if (newAxis !== 0 && newAxis !== 1) throw call.error(`new_axis = ${newAxis} should be 0 (concatenate) or 1 (stack)`);
      const axis0 = call.int('axis');
      if (axis0 === undefined) throw call.error('attribute axis is required');
      if (!seq.length) throw call.error('its sequence is empty: there is nothing to concatenate, and no tensor to give the result its shape');
      const items = seq.items;
      const first = items[0].shape;
      const axis = normalizeAxis(call, axis0, first.length + newAxis, newAxis ? 'axis (with new_axis = 1, a position among the result\'s axes)' : 'axis');
      items.forEach((item, k) => {
        const agree = item.shape.length === first.length && item.shape.every((d, j) => d === first[j] || (!newAxis && j === axis));
        if (!agree) {
          const rule = newAxis ? 'stacking them (new_axis = 1) needs every tensor the same shape' : `concatenating them along axis ${axis} needs the same rank and every other dimension equal`;
          throw call.error(`its sequence's tensor ${k} is ${shapeText(item.shape)} but tensor 0 is ${shapeText(first)}; ${rule}`);
        }
        if (itemFamily(item) !== itemFamily(items[0])) throw call.error(`its sequence's tensor ${k} is ${itemFamily(item)} but tensor 0 is ${itemFamily(items[0])}`);
      });
      const join = (cs: readonly Constant[]) => (newAxis ? hostStack(cs, axis) : hostConcat(cs, axis));
      if (items.every((v): v is StringTensor => v instanceof StringTensor)) return moveStrings(items, (places) => [join(places)])[0];
      // A list of shapes or sizes stays on the host, for the Reshape that reads it.
      if (items.every((v): v is Constant => v instanceof Constant)) return join(items);
      const tensors = items.map((v, k) => call.asTensor(v as SequenceItem, `sequence tensor ${k}`));
      return newAxis ? ops.stack(tensors, axis) : ops.concat(tensors, axis);
    },
  },

  SplitToSequence: {
    strings: 'reads',
    hostInputs: [1],
    run: (call) => {
      const given = item(call, 0);
      const x = given instanceof StringTensor ? given : call.tensor(0);
      if (x.shape.length === 0) throw call.error('its input is a scalar: there is no axis to split');
      const axis = normalizeAxis(call, call.int('axis', 0), x.shape.length, 'axis');
      const n = x.shape[axis];
      // keepdims applies only without split: pieces cut by sizes keep the axis.
      const sizes = call.has(1) ? splitSizes(call, call.constant(1, 'split'), n, axis) : Array<number>(n).fill(1);
      const keepdims = call.has(1) ? 1 : call.int('keepdims', 1);
      if (keepdims !== 0 && keepdims !== 1) throw call.error(`keepdims = ${keepdims} should be 0 or 1`);
      if (x instanceof StringTensor) return new Sequence('string', moveStrings([x], ([places]) => splitHost(places, sizes, axis, keepdims === 1)));
      const parts = !sizes.length ? [] : keepdims ? ops.split(x, sizes, axis) : ops.unbind(x, axis);
      return new Sequence(itemType(call, 0), parts);
    },
  },
};
