// ONNX's reductions, arg-reductions, softmaxes, scans and TopK, on tmnn's
// reduce ops. ReduceSum took its axes as an input from opset 13, the other
// Reduce ops from opset 18; both forms are read.
import * as ops from '../../ops/index.js';
import type { Tensor } from '../../tensor.js';
import { forEachIndex } from '../host_math.js';
import type { NodeCall } from '../node_call.js';
import { Constant } from '../value.js';
import type { OnnxOp, OpTable } from './op.js';

/** The axes a Reduce node reduces, or undefined for all (or [] when noop_with_empty_axes asks for none). */
function reduceAxes(call: NodeCall, rank: number, inputSince: number): number[] | undefined {
  // Left unread, an axes attribute past its opset would make the node reduce every axis.
  if (call.opset >= inputSince && call.node.attributes.has('axes')) {
    throw call.error(`axes is an attribute, but from opset ${inputSince} it is input 1 (the model's opset is ${call.opset})`);
  }
  const given = call.opset < inputSince ? call.ints('axes') : call.numbers(1, 'axes');
  if (!given || !given.length) return call.int('noop_with_empty_axes', 0) ? [] : undefined;
  return given.map((a) => {
    if (a < -rank || a >= rank) throw call.error(`axis ${a} is outside a rank-${rank} input`);
    return a < 0 ? a + rank : a;
  });
}

function reduction(fn: (x: Tensor, axes: number[] | undefined, keepDims: boolean) => Tensor, inputSince = 18, hostFn?: (values: number[]) => number): OnnxOp {
  return {
    hostInputs: [1],
    run: (call) => {
      const x = call.tensor(0);
      const axes = reduceAxes(call, x.rank, inputSince);
      if (axes && !axes.length) return x;
      return fn(x, axes, call.int('keepdims', 1) === 1);
    },
    ...(hostFn
      ? {
          host: (call: NodeCall, [x]: Constant[]) => {
            const rank = x.shape.length;
            const axes = reduceAxes(call, rank, inputSince) ?? x.shape.map((_, i) => i);
            if (!axes.length) return x;
            const keep = call.int('keepdims', 1) === 1;
            const kept = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
            const groups = new Map<number, number[]>();
            forEachIndex(x.shape, (index, flat) => {
              const key = index.reduce((at, v, i) => at * kept[i] + (axes.includes(i) ? 0 : v), 0);
              const group = groups.get(key) ?? [];
              group.push(x.data[flat]);
              groups.set(key, group);
            });
            const size = kept.reduce((a, b) => a * b, 1);
            const data = Float64Array.from({ length: size }, (_, k) => hostFn(groups.get(k) ?? []));
            return new Constant(x.type, keep ? kept : x.shape.filter((_, i) => !axes.includes(i)), data);
          },
        }
      : {}),
  };
}

function argReduction(fn: typeof ops.argmax): OnnxOp {
  return {
    run: (call) => {
      let x = call.tensor(0);
      const rank = x.rank;
      const a0 = call.int('axis', 0);
      const a = a0 < 0 ? a0 + rank : a0;
      const keepDims = call.int('keepdims', 1) === 1;
      // select_last_index: search the reversed axis and map the position back.
      if (call.int('select_last_index', 0)) {
        x = ops.flip(x, a);
        const i = fn(x, a, { keepDims });
        return ops.sub(x.shape[a] - 1, i);
      }
      return fn(x, a, { keepDims });
    },
  };
}

/** Softmax before opset 13 normalises over the input flattened to 2-D at `axis` (default 1); from 13 over one axis (default -1). */
function softmaxOp(fn: typeof ops.softmax): OnnxOp {
  return {
    run: (call) => {
      const x = call.tensor(0);
      if (call.opset >= 13) return fn(x, call.int('axis', -1));
      const a0 = call.int('axis', 1);
      const a = a0 < 0 ? a0 + x.rank : a0;
      const outer = x.shape.slice(0, a).reduce((p, d) => p * d, 1);
      return ops.reshape(fn(ops.reshape(x, [outer, x.size / Math.max(outer, 1)]), 1), x.shape);
    },
  };
}

const sum = (v: number[]) => v.reduce((a, b) => a + b, 0);

/**
 * CumSum (opset 11) and CumProd (opset 26): the running sums or products
 * along the axis (input 1), reversed with `reverse`; with `exclusive` each
 * position takes those before it, not itself — the inclusive results moved
 * one along, `identity` first (not inclusive − x, which loses a small sum to
 * the rounding of a large x beside it, nor inclusive / x, which a 0 spoils).
 */
function cumulative(scan: (x: Tensor, axis: number) => Tensor, identity: number): OnnxOp {
  return {
    hostInputs: [1],
    run: (call) => {
      let x = call.tensor(0);
      const a0 = call.constant(1, 'axis').data[0];
      if (!Number.isInteger(a0) || a0 < -x.rank || a0 >= x.rank) throw call.error(`axis ${a0} is outside the input's ${x.rank} axes`);
      const a = a0 < 0 ? a0 + x.rank : a0;
      const reverse = call.int('reverse', 0) === 1;
      if (reverse) x = ops.flip(x, a);
      let y = scan(x, a);
      if (call.int('exclusive', 0) && x.shape[a] > 0) {
        const kept = ops.slice(y, x.shape.map(() => 0), x.shape.map((d, i) => (i === a ? d - 1 : d)));
        y = ops.pad(kept, x.shape.map((_, i) => (i === a ? [1, 0] : [0, 0]) as [number, number]), { mode: 'constant', value: identity });
      }
      return reverse ? ops.flip(y, a) : y;
    },
  };
}

export const REDUCE_OPS: OpTable = {
  ReduceSum: reduction((x, axes, keepDims) => ops.sum(x, axes, { keepDims }), 13, sum),
  ReduceMean: reduction((x, axes, keepDims) => ops.mean(x, axes, { keepDims }), 18, (v) => sum(v) / v.length),
  ReduceMax: reduction((x, axes, keepDims) => ops.max(x, axes, { keepDims }), 18, (v) => Math.max(...v)),
  ReduceMin: reduction((x, axes, keepDims) => ops.min(x, axes, { keepDims }), 18, (v) => Math.min(...v)),
  ReduceProd: reduction((x, axes, keepDims) => ops.prod(x, axes, { keepDims }), 18, (v) => v.reduce((a, b) => a * b, 1)),
  ReduceL1: reduction((x, axes, keepDims) => ops.sum(ops.abs(x), axes, { keepDims })),
  ReduceL2: reduction((x, axes, keepDims) => ops.sqrt(ops.sum(ops.square(x), axes, { keepDims }))),
  ReduceSumSquare: reduction((x, axes, keepDims) => ops.sum(ops.square(x), axes, { keepDims })),
  ReduceLogSum: reduction((x, axes, keepDims) => ops.log(ops.sum(x, axes, { keepDims }))),
  ReduceLogSumExp: reduction((x, axes, keepDims) => ops.logsumexp(x, axes, { keepDims })),
  ArgMax: argReduction(ops.argmax),
  ArgMin: argReduction(ops.argmin),
  Softmax: softmaxOp(ops.softmax),
  LogSoftmax: softmaxOp(ops.logSoftmax),
  CumSum: cumulative(ops.cumsum, 0),
  CumProd: cumulative(ops.cumprod, 1),
  TopK: {
    hostInputs: [1],
    run: (call) => {
      const x = call.tensor(0);
      const k = call.opset < 10 ? call.int('k') : call.constant(1, 'k').data[0];
      if (k === undefined) throw call.error('k is required');
      // tmnn's topk returns the k in sorted order, which also satisfies sorted = 0 (any order).
      const { values, indices } = ops.topk(x, k, { axis: call.int('axis', -1), largest: call.int('largest', 1) === 1 });
      return [values, indices];
    },
  },
};
