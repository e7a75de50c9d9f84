// tm.fft's reach: every function of torch.fft (PyTorch 1.13, its dir() less
// the Tensor class) is there, numpy.fft's being a subset of them. The tests
// beside this one check what each computes; this one catches a name that
// goes missing.
import { describe, expect, it } from 'vitest';
import * as tm from '../../../src/index.js';

const TORCH_FFT = [
  'fft', 'fft2', 'fftfreq', 'fftn', 'fftshift', 'hfft', 'hfft2', 'hfftn', 'ifft', 'ifft2', 'ifftn', 'ifftshift', 'ihfft', 'ihfft2', 'ihfftn',
  'irfft', 'irfft2', 'irfftn', 'rfft', 'rfft2', 'rfftfreq', 'rfftn',
];

describe('tm.fft', () => {
  it('has every function of torch.fft (and so of numpy.fft)', () => {
    expect(TORCH_FFT.filter((name) => typeof (tm.fft as Record<string, unknown>)[name] !== 'function')).toEqual([]);
  });
});
