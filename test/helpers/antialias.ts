// PyTorch's antialiased resize weights (F.interpolate with antialias=True,
// _upsample_bilinear2d_aa / _upsample_bicubic2d_aa) in float64, written from
// its definition: along an axis of scale r, output i centres at
// c = r·(i + ½); the support is 1 (triangle) or 2 (Keys' cubic, a = −½)
// times max(r, 1); inputs xmin = max(trunc(c − support + ½), 0) up to
// trunc(c + support + ½) (at most n) weigh filter((j + ½ − c)/max(r, 1)),
// divided by their sum. An axis whose size is unchanged is left as it is.

export type Filter = 'linear' | 'cubic';

export function filterOf(kind: Filter): (x: number) => number {
  if (kind === 'linear') return (x) => Math.max(0, 1 - Math.abs(x));
  const a = -0.5;
  return (x) => {
    const d = Math.abs(x);
    return d < 1 ? (a + 2) * d ** 3 - (a + 3) * d ** 2 + 1 : d < 2 ? a * d ** 3 - 5 * a * d ** 2 + 8 * a * d - 4 * a : 0;
  };
}

/** PyTorch's antialiased weights [m][n] along an axis of n inputs resized to m at scale r. */
export function aaWeights(n: number, m: number, kind: Filter, r: number): number[][] {
  if (m === n) return Array.from({ length: m }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
  const filter = filterOf(kind);
  const support = (kind === 'linear' ? 1 : 2) * (r >= 1 ? r : 1);
  const invscale = r >= 1 ? 1 / r : 1;
  return Array.from({ length: m }, (_, i) => {
    const row = new Array<number>(n).fill(0);
    const center = r * (i + 0.5);
    const xmin = Math.max(Math.trunc(center - support + 0.5), 0);
    const xsize = Math.min(Math.trunc(center + support + 0.5), n) - xmin;
    let total = 0;
    for (let j = 0; j < xsize; j++) total += row[xmin + j] = filter((j + xmin - center + 0.5) * invscale);
    return row.map((w) => (total === 0 ? w : w / total));
  });
}

/** x [planes, h, w] through row weights wh [oh][h] and column weights ww [ow][w] (any resize's, antialiased or not): y, and for weights g on y the gradient Σ y·g by x (the weights' transpose applied to g). */
export function separable(x: Float64Array, planes: number, [h, w]: number[], wh: number[][], ww: number[][], g: Float64Array) {
  const [oh, ow] = [wh.length, ww.length];
  const y = new Float64Array(planes * oh * ow);
  const dx = new Float64Array(x.length);
  for (let p = 0; p < planes; p++) {
    for (let i = 0; i < oh; i++) {
      for (let j = 0; j < ow; j++) {
        const k = (p * oh + i) * ow + j;
        for (let a = 0; a < h; a++) {
          for (let b = 0; b < w; b++) {
            const c = wh[i][a] * ww[j][b];
            y[k] += c * x[(p * h + a) * w + b];
            dx[(p * h + a) * w + b] += c * g[k];
          }
        }
      }
    }
  }
  return { y, dx };
}
