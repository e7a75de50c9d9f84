// Transformer, as PyTorch's nn.Transformer with batch_first=True (Vaswani
// et al., 2017): an encoder stack over the source sequence and a decoder
// stack over the target attending to the encoder's output, each ending in a
// LayerNorm, as PyTorch's always do. Its sublayers are encoder (0) and
// decoder (1), PyTorch's encoder.layers.{i}… / encoder.norm and decoder.….
// PyTorch takes the decoder's causal mask per call (tgt_mask, from
// generate_square_subsequent_mask); here it is the `causal` setting, as on
// the layers, since tmnn's attention takes no arbitrary mask.
import { tidy } from '../engine.js';
import { ValueError, formatValue } from '../errors.js';
import { checkOptions, type OptionNames } from '../options.js';
import { seedStream } from '../random.js';
import type { Tensor } from '../tensor.js';
import { Module, type LayerConfig } from './module.js';
import { TRANSFORMER_OPTIONS, transformerSettings, type TransformerEncoderLayerOptions } from './transformer.js';
import { TransformerDecoder, TransformerEncoder } from './transformer_stack.js';

export interface TransformerOptions extends TransformerEncoderLayerOptions {
  /** Layers in the encoder stack. Default 6, as PyTorch's. */
  numEncoderLayers?: number;
  /** Layers in the decoder stack. Default 6, as PyTorch's. */
  numDecoderLayers?: number;
  /**
   * Mask the decoder's self-attention so each target position attends only to
   * itself and those before it (PyTorch's tgt_mask of
   * generate_square_subsequent_mask): what training a sequence-to-sequence
   * model on shifted targets needs. The encoder is never masked. Default
   * false, as PyTorch without a tgt_mask.
   */
  causal?: boolean;
}

export interface TransformerForwardOptions {
  /** [batch, source]: source positions to ignore as keys in the encoder (PyTorch's src_key_padding_mask). */
  srcKeyPaddingMask?: Tensor;
  /** [batch, time]: target positions to ignore as keys in the decoder's self-attention (tgt_key_padding_mask). */
  tgtKeyPaddingMask?: Tensor;
  /** [batch, source]: encoder outputs the decoder ignores (memory_key_padding_mask; usually the srcKeyPaddingMask). */
  memoryKeyPaddingMask?: Tensor;
}

const OPTIONS: OptionNames<TransformerOptions> = { ...TRANSFORMER_OPTIONS, numEncoderLayers: true, numDecoderLayers: true };
const FORWARD_OPTIONS: OptionNames<TransformerForwardOptions> = { srcKeyPaddingMask: true, tgtKeyPaddingMask: true, memoryKeyPaddingMask: true };

export class Transformer extends Module {
  encoder: TransformerEncoder;
  decoder: TransformerDecoder;
  /** The seed given, kept in the config: the stacks' seeds are drawn from it. */
  readonly seed?: number;

  /**
   * An encoder-decoder transformer of width dModel with nHead heads, its layers
   * of the settings given (those of TransformerEncoderLayer); PyTorch's
   * nn.Transformer(d_model, nhead, ...) with batch_first=True.
   */
  constructor(readonly dModel = 512, readonly nHead = 8, options: TransformerOptions = {}) {
    super();
    const { numEncoderLayers = 6, numDecoderLayers = 6, ...layerOptions } = checkOptions('Transformer', options, OPTIONS);
    for (const [name, v] of [['numEncoderLayers', numEncoderLayers], ['numDecoderLayers', numDecoderLayers]] as const) {
      if (!Number.isSafeInteger(v) || v <= 0) throw new ValueError(`Transformer: ${name} must be a positive integer, got ${formatValue(v)}`);
    }
    const { seed, causal, ...settings } = transformerSettings('Transformer', dModel, nHead, layerOptions);
    this.seed = seed;
    this.encoder = new TransformerEncoder({ dModel, nHead, ...settings, causal: false, seed: seedStream(seed, 0) }, numEncoderLayers, { norm: true });
    try {
      this.decoder = new TransformerDecoder({ dModel, nHead, ...settings, causal, seed: seedStream(seed, 1) }, numDecoderLayers, { norm: true });
    } catch (err) {
      this.encoder.dispose();
      throw err;
    }
  }

  /** Whether the decoder's self-attention is causal (the `causal` setting). */
  get causal(): boolean {
    return this.decoder.layers[0].causal;
  }

  /**
   * The decoder's output [batch, time, dModel] for the target tgt [batch,
   * time, dModel] given the source src [batch, source, dModel], as PyTorch's
   * forward(src, tgt): the encoder's output is the memory every decoder
   * layer attends to.
   */
  forward(src: Tensor, tgt?: Tensor, options: TransformerForwardOptions = {}): Tensor {
    if (tgt === undefined) throw new ValueError('Transformer: forward(src, tgt) needs the target sequence tgt');
    const { srcKeyPaddingMask, tgtKeyPaddingMask, memoryKeyPaddingMask } = checkOptions('Transformer.forward', options, FORWARD_OPTIONS);
    return tidy(() => {
      const memory = this.encoder.forward(src, { keyPaddingMask: srcKeyPaddingMask });
      return this.decoder.forward(tgt, memory, { tgtKeyPaddingMask, memoryKeyPaddingMask });
    });
  }

  config(): LayerConfig {
    const { type: _, causal: __, seed: ___, ...settings } = this.decoder.layers[0].config();
    return {
      type: 'Transformer', ...settings, numEncoderLayers: this.encoder.numLayers, numDecoderLayers: this.decoder.numLayers, causal: this.causal,
      ...(this.seed === undefined ? {} : { seed: this.seed }),
    };
  }
}
