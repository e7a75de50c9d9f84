// LSTM, GRU and RNN (and tm.nn.quantizeDynamic's QuantizedLSTM,
// QuantizedGRU and QuantizedRNN) as ONNX's operators of the same names, one node per layer of
// numLayers, direction 'forward' or 'bidirectional'. tmnn reads x batch
// first [batch, time, input]; the nodes take it time first (layout 0):
// ONNX's layout = 1 (opset 14) is not run by onnxruntime's CPU kernels, which
// onnxruntime-web's WebAssembly provider is, so x is transposed once going in
// and the output once coming out.
//
// The weights are rearranged into ONNX's layout on the host as they are
// written: tmnn holds each layer and direction's weightIh [input, G·hidden]
// as Dense's (x·W) with PyTorch's gate order, ONNX wants W [dirs, G·hidden,
// input] (R likewise) with its own order (LSTM i, o, f, c; GRU z, r, h) and
// B [dirs, 2·G·hidden] = the input side's biases then the hidden side's. A
// GRU's reset gate scales h·Whn + bhn, PyTorch's form: linear_before_reset = 1.
// The export covers forward(x): no sequence lengths, a zero initial state.
import type { AttributeSpec } from '../encode.js';
import { QuantizedGRU, QuantizedLSTM, QuantizedRNN } from '../../nn/quantized_recurrent.js';
import { cellSuffix, GRU, LSTM, RNN, type Recurrent } from '../../nn/recurrent.js';
import type { Module } from '../../nn/module.js';
import type { Tensor } from '../../tensor.js';
import { paramName, type LayerCall, type LayerExport } from './builder.js';

type Kind = 'LSTM' | 'GRU' | 'RNN';

/** ONNX's gate blocks in order, each the tmnn (PyTorch) block it is: LSTM i, o, f, c of i, f, g, o; GRU z, r, h of r, z, n. */
const FROM_TMNN: Record<Kind, readonly number[]> = { LSTM: [0, 3, 1, 2], GRU: [1, 0, 2], RNN: [0] };

/**
 * A matrix (or vector, cols 1) of gate units as ONNX lays them, [G·hidden,
 * cols], from tmnn's: `unitsFirst` where tmnn's is [G·hidden, cols] too (a
 * quantized layer's int8 weight, a bias, a scale), else [cols, G·hidden] (a
 * float weight, x·W).
 */
function onnxRows(v: ArrayLike<number>, kind: Kind, hidden: number, cols: number, unitsFirst: boolean): Float64Array {
  const from = FROM_TMNN[kind];
  const units = from.length * hidden;
  const out = new Float64Array(units * cols);
  for (let r = 0; r < units; r++) {
    const u = from[Math.floor(r / hidden)] * hidden + (r % hidden);
    for (let i = 0; i < cols; i++) out[r * cols + i] = v[unitsFirst ? u * cols + i : i * units + u];
  }
  return out;
}

/** Blocks one after another. */
function joined(parts: readonly Float64Array[]): Float64Array {
  const out = new Float64Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function kindOf(layer: Recurrent): Kind {
  if (layer instanceof LSTM || layer instanceof QuantizedLSTM) return 'LSTM';
  if (layer instanceof GRU || layer instanceof QuantizedGRU) return 'GRU';
  return 'RNN';
}

/** One layer's tensor `field` (weightIh, biasHh…) for each direction. */
function perDirection(layer: Recurrent, l: number, field: string): Tensor[] {
  const fields = layer as unknown as Record<string, Tensor>;
  return Array.from({ length: layer.directions }, (_, d) => fields[`${field}${cellSuffix(l, d)}`]);
}

/** How one layer's weights reach the node: W and R, ONNX's [dirs, G·hidden, cols]. */
type Weights = (call: LayerCall<Recurrent>, kind: Kind, l: number) => [string, string];

/** A float layer's W and R, rearranged from x·W's layout. */
const floatWeights: Weights = ({ layer, b, path }, kind, l) => {
  const [dirs, hidden, units] = [layer.directions, layer.hiddenSize, FROM_TMNN[kind].length * layer.hiddenSize];
  return (['weightIh', 'weightHh'] as const).map((field) => {
    const tensors = perDirection(layer, l, field);
    const cols = tensors[0].shape[0];
    const name = paramName({ path }, `${field === 'weightIh' ? 'W' : 'R'}_L${l}`);
    return b.arranged(name, tensors, [dirs, units, cols], `onnx ${kind} weight`, (vs) => joined(vs.map((v) => onnxRows(v, kind, hidden, cols, false))));
  }) as [string, string];
};

/**
 * A quantized layer's W and R: int8 in the file, [dirs·G·hidden, cols] with
 * a scale per row, made float by a DequantizeLinear (axis 0) and reshaped to
 * the node's [dirs, G·hidden, cols]. Weights stored int8, not int8
 * arithmetic: the node computes in float, where tmnn's layer also rounds x
 * and h to int8 per row at every product.
 */
const quantizedWeights: Weights = (call, kind, l) => {
  const { layer, b, path } = call;
  const [dirs, hidden, units] = [layer.directions, layer.hiddenSize, FROM_TMNN[kind].length * layer.hiddenSize];
  return (['weightIh', 'weightHh'] as const).map((field) => {
    const tensors = perDirection(layer, l, field);
    const cols = tensors[0].shape[1];
    const name = paramName({ path }, `${field === 'weightIh' ? 'W' : 'R'}_L${l}`);
    const q = b.arranged(name, tensors, [dirs * units, cols], `onnx ${kind} weight`, (vs) => joined(vs.map((v) => onnxRows(v, kind, hidden, cols, true))));
    const scales = perDirection(layer, l, `${field}Scale`);
    const scale = b.arranged(`${name}_scale`, scales, [dirs * units], `onnx ${kind} gates`, (vs) => joined(vs.map((v) => onnxRows(v, kind, hidden, 1, true))));
    const w = b.node('DequantizeLinear', [q, scale], { axis: 0 });
    return b.node('Reshape', [w, b.ints('shape', [dirs, units, cols])]);
  }) as [string, string];
};

/** B [dirs, 2·G·hidden]: each direction's input-side biases, then its hidden-side ones. */
function biases({ layer, b, path }: LayerCall<Recurrent>, kind: Kind, l: number): string {
  const [dirs, hidden, units] = [layer.directions, layer.hiddenSize, FROM_TMNN[kind].length * layer.hiddenSize];
  const ih = perDirection(layer, l, 'biasIh');
  const hh = perDirection(layer, l, 'biasHh');
  // Given in the order [ih₀, hh₀, ih₁, hh₁]: B's rows are each direction's pair.
  const tensors = ih.flatMap((t, d) => [t, hh[d]]);
  return b.arranged(paramName({ path }, `B_L${l}`), tensors, [dirs, 2 * units], `onnx ${kind} gates`, (vs) => joined(vs.map((v) => onnxRows(v, kind, hidden, 1, true))));
}

function recurrent(weights: Weights): LayerExport<Recurrent> {
  return (call) => {
    const { layer, b, x } = call;
    const kind = kindOf(layer);
    const attributes: Record<string, AttributeSpec> = { hidden_size: layer.hiddenSize, direction: layer.bidirectional ? 'bidirectional' : 'forward' };
    if (kind === 'GRU') attributes.linear_before_reset = 1;
    if ((layer instanceof RNN || layer instanceof QuantizedRNN) && layer.nonlinearity === 'relu') attributes.activations = { strings: Array<string>(layer.directions).fill('Relu') };
    // [time, batch, input]: each node's X, the layer below's Y [time, dirs, batch, hidden] made so, the directions side by side.
    let seq = b.node('Transpose', [x.name], { perm: [1, 0, 2] });
    const node = (l: number, outputs: readonly string[]): string[] => {
      const inputs = [seq, ...weights(call, kind, l)];
      if (layer.bias) inputs.push(biases(call, kind, l));
      return b.nodeOutputs(kind, inputs, attributes, outputs);
    };
    for (let l = 0; l < layer.numLayers - 1; l++) seq = b.node('Reshape', [b.node('Transpose', [node(l, ['Y'])[0]], { perm: [0, 2, 1, 3] }), b.ints('shape', [0, 0, -1])]);
    const top = layer.numLayers - 1;
    if (layer.output === 'last') {
      // Y_h [dirs, batch, hidden]: the forward pass's state after the last step, the reverse pass's after the first (tmnn's 'last').
      const [, yh] = node(top, ['', 'Y_h']);
      return b.node('Reshape', [b.node('Transpose', [yh], { perm: [1, 0, 2] }), b.ints('shape', [0, -1])]);
    }
    // [batch, time, dirs·hidden], as tmnn's outputs are.
    const [y] = node(top, ['Y']);
    return b.node('Reshape', [b.node('Transpose', [y], { perm: [2, 0, 1, 3] }), b.ints('shape', [0, 0, -1])]);
  };
}

type Exports = ReadonlyArray<readonly [abstract new (...args: never[]) => Module, LayerExport<never>]>;

const floatLayer = recurrent(floatWeights);
const quantizedLayer = recurrent(quantizedWeights);

export const RECURRENT_EXPORTS: Exports = [
  [LSTM, floatLayer], [GRU, floatLayer], [RNN, floatLayer],
  [QuantizedLSTM, quantizedLayer], [QuantizedGRU, quantizedLayer], [QuantizedRNN, quantizedLayer],
];
