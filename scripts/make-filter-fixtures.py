#!/usr/bin/python3
# SciPy 1.10's IIR filters, which test/signal/filters.test.ts compares
# tm.signal.butter, lfilter, lfilterZi, filtfilt, sosfilt, sosfiltZi and
# sosfiltfilt with: Butterworth designs (b, a) of each band type and their
# second-order sections' filtering of one signal, lfilter_zi and
# sosfilt_zi, and lfilter / filtfilt / sosfilt / sosfiltfilt of fixed random
# signals, float64 designs and float32 signals, written as
# test/fixtures/signal/scipy_filters.npz. For lfilter, also PyTorch's
# autograd gradients of Σ y·w with respect to x, b and a (the recursion
# written out in float64), which SciPy cannot give.
#
# Needs Debian's python3-scipy, python3-torch and python3-numpy; the tests
# need only the file:
#   /usr/bin/python3 scripts/make-filter-fixtures.py   (from the repository root)
import os
import sys

import numpy as np
import scipy.signal as ss
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from npz import save_npz  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures', 'signal')
rng = np.random.default_rng(9)

# (order, Wn, btype, fs); the test lists the same.
DESIGNS = [
    (4, 0.2, 'lowpass', None),
    (1, 0.5, 'lowpass', None),
    (3, 30.0, 'highpass', 200.0),
    (2, [0.1, 0.4], 'bandpass', None),
    (3, [50.0, 120.0], 'bandstop', 400.0),
    (5, 0.05, 'lowpass', None),
]


def f32(a):
    return np.asarray(a).astype(np.float32)


def stable_denominator(poles):
    """A real polynomial with the given pole radii/angles (conjugate pairs) inside the unit circle."""
    roots = []
    for r, theta in poles:
        roots += [r * np.exp(1j * theta), r * np.exp(-1j * theta)] if theta else [r]
    return np.real(np.poly(roots))


def torch_lfilter(b, a, x):
    """Direct form recursion in float64, for autograd."""
    b, a = b / a[0], a / a[0]
    n = x.shape[-1]
    ys = []
    for i in range(n):
        acc = sum(b[k] * x[..., i - k] for k in range(len(b)) if i - k >= 0)
        acc = acc - sum(a[k] * ys[i - k] for k in range(1, len(a)) if i - k >= 0)
        ys.append(acc)
    return torch.stack(ys, -1)


def main():
    out = {}
    # One signal every design filters by its sections: tmnn's sections may pair poles and zeros otherwise, the filter is the same.
    out['butter_x'] = f32(rng.standard_normal(400))
    for k, (order, wn, btype, fs) in enumerate(DESIGNS):
        b, a = ss.butter(order, wn, btype=btype, fs=fs)
        out[f'butter_b_{k}'], out[f'butter_a_{k}'] = b, a
        out[f'zi_{k}'] = ss.lfilter_zi(b, a)
        sos = ss.butter(order, wn, btype=btype, fs=fs, output='sos')
        out[f'butter_sos_{k}'] = sos
        out[f'sos_zi_{k}'] = ss.sosfilt_zi(sos)
        out[f'butter_y_{k}'] = f32(ss.sosfilt(sos, out['butter_x'].astype(np.float64)))

    # lfilter cases: (b, a, x's shape, axis, with zi)
    cases = [
        (*ss.butter(4, 0.2), [3, 200], -1, False),
        (*ss.butter(3, [0.1, 0.4], btype='bandpass'), [150, 2], 0, True),
        (np.array([0.5, -0.2, 0.1, 0.3]), stable_denominator([(0.9, 0.3), (0.5, 0)]) * 2.0, [2, 2, 97], -1, True),
        (np.array([1.0, 0.5]), np.array([1.0]), [5, 33], -1, False),
        (np.array([0.2]), np.array([1.0, -0.95]), [1000], -1, True),
        (np.array([1.0, -1.0, 0.5, 0.25, 0.1]), np.array([1.0, 0.3]), [4, 9], -1, True),
    ]
    for k, (b, a, shape, axis, with_zi) in enumerate(cases):
        b, a = f32(b).astype(np.float64), f32(a).astype(np.float64)
        x = f32(rng.standard_normal(shape))
        out[f'lfilter_b_{k}'], out[f'lfilter_a_{k}'], out[f'lfilter_x_{k}'] = f32(b), f32(a), x
        kwargs = {}
        if with_zi:
            zshape = list(shape)
            zshape[axis] = max(len(a), len(b)) - 1
            zi = f32(rng.standard_normal(zshape))
            out[f'lfilter_zi_{k}'] = zi
            kwargs['zi'] = zi.astype(np.float64)
        y = ss.lfilter(b, a, x.astype(np.float64), axis=axis, **kwargs)
        out[f'lfilter_y_{k}'] = f32(y[0] if with_zi else y)

    # Gradients of case 3's shape with case 2's filter, short enough for the written-out recursion.
    b = torch.tensor(out['lfilter_b_2'], dtype=torch.float64, requires_grad=True)
    a = torch.tensor(out['lfilter_a_2'], dtype=torch.float64, requires_grad=True)
    x = torch.tensor(f32(rng.standard_normal([3, 40])), dtype=torch.float64, requires_grad=True)
    y = torch_lfilter(b, a, x)
    assert np.allclose(y.detach().numpy(), ss.lfilter(b.detach().numpy(), a.detach().numpy(), x.detach().numpy()))
    w = torch.tensor(f32(rng.uniform(-1, 1, y.shape)), dtype=torch.float64)
    gx, gb, ga = torch.autograd.grad((y * w).sum(), [x, b, a])
    out['grad_x_input'], out['grad_w'] = f32(x.detach().numpy()), f32(w.numpy())
    out['grad_x'], out['grad_b'], out['grad_a'] = f32(gx.numpy()), f32(gb.numpy()), f32(ga.numpy())

    # filtfilt cases: (design index, x's shape, options)
    filtfilt_cases = [
        (0, [2, 300], {}),
        (3, [200], dict(padtype='even')),
        (2, [250, 3], dict(axis=0, padtype='constant', padlen=20)),
        (4, [120], dict(padtype=None)),
        (1, [50], dict(padlen=0)),
    ]
    for k, (design, shape, options) in enumerate(filtfilt_cases):
        axis = options.get('axis', -1) % len(shape)
        trend = np.expand_dims(np.linspace(-1, 2, shape[axis]), tuple(range(axis + 1, len(shape))))  # a drift along the signal's axis
        x = f32(rng.standard_normal(shape) + trend)
        out[f'filtfilt_x_{k}'] = x
        out[f'filtfilt_y_{k}'] = f32(ss.filtfilt(out[f'butter_b_{design}'], out[f'butter_a_{design}'], x.astype(np.float64), **options))
    # sosfilt and sosfiltfilt with SciPy's own sections: (design index, x's shape, axis, with zi) and (design, shape, options).
    for k, (design, shape, axis, with_zi) in enumerate([(5, [2, 500], -1, False), (4, [300, 2], 0, True), (0, [3, 2, 64], -1, True)]):
        sos = out[f'butter_sos_{design}']
        x = f32(rng.standard_normal(shape))
        out[f'sosfilt_x_{k}'] = x
        kwargs = {}
        if with_zi:
            zshape = [len(sos)] + list(shape)
            zshape[1 + (axis % len(shape))] = 2
            zi = f32(rng.standard_normal(zshape))
            out[f'sosfilt_zi_{k}'] = zi
            kwargs['zi'] = zi.astype(np.float64)
        y = ss.sosfilt(sos, x.astype(np.float64), axis=axis, **kwargs)
        out[f'sosfilt_y_{k}'] = f32(y[0] if with_zi else y)
    for k, (design, shape, options) in enumerate([(5, [2, 400], {}), (3, [200, 2], dict(axis=0, padtype='even')), (2, [100], dict(padtype=None))]):
        x = f32(rng.standard_normal(shape))
        out[f'sosfiltfilt_x_{k}'] = x
        out[f'sosfiltfilt_y_{k}'] = f32(ss.sosfiltfilt(out[f'butter_sos_{design}'], x.astype(np.float64), **options))
    os.makedirs(OUT, exist_ok=True)
    save_npz(os.path.join(OUT, 'scipy_filters.npz'), out)


if __name__ == '__main__':
    main()
