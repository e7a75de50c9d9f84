#!/usr/bin/python3
# PyTorch 1.13's loss modules (nn.MSELoss, nn.CrossEntropyLoss, …), which
# test/nn/loss_modules.test.ts compares tm.nn's loss modules with: for each case a
# module, its options, fixed random inputs, and for every reduction the
# loss and the gradients of Σ loss·w (w fixed random, of the loss's shape)
# with respect to the inputs that take one.
#
# Writes test/fixtures/losses/modules.json (the cases: tmnn's module name and
# options, the inputs' keys, extra numbers such as CTC's lengths) and
# test/fixtures/losses/modules.npz (the arrays: f32, labels i32).
#
# Needs Debian's python3-torch and python3-numpy; the tests need only the files:
#   /usr/bin/python3 scripts/make-loss-module-fixtures.py   (from the repository root)
import json
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from npz import save_npz  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures', 'losses')
torch.manual_seed(11)

# tmnn's names of PyTorch's module arguments (the tensors among them go to the npz).
RENAMED = {
    'ignore_index': 'ignoreIndex', 'label_smoothing': 'labelSmoothing', 'pos_weight': 'posWeight', 'log_input': 'logInput',
    'eps': 'epsilon', 'log_target': 'logTarget', 'zero_infinity': 'zeroInfinity',
}


def f32(shape, lo=-2.0, hi=2.0):
    """Uniform values that f32 holds exactly, in float64 (the gradients are then PyTorch's exact ones, rounded once)."""
    return (torch.rand(shape, dtype=torch.float64) * (hi - lo) + lo).float().double()


def signs(shape):
    return torch.where(torch.rand(shape) < 0.5, -1.0, 1.0).double()


def labels(shape, classes):
    return torch.randint(0, classes, shape)


def log_softmax(shape, axis):
    return torch.log_softmax(f32(shape, -3, 3), axis).float().double()


def probabilities(shape, axis):
    return torch.softmax(f32(shape, -2, 2), axis).float().double()


def multilabel_targets(n, c):
    """Each row's classes, then −1 and anything after it (PyTorch reads up to the first −1)."""
    t = torch.full((n, c), -1, dtype=torch.int64)
    for i in range(n):
        k = i % (c + 1)
        t[i, :k] = torch.randperm(c)[:k]
        if k + 1 < c:
            t[i, k + 1:] = torch.randint(0, c, (c - k - 1,))
    return t


def ctc_inputs(concatenated):
    t, n, c = 12, 3, 5
    lengths, target_lengths = [12, 10, 11], [4, 2, 3]
    padded = torch.randint(1, c, (n, 4))
    targets = torch.cat([padded[i, :target_lengths[i]] for i in range(n)]) if concatenated else padded
    # Logits, taken through log_softmax by both sides: PyTorch's ctc_loss gives log_probs the gradient of
    # the logits under a log_softmax (its fused formula), not of log_probs themselves; through log_softmax both agree.
    return [f32([t, n, c], -3, 3), targets], dict(inputLengths=lengths, targetLengths=target_lengths, logSoftmaxFirst=True)


# (tmnn's module, PyTorch's module, its arguments, a maker of the inputs (and extra forward arguments), which inputs take a gradient).
CASES = [
    ('L1Loss', nn.L1Loss, {}, lambda: [f32([3, 4, 5]), f32([3, 4, 5])], [0]),
    ('MSELoss', nn.MSELoss, {}, lambda: [f32([3, 4, 5]), f32([3, 4, 5])], [0, 1]),
    ('MSELoss', nn.MSELoss, {}, lambda: [f32([7]), f32([7])], [0]),
    ('HuberLoss', nn.HuberLoss, dict(delta=0.7), lambda: [f32([4, 6]), f32([4, 6])], [0]),
    ('SmoothL1Loss', nn.SmoothL1Loss, dict(beta=0.5), lambda: [f32([2, 3, 4]), f32([2, 3, 4])], [0]),
    ('SmoothL1Loss', nn.SmoothL1Loss, dict(beta=0.0), lambda: [f32([5, 3]), f32([5, 3])], [0]),
    ('CrossEntropyLoss', nn.CrossEntropyLoss, {}, lambda: [f32([6, 5], -3, 3), labels([6], 5)], [0]),
    ('CrossEntropyLoss', nn.CrossEntropyLoss, dict(weight=f32([5], 0.2, 2), ignore_index=-100, label_smoothing=0.1),
     lambda: [f32([2, 5, 3, 4], -3, 3), torch.where(torch.rand([2, 3, 4]) < 0.2, -100, labels([2, 3, 4], 5))], [0]),
    ('CrossEntropyLoss', nn.CrossEntropyLoss, dict(label_smoothing=0.3), lambda: [f32([7], -3, 3), labels([], 7)], [0]),
    ('CrossEntropyLoss', nn.CrossEntropyLoss, dict(weight=f32([4], 0.2, 2), label_smoothing=0.2), lambda: [f32([2, 4, 3], -3, 3), probabilities([2, 4, 3], 1)], [0, 1]),
    ('CrossEntropyLoss', nn.CrossEntropyLoss, dict(ignore_index=2), lambda: [f32([3, 4, 2, 3, 2], -3, 3), labels([3, 2, 3, 2], 4)], [0]),
    ('NLLLoss', nn.NLLLoss, {}, lambda: [log_softmax([5, 4], 1), labels([5], 4)], [0]),
    ('NLLLoss', nn.NLLLoss, dict(weight=f32([4], 0.2, 2), ignore_index=1), lambda: [log_softmax([2, 4, 3, 5], 1), labels([2, 3, 5], 4)], [0]),
    ('BCELoss', nn.BCELoss, {}, lambda: [f32([4, 3], 0.02, 0.98), f32([4, 3], 0, 1)], [0]),
    ('BCELoss', nn.BCELoss, dict(weight=f32([3], 0.2, 2)), lambda: [f32([2, 4, 3], 0.02, 0.98), f32([2, 4, 3], 0, 1)], [0]),
    # Saturated probabilities: PyTorch clamps the logs at −100 and divides its gradient by max(p(1 − p), 1e-12).
    # (Its gradient in the target is of the unclamped logs, ±∞ at p = 0 or 1; tmnn's is of the clamped ones, and not compared.)
    ('BCELoss', nn.BCELoss, {}, lambda: [torch.tensor([0, 1e-9, 1, 0.5, 0.999, 1e-30]).float().double(), torch.tensor([1, 1, 0, 0.3, 0, 0.5]).double()], [0]),
    ('BCEWithLogitsLoss', nn.BCEWithLogitsLoss, dict(weight=f32([4, 1], 0.2, 2), pos_weight=f32([3], 0.5, 3)), lambda: [f32([4, 3], -4, 4), f32([4, 3], 0, 1)], [0]),
    ('BCEWithLogitsLoss', nn.BCEWithLogitsLoss, {}, lambda: [f32([3, 2, 5], -4, 4), f32([3, 2, 5], 0, 1)], [0]),
    ('KLDivLoss', nn.KLDivLoss, {}, lambda: [log_softmax([3, 5], 1), probabilities([3, 5], 1)], [0]),
    ('KLDivLoss', nn.KLDivLoss, dict(log_target=True), lambda: [log_softmax([2, 3, 4], 2), log_softmax([2, 3, 4], 2)], [0, 1]),
    ('PoissonNLLLoss', nn.PoissonNLLLoss, {}, lambda: [f32([4, 3]), torch.randint(0, 6, [4, 3]).double()], [0]),
    ('PoissonNLLLoss', nn.PoissonNLLLoss, dict(log_input=False, full=True, eps=1e-4), lambda: [f32([4, 3], 0.1, 4), torch.randint(0, 6, [4, 3]).double()], [0]),
    ('GaussianNLLLoss', nn.GaussianNLLLoss, {}, lambda: [f32([4, 3]), f32([4, 3]), f32([4, 3], 0.1, 2)], [0, 2]),
    ('GaussianNLLLoss', nn.GaussianNLLLoss, dict(full=True), lambda: [f32([4, 3]), f32([4, 3]), f32([4], 0.1, 2)], [0, 2]),
    ('MarginRankingLoss', nn.MarginRankingLoss, dict(margin=0.2), lambda: [f32([9]), f32([9]), signs([9])], [0, 1]),
    ('HingeEmbeddingLoss', nn.HingeEmbeddingLoss, dict(margin=1.5), lambda: [f32([3, 4], 0, 3), signs([3, 4])], [0]),
    ('MultiLabelMarginLoss', nn.MultiLabelMarginLoss, {}, lambda: [f32([5, 4]), multilabel_targets(5, 4)], [0]),
    ('SoftMarginLoss', nn.SoftMarginLoss, {}, lambda: [f32([3, 4]), signs([3, 4])], [0]),
    ('MultiLabelSoftMarginLoss', nn.MultiLabelSoftMarginLoss, dict(weight=f32([5], 0.2, 2)), lambda: [f32([3, 5]), torch.randint(0, 2, [3, 5]).double()], [0]),
    ('CosineEmbeddingLoss', nn.CosineEmbeddingLoss, dict(margin=0.3), lambda: [f32([4, 6]), f32([4, 6]), signs([4])], [0, 1]),
    ('MultiMarginLoss', nn.MultiMarginLoss, dict(p=2, margin=0.7, weight=f32([5], 0.2, 2)), lambda: [f32([4, 5]), labels([4], 5)], [0]),
    ('TripletMarginLoss', nn.TripletMarginLoss, dict(margin=0.5, p=1.5, swap=True), lambda: [f32([5, 6]), f32([5, 6]), f32([5, 6])], [0, 1, 2]),
    ('TripletMarginWithDistanceLoss', nn.TripletMarginWithDistanceLoss, dict(margin=0.4), lambda: [f32([5, 6]), f32([5, 6]), f32([5, 6])], [0, 1, 2]),
    ('CTCLoss', nn.CTCLoss, {}, lambda: ctc_inputs(False), [0]),
    ('CTCLoss', nn.CTCLoss, dict(blank=0, zero_infinity=True), lambda: ctc_inputs(True), [0]),
]


def main():
    arrays, cases = {}, []
    for k, (name, module, arguments, make, grads) in enumerate(CASES):
        made = make()
        inputs, extra = made if isinstance(made, tuple) else (made, {})
        options = {}
        for key, value in arguments.items():
            tmnn_key = RENAMED.get(key, key)
            if isinstance(value, torch.Tensor):
                arrays[f'option_{k}_{tmnn_key}'] = value.float().numpy()
                options[tmnn_key] = {'tensor': f'option_{k}_{tmnn_key}'}
            else:
                options[tmnn_key] = value
        for i, x in enumerate(inputs):
            arrays[f'input_{k}_{i}'] = x.float().numpy() if x.is_floating_point() else x.int().numpy()
        reductions = ['none', 'mean', 'sum'] + (['batchmean'] if name == 'KLDivLoss' else [])
        for reduction in reductions:
            torch_arguments = {key: (v.double() if isinstance(v, torch.Tensor) else v) for key, v in arguments.items()}
            loss_module = module(reduction=reduction, **torch_arguments)
            leaves = [x.clone().requires_grad_(i in grads) for i, x in enumerate(inputs)]
            lengths = [torch.tensor(extra['inputLengths']), torch.tensor(extra['targetLengths'])] if extra else []
            given = [torch.log_softmax(leaves[0], 2), *leaves[1:]] if extra.get('logSoftmaxFirst') else leaves
            loss = loss_module(*given, *lengths)
            w = f32(loss.shape, -1, 1)
            gradients = torch.autograd.grad((loss * w).sum(), [leaves[i] for i in grads])
            arrays[f'loss_{k}_{reduction}'] = loss.detach().float().numpy()
            arrays[f'w_{k}_{reduction}'] = w.float().numpy()
            for i, g in zip(grads, gradients):
                arrays[f'grad_{k}_{reduction}_{i}'] = g.float().numpy()
        cases.append({'module': name, 'options': options, 'inputs': len(inputs), 'grads': grads, 'reductions': reductions, **extra})
    os.makedirs(OUT, exist_ok=True)
    save_npz(os.path.join(OUT, 'modules.npz'), arrays)
    with open(os.path.join(OUT, 'modules.json'), 'w') as f:
        f.write('{"torch": %s, "cases": [\n' % json.dumps(torch.__version__))
        f.write(',\n'.join(json.dumps(c) for c in cases))
        f.write('\n]}\n')


if __name__ == '__main__':
    main()
