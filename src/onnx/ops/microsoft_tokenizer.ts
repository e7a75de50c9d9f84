// onnxruntime's com.microsoft Tokenizer: each string of X ([C] or [N, C])
// cut into tokens along a new last axis, [..., D] for the most tokens D any
// string gives, the shorter ones padded with pad_value — how skl2onnx
// tokenizes for CountVectorizer and TfidfVectorizer. Tokens are the pieces
// between matches of the separators (regular expressions; a single empty
// one cuts every character apart), or the matches of tokenexp; those
// shorter than mincharnum characters are dropped; mark puts a start (0x02)
// and end (0x03) token around each string's. onnxruntime matches with RE2,
// tmnn with JavaScript's RegExp (unicode mode): the two agree on the
// patterns converters write (character classes, escapes, alternation), not
// on RE2- or JS-only syntax. Runs on the host, on StringTensors.
import type { NodeCall } from '../node_call.js';
import { StringTensor } from '../string_tensor.js';
import type { OpTable } from './op.js';
import { regex } from './re2.js';

const START = '\u0002', END = '\u0003';

/** How a Tokenizer node cuts: by separators, by tokenexp, or into characters. */
type Cutter = (s: string) => string[];

/** The pieces of s between matches of `separator` (an empty match cuts nothing). */
function between(s: string, separator: RegExp): string[] {
  const pieces: string[] = [];
  let from = 0;
  separator.lastIndex = 0;
  for (let m = separator.exec(s); m; m = separator.exec(s)) {
    if (m[0].length === 0) {
      separator.lastIndex++;
      continue;
    }
    pieces.push(s.slice(from, m.index));
    from = m.index + m[0].length;
  }
  pieces.push(s.slice(from));
  return pieces;
}

function cutter(call: NodeCall): Cutter {
  return call.fromAttributes(() => {
    const separators = call.strings('separators');
    const tokenexp = call.string('tokenexp');
    if (separators?.length && tokenexp !== undefined) throw call.error('has both separators and tokenexp; it takes one of them');
    if (tokenexp !== undefined) {
      const re = regex(call, tokenexp, 'tokenexp');
      return (s) => [...s.matchAll(re)].map((m) => m[0]).filter((t) => t.length > 0);
    }
    if (!separators?.length) throw call.error('needs separators (regular expressions to cut at) or tokenexp (one for the tokens)');
    if (separators.length === 1 && separators[0] === '') return (s) => [...s];
    if (separators.includes('')) throw call.error('has an empty separator among others; only a single empty separator (cut every character) is allowed');
    const re = regex(call, separators.map((p) => `(?:${p})`).join('|'), 'separators');
    return (s) => between(s, re);
  });
}

function tokenizer(call: NodeCall): StringTensor {
  const x = call.stringTensor(0);
  if (x.rank !== 1 && x.rank !== 2) throw call.error(`its input is [${x.shape.join(', ')}]; Tokenizer takes [C] or [N, C]`);
  const mark = call.int('mark');
  const pad = call.string('pad_value');
  const least = call.int('mincharnum');
  if (mark === undefined || pad === undefined || least === undefined) throw call.error('mark, pad_value and mincharnum are required');
  if (least < 1) throw call.error(`mincharnum is ${least}; it must be 1 or more`);
  const cut = cutter(call);
  const found = x.values.map((s) => cut(s).filter((t) => [...t].length >= least));
  // No token in any string gives [..., 0], marks or not (onnxruntime's shape).
  const none = found.every((t) => t.length === 0);
  const tokens = found.map((t) => (mark && !none ? [START, ...t, END] : t));
  const d = Math.max(0, ...tokens.map((t) => t.length));
  const out = tokens.flatMap((t) => [...t, ...new Array<string>(d - t.length).fill(pad)]);
  return new StringTensor(out, [...x.shape, d]);
}

export const MICROSOFT_TOKENIZER_OPS: OpTable = {
  Tokenizer: { strings: 'reads', run: tokenizer },
};
