// ONNX's DeformConv in tm.onnx as one-node models, against a float64 loop of
// its definition (onnx's reference: each tap's point moved by its offset,
// read bilinearly with zeros outside the image, times the mask and the
// filter), on fresh random data at odd shapes: groups, offset groups,
// strides, dilations, uneven pads, a mask or none, a bias or none, an
// image one pixel high. The gradients to the input, filters, offsets and
// mask against the same loop's derivatives (the bilinear weights'
// derivatives, exact away from whole pixels); beside onnxruntime-web; what
// is refused.
import * as ort from 'onnxruntime-web';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../../src/index.js';
import { BACKENDS } from '../../helpers/backends.js';
import { asF32, expectClose, SEED, uniform } from '../../helpers/data.js';
import { collected } from '../../helpers/gc.js';
import { onnxModel } from '../../helpers/onnx.js';
import { runModel, runOp, type Feed } from '../../helpers/onnx_run.js';
import { ortRun } from '../../helpers/ort.js';

interface Case {
  n: number;
  c: number;
  h: number;
  w: number;
  m: number;
  kernel: [number, number];
  strides: [number, number];
  dilations: [number, number];
  pads: [number, number, number, number];
  group: number;
  offsetGroup: number;
  mask: boolean;
  bias: boolean;
}

const CASES: Case[] = [
  { n: 2, c: 3, h: 7, w: 9, m: 5, kernel: [3, 3], strides: [1, 1], dilations: [1, 1], pads: [1, 1, 1, 1], group: 1, offsetGroup: 1, mask: false, bias: true },
  { n: 1, c: 4, h: 6, w: 5, m: 6, kernel: [2, 3], strides: [2, 1], dilations: [1, 2], pads: [0, 2, 1, 1], group: 2, offsetGroup: 2, mask: true, bias: false },
  { n: 2, c: 6, h: 5, w: 8, m: 4, kernel: [3, 2], strides: [1, 3], dilations: [2, 1], pads: [2, 0, 1, 1], group: 2, offsetGroup: 3, mask: true, bias: true },
  { n: 1, c: 2, h: 1, w: 7, m: 3, kernel: [1, 3], strides: [1, 2], dilations: [1, 1], pads: [0, 1, 0, 1], group: 1, offsetGroup: 1, mask: true, bias: true },
];

const outSize = (k: Case) => [
  Math.floor((k.h + k.pads[0] + k.pads[2] - (k.kernel[0] - 1) * k.dilations[0] - 1) / k.strides[0]) + 1,
  Math.floor((k.w + k.pads[1] + k.pads[3] - (k.kernel[1] - 1) * k.dilations[1] - 1) / k.strides[1]) + 1,
];

interface Data {
  x: Float64Array;
  w: Float64Array;
  offset: Float64Array;
  mask: Float64Array;
  bias: Float64Array;
}

interface Result {
  y: Float64Array;
  /** Σ|terms| of each output: its scale for the tolerance. */
  scale: Float64Array;
  dx: Float64Array;
  dw: Float64Array;
  doffset: Float64Array;
  dmask: Float64Array;
}

/** The definition in float64, and the gradients of Σ y·r. */
function deformRef(k: Case, d: Data, r: Float64Array): Result {
  const [oh, ow] = outSize(k);
  const [kh, kw] = k.kernel, taps = kh * kw;
  const cg = k.c / k.group, mg = k.m / k.group, co = k.c / k.offsetGroup;
  const y = new Float64Array(k.n * k.m * oh * ow), scale = new Float64Array(y.length);
  const dx = new Float64Array(d.x.length), dw = new Float64Array(d.w.length), doffset = new Float64Array(d.offset.length), dmask = new Float64Array(d.mask.length);
  const pixel = (b: number, ch: number, yy: number, xx: number) => (yy < 0 || yy >= k.h || xx < 0 || xx >= k.w ? 0 : d.x[((b * k.c + ch) * k.h + yy) * k.w + xx]);
  for (let b = 0; b < k.n; b++) {
    for (let o = 0; o < k.m; o++) {
      for (let i = 0; i < oh; i++) {
        for (let j = 0; j < ow; j++) {
          const out = ((b * k.m + o) * oh + i) * ow + j;
          let sum = k.bias ? d.bias[o] : 0, mag = k.bias ? Math.abs(d.bias[o]) : 0;
          const g = Math.floor(o / mg);
          for (let cc = 0; cc < cg; cc++) {
            const ch = g * cg + cc, og = Math.floor(ch / co);
            for (let t = 0; t < taps; t++) {
              const at = (q: number) => (((b * k.offsetGroup + og) * taps + t) * 2 + q) * oh * ow + i * ow + j;
              const m = (((b * k.offsetGroup + og) * taps + t) * oh + i) * ow + j;
              const py = i * k.strides[0] - k.pads[0] + Math.floor(t / kw) * k.dilations[0] + d.offset[at(0)];
              const px = j * k.strides[1] - k.pads[1] + (t % kw) * k.dilations[1] + d.offset[at(1)];
              const y0 = Math.floor(py), x0 = Math.floor(px), fy = py - y0, fx = px - x0;
              const v00 = pixel(b, ch, y0, x0), v01 = pixel(b, ch, y0, x0 + 1), v10 = pixel(b, ch, y0 + 1, x0), v11 = pixel(b, ch, y0 + 1, x0 + 1);
              const v = (1 - fy) * ((1 - fx) * v00 + fx * v01) + fy * ((1 - fx) * v10 + fx * v11);
              const wi = (o * cg + cc) * taps + t;
              const mk = k.mask ? d.mask[m] : 1;
              sum += d.w[wi] * mk * v;
              mag += Math.abs(d.w[wi] * mk) * (Math.abs(v00) + Math.abs(v01) + Math.abs(v10) + Math.abs(v11));
              const g0 = r[out] * d.w[wi] * mk;
              dw[wi] += r[out] * mk * v;
              if (k.mask) dmask[m] += r[out] * d.w[wi] * v;
              doffset[at(0)] += g0 * ((1 - fx) * (v10 - v00) + fx * (v11 - v01));
              doffset[at(1)] += g0 * ((1 - fy) * (v01 - v00) + fy * (v11 - v10));
              for (const [yy, xx, wt] of [[y0, x0, (1 - fy) * (1 - fx)], [y0, x0 + 1, (1 - fy) * fx], [y0 + 1, x0, fy * (1 - fx)], [y0 + 1, x0 + 1, fy * fx]]) {
                if (yy >= 0 && yy < k.h && xx >= 0 && xx < k.w) dx[((b * k.c + ch) * k.h + yy) * k.w + xx] += g0 * wt;
              }
            }
          }
          y[out] = sum;
          scale[out] = mag;
        }
      }
    }
  }
  return { y, scale, dx, dw, doffset, dmask };
}

function draw(k: Case): Data {
  const [oh, ow] = outSize(k);
  const taps = k.kernel[0] * k.kernel[1];
  return {
    x: asF32(uniform(k.n * k.c * k.h * k.w)),
    w: asF32(uniform((k.m * k.c * taps) / k.group, -1, 1)),
    // Offsets of up to ±2.5 pixels: points move between pixels and off the image. None within 1e-3 of a
    // whole pixel, where the offset's gradient jumps and f32's rounding of the point (~1e-6) may land it on
    // either side.
    offset: asF32(uniform(k.n * k.offsetGroup * taps * 2 * oh * ow, -2.5, 2.5).map((v) => (Math.abs(v - Math.round(v)) < 1e-3 ? v + 2e-3 : v))),
    mask: asF32(uniform(k.n * k.offsetGroup * taps * oh * ow, 0, 1)),
    bias: asF32(uniform(k.m)),
  };
}

function model(k: Case): Uint8Array {
  const [oh, ow] = outSize(k);
  const taps = k.kernel[0] * k.kernel[1];
  const inputs = [
    { name: 'x', shape: [k.n, k.c, k.h, k.w] },
    { name: 'w', shape: [k.m, k.c / k.group, ...k.kernel] },
    { name: 'offset', shape: [k.n, k.offsetGroup * taps * 2, oh, ow] },
    ...(k.bias ? [{ name: 'b', shape: [k.m] }] : []),
    ...(k.mask ? [{ name: 'mask', shape: [k.n, k.offsetGroup * taps, oh, ow] }] : []),
  ];
  return onnxModel({
    opset: 19,
    inputs,
    outputs: [{ name: 'y' }],
    nodes: [{
      op: 'DeformConv',
      inputs: ['x', 'w', 'offset', k.bias ? 'b' : '', k.mask ? 'mask' : ''],
      outputs: ['y'],
      attributes: { kernel_shape: k.kernel, strides: k.strides, dilations: k.dilations, pads: k.pads, group: k.group, offset_group: k.offsetGroup },
    }],
  });
}

describe.each(BACKENDS)('tm.onnx DeformConv on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it.each(CASES.map((k, i) => [i, k] as const))('case %i: the definition, its output and every gradient', async (_, k) => {
    const before = await collected();
    const d = draw(k);
    const [oh, ow] = outSize(k);
    const r = uniform(k.n * k.m * oh * ow);
    const want = deformRef(k, d, r);
    const tensors = {
      x: tm.tensor(Float32Array.from(d.x), [k.n, k.c, k.h, k.w]),
      w: tm.tensor(Float32Array.from(d.w), [k.m, k.c / k.group, ...k.kernel]),
      offset: tm.tensor(Float32Array.from(d.offset), [k.n, (d.offset.length / (k.n * oh * ow)), oh, ow]),
      ...(k.bias ? { b: tm.tensor(Float32Array.from(d.bias), [k.m]) } : {}),
      ...(k.mask ? { mask: tm.tensor(Float32Array.from(d.mask), [k.n, d.mask.length / (k.n * oh * ow), oh, ow]) } : {}),
    };
    for (const t of Object.values(tensors)) t.requiresGrad = true;
    const onnx = tm.onnx.fromBytes(model(k));
    const { y } = onnx.run(tensors);
    expect(y.shape).toEqual([k.n, k.m, oh, ow]);
    // Sampling points are normalised and back again in f32 (a few ulps of a coordinate of up to ~15 pixels).
    expectClose(await y.data(), want.y, 2e-5, `y (seed ${SEED})`, want.scale);
    const weights = tm.tensor(Float32Array.from(r), y.shape), product = y.mul(weights), loss = product.sum();
    loss.backward();
    const scaleOf = (g: Float64Array) => Math.max(...g.map(Math.abs));
    for (const [name, g] of [['x', want.dx], ['w', want.dw], ['offset', want.doffset], ...(k.mask ? [['mask', want.dmask]] : [])] as [keyof typeof tensors, Float64Array][]) {
      expectClose(await tensors[name]!.grad!.data(), g, 1e-4, `d${name} (seed ${SEED})`, g.map(() => scaleOf(g)));
    }
    if (k.bias) {
      const db = new Float64Array(k.m).map((_, o) => r.filter((__, i) => Math.floor(i / (oh * ow)) % k.m === o).reduce((a, v) => a + v, 0));
      expectClose(await tensors.b!.grad!.data(), db, 1e-5, 'db');
    }
    for (const t of [...Object.values(tensors).flatMap((v) => [v, v.grad!]), y, weights, product, loss]) t.dispose();
    onnx.dispose();
    expect(tm.memory().numTensors).toBe(before);
  });

  it('without a mask, as with a mask of ones; refuses shapes that do not fit, naming them', async () => {
    const k = { ...CASES[1], mask: false };
    const d = draw(k);
    const [oh, ow] = outSize(k);
    const feeds: Feed[] = [
      { shape: [k.n, k.c, k.h, k.w], values: d.x },
      { shape: [k.m, k.c / k.group, ...k.kernel], values: d.w },
      { shape: [k.n, d.offset.length / (k.n * oh * ow), oh, ow], values: d.offset },
    ];
    const attributes = { kernel_shape: k.kernel, strides: k.strides, dilations: k.dilations, pads: k.pads, group: k.group, offset_group: k.offsetGroup };
    const ones: Feed = { shape: [k.n, d.mask.length / (k.n * oh * ow), oh, ow], values: new Float64Array(d.mask.length).fill(1) };
    const [plain] = await runOp('DeformConv', feeds, attributes, { opset: 19 });
    const [masked] = await runOp('DeformConv', [...feeds, null, ones], attributes, { opset: 19 });
    expectClose(plain.v, masked.v, 0, 'mask of ones');
    await expect(runOp('DeformConv', [feeds[0], feeds[1], { ...feeds[2], shape: [k.n, 7, oh, ow], values: new Float64Array(k.n * 7 * oh * ow) }], attributes, { opset: 19 }))
      .rejects.toThrow(`offset is [${k.n}, 7, ${oh}, ${ow}]; this input, kernel, pads and strides want [${k.n}, ${feeds[2].shape[1]}, ${oh}, ${ow}]`);
    await expect(runOp('DeformConv', feeds, { ...attributes, offset_group: 3 }, { opset: 19 })).rejects.toThrow("offset_group = 3 must be a positive integer dividing the input's 4 channels");
    await expect(runOp('DeformConv', [...feeds, null, { ...ones, shape: [k.n, 1, oh, ow], values: new Float64Array(k.n * oh * ow) }], attributes, { opset: 19 })).rejects.toThrow(/mask is \[1, 1, \d+, \d+\]; it must be/);
  });
});

describe('beside onnxruntime-web', () => {
  beforeAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it.each(CASES.map((k, i) => [i, k] as const))('case %i', async (_, k) => {
    const d = draw(k);
    const [oh, ow] = outSize(k);
    const shapes: Record<string, number[]> = {
      x: [k.n, k.c, k.h, k.w], w: [k.m, k.c / k.group, ...k.kernel], offset: [k.n, d.offset.length / (k.n * oh * ow), oh, ow], b: [k.m], mask: [k.n, d.mask.length / (k.n * oh * ow), oh, ow],
    };
    const values: Record<string, Float64Array> = { x: d.x, w: d.w, offset: d.offset, b: d.bias, mask: d.mask };
    const names = ['x', 'w', 'offset', ...(k.bias ? ['b'] : []), ...(k.mask ? ['mask'] : [])];
    const bytes = model(k);
    const [mine] = await runModel(bytes, names.map((n) => ({ shape: shapes[n], values: values[n] })));
    const theirs = await ortRun(bytes, Object.fromEntries(names.map((n) => [n, new ort.Tensor('float32', Float32Array.from(values[n]), shapes[n])])));
    expectClose(mine.v, (await theirs.y.getData()) as Float32Array, 2e-5, `case (seed ${SEED})`, deformRef(k, d, new Float64Array(mine.v.length)).scale);
  });
});
