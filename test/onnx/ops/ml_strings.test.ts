// The string forms of ai.onnx.ml's lookups (src/onnx/ops/ml_strings.ts) on
// every backend: LabelEncoder between strings and int64, float or strings
// (opsets 1, 2 and 4), CategoryMapper both ways, OneHotEncoder over
// cats_strings, ArrayFeatureExtractor picking strings. Each against a lookup
// written here from onnxruntime's kernels, on random words (an empty one and
// non-ASCII ones among them, some of no key) at several shapes, and each model
// beside onnxruntime-web itself. Strings run on the host: a numeric input
// computed on a GPU is read back by runValuesAsync, and refused by the
// synchronous run; js and native read it in place.
import * as ort from 'onnxruntime-web';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../../src/index.js';
import { BACKENDS } from '../../helpers/backends.js';
import { randomInts, SEED } from '../../helpers/data.js';
import { onnxModel, type AttributeSpec, type OnnxTypeName } from '../../helpers/onnx.js';
import { collected } from '../../helpers/gc.js';
import { readElements } from '../../helpers/onnx_run.js';
import { ortRun } from '../../helpers/ort.js';

type Element = string | number;

interface Input {
  type: 'string' | 'int64' | 'float';
  shape: number[];
  values: Element[];
}

/** Words the tables know (with an empty one and non-ASCII ones), and words they do not. */
const WORDS = ['red', 'green', 'blue', '', 'café', '東京', 'a b'];
const UNKNOWN = ['purple', 'Red', 'cafe'];
const SHAPES = [[1], [7], [5, 3], [2, 3, 4]];

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** `n` words, about one in five unknown to the tables. */
function words(n: number): string[] {
  const pick = randomInts(n, 0, WORDS.length + UNKNOWN.length - 1);
  return Array.from(pick, (k) => (k < WORDS.length ? WORDS[k] : UNKNOWN[k - WORDS.length]));
}

/** A one-node ai.onnx.ml model x → y of `outType`. */
function model(op: string, x: Input, attributes: Record<string, AttributeSpec>, outType: OnnxTypeName, version: number, extra?: Input): Uint8Array {
  const inputs = [{ name: 'x', type: x.type, shape: x.shape }];
  const initializers = extra ? { i: { type: extra.type as OnnxTypeName, shape: extra.shape, values: extra.values as number[] } } : undefined;
  return onnxModel({
    opset: 17,
    domains: { 'ai.onnx.ml': version },
    inputs,
    initializers,
    outputs: [{ name: 'y', type: outType }],
    nodes: [{ op, domain: 'ai.onnx.ml', inputs: extra ? ['x', 'i'] : ['x'], outputs: ['y'], attributes }],
  });
}

function tmInput(x: Input): tm.Tensor | tm.onnx.StringTensor {
  if (x.type === 'string') return new tm.onnx.StringTensor(x.values as string[], x.shape);
  return x.type === 'int64' ? tm.tensor(Int32Array.from(x.values as number[]), x.shape, { dtype: 'i32' }) : tm.tensor(Float32Array.from(x.values as number[]), x.shape);
}

function ortInput(x: Input): ort.Tensor {
  if (x.type === 'string') return new ort.Tensor('string', x.values as string[], x.shape);
  if (x.type === 'int64') return new ort.Tensor('int64', BigInt64Array.from(x.values as number[], (v) => BigInt(v)), x.shape);
  return new ort.Tensor('float32', Float32Array.from(x.values as number[]), x.shape);
}

interface Check {
  what: string;
  op: string;
  x: Input;
  attributes: Record<string, AttributeSpec>;
  outType: OnnxTypeName;
  want: { shape: number[]; values: Element[] };
  version?: number;
  /** A second input, written as an initializer (ArrayFeatureExtractor's indices). */
  extra?: Input;
}

describe.each(BACKENDS)('tm.onnx ai.onnx.ml lookups of strings on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });
  /** Whether a numeric input on this backend can be read synchronously. */
  const inPlace = backend !== 'webgpu';

  /** tmnn (runValuesAsync, and runValues where it can) against the reference and onnxruntime-web. */
  async function check(c: Check): Promise<void> {
    const bytes = model(c.op, c.x, c.attributes, c.outType, c.version ?? 2, c.extra);
    const m = await tm.onnx.fromBytes(bytes);
    // Counted after a collection: earlier checks' garbage, freed by the finalizers at an await, would move a bare count.
    const before = await collected();
    const x = tmInput(c.x);
    const got = await readElements((await m.runValuesAsync({ x }, { grad: false })).y);
    expect(got, `${c.what} (seed ${SEED})`).toEqual(c.want);
    if (c.x.type === 'string' || inPlace) expect(await readElements(tm.noGrad(() => m.runValues({ x })).y), `${c.what}, synchronous run`).toEqual(c.want);
    else expect(() => m.runValues({ x })).toThrow(/computed on the device; tmnn's synchronous run .* never reads the device back/);
    if (x instanceof tm.Tensor) x.dispose();
    expect(await collected(), `${c.what}: tensors freed`).toBe(before);
    m.dispose();
    const theirs = (await ortRun(bytes, { x: ortInput(c.x) })).y;
    const values = c.outType === 'string' ? Array.from(theirs.data as string[]) : Array.from(theirs.data as ArrayLike<number | bigint>, Number);
    expect({ shape: [...theirs.dims], values }, `${c.what}: onnxruntime`).toEqual(c.want);
  }

  it('LabelEncoder maps strings to int64, float and strings, and int64 and floats to strings, a repeated key keeping its first value', async () => {
    const keys = ['red', 'green', 'blue', '', 'café', '東京', 'red'];
    const ints = [3, -1, 70000, 0, 12, -9, 99];
    // As the file holds them: float32.
    const floats = [0.5, -2.25, 1e-3, 0, 7, -0.125, 99].map(Math.fround);
    const names = ['R', 'G', 'B', 'empty', 'coffee', 'Tokyo', 'again'];
    const first = <T>(to: readonly T[]) => (k: Element, fallback: T) => (keys.indexOf(k as string) >= 0 ? to[keys.indexOf(k as string)] : fallback);
    for (const shape of SHAPES) {
      const x: Input = { type: 'string', shape, values: words(size(shape)) };
      const want = <T extends Element>(f: (k: Element) => T) => ({ shape, values: x.values.map(f) });
      await check({ what: `strings → int64 ${shape}`, op: 'LabelEncoder', x, attributes: { keys_strings: { strings: keys }, values_int64s: ints, default_int64: -7 }, outType: 'int64', want: want((k) => first(ints)(k, -7)) });
      await check({ what: `strings → float ${shape}`, op: 'LabelEncoder', x, attributes: { keys_strings: { strings: keys }, values_floats: { floats } }, outType: 'float', want: want((k) => first(floats)(k, -0)) });
      await check({ what: `strings → strings ${shape}`, op: 'LabelEncoder', x, attributes: { keys_strings: { strings: keys }, values_strings: { strings: names }, default_string: 'none' }, outType: 'string', want: want((k) => first(names)(k, 'none')) });
      const codes: Input = { type: 'int64', shape, values: Array.from(randomInts(size(shape), -2, 13)) };
      const codeKeys = [0, 1, 2, 3, 12, -1, 0];
      await check({
        what: `int64 → strings ${shape}`, op: 'LabelEncoder', x: codes, attributes: { keys_int64s: codeKeys, values_strings: { strings: names } }, outType: 'string',
        want: { shape, values: codes.values.map((k) => (codeKeys.indexOf(k as number) >= 0 ? names[codeKeys.indexOf(k as number)] : '_Unused')) },
      });
      const reals: Input = { type: 'float', shape, values: codes.values.map((k) => (k as number) / 4) };
      const realKeys = [0, 0.25, 0.5, -0.25, 3];
      await check({
        what: `float → strings ${shape}`, op: 'LabelEncoder', x: reals, attributes: { keys_floats: { floats: realKeys }, values_strings: { strings: names.slice(0, 5) }, default_string: '?' }, outType: 'string',
        want: { shape, values: reals.values.map((k) => (realKeys.indexOf(k as number) >= 0 ? names[realKeys.indexOf(k as number)] : '?')) },
      });
    }
  });

  it('LabelEncoder takes its tables as tensors of strings in opset 4, and classes_strings in opset 1', async () => {
    const keys = ['red', 'green', 'blue', 'café'];
    const x: Input = { type: 'string', shape: [4, 3], values: words(12) };
    const at = (k: Element) => keys.indexOf(k as string);
    const tensors = { keys_tensor: { tensor: { type: 'string' as const, shape: [4], values: [], strings: keys } }, values_tensor: { tensor: { type: 'int64' as const, shape: [4], values: [10, 20, 30, 40] } }, default_tensor: { tensor: { type: 'int64' as const, shape: [1], values: [-5] } } };
    await check({ what: 'opset 4 tensors, strings → int64', op: 'LabelEncoder', x, attributes: tensors, outType: 'int64', version: 4, want: { shape: [4, 3], values: x.values.map((k) => (at(k) >= 0 ? (at(k) + 1) * 10 : -5)) } });
    const toStrings = { keys_tensor: tensors.keys_tensor, values_tensor: { tensor: { type: 'string' as const, shape: [4], values: [], strings: ['r', 'g', 'b', 'c'] } }, default_tensor: { tensor: { type: 'string' as const, shape: [1], values: [], strings: ['-'] } } };
    await check({ what: 'opset 4 tensors, strings → strings', op: 'LabelEncoder', x, attributes: toStrings, outType: 'string', version: 4, want: { shape: [4, 3], values: x.values.map((k) => (at(k) >= 0 ? 'rgbc'[at(k)] : '-')) } });
    await check({ what: 'opset 1, strings → their places', op: 'LabelEncoder', x, attributes: { classes_strings: { strings: keys }, default_int64: 9 }, outType: 'int64', version: 1, want: { shape: [4, 3], values: x.values.map((k) => (at(k) >= 0 ? at(k) : 9)) } });
    const places: Input = { type: 'int64', shape: [6], values: [0, 3, 1, 4, -1, 2] };
    await check({ what: 'opset 1, places → strings', op: 'LabelEncoder', x: places, attributes: { classes_strings: { strings: keys } }, outType: 'string', version: 1, want: { shape: [6], values: ['red', 'café', 'green', '_Unused', '_Unused', 'blue'] } });
  });

  it('CategoryMapper maps strings to int64 and int64 to strings through its pairs (a repeated one to its last partner), with defaults', async () => {
    const cats = ['red', 'green', 'blue', '東京', 'green'];
    const ids = [5, 6, 7, 5, 4];
    for (const shape of SHAPES) {
      const x: Input = { type: 'string', shape, values: words(size(shape)) };
      await check({
        what: `strings → int64 ${shape}`, op: 'CategoryMapper', x, attributes: { cats_strings: { strings: cats }, cats_int64s: ids, default_int64: -3 }, outType: 'int64', version: 1,
        want: { shape, values: x.values.map((k) => (cats.includes(k as string) ? ids[cats.lastIndexOf(k as string)] : -3)) },
      });
      // Back: 5 names two categories, the last kept (onnxruntime's map assignment).
      const codes: Input = { type: 'int64', shape, values: Array.from(randomInts(size(shape), 4, 8)) };
      await check({
        what: `int64 → strings ${shape}`, op: 'CategoryMapper', x: codes, attributes: { cats_strings: { strings: cats }, cats_int64s: ids, default_string: 'other' }, outType: 'string', version: 1,
        want: { shape, values: codes.values.map((k) => (ids.includes(k as number) ? cats[ids.lastIndexOf(k as number)] : 'other')) },
      });
    }
  });

  it('OneHotEncoder marks each string\'s place among cats_strings (a repeated one\'s last), and with zeros = 0 refuses one of none', async () => {
    const cats = ['red', 'green', 'blue', '', 'green'];
    for (const shape of SHAPES) {
      const x: Input = { type: 'string', shape, values: words(size(shape)) };
      const last = (k: Element) => cats.lastIndexOf(k as string);
      const values = x.values.flatMap((k) => cats.map((_, c) => (c === last(k) ? 1 : 0)));
      await check({ what: `OneHotEncoder ${shape}`, op: 'OneHotEncoder', x, attributes: { cats_strings: { strings: cats } }, outType: 'float', version: 1, want: { shape: [...shape, cats.length], values } });
    }
    const bad = await tm.onnx.fromBytes(model('OneHotEncoder', { type: 'string', shape: [3], values: [] }, { cats_strings: { strings: ['a', 'b'] }, zeros: 0 }, 'float', 1));
    expect(() => bad.runValues({ x: new tm.onnx.StringTensor(['a', 'c', 'b']) })).toThrow(/\(OneHotEncoder\): element 1 of its input, 'c', is none of cats_strings, and zeros = 0 makes that an error/);
    bad.dispose();
  });

  it('ArrayFeatureExtractor picks strings along the last axis (a vector\'s as [1, count]), refusing an index outside it', async () => {
    for (const shape of [[6], [3, 5], [2, 2, 4]]) {
      const x: Input = { type: 'string', shape, values: words(size(shape)) };
      const n = shape[shape.length - 1];
      const picks = [n - 1, 0, 1, n - 1];
      const rows = size(shape) / n;
      const values = Array.from({ length: rows * picks.length }, (_, k) => x.values[Math.floor(k / picks.length) * n + picks[k % picks.length]]);
      const outShape = shape.length === 1 ? [1, picks.length] : [...shape.slice(0, -1), picks.length];
      await check({ what: `ArrayFeatureExtractor ${shape}`, op: 'ArrayFeatureExtractor', x, attributes: {}, outType: 'string', version: 1, extra: { type: 'int64', shape: [picks.length], values: picks }, want: { shape: outShape, values } });
    }
    const bad = await tm.onnx.fromBytes(model('ArrayFeatureExtractor', { type: 'string', shape: [2, 3], values: [] }, {}, 'string', 1, { type: 'int64', shape: [1], values: [3] }));
    expect(() => bad.runValues({ x: new tm.onnx.StringTensor(['a', 'b', 'c', 'd', 'e', 'f'], [2, 3]) })).toThrow(/\(ArrayFeatureExtractor\): index 3 \(Y\[0\]\) is outside \[0, 3\), the last axis of X \[2, 3\]/);
    bad.dispose();
  });

  it('refuses a string table for numbers, numbers where strings are keys, and tables of different lengths', async () => {
    const run = async (op: string, x: Input, attributes: Record<string, AttributeSpec>, outType: OnnxTypeName, version = 2) => {
      const m = await tm.onnx.fromBytes(model(op, x, attributes, outType, version));
      const given = tmInput(x);
      try {
        return await m.runValuesAsync({ x: given });
      } finally {
        if (given instanceof tm.Tensor) given.dispose();
        m.dispose();
      }
    };
    const strings: Input = { type: 'string', shape: [2], values: ['a', 'b'] };
    const numbers: Input = { type: 'int64', shape: [2], values: [1, 2] };
    await expect(run('LabelEncoder', strings, { keys_int64s: [1], values_strings: { strings: ['a'] } }, 'string')).rejects.toThrow(/\(LabelEncoder\): input 0 \(x\) is a string tensor \[2\], but its keys are numbers and its values strings, looked up on the host; it takes numbers there/);
    await expect(run('LabelEncoder', strings, { keys_strings: { strings: ['a', 'b'] }, values_int64s: [1] }, 'int64')).rejects.toThrow(/\(LabelEncoder\): keys_strings has 2 entries and values_int64s 1; they must be as long as each other/);
    await expect(run('LabelEncoder', strings, { keys_strings: { strings: ['a'] }, keys_int64s: [1], values_int64s: [1] }, 'int64')).rejects.toThrow(/\(LabelEncoder\): has keys_strings and keys_int64s; it must have only one keys attribute/);
    await expect(run('CategoryMapper', strings, { cats_strings: { strings: ['a', 'b'] }, cats_int64s: [1] }, 'int64', 1)).rejects.toThrow(/\(CategoryMapper\): cats_strings has 2 entries and cats_int64s 1; they pair up, one for one/);
    await expect(run('CategoryMapper', numbers, {}, 'string', 1)).rejects.toThrow(/\(CategoryMapper\): cats_strings and cats_int64s \(the pairs it maps by\) are required/);
    await expect(run('Normalizer', strings, { norm: 'MAX' }, 'float', 1)).rejects.toThrow(/\(Normalizer\): input 0 \(x\) is a string tensor \[2\]; Normalizer takes no strings in tmnn/);
  });
});
