// How a node with a string input runs (StringTensor; an op's `strings`
// says whether it takes one), or with a map (OnnxMap, which only ops that
// read strings take: DictVectorizer, CastMap). Both live on the host, so
// the whole node does: its numeric inputs are taken to the host first (a
// constant as it is, a js or native tensor read in place; a GPU's are read
// back by an asynchronous run before the node, and refused by the
// synchronous one).
//
// Ops that move elements without reading them (Reshape, Transpose, Gather,
// Concat…) are not written again for strings: each string input is replaced
// by the positions of its strings (an int64 Constant 0, 1, 2… — after the
// earlier inputs' strings, for Concat), the op's host form moves those, and
// the positions it returns pick the strings out. An op that compares them
// (Unique) is given their ranks instead: equal strings one number, in the
// order onnxruntime's std::string comparison puts them (bytes of UTF-8,
// which is code points' order), and output 0's ranks name them back.
import { ValueError } from '../errors.js';
import { Tensor } from '../tensor.js';
import { heldValues } from '../ops/util.js';
import { describe } from './check.js';
import { OnnxMap } from './map_sequence.js';
import { USE_RUN_ASYNC } from './node_call.js';
import type { OnnxOp } from './ops/op.js';
import type { OnnxNodeProto } from './proto.js';
import { StringTensor } from './string_tensor.js';
import { Constant, describeValue, elementTypeOf, type ElementType, type Value } from './value.js';

type Inputs = readonly (Value | undefined)[];

/** Whether the node has a string or map input, and so runs as this file says. */
export function hasHostValues(inputs: Inputs): boolean {
  return inputs.some((v) => v instanceof StringTensor || v instanceof OnnxMap);
}

/** Whether input i of `op` may hold strings: its data (what it moves, selects, reads the shape of), or anything for ops that read strings. */
function takesStrings(op: OnnxOp, i: number): boolean {
  switch (op.strings) {
    case 'reads':
    case 'movesAll':
      return true;
    case 'selects':
      return i >= 1;
    case 'scatters':
      return i === 0 || i === 2;
    case 'moves':
    case 'shape':
    case 'compares':
      return i === 0;
    default:
      return false;
  }
}

/** Refuses a string or map input where the op takes none, or not there, and numbers among strings it moves together; names the node and the input. */
function checkHostInputs(op: OnnxOp, node: OnnxNodeProto, inputs: Inputs): void {
  inputs.forEach((v, i) => {
    if (v instanceof OnnxMap && op.strings !== 'reads') throw new ValueError(`onnx: ${describe(node)}: input ${i} (${node.inputs[i]}) is ${describeValue(v)}; ${node.opType} takes no maps in tmnn`);
    const isString = v instanceof StringTensor;
    if (isString && !takesStrings(op, i)) {
      const takes = op.strings === undefined ? 'takes no strings' : op.strings === 'selects' ? 'takes strings only as inputs 1 and 2' : op.strings === 'scatters' ? 'takes strings only as inputs 0 and 2' : 'takes strings only as input 0';
      throw new ValueError(`onnx: ${describe(node)}: input ${i} (${node.inputs[i]}) is ${describeValue(v)}; ${node.opType} ${takes} in tmnn`);
    }
    if ((op.strings === 'movesAll' || op.strings === 'selects' || op.strings === 'scatters') && takesStrings(op, i) && v !== undefined && !isString) {
      throw new ValueError(`onnx: ${describe(node)}: input ${i} (${node.inputs[i]}) is ${describeValue(v)} among string tensors; ${node.opType} takes one element type`);
    }
  });
  const reduction = node.attributes.get('reduction');
  if (op.strings === 'scatters' && reduction?.kind === 'string' && reduction.value !== 'none') {
    throw new ValueError(`onnx: ${describe(node)}: reduction ${reduction.value} combines elements, and strings are only written (reduction none)`);
  }
}

/** A numeric tensor input of a string node, on the host: read in place (js, native), else refused (a GPU's, in the synchronous run). */
function onHost(node: OnnxNodeProto, i: number, t: Tensor, type: ElementType | undefined): Constant {
  const held = t.dtype === 'f16' ? undefined : heldValues(node.opType, t);
  if (held === undefined) {
    throw new ValueError(`onnx: ${describe(node)} runs on the host, having strings or a map among its inputs, and its input ${i} (${node.inputs[i]}) is computed on the device; ${USE_RUN_ASYNC}: model.runValuesAsync reads it back`);
  }
  return new Constant(type ?? elementTypeOf(t), [...t.shape], Float64Array.from({ length: t.size }, (_, k) => held[k]));
}

/**
 * The node's inputs, checked against what the op takes, with its numeric
 * tensors taken to the host (an asynchronous run has read a GPU's back
 * already).
 */
export function hostInputs(op: OnnxOp, node: OnnxNodeProto, inputs: Inputs, types: ReadonlyMap<Tensor, ElementType>): (Value | undefined)[] {
  checkHostInputs(op, node, inputs);
  return inputs.map((v, i) => (v instanceof Tensor ? onHost(node, i, v, types.get(v)) : v));
}

/** The node's outputs from inputs on the host (hostInputs): `apply` runs the op on the inputs it is given. */
export function runOnStrings(op: OnnxOp, inputs: Inputs, apply: (inputs: Inputs) => Value[]): Value[] {
  if (op.strings === 'reads') return apply(inputs);
  if (op.strings === 'compares') return runOnRanks(inputs, apply);
  const { pool, placed } = placesOf(inputs);
  const results = apply(placed);
  if (op.strings === 'shape') return results;
  return results.map((r) => (r instanceof Constant ? stringsAt(pool, r) : r));
}

/** Every StringTensor among `values` replaced by its strings' places (an int64 Constant) in one list of them all, and that list. */
export function placesOf<T>(values: readonly T[]): { pool: string[]; placed: (T | Constant)[] } {
  const pool: string[] = [];
  const placed = values.map((v) => {
    if (!(v instanceof StringTensor)) return v;
    const first = pool.length;
    for (const value of v.values) pool.push(value);
    return new Constant('int64', v.shape, Float64Array.from({ length: v.size }, (_, k) => first + k));
  });
  return { pool, placed };
}

/** The strings of `pool` at the places `c` holds, in c's shape. */
export function stringsAt(pool: readonly string[], c: Constant): StringTensor {
  return new StringTensor(Array.from(c.data, (k) => pool[k]), c.shape);
}

/** Input 0's strings as their ranks among its distinct strings (see the top); output 0 named back, the other outputs as they are. */
function runOnRanks([x, ...rest]: Inputs, apply: (inputs: Inputs) => Value[]): Value[] {
  const strings = x as StringTensor;
  const distinct = [...new Set(strings.values)].sort(byCodePoints);
  const rank = new Map(distinct.map((s, r) => [s, r]));
  const ranks = new Constant('int64', strings.shape, Float64Array.from(strings.values, (s) => rank.get(s)!));
  const [y, ...others] = apply([ranks, ...rest]);
  return [stringsAt(distinct, y as Constant), ...others];
}

/**
 * Code-point order, as UTF-8's bytes sort: JavaScript's < compares UTF-16
 * units, which puts a character past U+FFFF (a surrogate pair, D800–DFFF)
 * before U+E000–U+FFFF; moving the surrogates above them fixes that.
 */
function byCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointKey(x) - codePointKey(y);
  }
  return a.length - b.length;
}

function codePointKey(unit: number): number {
  return unit >= 0xe000 ? unit - 0x800 : unit >= 0xd800 ? unit + 0x2000 : unit;
}
