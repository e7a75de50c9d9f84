// Antialiased resizing's weights along one axis (PyTorch's
// F.interpolate(antialias=True), PIL's resampling). Output i is centred at
// c = (i + ½)·r in the input, r the axis's scale (input per output); input j
// (centre j + ½) weighs f((j + ½ − c)/max(r, 1)), f the triangle (linear) or
// Keys' cubic with a = −½ (PyTorch's antialiased bicubic, PIL's, not the
// −0.75 of its plain bicubic), over the inputs within the support, f's
// half-width times max(r, 1): downscaling widens the filter to average what
// the output covers, upscaling keeps it. Each output's weights are then
// divided by their sum, so the edges renormalise rather than repeat the edge.
// r is n/m, 1/s for a scale factor s, or (n − 1)/(m − 1) with alignCorners
// (PyTorch keeps the centres at (i + ½)·r even then).

/** The antialiasing filters: the triangle and Keys' cubic. */
export type AntialiasFilter = 'linear' | 'cubic';

const HALF_WIDTH: Readonly<Record<AntialiasFilter, number>> = { linear: 1, cubic: 2 };

function triangle(x: number): number {
  const d = Math.abs(x);
  return d < 1 ? 1 - d : 0;
}

/** Keys' cubic convolution kernel with a = −½. */
function keys(x: number): number {
  const a = -0.5;
  const d = Math.abs(x);
  if (d < 1) return ((a + 2) * d - (a + 3)) * d * d + 1;
  if (d < 2) return ((a * d - 5 * a) * d + 8 * a) * d - 4 * a;
  return 0;
}

/**
 * The weights [m × n] (row i: output i's weights on the n inputs), n inputs
 * resized to m by `filter` at scale r.
 */
export function antialiasWeights(filter: AntialiasFilter, n: number, m: number, r: number): Float64Array {
  const f = filter === 'linear' ? triangle : keys;
  const stretch = Math.max(r, 1);
  const support = HALF_WIDTH[filter] * stretch;
  // PyTorch bounds the taps by this count (a rounding error could give one more).
  const most = 2 * Math.ceil(support) + 1;
  const weights = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    const centre = (i + 0.5) * r;
    // The inputs [first, end): those whose centres lie within the support (PIL's bounds, rounded as it rounds them).
    const first = Math.max(0, Math.floor(centre - support + 0.5));
    const end = Math.min(n, first + most, Math.floor(centre + support + 0.5));
    let total = 0;
    for (let j = first; j < end; j++) total += weights[i * n + j] = f((j + 0.5 - centre) / stretch);
    if (total !== 0) for (let j = first; j < end; j++) weights[i * n + j] /= total;
  }
  return weights;
}
