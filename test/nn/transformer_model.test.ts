// Transformer (PyTorch's nn.Transformer, batch first) on every backend
// against PyTorch's equations in float64: the encoder's layers over the
// source then its LayerNorm, the decoder's layers over the target attending
// to that memory then its LayerNorm, the masks where PyTorch puts them.
// Gradients reach every parameter; it saves and loads; bad settings are
// refused. (Against a real PyTorch export: test/nn/pytorch_export.test.ts.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { asF32, expectClose, uniform } from '../helpers/data.js';
import { f64, layerNormRef, type F64 } from '../helpers/float64.js';
import { asRef, decoderRef, encoderRef, randomiseConstants } from '../helpers/transformer.js';

async function normRef(norm: tm.nn.LayerNorm, x: F64): Promise<F64> {
  return layerNormRef(x, await asRef(norm.weight), await asRef(norm.bias), norm.epsilon);
}

describe.each(BACKENDS)('Transformer on %s', (backend) => {
  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  afterAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it.each([
    { numEncoderLayers: 2, numDecoderLayers: 1, normFirst: false, causal: true },
    { numEncoderLayers: 1, numDecoderLayers: 3, normFirst: true, causal: false },
  ])('is the encoder ($numEncoderLayers layers) then the decoder ($numDecoderLayers, causal $causal) over its output, each ending in a LayerNorm (normFirst $normFirst)', async (settings) => {
    const [batch, source, time, dModel] = [2, 5, 3, 6];
    const model = new tm.nn.Transformer(dModel, 3, { ...settings, dimFeedforward: 7, layerNormEps: 1e-3 });
    randomiseConstants(model);
    model.eval();
    const [src, tgt] = [asF32(uniform(batch * source * dModel)), asF32(uniform(batch * time * dModel))];
    const srcPad = [[0, 0, 0, 1, 1], [0, 0, 0, 0, 0]];
    const tgtPad = [[0, 0, 1], [0, 0, 0]];
    const mask = (rows: number[][]) => tm.tensor(rows.flat(), [rows.length, rows[0].length], { dtype: 'i32' });
    const got = model.forward(tm.tensor(src, [batch, source, dModel]), tm.tensor(tgt, [batch, time, dModel]), {
      srcKeyPaddingMask: mask(srcPad), tgtKeyPaddingMask: mask(tgtPad), memoryKeyPaddingMask: mask(srcPad),
    });
    expect(got.shape).toEqual([batch, time, dModel]);
    let memory = f64([batch, source, dModel], src);
    for (const layer of model.encoder.layers) memory = await encoderRef(layer, memory, srcPad);
    memory = await normRef(model.encoder.norm!, memory);
    let want = f64([batch, time, dModel], tgt);
    for (const layer of model.decoder.layers) want = await decoderRef(layer, want, memory, tgtPad, srcPad);
    expectClose(await got.data(), (await normRef(model.decoder.norm!, want)).v, 1e-4);
    expect(model.decoder.layers.every((l) => l.causal === settings.causal) && model.encoder.layers.every((l) => !l.causal)).toBe(true);
    model.dispose();
  });

  it('passes gradients to both inputs and every parameter', async () => {
    const model = new tm.nn.Transformer(4, 2, { numEncoderLayers: 2, numDecoderLayers: 2, dimFeedforward: 6, dropout: 0, causal: true });
    const [src, tgt] = [tm.randn([2, 5, 4], { seed: 1 }), tm.randn([2, 3, 4], { seed: 2 })];
    src.requiresGrad = tgt.requiresGrad = true;
    // The output's entries weighted, so that the final LayerNorm's output (whose squares sum to a constant) passes a gradient.
    const weights = tm.randn([2, 3, 4], { seed: 3 });
    tm.tidy(() => model.forward(src, tgt).mul(weights).sum()).backward();
    const named = { src, tgt, ...model.namedParameters() };
    expect(Object.keys(named)).toHaveLength(2 + 2 * 12 + 2 + 2 * 18 + 2);
    for (const [name, t] of Object.entries(named)) {
      const g = await t.grad!.data();
      expect(g.every(Number.isFinite) && g.some((v) => v !== 0), name).toBe(true);
    }
    model.dispose();
  });

  it('saves and loads: the config and identical outputs, in training too (the dropout masks from the saved seed)', async () => {
    const model = new tm.nn.Transformer(8, 4, { numEncoderLayers: 1, numDecoderLayers: 2, dimFeedforward: 12, activation: 'gelu', causal: true, seed: 9 });
    randomiseConstants(model);
    const loaded = (tm.nn.fromBytes(await new tm.nn.Sequential([model]).toBytes()) as tm.nn.Sequential).layers[0] as tm.nn.Transformer;
    expect(loaded.config()).toEqual({
      type: 'Transformer', dModel: 8, nHead: 4, numEncoderLayers: 1, numDecoderLayers: 2, dimFeedforward: 12, dropout: 0.1, activation: 'gelu',
      layerNormEps: 1e-5, normFirst: false, causal: true, bias: true, seed: 9,
    });
    const [src, tgt] = [tm.randn([2, 4, 8], { seed: 4 }), tm.randn([2, 3, 8], { seed: 5 })];
    expect(await loaded.forward(src, tgt).data()).toEqual(await model.forward(src, tgt).data());
    model.eval();
    loaded.eval();
    expect(await loaded.forward(src, tgt).data()).toEqual(await model.forward(src, tgt).data());
  });
});

describe('Transformer', () => {
  beforeAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it("has PyTorch's defaults and sublayer names (encoder.layers.{i}…, encoder.norm, decoder.…)", () => {
    const model = new tm.nn.Transformer(16, 2, { dimFeedforward: 8 });
    expect([model.dModel, model.nHead, model.encoder.numLayers, model.decoder.numLayers, model.causal]).toEqual([16, 2, 6, 6, false]);
    const byDefault = new tm.nn.Transformer();
    expect([byDefault.dModel, byDefault.nHead, byDefault.encoder.layers[0].dimFeedforward]).toEqual([512, 8, 2048]);
    byDefault.dispose();
    const small = new tm.nn.Transformer(4, 2, { numEncoderLayers: 1, numDecoderLayers: 1, dimFeedforward: 6 });
    const torchNames = Object.keys(small.namedState()).length;
    expect(torchNames).toBe(12 + 2 + 18 + 2);
    const seeded = () => new tm.nn.Transformer(4, 2, { numEncoderLayers: 1, numDecoderLayers: 1, dimFeedforward: 6, seed: 3 });
    const [a, b] = [seeded(), seeded()];
    return Promise.all([a.decoder.layers[0].linear1.weight.data(), b.decoder.layers[0].linear1.weight.data(), a.encoder.layers[0].linear1.weight.data()]).then(([x, y, z]) => {
      expect(x).toEqual(y);
      expect(x).not.toEqual(z);
    });
  });

  it('refuses bad settings and a call without the target, naming them', () => {
    expect(() => new tm.nn.Transformer(6, 4)).toThrow('Transformer: nHead 4 must divide dModel 6');
    expect(() => new tm.nn.Transformer(4, 2, { numEncoderLayers: 0 })).toThrow(new tm.ValueError('Transformer: numEncoderLayers must be a positive integer, got 0'));
    expect(() => new tm.nn.Transformer(4, 2, { numDecoderLayers: 1.5 })).toThrow(new tm.ValueError('Transformer: numDecoderLayers must be a positive integer, got 1.5'));
    expect(() => new tm.nn.Transformer(4, 2, { numLayers: 2 } as never)).toThrow(/unknown option "numLayers"/);
    const model = new tm.nn.Transformer(4, 2, { numEncoderLayers: 1, numDecoderLayers: 1, dimFeedforward: 6 });
    expect(() => model.forward(tm.zeros([1, 2, 4]))).toThrow(new tm.ValueError('Transformer: forward(src, tgt) needs the target sequence tgt'));
    expect(() => model.forward(tm.zeros([1, 2, 4]), tm.zeros([1, 2, 4]), { srcMask: tm.zeros([2, 2]) } as never)).toThrow(/unknown option "srcMask"/);
    expect(() => model.forward(tm.zeros([1, 2, 4]), tm.zeros([1, 2, 5]))).toThrow('TransformerDecoderLayer: expects tgt of shape [batch, time, 4], got [1,2,5]');
  });

  it('refuses a model file whose stacks disagree with its tensors, naming what is wrong', async () => {
    const model = new tm.nn.Transformer(4, 2, { numEncoderLayers: 1, numDecoderLayers: 1, dimFeedforward: 6 });
    const { entries, metadata } = tm.decodeSafetensors(await new tm.nn.Sequential([model]).toBytes());
    const rewritten = (change: (layer: Record<string, unknown>) => void) => {
      const config = JSON.parse(metadata.model);
      change(config.layers[0]);
      return tm.encodeSafetensors(entries, { ...metadata, model: JSON.stringify(config) });
    };
    expect(() => tm.nn.fromBytes(rewritten((t) => (t.numDecoderLayers = 2)))).toThrow('model file: parameter 0.1.1.0.inProjWeight is missing');
    expect(() => tm.nn.fromBytes(rewritten((t) => (t.numEncoderLayers = 1e9)))).toThrow('model file: layer 0 (Transformer) has numEncoderLayers = 1000000000, expected an integer from 1 to 1024');
    expect(() => tm.nn.fromBytes(rewritten((t) => (t.dimFeedforward = 5)))).toThrow('model file: parameter 0.0.0.1.weight is [4,6], the layer needs [4,5]');
  });
});
