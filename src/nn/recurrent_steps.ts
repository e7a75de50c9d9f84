// One step of each recurrent kind, PyTorch's, shared by the layers that run
// whole sequences (recurrent.ts) and the cells a user steps in a loop of
// their own (recurrent_cell.ts). Each takes the step's input side
// xw = x·Wih + bih [batch, gates·hidden], computed apart (a layer does it for
// every step in one matmul before its loop), and the state before the step:
//   RNN:  h' = tanh(xw + h·Whh + bhh)                (or relu)
//   LSTM: i, f, g, o = σ, σ, tanh, σ of xw + h·Whh + bhh, split in four
//         c' = f·c + i·g,  h' = o·tanh(c')
//   GRU:  xr, xz, xn = xw and hr, hz, hn = h·Whh + bhh, each split in three
//         r, z = σ(xr + hr), σ(xz + hz),  n = tanh(xn + r·hn),  h' = (1 - z)·n + z·h
// The weights are as Dense's (x·W): weightIh [input, gates·hidden], weightHh
// [hidden, gates·hidden], the gates in PyTorch's order; each starts uniform
// in ±1/√hidden, as PyTorch's.
import { ValueError, formatValue } from '../errors.js';
import { gruCell } from '../ops/gru_cell.js';
import { rand } from '../ops/index.js';
import { lstmCell } from '../ops/lstm_cell.js';
import { QuantizedTensor } from '../ops/quantize.js';
import type { Tensor } from '../tensor.js';
import { quantizedLinear } from './quantized_linear.js';

/** The state between two steps: h [batch, hidden], and an LSTM's cell c [batch, hidden]. */
export interface StepState {
  h: Tensor;
  c?: Tensor;
}

/**
 * One cell's weights (a layer holds one per layer and direction), in the
 * precision the step computes in; the two products' weights float, or int8
 * (a quantized layer's: x·q as tm.matmul(x, q) runs it).
 */
export interface CellWeights {
  weightIh: Tensor | QuantizedTensor;
  weightHh: Tensor | QuantizedTensor;
  biasIh: Tensor | null;
  biasHh: Tensor | null;
}

/** An RNN's elementwise function. */
export type Nonlinearity = 'tanh' | 'relu';

/** An RNN's (or RNNCell's) nonlinearity as given, 'tanh' by default; `kind` names the layer in the error. */
export function checkNonlinearity(kind: string, value: unknown): Nonlinearity {
  const nonlinearity = value ?? 'tanh';
  if (nonlinearity !== 'tanh' && nonlinearity !== 'relu') throw new ValueError(`${kind}: nonlinearity must be 'tanh' or 'relu', got ${formatValue(nonlinearity)}`);
  return nonlinearity;
}

/** x·w in x's dtype; an int8 w's product (f32) is rounded to an f16 x's, as QuantizedDense's is. */
function times(x: Tensor, w: Tensor | QuantizedTensor): Tensor {
  if (!(w instanceof QuantizedTensor)) return x.matmul(w);
  const y = quantizedLinear(x, w);
  return y.dtype === x.dtype ? y : y.cast(x.dtype);
}

/** x·Wih + bih, x [rows, input]: the input side of one step, or of every step of a sequence at once. */
export function inputSide(x: Tensor, w: CellWeights): Tensor {
  const xw = times(x, w.weightIh);
  return w.biasIh ? xw.add(w.biasIh) : xw;
}

/** h·Whh + bhh. */
export function hidden(h: Tensor, w: CellWeights): Tensor {
  const hw = times(h, w.weightHh);
  return w.biasHh ? hw.add(w.biasHh) : hw;
}

/** Elman RNN: h' = tanh (or relu) of xw + h·Whh + bhh. */
export function rnnStep(xw: Tensor, { h }: StepState, w: CellWeights, nonlinearity: Nonlinearity): StepState {
  const z = xw.add(hidden(h, w));
  return { h: nonlinearity === 'tanh' ? z.tanh() : z.relu() };
}

/** LSTM, gates i, f, g, o: the gates' elementwise part one fused op (ops/lstm_cell.ts). */
export function lstmStep(xw: Tensor, { h, c }: StepState, w: CellWeights): StepState {
  return lstmCell(xw.add(hidden(h, w)), c!);
}

/**
 * GRU, gates r, z, n: the reset gate applies to h·Whn + bhn, as PyTorch's (not
 * to h before the product, as Cho et al.'s); the gates' elementwise part one
 * fused op (ops/gru_cell.ts).
 */
export function gruStep(xw: Tensor, { h }: StepState, w: CellWeights): StepState {
  return { h: gruCell(xw, hidden(h, w), h) };
}

/**
 * A weight or bias as PyTorch starts it, uniform in ±1/√hidden, to be
 * trained; drawn from `seed` (a stream of the layer's seed), or from
 * setSeed's sequence where undefined.
 */
export function initialWeight(shape: number[], hiddenSize: number, seed: number | undefined): Tensor {
  const bound = 1 / Math.sqrt(hiddenSize);
  const t = rand(shape, { min: -bound, max: bound, seed });
  t.requiresGrad = true;
  return t;
}
