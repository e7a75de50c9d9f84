#!/usr/bin/python3
# The ONNX files tm.onnx.load is tested against: small real PyTorch models
# exported with torch.onnx.export (eval mode, torch.no_grad), one per case,
# each written into test/fixtures/onnx/ as
#   NAME.onnx   the export, inputs named x (x0, x1, .. for several) and
#               outputs y (y0, y1, .. for several), at the opset the case
#               names (13 to 17), some with a dynamic batch axis (the graph
#               then computes shapes with Shape/Gather/Unsqueeze/Concat), and
#   NAME.npz    fixed random inputs under the input names (float32; token ids
#               and class targets int64) and PyTorch's outputs for them under
#               the output names (float32; argmax int64), as numpy.savez writes them (written
#               here with a fixed zip timestamp so the bytes don't change),
# and README.md, with the table of cases: opset, the op types in each graph
# (read back from the file with the onnx package), what each exercises.
# Every parameter is moved off its initial value (biases and norm weights
# start at 0 and 1, which would hide a bias read from the wrong place), and
# the models with BatchNorm take a few training-mode forwards first, so their
# running means and variances are PyTorch's own and not 0 and 1. Each file is
# checked with onnx.checker.check_model (there is no onnxruntime here to run it).
#
# Needs PyTorch and onnx (Debian's: apt-get install python3-torch python3-onnx
# python3-numpy; 1.13 and 1.12); the tests need only the files it writes:
#   /usr/bin/python3 scripts/make-onnx-fixtures.py   (from the repository root)
import io
import os

import numpy as np
import onnx
import torch
import torch.nn.functional as F
from torch import nn
from torch.onnx import TrainingMode
from npz import save_npz

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures', 'onnx')
BATCH = {0: 'batch'}


def randn(*shape):
    return torch.randn(*shape, dtype=torch.float32)


def perturb(model, scale=0.1):
    with torch.no_grad():
        for p in model.parameters():
            p.add_(scale * torch.randn_like(p))


def warm_up(model, make_input, steps=3):
    """Training-mode forwards: BatchNorm's running statistics become PyTorch's own."""
    model.train()
    with torch.no_grad():
        for _ in range(steps):
            model(make_input())
    model.eval()


class Case:
    """A model, its inputs (one tensor or a tuple) and how it is exported.

    dynamic: the batch axis (0) of every input and output is named 'batch'; or a dict, the
    dynamic_axes of the names it lists in place of that (h_n's batch axis is 1).
    keep_batch_norm: no Conv+BatchNormalization fusion (training=PRESERVE on the eval-mode
    model) and no constant folding, so BatchNormalization stays a node.
    grad: run and export with autograd on (the parameters require grad): for the TransformerEncoderLayer,
    whose eval-mode fast path under no_grad (aten::_transformer_encoder_layer_fwd) has no ONNX export.
    With grad on it takes its path of ordinary ops, the one the graph records; those outputs are stored,
    after a check against the fast path's.
    """

    def __init__(self, model, inputs, opset, exercises, dynamic=False, keep_batch_norm=False, outputs=1, grad=False):
        self.model, self.opset, self.exercises, self.grad = model, opset, exercises, grad
        self.inputs = inputs if isinstance(inputs, tuple) else (inputs,)
        self.dynamic, self.keep_batch_norm, self.outputs = dynamic, keep_batch_norm, outputs

    def names(self, prefix, n):
        return [prefix] if n == 1 else [f'{prefix}{i}' for i in range(n)]


class Outputs(nn.Module):
    """A recurrent layer returning (output, h_n): of LSTM's (h_n, c_n), h_n alone."""

    def __init__(self, inner):
        super().__init__()
        self.inner = inner

    def forward(self, x):
        output, state = self.inner(x)
        return output, state[0] if isinstance(state, tuple) else state


def mlp():
    model = nn.Sequential(
        nn.Linear(6, 16), nn.ReLU(), nn.Linear(16, 16), nn.GELU(), nn.Linear(16, 8), nn.Tanh(), nn.Linear(8, 5), nn.Softmax(-1),
    )
    perturb(model)
    return Case(model, randn(4, 6), 13, 'Gemm, ReLU, Erf-GELU, Tanh, Softmax (static shapes)')


class Flattening(nn.Module):
    """x.reshape(x.shape[0], -1) first: with a dynamic batch, the target shape is computed in the graph."""

    def __init__(self, inner):
        super().__init__()
        self.inner = inner

    def forward(self, x):
        return self.inner(x.reshape(x.shape[0], -1))


def mlp_dynamic():
    model = Flattening(nn.Sequential(
        nn.Linear(6, 12), nn.Sigmoid(), nn.Linear(12, 12), nn.LeakyReLU(0.1), nn.Linear(12, 10), nn.ELU(0.7),
        nn.Linear(10, 10), nn.Hardswish(), nn.Linear(10, 8), nn.SiLU(), nn.Linear(8, 8), nn.Softplus(), nn.Linear(8, 4),
        nn.LogSoftmax(-1),
    ))
    perturb(model)
    return Case(model, randn(5, 2, 3), 14, 'dynamic batch: reshape(x.shape[0], -1) computed with Shape/Gather/Unsqueeze/Concat; '
                'Sigmoid, LeakyRelu, Elu, HardSwish, SiLU (x*Sigmoid), Softplus, LogSoftmax', dynamic=True)


def cnn():
    model = nn.Sequential(
        nn.Conv2d(3, 8, 3, stride=2, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(8, 8, 3, padding=2, groups=2, dilation=2), nn.AvgPool2d(2), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(8, 4),
    )
    perturb(model)
    warm_up(model, lambda: 2 * randn(4, 3, 16, 16) + 0.5)
    return Case(model, randn(2, 3, 16, 16), 15, 'Conv (pads, strides; group 2, dilations 2), BatchNormalization kept as a node '
                '(running stats), MaxPool, AveragePool, GlobalAveragePool, Flatten; dynamic batch', dynamic=True, keep_batch_norm=True)


class ResidualBlock(nn.Module):
    def __init__(self, c_in, c_out):
        super().__init__()
        self.conv1, self.bn1 = nn.Conv2d(c_in, c_out, 3, stride=2, padding=1, bias=False), nn.BatchNorm2d(c_out)
        self.conv2, self.bn2 = nn.Conv2d(c_out, c_out, 3, padding=1, bias=False), nn.BatchNorm2d(c_out)
        self.downsample = nn.Conv2d(c_in, c_out, 1, stride=2)

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = F.relu(self.bn2(self.conv2(y)))
        return F.relu(y + self.downsample(x))


def resnet_block():
    model = ResidualBlock(4, 8)
    perturb(model)
    warm_up(model, lambda: 2 * randn(4, 4, 8, 8) - 0.5)
    return Case(model, randn(2, 4, 8, 8), 16, 'BatchNorm folded into Conv by the exporter (constant folding), '
                'skip Add, 1x1 stride-2 downsample Conv')


def conv1d():
    model = nn.Sequential(
        nn.Conv1d(3, 6, 5, padding=2), nn.BatchNorm1d(6), nn.ReLU(), nn.MaxPool1d(2),
        # padding='same' does not export in torch 1.13 (aten::_convolution_mode); padding=2 is the same here.
        nn.Conv1d(6, 6, 3, padding=2, dilation=2), nn.AvgPool1d(3, stride=2, padding=1),
    )
    perturb(model)
    warm_up(model, lambda: 2 * randn(4, 3, 20) + 0.5)
    return Case(model, randn(2, 3, 20), 17, '1-D Conv, BatchNormalization on [N,C,L] kept as a node, MaxPool, '
                "AveragePool (pad 1, count_include_pad), Conv with dilation 2 and pads keeping the length", keep_batch_norm=True)


class Upsampling(nn.Module):
    def __init__(self):
        super().__init__()
        self.deconv = nn.ConvTranspose2d(4, 4, 3, stride=2, padding=1, output_padding=1)
        self.nearest = nn.Upsample(scale_factor=2, mode='nearest')
        self.shuffle = nn.PixelShuffle(2)

    def forward(self, x):
        d = self.deconv(x)
        return (
            self.nearest(d),
            F.interpolate(x, size=(5, 7), mode='bilinear', align_corners=False),
            F.interpolate(x, scale_factor=2, mode='bilinear', align_corners=True),
            self.shuffle(d),
        )


def conv_transpose_upsample():
    model = Upsampling()
    perturb(model)
    return Case(model, randn(2, 4, 3, 3), 16, 'ConvTranspose (stride 2, output_padding 1); Resize: nearest x2 (y0), '
                'linear half_pixel to 5x7 (y1), linear align_corners x2 (y2); PixelShuffle as DepthToSpace (y3)', outputs=4)


def layer_norm(opset):
    def make():
        model = nn.Sequential(nn.Linear(6, 8), nn.LayerNorm(8), nn.GELU())
        perturb(model)
        how = 'as a LayerNormalization node' if opset >= 17 else 'decomposed (ReduceMean, Sub, Pow, Sqrt, Div)'
        return Case(model, randn(3, 4, 6), opset, f'MatMul+Add on a 3-D input, LayerNorm {how}, GELU')
    return make


def transformer_encoder():
    model = nn.TransformerEncoderLayer(d_model=16, nhead=2, dim_feedforward=32, batch_first=True, dropout=0.0)
    perturb(model)
    return Case(model, randn(2, 5, 16), 14, 'nn.TransformerEncoderLayer (post-norm, ReLU): multi-head attention '
                'as MatMul/Reshape/Transpose/Softmax, LayerNorm decomposed', grad=True)


def recurrent(kind, opset, dynamic=False, **options):
    def make():
        model = Outputs(getattr(nn, kind)(5, 4, batch_first=True, **options))
        perturb(model)
        layers = options.get('num_layers', 1)
        what = f'nn.{kind}({", ".join(["5, 4", "batch_first=True"] + [f"{k}={v}" for k, v in options.items()])}): '
        what += f'{kind.upper()} node{"s" if layers > 1 else ""} (batch-first via Transpose), y0 output, y1 h_n'
        if dynamic:
            what += '; dynamic batch (zero initial state shaped in the graph)'
        return Case(model, randn(3, 6, 5), opset, what, dynamic={'y1': {1: 'batch'}} if dynamic else False, outputs=2)
    return make


class Embedding(nn.Module):
    def __init__(self):
        super().__init__()
        self.embedding, self.linear = nn.Embedding(20, 8), nn.Linear(8, 3)

    def forward(self, x):
        return self.linear(self.embedding(x).mean(dim=1))


def embedding():
    model = Embedding()
    perturb(model)
    x = torch.randint(0, 20, (2, 7))
    return Case(model, x, 13, 'int64 token ids [2,7]: Gather from the table, ReduceMean over dim 1, Gemm')


class TensorOps(nn.Module):
    def forward(self, x0, x1):
        n = x0.shape[0]
        parts = [torch.matmul(x0, x1)]                                  # [n,6,3]
        b = torch.cat([x0, 2 * x0], dim=2)                              # [n,6,8]
        c1, c2 = b.chunk(2, dim=1)                                      # [n,3,8] each
        s1, s2 = torch.split(b, [3, 5], dim=2)                          # [n,6,3], [n,6,5]
        parts += [c1 - c2, s1.sum(dim=-1, keepdim=True) * s2.mean(dim=1, keepdim=True)]
        parts.append(x0[:, 1:5:2])                                      # [n,2,4]
        parts.append(c1.permute(0, 2, 1).transpose(1, 2).reshape(n, -1, 4))
        parts.append(x0.unsqueeze(1).squeeze(1).view(n, -1))
        parts.append(F.pad(x0, (1, 2), value=0.5))
        parts.append(F.pad(x0, (2, 1), mode='reflect'))
        parts.append(x0.clamp(-0.5, 0.7))
        parts.append(torch.where(x0 > 0, x0, 0.1 * x0))
        parts.append(x0.max(dim=1).values)
        parts.append(x0.pow(2) + torch.pow(x0.abs() + 1, 1.5))
        parts.append(torch.sqrt(x0.abs()) + torch.exp(x0) + torch.log(x0.abs() + 1))
        parts.append(x0.mean(dim=1, keepdim=True).expand(-1, 6, -1))
        y = torch.cat([p.reshape(n, -1) for p in parts], dim=1)
        return y, x0.argmax(dim=-1)


def tensor_ops():
    return Case(TensorOps(), (randn(2, 6, 4), randn(2, 4, 3)), 17, 'torch ops on a dynamic batch: MatMul of two inputs, '
                'Concat, Split (chunk, split), Slice with step, Transpose, Reshape with -1, Unsqueeze/Squeeze, Pad constant '
                'and reflect, Clip, Where, ReduceMax, ArgMax (y1, int64), ReduceSum/ReduceMean keepdim, Pow, Sqrt, Abs, Exp, '
                'Log, Expand; all float results flattened into y0', dynamic=True, outputs=2)


def instance_group_norm():
    model = nn.Sequential(nn.Conv2d(4, 4, 1), nn.InstanceNorm2d(4, affine=True), nn.GroupNorm(2, 4), nn.ReLU())
    perturb(model)
    return Case(model, randn(2, 4, 5, 5), 15, 'InstanceNormalization (affine); GroupNorm(2, 4) as Reshape, '
                'InstanceNormalization, Reshape, Mul, Add')


class SpatialTransformer(nn.Module):
    """A spatial transformer: an affine map per image from a small localisation head, its sampling grid built by
    a product with the output's base grid (affine_grid has no export in torch 1.13), and GridSample in each of
    its modes: bilinear with zeros, nearest with border (align_corners), bicubic with reflection."""

    def __init__(self, channels, out_size):
        super().__init__()
        self.head = nn.Linear(channels, 6)
        h, w = out_size
        ys, xs = torch.linspace(-1, 1, h), torch.linspace(-1, 1, w)
        base = torch.stack([xs.repeat(h), ys.repeat_interleave(w), torch.ones(h * w)], dim=1)
        self.register_buffer('base', base)
        self.register_buffer('identity', torch.tensor([1.0, 0.0, 0.0, 0.0, 1.0, 0.0]))
        self.out_size = out_size

    def forward(self, x):
        theta = (self.identity + 0.3 * torch.tanh(self.head(x.mean(dim=(2, 3))))).reshape(-1, 2, 3)
        grid = (self.base @ theta.transpose(1, 2)).reshape(-1, *self.out_size, 2) * 1.2
        return (F.grid_sample(x, grid, mode='bilinear', padding_mode='zeros', align_corners=False),
                F.grid_sample(x, grid, mode='nearest', padding_mode='border', align_corners=True),
                F.grid_sample(x, grid, mode='bicubic', padding_mode='reflection', align_corners=False))


def spatial_transformer():
    model = SpatialTransformer(3, (6, 5))
    perturb(model)
    return Case(model, randn(2, 3, 7, 9), 16, 'GridSample (opset 16) in its three modes and padding modes, its grid '
                'computed in the graph from the input (MatMul of a base grid by per-image affine maps)', outputs=3)


class DetAndLosses(nn.Module):
    """torch.det of a batch of matrices; cross_entropy (class weights, ignore_index, mean) and nll_loss without
    reduction, both over [N, C, d] logits, which export as SoftmaxCrossEntropyLoss."""

    def __init__(self):
        super().__init__()
        self.mix = nn.Linear(4, 4)
        self.register_buffer('weight', torch.tensor([0.5, 1.0, 2.0]))

    def forward(self, m, logits, target):
        return (torch.det(self.mix(m)),
                F.cross_entropy(logits, target, weight=self.weight, ignore_index=1),
                F.nll_loss(F.log_softmax(logits, dim=1), target, reduction='none'))


def det_and_losses():
    model = DetAndLosses()
    perturb(model)
    target = torch.tensor([[0, 1], [2, 2], [1, 0], [2, 0], [0, 2]])
    return Case(model, (randn(3, 4, 4), randn(5, 3, 2), target), 13, 'Det of a batch; SoftmaxCrossEntropyLoss for '
                'cross_entropy (weights, ignore_index, mean) and for nll_loss(log_softmax) without reduction; int64 targets',
                outputs=3)

CASES = {
    'mlp': mlp, 'mlp_dynamic': mlp_dynamic, 'cnn': cnn, 'resnet_block': resnet_block, 'conv1d': conv1d,
    'conv_transpose_upsample': conv_transpose_upsample, 'layer_norm_17': layer_norm(17), 'layer_norm_13': layer_norm(13),
    'transformer_encoder': transformer_encoder, 'lstm': recurrent('LSTM', 14, num_layers=2),
    'lstm_bidirectional': recurrent('LSTM', 15, dynamic=True, bidirectional=True), 'gru': recurrent('GRU', 16),
    'embedding': embedding, 'tensor_ops': tensor_ops, 'instance_group_norm': instance_group_norm,
    'spatial_transformer': spatial_transformer, 'det_and_losses': det_and_losses,
}


def dynamic_axes(case, names):
    if not case.dynamic:
        return None
    named = case.dynamic if isinstance(case.dynamic, dict) else {}
    return {n: named.get(n, BATCH) for n in names}


def op_types(graph):
    """The op types in a graph and its subgraphs, sorted."""
    types = set()
    for node in graph.node:
        types.add(node.op_type if node.domain in ('', 'ai.onnx') else f'{node.domain}.{node.op_type}')
        for attribute in node.attribute:
            for sub in [attribute.g] if attribute.HasField('g') else list(attribute.graphs):
                types |= op_types(sub)
    return types


def shapes(values):
    return ', '.join(f'{name} {list(v.shape)}{"" if v.dtype == np.float32 else " " + str(v.dtype)}' for name, v in values.items())


def main():
    os.makedirs(OUT, exist_ok=True)
    rows = []
    for i, (name, make) in enumerate(CASES.items()):
        torch.manual_seed(i)
        case = make()
        model = case.model.eval()
        input_names = case.names('x', len(case.inputs))
        output_names = case.names('y', case.outputs)
        with torch.no_grad():
            outputs = model(*case.inputs)
            outputs = outputs if isinstance(outputs, tuple) else (outputs,)
        assert len(outputs) == case.outputs, name
        with torch.enable_grad() if case.grad else torch.no_grad():
            if case.grad:
                fast, outputs = outputs, model(*case.inputs)
                outputs = tuple(t.detach() for t in (outputs if isinstance(outputs, tuple) else (outputs,)))
                assert all(torch.allclose(a, b, atol=1e-5) for a, b in zip(fast, outputs)), name
            buffer = io.BytesIO()
            torch.onnx.export(
                model, case.inputs, buffer, input_names=input_names, output_names=output_names, opset_version=case.opset,
                dynamic_axes=dynamic_axes(case, input_names + output_names),
                do_constant_folding=not case.keep_batch_norm,
                training=TrainingMode.PRESERVE if case.keep_batch_norm else TrainingMode.EVAL,
            )
        proto = onnx.load_from_string(buffer.getvalue())
        onnx.checker.check_model(proto, full_check=True)
        with open(os.path.join(OUT, f'{name}.onnx'), 'wb') as f:
            f.write(buffer.getvalue())
        values = {n: t.numpy() for n, t in zip(input_names, case.inputs)}
        outputs = {n: t.numpy() for n, t in zip(output_names, outputs)}
        save_npz(os.path.join(OUT, f'{name}.npz'), {**values, **outputs})
        opset = next(o.version for o in proto.opset_import if o.domain in ('', 'ai.onnx'))
        rows.append((name, opset, sorted(op_types(proto.graph)), case.exercises, shapes(values), shapes(outputs)))
    write_readme(rows)
    print(f'torch {torch.__version__}, onnx {onnx.__version__}, numpy {np.__version__}: {len(rows)} cases in {os.path.normpath(OUT)}')


def write_readme(rows):
    lines = [
        'Real PyTorch ONNX exports for tm.onnx.load: each `NAME.onnx` is a small model exported with',
        '`torch.onnx.export` (eval mode, `torch.no_grad()`), inputs named `x` (`x0`, `x1`, .. for several) and',
        'outputs `y` (`y0`, `y1`, ..); each `NAME.npz` holds fixed inputs under the input names and PyTorch\'s',
        'outputs for them under the output names (float32; `embedding`\'s token ids, `tensor_ops`\' argmax and',
        '`det_and_losses`\' targets int64).',
        'Every parameter is moved off its initial value and the BatchNorm models take a few training-mode',
        'forwards first, so their running statistics are not 0 and 1. "dynamic batch": axis 0 of every input',
        'and output is the symbolic `batch`. Each file passes `onnx.checker.check_model(full_check=True)`.',
        '',
        f'Made with PyTorch 1.13 (Debian 12\'s `python3-torch` 1.13.1+dfsg, `torch.__version__` {torch.__version__}),',
        f'onnx {onnx.__version__} (`python3-onnx`) and NumPy {np.__version__} by `/usr/bin/python3 scripts/make-onnx-fixtures.py`',
        'from the repository root (seeded: the same bytes each run). The script writes this file too.',
        '',
        '| NAME | opset | ONNX ops in the graph | what it exercises | inputs | outputs |',
        '|---|---|---|---|---|---|',
    ]
    for name, opset, ops, exercises, inputs, outputs in rows:
        lines.append(f'| {name} | {opset} | {", ".join(ops)} | {exercises} | {inputs} | {outputs} |')
    lines += ['', NOTES]
    with open(os.path.join(OUT, 'README.md'), 'w') as f:
        f.write('\n'.join(lines).rstrip() + '\n')


NOTES = '''What torch 1.13 does not export, and what the cases use instead:
- `Conv1d(padding='same')` (conv1d): `aten::_convolution_mode` has no ONNX export; the case uses the
  explicit `padding=2`, the same padding for kernel 3 with dilation 2.
- `nn.TransformerEncoderLayer` in eval mode under `torch.no_grad()` (transformer_encoder) takes
  PyTorch's fused fast path, `aten::_transformer_encoder_layer_fwd`, which has no ONNX export. That case
  is run and exported with autograd on (its parameters require grad, so the layer takes its path of
  ordinary ops, the one the graph records); the script checks those outputs against the fast path's
  (within 1e-5) and stores the ordinary path's.
- No `Gelu` (opset 20) or `GroupNormalization` (opset 18) nodes: torch 1.13 exports up to opset 17, GELU
  as Erf arithmetic and GroupNorm through InstanceNormalization.

Exporter details an importer meets here: with `do_constant_folding=False` (cnn, conv1d) the graphs keep
Pad nodes of zero pads before AveragePool and `Constant` nodes for shapes; with folding on (resnet_block)
BatchNorm is folded into the Conv weights. BatchNormalization nodes are eval ones (`training_mode` 0, one
output). The recurrent graphs build their zero initial states in the graph (Shape/Gather/Expand or
ConstantOfShape). tensor_ops computes its Pad amounts in the graph (ConstantOfShape, Cast, Reshape, Slice,
Concat).'''


if __name__ == '__main__':
    main()
