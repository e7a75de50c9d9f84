// TransformerDecoderLayer, as PyTorch's with batch_first=True: the target
// sequence tgt [batch, time, dModel] through self-attention, attention over
// the encoder's output memory [batch, source, dModel] and the feed-forward
// block, each added back to its input and normalised:
//   post-norm (default): x = norm1(x + drop(selfAttn(x)));  x = norm2(x + drop(attn(x, memory)));  x = norm3(x + drop(ff(x)))
//   normFirst:           x = x + drop(selfAttn(norm1(x)));  x = x + drop(attn(norm2(x), memory));  x = x + drop(ff(norm3(x)))
// Its sublayers: selfAttn (0), multiheadAttn (1), linear1 (2), linear2 (3),
// norm1 (4), norm2 (5), norm3 (6), PyTorch's self_attn, multihead_attn,
// linear1, linear2, norm1, norm2, norm3.
import { tidy } from '../engine.js';
import { ShapeError, ValueError, formatShape } from '../errors.js';
import { checkOptions } from '../options.js';
import { seedStream } from '../random.js';
import type { Tensor } from '../tensor.js';
import { MultiheadAttention } from './attention.js';
import { Dense } from './dense.js';
import { Dropout, heldDrawCounts, setHeldDrawCounts } from './dropout.js';
import { LayerNorm } from './layer_norm.js';
import { Module, type LayerConfig } from './module.js';
import { checkSequence, dropoutOf, feedForward, transformerConfig, transformerSettings, type TransformerEncoderLayerOptions } from './transformer.js';

/** As the encoder layer's; `causal` masks the self-attention (a decoder's usual setting, though PyTorch's default is off, as here). */
export type TransformerDecoderLayerOptions = TransformerEncoderLayerOptions;

export interface DecodeOptions {
  /** [batch, time]: target positions to ignore as keys of the self-attention (PyTorch's tgt_key_padding_mask). */
  tgtKeyPaddingMask?: Tensor;
  /** [batch, source]: memory positions to ignore (PyTorch's memory_key_padding_mask). */
  memoryKeyPaddingMask?: Tensor;
}

export class TransformerDecoderLayer extends Module {
  readonly dimFeedforward: number;
  readonly dropout: number;
  readonly activation: 'relu' | 'gelu';
  readonly normFirst: boolean;
  /** The seed given, kept in the config: a loaded layer draws its dropout masks as the saved one did. */
  readonly seed?: number;
  selfAttn: MultiheadAttention;
  multiheadAttn: MultiheadAttention;
  linear1: Dense;
  linear2: Dense;
  norm1: LayerNorm;
  norm2: LayerNorm;
  norm3: LayerNorm;
  /** After each attention, inside the feed-forward block, after it; not fields Module walks. */
  readonly #dropouts: Dropout[];

  constructor(readonly dModel: number, readonly nHead: number, options: TransformerDecoderLayerOptions = {}) {
    super();
    const { dimFeedforward, dropout, activation, layerNormEps, normFirst, causal, bias, seed } = transformerSettings('TransformerDecoderLayer', dModel, nHead, options);
    this.seed = seed;
    const seeded = (stream: number): number | undefined => seedStream(seed, stream);
    this.dimFeedforward = dimFeedforward;
    this.dropout = dropout;
    this.activation = activation;
    this.normFirst = normFirst;
    this.selfAttn = new MultiheadAttention(dModel, nHead, { bias, causal, dropout, seed: seeded(0) });
    this.multiheadAttn = new MultiheadAttention(dModel, nHead, { bias, dropout, seed: seeded(1) });
    this.linear1 = new Dense(dModel, dimFeedforward, { bias, init: 'he', seed: seeded(2) });
    this.linear2 = new Dense(dimFeedforward, dModel, { bias, seed: seeded(3) });
    this.norm1 = new LayerNorm(dModel, { epsilon: layerNormEps });
    this.norm2 = new LayerNorm(dModel, { epsilon: layerNormEps });
    this.norm3 = new LayerNorm(dModel, { epsilon: layerNormEps });
    this.#dropouts = dropout > 0 ? [4, 5, 6, 7].map((stream) => new Dropout(dropout, seeded(stream))) : [];
  }

  get causal(): boolean {
    return this.selfAttn.causal;
  }

  /**
   * tgt [batch, time, dModel] attending to itself and over memory [batch,
   * source, dModel] (the encoder's output): [batch, time, dModel]. Memory is
   * required: a Sequential, which passes one input, cannot hold this layer.
   */
  forward(tgt: Tensor, memory?: Tensor, options: DecodeOptions = {}): Tensor {
    if (memory === undefined) throw new ValueError("TransformerDecoderLayer: forward(tgt, memory) needs the encoder's output as memory");
    checkSequence('TransformerDecoderLayer', 'tgt', tgt, this.dModel);
    checkSequence('TransformerDecoderLayer', 'memory', memory, this.dModel);
    if (memory.shape[0] !== tgt.shape[0]) {
      throw new ShapeError(`TransformerDecoderLayer: tgt ${formatShape(tgt.shape)} and memory ${formatShape(memory.shape)} have different batch sizes`);
    }
    const { tgtKeyPaddingMask, memoryKeyPaddingMask } = checkOptions('TransformerDecoderLayer', options, { tgtKeyPaddingMask: true, memoryKeyPaddingMask: true });
    return tidy(() => {
      const [drop0, drop1, drop2, drop3] = [0, 1, 2, 3].map((i) => dropoutOf(this, this.#dropouts[i]));
      const selfAttention = (t: Tensor) => drop0(this.selfAttn.attend(t, t, t, { causal: this.causal, keyPaddingMask: tgtKeyPaddingMask }).output);
      const crossAttention = (t: Tensor) => drop1(this.multiheadAttn.attend(t, memory, memory, { keyPaddingMask: memoryKeyPaddingMask }).output);
      const ff = (t: Tensor) => drop3(feedForward(t, this.linear1, this.linear2, this.activation, drop2));
      if (this.normFirst) {
        const h = tgt.add(selfAttention(this.norm1.forward(tgt)));
        const g = h.add(crossAttention(this.norm2.forward(h)));
        return g.add(ff(this.norm3.forward(g)));
      }
      const h = this.norm1.forward(tgt.add(selfAttention(tgt)));
      const g = this.norm2.forward(h.add(crossAttention(h)));
      return this.norm3.forward(g.add(ff(g)));
    });
  }

  override drawCounts(): Record<string, number> {
    return heldDrawCounts('dropout', this.#dropouts);
  }

  override setDrawCounts(counts: Record<string, number>): void {
    setHeldDrawCounts('dropout', this.#dropouts, counts);
  }

  config(): LayerConfig {
    return transformerConfig('TransformerDecoderLayer', this);
  }
}
