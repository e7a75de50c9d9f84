// Float64 Jacobians by central differences and their log-determinants: the
// references for transforms' logAbsDetJacobian, from a float64 forward
// written in the test (so that a wrong closed form cannot agree with itself).

/** ∂f/∂x [m, n] (row i: output i) at x by central differences of step h, f: Rⁿ → Rᵐ. */
export function jacobian64(f: (x: readonly number[]) => readonly number[], x: readonly number[], h = 1e-6): Float64Array {
  const m = f(x).length;
  const n = x.length;
  const out = new Float64Array(m * n);
  for (let j = 0; j < n; j++) {
    const [up, down] = [[...x], [...x]];
    up[j] += h;
    down[j] -= h;
    const [fu, fd] = [f(up), f(down)];
    for (let i = 0; i < m; i++) out[i * n + j] = (fu[i] - fd[i]) / (2 * h);
  }
  return out;
}

/** log |det a| of a square n × n matrix (row-major), by LU with partial pivoting. */
export function logAbsDet64(a: ArrayLike<number>, n: number): number {
  const m = Float64Array.from(a);
  let total = 0;
  for (let k = 0; k < n; k++) {
    let pivot = k;
    for (let i = k + 1; i < n; i++) if (Math.abs(m[i * n + k]) > Math.abs(m[pivot * n + k])) pivot = i;
    if (pivot !== k) for (let j = 0; j < n; j++) [m[k * n + j], m[pivot * n + j]] = [m[pivot * n + j], m[k * n + j]];
    const p = m[k * n + k];
    total += Math.log(Math.abs(p));
    for (let i = k + 1; i < n; i++) {
      const factor = m[i * n + k] / p;
      for (let j = k; j < n; j++) m[i * n + j] -= factor * m[k * n + j];
    }
  }
  return total;
}

/** log |det ∂f/∂x| at x for f: Rⁿ → Rⁿ (central differences of step h). */
export function logAbsDetJacobian64(f: (x: readonly number[]) => readonly number[], x: readonly number[], h = 1e-6): number {
  return logAbsDet64(jacobian64(f, x, h), x.length);
}
