// ONNX's OneHot and GatherND in tm.onnx, each a one-node model against a
// plain loop over ONNX's definition, on fresh random data. (The scatters, and
// GatherND with indices fed on the device: scatter.test.ts. QuantizeLinear
// and DequantizeLinear: quantization.test.ts.)
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../../src/index.js';
import { BACKENDS } from '../../helpers/backends.js';
import { asF32, expectExact, randomInts, uniform } from '../../helpers/data.js';
import { onnxModel, singleOp } from '../../helpers/onnx.js';

const run = (bytes: Uint8Array, feeds: Record<string, tm.Tensor>) => tm.noGrad(() => tm.onnx.fromBytes(bytes).run(feeds));

describe.each(BACKENDS)('tm.onnx indexing ops on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it('OneHot: off/on values, negative indices counted from the depth, any axis', async () => {
    for (const [shape, depth, axis] of [[[5], 7, -1], [[2, 3], 4, 0], [[3, 2], 5, 1]] as [number[], number, number][]) {
      const size = shape.reduce((a, b) => a * b, 1);
      const idx = randomInts(size, -depth - 1, depth + 1); // one past each end: a row of off values
      const bytes = singleOp('OneHot', [{ name: 'i', type: 'int64', shape }], { axis }, {
        extraInputs: ['depth', 'values'],
        initializers: { depth: { type: 'int64', shape: [], values: [depth] }, values: { shape: [2], values: [-0.5, 2] } },
      });
      const { y } = run(bytes, { i: tm.tensor(Int32Array.from(idx), shape, { dtype: 'i32' }) });
      const rank = shape.length + 1;
      const a = axis < 0 ? axis + rank : axis;
      const outShape = [...shape.slice(0, a), depth, ...shape.slice(a)];
      expect(y.shape).toEqual(outShape);
      const want = new Float64Array(size * depth);
      const inner = shape.slice(a).reduce((p, d) => p * d, 1);
      for (let f = 0; f < size; f++) {
        const o = Math.floor(f / inner), r = f % inner;
        const hot = idx[f] < -depth || idx[f] >= depth ? -1 : idx[f] < 0 ? idx[f] + depth : idx[f];
        for (let d = 0; d < depth; d++) want[(o * depth + d) * inner + r] = d === hot ? 2 : -0.5;
      }
      expectExact(await y.data(), want, `OneHot ${shape} axis ${axis}`);
    }
  });

  it('GatherND picks slices by index tuples, with batch_dims', async () => {
    const data = uniform(2 * 3 * 4);
    const x = tm.tensor(Float32Array.from(data), [2, 3, 4]);
    // k = 2 over [2, 3, 4]: picks rows of 4.
    const idx = [1, 2, 0, -1, 1, 0];
    const bytes = singleOp('GatherND', [{ name: 'x', shape: [2, 3, 4] }], {}, { extraInputs: ['i'], initializers: { i: { type: 'int64', shape: [3, 2], values: idx } } });
    const { y } = run(bytes, { x });
    expect(y.shape).toEqual([3, 4]);
    const want = [[1, 2], [0, 2], [1, 0]].flatMap(([a, b]) => Array.from(data.slice((a * 3 + b) * 4, (a * 3 + b) * 4 + 4)));
    expectExact(await y.data(), asF32(Float64Array.from(want)));
    // batch_dims 1: each batch row indexes its own [3, 4].
    const batched = singleOp('GatherND', [{ name: 'x', shape: [2, 3, 4] }], { batch_dims: 1 }, { extraInputs: ['i'], initializers: { i: { type: 'int64', shape: [2, 1], values: [2, 0] } } });
    const b = run(batched, { x }).y;
    expect(b.shape).toEqual([2, 4]);
    expectExact(await b.data(), asF32(Float64Array.from([...data.slice(8, 12), ...data.slice(12, 16)])));
  });

  it('GatherND and GatherElements of values known when the model loads (shape arithmetic) pick the same on the host', async () => {
    const data = Array.from({ length: 2 * 3 * 4 }, (_, i) => (i * 37) % 101);
    const x = { type: 'int64' as const, shape: [2, 3, 4], values: data };
    const nd = singleOp('GatherND', [], { batch_dims: 1 }, { extraInputs: ['x', 'i'], initializers: { x, i: { type: 'int64', shape: [2, 2, 2], values: [2, -1, 0, 0, 1, 3, 2, 1] } } });
    const picked = run(nd, {}).y;
    expect(picked.shape).toEqual([2, 2]);
    expect(Array.from(await picked.data())).toEqual([data[2 * 4 + 3], data[0], data[12 + 4 + 3], data[12 + 2 * 4 + 1]]);
    // GatherElements along axis 1: out[a][j][c] = x[a][i[a][j][c]][c], indices [2, 2, 4] (fewer rows than x's 3).
    const along = Array.from({ length: 16 }, (_, k) => (k % 3) - 1);
    const elements = singleOp('GatherElements', [], { axis: 1 }, { extraInputs: ['x', 'i'], initializers: { x, i: { type: 'int64', shape: [2, 2, 4], values: along } } });
    const got = run(elements, {}).y;
    expect(got.shape).toEqual([2, 2, 4]);
    const want = along.map((v, k) => {
      const [a, c] = [Math.floor(k / 8), k % 4];
      return data[a * 12 + (v < 0 ? v + 3 : v) * 4 + c];
    });
    expect(Array.from(await got.data())).toEqual(want);
  });

});
