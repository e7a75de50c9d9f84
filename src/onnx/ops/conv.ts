// ONNX's Conv and ConvTranspose over 1-, 2- and 3-D inputs, on tmnn's
// conv1d/2d/3d and convTranspose1d/2d/3d (the same NC… layouts and weight
// layouts as ONNX's, which are PyTorch's). Pads that differ at the two ends
// of an axis are made by padding the input first (Conv) or cutting the
// unpadded output (ConvTranspose), which tmnn's symmetric padding cannot say.
import * as ops from '../../ops/index.js';
import type { Tensor } from '../../tensor.js';
import type { NodeCall } from '../node_call.js';
import type { OnnxOp, OpTable } from './op.js';
import { isSymmetric, padSpatial, perAxis, perChannel, sized, spatialRank, window, windowPads } from './spatial.js';

const CONVS = [ops.conv1d, ops.conv2d, ops.conv3d] as const;
const TRANSPOSES = [ops.convTranspose1d, ops.convTranspose2d, ops.convTranspose3d] as const;

/** kernel_shape, when given, must be the weight's (ONNX allows it to be left out and read from W). */
export function kernelOf(call: NodeCall, w: Tensor, n: number): number[] {
  const kernel = w.shape.slice(2);
  if (w.rank !== n + 2) throw call.error(`weight W is [${w.shape.join(', ')}]; a ${n}-D ${call.node.opType} needs ${n + 2} axes`);
  const given = call.ints('kernel_shape');
  if (given && (given.length !== n || given.some((k, i) => k !== kernel[i]))) {
    throw call.error(`kernel_shape = [${given.join(', ')}] differs from the weight's [${kernel.join(', ')}]`);
  }
  return kernel;
}

/** The channels x, W and group must agree on (W's input-channel axis: 1 for Conv, 0 for ConvTranspose). */
export function checkGroups(call: NodeCall, x: Tensor, w: Tensor, groups: number, transposed: boolean): void {
  const channels = x.shape[1];
  if (!Number.isInteger(groups) || groups < 1 || channels % groups) throw call.error(`group = ${groups} must be a positive integer dividing the input's ${channels} channels`);
  const fits = transposed ? w.shape[0] === channels : w.shape[1] * groups === channels;
  if (!fits) throw call.error(`weight W [${w.shape.join(', ')}] does not fit the input's ${channels} channels in ${groups} group${groups > 1 ? 's' : ''}`);
  if (!transposed && w.shape[0] % groups) throw call.error(`W's ${w.shape[0]} filters do not split into ${groups} groups`);
}

function withBias(call: NodeCall, y: Tensor): Tensor {
  return call.has(2) ? ops.add(y, perChannel(call.tensor(2), y.rank)) : y;
}

/** What Conv and ConvTranspose read alike: x, W, the spatial rank, and the window's attributes, checked. */
function convSettings(call: NodeCall, transposed: boolean) {
  const x = call.tensor(0), w = call.tensor(1);
  const n = spatialRank(call, x);
  const kernel = kernelOf(call, w, n);
  const strides = perAxis(call, 'strides', n, 1);
  const dilations = perAxis(call, 'dilations', n, 1);
  const groups = call.int('group', 1);
  checkGroups(call, x, w, groups, transposed);
  return { x, w, n, kernel, strides, dilations, groups };
}

const conv: OnnxOp = {
  run: (call) => {
    const { x, w, n, kernel, strides, dilations, groups } = convSettings(call, false);
    const pads = windowPads(call, x.shape.slice(2), kernel, strides, dilations);
    const symmetric = isSymmetric(pads);
    const input = symmetric ? x : padSpatial(x, pads);
    const padding = symmetric ? sized(pads.map(([b]) => b)) : 0;
    const convolve = CONVS[n - 1] as (x: Tensor, w: Tensor, o: object) => Tensor;
    return withBias(call, convolve(input, w, { stride: sized(strides), dilation: sized(dilations), padding, groups }));
  },
};

/**
 * ConvTranspose's pads: from output_shape when given (the total padding it
 * implies, split as auto_pad says), from auto_pad SAME_* (an output of
 * input · stride), else the pads attribute. A negative total (an output_shape
 * larger than the unpadded output) is padding added, read as zeros.
 */
function transposePads(call: NodeCall, sizes: number[], kernel: number[], strides: number[], dilations: number[], outputPadding: number[]): [number, number][] {
  const n = sizes.length;
  const autoPad = call.string('auto_pad', 'NOTSET');
  if (!['NOTSET', 'VALID', 'SAME_UPPER', 'SAME_LOWER'].includes(autoPad)) throw call.error(`auto_pad = "${autoPad}" is not one of NOTSET, VALID, SAME_UPPER, SAME_LOWER`);
  let outputShape = call.ints('output_shape');
  if (outputShape && outputShape.length === n + 2) outputShape = outputShape.slice(2);
  if (outputShape && outputShape.length !== n) throw call.error(`output_shape = [${outputShape.join(', ')}] does not give the ${n} spatial sizes`);
  if (!outputShape && autoPad.startsWith('SAME')) outputShape = sizes.map((s, i) => s * strides[i]);
  if (!outputShape) return autoPad === 'VALID' ? sizes.map(() => [0, 0]) : windowPadsNotSet(call, n);
  return sizes.map((s, i) => {
    const total = strides[i] * (s - 1) + outputPadding[i] + (kernel[i] - 1) * dilations[i] + 1 - outputShape![i];
    const half = Math.floor(total / 2);
    return autoPad === 'SAME_UPPER' ? [half, total - half] : [total - half, half];
  });
}

function windowPadsNotSet(call: NodeCall, n: number): [number, number][] {
  return windowPads(call, Array(n).fill(1), Array(n).fill(1), Array(n).fill(1), Array(n).fill(1));
}

const convTranspose: OnnxOp = {
  run: (call) => {
    const { x, w, n, kernel, strides, dilations, groups } = convSettings(call, true);
    const outputPadding = call.ints('output_padding', Array(n).fill(0));
    if (outputPadding.length !== n || outputPadding.some((p) => !Number.isInteger(p) || p < 0)) throw call.error(`output_padding = [${outputPadding.join(', ')}] must be ${n} non-negative integers`);
    const sizes = x.shape.slice(2);
    const pads = transposePads(call, sizes, kernel, strides, dilations, outputPadding);
    const transpose = TRANSPOSES[n - 1] as (x: Tensor, w: Tensor, o: object) => Tensor;
    const options = { stride: sized(strides), dilation: sized(dilations), groups };
    // tmnn's own form: the same pads at both ends, an output padding below the stride or dilation.
    const direct = isSymmetric(pads) && pads.every(([b], i) => b >= 0 && outputPadding[i] < Math.max(strides[i], dilations[i]));
    if (direct) return withBias(call, transpose(x, w, { ...options, padding: sized(pads.map(([b]) => b)), outputPadding: sized(outputPadding) }));
    // Otherwise the whole unpadded output, cut (or widened with zeros) to what the pads and output padding leave.
    let y = transpose(x, w, options);
    sizes.forEach((s, i) => {
      const full = (s - 1) * strides[i] + (kernel[i] - 1) * dilations[i] + 1;
      const [b, e] = pads[i];
      y = window(y, i + 2, b, full - b - e + outputPadding[i]);
    });
    return withBias(call, y);
  },
};

export const CONV_OPS: OpTable = {
  Conv: conv,
  ConvTranspose: convTranspose,
};
