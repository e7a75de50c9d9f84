#!/usr/bin/python3
# The fixtures test/audio/ compares tm.audio's pitch detection (and its
# NCCF), sliding-window CMN, spectral centroid, pitch shifting and loudness
# with: torchaudio 0.13's detect_pitch_frequency, sliding_window_cmn (values,
# run in float64, and a gradient without norm_vars), spectral_centroid,
# pitch_shift and loudness on fixed signals, written as
# test/fixtures/audio/features.npz (float32).
#
# Needs Debian's python3-torch python3-torchaudio python3-numpy; the tests
# need only the file it writes:
#   /usr/bin/python3 scripts/make-audio-feature-fixtures.py   (from the repository root)
import math
import os
import sys

import numpy as np
import torch
import torchaudio.functional as F
from torchaudio.functional.functional import _compute_nccf

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from npz import save_npz  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures', 'audio')
torch.manual_seed(11)


def f32(t):
    return t.detach().to(torch.float32).numpy()


def voiced(sample_rate, seconds, f0s, vibrato):
    """Rows of harmonic tones (3 harmonics), each a base pitch with a slow vibrato, with a little noise."""
    t = torch.arange(int(sample_rate * seconds), dtype=torch.float64) / sample_rate
    rows = []
    for f0 in f0s:
        # The phase of a pitch f0·(1 + vibrato·sin(2π·3t)).
        phase = 2 * math.pi * f0 * (t - vibrato * torch.cos(2 * math.pi * 3 * t) / (2 * math.pi * 3))
        tone = sum(torch.sin(k * phase) / k for k in (1, 2, 3))
        rows.append(0.3 * tone + 0.01 * torch.randn(t.shape, dtype=torch.float64))
    return torch.stack(rows).to(torch.float32)


def pitch():
    out = {}
    # Two voices [2, 1, time] at 16 kHz, torchaudio's defaults.
    wave = voiced(16000, 0.5, [110, 400], 0.03).reshape(2, 1, -1)
    out['pitch_wave'] = f32(wave)
    out['pitch_default'] = f32(F.detect_pitch_frequency(wave, 16000))
    out['pitch_tuned'] = f32(F.detect_pitch_frequency(wave, 16000, frame_time=0.02, win_length=7, freq_low=60, freq_high=1000))
    # 8 kHz, a length that does not fill the last frame, an even window.
    wave8 = voiced(8000, 0.613, [180, 260], 0.05)
    out['pitch_wave8'] = f32(wave8)
    out['pitch_8k'] = f32(F.detect_pitch_frequency(wave8, 8000, win_length=4, freq_high=2000))
    # The NCCF itself, on noise: a length that does not fill the last frame.
    noise = torch.randn(2, 517)
    out['nccf_wave'] = f32(noise)
    out['nccf'] = f32(_compute_nccf(noise, 4000, 0.01, 100))
    return out


# (name, keyword arguments) for sliding_window_cmn on features [2, 120, 7]
CMNS = [
    ('default', {}),
    ('left', dict(cmn_window=50, min_cmn_window=20)),
    ('left_vars', dict(cmn_window=50, min_cmn_window=20, norm_vars=True)),
    ('center', dict(cmn_window=31, center=True)),
    ('center_vars', dict(cmn_window=31, center=True, norm_vars=True)),
    ('short_min', dict(cmn_window=7, min_cmn_window=3, norm_vars=True)),
]


def cmn():
    out = {}
    # Features with a drifting mean, as MFCCs over an utterance have.
    feats = (torch.randn(2, 120, 7) + torch.linspace(-3, 3, 120).reshape(1, 120, 1) + 5).to(torch.float32)
    out['cmn_feats'] = f32(feats)
    # Run in float64: in float32 torchaudio's own running sums of squares cancel, 7e-5 off its float64 results here.
    for name, kwargs in CMNS:
        out[f'cmn_{name}'] = f32(F.sliding_window_cmn(feats.double(), **kwargs))
    x = feats.clone().requires_grad_(True)
    weight = torch.randn(2, 120, 7)
    # With norm_vars torchaudio's in-place running sums cannot be differentiated: the means only.
    (F.sliding_window_cmn(x, cmn_window=50, min_cmn_window=20) * weight).sum().backward()
    out['cmn_grad_weight'] = f32(weight)
    out['cmn_grad'] = f32(x.grad)
    # One utterance [time, freq], shorter than the least window.
    out['cmn_single'] = f32(F.sliding_window_cmn(feats[0, :40].double(), cmn_window=60, min_cmn_window=50))
    return out


def centroid():
    wave = torch.randn(2, 1001)
    window = torch.hann_window(100)
    return {
        'centroid_wave': f32(wave),
        'centroid': f32(F.spectral_centroid(wave, 16000, pad=3, window=window, n_fft=128, hop_length=40, win_length=100)),
        'centroid_default': f32(F.spectral_centroid(wave, 8000, pad=0, window=torch.hann_window(400), n_fft=400, hop_length=200, win_length=400)),
    }


# (name, length, n_steps, keyword arguments) for pitch_shift at 16 kHz
PITCH_SHIFTS = [
    ('up4', 2001, 4, {}),
    ('down3.5', 2001, -3.5, dict(n_fft=256, win_length=200, hop_length=50)),
    ('octave_down', 1501, -12, {}),  # rate 2: the stretched length 750.5 rounds half to even
    ('fifth_bins24', 1800, 14, dict(bins_per_octave=24, n_fft=128)),
]


def pitch_shifts():
    out = {}
    for name, length, steps, kwargs in PITCH_SHIFTS:
        wave = voiced(16000, length / 16000, [220, 330], 0.0).reshape(2, 1, -1)
        out[f'shift_{name}_wave'] = f32(wave)
        out[f'shift_{name}'] = f32(F.pitch_shift(wave, 16000, steps, **kwargs))
    return out


def tones(channels, length, sample_rate, quiet_until=0, quiet=0.0):
    """Channel c a tone of 200 + 150c Hz, phase 0.3c, amplitude 0.3/(c + 1); `quiet` times that before sample quiet_until.
    test/audio/loudness.test.ts makes the same waveforms."""
    n = np.arange(length, dtype=np.float64)
    rows = []
    for c in range(channels):
        amplitude = np.where(n < quiet_until, quiet, 1.0) * 0.3 / (c + 1)
        rows.append(amplitude * np.sin(2 * np.pi * (200 + 150 * c) * n / sample_rate + 0.3 * c))
    return torch.from_numpy(np.stack(rows).astype(np.float32))


# (name, channels, length, sample rate, quiet_until, quiet) for loudness
LOUDNESSES = [
    ('stereo', 2, 6000, 8000, 0, 0.0),
    ('five', 5, 4000, 8000, 0, 0.0),
    ('silence_first', 2, 8000, 8000, 3000, 0.0),
    ('quiet_first', 2, 8000, 8000, 4000, 0.002),
    ('mono_44100', 1, 20000, 44100, 0, 0.0),
]


def loudnesses():
    return {f'loudness_{name}': f32(F.loudness(tones(c, n, sr, until, quiet), sr)) for name, c, n, sr, until, quiet in LOUDNESSES}


def main():
    os.makedirs(OUT, exist_ok=True)
    save_npz(os.path.join(OUT, 'features.npz'), {**pitch(), **cmn(), **centroid(), **pitch_shifts(), **loudnesses()})


if __name__ == '__main__':
    main()
