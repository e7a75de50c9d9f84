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

/**
 * Past this many inputs an output reads, a product with the weights [m, n]
 * beats a gather, a product and a sum per input (the resizers' choice).
 */
export const MOST_GATHERS = 16;

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
 * Output i's weights on the inputs first[i] … first[i] + count − 1, row i of
 * `weights` [m × count] (0 past its support): the band where the weights
 * [m × n] are not zero.
 */
export interface Band {
  readonly count: number;
  readonly first: Int32Array;
  readonly weights: Float64Array;
}

/** The band of weights of n inputs resized to m by `filter` at scale r. */
export function antialiasBand(filter: AntialiasFilter, n: number, m: number, r: number): Band {
  const f = filter === 'linear' ? triangle : keys;
  const stretch = Math.max(r, 1);
  const support = HALF_WIDTH[filter] * stretch;
  // PyTorch bounds the taps by this count (a rounding error could give one more).
  const most = 2 * Math.ceil(support) + 1;
  const bounds = Array.from({ length: m }, (_, i) => {
    const centre = (i + 0.5) * r;
    // The inputs [start, end): those whose centres lie within the support (PIL's bounds, rounded as it rounds them).
    const start = Math.max(0, Math.floor(centre - support + 0.5));
    return { centre, start, end: Math.min(n, start + most, Math.floor(centre + support + 0.5)) };
  });
  const count = bounds.reduce((most, { start, end }) => Math.max(most, end - start), 1);
  const first = new Int32Array(m);
  const weights = new Float64Array(m * count);
  bounds.forEach(({ centre, start, end }, i) => {
    // Every output reads `count` inputs: a band past the last input starts earlier, the extra ones weighing 0.
    first[i] = Math.min(start, n - count);
    let total = 0;
    for (let j = start; j < end; j++) total += weights[i * count + j - first[i]] = f((j + 0.5 - centre) / stretch);
    if (total !== 0) for (let k = 0; k < count; k++) weights[i * count + k] /= total;
  });
  return { count, first, weights };
}

/** A band as the weights [m × n] it holds. */
export function bandMatrix(band: Band, n: number): Float64Array {
  const m = band.first.length;
  const matrix = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let k = 0; k < band.count; k++) matrix[i * n + band.first[i] + k] = band.weights[i * band.count + k];
  return matrix;
}
