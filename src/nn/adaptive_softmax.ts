// AdaptiveLogSoftmaxWithLoss, as PyTorch's (Grave et al., "Efficient softmax
// approximation for GPUs"): the frequent classes (below the first cutoff)
// get a full softmax in the head, which also holds one logit per tail
// cluster; a rare class's log-probability is its cluster's head
// log-probability plus its own within the cluster, from a tail projected
// down to inFeatures / divValue^(i+1) features first, so rare classes cost
// few weights. The sublayers are Dense layers held as PyTorch holds its
// Linears (head, then tail.i = Sequential(proj, out), no biases in the tails),
// so loadPytorch reads head.weight, head.bias and tail.{i}.{0,1}.weight.
//
// Every tail runs over the whole batch and a mask keeps the rows whose
// targets fall in it: PyTorch partitions the rows by reading the targets,
// which a synchronous forward cannot do on a GPU. The results are the same;
// the saving over a full softmax stays in the tails' narrow widths.
import { tidy } from '../engine.js';
import { DTypeError, ShapeError, ValueError, formatShape, formatValue } from '../errors.js';
import { isFloat } from '../dtype.js';
import { argmax, concat, where } from '../ops/index.js';
import { checkTensor } from '../ops/util.js';
import { checkOptions, type OptionNames } from '../options.js';
import { checkSeed, seedStream } from '../random.js';
import type { Tensor } from '../tensor.js';
import { Dense } from './dense.js';
import { Module, type LayerConfig } from './module.js';
import { Sequential } from './sequential.js';

export interface AdaptiveLogSoftmaxWithLossOptions {
  /** How much narrower each tail's projection is than the one before: tail i has inFeatures / divValue^(i+1) features (floored). Default 4. */
  divValue?: number;
  /** Whether the head has a bias. Default false. */
  headBias?: boolean;
  /** Seed for the initial weights (see also tm.setSeed). */
  seed?: number;
}

const OPTIONS: OptionNames<AdaptiveLogSoftmaxWithLossOptions> = { divValue: true, headBias: 'boolean', seed: true };

/** The per-sample log-probability of the target and the mean loss, as PyTorch's forward returns them. */
export interface AdaptiveLogSoftmaxOutput {
  /** [N]: log p(target) for each sample. */
  readonly output: Tensor;
  /** []: the mean of −output. */
  readonly loss: Tensor;
}

export class AdaptiveLogSoftmaxWithLoss extends Module {
  /** inFeatures → shortlist size + one logit per tail cluster. */
  head: Dense;
  /** Tail cluster i: inFeatures → inFeatures / divValue^(i+1) → its classes' count, no biases. */
  tail: Sequential[];
  /** The cutoffs as given: the shortlist is [0, cutoffs[0]), cluster i is [cutoffs[i], cutoffs[i+1]) (the last up to nClasses). */
  readonly cutoffs: readonly number[];
  readonly divValue: number;

  /**
   * `cutoffs`: increasing positive integers below nClasses, at least one,
   * that split the classes (sorted most frequent first) into the shortlist
   * and the tail clusters.
   */
  constructor(readonly inFeatures: number, readonly nClasses: number, cutoffs: readonly number[], options: AdaptiveLogSoftmaxWithLossOptions = {}) {
    super();
    const name = 'AdaptiveLogSoftmaxWithLoss';
    for (const [what, v] of [['inFeatures', inFeatures], ['nClasses', nClasses]] as const) {
      if (!Number.isSafeInteger(v) || v <= 0) throw new ValueError(`${name}: ${what} must be a positive integer, got ${formatValue(v)}`);
    }
    if (!Array.isArray(cutoffs) || cutoffs.length === 0 || cutoffs.some((c) => !Number.isSafeInteger(c))) {
      throw new ValueError(`${name}: cutoffs must be a non-empty list of integers, got ${formatValue(cutoffs)}`);
    }
    const bad = cutoffs.findIndex((c, i) => c <= 0 || c >= nClasses || (i > 0 && c <= cutoffs[i - 1]));
    if (bad >= 0) {
      throw new ValueError(`${name}: cutoffs must be increasing integers in [1, nClasses - 1] = [1, ${nClasses - 1}]; got ${formatValue(cutoffs)} (${cutoffs[bad]} at ${bad})`);
    }
    const { divValue = 4, headBias = false, seed } = checkOptions(name, options, OPTIONS);
    if (typeof divValue !== 'number' || !Number.isFinite(divValue) || divValue <= 0) throw new ValueError(`${name}: divValue must be a finite number > 0, got ${formatValue(divValue)}`);
    if (seed !== undefined) checkSeed(name, seed);
    this.cutoffs = [...cutoffs];
    this.divValue = divValue;
    const bounds = [...cutoffs, nClasses];
    this.head = new Dense(inFeatures, cutoffs[0] + cutoffs.length, { bias: headBias, seed: seedStream(seed, 0) });
    this.tail = cutoffs.map((low, i) => {
      const hidden = Math.floor(inFeatures / divValue ** (i + 1));
      if (hidden < 1) throw new ValueError(`${name}: tail ${i} would project ${inFeatures} features down to ${formatValue(inFeatures / divValue ** (i + 1))}, below 1 (divValue ${divValue} is too large for ${cutoffs.length} clusters)`);
      return new Sequential([
        new Dense(inFeatures, hidden, { bias: false, seed: seedStream(seed, 2 * i + 1) }),
        new Dense(hidden, bounds[i + 1] - low, { bias: false, seed: seedStream(seed, 2 * i + 2) }),
      ]);
    });
  }

  /** The classes in the head's own softmax: [0, cutoffs[0]). */
  get shortlistSize(): number {
    return this.cutoffs[0];
  }

  /**
   * log p(target) [N] of input [N, inFeatures] and target [N] (i32 or i8,
   * classes in [0, nClasses)), differentiable; withLoss also gives the loss.
   * A class outside is an error on js and native; on WebGPU, where the
   * targets are not read back, its head log-probability reads as 0, as
   * gather's out-of-range indices do.
   */
  forward(input: Tensor, target?: Tensor): Tensor {
    const op = 'AdaptiveLogSoftmaxWithLoss';
    checkTensor(op, input, 'input');
    if (target === undefined) throw new ValueError(`${op}: forward(input, target) needs the targets`);
    checkTensor(op, target, 'target');
    this.checkInput(input);
    if (isFloat(target.dtype)) throw new DTypeError(`${op}: target must hold class indices (i32 or i8), got ${target.dtype}`);
    if (target.rank !== 1 || target.shape[0] !== input.shape[0]) {
      throw new ShapeError(`${op}: target ${formatShape(target.shape)} must be [N], one class per row of input ${formatShape(input.shape)}`);
    }
    return tidy(() => {
      const t = target.cast('i32');
      const shortlist = this.shortlistSize;
      // The cluster of each target (0: the shortlist); a class outside [0, nClasses) is sent past the head's last
      // column, which takeAlongAxis refuses where it can read the indices at once (js, native; on a GPU it reads 0).
      let cluster = t.mul(0);
      for (const c of this.cutoffs) cluster = cluster.add(t.greaterEqual(c));
      const headWidth = shortlist + this.tail.length;
      const outside = t.less(0).add(t.greaterEqual(this.nClasses)).greater(0);
      const headIndex = where(outside, headWidth, where(cluster.equal(0), t, cluster.add(shortlist - 1))).cast('i32');
      const head = this.head.forward(input).logSoftmax(1);
      let output: Tensor;
      try {
        output = head.takeAlongAxis(headIndex.reshape([-1, 1]), 1).reshape([-1]);
      } catch (err) {
        if (!(err instanceof ValueError)) throw err;
        throw new ValueError(`${op}: target ${formatShape(target.shape)} holds a class outside [0, nClasses) = [0, ${this.nClasses})`);
      }
      const bounds = [...this.cutoffs, this.nClasses];
      this.tail.forEach((tail, i) => {
        const size = bounds[i + 1] - bounds[i];
        const local = t.sub(bounds[i]).clip(0, size - 1).cast('i32').reshape([-1, 1]);
        const within = tail.forward(input).logSoftmax(1).takeAlongAxis(local, 1).reshape([-1]);
        output = output.add(where(cluster.equal(i + 1), within, 0));
      });
      return output;
    });
  }

  /** forward's log p(target) [N] and its loss, the mean of −output (PyTorch's forward returns the pair). */
  withLoss(input: Tensor, target: Tensor): AdaptiveLogSoftmaxOutput {
    const output = this.forward(input, target);
    const loss = tidy(() => output.neg().mean());
    return { output, loss };
  }

  /** Every class's log-probability, [N, nClasses], for input [N, inFeatures]. */
  logProb(input: Tensor): Tensor {
    checkTensor('AdaptiveLogSoftmaxWithLoss.logProb', input, 'input');
    this.checkInput(input);
    return tidy(() => {
      const head = this.head.forward(input).logSoftmax(1);
      const shortlist = this.shortlistSize;
      const n = input.shape[0];
      const parts = [head.slice([0, 0], [n, shortlist])];
      this.tail.forEach((tail, i) => parts.push(tail.forward(input).logSoftmax(1).add(head.slice([0, shortlist + i], [n, 1]))));
      return concat(parts, 1);
    });
  }

  /** The most probable class of each row, [N] i32: the argmax of logProb. */
  predict(input: Tensor): Tensor {
    return tidy(() => argmax(this.logProb(input), 1).cast('i32'));
  }

  private checkInput(input: Tensor): void {
    if (input.rank !== 2 || input.shape[1] !== this.inFeatures) {
      throw new ShapeError(`AdaptiveLogSoftmaxWithLoss: input ${formatShape(input.shape)} must be [N, ${this.inFeatures}]`);
    }
  }

  config(): LayerConfig {
    return {
      type: 'AdaptiveLogSoftmaxWithLoss', inFeatures: this.inFeatures, nClasses: this.nClasses, cutoffs: [...this.cutoffs], divValue: this.divValue,
      headBias: this.head.bias !== null,
    };
  }
}
