// tm.linalg.multiDot and vecdot against float64 products written here, on
// fresh random data: chains of matrices whose sizes make the order matter,
// with a vector at either end or both; dot products along any axis with
// broadcasting. Gradients against central differences.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../../src/index.js';
import { BACKENDS } from '../../helpers/backends.js';
import { asF32, expectClose, uniform } from '../../helpers/data.js';
import { expectGradients, expectNormwise, matmul64 } from '../../helpers/linalg.js';

/** The product of matrices [dims[i], dims[i + 1]] left to right, in float64. */
function chain64(values: Float64Array[], dims: number[]): Float64Array {
  return values.slice(1).reduce((acc, v, i) => matmul64(acc, v, dims[0], dims[i + 1], dims[i + 2]), values[0]);
}

describe.each(BACKENDS)('tm.linalg products on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it.each([
    ['four matrices', [7, 30, 2, 45, 5], false, false],
    ['a row vector first', [1, 13, 40, 3, 9], true, false],
    ['a column vector last', [17, 4, 31, 1], false, true],
    ['vectors at both ends (a scalar)', [1, 6, 33, 5, 1], true, true],
    ['two matrices', [3, 65], false, false],
  ] as const)('multiDot of %s matches the float64 chain', async (_, dims, rowFirst, columnLast) => {
    const count = dims.length - 1;
    const values = Array.from({ length: count }, (_, i) => asF32(uniform(dims[i] * dims[i + 1], -1, 1)));
    if (count === 1) values.push(asF32(uniform(dims[1] * 4, -1, 1)));
    const allDims = count === 1 ? [...dims, 4] : [...dims];
    const tensors = values.map((v, i) => {
      const shape = i === 0 && rowFirst ? [allDims[1]] : i === values.length - 1 && columnLast ? [allDims[i]] : [allDims[i], allDims[i + 1]];
      return tm.tensor(Float32Array.from(v), shape);
    });
    const out = tm.linalg.multiDot(tensors);
    const want = chain64(values, allDims);
    const shape = [...(rowFirst ? [] : [allDims[0]]), ...(columnLast ? [] : [allDims[allDims.length - 1]])];
    expect(out.shape).toEqual(shape);
    expectNormwise(await out.data(), want, 1e-5 * Math.max(...allDims), `multiDot ${allDims}`);
  });

  it('vecdot sums products along the last axis, or another, the rest broadcasting', async () => {
    const x = asF32(uniform(2 * 3 * 5));
    const y = asF32(uniform(3 * 5));
    const got = tm.linalg.vecdot(tm.tensor(Float32Array.from(x), [2, 3, 5]), tm.tensor(Float32Array.from(y), [3, 5]));
    expect(got.shape).toEqual([2, 3]);
    const want = Float64Array.from({ length: 6 }, (_, r) => Array.from({ length: 5 }, (_, c) => x[r * 5 + c] * y[(r % 3) * 5 + c]).reduce((s, v) => s + v, 0));
    expectClose(await got.data(), want, 1e-6, 'vecdot along the last axis');
    const along = tm.linalg.vecdot(tm.tensor(Float32Array.from(x), [2, 3, 5]), tm.tensor(Float32Array.from(y.subarray(0, 3)), [3, 1]), { axis: -2 });
    expect(along.shape).toEqual([2, 5]);
    const alongWant = Float64Array.from({ length: 10 }, (_, e) => {
      const [b, c] = [Math.floor(e / 5), e % 5];
      return [0, 1, 2].reduce((s, r) => s + x[(b * 3 + r) * 5 + c] * y[r], 0);
    });
    expectClose(await along.data(), alongWant, 1e-6, 'vecdot along axis −2');
    expect(tm.linalg.vecdot(tm.tensor([1, 2, 3], { dtype: 'i32' }), tm.tensor([4, 5, 6], { dtype: 'i32' })).dtype).toBe('i32');
  });

  it('gradients: multiDot through every factor, vecdot through both operands', async () => {
    const dims = [3, 5, 2, 4];
    await expectGradients(dims.slice(1).map((d, i) => [dims[i], d]), dims.slice(1).map((d, i) => asF32(uniform(dims[i] * d, -1, 1))), (...ts) => [tm.linalg.multiDot(ts)], (...vs) => chain64(vs, dims));
    await expectGradients([[2, 4], [4]], [asF32(uniform(8)), asF32(uniform(4))], (x, y) => [tm.linalg.vecdot(x, y)], (x, y) => Float64Array.from([0, 1], (r) => [0, 1, 2, 3].reduce((s, c) => s + x[r * 4 + c] * y[c], 0)));
  });

  it('refuses chains that do not fit and vectors in the middle, naming them', () => {
    expect(() => tm.linalg.multiDot([tm.ones([2, 3])])).toThrow('multiDot: needs an array of two or more tensors, got 1');
    expect(() => tm.linalg.multiDot([tm.ones([2, 3]), tm.ones([4, 2])])).toThrow('multiDot: tensors[0] [2,3] and tensors[1] [4,2] do not chain: 3 columns against 4 rows');
    expect(() => tm.linalg.multiDot([tm.ones([2, 3]), tm.ones([3]), tm.ones([3, 2])])).toThrow('multiDot: tensors[1] [3] must be a matrix (only the first and last may be vectors)');
    expect(() => tm.linalg.multiDot([tm.ones([2, 2, 2]), tm.ones([2, 2])])).toThrow('multiDot: tensors[0] [2,2,2] must be a matrix or a vector (the first and last may be)');
    expect(() => tm.linalg.vecdot(tm.ones([2, 3]), tm.ones([2, 4]))).toThrow('vecdot');
    expect(() => tm.linalg.vecdot(tm.scalar(1), tm.scalar(2))).toThrow('vecdot: x and y are scalars: there is no axis to take dot products along');
    expect(() => tm.linalg.vecdot(tm.ones([3]), tm.ones([3]), { axis: 1 })).toThrow('vecdot');
  });
});
