#!/usr/bin/python3
# The ONNX files tm.onnx's model-local functions (ModelProto.functions: ops a
# model defines for its own nodes out of other ops, as onnxscript and
# PyTorch's dynamo exporter write them) are tested against, written into
# test/fixtures/onnx/functions/ by onnx's own helpers:
#   functions.onnx   custom.LinearRelu(X, W, B) = LeakyRelu(X·W + B), its
#                    alpha the caller's attribute (ref_attr_name); and
#                    custom.Block(X, W1, B1, W2, B2), which calls LinearRelu
#                    twice — once with alpha 0.1, once with its own caller's
#                    `slope` — names a value as LinearRelu's body does (xw),
#                    and reads a value of its own from inside an If's
#                    branches (one with a float initializer of its own). The graph calls Block (slope 0.2) and, with no
#                    alpha, LinearRelu (LeakyRelu's default then), twice
#                    each time over the same weights.
#   recursive.onnx   custom.Loop, a function that calls itself
# and README.md saying so. Seeded: the same bytes each run.
#
#   /usr/bin/python3 scripts/make-onnx-function-fixtures.py   (from the repository root)
import os

import numpy as np
import onnx
from onnx import AttributeProto, TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, '..', 'test', 'fixtures', 'onnx', 'functions')
rng = np.random.default_rng(5)
OPSETS = [helper.make_opsetid('', 13), helper.make_opsetid('custom', 1)]


def ref(name, caller, kind=AttributeProto.FLOAT):
    """An attribute whose value is the calling node's attribute `caller`."""
    a = AttributeProto()
    a.name = name
    a.ref_attr_name = caller
    a.type = kind
    return a


def node_with(op, inputs, outputs, attributes, domain=''):
    n = helper.make_node(op, inputs, outputs, domain=domain)
    n.attribute.extend(attributes)
    return n


linear_relu = helper.make_function(
    'custom', 'LinearRelu', ['X', 'W', 'B'], ['Y'],
    [
        helper.make_node('MatMul', ['X', 'W'], ['xw']),
        helper.make_node('Add', ['xw', 'B'], ['pre']),
        node_with('LeakyRelu', ['pre'], ['Y'], [ref('alpha', 'alpha')]),
    ],
    OPSETS, ['alpha'])

branch = lambda name, op, inputs=('h',), initializers=(): helper.make_graph([helper.make_node(op, list(inputs), [name + '_out'])], name, [], [helper.make_tensor_value_info(name + '_out', TensorProto.FLOAT, None)], list(initializers))
block = helper.make_function(
    'custom', 'Block', ['X', 'W1', 'B1', 'W2', 'B2'], ['Y'],
    [
        helper.make_node('LinearRelu', ['X', 'W1', 'B1'], ['h'], domain='custom', alpha=0.1),
        helper.make_node('Constant', [], ['flag'], value=helper.make_tensor('flag', TensorProto.BOOL, [], [True])),
        helper.make_node('If', ['flag'], ['xw'], then_branch=branch('then', 'Identity'), else_branch=branch('else', 'Mul', ('h', 'two'), [numpy_helper.from_array(np.array([2], np.float32), 'two')])),
        node_with('LinearRelu', ['xw', 'W2', 'B2'], ['Y'], [ref('alpha', 'slope')], domain='custom'),
    ],
    OPSETS, ['slope'])

W1 = rng.standard_normal((5, 4)).astype(np.float32)
B1 = rng.standard_normal(4).astype(np.float32)
W2 = rng.standard_normal((4, 3)).astype(np.float32)
B2 = rng.standard_normal(3).astype(np.float32)
graph = helper.make_graph(
    [
        helper.make_node('Block', ['x', 'W1', 'B1', 'W2', 'B2'], ['y1'], domain='custom', slope=0.2),
        helper.make_node('Block', ['x', 'W1', 'B1', 'W2', 'B2'], ['y2'], domain='custom', slope=0.3),
        helper.make_node('LinearRelu', ['x', 'W1', 'B1'], ['y3'], domain='custom'),
    ],
    'functions',
    [helper.make_tensor_value_info('x', TensorProto.FLOAT, [2, 5])],
    [helper.make_tensor_value_info(n, TensorProto.FLOAT, None) for n in ['y1', 'y2', 'y3']],
    [numpy_helper.from_array(a, n) for a, n in [(W1, 'W1'), (B1, 'B1'), (W2, 'W2'), (B2, 'B2')]],
)
os.makedirs(OUT, exist_ok=True)
onnx.save_model(helper.make_model(graph, opset_imports=OPSETS, functions=[linear_relu, block], ir_version=8, producer_name='make-onnx-function-fixtures'), os.path.join(OUT, 'functions.onnx'))

loop = helper.make_function('custom', 'Loop', ['X'], ['Y'], [helper.make_node('Loop', ['X'], ['Y'], domain='custom')], OPSETS)
graph = helper.make_graph([helper.make_node('Loop', ['x'], ['y'], domain='custom')], 'recursive', [helper.make_tensor_value_info('x', TensorProto.FLOAT, [2])], [helper.make_tensor_value_info('y', TensorProto.FLOAT, [2])])
onnx.save_model(helper.make_model(graph, opset_imports=OPSETS, functions=[loop], ir_version=8, producer_name='make-onnx-function-fixtures'), os.path.join(OUT, 'recursive.onnx'))

with open(os.path.join(OUT, 'README.md'), 'w') as f:
    f.write(
        '# Model-local functions in ONNX files\n\n'
        'Written by `/usr/bin/python3 scripts/make-onnx-function-fixtures.py` with onnx '
        f'{onnx.__version__} (`python3-onnx`); see the script for what each file holds. '
        '`test/onnx/functions.test.ts` reads them.\n'
    )
