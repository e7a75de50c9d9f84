// The Levenshtein distance (torchaudio.functional.edit_distance): the
// fewest insertions, deletions and substitutions that turn one sequence into
// the other — over characters for two strings, over words for two lists of
// words (a word error rate's numerator). Sequences live on the host, so
// this is plain JavaScript: one row of the table at a time.
import { ValueError, formatValue } from '../errors.js';

/**
 * The edit distance between two sequences: strings (compared by code
 * point, as Python's are), or arrays whose elements compare with ===.
 */
export function editDistance<T>(a: string | readonly T[], b: string | readonly T[]): number {
  const [x, y] = [sequenceOf(a, 'the first'), sequenceOf(b, 'the second')];
  let previous = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const row = [i];
    for (let j = 1; j <= y.length; j++) {
      row[j] = x[i - 1] === y[j - 1] ? previous[j - 1] : 1 + Math.min(previous[j - 1], row[j - 1], previous[j]);
    }
    previous = row;
  }
  return previous[y.length];
}

function sequenceOf<T>(s: string | readonly T[], which: string): readonly (string | T)[] {
  if (typeof s === 'string') return Array.from(s);
  if (!Array.isArray(s)) throw new ValueError(`editDistance: ${which} sequence must be a string or an array, got ${formatValue(s)}`);
  return s;
}
