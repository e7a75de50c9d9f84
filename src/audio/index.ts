// tm.audio: torchaudio's feature extraction and filtering
// (torchaudio.functional and its transforms, as functions with options):
// spectrograms and their inverse, mel filter banks, mel spectrograms and
// their least-squares inverse, decibels, MFCCs, deltas, μ-law, resampling,
// Griffin–Lim, pitch detection and shifting, loudness, sliding-window CMN,
// spectral centroids, SpecAugment's masks, time stretching, the biquad
// filters and SoX's effects; and the edit distance.
// Built on tm.signal's stft and istft and existing ops: no WGSL of its own,
// every backend, differentiable.
export { spectrogram, inverseSpectrogram, melSpectrogram } from './spectrogram.js';
export type { InverseSpectrogramOptions, MelSpectrogramOptions, SpectrogramFraming, SpectrogramNormalization, SpectrogramOptions } from './spectrogram.js';
export { hzToMel, linearFbanks, melScale, melscaleFbanks, melToHz } from './mel.js';
export type { MelFbankOptions, MelNorm, MelScaleKind, MelScaleOptions } from './mel.js';
export { inverseMelScale } from './inverse_mel.js';
export type { InverseMelScaleOptions } from './inverse_mel.js';
export { amplitudeToDB, dbToAmplitude } from './decibels.js';
export type { AmplitudeToDBOptions } from './decibels.js';
export { createDct, lfcc, mfcc } from './mfcc.js';
export type { LfccOptions, MfccOptions } from './mfcc.js';
export { computeDeltas } from './deltas.js';
export type { DeltaOptions } from './deltas.js';
export { muLawDecoding, muLawEncoding } from './mu_law.js';
export { resample } from './resample.js';
export type { ResampleOptions } from './resample.js';
export { griffinLim } from './griffin_lim.js';
export type { GriffinLimOptions } from './griffin_lim.js';
export { detectPitchFrequency } from './pitch.js';
export type { PitchOptions } from './pitch.js';
export { slidingWindowCmn } from './cmn.js';
export type { SlidingWindowCmnOptions } from './cmn.js';
export { spectralCentroid } from './spectral_centroid.js';
export type { SpectralCentroidOptions } from './spectral_centroid.js';
export { pitchShift } from './pitch_shift.js';
export type { PitchShiftOptions } from './pitch_shift.js';
export { editDistance } from './edit_distance.js';
export { loudness } from './loudness.js';
export { frequencyMasking, timeMasking } from './masking.js';
export type { MaskingOptions, TimeMaskingOptions } from './masking.js';
export { phaseVocoder, timeStretch } from './time_stretch.js';
export type { TimeStretchOptions } from './time_stretch.js';
export { biquad } from './filtering.js';
export { allpassBiquad, bandBiquad, bandpassBiquad, bandrejectBiquad, bassBiquad, deemphBiquad, equalizerBiquad, highpassBiquad, lowpassBiquad, riaaBiquad, trebleBiquad } from './biquads.js';
export type { BandBiquadOptions, BandpassBiquadOptions, BiquadOptions, ToneBiquadOptions } from './biquads.js';
export { contrast, dcshift, gain, overdrive } from './effects.js';
export type { ContrastOptions, DcshiftOptions, GainOptions, OverdriveOptions } from './effects.js';
