// ONNX's pools (MaxPool, AveragePool, LpPool and the global ones), run as
// one-node models, against a float64 window walk written here from the spec:
// ONNX's output size (a ceil_mode window that would start in the end
// padding dropped), begin and end pads, strides defaulting to 1, dilations,
// count_include_pad (padding counted, never the part of a ceil_mode window
// past it); at odd sizes in 1, 2 and 3 dimensions, with the gradient to the
// input, and the attribute values refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../../src/index.js';
import { BACKENDS } from '../../helpers/backends.js';
import { asF32, expectClose, uniform } from '../../helpers/data.js';
import { ravel, size, unravel } from '../../helpers/float64.js';
import { singleOp, type AttributeSpec } from '../../helpers/onnx.js';

type Kind = 'MaxPool' | 'AveragePool' | 'LpPool';

interface Case {
  op: Kind;
  name: string;
  x: number[];
  attrs: Record<string, AttributeSpec>;
  /** Pads as the attributes amount to (auto_pad worked out by hand), every begin then every end. */
  pads?: number[];
  opset?: number;
}

/** The pool's output and, for the loss Σ y·r, the gradient to x. */
function poolRef(c: Case, x: Float64Array, r: (shape: number[]) => Float64Array): { shape: number[]; y: Float64Array; dx: Float64Array } {
  const sp = c.x.slice(2), d = sp.length;
  const kernel = c.attrs.kernel_shape as number[];
  const strides = (c.attrs.strides as number[]) ?? Array(d).fill(1);
  const dil = (c.attrs.dilations as number[]) ?? Array(d).fill(1);
  const pads = c.pads ?? (c.attrs.pads as number[]) ?? Array(2 * d).fill(0);
  const ceil = c.attrs.ceil_mode === 1, countPad = c.attrs.count_include_pad === 1;
  const p = (c.attrs.p as number) ?? 2;
  const out = sp.map((s, i) => {
    const room = s + pads[i] + pads[d + i] - ((kernel[i] - 1) * dil[i] + 1);
    let o = (ceil ? Math.ceil(room / strides[i]) : Math.floor(room / strides[i])) + 1;
    if (ceil && (o - 1) * strides[i] >= s + pads[i]) o--;
    return o;
  });
  const shape = [...c.x.slice(0, 2), ...out];
  const y = new Float64Array(size(shape)), rv = r(shape), dx = new Float64Array(x.length);
  for (let i = 0; i < y.length; i++) {
    const [n, ch, ...op] = unravel(i, shape);
    const inside: number[] = [];
    let counted = 0;
    for (let k = 0; k < size(kernel); k++) {
      const ip = unravel(k, kernel).map((kk, a) => op[a] * strides[a] - pads[a] + kk * dil[a]);
      if (ip.every((q, a) => q >= -pads[a] && q < sp[a] + pads[d + a])) counted++;
      if (ip.every((q, a) => q >= 0 && q < sp[a])) inside.push(ravel([n, ch, ...ip], c.x));
    }
    if (c.op === 'MaxPool') {
      const best = inside.reduce((b, j) => (b < 0 || x[j] > x[b] ? j : b), -1);
      y[i] = best < 0 ? -Infinity : x[best];
      if (best >= 0) dx[best] += rv[i];
    } else if (c.op === 'AveragePool') {
      const divisor = countPad ? counted : inside.length;
      y[i] = inside.reduce((s, j) => s + x[j], 0) / divisor;
      for (const j of inside) dx[j] += rv[i] / divisor;
    } else {
      const sum = inside.reduce((s, j) => s + Math.abs(x[j]) ** p, 0);
      y[i] = sum ** (1 / p);
      for (const j of inside) dx[j] += rv[i] * sum ** (1 / p - 1) * Math.abs(x[j]) ** (p - 1) * Math.sign(x[j]);
    }
  }
  return { shape, y, dx };
}

const CASES: Case[] = [
  // The cnn and conv1d fixtures' forms.
  { op: 'MaxPool', name: '2-D 2×2 stride 2', x: [2, 3, 8, 9], attrs: { kernel_shape: [2, 2], strides: [2, 2], pads: [0, 0, 0, 0], ceil_mode: 0 } },
  { op: 'MaxPool', name: '2-D pads 1 stride 2 ceil_mode, dilation', x: [1, 2, 7, 8], attrs: { kernel_shape: [3, 2], strides: [2, 2], pads: [1, 1, 1, 1], ceil_mode: 1, dilations: [1, 2] } },
  { op: 'MaxPool', name: '2-D asymmetric pads, strides 1 by default', x: [1, 2, 6, 5], attrs: { kernel_shape: [3, 3], pads: [0, 2, 2, 0] } },
  { op: 'MaxPool', name: '2-D asymmetric pads ceil_mode (a window starting in the end pad dropped)', x: [1, 1, 7, 6], attrs: { kernel_shape: [2, 3], strides: [3, 2], pads: [1, 0, 1, 2], ceil_mode: 1 } },
  // SAME_UPPER, input 7 kernel 3 stride 2: output 4, total pad 2 → [1, 1]; input 6: output 3, total 1 → [0, 1].
  { op: 'MaxPool', name: '2-D SAME_UPPER', x: [1, 2, 7, 6], attrs: { kernel_shape: [3, 3], strides: [2, 2], auto_pad: 'SAME_UPPER' }, pads: [1, 0, 1, 1] },
  { op: 'MaxPool', name: '1-D', x: [2, 3, 11], attrs: { kernel_shape: [3], strides: [2], pads: [1, 1] } },
  { op: 'MaxPool', name: '3-D', x: [1, 2, 5, 4, 6], attrs: { kernel_shape: [2, 2, 3], strides: [1, 2, 2], pads: [1, 0, 1, 0, 1, 1] } },
  { op: 'AveragePool', name: '2-D 2×2 stride 2', x: [2, 3, 8, 9], attrs: { kernel_shape: [2, 2], strides: [2, 2], pads: [0, 0, 0, 0], ceil_mode: 0 } },
  { op: 'AveragePool', name: '2-D pads 1 ceil_mode, padding not counted', x: [1, 2, 7, 8], attrs: { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], ceil_mode: 1 } },
  { op: 'AveragePool', name: '2-D pads 1 ceil_mode, padding counted', x: [1, 2, 7, 8], attrs: { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], ceil_mode: 1, count_include_pad: 1 } },
  { op: 'AveragePool', name: '2-D asymmetric pads, padding not counted', x: [2, 1, 6, 7], attrs: { kernel_shape: [3, 2], strides: [2, 1], pads: [2, 0, 0, 1] } },
  { op: 'AveragePool', name: '2-D asymmetric pads ceil_mode, padding counted', x: [1, 2, 7, 6], attrs: { kernel_shape: [3, 3], strides: [2, 2], pads: [0, 1, 2, 1], ceil_mode: 1, count_include_pad: 1 } },
  { op: 'AveragePool', name: '1-D kernel 3 stride 2 (conv1d fixture)', x: [2, 6, 10], attrs: { kernel_shape: [3], strides: [2], pads: [0, 0], ceil_mode: 0 } },
  { op: 'AveragePool', name: '1-D SAME_LOWER', x: [1, 2, 9], attrs: { kernel_shape: [4], strides: [2], auto_pad: 'SAME_LOWER' }, pads: [2, 1] },
  { op: 'AveragePool', name: '3-D pads counted', x: [1, 2, 4, 5, 5], attrs: { kernel_shape: [2, 3, 3], strides: [2, 2, 1], pads: [1, 1, 1, 1, 1, 1], count_include_pad: 1 } },
  { op: 'LpPool', name: '2-D p 3 asymmetric pads', x: [1, 2, 6, 7], attrs: { kernel_shape: [2, 3], strides: [2, 2], pads: [1, 0, 0, 2], p: 3 } },
  { op: 'LpPool', name: '1-D p 2 ceil_mode (opset 18)', x: [2, 2, 8], attrs: { kernel_shape: [3], strides: [2], ceil_mode: 1 }, opset: 18 },
];

describe.each(BACKENDS)('ONNX pools on %s', (backend) => {
  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  afterAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it.each(CASES)('$op $name: output and gradient to x', async (c) => {
    const x = asF32(uniform(size(c.x)));
    let r: Float64Array | undefined;
    const want = poolRef(c, x, (shape) => (r = asF32(uniform(size(shape)))));
    const model = tm.onnx.fromBytes(singleOp(c.op, [{ name: 'x', shape: c.x }], c.attrs, { opset: c.opset }));
    const xt = tm.tensor(x, c.x);
    xt.requiresGrad = true;
    const y = model.forward(xt);
    expect(y.shape).toEqual(want.shape);
    expectClose(await y.data(), want.y, 1e-5, 'y');
    y.mul(tm.tensor(r!, want.shape)).sum().backward();
    expectClose(await xt.grad!.data(), want.dx, 1e-4, 'dx');
  });

  it.each([
    { op: 'GlobalAveragePool', x: [2, 3, 5, 7], f: (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length },
    { op: 'GlobalMaxPool', x: [2, 3, 3, 4, 5], f: (v: number[]) => Math.max(...v) },
    { op: 'GlobalLpPool', x: [3, 2, 9], f: (v: number[]) => Math.sqrt(v.reduce((a, b) => a + b * b, 0)) },
  ])('$op over every spatial axis of $x, kept as 1s', async ({ op, x: shape, f }) => {
    const x = asF32(uniform(size(shape)));
    const per = size(shape.slice(2));
    const want = Array.from({ length: shape[0] * shape[1] }, (_, i) => f(Array.from(x.subarray(i * per, (i + 1) * per))));
    const y = tm.onnx.fromBytes(singleOp(op, [{ name: 'x', shape }])).forward(tm.tensor(x, shape));
    expect(y.shape).toEqual([shape[0], shape[1], ...shape.slice(2).map(() => 1)]);
    expectClose(await y.data(), want, 1e-5, op);
  });

  it('refuses what it cannot run, naming the node and what is wrong', () => {
    const x = [1, 2, 6, 6];
    const run = (op: string, attrs: Record<string, AttributeSpec>, outputs = 1) => () => tm.onnx.fromBytes(singleOp(op, [{ name: 'x', shape: x }], attrs, { outputs })).forward(tm.zeros(x));
    expect(run('MaxPool', { kernel_shape: [2, 2] }, 2)).toThrow(/node 'MaxPool_0' \(MaxPool\): its Indices output \(y1\) is not supported/);
    expect(run('AveragePool', { kernel_shape: [2, 2], dilations: [2, 2] })).toThrow(/dilations = \[2, 2\] is not supported: tmnn's AveragePool is built on its average pools, which have no dilation/);
    expect(run('MaxPool', {})).toThrow(/\(MaxPool\): kernel_shape must give the window's size along the 2 spatial axes/);
    expect(run('MaxPool', { kernel_shape: [2, 2], strides: [0, 1] })).toThrow(/strides = \[0, 1\] must be positive integers/);
    expect(run('MaxPool', { kernel_shape: [9, 2] })).toThrow(/the 9-wide window is larger than axis 2 \(6\)/);
  });
});
