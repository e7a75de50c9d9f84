// A model quantized by tm.nn.quantizeDynamic exported to ONNX: its int8
// weights stay int8 in the file (DequantizeLinear with a scale per output,
// then the product), so the file is about a quarter of the float model's,
// and onnxruntime-web computes x · dequantize(W) + b from it — as tmnn's
// importer does, and tmnn from the same int8 values — while tmnn's quantized layers
// also round x per row (within the quantization error of the float model).
import * as ort from 'onnxruntime-web';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { expectClose } from '../helpers/data.js';

const nn = tm.nn;

async function ortRun(bytes: Uint8Array, x: tm.Tensor): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
  try {
    const out = await session.run({ x: new ort.Tensor('float32', Float32Array.from(await x.data()), x.shape) });
    return (await out.y.getData()) as Float32Array;
  } finally {
    await session.release();
  }
}

/** What the exported graph computes, in tmnn: each quantized layer as x · dequantize(W) + b, then its activation. */
function weightOnly(model: tm.nn.Sequential, x: tm.Tensor): tm.Tensor {
  return tm.tidy(() => model.layers.reduce((h, layer) => {
    if (!(layer instanceof nn.QuantizedDense)) return layer.forward(h);
    const z = h.matmul(tm.dequantize(layer.quantized)).add(layer.bias!);
    return layer.activation === 'relu' ? z.relu() : z;
  }, x));
}

describe.each(BACKENDS)('toOnnx of a quantized model on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it.each([[13, 17, 5, 1], [13, 17, 5, 9], [64, 129, 10, 33]])('MLP %i-%i-%i, batch %i: onnxruntime computes the int8 weights as tmnn holds them', async (inputs, hidden, outputs, batch) => {
    tm.setSeed(inputs * 1000 + batch);
    const float = new nn.Sequential([new nn.Dense(inputs, hidden, { activation: 'relu' }), new nn.Dense(hidden, outputs)]);
    const model = tm.nn.quantizeDynamic(float) as tm.nn.Sequential;
    const bytes = await tm.onnx.toOnnx(model, { inputShape: ['batch', inputs], inputName: 'x', outputName: 'y' });
    const floatBytes = await tm.onnx.toOnnx(float, { inputShape: ['batch', inputs], inputName: 'x', outputName: 'y' });
    // int8 weights: a quarter of the float weights' bytes, plus the scales (and the graph, the same size).
    const weights = inputs * hidden + hidden * outputs;
    expect(floatBytes.length - bytes.length).toBeGreaterThan(weights * 3 - 4 * (hidden + outputs) - 400);

    const x = tm.randn([batch, inputs]);
    const want = await weightOnly(model, x).data();
    expectClose(await ortRun(bytes, x), want, 1e-5, 'onnxruntime');
    // tmnn reads its own export back (DequantizeLinear of the int8 initializer) to the same values.
    const imported = tm.onnx.fromBytes(bytes);
    const back = tm.noGrad(() => imported.forward(x));
    expectClose(await back.data(), want, 1e-5, 'tmnn importing it');
    back.dispose();
    imported.dispose();
    // tmnn's own layers also round x to int8 per row: close to the weight-only product, within that rounding.
    const quantized = tm.noGrad(() => model.forward(x));
    const got = await quantized.data();
    const scale = Math.max(...Array.from(want, Math.abs));
    got.forEach((g, i) => expect(Math.abs(g - want[i])).toBeLessThan(0.05 * scale));
    [x, quantized].forEach((t) => t.dispose());
    model.dispose();
    float.dispose();
  });
});
