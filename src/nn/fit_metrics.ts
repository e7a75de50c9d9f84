// The metrics fit reports on its validation data each epoch, and evaluate on
// its data: tm.metrics' functions by name, or the caller's own, computed
// once over every sample (the batches' predictions and targets joined), not
// averaged over batches: an average of per-batch AUCs or F1s is not the
// data's. A named metric sees the prediction as the loss makes it a
// classifier's (probabilities, class labels of an int dtype); a function
// sees the model's output and the targets as they are.
//
// The metrics are imported from their own files, not from metrics/index.ts:
// esbuild puts a file that a page reaches (through `import * as tm`, tmnn's
// index, and any index the bundle uses) and that fit's lazily loaded chunk
// uses into a chunk the page loads. Imported through metrics/index.ts, all
// of tm.metrics (~3 KB gzipped) rode on the demo page, which never runs fit.
import { ValueError, formatValue } from '../errors.js';
import { accuracy, f1Score, matthewsCorrcoef, precision, recall } from '../metrics/classification.js';
import { averagePrecision, rocAuc } from '../metrics/ranking.js';
import { meanAbsoluteError, meanSquaredError, r2Score } from '../metrics/regression.js';
import { isFloat } from '../dtype.js';
import { classesLast } from '../losses/classes.js';
import { concat } from '../ops/index.js';
import { tidy } from '../engine.js';
import { noGrad } from '../tape.js';
import type { Tensor } from '../tensor.js';
import { Module } from './module.js';

/**
 * The named loss a loss module stands for where fit reports accuracy, checks
 * class labels and shows metrics a classifier's view: CrossEntropyLoss and
 * NLLLoss (where no ignoreIndex marks labels that are no class: with one,
 * fit reports no accuracy and refuses named metrics) and BCELoss. Any other
 * loss is itself (a name, or a function of its own).
 */
export function lossKind(loss: unknown): unknown {
  // Told by config, not instanceof: importing the loss modules would put them all on the demo page, which loads fit.
  if (!(loss instanceof Module)) return loss;
  const { type, ignoreIndex } = loss.config();
  if (type === 'CrossEntropyLoss' || type === 'NLLLoss') return ignoreIndex === undefined ? (type === 'NLLLoss' ? 'nll' : 'crossEntropy') : loss;
  return type === 'BCELoss' ? 'binaryCrossEntropy' : loss;
}

export type MetricName = 'accuracy' | 'precision' | 'recall' | 'f1' | 'matthewsCorrcoef' | 'rocAuc' | 'averagePrecision' | 'mae' | 'mse' | 'rmse' | 'r2';
/** A metric of the whole data's predictions and targets: a scalar tensor. */
export type MetricFn = (pred: Tensor, target: Tensor) => Tensor;
export type Metric = MetricName | MetricFn;

const NAMED: Readonly<Record<MetricName, MetricFn>> = {
  accuracy: (p, t) => accuracy(p, t),
  precision: (p, t) => precision(p, t),
  recall: (p, t) => recall(p, t),
  f1: (p, t) => f1Score(p, t),
  matthewsCorrcoef: (p, t) => matthewsCorrcoef(p, t),
  rocAuc: (p, t) => rocAuc(p, t),
  averagePrecision: (p, t) => averagePrecision(p, t),
  mae: (p, t) => meanAbsoluteError(p, t),
  mse: (p, t) => meanSquaredError(p, t),
  rmse: (p, t) => meanSquaredError(p, t, { squared: false }),
  r2: (p, t) => r2Score(p, t),
};

/** A metric as fit runs it: its name in the logs and what computes it from the model's output and the targets. */
export interface MetricSpec {
  name: string;
  compute: (pred: Tensor, target: Tensor) => Tensor;
}

/**
 * The `metrics` option checked: names from tm.metrics, or functions named
 * by their own names (a `function f1Macro(pred, target)` or a named
 * const), each name once. `loss` says how a named metric reads the output.
 */
export function metricSpecs(what: string, given: unknown, loss: unknown): MetricSpec[] {
  if (given === undefined) return [];
  const kind = lossKind(loss);
  if (!Array.isArray(given)) throw new ValueError(`${what}: metrics must be an array of names (${Object.keys(NAMED).join(', ')}) or functions (pred, target) => Tensor, got ${formatValue(given)}`);
  const specs = given.map((m: unknown): MetricSpec => {
    if (typeof m === 'function') {
      if (!m.name) throw new ValueError(`${what}: a metric function needs a name for the logs: declare it (function f1Macro(pred, target) { … }) or assign it to a const first`);
      return { name: m.name, compute: m as MetricFn };
    }
    if (typeof m === 'string' && Object.hasOwn(NAMED, m)) {
      // Positions to leave out would have to be dropped from what the metric sees, a shape only the labels' values give.
      const config = loss instanceof Module ? loss.config() : undefined;
      if (config?.ignoreIndex !== undefined) throw new ValueError(`${what}: the named metric ${JSON.stringify(m)} cannot leave out the labels the ${config.type} ignores (ignoreIndex ${String(config.ignoreIndex)}); pass a metric function (pred, target) => Tensor that drops them`);
      return { name: m, compute: (p, t) => classifierView(kind, p, t, NAMED[m as MetricName]) };
    }
    throw new ValueError(`${what}: unknown metric ${formatValue(m)}; expected ${Object.keys(NAMED).join(', ')} or a function (pred, target) => Tensor`);
  });
  const names = specs.map((s) => s.name);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice !== undefined) throw new ValueError(`${what}: metric ${JSON.stringify(twice)} is given twice`);
  return specs;
}

/**
 * `fn` of the output and targets as a classification metric wants them
 * under a loss of this kind (lossKind's): crossEntropy's logits as probabilities (softmax; nll's
 * log-probabilities exp) against class labels (the argmax of probability
 * targets); binaryCrossEntropy's probabilities [N, 1] as [N] against
 * labels 0/1 (targets above ½). Other losses: as they are.
 */
function classifierView(kind: unknown, pred: Tensor, target: Tensor, fn: MetricFn): Tensor {
  return tidy(() => {
    if (kind === 'crossEntropy' || kind === 'nll') {
      // Scores with a class per position [N, C, d1, …] (segmentation): each position a sample.
      const [scores, labels] = pred.rank > 2 ? [classesLast(pred), isFloat(target.dtype) ? classesLast(target) : target.reshape([target.size])] : [pred, target];
      const probabilities = kind === 'nll' ? scores.exp() : scores.softmax(-1);
      return fn(probabilities, isFloat(labels.dtype) ? labels.argmax(-1).cast('i32') : labels.cast('i32'));
    }
    if (kind === 'binaryCrossEntropy') {
      const column = (t: Tensor) => (t.rank === 2 && t.shape[1] === 1 ? t.reshape([t.shape[0]]) : t);
      return fn(column(pred), column(target.greater(0.5).cast('i32')));
    }
    return fn(pred, target);
  });
}

/**
 * Collects each batch's predictions and targets (held, on the model's
 * backend) and computes every metric over them all at the end.
 */
export class MetricsCollector {
  private readonly preds: Tensor[] = [];
  private readonly targets: Tensor[] = [];
  constructor(private readonly specs: readonly MetricSpec[]) {}

  get active(): boolean {
    return this.specs.length > 0;
  }

  /** Keeps a batch's prediction and target, which the collector frees. */
  add(pred: Tensor, target: Tensor): void {
    this.preds.push(pred);
    this.targets.push(target);
  }

  /** Every metric over the samples added, read back; undefined without metrics. Frees what it held. */
  async results(): Promise<Record<string, number> | undefined> {
    if (!this.active) return undefined;
    let values: Tensor[] = [];
    try {
      values = noGrad(() => tidy(() => {
        const pred = this.preds.length === 1 ? this.preds[0] : concat(this.preds, 0);
        const target = this.targets.length === 1 ? this.targets[0] : concat(this.targets, 0);
        return this.specs.map((s) => s.compute(pred, target));
      }));
      const read = await Promise.all(values.map((v, i) => {
        if (v.size !== 1) throw new ValueError(`metric ${JSON.stringify(this.specs[i].name)} gave a tensor of shape [${v.shape.join(',')}]; a metric logged must be one number`);
        return v.item();
      }));
      return Object.fromEntries(this.specs.map((s, i) => [s.name, read[i]]));
    } finally {
      for (const v of values) v.dispose();
      this.dispose();
    }
  }

  dispose(): void {
    for (const t of [...this.preds, ...this.targets]) t.dispose();
    this.preds.length = 0;
    this.targets.length = 0;
  }
}
