// ai.onnx.ml's preprocessing ops (src/onnx/ops/ml_preprocess.ts) on every
// backend: Scaler, Normalizer, Binarizer, Imputer, ArrayFeatureExtractor,
// FeatureVectorizer, OneHotEncoder and LabelEncoder's numeric forms (opsets
// 2 and 4), each against a float64 loop of onnxruntime's CPU kernel written
// here, on random data at N = 1, 7, 33 samples and odd feature counts, and
// each model beside onnxruntime-web itself; a small pipeline of them; and the
// attributes and inputs they refuse.
import * as ort from 'onnxruntime-web';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../../src/index.js';
import { BACKENDS } from '../../helpers/backends.js';
import { expectClose, expectExact, randomInts, SEED, uniform } from '../../helpers/data.js';
import { size, type F64 } from '../../helpers/float64.js';
import { runModel } from '../../helpers/onnx_run.js';
import { onnxModel, type AttributeSpec, type NodeSpec, type OnnxTypeName } from '../../helpers/onnx.js';
import { ortRun } from '../../helpers/ort.js';

type InputType = 'float' | 'double' | 'int64' | 'int32';

interface Input {
  shape: number[];
  values: ArrayLike<number>;
  type?: InputType;
}

const fr = Math.fround;
/** Attributes' floats as the model file holds them (float32). */
const f32s = (v: ArrayLike<number>): number[] => Array.from(v, fr);

/** A one-node ai.onnx.ml model: inputs x0, x1…, output y of `outType`. */
function mlModel(op: string, inputs: readonly Input[], attributes: Record<string, AttributeSpec>, outType: OnnxTypeName, version = 3): Uint8Array {
  const names = inputs.map((_, i) => `x${i}`);
  const node: NodeSpec = { op, domain: 'ai.onnx.ml', inputs: names, outputs: ['y'], attributes };
  return onnxModel({
    opset: 17,
    domains: { 'ai.onnx.ml': version },
    inputs: inputs.map((x, i) => ({ name: names[i], type: x.type ?? 'float', shape: x.shape })),
    outputs: [{ name: 'y', type: outType }],
    nodes: [node],
  });
}

/** The model's output on tmnn's active backend. */
async function tmRun(bytes: Uint8Array, inputs: readonly Input[]): Promise<F64> {
  return (await runModel(bytes, inputs.map((x) => ({ shape: x.shape, values: x.values, type: x.type ?? 'float' }))))[0];
}

function ortTensor(x: Input): ort.Tensor {
  const type = x.type ?? 'float';
  if (type === 'int64') return new ort.Tensor('int64', BigInt64Array.from(Array.from(x.values), (v) => BigInt(v)), x.shape);
  if (type === 'int32') return new ort.Tensor('int32', Int32Array.from(x.values), x.shape);
  if (type === 'double') return new ort.Tensor('float64', Float64Array.from(x.values), x.shape);
  return new ort.Tensor('float32', Float32Array.from(x.values), x.shape);
}

/** The model's output from onnxruntime-web. */
async function ortOut(bytes: Uint8Array, inputs: readonly Input[]): Promise<F64> {
  const out = await ortRun(bytes, Object.fromEntries(inputs.map((x, i) => [`x${i}`, ortTensor(x)])));
  return { shape: [...out.y.dims], v: Float64Array.from(out.y.data as ArrayLike<number | bigint>, Number) };
}

interface CheckOptions {
  version?: number;
  /** Relative tolerance against the float64 reference (0: exact). */
  tol?: number;
  /** Compare with onnxruntime too (false where it refuses what tmnn takes). */
  ort?: boolean;
}

/** tmnn's output against the float64 reference and (unless told not to) onnxruntime's. */
async function check(what: string, op: string, inputs: readonly Input[], attributes: Record<string, AttributeSpec>, outType: OnnxTypeName, want: F64, options: CheckOptions = {}): Promise<void> {
  const bytes = mlModel(op, inputs, attributes, outType, options.version);
  const tol = options.tol ?? 1e-5;
  const got = await tmRun(bytes, inputs);
  expect(got.shape, `${what}: shape (seed ${SEED})`).toEqual(want.shape);
  expectClose(got.v, want.v, tol, `${what} vs float64`);
  if (options.ort === false) return;
  const theirs = await ortOut(bytes, inputs);
  expect(got.shape, `${what}: shape vs onnxruntime (seed ${SEED})`).toEqual(theirs.shape);
  // onnxruntime computes in float32 (double for double inputs) too: the same tolerance.
  expectClose(got.v, theirs.v, tol, `${what} vs onnxruntime`);
}

/** The tmnn run of a model expected to be refused. */
const refused = (op: string, inputs: readonly Input[], attributes: Record<string, AttributeSpec>, outType: OnnxTypeName = 'float', version = 3): Promise<F64> => tmRun(mlModel(op, inputs, attributes, outType, version), inputs);

const feedOf = (x: Input) => ({ shape: x.shape, values: x.values, type: x.type ?? 'float' });

/** refused, through runAsync: values a GPU holds are read back for the op's checks. */
const refusedAsync = async (op: string, inputs: readonly Input[], attributes: Record<string, AttributeSpec>): Promise<F64> => (await runModel(mlModel(op, inputs, attributes, 'float'), inputs.map(feedOf), 'async'))[0];

const SHAPES: [number, number][] = [
  [1, 5],
  [7, 3],
  [33, 7],
];

const floats = (shape: number[], lo = -3, hi = 3): Input => ({ shape, values: Float64Array.from(Float32Array.from(uniform(size(shape), lo, hi))) });

// ---- float64 references: onnxruntime's kernels, as loops ----

/** onnxruntime's feature stride for Scaler and Imputer: axis 1's length (axis 0's for a vector). */
const strideOf = (shape: readonly number[]): number => (shape.length === 1 ? shape[0] : shape[1]);

function scalerRef(x: Input, offset: readonly number[], scale: readonly number[]): F64 {
  const stride = strideOf(x.shape);
  const v = Float64Array.from(x.values, (xi, i) => {
    const k = offset.length === 1 ? 0 : i % stride;
    return (xi - fr(offset[k])) * fr(scale[k]);
  });
  return { shape: x.shape, v };
}

function normalizerRef(x: Input, norm: 'MAX' | 'L1' | 'L2'): F64 {
  const c = x.shape[x.shape.length - 1], rows = x.shape.length === 1 ? 1 : x.shape[0];
  const v = new Float64Array(rows * c);
  for (let r = 0; r < rows; r++) {
    const row = Array.from({ length: c }, (_, j) => x.values[r * c + j]);
    const d = norm === 'MAX' ? Math.max(...row) : norm === 'L1' ? row.reduce((a, b) => a + Math.abs(b), 0) : Math.sqrt(row.reduce((a, b) => a + b * b, 0));
    row.forEach((xi, j) => (v[r * c + j] = d === 0 ? xi : xi / d));
  }
  return { shape: x.shape, v };
}

function imputerRef(x: Input, imputed: readonly number[], replaced: number): F64 {
  const stride = strideOf(x.shape);
  const v = Float64Array.from(x.values, (xi, i) => {
    const hit = Number.isNaN(replaced) ? Number.isNaN(xi) : xi === replaced;
    return hit ? imputed[imputed.length === 1 ? 0 : i % stride] : xi;
  });
  return { shape: x.shape, v };
}

function arrayFeatureRef(x: Input, indices: readonly number[]): F64 {
  const n = x.shape[x.shape.length - 1], rows = size(x.shape) / n;
  const v: number[] = [];
  for (let r = 0; r < rows; r++) for (const j of indices) v.push(x.values[r * n + j]);
  const shape = x.shape.length === 1 ? [1, indices.length] : [...x.shape.slice(0, -1), indices.length];
  return { shape, v: Float64Array.from(v) };
}

function featureVectorizerRef(xs: readonly Input[], dims: readonly number[]): F64 {
  const n = xs[0].shape.length === 1 ? 1 : xs[0].shape[0];
  const total = dims.reduce((a, b) => a + b, 0);
  const v = new Float64Array(n * total);
  let at = 0;
  xs.forEach((x, k) => {
    const width = size(x.shape) / n;
    for (let r = 0; r < n; r++) for (let j = 0; j < Math.min(width, dims[k]); j++) v[r * total + at + j] = x.values[r * width + j];
    at += dims[k];
  });
  return { shape: [n, total], v };
}

/** OneHotEncoder: a 1 at the category's place — its last, for a repeated one (onnxruntime's map) — after casting to int64 (truncation). */
function oneHotRef(x: Input, cats: readonly number[]): F64 {
  const place = new Map(cats.map((c, i) => [c, i]));
  const v = new Float64Array(x.values.length * cats.length);
  Array.from(x.values).forEach((xi, i) => {
    const at = place.get(Math.trunc(xi));
    if (at !== undefined) v[i * cats.length + at] = 1;
  });
  return { shape: [...x.shape, cats.length], v };
}

/** LabelEncoder: the value of the first equal key (onnxruntime keeps a repeated key's first), NaN keys matching NaN where nanMatches. */
function labelRef(x: Input, keys: readonly number[], values: readonly number[], fallback: number, nanMatches: boolean): F64 {
  const v = Float64Array.from(x.values, (xi) => {
    const at = keys.findIndex((k) => k === xi || (nanMatches && Number.isNaN(k) && Number.isNaN(xi)));
    return at < 0 ? fallback : values[at];
  });
  return { shape: x.shape, v };
}

/** Some of x's entries set to `to`: about one in `every`, and the first. */
function sprinkle(x: Input, to: number, every = 4): Input {
  const pick = randomInts(x.values.length, 0, every - 1);
  return { ...x, values: Float64Array.from(x.values, (v, i) => (i === 0 || pick[i] === 0 ? to : v)) };
}

describe.each(BACKENDS)('tm.onnx ai.onnx.ml preprocessing on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  describe('Scaler', () => {
    it.each(SHAPES)('per feature and one value for all, float and int64 input, [%i, %i]', async (n, f) => {
      const offset = Array.from(uniform(f)), scale = Array.from(uniform(f, 0.1, 3));
      const x = floats([n, f]);
      await check('Scaler per feature', 'Scaler', [x], { offset: { floats: offset }, scale: { floats: scale } }, 'float', scalerRef(x, offset, scale));
      await check('Scaler one value', 'Scaler', [x], { offset: { floats: [offset[0]] }, scale: { floats: [scale[0]] } }, 'float', scalerRef(x, [offset[0]], [scale[0]]));
      const xi: Input = { shape: [n, f], values: randomInts(n * f, -50, 50), type: 'int64' };
      // Integers up to 50 times scales up to 3: results up to ~160, within f32's 1e-5 relative.
      await check('Scaler int64 input', 'Scaler', [xi], { offset: { floats: offset }, scale: { floats: scale } }, 'float', scalerRef(xi, offset, scale));
    });

    it('a vector [F], and a rank-3 input read as onnxruntime does (features along axis 1, element i taking attribute i mod F)', async () => {
      const offset = Array.from(uniform(5)), scale = Array.from(uniform(5, 0.5, 2));
      const v = floats([5]);
      await check('Scaler [F]', 'Scaler', [v], { offset: { floats: offset }, scale: { floats: scale } }, 'float', scalerRef(v, offset, scale));
      const x3 = floats([3, 5, 7]);
      await check('Scaler [3, 5, 7]', 'Scaler', [x3], { offset: { floats: offset }, scale: { floats: scale } }, 'float', scalerRef(x3, offset, scale));
    });

    it('refuses a missing offset or scale, lengths that differ, and a length neither 1 nor F', async () => {
      const x = floats([3, 5]);
      await expect(refused('Scaler', [x], { scale: { floats: [1] } })).rejects.toThrow(/\(Scaler\): offset \(a list of floats\) is required/);
      await expect(refused('Scaler', [x], { offset: { floats: [1] } })).rejects.toThrow(/\(Scaler\): scale \(a list of floats\) is required/);
      await expect(refused('Scaler', [x], { offset: { floats: [1, 2] }, scale: { floats: [1] } })).rejects.toThrow(/scale has 1 values and offset 2; they must be as long as each other/);
      await expect(refused('Scaler', [x], { offset: { floats: [1, 2, 3] }, scale: { floats: [1, 2, 3] } })).rejects.toThrow(/scale and offset have 3 values; for input \[3, 5\] they must have 1 or 5/);
    });
  });

  describe('Normalizer', () => {
    it.each(SHAPES)('MAX, L1 and L2 per row, [%i, %i]', async (n, f) => {
      const x = floats([n, f]);
      // A row of zeros (left as it is) and, in MAX, a row whose largest value is negative (divided by it all the same).
      const values = Float64Array.from(x.values);
      values.fill(0, 0, f);
      if (n > 1) for (let j = 0; j < f; j++) values[f + j] = -Math.abs(values[f + j]) - 0.1;
      const xz: Input = { shape: [n, f], values };
      for (const norm of ['MAX', 'L1', 'L2'] as const) await check(`Normalizer ${norm}`, 'Normalizer', [xz], { norm }, 'float', normalizerRef(xz, norm));
    });

    it('a vector [C] as one row; int64 input; MAX by default', async () => {
      const v = floats([7]);
      await check('Normalizer [C] L2', 'Normalizer', [v], { norm: 'L2' }, 'float', normalizerRef(v, 'L2'));
      await check('Normalizer default', 'Normalizer', [v], {}, 'float', normalizerRef(v, 'MAX'));
      const xi: Input = { shape: [7, 3], values: randomInts(21, -9, 9), type: 'int64' };
      await check('Normalizer int64 L1', 'Normalizer', [xi], { norm: 'L1' }, 'float', normalizerRef(xi, 'L1'));
    });

    it('refuses an unknown norm and an input of 3 axes', async () => {
      await expect(refused('Normalizer', [floats([2, 3])], { norm: 'L3' })).rejects.toThrow(/\(Normalizer\): norm = 'L3' is not one of 'MAX', 'L1', 'L2'/);
      await expect(refused('Normalizer', [floats([2, 3, 4])], { norm: 'L1' })).rejects.toThrow(/\(Normalizer\): its input is \[2, 3, 4\]; it must be \[N, C\] or \[C\]/);
    });
  });

  describe('Binarizer', () => {
    it.each(SHAPES)('1 above the threshold, 0 at and below it, [%i, %i]', async (n, f) => {
      const t = fr(uniform(1, -1, 1)[0]);
      // Some entries exactly at the threshold: not above it.
      const x = sprinkle(floats([n, f]), t, 5);
      await check('Binarizer', 'Binarizer', [x], { threshold: { float: t } }, 'float', { shape: x.shape, v: Float64Array.from(x.values, (v) => (v > t ? 1 : 0)) }, { tol: 0 });
    });

    it('a threshold of 0 when none is given (a hand-worked case), and int64 input (which onnxruntime does not run)', async () => {
      const x: Input = { shape: [5], values: [0.5, -1, 0, 1.5, -0.25] };
      await check('Binarizer default threshold', 'Binarizer', [x], {}, 'float', { shape: [5], v: Float64Array.from([1, 0, 0, 1, 0]) }, { tol: 0 });
      const xi: Input = { shape: [3, 5], values: randomInts(15, -3, 3), type: 'int64' };
      await check('Binarizer int64', 'Binarizer', [xi], { threshold: { float: 0.5 } }, 'int64', { shape: [3, 5], v: Float64Array.from(xi.values, (v) => (v > 0.5 ? 1 : 0)) }, { tol: 0, ort: false });
    });

    it('refuses a NaN as onnxruntime does where it can read the input at once, and in runAsync (a GPU\'s synchronous run gives 0)', async () => {
      const x: Input = { shape: [3], values: [1, NaN, -1] };
      if (backend === 'webgpu') {
        const got = await tmRun(mlModel('Binarizer', [x], {}, 'float'), [x]);
        expectExact(got.v, [1, 0, 0], 'Binarizer NaN on webgpu');
      } else {
        await expect(refused('Binarizer', [x], {})).rejects.toThrow(/\(Binarizer\): its input holds NaN \(element 1\)/);
      }
      await expect(refusedAsync('Binarizer', [x], {})).rejects.toThrow(/\(Binarizer\): its input holds NaN \(element 1\)/);
      const fine: Input = { shape: [3], values: [1, 0.5, -1] };
      expectExact((await runModel(mlModel('Binarizer', [fine], {}, 'float'), [fine].map(feedOf), 'async'))[0].v, [1, 1, 0], 'Binarizer async');
    });
  });

  describe('Imputer', () => {
    it.each(SHAPES)('floats: a value, or NaN, replaced per feature or by one value, [%i, %i]', async (n, f) => {
      const imputed = f32s(uniform(f, -5, 5));
      const replaced = fr(0.75);
      const x = sprinkle(floats([n, f]), replaced);
      await check('Imputer per feature', 'Imputer', [x], { imputed_value_floats: { floats: imputed }, replaced_value_float: { float: replaced } }, 'float', imputerRef(x, imputed, replaced), { tol: 0 });
      await check('Imputer one value', 'Imputer', [x], { imputed_value_floats: { floats: [imputed[0]] }, replaced_value_float: { float: replaced } }, 'float', imputerRef(x, [imputed[0]], replaced), { tol: 0 });
      const xn = sprinkle(floats([n, f]), NaN);
      await check('Imputer NaN', 'Imputer', [xn], { imputed_value_floats: { floats: imputed }, replaced_value_float: { float: NaN } }, 'float', imputerRef(xn, imputed, NaN), { tol: 0 });
    });

    it.each(SHAPES)('int64s: per feature and one value, [%i, %i]', async (n, f) => {
      const imputed = Array.from(randomInts(f, -1000, 1000));
      const x: Input = { ...sprinkle({ shape: [n, f], values: randomInts(n * f, -5, 5) }, -1), type: 'int64' };
      await check('Imputer int64 per feature', 'Imputer', [x], { imputed_value_int64s: imputed, replaced_value_int64: -1 }, 'int64', imputerRef(x, imputed, -1), { tol: 0 });
      await check('Imputer int64 one value', 'Imputer', [x], { imputed_value_int64s: [imputed[0]], replaced_value_int64: -1 }, 'int64', imputerRef(x, [imputed[0]], -1), { tol: 0 });
    });

    it('replaces 0 when replaced_value_float is left out; a vector; rank 3 read as onnxruntime does', async () => {
      const x = sprinkle(floats([9]), 0);
      await check('Imputer default replaced', 'Imputer', [x], { imputed_value_floats: { floats: [4] } }, 'float', imputerRef(x, [4], 0), { tol: 0 });
      const x3 = sprinkle(floats([3, 5, 7]), 2);
      const imputed = f32s(uniform(5));
      await check('Imputer [3, 5, 7]', 'Imputer', [x3], { imputed_value_floats: { floats: imputed }, replaced_value_float: { float: 2 } }, 'float', imputerRef(x3, imputed, 2), { tol: 0 });
    });

    it('refuses both kinds of imputed values, the kind that does not fit the input, and a length neither 1 nor F', async () => {
      const x = floats([3, 5]);
      await expect(refused('Imputer', [x], { imputed_value_floats: { floats: [1] }, imputed_value_int64s: [1] })).rejects.toThrow(/\(Imputer\): has both imputed_value_floats and imputed_value_int64s/);
      await expect(refused('Imputer', [x], { imputed_value_int64s: [1] })).rejects.toThrow(/\(Imputer\): its input holds floats, so it needs imputed_value_floats, which is absent \(it has imputed_value_int64s\)/);
      await expect(refused('Imputer', [x], { imputed_value_floats: { floats: [1, 2] } })).rejects.toThrow(/\(Imputer\): has 2 imputed values; for input \[3, 5\] it must have 1 or 5/);
    });
  });

  describe('ArrayFeatureExtractor', () => {
    it.each(SHAPES)('picks along the last axis, indices repeated and in any order, [%i, %i]', async (n, f) => {
      const x = floats([n, f]);
      const indices = Array.from(randomInts(4, 0, f - 1));
      await check('ArrayFeatureExtractor', 'ArrayFeatureExtractor', [x, { shape: [4], values: indices, type: 'int64' }], {}, 'float', arrayFeatureRef(x, indices), { tol: 0 });
    });

    it("onnxruntime's shapes: a vector gives [1, k]; indices of any shape count flattened; rank 3; int64 data", async () => {
      const v = floats([7]);
      await check('ArrayFeatureExtractor [C]', 'ArrayFeatureExtractor', [v, { shape: [3], values: [6, 0, 6], type: 'int64' }], {}, 'float', arrayFeatureRef(v, [6, 0, 6]), { tol: 0 });
      const x3 = floats([3, 2, 5]);
      const idx = Array.from(randomInts(6, 0, 4));
      await check('ArrayFeatureExtractor [3, 2, 5] by [2, 3]', 'ArrayFeatureExtractor', [x3, { shape: [2, 3], values: idx, type: 'int64' }], {}, 'float', arrayFeatureRef(x3, idx), { tol: 0 });
      const xi: Input = { shape: [7, 3], values: randomInts(21, -100, 100), type: 'int64' };
      await check('ArrayFeatureExtractor int64', 'ArrayFeatureExtractor', [xi, { shape: [2], values: [2, 1], type: 'int64' }], {}, 'int64', arrayFeatureRef(xi, [2, 1]), { tol: 0 });
    });

    it('refuses an index outside [0, n) where it can read them at once, and in runAsync (a GPU\'s synchronous run gives 0), and empty indices', async () => {
      const x = floats([2, 3]);
      for (const bad of [3, -1]) {
        const inputs: Input[] = [x, { shape: [2], values: [0, bad], type: 'int64' }];
        const outside = new RegExp(`\\(ArrayFeatureExtractor\\): index ${bad} \\(Y\\[1\\]\\) is outside \\[0, 3\\)`);
        if (backend === 'webgpu') {
          const got = await tmRun(mlModel('ArrayFeatureExtractor', inputs, {}, 'float'), inputs);
          expectExact(got.v, [x.values[0], 0, x.values[3], 0], `ArrayFeatureExtractor index ${bad} on webgpu`);
        } else {
          await expect(refused('ArrayFeatureExtractor', inputs, {})).rejects.toThrow(outside);
        }
        await expect(refusedAsync('ArrayFeatureExtractor', inputs, {})).rejects.toThrow(outside);
      }
      await expect(refused('ArrayFeatureExtractor', [x, { shape: [0], values: [], type: 'int64' }], {})).rejects.toThrow(/Y \(the indices\) is empty/);
    });
  });

  describe('FeatureVectorizer', () => {
    it.each(SHAPES)('inputs side by side, each cut or padded to its dimension, [%i, %i]', async (n, f) => {
      const a = floats([n, f]), b = floats([n, 2]), c: Input = { shape: [n, 4], values: randomInts(n * 4, -9, 9), type: 'int64' };
      // a kept whole, b padded by 3 zeros, c cut to 1.
      const dims = [f, 5, 1];
      const bytes = onnxModel({
        opset: 17,
        domains: { 'ai.onnx.ml': 3 },
        inputs: [{ name: 'x0', shape: a.shape }, { name: 'x1', shape: b.shape }, { name: 'x2', type: 'int64', shape: c.shape }],
        outputs: [{ name: 'y' }],
        nodes: [{ op: 'FeatureVectorizer', domain: 'ai.onnx.ml', inputs: ['x0', 'x1', 'x2'], outputs: ['y'], attributes: { inputdimensions: dims } }],
      });
      const want = featureVectorizerRef([a, b, c], dims);
      const got = await tmRun(bytes, [a, b, c]);
      expect(got.shape).toEqual(want.shape);
      expectExact(got.v, want.v, `FeatureVectorizer [${n}, ${f}]`);
      // onnxruntime takes one element type for all inputs: it is checked on the float ones.
      const floatOnly = onnxModel({
        opset: 17,
        domains: { 'ai.onnx.ml': 3 },
        inputs: [{ name: 'x0', shape: a.shape }, { name: 'x1', shape: b.shape }],
        outputs: [{ name: 'y' }],
        nodes: [{ op: 'FeatureVectorizer', domain: 'ai.onnx.ml', inputs: ['x0', 'x1'], outputs: ['y'], attributes: { inputdimensions: [f - 1, 5] } }],
      });
      const ours = await tmRun(floatOnly, [a, b]);
      const theirs = await ortOut(floatOnly, [a, b]);
      expect(ours.shape).toEqual(theirs.shape);
      expectExact(ours.v, theirs.v, `FeatureVectorizer [${n}, ${f}] vs onnxruntime`);
      expectExact(ours.v, featureVectorizerRef([a, b], [f - 1, 5]).v, `FeatureVectorizer [${n}, ${f}] two inputs vs float64`);
    });

    it("a vector as one row, and trailing axes flattened (onnxruntime's reading of [N, a, b])", async () => {
      const v = floats([5]);
      await check('FeatureVectorizer [C]', 'FeatureVectorizer', [v], { inputdimensions: [3] }, 'float', featureVectorizerRef([v], [3]), { tol: 0 });
      const x3 = floats([3, 2, 3]);
      await check('FeatureVectorizer [3, 2, 3]', 'FeatureVectorizer', [x3], { inputdimensions: [7] }, 'float', featureVectorizerRef([x3], [7]), { tol: 0 });
    });

    it('refuses inputs of different N, and a count of inputdimensions that is not the inputs\'', async () => {
      const two = (dims: number[], b: Input) => {
        const inputs = [floats([2, 3]), b];
        return tmRun(onnxModel({ opset: 17, domains: { 'ai.onnx.ml': 3 }, inputs: inputs.map((x, i) => ({ name: `x${i}`, shape: x.shape })), outputs: [{ name: 'y' }], nodes: [{ op: 'FeatureVectorizer', domain: 'ai.onnx.ml', inputs: ['x0', 'x1'], outputs: ['y'], attributes: { inputdimensions: dims } }] }), inputs);
      };
      await expect(two([3, 3], floats([3]))).rejects.toThrow(/\(FeatureVectorizer\): input 1 is \[3\], of 1 rows; input 0 is \[2, 3\], of 2: they must agree/);
      await expect(two([3], floats([2, 3]))).rejects.toThrow(/\(FeatureVectorizer\): has 2 inputs and 1 inputdimensions/);
    });
  });

  describe('OneHotEncoder', () => {
    it.each(SHAPES)('int64 and float input (cut toward zero), unknown values all zeros, [%i, %i]', async (n, f) => {
      const cats = Array.from(randomInts(f, -6, 6));
      const xi: Input = { shape: [n, f], values: randomInts(n * f, -7, 7), type: 'int64' };
      await check('OneHotEncoder int64', 'OneHotEncoder', [xi], { cats_int64s: cats }, 'float', oneHotRef(xi, cats), { tol: 0 });
      // Floats within 0.99 of an integer, on the side truncation takes back to it.
      const base = randomInts(n * f, -7, 7), frac = uniform(n * f, 0, 0.99);
      const xf: Input = { shape: [n, f], values: Float64Array.from(Float32Array.from(base, (b, i) => (b > 0 ? b + frac[i] : b < 0 ? b - frac[i] : frac[i] - 0.5))) };
      await check('OneHotEncoder float', 'OneHotEncoder', [xf], { cats_int64s: cats, zeros: 1 }, 'float', oneHotRef(xf, cats), { tol: 0 });
    });

    it('a repeated category marks its last place; a vector and rank 3 add the category axis', async () => {
      const cats = [3, 5, 3, -2];
      const x: Input = { shape: [2, 2, 3], values: [3, 5, -2, 4, 3, 0, -2, -2, 5, 3, 3, 9], type: 'int64' };
      await check('OneHotEncoder repeated', 'OneHotEncoder', [x], { cats_int64s: cats }, 'float', oneHotRef(x, cats), { tol: 0 });
      // Hand-worked: 3 → its second place, 5 → [0, 1, 0, 0], 7 → zeros.
      const v: Input = { shape: [3], values: [3, 5, 7], type: 'int64' };
      await check('OneHotEncoder hand-worked', 'OneHotEncoder', [v], { cats_int64s: cats }, 'float', { shape: [3, 4], v: Float64Array.from([0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0]) }, { tol: 0 });
    });

    it('zeros = 0: known categories as usual; an unknown one refused where the input can be read at once (a GPU gives zeros)', async () => {
      const cats = [1, 2, 4];
      const ok: Input = { shape: [4], values: [4, 1, 2, 2], type: 'int64' };
      await check('OneHotEncoder zeros = 0', 'OneHotEncoder', [ok], { cats_int64s: cats, zeros: 0 }, 'float', oneHotRef(ok, cats), { tol: 0 });
      const bad: Input = { shape: [3], values: [1, 3, 2], type: 'int64' };
      if (backend === 'webgpu') {
        const got = await tmRun(mlModel('OneHotEncoder', [bad], { cats_int64s: cats, zeros: 0 }, 'float'), [bad]);
        expectExact(got.v, oneHotRef(bad, cats).v, 'OneHotEncoder unknown with zeros = 0 on webgpu');
      } else {
        await expect(refused('OneHotEncoder', [bad], { cats_int64s: cats, zeros: 0 })).rejects.toThrow(/\(OneHotEncoder\): element 1 of its input, 3, is none of cats_int64s, and zeros = 0 makes that an error/);
      }
      await expect(refusedAsync('OneHotEncoder', [bad], { cats_int64s: cats, zeros: 0 })).rejects.toThrow(/\(OneHotEncoder\): element 1 of its input, 3, is none of cats_int64s, and zeros = 0 makes that an error/);
      expectExact((await runModel(mlModel('OneHotEncoder', [ok], { cats_int64s: cats, zeros: 0 }, 'float'), [ok].map(feedOf), 'async'))[0].v, oneHotRef(ok, cats).v, 'OneHotEncoder zeros = 0 async');
    });

    it('refuses cats_strings over numbers, both kinds of categories, no categories, and a zeros of neither 0 nor 1', async () => {
      const x: Input = { shape: [2], values: [1, 2], type: 'int64' };
      await expect(refused('OneHotEncoder', [x], { cats_strings: { strings: ['a', 'b'] } })).rejects.toThrow(/\(OneHotEncoder\): input 0 \(x0\) is numeric, but its categories are strings \(cats_strings\); it takes a string tensor there/);
      await expect(refused('OneHotEncoder', [x], { cats_strings: { strings: ['a', 'b'] }, cats_int64s: [1, 2] })).rejects.toThrow(/\(OneHotEncoder\): has both cats_strings and cats_int64s; it takes one of them/);
      await expect(refused('OneHotEncoder', [x], {})).rejects.toThrow(/\(OneHotEncoder\): cats_int64s .* is required/);
      await expect(refused('OneHotEncoder', [x], { cats_int64s: [1], zeros: 2 })).rejects.toThrow(/\(OneHotEncoder\): zeros = 2; it is 1/);
    });
  });

  describe('LabelEncoder', () => {
    /** Integer keys with a repeat (the first kept), values, and x drawn from the keys and beyond them. */
    function intCase(n: number, f: number): { keys: number[]; x: Input } {
      const keys = Array.from(randomInts(f + 2, -20, 20));
      keys[f + 1] = keys[0];
      const values = Float64Array.from(randomInts(n * f, 0, 2 * keys.length), (k) => (k < keys.length ? keys[k] : k * 7 - 1000));
      // The repeated key, and one of none, at least once.
      values[0] = keys[0];
      if (values.length > 1) values[1] = -1001;
      return { keys, x: { shape: [n, f], values, type: 'int64' } };
    }

    /** Float keys (one NaN, one repeat) and x drawn from them, NaN, and values of no key. */
    function floatCase(n: number, f: number): { keys: number[]; x: Input } {
      const keys = f32s(uniform(f + 3));
      keys[f + 1] = NaN;
      keys[f + 2] = keys[1];
      const pick = randomInts(n * f, 0, 2 * keys.length), other = f32s(uniform(n * f, 5, 9));
      const values = Float64Array.from(pick, (k, i) => (k < keys.length ? keys[k] : other[i]));
      // NaN and the repeated key at least once.
      values[0] = NaN;
      if (values.length > 1) values[1] = keys[1];
      return { keys, x: { shape: [n, f], values } };
    }

    it.each(SHAPES)('opset 2: int64 → int64, int64 → float, float → int64, float → float, [%i, %i]', async (n, f) => {
      const { keys, x } = intCase(n, f);
      const ints = Array.from(randomInts(keys.length, -1e6, 1e6)), fls = f32s(uniform(keys.length, -100, 100));
      await check('LabelEncoder int64 → int64', 'LabelEncoder', [x], { keys_int64s: keys, values_int64s: ints, default_int64: 99 }, 'int64', labelRef(x, keys, ints, 99, false), { tol: 0, version: 2 });
      await check('LabelEncoder int64 → float', 'LabelEncoder', [x], { keys_int64s: keys, values_floats: { floats: fls } }, 'float', labelRef(x, keys, fls, -0, false), { tol: 0, version: 2 });
      const fc = floatCase(n, f);
      // Opset 2's onnxruntime kernel matches no NaN: the case's NaN key is left out of opset 2's models.
      const finite = fc.keys.map((k) => (Number.isNaN(k) ? 0.5 : k));
      const ints2 = Array.from(randomInts(finite.length, -1e6, 1e6)), fls2 = f32s(uniform(finite.length, -100, 100));
      await check('LabelEncoder float → int64', 'LabelEncoder', [fc.x], { keys_floats: { floats: finite }, values_int64s: ints2 }, 'int64', labelRef(fc.x, finite, ints2, -1, false), { tol: 0, version: 2 });
      await check('LabelEncoder float → float', 'LabelEncoder', [fc.x], { keys_floats: { floats: finite }, values_floats: { floats: fls2 }, default_float: { float: 0.25 } }, 'float', labelRef(fc.x, finite, fls2, 0.25, false), { tol: 0, version: 2 });
    });

    it.each(SHAPES)('opset 2: a NaN key matches no element, NaN or not (onnxruntime\'s opset 2 kernel), [%i, %i]', async (n, f) => {
      const fc = floatCase(n, f);
      const ints = Array.from(randomInts(fc.keys.length, -1e6, 1e6));
      await check('LabelEncoder opset 2 NaN key', 'LabelEncoder', [fc.x], { keys_floats: { floats: fc.keys }, values_int64s: ints, default_int64: 7 }, 'int64', labelRef(fc.x, fc.keys, ints, 7, false), { tol: 0, version: 2 });
    });

    it.each(SHAPES)('opset 4: keys_tensor, values_tensor and default_tensor; a NaN key matching NaN, [%i, %i]', async (n, f) => {
      const { keys, x } = intCase(n, f);
      const fls = f32s(uniform(keys.length, -100, 100));
      const tensorAttrs = (k: number[], kType: 'int64' | 'float' | 'double', v: number[], vType: 'int64' | 'float' | 'double', d: number): Record<string, AttributeSpec> => ({
        keys_tensor: { tensor: { type: kType, shape: [k.length], values: k } },
        values_tensor: { tensor: { type: vType, shape: [v.length], values: v } },
        default_tensor: { tensor: { type: vType, shape: [1], values: [d] } },
      });
      await check('LabelEncoder 4 int64 → float', 'LabelEncoder', [x], tensorAttrs(keys, 'int64', fls, 'float', 7.5), 'float', labelRef(x, keys, fls, 7.5, true), { tol: 0, version: 4 });
      const fc = floatCase(n, f);
      const ints = Array.from(randomInts(fc.keys.length, -50, 50));
      await check('LabelEncoder 4 float → int64 (list attributes)', 'LabelEncoder', [fc.x], { keys_floats: { floats: fc.keys }, values_int64s: ints, default_int64: -7 }, 'int64', labelRef(fc.x, fc.keys, ints, -7, true), { tol: 0, version: 4 });
      const fv = f32s(uniform(fc.keys.length, -100, 100));
      await check('LabelEncoder 4 float → float', 'LabelEncoder', [fc.x], tensorAttrs(fc.keys, 'float', fv, 'float', 3), 'float', labelRef(fc.x, fc.keys, fv, 3, true), { tol: 0, version: 4 });
      // double → double: tmnn holds doubles as f32, so the keys are compared at f32 (x is drawn from f32 values) and the values come back rounded to f32.
      const dv = Array.from(uniform(fc.keys.length, -100, 100));
      const xd: Input = { ...fc.x, type: 'double' };
      await check('LabelEncoder 4 double → double', 'LabelEncoder', [xd], tensorAttrs(fc.keys, 'double', dv, 'double', 1 / 3), 'double', labelRef(xd, fc.keys, dv, 1 / 3, true), { tol: 1e-7, version: 4 });
    });

    it('defaults: −1 for integer values, −0 for float values, when none is given (opset 4, list attributes)', async () => {
      const x: Input = { shape: [3], values: [1, 2, 3], type: 'int64' };
      await check('LabelEncoder default int', 'LabelEncoder', [x], { keys_int64s: [1, 2], values_int64s: [10, 20] }, 'int64', { shape: [3], v: Float64Array.from([10, 20, -1]) }, { tol: 0, version: 4 });
      await check('LabelEncoder default float', 'LabelEncoder', [x], { keys_int64s: [2], values_floats: { floats: [0.5] } }, 'float', { shape: [3], v: Float64Array.from([0, 0.5, 0]) }, { tol: 0, version: 4 });
    });

    it('edge keys: integers outside int32 or one apart past 2^24, ±0, ±Infinity, NaN, doubles that round to one float32', async () => {
      // Integer keys match exactly (x is held as i32): keys outside int32 match nothing, the int32 limits and 2^24 + 1 match.
      const ik = [2 ** 31, -(2 ** 31), 2 ** 31 - 1, 16777217, 16777216, -(2 ** 31) - 1, 5, 5];
      const iv = [1, 2, 3, 4, 5, 6, 7, 8];
      const xi: Input = { shape: [2, 4], values: [-(2 ** 31), 2 ** 31 - 1, 16777217, 16777216, 5, 0, 16777218, -5], type: 'int64' };
      await check('LabelEncoder edge int64 keys', 'LabelEncoder', [xi], { keys_int64s: ik, values_int64s: iv, default_int64: -9 }, 'int64', labelRef(xi, ik, iv, -9, false), { tol: 0, version: 2 });
      // Float keys: −0 and +0 are one key (equal() says so; the first kept), ±Infinity match themselves, a NaN key matches NaN (opset 4).
      const fk = [-0, 1.5, 0, Infinity, -Infinity, NaN, -1.5];
      const fv = [10, 20, 30, 40, 50, 60, 70];
      const xf: Input = { shape: [9], values: [0, -0, 1.5, Infinity, -Infinity, NaN, -1.5, 2, -Infinity] };
      const want = labelRef(xf, fk, fv, -1, true);
      expect(Array.from(want.v.slice(0, 2))).toEqual([10, 10]);
      await check('LabelEncoder edge float keys', 'LabelEncoder', [xf], { keys_floats: { floats: fk }, values_int64s: fv }, 'int64', want, { tol: 0, version: 4, ort: false });
      // double keys are held as float32: two that round to one float32 are one key, the first kept.
      const dk = [0.1, 0.1 + 1e-12, 1 / 3, 2 ** 40 + 1];
      const dv = [1, 2, 3, 4];
      const xd: Input = { shape: [4], values: [fr(0.1), fr(1 / 3), fr(2 ** 40), 0.1], type: 'double' };
      const dt = (v: number[]): AttributeSpec => ({ tensor: { type: 'double', shape: [v.length], values: v } });
      await check('LabelEncoder edge double keys', 'LabelEncoder', [xd], { keys_tensor: dt(dk), values_tensor: { tensor: { type: 'int64', shape: [4], values: dv } }, default_tensor: { tensor: { type: 'int64', shape: [1], values: [-2] } } }, 'int64', { shape: [4], v: Float64Array.from([1, 3, 4, 1]) }, { tol: 0, version: 4, ort: false });
    });

    it('5,000 keys and 20,000 elements, integer and float: the same as a host Map lookup (a repeated key\'s first value)', async () => {
      const k = 5000, shape = [100, 200], n = 20000;
      /** The value of x's key (the first of a repeated one; a Map has one NaN key, matching NaN), else the default, through a Map. */
      const mapRef = (x: Input, keys: readonly number[], values: readonly number[], fallback: number): F64 => {
        const map = new Map<number, number>();
        keys.forEach((key, i) => {
          if (!map.has(key)) map.set(key, values[i]);
        });
        return { shape: x.shape, v: Float64Array.from(x.values, (xi) => map.get(xi) ?? fallback) };
      };
      // Integers over a wide range, a tenth of them repeats of earlier ones, one outside int32; x half keys, half drawn anywhere.
      const ik = Array.from(randomInts(k, -1e9, 1e9));
      const repeat = randomInts(k, 0, 9), from = randomInts(k, 0, k - 1);
      ik.forEach((_, i) => {
        if (repeat[i] === 0 && from[i] < i) ik[i] = ik[from[i]];
      });
      ik[17] = 2 ** 33;
      const iv = Array.from(randomInts(k, -1e6, 1e6));
      const pick = randomInts(n, 0, 2 * k - 1), anywhere = randomInts(n, -1e9, 1e9);
      const xi: Input = { shape, values: Float64Array.from(pick, (p, i) => (p < k && ik[p] !== 2 ** 33 ? ik[p] : anywhere[i])), type: 'int64' };
      await check('LabelEncoder 5,000 int64 keys', 'LabelEncoder', [xi], { keys_int64s: ik, values_int64s: iv, default_int64: -3 }, 'int64', mapRef(xi, ik, iv, -3), { tol: 0, version: 2 });
      // Floats (float32), repeats as above, one NaN key (opset 4: it matches NaN); x also holds NaN, −0 and +0.
      const fk = f32s(uniform(k, -1000, 1000));
      fk.forEach((_, i) => {
        if (repeat[i] === 0 && from[i] < i) fk[i] = fk[from[i]];
      });
      fk[5] = 0;
      fk[4000] = NaN;
      const fv = f32s(uniform(k, -100, 100));
      const other = f32s(uniform(n, -1000, 1000));
      const xf: Input = { shape, values: Float64Array.from(pick, (p, i) => (p < k ? fk[p] : other[i])) };
      Object.assign(xf.values, { 0: NaN, 1: -0, 2: 0 });
      await check('LabelEncoder 5,000 float keys', 'LabelEncoder', [xf], { keys_floats: { floats: fk }, values_floats: { floats: fv }, default_float: { float: 0.5 } }, 'float', mapRef(xf, fk, fv, 0.5), { tol: 0, version: 4 });
    });

    it('refuses string keys for numbers, keys of the other kind than the input, and tables of different lengths', async () => {
      const x: Input = { shape: [2], values: [1, 2], type: 'int64' };
      await expect(refused('LabelEncoder', [x], { keys_strings: { strings: ['a'] }, values_int64s: [1] }, 'int64', 2)).rejects.toThrow(/\(LabelEncoder\): input 0 \(x0\) is numeric, but its keys are strings; it takes a string tensor there/);
      await expect(refused('LabelEncoder', [x], { keys_floats: { floats: [1] }, values_int64s: [1] }, 'int64', 2)).rejects.toThrow(/\(LabelEncoder\): its input holds integers and keys_floats floats; they must be of one kind/);
      await expect(refused('LabelEncoder', [x], { keys_int64s: [1, 2], values_int64s: [1] }, 'int64', 2)).rejects.toThrow(/\(LabelEncoder\): keys_int64s has 2 entries and values_int64s 1/);
      await expect(refused('LabelEncoder', [x], { values_int64s: [1] }, 'int64', 2)).rejects.toThrow(/\(LabelEncoder\): has none of keys_int64s, keys_floats, keys_tensor/);
    });
  });

  it('runs in an asynchronous run (runAsync) as in the synchronous one, leaving no tensor behind', async () => {
    const x: Input = { shape: [7, 3], values: randomInts(21, -4, 4), type: 'int64' };
    const cats = [-4, 0, 2, 3];
    const bytes = mlModel('OneHotEncoder', [x], { cats_int64s: cats, zeros: 1 }, 'float');
    const [got] = await runModel(bytes, [{ shape: x.shape, values: x.values, type: 'int64' }], 'async');
    expect(got.shape).toEqual([7, 3, 4]);
    expectExact(got.v, oneHotRef(x, cats).v, 'OneHotEncoder, runAsync');
    const keys = [4, -4, 1];
    const le = mlModel('LabelEncoder', [x], { keys_int64s: keys, values_floats: { floats: [0.5, 1.5, 2.5] }, default_float: { float: -1 } }, 'float', 2);
    const [mapped] = await runModel(le, [{ shape: x.shape, values: x.values, type: 'int64' }], 'async');
    expectExact(mapped.v, labelRef(x, keys, [0.5, 1.5, 2.5], -1, false).v, 'LabelEncoder, runAsync');
  });

  it('a pipeline (Imputer of NaN → Scaler → Normalizer L2 → ArrayFeatureExtractor) agrees with the float64 steps and onnxruntime', async () => {
    const f = 5, n = 33;
    const x = sprinkle(floats([n, f]), NaN);
    const imputed = f32s(uniform(f)), offset = f32s(uniform(f)), scale = f32s(uniform(f, 0.5, 2));
    const picked = [4, 0, 2];
    const bytes = onnxModel({
      opset: 17,
      domains: { 'ai.onnx.ml': 3 },
      inputs: [{ name: 'x0', shape: [n, f] }],
      outputs: [{ name: 'y' }],
      initializers: { idx: { type: 'int64', shape: [3], values: picked } },
      nodes: [
        { op: 'Imputer', domain: 'ai.onnx.ml', inputs: ['x0'], outputs: ['a'], attributes: { imputed_value_floats: { floats: imputed }, replaced_value_float: { float: NaN } } },
        { op: 'Scaler', domain: 'ai.onnx.ml', inputs: ['a'], outputs: ['b'], attributes: { offset: { floats: offset }, scale: { floats: scale } } },
        { op: 'Normalizer', domain: 'ai.onnx.ml', inputs: ['b'], outputs: ['c'], attributes: { norm: 'L2' } },
        { op: 'ArrayFeatureExtractor', domain: 'ai.onnx.ml', inputs: ['c', 'idx'], outputs: ['y'] },
      ],
    });
    const a = imputerRef(x, imputed, NaN);
    const b = scalerRef({ shape: a.shape, values: a.v }, offset, scale);
    const c = normalizerRef({ shape: b.shape, values: b.v }, 'L2');
    const want = arrayFeatureRef({ shape: c.shape, values: c.v }, picked);
    const got = await tmRun(bytes, [x]);
    expect(got.shape).toEqual([n, 3]);
    expectClose(got.v, want.v, 1e-5, 'pipeline vs float64');
    expectClose(got.v, (await ortOut(bytes, [x])).v, 1e-5, 'pipeline vs onnxruntime');
  });
});
