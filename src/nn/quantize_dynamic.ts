// tm.nn.quantizeDynamic: post-training dynamic quantization of a whole
// model, as PyTorch's torch.ao.quantization.quantize_dynamic. Its Dense,
// LSTM, GRU layers and LSTMCell, GRUCell, RNNCell cells (PyTorch's default
// set), and its RNN layers when asked, become their quantized forms
// (QuantizedDense, QuantizedLSTM…) — int8 weights (tm.quantize: symmetric, a scale per output column)
// whose activations are quantized per row as each forward (each step of a
// sequence) runs — and everything else stays as it was. "Dynamic": nothing is
// calibrated; the activations' scales come from the activations themselves.
import { DTypeError, ValueError, formatValue } from '../errors.js';
import { checkOptions, type OptionNames } from '../options.js';
import { copyModule } from './copy_module.js';
import { Dense } from './dense.js';
import { copyHooks, Module } from './module.js';
import { QuantizedDense } from './quantized_dense.js';
import { refuseUnbuilt } from './unbuilt.js';
import { QuantizedGRU, QuantizedLSTM, QuantizedRNN } from './quantized_recurrent.js';
import { QuantizedGRUCell, QuantizedLSTMCell, QuantizedRNNCell } from './quantized_recurrent_cell.js';
import { GRU, LSTM, RNN } from './recurrent.js';
import { GRUCell, LSTMCell, RNNCell } from './recurrent_cell.js';

/** The layer kinds quantizeDynamic converts. */
export type QuantizableLayer = 'Dense' | 'LSTM' | 'GRU' | 'LSTMCell' | 'GRUCell' | 'RNNCell' | 'RNN';

/** The layer kinds quantizeDynamic converts, when listed in its `layers` option. */
export const QUANTIZABLE_LAYERS: readonly QuantizableLayer[] = ['Dense', 'LSTM', 'GRU', 'LSTMCell', 'GRUCell', 'RNNCell', 'RNN'];

/**
 * The kinds it converts by default: PyTorch's default set (Linear, LSTM, GRU,
 * LSTMCell, GRUCell, RNNCell), so that a model ported from PyTorch is
 * quantized as there. RNN is left out, as PyTorch leaves it: a plain RNN has
 * no gate to damp the rounding that each step's h·Whh adds to h (a relu
 * one, nothing to bound it), so it is quantized only when asked for.
 */
export const DEFAULT_QUANTIZED_LAYERS: readonly QuantizableLayer[] = ['Dense', 'LSTM', 'GRU', 'LSTMCell', 'GRUCell', 'RNNCell'];

/** Each kind's float class (exactly it: a subclass's forward is its own, so it is left alone) and how its quantized form is made. */
const CONVERSIONS: Readonly<Record<QuantizableLayer, { type: { prototype: Module }; quantized: (layer: Module) => Module }>> = {
  Dense: { type: Dense, quantized: (layer) => QuantizedDense.fromDense(layer as Dense) },
  LSTM: { type: LSTM, quantized: (layer) => QuantizedLSTM.fromLSTM(layer as LSTM) },
  GRU: { type: GRU, quantized: (layer) => QuantizedGRU.fromGRU(layer as GRU) },
  LSTMCell: { type: LSTMCell, quantized: (layer) => QuantizedLSTMCell.fromLSTMCell(layer as LSTMCell) },
  GRUCell: { type: GRUCell, quantized: (layer) => QuantizedGRUCell.fromGRUCell(layer as GRUCell) },
  RNNCell: { type: RNNCell, quantized: (layer) => QuantizedRNNCell.fromRNNCell(layer as RNNCell) },
  RNN: { type: RNN, quantized: (layer) => QuantizedRNN.fromRNN(layer as RNN) },
};

export interface QuantizeDynamicOptions {
  /**
   * The kinds of layer to quantize, of QUANTIZABLE_LAYERS. Default
   * DEFAULT_QUANTIZED_LAYERS, PyTorch's default: ['Dense', 'LSTM', 'GRU',
   * 'LSTMCell', 'GRUCell', 'RNNCell']; 'RNN' (which PyTorch does not
   * quantize) only when listed. A subclass of one is left alone: its forward
   * is its own. MultiheadAttention keeps float weights (a transformer
   * layer's feed-forward Dense layers are quantized).
   */
  layers?: readonly QuantizableLayer[];
  /** The weights' dtype: 'i8' only (int8 values, f32 scales). */
  dtype?: 'i8';
  /**
   * Quantizes only the layers for which it returns true, given each one's
   * path (namedState's names without the tensor's: '0', '2.1'; '' for the
   * model itself) and the layer. Default: every layer of `layers`' kinds.
   */
  filter?: (path: string, layer: Module) => boolean;
  /**
   * Replace the layers in `model` itself (PyTorch's inplace=True): no copy,
   * and the float layers replaced are disposed. Default false.
   */
  inplace?: boolean;
}

const OPTIONS: OptionNames<QuantizeDynamicOptions> = { layers: true, dtype: true, filter: true, inplace: 'boolean' };

/**
 * A copy of `model` whose Dense, LSTM, GRU layers and LSTMCell, GRUCell,
 * RNNCell cells (at any depth: in Sequentials, in a custom layer's fields, in
 * a transformer layer's feed-forward block) — and RNN layers if `layers`
 * lists them — run with int8 weights: tm.nn.QuantizedDense, QuantizedLSTM,
 * QuantizedGRU, QuantizedLSTMCell, QuantizedGRUCell, QuantizedRNNCell,
 * QuantizedRNN, a quarter of the weights' memory plus an f32
 * scale per output, and int8 products on the native (VNNI) and WebGPU
 * (dot4I8Packed) backends. For inference: the quantized layers have
 * no parameters to train (see QuantizedDense for the gradient that passes
 * through them).
 *
 * The model given is left as it was (PyTorch's default inplace=False): the
 * copy shares no tensor with it, so either can be disposed or trained
 * without the other noticing — the layers kept in float hold copies of
 * their weights (tm.nn's copy is PyTorch's deepcopy: a custom layer is
 * copied field by field, so one that keeps tensors or layers in private
 * #fields needs { inplace: true }). Forward hooks and train/eval modes carry
 * over. A model with nothing to quantize comes back copied, unchanged.
 *
 *     const small = tm.nn.quantizeDynamic(model);   // model.eval() first, as for any inference
 *     const y = small.predict(x);
 */
export function quantizeDynamic<M extends Module>(model: M, options: QuantizeDynamicOptions = {}): M {
  if (!(model instanceof Module)) throw new ValueError(`quantizeDynamic: expects a tm.nn.Module (a Sequential, a layer), got ${formatValue(model)}`);
  const { layers = DEFAULT_QUANTIZED_LAYERS, dtype = 'i8', filter, inplace = false } = checkOptions('quantizeDynamic', options, OPTIONS);
  if (dtype !== 'i8') {
    throw new DTypeError(`quantizeDynamic: dtype must be 'i8' (int8 weights, activations quantized as they come), got ${formatValue(dtype)}; for f16 weights cast the model's parameters instead`);
  }
  if (!Array.isArray(layers) || layers.length === 0 || layers.some((kind) => !QUANTIZABLE_LAYERS.includes(kind))) {
    throw new ValueError(`quantizeDynamic: layers must list kinds of ${QUANTIZABLE_LAYERS.join(', ')}, got ${formatValue(layers)} (MultiheadAttention keeps float weights)`);
  }
  if (filter !== undefined && typeof filter !== 'function') throw new ValueError(`quantizeDynamic: filter must be a function of (path, layer), got ${formatValue(filter)}`);
  // A LazyLinear not yet built is no Dense yet: it would be left float, and build a float Dense later. A lazy layer
  // of a kind not quantized is copied as it is; the filter is not asked, as it sees no Dense in a LazyLinear.
  refuseUnbuilt('quantizeDynamic', model, '', (unbuilt) => (layers as readonly string[]).includes(unbuilt.becomes));
  const target = inplace ? model : (copyModule(model) as M);
  try {
    const kinds = (layers as readonly QuantizableLayer[]).map((kind) => CONVERSIONS[kind]);
    const conversion = (layer: Module) => kinds.find((k) => Object.getPrototypeOf(layer) === k.type.prototype);
    return swapLayers(target, (layer) => conversion(layer)?.quantized, filter) as M;
  } catch (err) {
    if (!inplace) target.dispose();
    throw err;
  }
}

/** Each layer below `root` (and `root`) with its path, first path first, as Module.namedState walks them. */
function paths(root: Module): Map<Module, string> {
  const out = new Map<Module, string>();
  const visit = (layer: Module, path: string) => {
    if (out.has(layer)) return;
    out.set(layer, path);
    for (const [name, child] of layer.namedChildren()) visit(child, path ? `${path}.${name}` : name);
  };
  visit(root, '');
  return out;
}

/**
 * `root` with the layers of the kinds chosen (`quantizer` gives their
 * quantized form's maker) that `filter` keeps replaced by their quantized
 * forms, in the fields (or arrays in fields) that hold them; the replaced
 * ones disposed. `root` itself when it is not replaced.
 */
function swapLayers(root: Module, quantizer: (layer: Module) => ((layer: Module) => Module) | undefined, filter: QuantizeDynamicOptions['filter']): Module {
  const found = paths(root);
  const replacements = new Map<Module, Module>();
  try {
    for (const [layer, path] of found) {
      const make = quantizer(layer);
      if (!make || !(filter?.(path, layer) ?? true)) continue;
      const quantized = make(layer);
      copyHooks(layer, quantized);
      replacements.set(layer, quantized);
    }
  } catch (err) {
    for (const quantized of replacements.values()) quantized.dispose();
    throw err;
  }
  const undo: (() => void)[] = [];
  for (const layer of found.keys()) {
    if (replacements.has(layer)) continue;
    const fields = layer as unknown as Record<string, unknown>;
    for (const [key, value] of Object.entries(fields)) {
      const swapped = replacements.get(value as Module);
      if (swapped) {
        fields[key] = swapped;
        undo.push(() => void (fields[key] = value));
      } else if (Array.isArray(value)) {
        value.forEach((v: unknown, i) => {
          const swappedItem = replacements.get(v as Module);
          if (!swappedItem) return;
          value[i] = swappedItem;
          undo.push(() => void (value[i] = v));
        });
      }
    }
  }
  const result = replacements.get(root) ?? root;
  // A layer reached through children() but held nowhere a field can be replaced (a custom children() that computes them).
  const left = result.modules().find((layer) => replacements.has(layer));
  if (left) {
    for (const step of undo) step();
    for (const quantized of replacements.values()) quantized.dispose();
    throw new ValueError(`quantizeDynamic: layer ${found.get(left) || '(the model)'} (${left.constructor.name}) is not held in a field of its parent, so it cannot be replaced; nothing was quantized`);
  }
  for (const layer of replacements.keys()) layer.dispose();
  return result;
}
