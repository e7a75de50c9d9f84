// onnxruntime's contrib ops (com.microsoft; src/onnx/ops/microsoft*.ts) and
// its SimplifiedLayerNormalization (default domain) as one-node models on
// every backend, against float64 loops of their definitions
// (test/helpers/onnx_microsoft.ts) at odd sizes; then beside onnxruntime-web
// (wasm), which runs all but BiasAdd and BiasSoftmax (kernels for CUDA or
// training only there), on the same
// bytes — defaults included; then the forms tmnn refuses, a model mixing
// both domains (with gradients reaching a contrib node's parameter), and how
// nodes of other domains are refused.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../../src/index.js';
import { BACKENDS } from '../../helpers/backends.js';
import { asF32, expectClose, randomInts, SEED, uniform } from '../../helpers/data.js';
import { collected } from '../../helpers/gc.js';
import { f64, matmulRef, size, softmaxRef, type F64 } from '../../helpers/float64.js';
import { onnxModel, type AttributeSpec } from '../../helpers/onnx.js';
import { attentionRef, embedLayerNormRef, fastGeluRef, geluRef, headsRef, multiHeadRef, normalizeLastRef, ortNode, packBits, packedRef, plusBiasRef, quickGeluRef, rotaryRef } from '../../helpers/onnx_microsoft.js';
import { integerMatmulRef, quantize, roundHalfEven, saturate, type Q } from '../../helpers/onnx_quantized.js';
import { fedOf, feed, opModel, runModel, runOp, type Feed } from '../../helpers/onnx_run.js';

const MS = { domain: 'com.microsoft' } as const;
const floats = (shape: number[], lo = -2, hi = 2): F64 => f64(shape, asF32(uniform(size(shape), lo, hi)));
const ints = (shape: number[], type: Q): F64 => f64(shape, randomInts(size(shape), ...(type === 'uint8' ? [0, 255] : [-128, 127]) as [number, number]));
const typed = (a: F64, type: Feed['type'], constant = false): Feed => ({ shape: a.shape, values: a.v, type, constant });
const scalar = (v: number, type: Feed['type'] = 'float'): Feed => ({ shape: [], values: [v], type, constant: true });
const list = (v: ArrayLike<number>, type: Feed['type'] = 'float'): Feed => ({ shape: [v.length], values: v, type, constant: true });
const map = (a: F64, f: (v: number, i: number) => number): F64 => ({ shape: [...a.shape], v: a.v.map(f) });

async function run(op: string, inputs: readonly (Feed | null)[], attributes: Record<string, AttributeSpec> = {}, outputs = 1): Promise<F64[]> {
  return runOp(op, inputs, attributes, { ...MS, outputs });
}

/** Dynamic uint8 quantization of x as DynamicQuantizeLinear defines it: [q, scale, zero point]. */
function dynamicQuantizeRef(x: F64): [F64, number, number] {
  const min = Math.min(0, ...x.v), max = Math.max(0, ...x.v);
  const s = max === min ? 1 : Math.fround(Math.fround(max - min) / 255);
  const z = roundHalfEven(saturate(Math.fround(-Math.fround(min / s)), 'uint8'));
  return [map(x, (v) => quantize(v, s, z, 'uint8')), s, z];
}

/** acc · multiplier per column (+ bias): the float side of the quantized products. */
function scaledRef(acc: F64, multiplier: (j: number) => number, bias?: F64): F64 {
  const n = acc.shape[1];
  return map(acc, (v, i) => v * multiplier(i % n) + (bias ? bias.v[i % n] : 0));
}

/** SkipSimplifiedLayerNormalization's output, inv_std_var and sum, its mean output (which an RMS norm has not) left unnamed. */
async function skipSimplified(inputs: (Feed | null)[]): Promise<F64[]> {
  const names = inputs.map((f, i) => (f ? `x${i}` : ''));
  const fed = inputs.flatMap((f, i) => (f ? [{ f, name: `x${i}` }] : []));
  const bytes = onnxModel({
    inputs: fed.map(({ f, name }) => ({ name, shape: f.shape })),
    outputs: ['y', 'inv', 'sum'].map((name) => ({ name })),
    nodes: [{ op: 'SkipSimplifiedLayerNormalization', inputs: names, outputs: ['y', '', 'inv', 'sum'], domain: 'com.microsoft' }],
  });
  return runModel(bytes, fed.map(({ f }) => f));
}

type AttentionMask = (b: number, i: number, j: number) => number;

describe.each(BACKENDS)('com.microsoft ops on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it('Gelu (exact), FastGelu (tanh approximation, bias optional), BiasGelu, QuickGelu (alpha 1.702 unless given)', async () => {
    for (const shape of [[1], [3, 7], [2, 5, 129]]) {
      const x = floats(shape, -5, 5), bias = floats([shape[shape.length - 1]]);
      const what = `[${shape}]`;
      expectClose((await run('Gelu', [feed(x)]))[0].v, x.v.map(geluRef), 1e-5, `Gelu ${what}`);
      expectClose((await run('FastGelu', [feed(x)]))[0].v, x.v.map(fastGeluRef), 1e-5, `FastGelu ${what}`);
      expectClose((await run('FastGelu', [feed(x), feed(bias)]))[0].v, plusBiasRef(x, bias).v.map(fastGeluRef), 1e-5, `FastGelu + bias ${what}`);
      expectClose((await run('BiasGelu', [feed(x), feed(bias)]))[0].v, plusBiasRef(x, bias).v.map(geluRef), 1e-5, `BiasGelu ${what}`);
      expectClose((await run('QuickGelu', [feed(x)]))[0].v, x.v.map((v) => quickGeluRef(v, 1.702)), 1e-5, `QuickGelu ${what}`);
      expectClose((await run('QuickGelu', [feed(x)], { alpha: { float: -0.75 } }))[0].v, x.v.map((v) => quickGeluRef(v, -0.75)), 1e-5, `QuickGelu alpha -0.75 ${what}`);
    }
  });

  it('BiasAdd (X + bias + skip) and BiasSoftmax (softmax over the axes from axis on of data + bias, broadcast)', async () => {
    const x = floats([2, 9, 5]), bias = floats([5]), skip = floats([2, 9, 5]);
    expectClose((await run('BiasAdd', [feed(x), feed(bias), feed(skip)]))[0].v, plusBiasRef(x, bias).v.map((v, i) => v + skip.v[i]), 1e-6, 'BiasAdd');
    const data = floats([2, 3, 4, 7], -4, 4);
    for (const [biasShape, axis, inner] of [[[2, 1, 4, 7], 3, 1], [[4, 7], 3, 0], [[2, 1, 1, 7], 3, 1], [[3, 4, 7], 1, 0]] as [number[], number, number][]) {
      const b = floats(biasShape);
      const got = (await run('BiasSoftmax', [feed(data), feed(b)], { axis, is_inner_broadcast: inner }))[0];
      const sum = map(data, (v, i) => {
        const idx = [0, 1, 2, 3].map((d) => Math.floor(i / size(data.shape.slice(d + 1))) % data.shape[d]).slice(4 - biasShape.length);
        return v + b.v[idx.reduce((acc, k, d) => acc * biasShape[d] + (biasShape[d] === 1 ? 0 : k), 0)];
      });
      const outer = size(data.shape.slice(0, axis));
      const want = softmaxRef(f64([outer, data.v.length / outer], sum.v), 1, false);
      expectClose(got.v, want.v, 1e-5, `BiasSoftmax bias [${biasShape}] axis ${axis}`);
    }
  });

  it('FusedMatMul: alpha·op(A)·op(B), transA and transB on the last two axes, batches broadcast, 1-D operands as MatMul', async () => {
    const CASES: [number[], number[], boolean, boolean][] = [
      [[3, 5], [5, 7], false, false], [[5, 3], [5, 7], true, false], [[3, 5], [7, 5], false, true], [[2, 5, 3], [1, 7, 5], true, true],
      [[4, 1, 3, 9], [2, 9, 6], false, false], [[5], [5, 3], false, false], [[2, 4, 5], [5], false, false],
    ];
    for (const [as, bs, transA, transB] of CASES) {
      const a = floats(as), b = floats(bs);
      for (const alpha of [undefined, 0.37]) {
        const attributes = { ...(transA ? { transA: 1 } : {}), ...(transB ? { transB: 1 } : {}), ...(alpha ? { alpha: { float: alpha } } : {}) };
        const got = (await run('FusedMatMul', [feed(a), feed(b)], attributes))[0];
        const want = matmulRef(a, b, { transposeA: transA, transposeB: transB });
        expect(got.shape, `[${as}] × [${bs}]`).toEqual(want.shape);
        expectClose(got.v, want.v.map((v) => v * Math.fround(alpha ?? 1)), 1e-5, `FusedMatMul [${as}]${transA ? 'ᵀ' : ''} × [${bs}]${transB ? 'ᵀ' : ''} alpha ${alpha}`);
      }
    }
  });

  it('SkipLayerNormalization: LayerNorm of input + skip (+ bias) over the hidden axis, beta optional, epsilon 1e-12 by default; mean, 1/σ and the sum as outputs', async () => {
    for (const [shape, skipShape] of [[[2, 3, 7], [2, 3, 7]], [[1, 5, 129], [5, 129]], [[3, 4, 6], [1, 4, 6]], [[4, 33], [4, 33]]] as [number[], number[]][]) {
      const h = shape[shape.length - 1];
      const x = floats(shape), skip = floats(skipShape), gamma = floats([h]), beta = floats([h]), bias = floats([h]);
      const sum = map(x, (v, i) => v + skip.v[i % skip.v.length]);
      for (const [withBeta, withBias, epsilon] of [[true, true, undefined], [false, false, 1e-3], [true, false, undefined], [false, true, 0.5]] as [boolean, boolean, number | undefined][]) {
        const total = withBias ? plusBiasRef(sum, bias) : sum;
        const ref = normalizeLastRef(total, gamma, withBeta ? beta : undefined, Math.fround(epsilon ?? 1e-12), false);
        const inputs = [feed(x), feed(skip), feed(gamma), withBeta ? feed(beta) : null, withBias ? feed(bias) : null];
        const [y, mean, invStd, s] = await run('SkipLayerNormalization', inputs, epsilon === undefined ? {} : { epsilon: { float: epsilon } }, 4);
        const what = `[${shape}] + skip [${skipShape}]${withBeta ? ', beta' : ''}${withBias ? ', bias' : ''}, epsilon ${epsilon ?? 'default'}`;
        expectClose(y.v, ref.y.v, 2e-5, what);
        expect(mean.shape).toEqual([...shape.slice(0, -1), 1]);
        expectClose(mean.v, ref.mean, 1e-5, `${what}: mean`);
        expectClose(invStd.v, ref.invStd, 2e-5, `${what}: 1/σ`);
        expectClose(s.v, total.v, 1e-6, `${what}: sum`);
      }
    }
  });

  it('SkipSimplifiedLayerNormalization (RMSNorm of input + skip (+ bias)) and SimplifiedLayerNormalization (default domain, from axis on)', async () => {
    for (const shape of [[2, 3, 7], [5, 129]]) {
      const h = shape[shape.length - 1];
      const x = floats(shape), skip = floats(shape), gamma = floats([h]), bias = floats([h]);
      for (const withBias of [false, true]) {
        const total = map(x, (v, i) => v + skip.v[i] + (withBias ? bias.v[i % h] : 0));
        const ref = normalizeLastRef(total, gamma, undefined, Math.fround(1e-12), true);
        const [y, invStd, sum] = await skipSimplified([feed(x), feed(skip), feed(gamma), withBias ? feed(bias) : null]);
        expectClose(y.v, ref.y.v, 2e-5, `SkipSimplified [${shape}]${withBias ? ' + bias' : ''}`);
        expectClose(invStd.v, ref.invStd, 2e-5, `SkipSimplified 1/σ [${shape}]`);
        expectClose(sum.v, total.v, 1e-6, `SkipSimplified sum [${shape}]`);
      }
    }
    const x = floats([2, 3, 5]), scale = floats([3, 5]);
    const [y, invStd] = await runOp('SimplifiedLayerNormalization', [feed(x), feed(scale)], { axis: 1 }, { outputs: 2 });
    const rows = f64([2, 15], x.v);
    const ref = normalizeLastRef(rows, f64([15], scale.v), undefined, Math.fround(1e-5), true);
    expectClose(y.v, ref.y.v, 2e-5, 'SimplifiedLayerNormalization axis 1');
    expect(invStd.shape).toEqual([2, 1, 1]);
    expectClose(invStd.v, ref.invStd, 2e-5, 'SimplifiedLayerNormalization 1/σ');
  });

  it('MatMulIntegerToFloat: (A − a_zp)(B − b_zp)·a_scale·b_scale + bias; B per tensor or per column, zero points optional', async () => {
    for (const [m, k, n] of [[1, 1, 1], [3, 129, 5], [4, 7, 9]]) {
      for (const [ta, tb] of [['uint8', 'int8'], ['int8', 'int8'], ['uint8', 'uint8']] as [Q, Q][]) {
        const a = ints([m, k], ta), b = ints([k, n], tb);
        for (const perColumn of [false, true]) {
          const as = Math.fround(0.013), bs = asF32(uniform(perColumn ? n : 1, 0.001, 0.02));
          const azp = ta === 'uint8' ? 131 : -3, bzp = randomInts(perColumn ? n : 1, tb === 'uint8' ? 100 : -20, tb === 'uint8' ? 150 : 20);
          const bias = floats([n]);
          for (const constantB of [true, false]) {
            const inputs = [typed(a, ta), typed(b, tb, constantB), scalar(as), perColumn ? list(bs) : scalar(bs[0]), scalar(azp, ta), perColumn ? list(bzp, tb) : scalar(bzp[0], tb), feed(bias)];
            const got = (await run('MatMulIntegerToFloat', inputs))[0];
            const acc = integerMatmulRef(a, b, [azp], bzp);
            const want = scaledRef(acc, (j) => Math.fround(as * bs[perColumn ? j : 0]), bias);
            expectClose(got.v, want.v, 1e-5, `${ta} [${m}, ${k}] × ${tb} [${k}, ${n}]${perColumn ? ' per column' : ''}${constantB ? ', B an initializer' : ''}`);
          }
        }
        // No zero points, no bias.
        const got = (await run('MatMulIntegerToFloat', [typed(a, ta), typed(b, tb, true), scalar(0.5), scalar(0.25)]))[0];
        expectClose(got.v, integerMatmulRef(a, b, [0], [0]).v.map((v) => v * 0.125), 1e-6, `${ta} × ${tb}, no zero points`);
      }
    }
  });

  it('DynamicQuantizeMatMul: A quantized to uint8 from its own range, times B (int8 or uint8, per tensor or column), scaled, + bias', async () => {
    for (const [m, k, n] of [[1, 3, 1], [3, 129, 5], [5, 17, 8]]) {
      for (const tb of ['int8', 'uint8'] as Q[]) {
        const a = floats([m, k], -3, 2), b = ints([k, n], tb);
        const [q, s, z] = dynamicQuantizeRef(a);
        for (const perColumn of [false, true]) {
          const bs = asF32(uniform(perColumn ? n : 1, 0.001, 0.02)), bzp = randomInts(perColumn ? n : 1, tb === 'uint8' ? 100 : -20, tb === 'uint8' ? 150 : 20);
          const bias = floats([n]);
          const acc = integerMatmulRef(q, b, [z], bzp);
          // Terms' magnitudes: what a rounding of the quantized A (a quotient at a half, on webgpu) could move.
          const magnitude = integerMatmulRef(map(q, (v) => Math.abs(v - z) + 1), map(b, (v, i) => Math.abs(v - bzp[perColumn ? i % n : 0])), [0], [0]);
          for (const constantB of [true, false]) {
            const inputs = [feed(a), typed(b, tb, constantB), perColumn ? list(bs) : scalar(bs[0]), perColumn ? list(bzp, tb) : scalar(bzp[0], tb), feed(bias)];
            const got = (await run('DynamicQuantizeMatMul', inputs))[0];
            const mult = (j: number) => Math.fround(s * bs[perColumn ? j : 0]);
            expectClose(got.v, scaledRef(acc, mult, bias).v, 1e-5, `[${m}, ${k}] × ${tb} [${k}, ${n}]${perColumn ? ' per column' : ''}${constantB ? ', B an initializer' : ''}`, scaledRef(magnitude, mult).v.map(Math.abs));
          }
        }
      }
    }
  });

  it("EmbedLayerNormalization: word + position (+ segment) embeddings, LayerNorm (epsilon 1e-12 by default); mask_index counts each row's ones; the sum before the norm", async () => {
    const [batch, seq, vocab, h] = [3, 7, 11, 5];
    const word = floats([vocab, h]), position = floats([9, h]), segment = floats([2, h]), gamma = floats([h]), beta = floats([h]);
    const idsOf = (shape: number[], hi: number): Feed => ({ shape, values: randomInts(size(shape), 0, hi - 1), type: 'int32' });
    const ids = idsOf([batch, seq], vocab), segments = idsOf([batch, seq], 2), mask = idsOf([batch, seq], 2);
    const asF64 = (f: Feed): F64 => f64([...f.shape], Float64Array.from(f.values));
    for (const [withSegments, positionIds, epsilon] of [[true, undefined, undefined], [false, idsOf([1, seq], 9), 1e-3], [true, idsOf([batch, seq], 9), undefined]] as [boolean, Feed | undefined, number | undefined][]) {
      const inputs = [ids, withSegments ? segments : null, feed(word), feed(position), withSegments ? feed(segment) : null, feed(gamma), feed(beta), mask, positionIds ?? null];
      const [y, maskIndex, sum] = await run('EmbedLayerNormalization', inputs, epsilon === undefined ? {} : { epsilon: { float: epsilon } }, 3);
      const ref = embedLayerNormRef(asF64(ids), withSegments ? asF64(segments) : undefined, word, position, withSegments ? segment : undefined, gamma, beta, Math.fround(epsilon ?? 1e-12), positionIds && asF64(positionIds));
      const what = `${withSegments ? 'segments' : 'no segments'}, position_ids ${positionIds ? `[${positionIds.shape}]` : 'none'}`;
      expectClose(y.v, ref.y.v, 2e-5, what);
      expectClose(sum.v, ref.sum.v, 1e-6, `${what}: sum`);
      expect(Array.from(maskIndex.v), `${what}: mask_index`).toEqual(Array.from({ length: batch }, (_, b) => Array.from(mask.values).slice(b * seq, (b + 1) * seq).filter((v) => v === 1).length));
    }
    // No mask: mask_index is 0s.
    const [, zeros] = await run('EmbedLayerNormalization', [ids, null, feed(word), feed(position), null, feed(gamma), feed(beta)], {}, 2);
    expect(Array.from(zeros.v)).toEqual([0, 0, 0]);
  });

  it('Attention: merged QKV weights, heads, scale; no mask, key padding masks ([B, T], [B], [2B], [B, S, T]), unidirectional, attention_bias', async () => {
    const [batch, seq, input, heads] = [2, 5, 7, 3];
    const x = floats([batch, seq, input]), w = floats([input, 3 * 6], -0.6, 0.6), bias = floats([18], -0.5, 0.5);
    const lengths = [5, 2], starts = [1, 0];
    const raw = Array.from({ length: batch * seq }, (_, i) => +(i % seq < lengths[Math.floor(i / seq)]));
    const raw3 = randomInts(batch * seq * seq, 0, 1);
    // Each query keeps its own key: a row masking every key sums −10000 + score in f32, whose rounding (ulp 1e-3) a float64 reference does not share.
    for (let i = 0; i < batch * seq; i++) raw3[i * seq + (i % seq)] = 1;
    const filter = -10000;
    const causal = (i: number, j: number) => (j > i ? filter : 0);
    const pad = (keep: (b: number, i: number, j: number) => boolean) => (b: number, i: number, j: number) => (keep(b, i, j) ? 0 : filter);
    const CASES: [string, (Feed | null)[], Record<string, AttributeSpec>, AttentionMask?][] = [
      ['no mask', [], {}],
      ['raw mask [B, T]', [{ shape: [batch, seq], values: raw, type: 'int32' }], {}, pad((b, _i, j) => raw[b * seq + j] > 0)],
      ['lengths [B]', [{ shape: [batch], values: lengths, type: 'int32' }], {}, pad((b, _i, j) => j < lengths[b])],
      ['ends then starts [2B]', [{ shape: [2 * batch], values: [...lengths, ...starts], type: 'int32' }], {}, pad((b, _i, j) => j < lengths[b] && j >= starts[b])],
      ['raw mask [B, S, T]', [{ shape: [batch, seq, seq], values: raw3, type: 'int32' }], {}, pad((b, i, j) => raw3[(b * seq + i) * seq + j] > 0)],
      ['unidirectional', [], { unidirectional: 1 }, (_b, i, j) => causal(i, j)],
      ['unidirectional with lengths, a filter value, a scale', [{ shape: [batch], values: lengths, type: 'int32' }], { unidirectional: 1, mask_filter_value: { float: -300 }, scale: { float: 0.2 } }, (b, i, j) => (j < lengths[b] ? 0 : -300) + (j > i ? -300 : 0)],
    ];
    for (const [what, mask, attributes, maskRef] of CASES) {
      const inputs = [feed(x), feed(w), feed(bias), ...mask];
      const got = (await run('Attention', inputs, { num_heads: heads, ...attributes }))[0];
      const scale = typeof attributes.scale === 'object' && 'float' in attributes.scale ? Math.fround(attributes.scale.float) : undefined;
      const want = attentionRef(x, w, { heads, sizes: [6, 6, 6], bias, mask: maskRef, scale });
      expect(got.shape).toEqual([batch, seq, 6]);
      expectClose(got.v, want.v, 2e-5, `Attention, ${what}`);
    }
    // qkv_hidden_sizes with a wider V, no bias; an attention_bias [1, N, S, T].
    const wv = floats([input, 6 + 6 + 9], -0.6, 0.6), extra = floats([1, heads, seq, seq]);
    const got = (await run('Attention', [feed(x), feed(wv), null, null, null, feed(extra)], { num_heads: heads, qkv_hidden_sizes: [6, 6, 9] }))[0];
    expect(got.shape).toEqual([batch, seq, 9]);
    // The attention_bias differs per head: checked head by head.
    const perHead = Array.from({ length: heads }, (_, h) => attentionRef(x, wv, { heads, sizes: [6, 6, 9], mask: (_b, i, j) => extra.v[(h * seq + i) * seq + j] }));
    const headOf = (i: number) => Math.floor((i % 9) / 3);
    expectClose(got.v, got.v.map((_, i) => perHead[headOf(i)].v[i]), 2e-5, 'Attention, qkv_hidden_sizes [6, 6, 9] and attention_bias');
  });

  it('MultiHeadAttention gives its scores before the softmax as qk (masks, causal lowest and attention_bias in; with a past too), as onnxruntime does', async () => {
    const [batch, seq, hidden, heads, pastLength] = [2, 3, 6, 3, 2];
    const q = floats([batch, seq, hidden]), k = floats([batch, seq, hidden]), v = floats([batch, seq, hidden]);
    const lengths = { shape: [batch], values: [3, 2], type: 'int32' as const };
    const extra = floats([1, heads, seq, seq]);
    const past = [floats([batch, heads, pastLength, hidden / heads]), floats([batch, heads, pastLength, hidden / heads])];
    const CASES: [string, (Feed | null)[], Record<string, AttributeSpec>][] = [
      ['no mask', [feed(q), feed(k), feed(v)], {}],
      ['key lengths', [feed(q), feed(k), feed(v), null, lengths], {}],
      ['unidirectional', [feed(q), feed(k), feed(v)], { unidirectional: 1 }],
      ['attention_bias, a scale', [feed(q), feed(k), feed(v), null, null, feed(extra)], { scale: { float: 0.3 } }],
      ['a past, unidirectional', [feed(q), feed(k), feed(v), null, null, null, feed(past[0]), feed(past[1])], { unidirectional: 1 }],
    ];
    for (const [what, inputs, attributes] of CASES) {
      const got = await run('MultiHeadAttention', inputs, { num_heads: heads, ...attributes }, 4);
      const theirs = await ortNode('MultiHeadAttention', inputs, { num_heads: heads, ...attributes }, { ...MS, outputs: 4 });
      expect(got[3].shape, what).toEqual([batch, heads, seq, seq + (what.includes('past') ? pastLength : 0)]);
      expectClose(got[3].v, theirs[3], 2e-5, `qk, ${what}`);
      expectClose(got[0].v, theirs[0], 2e-5, `output, ${what}`);
    }
  });

  it('a query whose earlier keys are all padding weighs those alone (later keys masked with float\'s lowest, padding with the filter value), in Attention and MultiHeadAttention, as onnxruntime does', async () => {
    const [batch, seq, hidden, heads] = [2, 4, 6, 3];
    // The first key of each sequence is padding: query 0 sees only it.
    const mask = { shape: [batch, seq], values: [0, 1, 1, 1, 0, 0, 1, 1], type: 'int32' as const };
    const q = floats([batch, seq, hidden]), k = floats([batch, seq, hidden]), v = floats([batch, seq, hidden]);
    const mhaFeeds = [feed(q), feed(k), feed(v), null, mask];
    const [mha] = await run('MultiHeadAttention', mhaFeeds, { num_heads: heads, unidirectional: 1 });
    expectClose(mha.v, (await ortNode('MultiHeadAttention', mhaFeeds, { num_heads: heads, unidirectional: 1 }, MS))[0], 2e-5, 'MultiHeadAttention, padded earlier keys');
    const w = floats([hidden, 3 * hidden], -0.6, 0.6), bias = floats([3 * hidden], -0.5, 0.5);
    const attentionFeeds = [feed(q), feed(w), feed(bias), mask];
    const [att] = await run('Attention', attentionFeeds, { num_heads: heads, unidirectional: 1 });
    expectClose(att.v, (await ortNode('Attention', attentionFeeds, { num_heads: heads, unidirectional: 1 }, MS))[0], 2e-5, 'Attention, padded earlier keys');
  });

  it('MultiHeadAttention: Q, K, V projected (self and cross attention), bias, key padding masks, unidirectional, attention_bias; K and V split into heads or packed', async () => {
    const [batch, seq, length, heads, h] = [2, 3, 5, 2, 6];
    const q = floats([batch, seq, h]), k = floats([batch, length, h]), v = floats([batch, length, 4]), bias = floats([h + h + 4], -0.5, 0.5);
    const lengths = [5, 3];
    const keyMask = Array.from({ length: batch * length }, (_, i) => +(i % length !== 1 || i < length));
    const pad = (keep: (b: number, j: number) => boolean) => (b: number, _i: number, j: number) => (keep(b, j) ? 0 : -10000);
    const plus = (a: F64, b: F64, from: number) => map(a, (x, i) => x + b.v[from + (i % a.shape[2])]);
    const [qb, kb, vb] = [plus(q, bias, 0), plus(k, bias, h), plus(v, bias, 2 * h)];
    const CASES: [string, (Feed | null)[], Record<string, AttributeSpec>, F64][] = [
      ['cross attention', [feed(q), feed(k), feed(v)], {}, multiHeadRef(q, k, v, { heads })],
      ['bias, a [B, T] key padding mask', [feed(q), feed(k), feed(v), feed(bias), { shape: [batch, length], values: keyMask, type: 'int32' }], {}, multiHeadRef(qb, kb, vb, { heads, mask: pad((b, j) => keyMask[b * length + j] > 0) })],
      ['key lengths [B], a scale', [feed(q), feed(k), feed(v), null, { shape: [batch], values: lengths, type: 'int32' }], { scale: { float: 0.3 } }, multiHeadRef(q, k, v, { heads, mask: pad((b, j) => j < lengths[b]), scale: Math.fround(0.3) })],
    ];
    // Self-attention, unidirectional.
    const kq = floats([batch, seq, h]), vq = floats([batch, seq, 4]);
    CASES.push(['self, unidirectional', [feed(q), feed(kq), feed(vq)], { unidirectional: 1 }, multiHeadRef(q, kq, vq, { heads, mask: (_b, i, j) => (j > i ? -10000 : 0) })]);
    const extra = floats([batch, 1, seq, length]);
    CASES.push(['attention_bias [B, 1, S, T]', [feed(q), feed(k), feed(v), null, null, feed(extra)], {}, multiHeadRef(q, k, v, { heads, mask: (b, i, j) => extra.v[(b * seq + i) * length + j] })]);
    // K and V split into heads already: [B, N, T, h].
    CASES.push(['K and V as [B, N, T, h]', [feed(q), feed(headsRef(k, heads)), feed(headsRef(v, heads))], {}, multiHeadRef(q, k, v, { heads })]);
    // Packed: Q, K, V as [B, S, N, 3, h]; K and V as [B, T, N, 2, h] (one head size).
    const v6 = floats([batch, length, h]), vs = floats([batch, seq, h]);
    CASES.push(['packed K and V', [feed(q), feed(packedRef([k, v6], heads))], {}, multiHeadRef(q, k, v6, { heads })]);
    CASES.push(['packed Q, K and V', [feed(packedRef([q, kq, vs], heads))], {}, multiHeadRef(q, kq, vs, { heads })]);
    for (const [what, inputs, attributes, want] of CASES) {
      const got = (await run('MultiHeadAttention', inputs, { num_heads: heads, ...attributes }))[0];
      expect(got.shape, what).toEqual(want.shape);
      expectClose(got.v, want.v, 2e-5, `MultiHeadAttention, ${what}`);
    }
  });

  it('Attention and MultiHeadAttention with a key/value cache: the past before this step\'s keys and values, the present given back, unidirectional aligned so the last query sees every key', async () => {
    const [batch, seq, past, heads, h] = [2, 2, 3, 2, 3];
    const total = past + seq;
    // [B, L, N·h] along the sequence: the past then this step.
    const join = (a: F64, b: F64) => f64([batch, a.shape[1] + b.shape[1], a.shape[2]], Array.from({ length: batch }, (_, r) => [...a.v.subarray(r * a.shape[1] * a.shape[2], (r + 1) * a.shape[1] * a.shape[2]), ...b.v.subarray(r * b.shape[1] * b.shape[2], (r + 1) * b.shape[1] * b.shape[2])]).flat());
    const causal = (_b: number, i: number, j: number) => (j > past + i ? -10000 : 0);
    const q = floats([batch, seq, heads * h]), k = floats([batch, seq, heads * h]), v = floats([batch, seq, heads * h]);
    const pastK = floats([batch, past, heads * h]), pastV = floats([batch, past, heads * h]);
    const [y, presentKey, presentValue] = await run('MultiHeadAttention', [feed(q), feed(k), feed(v), null, null, null, feed(headsRef(pastK, heads)), feed(headsRef(pastV, heads))], { num_heads: heads, unidirectional: 1 }, 3);
    expectClose(y.v, multiHeadRef(q, join(pastK, k), join(pastV, v), { heads, mask: causal }).v, 2e-5, 'MultiHeadAttention output with a past');
    expect(presentKey.shape).toEqual([batch, heads, total, h]);
    expectClose(presentKey.v, headsRef(join(pastK, k), heads).v, 0, 'present_key');
    expectClose(presentValue.v, headsRef(join(pastV, v), heads).v, 0, 'present_value');
    // Attention: past and present [2, B, N, length, h]; a raw mask over every key.
    const x = floats([batch, seq, 5]), w = floats([5, 3 * heads * h], -0.6, 0.6), bias = floats([3 * heads * h], -0.5, 0.5);
    const proj = f64([batch, seq, 18], Array.from({ length: batch * seq * 18 }, (_, i) => {
      const [r, c] = [Math.floor(i / 18), i % 18];
      return bias.v[c] + Array.from({ length: 5 }, (_, p) => x.v[r * 5 + p] * w.v[p * 18 + c]).reduce((a, b) => a + b, 0);
    }));
    const part = (from: number) => f64([batch, seq, 6], Array.from({ length: batch * seq * 6 }, (_, i) => proj.v[Math.floor(i / 6) * 18 + from + (i % 6)]));
    const [pq, pk, pv] = [part(0), part(6), part(12)];
    const keep = [1, 1, 0, 1, 1, 1, 1, 1, 1, 1];
    const pastBoth = f64([2, batch, heads, past, h], [...headsRef(pastK, heads).v, ...headsRef(pastV, heads).v]);
    const [ya, present] = await run('Attention', [feed(x), feed(w), feed(bias), { shape: [batch, total], values: keep, type: 'int32' }, feed(pastBoth)], { num_heads: heads, unidirectional: 1 }, 2);
    const mask = (b: number, i: number, j: number) => causal(b, i, j) + (keep[b * total + j] ? 0 : -10000);
    expectClose(ya.v, multiHeadRef(pq, join(pastK, pk), join(pastV, pv), { heads, mask }).v, 2e-5, 'Attention output with a past');
    expect(present.shape).toEqual([2, batch, heads, total, h]);
    expectClose(present.v, [...headsRef(join(pastK, pk), heads).v, ...headsRef(join(pastV, pv), heads).v], 1e-5, 'Attention present');
  });

  it('MultiHeadAttention decoding over a shared cache: past_sequence_length P fills it, this step goes in at P, cache_indirection picks each earlier position\'s beam; masks, attention_bias and bias over P + 1 keys; as onnxruntime does', async () => {
    const [batch, width, heads, h, cache] = [2, 3, 2, 3, 5];
    const rows = batch * width, hidden = heads * h;
    for (const [filled, withBeams, extras] of [[2, true, 'none'], [4, true, 'masks'], [0, true, 'bias'], [3, true, 'bias'], [3, false, 'none'], [1, false, 'masks']] as const) {
      const q = floats([rows, 1, hidden]), k = floats([rows, 1, hidden]), v = floats([rows, 1, hidden]);
      const pastK = floats([rows, heads, cache, h]), pastV = floats([rows, heads, cache, h]);
      const beams = Array.from(randomInts(batch * width * cache, 0, width - 1));
      const keep = Array.from({ length: rows * (filled + 1) }, (_, i) => (i % 3 === 1 ? 0 : 1));
      const extra = floats([1, 1, 1, filled + 1]), bias = floats([3 * hidden], -0.5, 0.5);
      // bias is added to this step's q, k and v (the past is stored with it already).
      const plus = (a: F64, from: number) => (extras === 'bias' ? map(a, (x, i) => x + bias.v[from + (i % hidden)]) : a);
      const [qb, kb, vb] = [plus(q, 0), plus(k, hidden), plus(v, 2 * hidden)];
      // The keys and values attended to, [rows, P + 1, N·h]: position t < P from the beam cache_indirection names, P this step's.
      const attended = (past: F64, now: F64) => f64([rows, filled + 1, hidden], Array.from({ length: rows * (filled + 1) * hidden }, (_, i) => {
        const r = Math.floor(i / ((filled + 1) * hidden)), t = Math.floor(i / hidden) % (filled + 1), c = i % hidden;
        if (t === filled) return now.v[r * hidden + c];
        const source = withBeams ? r - (r % width) + beams[r * cache + t] : r;
        return past.v[((source * heads + Math.floor(c / h)) * cache + t) * h + (c % h)];
      }));
      const mask = (b: number, _i: number, j: number) => (extras === 'masks' ? (keep[b * (filled + 1) + j] ? 0 : -10000) + extra.v[j] : 0);
      const K = attended(pastK, kb), V = attended(pastV, vb);
      const wantY = multiHeadRef(qb, K, V, { heads, mask });
      const wantQk = Array.from({ length: rows * heads * (filled + 1) }, (_, i) => {
        const r = Math.floor(i / (heads * (filled + 1))), n = Math.floor(i / (filled + 1)) % heads, j = i % (filled + 1);
        let dot = 0;
        for (let d = 0; d < h; d++) dot += qb.v[r * hidden + n * h + d] * K.v[(r * (filled + 1) + j) * hidden + n * h + d];
        return dot / Math.sqrt(h) + mask(r, 0, j);
      });
      const feeds: (Feed | null)[] = [
        feed(q), feed(k), feed(v), extras === 'bias' ? feed(bias) : null,
        extras === 'masks' ? typed(f64([rows, filled + 1], keep), 'int32') : null, extras === 'masks' ? feed(extra) : null,
        feed(pastK), feed(pastV), { shape: [1], values: [filled], type: 'int32', constant: true },
        withBeams ? typed(f64([batch, width, cache], beams), 'int32') : null,
      ];
      const what = `P = ${filled}, ${withBeams ? 'beams' : 'no cache_indirection'}, ${extras} (seed ${SEED})`;
      const [y, presentKey, presentValue, qk] = await run('MultiHeadAttention', feeds, { num_heads: heads }, 4);
      expectClose(y.v, wantY.v, 2e-5, `output, ${what}`);
      expect([presentKey.shape, qk.shape]).toEqual([[rows, heads, cache, h], [rows, heads, 1, filled + 1]]);
      const written = (past: F64, now: F64) => map(past, (x, i) => {
        const r = Math.floor(i / (heads * cache * h)), n = Math.floor(i / (cache * h)) % heads, t = Math.floor(i / h) % cache;
        return t === filled ? now.v[r * hidden + n * h + (i % h)] : x;
      });
      expectClose(presentKey.v, written(pastK, kb).v, 1e-6, `present_key, ${what}`);
      expectClose(presentValue.v, written(pastV, vb).v, 1e-6, `present_value, ${what}`);
      expectClose(qk.v, wantQk, 2e-5, `qk, ${what}`);
      // onnxruntime's CPU kernel reads past_sequence_length only with cache_indirection, and from 1 (without one, or at 0, its wasm build faults).
      if (withBeams && filled > 0) {
        const theirs = await ortNode('MultiHeadAttention', feeds, { num_heads: heads }, { ...MS, outputs: 4 });
        for (const [i, name] of ['output', 'present_key', 'present_value', 'qk'].entries()) expectClose(theirs[i], [wantY, written(pastK, kb), written(pastV, vb), { v: wantQk }][i].v, 2e-5, `onnxruntime's ${name}, ${what}`);
      }
    }
  });

  it('MultiHeadAttention\'s past_sequence_length fed as a graph input is read back by runAsync; the synchronous run, one query position too many, an overfull cache and cache_indirection alone are refused by name', async () => {
    const [rows, heads, h, cache] = [2, 1, 2, 3];
    const q = floats([rows, 1, heads * h]), k = floats([rows, 1, heads * h]), v = floats([rows, 1, heads * h]);
    const pastK = floats([rows, heads, cache, h]), pastV = floats([rows, heads, cache, h]);
    const given = (filled: number, constant: boolean): Feed => ({ shape: [1], values: [filled], type: 'int32', constant });
    const model = (extra: (Feed | null)[]) => opModel('MultiHeadAttention', [feed(q), feed(k), feed(v), null, null, null, feed(pastK), feed(pastV), ...extra], { num_heads: heads }, { ...MS, outputs: 4 });
    const fedInput = [given(1, false)];
    const inputs = fedOf([feed(q), feed(k), feed(v), feed(pastK), feed(pastV), ...fedInput]);
    const asynchronous = await runModel(model(fedInput), inputs, 'async');
    const constant = await run('MultiHeadAttention', [feed(q), feed(k), feed(v), null, null, null, feed(pastK), feed(pastV), given(1, true)], { num_heads: heads }, 4);
    asynchronous.forEach((t, i) => expectClose(t.v, constant[i].v, 0, `runAsync's output ${i}`));
    await expect(runModel(model(fedInput), inputs)).rejects.toThrow(/\(MultiHeadAttention\): its past_sequence_length \(input 8, x8\) is computed on the device.*runAsync/);
    await expect(run('MultiHeadAttention', [feed(q), feed(k), feed(v), null, null, null, feed(pastK), feed(pastV), given(3, true)], { num_heads: heads }, 4)).rejects.toThrow(/past_sequence_length is 3; the cache holds 3 positions, so it must be from 0 to 2/);
    const two = floats([rows, 2, heads * h]);
    await expect(run('MultiHeadAttention', [feed(two), feed(two), feed(two), null, null, null, feed(pastK), feed(pastV), given(1, true)], { num_heads: heads }, 4)).rejects.toThrow(/query has 2 positions; with past_sequence_length \(a decoding step over a shared cache\) it takes one/);
    await expect(run('MultiHeadAttention', [feed(q), feed(k), feed(v), null, null, null, feed(pastK), feed(pastV), null, typed(f64([1, rows, cache], [0, 0, 0, 0, 0, 0]), 'int32')], { num_heads: heads }, 4)).rejects.toThrow(/cache_indirection \(input 9\) without past_sequence_length \(input 8\)/);
    await expect(run('MultiHeadAttention', [feed(q), feed(k), feed(v), null, null, null, feed(pastK), feed(pastV), given(1, true), typed(f64([1, rows, 2], [0, 0, 0, 0]), 'int32')], { num_heads: heads }, 4)).rejects.toThrow(/cache_indirection \(input 9\) is i32 \[1, 2, 2\]; it must be int32 \[batch, beams, 3\] with batch · beams = 2/);
  });

  it('MatMulNBits: A · dequant(B)ᵀ + bias, B of 2, 4 or 8 bits in blocks with their scales; zero points packed, float or the default 2^(bits−1); K not a multiple of the block', async () => {
    for (const [bits, blockSize, k, n] of [[4, 16, 37, 5], [8, 32, 32, 3], [2, 16, 20, 4], [4, 64, 64, 1]]) {
      const blocks = Math.ceil(k / blockSize);
      const q = Array.from({ length: n }, () => Array.from(randomInts(blocks * blockSize, 0, 2 ** bits - 1)));
      const zeros = Array.from({ length: n }, () => Array.from(randomInts(blocks, 0, 2 ** bits - 1)));
      const scales = floats([n, blocks], 0.01, 0.1), floatZeros = floats([n, blocks], 0, 2 ** bits - 1);
      const a = floats([2, 3, k]), bias = floats([n]);
      const b: Feed = { shape: [n, blocks, (blockSize * bits) / 8], values: packBits(q, bits, (blocks * blockSize * bits) / 8), type: 'uint8', constant: true };
      const zpBytes = Math.ceil((blocks * bits) / 8);
      const zeroPoints: [string, Feed | null, (r: number, j: number) => number][] = [
        ['packed zero points', { shape: [n, zpBytes], values: packBits(zeros, bits, zpBytes), type: 'uint8', constant: true }, (r, j) => zeros[r][j]],
        ['float zero points', feed(floatZeros), (r, j) => floatZeros.v[r * blocks + j]],
        ['the default zero point', null, () => 2 ** (bits - 1)],
      ];
      for (const [what, zp, zpOf] of zeroPoints) {
        const w = f64([n, k], Float64Array.from({ length: n * k }, (_, i) => {
          const [r, c] = [Math.floor(i / k), i % k], j = Math.floor(c / blockSize);
          return (q[r][c] - zpOf(r, j)) * scales.v[r * blocks + j];
        }));
        const want = map(matmulRef(a, w, { transposeB: true }), (v, i) => v + bias.v[i % n]);
        const got = (await run('MatMulNBits', [feed(a), b, feed(scales), zp, null, feed(bias)], { K: k, N: n, bits, block_size: blockSize }))[0];
        expect(got.shape).toEqual([2, 3, n]);
        expectClose(got.v, want.v, 1e-5, `MatMulNBits ${bits} bits, block ${blockSize}, K ${k}, N ${n}, ${what}`);
      }
    }
  });

  it("com.microsoft's copies of default-domain ops run as those: 16-bit QuantizeLinear and DequantizeLinear (per axis too), Trilu, GatherND", async () => {
    const x = ints([3, 5], 'int8').v.map((v) => v * 250), s = asF32(uniform(5, 0.001, 0.01)), zp = randomInts(5, -300, 300);
    const dq = (await run('DequantizeLinear', [{ shape: [3, 5], values: x, type: 'int16' }, list(s), list(zp, 'int16')], { axis: 1 }))[0];
    expectClose(dq.v, Array.from(x, (v, i) => Math.fround((v - zp[i % 5]) * s[i % 5])), 0, 'DequantizeLinear int16 per axis');
    const f = floats([4, 7], -300, 300);
    const q = (await run('QuantizeLinear', [feed(f), scalar(0.01), scalar(30000, 'uint16')]))[0];
    const want = f.v.map((v) => Math.min(65535, Math.max(0, roundHalfEven(Math.fround(v / Math.fround(0.01))) + 30000)));
    // Equal, but where an f32 quotient within WGSL's 2.5 ulps of a half rounds the other way.
    expectClose(q.v, want, 1, 'QuantizeLinear to uint16', want.map(() => 0));
    expect(q.v.filter((v, i) => v !== want[i]).length, 'values off by one').toBeLessThanOrEqual(1);
    const t = floats([4, 5]);
    const lower = (await run('Trilu', [feed(t), { shape: [], values: [1], type: 'int64', constant: true }], { upper: 0 }))[0];
    expectClose(lower.v, t.v.map((v, i) => (i % 5 <= Math.floor(i / 5) + 1 ? v : 0)), 0, 'Trilu lower, k = 1');
    const data = floats([2, 3, 4]);
    const gathered = (await run('GatherND', [feed(data), { shape: [2, 2], values: [1, 2, 0, 1], type: 'int64', constant: true }]))[0];
    expect(gathered.shape).toEqual([2, 4]);
    expectClose(gathered.v, [...data.v.slice(20, 24), ...data.v.slice(4, 8)], 0, 'GatherND');
  });

  it('RotaryEmbedding: each head\'s first rotary dims turned by its position\'s angle, halves or interleaved pairs; [B, S, H] or [B, N, S, h]; position_ids or an offset', async () => {
    const [batch, seq, heads, maxPositions] = [2, 5, 3, 12];
    for (const [h, rot, interleaved, bnsh, explicit] of [[8, 8, false, false, true], [8, 8, true, false, false], [10, 6, false, true, true], [6, 4, true, true, false]] as [number, number, boolean, boolean, boolean][]) {
      const angles = Float64Array.from({ length: maxPositions * (rot / 2) }, (_, i) => Math.floor(i / (rot / 2)) * 10000 ** (-(2 * (i % (rot / 2))) / rot));
      const cos = f64([maxPositions, rot / 2], asF32(angles.map(Math.cos))), sin = f64([maxPositions, rot / 2], asF32(angles.map(Math.sin)));
      const x = floats(bnsh ? [batch, heads, seq, h] : [batch, seq, heads * h]);
      const ids = randomInts(batch * seq, 0, maxPositions - 1), offset = 4;
      const position: Feed = explicit ? { shape: [batch, seq], values: ids, type: 'int64' } : { shape: [1], values: [offset], type: 'int64', constant: true };
      const pos = explicit ? (b: number, s: number) => ids[b * seq + s] : (_b: number, s: number) => offset + s;
      const attributes = { interleaved: +interleaved, ...(rot !== h ? { rotary_embedding_dim: rot } : {}), ...(bnsh || rot === h ? {} : { num_heads: heads }) };
      const got = (await run('RotaryEmbedding', [feed(x), position, feed(cos), feed(sin)], attributes))[0];
      expectClose(got.v, rotaryRef(x, heads, pos, cos, sin, rot, interleaved, bnsh).v, 1e-5, `head size ${h}, rotary dim ${rot}${interleaved ? ', interleaved' : ''}, ${bnsh ? '[B, N, S, h]' : '[B, S, H]'}, ${explicit ? 'position_ids' : 'an offset'}`);
    }
  });
});

describe.each(BACKENDS)('com.microsoft ops beside onnxruntime-web on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it('computes what onnxruntime computes, attributes left out taking its defaults', async () => {
    const x = floats([2, 3, 7], -4, 4), h7 = floats([7]), skip = floats([2, 3, 7]), gamma = floats([7]), beta = floats([7]);
    // Rows of small variance, where epsilon's default (1e-12, not 1e-5) shows.
    const flat = map(x, (v) => v * 1e-3);
    const a = floats([2, 5, 3]), b = floats([2, 5, 4]);
    const qa = ints([3, 129], 'uint8'), qb = ints([129, 5], 'int8');
    const att = floats([2, 4, 8]), attW = floats([8, 12], -0.6, 0.6), attB = floats([12]);
    const i32 = (shape: number[], values: number[]): Feed => ({ shape, values, type: 'int32' });
    const CASES: [string, (Feed | null)[], Record<string, AttributeSpec>, number, string?][] = [
      ['Gelu', [feed(x)], {}, 1],
      ['FastGelu', [feed(x)], {}, 1],
      ['FastGelu', [feed(x), feed(h7)], {}, 1],
      ['BiasGelu', [feed(x), feed(h7)], {}, 1],
      ['QuickGelu', [feed(x)], {}, 1],
      ['QuickGelu', [feed(x)], { alpha: { float: 0.5 } }, 1],
      ['FusedMatMul', [feed(a), feed(b)], { transA: 1, alpha: { float: 0.3 } }, 1],
      ['FusedMatMul', [feed(b), feed(floats([2, 3, 4]))], { transB: 1 }, 1],
      ['SkipLayerNormalization', [feed(flat), feed(map(skip, (v) => v * 1e-3)), feed(gamma), feed(beta), feed(h7)], {}, 4],
      ['SkipLayerNormalization', [feed(x), feed(skip), feed(gamma)], { epsilon: { float: 0.1 } }, 1],
      ['SkipSimplifiedLayerNormalization', [feed(flat), feed(skip), feed(gamma), feed(h7)], {}, 1],
      ['SimplifiedLayerNormalization', [feed(flat), feed(gamma)], {}, 1, ''],
      ['MatMulIntegerToFloat', [typed(qa, 'uint8'), typed(qb, 'int8', true), scalar(0.02), list(asF32(uniform(5, 0.001, 0.01))), scalar(120, 'uint8'), list([3, -2, 0, 7, 1], 'int8'), feed(floats([5]))], {}, 1],
      ['DynamicQuantizeMatMul', [feed(floats([3, 129], -3, 2)), typed(qb, 'int8', true), list(asF32(uniform(5, 0.001, 0.01))), list([3, -2, 0, 7, 1], 'int8'), feed(floats([5]))], {}, 1],
      ['Attention', [feed(att), feed(attW), feed(attB)], { num_heads: 2 }, 1],
      ['Attention', [feed(att), feed(attW), feed(attB), i32([2, 4], [1, 1, 0, 1, 1, 1, 1, 0])], { num_heads: 2, unidirectional: 1 }, 1],
      ['Attention', [feed(att), feed(attW), feed(attB), i32([2], [4, 2])], { num_heads: 4 }, 1],
      ['MultiHeadAttention', [feed(floats([2, 3, 8])), feed(floats([2, 5, 8])), feed(floats([2, 5, 4])), feed(floats([20])), i32([2, 5], [1, 1, 0, 1, 1, 1, 1, 1, 1, 0])], { num_heads: 2 }, 1],
      ['MultiHeadAttention', [feed(floats([2, 4, 8])), feed(floats([2, 4, 8])), feed(floats([2, 4, 8])), null, i32([2], [4, 3])], { num_heads: 4, scale: { float: 0.5 } }, 1],
      ['MultiHeadAttention', [feed(floats([2, 1, 8])), feed(floats([2, 1, 8])), feed(floats([2, 1, 8])), null, null, null, feed(floats([2, 2, 3, 4])), feed(floats([2, 2, 3, 4]))], { num_heads: 2 }, 3],
      ['MultiHeadAttention', [feed(floats([2, 2, 8])), feed(floats([2, 2, 8])), feed(floats([2, 2, 8])), feed(floats([24])), i32([2, 5], [1, 1, 1, 1, 1, 0, 1, 1, 1, 1]), null, feed(floats([2, 2, 3, 4])), feed(floats([2, 2, 3, 4]))], { num_heads: 2, unidirectional: 1 }, 3],
      ['Attention', [feed(floats([2, 2, 8])), feed(attW), feed(attB), i32([2, 5], [1, 1, 0, 1, 1, 1, 1, 1, 1, 1]), feed(floats([2, 2, 2, 3, 2]))], { num_heads: 2, unidirectional: 1 }, 2],
    ];
    const nbitsQ = Array.from({ length: 3 }, () => Array.from(randomInts(32, 0, 15)));
    const nbitsB: Feed = { shape: [3, 2, 8], values: packBits(nbitsQ, 4, 16), type: 'uint8', constant: true };
    const nbitsZeros: Feed = { shape: [3, 1], values: packBits([[3, 12], [0, 15], [8, 7]], 4, 1), type: 'uint8', constant: true };
    const nbitsAttributes = { K: 20, N: 3, bits: 4, block_size: 16 };
    CASES.push(['MatMulNBits', [feed(floats([2, 20])), nbitsB, feed(floats([3, 2], 0.01, 0.1)), nbitsZeros], nbitsAttributes, 1]);
    CASES.push(['MatMulNBits', [feed(floats([4, 20])), nbitsB, feed(floats([3, 2], 0.01, 0.1)), null, null, feed(floats([3]))], nbitsAttributes, 1]);
    const i16 = ints([3, 5], 'int8').v.map((v) => v * 250);
    CASES.push(['DequantizeLinear', [{ shape: [3, 5], values: i16, type: 'int16' }, list(asF32(uniform(5, 0.001, 0.01))), list(randomInts(5, -300, 300), 'int16')], { axis: 1 }, 1]);
    CASES.push(['Trilu', [feed(floats([3, 4, 5])), { shape: [], values: [-1], type: 'int64', constant: true }], {}, 1]);
    CASES.push(['GatherND', [feed(floats([2, 3, 4])), { shape: [3, 1], values: [1, 0, 1], type: 'int64', constant: true }], {}, 1]);
    const ropeAngles = Float64Array.from({ length: 16 * 4 }, (_, i) => Math.floor(i / 4) * 10000 ** (-(i % 4) / 4));
    const ropeCaches = [feed(f64([16, 4], asF32(ropeAngles.map(Math.cos)))), feed(f64([16, 4], asF32(ropeAngles.map(Math.sin))))];
    CASES.push(['RotaryEmbedding', [feed(floats([2, 3, 16])), { shape: [2, 3], values: [0, 1, 2, 5, 6, 7], type: 'int64' }, ...ropeCaches], { num_heads: 2 }, 1]);
    CASES.push(['RotaryEmbedding', [feed(floats([1, 2, 4, 8])), { shape: [1], values: [3], type: 'int64', constant: true }, ...ropeCaches], { interleaved: 1 }, 1]);
    const embedIds = (hi: number): Feed => ({ shape: [2, 4], values: randomInts(8, 0, hi - 1), type: 'int32' });
    CASES.push(['EmbedLayerNormalization', [embedIds(10), embedIds(2), feed(floats([10, 8])), feed(floats([6, 8])), feed(floats([2, 8])), feed(floats([8])), feed(floats([8])), embedIds(2)], {}, 3]);
    for (const [op, inputs, attributes, outputs, domain = 'com.microsoft'] of CASES) {
      const options = { domain: domain || undefined, outputs, outputTypes: op === 'EmbedLayerNormalization' ? (['float', 'int32', 'float'] as const) : undefined };
      const got = await runOp(op, inputs, attributes, options);
      const want = await ortNode(op, inputs, attributes, options);
      got.forEach((g, i) => expectClose(g.v, want[i], op.includes('Quantize') || op.includes('Integer') ? 1e-5 : 3e-5, `${op} output ${i} ${JSON.stringify(attributes)} (test seed ${SEED})`));
    }
  });
});

describe('com.microsoft ops tmnn refuses, and other domains', () => {
  beforeAll(async () => {
    await tm.init({ backend: 'js' });
  });

  const refuse = async (op: string, inputs: (Feed | null)[], attributes: Record<string, AttributeSpec>, error: RegExp, outputs = 1) => {
    await expect(runOp(op, inputs, attributes, { ...MS, outputs })).rejects.toThrow(error);
  };

  it('names the attribute values, inputs and outputs it does not run', async () => {
    const a = floats([2, 3, 4]), x = floats([1, 3, 6]), w = floats([6, 6]);
    await refuse('FusedMatMul', [feed(a), feed(a)], { transBatchA: 1 }, /transBatchA = 1 is not supported: tmnn transposes only the last two axes/);
    await refuse('FusedMatMul', [feed(floats([4])), feed(a)], { transA: 1 }, /a 1-D operand has one/);
    await refuse('Attention', [feed(x), feed(w)], {}, /num_heads = undefined must be a positive integer \(it is required\)/);
    await refuse('Attention', [feed(x), feed(w)], { num_heads: 2, do_rotary: 1 }, /do_rotary = 1 is not supported: rotary embeddings/);
    await refuse('Attention', [feed(x), feed(w), null, null, feed(floats([2, 1, 2, 2, 1])), null, { shape: [1], values: [2], type: 'int32' }], { num_heads: 2 }, /past_sequence_length \(input 6\) is not supported/);
    await refuse('Attention', [feed(x), feed(w), null, null, feed(floats([3, 1, 2, 2, 1]))], { num_heads: 2 }, /past \(input 4\) is \[3, 1, 2, 2, 1\]; it must be \[2, 1, 2, past length, 1\]/);
    await refuse('Attention', [feed(x), feed(w), null, { shape: [1, 1, 3, 3], values: new Array(9).fill(1), type: 'int32' }], { num_heads: 2 }, /mask_index \(input 3\) is \[1, 1, 3, 3\]; tmnn takes \[batch\]/);
    await refuse('Attention', [feed(x), feed(w)], { num_heads: 4 }, /do not split into num_heads = 4 heads/);
    await refuse('MultiHeadAttention', [feed(x), feed(x), feed(x), null, null, null, feed(floats([1, 2, 2, 3]))], { num_heads: 2 }, /past_key and past_value \(inputs 6 and 7\) come together/);
    await refuse('MultiHeadAttention', [feed(x), feed(x), feed(x), null, null, null, feed(floats([1, 2, 2, 4])), feed(floats([1, 2, 2, 3]))], { num_heads: 2 }, /past_key \(input 6\) \[1, 2, 2, 4\]: with this step's \[1, 2, 3, 3\] .* it must be \[1, 2, past length, 3\]/);
    await refuse('MultiHeadAttention', [feed(x)], { num_heads: 2 }, /key is required unless query packs Q, K and V/);
    await refuse('MultiHeadAttention', [feed(x), feed(floats([1, 4, 5])), feed(x)], { num_heads: 2 }, /key must be \[batch, length, 6\]/);
    await refuse('SkipSimplifiedLayerNormalization', [feed(x), feed(x), feed(floats([6]))], {}, /its mean output \(y1\) is not given: an RMS normalization computes no mean/, 2);
    await refuse('SkipLayerNormalization', [feed(x), feed(floats([3, 3, 6])), feed(floats([6]))], {}, /skip \(input 1\) is \[3, 3, 6\]; it must be of the input's shape \[1, 3, 6\]/);
    await refuse('SkipLayerNormalization', [feed(x), feed(x), feed(floats([5]))], {}, /gamma \(input 2\) is \[5\]; it must be 1-D of the hidden size 6/);
    const packed: Feed = { shape: [2, 1, 8], values: new Array(16).fill(0x37), type: 'uint8', constant: true };
    await refuse('MatMulNBits', [feed(floats([1, 16])), packed, feed(floats([2, 1]))], { K: 16, N: 2, bits: 3, block_size: 16 }, /bits = 3 is not supported: tmnn unpacks 2-, 4- and 8-bit weights/);
    await refuse('MatMulNBits', [feed(floats([1, 16])), { ...packed, constant: false }, feed(floats([2, 1]))], { K: 16, N: 2, block_size: 16 }, /B \(input 1\) must be an initializer/);
    await refuse('MatMulNBits', [feed(floats([1, 16])), packed, feed(floats([2, 1]))], { K: 16, N: 2, block_size: 32 }, /B \(input 1\) is \[2, 1, 8\]; N = 2, K = 16, bits = 4, block_size = 32 need \[2, 1, 16\]/);
    const qa = ints([2, 3], 'uint8'), qb = ints([3, 4], 'int8');
    await refuse('MatMulIntegerToFloat', [typed(qa, 'uint8'), typed(qb, 'int8'), list([0.1, 0.2, 0.3]), scalar(0.1)], {}, /a_scale \(input 2\) is \[3\]; tmnn takes A quantized per tensor/);
    await refuse('DynamicQuantizeMatMul', [feed(floats([2, 3])), typed(qb, 'int8'), list([0.1, 0.2])], {}, /b_scale \(input 2\) is \[2\]; it must be a scalar \(per tensor\) or 1-D of 4 elements/);
  });

  it('refuses at load a com.microsoft op it lacks and any op of another domain, naming both lists', () => {
    const load = (domain: string, op: string) => tm.onnx.fromBytes(onnxModel({ inputs: [{ name: 'x' }], outputs: [{ name: 'y' }], nodes: [{ op, inputs: ['x'], outputs: ['y'], domain }] }));
    expect(() => load('com.microsoft', 'QOrderedAttention')).toThrow(/ops tmnn does not run: com\.microsoft\.QOrderedAttention\. tm\.onnx\.SUPPORTED_OPS lists the \d+ default-domain ops it runs, tm\.onnx\.SUPPORTED_MICROSOFT_OPS the \d+ of com\.microsoft, tm\.onnx\.SUPPORTED_ML_OPS the \d+ of ai\.onnx\.ml/);
    expect(() => load('com.example', 'Gelu')).toThrow(/com\.example\.Gelu \(tmnn runs the default ai\.onnx domain, com\.microsoft, ai\.onnx\.ml and ai\.onnx\.preview\.training's optimizers, not com\.example\)/);
    // A com.microsoft op name in the default domain is not taken for the contrib op.
    expect(() => load('', 'FastGelu')).toThrow(/does not run: FastGelu\. /);
    expect(tm.onnx.SUPPORTED_MICROSOFT_OPS).toEqual([...tm.onnx.SUPPORTED_MICROSOFT_OPS].sort());
    expect(tm.onnx.SUPPORTED_MICROSOFT_OPS).toEqual(expect.arrayContaining(['Attention', 'FastGelu', 'FusedMatMul', 'SkipLayerNormalization', 'MatMulIntegerToFloat']));
    expect(tm.onnx.SUPPORTED_OPS).toContain('SimplifiedLayerNormalization');
    expect(tm.onnx.SUPPORTED_OPS).not.toContain('FastGelu');
  });
});

describe.each(BACKENDS)('a model mixing the default domain and com.microsoft on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it('runs MatMul → FastGelu(+bias) → SkipLayerNormalization → ReduceMean, counting ops by domain; gamma (an initializer) gets its gradient', async () => {
    const [rows, k, h] = [5, 9, 6];
    const x = floats([rows, k]), w = floats([k, h]), bias = floats([h]), gamma = floats([h]), beta = floats([h]);
    const bytes = onnxModel({
      opset: 17,
      domains: { 'com.microsoft': 1 },
      inputs: [{ name: 'x', shape: [rows, k] }],
      outputs: [{ name: 'y', shape: [rows, 1] }],
      initializers: { w: { shape: [k, h], values: w.v }, bias: { shape: [h], values: bias.v }, gamma: { shape: [h], values: gamma.v }, beta: { shape: [h], values: beta.v } },
      nodes: [
        { op: 'MatMul', inputs: ['x', 'w'], outputs: ['p'] },
        { op: 'FastGelu', inputs: ['p', 'bias'], outputs: ['g'], domain: 'com.microsoft' },
        { op: 'SkipLayerNormalization', inputs: ['g', 'p', 'gamma', 'beta'], outputs: ['n'], domain: 'com.microsoft', attributes: { epsilon: { float: 1e-5 } } },
        { op: 'ReduceMean', inputs: ['n'], outputs: ['y'], attributes: { axes: [1] } },
      ],
    });
    const p = matmulRef(x, w);
    const g = map(plusBiasRef(p, bias), fastGeluRef);
    const ref = normalizeLastRef(map(g, (v, i) => v + p.v[i]), gamma, beta, Math.fround(1e-5), false);
    const want = Array.from({ length: rows }, (_, r) => ref.y.v.slice(r * h, (r + 1) * h).reduce((a, b) => a + b, 0) / h);
    expectClose((await runModel(bytes, [feed(x)]))[0].v, want, 2e-5, 'the mixed model');

    const before = await collected(); // earlier tests' garbage collected first, so that no finalizer frees it at an await below
    const model = tm.onnx.fromBytes(bytes);
    expect(Object.fromEntries(model.opCounts)).toEqual({ MatMul: 1, 'com.microsoft.FastGelu': 1, 'com.microsoft.SkipLayerNormalization': 1, ReduceMean: 1 });
    const xt = tm.tensor(Array.from(x.v), [rows, k]);
    const y = model.forward(xt);
    const loss = y.sum();
    loss.backward();
    // d Σ mean(n) / d gamma_j = Σ_rows normalized_j / h.
    const normalized = normalizeLastRef(map(g, (v, i) => v + p.v[i]), f64([h], new Float64Array(h).fill(1)), undefined, Math.fround(1e-5), false).y;
    const dGamma = Array.from({ length: h }, (_, j) => Array.from({ length: rows }, (_, r) => normalized.v[r * h + j]).reduce((a, c) => a + c, 0) / h);
    expectClose(await model.ownParameters().gamma.grad!.data(), dGamma, 2e-5, 'd loss / d gamma');
    expectClose(await model.ownParameters().beta.grad!.data(), new Array(h).fill(rows / h), 1e-6, 'd loss / d beta');
    for (const t of [xt, y, loss]) t.dispose();
    model.dispose();
    expect(tm.memory().numTensors, 'tensors left').toBe(before);
  });

  it("Attention's merged weights and bias are parameters: their gradients match central differences of the float64 reference", async () => {
    const [batch, seq, input, heads] = [2, 3, 4, 2];
    const x = floats([batch, seq, input]), w = floats([input, 12], -0.7, 0.7), bias = floats([12], -0.5, 0.5), r = floats([batch, seq, 4]);
    const lengths = [3, 2];
    const bytes = onnxModel({
      inputs: [{ name: 'x', shape: [batch, seq, input] }, { name: 'm', type: 'int32', shape: [batch] }],
      outputs: [{ name: 'y' }],
      initializers: { w: { shape: w.shape, values: w.v }, bias: { shape: [12], values: bias.v }, r: { shape: r.shape, values: r.v } },
      nodes: [
        { op: 'Attention', inputs: ['x', 'w', 'bias', 'm'], outputs: ['a'], domain: 'com.microsoft', attributes: { num_heads: heads, unidirectional: 1 } },
        { op: 'Mul', inputs: ['a', 'r'], outputs: ['ar'] },
        { op: 'ReduceSum', inputs: ['ar'], outputs: ['y'], attributes: { keepdims: 0 } },
      ],
    });
    const mask = (b: number, i: number, j: number) => (j < lengths[b] ? 0 : -10000) + (j > i ? -10000 : 0);
    const loss = (wv: F64, bv: F64) => attentionRef(x, wv, { heads, sizes: [4, 4, 4], bias: bv, mask }).v.reduce((acc, v, i) => acc + v * r.v[i], 0);
    const numeric = (a: F64, f: (changed: F64) => number) => Array.from(a.v, (_, i) => {
      const step = 1e-5, at = (d: number) => f(map(a, (v, k) => (k === i ? v + d : v)));
      return (at(step) - at(-step)) / (2 * step);
    });
    const before = await collected();
    const model = tm.onnx.fromBytes(bytes);
    const xt = tm.tensor(Array.from(x.v), x.shape), mt = tm.tensor(lengths, [batch], { dtype: 'i32' });
    const y = model.forward(xt, mt);
    y.backward();
    expectClose(await model.ownParameters().w.grad!.data(), numeric(w, (c) => loss(c, bias)), 1e-4, 'd loss / d weights');
    expectClose(await model.ownParameters().bias.grad!.data(), numeric(bias, (c) => loss(w, c)), 1e-4, 'd loss / d bias');
    for (const t of [xt, mt, y]) t.dispose();
    model.dispose();
    expect(tm.memory().numTensors, 'tensors left').toBe(before);
  });
});
