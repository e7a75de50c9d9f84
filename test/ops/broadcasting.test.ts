// broadcastShapes and broadcastTensors as NumPy's broadcast_shapes and
// broadcast_arrays, on every backend: the shape several operands broadcast
// to, each tensor expanded to it entry for entry (checked against float64
// index arithmetic), gradients summed back, clashes named.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { expectExact, randomInts } from '../helpers/data.js';
import { broadcastToRef, f64 } from '../helpers/float64.js';

describe('broadcastShapes', () => {
  it('gives the shape every operand broadcasts to, and names the first pair that clashes', () => {
    expect(tm.broadcastShapes([2, 1, 3], [4, 1], [])).toEqual([2, 4, 3]);
    expect(tm.broadcastShapes([5])).toEqual([5]);
    expect(tm.broadcastShapes()).toEqual([]);
    expect(tm.broadcastShapes([0, 1], [1, 3])).toEqual([0, 3]);
    expect(() => tm.broadcastShapes([2, 3], [1, 3], [4, 3])).toThrow(new tm.ShapeError('broadcastShapes: shapes [2,3] and [4,3] cannot be broadcast together (axis 0: 2 vs 4)'));
    expect(() => tm.broadcastShapes([2, -1])).toThrow(new tm.ValueError('broadcastShapes: shapes[0] must be an array of sizes ≥ 0, got [2, -1]'));
  });
});

describe.each(BACKENDS)('broadcastTensors on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it('expands each tensor to the common shape, as new tensors; gradients sum back over the axes added', async () => {
    const shapes = [[3, 1, 5], [4, 1], [1], [3, 4, 5]];
    const values = shapes.map((s) => f64(s, randomInts(s.reduce((p, d) => p * d, 1), -50, 50)));
    const tensors = values.map((v) => tm.tensor(v.v, v.shape));
    const out = tm.broadcastTensors(...tensors);
    for (let i = 0; i < out.length; i++) {
      expect(out[i].shape).toEqual([3, 4, 5]);
      expect(out[i]).not.toBe(tensors[i]);
      expectExact(await out[i].data(), broadcastToRef(values[i], [3, 4, 5]).v, `tensor ${i}`);
    }
    for (const t of tensors) t.requiresGrad = true;
    tm.tidy(() => tm.broadcastTensors(...tensors).reduce((s, y) => s.add(y.sum()), tm.scalar(0))).backward();
    expect(await Promise.all(tensors.map(async (t) => Array.from(await t.grad!.data())))).toEqual(shapes.map((s) => new Array(s.reduce((p, d) => p * d, 1)).fill(60 / s.reduce((p, d) => p * d, 1))));
    expect(tm.broadcastTensors(tm.zeros([2], { dtype: 'i32' }), tm.ones([3, 1], { dtype: 'f16' })).map((t) => [t.dtype, t.shape])).toEqual([['i32', [3, 2]], ['f16', [3, 2]]]);
    expect(() => tm.broadcastTensors(tm.zeros([2]), tm.zeros([3]))).toThrow(new tm.ShapeError('broadcastTensors: shapes [2] and [3] cannot be broadcast together (axis 0: 2 vs 3)'));
    expect(tm.broadcastTensors()).toEqual([]);
  });
});
