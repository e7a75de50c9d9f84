// TransformerEncoder and TransformerDecoder on every backend against
// PyTorch's equations in float64: each layer's output computed from its own
// weights in turn (padding masks passed to every layer), then the final
// LayerNorm; each layer's weights its own; gradients reach every parameter;
// they save, load and take PyTorch's layers.{i}.… and norm.… names.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { asF32, expectClose, uniform } from '../helpers/data.js';
import { f64, layerNormRef, type F64 } from '../helpers/float64.js';
import { asRef, decoderRef, encoderRef, randomiseConstants } from '../helpers/transformer.js';

/** The stack's final LayerNorm in float64, or x without one. */
async function finalNorm(norm: tm.nn.LayerNorm | null, x: F64): Promise<F64> {
  return norm ? layerNormRef(x, await asRef(norm.weight), await asRef(norm.bias), norm.epsilon) : x;
}

describe.each(BACKENDS)('TransformerEncoder and TransformerDecoder on %s', (backend) => {
  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  afterAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it.each([
    { numLayers: 3, norm: true, normFirst: true },
    { numLayers: 1, norm: false, normFirst: false },
    { numLayers: 2, norm: true, normFirst: false },
  ])('the encoder of $numLayers layers (norm $norm, normFirst $normFirst) is its layers in turn, the mask given to each, then the norm', async ({ numLayers, norm, normFirst }) => {
    const [batch, time, dModel] = [2, 5, 6];
    const template = new tm.nn.TransformerEncoderLayer(dModel, 3, { dimFeedforward: 7, normFirst, causal: !normFirst, layerNormEps: 1e-3 });
    const stack = new tm.nn.TransformerEncoder(template, numLayers, { norm });
    template.dispose();
    randomiseConstants(stack);
    stack.eval();
    const x = asF32(uniform(batch * time * dModel));
    const padding = [[0, 0, 0, 1, 1], [0, 0, 0, 0, 0]];
    const got = stack.forward(tm.tensor(x, [batch, time, dModel]), { keyPaddingMask: tm.tensor(padding.flat(), [batch, time], { dtype: 'i32' }) });
    let want = f64([batch, time, dModel], x);
    for (const layer of stack.layers) want = await encoderRef(layer, want, padding);
    expectClose(await got.data(), (await finalNorm(stack.norm, want)).v, 1e-4);
    stack.dispose();
  });

  it.each([
    { numLayers: 2, norm: true, normFirst: true },
    { numLayers: 3, norm: false, normFirst: false },
  ])('the decoder of $numLayers layers (norm $norm, normFirst $normFirst) is its layers in turn over the same memory, the masks given to each, then the norm', async ({ numLayers, norm, normFirst }) => {
    const [batch, time, source, dModel] = [2, 4, 5, 4];
    const stack = new tm.nn.TransformerDecoder({ dModel, nHead: 2, dimFeedforward: 5, normFirst, causal: true, seed: 11 }, numLayers, { norm });
    randomiseConstants(stack);
    stack.eval();
    const [tgt, memory] = [asF32(uniform(batch * time * dModel)), asF32(uniform(batch * source * dModel))];
    const tgtPad = [[0, 0, 0, 1], [0, 0, 0, 0]];
    const memoryPad = [[0, 0, 0, 0, 1], [1, 1, 0, 0, 0]];
    const got = stack.forward(tm.tensor(tgt, [batch, time, dModel]), tm.tensor(memory, [batch, source, dModel]), {
      tgtKeyPaddingMask: tm.tensor(tgtPad.flat(), [batch, time], { dtype: 'i32' }),
      memoryKeyPaddingMask: tm.tensor(memoryPad.flat(), [batch, source], { dtype: 'i32' }),
    });
    let want = f64([batch, time, dModel], tgt);
    for (const layer of stack.layers) want = await decoderRef(layer, want, f64([batch, source, dModel], memory), tgtPad, memoryPad);
    expectClose(await got.data(), (await finalNorm(stack.norm, want)).v, 1e-4);
    stack.dispose();
  });

  it('passes gradients to the input, memory and every parameter of every layer and the norm', async () => {
    const encoder = new tm.nn.TransformerEncoder({ dModel: 4, nHead: 2, dimFeedforward: 6, dropout: 0 }, 2, { norm: true });
    const decoder = new tm.nn.TransformerDecoder({ dModel: 4, nHead: 2, dimFeedforward: 6, dropout: 0, causal: true }, 2, { norm: true });
    const [src, tgt] = [tm.randn([2, 5, 4], { seed: 1 }), tm.randn([2, 3, 4], { seed: 2 })];
    src.requiresGrad = tgt.requiresGrad = true;
    // The output's squares weighted, so that the final LayerNorm's output (whose squares sum to a constant) passes a gradient.
    const weights = tm.randn([2, 3, 4], { seed: 3 });
    tm.tidy(() => decoder.forward(tgt, encoder.forward(src)).mul(weights).sum()).backward();
    const named = { src, tgt, ...encoder.namedParameters('encoder.'), ...decoder.namedParameters('decoder.') };
    expect(Object.keys(named)).toHaveLength(2 + 2 * 12 + 2 + 2 * 18 + 2);
    for (const [name, t] of Object.entries(named)) {
      const g = await t.grad!.data();
      expect(g.every(Number.isFinite) && g.some((v) => v !== 0), name).toBe(true);
    }
    encoder.dispose();
    decoder.dispose();
  });

  it('saves and loads in a Sequential (every parameter in f16 too): the config and identical predictions', async () => {
    const model = new tm.nn.Sequential([
      new tm.nn.Embedding(7, 8, { seed: 1 }),
      new tm.nn.TransformerEncoder({ dModel: 8, nHead: 2, dimFeedforward: 12, activation: 'gelu', dropout: 0.1, seed: 4 }, 3, { norm: true }),
      new tm.nn.TransformerEncoder({ dModel: 8, nHead: 4, dimFeedforward: 6, bias: false, dropout: 0 }, 1),
    ]);
    randomiseConstants(model);
    const loaded = tm.nn.fromBytes(await model.toBytes());
    expect(loaded.config()).toEqual(model.config());
    expect((loaded.config() as unknown as { layers: unknown[] }).layers[1]).toEqual({
      type: 'TransformerEncoder', numLayers: 3, norm: true,
      layer: { type: 'TransformerEncoderLayer', dModel: 8, nHead: 2, dimFeedforward: 12, dropout: 0.1, activation: 'gelu', layerNormEps: 1e-5, normFirst: false, causal: false, bias: true, seed: 4 },
    });
    const x = tm.tensor([[0, 1, 2, 3, 6], [6, 5, 4, 1, 0]], undefined, { dtype: 'i32' });
    // In training too: the dropout masks are drawn from the saved seed's streams.
    expect(await loaded.predict(x).data()).toEqual(await model.predict(x).data());
    expect(await loaded.forward(x).data()).toEqual(await model.forward(x).data());
    for (const layer of model.modules()) {
      const fields = layer as unknown as Record<string, tm.Tensor>;
      for (const name of Object.keys(layer.ownParameters())) {
        const half = fields[name].cast('f16');
        half.requiresGrad = true;
        fields[name] = half;
      }
    }
    const halves = tm.nn.fromBytes(await model.toBytes());
    expect(new Set(halves.parameters().map((p) => p.dtype))).toEqual(new Set(['f16']));
    expect(await halves.predict(x).data()).toEqual(await model.predict(x).data());
  });
});

describe('TransformerEncoder and TransformerDecoder', () => {
  beforeAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it('draw each layer afresh: no two layers share weights; a seed gives the same stack twice, each layer from a stream of its own', async () => {
    const stack = new tm.nn.TransformerEncoder({ dModel: 4, nHead: 2, dimFeedforward: 6 }, 3);
    const weights = await Promise.all(stack.layers.map((layer) => layer.linear1.weight.data()));
    expect(weights[0]).not.toEqual(weights[1]);
    expect(weights[1]).not.toEqual(weights[2]);
    const seeded = () => new tm.nn.TransformerDecoder(new tm.nn.TransformerDecoderLayer(4, 2, { dimFeedforward: 6, seed: 7 }), 2);
    const [a, b] = [seeded(), seeded()];
    expect(await a.layers[1].selfAttn.inProjWeight.data()).toEqual(await b.layers[1].selfAttn.inProjWeight.data());
    expect(await a.layers[0].selfAttn.inProjWeight.data()).not.toEqual(await a.layers[1].selfAttn.inProjWeight.data());
    expect([a.numLayers, a.norm, a.seed, a.layers[0].dimFeedforward]).toEqual([2, null, 7, 6]);
  });

  it("takes PyTorch's layers.{i}.… and norm.… names", async () => {
    const encoder = new tm.nn.TransformerEncoder({ dModel: 4, nHead: 2, dimFeedforward: 6 }, 2, { norm: true });
    const decoder = new tm.nn.TransformerDecoder({ dModel: 4, nHead: 2, dimFeedforward: 6, bias: false }, 2);
    const model = new tm.nn.Sequential([encoder, decoder]);
    const layerNames = (decoderLayer: boolean, bias: boolean) => [
      ...(decoderLayer ? ['self_attn', 'multihead_attn'] : ['self_attn']).flatMap((a) => [`${a}.in_proj_weight`, ...(bias ? [`${a}.in_proj_bias`] : []), `${a}.out_proj.weight`, ...(bias ? [`${a}.out_proj.bias`] : [])]),
      'linear1.weight', ...(bias ? ['linear1.bias'] : []), 'linear2.weight', ...(bias ? ['linear2.bias'] : []),
      ...(decoderLayer ? ['norm1', 'norm2', 'norm3'] : ['norm1', 'norm2']).flatMap((n) => [`${n}.weight`, `${n}.bias`]),
    ];
    const names = [
      ...[0, 1].flatMap((i) => layerNames(false, true).map((n) => `0.layers.${i}.${n}`)), '0.norm.weight', '0.norm.bias',
      ...[0, 1].flatMap((i) => layerNames(true, false).map((n) => `1.layers.${i}.${n}`)),
    ];
    const state = model.namedState();
    const ours = Object.keys(state);
    expect(ours).toHaveLength(names.length);
    expect(ours.slice(23, 27)).toEqual(['0.1.4.bias', '0.2.weight', '0.2.bias', '1.0.0.inProjWeight']);
    // Each PyTorch tensor filled with its own index, in PyTorch's layout ([out, in] weights transposed).
    const entries: Record<string, { dtype: 'f32'; shape: number[]; data: Float32Array }> = {};
    names.forEach((name, i) => {
      const shape = [...state[ours[i]].shape];
      const torchShape = shape.length === 2 ? [shape[1], shape[0]] : shape;
      entries[name] = { dtype: 'f32', shape: torchShape, data: new Float32Array(torchShape.reduce((a, b) => a * b, 1)).fill(i) };
    });
    tm.nn.loadPytorch(model, tm.encodeSafetensors(entries));
    for (const [i, key] of ours.entries()) expect(new Set(await state[key].data()), `${names[i]} → ${key}`).toEqual(new Set([i]));
    const { ['0.norm.bias']: _, ...missing } = entries;
    expect(() => tm.nn.loadPytorch(model, tm.encodeSafetensors(missing))).toThrow('loadPytorch: the state_dict has no 0.norm.bias (for 0.2.bias, [4])');
  });

  it('refuses a bad layer, count and options, a decoder call without memory, and a file with a stack of the wrong layer, naming them', async () => {
    const encoderLayer = new tm.nn.TransformerEncoderLayer(4, 2, { dimFeedforward: 6 });
    expect(() => new tm.nn.TransformerEncoder(encoderLayer, 0)).toThrow(new tm.ValueError('TransformerEncoder: numLayers must be a positive integer, got 0'));
    expect(() => new tm.nn.TransformerEncoder(encoderLayer, 2.5)).toThrow(new tm.ValueError('TransformerEncoder: numLayers must be a positive integer, got 2.5'));
    expect(() => new tm.nn.TransformerDecoder(encoderLayer as unknown as tm.nn.TransformerDecoderLayer, 2)).toThrow(
      new tm.ValueError('TransformerDecoder: layer must be a TransformerDecoderLayer or its settings { dModel, nHead, ... }, got a TransformerEncoderLayer'),
    );
    expect(() => new tm.nn.TransformerEncoder(null as unknown as tm.nn.TransformerLayerSpec, 2)).toThrow(/layer must be a TransformerEncoderLayer or its settings \{ dModel, nHead, \.\.\. \}, got null/);
    expect(() => new tm.nn.TransformerEncoder({ dModel: 6, nHead: 4 }, 2)).toThrow('TransformerEncoderLayer: nHead 4 must divide dModel 6');
    expect(() => new tm.nn.TransformerEncoder(encoderLayer, 2, { norm: 1 as unknown as boolean })).toThrow(new tm.ValueError('TransformerEncoder: norm must be true or false, got 1'));
    expect(() => new tm.nn.TransformerEncoder(encoderLayer, 2, { numLayers: 3 } as unknown as tm.nn.TransformerStackOptions)).toThrow(/unknown option "numLayers"/);
    const decoder = new tm.nn.TransformerDecoder({ dModel: 4, nHead: 2, dimFeedforward: 6 }, 2);
    expect(() => decoder.forward(tm.zeros([1, 2, 4]))).toThrow(new tm.ValueError("TransformerDecoder: forward(tgt, memory) needs the encoder's output as memory"));
    expect(() => decoder.forward(tm.zeros([1, 2, 4]), tm.zeros([1, 3, 5]))).toThrow('TransformerDecoderLayer: expects memory of shape [batch, time, 4], got [1,3,5]');

    const bytes = await new tm.nn.Sequential([new tm.nn.TransformerEncoder(encoderLayer, 2)]).toBytes();
    const { entries, metadata } = tm.decodeSafetensors(bytes);
    const config = JSON.parse(metadata.model);
    const rewritten = (change: (stack: Record<string, unknown>) => void) => {
      const c = structuredClone(config);
      change(c.layers[0]);
      return tm.encodeSafetensors(entries, { ...metadata, model: JSON.stringify(c) });
    };
    expect(() => tm.nn.fromBytes(rewritten((s) => ((s.layer as Record<string, unknown>).type = 'TransformerDecoderLayer')))).toThrow(/layer 0 \(TransformerEncoder\) has layer = .*expected a TransformerEncoderLayer description/);
    expect(() => tm.nn.fromBytes(rewritten((s) => (s.numLayers = 3)))).toThrow('model file: parameter 0.2.0.inProjWeight is missing');
    expect(() => tm.nn.fromBytes(rewritten((s) => (s.numLayers = 1e9)))).toThrow('model file: layer 0 (TransformerEncoder) has numLayers = 1000000000, expected an integer from 1 to 1024');
    expect(() => tm.nn.fromBytes(rewritten((s) => (s.norm = true)))).toThrow('model file: parameter 0.2.weight is missing');
  });
});
