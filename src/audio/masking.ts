// SpecAugment's masks (torchaudio's FrequencyMasking and TimeMasking,
// mask_along_axis and mask_along_axis_iid): a band of consecutive frequency
// bins or time frames set to a value, its width v drawn uniformly from
// [0, maskParam) and its start from [0, size − v), both truncated as
// torchaudio truncates them. The draws are made on the host from tmnn's
// seeded generator; the mask is one `where` on the device.
import { tidy } from '../engine.js';
import { ValueError, formatValue } from '../errors.js';
import { tensor } from '../ops/creation.js';
import { where } from '../ops/elementwise.js';
import { onBackendOf } from '../ops/util.js';
import { checkOptions } from '../options.js';
import { seedFor, uniform } from '../random.js';
import type { Tensor } from '../tensor.js';
import { checkFloatTensor } from './checks.js';

/** frequencyMasking's options. */
export interface MaskingOptions {
  /** A band of its own for each item of the leading axes, [channel] or [batch, channel] (default false: one band for the whole batch, torchaudio's default; torchaudio 0.13 draws per item only for 4-D input, 2.1 on for 3-D too, as here). */
  iidMasks?: boolean;
  /** What the band is set to (default 0). */
  maskValue?: number;
  /** The seed of the draws (default: the next from tm.setSeed's sequence, else random). */
  seed?: number;
}

/** timeMasking's options. */
export interface TimeMaskingOptions extends MaskingOptions {
  /** The most of the time axis one band may cover, as a fraction (default 1: maskParam alone bounds it). */
  p?: number;
}

function mask(op: string, spec: Tensor, maskParam: number, axisFromEnd: 1 | 2, options: TimeMaskingOptions): Tensor {
  const { iidMasks = false, maskValue = 0, seed, p = 1 } = options;
  checkFloatTensor(op, spec, 'specgram', 2, '[..., freq, time]');
  if (!Number.isSafeInteger(maskParam) || maskParam < 0) throw new ValueError(`${op}: maskParam must be a non-negative integer, got ${formatValue(maskParam)}`);
  if (!(p >= 0 && p <= 1)) throw new ValueError(`${op}: p must be in [0, 1], got ${formatValue(p)}`);
  if (typeof maskValue !== 'number') throw new ValueError(`${op}: maskValue must be a number, got ${formatValue(maskValue)}`);
  const axis = spec.rank - axisFromEnd;
  const size = spec.shape[axis];
  const widest = p === 1 ? maskParam : Math.min(maskParam, Math.floor(size * p));
  if (widest < 1) return spec.clone();
  const lead = iidMasks ? spec.shape.slice(0, -2) : [];
  const bands = lead.reduce((a, b) => a * b, 1);
  const draws = uniform(2 * bands, 0, 1, seedFor(op, seed));
  const masked = new Int8Array(bands * size);
  for (let b = 0; b < bands; b++) {
    const width = draws[2 * b] * widest;
    // A band wider than the axis starts before it (torchaudio's rule, start < 0): it is cut to the axis.
    const start = Math.trunc(draws[2 * b + 1] * (size - width));
    const [from, to] = [Math.max(0, start), Math.min(size, start + Math.trunc(width))];
    if (to > from) masked.fill(1, b * size + from, b * size + to);
  }
  // [...lead, 1…, size, 1] or [...lead, 1…, size]: broadcast over everything else.
  const shape = spec.shape.map((d, i) => (i < lead.length ? d : i === axis ? size : 1));
  return tidy(() => where(onBackendOf(op, spec, () => tensor(masked, shape)), maskValue, spec));
}

/**
 * specgram [..., freq, time] with a band of at most maskParam − 1
 * consecutive frequency bins set to maskValue (torchaudio's
 * FrequencyMasking, SpecAugment). Differentiable: no gradient reaches the band.
 */
export function frequencyMasking(specgram: Tensor, maskParam: number, options: MaskingOptions = {}): Tensor {
  const o = checkOptions('frequencyMasking', options, { iidMasks: 'boolean', maskValue: true, seed: true });
  return mask('frequencyMasking', specgram, maskParam, 2, o);
}

/** specgram [..., freq, time] with a band of at most maskParam − 1 consecutive time frames (and at most p of them) set to maskValue (torchaudio's TimeMasking). */
export function timeMasking(specgram: Tensor, maskParam: number, options: TimeMaskingOptions = {}): Tensor {
  const o = checkOptions('timeMasking', options, { iidMasks: 'boolean', maskValue: true, seed: true, p: true });
  return mask('timeMasking', specgram, maskParam, 1, o);
}
