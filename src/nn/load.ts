// Loading a model saved by tmnn: the file's description and entries checked
// against each other first (model_format.ts), then the layers rebuilt from
// the description and their parameters filled from the entries. Anything off
// is a CorruptFileError naming it, before any layer is built.
import { CorruptFileError } from '../io/errors.js';
import { readFileBytes } from '../io/file.js';
import { decodeSafetensors } from '../io/safetensors.js';
import { DTypeError, ShapeError, ValueError } from '../errors.js';
import { decodeF16 } from '../f16.js';
import { zeros } from '../ops/index.js';
import type { AvgPool1dOptions, AvgPool2dOptions, MaxPool1dOptions, MaxPool2dOptions } from '../ops/conv.js';
import type { Size2d } from '../ops/windows.js';
import { fromStorageArray } from '../ops/util.js';
import { VERSION } from '../version.js';
import { noGrad } from '../tape.js';
import { sameShape } from '../shape.js';
import { keepingGlobalSequence } from '../random.js';
import {
  CELU, ELU, GELU, GLU, Hardshrink, Hardsigmoid, Hardswish, Hardtanh, LeakyReLU, LogSigmoid, LogSoftmax, Mish, PReLU, ReLU, ReLU6, SELU, Sigmoid, SiLU,
  Softmax, Softmax2d, Softmin, Softplus, Softshrink, Softsign, Tanh, Tanhshrink, Threshold, type ActivationName,
} from './activations.js';
import type { GeluApproximation } from './activation_functions.js';
import { BatchNorm1d, BatchNorm2d, BatchNorm3d } from './batch_norm.js';
import { AdaptiveLogSoftmaxWithLoss } from './adaptive_softmax.js';
import { Bilinear } from './bilinear.js';
import { GroupNorm } from './group_norm.js';
import { InstanceNorm1d, InstanceNorm2d, InstanceNorm3d } from './instance_norm.js';
import { Conv1d, Conv2d } from './conv.js';
import { Conv3d } from './conv3d.js';
import { ConvTranspose3d } from './conv_transpose3d.js';
import { ConvTranspose1d, ConvTranspose2d } from './conv_transpose.js';
import { Dense } from './dense.js';
import { QuantizedDense } from './quantized_dense.js';
import { QuantizedGRU, QuantizedLSTM, QuantizedRNN } from './quantized_recurrent.js';
import { QuantizedGRUCell, QuantizedLSTMCell, QuantizedRNNCell } from './quantized_recurrent_cell.js';
import { AlphaDropout, Dropout, Dropout1d, Dropout2d, Dropout3d, FeatureAlphaDropout } from './dropout.js';
import { RReLU } from './rrelu.js';
import { Embedding } from './embedding.js';
import { EmbeddingBag, type BagMode } from './embedding_bag.js';
import { Flatten, Unflatten } from './flatten.js';
import { PixelShuffle, PixelUnshuffle } from './pixel_shuffle.js';
import { ChannelShuffle } from './channel_shuffle.js';
import { LocalResponseNorm } from './local_response_norm.js';
import { LPPool1d, LPPool2d } from './lp_pool.js';
import { Fold, Unfold, type FoldOptions, type UnfoldOptions } from './fold.js';
import { RMSNorm } from './rms_norm.js';
import { Identity, Upsample } from './upsample.js';
import type { InterpolateMode } from '../ops/interpolate.js';
import { Permute } from './permute.js';
import {
  CircularPad1d, CircularPad2d, CircularPad3d, ConstantPad1d, ConstantPad2d, ConstantPad3d, ReflectionPad1d, ReflectionPad2d, ReflectionPad3d,
  ReplicationPad1d, ReplicationPad2d, ReplicationPad3d, ZeroPad1d, ZeroPad2d, ZeroPad3d, type Padding1d, type Padding2d, type Padding3d,
} from './padding.js';
import { LayerNorm } from './layer_norm.js';
import { GRU, LSTM, RNN, type RNNOptions } from './recurrent.js';
import { GRUCell, LSTMCell, RNNCell, type RNNCellOptions } from './recurrent_cell.js';
import { MultiheadAttention } from './attention.js';
import { TransformerEncoderLayer } from './transformer.js';
import { TransformerDecoderLayer } from './transformer_decoder.js';
import { Transformer } from './transformer_model.js';
import { TransformerDecoder, TransformerEncoder, type TransformerLayerSpec } from './transformer_stack.js';
import { AvgPool1d, AvgPool2d, MaxPool1d, MaxPool2d } from './pooling.js';
import { AvgPool3d, MaxPool3d } from './pooling3d.js';
import { FractionalMaxPool2d, FractionalMaxPool3d, type FractionalMaxPool2dLayerOptions, type FractionalMaxPool3dLayerOptions } from './fractional_pool.js';
import type { Size3d } from '../ops/volumes.js';
import { MaxUnpool1d, MaxUnpool2d, MaxUnpool3d } from './unpool.js';
import { AdaptiveAvgPool1d, AdaptiveAvgPool2d, AdaptiveMaxPool1d, AdaptiveMaxPool2d } from './adaptive_pool.js';
import { AdaptiveAvgPool3d, AdaptiveMaxPool3d } from './adaptive_pool3d.js';
import { checkModel, FORMAT, LOADABLE_LAYERS } from './model_format.js';
import { copyHooks, type Module } from './module.js';
import type { Tensor } from '../tensor.js';
import { Sequential } from './sequential.js';

type Config = Record<string, unknown>;
type Entries = ReturnType<typeof decodeSafetensors>['entries'];

/** The layers a checked description names (`prefix`: the path of their parameters' names, as namedParameters gives them). */
function build(cfg: Config, entries: Entries, prefix = ''): Module {
  switch (cfg.type) {
    case 'Sequential': {
      const built: Module[] = [];
      try {
        for (const [i, l] of (cfg.layers as Config[]).entries()) built.push(build(l, entries, `${prefix}${i}.`));
      } catch (err) {
        // Layers built before the bad one own parameters: free them.
        for (const m of built) m.dispose();
        throw err;
      }
      return new Sequential(built);
    }
    case 'Dense': {
      const dense = new Dense(cfg.inputs as number, cfg.units as number, {
        activation: cfg.activation as ActivationName,
        bias: cfg.bias as boolean,
        seed: 0, // overwritten by the saved weights
      });
      return savedAs(dense, entries, prefix);
    }
    case 'QuantizedDense': {
      const options = { activation: cfg.activation as ActivationName, bias: cfg.bias as boolean };
      return new QuantizedDense(cfg.inputs as number, cfg.units as number, options); // its buffers: zeros, filled next
    }
    case 'Bilinear': return savedAs(new Bilinear(cfg.in1 as number, cfg.in2 as number, cfg.out as number, { bias: cfg.bias as boolean, seed: 0 }), entries, prefix); // seed: overwritten
    case 'AdaptiveLogSoftmaxWithLoss': {
      const options = { divValue: cfg.divValue as number, headBias: cfg.headBias as boolean, seed: 0 }; // seed: overwritten
      return savedTree(new AdaptiveLogSoftmaxWithLoss(cfg.inFeatures as number, cfg.nClasses as number, cfg.cutoffs as number[], options), entries, prefix);
    }
    case 'EmbeddingBag': {
      const options = { seed: 0, mode: cfg.mode as BagMode, includeLastOffset: cfg.includeLastOffset as boolean, paddingIdx: cfg.paddingIdx as number | undefined };
      return savedAs(new EmbeddingBag(cfg.count as number, cfg.dim as number, options), entries, prefix); // seed: overwritten
    }
    case 'Embedding': {
      const norm = cfg.maxNorm === undefined ? {} : { maxNorm: cfg.maxNorm as number, normType: cfg.normType === 'inf' ? Infinity : (cfg.normType as number) };
      return savedAs(new Embedding(cfg.count as number, cfg.dim as number, { seed: 0, paddingIdx: cfg.paddingIdx as number | undefined, ...norm }), entries, prefix); // seed: overwritten
    }
    case 'Conv1d':
    case 'Conv2d':
    case 'ConvTranspose1d':
    case 'ConvTranspose2d': {
      // The sizes as the file holds them (model_format checked them against the type); seed: overwritten by the saved weights.
      const { type: _, inChannels, outChannels, kernelSize, ...options } = cfg as { type: string; inChannels: number; outChannels: number; kernelSize: Size2d };
      const Layer = { Conv1d, Conv2d, ConvTranspose1d, ConvTranspose2d }[cfg.type] as new (i: number, o: number, k: Size2d, options: object) => Module;
      return savedAs(new Layer(inChannels, outChannels, kernelSize, { ...options, seed: 0 }), entries, prefix);
    }
    case 'Conv3d':
    case 'ConvTranspose3d': {
      const { type: _, inChannels, outChannels, kernelSize, ...options } = cfg as { type: string; inChannels: number; outChannels: number; kernelSize: Size3d };
      const Layer = { Conv3d, ConvTranspose3d }[cfg.type] as new (i: number, o: number, k: Size3d, options: object) => Module;
      return savedAs(new Layer(inChannels, outChannels, kernelSize, { ...options, seed: 0 }), entries, prefix); // seed: overwritten
    }
    case 'BatchNorm1d':
    case 'BatchNorm2d':
    case 'BatchNorm3d':
    case 'InstanceNorm1d':
    case 'InstanceNorm2d':
    case 'InstanceNorm3d': {
      // Estimates no batch could give would normalise every sample to NaN.
      if (cfg.trackRunningStats !== false) {
        refuseImpossible(entries, `${prefix}runningMean`, (v) => Number.isFinite(v), 'finite');
        refuseImpossible(entries, `${prefix}runningVar`, (v) => Number.isFinite(v) && v >= 0, 'finite and ≥ 0');
      }
      // BatchNorm's flags are absent from files written before them (its defaults then); InstanceNorm's always written.
      const options = { epsilon: cfg.epsilon as number, momentum: cfg.momentum as number, affine: cfg.affine as boolean | undefined, trackRunningStats: cfg.trackRunningStats as boolean | undefined };
      const Layer = { BatchNorm1d, BatchNorm2d, BatchNorm3d, InstanceNorm1d, InstanceNorm2d, InstanceNorm3d }[cfg.type];
      return savedAs(new Layer(cfg.features as number, options), entries, prefix);
    }
    case 'GroupNorm': return savedAs(new GroupNorm(cfg.numGroups as number, cfg.numChannels as number, { epsilon: cfg.epsilon as number, affine: cfg.affine as boolean }), entries, prefix);
    case 'MaxPool2d':
    case 'AvgPool2d':
    case 'MaxPool1d':
    case 'AvgPool1d': {
      const base = { stride: cfg.stride, padding: cfg.padding, ceilMode: cfg.ceilMode };
      // An avg pool's countIncludePad; a max pool's dilation (none in a file from before it was saved: 1).
      const options = cfg.type.startsWith('Avg') ? { ...base, countIncludePad: cfg.countIncludePad } : { ...base, dilation: cfg.dilation ?? 1 };
      if (cfg.type === 'MaxPool2d') return new MaxPool2d(cfg.kernelSize as Size2d, options as MaxPool2dOptions);
      if (cfg.type === 'AvgPool2d') return new AvgPool2d(cfg.kernelSize as Size2d, options as AvgPool2dOptions);
      if (cfg.type === 'MaxPool1d') return new MaxPool1d(cfg.kernelSize as number, options as MaxPool1dOptions);
      return new AvgPool1d(cfg.kernelSize as number, options as AvgPool1dOptions);
    }
    case 'MaxPool3d': {
      const options = { stride: cfg.stride as Size3d, padding: cfg.padding as Size3d, ceilMode: cfg.ceilMode as boolean, dilation: cfg.dilation as Size3d };
      return new MaxPool3d(cfg.kernelSize as Size3d, options);
    }
    case 'AvgPool3d': {
      const options = { stride: cfg.stride as Size3d, padding: cfg.padding as Size3d, ceilMode: cfg.ceilMode as boolean, countIncludePad: cfg.countIncludePad as boolean };
      return new AvgPool3d(cfg.kernelSize as Size3d, options);
    }
    case 'MaxUnpool2d': return new MaxUnpool2d(cfg.kernelSize as Size2d, { stride: cfg.stride as Size2d, padding: cfg.padding as Size2d });
    case 'MaxUnpool1d': return new MaxUnpool1d(cfg.kernelSize as number, { stride: cfg.stride as number, padding: cfg.padding as number });
    case 'MaxUnpool3d': return new MaxUnpool3d(cfg.kernelSize as Size3d, { stride: cfg.stride as Size3d, padding: cfg.padding as Size3d });
    case 'FractionalMaxPool2d':
    case 'FractionalMaxPool3d': {
      // model_format checked each field; the layer refuses both or neither of outputSize and outputRatio.
      const { type, kernelSize, ...options } = cfg as { type: string; kernelSize: Size3d };
      return type === 'FractionalMaxPool2d'
        ? new FractionalMaxPool2d(kernelSize as Size2d, options as FractionalMaxPool2dLayerOptions)
        : new FractionalMaxPool3d(kernelSize, options as FractionalMaxPool3dLayerOptions);
    }
    case 'RNN':
    case 'LSTM':
    case 'GRU': {
      // The seed as saved (none where the user gave none): the weights it draws are overwritten, its dropout masks are the saved layer's.
      const { type: _, inputSize, hiddenSize, ...options } = cfg as unknown as { type: string; inputSize: number; hiddenSize: number } & RNNOptions;
      const Layer = { RNN, LSTM, GRU }[cfg.type] as new (i: number, h: number, options: RNNOptions) => Module;
      return savedAs(new Layer(inputSize, hiddenSize, options), entries, prefix);
    }
    case 'QuantizedRNN':
    case 'QuantizedLSTM':
    case 'QuantizedGRU': {
      // Its buffers: zeros, filled next; the seed as saved, for the dropout masks.
      const { type: _, inputSize, hiddenSize, ...options } = cfg as unknown as { type: string; inputSize: number; hiddenSize: number } & RNNOptions;
      const Layer = { QuantizedRNN, QuantizedLSTM, QuantizedGRU }[cfg.type] as new (i: number, h: number, options: RNNOptions) => Module;
      return new Layer(inputSize, hiddenSize, options);
    }
    case 'RNNCell':
    case 'LSTMCell':
    case 'GRUCell': {
      // The seed as saved, as the layers': its weights are overwritten, and the config reads back as saved.
      const { type: _, inputSize, hiddenSize, ...options } = cfg as unknown as { type: string; inputSize: number; hiddenSize: number } & RNNCellOptions;
      const Cell = { RNNCell, LSTMCell, GRUCell }[cfg.type] as new (i: number, h: number, options: RNNCellOptions) => Module;
      return savedAs(new Cell(inputSize, hiddenSize, options), entries, prefix);
    }
    case 'QuantizedRNNCell':
    case 'QuantizedLSTMCell':
    case 'QuantizedGRUCell': {
      // Its buffers: zeros, filled next; the seed as saved, so the config reads back as saved.
      const { type: _, inputSize, hiddenSize, ...options } = cfg as unknown as { type: string; inputSize: number; hiddenSize: number } & RNNCellOptions;
      const Cell = { QuantizedRNNCell, QuantizedLSTMCell, QuantizedGRUCell }[cfg.type] as new (i: number, h: number, options: RNNCellOptions) => Module;
      return new Cell(inputSize, hiddenSize, options);
    }
    case 'MultiheadAttention': {
      const { type: _, embedDim, numHeads, ...options } = cfg as { type: string; embedDim: number; numHeads: number };
      return savedAs(new MultiheadAttention(embedDim, numHeads, options), entries, prefix); // the seed as saved, as the recurrent layers'
    }
    case 'TransformerEncoderLayer':
    case 'TransformerDecoderLayer': {
      const { type, dModel, nHead, ...options } = cfg as { type: string; dModel: number; nHead: number };
      const Layer = type === 'TransformerEncoderLayer' ? TransformerEncoderLayer : TransformerDecoderLayer;
      return savedTree(new Layer(dModel, nHead, options), entries, prefix); // the seed as saved, as the recurrent layers'
    }
    case 'TransformerEncoder':
    case 'TransformerDecoder': {
      // The layers' settings with the stack's seed, as saved: each layer's weights overwritten, its dropout masks the saved one's.
      const { type: _, ...spec } = cfg.layer as Config;
      const Stack = cfg.type === 'TransformerEncoder' ? TransformerEncoder : TransformerDecoder;
      return savedTree(new Stack(spec as unknown as TransformerLayerSpec, cfg.numLayers as number, { norm: cfg.norm as boolean }), entries, prefix);
    }
    case 'Transformer': {
      const { type: _, dModel, nHead, ...options } = cfg as { type: string; dModel: number; nHead: number };
      return savedTree(new Transformer(dModel, nHead, options), entries, prefix); // the seed as saved, as the layers'
    }
    case 'AdaptiveAvgPool2d': return new AdaptiveAvgPool2d(cfg.outputSize as Size2d);
    case 'AdaptiveMaxPool2d': return new AdaptiveMaxPool2d(cfg.outputSize as Size2d);
    case 'AdaptiveAvgPool1d': return new AdaptiveAvgPool1d(cfg.outputSize as number);
    case 'AdaptiveMaxPool1d': return new AdaptiveMaxPool1d(cfg.outputSize as number);
    case 'AdaptiveAvgPool3d': return new AdaptiveAvgPool3d(cfg.outputSize as Size3d);
    case 'AdaptiveMaxPool3d': return new AdaptiveMaxPool3d(cfg.outputSize as Size3d);
    case 'Flatten': return new Flatten();
    case 'Unflatten': return new Unflatten(cfg.axis as number, cfg.shape as number[]);
    case 'PixelShuffle': return new PixelShuffle(cfg.upscaleFactor as number);
    case 'PixelUnshuffle': return new PixelUnshuffle(cfg.downscaleFactor as number);
    case 'Identity': return new Identity();
    case 'Upsample': {
      const { size, scaleFactor, mode, alignCorners } = cfg as { size?: Size2d; scaleFactor?: number | [number, number]; mode: InterpolateMode; alignCorners?: boolean };
      // A file from before alignCorners existed holds none: false, as it was.
      return new Upsample({ size, scaleFactor, mode, alignCorners: alignCorners ?? false });
    }
    case 'Permute': return new Permute(cfg.axes as number[]);
    case 'LPPool1d': return new LPPool1d(cfg.normType as number, cfg.kernelSize as number, { stride: cfg.stride as number, ceilMode: cfg.ceilMode as boolean });
    case 'LPPool2d': return new LPPool2d(cfg.normType as number, cfg.kernelSize as Size2d, { stride: cfg.stride as Size2d, ceilMode: cfg.ceilMode as boolean });
    case 'ChannelShuffle': return new ChannelShuffle(cfg.groups as number);
    case 'LocalResponseNorm': return new LocalResponseNorm(cfg.size as number, { alpha: cfg.alpha as number, beta: cfg.beta as number, k: cfg.k as number });
    case 'Softmax2d': return new Softmax2d();
    case 'Unfold': {
      const { type: _, kernelSize, ...options } = cfg as unknown as { type: string; kernelSize: Size2d } & UnfoldOptions;
      return new Unfold(kernelSize, options);
    }
    case 'Fold': {
      const { type: _, outputSize, kernelSize, ...options } = cfg as unknown as { type: string; outputSize: Size2d; kernelSize: Size2d } & FoldOptions;
      return new Fold(outputSize, kernelSize, options);
    }
    case 'LayerNorm': return savedAs(new LayerNorm(cfg.dim as number, { epsilon: cfg.epsilon as number }), entries, prefix);
    case 'RMSNorm': {
      const options = { epsilon: cfg.epsilon as number | undefined, elementwiseAffine: cfg.elementwiseAffine as boolean };
      return savedAs(new RMSNorm(cfg.normalizedShape as number[], options), entries, prefix);
    }
    case 'ReLU': return new ReLU();
    case 'Sigmoid': return new Sigmoid();
    case 'Tanh': return new Tanh();
    // A file from before the exact form existed holds no approximate: its GELU was the tanh one.
    case 'GELU': return new GELU({ approximate: (cfg.approximate as GeluApproximation | undefined) ?? 'tanh' });
    case 'Softmax': return new Softmax(cfg.axis as number);
    case 'LeakyReLU': return new LeakyReLU(cfg.alpha as number);
    case 'SiLU': return new SiLU();
    case 'SELU': return new SELU();
    case 'Mish': return new Mish();
    case 'Hardswish': return new Hardswish();
    case 'Hardsigmoid': return new Hardsigmoid();
    case 'ReLU6': return new ReLU6();
    case 'Softsign': return new Softsign();
    case 'LogSigmoid': return new LogSigmoid();
    case 'LogSoftmax': return new LogSoftmax(cfg.axis as number);
    case 'GLU': return new GLU(cfg.axis as number);
    case 'ELU': return new ELU(cfg.alpha as number);
    case 'CELU': return new CELU(cfg.alpha as number);
    case 'Softplus': return new Softplus({ beta: cfg.beta as number, threshold: cfg.threshold as number });
    case 'Hardtanh': return new Hardtanh({ minVal: cfg.minVal as number, maxVal: cfg.maxVal as number });
    case 'PReLU': return savedAs(new PReLU({ numParameters: cfg.numParameters as number }), entries, prefix);
    case 'Softmin': return new Softmin(cfg.axis as number);
    case 'Hardshrink': return new Hardshrink(cfg.lambd as number);
    case 'Softshrink': return new Softshrink(cfg.lambd as number);
    case 'Tanhshrink': return new Tanhshrink();
    case 'Threshold': return new Threshold(cfg.threshold as number, cfg.value as number);
    case 'ZeroPad1d': return new ZeroPad1d(cfg.padding as Padding1d);
    case 'ZeroPad2d': return new ZeroPad2d(cfg.padding as Padding2d);
    case 'ConstantPad1d': return new ConstantPad1d(cfg.padding as Padding1d, cfg.value as number);
    case 'ConstantPad2d': return new ConstantPad2d(cfg.padding as Padding2d, cfg.value as number);
    case 'ReflectionPad1d': return new ReflectionPad1d(cfg.padding as Padding1d);
    case 'ReflectionPad2d': return new ReflectionPad2d(cfg.padding as Padding2d);
    case 'ReplicationPad1d': return new ReplicationPad1d(cfg.padding as Padding1d);
    case 'ReplicationPad2d': return new ReplicationPad2d(cfg.padding as Padding2d);
    case 'CircularPad1d': return new CircularPad1d(cfg.padding as Padding1d);
    case 'CircularPad2d': return new CircularPad2d(cfg.padding as Padding2d);
    case 'ZeroPad3d': return new ZeroPad3d(cfg.padding as Padding3d);
    case 'ConstantPad3d': return new ConstantPad3d(cfg.padding as Padding3d, cfg.value as number);
    case 'ReflectionPad3d': return new ReflectionPad3d(cfg.padding as Padding3d);
    case 'ReplicationPad3d': return new ReplicationPad3d(cfg.padding as Padding3d);
    case 'CircularPad3d': return new CircularPad3d(cfg.padding as Padding3d);
    case 'Dropout': return new Dropout(cfg.rate as number, cfg.seed as number | undefined);
    case 'Dropout1d': return new Dropout1d(cfg.rate as number, cfg.seed as number | undefined);
    case 'Dropout2d': return new Dropout2d(cfg.rate as number, cfg.seed as number | undefined);
    case 'Dropout3d': return new Dropout3d(cfg.rate as number, cfg.seed as number | undefined);
    case 'AlphaDropout': return new AlphaDropout(cfg.rate as number, cfg.seed as number | undefined);
    case 'FeatureAlphaDropout': return new FeatureAlphaDropout(cfg.rate as number, cfg.seed as number | undefined);
    case 'RReLU': return new RReLU(cfg.lower as number, cfg.upper as number, cfg.seed as number | undefined);
    // checkModel knows a type this switch does not: model_format.ts and this file disagree.
    default: throw new Error(`tm.nn.load: no way to build a layer of type ${String(cfg.type)}`);
  }
}

/** A ValueError (a CorruptFileError once fromBytes sees it) where a value of the entry is not `what` `ok` tests for. */
function refuseImpossible(entries: Entries, name: string, ok: (v: number) => boolean, what: string): void {
  const e = entries[name];
  const values = e.dtype === 'f16' ? decodeF16(e.data as Uint16Array) : e.data;
  const bad = values.findIndex((v) => !ok(v));
  if (bad >= 0) throw new ValueError(`${name} holds ${values[bad]} at ${bad}; a running estimate is ${what}`);
}

/** `layer` with each of its own parameters and buffers made asSaved, in the field of its name (every layer here keeps them so). */
function savedAs<L extends Module>(layer: L, entries: Entries, prefix: string): L {
  const fields = layer as unknown as Record<string, Tensor>;
  for (const name of Object.keys({ ...layer.ownParameters(), ...layer.ownBuffers() })) fields[name] = asSaved(fields[name], entries, `${prefix}${name}`);
  return layer;
}

/** savedAs for `layer` and every sublayer below it, each under the path namedParameters gives it. */
function savedTree<L extends Module>(layer: L, entries: Entries, prefix: string): L {
  savedAs(layer, entries, prefix);
  for (const [name, child] of layer.namedChildren()) savedTree(child, entries, `${prefix}${name}.`);
  return layer;
}

/**
 * A fresh (f32) parameter in the dtype its entry was saved in: a layer saved
 * in f16 loads in f16, the values and the memory as saved. A new leaf, not a
 * cast of the f32 one: a cast recorded for autograd would send the
 * parameter's gradient to the f32 tensor disposed here.
 */
function asSaved(p: Tensor, entries: Entries, name: string): Tensor {
  if (entries[name].dtype !== 'f16' || p.dtype === 'f16') return p;
  const half = zeros(p.shape, { dtype: 'f16' }); // the saved values are assigned next
  half.requiresGrad = p.requiresGrad; // a buffer (running statistics) stays untrained
  p.dispose();
  return half;
}

/**
 * A new layer built from `layer`'s description, as tm.nn.load builds one, its
 * parameters and buffers copies of `layer`'s (each in its dtype, trained or
 * frozen as it was), modes and hooks as they were; null where the
 * description is not of a type load builds, or builds something else (a
 * subclass of a built-in layer). What quantizeDynamic's copy does for the
 * layers whose own fields do not hold all of them (private dropouts).
 */
export function rebuilt(layer: Module): Module | null {
  const cfg = layer.config();
  if (!LOADABLE_LAYERS.includes(cfg.type)) return null;
  const state = layer.namedState();
  // build reads each entry's dtype (an f16 layer builds in f16); the values are assigned below.
  const entries: Entries = Object.fromEntries(Object.entries(state).map(([name, t]) => [name, { dtype: t.dtype, shape: t.shape, data: new Float32Array(0) }]));
  const copy = keepingGlobalSequence(() => build(cfg, entries));
  const own = copy.namedState();
  const same = Object.getPrototypeOf(copy) === Object.getPrototypeOf(layer) && Object.keys(own).length === Object.keys(state).length &&
    Object.entries(own).every(([name, t]) => state[name] !== undefined && state[name].dtype === t.dtype && sameShape(state[name].shape, t.shape));
  if (!same) {
    copy.dispose();
    return null;
  }
  noGrad(() => {
    for (const [name, t] of Object.entries(own)) {
      const value = state[name].clone(); // the copy's own storage: neither model's changes reach the other
      t.assign(value);
      value.dispose();
      t.requiresGrad = state[name].requiresGrad;
    }
  });
  const layers = layer.modules();
  copy.modules().forEach((m, i) => {
    m.training = layers[i].training;
    copyHooks(layers[i], m);
  });
  return copy;
}

/** Rebuilds a model from bytes written by `model.toBytes()` / `model.save()`. */
export function fromBytes(bytes: Uint8Array): Sequential {
  const { entries, metadata } = decodeSafetensors(bytes);
  if (metadata.format !== FORMAT || typeof metadata.model !== 'string') {
    throw new CorruptFileError('model file: no tmnn model description in the metadata (was it saved by tmnn?)');
  }
  // A file from another version that does not fit says so: a newer tmnn may write what this one does not know.
  const written = typeof metadata.tmnn_version === 'string' && metadata.tmnn_version !== VERSION
    ? ` (the file was written by tmnn ${metadata.tmnn_version.slice(0, 40)}, this is ${VERSION})`
    : '';
  const corrupt = (problem: string): never => {
    throw new CorruptFileError(`model file: ${problem}${written}`);
  };
  let config: unknown;
  try {
    config = JSON.parse(metadata.model);
  } catch (err) {
    corrupt(`the model description is not valid JSON (${(err as Error).message})`);
  }
  checkModel(config, entries, corrupt);
  let model: Module;
  try {
    // Unseeded layers draw initial weights (overwritten next) from setSeed's sequence: kept where it was.
    model = keepingGlobalSequence(() => build(config as Config, entries));
  } catch (err) {
    // Layer constructors reject bad settings with their own errors (an unknown activation, a rate of 1.5);
    // in a file that means corruption. Anything else (a lost device, memory) is not the file's doing.
    if (err instanceof ShapeError || err instanceof ValueError || err instanceof DTypeError) corrupt(err.message);
    throw err;
  }
  if (!(model instanceof Sequential)) {
    model.dispose();
    corrupt('the top-level model is not a Sequential');
  }
  const sequential = model as Sequential;
  try {
    for (const [name, p] of Object.entries(sequential.namedState())) {
      const e = entries[name];
      const value = fromStorageArray(e.data, e.shape, e.dtype);
      p.assign(value);
      value.dispose();
    }
  } catch (err) {
    sequential.dispose();
    throw err;
  }
  return sequential;
}

/** Loads a model saved with `model.save(path)`. */
export async function load(path: string | URL): Promise<Sequential> {
  return fromBytes(await readFileBytes(path));
}
