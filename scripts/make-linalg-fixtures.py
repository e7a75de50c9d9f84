#!/usr/bin/python3
# The fixtures test/ops/linalg/ compares tm.linalg with where a float64
# reference in TypeScript would be a second implementation of the method:
# PyTorch 1.13's torch.linalg.eig gradients and its ldl_factor (LAPACK's
# Bunch–Kaufman pivoting, which the tests check pivot for pivot), in
# float64, on fixed random matrices whose entries are f32 values, written as
# test/fixtures/linalg/NAME.npz.
#
# The loss is one the eigenpairs' order and the vectors' phases do not
# change (backends order eigenvalues differently, and a vector's phase is a
# convention): L = Σₖ (re λₖ)³ + (im λₖ)² + re λₖ · Σᵢ wᵢ·|Vᵢₖ|².
#
# Needs Debian's python3-torch and python3-numpy; the tests need only the files:
#   /usr/bin/python3 scripts/make-linalg-fixtures.py   (from the repository root)
import os

import numpy as np
import torch

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures', 'linalg')
torch.manual_seed(11)


def loss(a, w):
    values, vectors = torch.linalg.eig(a)
    weighted = (w.unsqueeze(-1) * vectors.abs() ** 2).sum(-2)
    return (values.real ** 3 + values.imag ** 2 + values.real * weighted).sum()


def main():
    out = {}
    for n in [1, 2, 3, 5, 8]:
        for b in range(2):
            a = (torch.rand(n, n, dtype=torch.float64) * 2 - 1).to(torch.float32).to(torch.float64)
            w = (torch.rand(n, dtype=torch.float64)).to(torch.float32).to(torch.float64)
            a.requires_grad_(True)
            value = loss(a, w)
            (grad,) = torch.autograd.grad(value, a)
            tag = f'{n}_{b}'
            out[f'a_{tag}'] = a.detach().numpy().astype(np.float32)
            out[f'w_{tag}'] = w.numpy().astype(np.float32)
            out[f'loss_{tag}'] = np.array(value.item(), dtype=np.float64)
            out[f'grad_{tag}'] = grad.numpy()
    os.makedirs(OUT, exist_ok=True)
    np.savez(os.path.join(OUT, 'eig_grad.npz'), **out)


def ldl():
    """ldl.npz: torch.linalg.ldl_factor's packed factors (float64) and pivots (LAPACK's, 1-based) of
    symmetric matrices with f32 entries: random ones (indefinite: 1 × 1 and 2 × 2 blocks, with
    interchanges), one with a zero diagonal (2 × 2 blocks throughout) and a positive-definite one."""
    out = {}
    cases = []
    for n in [1, 2, 3, 4, 7, 16, 33]:
        for b in range(2):
            cases.append((f'random_{n}_{b}', torch.rand(n, n, dtype=torch.float64) * 2 - 1))
    zero_diagonal = torch.rand(6, 6, dtype=torch.float64) + 0.5
    cases.append(('zero_diagonal', zero_diagonal - torch.diag(torch.diag(zero_diagonal))))
    m = torch.rand(9, 9, dtype=torch.float64)
    cases.append(('positive_definite', m @ m.T + 9 * torch.eye(9, dtype=torch.float64)))
    for tag, a in cases:
        a = torch.tril(a) + torch.tril(a, -1).T
        a = a.to(torch.float32).to(torch.float64)
        factors, pivots = torch.linalg.ldl_factor(a)
        out[f'a_{tag}'] = a.numpy().astype(np.float32)
        out[f'ld_{tag}'] = factors.numpy()
        out[f'pivots_{tag}'] = pivots.numpy().astype(np.int32)
    np.savez(os.path.join(OUT, 'ldl.npz'), **out)


main()
ldl()
