#!/usr/bin/python3
# The ONNX files tm.onnx's sparse tensors (GraphProto.sparse_initializer,
# Constant's sparse_value: SparseTensorProto, values and their indices) are
# tested against, written into test/fixtures/onnx/sparse/ by onnx's own
# helpers:
#   sparse.onnx   y = x · W + b and a Constant c, with W [5, 3] a sparse
#                 float initializer indexed by linear positions, b [3] one
#                 indexed by coordinates [NNZ, 1], and c an int64 [2, 4]
#                 Constant node's sparse_value indexed by coordinates [NNZ, 2]
#   empty.onnx    the same shapes, W with no non-zero value at all
#   bad/outside.onnx   a linear index past W's size
#   bad/count.onnx     indices [NNZ] for values of another length
# and README.md saying so. Seeded: the same bytes each run.
#
#   /usr/bin/python3 scripts/make-onnx-sparse-fixtures.py   (from the repository root)
import os

import numpy as np
import onnx
from onnx import TensorProto, helper

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, '..', 'test', 'fixtures', 'onnx', 'sparse')

rng = np.random.default_rng(11)


def sparse(name, values, indices, dims, data_type=TensorProto.FLOAT):
    v = helper.make_tensor(name, data_type, [len(values)], values)
    i = helper.make_tensor(name + '_indices', TensorProto.INT64, list(np.asarray(indices).shape), np.asarray(indices).flatten().tolist())
    return helper.make_sparse_tensor(v, i, dims)


def model(w_positions, w_count=None, name='sparse'):
    w_values = rng.standard_normal(len(w_positions) if w_count is None else w_count).astype(np.float32).tolist()
    w = sparse('W', w_values, w_positions, [5, 3])
    b = sparse('b', [0.5, -1.25], [[0], [2]], [3])
    c = sparse('c_values', [7, -3, 11], [[0, 1], [1, 0], [1, 3]], [2, 4], TensorProto.INT64)
    graph = helper.make_graph(
        [
            helper.make_node('MatMul', ['x', 'W'], ['xw']),
            helper.make_node('Add', ['xw', 'b'], ['y']),
            helper.make_node('Constant', [], ['c'], sparse_value=c),
        ],
        name,
        [helper.make_tensor_value_info('x', TensorProto.FLOAT, [2, 5])],
        [helper.make_tensor_value_info('y', TensorProto.FLOAT, [2, 3]), helper.make_tensor_value_info('c', TensorProto.INT64, [2, 4])],
        sparse_initializer=[w, b],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid('', 13)], ir_version=7, producer_name='make-onnx-sparse-fixtures')


os.makedirs(os.path.join(OUT, 'bad'), exist_ok=True)
onnx.save_model(model([1, 3, 4, 8, 12, 14]), os.path.join(OUT, 'sparse.onnx'))
onnx.save_model(model([], name='empty'), os.path.join(OUT, 'empty.onnx'))
onnx.save_model(model([1, 15]), os.path.join(OUT, 'bad', 'outside.onnx'))
onnx.save_model(model([1, 3, 4], w_count=2), os.path.join(OUT, 'bad', 'count.onnx'))
with open(os.path.join(OUT, 'README.md'), 'w') as f:
    f.write(
        '# Sparse tensors in ONNX files\n\n'
        'Written by `/usr/bin/python3 scripts/make-onnx-sparse-fixtures.py` with onnx '
        f'{onnx.__version__} (`python3-onnx`); see the script for what each file holds. '
        '`test/onnx/sparse.test.ts` reads them.\n'
    )
