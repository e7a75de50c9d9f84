// Perspective warps (torchvision's perspective): the homography taking the
// four `endpoints` to the four `startpoints` (where each output pixel reads
// from), solved on the host in float64, and a grid of it per sample fed to
// gridSample as the affine warps are (affine.ts's sampleThrough).
import { ValueError, formatValue } from '../errors.js';
import { checkOptions, type OptionNames } from '../options.js';
import type { Tensor } from '../tensor.js';
import { checkWarpOptions, sampleThrough, type WarpInterpolation } from './affine.js';
import { asBatch, constantLike, type Batch } from './images.js';

/** A point [x, y] in pixels. */
export type Point = readonly [number, number];

/** Four corners: top-left, top-right, bottom-right, bottom-left (any four in general position serve). */
export type Quad = readonly [Point, Point, Point, Point];

export interface PerspectiveOptions {
  /** 'bilinear' (default, torchvision's), 'nearest' or 'bicubic'. */
  interpolation?: WarpInterpolation;
  /** What pixels from outside the image read, as affine's fill: unset, zeros; set, blended in by how much of a pixel fell inside. */
  fill?: number | readonly number[];
}

export const PERSPECTIVE_OPTIONS: OptionNames<PerspectiveOptions> = { interpolation: true, fill: true };

/** Images warped so the image's `startpoints` land on `endpoints`, keeping their size. */
export function perspective(images: Tensor, startpoints: Quad, endpoints: Quad, options: PerspectiveOptions = {}): Tensor {
  const op = 'perspective';
  const { interpolation = 'bilinear', fill } = checkOptions(op, options, PERSPECTIVE_OPTIONS);
  const mode = checkWarpOptions(op, { interpolation, fill });
  const coeffs = perspectiveCoeffs(op, checkQuad(op, 'startpoints', startpoints), checkQuad(op, 'endpoints', endpoints));
  return warpPerspective(op, asBatch(op, images), [coeffs], mode, fill);
}

/** The batch through each sample's coefficients (one set for all where `coeffs` holds one). */
export function warpPerspective(op: string, batch: Batch, coeffs: readonly number[][], mode: WarpInterpolation, fill: PerspectiveOptions['fill']): Tensor {
  const { images: x, n, h, w } = batch;
  const grid = new Float32Array(n * h * w * 2);
  for (let s = 0; s < n; s++) grid.set(perspectiveGrid(coeffs[coeffs.length === 1 ? 0 : s], h, w), s * h * w * 2);
  return sampleThrough(op, batch, mode, fill, () => constantLike(op, x, grid, [n, h, w, 2]));
}

/**
 * torchvision's _get_perspective_coeffs: the 8 coefficients of the map
 * output pixel (x, y) → input ((c0 x + c1 y + c2) / (c6 x + c7 y + 1),
 * (c3 x + c4 y + c5) / (c6 x + c7 y + 1)) taking each endpoint to its
 * startpoint: 8 equations, solved by elimination with partial pivoting.
 */
export function perspectiveCoeffs(op: string, startpoints: Quad, endpoints: Quad): number[] {
  const rows: number[][] = [];
  for (let k = 0; k < 4; k++) {
    const [[x, y], [u, v]] = [endpoints[k], startpoints[k]];
    rows.push([x, y, 1, 0, 0, 0, -u * x, -u * y, u], [0, 0, 0, x, y, 1, -v * x, -v * y, v]);
  }
  const scale = Math.max(1, ...rows.flatMap((r) => r.slice(0, 8).map(Math.abs)));
  for (let col = 0; col < 8; col++) {
    let pivot = col;
    for (let r = col + 1; r < 8; r++) if (Math.abs(rows[r][col]) > Math.abs(rows[pivot][col])) pivot = r;
    [rows[col], rows[pivot]] = [rows[pivot], rows[col]];
    // Three of the four points on a line leave no single map (a pivot of nothing, next to the points' scale).
    if (!(Math.abs(rows[col][col]) > 1e-10 * scale)) {
      throw new ValueError(`${op}: no perspective map takes endpoints ${formatValue(endpoints)} to startpoints ${formatValue(startpoints)} (three of the points on a line?)`);
    }
    for (let r = 0; r < 8; r++) {
      if (r === col) continue;
      const f = rows[r][col] / rows[col][col];
      for (let k = col; k < 9; k++) rows[r][k] -= f * rows[col][k];
    }
  }
  return rows.map((r, k) => r[8] / r[k]);
}

/** torchvision's _perspective_grid: at each pixel centre (j + ½, i + ½), the map's point in gridSample's [−1, 1]; [h, w, 2] flat. */
function perspectiveGrid(c: readonly number[], h: number, w: number): Float64Array {
  const grid = new Float64Array(h * w * 2);
  for (let i = 0; i < h; i++) {
    for (let j = 0; j < w; j++) {
      const [x, y] = [j + 0.5, i + 0.5];
      const den = c[6] * x + c[7] * y + 1;
      grid[(i * w + j) * 2] = (c[0] * x + c[1] * y + c[2]) / den / (0.5 * w) - 1;
      grid[(i * w + j) * 2 + 1] = (c[3] * x + c[4] * y + c[5]) / den / (0.5 * h) - 1;
    }
  }
  return grid;
}

function checkQuad(op: string, name: string, quad: unknown): Quad {
  const ok = Array.isArray(quad) && quad.length === 4 && quad.every((p) => Array.isArray(p) && p.length === 2 && p.every((v) => typeof v === 'number' && Number.isFinite(v)));
  if (!ok) throw new ValueError(`${op}: ${name} must be four points [x, y] of finite numbers (top-left, top-right, bottom-right, bottom-left), got ${formatValue(quad)}`);
  return quad as unknown as Quad;
}
