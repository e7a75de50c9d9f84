// onnxruntime's QAttention (src/onnx/ops/microsoft_qattention.ts) on every
// backend: uint8 inputs times uint8 or int8 weights, per tensor or per
// column, weights constant (an initializer, the int8 product) or fed, with
// key padding masks and unidirectional, and with a key/value cache (past in,
// present out), each against a float64 reference of the dequantized
// Attention and against onnxruntime-web itself, at odd sizes.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../../src/index.js';
import { BACKENDS } from '../../helpers/backends.js';
import { asF32, expectClose, randomInts, uniform } from '../../helpers/data.js';
import { f64, size, type F64 } from '../../helpers/float64.js';
import type { AttributeSpec } from '../../helpers/onnx.js';
import { attentionRef, ortNode } from '../../helpers/onnx_microsoft.js';
import { runOp, type Feed } from '../../helpers/onnx_run.js';

const MS = { domain: 'com.microsoft' } as const;
const floats = (shape: number[], lo = -2, hi = 2): F64 => f64(shape, asF32(uniform(size(shape), lo, hi)));
const typed = (a: F64, type: Feed['type'], constant = false): Feed => ({ shape: a.shape, values: a.v, type, constant });
const scalar = (v: number, type: Feed['type'] = 'float'): Feed => ({ shape: [], values: [v], type, constant: true });
const list = (v: ArrayLike<number>, type: Feed['type'] = 'float'): Feed => ({ shape: [v.length], values: v, type, constant: true });

type Q = 'uint8' | 'int8';
const range = (type: Q): [number, number] => (type === 'uint8' ? [0, 255] : [-128, 127]);

interface Case {
  what: string;
  weightType: Q;
  perColumn: boolean;
  constant: boolean;
  mask?: Feed;
  maskRef?: (b: number, i: number, j: number) => number;
  attributes?: Record<string, AttributeSpec>;
}

describe.each(BACKENDS)('tm.onnx com.microsoft QAttention on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  const [batch, seq, input, heads, hidden] = [2, 5, 7, 3, 6];
  const cols = 3 * hidden;

  /** Quantized operands of one case and the float64 Attention of their dequantized values. */
  function operands(c: Case) {
    const x = f64([batch, seq, input], randomInts(batch * seq * input, 0, 255));
    const w = f64([input, cols], randomInts(input * cols, ...range(c.weightType)));
    const xScale = Math.fround(0.02), xZero = 131;
    const wScales = c.perColumn ? Array.from(uniform(cols, 0.002, 0.01), Math.fround) : [Math.fround(0.006)];
    const wZeros = c.perColumn ? Array.from(randomInts(cols, c.weightType === 'uint8' ? 118 : -6, c.weightType === 'uint8' ? 138 : 6)) : [c.weightType === 'uint8' ? 127 : 3];
    const bias = floats([cols], -0.5, 0.5);
    const dx = f64(x.shape, x.v.map((v) => (v - xZero) * xScale));
    const dw = f64(w.shape, w.v.map((v, i) => (v - wZeros[c.perColumn ? i % cols : 0]) * wScales[c.perColumn ? i % cols : 0]));
    // input, weight, bias, input_scale, weight_scale, mask_index, input_zero_point, weight_zero_point.
    const feeds: (Feed | null)[] = [
      typed(x, 'uint8'), typed(w, c.weightType, c.constant), typed(bias, 'float', true),
      scalar(xScale), c.perColumn ? list(wScales) : scalar(wScales[0]),
      c.mask ?? null, scalar(xZero, 'uint8'), c.perColumn ? list(wZeros, c.weightType) : scalar(wZeros[0], c.weightType),
    ];
    return { feeds, dx, dw, bias };
  }

  it('matches the dequantized Attention and onnxruntime: uint8/int8 weights per tensor or per column, constant or fed, masks, unidirectional', async () => {
    const lengths = [5, 3];
    const CASES: Case[] = [
      { what: 'uint8 weights per tensor, constant', weightType: 'uint8', perColumn: false, constant: true },
      { what: 'int8 weights per column, constant', weightType: 'int8', perColumn: true, constant: true },
      { what: 'uint8 weights per column, fed', weightType: 'uint8', perColumn: true, constant: false },
      { what: 'int8 weights, key lengths', weightType: 'int8', perColumn: false, constant: true, mask: { shape: [batch], values: lengths, type: 'int32' }, maskRef: (b, _i, j) => (j < lengths[b] ? 0 : -10000) },
      { what: 'uint8 weights, unidirectional', weightType: 'uint8', perColumn: false, constant: true, attributes: { unidirectional: 1 }, maskRef: (_b, i, j) => (j > i ? -10000 : 0) },
    ];
    for (const c of CASES) {
      const { feeds, dx, dw, bias } = operands(c);
      const attributes = { num_heads: heads, ...c.attributes };
      const [got] = await runOp('QAttention', feeds, attributes, MS);
      expect(got.shape, c.what).toEqual([batch, seq, hidden]);
      expectClose(got.v, attentionRef(dx, dw, { heads, sizes: [hidden, hidden, hidden], bias, mask: c.maskRef }).v, 2e-5, `QAttention, ${c.what}`);
      const [theirs] = await ortNode('QAttention', feeds, attributes, MS);
      expectClose(got.v, theirs, 2e-5, `QAttention, ${c.what}, against onnxruntime`);
    }
  });

  it('takes a key/value cache: the past before this step\'s keys and values, the present given back, as onnxruntime does', async () => {
    const c: Case = { what: 'with a past', weightType: 'int8', perColumn: false, constant: true };
    const { feeds } = operands(c);
    const past = floats([2, batch, heads, 4, hidden / heads]);
    const withPast = [...feeds, typed(past, 'float')];
    for (const attributes of [{ num_heads: heads }, { num_heads: heads, unidirectional: 1 }] as Record<string, AttributeSpec>[]) {
      const [y, present] = await runOp('QAttention', withPast, attributes, { ...MS, outputs: 2 });
      expect(present.shape).toEqual([2, batch, heads, 4 + seq, hidden / heads]);
      const [theirY, theirPresent] = await ortNode('QAttention', withPast, attributes, { ...MS, outputs: 2 });
      expectClose(y.v, theirY, 2e-5, `QAttention with a past ${JSON.stringify(attributes)}`);
      expectClose(present.v, theirPresent, 2e-5, 'the present');
    }
  });

  it('refuses what it does not run, naming it', async () => {
    const { feeds } = operands({ what: '', weightType: 'uint8', perColumn: false, constant: true });
    await expect(runOp('QAttention', feeds, { num_heads: heads, do_rotary: 1 }, MS)).rejects.toThrow(/\(QAttention\): do_rotary = 1 is not supported/);
    await expect(runOp('QAttention', feeds, { num_heads: 4 }, MS)).rejects.toThrow(/do not split into num_heads = 4 heads/);
    await expect(runOp('QAttention', [feeds[0], feeds[1], null, ...feeds.slice(3)], { num_heads: heads }, MS)).rejects.toThrow(/\(QAttention\): bias \(input 2\) is required/);
    const floatInput = [typed(floats([batch, seq, input]), 'float'), ...feeds.slice(1)];
    await expect(runOp('QAttention', floatInput, { num_heads: heads }, MS)).rejects.toThrow(/\(QAttention\): input/);
  });
});
