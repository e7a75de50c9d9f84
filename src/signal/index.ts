// tm.signal: torch's short-time Fourier transform and window functions
// (torch.stft, torch.istft, torch.hann_window and its kin, the rest of
// torch.signal.windows) and SciPy's fftconvolve and hilbert. Complex values
// are tm.fft's layout, a float tensor whose last axis holds (real,
// imaginary) pairs. Built from existing ops: no WGSL of its own.
export { stft } from './stft.js';
export type { StftOptions, StftPadMode } from './stft.js';
export { istft } from './istft.js';
export type { IstftOptions } from './istft.js';
export {
  bartlettWindow, blackmanWindow, cosineWindow, exponentialWindow, gaussianWindow, generalCosineWindow, generalHammingWindow, hammingWindow, hannWindow,
  kaiserWindow, nuttallWindow,
} from './windows.js';
export type { ExponentialOptions, GaussianOptions, GeneralCosineOptions, GeneralHammingOptions, HammingOptions, KaiserOptions, WindowOptions } from './windows.js';
export { fftconvolve, hilbert } from './fftconvolve.js';
export type { FftconvolveOptions, HilbertOptions } from './fftconvolve.js';
export { detrend } from './detrend.js';
export type { DetrendOptions, DetrendType } from './detrend.js';
export { csd, periodogram, welch } from './spectral.js';
export type { PeriodogramOptions, SpectralDensity, SpectralOptions, SpectralWindowName } from './spectral.js';
export { butter } from './butter.js';
export type { ButterOptions, ButterSosOptions, FilterCoefficients, FilterType } from './butter.js';
export { lfilter, lfilterWithState } from './lfilter.js';
export type { Coefficients, FilteredWithState, LfilterOptions } from './lfilter.js';
export { filtfilt, lfilterZi } from './filtfilt.js';
export type { CoefficientValues, FiltfiltOptions } from './filtfilt.js';
export { sosfilt, sosfiltfilt, sosfiltWithState, sosfiltZi } from './sosfilt.js';
export type { Sections, SosfiltOptions } from './sosfilt.js';
