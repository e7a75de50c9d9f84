// Float64 references for the ops over volumes [batch, channels, depth,
// height, width] (tm.conv3d, tm.maxPool3d, tm.avgPool3d and their layers),
// plain loops over every output, filter and tap as PyTorch defines them.
import { f64, type F64 } from './float64.js';

export type Triple = [number, number, number];
export const triple = (v: number | readonly number[] | undefined, fallback: number): Triple => (v === undefined ? [fallback, fallback, fallback] : typeof v === 'number' ? [v, v, v] : [v[0], v[1], v[2]]);

/** A 3-D convolution's geometry as the reference takes it: padding as [before, after] per axis. */
export interface Geometry {
  stride: Triple;
  dilation: Triple;
  sides: [number, number][];
  groups: number;
}

/**
 * The float64 convolution y[n, f, od, oh, ow] = Σ x[n, c, od·s − p + kd·d, …]·w[f, c', kd, kh, kw]
 * over the group's channels and the taps inside x, and, given dy, both gradients by the same loops.
 */
export function conv3dRef(x: F64, w: F64, g: Geometry, dy?: F64): { y: F64; dx: F64; dw: F64 } {
  const [n, c, ...extent] = x.shape;
  const [f, perGroup, ...kernel] = w.shape;
  const out = [0, 1, 2].map((a) => Math.floor((extent[a] + g.sides[a][0] + g.sides[a][1] - g.dilation[a] * (kernel[a] - 1) - 1) / g.stride[a]) + 1);
  const y = new Float64Array(n * f * out[0] * out[1] * out[2]);
  const dx = new Float64Array(x.v.length);
  const dw = new Float64Array(w.v.length);
  const [D, H, W] = extent;
  const [KD, KH, KW] = kernel;
  const filtersPerGroup = f / g.groups;
  let at = 0;
  for (let b = 0; b < n; b++) {
    for (let o = 0; o < f; o++) {
      const group = Math.floor(o / filtersPerGroup);
      for (let od = 0; od < out[0]; od++) {
        for (let oh = 0; oh < out[1]; oh++) {
          for (let ow = 0; ow < out[2]; ow++, at++) {
            let s = 0;
            for (let ci = 0; ci < perGroup; ci++) {
              const ch = group * perGroup + ci;
              for (let kd = 0; kd < KD; kd++) {
                const id = od * g.stride[0] - g.sides[0][0] + kd * g.dilation[0];
                if (id < 0 || id >= D) continue;
                for (let kh = 0; kh < KH; kh++) {
                  const ih = oh * g.stride[1] - g.sides[1][0] + kh * g.dilation[1];
                  if (ih < 0 || ih >= H) continue;
                  for (let kw = 0; kw < KW; kw++) {
                    const iw = ow * g.stride[2] - g.sides[2][0] + kw * g.dilation[2];
                    if (iw < 0 || iw >= W) continue;
                    const xi = (((b * c + ch) * D + id) * H + ih) * W + iw;
                    const wi = (((o * perGroup + ci) * KD + kd) * KH + kh) * KW + kw;
                    s += x.v[xi] * w.v[wi];
                    if (dy) {
                      dx[xi] += dy.v[at] * w.v[wi];
                      dw[wi] += dy.v[at] * x.v[xi];
                    }
                  }
                }
              }
            }
            y[at] = s;
          }
        }
      }
    }
  }
  return { y: f64([n, f, ...out], y), dx: f64(x.shape, dx), dw: f64(w.shape, dw) };
}

/** Every value by its magnitude: the scale of the terms a sum rounds. */
export const abs = (r: F64): F64 => f64(r.shape, r.v.map(Math.abs));

const sizes = (v: number | readonly number[] | undefined, fallback: Triple): Triple => (v === undefined ? fallback : typeof v === 'number' ? [v, v, v] : [v[0], v[1], v[2]]);

/** A 3-D pooling's options, as maxPool3d and avgPool3d take them. */
export interface Pool3dRefOptions {
  stride?: number | Triple;
  padding?: number | Triple;
  dilation?: number | Triple;
  ceilMode?: boolean;
  countIncludePad?: boolean;
}

/** PyTorch's output size along one axis (pooling_output_shape). */
function outputSize(n: number, k: number, s: number, p: number, d: number, ceil: boolean): number {
  let out = Math.floor((n + 2 * p - d * (k - 1) - 1 + (ceil ? s - 1 : 0)) / s) + 1;
  if (ceil && (out - 1) * s >= n + p) out--;
  return out;
}

/**
 * The float64 pool of x [N, C, D, H, W], as PyTorch's max_pool3d (the largest tap inside x) and avg_pool3d
 * (the taps' sum over the product, along each axis, of the taps inside x and its padding, or inside x
 * alone without countIncludePad), and given dy, the gradient: to the max (random data has no ties), or
 * dy over the divisor to each tap inside x.
 */
export function pool3dRef(x: F64, kernel: Triple, o: Pool3dRefOptions, kind: 'max' | 'avg', dy?: F64): { y: F64; dx: F64 } {
  const [n, c, ...extent] = x.shape;
  const stride = sizes(o.stride, kernel);
  const padding = sizes(o.padding, [0, 0, 0]);
  const dilation = sizes(o.dilation, [1, 1, 1]);
  const out = [0, 1, 2].map((a) => outputSize(extent[a], kernel[a], stride[a], padding[a], dilation[a], o.ceilMode ?? false));
  const y = new Float64Array(n * c * out[0] * out[1] * out[2]);
  const dx = new Float64Array(x.v.length);
  // Along one axis, window `i`'s taps inside x, and how many the mean counts.
  const taps = (a: number, i: number): { at: number[]; counted: number } => {
    const first = i * stride[a] - padding[a];
    const at = Array.from({ length: kernel[a] }, (_, k) => first + k * dilation[a]).filter((p) => p >= 0 && p < extent[a]);
    const counted = (o.countIncludePad ?? true) ? Math.min(first + kernel[a], extent[a] + padding[a]) - first : at.length;
    return { at, counted };
  };
  let j = 0;
  for (let b = 0; b < n * c; b++) {
    for (let od = 0; od < out[0]; od++) {
      for (let oh = 0; oh < out[1]; oh++) {
        for (let ow = 0; ow < out[2]; ow++, j++) {
          const [td, th, tw] = [taps(0, od), taps(1, oh), taps(2, ow)];
          const cells = td.at.flatMap((d) => th.at.flatMap((h) => tw.at.map((w) => ((b * extent[0] + d) * extent[1] + h) * extent[2] + w)));
          if (kind === 'max') {
            const best = cells.reduce((m, i) => (x.v[i] > x.v[m] ? i : m), cells[0]);
            y[j] = x.v[best];
            if (dy) dx[best] += dy.v[j];
          } else {
            const divisor = td.counted * th.counted * tw.counted;
            y[j] = cells.reduce((s, i) => s + x.v[i], 0) / divisor;
            if (dy) for (const i of cells) dx[i] += dy.v[j] / divisor;
          }
        }
      }
    }
  }
  return { y: f64([n, c, ...out], y), dx: f64(x.shape, dx) };
}

/** A 3-D transposed convolution's geometry as the reference takes it. */
export interface TransposeGeometry {
  stride: Triple;
  padding: Triple;
  outputPadding: Triple;
  dilation: Triple;
  groups: number;
}

/**
 * The float64 transposed convolution: each x[n, i, id, ih, iw] times w[i, o', kd, kh, kw] added into
 * y[n, g·(out/groups) + o', id·s − p + kd·d, …] where that lies inside the output, and, given dy, both
 * gradients by the same loops.
 */
export function convTranspose3dRef(x: F64, w: F64, g: TransposeGeometry, dy?: F64): { y: F64; dx: F64; dw: F64 } {
  const [n, c, ...extent] = x.shape;
  const [, perGroup, ...kernel] = w.shape;
  const outChannels = perGroup * g.groups;
  const inPerGroup = c / g.groups;
  const out = [0, 1, 2].map((a) => (extent[a] - 1) * g.stride[a] - 2 * g.padding[a] + g.dilation[a] * (kernel[a] - 1) + g.outputPadding[a] + 1);
  const y = new Float64Array(n * outChannels * out[0] * out[1] * out[2]);
  const dx = new Float64Array(x.v.length);
  const dw = new Float64Array(w.v.length);
  const [D, H, W] = extent;
  const [KD, KH, KW] = kernel;
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < c; i++) {
      const group = Math.floor(i / inPerGroup);
      for (let id = 0; id < D; id++) {
        for (let ih = 0; ih < H; ih++) {
          for (let iw = 0; iw < W; iw++) {
            const xi = (((b * c + i) * D + id) * H + ih) * W + iw;
            for (let o = 0; o < perGroup; o++) {
              for (let kd = 0; kd < KD; kd++) {
                const od = id * g.stride[0] - g.padding[0] + kd * g.dilation[0];
                if (od < 0 || od >= out[0]) continue;
                for (let kh = 0; kh < KH; kh++) {
                  const oh = ih * g.stride[1] - g.padding[1] + kh * g.dilation[1];
                  if (oh < 0 || oh >= out[1]) continue;
                  for (let kw = 0; kw < KW; kw++) {
                    const ow = iw * g.stride[2] - g.padding[2] + kw * g.dilation[2];
                    if (ow < 0 || ow >= out[2]) continue;
                    const wi = (((i * perGroup + o) * KD + kd) * KH + kh) * KW + kw;
                    const yi = (((b * outChannels + group * perGroup + o) * out[0] + od) * out[1] + oh) * out[2] + ow;
                    y[yi] += x.v[xi] * w.v[wi];
                    if (dy) {
                      dx[xi] += dy.v[yi] * w.v[wi];
                      dw[wi] += dy.v[yi] * x.v[xi];
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
  }
  return { y: f64([n, outChannels, ...out], y), dx: f64(x.shape, dx), dw: f64(w.shape, dw) };
}
