// ONNX's signal-processing ops (src/onnx/ops/signal.ts) on every backend:
// DFT (opset 17's axis attribute, opset 20's axis input; dft_length cropping
// and padding; inverse; onesided; real and complex signals; lengths that are
// powers of two, composite, and primes past tm.fft's direct size) and STFT
// against float64 loops of ONNX's definitions, their gradients (both are
// linear, so the exact gradient of Σ y·r is the reference applied to each
// basis vector); the windows and MelWeightMatrix against ONNX's reference
// formulas, computed on the host (so a graph using them stays synchronous);
// a log-mel pipeline of them; and onnxruntime-web beside each, where its
// wasm build runs the op (DFT at opset 17 and 20, STFT, the three windows
// and MelWeightMatrix all run there; its STFT of a complex signal is wrong,
// so only real ones are compared). The refused inputs and attributes are
// named in errors.
import * as ort from 'onnxruntime-web';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../../src/index.js';
import { BACKENDS } from '../../helpers/backends.js';
import { asF16, asF32, expectClose, SEED, uniform } from '../../helpers/data.js';
import { f64, ravel, size, unravel, type F64 } from '../../helpers/float64.js';
import { onnxModel, singleOp, type AttributeSpec } from '../../helpers/onnx.js';
import { ints, opModel, runModel, runOp, type Feed } from '../../helpers/onnx_run.js';
import { ortRun } from '../../helpers/ort.js';

/** A float64 transform and the sum of the magnitudes it added (the scale of its f32 rounding). */
interface Spectrum {
  y: F64;
  scale: Float64Array;
}

/**
 * ONNX's DFT in float64: x [..., 1 or 2] along `axis`, cropped or
 * zero-padded to n, y[k] = Σ_j x[j]·e^(∓2πi·jk/n) (÷ n for the inverse),
 * the first ⌊n/2⌋ + 1 bins when onesided.
 */
function dftRef(x: F64, axis: number, n: number, inverse: boolean, onesided: boolean): Spectrum {
  const last = x.shape.length - 1, parts = x.shape[last];
  const bins = onesided ? Math.floor(n / 2) + 1 : n;
  const shape = x.shape.map((d, i) => (i === axis ? bins : i === last ? 2 : d));
  const y = new Float64Array(size(shape)), scale = new Float64Array(size(shape));
  for (let o = 0; o < y.length; o += 2) {
    const at = unravel(o, shape);
    const k = at[axis];
    let re = 0, im = 0, mag = 0;
    for (let j = 0; j < Math.min(n, x.shape[axis]); j++) {
      const from = ravel(at.map((v, i) => (i === axis ? j : v)), x.shape);
      const xr = x.v[from], xi = parts === 2 ? x.v[from + 1] : 0;
      const angle = ((inverse ? 2 : -2) * Math.PI * ((j * k) % n)) / n;
      re += xr * Math.cos(angle) - xi * Math.sin(angle);
      im += xr * Math.sin(angle) + xi * Math.cos(angle);
      mag += Math.abs(xr) + Math.abs(xi);
    }
    const d = inverse ? n : 1;
    [y[o], y[o + 1], scale[o], scale[o + 1]] = [re / d, im / d, mag / d, mag / d];
  }
  return { y: f64(shape, y), scale };
}

/** ONNX's STFT in float64: frames of x [B, L, c] every `step`, times the window (or 1), each one's DFT of frame length. */
function stftRef(x: F64, step: number, frameLength: number, window: Float64Array | undefined, onesided: boolean): Spectrum {
  const [batch, length, parts] = x.shape;
  const frames = Math.floor((length - frameLength) / step) + 1;
  const shape = [batch, frames, frameLength, parts];
  const framed = new Float64Array(size(shape));
  for (let i = 0; i < framed.length; i++) {
    const [b, f, j, p] = unravel(i, shape);
    framed[i] = x.v[ravel([b, f * step + j, p], x.shape)] * (window ? window[j] : 1);
  }
  return dftRef(f64(shape, framed), 2, frameLength, false, onesided);
}

/**
 * The exact gradient of Σ f(v)·r for f linear in v: entry i is Σ f(e_i)·r,
 * e_i the i-th basis vector.
 */
function linearGrad(n: number, f: (v: Float64Array) => Float64Array, r: Float64Array): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => {
    const e = new Float64Array(n);
    e[i] = 1;
    return f(e).reduce((s, y, k) => s + y * r[k], 0);
  });
}

type WindowOp = 'HannWindow' | 'HammingWindow' | 'BlackmanWindow';

/**
 * ONNX's windows (onnx/reference/ops/op_*_window.py), N = size when
 * periodic, size − 1 when not: Hann sin²(πk/N); Hamming 25/46 − 21/46·cos(2πk/N)
 * (the reference writes π as 3.1415 there; the spec's formula and onnxruntime
 * use π); Blackman 0.42 − 0.5·cos(2πk/N) + 0.08·cos(4πk/N). A symmetric window
 * of size 1 is [1] (numpy's, torch's; the reference's 0/0 is NaN).
 */
function windowRef(op: WindowOp, n: number, periodic: boolean): Float64Array {
  const N = periodic ? n : n - 1;
  return Float64Array.from({ length: n }, (_, k) => {
    if (N === 0) return 1;
    if (op === 'HannWindow') return Math.sin((Math.PI * k) / N) ** 2;
    if (op === 'HammingWindow') return 25 / 46 - (21 / 46) * Math.cos((2 * Math.PI * k) / N);
    return 0.42 - 0.5 * Math.cos((2 * Math.PI * k) / N) + 0.08 * Math.cos((4 * Math.PI * k) / N);
  });
}

/** ONNX's MelWeightMatrix (onnx/reference/ops/op_mel_weight_matrix.py) in float64: [⌊dft_length/2⌋ + 1, mels]. */
function melRef(mels: number, dftLength: number, rate: number, lower: number, upper: number): F64 {
  const bins = Math.floor(dftLength / 2) + 1;
  const lowMel = 2595 * Math.log10(1 + lower / 700), highMel = 2595 * Math.log10(1 + upper / 700);
  const step = (highMel - lowMel) / (mels + 2);
  const points = Array.from({ length: mels + 2 }, (_, i) => Math.floor(((dftLength + 1) * 700 * (10 ** ((i * step + lowMel) / 2595) - 1)) / rate));
  const out = new Float64Array(bins * mels);
  for (let i = 0; i < mels; i++) {
    const [lo, c, hi] = [points[i], points[i + 1], points[i + 2]];
    if (c - lo === 0) out[c * mels + i] = 1;
    else for (let j = lo; j <= c; j++) out[j * mels + i] = (j - lo) / (c - lo);
    if (hi - c > 0) for (let j = c; j < hi; j++) out[j * mels + i] = (hi - j) / (hi - c);
  }
  return f64([bins, mels], out);
}

const signal = (shape: number[]): F64 => f64(shape, asF32(uniform(size(shape))));
const fed = (x: F64, type: 'float' | 'float16' = 'float'): Feed => ({ shape: x.shape, values: x.v, type });
const int64Scalar = (v: number): Feed => ({ shape: [], values: [v], type: 'int64', constant: true });
const numbers = (t: ort.Tensor): number[] => Array.from(t.data as ArrayLike<number | bigint>, Number);
const ortFloat = (x: F64) => new ort.Tensor('float32', Float32Array.from(x.v), x.shape);

/** tmnn's output, within tol of the reference's rounding scale (f32: ~1e-6 of Σ|x| for these lengths). */
function expectSpectrum(got: F64, want: Spectrum, tol: number, what: string): void {
  expect(got.shape, what).toEqual(want.y.shape);
  expectClose(got.v, want.y.v, tol, `${what} (seed ${SEED})`, want.scale);
}

describe.each(BACKENDS)('ONNX signal ops on %s', (backend) => {
  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  describe('DFT', () => {
    it.each([
      { shape: [2, 7, 1], axis: 1, n: undefined, inverse: false, onesided: false }, // real, odd n
      { shape: [3, 12, 2], axis: 1, n: undefined, inverse: true, onesided: false }, // complex inverse
      { shape: [2, 5, 6, 2], axis: 2, n: 9, inverse: false, onesided: true }, // zero-padded (an int32 dft_length), onesided complex
      { shape: [2, 5, 6, 1], axis: -3, n: 4, inverse: false, onesided: true }, // cropped, real onesided (rfft), negative axis
      { shape: [4, 3, 1], axis: 0, n: undefined, inverse: true, onesided: true }, // inverse onesided: the first bins of the inverse
      { shape: [2, 97, 1], axis: 1, n: undefined, inverse: false, onesided: false }, // prime past the direct size: Bluestein
      { shape: [1, 70, 2], axis: 1, n: 100, inverse: true, onesided: false }, // composite past it: four-step
    ])('at opset 17 on $shape along axis $axis, dft_length $n, inverse $inverse, onesided $onesided', async ({ shape, axis, n, inverse, onesided }) => {
      const x = signal(shape);
      const a = axis < 0 ? axis + shape.length : axis;
      const attrs = { axis, inverse: +inverse, onesided: +onesided };
      const length: Feed | null = n === undefined ? null : { ...int64Scalar(n), type: n === 9 ? 'int32' : 'int64' };
      const [y] = await runOp('DFT', [fed(x), length], attrs, { opset: 17 });
      expectSpectrum(y, dftRef(x, a, n ?? shape[a], inverse, onesided), 2e-5, `DFT of [${shape}]`);
    });

    it.each([
      { shape: [3, 10, 2], axis: undefined, n: undefined, inverse: false, onesided: false }, // default axis −2
      { shape: [2, 6, 5, 1], axis: 1, n: 7, inverse: false, onesided: true },
      { shape: [2, 11, 1], axis: -2, n: 8, inverse: true, onesided: false },
    ])('at opset 20 with axis as input 2 ($axis) on $shape, dft_length $n, inverse $inverse, onesided $onesided', async ({ shape, axis, n, inverse, onesided }) => {
      const x = signal(shape);
      const a = (axis ?? -2) < 0 ? (axis ?? -2) + shape.length : axis!;
      const inputs = [fed(x), n === undefined ? null : int64Scalar(n), axis === undefined ? null : int64Scalar(axis)];
      const [y] = await runOp('DFT', inputs, { inverse: +inverse, onesided: +onesided }, { opset: 20 });
      expectSpectrum(y, dftRef(x, a, n ?? shape[a], inverse, onesided), 2e-5, `DFT-20 of [${shape}]`);
    });

    it('runs a float16 signal, within f16 rounding', async () => {
      const x = f64([3, 9, 2], asF16(uniform(54)));
      const [y] = await runOp('DFT', [fed(x, 'float16')], { axis: 1 }, { opset: 17, outputTypes: ['float16'] });
      expectSpectrum(y, dftRef(x, 1, 9, false, false), 4e-3, 'DFT of f16');
    });

    it('passes the exact gradient to a complex signal and a real one (cropped and padded)', async () => {
      for (const { shape, n, inverse, onesided } of [
        { shape: [2, 9, 2], n: 12, inverse: false, onesided: false },
        { shape: [2, 10, 1], n: 7, inverse: true, onesided: true },
      ]) {
        const x = signal(shape);
        const want = dftRef(x, 1, n, inverse, onesided);
        const r = uniform(want.y.v.length);
        const model = tm.onnx.fromBytes(singleOp('DFT', [{ name: 'x', shape }], { axis: 1, inverse: +inverse, onesided: +onesided }, { opset: 17, initializers: { n: { type: 'int64', shape: [], values: [n] } }, extraInputs: ['n'] }));
        const xt = tm.tensor(x.v, shape);
        xt.requiresGrad = true;
        const y = model.run([xt]).y;
        expectClose(await y.data(), want.y.v, 2e-5, 'DFT y', want.scale);
        y.mul(tm.tensor(r, want.y.shape)).sum().backward();
        const dx = linearGrad(x.v.length, (v) => dftRef(f64(shape, v), 1, n, inverse, onesided).y.v, r);
        expectClose(await xt.grad!.data(), dx, 1e-4, `DFT dx of [${shape}] (seed ${SEED})`, dx.map(() => size(shape)));
        model.dispose();
      }
    });

    it('agrees with onnxruntime at opset 17 and 20', async () => {
      for (const { shape, opset, attrs, extra } of [
        { shape: [2, 16, 1], opset: 17, attrs: { axis: 1, onesided: 1 }, extra: [] as Feed[] },
        { shape: [3, 12, 2], opset: 17, attrs: { axis: 1, inverse: 1 }, extra: [] },
        { shape: [2, 5, 7, 2], opset: 20, attrs: {}, extra: [int64Scalar(7), int64Scalar(2)] },
      ]) {
        const x = signal(shape);
        const inputs = [fed(x), ...extra];
        const want = await ortRun(opModel('DFT', inputs, attrs, { opset }), { x0: ortFloat(x) });
        const [y] = await runOp('DFT', inputs, attrs, { opset });
        expect(y.shape).toEqual(want.y0.dims);
        expectClose(y.v, numbers(want.y0), 1e-4, `DFT of [${shape}] at opset ${opset} vs onnxruntime (seed ${SEED})`, y.v.map(() => 4));
      }
    });
  });

  describe('STFT', () => {
    it.each([
      { shape: [2, 40, 1], step: 7, frame: 12, window: true, onesided: undefined }, // frame_length and window both, onesided by default
      { shape: [1, 33, 1], step: 4, frame: 9, window: false, onesided: 0 },
      { shape: [2, 30, 2], step: 5, frame: undefined, window: true, onesided: 0 }, // complex signal, frame length from the window
      { shape: [1, 21, 2], step: 3, frame: undefined, window: false, onesided: 1 }, // one frame of the whole signal
      { shape: [1, 200, 1], step: 50, frame: 67, window: true, onesided: 1 }, // a prime frame past the direct size
    ])('on $shape every $step samples, frame_length $frame, window $window, onesided $onesided', async ({ shape, step, frame, window, onesided }) => {
      const x = signal(shape);
      const frameLength = frame ?? shape[1];
      const w = window ? asF32(uniform(frameLength, 0, 1)) : undefined;
      const inputs = [fed(x), int64Scalar(step), w ? { shape: [frameLength], values: w } : null, frame === undefined ? null : int64Scalar(frame)];
      const [y] = await runOp('STFT', inputs, onesided === undefined ? {} : { onesided }, { opset: 17 });
      expectSpectrum(y, stftRef(x, step, frameLength, w, onesided !== 0), 2e-5, `STFT of [${shape}]`);
    });

    it('passes the exact gradients to the signal and to the window (a parameter)', async () => {
      const shape = [2, 23, 1], step = 4, frame = 10;
      const x = signal(shape), w = asF32(uniform(frame, 0, 1));
      const want = stftRef(x, step, frame, w, true);
      const r = uniform(want.y.v.length);
      const model = tm.onnx.fromBytes(singleOp('STFT', [{ name: 'x', shape }], {}, { opset: 17, initializers: { step: { type: 'int64', shape: [], values: [step] }, w: { shape: [frame], values: w } }, extraInputs: ['step', 'w'] }));
      const xt = tm.tensor(x.v, shape);
      xt.requiresGrad = true;
      const y = model.run([xt]).y;
      y.mul(tm.tensor(r, want.y.shape)).sum().backward();
      const dx = linearGrad(x.v.length, (v) => stftRef(f64(shape, v), step, frame, w, true).y.v, r);
      const dw = linearGrad(frame, (v) => stftRef(x, step, frame, v, true).y.v, r);
      expectClose(await xt.grad!.data(), dx, 1e-4, `STFT dx (seed ${SEED})`, dx.map(() => 20));
      expectClose(await model.ownParameters().w.grad!.data(), dw, 1e-4, `STFT dwindow (seed ${SEED})`, dw.map(() => 100));
      model.dispose();
    });

    // onnxruntime's STFT misreads complex signals ([..., 2]: an impulse comes out in the wrong frame, with an imaginary part it lacks), so only real ones here.
    it('agrees with onnxruntime on real signals', async () => {
      for (const { shape, step, frame, onesided } of [
        { shape: [2, 50, 1], step: 6, frame: 16, onesided: 1 },
        { shape: [1, 41, 1], step: 5, frame: 10, onesided: 0 },
      ]) {
        const x = signal(shape), w = asF32(uniform(frame, 0, 1));
        const inputs: Feed[] = [fed(x), int64Scalar(step), { shape: [frame], values: w, constant: true }, int64Scalar(frame)];
        const want = await ortRun(opModel('STFT', inputs, { onesided }, { opset: 17 }), { x0: ortFloat(x) });
        const [y] = await runOp('STFT', inputs, { onesided }, { opset: 17 });
        expect(y.shape).toEqual(want.y0.dims);
        expectClose(y.v, numbers(want.y0), 1e-4, `STFT of [${shape}] vs onnxruntime (seed ${SEED})`, y.v.map(() => 4));
      }
    });
  });

  describe('windows', () => {
    const ops: WindowOp[] = ['HannWindow', 'HammingWindow', 'BlackmanWindow'];

    it.each(ops)('%s of sizes 0, 1, 2, 7 and 16, periodic and symmetric, in float and double', async (op) => {
      for (const n of [0, 1, 2, 7, 16]) {
        for (const periodic of [undefined, 0, 1]) {
          for (const type of [undefined, 11]) {
            const attrs: Record<string, AttributeSpec> = { ...(periodic === undefined ? {} : { periodic }), ...(type === undefined ? {} : { output_datatype: type }) };
            const [y] = await runOp(op, [int64Scalar(n)], attrs, { opset: 17 });
            expect(y.shape).toEqual([n]);
            expectClose(y.v, windowRef(op, n, periodic !== 0), 1e-7, `${op}(${n}) periodic ${periodic} (seed ${SEED})`);
          }
        }
      }
    });

    it('makes integer and float16 windows: values truncated toward 0, or rounded to f16', async () => {
      for (const [type, name] of [[6, 'int32'], [2, 'uint8'], [7, 'int64'], [10, 'float16']] as const) {
        const [y] = await runOp('HammingWindow', [int64Scalar(9)], { output_datatype: type, periodic: 0 }, { opset: 17, outputTypes: [name] });
        const want = windowRef('HammingWindow', 9, false);
        expectClose(y.v, name === 'float16' ? asF16(want) : want.map(Math.trunc), 0, `HammingWindow as ${name}`);
      }
    });

    it('is computed on the host, so its result serves ops that need host values; a size from the device needs runAsync', async () => {
      // HannWindow → Shape → Reshape: the synchronous run needs the window's shape on the host.
      const bytes = onnxModel({
        opset: 17,
        inputs: [{ name: 'x', shape: [12] }],
        outputs: [{ name: 'y' }],
        initializers: { n: { type: 'int64', shape: [], values: [12] } },
        nodes: [
          { op: 'HannWindow', inputs: ['n'], outputs: ['w'] },
          { op: 'Mul', inputs: ['x', 'w'], outputs: ['xw'] },
          { op: 'Shape', inputs: ['w'], outputs: ['s'] },
          { op: 'Reshape', inputs: ['xw', 's'], outputs: ['y'] },
        ],
      });
      const x = uniform(12);
      const [y] = await runModel(bytes, [{ shape: [12], values: x }]);
      const w = windowRef('HannWindow', 12, true);
      expectClose(y.v, asF32(x).map((v, i) => v * w[i]), 1e-6, 'x · HannWindow(12)');
      await expect(runOp('HannWindow', [{ shape: [], values: [5], type: 'int64' }], {}, { opset: 17 })).rejects.toThrow(/\(HannWindow\): its size \(input 0, x0\) is computed on the device.*runAsync/);
      const [z] = await runOp('BlackmanWindow', [{ shape: [], values: [5], type: 'int64' }], {}, { opset: 17, mode: 'async' });
      expectClose(z.v, windowRef('BlackmanWindow', 5, true), 1e-7, 'BlackmanWindow of a device size (runAsync)');
    });

    it.each(ops)('%s agrees with onnxruntime', async (op) => {
      for (const periodic of [0, 1]) {
        const bytes = opModel(op, [{ shape: [], values: [11], type: 'int64' }], { periodic }, { opset: 17 });
        const want = await ortRun(bytes, { x0: new ort.Tensor('int64', BigInt64Array.from([11n]), []) });
        const [y] = await runOp(op, [int64Scalar(11)], { periodic }, { opset: 17 });
        expectClose(y.v, numbers(want.y0), 1e-6, `${op} periodic ${periodic} vs onnxruntime`);
      }
    });
  });

  describe('MelWeightMatrix', () => {
    const cases = [
      { mels: 8, dft: 64, rate: 16000, lower: 0, upper: 8000 },
      { mels: 13, dft: 101, rate: 22050, lower: 125, upper: 7600 },
      { mels: 40, dft: 512, rate: 16000, lower: 20, upper: 7999 }, // narrow low filters: rising edges of width 0
      { mels: 5, dft: 30, rate: 8000, lower: 300, upper: 3400 },
    ];
    const inputsOf = ({ mels, dft, rate, lower, upper }: (typeof cases)[number]): Feed[] => [int64Scalar(mels), int64Scalar(dft), int64Scalar(rate), { shape: [], values: [lower], constant: true }, { shape: [], values: [upper], constant: true }];

    it.each(cases)('$mels mel bins of a $dft-point spectrum at $rate Hz, $lower to $upper Hz', async (c) => {
      for (const [type, name] of [[undefined, 'float'], [11, 'double'], [6, 'int32']] as const) {
        const [y] = await runOp('MelWeightMatrix', inputsOf(c), type === undefined ? {} : { output_datatype: type }, { opset: 17, outputTypes: [name] });
        const want = melRef(c.mels, c.dft, c.rate, Math.fround(c.lower), Math.fround(c.upper));
        expect(y.shape).toEqual(want.shape);
        expectClose(y.v, name === 'int32' ? want.v.map(Math.trunc) : want.v, 1e-7, `MelWeightMatrix as ${name} (seed ${SEED})`);
      }
    });

    it('agrees with onnxruntime', async () => {
      for (const c of cases) {
        const bytes = opModel('MelWeightMatrix', inputsOf(c), {}, { opset: 17 });
        const want = await ortRun(bytes, {});
        const [y] = await runOp('MelWeightMatrix', inputsOf(c), {}, { opset: 17 });
        expect(y.shape).toEqual(want.y0.dims);
        expectClose(y.v, numbers(want.y0), 1e-6, `MelWeightMatrix ${JSON.stringify(c)} vs onnxruntime`);
      }
    });
  });

  it('runs a log-mel spectrogram: STFT with a HannWindow, |X|², MatMul by a MelWeightMatrix, beside onnxruntime', async () => {
    const shape = [2, 64, 1], frame = 16, step = 8, mels = 6;
    const bytes = onnxModel({
      opset: 17,
      inputs: [{ name: 'x', shape }],
      outputs: [{ name: 'y' }],
      initializers: {
        frame: { type: 'int64', shape: [], values: [frame] },
        step: { type: 'int64', shape: [], values: [step] },
        mels: { type: 'int64', shape: [], values: [mels] },
        rate: { type: 'int64', shape: [], values: [8000] },
        lo: { shape: [], values: [0] },
        hi: { shape: [], values: [4000] },
        last: { type: 'int64', shape: [1], values: [-1] },
      },
      nodes: [
        { op: 'HannWindow', inputs: ['frame'], outputs: ['w'] },
        { op: 'STFT', inputs: ['x', 'step', 'w', 'frame'], outputs: ['X'] },
        { op: 'Mul', inputs: ['X', 'X'], outputs: ['X2'] },
        { op: 'ReduceSum', inputs: ['X2', 'last'], outputs: ['power'], attributes: { keepdims: 0 } },
        { op: 'MelWeightMatrix', inputs: ['mels', 'frame', 'rate', 'lo', 'hi'], outputs: ['m'] },
        { op: 'MatMul', inputs: ['power', 'm'], outputs: ['y'] },
      ],
    });
    const x = signal(shape);
    const spectrum = stftRef(x, step, frame, windowRef('HannWindow', frame, true), true).y;
    const [batch, frames, bins] = spectrum.shape;
    const m = melRef(mels, frame, 8000, 0, 4000);
    const want = new Float64Array(batch * frames * mels);
    for (let bf = 0; bf < batch * frames; bf++) {
      for (let k = 0; k < bins; k++) {
        const p = spectrum.v[(bf * bins + k) * 2] ** 2 + spectrum.v[(bf * bins + k) * 2 + 1] ** 2;
        for (let j = 0; j < mels; j++) want[bf * mels + j] += p * m.v[k * mels + j];
      }
    }
    const [y] = await runModel(bytes, [fed(x)]);
    expect(y.shape).toEqual([batch, frames, mels]);
    expectClose(y.v, want, 1e-4, `log-mel pipeline (seed ${SEED})`, want.map(() => 100));
    const ortOut = await ortRun(bytes, { x: ortFloat(x) });
    expectClose(y.v, numbers(ortOut.y), 1e-4, `log-mel pipeline vs onnxruntime (seed ${SEED})`, want.map(() => 100));
  });

  it('refuses what it cannot run, naming the node, the attribute or input and its value', async () => {
    const x = (shape: number[]): Feed => ({ shape, values: new Float64Array(size(shape)) });
    const fails = (op: string, inputs: (Feed | null)[], attrs: Record<string, AttributeSpec>, pattern: RegExp, opset = 17) => expect(runOp(op, inputs, attrs, { opset })).rejects.toThrow(pattern);
    await fails('DFT', [x([2, 4, 1])], { axis: 2 }, /node 'DFT_0' \(DFT\): axis = 2 is outside \[-3, -2\] ∪ \[0, 1\] for input \[2, 4, 1\]/);
    await fails('DFT', [x([2, 4, 1])], { axis: -1 }, /axis = -1 is outside/);
    await fails('DFT', [x([2, 4, 3])], {}, /input is \[2, 4, 3\]; it should be \[\.\.\., signal length, 1 or 2\]/);
    await fails('DFT', [{ ...x([2, 4, 1]), type: 'int32' }], {}, /\(DFT\): input should be float, it is i32/);
    await fails('DFT', [x([2, 4, 1])], { inverse: 2 }, /inverse = 2 should be 0 or 1/);
    await fails('DFT', [x([2, 4, 1]), int64Scalar(0)], {}, /dft_length = 0 should be at least 1/);
    await fails('DFT', [x([2, 0, 1])], {}, /axis 1 of input \[2, 0, 1\] is empty/);
    await fails('DFT', [x([2, 4, 1]), ints([4, 4])], {}, /dft_length \(input 1\) should be a scalar, it is \[2\]/);
    await fails('DFT', [x([2, 4, 1])], { axis: 1 }, /attribute axis = 1 is not part of DFT since opset 20/, 20);
    await fails('DFT', [x([2, 4, 1]), null, int64Scalar(-1)], {}, /axis = -1 is outside/, 20);
    await fails('DFT', [x([2, 4, 1]), { shape: [], values: [4], type: 'int64' }], {}, /its dft_length \(input 1, x1\) is computed on the device.*runAsync/);
    await fails('STFT', [x([1, 20, 1]), int64Scalar(2), x([8]), int64Scalar(6)], {}, /\(STFT\): frame_length = 6 differs from the window's length 8/);
    await fails('STFT', [x([1, 20, 1]), int64Scalar(2), null, int64Scalar(21)], {}, /frame_length = 21 should be in \[1, 20\]/);
    await fails('STFT', [x([1, 20, 1]), int64Scalar(0), null, int64Scalar(4)], {}, /frame_step = 0 should be at least 1/);
    await fails('STFT', [x([20, 1]), int64Scalar(2)], {}, /signal is \[20, 1\]; it should be \[batch, signal length, 1 or 2\]/);
    await fails('STFT', [x([1, 20, 1]), int64Scalar(2), x([2, 4])], {}, /window is \[2, 4\]; it should be one axis/);
    await fails('HannWindow', [int64Scalar(-3)], {}, /\(HannWindow\): size = -3 should be a non-negative integer/);
    await fails('HammingWindow', [int64Scalar(4)], { output_datatype: 9 }, /output_datatype = 9 \(bool\) is not supported/);
    await fails('BlackmanWindow', [int64Scalar(4)], { periodic: 3 }, /periodic = 3 should be 0 or 1/);
    const mel = (mels: number, lower: number, upper: number) => [int64Scalar(mels), int64Scalar(64), int64Scalar(16000), { shape: [], values: [lower], constant: true }, { shape: [], values: [upper], constant: true }];
    await fails('MelWeightMatrix', mel(8, 0, 20000), {}, /\(MelWeightMatrix\): lower_edge_hertz = 0 and upper_edge_hertz = 20000 put a filter's edge at bin \d+, outside the 33 bins/);
    await fails('MelWeightMatrix', mel(0, 0, 8000), {}, /num_mel_bins = 0 should be a positive integer/);
  });
});
