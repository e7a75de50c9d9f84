#!/usr/bin/python3
# PyTorch 1.13's F.interpolate of volumes [N, C, D, H, W] (nearest,
# nearest-exact, trilinear), which test/ops/interpolate3d.test.ts compares
# tm.interpolate3d with: for each case of CASES (the test lists the same,
# in the same order) a fixed random x, PyTorch's y, and the gradient of
# Σ y·w for a fixed random w, in float64 from f32 inputs, written as
# test/fixtures/interpolate/volumes.npz (x_K, w_K, y_K, grad_K).
#
# Needs Debian's python3-torch and python3-numpy; the tests need only the file:
#   /usr/bin/python3 scripts/make-interpolate-fixtures.py   (from the repository root)
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from npz import save_npz  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures', 'interpolate')
torch.manual_seed(5)

# (x's shape, options): size or scale_factor, mode, align_corners.
CASES = [
    ([2, 3, 4, 5, 6], dict(size=[7, 3, 9], mode='trilinear', align_corners=False)),
    ([2, 3, 4, 5, 6], dict(size=[7, 3, 9], mode='trilinear', align_corners=True)),
    ([1, 2, 3, 4, 5], dict(scale_factor=1.5, mode='trilinear', align_corners=False)),
    ([1, 2, 5, 4, 3], dict(scale_factor=[2, 0.5, 1.7], mode='trilinear', align_corners=False)),
    ([1, 2, 5, 4, 3], dict(scale_factor=[2, 0.5, 1.7], mode='trilinear', align_corners=True)),
    ([2, 1, 3, 3, 4], dict(size=[1, 1, 1], mode='trilinear', align_corners=True)),
    ([2, 1, 3, 3, 4], dict(size=[1, 2, 1], mode='trilinear', align_corners=False)),
    ([2, 2, 4, 5, 3], dict(size=[5, 7, 4], mode='nearest')),
    ([1, 3, 3, 4, 5], dict(scale_factor=2.6, mode='nearest')),
    ([1, 3, 6, 4, 5], dict(size=[3, 9, 2], mode='nearest-exact')),
    ([1, 2, 7, 3, 2], dict(scale_factor=[0.6, 1.4, 3], mode='nearest-exact')),
]


def main():
    out = {}
    for k, (shape, options) in enumerate(CASES):
        x = (torch.rand(shape, dtype=torch.float64) * 4 - 2).to(torch.float32).to(torch.float64).requires_grad_(True)
        y = F.interpolate(x, **options)
        w = (torch.rand(y.shape, dtype=torch.float64) * 2 - 1).to(torch.float32).to(torch.float64)
        (grad,) = torch.autograd.grad((y * w).sum(), x)
        out[f'x_{k}'] = x.detach().numpy().astype('float32')
        out[f'w_{k}'] = w.numpy().astype('float32')
        out[f'y_{k}'] = y.detach().numpy().astype('float32')
        out[f'grad_{k}'] = grad.numpy().astype('float32')
    os.makedirs(OUT, exist_ok=True)
    save_npz(os.path.join(OUT, 'volumes.npz'), out)


if __name__ == '__main__':
    main()
