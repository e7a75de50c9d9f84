// ai.onnx.ml's SVMRegressor and SVMClassifier (src/onnx/ops/ml_svm.ts) on
// every backend, against float64 loops written here from onnxruntime's
// kernels (svmregressor.cc, svmclassifier.cc, ml_common.h): random models of
// each kernel at odd sizes, libsvm's one-against-one form with 2, 3 and 5
// classes and liblinear's form with 1, 2 and 3, every post_transform, the
// two-class score layouts and label rules, Platt probabilities with pairwise
// coupling (runAsync; the synchronous run refusing them by name), bad
// attributes named; and the same models beside onnxruntime-web.
//
// Tolerances: f32 about 1e-5 of the size of the terms summed (decision
// values are sums of terms of both signs). Pairwise coupling stops when its
// error falls under 0.005/k: where a sample's error lies next to that line,
// rounding decides whether one more sweep runs, so the reference keeps both
// outcomes and either is accepted there. A decision value next to 0 (or a
// score next to the two-class thresholds) may vote either way under
// rounding: such samples' labels are not checked (they are rare).
import * as ort from 'onnxruntime-web';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../../src/index.js';
import { BACKENDS } from '../../helpers/backends.js';
import { asF32, randomInts, SEED, uniform } from '../../helpers/data.js';
import type { AttributeSpec } from '../../helpers/onnx.js';
import { opModel, runOp, type Feed } from '../../helpers/onnx_run.js';
import { transformRow, winitzkiErfinv, type Transform } from '../../helpers/ml_post_transform.js';
import { ortRun } from '../../helpers/ort.js';
import { erfcRef } from '../../helpers/special.js';

const normalCdf = (z: number) => erfcRef(-z / Math.SQRT2) / 2;

type KernelType = 'LINEAR' | 'POLY' | 'RBF' | 'SIGMOID';
const ML = { domain: 'ai.onnx.ml' };

interface Kernel {
  type: KernelType;
  gamma: number;
  coef0: number;
  degree: number;
}

/** A random kernel with f32 parameters: γ small enough that RBF and POLY stay in range. */
function randomKernel(type: KernelType, features: number, degree = 3): Kernel {
  return { type, gamma: Math.fround(uniform(1, 0.2, 1)[0] / features), coef0: Math.fround(uniform(1, -1, 1)[0]), degree };
}

/** The kernel between x and v, and a bound on the size of what was rounded computing it in f32 (for the tolerance). */
function kernelRef(k: Kernel, x: ArrayLike<number>, v: ArrayLike<number>): [number, number] {
  let dot = 0, size = 0, dist = 0, norms = 0;
  for (let i = 0; i < x.length; i++) {
    dot += x[i] * v[i];
    size += Math.abs(x[i] * v[i]);
    dist += (x[i] - v[i]) ** 2;
    norms += x[i] * x[i] + v[i] * v[i];
  }
  switch (k.type) {
    case 'LINEAR':
      return [dot, size];
    case 'POLY': {
      const a = k.gamma * dot + k.coef0, s = k.gamma * size + Math.abs(k.coef0);
      return [a ** k.degree, k.degree * s ** k.degree];
    }
    case 'RBF': {
      const value = Math.exp(-k.gamma * dist);
      return [value, value * (1 + k.gamma * norms)];
    }
    case 'SIGMOID':
      return [Math.tanh(k.gamma * dot + k.coef0), k.gamma * size + Math.abs(k.coef0)];
  }
}

const kernelAttributes = (k: Kernel): Record<string, AttributeSpec> => ({ kernel_type: k.type, kernel_params: { floats: [k.gamma, k.coef0, k.degree] } });

const row = (x: Float64Array, n: number, f: number) => x.subarray(n * f, (n + 1) * f);

function expectNear(got: number, want: number, tol: number, scale: number, what: string): void {
  if (got === want || (Number.isNaN(want) && Number.isNaN(got))) return;
  if (!(Math.abs(got - want) <= tol * (scale + 1))) expect.fail(`${what}: got ${got}, want ${want} (tolerance ${tol}·${(scale + 1).toPrecision(3)}, test seed ${SEED})`);
}

// ------------------------------------------------------------------ regressor

interface RegressorCase {
  kernel: Kernel;
  supports: number;
  features: number;
  sv: Float64Array;
  coefficients: Float64Array;
  rho: number;
  oneClass: boolean;
}

function randomRegressor(type: KernelType, supports: number, features: number, oneClass = false): RegressorCase {
  const width = supports > 0 ? supports : features;
  return { kernel: randomKernel(type, features), supports, features, sv: asF32(uniform(supports * features)), coefficients: asF32(uniform(width, -1, 1)), rho: Math.fround(uniform(1, -0.5, 0.5)[0]), oneClass };
}

function regressorAttributes(c: RegressorCase): Record<string, AttributeSpec> {
  // kernel_params always, as skl2onnx writes them: onnxruntime refuses a model without them, even of the linear form.
  const a: Record<string, AttributeSpec> = { ...kernelAttributes(c.kernel), coefficients: { floats: Array.from(c.coefficients) }, rho: { floats: [c.rho] }, n_supports: c.supports };
  if (c.supports > 0) a.support_vectors = { floats: Array.from(c.sv) };
  if (c.oneClass) a.one_class = 1;
  return a;
}

/** onnxruntime's SVMRegressor: Σ coefficients·K + rho[0] (linear: x·coefficients + rho[0]); one_class gives ±1. Each value with its scale. */
function regressorRef(c: RegressorCase, x: Float64Array, n: number): [number, number][] {
  const out: [number, number][] = [];
  for (let s = 0; s < n; s++) {
    const xs = row(x, s, c.features);
    let y = c.rho, scale = Math.abs(c.rho);
    if (c.supports > 0) {
      for (let v = 0; v < c.supports; v++) {
        const [k, size] = kernelRef(c.kernel, xs, row(c.sv, v, c.features));
        y += c.coefficients[v] * k;
        scale += Math.abs(c.coefficients[v]) * size;
      }
    } else {
      for (let i = 0; i < c.features; i++) {
        y += c.coefficients[i] * xs[i];
        scale += Math.abs(c.coefficients[i] * xs[i]);
      }
    }
    out.push(c.oneClass ? [y > 0 ? 1 : -1, Math.abs(y) < 1e-4 * (scale + 1) ? NaN : 0] : [y, scale]);
  }
  return out;
}

// ----------------------------------------------------------------- classifier

interface ClassifierCase {
  classes: number;
  labels: number[];
  features: number;
  /** libsvm's form; undefined for liblinear's. */
  perClass?: number[];
  kernel: Kernel;
  sv: Float64Array;
  coefficients: Float64Array;
  rho: Float64Array;
  probA?: Float64Array;
  probB?: Float64Array;
  transform: Transform;
}

function randomLabels(classes: number): number[] {
  const labels = new Set<number>();
  while (labels.size < classes) labels.add(randomInts(1, -50, 1000)[0]);
  return [...labels];
}

function randomSvc(type: KernelType, classes: number, features: number, transform: Transform, probabilities: boolean): ClassifierCase {
  const perClass = Array.from(randomInts(classes, 1, 4));
  const count = perClass.reduce((a, b) => a + b, 0);
  const pairs = (classes * (classes - 1)) / 2;
  return {
    classes, labels: randomLabels(classes), features, perClass, kernel: randomKernel(type, features, randomInts(1, 2, 3)[0]),
    sv: asF32(uniform(count * features)), coefficients: asF32(uniform((classes - 1) * count, -1, 1)), rho: asF32(uniform(pairs, -0.5, 0.5)),
    probA: probabilities ? asF32(uniform(pairs, -4, -0.5)) : undefined, probB: probabilities ? asF32(uniform(pairs, -0.5, 0.5)) : undefined, transform,
  };
}

function randomLinear(classes: number, features: number, transform: Transform, allPositive: boolean, probAttributes = false): ClassifierCase {
  return {
    classes, labels: randomLabels(classes), features, kernel: randomKernel('LINEAR', features), sv: new Float64Array(0),
    coefficients: asF32(uniform(classes * features, allPositive ? 0 : -1, 1).map((v) => (allPositive ? v / features : v))), rho: asF32(uniform(1, -0.3, 0.3)),
    probA: probAttributes ? asF32(uniform(1, -2, -1)) : undefined, probB: probAttributes ? asF32(uniform(1)) : undefined, transform,
  };
}

function classifierAttributes(c: ClassifierCase): Record<string, AttributeSpec> {
  const a: Record<string, AttributeSpec> = { ...kernelAttributes(c.kernel), classlabels_ints: c.labels, coefficients: { floats: Array.from(c.coefficients) }, rho: { floats: Array.from(c.rho) }, post_transform: c.transform };
  if (c.perClass) Object.assign(a, { vectors_per_class: c.perClass, support_vectors: { floats: Array.from(c.sv) } });
  if (c.probA) Object.assign(a, { prob_a: { floats: Array.from(c.probA) }, prob_b: { floats: Array.from(c.probB!) } });
  return a;
}

/**
 * Wu–Lin–Weng coupling as ml_common.h's multiclass_probability, in float64.
 * Every outcome rounding could give: where a sweep's error lies within
 * `margin` of the stopping line, both stopping there and going on.
 */
function couplingRef(k: number, r: number[][], margin = 5e-5): number[][] {
  const q = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let t = 0; t < k; t++) {
    for (let j = 0; j < k; j++) if (j !== t) q[t][t] += r[j][t] ** 2;
    for (let j = 0; j < k; j++) if (j !== t) q[t][j] = -r[j][t] * r[t][j];
  }
  let p = new Array<number>(k).fill(1 / k);
  const eps = 0.005 / k;
  const outcomes: number[][] = [];
  for (let sweep = 0; sweep < 100; sweep++) {
    const qp = q.map((qi) => qi.reduce((s, v, j) => s + v * p[j], 0));
    let pqp = p.reduce((s, v, i) => s + v * qp[i], 0);
    const error = Math.max(...qp.map((v) => Math.abs(v - pqp)));
    if (Math.abs(error - eps) < margin) outcomes.push([...p]);
    else if (error < eps) return [...outcomes, p];
    for (let t = 0; t < k; t++) {
      const diff = (-qp[t] + pqp) / q[t][t];
      p[t] += diff;
      pqp = (pqp + diff * (diff * q[t][t] + 2 * qp[t])) / (1 + diff) ** 2;
      for (let j = 0; j < k; j++) {
        qp[j] = (qp[j] + diff * q[t][j]) / (1 + diff);
        p[j] /= 1 + diff;
      }
    }
    p = [...p];
  }
  return [...outcomes, p];
}

/** The samples of a batch whose labels, or whose scores, rounding may decide: left out of a comparison with onnxruntime. */
interface Doubt {
  labels: Set<number>;
  scores: Set<number>;
}

interface Expected {
  /** The label, or undefined where rounding could change it. */
  label: number | undefined;
  /** The score rows rounding could give (one, but where coupling's stopping point is in doubt). */
  rows: number[][];
  scale: number;
}

/** onnxruntime's SVMClassifier for one sample. */
function classifierRef(c: ClassifierCase, xs: ArrayLike<number>): Expected {
  const doubt = (v: number, at: number, scale: number) => Math.abs(v - at) < 1e-4 * (scale + 1);
  if (!c.perClass) {
    const scores: number[] = [];
    let scale = 0;
    for (let j = 0; j < c.classes; j++) {
      let s = c.rho[0], size = Math.abs(c.rho[0]);
      for (let i = 0; i < c.features; i++) {
        s += c.coefficients[j * c.features + i] * xs[i];
        size += Math.abs(c.coefficients[j * c.features + i] * xs[i]);
      }
      scores.push(s);
      scale = Math.max(scale, size);
    }
    const max = Math.max(...scores);
    let index = scores.indexOf(max);
    let unsure = scores.some((s, j) => j !== index && doubt(s, max, scale));
    if (c.classes === 2 && !c.probA) {
      // onnxruntime's ChooseClass: the second label past 0.5 (every coefficient ≥ 0) or 0 (some negative), else the first largest's.
      const threshold = c.coefficients.every((v) => v >= 0) ? 0.5 : 0;
      if (doubt(max, threshold, scale)) unsure = true;
      else if (threshold === 0.5 ? max >= 0.5 : max > 0) [index, unsure] = [1, false];
    }
    const z = c.classes >= 2 || c.transform === 'PROBIT' ? transformRow(scores, c.transform) : scores;
    return { label: unsure ? undefined : c.labels[index], rows: [z], scale };
  }
  const count = c.perClass.reduce((a, b) => a + b, 0);
  const start = c.perClass.map((_, i) => c.perClass!.slice(0, i).reduce((a, b) => a + b, 0));
  const kernels = Array.from({ length: count }, (_, v) => kernelRef(c.kernel, xs, row(c.sv, v, c.features)));
  const votes = new Array<number>(c.classes).fill(0);
  const values: number[] = [];
  let scale = 0, unsure = false;
  for (let i = 0, p = 0; i < c.classes; i++) {
    for (let j = i + 1; j < c.classes; j++, p++) {
      let s = c.rho[p], size = Math.abs(c.rho[p]);
      for (let m = start[i]; m < start[i] + c.perClass[i]; m++) {
        s += c.coefficients[(j - 1) * count + m] * kernels[m][0];
        size += Math.abs(c.coefficients[(j - 1) * count + m]) * kernels[m][1];
      }
      for (let m = start[j]; m < start[j] + c.perClass[j]; m++) {
        s += c.coefficients[i * count + m] * kernels[m][0];
        size += Math.abs(c.coefficients[i * count + m]) * kernels[m][1];
      }
      values.push(s);
      scale = Math.max(scale, size);
      unsure ||= doubt(s, 0, size);
      votes[s > 0 ? i : j]++;
    }
  }
  const label = unsure ? undefined : c.labels[votes.indexOf(Math.max(...votes))];
  if (!c.probA) {
    // onnxruntime's two-class layouts: [−s, s], the logistic of that for LOGISTIC, [1 − s, s] for the softmaxes.
    const s = values[0];
    if (c.classes === 2) return { label, rows: [c.transform === 'NONE' ? [-s, s] : c.transform === 'LOGISTIC' ? transformRow([-s, s], 'LOGISTIC') : [1 - s, s]], scale };
    return { label, rows: [transformRow(values, c.transform)], scale };
  }
  const r = Array.from({ length: c.classes }, () => new Array<number>(c.classes).fill(0));
  for (let i = 0, p = 0; i < c.classes; i++) {
    for (let j = i + 1; j < c.classes; j++, p++) {
      const v = Math.min(Math.max(1 / (1 + Math.exp(values[p] * c.probA[p] + c.probB![p])), 1e-7), 1 - 1e-7);
      r[i][j] = v;
      r[j][i] = 1 - v;
    }
  }
  return { label, rows: couplingRef(c.classes, r).map((p) => transformRow(p, c.transform)), scale };
}

/** Checks labels [N] and scores [N, width] against the reference, sample by sample. */
function expectClassified(c: ClassifierCase, x: Float64Array, n: number, labels: { shape: number[]; v: Float64Array }, scores: { shape: number[]; v: Float64Array }, tol: number, what: string): void {
  expect(labels.shape, `${what} labels' shape`).toEqual([n]);
  const width = scores.shape[1];
  expect(scores.shape[0], `${what} scores' rows`).toBe(n);
  for (let s = 0; s < n; s++) {
    const want = classifierRef(c, row(x, s, c.features));
    expect(width, `${what} scores' columns`).toBe(want.rows[0].length);
    if (want.label !== undefined && labels.v[s] !== want.label) expect.fail(`${what} sample ${s}: label ${labels.v[s]}, want ${want.label} (test seed ${SEED})`);
    // PROBIT's quantiles of probabilities near 0 or 1 magnify their rounding without bound: compared as the probabilities they stand for.
    const plain = (v: number) => (c.transform === 'PROBIT' ? normalCdf(v) : v);
    const got = Array.from(scores.v.subarray(s * width, (s + 1) * width), plain);
    const bound = tol * (want.scale + 1);
    // A coupled probability within rounding of 0 or 1 may leave [0, 1] by it, where PROBIT gives NaN (as onnxruntime's does).
    const edge = (v: number) => c.transform === 'PROBIT' && Math.min(v, 1 - v) <= bound;
    const near = (row: number[]) => row.map(plain).every((v, j) => (Number.isNaN(v) && Number.isNaN(got[j])) || (Number.isNaN(got[j]) && edge(v)) || Math.abs(got[j] - v) <= bound);
    if (!want.rows.some(near)) expect.fail(`${what} sample ${s}: scores [${got.join(', ')}], want [${want.rows.map((w) => w.join(', ')).join('] or [')}] (tolerance ${tol}·${(want.scale + 1).toPrecision(3)}, test seed ${SEED})`);
  }
}

const classify = (c: ClassifierCase, x: Float64Array, n: number, mode: 'sync' | 'async' = 'sync', xShape: number[] = [n, c.features]) =>
  runOp('SVMClassifier', [{ shape: xShape, values: x }], classifierAttributes(c), { ...ML, outputs: 2, outputTypes: ['int64', 'float'], mode });

const SIZES = [1, 7, 33];

describe.each(BACKENDS)('tm.onnx ai.onnx.ml SVMs on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  describe('SVMRegressor', () => {
    it.each(['LINEAR', 'POLY', 'RBF', 'SIGMOID'] as const)('matches onnxruntime\'s definition with a %s kernel, N = 1, 7, 33', async (type) => {
      for (const n of SIZES) {
        const c = randomRegressor(type, 5 + 2 * (n % 3), 3 + (n % 5));
        const x = asF32(uniform(n * c.features));
        const [y] = await runOp('SVMRegressor', [{ shape: [n, c.features], values: x }], regressorAttributes(c), ML);
        expect(y.shape).toEqual([n, 1]);
        regressorRef(c, x, n).forEach(([w, scale], i) => expectNear(y.v[i], w, 1e-5, scale, `${type} N = ${n} sample ${i}`));
      }
    });

    it('takes the linear form without support vectors (kernel_type ignored), one sample as [F], and one_class as ±1', async () => {
      const c = randomRegressor('LINEAR', 0, 9);
      const x = asF32(uniform(7 * 9));
      const [y] = await runOp('SVMRegressor', [{ shape: [7, 9], values: x }], { ...regressorAttributes(c), kernel_type: 'RBF', kernel_params: { floats: [0.5, 0, 3] } }, ML);
      regressorRef(c, x, 7).forEach(([w, scale], i) => expectNear(y.v[i], w, 1e-5, scale, `linear sample ${i}`));
      const one = randomRegressor('RBF', 11, 5, true);
      const x1 = asF32(uniform(33 * 5));
      const [z] = await runOp('SVMRegressor', [{ shape: [33, 5], values: x1 }], regressorAttributes(one), ML);
      regressorRef(one, x1, 33).forEach(([w, unsure], i) => {
        if (!Number.isNaN(unsure)) expect(z.v[i], `one-class sample ${i} (seed ${SEED})`).toBe(w);
      });
      expect(z.v.every((v) => v === 1 || v === -1), 'one-class outputs are ±1').toBe(true);
      const [single] = await runOp('SVMRegressor', [{ shape: [5], values: x1.subarray(0, 5) }], regressorAttributes(one), ML);
      expect(single.shape).toEqual([1, 1]);
      expect(single.v[0]).toBe(z.v[0]);
    });
  });

  describe('SVMClassifier, libsvm\'s one-against-one form', () => {
    const cases: [number, KernelType, Transform][] = [
      [2, 'RBF', 'NONE'], [2, 'POLY', 'LOGISTIC'], [2, 'LINEAR', 'SOFTMAX'], [2, 'SIGMOID', 'SOFTMAX_ZERO'],
      [3, 'RBF', 'NONE'], [3, 'LINEAR', 'LOGISTIC'], [5, 'POLY', 'SOFTMAX'], [5, 'SIGMOID', 'SOFTMAX_ZERO'], [3, 'RBF', 'PROBIT'],
    ];
    it.each(cases)('%i classes, %s kernel, post_transform %s: labels by votes, pairwise scores', async (classes, type, transform) => {
      for (const n of SIZES) {
        const c = randomSvc(type, classes, 3 + 2 * (n % 3), transform, false);
        const x = asF32(uniform(n * c.features));
        const [labels, scores] = await classify(c, x, n);
        expectClassified(c, x, n, labels, scores, 1e-5, `${classes} classes ${type} ${transform} N = ${n}`);
      }
    });

    it.each([
      [2, 'RBF', 'NONE'], [3, 'POLY', 'NONE'], [4, 'RBF', 'SOFTMAX'], [3, 'SIGMOID', 'LOGISTIC'], [5, 'LINEAR', 'PROBIT'], [2, 'RBF', 'SOFTMAX_ZERO'],
    ] as [number, KernelType, Transform][])('%i classes, %s kernel, probabilities (prob_a, prob_b) then %s, in an asynchronous run', async (classes, type, transform) => {
      for (const n of SIZES) {
        const c = randomSvc(type, classes, 5 + 2 * (n % 2), transform, true);
        const x = asF32(uniform(n * c.features));
        const [labels, scores] = await classify(c, x, n, 'async');
        expectClassified(c, x, n, labels, scores, 1e-5, `${classes} classes ${type} probabilities ${transform} N = ${n}`);
      }
    });

    it(`${backend === 'webgpu' ? 'refuses probabilities in a synchronous run, naming runAsync' : 'couples in a synchronous run too, on the values in place'}; runs one sample given as [F]`, async () => {
      const c = randomSvc('RBF', 3, 5, 'NONE', true);
      const x = asF32(uniform(5));
      if (backend === 'webgpu') {
        await expect(classify(c, x, 1)).rejects.toThrow(/\(SVMClassifier\): its probabilities \(prob_a, prob_b\) come from pairwise coupling, an iteration run on the host .*model\.runAsync/);
      } else {
        const [syncLabels, syncScores] = await classify(c, x, 1);
        expectClassified(c, x, 1, syncLabels, syncScores, 1e-5, 'one sample, synchronous run');
      }
      const [labels, scores] = await classify(c, x, 1, 'async', [5]);
      expectClassified(c, x, 1, labels, scores, 1e-5, 'one sample [F]');
    });

    it('takes int inputs as floats', async () => {
      const c = randomSvc('POLY', 3, 3, 'NONE', false);
      const x = randomInts(7 * 3, -3, 3);
      const [labels, scores] = await runOp('SVMClassifier', [{ shape: [7, 3], values: x, type: 'int64' }], classifierAttributes(c), { ...ML, outputs: 2, outputTypes: ['int64', 'float'] });
      expectClassified(c, x, 7, labels, scores, 1e-5, 'int64 input');
    });
  });

  describe('SVMClassifier, liblinear\'s form (no support vectors)', () => {
    const cases: [number, Transform, boolean, boolean][] = [
      [2, 'NONE', false, false], [2, 'LOGISTIC', true, false], [2, 'SOFTMAX', false, true], [3, 'SOFTMAX_ZERO', false, false], [3, 'LOGISTIC', true, false],
      [1, 'NONE', false, false], [1, 'LOGISTIC', false, false],
    ];
    it.each(cases)('%i classes, %s, coefficients all ≥ 0: %s, prob_a given: %s', async (classes, transform, allPositive, probAttributes) => {
      for (const n of SIZES) {
        const c = randomLinear(classes, 3 + 2 * (n % 3), transform, allPositive, probAttributes);
        const x = asF32(uniform(n * c.features, allPositive ? 0 : -2, 2));
        const [labels, scores] = await classify(c, x, n);
        expectClassified(c, x, n, labels, scores, 1e-5, `linear ${classes} classes ${transform} N = ${n}`);
      }
    });

    it('picks the two-class label by onnxruntime\'s thresholds (hand-worked)', async () => {
      // Scores x·w + 0: with every weight ≥ 0 the second label needs a largest score ≥ 0.5, else the first largest's label.
      const model = (coefficients: number[]): ClassifierCase => ({ classes: 2, labels: [10, 20], features: 1, kernel: randomKernel('LINEAR', 1), sv: new Float64Array(0), coefficients: Float64Array.from(coefficients), rho: Float64Array.of(0), transform: 'NONE' });
      const x = Float64Array.of(0.25, 0.75, 2);
      const positive = await classify(model([1, 0.5]), x, 3);
      // 0.25: scores [0.25, 0.125], max < 0.5 → argmax 0 → 10; 0.75: [0.75, 0.375] → 20; 2: [2, 1] → 20.
      expect(Array.from(positive[0].v)).toEqual([10, 20, 20]);
      // A negative weight: the second label as soon as the largest score is > 0.
      const mixed = await classify(model([1, -0.5]), Float64Array.of(0.25, -1, 0), 3);
      // 0.25: [0.25, −0.125] → 20; −1: [−1, 0.5] → 20; 0: [0, 0] → argmax 0 → 10.
      expect(Array.from(mixed[0].v)).toEqual([20, 20, 10]);
    });
  });

  it('keeps SOFTMAX_ZERO\'s zero scores at zero (hand-worked)', async () => {
    // Linear form, 3 classes, x = [1]: scores [w0, 0, w2] + rho 0.
    const c: ClassifierCase = { classes: 3, labels: [0, 1, 2], features: 1, kernel: randomKernel('LINEAR', 1), sv: new Float64Array(0), coefficients: Float64Array.of(1, 0, 2), rho: Float64Array.of(0), transform: 'SOFTMAX_ZERO' };
    const [labels, scores] = await classify(c, Float64Array.of(1), 1);
    const e1 = Math.exp(1 - 2), sum = e1 + 1;
    expect(labels.v[0]).toBe(2);
    Array.from(scores.v).forEach((v, i) => expectNear(v, [e1 / sum, 0, 1 / sum][i], 1e-6, 0, `SOFTMAX_ZERO score ${i}`));
  });

  it('applies PROBIT and SOFTMAX_ZERO as onnxruntime does (ml_post_transform.ts), beside onnxruntime-web', async () => {
    // Liblinear's form with one class, weight 1 and rho 0: Z = PROBIT(p) for each sample p, 0 and 1 included.
    const p = asF32(Float64Array.from([0, 1, 0.5, 0.5 + 1e-6, 0.4999, 1e-6, 1 - 1e-6, ...uniform(26, 0, 1)]));
    const probit: ClassifierCase = { classes: 1, labels: [7], features: 1, kernel: randomKernel('LINEAR', 1), sv: new Float64Array(0), coefficients: Float64Array.of(1), rho: Float64Array.of(0), transform: 'PROBIT' };
    const [, z] = await classify(probit, p, p.length);
    p.forEach((v, i) => expectNear(z.v[i], Math.SQRT2 * winitzkiErfinv(2 * v - 1), 1e-5, Math.abs(z.v[i]), `PROBIT(${v})`));
    expect([z.v[0], z.v[1], z.v[2]]).toEqual([-Infinity, Infinity, 0]);
    // onnxruntime's float32 evaluation of the formula loses digits to cancellation (tmnn's does not): its values step by about 1e-3 near p = ½.
    const ortZ = (await ortRun(opModel('SVMClassifier', [{ shape: [p.length, 1], values: p }], classifierAttributes(probit), { ...ML, outputs: 2, outputTypes: ['int64', 'float'] }), { x0: new ort.Tensor('float32', Float32Array.from(p), [p.length, 1]) })).y1.data as Float32Array;
    ortZ.forEach((v, i) => (Number.isFinite(v) ? expectNear(z.v[i], v, 2e-3, Math.abs(v), `PROBIT(${p[i]}) vs onnxruntime`) : expect(z.v[i]).toBe(v)));
    // SOFTMAX_ZERO: a score within 1e-7 of 0 is left out of the sum and comes out (nearly) 0. x = [1], scores [1, 1e-8, 2, 0].
    const zero: ClassifierCase = { ...probit, classes: 4, labels: [0, 1, 2, 3], coefficients: Float64Array.of(1, 1e-8, 2, 0), transform: 'SOFTMAX_ZERO' };
    const [labels, scores] = await classify(zero, Float64Array.of(1), 1);
    const sum = Math.exp(-1) + 1;
    const want = [Math.exp(-1) / sum, (1e-8 * Math.exp(-2)) / sum, 1 / sum, 0];
    expect(labels.v[0]).toBe(2);
    want.forEach((w, i) => expectNear(scores.v[i], w, 1e-6, 0, `SOFTMAX_ZERO score ${i}`));
    expect(scores.v[3]).toBe(0);
    const ortScores = (await ortRun(opModel('SVMClassifier', [{ shape: [1, 1], values: [1] }], classifierAttributes(zero), { ...ML, outputs: 2, outputTypes: ['int64', 'float'] }), { x0: new ort.Tensor('float32', Float32Array.of(1), [1, 1]) })).y1.data as Float32Array;
    ortScores.forEach((v, i) => expectNear(scores.v[i], v, 1e-6, 0, `SOFTMAX_ZERO score ${i} vs onnxruntime`));
  });

  it('names bad attributes and inputs', async () => {
    const c = randomSvc('RBF', 3, 5, 'NONE', false);
    const x = asF32(uniform(2 * 5));
    const run = (attributes: Record<string, AttributeSpec>, feeds: Feed[] = [{ shape: [2, 5], values: x }]) => runOp('SVMClassifier', feeds, attributes, { ...ML, outputs: 2, outputTypes: ['int64', 'float'] });
    const base = classifierAttributes(c);
    const without = (name: string) => Object.fromEntries(Object.entries(base).filter(([k]) => k !== name));
    await expect(run({ ...base, classlabels_strings: { strings: ['a', 'b', 'c'] } })).rejects.toThrow(/\(SVMClassifier\): has both classlabels_strings and classlabels_ints; a classifier takes one of them/);
    await expect(run(without('classlabels_ints'))).rejects.toThrow(/\(SVMClassifier\): attribute classlabels_ints is required: the classifier's class labels are missing or empty/);
    await expect(run({ ...base, classlabels_ints: [0, -(2 ** 31) - 1, 2] })).rejects.toThrow(/\(SVMClassifier\): classlabels_ints holds -2147483649, outside int32: tmnn holds int64 labels as int32/);
    await expect(run({ ...base, kernel_type: 'GAUSSIAN' })).rejects.toThrow(/kernel_type GAUSSIAN is not one of LINEAR, POLY, RBF, SIGMOID/);
    await expect(run(without('kernel_params'))).rejects.toThrow(/kernel_type RBF needs kernel_params \[gamma, coef0, degree\]/);
    await expect(run({ ...base, kernel_params: { floats: [0.1, 0] } })).rejects.toThrow(/kernel_params should be \[gamma, coef0, degree\], it has 2 values/);
    await expect(run({ ...base, post_transform: 'SIGMOID' })).rejects.toThrow(/post_transform SIGMOID is not one of NONE/);
    await expect(run({ ...base, vectors_per_class: [1, 2] })).rejects.toThrow(/vectors_per_class has 2 entries for 3 classes/);
    await expect(run({ ...base, rho: { floats: [0.1] } })).rejects.toThrow(/rho holds 1 values; it needs one per pair of classes, 3 for 3 classes/);
    await expect(run({ ...base, coefficients: { floats: [1, 2, 3] } })).rejects.toThrow(/coefficients holds 3 values; libsvm's layout is \[classes − 1, support vectors\]/);
    await expect(run({ ...base, support_vectors: { floats: Array.from(c.sv).slice(1) } })).rejects.toThrow(/support_vectors holds \d+ values, not a whole number of rows/);
    await expect(run({ ...base, prob_a: { floats: [1, 2, 3] } })).rejects.toThrow(/prob_a holds 3 values and prob_b 0; they go in pairs/);
    await expect(run(base, [{ shape: [2, 4], values: x.subarray(0, 8) }])).rejects.toThrow(/its input X is \[2, 4\]; the model takes \[N, 5\]/);
    const two = randomSvc('RBF', 2, 5, 'PROBIT', false);
    await expect(run(classifierAttributes(two))).rejects.toThrow(/post_transform PROBIT is not supported for a two-class SVM without prob_a\/prob_b: onnxruntime leaves the second score column unwritten/);
    const r = randomRegressor('RBF', 3, 5);
    const regress = (attributes: Record<string, AttributeSpec>) => runOp('SVMRegressor', [{ shape: [2, 5], values: x }], attributes, ML);
    await expect(regress({ ...regressorAttributes(r), coefficients: { floats: [1, 2] } })).rejects.toThrow(/\(SVMRegressor\): coefficients holds 2 values; it needs one per support vector \(n_supports = 3\)/);
    await expect(regress({ ...regressorAttributes(r), rho: { floats: [] } })).rejects.toThrow(/attribute rho is required/);
    await expect(regress({ ...regressorAttributes(r), one_class: 2 })).rejects.toThrow(/one_class = 2 should be 0 or 1/);
  });

  it('agrees with onnxruntime', async () => {
    /**
     * Compares every output, but the rows of samples in doubt: `doubt.labels` where rounding may decide a label,
     * `doubt.scores` where it may also decide coupling's stopping point. Gives tmnn's outputs.
     */
    const check = async (op: string, attributes: Record<string, AttributeSpec>, x: Float64Array, n: number, features: number, tol: number, what: string, doubt: Doubt = { labels: new Set(), scores: new Set() }, scales?: number[]) => {
      const outputs = op === 'SVMClassifier' ? 2 : 1;
      const options = { ...ML, outputs, outputTypes: outputs === 2 ? ['int64', 'float'] as const : ['float'] as const };
      const want = await ortRun(opModel(op, [{ shape: [n, features], values: x }], attributes, options), { x0: new ort.Tensor('float32', Float32Array.from(x), [n, features]) });
      const got = await runOp(op, [{ shape: [n, features], values: x }], attributes, { ...options, mode: 'async' });
      for (let o = 0; o < outputs; o++) {
        const w = want[`y${o}`];
        expect(got[o].shape, `${what} output ${o} shape`).toEqual(w.dims.map(Number));
        const wv = w.type === 'int64' ? Array.from(w.data as BigInt64Array, Number) : Array.from(w.data as Float32Array);
        const width = wv.length / n;
        const skip = o === 0 && outputs === 2 ? doubt.labels : doubt.scores;
        wv.forEach((v, i) => skip.has(Math.floor(i / width)) || expectNear(got[o].v[i], v, o === 0 && outputs === 2 ? 0 : tol, scales?.[i] ?? Math.abs(v), `${what} vs onnxruntime, output ${o} index ${i}`));
      }
      return got;
    };
    const doubtful = (c: ClassifierCase, x: Float64Array, n: number): Doubt => {
      const doubt: Doubt = { labels: new Set(), scores: new Set() };
      for (let s = 0; s < n; s++) {
        const e = classifierRef(c, row(x, s, c.features));
        if (e.label === undefined) doubt.labels.add(s);
        if (e.rows.length > 1 || e.label === undefined) doubt.scores.add(s);
      }
      // Rare: a model with several such labels would check little. Coupling's stopping point, by contrast, can be in doubt
      // for most samples of a model whose pairwise probabilities are all near ½ (seed 3714442749): those scores are held to
      // the float64 reference's outcomes instead (below).
      expect(doubt.labels.size, `samples in doubt (seed ${SEED})`).toBeLessThanOrEqual(n / 4);
      return doubt;
    };
    for (const type of ['LINEAR', 'POLY', 'RBF', 'SIGMOID'] as const) {
      const r = randomRegressor(type, 9, 5, type === 'SIGMOID');
      const x = asF32(uniform(33 * 5));
      const want = regressorRef(r, x, 33);
      const unsure = new Set(want.flatMap(([, scale], i) => (Number.isNaN(scale) ? [i] : [])));
      // onnxruntime reads SVMRegressor's post_transform and never applies it: LOGISTIC here leaves the values as they are.
      const attributes = type === 'RBF' ? { ...regressorAttributes(r), post_transform: 'LOGISTIC' } : regressorAttributes(r);
      await check('SVMRegressor', attributes, x, 33, 5, 1e-5, `SVMRegressor ${type}`, { labels: unsure, scores: unsure }, want.map(([, scale]) => scale));
    }
    const linear = randomRegressor('LINEAR', 0, 7);
    const xl = asF32(uniform(7 * 7));
    await check('SVMRegressor', regressorAttributes(linear), xl, 7, 7, 1e-5, 'SVMRegressor linear form', undefined, regressorRef(linear, xl, 7).map(([, scale]) => scale));
    const svcs: [number, KernelType, Transform, boolean][] = [
      [2, 'RBF', 'NONE', false], [2, 'POLY', 'LOGISTIC', false], [2, 'LINEAR', 'SOFTMAX', false], [3, 'RBF', 'NONE', false], [4, 'SIGMOID', 'SOFTMAX', false],
      [2, 'RBF', 'NONE', true], [3, 'RBF', 'NONE', true], [4, 'POLY', 'LOGISTIC', true], [3, 'SIGMOID', 'SOFTMAX_ZERO', true],
    ];
    for (const [classes, type, transform, probabilities] of svcs) {
      const c = randomSvc(type, classes, 5, transform, probabilities);
      const x = asF32(uniform(33 * 5));
      const what = `SVMClassifier ${classes} classes ${type} ${transform}${probabilities ? ' probabilities' : ''}`;
      const [labels, scores] = await check('SVMClassifier', classifierAttributes(c), x, 33, 5, 1e-5, what, doubtful(c, x, 33));
      expectClassified(c, x, 33, labels, scores, 1e-5, what);
    }
    for (const [classes, transform, allPositive, prob] of [[2, 'NONE', true, false], [2, 'LOGISTIC', false, false], [2, 'NONE', false, true], [3, 'SOFTMAX', false, false]] as [number, Transform, boolean, boolean][]) {
      const c = randomLinear(classes, 5, transform, allPositive, prob);
      const x = asF32(uniform(33 * 5, allPositive ? 0 : -2, 2));
      await check('SVMClassifier', classifierAttributes(c), x, 33, 5, 1e-5, `SVMClassifier linear ${classes} classes ${transform}`, doubtful(c, x, 33));
    }
  });
});
