// tm.convolve and tm.correlate as np.convolve and np.correlate: NumPy 1.24's
// outputs for a few small integer pairs (every mode, either sequence the
// longer: the 'same' centring and correlate's reversal differ between the
// two), exactly in f32 through the direct path; on long random sequences the
// full convolution against its float64 sum, by FFT and directly; gradients
// (the adjoint: correlation with the other sequence); bad input by name.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { asF32, expectClose, expectExact, uniform } from '../helpers/data.js';

type Modes = Record<'full' | 'same' | 'valid', number[]>;
/** [a, v, np.convolve(a, v, mode), np.correlate(a, v, mode)] from NumPy 1.24. */
const NUMPY: [number[], number[], Modes, Modes][] = [
  [[0, 0, 3, 5, -5, -4, 4], [5, -3, -2], {'full': [0, 0, 15, 16, -46, -15, 42, -4, -8], 'same': [0, 15, 16, -46, -15, 42, -4], 'valid': [15, 16, -46, -15, 42]}, {'full': [0, 0, -6, -19, 10, 48, -21, -32, 20], 'same': [0, -6, -19, 10, 48, -21, -32], 'valid': [-6, -19, 10, 48, -21]}],
  [[4, -1, -2], [4, -3, -1, 2, 1, -5, -5, 4], {'full': [16, -16, -9, 15, 4, -25, -17, 31, 6, -8], 'same': [-16, -9, 15, 4, -25, -17, 31, 6], 'valid': [-9, 15, 4, -25, -17, 31]}, {'full': [16, -24, -23, 19, 17, -8, -15, 21, 2, -8], 'same': [-24, -23, 19, 17, -8, -15, 21, 2], 'valid': [-23, 19, 17, -8, -15, 21]}],
  [[3, 4, 0, 3], [-2, -1, 3, -4], {'full': [-6, -11, 5, -6, -19, 9, -12], 'same': [-11, 5, -6, -19], 'valid': [-6]}, {'full': [-12, -7, 9, -22, 1, -3, -6], 'same': [-7, 9, -22, 1], 'valid': [-22]}],
  [[-2, -4, -1, 5, -4, -1], [-1, 4, -3, 0, -3], {'full': [2, -4, -9, 3, 33, -18, 11, -12, 12, 3], 'same': [-9, 3, 33, -18, 11, -12], 'valid': [33, -18]}, {'full': [6, 12, 9, -11, 1, -12, 33, -18, 0, 1], 'same': [9, -11, 1, -12, 33, -18], 'valid': [1, -12]}],
  [[-5], [3], {'full': [-15], 'same': [-15], 'valid': [-15]}, {'full': [-15], 'same': [-15], 'valid': [-15]}],
  [[-4, -1, 0, -2, 0, 4, 0, -1, 2], [-5], {'full': [20, 5, 0, 10, 0, -20, 0, 5, -10], 'same': [20, 5, 0, 10, 0, -20, 0, 5, -10], 'valid': [20, 5, 0, 10, 0, -20, 0, 5, -10]}, {'full': [20, 5, 0, 10, 0, -20, 0, 5, -10], 'same': [20, 5, 0, 10, 0, -20, 0, 5, -10], 'valid': [20, 5, 0, 10, 0, -20, 0, 5, -10]}],
];

/** Σᵢ a[i]·v[k − i] for k < N + M − 1, in float64. */
function fullRef(a: ArrayLike<number>, v: ArrayLike<number>): Float64Array {
  const out = new Float64Array(a.length + v.length - 1);
  for (let i = 0; i < a.length; i++) for (let j = 0; j < v.length; j++) out[i + j] += a[i] * v[j];
  return out;
}

describe.each(BACKENDS)('tm.convolve and tm.correlate on %s', (backend) => {
  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  it.each(NUMPY.map((c, i) => [i, ...c]))('NumPy\'s case %i: every mode of convolve and correlate, exactly', async (_i, a, v, conv, corr) => {
    for (const mode of ['full', 'same', 'valid'] as const) {
      expectExact(await tm.convolve(tm.tensor(a), tm.tensor(v), { mode }).data(), conv[mode], `convolve ${mode}`);
      expectExact(await tm.correlate(tm.tensor(a), tm.tensor(v), { mode }).data(), corr[mode], `correlate ${mode}`);
    }
    expectExact(await tm.convolve(tm.tensor(a), tm.tensor(v)).data(), conv.full, 'convolve\'s default, full');
    expectExact(await tm.correlate(tm.tensor(a), tm.tensor(v)).data(), corr.valid, 'correlate\'s default, valid');
  });

  it.each([[1000, 300], [257, 4000], [129, 129]])('%i ∗ %i: the full convolution by FFT (auto past 128) and directly, against the float64 sum', async (n, m) => {
    const [a, v] = [asF32(uniform(n)), asF32(uniform(m))];
    const want = fullRef(a, v);
    const scale = Math.sqrt(Math.min(n, m)) * 4;
    const byFft = await tm.convolve(tm.tensor(a), tm.tensor(v)).data();
    expectClose(byFft, want, 1e-5, 'fft', new Float64Array(want.length).fill(scale));
    const direct = await tm.convolve(tm.tensor(a), tm.tensor(v), { method: 'direct' }).data();
    expectClose(direct, want, 1e-5, 'direct', new Float64Array(want.length).fill(scale));
    const same = await tm.convolve(tm.tensor(a), tm.tensor(v), { mode: 'same', method: 'fft' }).data();
    expect(same.length).toBe(Math.max(n, m));
  });

  it('is differentiable in both: d(Σ w·(a ∗ v))/da is w correlated with v', async () => {
    const [a, v, w] = [asF32(uniform(9)), asF32(uniform(4)), asF32(uniform(12))];
    for (const method of ['direct', 'fft'] as const) {
      const [ta, tv] = [tm.tensor(a), tm.tensor(v)];
      ta.requiresGrad = true;
      tv.requiresGrad = true;
      tm.tidy(() => tm.sum(tm.mul(tm.convolve(ta, tv, { method }), tm.tensor(w)))).backward();
      // ∂/∂a[i] Σₖ w[k]·Σⱼ a[i]·v[k − i] = Σⱼ w[i + j]·v[j]; and likewise for v.
      const da = Array.from(a, (_, i) => v.reduce((s, vj, j) => s + w[i + j] * vj, 0));
      const dv = Array.from(v, (_, j) => a.reduce((s, ai, i) => s + w[i + j] * ai, 0));
      expectClose(await ta.grad!.data(), da, 1e-5, `da ${method}`);
      expectClose(await tv.grad!.data(), dv, 1e-5, `dv ${method}`);
    }
  });

  it('f16 with f16 gives f16; ints give f32; refuses what is not two non-empty vectors, and bad modes, by name', async () => {
    const half = tm.convolve(tm.tensor([1, 2], { dtype: 'f16' }), tm.tensor([1, 1], { dtype: 'f16' }));
    expect([half.dtype, await half.array()]).toEqual(['f16', [1, 3, 2]]);
    const ints = tm.convolve(tm.tensor(new Int32Array([1, 2])), tm.tensor(new Int32Array([3])));
    expect([ints.dtype, await ints.array()]).toEqual(['f32', [3, 6]]);
    expect(() => tm.convolve(tm.ones([2, 2]), tm.ones([2]))).toThrow('convolve: a [2,2] and v [2] must be vectors (1-D)');
    expect(() => tm.correlate(tm.ones([0]), tm.ones([2]))).toThrow('correlate: a [0] and v [2] must not be empty (NumPy refuses them too)');
    expect(() => tm.convolve(tm.ones([3]), tm.ones([2]), { mode: 'wrap' as never })).toThrow("convolve: mode must be 'full', 'same' or 'valid', got \"wrap\"");
  });
});
