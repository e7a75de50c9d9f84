// The training loop behind Sequential.fit: batches (shuffled with a seed),
// forward, loss, backward, optimiser step; validation and metrics per epoch; a
// progress bar in a terminal. Data stays on the host between epochs and each
// batch is uploaded as it is needed, which works the same on every backend.
// Results are read late: a step's loss once the next step is issued, an
// evaluation's once every batch is, so a GPU is never left waiting on a
// readback while the CPU builds more work.
import { isFloat, type DataArray } from '../dtype.js';
import { dropGraph } from '../autograd/backward.js';
import { keep, tidy } from '../engine.js';
import { ShapeError, ValueError, formatShape, formatValue } from '../errors.js';
import { F16_MAX, F16_OVERFLOW } from '../f16.js';
import { classAxisOf, coordinatesOf } from '../losses/classes.js';
import * as losses from '../losses/index.js';
import { tensor } from '../ops/index.js';
import { filledTensor, onBackendOf } from '../ops/util.js';
import { Adam, EpochScheduler, OneCycleLR, Optimizer, ReduceLROnPlateau, type MetricScheduler, type Scheduler } from '../optim/index.js';
import { getRandomState, permutation, seedFor, setRandomState } from '../random.js';
import { checkBatchSize, checkOptions, type OptionNames } from '../options.js';
import { noGrad } from '../tape.js';
import { sameShape } from '../shape.js';
import { Tensor } from '../tensor.js';
import { clipGradNorm, clipGradValue } from './clip_grad.js';
import { Module, inEvalMode } from './module.js';
import { startProgress } from './progress.js';
import { isQuantized } from './quantized_layers.js';
import { isUnbuilt, refuseUnbuilt } from './unbuilt.js';
import type { TrainingStateParts } from './training_state.js';
import { MetricsCollector, lossKind, metricSpecs, type Metric, type MetricSpec } from './fit_metrics.js';
import type { Loss } from './loss_modules.js';
import { Dataset } from '../data/dataset.js';
import { describeValue, disposeDropped, disposeElement, isPlainObject } from '../data/element.js';

export type LossName = 'mse' | 'rmse' | 'l1' | 'huber' | 'smoothL1' | 'crossEntropy' | 'nll' | 'binaryCrossEntropy';
export type LossFn = (pred: Tensor, target: Tensor) => Tensor;

export interface EpochLogs {
  epoch: number;
  loss: number;
  accuracy?: number;
  valLoss?: number;
  valAccuracy?: number;
  /** The `metrics` asked for, each over the whole validation data. */
  valMetrics?: Record<string, number>;
  seconds: number;
  samplesPerSecond: number;
  /** The learning rate the epoch's last batch trained with. */
  lr: number;
}

export interface FitOptions {
  /** The epoch training ends with (default 1): with initialEpoch, the epochs after it up to this one run. */
  epochs?: number;
  /**
   * Epochs already trained (Keras's initial_epoch), default 0: epochs
   * initialEpoch + 1 to `epochs` run, numbered so, and x and y shuffled as
   * in a run from the start (with the same `seed`: one not given is drawn
   * afresh), so a run resumed from a checkpoint (tm.nn.loadTrainingState,
   * with `random: true` for unseeded dropout) goes on as if it had not
   * stopped; a Dataset's shuffles count their own passes, which the
   * checkpoint keeps when given the pipeline as `data`.
   */
  initialEpoch?: number;
  batchSize?: number;
  /**
   * Default 'mse'. A name, a function, or a loss module (new
   * tm.nn.CrossEntropyLoss({ weight })). crossEntropy, nll and
   * binaryCrossEntropy (and CrossEntropyLoss, NLLLoss, BCELoss) also report
   * accuracy; not a CrossEntropyLoss or NLLLoss with an ignoreIndex, whose
   * left-out labels no accuracy here knows to skip. A module's reduction is
   * 'mean': fit reports the mean loss per sample.
   */
  loss?: LossName | LossFn | Loss;
  /** Default Adam with lr 1e-3 over the model's parameters. */
  optimizer?: Optimizer;
  /** Stepped once an epoch (see schedulerInterval), given the epoch's valLoss where there is validation, else its loss (which ReduceLROnPlateau watches; the epoch schedules ignore it). */
  scheduler?: Scheduler | MetricScheduler;
  /**
   * When the scheduler is stepped: 'epoch' (default), or 'batch', after each
   * batch's optimizer step with no value, for a schedule counted in batches
   * (OneCycleLR, or a warm-up of so many steps). ReduceLROnPlateau takes 'epoch'.
   */
  schedulerInterval?: 'epoch' | 'batch';
  /** Shuffle the training samples each epoch (default true), reproducibly with `seed`. */
  shuffle?: boolean;
  /**
   * Skip each epoch's last batch when it is smaller than batchSize (PyTorch's
   * drop_last; with shuffling, other samples are left over each epoch): a
   * last batch of one sample has no variance for a BatchNorm. Default false.
   */
  dropLast?: boolean;
  seed?: number;
  /** Hold out this fraction of the samples (the last ones) for validation. */
  validationSplit?: number;
  /** Data to validate on after each epoch: a pair [x, y], or a Dataset of batches (as fit's). */
  validationData?: [Tensor, Tensor] | Dataset<Batch>;
  onEpochEnd?: (logs: EpochLogs) => void | Promise<void>;
  /**
   * Mixed precision: the forward and backward passes run in f16 (f16 copies
   * of the f32 master weights, which the optimiser updates), with dynamic loss
   * scaling so small f16 gradients do not flush to zero. Opt-in.
   */
  mixedPrecision?: boolean;
  /** Scale each step's gradients together down to this joint (Euclidean) norm when they exceed it (tm.nn.clipGradNorm), as RNNs are trained. */
  clipGradNorm?: number;
  /** Clamp each step's gradient entries to [−clipGradValue, clipGradValue] (tm.nn.clipGradValue); with clipGradNorm, this first. */
  clipGradValue?: number;
  /** No progress output (a bar and a line per epoch on a terminal's stderr; the lines alone where stderr is a pipe or file). */
  quiet?: boolean;
  /** Stop training once the monitored value stops improving (Keras's EarlyStopping); the history then holds the epochs run. */
  earlyStopping?: EarlyStoppingOptions;
  /**
   * Metrics of the validation data each epoch (valMetrics in the logs and
   * the history), each computed once over all of it, not averaged over
   * batches: tm.metrics' by name ('accuracy', 'precision', 'recall', 'f1',
   * 'matthewsCorrcoef', 'rocAuc', 'averagePrecision', 'mae', 'mse', 'rmse',
   * 'r2'; with crossEntropy or nll they see probabilities against class
   * labels, with binaryCrossEntropy probabilities [N] against labels 0/1),
   * or named functions (pred, target) => a scalar tensor, given the model's
   * outputs and the targets as they are. Needs validation data.
   */
  metrics?: Metric[];
  /**
   * `new tm.nn.BackupAndRestore(path)` (Keras's; Node): after each epoch, the
   * model, the optimizer (fit's own Adam too), the schedule, setSeed's
   * sequence, a Dataset's shuffles, and fit's place — the epoch, its shuffle
   * seed, early stopping's count, the loss scale, the history — go to the file. Where it
   * exists, fit first loads it and goes on from there: a run killed mid-way
   * and started again with the same call (the model and optimizer built as
   * before) ends as the unbroken run would have, its history whole. Removed
   * once training ends. Not with earlyStopping's restoreBest (the best
   * weights are kept in memory, not in the backup) or initialEpoch.
   */
  backup?: FitBackup;
}

/** Where fit stands after an epoch, beyond what a training checkpoint's parts hold. */
export interface FitPlace {
  /** The last epoch trained. */
  epoch: number;
  /** fit(x, y)'s shuffle seed (drawn where none was given); null for a Dataset, whose shuffles are its own. */
  seed: number | null;
  /** Early stopping's best value and epochs since it; null without early stopping. */
  stopper: { best: number; since: number } | null;
  /** mixedPrecision's loss scale and its run of good steps; null without. */
  scaler: { scale: number; good: number } | null;
  history: EpochLogs[];
}

/** Where fit keeps its backup (tm.nn.BackupAndRestore, a file; your own, elsewhere). */
export interface FitBackup {
  /** Loads the backup into the parts and gives fit's place; null where there is none yet. */
  read(parts: TrainingStateParts): Promise<FitPlace | null>;
  /** Keeps the parts and fit's place after an epoch. */
  write(parts: TrainingStateParts, place: FitPlace): Promise<void>;
  /** Drops the backup once training has ended. */
  remove(): Promise<void>;
}

/** A batch of a Dataset that fit trains on: inputs and targets, with as many samples (axis 0) in each. */
export type Batch = { readonly x: Tensor; readonly y: Tensor } | readonly [Tensor, Tensor];

export interface EarlyStoppingOptions {
  /** The value watched, lower being better: 'valLoss' (the default where there is validation) or 'loss' (the default without). */
  monitor?: 'loss' | 'valLoss';
  /** How many epochs in a row without improvement end training (default 0, as Keras's: 0 and 1 both stop after the first). */
  patience?: number;
  /** An epoch improves only by lowering the best value so far by more than this (default 0). */
  minDelta?: number;
  /** At the end, set the parameters and buffers (running statistics) back to the best epoch's (default false: the last epoch's stay). */
  restoreBest?: boolean;
}

const EARLY_STOPPING_OPTIONS: OptionNames<EarlyStoppingOptions> = { monitor: true, patience: true, minDelta: true, restoreBest: 'boolean' };

const FIT_OPTIONS: OptionNames<FitOptions> = {
  epochs: true, batchSize: true, loss: true, optimizer: true, scheduler: true, schedulerInterval: true, shuffle: 'boolean', dropLast: 'boolean', seed: true,
  validationSplit: true, validationData: true, onEpochEnd: true, initialEpoch: true, mixedPrecision: 'boolean', clipGradNorm: true, clipGradValue: true, quiet: 'boolean', earlyStopping: true,
  metrics: true, backup: true,
};

export interface EvaluateOptions {
  /** Default 'mse'. */
  loss?: FitOptions['loss'];
  /** Default 256. */
  batchSize?: number;
  /** Metrics over all the data, as fit's (`metrics` in the result). */
  metrics?: Metric[];
}

const EVALUATE_OPTIONS: OptionNames<EvaluateOptions> = { loss: true, batchSize: true, metrics: true };

/** What evaluate gives: the mean loss, accuracy where the loss classifies, and the metrics asked for. */
export interface Evaluation {
  loss: number;
  accuracy?: number;
  metrics?: Record<string, number>;
}

export interface History {
  epochs: EpochLogs[];
  loss: number[];
  accuracy: number[];
  valLoss: number[];
  valAccuracy: number[];
  /** Each of fit's `metrics` by name, an entry an epoch. */
  valMetrics: Record<string, number[]>;
}

/** Samples held on the host: the flat values of x and y, and each sample's shape. */
interface HostData {
  x: DataArray;
  y: DataArray;
  xShape: readonly number[];
  yShape: readonly number[];
  xDtype: Tensor['dtype'];
  yDtype: Tensor['dtype'];
  count: number;
}

async function toHost(x: Tensor, y: Tensor): Promise<HostData> {
  if (x.rank === 0 || y.rank === 0 || x.shape[0] !== y.shape[0]) {
    throw new ShapeError(`fit: x ${formatShape(x.shape)} and y ${formatShape(y.shape)} must have the same number of samples along axis 0`);
  }
  return {
    x: await x.data(), y: await y.data(),
    xShape: x.shape.slice(1), yShape: y.shape.slice(1),
    xDtype: x.dtype, yDtype: y.dtype,
    count: x.shape[0],
  };
}

/**
 * Runs its argument with the tensors it makes (the batches) on the backend
 * the model's parameters live on: the active one, unless a later tm.init()
 * made another active, where a model made before it trains and evaluates on.
 */
function onModelBackend(model: Module): <T>(make: () => T) => T {
  const [first] = model.parameters();
  return first ? (make) => onBackendOf('fit', first, make) : (make) => make();
}

/** Rows `order[from..to)` of one side of the data as a tensor. */
function rows(values: DataArray, sampleShape: readonly number[], dtype: Tensor['dtype'], order: ArrayLike<number>, from: number, to: number): Tensor {
  const width = sampleShape.reduce((a, b) => a * b, 1);
  const shape = [to - from, ...sampleShape];
  const gather = (out: DataArray) => {
    for (let i = from; i < to; i++) out.set(values.subarray(order[i] * width, (order[i] + 1) * width), (i - from) * width);
  };
  if (dtype === 'f16') {
    // Decoded to f32 in DataArray: encoded again on the way in.
    const out = new Float32Array((to - from) * width);
    gather(out);
    return tensor(out, shape, { dtype });
  }
  // Every other dtype is already in storage form: gathered straight into the batch's storage.
  return filledTensor(shape, dtype, (out) => gather(out as DataArray));
}

function lossFn(loss: FitOptions['loss']): LossFn {
  if (typeof loss === 'function') return loss;
  // A loss module (tm.nn.CrossEntropyLoss…), told by its class rather than imported: fit's chunk, which the demo page loads, stays without them.
  if (loss instanceof Module) {
    const { type, reduction } = loss.config();
    // fit reports a loss per sample, averaging its batches' means: a batch's sum would count each sample batchSize times.
    if (reduction !== undefined && reduction !== 'mean' && reduction !== 'batchmean') {
      throw new ValueError(`fit: the ${type} given as the loss has reduction '${reduction}'; fit and evaluate take a batch's mean (reduction 'mean')`);
    }
    return (p, t) => loss.forward(p, t);
  }
  if (loss === undefined) {
    // A default nobody chose: an error from it says so, and what class labels want.
    return (p, t) => {
      try {
        return losses.mse(p, t);
      } catch (err) {
        if (err instanceof ShapeError) throw new ShapeError(`${err.message} (mse is the default loss; for class labels pass { loss: 'crossEntropy' })`);
        throw err;
      }
    };
  }
  const name = loss;
  const fns: Record<LossName, LossFn> = {
    mse: losses.mse, rmse: losses.rmse, l1: losses.l1, huber: losses.huber, smoothL1: losses.smoothL1, crossEntropy: losses.crossEntropy, nll: losses.nll,
    binaryCrossEntropy: losses.binaryCrossEntropy,
  };
  const fn = Object.hasOwn(fns, name) ? fns[name] : undefined;
  if (!fn) throw new ValueError(`fit: unknown loss ${JSON.stringify(name)}; expected ${Object.keys(fns).join(', ')} or a function`);
  return (p, t) => fn(p, t);
}

/** Hits in a batch, for the losses where accuracy means something: a function of the batch's prediction and targets, else null. */
type HitCounter = ((pred: Tensor, target: Tensor) => Tensor) | null;

/** How a batch's correct predictions are counted under this loss, decided once (a loss module's config is built to tell). */
function hitCounter(loss: FitOptions['loss']): HitCounter {
  const kind = lossKind(loss);
  if (kind === 'crossEntropy' || kind === 'nll') {
    return (pred, target) => {
      const axis = classAxisOf(pred);
      const hits = pred.argmax(axis).equal((isFloat(target.dtype) ? target.argmax(axis) : target).cast('i32'));
      // A class per position (segmentation): a sample counts the share of its positions right.
      return hits.rank <= 1 ? hits.sum() : hits.mean(hits.shape.slice(1).map((_, i) => i + 1)).sum();
    };
  }
  if (kind === 'binaryCrossEntropy') {
    return (pred, target) => {
      const hits = pred.greater(0.5).equal(target.greater(0.5));
      // Several outputs a sample (multi-label): each sample counts the share of its outputs right,
      // so accuracy is the share of all outputs right (Keras's binary accuracy), never above 1.
      return hits.rank <= 1 ? hits.sum() : hits.mean(hits.shape.slice(1).map((_, i) => i + 1)).sum();
    };
  }
  return null;
}

/**
 * For crossEntropy and nll against class labels: checks, once, that every label is
 * one of the model's classes, given how many it has (known from its first
 * prediction). oneHot makes a label past the classes a row of zeros, so
 * training would go on, silently, on a loss that means nothing.
 */
function classLabelCheck(loss: FitOptions['loss'], data: HostData, what: string): (classes: number) => void {
  const kind = lossKind(loss);
  if ((kind !== 'crossEntropy' && kind !== 'nll') || isFloat(data.yDtype)) return () => undefined;
  let checked = false;
  return (classes) => {
    if (checked) return;
    const at = data.y.findIndex((label) => !(label >= 0 && label < classes));
    if (at >= 0) {
      // A class per position: the sample holding it, and where in it.
      const perSample = data.yShape.reduce((a, b) => a * b, 1);
      const place = perSample === 1 ? `sample ${at}` : `sample ${Math.floor(at / perSample)}, at ${coordinatesOf(data.yShape, at % perSample)}`;
      throw new ValueError(`${what}: class label ${data.y[at]} (${place}) is not one of the model's ${classes} classes, 0 to ${classes - 1}`);
    }
    checked = true;
  };
}

/** Mean loss and accuracy, and the metrics, over host data, in eval mode, in batches. */
async function evaluateHost(model: Module, data: HostData, loss: FitOptions['loss'], batchSize: number, what: string, specs: readonly MetricSpec[]): Promise<Evaluation> {
  const order = Int32Array.from({ length: data.count }, (_, i) => i);
  const collector = new MetricsCollector(specs);
  const fn = lossFn(loss);
  const countHits = hitCounter(loss);
  const checkLabels = classLabelCheck(loss, data, what);
  const home = onModelBackend(model);
  // Every batch is issued before any result is read, so a GPU never waits on a readback in between.
  const results: { loss: Tensor; correct: Tensor | null; size: number }[] = [];
  let total = 0;
  let hits = 0;
  let counted = false;
  try {
    // Eval mode only while the forward passes are issued, all before the first await: a fit or
    // another evaluate of the same model running meanwhile keeps its own mode (Dropout on in fit's steps).
    inEvalMode(model, () => {
      for (let from = 0; from < data.count; from += batchSize) {
        const to = Math.min(from + batchSize, data.count);
        const [l, c] = noGrad(() => tidy(() => home(() => {
          const xb = rows(data.x, data.xShape, data.xDtype, order, from, to);
          const yb = rows(data.y, data.yShape, data.yDtype, order, from, to);
          const pred = model.forward(xb);
          checkLabels(pred.shape[classAxisOf(pred)]);
          if (collector.active) collector.add(keep(pred), keep(yb));
          return [fn(pred, yb), countHits?.(pred, yb) ?? null] as const;
        })));
        results.push({ loss: l, correct: c, size: to - from });
      }
    });
    const read = await Promise.all(results.map((r) => Promise.all([r.loss.item(), r.correct?.item()])));
    for (const [k, [batchLoss, batchHits]] of read.entries()) {
      total += batchLoss * results[k].size;
      if (batchHits !== undefined) {
        hits += batchHits;
        counted = true;
      }
    }
  } catch (err) {
    collector.dispose();
    throw err;
  } finally {
    for (const r of results) {
      r.loss.dispose();
      r.correct?.dispose();
    }
  }
  return { loss: total / data.count, accuracy: counted ? hits / data.count : undefined, metrics: await collected(collector) };
}

/** The collector's metrics, its tensors freed even where the evaluation failed before it (then it is empty). */
async function collected(collector: MetricsCollector): Promise<Record<string, number> | undefined> {
  try {
    return await collector.results();
  } finally {
    collector.dispose();
  }
}

/** Mean loss (and accuracy, for the losses that classify) of the model over a Dataset's batches { x, y } or [x, y], in eval mode. */
export async function evaluateDataset(model: Module, dataset: Dataset<Batch>, options: EvaluateOptions = {}): Promise<Evaluation> {
  options = checkOptions('evaluate', options, EVALUATE_OPTIONS);
  if (options.batchSize !== undefined) throw new ValueError('evaluate: batchSize does not apply to a Dataset; its elements are already batches: batch a dataset of samples with dataset.batch(size)');
  if (dataset.size === Infinity) throw new ValueError('evaluate: the dataset repeats for ever (repeat() without a count); take(n) of it');
  return evaluateBatches(model, dataset, options.loss, 'evaluate', metricSpecs('evaluate', options.metrics, options.loss));
}

export async function evaluate(model: Module, x: Tensor, y: Tensor, options: EvaluateOptions = {}): Promise<Evaluation> {
  options = checkOptions('evaluate', options, EVALUATE_OPTIONS);
  const batchSize = options.batchSize ?? 256;
  checkBatchSize('evaluate', batchSize);
  const specs = metricSpecs('evaluate', options.metrics, options.loss);
  const data = await toHost(x, y);
  if (data.count === 0) throw new ValueError(`evaluate: x ${formatShape(x.shape)} has no samples`);
  return evaluateHost(model, data, options.loss, batchSize, 'evaluate', specs);
}

/**
 * The first sample and element of float data that is NaN or ±∞, if any:
 * training on it would carry it into every parameter before a loss of NaN
 * could be seen (a step's loss is read after the next step is issued).
 */
function firstNonFinite(data: HostData, side: 'x' | 'y'): { sample: number; value: number } | null {
  if (!isFloat(side === 'x' ? data.xDtype : data.yDtype)) return null;
  const values = data[side];
  for (let i = 0; i < values.length; i++) {
    // Compared rather than Number.isFinite per element: the scan of a training set stays a few ms.
    const v = values[i];
    if (v - v !== 0) return { sample: sampleOf(data, side, i), value: v };
  }
  return null;
}

/** The sample that element i of one side of the data belongs to. */
function sampleOf(data: HostData, side: 'x' | 'y', i: number): number {
  return Math.floor(i / (data[side].length / data.count));
}

function checkFinite(data: HostData, what: string, mixedPrecision: boolean): void {
  for (const side of ['x', 'y'] as const) {
    const bad = firstNonFinite(data, side);
    if (bad) throw new ValueError(`${what}: ${side} holds ${bad.value} (sample ${bad.sample}); training on it would turn every parameter into NaN`);
  }
  // Mixed precision feeds x to the model in f16, where these round to ∞.
  if (mixedPrecision && isFloat(data.xDtype)) {
    const i = data.x.findIndex((v) => Math.abs(v) >= F16_OVERFLOW);
    if (i >= 0) {
      throw new ValueError(`${what}: x holds ${data.x[i]} (sample ${sampleOf(data, 'x', i)}), past f16's range (±${F16_MAX}), where mixedPrecision computes; scale the inputs down or train in f32 (mixedPrecision: false)`);
    }
  }
}

function split(data: HostData, fraction: number): [HostData, HostData] {
  if (typeof fraction !== 'number' || !(fraction > 0 && fraction < 1)) throw new ValueError(`fit: validationSplit must be a number in (0, 1), got ${formatValue(fraction)}`);
  const cut = Math.floor(data.count * (1 - fraction));
  // (A fraction in (0, 1) always leaves at least one sample to validate on.)
  if (cut === 0) throw new ValueError(`fit: validationSplit ${fraction} of ${data.count} samples leaves none to train on`);
  const part = (from: number, to: number): HostData => {
    const xw = data.x.length / data.count;
    const yw = data.y.length / data.count;
    return { ...data, x: data.x.subarray(from * xw, to * xw), y: data.y.subarray(from * yw, to * yw), count: to - from };
  };
  return [part(0, cut), part(cut, data.count)];
}

/** The smallest loss scale: f16's smallest subnormal; below it every scaled gradient is 0. */
const MIN_LOSS_SCALE = 2 ** -24;

/**
 * Dynamic loss scaling: the loss is multiplied by `scale` before backward so
 * that f16 gradients stay above f16's underflow; gradients are divided by it
 * again before the step. An overflow (inf/NaN) skips the step and halves the
 * scale; a run of good steps doubles it.
 */
class LossScaler {
  scale = 2 ** 12;
  private good = 0;

  /**
   * Unscales the gradients in place; false when they overflowed and the step
   * must be skipped. The scale halves on each overflow, below 1 too (as
   * PyTorch's GradScaler): gradients that overflow f16 unscaled (targets of
   * 1e7) train on a scale under 1. Past 2^-24 they are beyond f16 altogether:
   * an error, not a run of skipped steps that leaves the model as it was.
   */
  async unscale(params: Tensor[]): Promise<boolean> {
    const withGrad = params.filter((p) => p.grad);
    const total = noGrad(() => tidy(() => withGrad.map((p) => p.grad!.abs().sum()).reduce((a, b) => a.add(b))));
    const finite = Number.isFinite(await total.item());
    total.dispose();
    if (!finite) {
      if (this.scale <= MIN_LOSS_SCALE) {
        throw new ValueError(
          `fit: with mixedPrecision the gradients overflow f16 even with the loss scaled by 2^-24; train in f32 (mixedPrecision: false), or scale the targets down`,
        );
      }
      this.scale /= 2;
      this.good = 0;
      return false;
    }
    noGrad(() => {
      for (const p of withGrad) {
        const g = p.grad!.div(this.scale);
        p.grad!.dispose();
        p.grad = keep(g);
      }
    });
    if (++this.good === 200) {
      this.scale *= 2;
      this.good = 0;
    }
    return true;
  }

  /** The scale and the good steps counted towards doubling it, for a backup. */
  place(): { scale: number; good: number } {
    return { scale: this.scale, good: this.good };
  }

  resume({ scale, good }: { scale: number; good: number }): void {
    this.scale = scale;
    this.good = good;
  }
}

/**
 * Keras's EarlyStopping over fit's epochs: an epoch improves when its
 * monitored value is below the best so far by more than minDelta; training
 * stops once `patience` epochs in a row (at least one, never the first
 * epoch) have not. With restoreBest it keeps copies of the model's state
 * (parameters and buffers) as of the best epoch, which restore() puts back
 * and dispose() frees.
 */
class EarlyStopper {
  private best = Infinity;
  private since = 0;
  private copies: Map<string, Tensor> | null = null;

  constructor(private readonly model: Module, private readonly settings: Required<EarlyStoppingOptions>) {}

  /** Whether training stops after this epoch. */
  epochEnd(logs: EpochLogs): boolean {
    const value = this.settings.monitor === 'valLoss' ? logs.valLoss! : logs.loss;
    // A NaN never improves; the first epoch is kept however it went, so restoreBest always has a state to restore.
    const improved = value < this.best - this.settings.minDelta;
    if (improved) this.best = value;
    if (this.settings.restoreBest && (improved || !this.copies)) this.keepState();
    this.since = improved ? 0 : this.since + 1;
    return !improved && this.since >= this.settings.patience && logs.epoch > 1;
  }

  /** Its best value and the epochs since, for a backup. */
  place(): { best: number; since: number } {
    return { best: this.best, since: this.since };
  }

  /** Goes on from a backup's place. */
  resume({ best, since }: { best: number; since: number }): void {
    this.best = best;
    this.since = since;
  }

  /** Puts the kept state back into the model. */
  restore(): void {
    if (!this.copies) return;
    for (const [name, t] of Object.entries(this.model.namedState())) {
      const copy = this.copies.get(name);
      if (copy) t.assign(copy);
    }
  }

  dispose(): void {
    for (const copy of this.copies?.values() ?? []) copy.dispose();
    this.copies = null;
  }

  private keepState(): void {
    this.dispose();
    this.copies = new Map(noGrad(() => Object.entries(this.model.namedState()).map(([name, t]) => [name, keep(t.clone())])));
  }
}

/** fit's earlyStopping checked, its defaults filled in (the monitor by whether there is validation); null where it is not given. */
function earlyStoppingSettings(given: EarlyStoppingOptions | undefined, validated: boolean): Required<EarlyStoppingOptions> | null {
  if (given === undefined || given === null) return null;
  const where = 'fit: earlyStopping';
  const { monitor = validated ? 'valLoss' : 'loss', patience = 0, minDelta = 0, restoreBest = false } = checkOptions(where, given, EARLY_STOPPING_OPTIONS);
  if (monitor !== 'loss' && monitor !== 'valLoss') throw new ValueError(`${where}: monitor must be 'loss' or 'valLoss', got ${formatValue(monitor)}`);
  if (monitor === 'valLoss' && !validated) throw new ValueError(`${where}: monitor is valLoss, but there is no validation data (give validationSplit or validationData, or monitor 'loss')`);
  if (!Number.isSafeInteger(patience) || patience < 0) throw new ValueError(`${where}: patience must be an integer ≥ 0, got ${formatValue(patience)}`);
  if (typeof minDelta !== 'number' || !(minDelta >= 0) || !Number.isFinite(minDelta)) throw new ValueError(`${where}: minDelta must be a finite number ≥ 0, got ${formatValue(minDelta)}`);
  return { monitor, patience, minDelta, restoreBest };
}

/** What one training step leaves to read: its loss, its correct predictions (for losses that classify), where it was. */
interface StepResult {
  loss: Tensor;
  correct: Tensor | null;
  batch: number;
  size: number;
  /** Samples of the epoch up to and including this batch. */
  seen: number;
}

/** Where fit's batches come from: tensors held on the host, or a Dataset. */
interface TrainingData {
  /** Batches an epoch, where known before it runs (the progress bar's length, a OneCycleLR's check). */
  batches: number | null;
  /** One epoch's batches [x, y], each the loop's to free once trained on. */
  epoch(epoch: number): Iterable<[Tensor, Tensor]> | AsyncIterable<[Tensor, Tensor]>;
  /** The x of a batch, the caller's to free, read without changing what the epochs read: what a dry run builds lazy layers on. */
  sample(): Promise<Tensor>;
  /** Given the model's class count at the first prediction: refuses labels that are none of its classes, where they can be seen. */
  checkLabels(classes: number): void;
  /** What a loss that is not finite means, given what was checked before training, and what to do. */
  diverged: string;
  /** fit(x, y)'s shuffle seed, which a backup keeps and puts back. */
  shuffleSeed?: { value: number };
  /** fit(dataset)'s dataset, whose shuffles a backup keeps. */
  dataset?: Dataset<Batch>;
}

/** Validation once an epoch: the mean loss and accuracy, and the metrics, over the validation data. */
type Validate = () => Promise<Evaluation>;

export async function fit(model: Module, x: Tensor, y: Tensor, options: FitOptions = {}): Promise<History> {
  options = checkOptions('fit', options, FIT_OPTIONS);
  checkFitValues(options);
  const { epochs, specs } = fitSettings(options);
  const batchSize = options.batchSize ?? 32;
  checkBatchSize('fit', batchSize);
  let train = await toHost(x, y);
  if (train.count === 0) throw new ValueError(`fit: x ${formatShape(x.shape)} has no samples`);
  let validation: HostData | Dataset<Batch> | null = null;
  if (options.validationData instanceof Dataset) {
    validation = options.validationData;
  } else if (options.validationData) {
    validation = await toHost(...options.validationData);
    checkSampleShapes(train, validation);
  } else if (options.validationSplit !== undefined && options.validationSplit !== 0) {
    [train, validation] = split(train, options.validationSplit);
  }
  const heldOut = validation instanceof Dataset ? null : validation;
  if (heldOut?.count === 0) throw new ValueError('fit: validationData has no samples');
  if (specs.length && !validation) throw new ValueError('fit: metrics are computed over the validation data each epoch: give validationData or validationSplit');
  checkFinite(train, 'fit', !!options.mixedPrecision);
  if (heldOut) checkFinite(heldOut, 'fit (validation data)', !!options.mixedPrecision);
  const batches = options.dropLast ? Math.floor(train.count / batchSize) : Math.ceil(train.count / batchSize);
  checkCycle(options, epochs, batches);
  if (batches === 0) throw new ValueError(`fit: dropLast with batchSize ${batchSize} drops every batch of the ${train.count} training samples`);
  const shuffleSeed = { value: seedFor('fit', options.seed) };
  const checkTrainLabels = classLabelCheck(options.loss, train, 'fit');
  // Validation labels are checked with the training ones, on the first prediction: before any step changes the model.
  const checkValidationLabels = heldOut ? classLabelCheck(options.loss, heldOut, 'fit (validation data)') : () => undefined;
  const home = onModelBackend(model);
  const data: TrainingData = {
    batches,
    *epoch(epoch) {
      const order = options.shuffle === false ? Int32Array.from({ length: train.count }, (_, i) => i) : permutation(train.count, shuffleSeed.value + epoch);
      for (let b = 0; b < batches; b++) {
        const from = b * batchSize;
        const to = Math.min(from + batchSize, train.count);
        yield home(() => [rows(train.x, train.xShape, train.xDtype, order, from, to), rows(train.y, train.yShape, train.yDtype, order, from, to)]);
      }
    },
    async sample() {
      const count = Math.min(batchSize, train.count);
      return home(() => rows(train.x, train.xShape, train.xDtype, Int32Array.from({ length: count }, (_, i) => i), 0, count));
    },
    checkLabels(classes) {
      checkTrainLabels(classes);
      checkValidationLabels(classes);
    },
    diverged: 'training diverged (the data was checked finite); lower the learning rate',
    shuffleSeed,
  };
  return trainOn(model, data, validator(model, validation, options.loss, Math.max(batchSize, 256), specs), options);
}

/**
 * fit on a Dataset whose elements are batches { x, y } or [x, y] (a dataset
 * of samples batched with .batch(size)): an epoch is one pass over it. The
 * batches are freed once trained on.
 */
export async function fitDataset(model: Module, dataset: Dataset<Batch>, options: FitOptions = {}): Promise<History> {
  options = checkOptions('fit', options, FIT_OPTIONS);
  refuseTensorOptions(options);
  checkFitValues(options);
  const { epochs, specs } = fitSettings(options);
  if (dataset.size === Infinity) {
    throw new ValueError('fit: the dataset repeats for ever (repeat() without a count), so its first epoch would never end; take(n) of it for epochs of n batches');
  }
  const given = options.validationData;
  const validation = given instanceof Dataset ? given : given ? await toHost(...given) : null;
  if (specs.length && !validation) throw new ValueError('fit: metrics are computed over the validation data each epoch: give validationData');
  if (validation && !(validation instanceof Dataset)) {
    if (validation.count === 0) throw new ValueError('fit: validationData has no samples');
    checkFinite(validation, 'fit (validation data)', !!options.mixedPrecision);
  }
  checkCycle(options, epochs, dataset.size);
  const data: TrainingData = {
    batches: dataset.size,
    epoch: () => batchesOf(dataset, 'fit'),
    async sample() {
      // A batch read before the epochs: its shuffles' passes and the global draws its maps made (augmentation) are put back,
      // so that the first epoch reads what it would have read.
      const state = dataset.stateDict();
      const draws = getRandomState();
      try {
        for await (const [x, y] of batchesOf(dataset, 'fit')) {
          y.dispose();
          return x;
        }
      } finally {
        dataset.loadStateDict(state);
        setRandomState(draws);
      }
      throw new ValueError('fit: the dataset gave no batches');
    },
    checkLabels: validation && !(validation instanceof Dataset) ? classLabelCheck(options.loss, validation, 'fit (validation data)') : () => undefined,
    diverged:
      "training diverged (lower the learning rate), or the batch holds NaN or ∞, or (on webgpu) class labels that are none of the model's classes: a Dataset's batches are not checked ahead",
    dataset,
  };
  return trainOn(model, data, validator(model, validation, options.loss, 256, specs), options);
}

/** The options that slice tensors into batches, refused for a Dataset with what to do instead. */
function refuseTensorOptions(o: FitOptions): void {
  const instead: [keyof FitOptions, string][] = [
    ['batchSize', 'its elements are already batches: batch a dataset of samples with dataset.batch(size)'],
    ['shuffle', 'shuffle it with dataset.shuffle(bufferSize, { seed }) before .batch(size)'],
    ['dropLast', 'batch it with dataset.batch(size, { dropRemainder: true })'],
    ['seed', 'seed its shuffle: dataset.shuffle(bufferSize, { seed })'],
    ['validationSplit', 'pass validationData: another Dataset of batches (dataset.take(n) and dataset.skip(n) split one)'],
  ];
  for (const [name, what] of instead) {
    if (o[name] !== undefined) throw new ValueError(`fit: ${name} does not apply to a Dataset; ${what}`);
  }
}

/** fit's settings common to tensors and datasets, checked. */
function fitSettings(options: FitOptions): { epochs: number; specs: MetricSpec[] } {
  const epochs = options.epochs ?? 1;
  if (!Number.isInteger(epochs) || epochs < 1) throw new ValueError(`fit: epochs must be a positive integer, got ${epochs}`);
  const initial = options.initialEpoch ?? 0;
  if (!Number.isInteger(initial) || initial < 0 || initial >= epochs) {
    throw new ValueError(`fit: initialEpoch must be an integer from 0 to epochs − 1 (${epochs - 1}): the epochs already trained, got ${formatValue(initial)}`);
  }
  const clipTo = options.clipGradNorm;
  if (clipTo !== undefined && (typeof clipTo !== 'number' || !(clipTo > 0) || !Number.isFinite(clipTo))) {
    throw new ValueError(`fit: clipGradNorm must be a finite number > 0, got ${formatValue(clipTo)}`);
  }
  const clampTo = options.clipGradValue;
  if (clampTo !== undefined && (typeof clampTo !== 'number' || !(clampTo > 0) || !Number.isFinite(clampTo))) {
    throw new ValueError(`fit: clipGradValue must be a finite number > 0, got ${formatValue(clampTo)}`);
  }
  if (options.backup !== undefined) checkBackup(options);
  lossFn(options.loss);
  return { epochs, specs: metricSpecs('fit', options.metrics, options.loss) };
}

/** A backup's option, and what it cannot go with, refused before training. */
function checkBackup(options: FitOptions): void {
  const backup = options.backup as Partial<FitBackup> | null;
  if (typeof backup?.read !== 'function' || typeof backup.write !== 'function' || typeof backup.remove !== 'function') {
    throw new ValueError(`fit: backup must be a tm.nn.BackupAndRestore (or an object with read, write and remove), got ${formatValue(backup)}`);
  }
  if (options.initialEpoch !== undefined) throw new ValueError('fit: initialEpoch and backup do not go together: the backup holds the epoch fit goes on from');
  if (options.earlyStopping?.restoreBest) {
    throw new ValueError("fit: earlyStopping's restoreBest keeps the best epoch's weights in memory, which a backup does not hold: leave it out, or save the best model yourself in onEpochEnd");
  }
  const scheduler = options.scheduler;
  if (scheduler !== undefined && !(scheduler instanceof EpochScheduler || scheduler instanceof ReduceLROnPlateau)) {
    throw new ValueError(`fit: a backup keeps a tm.optim schedule's place; the scheduler ${formatValue(scheduler)} is not one`);
  }
}

/** A cycle too short would fail at its end, epochs into training: it is refused before the first (where the batches an epoch are known). */
function checkCycle(options: FitOptions, epochs: number, batches: number | null): void {
  if (!(options.scheduler instanceof OneCycleLR)) return;
  const cycle = options.scheduler;
  const perBatch = options.schedulerInterval === 'batch';
  if (perBatch && batches === null) return;
  const runs = epochs - (options.initialEpoch ?? 0);
  const [steps, per] = perBatch ? [runs * batches!, `once a batch, ${batches} an epoch`] : [runs, 'once an epoch'];
  const left = cycle.totalSteps - cycle.lastEpoch;
  if (steps > left) throw new ValueError(`fit: the OneCycleLR has ${left} of its totalSteps ${cycle.totalSteps} left, fewer than the ${steps} steps of ${runs} epoch${runs === 1 ? '' : 's'} ${per}`);
}

/** The validation an epoch ends with, on host data or a Dataset; null without validation data. */
function validator(model: Module, validation: HostData | Dataset<Batch> | null, loss: FitOptions['loss'], batchSize: number, specs: readonly MetricSpec[]): Validate | null {
  if (!validation) return null;
  const what = 'fit (validation data)';
  return validation instanceof Dataset
    ? () => evaluateBatches(model, validation, loss, what, specs)
    : () => evaluateHost(model, validation, loss, batchSize, what, specs);
}

/**
 * A Dataset's batches as [x, y], checked: each element a batch { x, y } or
 * [x, y] of tensors with as many samples in each. Other entries of an
 * element ({ x, y, weight }) are freed; a bad element is freed and refused.
 */
async function* batchesOf(dataset: Dataset<Batch>, what: string): AsyncGenerator<[Tensor, Tensor]> {
  let index = 0;
  for await (const element of dataset) yield batchParts(element, ++index, what);
}

function batchParts(element: unknown, index: number, what: string): [Tensor, Tensor] {
  const pair = Array.isArray(element) && element.length === 2 ? element : isPlainObject(element) && 'x' in element && 'y' in element ? [element.x, element.y] : null;
  const refuse = (error: Error) => {
    disposeElement(element);
    return error;
  };
  const batching = 'a dataset of samples is batched with dataset.batch(size)';
  if (!pair) throw refuse(new ValueError(`${what}: element ${index} of the dataset is ${describeValue(element)}; it must be a batch { x, y } or [x, y] of tensors (${batching})`));
  const [x, y] = pair as [unknown, unknown];
  for (const [name, t] of [['x', x], ['y', y]] as const) {
    if (!(t instanceof Tensor)) throw refuse(new ValueError(`${what}: batch ${index}'s ${name} is ${describeValue(t)}, not a tensor (${batching})`));
    if (t.rank === 0) throw refuse(new ShapeError(`${what}: batch ${index}'s ${name} is a scalar, with no batch axis (${batching})`));
  }
  const [xb, yb] = [x as Tensor, y as Tensor];
  if (xb.shape[0] !== yb.shape[0]) {
    throw refuse(new ShapeError(`${what}: batch ${index} has x ${formatShape(xb.shape)} and y ${formatShape(yb.shape)}, which must have the same number of samples along axis 0 (${batching})`));
  }
  disposeDropped(element, [xb, yb]);
  return [xb, yb];
}

/** Mean loss and accuracy, and the metrics, over a Dataset's batches, in eval mode; each batch's result is read once the next is issued. */
async function evaluateBatches(model: Module, dataset: Dataset<Batch>, loss: FitOptions['loss'], what: string, specs: readonly MetricSpec[]): Promise<Evaluation> {
  const fn = lossFn(loss);
  const countHits = hitCounter(loss);
  const collector = new MetricsCollector(specs);
  let total = 0;
  let hits = 0;
  let count = 0;
  let counted = false;
  let unread: { loss: Tensor; correct: Tensor | null; size: number } | null = null;
  const read = async (r: { loss: Tensor; correct: Tensor | null; size: number }) => {
    try {
      const [batchLoss, batchHits] = await Promise.all([r.loss.item(), r.correct?.item()]);
      total += batchLoss * r.size;
      if (batchHits !== undefined) {
        hits += batchHits;
        counted = true;
      }
    } finally {
      r.loss.dispose();
      r.correct?.dispose();
    }
  };
  try {
    for await (const [xb, yb] of batchesOf(dataset, what)) {
      let result;
      try {
        // Eval mode only while this batch's forward pass is issued: a fit of the same model meanwhile keeps its own.
        result = inEvalMode(model, () => noGrad(() => tidy(() => {
          const pred = model.forward(xb);
          if (collector.active) collector.add(keep(pred), keep(yb.clone()));
          return { loss: fn(pred, yb), correct: countHits?.(pred, yb) ?? null, size: xb.shape[0] };
        })));
      } finally {
        disposeElement([xb, yb]);
      }
      count += result.size;
      const previous = unread;
      unread = result;
      if (previous) await read(previous);
    }
    const last = unread;
    unread = null;
    if (last) await read(last);
  } catch (err) {
    collector.dispose();
    throw err;
  } finally {
    unread?.loss.dispose();
    unread?.correct?.dispose();
  }
  if (count === 0) {
    collector.dispose();
    throw new ValueError(`${what}: the dataset gave no batches`);
  }
  return { loss: total / count, accuracy: counted ? hits / count : undefined, metrics: await collected(collector) };
}

/**
 * Builds the model's lazy layers not built yet (tm.nn.LazyLinear…) by a forward of one of `data`'s batches, PyTorch's
 * dry run, for fit to make its optimizer over their parameters: in eval mode and without gradients, so that it
 * changes nothing else (a BatchNorm's running estimates stay, a dropout draws no mask).
 */
async function buildByDryRun(model: Module, data: TrainingData): Promise<void> {
  if (!model.modules().some(isUnbuilt)) return;
  const x = await data.sample();
  try {
    inEvalMode(model, () => noGrad(() => tidy(() => void model.forward(x))));
  } finally {
    x.dispose();
  }
  // One the forward did not reach (a branch that batch did not take) is still unbuilt.
  refuseUnbuilt('fit', model, "; fit's own dry run, on its first batch in eval mode, did not reach it (a branch that batch, or eval mode, does not take): run one that does");
}

/** The training loop both fits share: epochs of steps over `data`'s batches, validation, schedules, early stopping, progress. */
async function trainOn(model: Module, data: TrainingData, validate: Validate | null, options: FitOptions): Promise<History> {
  const epochs = options.epochs ?? 1;
  const clipTo = options.clipGradNorm;
  const clampTo = options.clipGradValue;
  const loss = lossFn(options.loss);
  const countHits = hitCounter(options.loss);
  const stopping = earlyStoppingSettings(options.earlyStopping, validate !== null);
  // The parameters a lazy layer builds on its first batch would be in no optimizer made before: fit's own is made after
  // a dry run has built them; one given is refused, as fit cannot add them to it.
  if (options.optimizer) refuseUnbuilt('fit', model, ', then make the optimizer: one made before holds none of its parameters (or give no optimizer, and fit runs that batch itself)');
  else await buildByDryRun(model, data);
  // Frozen parameters (requiresGrad off) are left out; fit frees what this optimizer keeps when done.
  const trainable = model.parameters().filter((p) => p.requiresGrad);
  if (!trainable.length) {
    // A quantized layer's weights are buffers (nn/quantized_dense.ts): a model of them only has no parameters at all.
    const quantized = model.modules().some(isQuantized);
    const why = quantized ? ' (layers quantized by tm.nn.quantizeDynamic are inference-only: train the float model, then quantize it)' : '';
    throw new ValueError(`fit: none of the model's ${model.parameters().length} parameters has requiresGrad set: there is nothing to train${why}`);
  }
  const optimizer = options.optimizer ?? new Adam(trainable);
  const batchScheduler = options.schedulerInterval === 'batch' ? (options.scheduler as Scheduler | undefined) : undefined;
  const epochScheduler = options.schedulerInterval === 'batch' ? undefined : options.scheduler;
  const history: History = { epochs: [], loss: [], accuracy: [], valLoss: [], valAccuracy: [], valMetrics: {} };
  const progress = options.quiet ? null : await startProgress(epochs, data.batches);
  const scaler = options.mixedPrecision ? new LossScaler() : null;

  /** One batch's forward and backward passes: its loss and hit count, the parameters' gradients set. */
  const lossAndGradients = (xb: Tensor, yb: Tensor) => tidy(() => {
    // The outputs along the way, whose graphs an error before (or during) backward leaves to free.
    const outputs: Tensor[] = [];
    try {
      const out = model.forward(scaler ? xb.cast('f16') : xb);
      outputs.push(out);
      // The loss is always computed in f32: its log/exp need the range.
      const pred = out.dtype === 'f16' ? out.cast('f32') : out;
      outputs.push(pred);
      data.checkLabels(pred.shape[classAxisOf(pred)]);
      const value = loss(pred, yb);
      outputs.push(value);
      (scaler ? value.mul(scaler.scale) : value).backward();
      return [value, countHits ? noGrad(() => countHits(pred, yb)) : null] as const;
    } catch (err) {
      for (const t of outputs) dropGraph(t);
      throw err;
    }
  });

  // Train mode; but a layer frozen with eval() inside a model in train mode stays frozen (fine-tuning
  // with fixed BatchNorm statistics), as it would in a PyTorch loop that froze it after model.train().
  if (!model.training) model.train();
  const stopper = stopping ? new EarlyStopper(model, stopping) : null;
  const backup = options.backup ?? null;
  const backedUp = { model, optimizer, ...(options.scheduler ? { scheduler: options.scheduler as EpochScheduler | ReduceLROnPlateau } : {}), ...(data.dataset ? { data: data.dataset } : {}) };
  let first = (options.initialEpoch ?? 0) + 1;
  try {
    const place = backup && (await backup.read(backedUp));
    if (place) {
      first = place.epoch + 1;
      if (data.shuffleSeed && place.seed !== null) data.shuffleSeed.value = place.seed;
      if (stopper && place.stopper) stopper.resume(place.stopper);
      if (scaler && place.scaler) scaler.resume(place.scaler);
      for (const logs of place.history) record(history, logs);
    }
    for (let epoch = first; epoch <= epochs; epoch++) {
      const started = performance.now();
      let lossSum = 0;
      let hits = 0;
      let counted = false;
      let seen = 0;
      let rate = optimizer.lr;
      // A step's loss and hit count are read once the next step is issued: read at
      // once, each step would leave a GPU idle while the CPU builds the next one,
      // and the CPU waiting for the GPU.
      let unread: StepResult | null = null;
      const tally = async (step: StepResult) => {
        try {
          const [batchLoss, batchHits] = await Promise.all([step.loss.item(), step.correct?.item()]);
          if (!Number.isFinite(batchLoss)) {
            throw new ValueError(
              `fit: loss became ${batchLoss} at epoch ${epoch}, batch ${step.batch}: ${data.diverged}. ` +
                'The steps taken so far are in the parameters (now likely NaN too): reload or re-create the model before training again',
            );
          }
          lossSum += batchLoss * step.size;
          if (batchHits !== undefined) {
            hits += batchHits;
            counted = true;
          }
          progress?.batch(step.batch, lossSum / step.seen, step.seen / ((performance.now() - started) / 1000));
        } finally {
          step.loss.dispose();
          step.correct?.dispose();
        }
      };
      progress?.epoch(epoch);
      let b = 0;
      try {
        for await (const [xb, yb] of data.epoch(epoch)) {
          b++;
          let step: StepResult | undefined;
          rate = optimizer.lr;
          try {
            const [l, c] = lossAndGradients(xb, yb);
            seen += xb.shape[0];
            step = { loss: l, correct: c, batch: b, size: xb.shape[0], seen };
            if (!scaler || (await scaler.unscale(model.parameters()))) {
              // After unscaling: the norm is the true gradients'.
              if (clampTo !== undefined) clipGradValue(trainable, clampTo);
              if (clipTo !== undefined) clipGradNorm(trainable, clipTo).dispose();
              optimizer.step();
            }
            // Counted in batches: a step the loss scaler skipped counts too, as PyTorch's loop steps it.
            batchScheduler?.step();
          } catch (err) {
            step?.loss.dispose();
            step?.correct?.dispose();
            throw err;
          } finally {
            disposeElement([xb, yb]);
            // Also on an error: gradients a failed step left would be added to the next fit's. And
            // the model's, not only the optimizer's: a layer it leaves out would sum its gradients
            // step after step, and overflow the loss scaler's check into skipping every step.
            optimizer.zeroGrad();
            clearGradients(model.parameters());
          }
          const previous = unread;
          unread = step;
          if (previous) await tally(previous);
        }
        const last = unread;
        unread = null;
        if (last) await tally(last);
      } finally {
        unread?.loss.dispose();
        unread?.correct?.dispose();
      }
      if (b === 0) throw new ValueError(`fit: the dataset gave no batches in epoch ${epoch}`);
      const seconds = (performance.now() - started) / 1000;
      const logs: EpochLogs = {
        epoch,
        loss: lossSum / seen,
        seconds,
        samplesPerSecond: seen / seconds,
        lr: rate,
      };
      if (counted) logs.accuracy = hits / seen;
      if (validate) {
        const v = await validate();
        logs.valLoss = v.loss;
        logs.valAccuracy = v.accuracy;
        if (v.metrics) logs.valMetrics = v.metrics;
      }
      epochScheduler?.step(logs.valLoss ?? logs.loss);
      record(history, logs);
      progress?.epochEnd(logs);
      await options.onEpochEnd?.(logs);
      const stop = stopper?.epochEnd(logs) ?? false;
      if (backup) await backup.write(backedUp, { epoch, seed: data.shuffleSeed?.value ?? null, stopper: stopper?.place() ?? null, scaler: scaler?.place() ?? null, history: history.epochs });
      if (stop) break;
    }
    stopper?.restore();
    if (backup) await backup.remove();
  } finally {
    // Also on an error (a bad label, a loss gone NaN): the bar hides the terminal's cursor until stopped.
    progress?.stop();
    stopper?.dispose();
    if (!options.optimizer) optimizer.dispose();
  }
  return history;
}

/** An epoch's logs added to the history. */
function record(history: History, logs: EpochLogs): void {
  history.epochs.push(logs);
  history.loss.push(logs.loss);
  if (logs.accuracy !== undefined) history.accuracy.push(logs.accuracy);
  if (logs.valLoss !== undefined) history.valLoss.push(logs.valLoss);
  if (logs.valAccuracy !== undefined) history.valAccuracy.push(logs.valAccuracy);
  for (const [name, value] of Object.entries(logs.valMetrics ?? {})) (history.valMetrics[name] ??= []).push(value);
}

/**
 * The values of fit's options (its flags are checkOptions'), checked before
 * any step: one of the wrong kind failed inside the loop with a TypeError,
 * after an epoch had moved the weights, or was ignored (`shuffle: 'no'` shuffled).
 */
function checkFitValues(o: FitOptions): void {
  const bad = (name: string, what: string, value: unknown) => new ValueError(`fit: ${name} must be ${what}, got ${formatValue(value)}`);
  if (o.optimizer !== undefined && !(o.optimizer instanceof Optimizer)) {
    throw bad('optimizer', 'an optimizer (tm.optim.SGD, Adam, AdamW, RMSprop, Adagrad, Adadelta, Adamax, NAdam, RAdam or Lion)', o.optimizer);
  }
  if (o.scheduler !== undefined && typeof o.scheduler?.step !== 'function') {
    throw bad('scheduler', 'a schedule with step() (tm.optim.StepLR, MultiStepLR, ExponentialLR, CosineAnnealingLR, CosineAnnealingWarmRestarts, LinearLR, ConstantLR, PolynomialLR, LambdaLR, MultiplicativeLR, OneCycleLR, CyclicLR, SequentialLR, ChainedScheduler or ReduceLROnPlateau)', o.scheduler);
  }
  if (o.schedulerInterval !== undefined && o.schedulerInterval !== 'epoch' && o.schedulerInterval !== 'batch') throw bad('schedulerInterval', "'epoch' or 'batch'", o.schedulerInterval);
  if (o.scheduler instanceof ReduceLROnPlateau && o.schedulerInterval === 'batch') {
    throw new ValueError("fit: a ReduceLROnPlateau watches the epoch's loss, and cannot be stepped once a batch; use schedulerInterval 'epoch'");
  }
  // fit steps it with a loss, which falls as training goes well: 'max' would cut the rate whenever it does.
  if (o.scheduler instanceof ReduceLROnPlateau && o.scheduler.mode === 'max') {
    throw new ValueError("fit: a ReduceLROnPlateau in mode 'max' would cut the rate while the loss fit steps it with falls; use mode 'min' (or step it yourself with a metric to maximise)");
  }
  if (o.onEpochEnd !== undefined && typeof o.onEpochEnd !== 'function') throw bad('onEpochEnd', 'a function', o.onEpochEnd);
  const pair = o.validationData;
  if (pair !== undefined && !(pair instanceof Dataset) && !(Array.isArray(pair) && pair.length === 2 && pair.every((t) => t instanceof Tensor))) {
    throw bad('validationData', 'a pair of tensors [x, y] or a Dataset of batches', pair);
  }
}

function clearGradients(params: readonly Tensor[]): void {
  for (const p of params) {
    p.grad?.dispose();
    p.grad = null;
  }
}

/** Validation samples must be shaped as the training ones: found out after an epoch, the weights had moved by then. */
function checkSampleShapes(train: HostData, validation: HostData): void {
  for (const [side, t, v] of [['x', train.xShape, validation.xShape], ['y', train.yShape, validation.yShape]] as const) {
    if (!sameShape(t, v)) {
      throw new ShapeError(`fit: validationData's ${side} has samples ${formatShape(v)}, the training ${side}'s are ${formatShape(t)}`);
    }
  }
}

/** Sequential.fit's two forms: tensors (x, y), or a tm.data.Dataset of batches that holds its targets. */
export function fitModel(model: Module, x: Tensor | Dataset<Batch>, y?: Tensor | FitOptions, options?: FitOptions): Promise<History> {
  if (!(x instanceof Dataset)) return fit(model, x, y as Tensor, options);
  if (y instanceof Tensor) return Promise.reject(new ValueError('fit: a Dataset holds its targets: call fit(dataset, options), its elements batches { x, y } or [x, y]'));
  return fitDataset(model, x, y as FitOptions | undefined);
}

/** Sequential.evaluate's two forms, as fitModel's. */
export function evaluateModel(model: Module, x: Tensor | Dataset<Batch>, y?: Tensor | EvaluateOptions, options?: EvaluateOptions): Promise<Evaluation> {
  if (!(x instanceof Dataset)) return evaluate(model, x, y as Tensor, options);
  if (y instanceof Tensor) return Promise.reject(new ValueError('evaluate: a Dataset holds its targets: call evaluate(dataset, options), its elements batches { x, y } or [x, y]'));
  return evaluateDataset(model, x, y as EvaluateOptions | undefined);
}
