// What a tmnn model file holds, checked the same way by save (serialize.ts,
// before writing) and by load (load.ts, before building anything): the
// architecture as a tree of layer descriptions, each of a type tm.nn.load
// rebuilds with exactly the fields that type has, and a parameter entry for
// every parameter those layers own, of the shape the layer gives it, in f32
// or f16, and no other entry. So a file that save writes, load reads back as
// the same model; and a file load refuses, save would not have written.
import type { DType } from '../dtype.js';
import { formatShape, formatValue } from '../errors.js';
import { convSizes, poolSizes } from '../ops/conv.js';
import { convTransposeSizes } from '../ops/conv_transpose.js';
import { IMAGES, SEQUENCES, type Size2d } from '../ops/windows.js';
import { sameShape } from '../shape.js';
import { isUnflattenShape } from './flatten.js';
import { isPadding } from './padding.js';
import { isAxisOrder } from './permute.js';

export const FORMAT = 'tmnn';

/** Sequentials inside Sequentials, at most: a description is walked recursively, and a hostile file must not exhaust the stack. */
export const MAX_DEPTH = 16;

/** The dtypes a model file stores parameters in (a layer's parameters are floats: they are trained). */
export const PARAMETER_DTYPES: readonly DType[] = ['f32', 'f16'];

interface Field {
  check: (v: unknown) => boolean;
  what: string;
  optional?: true;
}

const flag: Field = { check: (v) => typeof v === 'boolean', what: 'true or false' };
const positiveInteger: Field = { check: (v) => Number.isSafeInteger(v) && (v as number) > 0, what: 'a positive integer' };
const integer: Field = { check: (v) => Number.isSafeInteger(v), what: 'an integer' };
const pairField = (least: number): Field => ({
  check: (v) => Array.isArray(v) && v.length === 2 && v.every((n) => Number.isSafeInteger(n) && n >= least),
  what: `[height, width], integers ≥ ${least}`,
});
const tripleField = (least: number): Field => ({
  check: (v) => Array.isArray(v) && v.length === 3 && v.every((n) => Number.isSafeInteger(n) && n >= least),
  what: `[depth, height, width], integers ≥ ${least}`,
});
const integerAtLeast = (least: number): Field => ({ check: (v) => Number.isSafeInteger(v) && (v as number) >= least, what: `an integer ≥ ${least}` });
/** A fractional max pool's outputRatio: one number in (0, 1) per axis. */
const ratios = (count: number): Field => ({
  check: (v) => Array.isArray(v) && v.length === count && v.every((r) => typeof r === 'number' && r > 0 && r < 1),
  what: `${count === 2 ? '[height, width]' : '[depth, height, width]'}, numbers in (0, 1)`,
});
/** A convolution's fields, its sizes described by `size` (an integer along a sequence, a pair over images, a triple over volumes). */
const convolution = (size: (least: number) => Field): Readonly<Record<string, Field>> => ({
  inChannels: positiveInteger, outChannels: positiveInteger, kernelSize: size(1), stride: size(1), dilation: size(1), groups: positiveInteger,
  padding: { check: (v) => v === 'same' || size(0).check(v), what: `'same' or ${size(0).what}` },
  bias: flag,
});
/** A convolution layer's: what fills its padding, written only when not zeros (files from before have none). */
const convolutionLayer = (size: (least: number) => Field): Readonly<Record<string, Field>> => ({
  ...convolution(size),
  paddingMode: { check: (v) => v === 'reflect' || v === 'replicate' || v === 'circular', what: "'reflect', 'replicate' or 'circular'", optional: true },
});
/** A transposed convolution's fields: a convolution's, its padding a size only, and outputPadding. */
const transposedConvolution = (size: (least: number) => Field): Readonly<Record<string, Field>> => ({ ...convolution(size), padding: size(0), outputPadding: size(0) });
/** A flag files written before it existed lack: the default then holds. */
const laterFlag: Field = { ...flag, optional: true };
const pool = (size: (least: number) => Field): Readonly<Record<string, Field>> => ({ kernelSize: size(1), stride: size(1), padding: size(0), ceilMode: laterFlag });
const maxPool = (size: (least: number) => Field): Readonly<Record<string, Field>> => ({ ...pool(size), dilation: { ...size(1), optional: true } });
/** An average pool's: a pool's, and whether the padding counts. */
const averagePool = (size: (least: number) => Field): Readonly<Record<string, Field>> => ({ ...pool(size), countIncludePad: laterFlag });
const positiveNumber = (v: unknown): boolean => typeof v === 'number' && v > 0 && Number.isFinite(v);
const finite: Field = { check: (v) => typeof v === 'number' && Number.isFinite(v), what: 'a number' };
const epsilon: Field = { check: (v) => typeof v === 'number' && v > 0 && Number.isFinite(v), what: 'a number > 0' };

const momentum: Field = { check: (v) => typeof v === 'number' && v >= 0 && v <= 1, what: 'a number in [0, 1]' };
const BATCH_NORM: Readonly<Record<string, Field>> = { features: positiveInteger, epsilon, momentum, affine: laterFlag, trackRunningStats: laterFlag };
/** BatchNorm's fields, both flags always written (the layer came after them). */
const INSTANCE_NORM: Readonly<Record<string, Field>> = { ...BATCH_NORM, affine: flag, trackRunningStats: flag };

/** A recurrent layer's fields (RNN adds its nonlinearity). */
const RECURRENT: Readonly<Record<string, Field>> = {
  inputSize: positiveInteger, hiddenSize: positiveInteger, numLayers: positiveInteger,
  bias: flag,
  bidirectional: flag,
  dropout: { check: (v) => typeof v === 'number' && v >= 0 && v < 1, what: 'a number in [0, 1)' },
  output: { check: (v) => v === 'sequence' || v === 'last', what: "'sequence' or 'last'" },
  seed: { ...integer, optional: true },
};
/** The gates of each recurrent type: its weights are [input, gates × hidden] and [hidden, gates × hidden]. */
const GATES: Readonly<Record<string, number>> = { RNN: 1, LSTM: 4, GRU: 3 };
/** The gates of each quantized recurrent type (tm.nn.quantizeDynamic's), as its float type's. */
const QUANTIZED_GATES: Readonly<Record<string, number>> = { QuantizedRNN: 1, QuantizedLSTM: 4, QuantizedGRU: 3 };

/** A Dense layer's fields, and a QuantizedDense's (tm.nn.quantizeDynamic's). */
const DENSE: Readonly<Record<string, Field>> = { inputs: positiveInteger, units: positiveInteger, activation: { check: (v) => typeof v === 'string', what: 'an activation name' }, bias: flag };

/** A recurrent cell's fields (RNNCell adds its nonlinearity). */
const RECURRENT_CELL: Readonly<Record<string, Field>> = {
  inputSize: positiveInteger, hiddenSize: positiveInteger, bias: flag, seed: { ...integer, optional: true },
};
/** The gates of each cell type, as its layer's. */
const CELL_GATES: Readonly<Record<string, number>> = { RNNCell: 1, LSTMCell: 4, GRUCell: 3 };
/** The gates of each quantized cell type (tm.nn.quantizeDynamic's), as its float type's. */
const QUANTIZED_CELL_GATES: Readonly<Record<string, number>> = { QuantizedRNNCell: 1, QuantizedLSTMCell: 4, QuantizedGRUCell: 3 };
/** An RNN's or RNNCell's elementwise function. */
const nonlinearity: Field = { check: (v) => v === 'tanh' || v === 'relu', what: "'tanh' or 'relu'" };

const rate: Field = { check: (v) => typeof v === 'number' && v >= 0 && v < 1, what: 'a number in [0, 1)' };

/** A transformer layer's fields, encoder's or decoder's. */
const TRANSFORMER: Readonly<Record<string, Field>> = {
  dModel: positiveInteger, nHead: positiveInteger, dimFeedforward: positiveInteger, dropout: rate,
  activation: { check: (v) => v === 'relu' || v === 'gelu', what: "'relu' or 'gelu'" }, layerNormEps: epsilon, normFirst: flag, causal: flag, bias: flag,
  seed: { ...integer, optional: true },
};

/** A transformer stack's layers, at most: a hostile file must not make the check below walk for ever. */
export const MAX_STACKED_LAYERS = 1024;

/** How many layers a transformer stack has. */
const stackedLayers: Field = { check: (v) => positiveInteger.check(v) && (v as number) <= MAX_STACKED_LAYERS, what: `an integer from 1 to ${MAX_STACKED_LAYERS}` };

/** A transformer stack's fields: its layers' description (of `layerType`), how many, and whether a final LayerNorm follows. */
const transformerStack = (layerType: string): Readonly<Record<string, Field>> => ({
  layer: { check: (v) => v !== null && typeof v === 'object' && (v as { type?: unknown }).type === layerType, what: `a ${layerType} description` },
  numLayers: stackedLayers,
  norm: flag,
});

/** The padding layers' fields: [left, right], [left, right, top, bottom] or [left, right, top, bottom, front, back], and a constant padding's value. */
function paddingLayers(): Record<string, Readonly<Record<string, Field>>> {
  const layers: Record<string, Readonly<Record<string, Field>>> = {};
  for (const [axes, sides, what] of [['1d', 2, '[left, right]'], ['2d', 4, '[left, right, top, bottom]'], ['3d', 6, '[left, right, top, bottom, front, back]']] as const) {
    const padding: Field = { check: (v) => isPadding(v, sides), what: `${what}, integers ≥ 0` };
    for (const kind of ['Zero', 'Reflection', 'Replication', 'Circular']) layers[`${kind}Pad${axes}`] = { padding };
    layers[`ConstantPad${axes}`] = { padding, value: finite };
  }
  return layers;
}

/** Each layer type load.ts rebuilds, and the fields of its description (besides `type`): what its config() writes. */
const LAYERS: Readonly<Record<string, Readonly<Record<string, Field>>>> = {
  Sequential: { layers: { check: Array.isArray, what: 'an array' } },
  Dense: DENSE,
  QuantizedDense: DENSE,
  Bilinear: { in1: positiveInteger, in2: positiveInteger, out: positiveInteger, bias: flag },
  AdaptiveLogSoftmaxWithLoss: {
    inFeatures: positiveInteger, nClasses: positiveInteger,
    cutoffs: { check: (v) => Array.isArray(v) && v.length > 0 && v.length <= MAX_STACKED_LAYERS && v.every((c) => positiveInteger.check(c)), what: 'a non-empty list of positive integers' },
    divValue: { check: positiveNumber, what: 'a finite number > 0' }, headBias: flag,
  },
  ReLU: {},
  Sigmoid: {},
  Tanh: {},
  GELU: { approximate: { check: (v) => v === 'none' || v === 'tanh', what: "'none' or 'tanh'", optional: true } },
  Softmax: { axis: integer },
  LeakyReLU: { alpha: finite },
  SiLU: {},
  SELU: {},
  Mish: {},
  Hardswish: {},
  Hardsigmoid: {},
  ReLU6: {},
  Softsign: {},
  LogSigmoid: {},
  LogSoftmax: { axis: integer },
  GLU: { axis: integer },
  ELU: { alpha: finite },
  CELU: { alpha: { check: (v) => finite.check(v) && v !== 0, what: 'a finite number other than 0' } },
  Softplus: { beta: { check: (v) => finite.check(v) && v !== 0, what: 'a finite number other than 0' }, threshold: finite },
  Hardtanh: { minVal: finite, maxVal: finite },
  PReLU: { numParameters: positiveInteger },
  Softmin: { axis: integer },
  Hardshrink: { lambd: finite },
  Softshrink: { lambd: { check: (v) => finite.check(v) && (v as number) >= 0, what: 'a number ≥ 0' } },
  Tanhshrink: {},
  Threshold: { threshold: finite, value: finite },
  Dropout: { rate: finite, seed: { ...integer, optional: true } },
  Dropout1d: { rate: finite, seed: { ...integer, optional: true } },
  Dropout2d: { rate: finite, seed: { ...integer, optional: true } },
  Dropout3d: { rate: finite, seed: { ...integer, optional: true } },
  AlphaDropout: { rate: finite, seed: { ...integer, optional: true } },
  FeatureAlphaDropout: { rate: finite, seed: { ...integer, optional: true } },
  RReLU: { lower: finite, upper: finite, seed: { ...integer, optional: true } },
  ...paddingLayers(),
  Embedding: {
    count: positiveInteger, dim: positiveInteger, paddingIdx: { ...integer, optional: true },
    maxNorm: { check: positiveNumber, what: 'a finite number > 0', optional: true },
    normType: { check: (v) => positiveNumber(v) || v === 'inf', what: "a finite number > 0 or 'inf'", optional: true },
  },
  EmbeddingBag: {
    count: positiveInteger, dim: positiveInteger, mode: { check: (v) => v === 'sum' || v === 'mean' || v === 'max', what: "'sum', 'mean' or 'max'" },
    includeLastOffset: flag, paddingIdx: { ...integer, optional: true },
  },
  Flatten: {},
  Unflatten: { axis: integer, shape: { check: isUnflattenShape, what: 'a list of positive sizes, one -1 at most' } },
  PixelShuffle: { upscaleFactor: positiveInteger },
  PixelUnshuffle: { downscaleFactor: positiveInteger },
  Identity: {},
  Upsample: {
    size: { check: (v) => positiveInteger.check(v) || pairField(1).check(v) || tripleField(1).check(v), what: 'a positive integer, [height, width] or [depth, height, width]', optional: true },
    scaleFactor: {
      check: (v) => positiveNumber(v) || (Array.isArray(v) && (v.length === 2 || v.length === 3) && v.every(positiveNumber)), what: 'a number > 0, or [height, width] or [depth, height, width] of them', optional: true,
    },
    mode: {
      check: (v) => ['nearest', 'nearest-exact', 'linear', 'bilinear', 'bicubic', 'trilinear'].includes(v as string), what: "'nearest', 'nearest-exact', 'linear', 'bilinear', 'bicubic' or 'trilinear'",
    },
    alignCorners: laterFlag,
  },
  Unfold: { kernelSize: pairField(1), dilation: pairField(1), padding: pairField(0), stride: pairField(1) },
  Fold: { outputSize: pairField(1), kernelSize: pairField(1), dilation: pairField(1), padding: pairField(0), stride: pairField(1) },
  ChannelShuffle: { groups: positiveInteger },
  LocalResponseNorm: { size: positiveInteger, alpha: finite, beta: finite, k: finite },
  Softmax2d: {},
  Permute: { axes: { check: isAxisOrder, what: 'an order of 1..n, each once' } },
  Conv1d: convolutionLayer(integerAtLeast),
  Conv2d: convolutionLayer(pairField),
  Conv3d: convolutionLayer(tripleField),
  ConvTranspose3d: transposedConvolution(tripleField),
  ConvTranspose1d: transposedConvolution(integerAtLeast),
  ConvTranspose2d: transposedConvolution(pairField),
  MaxPool1d: maxPool(integerAtLeast),
  MaxPool2d: maxPool(pairField),
  AvgPool1d: averagePool(integerAtLeast),
  AvgPool2d: averagePool(pairField),
  // The 3d pools came after ceilMode, dilation and countIncludePad: their files always hold them.
  MaxPool3d: { ...maxPool(tripleField), ceilMode: flag, dilation: tripleField(1) },
  AvgPool3d: { ...averagePool(tripleField), ceilMode: flag, countIncludePad: flag },
  LPPool1d: { normType: { check: positiveNumber, what: 'a finite number > 0' }, kernelSize: integerAtLeast(1), stride: integerAtLeast(1), ceilMode: flag },
  LPPool2d: { normType: { check: positiveNumber, what: 'a finite number > 0' }, kernelSize: pairField(1), stride: pairField(1), ceilMode: flag },
  MaxUnpool1d: { kernelSize: integerAtLeast(1), stride: integerAtLeast(1), padding: integerAtLeast(0) },
  MaxUnpool2d: { kernelSize: pairField(1), stride: pairField(1), padding: pairField(0) },
  FractionalMaxPool2d: { kernelSize: pairField(1), outputSize: { ...pairField(1), optional: true }, outputRatio: { ...ratios(2), optional: true }, seed: { ...integer, optional: true } },
  FractionalMaxPool3d: { kernelSize: tripleField(1), outputSize: { ...tripleField(1), optional: true }, outputRatio: { ...ratios(3), optional: true }, seed: { ...integer, optional: true } },
  MaxUnpool3d: { kernelSize: tripleField(1), stride: tripleField(1), padding: tripleField(0) },
  AdaptiveAvgPool1d: { outputSize: integerAtLeast(1) },
  AdaptiveMaxPool1d: { outputSize: integerAtLeast(1) },
  AdaptiveAvgPool2d: { outputSize: pairField(1) },
  AdaptiveMaxPool2d: { outputSize: pairField(1) },
  AdaptiveAvgPool3d: { outputSize: tripleField(1) },
  AdaptiveMaxPool3d: { outputSize: tripleField(1) },
  BatchNorm1d: BATCH_NORM,
  BatchNorm2d: BATCH_NORM,
  BatchNorm3d: BATCH_NORM,
  InstanceNorm1d: INSTANCE_NORM,
  InstanceNorm2d: INSTANCE_NORM,
  InstanceNorm3d: INSTANCE_NORM,
  GroupNorm: { numGroups: positiveInteger, numChannels: positiveInteger, epsilon, affine: flag },
  LayerNorm: { dim: positiveInteger, epsilon },
  RMSNorm: {
    normalizedShape: { check: (v) => Array.isArray(v) && v.length > 0 && v.every((d) => positiveInteger.check(d)), what: 'a list of positive integers' },
    elementwiseAffine: flag,
    epsilon: { ...epsilon, optional: true }, // none: the default, f32's machine epsilon
  },
  RNN: { ...RECURRENT, nonlinearity },
  LSTM: RECURRENT,
  GRU: RECURRENT,
  QuantizedLSTM: RECURRENT,
  QuantizedGRU: RECURRENT,
  QuantizedRNN: { ...RECURRENT, nonlinearity },
  RNNCell: { ...RECURRENT_CELL, nonlinearity },
  LSTMCell: RECURRENT_CELL,
  GRUCell: RECURRENT_CELL,
  QuantizedRNNCell: { ...RECURRENT_CELL, nonlinearity },
  QuantizedLSTMCell: RECURRENT_CELL,
  QuantizedGRUCell: RECURRENT_CELL,
  MultiheadAttention: { embedDim: positiveInteger, numHeads: positiveInteger, bias: flag, dropout: rate, causal: flag, seed: { ...integer, optional: true } },
  TransformerEncoderLayer: TRANSFORMER,
  TransformerDecoderLayer: TRANSFORMER,
  TransformerEncoder: transformerStack('TransformerEncoderLayer'),
  TransformerDecoder: transformerStack('TransformerDecoderLayer'),
  Transformer: { ...TRANSFORMER, numEncoderLayers: stackedLayers, numDecoderLayers: stackedLayers },
};

/** The layer types tm.nn.load rebuilds. */
export const LOADABLE_LAYERS: readonly string[] = Object.keys(LAYERS);

/** A parameter as the file holds it (or as save would write it). */
export interface ParameterEntry {
  readonly shape: readonly number[];
  readonly dtype: DType;
}

/**
 * Checks a model description and its parameter entries against each other;
 * the first problem goes to `fail` (a CorruptFileError on load, a
 * ValueError on save), in words that name the layer or the parameter.
 */
/** A tensor a layer description calls for: a parameter (trained) or a buffer (saved state, as BatchNorm's running estimates). */
interface Wanted {
  readonly shape: readonly number[];
  readonly kind: 'parameter' | 'buffer';
  /** The dtypes it may be stored in: PARAMETER_DTYPES unless said (a quantized layer's int8 values, its f32 scales). */
  readonly dtypes?: readonly DType[];
}

export function checkModel(config: unknown, entries: Readonly<Record<string, ParameterEntry>>, fail: (problem: string) => never): void {
  const wanted = new Map<string, Wanted>();
  checkLayer(config, '', 0, wanted, fail);
  for (const [name, { shape, kind, dtypes = PARAMETER_DTYPES }] of wanted) {
    if (!Object.hasOwn(entries, name)) fail(`${kind} ${name} is missing`);
    const e = entries[name];
    if (!sameShape(e.shape, shape)) fail(`${kind} ${name} is ${formatShape(e.shape)}, the layer needs ${formatShape(shape)}`);
    if (!dtypes.includes(e.dtype)) {
      fail(`${kind} ${name} is ${e.dtype}; ${dtypes === PARAMETER_DTYPES ? 'model files hold parameters and buffers' : 'the layer holds it'} in ${dtypes.join(' or ')}`);
    }
  }
  const extra = Object.keys(entries).filter((k) => !wanted.has(k));
  if (extra.length) fail(`tensors ${extra.join(', ')} belong to no layer`);
}

/** One layer's description (at `path`, as namedState names its tensors), then its sublayers'; the parameters and buffers it owns go into `wanted`. */
function checkLayer(c: unknown, path: string, depth: number, wanted: Map<string, Wanted>, fail: (problem: string) => never): void {
  const where = path ? `layer ${path.slice(0, -1)}` : 'the model';
  if (depth > MAX_DEPTH) fail(`${where} is nested more than ${MAX_DEPTH} Sequentials deep, which model files do not hold`);
  if (c === null || typeof c !== 'object' || Array.isArray(c)) fail(`${where} is described by ${formatValue(c)}, not an object`);
  const cfg = c as Record<string, unknown>;
  const type = cfg.type;
  if (typeof type !== 'string' || !Object.hasOwn(LAYERS, type)) {
    fail(`${where} is of unknown layer type ${formatValue(type)} (tm.nn.load rebuilds ${LOADABLE_LAYERS.join(', ')}; save the parameters of another with encodeSafetensors)`);
  }
  const fields = LAYERS[type as string];
  for (const key of Object.keys(cfg)) {
    if (key !== 'type' && !Object.hasOwn(fields, key)) fail(`${where} (${type}) has a field ${formatValue(key)} that ${type} does not have`);
  }
  for (const [key, field] of Object.entries(fields)) {
    if (cfg[key] === undefined && field.optional) continue;
    if (!field.check(cfg[key])) fail(`${where} (${type}) has ${key} = ${formatValue(cfg[key])}, expected ${field.what}`);
  }
  if (type === 'Sequential') (cfg.layers as unknown[]).forEach((layer, i) => checkLayer(layer, `${path}${i}.`, depth + 1, wanted, fail));
  if (type === 'Dense') {
    const [inputs, units] = [cfg.inputs as number, cfg.units as number];
    wanted.set(`${path}weight`, { shape: [inputs, units], kind: 'parameter' });
    if (cfg.bias) wanted.set(`${path}bias`, { shape: [units], kind: 'parameter' });
  }
  if (type === 'QuantizedDense') {
    // As nn/quantized_dense.ts holds them: int8 rows [units, inputs], an f32 scale per row, an f32 bias; buffers all (none is trained).
    const [inputs, units] = [cfg.inputs as number, cfg.units as number];
    wanted.set(`${path}weight`, { shape: [units, inputs], kind: 'buffer', dtypes: ['i8'] });
    wanted.set(`${path}weightScale`, { shape: [units], kind: 'buffer', dtypes: ['f32'] });
    if (cfg.bias) wanted.set(`${path}bias`, { shape: [units], kind: 'buffer', dtypes: ['f32'] });
  }
  // A convolution's and a pooling's sizes are checked as the layers check them (ops/conv.ts), the layer named.
  const refused = (check: () => void) => {
    try {
      check();
    } catch (err) {
      fail(`${where} (${type}): ${(err as Error).message.replace(`${type}: `, '')}`);
    }
  };
  const axes = /1d$/.test(type as string) ? SEQUENCES : IMAGES;
  if (/^Conv(Transpose)?[12]d$/.test(type as string)) {
    const transposed = (type as string).startsWith('ConvTranspose');
    const [inChannels, outChannels, groups] = [cfg.inChannels as number, cfg.outChannels as number, cfg.groups as number];
    if (inChannels % groups || outChannels % groups) fail(`${where} (${type}) has groups ${groups}, which does not divide its ${inChannels} → ${outChannels} channels`);
    const sizes = { stride: cfg.stride as Size2d, dilation: cfg.dilation as Size2d, groups };
    refused(() => transposed
      ? convTransposeSizes(type as string, axes, { ...sizes, padding: cfg.padding as Size2d, outputPadding: cfg.outputPadding as Size2d })
      : convSizes(type as string, axes, { ...sizes, padding: cfg.padding as Size2d | 'same' }));
    // A convolution's weight is [out, in/groups, ...kernel]; a transposed one's [in, out/groups, ...kernel].
    const [first, second] = transposed ? [inChannels, outChannels / groups] : [outChannels, inChannels / groups];
    wanted.set(`${path}weight`, { shape: [first, second, ...[cfg.kernelSize as number | number[]].flat()], kind: 'parameter' });
    if (cfg.bias) wanted.set(`${path}bias`, { shape: [outChannels], kind: 'parameter' });
  }
  if (type === 'Conv3d' || type === 'ConvTranspose3d') {
    // The sizes' relations ('same' with stride 1, outputPadding below the stride) are the layer's to check when load.ts
    // builds it: the checks of the ops over volumes stay out of this module, which every page that saves a model downloads.
    const [inChannels, outChannels, groups] = [cfg.inChannels as number, cfg.outChannels as number, cfg.groups as number];
    if (inChannels % groups || outChannels % groups) fail(`${where} (${type}) has groups ${groups}, which does not divide its ${inChannels} → ${outChannels} channels`);
    const [first, second] = type === 'ConvTranspose3d' ? [inChannels, outChannels / groups] : [outChannels, inChannels / groups];
    wanted.set(`${path}weight`, { shape: [first, second, ...(cfg.kernelSize as number[])], kind: 'parameter' });
    if (cfg.bias) wanted.set(`${path}bias`, { shape: [outChannels], kind: 'parameter' });
  }
  if (/^(Max|Avg)Pool[12]d$/.test(type as string)) {
    const dilation = (type as string).startsWith('Max') ? { dilation: (cfg.dilation ?? 1) as Size2d } : {};
    refused(() => poolSizes(type as string, axes, cfg.kernelSize as Size2d, { stride: cfg.stride as Size2d, padding: cfg.padding as Size2d, ...dilation }, !('dilation' in dilation)));
  }
  if (/^(Batch|Instance)Norm[123]d$/.test(type as string)) {
    if (cfg.affine !== false) for (const name of ['weight', 'bias']) wanted.set(`${path}${name}`, { shape: [cfg.features as number], kind: 'parameter' });
    if (cfg.trackRunningStats !== false) for (const name of ['runningMean', 'runningVar']) wanted.set(`${path}${name}`, { shape: [cfg.features as number], kind: 'buffer' });
  }
  // One cell's weights (a layer's, named with its suffix; a cell's without): x·Wih, h·Whh and their biases.
  const cellWeights = (suffix: string, input: number, hidden: number, width: number) => {
    wanted.set(`${path}weightIh${suffix}`, { shape: [input, width], kind: 'parameter' });
    wanted.set(`${path}weightHh${suffix}`, { shape: [hidden, width], kind: 'parameter' });
    if (cfg.bias) for (const name of ['biasIh', 'biasHh']) wanted.set(`${path}${name}${suffix}`, { shape: [width], kind: 'parameter' });
  };
  // A quantized cell's, as nn/quantized_cell_weights.ts holds them: int8 rows [width, input], an f32 scale per row, f32 biases; buffers all.
  const quantizedCellWeights = (suffix: string, input: number, hidden: number, width: number) => {
    for (const [name, inner] of [['weightIh', input], ['weightHh', hidden]] as const) {
      wanted.set(`${path}${name}${suffix}`, { shape: [width, inner], kind: 'buffer', dtypes: ['i8'] });
      wanted.set(`${path}${name}Scale${suffix}`, { shape: [width], kind: 'buffer', dtypes: ['f32'] });
    }
    if (cfg.bias) for (const name of ['biasIh', 'biasHh']) wanted.set(`${path}${name}${suffix}`, { shape: [width], kind: 'buffer', dtypes: ['f32'] });
  };
  const quantized = Object.hasOwn(QUANTIZED_GATES, type as string);
  if (quantized || Object.hasOwn(GATES, type as string)) {
    // As nn/recurrent.ts names them: layer by layer, the reverse pass after the forward one.
    const gates = quantized ? QUANTIZED_GATES[type as string] : GATES[type as string];
    const [input, hidden, width] = [cfg.inputSize as number, cfg.hiddenSize as number, gates * (cfg.hiddenSize as number)];
    const directions = cfg.bidirectional ? 2 : 1;
    for (let layer = 0; layer < (cfg.numLayers as number); layer++) {
      for (let direction = 0; direction < directions; direction++) {
        (quantized ? quantizedCellWeights : cellWeights)(`L${layer}${direction ? 'Reverse' : ''}`, layer === 0 ? input : hidden * directions, hidden, width);
      }
    }
  }
  const quantizedCell = Object.hasOwn(QUANTIZED_CELL_GATES, type as string);
  if (quantizedCell || Object.hasOwn(CELL_GATES, type as string)) {
    // As nn/recurrent_cell.ts and nn/quantized_recurrent_cell.ts name them: a one-layer layer's, without the suffix.
    const hidden = cfg.hiddenSize as number;
    const gates = quantizedCell ? QUANTIZED_CELL_GATES[type as string] : CELL_GATES[type as string];
    (quantizedCell ? quantizedCellWeights : cellWeights)('', cfg.inputSize as number, hidden, gates * hidden);
  }
  if (type === 'MultiheadAttention' || type === 'TransformerEncoderLayer' || type === 'TransformerDecoderLayer') {
    const [embed, heads] = type === 'MultiheadAttention' ? [cfg.embedDim as number, cfg.numHeads as number] : [cfg.dModel as number, cfg.nHead as number];
    if (embed % heads) fail(`${where} (${type}) has ${heads} heads, which do not divide its ${embed} features`);
    const dense = (at: string, inputs: number, units: number) => {
      wanted.set(`${at}weight`, { shape: [inputs, units], kind: 'parameter' });
      if (cfg.bias) wanted.set(`${at}bias`, { shape: [units], kind: 'parameter' });
    };
    const attention = (at: string) => {
      wanted.set(`${at}inProjWeight`, { shape: [embed, 3 * embed], kind: 'parameter' });
      if (cfg.bias) wanted.set(`${at}inProjBias`, { shape: [3 * embed], kind: 'parameter' });
      wanted.set(`${at}outProjWeight`, { shape: [embed, embed], kind: 'parameter' });
      if (cfg.bias) wanted.set(`${at}outProjBias`, { shape: [embed], kind: 'parameter' });
    };
    // As nn/attention.ts, nn/transformer.ts and nn/transformer_decoder.ts hold them: the attention's own, or in the
    // encoder layer's sublayers (attention, two Dense, two LayerNorm) or the decoder layer's (two attentions, two Dense, three LayerNorm).
    const attentions = { MultiheadAttention: 0, TransformerEncoderLayer: 1, TransformerDecoderLayer: 2 }[type];
    if (attentions === 0) attention(path);
    else {
      const at = (i: number) => `${path}${i}.`;
      for (let i = 0; i < attentions; i++) attention(at(i));
      dense(at(attentions), embed, cfg.dimFeedforward as number);
      dense(at(attentions + 1), cfg.dimFeedforward as number, embed);
      // A LayerNorm after each attention and after the feed-forward block.
      for (let i = 0; i < attentions + 1; i++) for (const name of ['weight', 'bias']) wanted.set(`${at(attentions + 2 + i)}${name}`, { shape: [embed], kind: 'parameter' });
    }
  }
  if (type === 'TransformerEncoder' || type === 'TransformerDecoder') {
    // As nn/transformer_stack.ts holds them: the layers (each checked as a layer of its own, its tensors below it), then the norm.
    const [layer, count] = [cfg.layer as Record<string, unknown>, cfg.numLayers as number];
    for (let i = 0; i < count; i++) checkLayer(layer, `${path}${i}.`, depth + 1, wanted, fail);
    if (cfg.norm) for (const name of ['weight', 'bias']) wanted.set(`${path}${count}.${name}`, { shape: [layer.dModel as number], kind: 'parameter' });
  }
  if (type === 'Transformer') {
    // As nn/transformer_model.ts holds them: an encoder stack (0) and a decoder stack (1) of its settings, each with its norm.
    const { type: _, numEncoderLayers, numDecoderLayers, causal, seed: __, ...settings } = cfg;
    const stack = (kind: 'Encoder' | 'Decoder', numLayers: unknown) => ({ type: `Transformer${kind}`, layer: { type: `Transformer${kind}Layer`, ...settings, causal: kind === 'Decoder' && causal }, numLayers, norm: true });
    checkLayer(stack('Encoder', numEncoderLayers), `${path}0.`, depth + 1, wanted, fail);
    checkLayer(stack('Decoder', numDecoderLayers), `${path}1.`, depth + 1, wanted, fail);
  }
  if (type === 'Bilinear') {
    // PyTorch's layout, as nn/bilinear.ts keeps it.
    wanted.set(`${path}weight`, { shape: [cfg.out as number, cfg.in1 as number, cfg.in2 as number], kind: 'parameter' });
    if (cfg.bias) wanted.set(`${path}bias`, { shape: [cfg.out as number], kind: 'parameter' });
  }
  if (type === 'AdaptiveLogSoftmaxWithLoss') {
    // As nn/adaptive_softmax.ts holds them: the head (0), then tail i (i + 1) of two Dense, projection and output, no biases.
    const [inFeatures, nClasses, cutoffs, divValue] = [cfg.inFeatures as number, cfg.nClasses as number, cfg.cutoffs as number[], cfg.divValue as number];
    if (cutoffs.some((c, i) => c >= nClasses || (i > 0 && c <= cutoffs[i - 1]))) fail(`${where} (${type}) has cutoffs ${formatValue(cutoffs)}, not increasing below its ${nClasses} classes`);
    wanted.set(`${path}0.weight`, { shape: [inFeatures, cutoffs[0] + cutoffs.length], kind: 'parameter' });
    if (cfg.headBias) wanted.set(`${path}0.bias`, { shape: [cutoffs[0] + cutoffs.length], kind: 'parameter' });
    const bounds = [...cutoffs, nClasses];
    cutoffs.forEach((low, i) => {
      const hidden = Math.floor(inFeatures / divValue ** (i + 1));
      if (hidden < 1) fail(`${where} (${type}) has divValue ${divValue}, which leaves tail ${i} no features`);
      wanted.set(`${path}${i + 1}.0.weight`, { shape: [inFeatures, hidden], kind: 'parameter' });
      wanted.set(`${path}${i + 1}.1.weight`, { shape: [hidden, bounds[i + 1] - low], kind: 'parameter' });
    });
  }
  if (type === 'PReLU') wanted.set(`${path}weight`, { shape: [cfg.numParameters as number], kind: 'parameter' });
  if (type === 'Embedding' || type === 'EmbeddingBag') wanted.set(`${path}weight`, { shape: [cfg.count as number, cfg.dim as number], kind: 'parameter' });
  if (type === 'GroupNorm') {
    const [groups, channels] = [cfg.numGroups as number, cfg.numChannels as number];
    if (channels % groups) fail(`${where} (GroupNorm) has numGroups ${groups}, which does not divide its ${channels} channels`);
    if (cfg.affine) for (const name of ['weight', 'bias']) wanted.set(`${path}${name}`, { shape: [channels], kind: 'parameter' });
  }
  if (type === 'RMSNorm' && cfg.elementwiseAffine) wanted.set(`${path}weight`, { shape: cfg.normalizedShape as number[], kind: 'parameter' });
  if (type === 'LayerNorm') {
    wanted.set(`${path}weight`, { shape: [cfg.dim as number], kind: 'parameter' });
    wanted.set(`${path}bias`, { shape: [cfg.dim as number], kind: 'parameter' });
  }
}
