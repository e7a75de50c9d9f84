// ONNX's signal-processing operators. DFT and STFT run on tm.fft's
// transforms, so they take any length (powers of two, other composite sizes
// factorized, primes through Bluestein's algorithm: see ops/fft/dft.ts) on
// every backend, and autograd reaches the signal and STFT's window. The
// window functions and MelWeightMatrix make a fixed array from a few
// integers: they are computed on the host in float64, as ONNX's reference
// computes them, and give a Constant, so graphs that use them as constants
// stay synchronous.
//
// Complex values are tm.fft's layout, which is ONNX's too: a last axis of 2,
// (real, imaginary); a real signal has a last axis of 1 instead. `onesided`
// keeps the first ⌊n/2⌋ + 1 bins of whatever the transform gives (inverse or
// not, real or complex input), as ONNX's reference and onnxruntime do.
import { f16Bits, f16Value } from '../../f16.js';
import * as ops from '../../ops/index.js';
import type { Tensor } from '../../tensor.js';
import type { NodeCall } from '../node_call.js';
import { DATA_TYPES } from '../proto.js';
import { bfloat16, bfloat16Bits, Constant, isIntegerType, type ElementType } from '../value.js';
import type { OnnxOp, OpTable } from './op.js';

/** A 0/1 attribute, refused otherwise. */
function flag(call: NodeCall, name: string, fallback: 0 | 1): boolean {
  const v = call.int(name, fallback);
  if (v !== 0 && v !== 1) throw call.error(`${name} = ${v} should be 0 or 1`);
  return v === 1;
}

/** Input i on the host as one integer (a length, a step, an axis). */
function scalarInt(call: NodeCall, i: number, name: string): number {
  const v = call.scalar(i, name);
  if (!Number.isSafeInteger(v)) throw call.error(`${name} (input ${i}) = ${v} should be an integer`);
  return v;
}

/** A signal of ONNX's layout: float, [..., 1] (real) or [..., 2] (complex), with `least` axes at least. */
function checkSignal(call: NodeCall, x: Tensor, name: string, least: number, layout: string): boolean {
  if (x.dtype !== 'f32' && x.dtype !== 'f16') throw call.error(`${name} should be float, it is ${x.dtype}`);
  const parts = x.shape[x.rank - 1];
  if (x.rank < least || (parts !== 1 && parts !== 2)) {
    throw call.error(`${name} is [${x.shape.join(', ')}]; it should be ${layout}, its last axis 1 (real) or 2 (real, imaginary)`);
  }
  return parts === 1;
}

/** y's first `count` entries along `axis`. */
function firstAlong(y: Tensor, axis: number, count: number): Tensor {
  return ops.slice(y, y.shape.map(() => 0), y.shape.map((d, i) => (i === axis ? count : d)));
}

/**
 * The transform of signal x [..., 1 or 2] along signal axis `axis`, of
 * length n (x cropped or zero-padded to it), complex [..., n or ⌊n/2⌋ + 1, ..., 2].
 * A real signal's onesided forward transform is tm.fft's rfft, which
 * computes only those bins; the rest take the complex transform.
 */
function transform(x: Tensor, real: boolean, axis: number, n: number, inverse: boolean, onesided: boolean): Tensor {
  if (real && onesided && !inverse) return ops.fft.rfft(ops.squeeze(x, -1), { axis, n });
  const z = real ? ops.pad(x, x.shape.map((_, i) => (i === x.rank - 1 ? [0, 1] : [0, 0]))) : x;
  const y = inverse ? ops.fft.ifft(z, { axis, n }) : ops.fft.fft(z, { axis, n });
  return onesided ? firstAlong(y, axis, Math.floor(n / 2) + 1) : y;
}

/**
 * DFT: y[k] = Σ_j x[j]·e^(−2πi·jk/n) along one signal axis, the inverse
 * (1/n)·Σ_k y[k]·e^(2πi·jk/n). The axis is an attribute (default 1) before
 * opset 20 and an input (default −2) since; either way it counts x's axes,
 * the last (the real/imaginary one) excluded from the range.
 */
const dft: OnnxOp = {
  hostInputs: [1, 2],
  run: (call) => {
    const x = call.tensor(0);
    const real = checkSignal(call, x, 'input', 2, '[..., signal length, 1 or 2]');
    const inverse = flag(call, 'inverse', 0), onesided = flag(call, 'onesided', 0);
    let axis: number;
    if (call.opset < 20) axis = call.int('axis', 1);
    else {
      if (call.int('axis') !== undefined) throw call.error(`attribute axis = ${call.int('axis')} is not part of DFT since opset 20 (this model's is ${call.opset}): the axis is input 2`);
      axis = call.has(2) ? scalarInt(call, 2, 'axis') : -2;
    }
    const r = x.rank;
    if (axis < -r || axis > r - 2 || axis === -1) throw call.error(`axis = ${axis} is outside [${-r}, -2] ∪ [0, ${r - 2}] for input [${x.shape.join(', ')}] (its last axis holds the real and imaginary parts)`);
    const a = axis < 0 ? axis + r : axis;
    const n = call.has(1) ? scalarInt(call, 1, 'dft_length') : x.shape[a];
    if (n < 1) throw call.error(call.has(1) ? `dft_length = ${n} should be at least 1` : `axis ${axis} of input [${x.shape.join(', ')}] is empty: there is nothing to transform`);
    return transform(x, real, a, n, inverse, onesided);
  },
};

/**
 * STFT: signal [batch, length, 1 or 2] cut into frames of frame_length
 * starting every frame_step samples (only whole frames), each multiplied by
 * the window and transformed: [batch, frames, bins, 2], frames =
 * ⌊(length − frame_length) / frame_step⌋ + 1, bins = ⌊frame_length/2⌋ + 1
 * when onesided (the default), frame_length otherwise. The frame length is
 * frame_length, else the window's length, else the whole signal.
 */
const stft: OnnxOp = {
  hostInputs: [1, 3],
  run: (call) => {
    const x = call.tensor(0);
    const real = checkSignal(call, x, 'signal', 3, '[batch, signal length, 1 or 2]');
    if (x.rank !== 3) throw call.error(`signal is [${x.shape.join(', ')}]; it should be [batch, signal length, 1 or 2]`);
    const onesided = flag(call, 'onesided', 1);
    const [batch, length, parts] = x.shape;
    const step = scalarInt(call, 1, 'frame_step');
    if (step < 1) throw call.error(`frame_step = ${step} should be at least 1`);
    const window = call.has(2) ? call.tensor(2) : undefined;
    if (window && window.rank !== 1) throw call.error(`window is [${window.shape.join(', ')}]; it should be one axis, [frame_length]`);
    const given = call.has(3) ? scalarInt(call, 3, 'frame_length') : undefined;
    if (window && given !== undefined && given !== window.shape[0]) {
      throw call.error(`frame_length = ${given} differs from the window's length ${window.shape[0]}; they should be equal`);
    }
    const frameLength = given ?? window?.shape[0] ?? length;
    if (frameLength < 1 || frameLength > length) throw call.error(`frame_length = ${frameLength} should be in [1, ${length}], the signal's length`);
    const frames = Math.floor((length - frameLength) / step) + 1;
    const starts = Int32Array.from({ length: frames * frameLength }, (_, i) => Math.floor(i / frameLength) * step + (i % frameLength));
    const framed = ops.reshape(ops.gather(x, ops.tensor(starts, [starts.length], { dtype: 'i32' }), 1), [batch, frames, frameLength, parts]);
    const weighted = window ? ops.mul(framed, ops.reshape(window, [1, 1, frameLength, 1])) : framed;
    return transform(weighted, real, 2, frameLength, false, onesided);
  },
};

/** The element types a window or MelWeightMatrix may be made in (output_datatype): the numeric ones. */
const OUTPUT_TYPES: readonly ElementType[] = ['float', 'double', 'float16', 'bfloat16', 'uint8', 'uint16', 'uint32', 'uint64', 'int8', 'int16', 'int32', 'int64'];

function outputType(call: NodeCall): ElementType {
  const code = call.int('output_datatype', 1);
  const name = DATA_TYPES[code] as ElementType | undefined;
  if (!name || !OUTPUT_TYPES.includes(name)) throw call.error(`output_datatype = ${code} (${DATA_TYPES[code] ?? 'unknown'}) is not supported: it should name one of ${OUTPUT_TYPES.join(', ')}`);
  return name;
}

/** float64 values as `type` holds them: floats rounded to it, integers truncated toward 0 (numpy's astype, onnxruntime's static_cast). */
function asType(type: ElementType, values: Float64Array): Float64Array {
  if (type === 'float') return values.map(Math.fround);
  if (type === 'float16') return values.map((v) => f16Value(f16Bits(v)));
  if (type === 'bfloat16') return values.map((v) => bfloat16(bfloat16Bits(v)));
  if (isIntegerType(type)) return values.map((v) => Math.trunc(v) || 0);
  return values;
}

/**
 * A cosine-sum window of `size`: w[k] = a0 − a1·cos(2πk/N) + a2·cos(4πk/N),
 * N = size when periodic (the default), size − 1 when not. A symmetric
 * window of size 1 is [1], numpy's and torch's (ONNX's reference divides
 * 0 by 0 there).
 */
function cosineSum(a0: number, a1: number, a2: number): OnnxOp {
  const make = (call: NodeCall, size: Constant): Constant => {
    if (size.size !== 1) throw call.error(`size (input 0) should be a scalar, it is [${size.shape.join(', ')}]`);
    const n = size.data[0];
    if (!Number.isSafeInteger(n) || n < 0) throw call.error(`size = ${n} should be a non-negative integer`);
    const periodic = flag(call, 'periodic', 1);
    const type = outputType(call);
    const period = periodic ? n : n - 1;
    const w = Float64Array.from({ length: n }, (_, k) => (period === 0 ? 1 : a0 - a1 * Math.cos((2 * Math.PI * k) / period) + a2 * Math.cos((4 * Math.PI * k) / period)));
    return new Constant(type, [n], asType(type, w));
  };
  return { hostInputs: [0], run: (call) => make(call, call.constant(0, 'size')), host: (call, [size]) => make(call, size) };
}

const hzToMel = (hz: number) => 2595 * Math.log10(1 + hz / 700);
const melToHz = (mel: number) => 700 * (10 ** (mel / 2595) - 1);

/**
 * MelWeightMatrix [⌊dft_length/2⌋ + 1, num_mel_bins]: triangular filters
 * over the spectrum's bins, bin m rising from edge point m to m + 1 and
 * falling to m + 2, the num_mel_bins + 2 edge points evenly spaced in mel
 * (2595·log10(1 + hz/700)) from lower_edge_hertz by (upper − lower)/(num_mel_bins + 2),
 * each at bin ⌊(dft_length + 1)·hz / sample_rate⌋: ONNX's reference and
 * onnxruntime's definition, which stops one step short of upper_edge_hertz.
 */
function melWeightMatrix(call: NodeCall, inputs: readonly Constant[]): Constant {
  const mels = call.scalar(0, 'num_mel_bins'), dftLength = call.scalar(1, 'dft_length'), sampleRate = call.scalar(2, 'sample_rate');
  for (const [name, v] of [['num_mel_bins', mels], ['dft_length', dftLength], ['sample_rate', sampleRate]] as const) {
    if (!Number.isSafeInteger(v) || v < 1) throw call.error(`${name} = ${v} should be a positive integer`);
  }
  const lower = call.scalar(3, 'lower_edge_hertz'), upper = call.scalar(4, 'upper_edge_hertz');
  const type = outputType(call);
  const bins = Math.floor(dftLength / 2) + 1;
  const low = hzToMel(lower), step = (hzToMel(upper) - low) / (mels + 2);
  const edges = Array.from({ length: mels + 2 }, (_, i) => Math.floor(((dftLength + 1) * melToHz(low + i * step)) / sampleRate));
  const outside = edges.find((e) => !(e >= 0 && e < bins));
  if (outside !== undefined) {
    throw call.error(`lower_edge_hertz = ${lower} and upper_edge_hertz = ${upper} put a filter's edge at bin ${outside}, outside the ${bins} bins of a ${dftLength}-point spectrum at sample_rate ${sampleRate} (keep them within [0, sample_rate/2])`);
  }
  const w = new Float64Array(bins * mels);
  for (let m = 0; m < mels; m++) {
    const [left, center, right] = [edges[m], edges[m + 1], edges[m + 2]];
    if (center === left) w[center * mels + m] = 1;
    else for (let j = left; j <= center; j++) w[j * mels + m] = (j - left) / (center - left);
    for (let j = center; j < right; j++) w[j * mels + m] = (right - j) / (right - center);
  }
  return new Constant(type, [bins, mels], asType(type, w));
}

export const SIGNAL_OPS: OpTable = {
  DFT: dft,
  STFT: stft,
  // Hann: sin²(πk/N) = 0.5 − 0.5·cos(2πk/N).
  HannWindow: cosineSum(0.5, 0.5, 0),
  // α − β·cos(2πk/N) with α = 25/46, β = 21/46 (ONNX's reference has π as 3.1415 there; onnxruntime and the spec use π).
  HammingWindow: cosineSum(25 / 46, 21 / 46, 0),
  BlackmanWindow: cosineSum(0.42, 0.5, 0.08),
  MelWeightMatrix: {
    hostInputs: [0, 1, 2, 3, 4],
    run: (call) => melWeightMatrix(call, [0, 1, 2, 3, 4].map((i) => call.constant(i, ['num_mel_bins', 'dft_length', 'sample_rate', 'lower_edge_hertz', 'upper_edge_hertz'][i]))),
    host: melWeightMatrix,
  },
};
