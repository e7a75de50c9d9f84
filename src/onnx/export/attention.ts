// MultiheadAttention (self-attention, as its forward computes it),
// TransformerEncoderLayer and TransformerEncoder as ONNX nodes: the projections as one MatMul of
// the packed [embed, 3·embed] weight sliced into query, key and value; the
// heads by Reshape [0, 0, heads, headDim] and Transpose, so batch and time
// stay free; a causal mask added before the Softmax.
import { MultiheadAttention } from '../../nn/attention.js';
import type { Module } from '../../nn/module.js';
import { TransformerEncoderLayer } from '../../nn/transformer.js';
import { TransformerEncoder } from '../../nn/transformer_stack.js';
import { gelu } from './activations.js';
import { paramName, refuse, type Builder, type LayerCall, type LayerExport, type Value } from './builder.js';
import { dense } from './layers.js';
import { layerNorm } from './norms.js';

/** −∞ above the diagonal of [time, time], 0 elsewhere: a constant for a known time, else built from x's shape (Trilu of a −∞ square). */
function causalMask(b: Builder, x: Value): string {
  const time = x.shape[1];
  if (time !== null) {
    const mask = Array.from({ length: time * time }, (_, i) => (i % time > Math.floor(i / time) ? -Infinity : 0));
    return b.floats('causal_mask', mask, [time, time]);
  }
  const t = b.node('Slice', [b.node('Shape', [x.name]), b.ints('starts', [1]), b.ints('ends', [2])]);
  const square = b.node('ConstantOfShape', [b.node('Concat', [t, t], { axis: 0 })], { value: { tensor: { type: 'float', shape: [1], values: [-Infinity] } } });
  return b.node('Trilu', [square, b.int(1)], { upper: 1 });
}

/** x [batch, time, embed] attending over itself, as MultiheadAttention.attend(x, x, x). */
function selfAttention(b: Builder, path: string, attn: MultiheadAttention, x: Value, causal: boolean): string {
  const at = (field: string) => paramName({ path }, field);
  const E = attn.embedDim;
  const [heads, d] = [attn.numHeads, attn.headDim];
  let projected = b.node('MatMul', [x.name, b.param(at('inProjWeight'), attn.inProjWeight)]);
  if (attn.inProjBias) projected = b.node('Add', [projected, b.param(at('inProjBias'), attn.inProjBias)]);
  const part = (i: number) => b.node('Slice', [projected, b.ints('starts', [i * E]), b.ints('ends', [(i + 1) * E]), b.ints('axes', [2])]);
  // [batch, time, heads, d] → [batch, heads, time, d] (the keys to [batch, heads, d, time], ready for the product).
  const split = (t: string, perm: number[]) => b.node('Transpose', [b.node('Reshape', [t, b.ints('shape', [0, 0, heads, d])])], { perm });
  const q = b.node('Mul', [split(part(0), [0, 2, 1, 3]), b.scalar(1 / Math.sqrt(d))]);
  const k = split(part(1), [0, 2, 3, 1]);
  const v = split(part(2), [0, 2, 1, 3]);
  let scores = b.node('MatMul', [q, k]);
  if (causal) scores = b.node('Add', [scores, causalMask(b, x)]);
  const weights = b.node('Softmax', [scores], { axis: -1 });
  const mixed = b.node('Reshape', [b.node('Transpose', [b.node('MatMul', [weights, v])], { perm: [0, 2, 1, 3] }), b.ints('shape', [0, 0, E])]);
  const out = b.node('MatMul', [mixed, b.param(at('outProjWeight'), attn.outProjWeight)]);
  return attn.outProjBias ? b.node('Add', [out, b.param(at('outProjBias'), attn.outProjBias)]) : out;
}

function checkSequence(call: LayerCall, E: number): void {
  if (call.x.shape.length !== 3 || call.x.shape[2] !== E) refuse(call, `takes x [batch, time, ${E}], got [${call.x.shape.map((d) => d ?? '?').join(', ')}]`);
}

function multiheadAttention(call: LayerCall<MultiheadAttention>): string {
  checkSequence(call, call.layer.embedDim);
  return selfAttention(call.b, call.path, call.layer, call.x, call.layer.causal);
}

/** The block as its forward computes it: post-norm (PyTorch's default) or pre-norm, the feed-forward's 'gelu' exact. */
function transformerEncoderLayer(call: LayerCall<TransformerEncoderLayer>): string {
  const { layer, b } = call;
  checkSequence(call, layer.dModel);
  const shape = call.x.shape;
  // A sublayer's path: the layer's, then the sublayer's name there (namedChildren's, as namedState names its tensors).
  const pathOf = (child: Module) => paramName(call, layer.namedChildren().find(([, c]) => c === child)![0]);
  const sub = <L extends Module>(child: L, x: string, run: LayerExport<L>): string => run({ layer: child, path: pathOf(child), x: { name: x, shape }, outShape: shape, b });
  const attention = (t: string) => selfAttention(b, pathOf(layer.selfAttn), layer.selfAttn, { name: t, shape }, layer.causal);
  const feedForward = (t: string) => {
    const h = sub(layer.linear1, t, dense);
    const activated = layer.activation === 'relu' ? b.node('Relu', [h]) : gelu(b, h, 'none');
    // linear2 takes [batch, time, dimFeedforward]; its exporter reads only the rank.
    return sub(layer.linear2, activated, dense);
  };
  if (layer.normFirst) {
    const h = b.node('Add', [call.x.name, attention(sub(layer.norm1, call.x.name, layerNorm))]);
    return b.node('Add', [h, feedForward(sub(layer.norm2, h, layerNorm))]);
  }
  const h = sub(layer.norm1, b.node('Add', [call.x.name, attention(call.x.name)]), layerNorm);
  return sub(layer.norm2, b.node('Add', [h, feedForward(h)]), layerNorm);
}

/** The layers in turn, then the final norm if any (sublayers 0 … numLayers − 1, then the norm). */
function transformerEncoder(call: LayerCall<TransformerEncoder>): string {
  const { layer, b, x } = call;
  let h = x.name;
  layer.layers.forEach((child, i) => {
    h = transformerEncoderLayer({ layer: child, path: paramName(call, String(i)), x: { name: h, shape: x.shape }, outShape: x.shape, b });
  });
  if (!layer.norm) return h;
  return layerNorm({ layer: layer.norm, path: paramName(call, String(layer.layers.length)), x: { name: h, shape: x.shape }, outShape: x.shape, b });
}

type Exports = ReadonlyArray<readonly [abstract new (...args: never[]) => Module, LayerExport<never>]>;

export const ATTENTION_EXPORTS: Exports = [
  [MultiheadAttention, multiheadAttention],
  [TransformerEncoderLayer, transformerEncoderLayer],
  [TransformerEncoder, transformerEncoder],
];
