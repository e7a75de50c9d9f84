// ONNX Conv and ConvTranspose, run as one-node models, against float64
// loops written here from the ONNX spec (every begin pad, then every end pad;
// groups; dilations; ConvTranspose's output_padding and output_shape), at odd
// sizes in 1, 2 and 3 dimensions; the gradients that reach the weight and
// bias initializers (the model's parameters) and the input, against the same
// loops; and the attribute values refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../../src/index.js';
import { BACKENDS } from '../../helpers/backends.js';
import { asF32, expectClose, uniform } from '../../helpers/data.js';
import { ravel, size, unravel } from '../../helpers/float64.js';
import { singleOp, type AttributeSpec } from '../../helpers/onnx.js';

interface Geometry {
  pads: number[];
  strides: number[];
  dilations: number[];
  group: number;
}

interface Reference {
  shape: number[];
  y: Float64Array;
  dx: Float64Array;
  dw: Float64Array;
  db: Float64Array;
}

/** Every (output position, kernel tap) pair of a window walk along the spatial axes. */
function* taps(out: number[], kernel: number[]): Generator<[number[], number[]]> {
  for (let o = 0; o < size(out); o++) {
    const op = unravel(o, out);
    for (let k = 0; k < size(kernel); k++) yield [op, unravel(k, kernel)];
  }
}

/**
 * Conv as the spec's sum: y[n, m, o] = b[m] + Σ x[n, c, o·s − pad + k·d] · w[m, c, k]
 * over the group's channels, and, for the loss Σ y·r, its gradients.
 */
function convRef(x: Float64Array, xs: number[], w: Float64Array, ws: number[], b: Float64Array, r: (shape: number[]) => Float64Array, g: Geometry): Reference {
  const [n, c] = xs;
  const m = ws[0], sp = xs.slice(2), kernel = ws.slice(2), d = sp.length;
  const cg = c / g.group, mg = m / g.group;
  const out = sp.map((s, i) => Math.floor((s + g.pads[i] + g.pads[d + i] - ((kernel[i] - 1) * g.dilations[i] + 1)) / g.strides[i]) + 1);
  const shape = [n, m, ...out];
  const y = new Float64Array(size(shape)), rv = r(shape);
  const dx = new Float64Array(x.length), dw = new Float64Array(w.length), db = new Float64Array(m);
  for (let b0 = 0; b0 < n; b0++) {
    for (let mo = 0; mo < m; mo++) {
      const grp = Math.floor(mo / mg);
      for (const [op, kp] of taps(out, kernel)) {
        const ip = op.map((o, i) => o * g.strides[i] - g.pads[i] + kp[i] * g.dilations[i]);
        const yi = ravel([b0, mo, ...op], shape);
        if (kp.every((k) => k === 0)) {
          y[yi] += b[mo];
          db[mo] += rv[yi];
        }
        if (ip.some((p, i) => p < 0 || p >= sp[i])) continue;
        for (let ci = 0; ci < cg; ci++) {
          const xi = ravel([b0, grp * cg + ci, ...ip], xs), wi = ravel([mo, ci, ...kp], ws);
          y[yi] += x[xi] * w[wi];
          dx[xi] += rv[yi] * w[wi];
          dw[wi] += rv[yi] * x[xi];
        }
      }
    }
  }
  return { shape, y, dx, dw, db };
}

/** ConvTranspose as the spec's scatter: x[n, c, i] · w[c, m, k] lands at i·s − pad_begin + k·d; out the given size. */
function convTransposeRef(x: Float64Array, xs: number[], w: Float64Array, ws: number[], b: Float64Array, r: (shape: number[]) => Float64Array, g: Geometry, out: number[]): Reference {
  const [n, c] = xs;
  const sp = xs.slice(2), kernel = ws.slice(2);
  const mg = ws[1], m = mg * g.group, cg = c / g.group;
  const shape = [n, m, ...out];
  const y = new Float64Array(size(shape)), rv = r(shape);
  const dx = new Float64Array(x.length), dw = new Float64Array(w.length), db = new Float64Array(m);
  for (let i = 0; i < y.length; i++) {
    const mo = unravel(i, shape)[1];
    y[i] += b[mo];
    db[mo] += rv[i];
  }
  for (let b0 = 0; b0 < n; b0++) {
    for (let ci = 0; ci < c; ci++) {
      const grp = Math.floor(ci / cg);
      for (const [ip, kp] of taps(sp, kernel)) {
        const op = ip.map((p, i) => p * g.strides[i] - g.pads[i] + kp[i] * g.dilations[i]);
        if (op.some((o, i) => o < 0 || o >= out[i])) continue;
        const xi = ravel([b0, ci, ...ip], xs);
        for (let mi = 0; mi < mg; mi++) {
          const yi = ravel([b0, grp * mg + mi, ...op], shape), wi = ravel([ci, mi, ...kp], ws);
          y[yi] += x[xi] * w[wi];
          dx[xi] += rv[yi] * w[wi];
          dw[wi] += rv[yi] * x[xi];
        }
      }
    }
  }
  return { shape, y, dx, dw, db };
}

interface Case {
  name: string;
  x: number[];
  w: number[];
  attrs: Record<string, AttributeSpec>;
  /** The pads the attributes amount to (auto_pad worked out by hand), every begin then every end. */
  pads: number[];
  bias?: boolean;
}

const geometry = (c: Case, d: number): Geometry => ({
  pads: c.pads,
  strides: (c.attrs.strides as number[]) ?? Array(d).fill(1),
  dilations: (c.attrs.dilations as number[]) ?? Array(d).fill(1),
  group: (c.attrs.group as number) ?? 1,
});

/** Runs the one-node model on fresh data and checks the output and every gradient against `ref`. */
async function check(op: string, c: Case, ref: (x: Float64Array, w: Float64Array, b: Float64Array, r: (shape: number[]) => Float64Array) => Reference): Promise<void> {
  const x = asF32(uniform(size(c.x))), w = asF32(uniform(size(c.w), -1, 1));
  const channels = op === 'Conv' ? c.w[0] : c.w[1] * ((c.attrs.group as number) ?? 1);
  const bias = c.bias === false ? new Float64Array(channels) : asF32(uniform(channels));
  const initializers = { w: { shape: c.w, values: w }, ...(c.bias === false ? {} : { b: { shape: [channels], values: bias } }) };
  const model = tm.onnx.fromBytes(singleOp(op, [{ name: 'x', shape: c.x }], c.attrs, { initializers, extraInputs: c.bias === false ? ['w'] : ['w', 'b'] }));
  let r: Float64Array | undefined;
  const want = ref(x, w, bias, (shape) => (r = asF32(uniform(size(shape)))));
  const xt = tm.tensor(x, c.x);
  xt.requiresGrad = true;
  const y = model.forward(xt);
  expect(y.shape).toEqual(want.shape);
  expectClose(await y.data(), want.y, 1e-4, `${c.name} y`);
  y.mul(tm.tensor(r!, want.shape)).sum().backward();
  const params = model.ownParameters();
  expect(Object.keys(params).sort()).toEqual(c.bias === false ? ['w'] : ['b', 'w']);
  expectClose(await xt.grad!.data(), want.dx, 1e-4, `${c.name} dx`);
  expectClose(await params.w.grad!.data(), want.dw, 1e-4, `${c.name} dw`);
  if (c.bias !== false) expectClose(await params.b.grad!.data(), want.db, 1e-4, `${c.name} db`);
  model.dispose?.();
}

const CONVS: Case[] = [
  // The cnn fixture's forms: pads 1 stride 2; group 2 with dilation 2.
  { name: '2-D pads 1 stride 2', x: [2, 3, 9, 7], w: [4, 3, 3, 3], attrs: { kernel_shape: [3, 3], pads: [1, 1, 1, 1], strides: [2, 2], dilations: [1, 1], group: 1 }, pads: [1, 1, 1, 1] },
  { name: '2-D group 2 dilation 2', x: [1, 4, 8, 9], w: [6, 2, 3, 2], attrs: { pads: [2, 1, 2, 1], dilations: [2, 3], group: 2 }, pads: [2, 1, 2, 1] },
  { name: '2-D asymmetric pads, no bias', x: [2, 2, 6, 5], w: [3, 2, 2, 3], attrs: { pads: [0, 2, 1, 1], strides: [1, 2] }, pads: [0, 2, 1, 1], bias: false },
  // SAME_UPPER, stride 2, input 7 kernel 3: output 4, total pad 2 → [1, 1]; input 6: output 3, total 1 → [0, 1].
  { name: '2-D SAME_UPPER stride 2', x: [1, 2, 7, 6], w: [2, 2, 3, 3], attrs: { auto_pad: 'SAME_UPPER', strides: [2, 2] }, pads: [1, 0, 1, 1] },
  { name: '2-D SAME_LOWER stride 2', x: [1, 2, 7, 6], w: [2, 2, 3, 3], attrs: { auto_pad: 'SAME_LOWER', strides: [2, 2] }, pads: [1, 1, 1, 0] },
  { name: '2-D VALID', x: [1, 3, 5, 6], w: [2, 3, 2, 4], attrs: { auto_pad: 'VALID', pads: [9, 9, 9, 9] }, pads: [0, 0, 0, 0] },
  // The conv1d fixture's: pads 2 dilation 2 kernel 3; and depthwise, asymmetric.
  { name: '1-D dilation 2', x: [2, 3, 11], w: [5, 3, 3], attrs: { kernel_shape: [3], pads: [2, 2], dilations: [2] }, pads: [2, 2] },
  { name: '1-D depthwise, asymmetric pads', x: [2, 4, 10], w: [4, 1, 4], attrs: { group: 4, pads: [3, 0], strides: [3] }, pads: [3, 0] },
  { name: '3-D', x: [1, 2, 4, 5, 3], w: [3, 2, 2, 3, 2], attrs: { pads: [1, 0, 1, 1, 2, 0], strides: [1, 2, 1] }, pads: [1, 0, 1, 1, 2, 0] },
];

const TRANSPOSES: (Case & { out: number[] })[] = [
  // The conv_transpose_upsample fixture's form: stride 2, pads 1, output_padding 1 (3 → 6).
  { name: '2-D stride 2 output_padding 1', x: [2, 4, 3, 3], w: [4, 3, 3, 3], attrs: { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], output_padding: [1, 1], dilations: [1, 1], group: 1 }, pads: [1, 1, 1, 1], out: [6, 6] },
  { name: '2-D group 2 dilation 2', x: [1, 4, 4, 3], w: [4, 2, 2, 3], attrs: { group: 2, dilations: [2, 1], strides: [1, 2] }, pads: [0, 0, 0, 0], out: [6, 7] },
  // Asymmetric pads and an output padding past the end pad: (5−1)·2 + 3 − 2 − 0 + 1 = 10.
  { name: '1-D asymmetric pads', x: [2, 3, 5], w: [3, 2, 3], attrs: { strides: [2], pads: [2, 0], output_padding: [1] }, pads: [2, 0], out: [10] },
  // output_shape 12 from a full 11 (stride 2, kernel 3, input 5): total padding −1, NOTSET puts it… begin 0, end −1.
  { name: '1-D output_shape', x: [1, 2, 5], w: [2, 3, 3], attrs: { strides: [2], output_shape: [12] }, pads: [0, -1], out: [12] },
  // SAME_UPPER: output 2·4 = 8 from a full 9: total 1 → begin 0, end 1.
  { name: '1-D SAME_UPPER', x: [1, 2, 4], w: [2, 1, 3], attrs: { strides: [2], auto_pad: 'SAME_UPPER' }, pads: [0, 1], out: [8] },
  { name: '3-D stride 2', x: [1, 2, 2, 3, 2], w: [2, 2, 2, 2, 3], attrs: { strides: [2, 1, 2], pads: [0, 1, 1, 0, 0, 1] }, pads: [0, 1, 1, 0, 0, 1], out: [4, 3, 3] },
];

describe.each(BACKENDS)('ONNX Conv and ConvTranspose on %s', (backend) => {
  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  afterAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it.each(CONVS)('Conv $name: output and gradients to x, W and B', async (c) => {
    await check('Conv', c, (x, w, b, r) => convRef(x, c.x, w, c.w, b, r, geometry(c, c.x.length - 2)));
  });

  it.each(TRANSPOSES)('ConvTranspose $name: output and gradients to x, W and B', async (c) => {
    await check('ConvTranspose', c, (x, w, b, r) => convTransposeRef(x, c.x, w, c.w, b, r, geometry(c, c.x.length - 2), c.out));
  });

  it('refuses what it cannot run, naming the node and what is wrong', () => {
    const w = { w: { shape: [2, 2, 3, 3], values: new Float64Array(36) } };
    const run = (attrs: Record<string, AttributeSpec>, x = [1, 2, 5, 5], op = 'Conv') => () => tm.onnx.fromBytes(singleOp(op, [{ name: 'x', shape: x }], attrs, { initializers: w, extraInputs: ['w'] })).forward(tm.zeros(x));
    expect(run({ kernel_shape: [2, 2] })).toThrow(/node 'Conv_0' \(Conv\): kernel_shape = \[2, 2\] differs from the weight's \[3, 3\]/);
    expect(run({ auto_pad: 'SAME' })).toThrow(/auto_pad = "SAME" is not one of/);
    expect(run({ pads: [1, 1] })).toThrow(/pads has 2 entries; 2 spatial axes need 4/);
    expect(run({}, [1, 2, 5, 5, 5, 5])).toThrow(/tmnn runs 1-, 2- and 3-D Conv/);
    expect(run({ group: 2 })).toThrow(/weight W \[2, 2, 3, 3\] does not fit the input's 2 channels in 2 groups/);
    expect(run({ group: 3 })).toThrow(/group = 3 must be a positive integer dividing the input's 2 channels/);
    expect(run({ output_shape: [9] }, [1, 2, 5, 5], 'ConvTranspose')).toThrow(/output_shape = \[9\] does not give the 2 spatial sizes/);
  });
});
