// ONNX's DeformConv (opset 19, torchvision's deform_conv2d): a 2-D
// convolution whose every tap reads the input at its usual place moved by
// a learned offset — bilinear, zero outside the image — and weighted by an
// optional mask (DCNv2), the offsets and mask given per output position,
// per offset group of channels.
//
// Built as ONNX's reference defines it: each tap's points sampled with
// gridSample (bilinear, zeros, corners aligned), the samples laid out as
// im2col's columns [N, group, C/group · kH · kW, oH · oW] and multiplied by
// the filters. The input is padded by a pixel of zeros first, which changes
// nothing it reads but keeps the normalisation defined for an image one
// pixel high or wide. Gradients reach the input, the weights, the offsets
// (through the bilinear weights) and the mask.
import * as ops from '../../ops/index.js';
import type { Tensor } from '../../tensor.js';
import type { NodeCall } from '../node_call.js';
import { checkGroups, kernelOf } from './conv.js';
import type { OpTable } from './op.js';
import { explicitPads, perAxis, perChannel } from './spatial.js';

function deformConv(call: NodeCall): Tensor {
  const x = call.tensor(0), w = call.tensor(1), offset = call.tensor(2);
  if (x.rank !== 4) throw call.error(`input X is [${x.shape.join(', ')}]; tmnn runs 2-D DeformConv ([N, C, H, W]), as onnxruntime does`);
  const [kh, kw] = kernelOf(call, w, 2);
  const [sh, sw] = perAxis(call, 'strides', 2, 1);
  const [dh, dw] = perAxis(call, 'dilations', 2, 1);
  const [[top, bottom], [left, right]] = explicitPads(call, 2);
  const groups = call.int('group', 1);
  checkGroups(call, x, w, groups, false);
  const [n, c, h, wd] = x.shape;
  const offsetGroups = call.int('offset_group', 1);
  if (!Number.isInteger(offsetGroups) || offsetGroups < 1 || c % offsetGroups) throw call.error(`offset_group = ${offsetGroups} must be a positive integer dividing the input's ${c} channels`);
  const oh = Math.floor((h + top + bottom - (kh - 1) * dh - 1) / sh) + 1, ow = Math.floor((wd + left + right - (kw - 1) * dw - 1) / sw) + 1;
  const taps = kh * kw, positions = oh * ow;
  const want = [n, offsetGroups * taps * 2, oh, ow];
  if (offset.rank !== 4 || offset.shape.some((d, i) => d !== want[i])) throw call.error(`offset is [${offset.shape.join(', ')}]; this input, kernel, pads and strides want [${want.join(', ')}] (offset_group × kH × kW × 2 per output position)`);
  const hasMask = call.has(4);
  if (hasMask) {
    const mask = call.tensor(4), wantMask = [n, offsetGroups * taps, oh, ow];
    if (mask.rank !== 4 || mask.shape.some((d, i) => d !== wantMask[i])) throw call.error(`mask is [${mask.shape.join(', ')}]; it must be [${wantMask.join(', ')}] (offset_group × kH × kW per output position)`);
  }
  // Each tap's undisplaced point, in pixels of the input padded by one: [taps, positions].
  const baseY = new Float32Array(taps * positions), baseX = new Float32Array(taps * positions);
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      for (let p = 0; p < positions; p++) {
        baseY[(i * kw + j) * positions + p] = Math.floor(p / ow) * sh - top + i * dh + 1;
        baseX[(i * kw + j) * positions + p] = (p % ow) * sw - left + j * dw + 1;
      }
    }
  }
  const moves = ops.reshape(offset, [n * offsetGroups, taps, 2, positions]);
  const along = (axis: number, base: Float32Array, size: number) => {
    const pixels = ops.add(ops.reshape(ops.slice(moves, [0, 0, axis, 0], [n * offsetGroups, taps, 1, positions]), [n * offsetGroups, taps, positions]), ops.tensor(base, [taps, positions]));
    // Corners aligned: pixel 0 is −1 and the last pixel (size + 1, past the added border) is 1.
    return ops.sub(ops.mul(pixels, 2 / (size + 1)), 1);
  };
  const grid = ops.stack([along(1, baseX, wd), along(0, baseY, h)], -1);
  const padded = ops.reshape(ops.pad(x, [[0, 0], [0, 0], [1, 1], [1, 1]]), [n * offsetGroups, c / offsetGroups, h + 2, wd + 2]);
  let samples = ops.gridSample(padded, grid, { mode: 'bilinear', paddingMode: 'zeros', alignCorners: true });
  if (hasMask) samples = ops.mul(samples, ops.reshape(call.tensor(4), [n * offsetGroups, 1, taps, positions]));
  const columns = ops.reshape(samples, [n, groups, (c / groups) * taps, positions]);
  const filters = ops.reshape(w, [groups, w.shape[0] / groups, (c / groups) * taps]);
  const y = ops.reshape(ops.matmul(filters, columns), [n, w.shape[0], oh, ow]);
  return call.has(3) ? ops.add(y, perChannel(call.tensor(3), 4)) : y;
}

export const DEFORM_CONV_OPS: OpTable = {
  DeformConv: { run: deformConv },
};
