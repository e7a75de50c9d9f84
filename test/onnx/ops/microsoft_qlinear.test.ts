// onnxruntime's QOperator ops (com.microsoft: QLinearAdd, QLinearMul,
// QLinearSigmoid, QLinearLeakyRelu, QLinearSoftmax, QLinearAveragePool,
// QLinearGlobalAveragePool, QLinearConcat, QLinearWhere, QGemm) as one-node
// models on every backend, uint8 and int8, odd sizes and broadcasting,
// against float64 loops of their definitions (test/helpers/onnx_qoperator.ts)
// and against onnxruntime-web on the same bytes. A result may be one off
// only where the exact quotient v / y_scale lies within float rounding of a
// half (expectRequantized); dyadic scales, where f32 arithmetic is exact,
// show halves rounding to even with no allowance at all.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../../src/index.js';
import { BACKENDS } from '../../helpers/backends.js';
import { asF32, expectClose, expectExact, randomInts, SEED, uniform } from '../../helpers/data.js';
import { broadcast2, concatRef, f64, permute, pool2dRef, reduceAxes, size, softmaxRef, whereRef, type F64, type WindowRef } from '../../helpers/float64.js';
import type { AttributeSpec, OnnxTypeName } from '../../helpers/onnx.js';
import { ortNode } from '../../helpers/onnx_microsoft.js';
import { dequantize, dequantized, expectRequantized, qgemmRef, RANGE, relative, requantizedRef, type Q, type QP, type Requantized, type Slack } from '../../helpers/onnx_qoperator.js';
import { runOp, type Feed } from '../../helpers/onnx_run.js';

const MS = { domain: 'com.microsoft' } as const;
const ints = (shape: number[], type: Q | 'int32', lo?: number, hi?: number): F64 => f64(shape, randomInts(size(shape), lo ?? (type === 'int32' ? -3000 : RANGE[type][0]), hi ?? (type === 'int32' ? 3000 : RANGE[type][1])));
const typed = (a: F64, type: OnnxTypeName, constant = false): Feed => ({ shape: a.shape, values: a.v, type, constant });
const scalar = (v: number, type: OnnxTypeName = 'float'): Feed => ({ shape: [], values: [v], type, constant: true });
const list = (v: ArrayLike<number>, type: OnnxTypeName = 'float'): Feed => ({ shape: [v.length], values: v, type, constant: true });

/** Random parameters: a scale in [lo, hi] (an f32) and a zero point well inside the type's range. */
function params(type: Q, lo = 0.01, hi = 0.1): QP {
  return { scale: asF32(uniform(1, lo, hi))[0], zeroPoint: randomInts(1, type === 'uint8' ? 60 : -40, type === 'uint8' ? 190 : 40)[0] };
}
const feeds = (p: QP, type: Q): Feed[] => [scalar(p.scale), scalar(p.zeroPoint, type)];

/** Every value of the type once, then random ones: the whole of a lookup table is checked. */
function allValues(type: Q, extra: number[]): F64 {
  const [lo] = RANGE[type];
  const n = size(extra);
  return f64([256 + n], [...Array.from({ length: 256 }, (_, k) => k + lo), ...randomInts(n, ...RANGE[type])]);
}

interface Case {
  what: string;
  op: string;
  feeds: Feed[];
  attributes?: Record<string, AttributeSpec>;
  outType: OnnxTypeName;
  want: Requantized;
  slack: Slack;
}

/** QLinearAdd/QLinearMul of a [shape] and b [shape], broadcast. */
function binaryCase(op: 'QLinearAdd' | 'QLinearMul', type: Q, a: F64, b: F64, ps: [QP, QP, QP] = [params(type), params(type), params(type, 0.02, 0.2)]): Case {
  const [aq, bq, cq] = ps;
  const [aShape, bShape] = [a.shape, b.shape];
  const real = broadcast2(dequantized(a, aq), dequantized(b, bq), op === 'QLinearAdd' ? (x, y) => x + y : (x, y) => x * y);
  const want = requantizedRef(real, cq, type);
  const terms = op === 'QLinearAdd' ? broadcast2(dequantized(a, aq), dequantized(b, bq), (x, y) => (Math.abs(x) + Math.abs(y)) / cq.scale).v : want.q.map(Math.abs);
  return { what: `${op} ${type} [${aShape}] [${bShape}]`, op, feeds: [typed(a, type), ...feeds(aq, type), typed(b, type), ...feeds(bq, type), ...feeds(cq, type)], outType: type, want, slack: relative(want, 2 ** -16, (k) => terms[k]) };
}

function tableCase(op: 'QLinearSigmoid' | 'QLinearLeakyRelu', type: Q, f: (v: number) => number, attributes: Record<string, AttributeSpec> = {}): Case {
  const x = allValues(type, [37]), xq = params(type, 0.02, 0.08);
  const yq = op === 'QLinearSigmoid' ? { scale: Math.fround(1 / 256), zeroPoint: RANGE[type][0] } : params(type);
  const want = requantizedRef({ shape: x.shape, v: x.v.map((v) => f(dequantize(v, xq))) }, yq, type);
  return { what: `${op} ${type}`, op, feeds: [typed(x, type), ...feeds(xq, type), ...feeds(yq, type)], attributes, outType: type, want, slack: relative(want, 2 ** -16) };
}

function softmaxCase(type: Q, shape: number[], opset: number, axis?: number): Case {
  const x = ints(shape, type), xq = params(type, 0.02, 0.1), yq = { scale: Math.fround(1 / 256), zeroPoint: RANGE[type][0] };
  const scaled = { shape, v: x.v.map((v) => v * xq.scale) };
  let p: F64;
  if (opset >= 13) p = softmaxRef(scaled, axis ?? -1, false);
  else {
    // Before opset 13 the axes from axis on together; axis defaults to −1 all the same (the op's schema).
    const a = (axis ?? -1) < 0 ? (axis ?? -1) + shape.length : axis!, outer = size(shape.slice(0, a));
    p = { shape, v: softmaxRef({ shape: [outer, x.v.length / outer], v: scaled.v }, 1, false).v };
  }
  const want = requantizedRef(p, yq, type);
  // exp and the sum in f32 (WGSL's exp is some ulps off): 2^-12 of the quotient.
  return { what: `QLinearSoftmax ${type} [${shape}] opset ${opset} axis ${axis}`, op: 'QLinearSoftmax', feeds: [typed(x, type), ...feeds(xq, type), ...feeds(yq, type)], attributes: { opset, ...(axis === undefined ? {} : { axis }) }, outType: type, want, slack: relative(want, 2 ** -12) };
}

function globalPoolCase(type: Q, shape: number[], channelsLast: boolean): Case {
  const x = ints(shape, type), xq = params(type), yq = params(type, 0.005, 0.05);
  const nchw = channelsLast ? permute(x, [0, shape.length - 1, ...shape.slice(1, -1).map((_, i) => i + 1)]) : x;
  const spatial = nchw.shape.slice(2).map((_, i) => i + 2);
  const mean = reduceAxes(dequantized(nchw, xq), spatial, 0, (a, v) => a + v, true);
  const n = size(nchw.shape.slice(2));
  const real = { shape: mean.shape, v: mean.v.map((v) => v / n) };
  let want = requantizedRef(real, yq, type);
  if (channelsLast) want = permuted(want, [0, ...spatial, 1]);
  return { what: `QLinearGlobalAveragePool ${type} [${shape}]${channelsLast ? ' channels_last' : ''}`, op: 'QLinearGlobalAveragePool', feeds: [typed(x, type), ...feeds(xq, type), ...feeds(yq, type)], attributes: channelsLast ? { channels_last: 1 } : {}, outType: type, want, slack: relative(want, 2 ** -16) };
}

function averagePoolCase(type: Q, shape: number[], kernel: [number, number], strides: [number, number], pads: number[], countPad: boolean, channelsLast = false): Case {
  const x = ints(shape, type), xq = params(type), yq = params(type, 0.005, 0.05);
  const nchw = channelsLast ? permute(x, [0, 3, 1, 2]) : x;
  const geometry = (): WindowRef => ({ stride: strides, sides: [[pads[0], pads[2]], [pads[1], pads[3]]], dilation: [1, 1] });
  const pooled = pool2dRef(dequantized(nchw, xq), kernel, geometry(), countPad ? 'avg' : 'avgPixels');
  // The f32 sum's error is relative to the terms' sizes (values of either sign cancel), and onnxruntime adds y_zero_point before rounding.
  const sizes = pool2dRef({ shape: nchw.shape, v: dequantized(nchw, xq).v.map(Math.abs) }, kernel, geometry(), 'avg');
  let want = requantizedRef(pooled, yq, type);
  let termSizes: ArrayLike<number> = sizes.v.map((v) => (v * kernel[0] * kernel[1]) / yq.scale + 256);
  if (channelsLast) {
    want = permuted(want, [0, 2, 3, 1]);
    termSizes = permute({ shape: sizes.shape, v: Float64Array.from(termSizes) }, [0, 2, 3, 1]).v;
  }
  return { what: `QLinearAveragePool ${type} [${shape}] kernel ${kernel} strides ${strides} pads ${pads}${countPad ? ' count_include_pad' : ''}${channelsLast ? ' channels_last' : ''}`, op: 'QLinearAveragePool', feeds: [typed(x, type), ...feeds(xq, type), ...feeds(yq, type)], attributes: { kernel_shape: kernel, strides, pads, count_include_pad: countPad ? 1 : 0, ...(channelsLast ? { channels_last: 1 } : {}) }, outType: type, want, slack: relative(want, 2 ** -16, (k) => termSizes[k]) };
}

/** A requantized reference with its axes permuted. */
function permuted(r: Requantized, perm: number[]): Requantized {
  return { shape: perm.map((d) => r.shape[d]), q: permute({ shape: r.shape, v: r.q }, perm).v, v: permute({ shape: r.shape, v: r.v }, perm).v };
}

function concatCase(type: Q, shapes: number[][], axis: number): Case {
  const yq = params(type);
  // The second input keeps the output's parameters: passed through as it is.
  const parts = shapes.map((s, k) => ({ x: ints(s, type), q: k === 1 ? yq : params(type) }));
  const real = concatRef(parts.map((p) => dequantized(p.x, p.q)), axis < 0 ? axis + shapes[0].length : axis);
  const want = requantizedRef(real, yq, type);
  return { what: `QLinearConcat ${type} axis ${axis}`, op: 'QLinearConcat', feeds: [...feeds(yq, type), ...parts.flatMap((p) => [typed(p.x, type), ...feeds(p.q, type)])], attributes: { axis }, outType: type, want, slack: relative(want, 2 ** -16) };
}

function whereCase(type: Q): Case {
  const c = f64([4, 1], randomInts(4, 0, 1)), x = ints([4, 5], type), y = ints([5], type);
  const [xq, yq, zq] = [params(type), params(type), params(type)];
  const want = requantizedRef(whereRef(broadcast2(c, x, (v) => v), dequantized(x, xq), dequantized(y, yq)), zq, type);
  return { what: `QLinearWhere ${type}`, op: 'QLinearWhere', feeds: [typed(c, 'bool', true), typed(x, type), ...feeds(xq, type), typed(y, type), ...feeds(yq, type), ...feeds(zq, type)], outType: type, want, slack: relative(want, 2 ** -16) };
}

interface GemmShape {
  type: Q;
  bType?: Q;
  m: number;
  k: number;
  n: number;
  transA?: boolean;
  transB?: boolean;
  alpha?: number;
  perColumn?: boolean;
  cShape?: number[];
  quantized?: boolean;
  /** B fed at run time rather than a constant (the exact i32 product, not the int8 one). */
  bFed?: boolean;
}

function gemmCase(g: GemmShape): Case {
  const { type, m, k, n } = g;
  const transA = g.transA ?? false, transB = g.transB ?? false, alpha = g.alpha ?? 1, quantized = g.quantized ?? true;
  const bType = g.bType ?? 'int8';
  const a = ints(transA ? [k, m] : [m, k], type), b = ints(transB ? [n, k] : [k, n], bType);
  const aq = params(type, 0.01, 0.05);
  const bScales = Array.from(asF32(uniform(g.perColumn ? n : 1, 0.001, 0.01)));
  const bZeros = Array.from(randomInts(g.perColumn ? n : 1, -5, 5), (z) => (bType === 'uint8' ? z + 128 : z));
  const c = g.cShape ? ints(g.cShape, 'int32') : undefined;
  const yq = { scale: Math.fround(0.02 * Math.sqrt(k / 129)), zeroPoint: type === 'uint8' ? 128 : 0 };
  const real = qgemmRef(a, aq, b, bScales, bZeros, c, { alpha, transA, transB });
  const bFeeds = g.perColumn ? [list(bScales), list(bZeros, bType)] : [scalar(bScales[0]), scalar(bZeros[0], bType)];
  const inputs: (Feed | null)[] = [typed(a, type), ...feeds(aq, type), typed(b, bType, g.bFed !== true), ...bFeeds, c ? typed(c, 'int32', true) : null, ...(quantized ? feeds(yq, type) : [])];
  const want = quantized ? requantizedRef(real, yq, type) : { shape: real.shape, q: real.v, v: real.v };
  return { what: `QGemm ${type}×${bType}${g.bFed ? ' (B fed)' : ''} ${m}×${k}×${n}${transA ? ' transA' : ''}${transB ? ' transB' : ''} alpha ${alpha}${g.perColumn ? ' per column' : ''} C [${g.cShape ?? ''}]${quantized ? '' : ' float output'}`, op: 'QGemm', feeds: inputs as Feed[], attributes: { alpha: { float: alpha }, transA: transA ? 1 : 0, transB: transB ? 1 : 0 }, outType: quantized ? type : 'float', want, slack: relative(want, 2 ** -16) };
}

function makeCases(): Case[] {
  return [
    binaryCase('QLinearAdd', 'uint8', ints([3, 1, 5], 'uint8'), ints([4, 5], 'uint8')),
    binaryCase('QLinearAdd', 'int8', ints([2, 3, 7], 'int8'), ints([7], 'int8')),
    binaryCase('QLinearMul', 'uint8', ints([5, 6], 'uint8'), ints([5, 1], 'uint8')),
    binaryCase('QLinearMul', 'int8', ints([3, 4, 5], 'int8'), ints([4, 1], 'int8'), [params('int8'), params('int8'), params('int8', 0.002, 0.01)]),
    tableCase('QLinearSigmoid', 'uint8', (v) => 1 / (1 + Math.exp(-v))),
    tableCase('QLinearSigmoid', 'int8', (v) => 1 / (1 + Math.exp(-v))),
    tableCase('QLinearLeakyRelu', 'uint8', (v) => (v >= 0 ? v : Math.fround(0.1) * v), { alpha: { float: 0.1 } }),
    tableCase('QLinearLeakyRelu', 'int8', (v) => (v >= 0 ? v : 0.01 * v)),
    softmaxCase('uint8', [2, 5, 3], 13, 1),
    softmaxCase('int8', [3, 7], 13),
    softmaxCase('uint8', [2, 3, 5], 12, 1),
    softmaxCase('int8', [2, 3, 5], 11),
    softmaxCase('int8', [2, 3, 5], 12, -2),
    globalPoolCase('uint8', [2, 3, 5, 7], false),
    globalPoolCase('int8', [2, 5, 7, 3], true),
    averagePoolCase('uint8', [2, 3, 7, 6], [3, 2], [2, 1], [1, 0, 1, 1], false),
    averagePoolCase('int8', [1, 2, 7, 7], [3, 3], [2, 2], [1, 1, 1, 1], true),
    averagePoolCase('uint8', [2, 5, 6, 3], [2, 3], [1, 2], [0, 1, 1, 0], false, true),
    concatCase('uint8', [[2, 3, 4], [2, 1, 4], [2, 5, 4]], 1),
    concatCase('int8', [[3, 2], [3, 5]], -1),
    whereCase('uint8'),
    whereCase('int8'),
    gemmCase({ type: 'uint8', m: 5, k: 129, n: 6, cShape: [6] }),
    gemmCase({ type: 'uint8', m: 4, k: 33, n: 7, transA: true, transB: true, alpha: 0.75, perColumn: true, cShape: [4, 1] }),
    gemmCase({ type: 'int8', m: 3, k: 17, n: 5, transB: true, perColumn: true, cShape: [3, 5] }),
    gemmCase({ type: 'uint8', m: 3, k: 20, n: 4, perColumn: true, cShape: [], quantized: false }),
    gemmCase({ type: 'uint8', bType: 'uint8', m: 6, k: 31, n: 3, transB: true, cShape: [1, 3] }),
    gemmCase({ type: 'uint8', m: 4, k: 19, n: 5, transA: true, transB: true, perColumn: true, bFed: true }),
    gemmCase({ type: 'int8', m: 5, k: 12, n: 4, bFed: true, cShape: [5, 4] }),
    gemmCase({ type: 'int8', m: 2, k: 9, n: 3, alpha: 1.5, quantized: false }),
  ];
}

let cases: Case[] | undefined;
const theCases = () => (cases ??= makeCases());

function check(got: ArrayLike<number>, c: Case, what: string): number {
  if (c.outType === 'float') {
    expectClose(got, c.want.v, 1e-5, what);
    return 0;
  }
  return expectRequantized(got, c.want, c.slack, what);
}

describe.each(BACKENDS)('tm.onnx QOperator ops on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it('each op as its float64 definition (but for a quotient within float rounding of a half)', async () => {
    for (const c of theCases()) {
      const [y] = await runOp(c.op, c.feeds, c.attributes, { ...MS, outputTypes: [c.outType] });
      expect(y.shape, c.what).toEqual(c.want.shape);
      check(y.v, c, c.what);
    }
    // runAsync reads the scales and zero points on the host as run does.
    for (const c of theCases().filter((k) => k.op === 'QGemm' || k.op === 'QLinearConcat')) {
      const [y] = await runOp(c.op, c.feeds, c.attributes, { ...MS, outputTypes: [c.outType], mode: 'async' });
      check(y.v, c, `${c.what} (runAsync)`);
    }
  });

  it('halves round to even: dyadic scales, where f32 arithmetic is exact, match exactly', async () => {
    for (const type of ['uint8', 'int8'] as const) {
      const z = type === 'uint8' ? 128 : 0;
      // (a − 3)/2 + (b + 5)/4 is a half wherever b + 5 ≡ 2 (mod 4); (a − 1)(b)/2 wherever the product is odd: a spans ±20 about its zero point, b the odd and even 13 − 3i.
      const add = binaryCase('QLinearAdd', type, ints([9, 13], type), ints([13], type), [{ scale: 0.5, zeroPoint: z + 3 }, { scale: 0.25, zeroPoint: z - 5 }, { scale: 1, zeroPoint: z }]);
      const a = f64([9, 13], Array.from({ length: 117 }, (_, k) => z + 1 + (k % 41) - 20)), b = f64([9, 1], Array.from({ length: 9 }, (_, i) => z + 13 - 3 * i));
      const mul = binaryCase('QLinearMul', type, a, b, [{ scale: 0.5, zeroPoint: z + 1 }, { scale: 0.25, zeroPoint: z }, { scale: 0.25, zeroPoint: z }]);
      for (const c of [add, mul]) {
        expect(c.want.q.some((q) => q - Math.floor(q) === 0.5), `${c.what}: some quotients are halves`).toBe(true);
        const [y] = await runOp(c.op, c.feeds, {}, { ...MS, outputTypes: [c.outType] });
        expectExact(y.v, c.want.v, `${c.what} (dyadic)`);
      }
    }
  });

  it('refuses what it cannot run, naming it', async () => {
    const x = typed(ints([2, 3], 'uint8'), 'uint8');
    const run = (op: string, inputs: (Feed | null)[], attributes: Record<string, AttributeSpec> = {}) => runOp(op, inputs, attributes, MS);
    await expect(run('QLinearAdd', [x, scalar(0.1), scalar(3, 'uint8'), typed(ints([2, 3], 'int8'), 'int8'), scalar(0.1), scalar(0, 'int8'), scalar(0.1), scalar(0, 'uint8')])).rejects.toThrow(/A \(input 0\) is uint8 and B \(input 3\) int8; QLinearAdd takes both of one type/);
    await expect(run('QLinearSigmoid', [x, list([0.1, 0.2]), scalar(3, 'uint8'), scalar(0.1), scalar(0, 'uint8')])).rejects.toThrow(/X_scale \(input 1\) has 2 values; QLinearSigmoid quantizes per tensor/);
    await expect(run('QLinearSigmoid', [x, scalar(0), scalar(3, 'uint8'), scalar(0.1), scalar(0, 'uint8')])).rejects.toThrow(/X_scale \(input 1\) is 0; a scale must be positive/);
    await expect(run('QLinearSoftmax', [x, scalar(0.1), scalar(3, 'uint8'), scalar(0.1), scalar(0, 'uint8')])).rejects.toThrow(/its opset attribute .* is required/);
    await expect(run('QLinearGlobalAveragePool', [x, scalar(0.1), scalar(3, 'uint8'), scalar(0.1), scalar(0, 'int8')])).rejects.toThrow(/y_zero_point \(input 4\) is int8 but the input is uint8/);
    const b = typed(ints([4, 5], 'int8'), 'int8', true);
    await expect(run('QGemm', [x, scalar(0.1), scalar(3, 'uint8'), b, scalar(0.1), scalar(0, 'int8')])).rejects.toThrow(/A is \[2, 3\] and B \[4, 5\]; their inner sizes differ/);
    await expect(run('QGemm', [x, scalar(0.1), scalar(3, 'uint8'), typed(ints([3, 5], 'int8'), 'int8', true), list([0.1, 0.2]), list([0, 0], 'int8')])).rejects.toThrow(/b_scale \(input 4\) has 2 values; it must be one \(per tensor\) or 5/);
    await expect(run('QGemm', [x, scalar(0.1), scalar(3, 'uint8'), typed(ints([3, 5], 'int8'), 'int8', true), scalar(0.1), scalar(0, 'int8'), typed(ints([2, 2], 'int32'), 'int32', true)])).rejects.toThrow(/C \(input 6\) is \[2, 2\]; it must broadcast to the output \[2, 5\]/);
  });
});

const ortOutputs = new Map<Case, Promise<Float64Array>>();
function ortOf(c: Case): Promise<Float64Array> {
  if (!ortOutputs.has(c)) ortOutputs.set(c, ortNode(c.op, c.feeds, c.attributes ?? {}, { ...MS, outputTypes: [c.outType] }).then(([y]) => y));
  return ortOutputs.get(c)!;
}

describe('onnxruntime-web runs the same ops as the float64 definitions say', () => {
  it('each op (but for a quotient within float rounding of a half)', async () => {
    for (const c of theCases()) check(await ortOf(c), c, `onnxruntime: ${c.what}`);
  });
});

describe.each(BACKENDS)('tm.onnx QOperator ops beside onnxruntime-web on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it('computes what onnxruntime computes, but where a quotient lies within float rounding of a half', async () => {
    let differing = 0, total = 0;
    for (const c of theCases()) {
      const [y] = await runOp(c.op, c.feeds, c.attributes, { ...MS, outputTypes: [c.outType] });
      const want = await ortOf(c);
      if (c.outType === 'float') expectClose(y.v, want, 1e-5, c.what);
      else {
        // Both are the definition's integers but at near-halves (checked above and here): where they differ, each is within one of it.
        const off = Array.from(y.v).filter((v, i) => v !== want[i]);
        differing += off.length;
        expectRequantized(y.v, { ...c.want, v: want }, (k) => 2 * c.slack(k), `tmnn beside onnxruntime: ${c.what}`);
      }
      total += c.want.v.length;
    }
    // Near-halves are rare with random f32 scales: well under 1% of the values.
    expect(differing, `values where tmnn and onnxruntime differ by one, of ${total} (seed ${SEED})`).toBeLessThanOrEqual(total / 100);
  });
});
