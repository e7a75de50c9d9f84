// EmbeddingBag, as PyTorch's: the vectors of a bag of indices reduced to
// one (their sum, mean or elementwise max) without the [..., dim] lookup
// ever reaching the caller: a bag-of-words or a multi-hot feature's vector.
// Bags come as the rows of x [B, N], or as runs of one flat x [T] starting
// at offsets [B]. Runs are found on the device (a bag holds position t
// where its offset ≤ t < the next bag's): offsets are never read back, so
// forward stays synchronous, and an offset past the next gives an empty bag
// rather than an error. An empty bag, or one of padding only, is zeros.
import { isFloat } from '../dtype.js';
import { tidy } from '../engine.js';
import { DTypeError, ShapeError, ValueError, formatShape, formatValue } from '../errors.js';
import { arange, cast, concat, gather, lessEqual, less, logicalNot, matmul, maximum, reshape, slice, tensor, where } from '../ops/index.js';
import { checkOptions } from '../options.js';
import { Tensor } from '../tensor.js';
import { checkSizes, checkTable, initialTable, type EmbeddingOptions } from './embedding.js';
import { TAKES_IDS } from './id_inputs.js';
import { Module, type LayerConfig } from './module.js';

/** How a bag's vectors become one. */
export type BagMode = 'sum' | 'mean' | 'max';
const MODES: readonly BagMode[] = ['sum', 'mean', 'max'];

export interface EmbeddingBagOptions extends EmbeddingOptions {
  /** 'mean' (PyTorch's default), 'sum' or 'max' (elementwise) of each bag's vectors. */
  mode?: BagMode;
  /** offsets hold B + 1 entries, the last the end of the last bag (PyTorch's include_last_offset). Default false. */
  includeLastOffset?: boolean;
}

export class EmbeddingBag extends Module {
  weight: Tensor;
  readonly mode: BagMode;
  readonly includeLastOffset: boolean;
  /** Indices left out of every bag (and of a mean's count), as given (null without one). */
  readonly paddingIdx: number | null;

  /** A table of `count` vectors of `dim` values, its bags reduced by `mode`; PyTorch's nn.EmbeddingBag(count, dim, mode=…). */
  constructor(readonly count: number, readonly dim: number, options: EmbeddingBagOptions = {}) {
    super();
    checkSizes('EmbeddingBag', count, dim);
    const { mode = 'mean', includeLastOffset = false, ...table } = checkOptions('EmbeddingBag', options, { mode: true, includeLastOffset: 'boolean', seed: true, paddingIdx: true });
    if (!MODES.includes(mode)) throw new ValueError(`EmbeddingBag: mode must be 'sum', 'mean' or 'max', got ${formatValue(mode)}`);
    const padding = checkTable('EmbeddingBag', count, table);
    this.mode = mode;
    this.includeLastOffset = includeLastOffset;
    this.paddingIdx = padding ?? null;
    this.weight = initialTable(count, dim, table.seed, padding);
    this.weight.requiresGrad = true;
  }

  /**
   * One vector per bag, [B, dim]: the bags are x's rows where x is [B, N],
   * or where x is [T] the runs starting at `offsets` [B] (i32; B + 1 with
   * includeLastOffset), each to the next offset, the last to the end of x.
   * `perSampleWeights`, of x's shape, scales each index's vector (mode 'sum'
   * only, as PyTorch's).
   */
  forward(x: Tensor, offsets?: Tensor | readonly number[], perSampleWeights?: Tensor): Tensor {
    this.checkInputs(x, offsets, perSampleWeights);
    return tidy(() => {
      const vectors = gather(this.weight, x, 0); // [..., dim]
      // 1 where an index counts (not padding), in the weight's dtype.
      const counted = this.paddingIdx === null ? null : cast(logicalNot(this.isPadding(x)), this.weight.dtype);
      const scale = perSampleWeights && counted ? perSampleWeights.mul(counted) : (perSampleWeights ?? counted);
      if (x.rank === 2) {
        if (this.mode === 'max') return this.bagMax(vectors, counted === null ? null : reshape(counted, [...x.shape, 1]), 1);
        const sums = (scale ? vectors.mul(reshape(scale, [...x.shape, 1])) : vectors).sum(1);
        return this.mode === 'sum' ? sums : sums.div(maximum(counted ? counted.sum(1, { keepDims: true }) : x.shape[1], 1));
      }
      const offsetTensor = offsets instanceof Tensor ? offsets : tensor(Int32Array.from(offsets!), [offsets!.length], { dtype: 'i32' });
      const member = this.members(x.shape[0], cast(offsetTensor, 'i32'), counted); // [B, T]
      if (this.mode === 'max') return this.bagMax(reshape(vectors, [1, ...vectors.shape]), reshape(member, [...member.shape, 1]), 1);
      const sums = matmul(perSampleWeights ? member.mul(reshape(perSampleWeights, [1, x.shape[0]])) : member, vectors);
      return this.mode === 'sum' ? sums : sums.div(maximum(member.sum(1, { keepDims: true }), 1));
    });
  }

  /** 1 where x holds the padding index (either way it may be written). */
  private isPadding(x: Tensor): Tensor {
    const row = this.paddingIdx! < 0 ? this.paddingIdx! + this.count : this.paddingIdx!;
    return maximum(x.equal(row), x.equal(row - this.count));
  }

  /** [B, T] in the weight's dtype: 1 where position t of a flat x of T indices is in bag b (and counts). */
  private members(total: number, offsets: Tensor, counted: Tensor | null): Tensor {
    const bags = this.includeLastOffset ? offsets.shape[0] - 1 : offsets.shape[0];
    const starts = reshape(slice(offsets, [0], [bags]), [bags, 1]);
    const ends = reshape(this.includeLastOffset ? slice(offsets, [1]) : concat([slice(offsets, [1]), tensor([total], [1], { dtype: 'i32' })]), [bags, 1]);
    const positions = arange(0, total, 1, { dtype: 'i32' });
    const inside = cast(lessEqual(starts, positions).mul(less(positions, ends)), this.weight.dtype);
    return counted ? inside.mul(reshape(counted, [1, total])) : inside;
  }

  /** The largest of each bag's counted vectors along `axis`, zeros for a bag with none. */
  private bagMax(vectors: Tensor, counted: Tensor | null, axis: number): Tensor {
    if (counted === null) return vectors.max(axis);
    const largest = where(counted, vectors, -Infinity).max(axis);
    return where(counted.sum(axis).greater(0), largest, 0);
  }

  private checkInputs(x: Tensor, offsets: Tensor | readonly number[] | undefined, weights: Tensor | undefined): void {
    if (!(x instanceof Tensor) || isFloat(x.dtype)) throw new DTypeError(`EmbeddingBag: x must be a tensor of int indices, got ${x instanceof Tensor ? x.dtype : formatValue(x)}`);
    if (x.rank === 2 && offsets !== undefined) throw new ValueError(`EmbeddingBag: x ${formatShape(x.shape)} holds one bag per row; offsets go with a 1-D x`);
    if (x.rank === 1 && offsets === undefined) throw new ValueError(`EmbeddingBag: a 1-D x ${formatShape(x.shape)} needs offsets, where each bag starts`);
    if (x.rank !== 1 && x.rank !== 2) throw new ShapeError(`EmbeddingBag: x must be [bags, indices] or a flat [indices] with offsets, got ${formatShape(x.shape)}`);
    if (offsets !== undefined) {
      const shape = offsets instanceof Tensor ? offsets.shape : [offsets.length];
      if (offsets instanceof Tensor ? isFloat(offsets.dtype) : !offsets.every(Number.isSafeInteger)) throw new DTypeError('EmbeddingBag: offsets must be integers');
      if (shape.length !== 1 || shape[0] < (this.includeLastOffset ? 2 : 1)) {
        throw new ShapeError(`EmbeddingBag: offsets must be a vector of ${this.includeLastOffset ? 'bags + 1 (includeLastOffset)' : 'one start per bag'}, got ${formatShape(shape)}`);
      }
    }
    if (weights !== undefined) {
      if (this.mode !== 'sum') throw new ValueError(`EmbeddingBag: perSampleWeights go with mode 'sum' only, not '${this.mode}' (as PyTorch's)`);
      if (!(weights instanceof Tensor) || weights.dtype !== this.weight.dtype || weights.shape.join() !== x.shape.join()) {
        throw new ShapeError(`EmbeddingBag: perSampleWeights must be ${this.weight.dtype} of x's shape ${formatShape(x.shape)}, got ${weights instanceof Tensor ? `${weights.dtype} ${formatShape(weights.shape)}` : formatValue(weights)}`);
      }
    }
  }

  override ownParameters(): Record<string, Tensor> {
    return { weight: this.weight };
  }

  config(): LayerConfig {
    return {
      type: 'EmbeddingBag', count: this.count, dim: this.dim, mode: this.mode, includeLastOffset: this.includeLastOffset,
      ...(this.paddingIdx === null ? {} : { paddingIdx: this.paddingIdx }),
    };
  }
}

Object.defineProperty(EmbeddingBag.prototype, TAKES_IDS, { value: true });
