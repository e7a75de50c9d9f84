// TransformerEncoder and TransformerDecoder, as PyTorch's: numLayers
// transformer layers of one configuration applied in turn, then optionally a
// final LayerNorm (PyTorch's norm: a pre-norm stack wants it, its last
// layer's output being unnormalised). Each layer draws weights of its own:
// PyTorch deep-copies the layer it is given, so its copies start equal;
// here the layer's settings are what is copied, and a seed among them seeds
// each copy from a stream of its own. Masks go to every layer. Sublayers:
// the layers (0 … numLayers − 1), then the norm (numLayers), PyTorch's
// layers.{i}.… and norm.….
import { tidy } from '../engine.js';
import { ValueError, formatValue } from '../errors.js';
import { checkOptions, type OptionNames } from '../options.js';
import { seedStream } from '../random.js';
import type { Tensor } from '../tensor.js';
import { LayerNorm } from './layer_norm.js';
import { Module, type LayerConfig } from './module.js';
import { TransformerEncoderLayer, type EncodeOptions, type TransformerEncoderLayerOptions } from './transformer.js';
import { TransformerDecoderLayer, type DecodeOptions } from './transformer_decoder.js';

/** A transformer layer's settings: its constructor's arguments in one object (a layer's config without its type). */
export type TransformerLayerSpec = TransformerEncoderLayerOptions & { dModel: number; nHead: number };

export interface TransformerStackOptions {
  /** A final LayerNorm over the last layer's output, with the layers' layerNormEps (default false, PyTorch's norm=None). */
  norm?: boolean;
}

const OPTIONS: OptionNames<TransformerStackOptions> = { norm: 'boolean' };

type LayerClass = typeof TransformerEncoderLayer | typeof TransformerDecoderLayer;

/** The layers of a stack: `numLayers` fresh ones of `layer`'s settings (a layer of the stack's kind, or its settings). */
function stackOf<L extends TransformerEncoderLayer | TransformerDecoderLayer>(
  where: string, Layer: LayerClass, layer: L | TransformerLayerSpec, numLayers: number,
): { layers: L[]; seed: number | undefined } {
  if (!Number.isSafeInteger(numLayers) || numLayers <= 0) throw new ValueError(`${where}: numLayers must be a positive integer, got ${formatValue(numLayers)}`);
  let spec: TransformerLayerSpec;
  if (layer instanceof Layer) {
    const { type: _, ...settings } = layer.config();
    spec = settings as unknown as TransformerLayerSpec;
  } else if (layer !== null && typeof layer === 'object' && !(layer instanceof Module) && !Array.isArray(layer)) spec = layer as TransformerLayerSpec;
  else throw new ValueError(`${where}: layer must be a ${Layer.name} or its settings { dModel, nHead, ... }, got ${layer instanceof Module ? `a ${layer.constructor.name}` : formatValue(layer)}`);
  const { dModel, nHead, seed, ...options } = spec;
  const layers: L[] = [];
  try {
    for (let i = 0; i < numLayers; i++) layers.push(new Layer(dModel, nHead, { ...options, seed: seedStream(seed, i) }) as L);
  } catch (err) {
    for (const built of layers) built.dispose();
    throw err;
  }
  return { layers, seed };
}

/** A stack's config: its first layer's settings with the stack's seed (each layer's is drawn from it), the count and the norm. */
function stackConfig(type: string, stack: { layers: readonly Module[]; norm: LayerNorm | null; seed?: number }): LayerConfig {
  const { seed: _, ...layer } = stack.layers[0].config();
  return { type, layer: { ...layer, ...(stack.seed === undefined ? {} : { seed: stack.seed }) }, numLayers: stack.layers.length, norm: stack.norm !== null };
}

export class TransformerEncoder extends Module {
  layers: TransformerEncoderLayer[];
  /** Null without the norm option. */
  norm: LayerNorm | null;
  /** The seed the layers' settings gave (each layer's drawn from it), kept in the config. */
  readonly seed?: number;

  /**
   * numLayers encoder layers of `layer`'s settings (a TransformerEncoderLayer,
   * used only for its settings, or { dModel, nHead, ...options }), each
   * with weights of its own; PyTorch's nn.TransformerEncoder.
   */
  constructor(layer: TransformerEncoderLayer | TransformerLayerSpec, numLayers: number, options: TransformerStackOptions = {}) {
    super();
    const { norm = false } = checkOptions('TransformerEncoder', options, OPTIONS);
    const { layers, seed } = stackOf<TransformerEncoderLayer>('TransformerEncoder', TransformerEncoderLayer, layer, numLayers);
    this.layers = layers;
    this.norm = norm ? new LayerNorm(layers[0].dModel, { epsilon: layers[0].norm1.epsilon }) : null;
    this.seed = seed;
  }

  get numLayers(): number {
    return this.layers.length;
  }

  /** x [batch, time, dModel] through each layer in turn (each given the mask), then the norm. */
  forward(x: Tensor, options: EncodeOptions = {}): Tensor {
    return tidy(() => {
      const h = this.layers.reduce((t, layer) => layer.forward(t, options), x);
      return this.norm ? this.norm.forward(h) : h;
    });
  }

  config(): LayerConfig {
    return stackConfig('TransformerEncoder', this);
  }
}

export class TransformerDecoder extends Module {
  layers: TransformerDecoderLayer[];
  /** Null without the norm option. */
  norm: LayerNorm | null;
  /** The seed the layers' settings gave (each layer's drawn from it), kept in the config. */
  readonly seed?: number;

  /**
   * numLayers decoder layers of `layer`'s settings (a TransformerDecoderLayer,
   * used only for its settings, or { dModel, nHead, ...options }), each
   * with weights of its own; PyTorch's nn.TransformerDecoder.
   */
  constructor(layer: TransformerDecoderLayer | TransformerLayerSpec, numLayers: number, options: TransformerStackOptions = {}) {
    super();
    const { norm = false } = checkOptions('TransformerDecoder', options, OPTIONS);
    const { layers, seed } = stackOf<TransformerDecoderLayer>('TransformerDecoder', TransformerDecoderLayer, layer, numLayers);
    this.layers = layers;
    this.norm = norm ? new LayerNorm(layers[0].dModel, { epsilon: layers[0].norm1.epsilon }) : null;
    this.seed = seed;
  }

  get numLayers(): number {
    return this.layers.length;
  }

  /**
   * tgt [batch, time, dModel] through each layer in turn, each attending over
   * the same memory [batch, source, dModel] (and given the masks), then the norm.
   */
  forward(tgt: Tensor, memory?: Tensor, options: DecodeOptions = {}): Tensor {
    if (memory === undefined) throw new ValueError("TransformerDecoder: forward(tgt, memory) needs the encoder's output as memory");
    return tidy(() => {
      const h = this.layers.reduce((t, layer) => layer.forward(t, memory, options), tgt);
      return this.norm ? this.norm.forward(h) : h;
    });
  }

  config(): LayerConfig {
    return stackConfig('TransformerDecoder', this);
  }
}
