// convTranspose3d on every backend against a float64 transposed convolution
// written as its definition (each input value times the filter's taps added
// into the output positions they land on), at odd sizes, with stride,
// padding, outputPadding, dilation and groups; its gradients against the
// same loops.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { expectClose, uniform } from '../helpers/data.js';
import { f64, size, type F64 } from '../helpers/float64.js';
import { abs, convTranspose3dRef, triple, type TransposeGeometry } from '../helpers/volumes.js';
import { collected } from '../helpers/gc.js';

function random(shape: number[]): { ref: F64; t: tm.Tensor } {
  const ref = f64(shape, Float64Array.from(Float32Array.from(uniform(size(shape), -1, 1))));
  return { ref, t: tm.tensor(ref.v, shape) };
}

interface Case {
  x: number[];
  w: number[];
  options: tm.ConvTranspose3dOptions;
}

const CASES: Case[] = [
  { x: [2, 3, 3, 5, 2], w: [3, 4, 3, 3, 3], options: {} },
  { x: [1, 2, 1, 3, 5], w: [2, 3, 1, 3, 3], options: { padding: [0, 1, 1] } },
  { x: [2, 3, 3, 2, 3], w: [3, 2, 2, 3, 1], options: { stride: 2, padding: 1, outputPadding: [1, 0, 1] } },
  { x: [1, 3, 3, 3, 2], w: [3, 2, 3, 3, 3], options: { dilation: 2, padding: [2, 1, 0], stride: [1, 2, 1], outputPadding: [1, 1, 0] } },
  { x: [2, 4, 3, 3, 5], w: [4, 3, 3, 1, 3], options: { groups: 2, stride: [2, 1, 3] } },
  { x: [2, 3, 5, 3, 3], w: [3, 1, 3, 3, 3], options: { groups: 3, padding: 1 } },
];

const geometryOf = (c: Case): TransposeGeometry => ({
  stride: triple(c.options.stride as number | number[], 1), padding: triple(c.options.padding as number | number[], 0),
  outputPadding: triple(c.options.outputPadding as number | number[], 0), dilation: triple(c.options.dilation as number | number[], 1), groups: c.options.groups ?? 1,
});

describe.each(BACKENDS)('convTranspose3d on %s', (backend) => {
  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  it.each(CASES)('x $x · w $w, $options: the values and the gradients of x and w, as PyTorch defines them', async (c) => {
    const [x, w] = [random(c.x), random(c.w)];
    x.t.requiresGrad = true;
    w.t.requiresGrad = true;
    const y = tm.convTranspose3d(x.t, w.t, c.options);
    const dy = random([...y.shape]);
    const want = convTranspose3dRef(x.ref, w.ref, geometryOf(c), dy.ref);
    const scale = convTranspose3dRef(abs(x.ref), abs(w.ref), geometryOf(c), abs(dy.ref));
    expect(y.shape).toEqual(want.y.shape);
    expectClose(await y.data(), want.y.v, 1e-5, 'convTranspose3d', scale.y.v);
    y.backward(dy.t);
    expectClose(await x.t.grad!.data(), want.dx.v, 1e-5, 'dx', scale.dx.v);
    expectClose(await w.t.grad!.data(), want.dw.v, 1e-5, 'dw', scale.dw.v);
  });

  it("undoes conv3d's shape: a stride-2 convolution's input size back, outputPadding choosing among those that map to it", () => {
    const x = tm.zeros([1, 2, 7, 6, 5]);
    const down = tm.conv3d(x, tm.zeros([4, 2, 3, 3, 3]), { stride: 2, padding: 1 });
    expect(down.shape).toEqual([1, 4, 4, 3, 3]);
    expect(tm.convTranspose3d(down, tm.zeros([4, 2, 3, 3, 3]), { stride: 2, padding: 1, outputPadding: [0, 1, 0] }).shape).toEqual([1, 2, 7, 6, 5]);
  });

  it('takes one volume without its batch axis; leaves nothing behind but its output', async () => {
    const [x, w] = [random([2, 3, 2, 4]), random([2, 3, 2, 2, 3])];
    const y = tm.convTranspose3d(x.t, w.t, { stride: 2 });
    const g = { stride: [2, 2, 2], padding: [0, 0, 0], outputPadding: [0, 0, 0], dilation: [1, 1, 1], groups: 1 } as TransposeGeometry;
    const want = convTranspose3dRef(f64([1, 2, 3, 2, 4], x.ref.v), w.ref, g);
    expect(y.shape).toEqual(want.y.shape.slice(1));
    expectClose(await y.data(), want.y.v, 1e-5, 'unbatched', convTranspose3dRef(f64([1, 2, 3, 2, 4], x.ref.v.map(Math.abs)), abs(w.ref), g).y.v);
    const before = await collected();
    tm.convTranspose3d(x.t, w.t, { stride: 2 }).dispose();
    expect(tm.memory().numTensors).toBe(before);
  });

  it('refuses shapes and options that do not fit, naming them', () => {
    const x = tm.zeros([2, 4, 3, 3, 3]);
    const w = tm.zeros([4, 2, 3, 3, 3]);
    expect(() => tm.convTranspose3d(x, tm.zeros([3, 2, 3, 3, 3]))).toThrow('convTranspose3d: weight [3,2,3,3,3] is for 3 input channels (its first axis), x [2,4,3,3,3] has 4');
    expect(() => tm.convTranspose3d(x, tm.zeros([4, 2, 3, 3]))).toThrow('convTranspose3d: weight must be [inChannels, outChannels/groups, depth, height, width], got [4,2,3,3]');
    expect(() => tm.convTranspose3d(x, w, { groups: 3 })).toThrow("convTranspose3d: groups 3 must divide x's 4 channels (x [2,4,3,3,3])");
    expect(() => tm.convTranspose3d(x, w, { outputPadding: [0, 2, 0], stride: 2 })).toThrow('convTranspose3d: outputPadding [0, 2, 0] must be less than the stride 2×2×2 or the dilation 1×1×1');
    expect(() => tm.convTranspose3d(tm.zeros([1, 4, 1, 1, 1]), tm.zeros([4, 2, 1, 1, 1]), { padding: 1 })).toThrow('convTranspose3d: padding 1×1×1 cuts all of the 1×1×1 output of x [1,4,1,1,1] by a 1×1×1 window');
    expect(() => tm.convTranspose3d(tm.zeros([4, 3, 3]), w)).toThrow(/convTranspose3d: x must be \[batch, channels, depth, height, width\]/);
    expect(() => tm.convTranspose3d(x, w, { output_padding: 1 } as tm.ConvTranspose3dOptions)).toThrow(/unknown option "output_padding" \(did you mean outputPadding\?\)/);
  });
});
