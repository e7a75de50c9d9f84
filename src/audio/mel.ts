// The mel scale and the triangular filter banks that map a spectrogram's
// linear frequency bins onto it (torchaudio.functional.melscale_fbanks and
// linear_fbanks, librosa's filters). A bank is a fixed matrix made from a
// few numbers, so it is computed on the host in float64 and uploaded once.
import { tidy } from '../engine.js';
import { ValueError, formatValue } from '../errors.js';
import { castTo, inF32 } from '../ops/fft/pairs.js';
import { tensor } from '../ops/creation.js';
import { matmul } from '../ops/matmul.js';
import { onBackendOf } from '../ops/util.js';
import { checkOptions } from '../options.js';
import type { Tensor } from '../tensor.js';
import { checkFloatTensor } from './checks.js';

/** 'htk': 2595·log10(1 + f/700). 'slaney': linear to 1 kHz (f/(200/3) mels), logarithmic above (Slaney's Auditory Toolbox, librosa's default). */
export type MelScaleKind = 'htk' | 'slaney';
/** 'slaney' scales each filter by 2/(its width in Hz), so that each passes about the same energy; null leaves their peaks at 1. */
export type MelNorm = 'slaney' | null;

/** melscaleFbanks' options. */
export interface MelFbankOptions {
  /** Default null. */
  norm?: MelNorm;
  /** Default 'htk'. */
  melScale?: MelScaleKind;
}

const SLANEY_STEP = 200 / 3;
const SLANEY_BREAK_HZ = 1000;
const SLANEY_BREAK_MEL = SLANEY_BREAK_HZ / SLANEY_STEP;
const SLANEY_LOG_STEP = Math.log(6.4) / 27;

function checkScale(op: string, melScale: unknown): MelScaleKind {
  if (melScale !== 'htk' && melScale !== 'slaney') throw new ValueError(`${op}: melScale must be 'htk' or 'slaney', got ${formatValue(melScale)}`);
  return melScale;
}

/** Hertz to mels on `melScale`'s scale. */
export function hzToMel(hz: number, melScale: MelScaleKind = 'htk'): number {
  if (checkScale('hzToMel', melScale) === 'htk') return 2595 * Math.log10(1 + hz / 700);
  return hz >= SLANEY_BREAK_HZ ? SLANEY_BREAK_MEL + Math.log(hz / SLANEY_BREAK_HZ) / SLANEY_LOG_STEP : hz / SLANEY_STEP;
}

/** Mels to hertz on `melScale`'s scale. */
export function melToHz(mel: number, melScale: MelScaleKind = 'htk'): number {
  if (checkScale('melToHz', melScale) === 'htk') return 700 * (10 ** (mel / 2595) - 1);
  return mel >= SLANEY_BREAK_MEL ? SLANEY_BREAK_HZ * Math.exp(SLANEY_LOG_STEP * (mel - SLANEY_BREAK_MEL)) : SLANEY_STEP * mel;
}

/** count evenly spaced values from a to b, both included. */
function spaced(a: number, b: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => (count === 1 ? a : i === count - 1 ? b : a + ((b - a) * i) / (count - 1)));
}

/**
 * [frequencies, filters]: filter m rises from corner m to m + 1 and falls to
 * m + 2 (hertz), each of the spectrogram's bins (evenly spaced from 0 to
 * sample_rate/2, torchaudio's integer division) weighted by where it falls.
 */
function triangles(nFreqs: number, sampleRate: number, corners: number[], scale: (m: number) => number): Float32Array {
  const filters = corners.length - 2;
  const freqs = spaced(0, Math.floor(sampleRate / 2), nFreqs);
  const out = new Float32Array(nFreqs * filters);
  for (let i = 0; i < nFreqs; i++) {
    for (let m = 0; m < filters; m++) {
      const down = (freqs[i] - corners[m]) / (corners[m + 1] - corners[m]);
      const up = (corners[m + 2] - freqs[i]) / (corners[m + 2] - corners[m + 1]);
      out[i * filters + m] = Math.max(0, Math.min(down, up)) * scale(m);
    }
  }
  return out;
}

function checkBank(op: string, counts: Record<string, number>, fMin: number, fMax: number, sampleRate: number): void {
  for (const [name, v] of Object.entries(counts)) if (!Number.isSafeInteger(v) || v < 1) throw new ValueError(`${op}: ${name} must be a positive integer, got ${formatValue(v)}`);
  if (!(sampleRate > 0) || !Number.isFinite(sampleRate)) throw new ValueError(`${op}: sampleRate must be a positive number, got ${formatValue(sampleRate)}`);
  if (!Number.isFinite(fMin) || !Number.isFinite(fMax) || !(fMin >= 0) || !(fMin <= fMax)) {
    throw new ValueError(`${op}: the band must be 0 ≤ fMin ≤ fMax, got fMin ${formatValue(fMin)} and fMax ${formatValue(fMax)}`);
  }
}

/**
 * The mel filter bank [nFreqs, nMels] (torchaudio.functional.melscale_fbanks):
 * nMels triangles whose nMels + 2 corners are evenly spaced in mels from
 * fMin to fMax, over nFreqs bins from 0 to sampleRate/2. A spectrogram
 * [..., nFreqs, time] becomes a mel one by bankᵀ·spec (see melScale).
 */
export function melscaleFbanks(nFreqs: number, fMin: number, fMax: number, nMels: number, sampleRate: number, options: MelFbankOptions = {}): Tensor {
  return tensor(melBankValues('melscaleFbanks', nFreqs, fMin, fMax, nMels, sampleRate, options), [nFreqs, nMels]);
}

/** melscaleFbanks' values, on the host, row-major [nFreqs, nMels]; `op` names the caller in errors. */
export function melBankValues(op: string, nFreqs: number, fMin: number, fMax: number, nMels: number, sampleRate: number, options: MelFbankOptions): Float32Array {
  const { norm = null, melScale = 'htk' } = checkOptions(op, options, { norm: true, melScale: true });
  checkBank(op, { nFreqs, nMels }, fMin, fMax, sampleRate);
  if (norm !== null && norm !== 'slaney') throw new ValueError(`${op}: norm must be 'slaney' or null, got ${formatValue(norm)}`);
  const scale = checkScale(op, melScale);
  const corners = spaced(hzToMel(fMin, scale), hzToMel(fMax, scale), nMels + 2).map((m) => melToHz(m, scale));
  return triangles(nFreqs, sampleRate, corners, norm === 'slaney' ? (m) => 2 / (corners[m + 2] - corners[m]) : () => 1);
}

/** The linear filter bank [nFreqs, nFilters] (torchaudio.functional.linear_fbanks): melscaleFbanks' triangles with corners evenly spaced in hertz. */
export function linearFbanks(nFreqs: number, fMin: number, fMax: number, nFilters: number, sampleRate: number): Tensor {
  checkBank('linearFbanks', { nFreqs, nFilters }, fMin, fMax, sampleRate);
  return tensor(triangles(nFreqs, sampleRate, spaced(fMin, fMax, nFilters + 2), () => 1), [nFreqs, nFilters]);
}

/** melScale's options: torchaudio.transforms.MelScale's. */
export interface MelScaleOptions extends MelFbankOptions {
  /** Default 128. */
  nMels?: number;
  /** Default 16000. */
  sampleRate?: number;
  /** Default 0. */
  fMin?: number;
  /** Default sampleRate/2 (rounded down). */
  fMax?: number;
}

/** A spectrogram [..., freq, time] (real) on the mel scale: [..., nMels, time] (torchaudio.transforms.MelScale). Differentiable. */
export function melScale(spec: Tensor, options: MelScaleOptions = {}): Tensor {
  const op = 'melScale';
  const { nMels = 128, sampleRate = 16000, fMin = 0, fMax, norm, melScale: scale } = checkOptions(op, options, { nMels: true, sampleRate: true, fMin: true, fMax: true, norm: true, melScale: true });
  checkFloatTensor(op, spec, 'spec', 2, '[..., freq, time]');
  return tidy(() => {
    const bank = onBackendOf(op, spec, () => melscaleFbanks(spec.shape[spec.rank - 2], fMin, fMax ?? Math.floor(sampleRate / 2), nMels, sampleRate, { norm, melScale: scale }));
    return castTo(matmul(bank, inF32(spec), { transposeA: true }), spec.dtype);
  });
}
