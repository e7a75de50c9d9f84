// ONNX's pooling ops over 1-, 2- and 3-D inputs on tmnn's max and average
// pools. ONNX's strides default to 1 (tmnn's to the window), and its pads may
// differ at the two ends of an axis or exceed half the window, which tmnn's
// pools refuse: those are padded first (−∞ for a max, 0 for a mean, divided
// then by the pooled mask of real entries when the padding must not count).
// A ceil_mode window that would start in the end padding is dropped, as
// ONNX (and PyTorch) say, by cutting the output to ONNX's size.
import * as ops from '../../ops/index.js';
import type { Tensor } from '../../tensor.js';
import type { NodeCall } from '../node_call.js';
import type { OnnxOp, OpTable } from './op.js';
import { isSymmetric, padSpatial, perAxis, sized, spatialRank, window, windowPads } from './spatial.js';

const MAX_POOLS = [ops.maxPool1d, ops.maxPool2d, ops.maxPool3d] as const;
const AVG_POOLS = [ops.avgPool1d, ops.avgPool2d, ops.avgPool3d] as const;
type Pool = (x: Tensor, kernel: never, options: object) => Tensor;

interface Geometry {
  n: number;
  kernel: number[];
  strides: number[];
  dilations: number[];
  pads: [number, number][];
  ceil: boolean;
  /** ONNX's output size along each spatial axis. */
  out: number[];
}

function geometry(call: NodeCall, x: Tensor, dilated: boolean): Geometry {
  const n = spatialRank(call, x);
  const kernel = call.ints('kernel_shape');
  if (!kernel || kernel.length !== n) throw call.error(`kernel_shape ${kernel ? `= [${kernel.join(', ')}] ` : ''}must give the window's size along the ${n} spatial axes`);
  perAxis(call, 'kernel_shape', n, 1);
  const strides = perAxis(call, 'strides', n, 1);
  const dilations = perAxis(call, 'dilations', n, 1);
  if (!dilated && dilations.some((d) => d !== 1)) throw call.error(`dilations = [${dilations.join(', ')}] is not supported: tmnn's ${call.node.opType} is built on its average pools, which have no dilation`);
  const ceil = call.int('ceil_mode', 0) !== 0;
  const sizes = x.shape.slice(2);
  const pads = windowPads(call, sizes, kernel, strides, dilations);
  const out = sizes.map((s, i) => {
    const span = (kernel[i] - 1) * dilations[i] + 1;
    const room = s + pads[i][0] + pads[i][1] - span;
    if (room < 0) throw call.error(`the ${span}-wide window is larger than axis ${i + 2} (${s}) with its pads`);
    let o = (ceil ? Math.ceil(room / strides[i]) : Math.floor(room / strides[i])) + 1;
    if (ceil && (o - 1) * strides[i] >= s + pads[i][0]) o--;
    return o;
  });
  return { n, kernel, strides, dilations, pads, ceil, out };
}

/** tmnn's pools pad both ends alike, at most half the (dilated) window. */
function fitsTmnn(g: Geometry): boolean {
  return isSymmetric(g.pads) && g.pads.every(([p], i) => 2 * p <= (g.kernel[i] - 1) * g.dilations[i] + 1);
}

/** y cut to ONNX's output size, where tmnn kept a ceil_mode window ONNX drops. */
function cut(y: Tensor, g: Geometry): Tensor {
  return g.out.reduce((t, o, i) => (t.shape[i + 2] === o ? t : window(t, i + 2, 0, o)), y);
}

function refuseIndices(call: NodeCall): void {
  if (call.node.outputs.length > 1 && call.node.outputs[1] !== '') throw call.error(`its Indices output (${call.node.outputs[1]}) is not supported: tmnn's max pools give the values only`);
}

const maxPool: OnnxOp = {
  run: (call) => {
    refuseIndices(call);
    const x = call.tensor(0);
    const g = geometry(call, x, true);
    const pool = MAX_POOLS[g.n - 1] as Pool;
    const options = { stride: sized(g.strides), dilation: sized(g.dilations), ceilMode: g.ceil };
    if (fitsTmnn(g)) return cut(pool(x, sized(g.kernel) as never, { ...options, padding: sized(g.pads.map(([p]) => p)) }), g);
    return cut(pool(padSpatial(x, g.pads, -Infinity), sized(g.kernel) as never, options), g);
  },
};

/** AveragePool of x by the node's attributes (QLinearAveragePool pools its dequantized input by the same rules). */
export function averagePoolOf(call: NodeCall, x: Tensor): Tensor {
  const g = geometry(call, x, false);
  const countPad = call.int('count_include_pad', 0) !== 0;
  const pool = AVG_POOLS[g.n - 1] as Pool;
  const options = { stride: sized(g.strides), ceilMode: g.ceil };
  if (fitsTmnn(g)) return cut(pool(x, sized(g.kernel) as never, { ...options, padding: sized(g.pads.map(([p]) => p)), countIncludePad: countPad }), g);
  const mean = pool(padSpatial(x, g.pads), sized(g.kernel) as never, options);
  if (countPad) return cut(mean, g);
  // The share of each window that is x rather than padding: the mean of x over it alone is the ratio.
  const mask = ops.ones([1, 1, ...x.shape.slice(2)], { dtype: x.dtype });
  const share = pool(padSpatial(mask, g.pads), sized(g.kernel) as never, options);
  return cut(ops.div(mean, share), g);
}

const averagePool: OnnxOp = { run: (call) => averagePoolOf(call, call.tensor(0)) };

/**
 * LpPool: each window's (Σ|x|ᵖ)^(1/p), the sum an average pool of |x|ᵖ
 * times the window's size. A ceil_mode window is completed with zeros (more
 * padding at the end), which add nothing to the sum.
 */
const lpPool: OnnxOp = {
  run: (call) => {
    const x = call.tensor(0);
    const g = geometry(call, x, false);
    const p = call.float('p', 2);
    if (!(p > 0)) throw call.error(`p = ${p} must be positive`);
    const sizes = x.shape.slice(2);
    const pads = g.pads.map(([b, e], i) => [b, Math.max(e, (g.out[i] - 1) * g.strides[i] + g.kernel[i] - sizes[i] - b)] as [number, number]);
    const powers = ops.pow(ops.abs(x), p);
    const pool = AVG_POOLS[g.n - 1] as Pool;
    const mean = pool(padSpatial(powers, pads), sized(g.kernel) as never, { stride: sized(g.strides) });
    const windowSize = g.kernel.reduce((a, b) => a * b, 1);
    return cut(ops.pow(ops.mul(mean, windowSize), 1 / p), g);
  },
};

function spatialAxes(call: NodeCall, x: Tensor): number[] {
  if (x.rank < 3) throw call.error(`input is [${x.shape.join(', ')}]; it needs [N, C, spatial…]`);
  return Array.from({ length: x.rank - 2 }, (_, i) => i + 2);
}

export const POOL_OPS: OpTable = {
  MaxPool: maxPool,
  AveragePool: averagePool,
  LpPool: lpPool,
  GlobalAveragePool: { run: (call) => ops.mean(call.tensor(0), spatialAxes(call, call.tensor(0)), { keepDims: true }) },
  GlobalMaxPool: { run: (call) => ops.max(call.tensor(0), spatialAxes(call, call.tensor(0)), { keepDims: true }) },
  GlobalLpPool: {
    run: (call) => {
      const x = call.tensor(0);
      const p = call.float('p', 2);
      if (!(p > 0)) throw call.error(`p = ${p} must be positive`);
      return ops.pow(ops.sum(ops.pow(ops.abs(x), p), spatialAxes(call, x), { keepDims: true }), 1 / p);
    },
  },
};
