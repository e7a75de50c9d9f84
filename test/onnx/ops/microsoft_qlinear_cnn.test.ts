// A small CNN in onnxruntime's QOperator format, as quantize_static(...,
// quant_format=QOperator) writes it: QuantizeLinear → two QLinearConvs
// (3×3 padded, 1×1) → QLinearAdd → QLinearGlobalAveragePool → Flatten →
// QGemm (transB, int32 bias) → DequantizeLinear, uint8 activations with
// calibrated scales, int8 weights per output channel. Run by tmnn on every
// backend and by onnxruntime-web on the same bytes, every stage an output:
// each runtime's stage is checked against the float64 definition applied
// to its own previous stage (one off only where a quotient lies within
// float rounding of a half, so that an off-by-one upstream is not blamed on
// a later node), and tmnn's output lies within a bound, derived stage by
// stage, of the float CNN's.
import * as ort from 'onnxruntime-web';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../../src/index.js';
import { BACKENDS } from '../../helpers/backends.js';
import { asF32, expectClose, SEED, uniform } from '../../helpers/data.js';
import { f64, size, type F64 } from '../../helpers/float64.js';
import { onnxModel, type GraphSpec, type TensorSpec } from '../../helpers/onnx.js';
import { CNN_PADS, cnnRef, dequantized, expectRequantized, meanImage, qgemmRef, relative, requantizedRef, type Cnn, type QP } from '../../helpers/onnx_qoperator.js';
import { integerConvRef, quantize, roundHalfEven, type ConvGeometry } from '../../helpers/onnx_quantized.js';
import { runModel } from '../../helpers/onnx_run.js';
import { ortRun } from '../../helpers/ort.js';

const [N, C, H, W, F, OUT] = [2, 3, 7, 6, 4, 5];
const floats = (shape: number[], bound: number): F64 => f64(shape, asF32(uniform(size(shape), -bound, bound)));
const abs = (a: F64): F64 => ({ shape: a.shape, v: a.v.map(Math.abs) });
const maxOf = (v: ArrayLike<number>) => Math.max(...Array.from(v));
const GEOMETRY = (pads: number[]): ConvGeometry => ({ pads, strides: [1, 1], dilations: [1, 1], group: 1 });

function randomCnn(): Cnn {
  const layer = (shape: number[], fanIn: number) => floats(shape, 1 / Math.sqrt(fanIn));
  return { w1: layer([F, C, 3, 3], C * 9), b1: layer([F], C * 9), w2: layer([F, C, 1, 1], C), b2: layer([F], C), wg: layer([OUT, F], F), bg: layer([OUT], F) };
}

/** uint8 parameters for values in [min, max], widened by a quarter of the range each way (the margin no error may cross), with 0 in range. */
interface Calibrated extends QP {
  margin: number;
}
function calibrate(v: ArrayLike<number>): Calibrated {
  const [mn, mx] = [Math.min(...Array.from(v)), maxOf(v)];
  const margin = (mx - mn) / 4;
  const lo = Math.min(0, mn - margin), hi = Math.max(0, mx + margin);
  const scale = Math.fround((hi - lo) / 255);
  return { scale, zeroPoint: Math.min(255, Math.max(0, roundHalfEven(-lo / scale))), margin };
}

/** Symmetric int8 weights per output channel (the first axis): the integers and each channel's step. */
function perChannel(w: F64): { q: Float64Array; steps: number[] } {
  const inner = w.v.length / w.shape[0];
  const steps = Array.from({ length: w.shape[0] }, (_, f) => Math.fround(maxOf(w.v.subarray(f * inner, (f + 1) * inner).map(Math.abs)) / 127));
  return { q: w.v.map((v, i) => quantize(v, steps[Math.floor(i / inner)], 0, 'int8')), steps };
}

/** The quantized CNN: its parameters, and the graph. */
interface QuantizedCnn {
  spec: GraphSpec;
  qx: Calibrated;
  qc: Calibrated;
  qd: Calibrated;
  qe: Calibrated;
  qg: Calibrated;
  qy: Calibrated;
  w1: { q: Float64Array; steps: number[] };
  w2: { q: Float64Array; steps: number[] };
  wg: { q: Float64Array; steps: number[] };
  b1: Float64Array;
  b2: Float64Array;
  bg: Float64Array;
}

function quantizeCnn(net: Cnn, x: F64): QuantizedCnn {
  const float = cnnRef(net, x);
  const [qx, qc, qd, qe, qg, qy] = [x, float.c, float.d, float.e, float.g, float.y].map((t) => calibrate(t.v));
  const [w1, w2, wg] = [net.w1, net.w2, net.wg].map(perChannel);
  // int32 biases at input scale × weight step, as the quantizer writes them.
  const bias = (b: F64, input: QP, steps: number[]) => b.v.map((v, j) => roundHalfEven(v / Math.fround(input.scale * steps[j])));
  const [b1, b2, bg] = [bias(net.b1, qx, w1.steps), bias(net.b2, qx, w2.steps), bias(net.bg, qg, wg.steps)];
  const init: Record<string, TensorSpec> = {};
  const params = (name: string, p: QP) => {
    init[`${name}_scale`] = { shape: [], values: [p.scale] };
    init[`${name}_zero_point`] = { type: 'uint8', shape: [], values: [p.zeroPoint] };
    return [`${name}_scale`, `${name}_zero_point`];
  };
  const weights = (name: string, shape: number[], w: { q: Float64Array; steps: number[] }, b: Float64Array) => {
    init[name] = { type: 'int8', shape, values: w.q };
    init[`${name}_scale`] = { shape: [w.steps.length], values: w.steps };
    init[`${name}_zero_point`] = { type: 'int8', shape: [w.steps.length], values: new Array(w.steps.length).fill(0) };
    init[`${name}_bias`] = { type: 'int32', shape: [b.length], values: b };
    return [name, `${name}_scale`, `${name}_zero_point`];
  };
  const [x_, c_, d_, e_, g_, y_] = [params('x', qx), params('c', qc), params('d', qd), params('e', qe), params('g', qg), params('y', qy)];
  const MS = 'com.microsoft';
  const spec: GraphSpec = {
    opset: 13,
    inputs: [{ name: 'x', shape: [N, C, H, W] }],
    outputs: [{ name: 'y' }, ...['xq', 'cq', 'dq', 'eq', 'gq', 'yq'].map((name) => ({ name, type: 'uint8' as const }))],
    nodes: [
      { op: 'QuantizeLinear', inputs: ['x', ...x_], outputs: ['xq'] },
      { op: 'QLinearConv', inputs: ['xq', ...x_, ...weights('w1', net.w1.shape, w1, b1), ...c_, 'w1_bias'], outputs: ['cq'], attributes: { pads: CNN_PADS, kernel_shape: [3, 3] } },
      { op: 'QLinearConv', inputs: ['xq', ...x_, ...weights('w2', net.w2.shape, w2, b2), ...d_, 'w2_bias'], outputs: ['dq'], attributes: { kernel_shape: [1, 1] } },
      { op: 'QLinearAdd', inputs: ['cq', ...c_, 'dq', ...d_, ...e_], outputs: ['eq'], domain: MS },
      { op: 'QLinearGlobalAveragePool', inputs: ['eq', ...e_, ...g_], outputs: ['gq'], domain: MS },
      { op: 'Flatten', inputs: ['gq'], outputs: ['gf'], attributes: { axis: 1 } },
      { op: 'QGemm', inputs: ['gf', ...g_, ...weights('wg', net.wg.shape, wg, bg), 'wg_bias', ...y_], outputs: ['yq'], attributes: { transB: 1 }, domain: MS },
      { op: 'DequantizeLinear', inputs: ['yq', ...y_], outputs: ['y'] },
    ],
    initializers: init,
  };
  return { spec, qx, qc, qd, qe, qg, qy, w1, w2, wg, b1, b2, bg };
}

type Stages = Record<'y' | 'xq' | 'cq' | 'dq' | 'eq' | 'gq' | 'yq', F64>;

/** Each stage against the float64 definition applied to the same runtime's previous stage; returns how many values were one off. */
function expectStages(s: Stages, x: F64, q: QuantizedCnn, net: Cnn, who: string): number {
  let off = expectRequantized(s.xq.v, requantizedRef(x, q.qx, 'uint8'), (k) => 2 ** -16 * Math.max(1, Math.abs(x.v[k] / q.qx.scale)), `${who} QuantizeLinear`);
  const conv = (w: { q: Float64Array; steps: number[] }, shape: number[], b: Float64Array, pads: number[], out: Calibrated) => {
    const acc = integerConvRef(s.xq, f64(shape, w.q), q.qx.zeroPoint, [0], GEOMETRY(pads));
    const inner = acc.v.length / (N * F);
    const real = { shape: acc.shape, v: acc.v.map((v, i) => { const f = Math.floor(i / inner) % F; return (v + b[f]) * q.qx.scale * w.steps[f]; }) };
    return requantizedRef(real, out, 'uint8');
  };
  const wantC = conv(q.w1, net.w1.shape, q.b1, CNN_PADS, q.qc), wantD = conv(q.w2, net.w2.shape, q.b2, [0, 0, 0, 0], q.qd);
  off += expectRequantized(s.cq.v, wantC, relative(wantC, 2 ** -16), `${who} QLinearConv 3×3`);
  off += expectRequantized(s.dq.v, wantD, relative(wantD, 2 ** -16), `${who} QLinearConv 1×1`);
  const [c, d] = [dequantized(s.cq, q.qc), dequantized(s.dq, q.qd)];
  const wantE = requantizedRef({ shape: c.shape, v: c.v.map((v, i) => v + d.v[i]) }, q.qe, 'uint8');
  off += expectRequantized(s.eq.v, wantE, relative(wantE, 2 ** -16, (k) => (Math.abs(c.v[k]) + Math.abs(d.v[k])) / q.qe.scale), `${who} QLinearAdd`);
  const wantG = requantizedRef(meanImage(dequantized(s.eq, q.qe)), q.qg, 'uint8');
  off += expectRequantized(s.gq.v, wantG, relative(wantG, 2 ** -16), `${who} QLinearGlobalAveragePool`);
  const realY = qgemmRef(f64([N, F], s.gq.v), q.qg, f64([OUT, F], q.wg.q), q.wg.steps, [0], f64([OUT], q.bg), { alpha: 1, transA: false, transB: true });
  const wantY = requantizedRef(realY, q.qy, 'uint8');
  off += expectRequantized(s.yq.v, wantY, relative(wantY, 2 ** -16), `${who} QGemm`);
  expectClose(s.y.v, dequantized(s.yq, q.qy).v, 1e-6, `${who} DequantizeLinear`);
  return off;
}

/**
 * A bound on |quantized CNN − float CNN| per output, stage by stage: x off
 * by half its step; a convolution's output by Σ (|x|·step_w/2 + e_x·(|w| +
 * step_w/2)) over its taps in the image, its bias's half step, and half its
 * own step; a sum by the errors summed and half a step; a mean by at most
 * the largest error and half a step; the Gemm as a convolution. 1e-5 of
 * the terms' sizes and 1e-3 of each step more for f32 arithmetic and
 * rounding a near-half the other way. Each stage's error must stay inside
 * its calibration margin (less a step), or saturation would void the bound:
 * `crossing` names the stages where it may not.
 */
function errorBound(net: Cnn, x: F64, q: QuantizedCnn): { bound: Float64Array; crossing: string[] } {
  const float = cnnRef(net, x);
  const ex = q.qx.scale / 2;
  const convError = (w: F64, steps: number[], pads: number[], out: QP) => {
    const halfSteps = f64(w.shape, w.v.map((_, i) => steps[Math.floor(i / (w.v.length / F))] / 2));
    const xTerms = integerConvRef(abs(x), halfSteps, 0, [0], GEOMETRY(pads));
    const wTerms = integerConvRef(f64(x.shape, x.v.map(() => 1)), f64(w.shape, abs(w).v.map((v, i) => v + halfSteps.v[i])), 0, [0], GEOMETRY(pads));
    const sizes = integerConvRef(abs(x), abs(w), 0, [0], GEOMETRY(pads));
    const inner = xTerms.v.length / (N * F);
    return maxOf(xTerms.v.map((v, i) => v + ex * wTerms.v[i] + (q.qx.scale * steps[Math.floor(i / inner) % F]) / 2 + 1e-5 * (sizes.v[i] + 1) + out.scale * (0.5 + 1e-3)));
  };
  const ec = convError(net.w1, q.w1.steps, CNN_PADS, q.qc), ed = convError(net.w2, q.w2.steps, [0, 0, 0, 0], q.qd);
  const ee = ec + ed + 1e-5 * maxOf(float.c.v.map((v, i) => Math.abs(v) + Math.abs(float.d.v[i]))) + q.qe.scale * (0.5 + 1e-3);
  const eg = ee + q.qg.scale * (0.5 + 1e-3);
  const crossing = ([[ex, q.qx, 'x'], [ec, q.qc, 'conv 3×3'], [ed, q.qd, 'conv 1×1'], [ee, q.qe, 'sum'], [eg, q.qg, 'mean']] as const).filter(([e, p]) => !(e + p.scale < p.margin)).map(([, , what]): string => what);
  const g = float.g.v;
  const bound = new Float64Array(N * OUT);
  for (let r = 0; r < N; r++) {
    for (let j = 0; j < OUT; j++) {
      let e = (q.qg.scale * q.wg.steps[j]) / 2 + q.qy.scale * (0.5 + 1e-3), sizes = Math.abs(net.bg.v[j]);
      for (let p = 0; p < F; p++) {
        const wv = net.wg.v[j * F + p];
        e += (Math.abs(g[r * F + p]) * q.wg.steps[j]) / 2 + eg * (Math.abs(wv) + q.wg.steps[j] / 2);
        sizes += Math.abs(g[r * F + p] * wv);
      }
      bound[r * OUT + j] = e + 1e-5 * sizes;
    }
  }
  if (!(maxOf(bound) + q.qy.scale < q.qy.margin)) crossing.push('output');
  return { bound, crossing };
}

/**
 * A CNN, an input and its quantization whose worst-case errors stay inside
 * every calibration margin: the bound is loose (~20× the errors seen), and
 * about one draw in 27 (113 of 3,000 measured) lets it reach a margin
 * somewhere, mostly the output's; such a draw is
 * drawn again (each try from the seeded stream, so a seed replays).
 */
function drawCnn(): { net: Cnn; x: F64; q: QuantizedCnn; bound: Float64Array } {
  for (let tries = 1; ; tries++) {
    const net = randomCnn();
    const x = floats([N, C, H, W], 1);
    const q = quantizeCnn(net, x);
    const { bound, crossing } = errorBound(net, x, q);
    if (crossing.length === 0) return { net, x, q, bound };
    if (tries === 20) expect.fail(`20 draws each let the error bound reach a calibration margin (last: ${crossing.join(', ')}; seed ${SEED})`);
  }
}

async function ortStages(bytes: Uint8Array, x: F64): Promise<Stages> {
  const out = await ortRun(bytes, { x: new ort.Tensor('float32', Float32Array.from(x.v), x.shape) });
  const stage = async (name: string) => ({ shape: [...out[name].dims], v: Float64Array.from((await out[name].getData()) as ArrayLike<number>) });
  return Object.fromEntries(await Promise.all(['y', 'xq', 'cq', 'dq', 'eq', 'gq', 'yq'].map(async (n) => [n, await stage(n)]))) as Stages;
}

describe.each(BACKENDS)('a QOperator CNN (QLinearConv, QLinearAdd, QLinearGlobalAveragePool, QGemm) on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it('runs each stage as its definition, as onnxruntime-web does, and lands within the quantization error of the float CNN', async () => {
    const { net, x, q, bound } = drawCnn();
    const bytes = onnxModel(q.spec);
    const outs = await runModel(bytes, [{ shape: x.shape, values: x.v }]);
    const names = ['y', 'xq', 'cq', 'dq', 'eq', 'gq', 'yq'] as const;
    const mine = Object.fromEntries(names.map((n, i) => [n, outs[i]])) as Stages;
    expect(mine.y.shape).toEqual([N, OUT]);
    const theirs = await ortStages(bytes, x);
    const offMine = expectStages(mine, x, q, net, 'tmnn');
    const offTheirs = expectStages(theirs, x, q, net, 'onnxruntime');
    // Where no stage of either was one off, the two runs agree to the last integer.
    if (offMine === 0 && offTheirs === 0) for (const n of names) expect(Array.from(mine[n].v), `${n} (seed ${SEED})`).toEqual(Array.from(theirs[n].v));
    const float = cnnRef(net, x).y.v;
    mine.y.v.forEach((v, i) => {
      if (!(Math.abs(v - float[i]) <= bound[i])) expect.fail(`output ${i}: got ${v}, the float CNN ${float[i]} ± ${bound[i]} (seed ${SEED})`);
    });
  });
});
