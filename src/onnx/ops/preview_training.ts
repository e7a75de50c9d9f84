// The optimizers of ONNX's ai.onnx.preview.training domain: one step of
// Adagrad, Momentum (standard or Nesterov) or Adam over N tensors at once, as
// the operators' pseudo code defines it (onnx/defs/training/defs.cc; the
// reference in onnx/reference/ops/aionnx_preview_training). Inputs are the
// learning rate R and the update count T (scalars), then X_1…X_N, their
// gradients G_1…G_N, and the optimizer's state (H for Adagrad, V for
// Momentum, V then H for Adam), each list N long; outputs the new X_1…X_N,
// then the new state in the same order. Each step is elementwise tensor ops
// (on webgpu one fused launch a tensor). The domain's Gradient op, which
// differentiates a part of the graph, is not here.
import type { DType } from '../../dtype.js';
import * as ops from '../../ops/index.js';
import type { Tensor } from '../../tensor.js';
import type { NodeCall } from '../node_call.js';
import type { OnnxOp, OpTable } from './op.js';

/** One tensor's inputs in f32 (X, G, then its state), and the dtypes its outputs take (X's, then each state's: an f16 X stays f16). */
interface Group {
  values: Tensor[];
  dtypes: DType[];
}

/** R and T in f32, and each tensor's group, the lists checked to be N long each. */
function stepInputs(call: NodeCall, lists: number): { r: Tensor; t: Tensor; groups: Group[] } {
  const variadic = call.inputCount - 2;
  if (variadic < lists || variadic % lists !== 0) {
    throw call.error(`has ${call.inputCount} inputs; ${call.node.opType} takes R, T and ${lists} lists of N tensors (X, G${lists > 2 ? ', and its state' : ''}), ${lists}·N after R and T`);
  }
  const n = variadic / lists;
  const groups = Array.from({ length: n }, (_, i) => {
    const given = Array.from({ length: lists }, (__, l) => call.tensor(2 + l * n + i));
    return { values: given.map((t) => ops.cast(t, 'f32')), dtypes: given.filter((_t, l) => l !== 1).map((t) => t.dtype) };
  });
  return { r: ops.cast(call.tensor(0), 'f32'), t: ops.cast(call.tensor(1), 'f32'), groups };
}

/** The step's outputs: the new X of each tensor, then each state list in turn, in their dtypes. */
function outputs(groups: readonly Group[], results: Tensor[][]): Tensor[] {
  return results[0].flatMap((_, list) => results.map((r, i) => ops.cast(r[list], groups[i].dtypes[list])));
}

const requiredFloat = (call: NodeCall, name: string): number => {
  const v = call.float(name);
  if (v === undefined) throw call.error(`attribute ${name} is required`);
  return v;
};

const adagrad: OnnxOp = {
  run: (call) => {
    const decay = call.float('decay_factor', 0), epsilon = call.float('epsilon', 1e-6), norm = call.float('norm_coefficient', 0);
    const { r, t, groups } = stepInputs(call, 3);
    const rate = ops.div(r, ops.add(ops.mul(t, decay), 1));
    return outputs(groups, groups.map(({ values: [x, g, h] }) => {
      const gr = ops.add(ops.mul(x, norm), g);
      const hNew = ops.add(h, ops.mul(gr, gr));
      return [ops.sub(x, ops.div(ops.mul(rate, gr), ops.add(ops.sqrt(hNew), epsilon))), hNew];
    }));
  },
};

const momentum: OnnxOp = {
  run: (call) => {
    const alpha = requiredFloat(call, 'alpha'), beta = requiredFloat(call, 'beta'), norm = requiredFloat(call, 'norm_coefficient');
    const mode = call.string('mode');
    if (mode !== 'standard' && mode !== 'nesterov') throw call.error(mode === undefined ? 'attribute mode (standard or nesterov) is required' : `mode = '${mode}' is not supported: it is standard or nesterov`);
    const { r, t, groups } = stepInputs(call, 3);
    // The first step (T = 0) takes the whole gradient.
    const betaAdjusted = ops.where(ops.greater(t, 0), beta, 1);
    return outputs(groups, groups.map(({ values: [x, g, v] }) => {
      const gr = ops.add(ops.mul(x, norm), g);
      const vNew = ops.add(ops.mul(v, alpha), ops.mul(betaAdjusted, gr));
      const direction = mode === 'standard' ? vNew : ops.add(gr, ops.mul(vNew, alpha));
      return [ops.sub(x, ops.mul(r, direction)), vNew];
    }));
  },
};

const adam: OnnxOp = {
  run: (call) => {
    const alpha = call.float('alpha', 0.9), beta = call.float('beta', 0.999), epsilon = call.float('epsilon', 1e-6);
    const norm = call.float('norm_coefficient', 0), normPost = call.float('norm_coefficient_post', 0);
    const { r, t, groups } = stepInputs(call, 4);
    // R·√(1 − βᵀ) / (1 − αᵀ) once T > 0 (bias correction); R itself at T = 0, where it would divide by 0.
    const corrected = ops.div(ops.mul(r, ops.sqrt(ops.sub(1, ops.pow(beta, t)))), ops.sub(1, ops.pow(alpha, t)));
    const rate = ops.where(ops.greater(t, 0), corrected, r);
    return outputs(groups, groups.map(({ values: [x, g, v, h] }) => {
      const gr = ops.add(ops.mul(x, norm), g);
      const vNew = ops.add(ops.mul(v, alpha), ops.mul(gr, 1 - alpha));
      const hNew = ops.add(ops.mul(h, beta), ops.mul(ops.mul(gr, gr), 1 - beta));
      const xNew = ops.sub(x, ops.div(ops.mul(rate, vNew), ops.add(ops.sqrt(hNew), epsilon)));
      return [ops.mul(xNew, 1 - normPost), vNew, hNew];
    }));
  },
};

export const PREVIEW_TRAINING_OPS: OpTable = { Adagrad: adagrad, Momentum: momentum, Adam: adam };
