#!/usr/bin/python3
# The fixtures test/signal/ and test/audio/ compare tm.signal and tm.audio
# with: PyTorch 1.13's windows, stft and istft, and torchaudio 0.13's
# features, on fixed random signals, written as test/fixtures/signal/NAME.npz
# (float32; complex results as torch.view_as_real gives them, [..., 2]).
#
# Needs Debian's python3-torch python3-torchaudio python3-numpy; the tests
# need only the files it writes:
#   /usr/bin/python3 scripts/make-signal-fixtures.py   (from the repository root)
import os

import numpy as np
import torch

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures', 'signal')
torch.manual_seed(7)


def f32(t):
    return t.detach().to(torch.float32).numpy()


def windows():
    out = {}
    for n in [0, 1, 2, 7, 16, 33]:
        for periodic in [True, False]:
            tag = f'{n}_{"periodic" if periodic else "symmetric"}'
            out[f'hann_{tag}'] = f32(torch.hann_window(n, periodic=periodic, dtype=torch.float64))
            out[f'hamming_{tag}'] = f32(torch.hamming_window(n, periodic=periodic, dtype=torch.float64))
            out[f'hamming_0.6_0.3_{tag}'] = f32(torch.hamming_window(n, periodic=periodic, alpha=0.6, beta=0.3, dtype=torch.float64))
            out[f'blackman_{tag}'] = f32(torch.blackman_window(n, periodic=periodic, dtype=torch.float64))
            out[f'bartlett_{tag}'] = f32(torch.bartlett_window(n, periodic=periodic, dtype=torch.float64))
            out[f'kaiser_{tag}'] = f32(torch.kaiser_window(n, periodic=periodic, dtype=torch.float64))
            out[f'kaiser_5_{tag}'] = f32(torch.kaiser_window(n, periodic=periodic, beta=5.0, dtype=torch.float64))
    return out


# name: (signal shape, n_fft, stft keyword arguments; window by name and length)
STFT_CASES = {
    'default_hann': ([2, 1000], 64, dict(window=('hann', 64))),
    'odd_nfft_hop': ([3, 517], 45, dict(hop_length=11, window=('hann', 45))),
    'short_window': ([777], 60, dict(hop_length=13, win_length=33, window=('hamming', 33))),
    'rect_no_center': ([2, 300], 32, dict(hop_length=8, center=False)),
    'constant_pad_normalized': ([2, 250], 50, dict(hop_length=10, window=('blackman', 50), pad_mode='constant', normalized=True)),
    'two_sided': ([2, 200], 24, dict(hop_length=6, window=('hann', 24), onesided=False)),
    'replicate_kaiser': ([401], 30, dict(hop_length=7, window=('kaiser', 30), pad_mode='replicate')),
}
WINDOWS = {'hann': torch.hann_window, 'hamming': torch.hamming_window, 'blackman': torch.blackman_window, 'kaiser': torch.kaiser_window}


def stfts():
    out = {}
    for name, (shape, n_fft, kw) in STFT_CASES.items():
        x = torch.randn(*shape, dtype=torch.float64)
        kw = dict(kw)
        if 'window' in kw:
            kind, length = kw['window']
            kw['window'] = WINDOWS[kind](length, dtype=torch.float64)
        spec = torch.stft(x, n_fft, return_complex=True, **kw)
        out[f'{name}_x'] = f32(x)
        out[f'{name}_stft'] = f32(torch.view_as_real(spec))
        ikw = {k: v for k, v in kw.items() if k != 'pad_mode'}
        back = torch.istft(spec, n_fft, length=shape[-1], **ikw)
        out[f'{name}_istft'] = f32(back)
        # istft of a spectrum no signal has (random bins): overlap-add and the envelope's division do the work.
        noise = torch.randn(spec.shape, dtype=torch.complex128)
        if kw.get('onesided', True):
            noise[..., 0, :].imag = 0
            if n_fft % 2 == 0:
                noise[..., -1, :].imag = 0
        out[f'{name}_noise'] = f32(torch.view_as_real(noise))
        out[f'{name}_noise_istft'] = f32(torch.istft(noise, n_fft, **ikw))
    return out


def audio():
    import torchaudio.functional as F
    import torchaudio.transforms as T
    out = {}
    wave = torch.randn(2, 2, 1001)  # float32, as torchaudio runs
    out['wave'] = f32(wave)
    out['spec_power2'] = f32(T.Spectrogram(n_fft=128)(wave))
    out['spec_power1_norm'] = f32(T.Spectrogram(n_fft=100, hop_length=30, power=1.0, normalized=True)(wave))
    out['spec_power0.5_frame'] = f32(T.Spectrogram(n_fft=64, win_length=50, power=0.5, normalized='frame_length', pad=7)(wave))
    complex_spec = T.Spectrogram(n_fft=96, hop_length=24, power=None, pad=5, normalized=True)(wave)
    out['spec_complex'] = f32(torch.view_as_real(complex_spec))
    out['inverse'] = f32(T.InverseSpectrogram(n_fft=96, hop_length=24, pad=5, normalized=True)(complex_spec, length=1001))
    out['inverse_no_length'] = f32(T.InverseSpectrogram(n_fft=96, hop_length=24, pad=5, normalized=True)(complex_spec))
    for scale in ['htk', 'slaney']:
        for norm in [None, 'slaney']:
            out[f'fbanks_{scale}_{norm}'] = f32(F.melscale_fbanks(201, 30.0, 7000.0, 40, 16000, norm=norm, mel_scale=scale))
    out['linear_fbanks'] = f32(F.linear_fbanks(65, 100.0, 3000.0, 12, 8000))
    out['mel_default'] = f32(T.MelSpectrogram()(wave))
    out['mel_custom'] = f32(T.MelSpectrogram(sample_rate=22050, n_fft=256, hop_length=64, f_min=50.0, f_max=9000.0, n_mels=48, power=1.0, norm='slaney', mel_scale='slaney', pad_mode='constant')(wave))
    mel = T.MelSpectrogram()(wave)
    out['db_power'] = f32(T.AmplitudeToDB()(mel))
    out['db_top_4d'] = f32(T.AmplitudeToDB(top_db=40.0)(mel))
    out['db_top_2d'] = f32(T.AmplitudeToDB(stype='magnitude', top_db=30.0)(mel[0, 1]))
    out['db_to_amp'] = f32(F.DB_to_amplitude(T.AmplitudeToDB()(mel), 1.0, 1.0))
    out['dct_ortho'] = f32(F.create_dct(13, 40, 'ortho'))
    out['dct_none'] = f32(F.create_dct(13, 40, None))
    out['mfcc_default'] = f32(T.MFCC()(wave))
    out['mfcc_custom'] = f32(T.MFCC(sample_rate=8000, n_mfcc=13, norm=None, log_mels=True, melkwargs=dict(n_fft=200, hop_length=80, n_mels=23))(wave))
    samples = torch.rand(500) * 2.2 - 1.1
    out['mu_samples'] = f32(samples)
    out['mu_encoded'] = F.mu_law_encoding(samples, 256).to(torch.int32).numpy()
    out['mu_decoded'] = f32(F.mu_law_decoding(torch.arange(256), 256))
    out['deltas_5'] = f32(F.compute_deltas(mel[0]))
    out['deltas_9'] = f32(F.compute_deltas(mel[0], win_length=9))
    for orig, new, kw in RESAMPLES:
        tag = '_'.join([str(orig), str(new)] + [f'{k}{v}' for k, v in kw.items()])
        out[f'resample_{tag}'] = f32(F.resample(wave, orig, new, **kw))
    spec = T.Spectrogram(n_fft=128)(wave)
    out['griffin_spec'] = f32(spec)
    out['griffin_lim'] = f32(T.GriffinLim(n_fft=128, n_iter=8, rand_init=False, length=1001)(spec))
    out['griffin_lim_plain'] = f32(T.GriffinLim(n_fft=128, n_iter=5, momentum=0.0, power=1.0, rand_init=False, hop_length=40)(spec.sqrt()))
    out['lfcc_default'] = f32(T.LFCC()(wave))
    out['lfcc_custom'] = f32(T.LFCC(sample_rate=8000, n_filter=30, f_min=100.0, f_max=3500.0, n_lfcc=12, norm=None, log_lf=True, speckwargs=dict(n_fft=128, hop_length=32))(wave))
    complex_128 = T.Spectrogram(n_fft=128, power=None)(wave)
    out['stretch_spec'] = f32(torch.view_as_real(complex_128))
    out['stretch_1.3'] = f32(torch.view_as_real(T.TimeStretch(n_freq=65, fixed_rate=1.3)(complex_128)))
    out['stretch_0.7_hop20'] = f32(torch.view_as_real(T.TimeStretch(hop_length=20, n_freq=65, fixed_rate=0.7)(complex_128)))
    return out


# (orig_freq, new_freq, keyword arguments) for torchaudio.functional.resample
RESAMPLES = [
    (44100, 16000, {}),
    (16000, 44100, {}),
    (8000, 12000, dict(lowpass_filter_width=10, rolloff=0.9)),
    (3, 2, dict(resampling_method='kaiser_window')),
    (5, 7, dict(resampling_method='kaiser_window', beta=8.0, lowpass_filter_width=4)),
]


def main():
    os.makedirs(OUT, exist_ok=True)
    np.savez(os.path.join(OUT, 'torch_windows.npz'), **windows())
    np.savez_compressed(os.path.join(OUT, 'torch_stft.npz'), **stfts())
    np.savez_compressed(os.path.join(OUT, 'torchaudio.npz'), **audio())


if __name__ == '__main__':
    main()
