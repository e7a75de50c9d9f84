// MultiheadAttention, as PyTorch's with batch_first=True: queries [batch,
// target, embed] attend over keys and values [batch, source, embed] in
// `heads` parallel subspaces of embed/heads each:
//   q, k, v = query·Wq + bq, key·Wk + bk, value·Wv + bv, split into heads
//   weights = softmax(q·kᵀ/√(embed/heads) + mask) along the source axis
//   output  = (weights·v, heads side by side)·Wout + bout
// The three input projections are one weight [embed, 3·embed] (PyTorch's
// in_proj_weight, laid out x·W as Dense's), Xavier-uniform as PyTorch's;
// out_proj ±1/√embed as PyTorch's Linear; the biases start at zero. The
// softmax and product are scaled_dot_product_attention.ts's maskedAttention:
// a masked position's weight is exactly 0, and a query whose every key is
// masked (left padding under a causal mask) attends to nothing.
import { tidy } from '../engine.js';
import { ShapeError, ValueError, formatShape, formatValue } from '../errors.js';
import { rand, split, where, zeros } from '../ops/index.js';
import { checkOptions, type OptionNames } from '../options.js';
import { checkSeed, seedStream } from '../random.js';
import type { Tensor } from '../tensor.js';
import { DROPOUT_STREAM, Dropout, heldDrawCounts, setHeldDrawCounts } from './dropout.js';
import { Module, type LayerConfig } from './module.js';
import { causalMask, maskedAttention } from './scaled_dot_product_attention.js';

export interface MultiheadAttentionOptions {
  /** Biases on the projections. Default true. */
  bias?: boolean;
  /** Dropout on the attention weights, in training. Default 0. */
  dropout?: number;
  /** forward(x) lets each position attend only to itself and the positions before it (a decoder's, GPT's). Default false. */
  causal?: boolean;
  /** Seed for the initial weights (see also tm.setSeed). */
  seed?: number;
}

export interface AttendOptions {
  /** Each query attends only to itself and the keys before it (needs as many keys as queries). */
  causal?: boolean;
  /** [batch, source]: a non-zero entry is a key to ignore (padding), as PyTorch's key_padding_mask. */
  keyPaddingMask?: Tensor;
}

const OPTIONS: OptionNames<MultiheadAttentionOptions> = { bias: 'boolean', dropout: true, causal: 'boolean', seed: true };
const ATTEND_OPTIONS: OptionNames<AttendOptions> = { causal: 'boolean', keyPaddingMask: true };

export class MultiheadAttention extends Module {
  readonly dropout: number;
  readonly causal: boolean;
  /** The seed given, kept in the config: a loaded layer draws its dropout masks as the saved one did. */
  readonly seed?: number;
  /** [embed, 3·embed]: the query, key and value projections side by side. */
  inProjWeight: Tensor;
  inProjBias: Tensor | null;
  /** [embed, embed]. */
  outProjWeight: Tensor;
  outProjBias: Tensor | null;
  /** Not a field Module walks: it holds no parameters and follows this layer's mode. */
  readonly #dropout: Dropout | null;

  constructor(readonly embedDim: number, readonly numHeads: number, options: MultiheadAttentionOptions = {}) {
    super();
    const { bias = true, dropout = 0, causal = false, seed } = checkOptions('MultiheadAttention', options, OPTIONS);
    for (const [name, v] of [['embedDim', embedDim], ['numHeads', numHeads]] as const) {
      if (!Number.isSafeInteger(v) || v <= 0) throw new ValueError(`MultiheadAttention: ${name} must be a positive integer, got ${formatValue(v)}`);
    }
    if (embedDim % numHeads) throw new ValueError(`MultiheadAttention: numHeads ${numHeads} must divide embedDim ${embedDim}`);
    if (typeof dropout !== 'number' || !(dropout >= 0 && dropout < 1)) throw new ValueError(`MultiheadAttention: dropout must be a number in [0, 1), got ${formatValue(dropout)}`);
    if (seed !== undefined) checkSeed('MultiheadAttention', seed);
    this.dropout = dropout;
    this.causal = causal;
    this.seed = seed;
    this.#dropout = dropout > 0 ? new Dropout(dropout, seedStream(seed, DROPOUT_STREAM)) : null;
    const uniform = (fanIn: number, fanOut: number, bound: number, stream: number): Tensor => {
      const w = rand([fanIn, fanOut], { min: -bound, max: bound, seed: seedStream(seed, stream) });
      w.requiresGrad = true;
      return w;
    };
    const zeroBias = (size: number): Tensor | null => {
      if (!bias) return null;
      const b = zeros([size]);
      b.requiresGrad = true;
      return b;
    };
    // As PyTorch's: in_proj Xavier-uniform over its fans ([3·embed, embed] there, the same fans); out_proj a Linear's default, ±1/√embed.
    this.inProjWeight = uniform(embedDim, 3 * embedDim, Math.sqrt(6 / (4 * embedDim)), 0);
    this.inProjBias = zeroBias(3 * embedDim);
    this.outProjWeight = uniform(embedDim, embedDim, 1 / Math.sqrt(embedDim), 1);
    this.outProjBias = zeroBias(embedDim);
  }

  get headDim(): number {
    return this.embedDim / this.numHeads;
  }

  /** Self-attention of x [batch, time, embed] (causal if the layer was made so). */
  forward(x: Tensor): Tensor {
    return tidy(() => this.attend(x, x, x, { causal: this.causal }).output);
  }

  /**
   * query [batch, target, embed] attending over key and value [batch,
   * source, embed]: the output [batch, target, embed] and the attention
   * weights of every head [batch, heads, target, source] (PyTorch's
   * average_attn_weights=False).
   */
  attend(query: Tensor, key: Tensor, value: Tensor, options: AttendOptions = {}): { output: Tensor; weights: Tensor } {
    const { causal = false, keyPaddingMask } = checkOptions('MultiheadAttention', options, ATTEND_OPTIONS);
    this.checkInputs(query, key, value, causal, keyPaddingMask);
    return tidy(() => {
      const [batch, target] = query.shape;
      const source = key.shape[1];
      const E = this.embedDim;
      const [wq, wk, wv] = split(this.inPrecisionOf(query, this.inProjWeight), E, 1);
      const [bq, bk, bv] = this.inProjBias ? split(this.inPrecisionOf(query, this.inProjBias), E, 0) : [null, null, null];
      // [batch, length, embed] → [batch, heads, length, headDim].
      const heads = (x: Tensor, w: Tensor, b: Tensor | null, length: number): Tensor => {
        const projected = x.matmul(w);
        return (b ? projected.add(b) : projected).reshape([batch, length, this.numHeads, this.headDim]).transpose([0, 2, 1, 3]);
      };
      // The scale on q before the product, as PyTorch applies it.
      const q = heads(query, wq, bq, target).mul(1 / Math.sqrt(this.headDim));
      const k = heads(key, wk, bk, source);
      const v = heads(value, wv, bv, source);
      const mask = this.additiveMask(batch, target, source, causal, keyPaddingMask, query);
      const dropout = this.#dropout;
      if (dropout) dropout.training = this.training;
      // [batch, heads, target, source] weights, [batch, heads, target, headDim] heads.
      const { output: attended, weights } = maskedAttention(q, k, v, mask, dropout ? (w) => dropout.forward(w) : undefined);
      const mixed = attended.transpose([0, 2, 1, 3]).reshape([batch, target, E]);
      const out = mixed.matmul(this.inPrecisionOf(query, this.outProjWeight));
      return { output: this.outProjBias ? out.add(this.inPrecisionOf(query, this.outProjBias)) : out, weights };
    });
  }

  /** 0 where a query may look, -∞ where it may not: [target, source] for causal, [batch, 1, 1, source] for padding, or their sum. */
  private additiveMask(batch: number, target: number, source: number, causal: boolean, keyPaddingMask: Tensor | undefined, like: Tensor): Tensor | null {
    const float = like.dtype === 'f16' ? 'f16' : 'f32';
    let mask: Tensor | null = null;
    if (causal) mask = causalMask(like, target, source);
    if (keyPaddingMask) {
      const padding = where(keyPaddingMask.reshape([batch, 1, 1, source]), -Infinity, zeros([], { dtype: float }));
      mask = mask ? mask.add(padding) : padding;
    }
    return mask;
  }

  private checkInputs(query: Tensor, key: Tensor, value: Tensor, causal: boolean, keyPaddingMask: Tensor | undefined): void {
    const E = this.embedDim;
    for (const [name, t] of [['query', query], ['key', key], ['value', value]] as const) {
      if (t.rank !== 3 || t.shape[2] !== E) throw new ShapeError(`MultiheadAttention: expects ${name} of shape [batch, length, ${E}], got ${formatShape(t.shape)}`);
    }
    if (key.shape[0] !== query.shape[0] || value.shape[0] !== query.shape[0] || key.shape[1] !== value.shape[1]) {
      throw new ShapeError(`MultiheadAttention: query ${formatShape(query.shape)}, key ${formatShape(key.shape)} and value ${formatShape(value.shape)} must share the batch, and key and value the length`);
    }
    if (causal && key.shape[1] !== query.shape[1]) {
      throw new ShapeError(`MultiheadAttention: a causal mask needs as many keys as queries, got query ${formatShape(query.shape)} and key ${formatShape(key.shape)}`);
    }
    if (keyPaddingMask && (keyPaddingMask.rank !== 2 || keyPaddingMask.shape[0] !== key.shape[0] || keyPaddingMask.shape[1] !== key.shape[1])) {
      throw new ShapeError(`MultiheadAttention: keyPaddingMask must be [batch, source] = ${formatShape(key.shape.slice(0, 2))}, got ${formatShape(keyPaddingMask.shape)}`);
    }
  }

  override drawCounts(): Record<string, number> {
    return heldDrawCounts('dropout', [this.#dropout]);
  }

  override setDrawCounts(counts: Record<string, number>): void {
    setHeldDrawCounts('dropout', [this.#dropout], counts);
  }

  config(): LayerConfig {
    return {
      type: 'MultiheadAttention', embedDim: this.embedDim, numHeads: this.numHeads, bias: this.inProjBias !== null, dropout: this.dropout, causal: this.causal,
      ...(this.seed === undefined ? {} : { seed: this.seed }),
    };
  }
}
