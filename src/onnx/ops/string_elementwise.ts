// ONNX's ops on strings element by element (opsets 19 and 20): Equal of two
// string tensors, StringConcat, StringSplit and RegexFullMatch, on the host
// on StringTensors, as onnxruntime's CPU kernels compute them. Equal and
// StringConcat broadcast as numeric binary ops do.
import { broadcastShapes } from '../../shape.js';
import { broadcastIndex } from '../host_math.js';
import type { NodeCall } from '../node_call.js';
import { StringTensor } from '../string_tensor.js';
import { Constant } from '../value.js';
import type { OnnxOp, OpTable } from './op.js';
import { regex } from './re2.js';

/** f of a's and b's strings, broadcast as a binary op's inputs are: the output's shape, and its elements. */
function broadcastPairs<T>(call: NodeCall, f: (x: string, y: string) => T): { shape: number[]; values: T[] } {
  const a = call.stringTensor(0), b = call.stringTensor(1);
  const shape = broadcastShapes(call.node.opType, a.shape, b.shape);
  const at = broadcastIndex(a.shape, shape), bt = broadcastIndex(b.shape, shape);
  return { shape, values: Array.from(at, (i, k) => f(a.values[i], b.values[bt[k]])) };
}

/** Equal where both inputs are strings: whether they are the same string, as bool. */
export function equalStrings(call: NodeCall): Constant {
  const { shape, values } = broadcastPairs(call, (x, y) => (x === y ? 1 : 0));
  return new Constant('bool', shape, Float64Array.from(values));
}

/** `op` (a numeric binary op) taking two string tensors too, in `stringForm`. */
export function orStrings(op: OnnxOp, stringForm: (call: NodeCall) => Constant | StringTensor): OnnxOp {
  return { ...op, strings: 'reads', run: (call) => (call.anyValue(0) instanceof StringTensor || call.anyValue(1) instanceof StringTensor ? stringForm(call) : op.run(call)) };
}

/** StringConcat: each pair of strings joined, broadcast. */
function stringConcat(call: NodeCall): StringTensor {
  const { shape, values } = broadcastPairs(call, (x, y) => x + y);
  return new StringTensor(values, shape);
}

/** One string's pieces, as Python's str.split(delimiter or None, maxsplit) gives them, but none for an empty string and no whitespace at the end of the last. */
function split(s: string, delimiter: string, maxsplit: number | undefined): string[] {
  if (s === '') return [];
  if (delimiter) {
    const pieces = s.split(delimiter);
    return maxsplit === undefined || pieces.length <= maxsplit + 1 ? pieces : [...pieces.slice(0, maxsplit), pieces.slice(maxsplit).join(delimiter)];
  }
  // At runs of whitespace, none kept at either end, the rest after maxsplit cuts included (where Python keeps its end).
  const pieces: string[] = [];
  let rest = s.trim();
  while (rest !== '') {
    const at = maxsplit !== undefined && pieces.length === maxsplit ? -1 : rest.search(/\s/);
    if (at < 0) {
      pieces.push(rest);
      break;
    }
    pieces.push(rest.slice(0, at));
    rest = rest.slice(at).trimStart();
  }
  return pieces;
}

/**
 * StringSplit: each string cut at `delimiter` (empty pieces kept), or, with
 * none, at runs of whitespace; at most `maxsplit` cuts. Y: [...X's shape,
 * the most pieces], padded with empty strings; Z: each string's count (int64).
 */
function stringSplit(call: NodeCall): [StringTensor, Constant] {
  const x = call.stringTensor(0);
  const delimiter = call.string('delimiter', '');
  const maxsplit = call.int('maxsplit');
  if (maxsplit !== undefined && maxsplit < 0) throw call.error(`maxsplit is ${maxsplit}; it must be 0 or more`);
  const pieces = x.values.map((v) => split(v, delimiter, maxsplit));
  const most = Math.max(0, ...pieces.map((p) => p.length));
  const y = pieces.flatMap((p) => [...p, ...new Array<string>(most - p.length).fill('')]);
  return [new StringTensor(y, [...x.shape, most]), new Constant('int64', x.shape, Float64Array.from(pieces, (p) => p.length))];
}

/** RegexFullMatch: whether each string matches `pattern` as a whole (RE2's syntax as JavaScript reads it, re2.ts). */
function regexFullMatch(call: NodeCall): Constant {
  const x = call.stringTensor(0);
  const pattern = call.string('pattern');
  if (pattern === undefined) throw call.error('pattern is required');
  const whole = call.fromAttributes(() => new RegExp(`^(?:${regex(call, pattern, 'pattern').source})$`, 'u'));
  return new Constant('bool', x.shape, Float64Array.from(x.values, (v) => (whole.test(v) ? 1 : 0)));
}

export const STRING_ELEMENTWISE_OPS: OpTable = {
  StringConcat: { strings: 'reads', run: stringConcat },
  StringSplit: { strings: 'reads', run: stringSplit },
  RegexFullMatch: { strings: 'reads', run: regexFullMatch },
};
