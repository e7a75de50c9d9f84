// A deep copy of a module tree (PyTorch's copy.deepcopy(model)), for
// quantizeDynamic's default of leaving the model it is given as it was.
//
// Each layer is copied field by field: a new object of its class holding its
// own fields, with every layer in them copied the same way and every tensor
// cloned (its requiresGrad kept; gradients are not copied). A layer or tensor
// held in two places is copied once and held in both places of the copy. Other
// values (numbers, settings, functions) are the same values. The layers that
// keep sublayers in private fields (MultiheadAttention's dropout, a transformer
// layer's, RNN/LSTM/GRU's and their quantized forms', Fold's sizes), which no field copy reaches, are
// rebuilt from their description instead, as tm.nn.load builds them.
// Forward hooks and train/eval modes go with the copy.
import { ValueError } from '../errors.js';
import { noGrad } from '../tape.js';
import { Tensor } from '../tensor.js';
import { MultiheadAttention } from './attention.js';
import { Fold, Unfold } from './fold.js';
import { rebuilt } from './load.js';
import { copyHooks, Module } from './module.js';
import { QuantizedGRU, QuantizedLSTM, QuantizedRNN } from './quantized_recurrent.js';
import { GRU, LSTM, RNN } from './recurrent.js';
import { TransformerEncoderLayer } from './transformer.js';
import { TransformerDecoderLayer } from './transformer_decoder.js';
import { copyUnbuilt } from './unbuilt.js';

/** The built-in layers with private fields: copied by rebuilding (exactly these classes; a subclass is copied field by field). */
const PRIVATE_STATE: readonly (abstract new (...args: never[]) => Module)[] = [MultiheadAttention, TransformerEncoderLayer, TransformerDecoderLayer, RNN, LSTM, GRU, QuantizedLSTM, QuantizedGRU, QuantizedRNN, Fold, Unfold];

/** What was copied into what, so that shared layers and tensors stay shared in the copy. */
type Copies = Map<Module | Tensor, Module | Tensor>;

/** A copy of `model` that shares no tensor with it (see the file's comment). */
export function copyModule(model: Module): Module {
  const copies: Copies = new Map();
  try {
    return noGrad(() => copyLayer(model, copies));
  } catch (err) {
    // What was copied before the failure is nobody's: the cloned tensors, and the rebuilt layers (whose tensors are theirs alone).
    for (const [original, copy] of copies) {
      if (copy instanceof Tensor && copy !== original) copy.dispose();
      if (copy instanceof Module && isRebuilt(copy)) copy.dispose();
    }
    throw err;
  }
}

const isRebuilt = (layer: Module): boolean => PRIVATE_STATE.some((type) => Object.getPrototypeOf(layer) === type.prototype);

function copyLayer(layer: Module, copies: Copies): Module {
  const done = copies.get(layer);
  if (done) return done as Module;
  if (isRebuilt(layer)) {
    const copy = rebuilt(layer);
    if (!copy) throw new ValueError(`quantizeDynamic: could not copy a ${layer.constructor.name} from its description; pass { inplace: true } to quantize the model itself`);
    copies.set(layer, copy);
    return copy;
  }
  const copy = Object.create(Object.getPrototypeOf(layer) as object) as Module;
  copies.set(layer, copy);
  for (const [key, descriptor] of Object.entries(Object.getOwnPropertyDescriptors(layer))) {
    // The hooks' wrapper of forward (module.ts) belongs to the original; copyHooks installs the copy's own.
    if (key === 'forward' && !descriptor.enumerable) continue;
    if ('value' in descriptor) descriptor.value = copyValue(descriptor.value, copies);
    Object.defineProperty(copy, key, descriptor);
  }
  copyHooks(layer, copy);
  // A lazy layer not built yet keeps what it knows off its fields (unbuilt.ts): the copy needs its own.
  copyUnbuilt(layer, copy);
  return copy;
}

function copyValue(value: unknown, copies: Copies): unknown {
  if (value instanceof Module) return copyLayer(value, copies);
  if (value instanceof Tensor) return copyTensor(value, copies);
  if (Array.isArray(value) && value.some((v) => v instanceof Module || v instanceof Tensor || Array.isArray(v))) return value.map((v) => copyValue(v, copies));
  return value;
}

function copyTensor(t: Tensor, copies: Copies): Tensor {
  const done = copies.get(t);
  if (done) return done as Tensor;
  // A disposed tensor (a layer's weight replaced and freed) stays what it is: there is nothing to copy.
  const copy = t.isDisposed ? t : t.clone();
  if (copy !== t) copy.requiresGrad = t.requiresGrad;
  copies.set(t, copy);
  return copy;
}
