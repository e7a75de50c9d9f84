#!/usr/bin/python3
# PyTorch 1.13's fractional max pooling on fixed inputs and fixed random
# samples, for test/ops/fractional_pool.test.ts, written as
# test/fixtures/pooling/fractional_max_pool.npz. For each case NAME:
#   NAME.x        the input (float32)
#   NAME.samples  the _random_samples given ([N, C, 2] over images, [N, C, 3] over volumes)
#   NAME.values   F.fractional_max_pool2d/3d's output, NAME.indices its return_indices (int32)
#   NAME.weights  a fixed dy, NAME.grad the gradient of sum(values · weights) in x
# and, for the many-plane cases STEPS, only the samples and each axis's window
# starts PyTorch took (read off the indices of an increasing x, whose window
# maxima are their last taps): STEPS.samples, STEPS.starts_AXIS [N, C, out].
# The cases' sizes, kernels and output options are in CASES below, which the
# test repeats.
#
# Needs Debian's python3-torch python3-numpy; the tests need only the file it writes:
#   /usr/bin/python3 scripts/make-fractional-pool-fixtures.py   (from the repository root)
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from npz import save_npz  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures', 'pooling')
torch.manual_seed(11)

# name: (x's shape, kernel, output options); a 3-D x (4-D for volumes) is one sample without its batch axis.
CASES = {
    'odd': ([2, 3, 9, 11], 2, dict(output_size=(5, 6))),
    'ratio': ([1, 2, 10, 10], 3, dict(output_ratio=0.5)),
    'ratio_per_axis': ([2, 3, 13, 17], (3, 2), dict(output_ratio=(0.5, 0.75))),
    'output_1': ([2, 2, 7, 5], (2, 3), dict(output_size=1)),
    'unbatched': ([3, 8, 8], 2, dict(output_size=(4, 7))),
    'step_1': ([1, 2, 6, 6], 3, dict(output_size=4)),
    'volumes': ([2, 2, 7, 8, 9], 2, dict(output_size=(4, 5, 6))),
    'volumes_ratio_unbatched': ([2, 6, 7, 5], (2, 3, 2), dict(output_ratio=0.5)),
    'volumes_output_1': ([1, 2, 5, 5, 5], 3, dict(output_size=1)),
}
# name: (x's shape, kernel, output size): many planes, awkward α = (in − k)/(out − 1).
STEPS = {
    'steps': ([4, 32, 45, 37], (2, 3), (20, 14)),
    'steps_volumes': ([2, 16, 23, 19, 29], (3, 2, 2), (9, 13, 11)),
}


def pool(x, kernel, samples, **output):
    fn = F.fractional_max_pool3d if samples.shape[-1] == 3 else F.fractional_max_pool2d
    return fn(x, kernel, return_indices=True, _random_samples=samples, **output)


def main():
    out = {}
    for name, (shape, kernel, output) in CASES.items():
        x = torch.randn(*shape, dtype=torch.float32, requires_grad=True)
        spatial = 3 if name.startswith('volumes') else 2
        batch = shape[0] if len(shape) == spatial + 2 else 1
        samples = torch.rand(batch, shape[-spatial - 1], spatial, dtype=torch.float32)
        if name == 'odd':
            # The ends of [0, 1): the first plane's samples 0, the last's the largest f32 below 1.
            samples[0, 0] = 0.0
            samples[-1, -1] = float(np.nextafter(np.float32(1), np.float32(0)))
        values, indices = pool(x, kernel, samples, **output)
        weights = torch.randn(values.shape, dtype=torch.float32)
        (values * weights).sum().backward()
        out.update({
            f'{name}.x': x.detach().numpy(), f'{name}.samples': samples.numpy(),
            f'{name}.values': values.detach().numpy(), f'{name}.indices': indices.numpy().astype(np.int32),
            f'{name}.weights': weights.numpy(), f'{name}.grad': x.grad.numpy(),
        })
    for name, (shape, kernel, size) in STEPS.items():
        spatial = len(size)
        x = torch.arange(int(np.prod(shape)), dtype=torch.float32).reshape(shape)
        samples = torch.rand(shape[0], shape[1], spatial, dtype=torch.float32)
        _, indices = pool(x, kernel, samples, output_size=size)
        extent = shape[2:]
        strides = [int(np.prod(extent[a + 1:])) for a in range(spatial)]
        out[f'{name}.samples'] = samples.numpy()
        for a, axis in enumerate(['depth', 'height', 'width'][3 - spatial:]):
            # Along axis a only: the other axes' first windows (index 0 there).
            along = indices[(slice(None), slice(None)) + tuple(slice(None) if b == a else 0 for b in range(spatial))]
            last_tap = (along // strides[a]) % extent[a]
            out[f'{name}.starts_{axis}'] = (last_tap - (kernel[a] - 1)).numpy().astype(np.int32)
    os.makedirs(OUT, exist_ok=True)
    save_npz(os.path.join(OUT, 'fractional_max_pool.npz'), out)


main()
