// TransformerEncoderLayer, as PyTorch's with batch_first=True: x [batch,
// time, dModel] through self-attention and a two-layer feed-forward block,
// each added back to its input (a residual) and normalised:
//   post-norm (default): x = norm1(x + drop(attn(x)));  x = norm2(x + drop(ff(x)))
//   normFirst:           x = x + drop(attn(norm1(x)));  x = x + drop(ff(norm2(x)))
// with ff(x) = linear2(drop(activation(linear1(x)))). Its sublayers hold the
// parameters: selfAttn (0), linear1 (1), linear2 (2), norm1 (3), norm2 (4),
// so a model file names them `0.inProjWeight`, `1.weight`… below the layer.
import { tidy } from '../engine.js';
import { ShapeError, ValueError, formatShape, formatValue } from '../errors.js';
import { checkOptions, type OptionNames } from '../options.js';
import { checkSeed, seedStream } from '../random.js';
import type { Tensor } from '../tensor.js';
import { MultiheadAttention } from './attention.js';
import { gelu } from './activation_functions.js';
import { Dense } from './dense.js';
import { Dropout, heldDrawCounts, setHeldDrawCounts } from './dropout.js';
import { LayerNorm } from './layer_norm.js';
import { Module, type LayerConfig } from './module.js';

export interface TransformerEncoderLayerOptions {
  /** The feed-forward block's width. Default 2048, as PyTorch's. */
  dimFeedforward?: number;
  /** Dropout on the attention weights, after the attention, inside and after the feed-forward block, in training. Default 0.1, as PyTorch's. */
  dropout?: number;
  /** The feed-forward block's activation: 'relu' (default) or 'gelu' (exact, through erf, as PyTorch's). */
  activation?: 'relu' | 'gelu';
  /** LayerNorm's epsilon. Default 1e-5. */
  layerNormEps?: number;
  /** Normalise before each block rather than after it (pre-norm, as GPT-2's). Default false. */
  normFirst?: boolean;
  /** Each position attends only to itself and those before it (a decoder-only language model's). Default false. */
  causal?: boolean;
  /** Biases on the attention's projections and the feed-forward layers. Default true. */
  bias?: boolean;
  /** Seed for the initial weights and the dropout masks (see also tm.setSeed). */
  seed?: number;
}

/** The settings a transformer layer takes, by name. */
export const TRANSFORMER_OPTIONS: OptionNames<TransformerEncoderLayerOptions> = {
  dimFeedforward: true, dropout: true, activation: true, layerNormEps: true, normFirst: 'boolean', causal: 'boolean', bias: 'boolean', seed: true,
};

/** The settings of a transformer layer (encoder or decoder), its defaults PyTorch's, checked. */
export type TransformerSettings = Required<Omit<TransformerEncoderLayerOptions, 'seed'>> & { seed?: number };

export function transformerSettings(layer: string, dModel: number, nHead: number, options: TransformerEncoderLayerOptions): TransformerSettings {
  const {
    dimFeedforward = 2048, dropout = 0.1, activation = 'relu', layerNormEps = 1e-5, normFirst = false, causal = false, bias = true, seed,
  } = checkOptions(layer, options, TRANSFORMER_OPTIONS);
  for (const [name, v] of [['dModel', dModel], ['nHead', nHead], ['dimFeedforward', dimFeedforward]] as const) {
    if (!Number.isSafeInteger(v) || v <= 0) throw new ValueError(`${layer}: ${name} must be a positive integer, got ${formatValue(v)}`);
  }
  if (dModel % nHead) throw new ValueError(`${layer}: nHead ${nHead} must divide dModel ${dModel}`);
  if (activation !== 'relu' && activation !== 'gelu') throw new ValueError(`${layer}: activation must be 'relu' or 'gelu', got ${formatValue(activation)}`);
  if (typeof dropout !== 'number' || !(dropout >= 0 && dropout < 1)) throw new ValueError(`${layer}: dropout must be a number in [0, 1), got ${formatValue(dropout)}`);
  if (seed !== undefined) checkSeed(layer, seed);
  return { dimFeedforward, dropout, activation, layerNormEps, normFirst, causal, bias, seed };
}

/** The feed-forward block, linear2(drop(activation(linear1(x)))) ('gelu' exact: Dense's 'gelu' is the tanh approximation). */
export function feedForward(x: Tensor, linear1: Dense, linear2: Dense, activation: 'relu' | 'gelu', drop: (t: Tensor) => Tensor): Tensor {
  const h = linear1.forward(x);
  return linear2.forward(drop(activation === 'relu' ? h.relu() : gelu(h)));
}

/** A dropout that follows `owner`'s mode, or the identity without one. */
export function dropoutOf(owner: Module, dropout: Dropout | undefined): (t: Tensor) => Tensor {
  return (t) => {
    if (!dropout) return t;
    dropout.training = owner.training;
    return dropout.forward(t);
  };
}

/** Checks x is [batch, time, dModel] for `layer`. */
export function checkSequence(layer: string, what: string, x: Tensor, dModel: number): void {
  if (x.rank !== 3 || x.shape[2] !== dModel) throw new ShapeError(`${layer}: expects ${what} of shape [batch, time, ${dModel}], got ${formatShape(x.shape)}`);
}

/** What a transformer layer's config is written from (the encoder's fields, and the decoder's). */
interface TransformerLayer {
  readonly dModel: number;
  readonly nHead: number;
  readonly dimFeedforward: number;
  readonly dropout: number;
  readonly activation: 'relu' | 'gelu';
  readonly normFirst: boolean;
  readonly causal: boolean;
  readonly seed?: number;
  readonly norm1: LayerNorm;
  readonly linear1: Dense;
}

/** A transformer layer's config: its settings as transformerSettings takes them (the seed only when given). */
export function transformerConfig(type: string, layer: TransformerLayer): LayerConfig {
  return {
    type, dModel: layer.dModel, nHead: layer.nHead, dimFeedforward: layer.dimFeedforward, dropout: layer.dropout,
    activation: layer.activation, layerNormEps: layer.norm1.epsilon, normFirst: layer.normFirst, causal: layer.causal, bias: layer.linear1.bias !== null,
    ...(layer.seed === undefined ? {} : { seed: layer.seed }),
  };
}

export interface EncodeOptions {
  /** [batch, time]: a non-zero entry is a position to ignore as a key (padding), as PyTorch's src_key_padding_mask. */
  keyPaddingMask?: Tensor;
}

export class TransformerEncoderLayer extends Module {
  readonly dimFeedforward: number;
  readonly dropout: number;
  readonly activation: 'relu' | 'gelu';
  readonly normFirst: boolean;
  /** The seed given, kept in the config: a loaded layer draws its dropout masks as the saved one did. */
  readonly seed?: number;
  selfAttn: MultiheadAttention;
  linear1: Dense;
  linear2: Dense;
  norm1: LayerNorm;
  norm2: LayerNorm;
  /** After the attention, inside the feed-forward block, after it; not fields Module walks (no parameters; they follow this layer's mode). */
  readonly #dropouts: [Dropout, Dropout, Dropout] | null;

  constructor(readonly dModel: number, readonly nHead: number, options: TransformerEncoderLayerOptions = {}) {
    super();
    const { dimFeedforward, dropout, activation, layerNormEps, normFirst, causal, bias, seed } = transformerSettings('TransformerEncoderLayer', dModel, nHead, options);
    this.seed = seed;
    // Each sublayer and dropout from a stream of the seed of its own.
    const seeded = (stream: number): number | undefined => seedStream(seed, stream);
    this.dimFeedforward = dimFeedforward;
    this.dropout = dropout;
    this.activation = activation;
    this.normFirst = normFirst;
    // Dropout on the attention weights too, as PyTorch's self_attn has.
    this.selfAttn = new MultiheadAttention(dModel, nHead, { bias, causal, dropout, seed: seeded(0) });
    this.linear1 = new Dense(dModel, dimFeedforward, { bias, init: 'he', seed: seeded(1) });
    this.linear2 = new Dense(dimFeedforward, dModel, { bias, seed: seeded(2) });
    this.norm1 = new LayerNorm(dModel, { epsilon: layerNormEps });
    this.norm2 = new LayerNorm(dModel, { epsilon: layerNormEps });
    this.#dropouts = dropout > 0 ? [new Dropout(dropout, seeded(3)), new Dropout(dropout, seeded(4)), new Dropout(dropout, seeded(5))] : null;
  }

  get causal(): boolean {
    return this.selfAttn.causal;
  }

  /** x [batch, time, dModel] through the block; `keyPaddingMask` [batch, time] leaves padded positions out as keys. */
  forward(x: Tensor, options: EncodeOptions = {}): Tensor {
    checkSequence('TransformerEncoderLayer', 'x', x, this.dModel);
    const { keyPaddingMask } = checkOptions('TransformerEncoderLayer', options, { keyPaddingMask: true });
    return tidy(() => {
      const [drop0, drop1, drop2] = [0, 1, 2].map((i) => dropoutOf(this, this.#dropouts?.[i]));
      const attention = (t: Tensor) => drop0(this.selfAttn.attend(t, t, t, { causal: this.causal, keyPaddingMask }).output);
      const ff = (t: Tensor) => drop2(feedForward(t, this.linear1, this.linear2, this.activation, drop1));
      if (this.normFirst) {
        const h = x.add(attention(this.norm1.forward(x)));
        return h.add(ff(this.norm2.forward(h)));
      }
      const h = this.norm1.forward(x.add(attention(x)));
      return this.norm2.forward(h.add(ff(h)));
    });
  }

  override drawCounts(): Record<string, number> {
    return heldDrawCounts('dropout', this.#dropouts ?? []);
  }

  override setDrawCounts(counts: Record<string, number>): void {
    setHeldDrawCounts('dropout', this.#dropouts ?? [], counts);
  }

  config(): LayerConfig {
    return transformerConfig('TransformerEncoderLayer', this);
  }
}
