// Float64 reference computations for the tests: plain nested loops over
// multi-indices, written independently of tmnn's kernels.
export type F64 = { shape: number[]; v: Float64Array };

export const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
export const strides = (s: readonly number[]) => s.map((_, i) => size(s.slice(i + 1)));
export const unravel = (i: number, s: readonly number[]) => strides(s).map((st, d) => Math.floor(i / st) % s[d]);
export const ravel = (idx: readonly number[], s: readonly number[]) => idx.reduce((acc, x, d) => acc + x * strides(s)[d], 0);

export function f64(shape: number[], values: ArrayLike<number>): F64 {
  return { shape, v: Float64Array.from(values) };
}

export function map(a: F64, f: (x: number) => number): F64 {
  return { shape: a.shape, v: a.v.map(f) };
}

/** NumPy broadcasting of a binary function. */
export function broadcast2(a: F64, b: F64, f: (x: number, y: number) => number): F64 {
  const rank = Math.max(a.shape.length, b.shape.length);
  const pa = [...Array(rank - a.shape.length).fill(1), ...a.shape];
  const pb = [...Array(rank - b.shape.length).fill(1), ...b.shape];
  const shape = pa.map((d, i) => (d === 1 ? pb[i] : d));
  const v = new Float64Array(size(shape));
  for (let i = 0; i < v.length; i++) {
    const idx = unravel(i, shape);
    v[i] = f(a.v[ravel(idx.map((x, d) => (pa[d] === 1 ? 0 : x)), pa)], b.v[ravel(idx.map((x, d) => (pb[d] === 1 ? 0 : x)), pb)]);
  }
  return { shape, v };
}

export function reduceAxes(a: F64, axes: number[], init: number, f: (acc: number, x: number) => number, keepDims = false): F64 {
  const outFull = a.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const v = new Float64Array(size(outFull)).fill(init);
  for (let i = 0; i < a.v.length; i++) {
    const o = ravel(unravel(i, a.shape).map((x, d) => (axes.includes(d) ? 0 : x)), outFull);
    v[o] = f(v[o], a.v[i]);
  }
  return { shape: keepDims ? outFull : a.shape.filter((_, i) => !axes.includes(i)), v };
}

export function matmul2(a: F64, b: F64): F64 {
  const [m, k] = a.shape;
  const n = b.shape[1];
  const v = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) for (let p = 0; p < k; p++) v[i * n + j] += a.v[i * k + p] * b.v[p * n + j];
  return { shape: [m, n], v };
}

export function transpose2(a: F64): F64 {
  const [m, n] = a.shape;
  const v = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) v[j * m + i] = a.v[i * n + j];
  return { shape: [n, m], v };
}

/** General axis permutation. */
export function permute(a: F64, perm: number[]): F64 {
  const shape = perm.map((p) => a.shape[p]);
  const v = new Float64Array(a.v.length);
  for (let i = 0; i < v.length; i++) {
    const idx = unravel(i, shape);
    const src = new Array<number>(a.shape.length);
    perm.forEach((p, d) => (src[p] = idx[d]));
    v[i] = a.v[ravel(src, a.shape)];
  }
  return { shape, v };
}

export function softmaxLast(a: F64, log: boolean): F64 {
  const n = a.shape[a.shape.length - 1];
  const v = new Float64Array(a.v.length);
  for (let r = 0; r < a.v.length / n; r++) {
    const row = a.v.subarray(r * n, (r + 1) * n);
    const m = Math.max(...row);
    const s = row.reduce((acc, x) => acc + Math.exp(x - m), 0);
    row.forEach((x, j) => (v[r * n + j] = log ? x - m - Math.log(s) : Math.exp(x - m) / s));
  }
  return { shape: a.shape, v };
}
