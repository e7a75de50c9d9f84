// QuantizedLSTM, QuantizedGRU, QuantizedRNN: LSTM, GRU and RNN layers whose two products per
// step, x·Wih (for every step at once, before the loop) and h·Whh (each
// step), run with int8 weights as tm.matmul(x, q) runs them — x and h
// quantized per row on the fly, an exact int8 product (or WebGPU's f16 way
// where the device measured it faster: ops/quantize.ts) — while the biases,
// the gates and the cell stay in float, as the float layer computes them.
// What tm.nn.quantizeDynamic puts in place of an LSTM or a GRU (PyTorch's
// torch.ao.nn.quantized.dynamic.LSTM and GRU; their weights are quantized
// per tensor, these per row — per gate unit — as tm.quantize does), and of
// an RNN when asked (PyTorch has no quantized RNN).
//
// Everything the float layer does they do (layers stacked, bidirectional,
// an initial state, sequence lengths, output 'last', f16 inputs): the
// sequence loop is the float layer's (recurrent.ts), only the weights differ.
// Inference only, as QuantizedDense: the tensors are buffers, not
// parameters, and the gradient passes straight through the products to x
// and h (quantized_linear.ts), so float layers below can still be trained.
//
// Each layer and direction holds, named as the float layer's with its
// suffix (L0, L1Reverse…), the int8 weights, their scales and the f32
// biases of quantized_cell_weights.ts.
import { ValueError, formatValue } from '../errors.js';
import type { OptionNames } from '../options.js';
import type { Tensor } from '../tensor.js';
import type { LayerConfig } from './module.js';
import { cellTensorNames, emptyCell, quantizeCell, quantizedCellWeights, type Fields } from './quantized_cell_weights.js';
import { QUANTIZED, type QuantizedWeights } from './quantized_layers.js';
import { cellSuffix, GRU, LSTM, RECURRENT_OPTIONS, RNN, RNN_OPTIONS, Recurrent, type RecurrentOptions, type RNNOptions } from './recurrent.js';
import { checkNonlinearity, gruStep, lstmStep, rnnStep, type CellWeights, type Nonlinearity, type StepState } from './recurrent_steps.js';

export abstract class QuantizedRecurrent extends Recurrent implements QuantizedWeights {
  declare readonly [QUANTIZED]: true;

  /** A layer of zeros (scales of one), to be filled by a load; fromLSTM / fromGRU / fromRNN make one from a trained layer. */
  protected constructor(kind: string, gates: number, inputSize: number, hiddenSize: number, options: RNNOptions, names: OptionNames<RecurrentOptions> = RECURRENT_OPTIONS) {
    super(kind, gates, inputSize, hiddenSize, options, names, false);
    for (const { suffix, below } of this.cells()) emptyCell(this.fields, suffix, gates * hiddenSize, below, hiddenSize, this.bias);
  }

  private get fields(): Fields {
    return this as unknown as Fields;
  }

  /** `float`'s weights quantized (tm.quantize) into this layer's, its biases copied in f32; `float` is left as it was. */
  protected quantizeFrom(float: Recurrent): this {
    try {
      for (const { suffix } of this.cells()) quantizeCell(this.kind, this.fields, float as unknown as Fields, suffix);
    } catch (err) {
      this.dispose();
      throw err;
    }
    this.training = float.training;
    return this;
  }

  /** The int8 weights as the steps multiply by them, the biases in x's precision. */
  protected override weights(layer: number, direction: number, x: Tensor): CellWeights {
    return quantizedCellWeights(this.fields, cellSuffix(layer, direction), (b) => this.inPrecisionOf(x, b));
  }

  /** None: nothing here is trained. */
  override ownParameters(): Record<string, Tensor> {
    return {};
  }

  override ownBuffers(): Record<string, Tensor> {
    const out: Record<string, Tensor> = {};
    for (const { suffix } of this.cells()) {
      for (const name of cellTensorNames(this.bias)) out[`${name}${suffix}`] = this.fields[`${name}${suffix}`]!;
    }
    return out;
  }

  weightsAndBiases(): Tensor[] {
    return Object.entries(this.ownBuffers()).filter(([name]) => !name.includes('Scale')).map(([, t]) => t);
  }

  weightScales(): Tensor[] {
    return Object.entries(this.ownBuffers()).filter(([name]) => name.includes('Scale')).map(([, t]) => t);
  }
}

// On the prototype, not a field: the field scans never see it.
Object.defineProperty(QuantizedRecurrent.prototype, QUANTIZED, { value: true });

/** The float layer's settings, to build its quantized form with (an RNN's nonlinearity apart). */
function settingsOf(layer: Recurrent): RecurrentOptions {
  const { numLayers, bias, bidirectional, dropout, output, seed } = layer;
  return { numLayers, bias, bidirectional, dropout, output, ...(seed === undefined ? {} : { seed }) };
}

/** An LSTM with int8 weights (see the file's comment): gates i, f, g, o as LSTM's. */
export class QuantizedLSTM extends QuantizedRecurrent {
  constructor(inputSize: number, hiddenSize: number, options: RecurrentOptions = {}) {
    super('QuantizedLSTM', 4, inputSize, hiddenSize, options);
  }

  /** `lstm`'s weights quantized, its biases and settings copied; `lstm` is left as it was. */
  static fromLSTM(lstm: LSTM): QuantizedLSTM {
    if (!(lstm instanceof LSTM)) throw new ValueError(`QuantizedLSTM.fromLSTM: expects a tm.nn.LSTM, got ${formatValue(lstm)}`);
    return new QuantizedLSTM(lstm.inputSize, lstm.hiddenSize, settingsOf(lstm)).quantizeFrom(lstm);
  }

  protected override get hasCell(): boolean {
    return true;
  }

  protected step(xw: Tensor, state: StepState, w: CellWeights): StepState {
    return lstmStep(xw, state, w);
  }
}

/** A GRU with int8 weights (see the file's comment): gates r, z, n as GRU's. */
export class QuantizedGRU extends QuantizedRecurrent {
  constructor(inputSize: number, hiddenSize: number, options: RecurrentOptions = {}) {
    super('QuantizedGRU', 3, inputSize, hiddenSize, options);
  }

  /** `gru`'s weights quantized, its biases and settings copied; `gru` is left as it was. */
  static fromGRU(gru: GRU): QuantizedGRU {
    if (!(gru instanceof GRU)) throw new ValueError(`QuantizedGRU.fromGRU: expects a tm.nn.GRU, got ${formatValue(gru)}`);
    return new QuantizedGRU(gru.inputSize, gru.hiddenSize, settingsOf(gru)).quantizeFrom(gru);
  }

  protected step(xw: Tensor, state: StepState, w: CellWeights): StepState {
    return gruStep(xw, state, w);
  }
}

/**
 * An Elman RNN (tanh or relu) with int8 weights (see the file's comment).
 * PyTorch's quantize_dynamic has no quantized RNN; tm.nn.quantizeDynamic makes
 * this one only when asked (layers: [..., 'RNN']), its default set being PyTorch's.
 */
export class QuantizedRNN extends QuantizedRecurrent {
  readonly nonlinearity: Nonlinearity;

  constructor(inputSize: number, hiddenSize: number, options: RNNOptions = {}) {
    super('QuantizedRNN', 1, inputSize, hiddenSize, options, RNN_OPTIONS);
    this.nonlinearity = checkNonlinearity('QuantizedRNN', options?.nonlinearity);
  }

  /** `rnn`'s weights quantized, its biases, settings and nonlinearity copied; `rnn` is left as it was. */
  static fromRNN(rnn: RNN): QuantizedRNN {
    if (!(rnn instanceof RNN)) throw new ValueError(`QuantizedRNN.fromRNN: expects a tm.nn.RNN, got ${formatValue(rnn)}`);
    return new QuantizedRNN(rnn.inputSize, rnn.hiddenSize, { ...settingsOf(rnn), nonlinearity: rnn.nonlinearity }).quantizeFrom(rnn);
  }

  protected step(xw: Tensor, state: StepState, w: CellWeights): StepState {
    return rnnStep(xw, state, w, this.nonlinearity);
  }

  override config(): LayerConfig {
    return { ...super.config(), nonlinearity: this.nonlinearity };
  }
}
