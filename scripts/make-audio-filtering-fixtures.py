#!/usr/bin/python3
# The fixture test/audio/filtering.test.ts compares tm.audio's biquad
# filters and effects with: torchaudio 0.13's filtering functions on one
# fixed random waveform x [2, 3, 1001] in ±0.5 (and 4·x, to drive dcshift's
# limiter and contrast past ±1), each at a couple of settings, odd ones
# among them, some loud enough that lfilter's clamp to [−1, 1] engages; and
# the gradients of Σ out·w (w a fixed random weight) for a few of them.
# Run in float64 (torchaudio's float32 run computes the coefficients in
# float32 too, and is up to 2.7e-4 off this one: bass at 100 Hz, poles near
# z = 1; it prints each case's), saved as float32. To keep the
# file small each output and gradient keeps every STRIDE-th sample of each
# row (the first and the last among them): a filter's error carries on to
# the samples after it, and the test compares the same samples. Written as
# test/fixtures/audio/filtering.npz.
#
# Needs Debian's python3-torch python3-torchaudio python3-numpy; the tests
# need only the file it writes:
#   /usr/bin/python3 scripts/make-audio-filtering-fixtures.py   (from the repository root)
import os
import sys

import torch
import torchaudio.functional as F
import torchaudio.functional.filtering as filtering

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from npz import save_npz  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures', 'audio')
STRIDE = 10
torch.manual_seed(13)

# name: (function, whether it takes 4·x, positional arguments after the waveform, keyword arguments).
# The test repeats this table in tmnn's terms.
CASES = {
    'biquad': (F.biquad, False, (0.4, 0.2, -0.1, 1.2, -0.5, 0.3), {}),
    'biquad_loud': (F.biquad, False, (2.5, 1.0, 0.3, 1.0, -0.3, 0.1), {}),
    'lowpass': (F.lowpass_biquad, False, (44100, 3000.0), {}),
    'lowpass_nyquist': (F.lowpass_biquad, False, (8000, 3500.0), dict(Q=0.3)),
    'highpass': (F.highpass_biquad, False, (44100, 2000.0), {}),
    'highpass_q': (F.highpass_biquad, False, (16000, 150.0), dict(Q=2.5)),
    'bandpass': (F.bandpass_biquad, False, (44100, 1000.0), {}),
    'bandpass_skirt': (F.bandpass_biquad, False, (8000, 2500.0), dict(Q=4.0, const_skirt_gain=True)),
    'bandreject': (F.bandreject_biquad, False, (44100, 5000.0), {}),
    'bandreject_wide': (F.bandreject_biquad, False, (22050, 10000.0), dict(Q=0.2)),
    'allpass': (F.allpass_biquad, False, (44100, 3000.0), {}),
    'allpass_q': (F.allpass_biquad, False, (8000, 700.0), dict(Q=5.0)),
    'band': (F.band_biquad, False, (44100, 2000.0), {}),
    'band_noise': (F.band_biquad, False, (8000, 1200.0), dict(Q=3.0, noise=True)),
    'bass': (F.bass_biquad, False, (44100, 20.0), {}),
    'bass_cut': (F.bass_biquad, False, (8000, -12.0), dict(central_freq=300.0, Q=1.2)),
    'treble': (F.treble_biquad, False, (44100, 6.0), {}),
    'treble_cut': (F.treble_biquad, False, (16000, -15.0), dict(central_freq=5000.0, Q=0.5)),
    'equalizer': (F.equalizer_biquad, False, (44100, 1000.0, 18.0), {}),
    'equalizer_cut': (F.equalizer_biquad, False, (8000, 3000.0, -20.0), dict(Q=3.0)),
    'deemph_44100': (F.deemph_biquad, False, (44100,), {}),
    'deemph_48000': (F.deemph_biquad, False, (48000,), {}),
    'riaa_44100': (F.riaa_biquad, False, (44100,), {}),
    'riaa_96000': (F.riaa_biquad, False, (96000,), {}),
    'gain': (F.gain, False, (), {}),
    'gain_cut': (F.gain, False, (-20.0,), {}),
    'dcshift': (F.dcshift, False, (0.3,), {}),
    'dcshift_clamped': (F.dcshift, False, (-0.7,), {}),
    'dcshift_limiter': (F.dcshift, False, (0.6, 0.05), {}),
    'dcshift_limiter_down': (F.dcshift, False, (-0.8, 0.1), {}),
    'dcshift_limiter_loud': (F.dcshift, True, (0.02, 0.05), {}),
    'dcshift_limiter_loud_down': (F.dcshift, True, (-0.03, 0.05), {}),
    'contrast': (F.contrast, False, (), {}),
    'contrast_0': (F.contrast, False, (0.0,), {}),
    'contrast_loud': (F.contrast, True, (100.0,), {}),
    'overdrive': (F.overdrive, False, (), {}),
    'overdrive_colour': (F.overdrive, False, (5.0, 60.0), {}),
    'overdrive_soft': (F.overdrive, False, (-3.0, 0.0), {}),
}
GRADIENTS = ['lowpass', 'bass', 'equalizer', 'band_noise', 'dcshift_limiter_loud', 'contrast', 'overdrive']


def kept(t):
    return t.detach()[..., ::STRIDE].to(torch.float32).numpy()


def run(name, x, loop=None):
    fn, loud, args, kw = CASES[name]
    # dcshift writes into its input: a copy, not a leaf (which it may not write into).
    waveform = (4 * x if loud else x).clone()
    if loop is not None:
        filtering._overdrive_core_loop_cpu = loop
    try:
        return fn(waveform, *args, **kw)
    finally:
        filtering._overdrive_core_loop_cpu = FAST_OVERDRIVE


FAST_OVERDRIVE = filtering._overdrive_core_loop_cpu


def main():
    x = ((torch.rand(2, 3, 1001, dtype=torch.float64) * 2 - 1) * 0.5).to(torch.float32).to(torch.float64)
    w = torch.randn(2, 3, 1001, dtype=torch.float64).to(torch.float32).to(torch.float64)
    out = {'x': x.to(torch.float32).numpy(), 'w': w.to(torch.float32).numpy()}
    for name in CASES:
        y = run(name, x)
        y32 = run(name, x.to(torch.float32))
        clamped = (y.abs() >= 1).double().mean().item()
        print(f'{name:28s} |y| ≤ {y.abs().max().item():.3f}, clamped {clamped:.3f}, float32 run off by {(y32.double() - y).abs().max().item():.1e}')
        out[name] = kept(y)
    for name in GRADIENTS:
        leaf = x.clone().requires_grad_()
        # torchaudio's CPU overdrive loop records no gradient; its generic loop (the same recursion, in torch ops) does.
        y = run(name, leaf, filtering._overdrive_core_loop_generic if CASES[name][0] is F.overdrive else None)
        if CASES[name][0] is F.overdrive:
            assert torch.allclose(y, run(name, x), atol=1e-12)
        (y * w).sum().backward()
        # The gradient as to the waveform the function was given (4·x for the loud ones).
        out[f'{name}_grad'] = kept(leaf.grad / (4 if CASES[name][1] else 1))
    os.makedirs(OUT, exist_ok=True)
    path = os.path.join(OUT, 'filtering.npz')
    save_npz(path, out)
    print(f'{path}: {len(out)} arrays, {os.path.getsize(path)} bytes')


main()
