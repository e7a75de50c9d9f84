// tm.signal: torch's short-time Fourier transform and window functions
// (torch.stft, torch.istft, torch.hann_window and its kin). Complex values
// are tm.fft's layout, a float tensor whose last axis holds (real,
// imaginary) pairs. Built from existing ops: no WGSL of its own.
export { stft } from './stft.js';
export type { StftOptions, StftPadMode } from './stft.js';
export { istft } from './istft.js';
export type { IstftOptions } from './istft.js';
export { bartlettWindow, blackmanWindow, hammingWindow, hannWindow, kaiserWindow } from './windows.js';
export type { HammingOptions, KaiserOptions, WindowOptions } from './windows.js';
