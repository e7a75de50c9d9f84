// TransformerDecoderLayer (and the encoder layer's key padding mask) on
// every backend against PyTorch's equations in float64: self-attention
// (causal, with target padding), attention over the encoder's memory (with
// memory padding), the feed-forward block, residuals and LayerNorms, post-
// and pre-norm; its gradients reach memory and every parameter; it saves,
// loads and takes PyTorch's state_dict names.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { asF32, expectClose, uniform } from '../helpers/data.js';
import { f64 } from '../helpers/float64.js';
import { decoderRef, randomiseConstants } from '../helpers/transformer.js';

describe.each(BACKENDS)('TransformerDecoderLayer on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it.each([
    { normFirst: false, activation: 'relu' as const, causal: true },
    { normFirst: true, activation: 'gelu' as const, causal: false },
  ])('normFirst $normFirst, $activation, causal $causal: both attentions, the feed-forward block, residuals and LayerNorms as PyTorch\'s, padding masks included', async ({ normFirst, activation, causal }) => {
    const [batch, time, source, dModel, nHead, ff] = [2, 5, 7, 6, 3, 10];
    const layer = new tm.nn.TransformerDecoderLayer(dModel, nHead, { dimFeedforward: ff, normFirst, activation, causal, layerNormEps: 1e-3, seed: 3 });
    randomiseConstants(layer);
    layer.eval();
    const tgt = asF32(uniform(batch * time * dModel));
    const memory = asF32(uniform(batch * source * dModel));
    const tgtPad = [[0, 0, 0, 0, 1], [0, 0, 0, 0, 0]];
    const memoryPad = [[0, 0, 0, 0, 0, 1, 1], [1, 0, 0, 0, 0, 0, 0]];
    const got = layer.forward(tm.tensor(tgt, [batch, time, dModel]), tm.tensor(memory, [batch, source, dModel]), {
      tgtKeyPaddingMask: tm.tensor(tgtPad.flat(), [batch, time], { dtype: 'i32' }),
      memoryKeyPaddingMask: tm.tensor(memoryPad.flat(), [batch, source], { dtype: 'i32' }),
    });
    expect(got.shape).toEqual([batch, time, dModel]);
    const want = await decoderRef(layer, f64([batch, time, dModel], tgt), f64([batch, source, dModel], memory), tgtPad, memoryPad);
    expectClose(await got.data(), want.v, 1e-4);
    layer.dispose();
  });

  it("the encoder layer leaves padded keys out with forward(x, { keyPaddingMask })", async () => {
    const [batch, time, dModel] = [2, 4, 4];
    const layer = new tm.nn.TransformerEncoderLayer(dModel, 2, { dimFeedforward: 8, dropout: 0, seed: 5 });
    const x = tm.tensor(asF32(uniform(batch * time * dModel)), [batch, time, dModel]);
    const mask = tm.tensor([[0, 0, 1, 1], [0, 0, 0, 0]], undefined, { dtype: 'i32' });
    const masked = await layer.forward(x, { keyPaddingMask: mask }).data();
    // The first sample's first two positions see only each other: the same as that sample cut to two positions.
    const cut = await layer.forward(x.slice([0, 0, 0], [1, 2, dModel])).data();
    expectClose(masked.slice(0, 2 * dModel), cut, 1e-5);
    expectClose(masked.slice(time * dModel), await layer.forward(x.slice([1, 0, 0], [1, time, dModel])).data(), 1e-5);
    layer.dispose();
  });

  it('passes gradients to tgt, memory and every parameter', async () => {
    const layer = new tm.nn.TransformerDecoderLayer(4, 2, { dimFeedforward: 8, dropout: 0, causal: true, seed: 2 });
    const tgt = tm.randn([2, 3, 4], { seed: 1 });
    const memory = tm.randn([2, 5, 4], { seed: 2 });
    tgt.requiresGrad = true;
    memory.requiresGrad = true;
    tm.tidy(() => layer.forward(tgt, memory).square().sum()).backward();
    for (const [name, t] of [['tgt', tgt], ['memory', memory], ...Object.entries(layer.namedParameters())] as [string, tm.Tensor][]) {
      const g = await t.grad!.data();
      expect(g.every(Number.isFinite) && g.some((v) => v !== 0), name).toBe(true);
    }
    layer.dispose();
  });
});

describe('TransformerDecoderLayer', () => {
  beforeAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it('learns to copy the memory position its target position names (so only through attending over memory)', async () => {
    tm.setSeed(5);
    const [n, time, source, dModel] = [128, 3, 4, 16];
    // The memory holds a random class per position; target step t carries the position p(t) to read; the answer is memory[p(t)]'s class.
    const classes = Int32Array.from({ length: n * source }, (_, i) => (i * 7919 + (i >> 3)) % 3);
    const positions = Int32Array.from({ length: n * time }, (_, i) => (i * 31 + (i >> 2)) % source);
    const answers = Int32Array.from(positions, (p, i) => classes[Math.floor(i / time) * source + p]);
    const memoryEmbed = new tm.nn.Embedding(3 * source, dModel, { seed: 1 }); // class and position together
    const tgtEmbed = new tm.nn.Embedding(source, dModel, { seed: 2 });
    const decoder = new tm.nn.TransformerDecoderLayer(dModel, 2, { dimFeedforward: 32, dropout: 0, seed: 3 });
    const head = new tm.nn.Dense(dModel, 3, { seed: 4 });
    const modules = [memoryEmbed, tgtEmbed, decoder, head];
    const optimizer = new tm.optim.Adam(modules.flatMap((m) => m.parameters()), { lr: 0.01 });
    const memoryIds = tm.tensor(Int32Array.from(classes, (c, i) => c * source + (i % source)), [n, source], { dtype: 'i32' });
    const tgtIds = tm.tensor(positions, [n, time], { dtype: 'i32' });
    const labels = tm.tensor(answers, [n * time], { dtype: 'i32' });
    const lossOf = () => tm.tidy(() => {
      const out = decoder.forward(tgtEmbed.forward(tgtIds), memoryEmbed.forward(memoryIds));
      return tm.losses.crossEntropy(head.forward(out).reshape([n * time, 3]), labels);
    });
    const first = await lossOf().item();
    for (let step = 0; step < 150; step++) {
      optimizer.zeroGrad();
      const loss = lossOf();
      loss.backward();
      optimizer.step();
      loss.dispose();
    }
    const logits = tm.tidy(() => head.forward(decoder.forward(tgtEmbed.forward(tgtIds), memoryEmbed.forward(memoryIds))).reshape([n * time, 3]));
    const accuracy = await logits.argmax(-1).equal(labels).cast('f32').mean().item();
    expect(await lossOf().item()).toBeLessThan(first / 4);
    expect(accuracy).toBeGreaterThan(0.95);
  });

  it('saves and loads (in a Sequential, whose config it fits), and takes PyTorch\'s self_attn, multihead_attn, linear1/2 and norm1/2/3', async () => {
    const layer = new tm.nn.TransformerDecoderLayer(4, 2, { dimFeedforward: 6, normFirst: true, causal: true, dropout: 0.2, seed: 9 });
    randomiseConstants(layer);
    const model = new tm.nn.Sequential([layer]);
    const loaded = tm.nn.fromBytes(await model.toBytes());
    expect(loaded.config()).toEqual(model.config());
    expect(loaded.config()).toEqual({
      type: 'Sequential', layers: [{ type: 'TransformerDecoderLayer', dModel: 4, nHead: 2, dimFeedforward: 6, dropout: 0.2, activation: 'relu', layerNormEps: 1e-5, normFirst: true, causal: true, bias: true, seed: 9 }],
    });
    const copy = loaded.layers[0] as tm.nn.TransformerDecoderLayer;
    copy.eval();
    layer.eval();
    const [tgt, memory] = [tm.randn([2, 3, 4], { seed: 1 }), tm.randn([2, 5, 4], { seed: 2 })];
    expect(await copy.forward(tgt, memory).data()).toEqual(await layer.forward(tgt, memory).data());
    expect(Object.keys(model.namedParameters()).filter((k) => k.startsWith('0.1.') || k.startsWith('0.6.'))).toEqual([
      '0.1.inProjWeight', '0.1.inProjBias', '0.1.outProjWeight', '0.1.outProjBias', '0.6.weight', '0.6.bias',
    ]);

    const names = [
      'self_attn.in_proj_weight', 'self_attn.in_proj_bias', 'self_attn.out_proj.weight', 'self_attn.out_proj.bias',
      'multihead_attn.in_proj_weight', 'multihead_attn.in_proj_bias', 'multihead_attn.out_proj.weight', 'multihead_attn.out_proj.bias',
      'linear1.weight', 'linear1.bias', 'linear2.weight', 'linear2.bias', 'norm1.weight', 'norm1.bias', 'norm2.weight', 'norm2.bias', 'norm3.weight', 'norm3.bias',
    ];
    const state = layer.namedState();
    const ours = Object.keys(state);
    expect(ours).toHaveLength(names.length);
    // Each PyTorch tensor filled with its own index, in PyTorch's layout; the transposed ones land transposed.
    const entries: Record<string, { dtype: 'f32'; shape: number[]; data: Float32Array }> = {};
    names.forEach((name, i) => {
      const shape = [...state[ours[i]].shape];
      const torchShape = /weight$/.test(name) && shape.length === 2 ? [shape[1], shape[0]] : shape;
      entries[`0.${name}`] = { dtype: 'f32', shape: torchShape, data: new Float32Array(torchShape.reduce((a, b) => a * b, 1)).fill(i) };
    });
    tm.nn.loadPytorch(model, tm.encodeSafetensors(entries));
    for (const [i, key] of ours.entries()) expect(new Set(await state[key].data()), `${names[i]} → ${key}`).toEqual(new Set([i]));
  });

  it('refuses a call without memory, mismatched shapes and bad settings, naming them', () => {
    const layer = new tm.nn.TransformerDecoderLayer(6, 2, { dimFeedforward: 8 });
    expect(() => layer.forward(tm.zeros([2, 3, 6]))).toThrow("TransformerDecoderLayer: forward(tgt, memory) needs the encoder's output as memory");
    expect(() => layer.forward(tm.zeros([2, 3, 6]), tm.zeros([2, 4, 5]))).toThrow('TransformerDecoderLayer: expects memory of shape [batch, time, 6], got [2,4,5]');
    expect(() => layer.forward(tm.zeros([2, 3, 6]), tm.zeros([3, 4, 6]))).toThrow('TransformerDecoderLayer: tgt [2,3,6] and memory [3,4,6] have different batch sizes');
    expect(() => layer.forward(tm.zeros([2, 3, 6]), tm.zeros([2, 4, 6]), { memoryPadding: tm.zeros([2, 4]) } as tm.nn.DecodeOptions)).toThrow(/memoryPadding/);
    expect(() => new tm.nn.TransformerDecoderLayer(6, 4)).toThrow('TransformerDecoderLayer: nHead 4 must divide dModel 6');
    layer.dispose();
  });
});
