#!/usr/bin/python3
# bench/models/mlp_int8.onnx: bench/models/mlp.onnx's MLP (784-256-128-10,
# ReLU) in onnxruntime's dynamic quantization format, which `npm run bench
# -- onnx` times tm.onnx on next to onnxruntime-web. What
# onnxruntime.quantization.quantize_dynamic writes for a MatMul (there is no
# onnxruntime for Python here, so the graph is built with onnx.helper):
#   x → DynamicQuantizeLinear → (x_q uint8, x_scale, x_zero_point)
#   MatMulInteger(x_q, W_q int8 [in, out], x_zero_point, W_zero_point) → int32
#   Cast(float) → Mul by x_scale · W_scale → Add bias → Relu
# The weights are quantized as its default (weight_type QInt8, per tensor)
# does: symmetric, scale max|W| / 127, zero point 0, rounded half to even.
# Needs Debian's python3-onnx (and numpy):
#   /usr/bin/python3 scripts/make-onnx-int8-bench-model.py   (from the repository root)
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

MODELS = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'bench', 'models')


def main():
    source = onnx.load(os.path.join(MODELS, 'mlp.onnx'))
    weights = {t.name: numpy_helper.to_array(t) for t in source.graph.initializer}
    gemms = [n for n in source.graph.node if n.op_type == 'Gemm']
    nodes, initializers = [], []
    x = 'x'
    for i, gemm in enumerate(gemms):
        w = weights[gemm.input[1]].T.astype(np.float32)  # Gemm's transB = 1: [out, in] → [in, out]
        b = weights[gemm.input[2]].astype(np.float32)
        scale = np.float32(np.abs(w).max() / 127)
        q = np.clip(np.rint(w / scale), -128, 127).astype(np.int8)
        p = f'l{i}_'
        initializers += [
            numpy_helper.from_array(q, f'{p}W_quantized'),
            numpy_helper.from_array(np.array(scale, dtype=np.float32), f'{p}W_scale'),
            numpy_helper.from_array(np.array(0, dtype=np.int8), f'{p}W_zero_point'),
            numpy_helper.from_array(b, f'{p}bias'),
        ]
        last = i == len(gemms) - 1
        nodes += [
            helper.make_node('DynamicQuantizeLinear', [x], [f'{p}x_q', f'{p}x_scale', f'{p}x_zero_point']),
            helper.make_node('MatMulInteger', [f'{p}x_q', f'{p}W_quantized', f'{p}x_zero_point', f'{p}W_zero_point'], [f'{p}acc']),
            helper.make_node('Cast', [f'{p}acc'], [f'{p}acc_float'], to=TensorProto.FLOAT),
            helper.make_node('Mul', [f'{p}x_scale', f'{p}W_scale'], [f'{p}scale']),
            helper.make_node('Mul', [f'{p}acc_float', f'{p}scale'], [f'{p}product']),
            helper.make_node('Add', [f'{p}product', f'{p}bias'], ['y' if last else f'{p}pre']),
        ]
        if not last:
            nodes.append(helper.make_node('Relu', [f'{p}pre'], [f'{p}out']))
            x = f'{p}out'
    graph = helper.make_graph(
        nodes, 'mlp_int8',
        [helper.make_tensor_value_info('x', TensorProto.FLOAT, ['batch', 784])],
        [helper.make_tensor_value_info('y', TensorProto.FLOAT, ['batch', 10])],
        initializers)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid('', 13)], producer_name='onnx.quantize-like (tmnn bench)')
    model.ir_version = 8
    onnx.checker.check_model(model)
    path = os.path.join(MODELS, 'mlp_int8.onnx')
    onnx.save(model, path)
    print(f'mlp_int8: {os.path.getsize(path):,} bytes')


if __name__ == '__main__':
    main()
