// What ONNX's windowed ops (Conv, ConvTranspose, the pools) share: their
// spatial attributes read with ONNX's defaults, auto_pad turned into
// explicit begin/end pads, and the per-axis sizes in the form tmnn's 1-, 2-
// and 3-D ops take. ONNX allows different pads at the two ends of an axis;
// tmnn's ops pad both ends alike, so the ops pad first (tm.pad) when they differ.
import * as ops from '../../ops/index.js';
import type { Tensor } from '../../tensor.js';
import type { NodeCall } from '../node_call.js';

/** x's spatial rank (1–3: tmnn has 1-, 2- and 3-D ops), refused otherwise. */
export function spatialRank(call: NodeCall, x: Tensor): number {
  const n = x.rank - 2;
  if (n < 1 || n > 3) throw call.error(`input is [${x.shape.join(', ')}]; tmnn runs 1-, 2- and 3-D ${call.node.opType} ([N, C, L], [N, C, H, W], [N, C, D, H, W])`);
  return n;
}

/** A per-axis attribute (strides, dilations, kernel_shape), one entry per spatial axis. */
export function perAxis(call: NodeCall, name: string, n: number, fallback: number): number[] {
  const v = call.ints(name, Array(n).fill(fallback));
  if (v.length !== n) throw call.error(`${name} has ${v.length} entries; the input has ${n} spatial axes`);
  if (v.some((s) => !Number.isInteger(s) || s < 1)) throw call.error(`${name} = [${v.join(', ')}] must be positive integers`);
  return v;
}

/** ONNX's pads attribute as [begin, end] per axis (ONNX lists every begin, then every end). */
export function explicitPads(call: NodeCall, n: number): [number, number][] {
  const p = call.ints('pads', Array(2 * n).fill(0));
  if (p.length !== 2 * n) throw call.error(`pads has ${p.length} entries; ${n} spatial axes need ${2 * n} (every begin, then every end)`);
  if (p.some((v) => !Number.isInteger(v) || v < 0)) throw call.error(`pads = [${p.join(', ')}] must be non-negative integers`);
  return Array.from({ length: n }, (_, i) => [p[i], p[n + i]]);
}

/**
 * The pads of a convolution or pooling: auto_pad SAME_* pads so the output
 * is ceil(input / stride) long, the odd one at the end (UPPER) or the begin
 * (LOWER); VALID pads nothing; NOTSET reads pads.
 */
export function windowPads(call: NodeCall, sizes: readonly number[], kernel: readonly number[], strides: readonly number[], dilations: readonly number[]): [number, number][] {
  const autoPad = call.string('auto_pad', 'NOTSET');
  const n = sizes.length;
  if (autoPad === 'NOTSET') return explicitPads(call, n);
  if (autoPad === 'VALID') return Array.from({ length: n }, () => [0, 0]);
  if (autoPad !== 'SAME_UPPER' && autoPad !== 'SAME_LOWER') throw call.error(`auto_pad = "${autoPad}" is not one of NOTSET, VALID, SAME_UPPER, SAME_LOWER`);
  return sizes.map((size, i) => {
    const out = Math.ceil(size / strides[i]);
    const total = Math.max(0, (out - 1) * strides[i] + (kernel[i] - 1) * dilations[i] + 1 - size);
    const small = Math.floor(total / 2);
    return autoPad === 'SAME_UPPER' ? [small, total - small] : [total - small, small];
  });
}

export function isSymmetric(pads: readonly [number, number][]): boolean {
  return pads.every(([b, e]) => b === e);
}

/** x with its spatial axes padded by `pads` (a constant value). */
export function padSpatial(x: Tensor, pads: readonly [number, number][], value = 0): Tensor {
  if (pads.every(([b, e]) => !b && !e)) return x;
  return ops.pad(x, [[0, 0], [0, 0], ...pads], value);
}

/**
 * Axis i of x's spatial axes cut to [start, start + length), reading zeros
 * where that runs outside it (a ConvTranspose with negative padding).
 */
export function window(x: Tensor, axis: number, start: number, length: number): Tensor {
  const n = x.shape[axis];
  const from = Math.max(0, start), to = Math.min(n, start + length);
  let y = from === 0 && to === n ? x : ops.slice(x, x.shape.map((_, a) => (a === axis ? from : 0)), x.shape.map((d, a) => (a === axis ? Math.max(0, to - from) : d)));
  const kept = Math.max(0, to - from);
  const before = Math.min(length, Math.max(0, -start)), after = length - before - kept;
  if (before || after) y = ops.pad(y, x.shape.map((_, a) => (a === axis ? [before, after] : [0, 0]) as [number, number]));
  return y;
}

/** Sizes for tmnn's 1-D (a number), 2-D (a pair) or 3-D (a triple) options. */
export function sized(v: readonly number[]): number & [number, number] & [number, number, number] {
  return (v.length === 1 ? v[0] : [...v]) as never;
}

/** b reshaped to broadcast along axis 1 of a rank-`rank` tensor (a per-channel bias or scale). */
export function perChannel(b: Tensor, rank: number): Tensor {
  return ops.reshape(b, [1, b.size, ...Array(rank - 2).fill(1)]);
}
