// Cepstral coefficients (torchaudio.transforms.MFCC and LFCC): the DCT-II of
// the log mel (or linear-filter) spectrogram, as a matrix product with
// createDct's matrix.
import { tidy } from '../engine.js';
import { ValueError, formatValue } from '../errors.js';
import { castTo, inF32 } from '../ops/fft/pairs.js';
import { tensor } from '../ops/creation.js';
import { add, log } from '../ops/elementwise.js';
import { matmul } from '../ops/matmul.js';
import { onBackendOf } from '../ops/util.js';
import { checkOptions } from '../options.js';
import type { Tensor } from '../tensor.js';
import { amplitudeToDB } from './decibels.js';
import { checkFloatTensor } from './checks.js';
import { linearFbanks } from './mel.js';
import { melSpectrogram, spectrogram, type MelSpectrogramOptions, type SpectrogramOptions } from './spectrogram.js';

/**
 * The DCT-II matrix [nMels, nMfcc] (torchaudio.functional.create_dct):
 * column k is cos(π/nMels·(n + ½)·k) over n, scaled to be orthonormal
 * ('ortho': √(2/nMels), column 0 by a further 1/√2) or doubled (null).
 */
export function createDct(nMfcc: number, nMels: number, norm: 'ortho' | null): Tensor {
  const op = 'createDct';
  for (const [name, v] of [['nMfcc', nMfcc], ['nMels', nMels]] as const) {
    if (!Number.isSafeInteger(v) || v < 1) throw new ValueError(`${op}: ${name} must be a positive integer, got ${formatValue(v)}`);
  }
  if (norm !== 'ortho' && norm !== null) throw new ValueError(`${op}: norm must be 'ortho' or null, got ${formatValue(norm)}`);
  const out = new Float32Array(nMels * nMfcc);
  for (let n = 0; n < nMels; n++) {
    for (let k = 0; k < nMfcc; k++) {
      const c = Math.cos((Math.PI / nMels) * (n + 0.5) * k);
      out[n * nMfcc + k] = norm === null ? 2 * c : c * Math.sqrt(2 / nMels) * (k === 0 ? Math.SQRT1_2 : 1);
    }
  }
  return tensor(out, [nMels, nMfcc]);
}

/** mfcc's options: torchaudio.transforms.MFCC's. */
export interface MfccOptions {
  /** Default 16000. */
  sampleRate?: number;
  /** Coefficients kept, at most the mel bins (default 40). */
  nMfcc?: number;
  /** Only 2 (the default), as torchaudio. */
  dctType?: 2;
  /** Default 'ortho'. */
  norm?: 'ortho' | null;
  /** ln(mel + 1e-6) instead of decibels floored 80 dB below the maximum (default false). */
  logMels?: boolean;
  /** The mel spectrogram's options (torchaudio's melkwargs; its sampleRate is the one above). */
  melOptions?: Omit<MelSpectrogramOptions, 'sampleRate'>;
}

/**
 * The MFCCs of waveform [..., time]: [..., nMfcc, time] (torchaudio.transforms.MFCC):
 * melSpectrogram, then amplitudeToDB with topDb 80 (or ln(· + 1e-6) with
 * logMels), then the DCT over the mel axis. Differentiable.
 */
export function mfcc(waveform: Tensor, options: MfccOptions = {}): Tensor {
  const op = 'mfcc';
  const { sampleRate = 16000, nMfcc = 40, dctType = 2, norm = 'ortho', logMels = false, melOptions = {} } = checkOptions(op, options, {
    sampleRate: true, nMfcc: true, dctType: true, norm: true, logMels: 'boolean', melOptions: true,
  });
  if (dctType !== 2) throw new ValueError(`${op}: dctType must be 2 (the only DCT type torchaudio has), got ${formatValue(dctType)}`);
  if (typeof melOptions !== 'object' || melOptions === null || Array.isArray(melOptions)) throw new ValueError(`${op}: melOptions must be an object of melSpectrogram's options, got ${formatValue(melOptions)}`);
  const nMels = (melOptions as MelSpectrogramOptions).nMels ?? 128;
  if (!Number.isSafeInteger(nMels) || nMels < 1) throw new ValueError(`${op}: melOptions.nMels must be a positive integer, got ${formatValue(nMels)}`);
  if (Number.isSafeInteger(nMfcc) && nMfcc > nMels) throw new ValueError(`${op}: nMfcc ${nMfcc} is more coefficients than the ${nMels} mel bins`);
  if ('sampleRate' in melOptions) throw new ValueError(`${op}: give sampleRate beside melOptions, not in it (torchaudio's melkwargs takes none either)`);
  checkFloatTensor(op, waveform, 'waveform', 1, '[..., time]');
  // In f32 throughout, cast back once: an f16 power spectrum overflows, and its decibels' floor with it.
  return tidy(() => {
    const mel = melSpectrogram(inF32(waveform), { ...melOptions, sampleRate });
    const logged = logMels ? log(add(mel, 1e-6)) : amplitudeToDB(mel, { topDb: 80 });
    const coefficients = matmul(onBackendOf(op, mel, () => createDct(nMfcc, nMels, norm)), logged, { transposeA: true });
    return castTo(coefficients, waveform.dtype);
  });
}

/** lfcc's options: torchaudio.transforms.LFCC's. */
export interface LfccOptions {
  /** Default 16000. */
  sampleRate?: number;
  /** Linear triangular filters (default 128). */
  nFilter?: number;
  /** Default 0. */
  fMin?: number;
  /** Default sampleRate/2 (rounded down). */
  fMax?: number;
  /** Coefficients kept, at most the filters (default 40). */
  nLfcc?: number;
  /** Only 2 (the default). */
  dctType?: 2;
  /** Default 'ortho'. */
  norm?: 'ortho' | null;
  /** ln(filtered + 1e-6) instead of decibels floored 80 dB below the maximum (default false). */
  logLf?: boolean;
  /** The spectrogram's options (torchaudio's speckwargs: nFft 400 by default; a one-sided power spectrum). */
  specOptions?: Omit<SpectrogramOptions, 'power' | 'onesided'>;
}

/**
 * The linear-frequency cepstral coefficients of waveform [..., time]:
 * [..., nLfcc, time] (torchaudio.transforms.LFCC): the power spectrogram
 * through linearFbanks' nFilter triangles, to decibels (topDb 80) or
 * ln(· + 1e-6), then the DCT. Computed in f32. Differentiable.
 */
export function lfcc(waveform: Tensor, options: LfccOptions = {}): Tensor {
  const op = 'lfcc';
  const { sampleRate = 16000, nFilter = 128, fMin = 0, fMax, nLfcc = 40, dctType = 2, norm = 'ortho', logLf = false, specOptions = {} } = checkOptions(op, options, {
    sampleRate: true, nFilter: true, fMin: true, fMax: true, nLfcc: true, dctType: true, norm: true, logLf: 'boolean', specOptions: true,
  });
  if (dctType !== 2) throw new ValueError(`${op}: dctType must be 2 (the only DCT type torchaudio has), got ${formatValue(dctType)}`);
  if (typeof specOptions !== 'object' || specOptions === null || Array.isArray(specOptions)) throw new ValueError(`${op}: specOptions must be an object of spectrogram's options, got ${formatValue(specOptions)}`);
  for (const key of ['power', 'onesided']) if (key in specOptions) throw new ValueError(`${op}: specOptions.${key} is not an option here: the filters take a one-sided power spectrum`);
  if (Number.isSafeInteger(nLfcc) && Number.isSafeInteger(nFilter) && nLfcc > nFilter) throw new ValueError(`${op}: nLfcc ${nLfcc} is more coefficients than the ${nFilter} filters`);
  checkFloatTensor(op, waveform, 'waveform', 1, '[..., time]');
  const nFft = specOptions.nFft ?? 400;
  return tidy(() => {
    const power = spectrogram(inF32(waveform), specOptions);
    const bank = onBackendOf(op, power, () => linearFbanks(Math.floor(nFft / 2) + 1, fMin, fMax ?? Math.floor(sampleRate / 2), nFilter, sampleRate));
    const filtered = matmul(bank, power, { transposeA: true });
    const logged = logLf ? log(add(filtered, 1e-6)) : amplitudeToDB(filtered, { topDb: 80 });
    const coefficients = matmul(onBackendOf(op, power, () => createDct(nLfcc, nFilter, norm)), logged, { transposeA: true });
    return castTo(coefficients, waveform.dtype);
  });
}
