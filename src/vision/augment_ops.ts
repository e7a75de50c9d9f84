// The ops the automatic augmentation policies choose among (torchvision's
// _AutoAugmentBase._apply_image_or_video_transform) and their magnitude
// tables, and a batch put through one op per sample at once: the samples
// that took an op are gathered, transformed together with their own
// magnitudes (one affine θ, blend factor, threshold or level count each),
// and put back in place.
import { tidy } from '../engine.js';
import { ValueError, formatValue } from '../errors.js';
import { greaterEqual, sub, where } from '../ops/elementwise.js';
import { concat, gather } from '../ops/movement.js';
import { roundHalfEven } from '../round.js';
import type { Tensor } from '../tensor.js';
import { checkWarpOptions, warp, type AffineParams, type WarpInterpolation } from './affine.js';
import { blend, grayMean, grayOf } from './color.js';
import { equalize } from './equalize.js';
import { asBatch, constantLike, indicesLike } from './images.js';
import { posterizeLevels } from './posterize.js';
import { smoothed } from './sharpness.js';
import { autocontrast, invert } from './tone.js';

export type AugmentOp =
  | 'Identity' | 'ShearX' | 'ShearY' | 'TranslateX' | 'TranslateY' | 'Rotate'
  | 'Brightness' | 'Color' | 'Contrast' | 'Sharpness'
  | 'Posterize' | 'Solarize' | 'AutoContrast' | 'Equalize' | 'Invert';

/**
 * One op with its magnitude, as torchvision applies it: shear factor
 * (sheared by atan of it, about the top-left corner), shift in pixels
 * (truncated to whole ones), degrees counter-clockwise, 1 + magnitude as
 * the brightness/saturation/contrast/sharpness factor, bits, the solarize
 * threshold; ignored (0) by the ops without one.
 */
export interface AugmentStep {
  op: AugmentOp;
  magnitude: number;
}

/** The policies' warp options: torchvision's interpolation and fill for the geometric ops. */
export interface AugmentOptions {
  /** 'nearest' (default; AugMix's is 'bilinear'), 'bilinear' or 'bicubic'. */
  interpolation?: WarpInterpolation;
  /** What the geometric ops bring in from outside the image: a number or one per channel; unset, zeros. */
  fill?: number | readonly number[];
}

/** An op of a policy's space: its magnitudes for a number of bins and an image's size (null: it takes none), and whether a draw may negate them. */
export interface OpSpace {
  op: AugmentOp;
  magnitudes: ((bins: number, h: number, w: number) => number[]) | null;
  signed: boolean;
}

/** torch.linspace in f32: from both ends towards the middle, as its kernel computes it. */
export function linspace(start: number, end: number, steps: number): number[] {
  const f = Math.fround;
  const [s, e] = [f(start), f(end)];
  if (steps === 1) return [s];
  const step = f(f(e - s) / (steps - 1));
  const half = Math.floor(steps / 2);
  return Array.from({ length: steps }, (_, i) => (i < half ? f(s + f(step * i)) : f(e - f(step * (steps - i - 1)))));
}

/** torchvision's Posterize bits: (top − arange(bins) / ((bins − 1) / span)).round(), in f32, halves to even. */
function bitsTable(top: number, span: number): (bins: number) => number[] {
  return (bins) => {
    const f = Math.fround;
    const d = f((bins - 1) / span);
    return Array.from({ length: bins }, (_, k) => roundHalfEven(f(top - f(k / d))));
  };
}

const scaled = (limit: number) => (bins: number) => linspace(0, limit, bins);

/** The space AutoAugment and RandAugment share (torchvision's _AUGMENTATION_SPACE), without Identity or Invert. */
export const STANDARD_SPACE: readonly OpSpace[] = [
  { op: 'ShearX', magnitudes: scaled(0.3), signed: true },
  { op: 'ShearY', magnitudes: scaled(0.3), signed: true },
  { op: 'TranslateX', magnitudes: (bins, _h, w) => linspace(0, (150 / 331) * w, bins), signed: true },
  { op: 'TranslateY', magnitudes: (bins, h) => linspace(0, (150 / 331) * h, bins), signed: true },
  { op: 'Rotate', magnitudes: scaled(30), signed: true },
  { op: 'Brightness', magnitudes: scaled(0.9), signed: true },
  { op: 'Color', magnitudes: scaled(0.9), signed: true },
  { op: 'Contrast', magnitudes: scaled(0.9), signed: true },
  { op: 'Sharpness', magnitudes: scaled(0.9), signed: true },
  { op: 'Posterize', magnitudes: bitsTable(8, 4), signed: false },
  { op: 'Solarize', magnitudes: (bins) => linspace(1, 0, bins), signed: false },
  { op: 'AutoContrast', magnitudes: null, signed: false },
  { op: 'Equalize', magnitudes: null, signed: false },
];

export const IDENTITY: OpSpace = { op: 'Identity', magnitudes: null, signed: false };

/** TrivialAugmentWide's wider space. */
export const WIDE_SPACE: readonly OpSpace[] = [
  IDENTITY,
  { op: 'ShearX', magnitudes: scaled(0.99), signed: true },
  { op: 'ShearY', magnitudes: scaled(0.99), signed: true },
  { op: 'TranslateX', magnitudes: scaled(32), signed: true },
  { op: 'TranslateY', magnitudes: scaled(32), signed: true },
  { op: 'Rotate', magnitudes: scaled(135), signed: true },
  { op: 'Brightness', magnitudes: scaled(0.99), signed: true },
  { op: 'Color', magnitudes: scaled(0.99), signed: true },
  { op: 'Contrast', magnitudes: scaled(0.99), signed: true },
  { op: 'Sharpness', magnitudes: scaled(0.99), signed: true },
  { op: 'Posterize', magnitudes: bitsTable(8, 6), signed: false },
  { op: 'Solarize', magnitudes: (bins) => linspace(1, 0, bins), signed: false },
  { op: 'AutoContrast', magnitudes: null, signed: false },
  { op: 'Equalize', magnitudes: null, signed: false },
];

/** AugMix's space: its partial one, then with allOps the four colour ops. */
export const AUGMIX_PARTIAL_SPACE: readonly OpSpace[] = [
  { op: 'ShearX', magnitudes: scaled(0.3), signed: true },
  { op: 'ShearY', magnitudes: scaled(0.3), signed: true },
  { op: 'TranslateX', magnitudes: (bins, _h, w) => linspace(0, w / 3, bins), signed: true },
  { op: 'TranslateY', magnitudes: (bins, h) => linspace(0, h / 3, bins), signed: true },
  { op: 'Rotate', magnitudes: scaled(30), signed: true },
  { op: 'Posterize', magnitudes: bitsTable(4, 4), signed: false },
  { op: 'Solarize', magnitudes: (bins) => linspace(1, 0, bins), signed: false },
  { op: 'AutoContrast', magnitudes: null, signed: false },
  { op: 'Equalize', magnitudes: null, signed: false },
];
export const AUGMIX_SPACE: readonly OpSpace[] = [
  ...AUGMIX_PARTIAL_SPACE,
  ...(['Brightness', 'Color', 'Contrast', 'Sharpness'] as const).map((op) => ({ op, magnitudes: scaled(0.9), signed: true })),
];

/** The step an op of `space` takes at bin `bin` of `bins`: its magnitude, negated half the time where signed (torchvision draws the sign after the bin). */
export function stepAt(next: () => number, space: OpSpace, bin: number, bins: number, h: number, w: number): AugmentStep {
  if (!space.magnitudes) return { op: space.op, magnitude: 0 };
  const magnitude = space.magnitudes(bins, h, w)[bin];
  return { op: space.op, magnitude: space.signed && next() < 0.5 ? -magnitude : magnitude };
}

const OPS: ReadonlySet<string> = new Set(['Identity', 'ShearX', 'ShearY', 'TranslateX', 'TranslateY', 'Rotate', 'Brightness', 'Color', 'Contrast', 'Sharpness', 'Posterize', 'Solarize', 'AutoContrast', 'Equalize', 'Invert']);

/** A step given to apply, checked: a known op and a magnitude the op can take. */
export function checkStep(op: string, step: unknown): AugmentStep {
  const { op: name, magnitude } = (step ?? {}) as Partial<AugmentStep>;
  if (typeof name !== 'string' || !OPS.has(name) || typeof magnitude !== 'number' || !Number.isFinite(magnitude)) {
    throw new ValueError(`${op}: a step must be { op, magnitude } with op one of ${[...OPS].join(', ')} and a finite magnitude, got ${formatValue(step)}`);
  }
  const bad = (what: string) => new ValueError(`${op}: ${name}'s magnitude must be ${what}, got ${magnitude}`);
  if ((name === 'Brightness' || name === 'Color' || name === 'Contrast' || name === 'Sharpness') && magnitude < -1) throw bad('≥ −1 (a factor 1 + magnitude ≥ 0)');
  if (name === 'Posterize' && !(Number.isInteger(magnitude) && magnitude >= 0 && magnitude <= 8)) throw bad('an integer in [0, 8] (bits)');
  if (name === 'Solarize' && magnitude > 1) throw bad('≤ 1 (a threshold)');
  return { op: name, magnitude };
}

/** The batch [N, C, H, W] with sample n put through steps[n]; the samples taking one op go through it together. */
export function applySteps(op: string, x: Tensor, steps: readonly AugmentStep[], options: AugmentOptions): Tensor {
  const groups = new Map<AugmentOp, number[]>();
  steps.forEach((s, n) => groups.set(s.op, [...(groups.get(s.op) ?? []), n]));
  if (groups.size === 1) {
    const [[name, samples]] = groups;
    return applyOp(op, x, name, samples.map((n) => steps[n].magnitude), options);
  }
  return tidy(() => {
    const parts: Tensor[] = [];
    const order: number[] = [];
    for (const [name, samples] of groups) {
      const part = gather(x, indicesLike(op, x, Int32Array.from(samples), [samples.length]), 0);
      parts.push(applyOp(op, part, name, samples.map((n) => steps[n].magnitude), options));
      order.push(...samples);
    }
    // Where each sample ended up among the parts, to gather it back to its place.
    const back = new Int32Array(order.length);
    order.forEach((n, k) => (back[n] = k));
    return gather(concat(parts, 0), indicesLike(op, x, back, [back.length]), 0);
  });
}

/** One op on a batch [K, C, H, W], sample k at magnitudes[k]. */
function applyOp(op: string, x: Tensor, name: AugmentOp, magnitudes: readonly number[], options: AugmentOptions): Tensor {
  const k = magnitudes.length;
  const perSample = (values: readonly number[]) => constantLike(op, x, values, [k, 1, 1, 1]);
  const warped = (map: (m: number) => AffineParams, center?: [number, number]) =>
    warp(op, asBatch(op, x), magnitudes.map(map), { interpolation: options.interpolation, fill: options.fill, center });
  const shear = (m: number) => (Math.atan(m) * 180) / Math.PI;
  const still = { angle: 0, translate: [0, 0] as const, scale: 1, shear: [0, 0] as const };
  const [, c, h, w] = x.shape;
  switch (name) {
    case 'Identity':
      return x;
    case 'ShearX':
      return warped((m) => ({ ...still, shear: [shear(m), 0] }), [0, 0]);
    case 'ShearY':
      return warped((m) => ({ ...still, shear: [0, shear(m)] }), [0, 0]);
    case 'TranslateX':
      return warped((m) => ({ ...still, translate: [Math.trunc(m), 0] }));
    case 'TranslateY':
      return warped((m) => ({ ...still, translate: [0, Math.trunc(m)] }));
    case 'Rotate':
      // rotate's angle is counter-clockwise, affine's clockwise.
      return warped((m) => ({ ...still, angle: -m }));
    case 'Brightness':
      return blend(x, 0, perSample(magnitudes.map((m) => 1 + m)));
    case 'Color':
      return c === 1 ? x : blend(x, grayOf(op, x), perSample(magnitudes.map((m) => 1 + m)));
    case 'Contrast':
      return blend(x, grayMean(op, x), perSample(magnitudes.map((m) => 1 + m)));
    case 'Sharpness':
      return h <= 2 || w <= 2 ? x : blend(x, smoothed(op, x, k, c, h, w), perSample(magnitudes.map((m) => 1 + m)));
    case 'Posterize':
      return posterizeLevels(x, perSample(magnitudes.map((m) => 2 ** Math.trunc(m))));
    case 'Solarize':
      return where(greaterEqual(x, perSample(magnitudes)), sub(1, x), x);
    case 'AutoContrast':
      return autocontrast(x);
    case 'Equalize':
      return equalize(x);
    case 'Invert':
      return invert(x);
  }
}

/** The batch with sample n put through sequences[n] in order (a shorter sequence idles as Identity), each step checked. */
export function applySequences(op: string, x: Tensor, sequences: readonly (readonly AugmentStep[])[], options: AugmentOptions): Tensor {
  sequences.forEach((s, n) => {
    if (!Array.isArray(s)) throw new ValueError(`${op}: sample ${n}'s steps must be a list of { op, magnitude }, got ${formatValue(s)}`);
  });
  const depth = Math.max(0, ...sequences.map((s) => s.length));
  return tidy(() => {
    let y = x;
    for (let t = 0; t < depth; t++) {
      const steps = sequences.map((s) => (t < s.length ? checkStep(op, s[t]) : { op: 'Identity' as const, magnitude: 0 }));
      if (steps.every((s) => s.op === 'Identity')) continue;
      y = applySteps(op, y, steps, options);
    }
    return y;
  });
}

/** The policies' interpolation and fill, checked (fill's length waits for the images). */
export function checkAugmentOptions(op: string, options: AugmentOptions, interpolation: WarpInterpolation): Required<Pick<AugmentOptions, 'interpolation'>> & AugmentOptions {
  const all = { interpolation: options.interpolation ?? interpolation, fill: options.fill };
  checkWarpOptions(op, all);
  return all;
}

/** An integer in [lo, hi], named. */
export function integerIn(op: string, name: string, value: unknown, lo: number, hi: number): number {
  if (!Number.isInteger(value) || (value as number) < lo || (value as number) > hi) {
    throw new ValueError(`${op}: ${name} must be an integer in [${lo}, ${hi === Infinity ? '∞' : hi}], got ${formatValue(value)}`);
  }
  return value as number;
}
