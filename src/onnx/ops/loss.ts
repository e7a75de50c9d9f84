// ONNX's training losses over class scores: NegativeLogLikelihoodLoss and
// SoftmaxCrossEntropyLoss (opsets 12, 13, 22), through tm.losses.nll. Scores
// are [N, C] or [N, C, d1 … dk] with targets [N] or [N, d1 … dk]: the class
// axis moves last and every (n, d1 … dk) becomes one sample, so 'mean' with
// weights divides by the summed weights of the kept targets, as ONNX's
// reference does. The gradient reaches the scores through nll (and, for
// SoftmaxCrossEntropyLoss, logSoftmax).
import { TmnnError } from '../../errors.js';
import { nll, type Reduction } from '../../losses/index.js';
import * as ops from '../../ops/index.js';
import type { Tensor } from '../../tensor.js';
import type { NodeCall } from '../node_call.js';
import type { OpTable } from './op.js';

const REDUCTIONS: readonly Reduction[] = ['none', 'sum', 'mean'];

/** The loss of log-probabilities `logProbabilities` [N, C, d…] at the node's targets (input 1), with its weights (input 2). */
function negativeLogLikelihood(call: NodeCall, logProbabilities: Tensor): Tensor {
  const reduction = call.string('reduction', 'mean') as Reduction;
  if (!REDUCTIONS.includes(reduction)) throw call.error(`reduction = '${reduction}' is not supported: it is one of 'none', 'sum', 'mean'`);
  const target = call.tensor(1);
  const shape = logProbabilities.shape;
  if (shape.length < 2) throw call.error(`its scores should be [N, C] or [N, C, d1, …], they are [${shape.join(', ')}]`);
  if (target.dtype !== 'i32') throw call.error(`its target is ${target.dtype}; it should be class indices (int32 or int64)`);
  const wantTarget = [shape[0], ...shape.slice(2)];
  if (target.rank !== wantTarget.length || target.shape.some((d, i) => d !== wantTarget[i])) {
    throw call.error(`its target should be [${wantTarget.join(', ')}] for scores [${shape.join(', ')}], it is [${target.shape.join(', ')}]`);
  }
  const weight = call.has(2) ? call.tensor(2) : undefined;
  const classes = shape[1];
  // [N, C, d…] → [N·d…, C]: the class axis last, one row per target.
  const rank = shape.length;
  const classesLast = rank === 2 ? logProbabilities : ops.transpose(logProbabilities, [0, ...Array.from({ length: rank - 2 }, (_, i) => i + 2), 1]);
  const rows = ops.reshape(classesLast, [target.size, classes]);
  let loss: Tensor;
  try {
    loss = nll(rows, ops.reshape(target, [target.size]), { reduction, ignoreIndex: call.int('ignore_index'), weight });
  } catch (e) {
    // nll's message (a label out of range, a weight's shape) names itself: here it should name the node.
    if (e instanceof TmnnError) throw call.error(e.message.replace(/^nll: /, ''));
    throw e;
  }
  return reduction === 'none' ? ops.reshape(loss, [...target.shape]) : loss;
}

function floatScores(call: NodeCall): Tensor {
  const x = call.tensor(0);
  if (x.dtype !== 'f32' && x.dtype !== 'f16') throw call.error(`its scores are ${x.dtype}; they should be floats`);
  return x;
}

export const LOSS_OPS: OpTable = {
  NegativeLogLikelihoodLoss: { run: (call) => negativeLogLikelihood(call, floatScores(call)) },
  // Outputs: the loss, and (optionally) the log-probabilities over the class axis, axis 1.
  SoftmaxCrossEntropyLoss: {
    run: (call) => {
      const logProbabilities = ops.logSoftmax(floatScores(call), 1);
      return [negativeLogLikelihood(call, logProbabilities), logProbabilities];
    },
  },
};
