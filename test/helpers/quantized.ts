// The int8 linear map tm.quantize and tm.matmul(x, q) define, in float64, for
// the tests of quantized layers: rows quantized symmetric (scale max|row| /
// 127 in f32, values round(v / scale) half away from zero), an exact integer
// product, scaled back, plus bias.

/** Rows [r, c] quantized as src/ops/quantize.ts does: int8 values, f32 scales, and which values sit on a rounding edge. */
export function quantizeRows(v: ArrayLike<number>, r: number, c: number): { q: Float64Array; s: Float64Array; edge: Uint8Array } {
  const q = new Float64Array(r * c);
  const s = new Float64Array(r);
  const edge = new Uint8Array(r * c);
  for (let i = 0; i < r; i++) {
    let m = 0;
    for (let j = 0; j < c; j++) m = Math.max(m, Math.abs(v[i * c + j]));
    s[i] = Math.fround(m === 0 ? 1 : Math.fround(m) / 127);
    for (let j = 0; j < c; j++) {
      // As the backends compute it: v / scale in f32, plus ±0.5, truncated.
      const y = Math.fround(v[i * c + j] / s[i]);
      q[i * c + j] = Math.max(-128, Math.min(127, Math.trunc(Math.fround(y + Math.sign(y) * 0.5))));
      // A division a few ulps off (WebGPU's is within 2.5) or a scale rounded the other way can land it on the other side of a half.
      const frac = Math.abs(y) - Math.floor(Math.abs(y));
      edge[i * c + j] = Math.abs(frac - 0.5) < 1e-5 * Math.max(1, Math.abs(y)) ? 1 : 0;
    }
  }
  return { q, s, edge };
}

/** w [k, n] (x·w's layout) as its rows [n, k]: what tm.quantize quantizes. */
export function columns(w: ArrayLike<number>, k: number, n: number): Float64Array {
  return Float64Array.from({ length: n * k }, (_, i) => w[(i % k) * n + Math.floor(i / k)]);
}

/**
 * x [m, k] · w [k, n] + bias as a quantized layer computes it, and the scale
 * to pass expectClose at tolerance 1e-5: f32 rounding of the result, plus
 * one step of each operand value that sits on a rounding edge.
 */
export function quantizedLinearRef(x: ArrayLike<number>, w: ArrayLike<number>, bias: ArrayLike<number> | null, m: number, k: number, n: number) {
  const wq = quantizeRows(columns(w, k, n), n, k);
  const xq = quantizeRows(x, m, k);
  const want = new Float64Array(m * n);
  const scale = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let acc = 0;
      let magnitude = 0;
      let steps = 0;
      for (let t = 0; t < k; t++) {
        const [a, b] = [xq.q[i * k + t], wq.q[j * k + t]];
        acc += a * b;
        magnitude += Math.abs(a * b);
        if (xq.edge[i * k + t]) steps += Math.abs(b);
        if (wq.edge[j * k + t]) steps += Math.abs(a) + 1;
      }
      const unit = xq.s[i] * wq.s[j];
      want[i * n + j] = acc * unit + (bias ? bias[j] : 0);
      scale[i * n + j] = magnitude * unit + (bias ? Math.abs(bias[j]) : 0) + (steps * unit) / 1e-5;
    }
  }
  return { want, scale, xs: xq.s, ws: wq.s };
}
