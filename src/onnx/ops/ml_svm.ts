// ai.onnx.ml's support vector machines, as onnxruntime's CPU kernels
// (svmregressor.cc, svmclassifier.cc/.h, ml_common.h) compute them — the
// models scikit-learn's SVR, NuSVR, OneClassSVM, SVC and NuSVC become.
//
// The kernel matrix K [N, V] between the samples and the V support vectors
// is one tm.matmul (LINEAR x·v, POLY (γ x·v + c₀)^degree, SIGMOID
// tanh(γ x·v + c₀)); RBF's e^(−γ|x − v|²) expands |x − v|² as
// |x|² − 2x·v + |v|², around the support vectors' mean to keep the
// cancellation small. The support vectors and everything else derived from
// the attributes are tensors made once per node and kept across runs.
//
// SVMRegressor: K·coefficients + rho[0] (or, with n_supports 0, the linear
// x·coefficients + rho[0]); one_class turns it into ±1.
//
// SVMClassifier (libsvm's one-against-one): each pair of classes i < j has a
// decision value, Σ over i's vectors of coefficients[j − 1]·K plus Σ over j's
// of coefficients[i]·K plus its rho — one matmul of K by a [V, pairs] matrix
// laid out on the host. Each pair votes for i when its value is > 0, for j
// otherwise; the label is the first class of most votes. Without
// vectors_per_class it is liblinear's form instead: scores x·coefficientsᵀ +
// rho[0], one per class, labelled by the largest. With prob_a and prob_b,
// Platt's sigmoid turns each pair's value into a probability and pairwise
// coupling (ml_svm_coupling.ts) the pairs' into the classes': an iteration
// whose stopping point depends on the values, run on the host: on the
// decision values in place on js and native, read back from a GPU by an
// asynchronous run (runAsync), which a GPU's synchronous run points at.
// Scores then go through post_transform (ml_post_transform.ts), with
// onnxruntime's two-class layouts (see binaryScores). Labels are
// classlabels_ints (int64), or classlabels_strings, named on the host
// (ml_class_labels.ts).
import * as ops from '../../ops/index.js';
import type { Tensor } from '../../tensor.js';
import { heldValues } from '../../ops/util.js';
import { USE_RUN_ASYNC, type NodeCall } from '../node_call.js';
import { classLabels, withStringLabels } from './ml_class_labels.js';
import { Constant } from '../value.js';
import { coupleProbabilities, pairwiseProbability } from './ml_svm_coupling.js';
import { postTransform, postTransformOf, type PostTransform } from './ml_post_transform.js';
import { sampleRows } from './ml_samples.js';
import type { OnnxOp, OpTable } from './op.js';

const KERNELS = ['LINEAR', 'POLY', 'RBF', 'SIGMOID'] as const;
type KernelType = (typeof KERNELS)[number];

interface Kernel {
  type: KernelType;
  gamma: number;
  coef0: number;
  degree: number;
}

/** Support vectors [V, F] on the host, with what RBF's expansion needs. */
interface SupportVectors {
  count: number;
  features: number;
  /** Row-major [V, F]; for RBF, less their mean. */
  values: Float32Array;
  /** RBF: the mean subtracted from the vectors (and the samples), and each centered vector's |v|². */
  center?: Float32Array;
  squaredNorms?: Float32Array;
}

/** A float-list attribute, required non-empty where `required`. */
function floatsOf(call: NodeCall, name: string, required: boolean): number[] {
  const v = call.floats(name) ?? [];
  if (required && v.length === 0) throw call.error(`attribute ${name} is required (a non-empty list of floats)`);
  return v;
}

function kernelOf(call: NodeCall): Kernel {
  const type = call.string('kernel_type', 'LINEAR');
  // onnxruntime's MakeKernel takes any unknown name for SIGMOID; a misspelt kernel is refused here instead.
  if (!(KERNELS as readonly string[]).includes(type)) throw call.error(`kernel_type ${type} is not one of ${KERNELS.join(', ')}`);
  const params = call.floats('kernel_params');
  if (params === undefined) {
    // onnxruntime requires kernel_params always; LINEAR reads none of them, so a model without them is still clear there.
    if (type !== 'LINEAR') throw call.error(`kernel_type ${type} needs kernel_params [gamma, coef0, degree]`);
    return { type: 'LINEAR', gamma: 0, coef0: 0, degree: 0 };
  }
  if (params.length !== 3) throw call.error(`kernel_params should be [gamma, coef0, degree], it has ${params.length} values`);
  const [gamma, coef0, degree] = params.map(Math.fround);
  return { type: type as KernelType, gamma, coef0, degree };
}

function supportVectorsOf(call: NodeCall, count: number, kernel: Kernel): SupportVectors {
  const sv = floatsOf(call, 'support_vectors', true);
  if (sv.length % count !== 0) throw call.error(`support_vectors holds ${sv.length} values, not a whole number of rows for ${count} support vectors`);
  const features = sv.length / count;
  if (kernel.type !== 'RBF') return { count, features, values: Float32Array.from(sv) };
  const center = new Float64Array(features);
  for (let v = 0; v < count; v++) for (let j = 0; j < features; j++) center[j] += sv[v * features + j] / count;
  const center32 = Float32Array.from(center);
  const values = new Float32Array(sv.length);
  const squaredNorms = new Float32Array(count);
  for (let v = 0; v < count; v++) {
    let s = 0;
    for (let j = 0; j < features; j++) {
      // The difference of the f32 values, as the device takes x − center.
      const d = Math.fround(sv[v * features + j]) - center32[j];
      values[v * features + j] = d;
      s += d * d;
    }
    squaredNorms[v] = s;
  }
  return { count, features, values, center: center32, squaredNorms };
}

/** The node's input X as f32 [N, F], of the support vectors' F features. */
function samplesOf(call: NodeCall, features: number): Tensor {
  const x = sampleRows(call);
  if (x.shape[1] !== features) throw call.error(`its input X is [${call.tensor(0).shape.join(', ')}]; the model takes [N, ${features}] (or one sample [${features}])`);
  return x;
}

/** K [N, V]: the kernel between each sample of x [N, F] and each support vector. */
function kernelMatrix(call: NodeCall, x: Tensor, sv: SupportVectors, kernel: Kernel): Tensor {
  const kept = (key: string, values: Float32Array, shape: number[]) => call.kept(call.node, undefined, key, () => ops.tensor(values, shape));
  const vectors = kept('support vectors', sv.values, [sv.count, sv.features]);
  if (kernel.type === 'RBF') {
    const centered = ops.sub(x, kept('support vectors mean', sv.center!, [sv.features]));
    const squared = ops.sum(ops.square(centered), -1, { keepDims: true });
    const dot = ops.matmul(centered, vectors, { transposeB: true });
    const distance = ops.add(ops.sub(squared, ops.mul(dot, 2)), kept('support vectors |v|²', sv.squaredNorms!, [sv.count]));
    // Rounding may leave a distance of (nearly) zero a little below it.
    return ops.exp(ops.mul(ops.maximum(distance, 0), -kernel.gamma));
  }
  const dot = ops.matmul(x, vectors, { transposeB: true });
  if (kernel.type === 'LINEAR') return dot;
  const affine = ops.add(ops.mul(dot, kernel.gamma), kernel.coef0);
  if (kernel.type === 'SIGMOID') return ops.tanh(affine);
  // POLY: onnxruntime squares and cubes by products, and takes any other degree (a float) as pow does.
  if (kernel.degree === 2) return ops.square(affine);
  if (kernel.degree === 3) return ops.mul(ops.square(affine), affine);
  return ops.pow(affine, kernel.degree);
}

// ---------------------------------------------------------------- SVMRegressor

interface Regressor {
  kernel: Kernel;
  /** Undefined for the linear form (n_supports 0). */
  vectors?: SupportVectors;
  coefficients: Float32Array;
  features: number;
  rho: number;
  oneClass: boolean;
}

function parseRegressor(call: NodeCall): Regressor {
  const count = call.int('n_supports', 0);
  if (!(Number.isInteger(count) && count >= 0)) throw call.error(`n_supports = ${count} should be a count ≥ 0`);
  const coefficients = Float32Array.from(floatsOf(call, 'coefficients', true));
  const rho = floatsOf(call, 'rho', true);
  const oneClass = call.int('one_class', 0);
  if (oneClass !== 0 && oneClass !== 1) throw call.error(`one_class = ${oneClass} should be 0 or 1`);
  // onnxruntime reads post_transform and never applies it (onnx's reference implements NONE only): checked, then left alone.
  postTransformOf(call);
  // With no support vectors, onnxruntime takes the linear form and ignores kernel_type.
  const kernel = count > 0 ? kernelOf(call) : { type: 'LINEAR' as const, gamma: 0, coef0: 0, degree: 0 };
  if (count === 0) return { kernel, coefficients, features: coefficients.length, rho: rho[0], oneClass: oneClass === 1 };
  const vectors = supportVectorsOf(call, count, kernel);
  if (coefficients.length !== count) throw call.error(`coefficients holds ${coefficients.length} values; it needs one per support vector (n_supports = ${count})`);
  return { kernel, vectors, coefficients, features: vectors.features, rho: rho[0], oneClass: oneClass === 1 };
}

const svmRegressor: OnnxOp = {
  run: (call) => {
    const m = call.fromAttributes(() => parseRegressor(call));
    const x = samplesOf(call, m.features);
    const coefficients = call.kept(call.node, undefined, 'coefficients', () => ops.tensor(m.coefficients, [m.coefficients.length, 1]));
    const k = m.vectors ? kernelMatrix(call, x, m.vectors, m.kernel) : x;
    const y = ops.add(ops.matmul(k, coefficients), m.rho);
    return m.oneClass ? ops.where(ops.greater(y, 0), 1, -1) : y;
  },
};

// --------------------------------------------------------------- SVMClassifier

interface Classifier {
  labels: Int32Array;
  classes: number;
  features: number;
  transform: PostTransform;
  /** Platt's [a, b] per pair: the scores are probabilities (one per class). */
  probability?: { a: Float32Array; b: Float32Array };
  /** Whether prob_a is given at all: in the linear form it only changes the two-class label rule. */
  hasProbabilityAttributes: boolean;
  /** libsvm's form (vectors_per_class), or undefined for liblinear's. */
  svc?: {
    kernel: Kernel;
    vectors: SupportVectors;
    pairs: number;
    /** [V, pairs]: each pair's coefficients on the kernel values. */
    pairWeights: Float32Array;
    /** [pairs] */
    rho: Float32Array;
    /** [pairs, C] +1 at the pair's i, −1 at its j; with votesBase, the votes as a product of the "value > 0" mask. */
    voteDirections: Float32Array;
    /** [C]: the votes of a mask of zeros, each class's count of pairs in which it is j. */
    votesBase: Float32Array;
  };
  /** liblinear's form: coefficients [C, F], rho[0], whether every coefficient is ≥ 0. */
  linear?: { coefficients: Float32Array; rho: number; allPositive: boolean };
}

function parseClassifier(call: NodeCall): Classifier {
  const labels = Int32Array.from(classLabels(call, 'classlabels_ints'));
  const classes = labels.length;
  const transform = postTransformOf(call);
  const coefficients = floatsOf(call, 'coefficients', true);
  const rho = floatsOf(call, 'rho', true);
  const probA = floatsOf(call, 'prob_a', false), probB = floatsOf(call, 'prob_b', false);
  if (probA.length !== probB.length) throw call.error(`prob_a holds ${probA.length} values and prob_b ${probB.length}; they go in pairs`);
  const perClass = call.ints('vectors_per_class') ?? [];
  const bad = perClass.find((n) => !(Number.isInteger(n) && n >= 0));
  if (bad !== undefined) throw call.error(`vectors_per_class holds ${bad}; each is a count ≥ 0`);
  const count = perClass.reduce((a, b) => a + b, 0);
  const common = { labels, classes, transform, hasProbabilityAttributes: probA.length > 0 };
  if (count === 0) {
    // liblinear's form: onnxruntime takes the kernel as LINEAR whatever kernel_type says, and adds rho[0] to every class's score.
    if (coefficients.length % classes !== 0) throw call.error(`coefficients holds ${coefficients.length} values, not a whole number of rows for ${classes} classes (the linear form, without vectors_per_class)`);
    return {
      ...common,
      features: coefficients.length / classes,
      linear: { coefficients: Float32Array.from(coefficients), rho: rho[0], allPositive: coefficients.every((c) => c >= 0) },
    };
  }
  if (perClass.length !== classes) throw call.error(`vectors_per_class has ${perClass.length} entries for ${classes} classes (classlabels_ints)`);
  if (classes < 2) throw call.error('has support vectors for a single class: one-against-one needs 2 classes or more');
  const kernel = kernelOf(call);
  const vectors = supportVectorsOf(call, count, kernel);
  const pairs = (classes * (classes - 1)) / 2;
  if (coefficients.length !== (classes - 1) * count) throw call.error(`coefficients holds ${coefficients.length} values; libsvm's layout is [classes − 1, support vectors] = [${classes - 1}, ${count}]`);
  if (rho.length !== pairs) throw call.error(`rho holds ${rho.length} values; it needs one per pair of classes, ${pairs} for ${classes} classes`);
  if (probA.length > 0 && probA.length !== pairs) throw call.error(`prob_a and prob_b hold ${probA.length} values; they need one per pair of classes, ${pairs} for ${classes} classes`);
  // onnxruntime's two-class scores without probabilities: PROBIT writes the first column only and leaves the second as the output's memory was.
  if (classes === 2 && probA.length === 0 && transform === 'PROBIT') {
    throw call.error('post_transform PROBIT is not supported for a two-class SVM without prob_a/prob_b: onnxruntime leaves the second score column unwritten there');
  }
  const start: number[] = [];
  perClass.reduce((at, n) => (start.push(at), at + n), 0);
  const pairWeights = new Float32Array(count * pairs);
  const voteDirections = new Float32Array(pairs * classes);
  const votesBase = new Float32Array(classes);
  let p = 0;
  for (let i = 0; i < classes; i++) {
    for (let j = i + 1; j < classes; j++, p++) {
      for (let m = start[i]; m < start[i] + perClass[i]; m++) pairWeights[m * pairs + p] = coefficients[(j - 1) * count + m];
      for (let m = start[j]; m < start[j] + perClass[j]; m++) pairWeights[m * pairs + p] = coefficients[i * count + m];
      voteDirections[p * classes + i] = 1;
      voteDirections[p * classes + j] = -1;
      votesBase[j]++;
    }
  }
  return {
    ...common,
    features: vectors.features,
    probability: probA.length > 0 ? { a: Float32Array.from(probA), b: Float32Array.from(probB) } : undefined,
    svc: { kernel, vectors, pairs, pairWeights, rho: Float32Array.from(rho), voteDirections, votesBase },
  };
}

/** The labels of classes `index` [N] (i32), as int64. */
function labelsAt(call: NodeCall, m: Classifier, index: Tensor): Tensor {
  const labels = call.kept(call.node, undefined, 'labels', () => ops.tensor(m.labels, [m.classes], { dtype: 'i32' }));
  return call.typed(ops.gather(labels, index), 'int64');
}

/** libsvm's form: the pairs' decision values [N, pairs] and the labels by their votes. */
function oneAgainstOne(call: NodeCall, m: Classifier, x: Tensor): { values: Tensor; labels: Tensor } {
  const svc = m.svc!;
  const kept = (key: string, values: Float32Array, shape: number[]) => call.kept(call.node, undefined, key, () => ops.tensor(values, shape));
  const k = kernelMatrix(call, x, svc.vectors, svc.kernel);
  const values = ops.add(ops.matmul(k, kept('pair weights', svc.pairWeights, [svc.vectors.count, svc.pairs])), kept('rho', svc.rho, [svc.pairs]));
  // Whole numbers far under 2²⁴: the f32 product counts them exactly.
  const wins = ops.cast(ops.greater(values, 0), 'f32');
  const votes = ops.add(ops.matmul(wins, kept('vote directions', svc.voteDirections, [svc.pairs, m.classes])), kept('votes base', svc.votesBase, [m.classes]));
  return { values, labels: labelsAt(call, m, ops.argmax(votes, -1)) };
}

/**
 * Two classes and no probabilities: one decision value s per sample, laid
 * out in two columns as onnxruntime 1.30 does (checked against
 * onnxruntime-web): [−s, s] for NONE, [σ(−s), σ(s)] for LOGISTIC, and
 * [1 − s, s] for SOFTMAX and SOFTMAX_ZERO, s itself untransformed (the
 * add_second_class layouts of ml_common.h's batched_update_scores_inplace).
 * onnx's reference differs: it takes the softmax of [−s, s].
 */
function binaryScores(s: Tensor, transform: PostTransform): Tensor {
  if (transform === 'LOGISTIC') return ops.sigmoid(ops.concat([ops.neg(s), s], -1));
  return ops.concat([transform === 'NONE' ? ops.neg(s) : ops.sub(1, s), s], -1);
}

/** liblinear's form: the scores [N, C] before post_transform, and the labels. */
function linearScores(call: NodeCall, m: Classifier, x: Tensor): { scores: Tensor; labels: Tensor } {
  const lin = m.linear!;
  const w = call.kept(call.node, undefined, 'linear coefficients', () => ops.tensor(lin.coefficients, [m.classes, m.features]));
  const scores = ops.add(ops.matmul(x, w, { transposeB: true }), lin.rho);
  let index = ops.argmax(scores, -1);
  if (m.classes === 2 && !m.hasProbabilityAttributes) {
    // onnxruntime's ChooseClass: the second label where the largest score passes 0.5 (every coefficient ≥ 0) or 0 (some negative), else the first largest's.
    const largest = ops.max(scores, -1);
    index = ops.where(lin.allPositive ? ops.greaterEqual(largest, 0.5) : ops.greater(largest, 0), 1, index);
  }
  return { scores, labels: labelsAt(call, m, index) };
}

/** Y and Z where no host step is needed: everything but the probabilities. */
function classify(call: NodeCall, m: Classifier, x: Tensor): [Tensor, Tensor] {
  if (m.linear) {
    const { scores, labels } = linearScores(call, m, x);
    // One class: onnxruntime's single-score path applies PROBIT and nothing else.
    const z = m.classes >= 2 || m.transform === 'PROBIT' ? postTransform(scores, m.transform) : scores;
    return [labels, z];
  }
  const { values, labels } = oneAgainstOne(call, m, x);
  return [labels, m.classes === 2 ? binaryScores(values, m.transform) : postTransform(values, m.transform)];
}

/** The class probabilities [N, C] from the pairs' decision values [N, pairs], read back. */
function probabilities(m: Classifier, values: Float32Array, samples: number): Float32Array {
  const { a, b } = m.probability!;
  const k = m.classes, pairs = m.svc!.pairs;
  const out = new Float32Array(samples * k);
  const r = new Float32Array(k * k);
  for (let n = 0; n < samples; n++) {
    let p = 0;
    for (let i = 0; i < k; i++) {
      for (let j = i + 1; j < k; j++, p++) {
        const rij = pairwiseProbability(values[n * pairs + p], a[p], b[p]);
        r[i * k + j] = rij;
        r[j * k + i] = Math.fround(1 - rij);
      }
    }
    out.set(coupleProbabilities(k, r), n * k);
  }
  return out;
}

/** Y and Z of a model with probabilities, from the pairs' decision values on the host (`host`, read from `values`). */
function coupled(call: NodeCall, m: Classifier, labels: Tensor, values: Tensor, host: ArrayLike<number>): [Tensor, Tensor] {
  const samples = values.shape[0];
  const z = postTransform(ops.tensor(probabilities(m, Float32Array.from({ length: samples * m.svc!.pairs }, (_, k) => host[k]), samples), [samples, m.classes]), m.transform);
  return [labels, z];
}

const svmClassifier: OnnxOp = {
  run: (call) => {
    const m = call.fromAttributes(() => parseClassifier(call));
    const x = samplesOf(call, m.features);
    if (!(m.probability && m.svc)) return classify(call, m, x);
    // The coupling runs on the host: on the decision values in place (js, native), else in runAsync.
    const { values, labels } = oneAgainstOne(call, m, x);
    const host = values.dtype === 'f16' ? undefined : heldValues('SVMClassifier', values);
    if (!host) throw call.error(`its probabilities (prob_a, prob_b) come from pairwise coupling, an iteration run on the host on the decision values, which are computed on the device; ${USE_RUN_ASYNC}`);
    return coupled(call, m, labels, values, host);
  },
  runAsync: async (call) => {
    const m = call.fromAttributes(() => parseClassifier(call));
    if (!(m.probability && m.svc)) return call.step(() => classify(call, m, samplesOf(call, m.features)));
    const { values, labels } = call.step(() => oneAgainstOne(call, m, samplesOf(call, m.features)));
    let host: ArrayLike<number>;
    try {
      host = await values.data();
    } catch (e) {
      labels.dispose();
      values.dispose();
      throw e;
    }
    const out = call.step(() => coupled(call, m, labels, values, host));
    values.dispose();
    return out;
  },
};

export const ML_SVM_OPS: OpTable = {
  SVMRegressor: svmRegressor,
  SVMClassifier: withStringLabels(svmClassifier),
};
