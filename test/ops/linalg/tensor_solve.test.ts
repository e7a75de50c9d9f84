// tm.linalg.tensorinv and tensorsolve as NumPy's, on every backend: checked
// by what defines them (tensordot of the inverse with A is the identity; A
// contracted with the solution gives B back) in float64 on the f32 results,
// on well-conditioned maps of several shapes; gradients against central
// differences of float64 Gauss–Jordan.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../../src/index.js';
import { BACKENDS } from '../../helpers/backends.js';
import { asF32, uniform } from '../../helpers/data.js';
import { expectGradients, expectNormwise, matmul64, wellConditioned } from '../../helpers/linalg.js';

const sizeOf = (s: readonly number[]) => s.reduce((p, d) => p * d, 1);

/** x = A⁻¹·b for a [n, n] and b [n] in float64, by Gauss–Jordan with partial pivoting. */
function solve64(a: ArrayLike<number>, n: number, b: ArrayLike<number>): Float64Array {
  const m = Float64Array.from(a);
  const x = Float64Array.from(b);
  for (let k = 0; k < n; k++) {
    let p = k;
    for (let i = k + 1; i < n; i++) if (Math.abs(m[i * n + k]) > Math.abs(m[p * n + k])) p = i;
    for (let j = 0; j < n; j++) [m[k * n + j], m[p * n + j]] = [m[p * n + j], m[k * n + j]];
    [x[k], x[p]] = [x[p], x[k]];
    for (let i = 0; i < n; i++) {
      if (i === k) continue;
      const f = m[i * n + k] / m[k * n + k];
      for (let j = 0; j < n; j++) m[i * n + j] -= f * m[k * n + j];
      x[i] -= f * x[k];
    }
  }
  return x.map((v, i) => v / m[i * n + i]);
}

describe.each(BACKENDS)('tm.linalg.tensorinv and tensorsolve on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it.each([[[6, 4, 8, 3], 2], [[24, 2, 3, 4], 1], [[2, 3, 2, 6, 2], 3]] as const)('tensorinv of %j with ind %i: the inverse contracted with A is the identity', async (shape, ind) => {
    const [outputs, inputs] = [shape.slice(0, ind), shape.slice(ind)];
    const n = sizeOf(outputs);
    const a = wellConditioned(n, n);
    const inverse = tm.linalg.tensorinv(tm.tensor(Float32Array.from(a), [...shape]), ind);
    expect(inverse.shape).toEqual([...inputs, ...outputs]);
    // As matrices: inverse [inputs, outputs] times A [outputs, inputs] = I.
    const product = matmul64(await inverse.data(), a, n, n, n);
    expectNormwise(product, Float64Array.from({ length: n * n }, (_, e) => (e % (n + 1) === 0 ? 1 : 0)), 1e-5 * n, `tensorinv ${shape}`);
  });

  it.each([[[2, 3, 6], [2, 3]], [[4, 2, 2], [4]], [[3, 2, 2, 3], [3, 2]]] as const)('tensorsolve with A %j and B %j: A contracted with X gives B', async (shape, bShape) => {
    const n = sizeOf(bShape);
    const a = wellConditioned(n, n);
    const b = asF32(uniform(n));
    const X = tm.linalg.tensorsolve(tm.tensor(Float32Array.from(a), [...shape]), tm.tensor(Float32Array.from(b), [...bShape]));
    expect(X.shape).toEqual(shape.slice(bShape.length));
    expectNormwise(matmul64(a, await X.data(), n, n, 1), b, 1e-5 * n, `tensorsolve ${shape}`);
  });

  it('tensorsolve takes torch\'s dims as axes: those axes of A moved to its end, in order, before it is read', async () => {
    // A [4, 6, 2, 3] with axes [0]: read as A' [6, 2, 3, 4] (equations [6, 2], unknowns [3, 4]).
    const n = 12;
    const m = wellConditioned(n, n);
    const moved = tm.tensor(Float32Array.from(m), [6, 2, 3, 4]);
    const A = tm.moveaxis(moved, 3, 0);
    const b = asF32(uniform(n));
    const B = tm.tensor(Float32Array.from(b), [6, 2]);
    const X = tm.linalg.tensorsolve(A, B, [0]);
    expect(X.shape).toEqual([3, 4]);
    expectNormwise(matmul64(m, await X.data(), n, n, 1), b, 1e-5 * n, 'tensorsolve with axes [0]');
    expect(Array.from(await tm.linalg.tensorsolve(A, B, [-4]).data())).toEqual(Array.from(await X.data()));
    expect(() => tm.linalg.tensorsolve(A, B, [0, 0])).toThrow('tensorsolve: axes [0, 0] name an axis of A [4,6,2,3] twice');
    expect(() => tm.linalg.tensorsolve(A, B, [1])).toThrow('tensorsolve: A [4,2,3,6] must begin with B\'s shape [6,2] once axes [1] are moved to its end');
  });

  it('gradients match central differences; shapes that are not a square map are refused by name', async () => {
    const a = wellConditioned(6, 6);
    await expectGradients([[2, 3, 6], [2, 3]], [a, asF32(uniform(6))], (A, B) => [tm.linalg.tensorsolve(A, B)], (av, bv) => solve64(av, 6, bv));
    await expectGradients([[3, 2, 6]], [a], (A) => [tm.linalg.tensorinv(A, 2)], (av) => {
      const columns = Array.from({ length: 6 }, (_, c) => solve64(av, 6, Float64Array.from({ length: 6 }, (_, i) => (i === c ? 1 : 0))));
      return Float64Array.from({ length: 36 }, (_, e) => columns[e % 6][Math.floor(e / 6)]);
    });
    expect(() => tm.linalg.tensorinv(tm.ones([2, 3, 4]), 1)).toThrow('tensorinv: A [2,3,4] is not invertible as a map: its first 1 axes [2] hold 2 entries and the rest [3,4] 12; they must be equal');
    expect(() => tm.linalg.tensorinv(tm.ones([2, 2]), 0)).toThrow("tensorinv: ind must be an integer from 1 to A's rank 2, got 0");
    expect(() => tm.linalg.tensorsolve(tm.ones([2, 3, 6]), tm.ones([3, 2]))).toThrow("tensorsolve: A [2,3,6] must begin with B's shape [3,2]: its leading axes are the equations, its trailing ones the unknowns");
    expect(() => tm.linalg.tensorsolve(tm.ones([2, 3, 5]), tm.ones([2, 3]))).toThrow('tensorsolve: A [2,3,5] has 6 equations (B [2,3]) but 5 unknowns (its trailing axes [5]); they must be as many');
    expect(() => tm.linalg.tensorsolve(tm.ones([2, 2], { dtype: 'i32' }), tm.ones([2]))).toThrow('tensorsolve: A must be a float tensor (f32 or f16), got i32');
  });
});
