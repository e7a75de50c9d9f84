// QuantizedLSTMCell, QuantizedGRUCell, QuantizedRNNCell: the single-step
// cells with int8 weights, what tm.nn.quantizeDynamic puts in place of an
// LSTMCell, GRUCell or RNNCell (PyTorch's
// torch.ao.nn.quantized.dynamic.LSTMCell, GRUCell, RNNCell; their weights
// are quantized per tensor, these per row — per gate unit — as tm.quantize
// does). Each step's two products, x·Wih and h·Whh, run as tm.matmul(x, q)
// runs them (x and h quantized per row as they come, an exact int8 product
// or WebGPU's f16 way where measured faster); the biases, the gates and the
// cell stay in float. The step, its checks and its state (passed in and out,
// batched or not, f16 or f32) are the float cell's (recurrent_cell.ts), only
// the weights differ; they are quantized_cell_weights.ts's, without a suffix.
// Inference only, as the quantized layers: buffers, not parameters, and a
// straight-through gradient to x and h (quantized_linear.ts).
import { tidy } from '../engine.js';
import { ValueError, formatValue } from '../errors.js';
import type { Tensor } from '../tensor.js';
import type { LayerConfig } from './module.js';
import { cellTensorNames, emptyCell, quantizeCell, quantizedCellWeights, type Fields } from './quantized_cell_weights.js';
import { QUANTIZED, type QuantizedWeights } from './quantized_layers.js';
import {
  CELL_OPTIONS, GRUCell, LSTMCell, RecurrentCell, RNN_CELL_OPTIONS, RNNCell,
  type CellState, type LSTMCellState, type RecurrentCellOptions, type RNNCellOptions,
} from './recurrent_cell.js';
import { checkNonlinearity, gruStep, lstmStep, rnnStep, type CellWeights, type Nonlinearity, type StepState } from './recurrent_steps.js';
import type { OptionNames } from '../options.js';

export abstract class QuantizedRecurrentCell<S extends CellState = CellState> extends RecurrentCell<S> implements QuantizedWeights {
  declare readonly [QUANTIZED]: true;
  /** int8 [gates·hidden, input]: row n is column n of the float cell's weightIh. */
  declare weightIh: Tensor;
  /** f32 [gates·hidden]: the scale of each row of weightIh. */
  weightIhScale!: Tensor;
  /** int8 [gates·hidden, hidden]: row n is column n of the float cell's weightHh. */
  declare weightHh: Tensor;
  /** f32 [gates·hidden]: the scale of each row of weightHh. */
  weightHhScale!: Tensor;

  /** A cell of zeros (scales of one), to be filled by a load; fromLSTMCell / fromGRUCell / fromRNNCell make one from a trained cell. */
  protected constructor(kind: string, gates: number, inputSize: number, hiddenSize: number, options: RNNCellOptions, names: OptionNames<RecurrentCellOptions>) {
    super(kind, gates, inputSize, hiddenSize, options, names, false);
    this.biasIh = this.biasHh = null;
    emptyCell(this.fields, '', gates * hiddenSize, inputSize, hiddenSize, this.bias);
  }

  private get fields(): Fields {
    return this as unknown as Fields;
  }

  /** `float`'s weights quantized (tm.quantize) into this cell's, its biases copied in f32; `float` is left as it was. */
  protected quantizeFrom(float: RecurrentCell<S>): this {
    try {
      quantizeCell(this.kind, this.fields, float as unknown as Fields, '');
    } catch (err) {
      this.dispose();
      throw err;
    }
    this.training = float.training;
    return this;
  }

  /** The int8 weights as the step multiplies by them, the biases in x's precision. */
  protected override weights(x: Tensor): CellWeights {
    return quantizedCellWeights(this.fields, '', (b) => this.inPrecisionOf(x, b));
  }

  /** None: nothing here is trained. */
  override ownParameters(): Record<string, Tensor> {
    return {};
  }

  override ownBuffers(): Record<string, Tensor> {
    return Object.fromEntries(cellTensorNames(this.bias).map((name) => [name, this.fields[name]!]));
  }

  weightsAndBiases(): Tensor[] {
    return Object.entries(this.ownBuffers()).filter(([name]) => !name.includes('Scale')).map(([, t]) => t);
  }

  weightScales(): Tensor[] {
    return [this.weightIhScale, this.weightHhScale];
  }
}

// On the prototype, not a field: the field scans never see it, and a copy made field by field keeps it.
Object.defineProperty(QuantizedRecurrentCell.prototype, QUANTIZED, { value: true });

/** The float cell's settings, to build its quantized form with. */
function settingsOf(cell: RecurrentCell<CellState>): RecurrentCellOptions {
  return { bias: cell.bias, ...(cell.seed === undefined ? {} : { seed: cell.seed }) };
}

/** An RNNCell with int8 weights (see the file's comment): h' = tanh (or relu) of x·Wih + bih + h·Whh + bhh. */
export class QuantizedRNNCell extends QuantizedRecurrentCell {
  readonly nonlinearity: Nonlinearity;

  constructor(inputSize: number, hiddenSize: number, options: RNNCellOptions = {}) {
    super('QuantizedRNNCell', 1, inputSize, hiddenSize, options, RNN_CELL_OPTIONS);
    this.nonlinearity = checkNonlinearity('QuantizedRNNCell', options?.nonlinearity);
  }

  /** `cell`'s weights quantized, its biases, settings and nonlinearity copied; `cell` is left as it was. */
  static fromRNNCell(cell: RNNCell): QuantizedRNNCell {
    if (!(cell instanceof RNNCell)) throw new ValueError(`QuantizedRNNCell.fromRNNCell: expects a tm.nn.RNNCell, got ${formatValue(cell)}`);
    return new QuantizedRNNCell(cell.inputSize, cell.hiddenSize, { ...settingsOf(cell), nonlinearity: cell.nonlinearity }).quantizeFrom(cell);
  }

  /** h' from x and h (zeros when not given), as RNNCell's forward. */
  forward(x: Tensor, h?: Tensor): Tensor {
    return this.step(x, h === undefined ? undefined : { h }).h;
  }

  protected advance(xw: Tensor, state: StepState, w: CellWeights): StepState {
    return rnnStep(xw, state, w, this.nonlinearity);
  }

  override config(): LayerConfig {
    return { ...super.config(), nonlinearity: this.nonlinearity };
  }
}

/** An LSTMCell with int8 weights (see the file's comment), gates i, f, g, o: step(x, { h, c }) gives the next { h, c }. */
export class QuantizedLSTMCell extends QuantizedRecurrentCell<LSTMCellState> {
  constructor(inputSize: number, hiddenSize: number, options: RecurrentCellOptions = {}) {
    super('QuantizedLSTMCell', 4, inputSize, hiddenSize, options, CELL_OPTIONS);
  }

  /** `cell`'s weights quantized, its biases and settings copied; `cell` is left as it was. */
  static fromLSTMCell(cell: LSTMCell): QuantizedLSTMCell {
    if (!(cell instanceof LSTMCell)) throw new ValueError(`QuantizedLSTMCell.fromLSTMCell: expects a tm.nn.LSTMCell, got ${formatValue(cell)}`);
    return new QuantizedLSTMCell(cell.inputSize, cell.hiddenSize, settingsOf(cell)).quantizeFrom(cell);
  }

  protected override get hasCell(): boolean {
    return true;
  }

  /** The next h alone, as LSTMCell's forward; step gives the next c too. */
  forward(x: Tensor, state?: LSTMCellState): Tensor {
    return tidy(() => this.step(x, state).h);
  }

  protected advance(xw: Tensor, state: StepState, w: CellWeights): StepState {
    return lstmStep(xw, state, w);
  }
}

/** A GRUCell with int8 weights (see the file's comment), gates r, z, n as GRUCell's. */
export class QuantizedGRUCell extends QuantizedRecurrentCell {
  constructor(inputSize: number, hiddenSize: number, options: RecurrentCellOptions = {}) {
    super('QuantizedGRUCell', 3, inputSize, hiddenSize, options, CELL_OPTIONS);
  }

  /** `cell`'s weights quantized, its biases and settings copied; `cell` is left as it was. */
  static fromGRUCell(cell: GRUCell): QuantizedGRUCell {
    if (!(cell instanceof GRUCell)) throw new ValueError(`QuantizedGRUCell.fromGRUCell: expects a tm.nn.GRUCell, got ${formatValue(cell)}`);
    return new QuantizedGRUCell(cell.inputSize, cell.hiddenSize, settingsOf(cell)).quantizeFrom(cell);
  }

  /** h' from x and h (zeros when not given), as GRUCell's forward. */
  forward(x: Tensor, h?: Tensor): Tensor {
    return this.step(x, h === undefined ? undefined : { h }).h;
  }

  protected advance(xw: Tensor, state: StepState, w: CellWeights): StepState {
    return gruStep(xw, state, w);
  }
}
