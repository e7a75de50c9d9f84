#!/usr/bin/python3
# The ONNX files tm.onnx's control flow (If, Loop) is tested against: small
# torch.jit.script modules, whose Python `for` and `if` the exporter keeps as
# Loop and If nodes with subgraphs (tracing would unroll them), written into
# test/fixtures/onnx/control_flow/ in make-onnx-fixtures.py's convention:
#   NAME.onnx   the export, inputs x (x0, x1, ..) and outputs y (y0, y1, ..),
#   NAME.npz    fixed inputs and PyTorch's outputs under those names, and for
#               the cases with parameters `grad:PARAM`, the gradient of the
#               sum of every output with respect to each parameter (fine-tuning
#               through the loop is checked against it),
# and README.md with the table of cases. Each file passes
# onnx.checker.check_model(full_check=True). Seeded: the same bytes each run.
#
# Scripted lists (outs.append in a loop) export as ONNX sequences
# (SequenceEmpty, SequenceInsert, ConcatFromSequence), which tmnn does not
# run, so these modules carry tensors through their loops instead.
#
#   /usr/bin/python3 scripts/make-onnx-control-flow-fixtures.py   (from the repository root)
import importlib.util
import io
import os

import numpy as np
import onnx
import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, '..', 'test', 'fixtures', 'onnx', 'control_flow')

# save_npz (fixed zip timestamps) and op_types (subgraphs included) from the main fixture script.
_spec = importlib.util.spec_from_file_location('make_onnx_fixtures', os.path.join(HERE, 'make-onnx-fixtures.py'))
fixtures = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fixtures)


def perturb(model, scale=0.3):
    with torch.no_grad():
        for p in model.parameters():
            p.add_(scale * torch.randn_like(p))


class LoopRnn(nn.Module):
    """An Elman RNN over the time axis, a data-independent loop whose trip count is x.size(0) (a dynamic axis:
    Shape → Gather in the graph), with an If on the iteration number's parity inside: a Loop body reading the
    main graph's x and parameters by name, an If branch reading the body's values."""

    def __init__(self):
        super().__init__()
        self.inp, self.rec = nn.Linear(4, 5), nn.Linear(5, 5)

    def forward(self, x):
        h = torch.zeros(x.size(1), 5)
        total = torch.zeros(x.size(1), 5)
        for t in range(x.size(0)):
            h = torch.tanh(self.inp(x[t]) + self.rec(h))
            if t % 2 == 0:
                total = total + h
            else:
                total = total - 0.5 * h
        return h, total


class TensorCondition(nn.Module):
    """An If on a tensor computed from the input (sum(x) > 0): its condition is data on the device."""

    def __init__(self):
        super().__init__()
        self.a, self.b = nn.Linear(4, 3), nn.Linear(4, 3)

    def forward(self, x):
        if bool(x.sum() > 0):
            y = torch.relu(self.a(x))
        else:
            y = self.b(x) * 2.0
        return y


class IntArgument(nn.Module):
    """An If on a Python int argument (an int64 graph input), and a fixed-count loop (range(3): a constant trip
    count) carrying a tensor through a parameter."""

    def __init__(self):
        super().__init__()
        self.w = nn.Parameter(torch.randn(3))

    def forward(self, x, mode: int):
        y = x
        for i in range(3):
            y = y * self.w + float(i)
        if mode > 1:
            y = y * float(mode)
        else:
            y = -y
        return y


def cases():
    """name → (module, inputs, opset, dynamic_axes, what it exercises); seeded per case."""
    return {
        'loop_rnn': (LoopRnn, lambda: (torch.randn(6, 2, 4),), 16, {'x': {0: 'time'}},
                     'Loop over a dynamic time axis (trip count from Shape), carried h and total, '
                     'If on t % 2 inside the body; gradients through the iterations'),
        'if_tensor_condition': (TensorCondition, lambda: (torch.randn(2, 4) + 0.5,), 13, None,
                                'If whose condition is computed from the input on the device (both branches run, '
                                'where picks), branches reading parameters by name'),
        'if_int_argument': (IntArgument, lambda: (torch.randn(2, 3), torch.tensor(3)), 11, None,
                            'If on an int argument (an int64 graph input), Loop with a constant trip count 3'),
    }


def main():
    os.makedirs(OUT, exist_ok=True)
    rows = []
    for i, (name, (make, make_inputs, opset, dynamic, exercises)) in enumerate(cases().items()):
        torch.manual_seed(100 + i)
        model = make()
        perturb(model)
        model = torch.jit.script(model.eval())
        inputs = make_inputs()
        input_names = ['x'] if len(inputs) == 1 else [f'x{k}' for k in range(len(inputs))]
        outputs = model(*inputs)
        outputs = outputs if isinstance(outputs, tuple) else (outputs,)
        output_names = ['y'] if len(outputs) == 1 else [f'y{k}' for k in range(len(outputs))]
        loss = sum(o.sum() for o in outputs)
        params = dict(model.named_parameters())
        # A parameter of the branch not taken gets no gradient: zeros, as tm.where gives it.
        grads = torch.autograd.grad(loss, list(params.values()), allow_unused=True)
        grads = [torch.zeros_like(p) if g is None else g for p, g in zip(params.values(), grads)]
        buffer = io.BytesIO()
        torch.onnx.export(model, inputs, buffer, input_names=input_names, output_names=output_names,
                          opset_version=opset, dynamic_axes=dynamic)
        proto = onnx.load_from_string(buffer.getvalue())
        onnx.checker.check_model(proto, full_check=True)
        with open(os.path.join(OUT, f'{name}.onnx'), 'wb') as f:
            f.write(buffer.getvalue())
        values = {n: t.numpy() for n, t in zip(input_names, inputs)}
        results = {n: t.detach().numpy() for n, t in zip(output_names, outputs)}
        gradients = {f'grad:{n}': g.numpy() for n, g in zip(params, grads)}
        fixtures.save_npz(os.path.join(OUT, f'{name}.npz'), {**values, **results, **gradients})
        rows.append((name, opset, sorted(fixtures.op_types(proto.graph)), exercises, fixtures.shapes(values), fixtures.shapes(results)))
    write_readme(rows)
    print(f'torch {torch.__version__}, onnx {onnx.__version__}: {len(rows)} cases in {os.path.normpath(OUT)}')


def write_readme(rows):
    lines = [
        'Real PyTorch exports with control flow, for tm.onnx\'s If and Loop: each `NAME.onnx` is a small',
        '`torch.jit.script` module exported with `torch.onnx.export` (scripting keeps Python `for`/`if` as Loop',
        'and If nodes with subgraphs), inputs `x` (`x0`, `x1`, ..) and outputs `y` (`y0`, `y1`, ..); each',
        '`NAME.npz` holds fixed inputs, PyTorch\'s outputs, and under `grad:PARAM` the gradient of the sum of all',
        'outputs with respect to each parameter. Each file passes `onnx.checker.check_model(full_check=True)`.',
        '',
        f'Made with PyTorch {torch.__version__} and onnx {onnx.__version__} by',
        '`/usr/bin/python3 scripts/make-onnx-control-flow-fixtures.py` from the repository root (seeded; the',
        'script writes this file too).',
        '',
        '| NAME | opset | ONNX ops in the graph and its subgraphs | what it exercises | inputs | outputs |',
        '|---|---|---|---|---|---|',
    ]
    for name, opset, ops, exercises, inputs, outputs in rows:
        lines.append(f'| {name} | {opset} | {", ".join(ops)} | {exercises} | {inputs} | {outputs} |')
    lines += ['', 'Scripted Python lists (`outs.append(y)` in a loop) export as ONNX sequence ops, which tmnn does not run;',
              'the modules carry tensors through their loops instead.']
    with open(os.path.join(OUT, 'README.md'), 'w') as f:
        f.write('\n'.join(lines) + '\n')


if __name__ == '__main__':
    main()
