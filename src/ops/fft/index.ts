// tm.fft: the discrete Fourier transforms of numpy.fft and torch.fft. tmnn
// has no complex dtype: a complex tensor is a float tensor whose last axis
// has size 2, (real, imaginary) pairs, torch.view_as_real's layout.
export { abs, angle, complex, conj, imag, polar, real } from './complex.js';
export { fft, fft2, fftn, hfft, hfft2, hfftn, ifft, ifft2, ifftn, ihfft, ihfft2, ihfftn, irfft, irfft2, irfftn, rfft, rfft2, rfftn } from './transforms.js';
export type { FftNorm, FftOptions, FftnOptions } from './transforms.js';
export { fftfreq, fftshift, ifftshift, rfftfreq } from './frequencies.js';
