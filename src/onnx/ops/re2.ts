// Regular expressions as ONNX writes them (RE2's syntax: Tokenizer's
// separators and tokenexp, RegexFullMatch's pattern) read by JavaScript's
// RegExp in unicode mode. The two agree on what converters write (character
// classes, escapes, alternation, repetition); a pattern using what only one
// of them knows (RE2's \C or (?P<name>…), JS's lookbehind) may differ.
import type { NodeCall } from '../node_call.js';

/** JavaScript's syntax characters, the only ones unicode mode lets a backslash escape. */
const SYNTAX = new Set('^$\\.*+?()[]{}|/');

/**
 * An RE2 pattern as JavaScript's unicode mode reads it: RE2 takes a
 * backslash before any punctuation ('\!', '\@', as skl2onnx writes its
 * separators), unicode mode only before syntax characters, so the others
 * become hex escapes of the same character.
 */
function fromRe2(pattern: string): string {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i], next = pattern[i + 1];
    if (c === '\\' && next !== undefined) {
      const punctuation = /[!-/:-@[-`{-~]/.test(next);
      out += punctuation && !SYNTAX.has(next) ? `\\x${next.charCodeAt(0).toString(16).padStart(2, '0')}` : c + next;
      i++;
    } else out += c;
  }
  return out;
}

/** `pattern` as a RegExp with `flags` (unicode mode added), refused by name where JavaScript cannot read it. */
export function regex(call: NodeCall, pattern: string, what: string, flags = 'g'): RegExp {
  try {
    return new RegExp(fromRe2(pattern), `${flags}u`);
  } catch (err) {
    throw call.error(`${what} ${JSON.stringify(pattern)} is not a regular expression JavaScript reads: ${(err as Error).message}`);
  }
}

