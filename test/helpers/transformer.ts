// Transformer layers' outputs in float64 from their own weights, by
// PyTorch's equations (attention, feed-forward block, residuals and
// LayerNorms, post- and pre-norm), for the transformer tests.
import * as tm from '../../src/index.js';
import { asF32, uniform } from './data.js';
import { attentionRef, erfRef, f64, layerNormRef, linearRef, map, type AttentionRefWeights, type F64 } from './float64.js';

export async function asRef(t: tm.Tensor): Promise<F64> {
  return f64([...t.shape], await t.data());
}

async function attentionWeights(m: tm.nn.MultiheadAttention): Promise<AttentionRefWeights> {
  return {
    inProjWeight: await asRef(m.inProjWeight), inProjBias: m.inProjBias ? await asRef(m.inProjBias) : undefined,
    outProjWeight: await asRef(m.outProjWeight), outProjBias: m.outProjBias ? await asRef(m.outProjBias) : undefined,
  };
}

/** Random values in every parameter that starts constant (biases, LayerNorms), so the test sees them used. */
export function randomiseConstants(m: tm.nn.Module): void {
  for (const [name, p] of Object.entries(m.namedParameters())) {
    if (/bias$/i.test(name)) p.assign(tm.tensor(asF32(uniform(p.size, -0.5, 0.5)), [...p.shape]));
    else if (p.rank === 1) p.assign(tm.tensor(asF32(uniform(p.size, 0.5, 1.5)), [...p.shape]));
  }
}

const gelu = (x: number) => 0.5 * x * (1 + erfRef(x / Math.SQRT2));
const add = (a: F64, b: F64): F64 => ({ shape: a.shape, v: a.v.map((v, i) => v + b.v[i]) });

/** The decoder layer's output in float64, from its own weights. */
export async function decoderRef(layer: tm.nn.TransformerDecoderLayer, tgt: F64, memory: F64, tgtPad: number[][], memoryPad: number[][]): Promise<F64> {
  const [self, cross] = [await attentionWeights(layer.selfAttn), await attentionWeights(layer.multiheadAttn)];
  const eps = layer.norm1.epsilon;
  const norm = async (n: tm.nn.LayerNorm, t: F64) => layerNormRef(t, await asRef(n.weight), await asRef(n.bias), eps);
  const selfAttention = (t: F64) => attentionRef(t, t, t, self, layer.nHead, (b, q, s) => (layer.causal && s > q) || tgtPad[b][s] !== 0).output;
  const crossAttention = (t: F64) => attentionRef(t, memory, memory, cross, layer.nHead, (b, _q, s) => memoryPad[b][s] !== 0).output;
  const feedForward = async (t: F64) => {
    const hidden = map(linearRef(t, await asRef(layer.linear1.weight), await asRef(layer.linear1.bias!)), layer.activation === 'relu' ? (v) => Math.max(0, v) : gelu);
    return linearRef(hidden, await asRef(layer.linear2.weight), await asRef(layer.linear2.bias!));
  };
  let h = tgt;
  if (layer.normFirst) {
    h = add(h, selfAttention(await norm(layer.norm1, h)));
    h = add(h, crossAttention(await norm(layer.norm2, h)));
    return add(h, await feedForward(await norm(layer.norm3, h)));
  }
  h = await norm(layer.norm1, add(h, selfAttention(h)));
  h = await norm(layer.norm2, add(h, crossAttention(h)));
  return norm(layer.norm3, add(h, await feedForward(h)));
}

/** The encoder layer's output in float64, from its own weights; `padding[b][s]` non-zero leaves key s of sample b out. */
export async function encoderRef(layer: tm.nn.TransformerEncoderLayer, x: F64, padding: number[][]): Promise<F64> {
  const self = await attentionWeights(layer.selfAttn);
  const eps = layer.norm1.epsilon;
  const norm = async (n: tm.nn.LayerNorm, t: F64) => layerNormRef(t, await asRef(n.weight), await asRef(n.bias), eps);
  const attention = (t: F64) => attentionRef(t, t, t, self, layer.nHead, (b, q, s) => (layer.causal && s > q) || padding[b][s] !== 0).output;
  const feedForward = async (t: F64) => {
    const hidden = map(linearRef(t, await asRef(layer.linear1.weight), await asRef(layer.linear1.bias!)), layer.activation === 'relu' ? (v) => Math.max(0, v) : gelu);
    return linearRef(hidden, await asRef(layer.linear2.weight), await asRef(layer.linear2.bias!));
  };
  if (layer.normFirst) {
    const h = add(x, attention(await norm(layer.norm1, x)));
    return add(h, await feedForward(await norm(layer.norm2, h)));
  }
  const h = await norm(layer.norm1, add(x, attention(x)));
  return norm(layer.norm2, add(h, await feedForward(h)));
}
