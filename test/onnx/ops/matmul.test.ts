// ONNX's products (src/onnx/ops/matmul.ts) as one-op models on every backend,
// against float64 loops: MatMul's NumPy rules (1-D operands, broadcast batch
// axes), Gemm's transA/transB/alpha/beta and C's broadcasting or absence,
// Einsum equations.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../../src/index.js';
import { BACKENDS } from '../../helpers/backends.js';
import { asF32, expectClose, uniform } from '../../helpers/data.js';
import { broadcast2, f64, matmulRef, ravel, size, unravel, type F64 } from '../../helpers/float64.js';
import { feed, run1 } from '../../helpers/onnx_run.js';

const rand = (shape: number[]): F64 => f64(shape, asF32(uniform(size(shape))));

function expectF64(got: F64, want: F64, what: string, tol = 1e-5): void {
  expect(got.shape, `${what} shape`).toEqual(want.shape);
  expectClose(got.v, want.v, tol, what, want.v.map(() => 4));
}

/** Einsum by brute force over every assignment of the equation's letters. */
function einsumRef(equation: string, xs: F64[]): F64 {
  const [lhs, out] = equation.split('->');
  const terms = lhs.split(',');
  const extent = new Map<string, number>();
  terms.forEach((t, k) => [...t].forEach((c, i) => extent.set(c, xs[k].shape[i])));
  const letters = [...extent.keys()];
  const outShape = [...out].map((c) => extent.get(c)!);
  const v = new Float64Array(size(outShape));
  const all = letters.map((c) => extent.get(c)!);
  for (let f = 0; f < size(all); f++) {
    const at = new Map(unravel(f, all).map((i, k) => [letters[k], i]));
    const product = terms.reduce((p, t, k) => p * xs[k].v[ravel([...t].map((c) => at.get(c)!), xs[k].shape)], 1);
    v[ravel([...out].map((c) => at.get(c)!), outShape)] += product;
  }
  return { shape: outShape, v };
}

describe.each(BACKENDS)('tm.onnx products on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it('MatMul: 1-D operands, 2-D, batched with broadcast batch axes', async () => {
    const PAIRS = [
      [[7], [7, 3]], [[3, 13], [13]], [[13], [13]], [[1, 1], [1, 1]], [[3, 7], [7, 13]],
      [[2, 3, 7], [7, 5]], [[7, 5], [2, 5, 3]], [[2, 1, 3, 4], [1, 3, 4, 5]], [[3, 1, 13], [13]], [[7], [2, 7, 5]],
    ];
    for (const [as, bs] of PAIRS) {
      const a = rand(as), b = rand(bs);
      expectF64(await run1('MatMul', [feed(a), feed(b)]), matmulRef(a, b), `MatMul ${as} × ${bs}`);
    }
  });

  it('Gemm: transA, transB, alpha, beta, C broadcast or left out, C a parameter', async () => {
    for (const [m, k, n] of [[1, 1, 1], [3, 7, 5], [13, 3, 7]]) {
      for (const transA of [0, 1]) {
        for (const transB of [0, 1]) {
          const a = rand(transA ? [k, m] : [m, k]), b = rand(transB ? [n, k] : [k, n]);
          const ab = matmulRef(a, b, { transposeA: !!transA, transposeB: !!transB });
          for (const cShape of [null, [], [n], [m, 1], [m, n]]) {
            const c = cShape && rand(cShape);
            for (const [alpha, beta] of [[1, 1], [0.5, -2]]) {
              const scaled = { shape: ab.shape, v: ab.v.map((v) => Math.fround(alpha) * v) };
              const want = c ? broadcast2(scaled, c, (p, q) => p + beta * q) : scaled;
              const attributes = { transA, transB, ...(alpha !== 1 ? { alpha: { float: alpha } } : {}), ...(beta !== 1 ? { beta: { float: beta } } : {}) };
              const what = `Gemm ${m}×${k}×${n} transA ${transA} transB ${transB} C ${cShape} alpha ${alpha} beta ${beta}`;
              expectF64(await run1('Gemm', [feed(a), feed(b), c && feed(c)], attributes, { opset: 13 }), want, what);
              if (c && cShape.length === 1) expectF64(await run1('Gemm', [feed(a), { ...feed(b), constant: true }, { ...feed(c), constant: true }], attributes, { opset: 13 }), want, `${what} (B, C initializers)`);
            }
          }
        }
      }
    }
  });

  it('Einsum equations', async () => {
    const CASES: [string, number[][]][] = [
      ['ij,jk->ik', [[3, 7], [7, 5]]],
      ['bij,bjk->bik', [[2, 3, 7], [2, 7, 1]]],
      ['i,i->', [[13], [13]]],
      ['ij->ji', [[3, 7]]],
      ['bhqd,bhkd->bhqk', [[2, 3, 5, 4], [2, 3, 7, 4]]],
      ['i,j->ij', [[3], [7]]],
    ];
    for (const [equation, shapes] of CASES) {
      const xs = shapes.map(rand);
      const spaced = equation.replace(',', ', ');
      expectF64(await run1('Einsum', xs.map((x) => feed(x)), { equation: spaced }, { opset: 12 }), einsumRef(equation, xs), `Einsum ${equation}`);
    }
  });
});
