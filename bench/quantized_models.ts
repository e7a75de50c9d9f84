// `npm run bench -- quant`: whole models before and after
// tm.nn.quantizeDynamic, on the native and webgpu backends — an MLP
// 784-256-256-10 at batch 1 and 128, a small TransformerEncoder (its
// feed-forward Dense layers int8, attention float), and an LSTM over 28-step
// sequences (QuantizedLSTM: its x·Wih and each step's h·Whh int8) — ms per forward with the
// output read back, the ratio, and the weights' bytes. TensorFlow.js has no
// counterpart to run: its converter's weight quantization (--quantize_uint8)
// only shrinks the file, the weights dequantized to float on load.
import * as tm from '../src/index.js';
import { activeBackend } from '../src/engine.js';
import type { WebGpuBackend } from '../src/backends/webgpu/index.js';
import { quantizedPath } from '../src/backends/webgpu/kernels/quantized_path.js';
import { bestOfEach, printTable } from './harness.js';

const BYTES: Record<tm.DType, number> = { f32: 4, f16: 2, i8: 1, i32: 4 };

/** The bytes of a model's weights: parameters and buffers, each in its dtype (a quantized layer's int8 values, f32 scales and bias). */
function weightBytes(model: tm.nn.Module): number {
  return Object.values(model.namedState()).reduce((n, t) => n + t.size * BYTES[t.dtype], 0);
}

const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;

/** Best ms per forward + readback of the float model and its quantized copy, taken in turns. */
async function timeBoth(model: tm.nn.Module, quantized: tm.nn.Module, x: tm.Tensor): Promise<{ float: number; int8: number }> {
  const run = (m: tm.nn.Module) => async () => {
    const y = tm.noGrad(() => m.forward(x));
    await y.data();
    y.dispose();
  };
  return bestOfEach({ float: run(model), int8: run(quantized) }, 1500);
}

export async function quantizedModelsSection(): Promise<void> {
  const rows: (string | number)[][] = [];
  const ways: string[] = [];
  await tm.init({ backend: 'native' });
  const int8How = (await tm.capabilities()).dtypes.find((d) => d.backend === 'native' && d.dtype === 'i8')?.how ?? 'unknown';
  for (const backend of ['native', 'webgpu'] as const) {
    try {
      await tm.init({ backend });
    } catch (err) {
      rows.push([backend, `unavailable: ${(err as Error).message.slice(0, 60)}`, '', '', '', '', '']);
      continue;
    }
    const mlp = new tm.nn.Sequential([
      new tm.nn.Dense(784, 256, { activation: 'relu', seed: 1 }), new tm.nn.Dense(256, 256, { activation: 'relu', seed: 2 }), new tm.nn.Dense(256, 10, { seed: 3 }),
    ]).eval();
    const mlpQ = tm.nn.quantizeDynamic(mlp);
    for (const batch of [1, 128]) {
      const x = tm.randn([batch, 784], { seed: 4 });
      const t = await timeBoth(mlp, mlpQ, x);
      rows.push([backend, `MLP 784-256-256-10, batch ${batch}`, t.float, t.int8, t.float / t.int8, kib(weightBytes(mlp)), kib(weightBytes(mlpQ))]);
      if (backend === 'webgpu') {
        const rt = (activeBackend() as WebGpuBackend).runtime;
        ways.push(`batch ${batch}: ${[[784, 256], [256, 256], [256, 10]].map(([k, n]) => quantizedPath(rt, { m: batch, k, n })).join('/')}`);
      }
      x.dispose();
    }
    const encoder = new tm.nn.TransformerEncoder({ dModel: 128, nHead: 4, dimFeedforward: 512, dropout: 0, seed: 5 }, 2).eval();
    const encoderQ = tm.nn.quantizeDynamic(encoder);
    const x = tm.randn([8, 32, 128], { seed: 6 });
    const t = await timeBoth(encoder, encoderQ, x);
    rows.push([backend, 'TransformerEncoder 2×(d 128, 4 heads, ff 512), [8, 32, 128]', t.float, t.int8, t.float / t.int8, kib(weightBytes(encoder)), kib(weightBytes(encoderQ))]);
    const lstm = new tm.nn.LSTM(28, 128, { seed: 7 }).eval();
    const lstmQ = tm.nn.quantizeDynamic(lstm);
    const rowsIn = tm.randn([32, 28, 28], { seed: 8 });
    const l = await timeBoth(lstm, lstmQ, rowsIn);
    rows.push([backend, 'LSTM 28→128, [32, 28, 28] (28 steps)', l.float, l.int8, l.float / l.int8, kib(weightBytes(lstm)), kib(weightBytes(lstmQ))]);
    for (const m of [mlp, mlpQ, encoder, encoderQ, x, lstm, lstmQ, rowsIn]) m.dispose();
  }
  printTable(
    'tm.nn.quantizeDynamic: ms per forward + readback (best of runs, float and int8 in turns), and weight bytes',
    ['backend', 'model', 'float ms', 'int8 ms', 'float/int8', 'float weights', 'int8 weights'],
    rows,
    `int8: each Dense a QuantizedDense, the LSTM a QuantizedLSTM (x quantized per row as it comes, exact int8 product: on native ${int8How}, dot4I8Packed on webgpu, ` +
      `or webgpu's f16 way where the device measured it faster — here ${ways.join('; ') || 'n/a'}). The encoder's attention projections stay float (only its feed-forward Dense layers are quantized). ` +
      'On native each product is one addon call (fallback/src/quantized_linear.cc: x quantized, the weight packed once and kept, the product scaled back) on one thread up to ~16M multiply-adds, ' +
      'where f32 sgemm takes both cores: per core the int8 product is ~2× f32\'s, so at these sizes the two are level or int8 a little ahead, with a quarter of the weight memory. ' +
      'TensorFlow.js has no dynamic quantization to compare with (its converter\'s uint8 weights are dequantized on load); onnxruntime-web\'s int8 models are in the onnx section.',
  );
}
