#!/usr/bin/python3
# The fixture test/ops/unpool3d.test.ts compares tm.maxPool3dWithIndices and
# tm.maxUnpool3d with: PyTorch 1.13's max_pool3d(return_indices=True) on
# fixed random volumes (values, indices, and the gradient of Σ values·dy),
# and max_unpool3d of those values back to x's size, written as
# test/fixtures/pooling/max_pool3d_indices.npz: for each case NAME,
# NAME_x, NAME_dy, NAME_values, NAME_grad, NAME_unpooled (float32) and
# NAME_indices (int32). The tie case (small integers) has no gradient:
# PyTorch's goes to the first of the tied taps, tmnn's is shared; the
# dilated case no unpooled volume: max_unpool3d refuses x's size there.
#
# Needs Debian's python3-torch python3-numpy; the tests need only the file
# it writes:
#   /usr/bin/python3 scripts/make-pooling-fixtures.py   (from the repository root)
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from npz import save_npz  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures', 'pooling')
torch.manual_seed(3)

# name: (x's shape, kernel_size, max_pool3d keyword arguments, small integers: ties)
CASES = {
    'odd_sizes': ([2, 3, 5, 7, 6], 2, dict(), False),
    'overlap_padding': ([1, 2, 7, 6, 5], 3, dict(stride=2, padding=1), False),
    'dilation': ([2, 2, 6, 7, 5], (2, 3, 2), dict(stride=1, padding=(1, 1, 0), dilation=(2, 1, 2)), False),
    'ceil_mode': ([1, 3, 6, 5, 7], 3, dict(stride=(2, 2, 3), padding=1, ceil_mode=True), False),
    'unbatched': ([3, 5, 6, 4], (1, 2, 2), dict(stride=(1, 2, 2)), False),
    'stride_one': ([1, 1, 4, 5, 4], 2, dict(stride=1), False),
    'ties': ([2, 2, 5, 6, 5], 3, dict(stride=2, padding=1), True),
}


def case(shape, kernel, options, ties):
    x = torch.randint(-2, 3, shape).float() if ties else torch.randn(*shape)
    x.requires_grad_(True)
    values, indices = F.max_pool3d(x, kernel, return_indices=True, **options)
    dy = torch.randn(*values.shape)
    (values * dy).sum().backward()
    out = {'x': x.detach(), 'dy': dy, 'values': values.detach(), 'indices': indices.to(torch.int32)}
    # Unpooled to x's size, where max_unpool3d takes it (a dilated pooling's output may not unpool to it).
    unpool_options = {k: v for k, v in options.items() if k in ('stride', 'padding')}
    try:
        out['unpooled'] = F.max_unpool3d(values.detach(), indices, kernel, output_size=list(shape[-3:]), **unpool_options)
    except ValueError:
        pass
    if not ties:
        out['grad'] = x.grad
    return out


def main():
    arrays = {}
    for name, (shape, kernel, options, ties) in CASES.items():
        for key, t in case(shape, kernel, options, ties).items():
            arrays[f'{name}_{key}'] = t.numpy()
    os.makedirs(OUT, exist_ok=True)
    save_npz(os.path.join(OUT, 'max_pool3d_indices.npz'), arrays)
    print(f'torch {torch.__version__}: {len(CASES)} cases in {os.path.normpath(OUT)}')


if __name__ == '__main__':
    main()
