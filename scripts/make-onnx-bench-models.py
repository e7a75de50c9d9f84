#!/usr/bin/python3
# The ONNX models `npm run bench -- onnx` times tm.onnx on, next to
# onnxruntime-web running the same files: PyTorch 1.13 models exported by
# torch.onnx.export as a user would (eval mode, constant folding on, a
# dynamic batch axis), written to bench/models/NAME.onnx. Their weights are
# random (seeded: the same bytes each run); only the time is measured.
#   mlp          MNIST-sized MLP 784-256-128-10, ReLU            (opset 13)
#   cnn          CIFAR-sized CNN: three conv-BN-ReLU blocks (BN folded into
#                the convs), max pooling, global average pooling, a Linear (opset 13)
#   transformer  two nn.TransformerEncoderLayer (d_model 64, 4 heads, feed-
#                forward 256, GELU), as ordinary ops                (opset 14)
# Needs PyTorch (Debian's python3-torch, 1.13):
#   /usr/bin/python3 scripts/make-onnx-bench-models.py   (from the repository root)
import io
import os

import torch
from torch import nn

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'bench', 'models')


def block(c_in, c_out):
    return [nn.Conv2d(c_in, c_out, 3, padding=1), nn.BatchNorm2d(c_out), nn.ReLU()]


def models():
    yield 'mlp', nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10)), torch.randn(1, 784), 13, False
    cnn = nn.Sequential(*block(3, 32), nn.MaxPool2d(2), *block(32, 64), nn.MaxPool2d(2), *block(64, 128), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(128, 10))
    yield 'cnn', cnn, torch.randn(1, 3, 32, 32), 13, False
    layer = nn.TransformerEncoderLayer(d_model=64, nhead=4, dim_feedforward=256, dropout=0.0, activation='gelu', batch_first=True)
    yield 'transformer', nn.TransformerEncoder(layer, 2, enable_nested_tensor=False), torch.randn(1, 32, 64), 14, True


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(0)
    for name, model, x, opset, grad in models():
        model.eval()
        # The TransformerEncoder's fast path under no_grad has no export: with grad on it takes ordinary ops.
        with torch.enable_grad() if grad else torch.no_grad():
            buffer = io.BytesIO()
            torch.onnx.export(model, (x,), buffer, input_names=['x'], output_names=['y'], opset_version=opset,
                              dynamic_axes={'x': {0: 'batch'}, 'y': {0: 'batch'}})
        with open(os.path.join(OUT, f'{name}.onnx'), 'wb') as f:
            f.write(buffer.getvalue())
        print(f'{name}: {len(buffer.getvalue()):,} bytes')


if __name__ == '__main__':
    main()
