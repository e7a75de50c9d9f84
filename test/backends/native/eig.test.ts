// The native backend's eigh and svd (fallback/src/eig.cc, LAPACK's ssyevd
// and sgesdd) against the js backend's float64 Jacobi loops: values within
// f32 rounding on batches large enough to be split among threads, vectors
// up to sign (|V| and |U|, |Vh| match where the values are well apart);
// NaN throughout a matrix LAPACK cannot converge on; and the addon's
// refusal of arrays of the wrong length or type.
import { beforeAll, describe, expect, it } from 'vitest';
import { createJsBackend } from '../../../src/backends/js/index.js';
import type { Backend } from '../../../src/backends/kernels.js';
import { createNativeBackend } from '../../../src/backends/native/index.js';
import { loadAddon, type Addon } from '../../../src/backends/native/addon.js';
import { linalgOf } from '../../../src/backends/linalg.js';
import type { StorageArray } from '../../../src/dtype.js';
import { expectClose, uniform } from '../../helpers/data.js';
import { withEigenvalues, withSingularValues } from '../../helpers/spectral.js';

let native: Backend<StorageArray>;
let addon: Addon;
const js = createJsBackend();

beforeAll(async () => {
  native = await createNativeBackend();
  addon = await loadAddon();
});

const info = (v: ArrayLike<number>, shape: number[]) => ({ storage: Float32Array.from(v), shape, dtype: 'f32' as const });
const magnitudes = (v: ArrayLike<number>) => Array.from(v, Math.abs);

describe('native eigh and svd', () => {
  // 1024 matrices of 12 × 12 are ~7M multiply-adds by eigh's count: split among threads where there are several.
  it.each([[1024, 12], [3, 40]])('match the js loops for %i matrices of n = %i (values; vectors up to sign)', (batch, n) => {
    // Eigenvalues 1, 2, …, n (gaps of 1: each eigenvector fixed up to sign) in random bases.
    const spectrum = Array.from({ length: n }, (_, i) => i + 1);
    const a = info(Array.from({ length: batch }, () => Array.from(withEigenvalues(spectrum))).flat(), [batch, n, n]);
    const got = linalgOf(native).eigh(a);
    const want = linalgOf(js).eigh(a);
    expectClose(got.values, want.values, 1e-5, 'eigenvalues', new Float64Array(batch * n).fill(n));
    expectClose(magnitudes(got.vectors), magnitudes(want.vectors), 1e-4, '|eigenvectors|', new Float64Array(batch * n * n).fill(1));
    const m = n + 3;
    const b = info(Array.from({ length: batch }, () => Array.from(withSingularValues(m, n, spectrum.slice().reverse()))).flat(), [batch, m, n]);
    const svd = linalgOf(native).svd(b);
    const ref = linalgOf(js).svd(b);
    expectClose(svd.s, ref.s, 1e-5, 'singular values', new Float64Array(batch * n).fill(n));
    expectClose(magnitudes(svd.u), magnitudes(ref.u), 1e-4, '|U|', new Float64Array(batch * m * n).fill(1));
    expectClose(magnitudes(svd.vh), magnitudes(ref.vh), 1e-4, '|Vh|', new Float64Array(batch * n * n).fill(1));
  });

  it('a wide matrix\'s factors come straight from sgesdd of its transpose', () => {
    const a = info(uniform(3 * 5, -1, 1), [1, 3, 5]);
    const { u, s, vh } = linalgOf(native).svd(a);
    // U·diag(s)·Vh = A.
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 5; j++) {
        let x = 0;
        for (let c = 0; c < 3; c++) x += u[i * 3 + c] * s[c] * vh[c * 5 + j];
        expect(x).toBeCloseTo(a.storage[i * 5 + j], 5);
      }
    }
  });

  it('give NaN throughout a matrix holding NaN, and the addon refuses arrays of the wrong length or type', () => {
    const nan = info([1, NaN, NaN, 2], [1, 2, 2]);
    const { values } = linalgOf(native).eigh(nan);
    expect(Array.from(values).every(Number.isNaN)).toBe(true);
    const a = new Float32Array(4);
    expect(() => addon.eigh(a, 1, 2, new Float32Array(3), new Float32Array(4))).toThrow('eigh: lengths do not match [batch, n, n]');
    expect(() => addon.eigh(a, 1, 2, new Int32Array(2) as never, new Float32Array(4))).toThrow('eigh: a, values and vectors must be Float32Arrays');
    expect(() => addon.svd(a, 1, 2, 2, new Float32Array(4), new Float32Array(1), new Float32Array(4))).toThrow('svd: lengths do not match');
  });
});
