// QuantizedLSTM, QuantizedGRU: LSTM and GRU layers whose two products per
// step, x·Wih (for every step at once, before the loop) and h·Whh (each
// step), run with int8 weights as tm.matmul(x, q) runs them — x and h
// quantized per row on the fly, an exact int8 product (or WebGPU's f16 way
// where the device measured it faster: ops/quantize.ts) — while the biases,
// the gates and the cell stay in float, as the float layer computes them.
// What tm.nn.quantizeDynamic puts in place of an LSTM or a GRU (PyTorch's
// torch.ao.nn.quantized.dynamic.LSTM and GRU; their weights are quantized
// per tensor, these per row — per gate unit — as tm.quantize does).
//
// Everything the float layer does they do (layers stacked, bidirectional,
// an initial state, sequence lengths, output 'last', f16 inputs): the
// sequence loop is the float layer's (recurrent.ts), only the weights differ.
// Inference only, as QuantizedDense: the tensors are buffers, not
// parameters, and the gradient passes straight through the products to x
// and h (quantized_linear.ts), so float layers below can still be trained.
//
// Each layer and direction holds, named as the float layer's with its
// suffix (L0, L1Reverse…): weightIh int8 [gates·hidden, input] and
// weightHh int8 [gates·hidden, hidden] (PyTorch's layout, rows the float
// weight's columns, as QuantizedDense's), weightIhScale and weightHhScale f32
// [gates·hidden], and f32 biasIh, biasHh [gates·hidden] when the layer has biases.
import { DTypeError, ValueError, formatValue } from '../errors.js';
import { ones, zeros } from '../ops/index.js';
import { QuantizedTensor, quantize } from '../ops/quantize.js';
import { noGrad } from '../tape.js';
import type { Tensor } from '../tensor.js';
import { QUANTIZED, type QuantizedWeights } from './quantized_layers.js';
import { cellSuffix, GRU, LSTM, RECURRENT_OPTIONS, Recurrent, type RecurrentOptions } from './recurrent.js';
import { gruStep, lstmStep, type CellWeights, type StepState } from './recurrent_steps.js';

export abstract class QuantizedRecurrent extends Recurrent implements QuantizedWeights {
  declare readonly [QUANTIZED]: true;

  /** A layer of zeros (scales of one), to be filled by a load; fromLSTM / fromGRU make one from a trained layer. */
  protected constructor(kind: string, gates: number, inputSize: number, hiddenSize: number, options: RecurrentOptions) {
    super(kind, gates, inputSize, hiddenSize, options, RECURRENT_OPTIONS, false);
    const fields = this.fields;
    const width = gates * hiddenSize;
    for (const { suffix, below } of this.cells()) {
      fields[`weightIh${suffix}`] = zeros([width, below], { dtype: 'i8' });
      fields[`weightIhScale${suffix}`] = ones([width]);
      fields[`weightHh${suffix}`] = zeros([width, hiddenSize], { dtype: 'i8' });
      fields[`weightHhScale${suffix}`] = ones([width]);
      if (this.bias) {
        fields[`biasIh${suffix}`] = zeros([width]);
        fields[`biasHh${suffix}`] = zeros([width]);
      }
    }
  }

  private get fields(): Record<string, Tensor> {
    return this as unknown as Record<string, Tensor>;
  }

  /** `float`'s weights quantized (tm.quantize) into this layer's, its biases copied in f32; `float` is left as it was. */
  protected quantizeFrom(float: Recurrent): this {
    try {
      this.copyQuantized(float);
    } catch (err) {
      this.dispose();
      throw err;
    }
    this.training = float.training;
    return this;
  }

  private copyQuantized(float: Recurrent): void {
    const from = float as unknown as Record<string, Tensor | undefined>;
    const fields = this.fields;
    for (const { suffix } of this.cells()) {
      for (const name of ['weightIh', 'weightHh']) {
        const w = from[`${name}${suffix}`]!;
        if (w.dtype !== 'f32' && w.dtype !== 'f16') throw new DTypeError(`${this.kind}: ${name}${suffix} must be f32 or f16, got ${w.dtype}`);
        const q = quantize(w);
        fields[`${name}${suffix}`].dispose();
        fields[`${name}Scale${suffix}`].dispose();
        fields[`${name}${suffix}`] = q.values;
        fields[`${name}Scale${suffix}`] = q.scales;
      }
      for (const name of ['biasIh', 'biasHh']) {
        const b = from[`${name}${suffix}`];
        if (!b) continue;
        // A copy even in f32: the new layer owns what it holds (disposing one model leaves the other whole).
        const copy = noGrad(() => (b.dtype === 'f32' ? b.clone() : b.cast('f32')));
        fields[`${name}${suffix}`].dispose();
        fields[`${name}${suffix}`] = copy;
      }
    }
  }

  /** The int8 weights as the steps multiply by them, the biases in x's precision. */
  protected override weights(layer: number, direction: number, x: Tensor): CellWeights {
    const fields = this.fields;
    const suffix = cellSuffix(layer, direction);
    const bias = (name: string): Tensor | null => {
      const b = fields[`${name}${suffix}`] as Tensor | undefined;
      return b ? this.inPrecisionOf(x, b) : null;
    };
    return {
      weightIh: new QuantizedTensor(fields[`weightIh${suffix}`], fields[`weightIhScale${suffix}`]),
      weightHh: new QuantizedTensor(fields[`weightHh${suffix}`], fields[`weightHhScale${suffix}`]),
      biasIh: bias('biasIh'),
      biasHh: bias('biasHh'),
    };
  }

  /** None: nothing here is trained. */
  override ownParameters(): Record<string, Tensor> {
    return {};
  }

  override ownBuffers(): Record<string, Tensor> {
    const out: Record<string, Tensor> = {};
    for (const { suffix } of this.cells()) {
      for (const name of ['weightIh', 'weightIhScale', 'weightHh', 'weightHhScale', ...(this.bias ? ['biasIh', 'biasHh'] : [])]) {
        out[`${name}${suffix}`] = this.fields[`${name}${suffix}`];
      }
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

/** The float layer's settings, to build its quantized form with. */
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
