// ai.onnx.ml's LinearRegressor and LinearClassifier (src/onnx/ops/ml_linear.ts)
// on every backend: against float64 loops of onnxruntime's kernels
// (linearregressor.cc, linearclassifier.cc with ml_common.h's transforms) on
// random models and data at odd sizes — every post_transform, one and several
// targets or classes, the binary classifier with and without its two labels,
// X of float, double, int64 and int32, one sample [C]; sparse scores for
// SOFTMAX_ZERO; the bad attributes refused by name; onnxruntime-web agreeing.
import * as ort from 'onnxruntime-web';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../../src/index.js';
import { BACKENDS } from '../../helpers/backends.js';
import { asF32, expectClose, expectExact, randomInts, SEED, uniform } from '../../helpers/data.js';
import { opModel, runOp, type Feed, type RunOptions } from '../../helpers/onnx_run.js';
import type { AttributeSpec } from '../../helpers/onnx.js';
import { logistic, probit, transformRow, type Transform } from '../../helpers/ml_post_transform.js';
import { ortRun } from '../../helpers/ort.js';

const TRANSFORMS: Transform[] = ['NONE', 'LOGISTIC', 'SOFTMAX', 'SOFTMAX_ZERO', 'PROBIT'];
type XType = 'float' | 'double' | 'int64' | 'int32';
const ML: RunOptions = { domain: 'ai.onnx.ml' };
/** The classifier's two outputs: labels Y (int64) and scores Z. */
const TWO: RunOptions = { ...ML, outputs: 2, outputTypes: ['int64', 'float'] };

interface Linear {
  /** W [rows, C], row-major, as f32 holds it. */
  w: Float64Array;
  /** b [rows], or none. */
  b?: Float64Array;
  rows: number;
  features: number;
}

interface Data {
  x: Float64Array;
  n: number;
  type: XType;
  /** Fed as one sample [C] rather than [1, C]. */
  single?: boolean;
}

/**
 * A random model. PROBIT's scores should be probabilities (outside [0, 1]
 * it is NaN): there W ≥ 0 and b small, with X in [0, 1), keep them within
 * [0.05, 0.95]. `zeroRows` rows of W (and their intercepts) are zero, so
 * their scores are exactly 0: SOFTMAX_ZERO's absent classes.
 */
function randomLinear(rows: number, features: number, transform: Transform, intercepts = true, zeroRows: readonly number[] = []): Linear {
  const probit = transform === 'PROBIT';
  const w = asF32(probit ? uniform(rows * features, 0, 0.9 / features) : uniform(rows * features, -1, 1).map((v) => v / Math.sqrt(features)));
  const b = intercepts ? asF32(probit ? uniform(rows, 0.05, 0.05) : uniform(rows, -0.5, 0.5)) : undefined;
  for (const r of zeroRows) {
    w.fill(0, r * features, (r + 1) * features);
    if (b) b[r] = 0;
  }
  return { w, b, rows, features };
}

function randomData(n: number, features: number, transform: Transform, type: XType = 'float'): Data {
  const count = n * features;
  const x = type === 'int64' || type === 'int32' ? randomInts(count, transform === 'PROBIT' ? 0 : -3, transform === 'PROBIT' ? 1 : 3) : asF32(transform === 'PROBIT' ? uniform(count, 0, 1) : uniform(count, -1.5, 1.5));
  return { x, n, type };
}

/** Scores X·Wᵀ + b [N, rows] in float64, and each one's scale Σ|x·w| + |b| (what f32 rounded). */
function scoresRef(m: Linear, d: Data): { s: Float64Array; scale: Float64Array } {
  const s = new Float64Array(d.n * m.rows), scale = new Float64Array(d.n * m.rows);
  for (let i = 0; i < d.n; i++) {
    for (let r = 0; r < m.rows; r++) {
      let sum = m.b ? m.b[r] : 0, mag = m.b ? Math.abs(m.b[r]) : 0;
      for (let j = 0; j < m.features; j++) {
        const p = d.x[i * m.features + j] * m.w[r * m.features + j];
        sum += p;
        mag += Math.abs(p);
      }
      s[i * m.rows + r] = sum;
      scale[i * m.rows + r] = mag;
    }
  }
  return { s, scale };
}

const rowsOf = (v: Float64Array, width: number): number[][] => Array.from({ length: v.length / width }, (_, i) => Array.from(v.subarray(i * width, (i + 1) * width)));

/** LinearRegressor's Y [N, targets]: one target takes PROBIT only (onnxruntime's one-score case). */
function regressorRef(m: Linear, d: Data, transform: Transform): { y: Float64Array; scale: Float64Array } {
  const { s, scale } = scoresRef(m, d);
  if (m.rows === 1) return { y: transform === 'PROBIT' ? s.map(probit) : s, scale };
  return { y: Float64Array.from(rowsOf(s, m.rows).flatMap((row) => transformRow(row, transform))), scale };
}

interface ClassifierWant {
  /** Each sample's label, and the labels also accepted where f32 may tie the scores it decides between. */
  labels: number[][];
  z: Float64Array;
  zShape: number[];
  /** Z's scale: its score's. */
  scale: Float64Array;
}

/** LinearClassifier's Y and Z as onnxruntime's linearclassifier.cc makes them (labels undefined: none given). */
function classifierRef(m: Linear, d: Data, labels: readonly number[] | undefined, transform: Transform): ClassifierWant {
  const { s, scale } = scoresRef(m, d);
  const tied = (a: number, b: number, sa: number, sb: number) => Math.abs(a - b) <= 1e-5 * (sa + sb + 1);
  if (m.rows === 1) {
    const [neg, pos] = labels ?? [0, 1];
    const y = Array.from(s, (v, i) => (tied(v, 0, scale[i], 0) ? [neg, pos] : [v > 0 ? pos : neg]));
    if (!labels) return { labels: y, z: transform === 'PROBIT' ? s.map(probit) : s, zShape: [d.n, 1], scale };
    const positive = transform === 'LOGISTIC' ? s.map(logistic) : s;
    return { labels: y, z: Float64Array.from(Array.from(positive).flatMap((p) => [1 - p, p])), zShape: [d.n, 2], scale: Float64Array.from(Array.from(scale).flatMap((v) => [v, v])) };
  }
  const names = labels ?? [];
  const y = rowsOf(s, m.rows).map((row, i) => {
    const best = row.indexOf(Math.max(...row));
    const rowScale = scale.subarray(i * m.rows, (i + 1) * m.rows);
    return [names[best], ...row.flatMap((v, k) => (k !== best && tied(v, row[best], rowScale[k], rowScale[best]) ? [names[k]] : []))];
  });
  return { labels: y, z: Float64Array.from(rowsOf(s, m.rows).flatMap((row) => transformRow(row, transform))), zShape: [d.n, m.rows], scale };
}

/**
 * Transformed scores against the float64 ones: 1e-5 relative, plus the
 * score's own f32 rounding (~1e-6 of its scale) carried through the
 * transform — PROBIT's slope √(2π)·e^(z²/2) magnifies it.
 */
function expectScores(got: ArrayLike<number>, want: Float64Array, scale: Float64Array, transform: Transform, what: string): void {
  if (transform === 'NONE') return expectClose(got, want, 1e-5, what, scale);
  const slack = transform === 'PROBIT' ? Array.from(want, (w, i) => 1e-6 * (scale[i] + 1) * Math.sqrt(2 * Math.PI) * Math.exp((w * w) / 2)) : Array.from(scale, (v) => 2e-6 * (v + 1));
  expect(got.length, `${what} length`).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const g = got[i], w = want[i];
    if (Number.isNaN(w) ? !Number.isNaN(g) : !(Math.abs(g - w) <= 1e-5 * (Math.abs(w) + 1) + slack[i])) expect.fail(`${what} index ${i}: got ${g}, want ${w} (test seed ${SEED})`);
  }
}

function expectLabels(got: ArrayLike<number>, want: number[][], what: string): void {
  expect(got.length, `${what} length`).toBe(want.length);
  for (let i = 0; i < want.length; i++) if (!want[i].includes(got[i])) expect.fail(`${what} sample ${i}: got ${got[i]}, want ${want[i].join(' or ')} (test seed ${SEED})`);
}

function xFeed(d: Data, features: number): Feed {
  return { shape: d.single ? [features] : [d.n, features], values: d.x, type: d.type };
}

function regressorAttributes(m: Linear, transform: Transform): Record<string, AttributeSpec> {
  return { coefficients: { floats: Array.from(m.w) }, ...(m.b ? { intercepts: { floats: Array.from(m.b) } } : {}), targets: m.rows, post_transform: transform };
}

function classifierAttributes(m: Linear, labels: readonly number[] | undefined, transform: Transform, multiClass = 0): Record<string, AttributeSpec> {
  return { coefficients: { floats: Array.from(m.w) }, intercepts: { floats: Array.from(m.b ?? new Float64Array(m.rows)) }, ...(labels ? { classlabels_ints: [...labels] } : {}), multi_class: multiClass, post_transform: transform };
}

/** `count` distinct labels, shuffled, some negative, or 0…count−1 in order half the time. */
function randomLabels(count: number): number[] {
  if (randomInts(1, 0, 1)[0] === 0) return Array.from({ length: count }, (_, i) => i);
  const pool = Array.from(randomInts(3 * count, -50, 1000));
  return [...new Set(pool)].slice(0, count);
}

const SIZES = [1, 7, 33];

describe.each(BACKENDS)('tm.onnx ai.onnx.ml linear models on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it.each(TRANSFORMS)('LinearRegressor, post_transform %s: one and 3 targets, with and without intercepts, N = 1, 7, 33', async (transform) => {
    for (const [k, n] of SIZES.entries()) {
      for (const targets of [1, 3]) {
        const features = [5, 13, 1][k];
        const m = randomLinear(targets, features, transform, k !== 1);
        const d = randomData(n, features, transform);
        const [y] = await runOp('LinearRegressor', [xFeed(d, features)], regressorAttributes(m, transform), ML);
        const want = regressorRef(m, d, transform);
        expect(y.shape).toEqual([n, targets]);
        expectScores(y.v, want.y, want.scale, transform, `LinearRegressor ${transform}, ${targets} targets, N ${n}, C ${features}`);
      }
    }
  });

  it.each(TRANSFORMS)('LinearClassifier, post_transform %s: 3 and 4 classes, N = 1, 7, 33', async (transform) => {
    for (const [k, n] of SIZES.entries()) {
      for (const classes of [3, 4]) {
        const features = [7, 3, 11][k];
        // Some absent classes (zero scores) for SOFTMAX_ZERO to leave out.
        const m = randomLinear(classes, features, transform, true, transform === 'SOFTMAX_ZERO' ? [classes - 2] : []);
        const d = randomData(n, features, transform);
        const labels = randomLabels(classes);
        const [y, z] = await runOp('LinearClassifier', [xFeed(d, features)], classifierAttributes(m, labels, transform, k % 2), TWO);
        const want = classifierRef(m, d, labels, transform);
        const what = `LinearClassifier ${transform}, ${classes} classes, N ${n}, C ${features}, labels ${labels.join(',')}`;
        expect(y.shape).toEqual([n]);
        expect(z.shape).toEqual(want.zShape);
        expectLabels(y.v, want.labels, `${what}: labels`);
        expectScores(z.v, want.z, want.scale, transform, `${what}: scores`);
      }
    }
  });

  it.each(TRANSFORMS)('binary LinearClassifier (one row of coefficients), post_transform %s: with two labels and without', async (transform) => {
    for (const [k, n] of SIZES.entries()) {
      const features = [9, 5, 3][k];
      const m = randomLinear(1, features, transform);
      const d = randomData(n, features, transform);
      // PROBIT with two labels is refused (below): onnxruntime leaves half of Z unwritten there.
      const labelSets: (number[] | undefined)[] = transform === 'PROBIT' ? [undefined] : [undefined, [0, 1], randomLabels(2)];
      for (const labels of labelSets) {
        const [y, z] = await runOp('LinearClassifier', [xFeed(d, features)], classifierAttributes(m, labels, transform), TWO);
        const want = classifierRef(m, d, labels, transform);
        const what = `binary LinearClassifier ${transform}, N ${n}, C ${features}, labels ${labels?.join(',') ?? 'none'}`;
        expect(z.shape).toEqual(want.zShape);
        expectLabels(y.v, want.labels, `${what}: labels`);
        expectScores(z.v, want.z, want.scale, transform, `${what}: scores`);
      }
    }
  });

  it('takes X as double, int64 and int32, and one sample [C]', async () => {
    for (const type of ['double', 'int64', 'int32'] as const) {
      for (const single of [false, true]) {
        const n = single ? 1 : 7, features = 5;
        const d = { ...randomData(n, features, 'SOFTMAX', type), single };
        const reg = randomLinear(2, features, 'LOGISTIC');
        const [y] = await runOp('LinearRegressor', [xFeed(d, features)], regressorAttributes(reg, 'LOGISTIC'), ML);
        const wantY = regressorRef(reg, d, 'LOGISTIC');
        expect(y.shape).toEqual([n, 2]);
        expectScores(y.v, wantY.y, wantY.scale, 'LOGISTIC', `LinearRegressor X ${type}${single ? ' [C]' : ''}`);
        for (const classes of [1, 3]) {
          const cls = randomLinear(classes, features, 'SOFTMAX');
          const labels = randomLabels(Math.max(classes, 2));
          const [label, z] = await runOp('LinearClassifier', [xFeed(d, features)], classifierAttributes(cls, labels, 'SOFTMAX'), TWO);
          const want = classifierRef(cls, d, labels, 'SOFTMAX');
          const what = `LinearClassifier X ${type}${single ? ' [C]' : ''}, ${classes} classes`;
          expect(label.shape).toEqual([n]);
          expect(z.shape).toEqual(want.zShape);
          expectLabels(label.v, want.labels, `${what}: labels`);
          expectScores(z.v, want.z, want.scale, 'SOFTMAX', `${what}: scores`);
        }
      }
    }
  });

  it('gives tiny hand-worked cases: the binary pair [1 − s, s], SOFTMAX_ZERO\'s near-zero scores, PROBIT\'s ends', async () => {
    const x: Feed = { shape: [3, 2], values: [1, 2, 3, -1, 1, 1.5] };
    // s = x0 − x1 + 0.5: −0.5, 4.5 and exactly 0, which takes the first label (only s > 0 takes the second).
    const binary = { coefficients: { floats: [1, -1] }, intercepts: { floats: [0.5] }, classlabels_ints: [4, 7] };
    const [y, z] = await runOp('LinearClassifier', [x], binary, TWO);
    expectExact(y.v, [4, 7, 4], 'binary labels');
    expectClose(z.v, [1.5, -0.5, -3.5, 4.5, 1, 0], 1e-6, 'binary NONE scores');
    const [yl, zl] = await runOp('LinearClassifier', [x], { ...binary, post_transform: 'LOGISTIC' }, TWO);
    expectExact(yl.v, [4, 7, 4], 'binary LOGISTIC labels');
    expectClose(zl.v, [1 - logistic(-0.5), logistic(-0.5), 1 - logistic(4.5), logistic(4.5), 0.5, 0.5], 1e-6, 'binary LOGISTIC scores');
    const [yn] = await runOp('LinearClassifier', [x], { ...binary, classlabels_ints: [] }, TWO);
    expectExact(yn.v, [0, 1, 0], 'binary labels without classlabels_ints');
    // Scores 0, 5e-8 (counted as zero: 5e-8·e^−2 over the sum), 1 and 2.
    const sparse = { coefficients: { floats: new Array(8).fill(0) }, intercepts: { floats: [0, 5e-8, 1, 2] }, classlabels_ints: [0, 1, 2, 3], post_transform: 'SOFTMAX_ZERO' };
    const [ys, zs] = await runOp('LinearClassifier', [x], sparse, TWO);
    const sum = Math.exp(-1) + 1;
    expectExact(ys.v, [3, 3, 3], 'SOFTMAX_ZERO labels');
    const row = [0, (5e-8 * Math.exp(-2)) / sum, Math.exp(-1) / sum, 1 / sum];
    expectClose(zs.v, [...row, ...row, ...row], 1e-6, 'SOFTMAX_ZERO scores');
    // PROBIT of 0, 1 and 0.5: −∞, ∞, 0; of 1.5, NaN.
    const [yp] = await runOp('LinearRegressor', [{ shape: [4, 1], values: [0, 1, 0.5, 1.5] }], { coefficients: { floats: [1] }, post_transform: 'PROBIT' }, ML);
    expectExact(yp.v, [-Infinity, Infinity, 0, NaN], 'PROBIT at 0, 1, 0.5, 1.5');
  });

  it('refuses bad attributes and inputs, naming them', async () => {
    const x: Feed = { shape: [2, 3], values: uniform(6) };
    const cls = (attrs: Record<string, AttributeSpec>, feed: Feed = x) => runOp('LinearClassifier', [feed], attrs, TWO);
    const reg = (attrs: Record<string, AttributeSpec>, feed: Feed = x) => runOp('LinearRegressor', [feed], attrs, ML);
    const w3 = { floats: [1, 2, 3] }, w6 = { floats: [1, 2, 3, 4, 5, 6] };
    await expect(cls({ coefficients: w3, intercepts: { floats: [0] }, classlabels_ints: [0, 1], classlabels_strings: { strings: ['no', 'yes'] } })).rejects.toThrow(/\(LinearClassifier\): has both classlabels_strings and classlabels_ints; a classifier takes one of them/);
    await expect(cls({ coefficients: w3, classlabels_ints: [0, 1] })).rejects.toThrow(/\(LinearClassifier\): attribute intercepts is required/);
    await expect(cls({ intercepts: { floats: [0] } })).rejects.toThrow(/\(LinearClassifier\): attribute coefficients is required/);
    await expect(cls({ coefficients: w6, intercepts: { floats: [0, 0] } })).rejects.toThrow(/\(LinearClassifier\): attribute classlabels_ints is required: the classifier's class labels are missing or empty/);
    await expect(cls({ coefficients: w6, intercepts: { floats: [0, 0] }, classlabels_ints: [5] })).rejects.toThrow(/\(LinearClassifier\): it has 1 classlabels_ints for 2 classes/);
    await expect(cls({ coefficients: w3, intercepts: { floats: [0] }, classlabels_ints: [5, 6, 7] })).rejects.toThrow(/\(LinearClassifier\): it has one row of coefficients \(a binary model\) and 3 classlabels_ints; a binary model has 2/);
    await expect(cls({ coefficients: w6, intercepts: { floats: [0, 0] }, classlabels_ints: [1, 2 ** 40] })).rejects.toThrow(/\(LinearClassifier\): classlabels_ints holds 1099511627776, outside int32: tmnn holds int64 labels as int32/);
    await expect(cls({ coefficients: w3, intercepts: { floats: [0] }, classlabels_ints: [4, 7], post_transform: 'PROBIT' })).rejects.toThrow(/\(LinearClassifier\): post_transform PROBIT with one row of coefficients and two class labels is not supported: onnxruntime leaves half of its scores Z unwritten/);
    await expect(cls({ coefficients: w6, intercepts: { floats: [0] }, classlabels_ints: [4, 7] })).rejects.toThrow(/\(LinearClassifier\): it has 6 coefficients; for 1 row of coefficients of X's 3 features there should be 1×3 = 3/);
    await expect(cls({ coefficients: w3, intercepts: { floats: [0] }, post_transform: 'SIGMOID' })).rejects.toThrow(/\(LinearClassifier\): post_transform SIGMOID is not one of NONE, SOFTMAX, LOGISTIC, SOFTMAX_ZERO, PROBIT/);
    await expect(cls({ coefficients: w3, intercepts: { floats: [0] } }, { shape: [1, 2, 3], values: uniform(6) })).rejects.toThrow(/\(LinearClassifier\): its input X should be \[N, F\] or one sample \[F\], it is \[1, 2, 3\]/);
    await expect(cls({ coefficients: w3, intercepts: { floats: [0] } }, { shape: [2, 3], values: randomInts(6, 0, 9), type: 'uint8' })).rejects.toThrow(/\(LinearClassifier\): its input X is uint8; it takes float, double, int64, int32/);
    await expect(reg({ coefficients: w6, targets: 0 })).rejects.toThrow(/\(LinearRegressor\): targets = 0; it should be at least 1/);
    await expect(reg({ coefficients: w6, targets: 2, intercepts: { floats: [1, 2, 3] } })).rejects.toThrow(/\(LinearRegressor\): it has 3 intercepts for 2 targets; there should be one per target \(or none\)/);
    await expect(reg({ coefficients: w6 })).rejects.toThrow(/\(LinearRegressor\): it has 6 coefficients; for 1 target of X's 3 features there should be 1×3 = 3/);
    await expect(reg({ targets: 1 })).rejects.toThrow(/\(LinearRegressor\): attribute coefficients is required/);
  });

  describe('beside onnxruntime-web', () => {
    const ORT_TYPE = { float: 'float32', double: 'float64', int64: 'int64', int32: 'int32' } as const;
    const ortX = (d: Data, features: number): ort.Tensor => {
      const shape = d.single ? [features] : [d.n, features];
      if (d.type === 'int64') return new ort.Tensor('int64', BigInt64Array.from(Array.from(d.x, (v) => BigInt(v))), shape);
      if (d.type === 'int32') return new ort.Tensor('int32', Int32Array.from(d.x), shape);
      return new ort.Tensor(ORT_TYPE[d.type], d.type === 'double' ? Float64Array.from(d.x) : Float32Array.from(d.x), shape);
    };
    /**
     * onnxruntime's PROBIT takes √(v² − w) − v as it stands, which cancels in
     * f32 near p = 0.5 (v ≈ 4.33): up to ~5e-7 off in erfinv², ~5e-7/|z| in
     * z, where tmnn's stable form and the float64 reference are not.
     */
    const expectOrt = (got: ArrayLike<number>, want: ArrayLike<number>, transform: Transform, what: string) => {
      expect(got.length, `${what} length`).toBe(want.length);
      for (let i = 0; i < want.length; i++) {
        const g = got[i], w = want[i];
        const tol = 1e-5 * (Math.abs(w) + 1) + (transform === 'PROBIT' ? Math.min(1e-6 / Math.abs(w), 2e-3) : 0);
        if (Number.isNaN(w) ? !Number.isNaN(g) : !(g === w || Math.abs(g - w) <= tol)) expect.fail(`${what} index ${i}: tmnn ${g}, onnxruntime ${w} (test seed ${SEED})`);
      }
    };

    it('LinearRegressor agrees, every post_transform, one and 3 targets', async () => {
      for (const transform of TRANSFORMS) {
        for (const targets of [1, 3]) {
          const features = 7, n = 9;
          const m = randomLinear(targets, features, transform, targets === 3);
          const d = randomData(n, features, transform);
          const attributes = regressorAttributes(m, transform);
          const want = await ortRun(opModel('LinearRegressor', [xFeed(d, features)], attributes, ML), { x0: ortX(d, features) });
          const [y] = await runOp('LinearRegressor', [xFeed(d, features)], attributes, ML);
          expect(y.shape).toEqual(want.y0.dims);
          expectOrt(y.v, want.y0.data as Float32Array, transform, `LinearRegressor ${transform}, ${targets} targets vs onnxruntime`);
        }
      }
    });

    it('LinearClassifier agrees: every post_transform with 3 classes and binary without labels, the binary pair with two labels, X of each type', async () => {
      const cases: { classes: number; labels: (c: number) => number[] | undefined; transforms: Transform[]; type: XType; single?: boolean }[] = [
        { classes: 3, labels: randomLabels, transforms: TRANSFORMS, type: 'float' },
        { classes: 1, labels: () => undefined, transforms: TRANSFORMS, type: 'float' },
        { classes: 1, labels: () => randomLabels(2), transforms: ['NONE', 'LOGISTIC', 'SOFTMAX', 'SOFTMAX_ZERO'], type: 'float' },
        { classes: 4, labels: randomLabels, transforms: ['SOFTMAX'], type: 'double' },
        { classes: 4, labels: randomLabels, transforms: ['LOGISTIC'], type: 'int64' },
        { classes: 1, labels: () => randomLabels(2), transforms: ['LOGISTIC'], type: 'int32' },
        { classes: 3, labels: randomLabels, transforms: ['NONE'], type: 'float', single: true },
      ];
      for (const c of cases) {
        for (const transform of c.transforms) {
          const features = 5, n = c.single ? 1 : 11;
          const m = randomLinear(c.classes, features, transform, true, transform === 'SOFTMAX_ZERO' && c.classes > 1 ? [1] : []);
          const d = { ...randomData(n, features, transform, c.type), single: c.single };
          const labels = c.labels(c.classes);
          const attributes = classifierAttributes(m, labels, transform);
          const bytes = opModel('LinearClassifier', [xFeed(d, features)], attributes, TWO);
          const want = await ortRun(bytes, { x0: ortX(d, features) });
          const [y, z] = await runOp('LinearClassifier', [xFeed(d, features)], attributes, TWO);
          const what = `LinearClassifier ${transform}, ${c.classes} classes, labels ${labels?.join(',') ?? 'none'}, X ${c.type}${c.single ? ' [C]' : ''} vs onnxruntime`;
          expect(y.shape, what).toEqual(want.y0.dims);
          expect(z.shape, what).toEqual(want.y1.dims);
          // Labels: exact, unless f32 rounding ties the scores they are decided by (checked against float64 above).
          const ref = classifierRef(m, d, labels, transform);
          const ortLabels = Array.from(want.y0.data as BigInt64Array, Number);
          for (let i = 0; i < n; i++) if (ref.labels[i].length === 1) expect(y.v[i], `${what}: label ${i}`).toBe(ortLabels[i]);
          expectOrt(z.v, want.y1.data as Float32Array, transform, `${what}: scores`);
        }
      }
    });

    it('a binary score of exactly 0 takes the first label, as in onnxruntime', async () => {
      const x: Feed = { shape: [3, 2], values: [1, 2, 3, -1, 1, 1.5] };
      const cases: Record<string, AttributeSpec>[] = [{ classlabels_ints: [4, 7], post_transform: 'LOGISTIC' }, { post_transform: 'NONE' }];
      for (const attributes of cases) {
        const all = { coefficients: { floats: [1, -1] }, intercepts: { floats: [0.5] }, ...attributes };
        const want = await ortRun(opModel('LinearClassifier', [x], all, TWO), { x0: new ort.Tensor('float32', Float32Array.from(x.values), [3, 2]) });
        const [y, z] = await runOp('LinearClassifier', [x], all, TWO);
        expectExact(y.v, Array.from(want.y0.data as BigInt64Array, Number), `labels vs onnxruntime, ${JSON.stringify(attributes)}`);
        expectOrt(z.v, want.y1.data as Float32Array, 'NONE', `scores vs onnxruntime, ${JSON.stringify(attributes)}`);
      }
    });

    it('SOFTMAX_ZERO agrees on near-zero and all-zero rows', async () => {
      // Class 0 scores 0 always; class 1 x·(1, 0, 0): 0, 5e-8 (counted as zero) and 0.3; class 2 x·(0, 1, 0).
      const attributes = { coefficients: { floats: [0, 0, 0, 1, 0, 0, 0, 1, 0] }, intercepts: { floats: [0, 0, 0] }, classlabels_ints: [3, 1, 2], post_transform: 'SOFTMAX_ZERO' };
      const x: Feed = { shape: [4, 3], values: [0, 0, 1, 5e-8, 2, 0, 0.3, -1, 0, 0, 0.5, 0] };
      const want = await ortRun(opModel('LinearClassifier', [x], attributes, TWO), { x0: new ort.Tensor('float32', Float32Array.from(x.values), [4, 3]) });
      const [y, z] = await runOp('LinearClassifier', [x], attributes, TWO);
      expectExact(y.v, Array.from(want.y0.data as BigInt64Array, Number), 'SOFTMAX_ZERO labels vs onnxruntime');
      expectOrt(z.v, want.y1.data as Float32Array, 'SOFTMAX_ZERO', 'SOFTMAX_ZERO scores vs onnxruntime');
    });
  });
});
