// Fractional max pooling (Graham, "Fractional Max-Pooling", 2014), as
// PyTorch's fractional_max_pool2d and fractional_max_pool3d: windows of a
// fixed size whose starts step along each axis by α = (in − k)/(out − 1) on
// average, so an image can shrink by any ratio, not only by an integer
// stride. The steps are pseudo-random, from one uniform u per axis for each
// plane (a sample's channel):
//   start[i] = trunc((i + u)·α) − trunc(u·α) for i < out − 1, start[out − 1] = in − k
// (an output of 1 takes the last window alone). The starts are worked out in
// f32 as PyTorch's CPU kernel works them for f32 input (α the f32 quotient
// of the sizes as f32, each sum and product rounded), so with PyTorch's
// samples the windows are its windows; for f16 x too (PyTorch's CUDA kernel
// works in f32 for f16; its CPU kernel takes no f16). They are worked out
// on x's backend with elementwise ops, so webgpu never waits to read the
// samples back. The windows' values are then gathered, a run of windows at a
// time (largestIn), and argmax picks each maximum (no kernel of its own);
// the values are read once more at the positions picked, so that the
// gradient goes to those alone, as PyTorch's.
import { backendFor, tidy } from '../engine.js';
import { isFloat } from '../dtype.js';
import { DTypeError, ShapeError, ValueError, formatShape, formatValue } from '../errors.js';
import { checkOptions, type OptionNames } from '../options.js';
import { checkSeed, seedFor } from '../random.js';
import { noGrad } from '../tape.js';
import type { Tensor } from '../tensor.js';
import { cast } from './cast.js';
import { arange, rand } from './creation.js';
import { add, maximum, minimum, mul, sub, trunc } from './elementwise.js';
import { concat, gatherOrZero, reshape, slice } from './movement.js';
import { argmax } from './reduce.js';
import type { PooledWithIndices } from './unpool.js';
import { checkTensor, fromStorageArray, heldValues, onBackendOf } from './util.js';
import { IMAGES, asImages, sizesOf, type Size2d } from './windows.js';
import { asVolumes, triplesOf, type Size3d } from './volumes.js';

/** A ratio of the output's size to x's, in (0, 1): one for every axis, or one per axis. */
export type Ratio2d = number | readonly [number, number];
export type Ratio3d = number | readonly [number, number, number];

interface FractionalPoolCommon {
  /**
   * PyTorch's `_random_samples`: [N, C, 2] (3d: [N, C, 3]; N = 1 for x without
   * its batch axis), f32 or f16 uniforms in [0, 1), one per axis for each
   * plane of x. In PyTorch's order: over images [..., 0] steps the width and
   * [..., 1] the height; over volumes [..., 0] the depth, [..., 1] the height,
   * [..., 2] the width. A value outside [0, 1) is an error where the samples
   * can be read at once (js, native); on a GPU its windows are kept inside x.
   * Default: drawn with `seed`.
   */
  randomSamples?: Tensor;
  /**
   * Without randomSamples, the seed they are drawn with: they are then
   * tm.rand([N, C, 2 or 3], { seed })'s, the same on every backend. Default:
   * the next from tm.setSeed's sequence.
   */
  seed?: number;
}

/**
 * fractionalMaxPool2d's options: the output's size, either as outputSize
 * ([height, width], or one number for both) or as outputRatio (the output's
 * size ⌊x's · ratio⌋ along each axis), not both.
 */
export type FractionalMaxPool2dOptions = FractionalPoolCommon & ({ outputSize: Size2d; outputRatio?: undefined } | { outputRatio: Ratio2d; outputSize?: undefined });

/** fractionalMaxPool3d's options: outputSize [depth, height, width] (or one number) or outputRatio, not both. */
export type FractionalMaxPool3dOptions = FractionalPoolCommon & ({ outputSize: Size3d; outputRatio?: undefined } | { outputRatio: Ratio3d; outputSize?: undefined });

/** Either pooling's options, as the layers pass them (checked as the ops check them). */
export type AnyFractionalOptions = FractionalPoolCommon & { outputSize?: Size2d | Size3d; outputRatio?: Ratio2d | Ratio3d };

const OPTIONS: OptionNames<AnyFractionalOptions> = { outputSize: true, outputRatio: true, randomSamples: true, seed: true };

/** What differs between pooling over images and over volumes. */
interface FractionalAxes {
  readonly names: readonly string[];
  /** For each axis, the component of a plane's samples that steps it (PyTorch's order). */
  readonly sampleOf: readonly number[];
  /** A size option read as one integer per axis, ≥ least. */
  readonly sizes: (op: string, name: string, v: unknown, least: number) => number[];
  /** x as a batch [N, C, ...extent], and the layout back. */
  readonly batched: (op: string, x: Tensor) => { batch: Tensor; unbatch: (y: Tensor) => Tensor };
}

const OVER_IMAGES: FractionalAxes = {
  names: ['height', 'width'],
  sampleOf: [1, 0],
  sizes: (op, name, v, least) => sizesOf(op, name, v, least, IMAGES, least),
  batched: (op, x) => {
    const { images, unbatch } = asImages(op, IMAGES, x);
    return { batch: images, unbatch };
  },
};

const OVER_VOLUMES: FractionalAxes = {
  names: ['depth', 'height', 'width'],
  sampleOf: [0, 1, 2],
  sizes: triplesOf,
  batched: (op, x) => {
    const { volumes, unbatch } = asVolumes(op, x);
    return { batch: volumes, unbatch };
  },
};

/** A pooling's sizes as given: the window, and the output's size or its ratio to x's, each one number per axis. */
export interface FractionalSizes {
  readonly kernel: number[];
  readonly outputSize?: number[];
  readonly outputRatio?: number[];
}

/** The window and the output's size or ratio, checked (a layer checks them when made, before it sees x). */
export function fractionalSizes(op: string, count: 2 | 3, kernelSize: unknown, options: { outputSize?: unknown; outputRatio?: unknown }): FractionalSizes {
  const axes = count === 2 ? OVER_IMAGES : OVER_VOLUMES;
  const kernel = axes.sizes(op, 'kernelSize', kernelSize, 1);
  const { outputSize, outputRatio } = options;
  if (outputSize !== undefined && outputRatio !== undefined) throw new ValueError(`${op}: give outputSize or outputRatio, not both`);
  if (outputSize !== undefined) return { kernel, outputSize: axes.sizes(op, 'outputSize', outputSize, 1) };
  if (outputRatio === undefined) throw new ValueError(`${op}: needs outputSize (the output's ${axes.names.join(', ')}) or outputRatio (its size over x's, in (0, 1))`);
  const ratios = typeof outputRatio === 'number' ? axes.names.map(() => outputRatio) : outputRatio;
  if (!Array.isArray(ratios) || ratios.length !== count || ratios.some((r) => typeof r !== 'number' || !(r > 0 && r < 1))) {
    throw new ValueError(`${op}: outputRatio must be a number in (0, 1) or [${axes.names.join(', ')}] of them, got ${formatValue(outputRatio)}`);
  }
  return { kernel, outputRatio: [...(ratios as number[])] };
}

/**
 * Fractional max pooling over images x [N, C, H, W] (or [C, H, W]): the
 * largest value of each kernelSize window, the windows' starts stepping
 * pseudo-randomly so that the output is outputSize (or x's size times
 * outputRatio, rounded down), as PyTorch's F.fractional_max_pool2d. Each
 * window lies inside x, so outputSize + kernelSize − 1 may not exceed x's
 * size. Differentiable in x: the gradient goes to the value each output took.
 */
export function fractionalMaxPool2d(x: Tensor, kernelSize: Size2d, options: FractionalMaxPool2dOptions): Tensor {
  return valuesOnly(fractionalPool('fractionalMaxPool2d', OVER_IMAGES, x, kernelSize, options));
}

/**
 * fractionalMaxPool2d, with the position (i32, in its channel's H×W plane of
 * x: h·W + w) of each window's maximum, as PyTorch's return_indices=True:
 * indices maxUnpool2d takes. A tie goes to the window's first tap in row
 * order, as PyTorch's; a NaN to the window's first NaN (PyTorch's CPU
 * kernel takes its last).
 */
export function fractionalMaxPool2dWithIndices(x: Tensor, kernelSize: Size2d, options: FractionalMaxPool2dOptions): PooledWithIndices {
  return fractionalPool('fractionalMaxPool2dWithIndices', OVER_IMAGES, x, kernelSize, options);
}

/** fractionalMaxPool2d over volumes x [N, C, D, H, W] (or [C, D, H, W]), as PyTorch's F.fractional_max_pool3d. */
export function fractionalMaxPool3d(x: Tensor, kernelSize: Size3d, options: FractionalMaxPool3dOptions): Tensor {
  return valuesOnly(fractionalPool('fractionalMaxPool3d', OVER_VOLUMES, x, kernelSize, options));
}

/** fractionalMaxPool3d with each maximum's position in its channel's D×H×W volume of x (d·H·W + h·W + w), i32. */
export function fractionalMaxPool3dWithIndices(x: Tensor, kernelSize: Size3d, options: FractionalMaxPool3dOptions): PooledWithIndices {
  return fractionalPool('fractionalMaxPool3dWithIndices', OVER_VOLUMES, x, kernelSize, options);
}

function valuesOnly({ values, indices }: PooledWithIndices): Tensor {
  indices.dispose();
  return values;
}

/** Fractional max pooling over images (count 2) or volumes (3), errors naming `op` (a layer's kind where a layer calls). */
export function fractionalMaxPool(op: string, count: 2 | 3, x: Tensor, kernelSize: Size2d | Size3d, options: AnyFractionalOptions): PooledWithIndices {
  return fractionalPool(op, count === 2 ? OVER_IMAGES : OVER_VOLUMES, x, kernelSize, options);
}

function fractionalPool(op: string, axes: FractionalAxes, x: Tensor, kernelSize: Size2d | Size3d, options: AnyFractionalOptions): PooledWithIndices {
  const opts = checkOptions(op, options, OPTIONS);
  const count = axes.names.length as 2 | 3;
  const sizes = fractionalSizes(op, count, kernelSize, opts);
  if (opts.seed !== undefined) {
    checkSeed(op, opts.seed);
    if (opts.randomSamples !== undefined) throw new ValueError(`${op}: give randomSamples or a seed to draw them with, not both`);
  }
  return tidy(() => {
    const { batch, unbatch } = axes.batched(op, x);
    const [n, channels, ...extent] = batch.shape;
    const { kernel } = sizes;
    const out = outputSizes(op, axes, x, extent, sizes);
    const planes = n * channels;
    const plane = extent.reduce((a, b) => a * b, 1);
    if (planes * plane >= 2 ** 31) throw new ShapeError(`${op}: x ${formatShape(x.shape)} has ${planes * plane} values, more than an i32 index names (2^31)`);
    // A step along axis a moves `strides[a]` values in a plane (row-major).
    const strides = extent.map((_, a) => extent.slice(a + 1).reduce((p, d) => p * d, 1));
    const positions = out.reduce((a, b) => a * b, 1);
    const flat = reshape(batch, [planes * plane]);
    const firsts = onBackendOf(op, x, () => fromStorageArray(Int32Array.from({ length: planes }, (_, p) => p * plane), [planes, 1], 'i32'));
    const picked = noGrad(() => {
      const samples = samplesFor(op, axes, x, opts, n, channels);
      // Each window's first value, as a position in its plane: the sum over the axes of start · stride, [planes, ...out].
      const corners = axes.names
        .map((_, a) => {
          const starts = startsAlong(op, slice(samples, [0, axes.sampleOf[a]], [planes, 1]), extent[a], kernel[a], out[a]); // [planes, out[a]]
          return reshape(mul(starts, strides[a]), [planes, ...out.map((o, b) => (b === a ? o : 1))]);
        })
        .reduce((sum, term) => add(sum, term));
      // ... and as a position in x flattened, [planes · positions].
      const starts = reshape(add(reshape(corners, [planes, positions]), firsts), [planes * positions]);
      return largestIn(op, flat, starts, tapStepsOf(kernel, strides));
    });
    // The values read again at the positions found, so that the gradient goes to them alone, as PyTorch's (a max would share a tie).
    const values = gatherOrZero(flat, picked, 0);
    const indices = sub(reshape(picked, [planes, positions]), firsts);
    return { values: unbatch(reshape(values, [n, channels, ...out])), indices: unbatch(reshape(indices, [n, channels, ...out])) };
  });
}

/** The output's size along each axis, checked against x: every window inside it, and the starts able to step (PyTorch's check). */
function outputSizes(op: string, axes: FractionalAxes, x: Tensor, extent: readonly number[], sizes: FractionalSizes): number[] {
  const { kernel, outputSize, outputRatio } = sizes;
  const out = outputSize ?? extent.map((d, a) => Math.floor(d * outputRatio![a]));
  if (kernel.some((k, a) => k > extent[a])) throw new ShapeError(`${op}: a ${kernel.join('×')} window does not fit in x ${formatShape(x.shape)}`);
  axes.names.forEach((name, a) => {
    if (out[a] < 1) throw new ShapeError(`${op}: an outputRatio of ${outputRatio![a]} along the ${name} leaves no output for x ${formatShape(x.shape)} (⌊${extent[a]} · ${outputRatio![a]}⌋ = 0)`);
    if (out[a] + kernel[a] - 1 > extent[a]) {
      throw new ShapeError(
        `${op}: ${out[a]} windows of ${kernel[a]} along the ${name} need x's ${name} ≥ output + kernel − 1 = ${out[a] + kernel[a] - 1}, but x ${formatShape(x.shape)} has ${extent[a]}`,
      );
    }
  });
  return out;
}

/** The plane's uniforms as [planes, axes] f32: randomSamples checked, or drawn. */
function samplesFor(op: string, axes: FractionalAxes, x: Tensor, opts: AnyFractionalOptions, n: number, channels: number): Tensor {
  const count = axes.names.length;
  const shape = [n, channels, count];
  const given = opts.randomSamples;
  if (given === undefined) {
    const seed = seedFor(op, opts.seed);
    return onBackendOf(op, x, () => rand([n * channels, count], { seed }));
  }
  checkTensor(op, given, 'randomSamples');
  backendFor(op, [x.dataRef(op), given.dataRef(op)]); // x and the samples on one backend, or an error naming this op
  if (!isFloat(given.dtype)) throw new DTypeError(`${op}: randomSamples must be f32 or f16 uniforms in [0, 1), got ${given.dtype}`);
  if (given.rank !== 3 || given.shape.some((d, i) => d !== shape[i])) {
    throw new ShapeError(`${op}: randomSamples must be [N, C, ${count}] = ${formatShape(shape)} for x ${formatShape(x.shape)} (a uniform per axis for each channel of each sample), got ${formatShape(given.shape)}`);
  }
  const samples = reshape(cast(given, 'f32'), [n * channels, count]);
  // Only where the values are at hand (js, native): on webgpu the test would wait for the GPU.
  const held = heldValues(op, samples);
  if (held) {
    for (let i = 0; i < samples.size; i++) {
      if (!(held[i] >= 0 && held[i] < 1)) throw new ValueError(`${op}: randomSamples must be uniforms in [0, 1), got ${held[i]} at ${i} of ${formatShape(given.shape)}`);
    }
  }
  return samples;
}

/** The most window values largestIn reads at once: 16 MiB of f32 values and as much of i32 positions, well within a GPU's binding limit (128 MiB on lavapipe and in browsers). */
const VALUES_AT_ONCE = 2 ** 22;

/**
 * Where the largest value of each window lies in x flattened (the first
 * of a tie, the first NaN, as argmax picks): the windows start at `starts`
 * [W] (i32) and take the taps `tapSteps` from there. The windows' values are
 * gathered [windows, taps] a run of windows at a time, so that no tensor is
 * more than VALUES_AT_ONCE values whatever x's size and the window's: one
 * larger than a binding could not be read on a GPU, and on the CPUs the runs
 * hold less memory at once.
 */
function largestIn(op: string, flat: Tensor, starts: Tensor, tapSteps: Int32Array): Tensor {
  const windows = starts.shape[0];
  const taps = tapSteps.length;
  const steps = onBackendOf(op, flat, () => fromStorageArray(tapSteps, [1, taps], 'i32'));
  const run = Math.max(1, Math.floor(VALUES_AT_ONCE / taps));
  const runs: Tensor[] = [];
  for (let first = 0; first === 0 || first < windows; first += run) {
    const count = Math.min(run, windows - first);
    runs.push(
      tidy(() => {
        const firstTaps = reshape(slice(starts, [first], [count]), [count, 1]);
        const values = gatherOrZero(flat, add(firstTaps, steps), 0); // [count, taps]
        return add(reshape(firstTaps, [count]), gatherOrZero(reshape(steps, [taps]), argmax(values, 1), 0));
      }),
    );
  }
  return runs.length === 1 ? runs[0] : concat(runs, 0);
}

/**
 * The windows' starts along an axis of `size` for one sample u per plane (u
 * [planes, 1] f32): [planes, out] i32, in f32 arithmetic as PyTorch's
 * generate_intervals for f32 input. Kept within [0, size − kernel]: only a
 * sample outside [0, 1) (unchecked on a GPU) could step outside.
 */
function startsAlong(op: string, u: Tensor, size: number, kernel: number, out: number): Tensor {
  const planes = u.shape[0];
  const last = onBackendOf(op, u, () => fromStorageArray(new Int32Array(planes).fill(size - kernel), [planes, 1], 'i32'));
  if (out === 1) return last;
  // One f32 division of the sizes as f32, as PyTorch's: past 2^24 a size rounds first (16777217 is 16777216 in f32),
  // so the exact quotient rounded once would differ. (Below it the double quotient rounds to f32 as the f32 division would.)
  const alpha = Math.fround(Math.fround(size - kernel) / Math.fround(out - 1));
  const steps = onBackendOf(op, u, () => arange(0, out - 1, 1, { dtype: 'f32' })); // [out − 1]
  const starts = sub(trunc(mul(add(steps, u), alpha)), trunc(mul(u, alpha)));
  const kept = maximum(minimum(cast(starts, 'i32'), size - kernel), 0);
  return concat([kept, last], 1);
}

/** Each tap of a window as a step from its first value in a row-major plane of `strides`. */
function tapStepsOf(kernel: readonly number[], strides: readonly number[]): Int32Array {
  let steps = [0];
  kernel.forEach((k, a) => {
    steps = steps.flatMap((s) => Array.from({ length: k }, (_, t) => s + t * strides[a]));
  });
  return Int32Array.from(steps);
}
