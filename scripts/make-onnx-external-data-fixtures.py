#!/usr/bin/python3
# The ONNX files tm.onnx's external data (TensorProto.data_location EXTERNAL,
# the layout of every model past protobuf's 2 GB and of many exports) is tested
# against, written into test/fixtures/onnx/external/:
#   mlp.onnx + weights.bin   a small MLP saved by onnx.save_model with every
#                            initializer in one side file (onnx's own writer)
#   mlp_embedded.onnx        the same model with its weights inside
#   mlp.npz                  an input x and NumPy's output y (float64 math, as float32)
#   split.onnx + a.bin, data/b.bin   the same model laid out by hand: several files,
#                            a subdirectory, gaps between tensors, a tensor with no
#                            length (to the file's end) and one with neither offset
#                            nor length, and one initializer kept inline (raw_data)
#   nested.onnx + nested.bin   the same function with b1 a Constant node's value and w2, b2 initializers
#                            of an If's branches (the other branch's weights zero): onnx.save_model with
#                            convert_attribute=True moves those out too
#   bad/*.onnx               one flaw each: length.onnx (a length not the tensor's
#                            size), absolute.onnx, escape.onnx (a location outside
#                            the model's directory), location.onnx (data_location 2),
#                            missing.onnx (a file that does not exist); bad/ has
#                            weights.bin too, so only the flaw named fails.
# and README.md saying so. Seeded: the same bytes each run.
#
#   /usr/bin/python3 scripts/make-onnx-external-data-fixtures.py   (from the repository root)
import os
import shutil

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from onnx.external_data_helper import set_external_data
from npz import save_npz

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, '..', 'test', 'fixtures', 'onnx', 'external')


rng = np.random.default_rng(7)
# Odd sizes; a float16 bias and an int64 shape among the initializers, so more than float32 is read from the side file.
W1 = rng.standard_normal((5, 7)).astype(np.float32)
B1 = rng.standard_normal(7).astype(np.float16)
W2 = rng.standard_normal((7, 3)).astype(np.float32)
B2 = rng.standard_normal(3).astype(np.float32)
SHAPE = np.array([-1, 3], dtype=np.int64)
X = rng.standard_normal((4, 5)).astype(np.float32)


def model():
    inits = [numpy_helper.from_array(a, name) for name, a in [('w1', W1), ('b1', B1), ('w2', W2), ('b2', B2), ('shape', SHAPE)]]
    nodes = [
        helper.make_node('MatMul', ['x', 'w1'], ['h0']),
        helper.make_node('Cast', ['b1'], ['b1f'], to=TensorProto.FLOAT),
        helper.make_node('Add', ['h0', 'b1f'], ['h1']),
        helper.make_node('Relu', ['h1'], ['h2']),
        helper.make_node('MatMul', ['h2', 'w2'], ['h3']),
        helper.make_node('Add', ['h3', 'b2'], ['h4']),
        helper.make_node('Reshape', ['h4', 'shape'], ['y']),
    ]
    graph = helper.make_graph(nodes, 'mlp', [helper.make_tensor_value_info('x', TensorProto.FLOAT, ['batch', 5])],
                              [helper.make_tensor_value_info('y', TensorProto.FLOAT, ['batch', 3])], inits)
    m = helper.make_model(graph, producer_name='tmnn-fixtures', opset_imports=[helper.make_opsetid('', 17)])
    m.ir_version = 8
    return m


def nested_model():
    """b1 as a Constant node's value, the second layer inside an If (condition an initializer, true) whose
    branches hold their own weights: external data reached through attributes and subgraphs."""
    def branch(name, w, b):
        inits = [numpy_helper.from_array(w, f'{name}_w'), numpy_helper.from_array(b, f'{name}_b')]
        nodes = [helper.make_node('MatMul', ['h2', f'{name}_w'], [f'{name}_h']),
                 helper.make_node('Add', [f'{name}_h', f'{name}_b'], [f'{name}_y'])]
        return helper.make_graph(nodes, name, [], [helper.make_tensor_value_info(f'{name}_y', TensorProto.FLOAT, None)], inits)
    inits = [numpy_helper.from_array(W1, 'w1'), numpy_helper.from_array(np.array(True), 'cond')]
    nodes = [
        helper.make_node('MatMul', ['x', 'w1'], ['h0']),
        helper.make_node('Constant', [], ['b1'], value=numpy_helper.from_array(B1.astype(np.float32), 'b1_value')),
        helper.make_node('Add', ['h0', 'b1'], ['h1']),
        helper.make_node('Relu', ['h1'], ['h2']),
        helper.make_node('If', ['cond'], ['y'], then_branch=branch('then', W2, B2),
                         else_branch=branch('else', np.zeros_like(W2), np.zeros_like(B2))),
    ]
    graph = helper.make_graph(nodes, 'nested', [helper.make_tensor_value_info('x', TensorProto.FLOAT, ['batch', 5])],
                              [helper.make_tensor_value_info('y', TensorProto.FLOAT, ['batch', 3])], inits)
    m = helper.make_model(graph, producer_name='tmnn-fixtures', opset_imports=[helper.make_opsetid('', 17)])
    m.ir_version = 8
    return m


def reference(x):
    h = np.maximum(x.astype(np.float64) @ W1 + B1.astype(np.float64), 0)
    return (h @ W2 + B2).astype(np.float32)


def external(t, location, offset=None, length=None):
    """Moves t's raw_data out to `location` at `offset` (keys left out when None); returns the bytes."""
    data = t.raw_data
    set_external_data(t, location, offset, length)
    t.ClearField('raw_data')
    return data


README = """ONNX models that keep their tensors in external data files, for tm.onnx (test/onnx/external_data.test.ts).
One small MLP (x [batch, 5] → MatMul, Add of a float16 bias (Cast), Relu, MatMul, Add, Reshape → y [batch, 3],
opset 17) laid out several ways:

| files | layout |
|---|---|
| `mlp_embedded.onnx` | weights inside the model file |
| `mlp.onnx`, `weights.bin` | `onnx.save_model(..., save_as_external_data=True, all_tensors_to_one_file=True, size_threshold=0)`: every initializer, the int64 shape too, in one side file |
| `split.onnx`, `a.bin`, `data/b.bin`, `c.bin` | by hand: two tensors in `a.bin` with gaps (0xEE padding), one in a subdirectory with neither offset nor length, one from byte 8 to the end (no length), the shape inline |
| `nested.onnx`, `nested.bin` | b1 a Constant node's value and the second layer inside an If's branches (the else branch zero), all moved out with `convert_attribute=True` |
| `bad/*.onnx` | one flaw in w2's external data each: `length` (4 bytes short), `past_end` (an offset 8 bytes before the end), `absolute` (`/etc/passwd`), `escape` (`../weights.bin`), `missing` (`nowhere.bin`), `location` (data_location 2) |

`mlp.npz` holds an input `x` and NumPy's output `y` (float64 math, as float32). Made with onnx 1.12.0 and
NumPy 1.24.2 by `/usr/bin/python3 scripts/make-onnx-external-data-fixtures.py` from the repository root
(seeded: the same bytes each run), which writes this file too.
"""


def main():
    if os.path.isdir(OUT):
        shutil.rmtree(OUT)
    os.makedirs(os.path.join(OUT, 'data'))
    os.makedirs(os.path.join(OUT, 'bad'))

    onnx.save_model(model(), os.path.join(OUT, 'mlp_embedded.onnx'))
    m = model()
    onnx.save_model(m, os.path.join(OUT, 'mlp.onnx'), save_as_external_data=True, all_tensors_to_one_file=True,
                    location='weights.bin', size_threshold=0)
    save_npz(os.path.join(OUT, 'mlp.npz'), {'x': X, 'y': reference(X)})

    # By hand: a.bin holds w1 at 0 and b1 at 200 (gaps, padding of 0xEE), data/b.bin is w2 alone (no offset, no
    # length), c.bin holds b2 from 8 to the end (no length); shape stays inline.
    m = model()
    inits = {t.name: t for t in m.graph.initializer}
    a = bytearray(b'\xee' * 300)
    w1 = external(inits['w1'], 'a.bin', 0, W1.nbytes)
    a[0:len(w1)] = w1
    b1 = external(inits['b1'], 'a.bin', 200, B1.nbytes)
    a[200:200 + len(b1)] = b1
    w2 = external(inits['w2'], 'data/b.bin')
    b2 = external(inits['b2'], 'c.bin', 8)
    for name, data in [('a.bin', bytes(a)), ('data/b.bin', w2), ('c.bin', b'\xee' * 8 + b2)]:
        with open(os.path.join(OUT, name), 'wb') as f:
            f.write(data)
    with open(os.path.join(OUT, 'split.onnx'), 'wb') as f:
        f.write(m.SerializeToString())
    onnx.save_model(nested_model(), os.path.join(OUT, 'nested.onnx'), save_as_external_data=True, all_tensors_to_one_file=True,
                    location='nested.bin', size_threshold=0, convert_attribute=True)
    with open(os.path.join(OUT, 'README.md'), 'w') as f:
        f.write(README)
    for name in ['mlp', 'mlp_embedded', 'split', 'nested']:
        onnx.checker.check_model(os.path.join(OUT, f'{name}.onnx'))

    # The flawed ones, each beside a good weights.bin.
    shutil.copy(os.path.join(OUT, 'weights.bin'), os.path.join(OUT, 'bad', 'weights.bin'))
    good = onnx.load_model(os.path.join(OUT, 'mlp.onnx'), load_external_data=False)

    def flawed(name, change):
        m = onnx.ModelProto()
        m.CopyFrom(good)
        w2 = next(t for t in m.graph.initializer if t.name == 'w2')
        change(w2)
        with open(os.path.join(OUT, 'bad', f'{name}.onnx'), 'wb') as f:
            f.write(m.SerializeToString())

    def unknown_location(name):
        # protobuf's Python API refuses an enum value it does not know, so the bytes are patched: w2's
        # data_location is its last field (field 14, tag 0x70), 1 (EXTERNAL) there becomes 2.
        w2 = next(t for t in good.graph.initializer if t.name == 'w2').SerializeToString()
        assert w2.endswith(b'\x70\x01')
        data = good.SerializeToString()
        assert data.count(w2) == 1
        with open(os.path.join(OUT, 'bad', f'{name}.onnx'), 'wb') as f:
            f.write(data.replace(w2, w2[:-1] + b'\x02'))

    def entry(t, key, value):
        e = next((e for e in t.external_data if e.key == key), None)
        if e is None:
            e = t.external_data.add()
            e.key = key
        e.value = value

    flawed('length', lambda t: entry(t, 'length', str(W2.nbytes - 4)))
    flawed('absolute', lambda t: entry(t, 'location', '/etc/passwd'))
    flawed('escape', lambda t: entry(t, 'location', '../weights.bin'))
    flawed('missing', lambda t: entry(t, 'location', 'nowhere.bin'))
    unknown_location('location')
    flawed('past_end', lambda t: entry(t, 'offset', str(os.path.getsize(os.path.join(OUT, 'weights.bin')) - 8)))


if __name__ == '__main__':
    main()
