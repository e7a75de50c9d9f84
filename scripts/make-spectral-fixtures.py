#!/usr/bin/python3
# SciPy 1.10's spectral estimates, which test/signal/spectral.test.ts
# compares tm.signal.welch, csd, periodogram and detrend with: for each case
# of CASES (the test lists the same, in the same order) fixed random signals
# and SciPy's frequencies and estimate, float32 (csd's complex estimate as
# (re, im) pairs last), written as test/fixtures/signal/scipy_spectral.npz.
# For one case of each function, also the gradient of Σ estimate·w with
# respect to x, from the same estimate written in PyTorch (checked here
# against SciPy's values first), which SciPy cannot give.
#
# Needs Debian's python3-scipy, python3-torch and python3-numpy; the tests
# need only the file:
#   /usr/bin/python3 scripts/make-spectral-fixtures.py   (from the repository root)
import os
import sys
import warnings

import numpy as np
import scipy.signal as ss
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from npz import save_npz  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures', 'signal')
rng = np.random.default_rng(3)

# (function, x's shape, options in SciPy's names); a 'window' of 'array' is a random positive window of nperseg.
CASES = [
    ('welch', [3, 1000], dict(fs=100.0)),
    ('welch', [1000], dict(nperseg=100, noverlap=30, nfft=128, detrend='linear', scaling='spectrum')),
    ('welch', [300, 4], dict(nperseg=64, axis=0, average='median')),
    ('welch', [200], dict(nperseg=50, window='hamming', return_onesided=False, fs=8.0)),
    ('welch', [100], dict(window='blackman')),
    ('welch', [257], dict(nperseg=64, nfft=65, window='bartlett', detrend=False)),
    ('welch', [2, 3, 90], dict(nperseg=30, noverlap=0, window='array', average='median')),
    ('csd', [2, 500], dict(nperseg=128, fs=10.0)),
    ('csd', [400], dict(nperseg=64, average='median', return_onesided=False, detrend='linear')),
    ('periodogram', [2, 333], dict()),
    ('periodogram', [333], dict(nfft=200, window='hann')),
    ('periodogram', [333], dict(nfft=500, scaling='spectrum', fs=2.0)),
    ('detrend', [4, 50], dict(type='linear')),
    ('detrend', [50, 3], dict(type='constant', axis=0)),
    ('detrend', [7], dict()),
]


def f32(a):
    return np.asarray(a).astype(np.float32)


def as_pairs(z):
    return np.stack([z.real, z.imag], axis=-1)


def torch_welch(x, nperseg, noverlap, window, fs):
    """Welch's estimate, mean of hann-windowed, mean-detrended one-sided segments, density scaling, last axis: for gradients."""
    step = nperseg - noverlap
    count = (x.shape[-1] - noverlap) // step
    segments = torch.stack([x[..., k * step:k * step + nperseg] for k in range(count)], dim=-2)
    segments = (segments - segments.mean(-1, keepdim=True)) * window
    power = torch.fft.rfft(segments).abs() ** 2 / (fs * (window ** 2).sum())
    scale = torch.ones(power.shape[-1], dtype=power.dtype)
    scale[1:-1 if nperseg % 2 == 0 else None] = 2
    return (power * scale).mean(-2)


def main():
    out = {}
    for k, (fn, shape, options) in enumerate(CASES):
        x = f32(rng.standard_normal(shape) + np.linspace(0, 3, shape[-1]))
        out[f'x_{k}'] = x
        opts = dict(options)
        if opts.get('window') == 'array':
            w = f32(rng.uniform(0.2, 1.0, opts['nperseg']))
            out[f'window_{k}'] = w
            opts['window'] = w.astype(np.float64)
        x64 = x.astype(np.float64)
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')  # nperseg longer than the signal: SciPy cuts it, as tmnn does
            if fn == 'welch':
                freqs, density = ss.welch(x64, **opts)
            elif fn == 'periodogram':
                freqs, density = ss.periodogram(x64, **opts)
            elif fn == 'csd':
                y = f32(rng.standard_normal(shape))
                out[f'y_{k}'] = y
                freqs, density = ss.csd(x64, y.astype(np.float64), **opts)
                density = as_pairs(density)
            else:
                freqs, density = np.zeros(0), ss.detrend(x64, **opts)
        out[f'freqs_{k}'] = f32(freqs)
        out[f'density_{k}'] = f32(density)

    # The gradient of case 0 (welch, fs 100, nperseg 256 of hann, noverlap 128), by PyTorch's autograd.
    x = torch.tensor(out['x_0'], dtype=torch.float64, requires_grad=True)
    window = torch.tensor(ss.get_window('hann', 256), dtype=torch.float64)
    density = torch_welch(x, 256, 128, window, 100.0)
    assert np.allclose(density.detach().numpy(), out['density_0'], rtol=1e-5, atol=0), 'the PyTorch estimate is not SciPy\'s'
    w = torch.tensor(f32(rng.uniform(-1, 1, density.shape)), dtype=torch.float64)
    (grad,) = torch.autograd.grad((density * w).sum(), x)
    out['gradient_w_0'] = f32(w.numpy())
    out['gradient_0'] = f32(grad.numpy())
    os.makedirs(OUT, exist_ok=True)
    save_npz(os.path.join(OUT, 'scipy_spectral.npz'), out)


if __name__ == '__main__':
    main()
