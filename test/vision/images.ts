// Test images: fresh uniform values in [0, 1] (f32-rounded) at odd sizes, as
// a batch [N, C, H, W] or, where `single`, one image [C, H, W].
import { expect } from 'vitest';
import * as tm from '../../src/index.js';
import { asF32, expectClose, uniform } from '../helpers/data.js';
import type { Images, Shape, Warped } from '../helpers/vision.js';

/** Batches and single images over H, W ∈ {1, 7, 13} and C ∈ {1, 3}. */
export const SHAPES: { shape: Shape; single: boolean }[] = [
  { shape: [2, 3, 7, 13], single: false },
  { shape: [1, 1, 13, 7], single: false },
  { shape: [3, 3, 1, 7], single: false },
  { shape: [2, 1, 13, 1], single: false },
  { shape: [1, 3, 7, 7], single: true },
  { shape: [1, 1, 1, 1], single: true },
];

/** A fresh image batch and its tensor (rank 3 where single). */
export function images(shape: Shape, single = false): { ref: Images; t: tm.Tensor } {
  const data = asF32(uniform(shape.reduce((a, b) => a * b), 0, 1));
  return { ref: { data, shape }, t: tm.tensor(data, single ? shape.slice(1) : shape) };
}

/** The shape a result should have: the reference's, less the batch axis for a single image. */
export function shapeOf(ref: Images, single: boolean): number[] {
  return single ? ref.shape.slice(1) : ref.shape;
}

/**
 * A warp's result against its float64 reference. An output the reference
 * marks as a tie (a nearest sample point within a hair of a pixel edge, where
 * f32 and f64 may round apart) is held to the nearest of the values it may
 * take: every output is compared, so no drawn angle that puts whole columns
 * on half pixels (sin θ = ½ puts 4 of a 1×7 image's 7 there, seed 1869 in
 * affine.test.ts) can leave too few.
 */
export async function expectWarped(y: tm.Tensor, want: Warped, single: boolean, what: string) {
  expect(y.shape, what).toEqual(shapeOf(want.y, single));
  const got = await y.data();
  const nearest = (k: number, w: number) => want.ties[k]?.reduce((best, v) => (Math.abs(v - got[k]) < Math.abs(best - got[k]) ? v : best)) ?? w;
  expectClose(got, Array.from(want.y.data, (w, k) => nearest(k, w)), 1e-4, what);
}

/**
 * A warp is linear in the image (plus a fill's constant), so the gradient of
 * Σ op(x)·g at pixel k is ⟨op(x + e_k) − op(x), g⟩: checked for the given pixels.
 */
export async function expectLinearGradient(op: (x: tm.Tensor) => tm.Tensor, t: tm.Tensor, pixels: readonly number[]): Promise<void> {
  const x = t.clone();
  x.requiresGrad = true;
  const y0 = op(x);
  const g = tm.tensor(uniform(y0.size, -1, 1), y0.shape);
  tm.sum(tm.mul(y0, g)).backward();
  const [grad, base, gs] = [await x.grad!.data(), await y0.data(), await g.data()];
  for (const k of pixels) {
    const bump = new Float32Array(t.size);
    bump[k] = 1;
    const y1 = await op(tm.add(t, tm.tensor(bump, t.shape))).data();
    let want = 0;
    for (let m = 0; m < y1.length; m++) want += (y1[m] - base[m]) * gs[m];
    expect(grad[k], `pixel ${k}`).toBeCloseTo(want, 3);
  }
}
