// Writes small ONNX models for tests: a graph described in a few lines,
// encoded by the library's writer (src/onnx/encode.ts), so a test can run one
// op with the attributes it wants. The fixtures in test/fixtures/onnx are the
// real exports these are checked beside.
import { encodeModel, type AttributeSpec, type GraphSpec, type TensorSpec, type ValueSpec } from '../../src/onnx/encode.js';

export { ONNX_TYPES } from '../../src/onnx/encode.js';
export type { AttributeSpec, FunctionSpec, GraphSpec, NodeSpec, OnnxTypeName, SubgraphSpec, TensorSpec, ValueSpec } from '../../src/onnx/encode.js';

/** The bytes of an ONNX model holding `spec`'s graph (the producer 'tmnn-test' unless named). */
export function onnxModel(spec: GraphSpec): Uint8Array {
  return encodeModel({ name: 'test', ...spec, producer: spec.producer ?? 'tmnn-test' });
}

/** A one-node model: inputs x0, x1… (float unless typed), output y. */
export function singleOp(op: string, inputs: readonly ValueSpec[], attributes: Record<string, AttributeSpec> = {}, options: { opset?: number; initializers?: Record<string, TensorSpec>; extraInputs?: readonly string[]; outputs?: number } = {}): Uint8Array {
  const outputs = Array.from({ length: options.outputs ?? 1 }, (_, i) => (i === 0 ? 'y' : `y${i}`));
  return onnxModel({
    opset: options.opset,
    inputs,
    outputs: outputs.map((name) => ({ name })),
    initializers: options.initializers,
    nodes: [{ op, inputs: [...inputs.map((i) => i.name), ...(options.extraInputs ?? [])], outputs, attributes }],
  });
}
