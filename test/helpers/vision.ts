// torchvision's image transforms written out in float64 JS loops, from the
// definitions in torchvision.transforms.functional and _functional_tensor:
// the references tm.vision is checked against. Images are [N, C, H, W]
// arrays; the ops here follow torchvision's own steps (pad then crop, the
// HSV sectors, the pixel-space affine grid), not tm.vision's shortcuts.
import { aaWeights } from './antialias.js';

export type Shape = [number, number, number, number];

export interface Images {
  data: Float64Array;
  shape: Shape;
}

/** An image batch built pixel by pixel. */
export function build(shape: Shape, f: (n: number, c: number, i: number, j: number) => number): Images {
  const [N, C, H, W] = shape;
  const data = new Float64Array(N * C * H * W);
  for (let n = 0; n < N; n++) for (let c = 0; c < C; c++) for (let i = 0; i < H; i++) for (let j = 0; j < W; j++) data[((n * C + c) * H + i) * W + j] = f(n, c, i, j);
  return { data, shape };
}

export function at({ data, shape: [, C, H, W] }: Images, n: number, c: number, i: number, j: number): number {
  return data[((n * C + c) * H + i) * W + j];
}

/** Python's round: halves to even. */
export function pyRound(v: number): number {
  const f = Math.floor(v);
  const d = v - f;
  return d < 0.5 ? f : d > 0.5 ? f + 1 : f % 2 === 0 ? f : f + 1;
}

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

export function hflipRef(x: Images): Images {
  return build(x.shape, (n, c, i, j) => at(x, n, c, i, x.shape[3] - 1 - j));
}

export function vflipRef(x: Images): Images {
  return build(x.shape, (n, c, i, j) => at(x, n, c, x.shape[2] - 1 - i, j));
}

/** F.crop: the window, zeros where it leaves the image. */
export function cropRef(x: Images, top: number, left: number, h: number, w: number): Images {
  const [N, C, H, W] = x.shape;
  return build([N, C, h, w], (n, c, i, j) => (top + i >= 0 && top + i < H && left + j >= 0 && left + j < W ? at(x, n, c, top + i, left + j) : 0));
}

/** F.pad with [left, top, right, bottom]: constant, edge, reflect or symmetric. */
export function padRef(x: Images, [l, t, r, b]: number[], mode: string, fill = 0): Images {
  const [N, C, H, W] = x.shape;
  const source = (k: number, size: number): number | null => {
    if (k >= 0 && k < size) return k;
    if (mode === 'constant') return null;
    if (mode === 'edge') return clamp(k, 0, size - 1);
    if (mode === 'reflect') return k < 0 ? -k : 2 * (size - 1) - k;
    return k < 0 ? -k - 1 : 2 * size - 1 - k; // symmetric
  };
  return build([N, C, H + t + b, W + l + r], (n, c, i, j) => {
    const [si, sj] = [source(i - t, H), source(j - l, W)];
    return si === null || sj === null ? fill : at(x, n, c, si, sj);
  });
}

/** F.center_crop: zero-pad a short side (odd pixel after), then crop at round((H − h)/2). */
export function centerCropRef(x: Images, ch: number, cw: number): Images {
  let [, , H, W] = x.shape;
  if (cw > W || ch > H) {
    const ltrb = [cw > W ? Math.floor((cw - W) / 2) : 0, ch > H ? Math.floor((ch - H) / 2) : 0, cw > W ? Math.floor((cw - W + 1) / 2) : 0, ch > H ? Math.floor((ch - H + 1) / 2) : 0];
    x = padRef(x, ltrb, 'constant');
    [, , H, W] = x.shape;
    if (cw === W && ch === H) return x;
  }
  return cropRef(x, pyRound((H - ch) / 2), pyRound((W - cw) / 2), ch, cw);
}

/** torchvision's _compute_resized_output_size. */
export function resizedSize(H: number, W: number, size: number | [number, number], maxSize?: number): [number, number] {
  if (Array.isArray(size)) return size;
  const [short, long] = W <= H ? [W, H] : [H, W];
  let [newShort, newLong] = [size, Math.trunc((size * long) / short)];
  if (maxSize !== undefined && newLong > maxSize) [newShort, newLong] = [Math.trunc((maxSize * newShort) / newLong), maxSize];
  return W <= H ? [newLong, newShort] : [newShort, newLong];
}

/**
 * F.interpolate (size given, align_corners False) along one axis as weights
 * [m][n]: nearest floor(i·n/m); bilinear around (i + ½)·n/m − ½ clamped;
 * bicubic Keys' a = −0.75 over the four around it, past the edges the edge;
 * antialiased bilinear and bicubic, PyTorch's (helpers/antialias.ts).
 */
function resizeWeights(n: number, m: number, mode: 'nearest' | 'bilinear' | 'bicubic', antialias: boolean): number[][] {
  if (antialias && mode !== 'nearest') return aaWeights(n, m, mode === 'bilinear' ? 'linear' : 'cubic', n / m);
  const a = -0.75;
  const cubic = (d: number) => {
    const x = Math.abs(d);
    return x <= 1 ? (a + 2) * x ** 3 - (a + 3) * x ** 2 + 1 : x < 2 ? a * x ** 3 - 5 * a * x ** 2 + 8 * a * x - 4 * a : 0;
  };
  return Array.from({ length: m }, (_, i) => {
    const row = new Array<number>(n).fill(0);
    if (mode === 'nearest') {
      row[Math.min(n - 1, Math.floor((i * n) / m))] = 1;
      return row;
    }
    if (mode === 'bicubic') {
      const s = ((i + 0.5) * n) / m - 0.5;
      for (let k = Math.floor(s) - 1; k <= Math.floor(s) + 2; k++) row[Math.min(n - 1, Math.max(0, k))] += cubic(s - k);
      return row;
    }
    const s = Math.max(0, ((i + 0.5) * n) / m - 0.5);
    const lo = Math.min(n - 1, Math.floor(s));
    row[lo] += 1 - (s - lo);
    row[Math.min(n - 1, lo + 1)] += s - lo;
    return row;
  });
}

export function resizeRef(x: Images, [oh, ow]: [number, number], mode: 'nearest' | 'bilinear' | 'bicubic', antialias = false): Images {
  const [N, C, H, W] = x.shape;
  const [wh, ww] = [resizeWeights(H, oh, mode, antialias), resizeWeights(W, ow, mode, antialias)];
  return build([N, C, oh, ow], (n, c, i, j) => {
    let sum = 0;
    for (let a = 0; a < H; a++) for (let b = 0; b < W; b++) if (wh[i][a] && ww[j][b]) sum += wh[i][a] * ww[j][b] * at(x, n, c, a, b);
    return sum;
  });
}

export function normalizeRef(x: Images, mean: number[], std: number[]): Images {
  return build(x.shape, (n, c, i, j) => (at(x, n, c, i, j) - mean[c]) / std[c]);
}

/** rgb_to_grayscale: 0.2989 r + 0.587 g + 0.114 b (a single channel as it is). */
export function grayRef(x: Images): Images {
  const [N, C, H, W] = x.shape;
  return build([N, 1, H, W], (n, _c, i, j) => (C === 1 ? at(x, n, 0, i, j) : 0.2989 * at(x, n, 0, i, j) + 0.587 * at(x, n, 1, i, j) + 0.114 * at(x, n, 2, i, j)));
}

/** _blend: (ratio·a + (1 − ratio)·b) clamped to [0, 1], b per pixel (of its own channels or one). */
function blendRef(x: Images, other: (n: number, c: number, i: number, j: number) => number, ratio: number): Images {
  return build(x.shape, (n, c, i, j) => clamp(ratio * at(x, n, c, i, j) + (1 - ratio) * other(n, c, i, j), 0, 1));
}

export function brightnessRef(x: Images, f: number): Images {
  return blendRef(x, () => 0, f);
}

export function contrastRef(x: Images, f: number): Images {
  const g = grayRef(x);
  const [N, , H, W] = x.shape;
  const means = Array.from({ length: N }, (_, n) => {
    let s = 0;
    for (let i = 0; i < H; i++) for (let j = 0; j < W; j++) s += at(g, n, 0, i, j);
    return s / (H * W);
  });
  return blendRef(x, (n) => means[n], f);
}

export function saturationRef(x: Images, f: number): Images {
  if (x.shape[1] === 1) return x;
  const g = grayRef(x);
  return blendRef(x, (n, _c, i, j) => at(g, n, 0, i, j), f);
}

/** _rgb2hsv, one pixel. */
function rgb2hsv(r: number, g: number, b: number): [number, number, number] {
  const maxc = Math.max(r, g, b);
  const minc = Math.min(r, g, b);
  const eqc = maxc === minc;
  const cr = maxc - minc;
  const s = cr / (eqc ? 1 : maxc);
  const crd = eqc ? 1 : cr;
  const [rc, gc, bc] = [(maxc - r) / crd, (maxc - g) / crd, (maxc - b) / crd];
  const hr = maxc === r ? bc - gc : 0;
  const hg = maxc === g && maxc !== r ? 2 + rc - bc : 0;
  const hb = maxc !== g && maxc !== r ? 4 + gc - rc : 0;
  return [((hr + hg + hb) / 6 + 1) % 1, s, maxc];
}

/** _hsv2rgb, one pixel: the sector i = floor(6h) picks from v, p, q, t. */
function hsv2rgb(h: number, s: number, v: number): [number, number, number] {
  const i = Math.floor(h * 6);
  const f = h * 6 - i;
  const p = clamp(v * (1 - s), 0, 1);
  const q = clamp(v * (1 - s * f), 0, 1);
  const t = clamp(v * (1 - s * (1 - f)), 0, 1);
  const table: [number, number, number][] = [[v, t, p], [q, v, p], [p, v, t], [p, q, v], [t, p, v], [v, p, q]];
  return table[((i % 6) + 6) % 6];
}

export function hueRef(x: Images, factor: number): Images {
  if (x.shape[1] === 1) return x;
  const out = build(x.shape, () => 0);
  const [N, , H, W] = x.shape;
  for (let n = 0; n < N; n++) {
    for (let i = 0; i < H; i++) {
      for (let j = 0; j < W; j++) {
        const [h, s, v] = rgb2hsv(at(x, n, 0, i, j), at(x, n, 1, i, j), at(x, n, 2, i, j));
        const rgb = hsv2rgb((((h + factor) % 1) + 1) % 1, s, v);
        rgb.forEach((value, c) => (out.data[((n * 3 + c) * H + i) * W + j] = value));
      }
    }
  }
  return out;
}

/** gaussian_blur: 1-D kernels on linspace(−(k − 1)/2, (k − 1)/2), their outer product, reflect padding, a 2-D correlation. */
export function blurRef(x: Images, [kx, ky]: [number, number], [sx, sy]: [number, number]): Images {
  const kernel = (k: number, sigma: number) => {
    const half = (k - 1) * 0.5;
    const pdf = Array.from({ length: k }, (_, i) => Math.exp(-0.5 * ((-half + i) / sigma) ** 2));
    const sum = pdf.reduce((a, b) => a + b, 0);
    return pdf.map((p) => p / sum);
  };
  const [wx, wy] = [kernel(kx, sx), kernel(ky, sy)];
  const padded = padRef(x, [(kx - 1) / 2, (ky - 1) / 2, (kx - 1) / 2, (ky - 1) / 2], 'reflect');
  return build(x.shape, (n, c, i, j) => {
    let sum = 0;
    for (let a = 0; a < ky; a++) for (let b = 0; b < kx; b++) sum += wy[a] * wx[b] * at(padded, n, c, i + a, j + b);
    return sum;
  });
}

/** _get_inverse_affine_matrix (inverted). */
function inverseAffine([cx, cy]: number[], angle: number, [tx, ty]: number[], scale: number, shear: number[]): number[] {
  const rot = (angle * Math.PI) / 180;
  const [sx, sy] = shear.map((s) => (s * Math.PI) / 180);
  const a = Math.cos(rot - sy) / Math.cos(sy);
  const b = (-Math.cos(rot - sy) * Math.tan(sx)) / Math.cos(sy) - Math.sin(rot);
  const c = Math.sin(rot - sy) / Math.cos(sy);
  const d = (-Math.sin(rot - sy) * Math.tan(sx)) / Math.cos(sy) + Math.cos(rot);
  const m = [d, -b, 0, -c, a, 0].map((v) => v / scale);
  m[2] += m[0] * (-cx - tx) + m[1] * (-cy - ty);
  m[5] += m[3] * (-cx - tx) + m[4] * (-cy - ty);
  m[2] += cx;
  m[5] += cy;
  return m;
}

export interface AffineRefParams {
  angle: number;
  translate: [number, number];
  scale: number;
  shear: [number, number];
  center?: [number, number];
}

/**
 * F.affine on tensors: the inverse matrix, _gen_affine_grid's pixel-space
 * grid divided by (W/2, H/2), grid_sample (zeros, align_corners False), and
 * with a fill _apply_grid_transform's mask channel; its nearest ties as
 * gridRef's. With `expand` (F.rotate's), the output is
 * _compute_affine_output_size's.
 */
export function affineRef(x: Images, p: AffineRefParams, mode: GridMode, fill?: number[], expand = false): Warped {
  const [, , H, W] = x.shape;
  const center = p.center ? [p.center[0] - W * 0.5, p.center[1] - H * 0.5] : [0, 0];
  const m = inverseAffine(center, p.angle, p.translate, p.scale, p.shear);
  const [oh, ow] = expand ? affineOutputSize(m, W, H) : [H, W];
  return gridRef(x, [oh, ow], (j, i) => {
    const [bx, by] = [j - ow * 0.5 + 0.5, i - oh * 0.5 + 0.5];
    return [(m[0] * bx + m[1] * by + m[2]) / (0.5 * W), (m[3] * bx + m[4] * by + m[5]) / (0.5 * H)];
  }, mode, fill);
}

/**
 * _compute_affine_output_size in float32, as torchvision: the corners
 * through the matrix, their box shifted by half the size, ·1e4, truncated,
 * ·1e-4, rounded out; [oh, ow].
 */
function affineOutputSize(m: number[], W: number, H: number): [number, number] {
  const f = Math.fround;
  const pts = [[-0.5 * W, -0.5 * H], [-0.5 * W, 0.5 * H], [0.5 * W, 0.5 * H], [0.5 * W, -0.5 * H]].map(([a, b]) => [0, 3].map((r) => f(f(f(f(m[r]) * a) + f(f(m[r + 1]) * b)) + f(m[r + 2]))));
  const half = [0.5 * W, 0.5 * H];
  const cut = (v: number) => f(Math.trunc(f(v * f(1e4))) * f(1e-4));
  const size = [0, 1].map((k) => {
    const vs = pts.map((q) => f(q[k] + half[k]));
    return Math.ceil(cut(Math.max(...vs))) - Math.floor(cut(Math.min(...vs)));
  });
  return [size[1], size[0]];
}

export type GridMode = 'nearest' | 'bilinear' | 'bicubic';

/**
 * A warp's float64 result, and for nearest sampling `ties`: at each output
 * whose point lies within 1e-3 px of a rounding edge (where f32 and f64 may
 * round apart) every value it may take, one per pixel around the edge.
 */
export interface Warped {
  y: Images;
  ties: (readonly number[] | undefined)[];
}

/**
 * grid_sample (zeros padding, align_corners False) of the batch at the
 * normalised point `grid(j, i)` gives output pixel (i, j) of an oh × ow
 * output, with a fill blended in by _apply_grid_transform's mask channel.
 * Bicubic: Keys' a = −0.75 over the 4 × 4 taps, each outside one reading 0.
 */
export function gridRef(x: Images, [oh, ow]: [number, number], grid: (j: number, i: number) => number[], mode: GridMode, fill?: number[]): Warped {
  const [N, C, H, W] = x.shape;
  const ties: (number[] | undefined)[] = new Array(N * C * oh * ow).fill(undefined);
  const a = -0.75;
  const cubic = (d: number) => {
    const t = Math.abs(d);
    return t <= 1 ? (a + 2) * t ** 3 - (a + 3) * t ** 2 + 1 : t < 2 ? a * t ** 3 - 5 * a * t ** 2 + 8 * a * t - 4 * a : 0;
  };
  // One plane's bilinear or bicubic sample at (ix, iy) in pixels, zeros outside; `ones` samples the mask channel.
  const sample = (n: number, c: number, ix: number, iy: number, ones: boolean): number => {
    const read = (i: number, j: number) => (i >= 0 && i < H && j >= 0 && j < W ? (ones ? 1 : at(x, n, c, i, j)) : 0);
    const [x0, y0] = [Math.floor(ix), Math.floor(iy)];
    const [fx, fy] = [ix - x0, iy - y0];
    if (mode === 'bilinear') return read(y0, x0) * (1 - fx) * (1 - fy) + read(y0, x0 + 1) * fx * (1 - fy) + read(y0 + 1, x0) * (1 - fx) * fy + read(y0 + 1, x0 + 1) * fx * fy;
    let sum = 0;
    for (let di = -1; di <= 2; di++) for (let dj = -1; dj <= 2; dj++) sum += cubic(fy - di) * cubic(fx - dj) * read(y0 + di, x0 + dj);
    return sum;
  };
  const y = build([N, C, oh, ow], (n, c, i, j) => {
    const [gx, gy] = grid(j, i);
    const [ix, iy] = [((gx + 1) * W - 1) / 2, ((gy + 1) * H - 1) / 2];
    if (mode === 'nearest') {
      // The pixel nearest, or the fill (the mask's nearest is 0) where that is outside; at a near-tie, each pixel it may be.
      const picks = (v: number) => (Math.abs(v - Math.floor(v) - 0.5) < 1e-3 ? [Math.floor(v), Math.floor(v) + 1] : [roundEven(v)]);
      const value = (r: number, s: number) => (r >= 0 && r < H && s >= 0 && s < W ? at(x, n, c, r, s) : fill ? fill[c] : 0);
      const near = picks(iy).flatMap((r) => picks(ix).map((s) => value(r, s)));
      if (near.length > 1) ties[((n * C + c) * oh + i) * ow + j] = near;
      return value(roundEven(iy), roundEven(ix));
    }
    const v = sample(n, c, ix, iy, false);
    if (!fill) return v;
    const mask = sample(n, c, ix, iy, true);
    return v * mask + (1 - mask) * fill[c];
  });
  return { y, ties };
}

/** nearbyint: halves to even. */
function roundEven(v: number): number {
  return pyRound(v);
}

/** F.erase: the box set to v[c]. */
export function eraseRef(x: Images, top: number, left: number, h: number, w: number, v: (c: number, i: number, j: number) => number): Images {
  return build(x.shape, (n, c, i, j) => (i >= top && i < top + h && j >= left && j < left + w ? v(c, i - top, j - left) : at(x, n, c, i, j)));
}

/** Sample n of a batch, as a batch of one. */
export function sampleOf(x: Images, n: number): Images {
  const [, C, H, W] = x.shape;
  return { data: x.data.slice(n * C * H * W, (n + 1) * C * H * W), shape: [1, C, H, W] };
}

type Mat3 = number[][];

/** Heckbert's map of the unit square's corners (0,0), (1,0), (1,1), (0,1) to a quad's, as a 3 × 3 homography. */
function squareTo(q: number[][]): Mat3 {
  const [[x0, y0], [x1, y1], [x2, y2], [x3, y3]] = q;
  const [sx, sy] = [x0 - x1 + x2 - x3, y0 - y1 + y2 - y3];
  if (sx === 0 && sy === 0) return [[x1 - x0, x2 - x1, x0], [y1 - y0, y2 - y1, y0], [0, 0, 1]];
  const [dx1, dx2, dy1, dy2] = [x1 - x2, x3 - x2, y1 - y2, y3 - y2];
  const den = dx1 * dy2 - dx2 * dy1;
  const g = (sx * dy2 - dx2 * sy) / den;
  const h = (dx1 * sy - sx * dy1) / den;
  return [[x1 - x0 + g * x1, x3 - x0 + h * x3, x0], [y1 - y0 + g * y1, y3 - y0 + h * y3, y0], [g, h, 1]];
}

/** A 3 × 3 matrix's adjugate (its inverse up to scale, which a homography ignores). */
function adjugate(m: Mat3): Mat3 {
  const c = (r0: number, r1: number, c0: number, c1: number) => m[r0][c0] * m[r1][c1] - m[r0][c1] * m[r1][c0];
  return [[c(1, 2, 1, 2), -c(0, 2, 1, 2), c(0, 1, 1, 2)], [-c(1, 2, 0, 2), c(0, 2, 0, 2), -c(0, 1, 0, 2)], [c(1, 2, 0, 1), -c(0, 2, 0, 1), c(0, 1, 0, 1)]];
}

/**
 * _get_perspective_coeffs by another road: the homography endpoints →
 * startpoints as (square → start) ∘ (end → square), scaled to a last entry
 * of 1; its first 8 entries.
 */
export function perspectiveCoeffsRef(startpoints: number[][], endpoints: number[][]): number[] {
  const [a, b] = [squareTo(startpoints), adjugate(squareTo(endpoints))];
  const m = a.map((row) => [0, 1, 2].map((k) => row[0] * b[0][k] + row[1] * b[1][k] + row[2] * b[2][k]));
  return m.flat().slice(0, 8).map((v) => v / m[2][2]);
}

/** F.perspective on tensors: _perspective_grid at pixel centres (j + ½, i + ½), grid_sample, the fill's mask. */
export function perspectiveRef(x: Images, startpoints: number[][], endpoints: number[][], mode: GridMode, fill?: number[]): Warped {
  const [, , H, W] = x.shape;
  const c = perspectiveCoeffsRef(startpoints, endpoints);
  return gridRef(x, [H, W], (j, i) => {
    const [px, py] = [j + 0.5, i + 0.5];
    const den = c[6] * px + c[7] * py + 1;
    return [(c[0] * px + c[1] * py + c[2]) / den / (0.5 * W) - 1, (c[3] * px + c[4] * py + c[5]) / den / (0.5 * H) - 1];
  }, mode, fill);
}

/** F.invert on floats: 1 − x. */
export function invertRef(x: Images): Images {
  return build(x.shape, (n, c, i, j) => 1 - at(x, n, c, i, j));
}

/** F.solarize: where(x ≥ threshold, 1 − x, x). */
export function solarizeRef(x: Images, threshold: number): Images {
  return build(x.shape, (n, c, i, j) => (at(x, n, c, i, j) >= threshold ? 1 - at(x, n, c, i, j) : at(x, n, c, i, j)));
}

/** F.adjust_gamma on floats: (gain·x^γ) clamped to [0, 1] (0^0 = 1). */
export function gammaRef(x: Images, gamma: number, gain: number): Images {
  return build(x.shape, (n, c, i, j) => clamp(gain * at(x, n, c, i, j) ** gamma, 0, 1));
}

/** F.adjust_sharpness: _blend with _blur_image — the 3 × 3 kernel [1 1 1; 1 5 1; 1 1 1]/13 inside, the border as it is — or the image where a side is ≤ 2. */
export function sharpnessRef(x: Images, factor: number): Images {
  const [, , H, W] = x.shape;
  if (H <= 2 || W <= 2) return x;
  const blurred = (n: number, c: number, i: number, j: number) => {
    if (i === 0 || j === 0 || i === H - 1 || j === W - 1) return at(x, n, c, i, j);
    let sum = 0;
    for (let a = -1; a <= 1; a++) for (let b = -1; b <= 1; b++) sum += (a === 0 && b === 0 ? 5 : 1) * at(x, n, c, i + a, j + b);
    return sum / 13;
  };
  return blendRef(x, blurred, factor);
}

/** F.autocontrast: per image and channel, (x − min)·1/(max − min) clamped; where that scale is not finite, min 0 and scale 1. */
export function autocontrastRef(x: Images): Images {
  const [N, C, H, W] = x.shape;
  const lo: number[] = [];
  const scale: number[] = [];
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      let [mn, mx] = [Infinity, -Infinity];
      for (let i = 0; i < H; i++) for (let j = 0; j < W; j++) [mn, mx] = [Math.min(mn, at(x, n, c, i, j)), Math.max(mx, at(x, n, c, i, j))];
      const s = 1 / (mx - mn);
      lo.push(Number.isFinite(s) ? mn : 0);
      scale.push(Number.isFinite(s) ? s : 1);
    }
  }
  return build(x.shape, (n, c, i, j) => clamp((at(x, n, c, i, j) - lo[n * C + c]) * scale[n * C + c], 0, 1));
}

/** F.posterize on floats: ⌊x·2^bits⌋ clamped to [0, 2^bits − 1], times 1/2^bits. */
export function posterizeRef(x: Images, bits: number): Images {
  const levels = 2 ** bits;
  return build(x.shape, (n, c, i, j) => clamp(Math.floor(at(x, n, c, i, j) * levels), 0, levels - 1) / levels);
}

/**
 * F.equalize on floats, torchvision v2's steps: to uint8 as to_dtype does
 * (x·255.999 in f32, truncated); per image and channel a 256-bin histogram
 * and its cumulative sum; the number of pixels not at the largest value
 * (the first bin where the cumulative sum peaks); step = that // 255; the
 * lut (PIL's) lut[0] = 0, lut[k] = min(255, (cum[k − 1] + step // 2) //
 * step); the channel as uint8 where step is 0; back to float times 1/255.
 */
export function equalizeRef(x: Images): Images {
  const [N, C, H, W] = x.shape;
  const out = new Float64Array(x.data.length);
  const scale = Math.fround(255 + 1 - 1e-3);
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const q: number[] = [];
      for (let i = 0; i < H; i++) for (let j = 0; j < W; j++) q.push(Math.trunc(Math.fround(clamp(at(x, n, c, i, j), 0, 1) * scale)));
      const hist = new Array<number>(256).fill(0);
      for (const v of q) hist[v]++;
      const cum = hist.map(((s) => (v: number) => (s += v))(0));
      const peak = cum.indexOf(Math.max(...cum));
      const step = Math.floor((q.length - hist[peak]) / 255);
      const lut = cum.map((_, k) => (k === 0 ? 0 : Math.min(255, Math.floor((cum[k - 1] + Math.floor(step / 2)) / Math.max(step, 1)))));
      q.forEach((v, k) => (out[(n * C + c) * H * W + k] = (step === 0 ? v : lut[v]) / 255));
    }
  }
  return { data: out, shape: x.shape };
}
