// ONNX's text ops, the front of scikit-learn's text pipelines as skl2onnx
// writes them (CountVectorizer, TfidfVectorizer): StringNormalizer (case,
// stop words), then com.microsoft's Tokenizer (microsoft_tokenizer.ts), then
// TfIdfVectorizer counting the n-grams of a fixed vocabulary. They run on
// the host, on StringTensors (TfIdfVectorizer on integer tokens too), as
// onnxruntime's CPU kernels compute them (string_normalizer.cc,
// tfidfvectorizer.cc).
import { hostArray, valuesRead } from '../host_values.js';
import type { NodeCall } from '../node_call.js';
import { StringTensor } from '../string_tensor.js';
import { Constant } from '../value.js';
import type { OpTable } from './op.js';

const CASE_ACTIONS = ['NONE', 'LOWER', 'UPPER'] as const;

/**
 * A string with each code point mapped by `map` where that gives one code
 * point, else kept: C's towlower/towupper, which onnxruntime applies, map
 * one character to one, where JavaScript's case maps may give several
 * ('ß' to 'SS'); `single` holds towupper's own choice where it has one.
 */
function mapCase(s: string, map: (c: string) => string, single: Readonly<Record<string, string>> = {}): string {
  let out = '';
  for (const c of s) {
    const m = map(c);
    out += [...m].length === 1 ? m : (single[c] ?? c);
  }
  return out;
}

/** Whether JavaScript's case maps give one character for each of s's: ASCII text, the common case, checked at once. */
const ascii = (s: string) => /^[\x00-\x7f]*$/.test(s);

const lower = (s: string) => (ascii(s) ? s.toLowerCase() : mapCase(s, (c) => c.toLowerCase()));
const upper = (s: string) => (ascii(s) ? s.toUpperCase() : mapCase(s, (c) => c.toUpperCase(), { ß: 'ẞ' }));

/**
 * StringNormalizer: X [C] or [1, C] without its stop words (compared in
 * lower case unless is_case_sensitive), then lower- or upper-cased by
 * case_change_action. Nothing left gives one empty string ([1] or [1, 1]).
 */
function stringNormalizer(call: NodeCall): StringTensor {
  const x = call.stringTensor(0);
  const rows = x.rank === 2 ? x.shape[0] : 1;
  if (!((x.rank === 1 && x.size > 0) || (x.rank === 2 && rows === 1 && x.shape[1] > 0))) {
    throw call.error(`its input is [${x.shape.join(', ')}]; StringNormalizer takes [C] or [1, C], C > 0`);
  }
  const action = call.string('case_change_action', 'NONE');
  if (!(CASE_ACTIONS as readonly string[]).includes(action)) throw call.error(`case_change_action = '${action}' is not one of ${CASE_ACTIONS.join(', ')}`);
  const sensitive = call.int('is_case_sensitive', 0) === 1;
  const key = (s: string) => (sensitive ? s : lower(s));
  const stop = new Set((call.strings('stopwords') ?? []).map(key));
  const kept = x.values.filter((s) => !stop.has(key(s))).map((s) => (action === 'LOWER' ? lower(s) : action === 'UPPER' ? upper(s) : s));
  if (kept.length === 0) return new StringTensor([''], x.rank === 2 ? [1, 1] : [1]);
  return new StringTensor(kept, x.rank === 2 ? [1, kept.length] : [kept.length]);
}

const MODES = ['TF', 'IDF', 'TFIDF'] as const;

/** A node of the vocabulary's trie: the n-gram its path spells (its place in the pool), if one, and the tokens that extend it. */
interface Trie {
  gram?: number;
  next: Map<string | number, Trie>;
}

/** TfIdfVectorizer's vocabulary, as a trie of its n-grams' tokens. */
interface Vocabulary {
  root: Trie;
  /** Each n-gram's output column (ngram_indexes), by its place in the pool. */
  columns: number[];
  width: number;
  /** Each n-gram's weight, by its place in the pool. */
  weights: number[] | undefined;
  min: number;
  max: number;
  skips: number;
  mode: (typeof MODES)[number];
  strings: boolean;
}

function vocabulary(call: NodeCall): Vocabulary {
  return call.fromAttributes(() => {
    const min = call.int('min_gram_length'), max = call.int('max_gram_length'), skips = call.int('max_skip_count');
    if (min === undefined || max === undefined || skips === undefined) throw call.error('min_gram_length, max_gram_length and max_skip_count are required');
    if (!(min >= 1 && max >= min)) throw call.error(`min_gram_length ${min} and max_gram_length ${max}: they need 1 ≤ min ≤ max`);
    if (skips < 0) throw call.error(`max_skip_count is ${skips}; it must be 0 or more`);
    const mode = call.string('mode');
    if (!mode || !(MODES as readonly string[]).includes(mode)) throw call.error(`mode = ${mode === undefined ? 'nothing' : `'${mode}'`}; it must be one of ${MODES.join(', ')}`);
    const strings = call.strings('pool_strings'), ints = call.ints('pool_int64s');
    if (!!strings?.length === !!ints?.length) throw call.error('needs its vocabulary in exactly one of pool_strings and pool_int64s');
    const pool: (string | number)[] = strings ?? ints!;
    const counts = call.ints('ngram_counts') ?? [];
    const indexes = call.ints('ngram_indexes') ?? [];
    if (counts.length === 0 || counts[0] !== 0 || counts.some((c, i) => i > 0 && c < counts[i - 1]) || counts[counts.length - 1] > pool.length) {
      throw call.error(`ngram_counts [${counts.join(', ')}] must start at 0 and rise, within the pool's ${pool.length} entries (where its 1-grams, 2-grams… start)`);
    }
    const root: Trie = { next: new Map() };
    let gram = 0;
    counts.forEach((start, i) => {
      const n = i + 1;
      const end = i + 1 < counts.length ? counts[i + 1] : pool.length;
      if ((end - start) % n !== 0) throw call.error(`the pool's ${n}-grams (entries ${start} to ${end}) are not a whole number of ${n}-grams`);
      for (let at = start; at < end; at += n, gram++) {
        if (gram >= indexes.length) throw call.error(`ngram_indexes has ${indexes.length} entries; the pool holds more n-grams`);
        let node = root;
        for (const token of pool.slice(at, at + n)) {
          let child = node.next.get(token);
          if (!child) node.next.set(token, (child = { next: new Map() }));
          node = child;
        }
        if (node.gram !== undefined) throw call.error(`its pool holds the ${n}-gram ${JSON.stringify(pool.slice(at, at + n))} twice; each n-gram is one column (onnxruntime refuses a repeat too)`);
        node.gram = gram;
      }
    });
    if (gram !== indexes.length) throw call.error(`ngram_indexes has ${indexes.length} entries for the pool's ${gram} n-grams`);
    const width = Math.max(...indexes) + 1;
    if (indexes.some((c) => c < 0)) throw call.error('ngram_indexes holds a negative column');
    const weights = call.floats('weights');
    if (weights && weights.length !== gram) throw call.error(`weights has ${weights.length} entries for the pool's ${gram} n-grams (one each)`);
    return { root, columns: indexes, width, weights, min, max, skips, mode: mode as Vocabulary['mode'], strings: !!strings?.length };
  });
}

/**
 * TfIdfVectorizer: for each row of X ([C], or [N, C]), how often each
 * vocabulary n-gram (min_gram_length ≤ n ≤ max_gram_length) occurs, its
 * tokens up to max_skip_count apart (n-grams with a skip counted once per
 * skip distance that finds them; 1-grams once), in the n-gram's column
 * (ngram_indexes); TF gives the counts, IDF the n-gram's weight where
 * found, TFIDF the counts times it — weights in the pool's n-gram order, 1
 * without them. [width] for [C], [N, width].
 */
function tfIdfVectorizer(call: NodeCall): Constant {
  const v = vocabulary(call);
  const x = call.anyValue(0);
  const isStrings = x instanceof StringTensor;
  if (isStrings !== v.strings) throw call.error(`its input is ${isStrings ? 'strings' : 'numbers'} and its pool ${v.strings ? 'pool_strings' : 'pool_int64s'}; they must be of one kind`);
  const { shape, values: tokens } = isStrings ? x : hostArray(call, 0, 'counts its n-grams on the host');
  if (shape.length !== 1 && shape.length !== 2) throw call.error(`its input is [${shape.join(', ')}]; TfIdfVectorizer takes [C] or [N, C]`);
  const rows = shape.length === 2 ? shape[0] : 1, width = shape[shape.length - 1];
  const out = new Float64Array(rows * v.width);
  // Each n-gram's count in the row, and which n-grams the row has (most rows have few of the vocabulary).
  const counts = new Float64Array(v.columns.length);
  const found: number[] = [];
  for (let r = 0; r < rows; r++) {
    const at0 = r * width;
    // From each start, at each skip distance, down the trie: every n-gram on the way counts once (a 1-gram at distance 0 only).
    for (let start = 0; start < width; start++) {
      for (let skip = 0; skip <= v.skips; skip++) {
        let node: Trie | undefined = v.root;
        for (let n = 1, at = start; n <= v.max && at < width; n++, at += skip + 1) {
          node = node.next.get(tokens[at0 + at]);
          if (!node) break;
          if (node.gram !== undefined && n >= v.min && (n > 1 || skip === 0) && counts[node.gram]++ === 0) found.push(node.gram);
        }
      }
    }
    for (const id of found) {
      const count = counts[id], w = v.weights?.[id] ?? 1;
      out[r * v.width + v.columns[id]] = Math.fround(v.mode === 'TF' ? count : v.mode === 'IDF' ? w : count * w);
      counts[id] = 0;
    }
    found.length = 0;
  }
  return new Constant('float', shape.length === 2 ? [rows, v.width] : [v.width], out);
}

export const TEXT_OPS: OpTable = {
  StringNormalizer: { strings: 'reads', run: stringNormalizer },
  TfIdfVectorizer: valuesRead({ strings: 'reads', run: tfIdfVectorizer }, 0, () => true),
};
