// ONNX's text ops (src/onnx/ops/text.ts, microsoft_tokenizer.ts) on every
// backend, each against onnxruntime-web on random sentences: StringNormalizer
// (stop words with and without case, lower and upper case, [C] and [1, C],
// nothing left), com.microsoft's Tokenizer (separators as regular
// expressions, tokenexp, characters, marks, mincharnum, [C] and [N, C]), and
// TfIdfVectorizer (TF, IDF and TFIDF, n-grams with skips, over strings and
// over int64 tokens computed on the device, which a GPU's synchronous run
// refuses); and the attributes and inputs they refuse.
import * as ort from 'onnxruntime-web';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../../src/index.js';
import { BACKENDS } from '../../helpers/backends.js';
import { randomInts, SEED } from '../../helpers/data.js';
import { onnxModel, type AttributeSpec } from '../../helpers/onnx.js';
import { readElements } from '../../helpers/onnx_run.js';
import { ortRun } from '../../helpers/ort.js';

const VOCABULARY = ['the', 'The', 'cat', 'SAT', 'on', 'a', 'mat', 'Straße', 'École', 'naïve', 'x'];
const PUNCTUATION = [' ', ' ', ' ', ', ', '. ', '?', ' - ', '  '];

const pick = <T>(list: readonly T[], n: number): T[] => Array.from(randomInts(n, 0, list.length - 1), (k) => list[k]);

/** `n` sentences of up to 7 words between spaces and punctuation (an empty one among them). */
function sentences(n: number): string[] {
  return Array.from({ length: n }, (_, i) => {
    const words = pick(VOCABULARY, i === 0 ? 0 : 1 + (i % 7));
    const gaps = pick(PUNCTUATION, words.length);
    return words.map((w, k) => w + gaps[k]).join('');
  });
}

/** A one-node model x → y; x of `inType` and rank `rank` (free sizes). */
function textModel(op: string, attributes: Record<string, AttributeSpec>, rank: number, outType: 'string' | 'float', inType: 'string' | 'int64' = 'string'): Uint8Array {
  const domain = op === 'Tokenizer' ? 'com.microsoft' : undefined;
  return onnxModel({
    opset: 17,
    domains: domain ? { [domain]: 1 } : undefined,
    // StringNormalizer's [1, C] is declared so: onnxruntime's shape inference refuses [?, C].
    inputs: [{ name: 'x', type: inType, shape: op === 'StringNormalizer' && rank === 2 ? [1, null] : new Array(rank).fill(null) }],
    outputs: [{ name: 'y', type: outType }],
    nodes: [{ op, domain, inputs: ['x'], outputs: ['y'], attributes }],
  });
}

type Read = { shape: number[]; values: (string | number)[] };

describe.each(BACKENDS)('tm.onnx text ops on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  /** tmnn's y (runValues and runValuesAsync) against onnxruntime-web's for x. */
  async function agree(what: string, bytes: Uint8Array, x: tm.onnx.StringTensor): Promise<Read> {
    const theirs = (await ortRun(bytes, { x: new ort.Tensor('string', [...x.values], [...x.shape]) })).y;
    const want = { shape: [...theirs.dims], values: theirs.type === 'string' ? Array.from(theirs.data as string[]) : Array.from(theirs.data as Float32Array) };
    const model = await tm.onnx.fromBytes(bytes);
    expect(await readElements(model.runValues({ x }).y), `${what} (seed ${SEED}; input ${JSON.stringify(x.values)})`).toEqual(want);
    expect(await readElements((await model.runValuesAsync({ x })).y), `${what}, runValuesAsync`).toEqual(want);
    model.dispose();
    return want;
  }

  it('StringNormalizer drops stop words (in any case, or exactly) and changes case as onnxruntime does', async () => {
    const stopwords = { strings: ['the', 'A', 'straße'] };
    for (const n of [1, 6, 13]) {
      const words = pick(VOCABULARY, n);
      for (const [action, sensitive] of [['NONE', 0], ['LOWER', 0], ['UPPER', 0], ['LOWER', 1], ['UPPER', 1]] as const) {
        const attributes = { case_change_action: action, is_case_sensitive: sensitive, stopwords };
        await agree(`${action} sensitive=${sensitive} [${n}]`, textModel('StringNormalizer', attributes, 1, 'string'), new tm.onnx.StringTensor(words));
        await agree(`${action} sensitive=${sensitive} [1, ${n}]`, textModel('StringNormalizer', attributes, 2, 'string'), new tm.onnx.StringTensor(words, [1, n]));
      }
    }
    const emptied = await agree('every word a stop word', textModel('StringNormalizer', { stopwords }, 2, 'string'), new tm.onnx.StringTensor(['The', 'the', 'a'], [1, 3]));
    expect(emptied).toEqual({ shape: [1, 1], values: [''] });
  });

  it('Tokenizer cuts at separators, takes tokenexp\'s matches or every character, with marks, mincharnum and padding, as onnxruntime does', async () => {
    const cases: [string, Record<string, AttributeSpec>][] = [
      ['skl2onnx\'s separators', { mark: 0, mincharnum: 1, pad_value: '#', separators: { strings: [' ', '[.]', '\\?', ',', ';', ':', '\\!', '\\(', '\\)', '\n', '"', "'", '-', '\\[', '\\]', '@'] } }],
      ['separators, marks, two characters at least', { mark: 1, mincharnum: 2, pad_value: '_', separators: { strings: [' +', ',|[.]'] } }],
      ['tokenexp', { mark: 0, mincharnum: 1, pad_value: '#', tokenexp: '[a-zA-Z]+' }],
      ['tokenexp, marks', { mark: 1, mincharnum: 3, pad_value: '', tokenexp: '\\w+' }],
      ['characters', { mark: 1, mincharnum: 1, pad_value: '#', separators: { strings: [''] } }],
    ];
    for (const [what, attributes] of cases) {
      for (const n of [1, 5]) await agree(`${what} [${n}]`, textModel('Tokenizer', attributes, 1, 'string'), new tm.onnx.StringTensor(sentences(n)));
      await agree(`${what} [3, 2]`, textModel('Tokenizer', attributes, 2, 'string'), new tm.onnx.StringTensor(sentences(6), [3, 2]));
    }
    for (const mark of [0, 1]) {
      const none = await agree(`no tokens anywhere, mark ${mark}`, textModel('Tokenizer', { mark, mincharnum: 1, pad_value: '#', tokenexp: '[0-9]+' }, 1, 'string'), new tm.onnx.StringTensor(['ab', '']));
      expect(none.shape).toEqual([2, 0]);
    }
  });

  it('TfIdfVectorizer counts the pool\'s n-grams (with skips) in TF, IDF and TFIDF modes, over strings, as onnxruntime does', async () => {
    // 1-grams 'cat', 'on', 'mat', 'the'; 2-grams (the, cat), (cat, on), (on, the), (the, mat), in columns out of order.
    const pool = { strings: ['cat', 'on', 'mat', 'the', 'the', 'cat', 'cat', 'on', 'on', 'the', 'the', 'mat'] };
    const base = { ngram_counts: [0, 4], ngram_indexes: [6, 0, 1, 2, 3, 4, 5, 7], pool_strings: pool, weights: { floats: [0.5, 1.5, 2, 0.25, 3, 1, 4, 2.5] } };
    for (const mode of ['TF', 'IDF', 'TFIDF']) {
      for (const [min, max, skips] of [[1, 1, 0], [1, 2, 0], [2, 2, 1], [1, 2, 3]]) {
        const attributes = { ...base, mode, min_gram_length: min, max_gram_length: max, max_skip_count: skips };
        const rows = 4, width = 9;
        const tokens = pick(['the', 'cat', 'on', 'mat', 'dog', '#'], rows * width);
        await agree(`${mode} ${min}..${max} skips ${skips} [${rows}, ${width}]`, textModel('TfIdfVectorizer', attributes, 2, 'float'), new tm.onnx.StringTensor(tokens, [rows, width]));
        await agree(`${mode} ${min}..${max} skips ${skips} [${width}]`, textModel('TfIdfVectorizer', attributes, 1, 'float'), new tm.onnx.StringTensor(tokens.slice(0, width)));
      }
    }
  });

  it(`TfIdfVectorizer counts int64 tokens computed on the device: ${backend === 'webgpu' ? 'runValuesAsync reads them back, the synchronous run refuses' : 'read in place, by either run'}`, async () => {
    const attributes = { mode: 'TF', min_gram_length: 1, max_gram_length: 2, max_skip_count: 1, ngram_counts: [0, 3], ngram_indexes: [0, 1, 2, 3, 4], pool_int64s: [7, 8, 9, 7, 8, 9, 9] };
    const bytes = textModel('TfIdfVectorizer', attributes, 2, 'float', 'int64');
    const values = Array.from(randomInts(3 * 8, 6, 10));
    const theirs = (await ortRun(bytes, { x: new ort.Tensor('int64', BigInt64Array.from(values, (v) => BigInt(v)), [3, 8]) })).y;
    const model = await tm.onnx.fromBytes(bytes);
    const x = tm.tensor(Int32Array.from(values), [3, 8], { dtype: 'i32' });
    const want = { shape: [...theirs.dims], values: Array.from(theirs.data as Float32Array) };
    expect(await readElements((await model.runValuesAsync({ x })).y), `int64 tokens (seed ${SEED})`).toEqual(want);
    if (backend === 'webgpu') expect(() => model.runValues({ x })).toThrow(/\(TfIdfVectorizer\): counts its n-grams on the host, from x, which is computed on the device/);
    else expect(await readElements(tm.tidy(() => model.runValues({ x })).y)).toEqual(want);
    x.dispose();
    model.dispose();
  });

  it('refuses what onnxruntime refuses and what tmnn cannot read, naming it', async () => {
    const run = async (op: string, attributes: Record<string, AttributeSpec>, x: tm.onnx.StringTensor, outType: 'string' | 'float' = 'string') => {
      const model = await tm.onnx.fromBytes(textModel(op, attributes, x.rank, outType));
      try {
        return model.runValues({ x });
      } finally {
        model.dispose();
      }
    };
    const words = new tm.onnx.StringTensor(['a', 'b', 'c', 'd'], [2, 2]);
    await expect(run('StringNormalizer', {}, new tm.onnx.StringTensor(['a', 'b', 'c', 'd'], [1, 2, 2]))).rejects.toThrow(/\(StringNormalizer\): its input is \[1, 2, 2\]; StringNormalizer takes \[C\] or \[1, C\], C > 0/);
    await expect(run('StringNormalizer', { case_change_action: 'TITLE' }, new tm.onnx.StringTensor(['a']))).rejects.toThrow(/case_change_action = 'TITLE' is not one of NONE, LOWER, UPPER/);
    await expect(run('Tokenizer', { mark: 0, mincharnum: 1, pad_value: '#' }, words)).rejects.toThrow(/\(Tokenizer\): needs separators \(regular expressions to cut at\) or tokenexp/);
    await expect(run('Tokenizer', { mark: 0, mincharnum: 1, pad_value: '#', tokenexp: '[a-' }, words)).rejects.toThrow(/\(Tokenizer\): tokenexp "\[a-" is not a regular expression JavaScript reads/);
    await expect(run('Tokenizer', { mark: 0, mincharnum: 0, pad_value: '#', tokenexp: 'a' }, words)).rejects.toThrow(/mincharnum is 0; it must be 1 or more/);
    await expect(run('Tokenizer', { mincharnum: 1, pad_value: '#', tokenexp: 'a' }, words)).rejects.toThrow(/mark, pad_value and mincharnum are required/);
    const tf = { mode: 'TF', min_gram_length: 1, max_gram_length: 1, max_skip_count: 0, ngram_counts: [0], ngram_indexes: [0, 1] };
    await expect(run('TfIdfVectorizer', { ...tf, pool_strings: { strings: ['a', 'b'] }, pool_int64s: [1, 2] }, words, 'float')).rejects.toThrow(/needs its vocabulary in exactly one of pool_strings and pool_int64s/);
    await expect(run('TfIdfVectorizer', { ...tf, pool_strings: { strings: ['a', 'b'] }, mode: 'BM25' }, words, 'float')).rejects.toThrow(/mode = 'BM25'; it must be one of TF, IDF, TFIDF/);
    await expect(run('TfIdfVectorizer', { ...tf, pool_strings: { strings: ['a', 'b', 'c'] } }, words, 'float')).rejects.toThrow(/ngram_indexes has 2 entries; the pool holds more n-grams/);
    await expect(run('TfIdfVectorizer', { ...tf, pool_strings: { strings: ['a', 'b'] }, min_gram_length: 2 }, words, 'float')).rejects.toThrow(/min_gram_length 2 and max_gram_length 1: they need 1 ≤ min ≤ max/);
    await expect(run('TfIdfVectorizer', { ...tf, pool_strings: { strings: ['a', 'a'] } }, words, 'float')).rejects.toThrow(/its pool holds the 1-gram \["a"\] twice; each n-gram is one column/);
    await expect(run('TfIdfVectorizer', { ...tf, pool_strings: { strings: ['a', 'b'] }, weights: { floats: [1] } }, words, 'float')).rejects.toThrow(/weights has 1 entries for the pool's 2 n-grams \(one each\)/);
  });
});
