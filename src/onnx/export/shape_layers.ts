// The layers that move values without weights (Flatten, Unflatten, Permute,
// the padding layers, Upsample, PixelShuffle, Identity), Embedding's lookup,
// and the dropouts, which eval mode leaves out. Sizes that follow a symbolic
// input size are never written into the graph: Flatten keeps axis 0 by its
// axis, Reshape copies leading sizes with 0, Resize's sizes take N and C from
// x's Shape.
import { AlphaDropout, Dropout, Dropout1d, Dropout2d, Dropout3d, FeatureAlphaDropout } from '../../nn/dropout.js';
import { Embedding } from '../../nn/embedding.js';
import { Flatten, Unflatten } from '../../nn/flatten.js';
import type { Module } from '../../nn/module.js';
import * as P from '../../nn/padding.js';
import { Permute } from '../../nn/permute.js';
import { PixelShuffle, PixelUnshuffle } from '../../nn/pixel_shuffle.js';
import { ChannelShuffle } from '../../nn/channel_shuffle.js';
import { Identity, Upsample, UpsamplingBilinear2d, UpsamplingNearest2d } from '../../nn/upsample.js';
import { padSpatial } from './layers.js';
import { paramName, perAxis, refuse, type LayerCall, type LayerExport } from './builder.js';

function unflatten(call: LayerCall<Unflatten>): string {
  const { layer, b, x } = call;
  const rank = x.shape.length;
  const axis = layer.axis < 0 ? layer.axis + rank : layer.axis;
  // Reshape's 0 copies x's size at the same position, which holds before the axis only.
  const after = x.shape.slice(axis + 1);
  if (after.some((d) => d === null)) refuse(call, `unflattens axis ${layer.axis} of x whose later axes follow a symbolic input size, which a Reshape cannot keep`);
  const shape = [...Array<number>(axis).fill(0), ...layer.shape, ...(after as number[])];
  return b.node('Reshape', [x.name, b.ints('shape', shape)]);
}

/** The padding layers' fields, private to them. */
interface PadFields { readonly padding: readonly number[]; readonly axes: 1 | 2 | 3; readonly mode: 'constant' | 'reflect' | 'replicate' | 'circular'; readonly fill: number }

function pad(call: LayerCall<Module>): string {
  const { b, x } = call;
  const { padding, axes, mode, fill } = call.layer as unknown as PadFields;
  if (mode === 'circular') b.needOpset(call, 19, "circular padding is Pad's 'wrap'");
  // The layer's padding lists the last axis first, [left, right, top, bottom, …].
  const before = Array.from({ length: axes }, (_, k) => padding[2 * (axes - 1 - k)]);
  const after = Array.from({ length: axes }, (_, k) => padding[2 * (axes - 1 - k) + 1]);
  const onnxMode = { constant: 'constant', reflect: 'reflect', replicate: 'edge', circular: 'wrap' }[mode];
  return padSpatial(b, x.name, x.shape.length, before, after, onnxMode, mode === 'constant' ? fill : undefined);
}

const RESIZE_MODES = { nearest: 'nearest', 'nearest-exact': 'nearest', linear: 'linear', bilinear: 'linear', trilinear: 'linear', bicubic: 'cubic' } as const;

/**
 * Resize with tmnn's (PyTorch's) coordinates: 'nearest' takes floor(i·r)
 * (asymmetric, floor), 'nearest-exact' floor((i + ½)·r) (half_pixel, ties
 * up), the others the centres, (i + ½)·r − ½ (half_pixel), or the corners
 * with alignCorners. A scale factor is passed as Resize's scales, which it
 * maps positions by, as tmnn does; a size as its sizes.
 */
function upsample(call: LayerCall<Upsample>): string {
  const { layer, b, x } = call;
  const rank = x.shape.length;
  if (rank < 3 || rank > 5) refuse(call, `takes x [batch, channels, ...] in ONNX, got rank ${rank}`);
  const n = rank - 2;
  const attributes: Record<string, number | string | { float: number }> = { mode: RESIZE_MODES[layer.mode] };
  if (layer.mode === 'nearest') Object.assign(attributes, { coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' });
  else if (layer.mode === 'nearest-exact') Object.assign(attributes, { coordinate_transformation_mode: 'half_pixel', nearest_mode: 'round_prefer_ceil' });
  else attributes.coordinate_transformation_mode = layer.alignCorners ? 'align_corners' : 'half_pixel';
  if (layer.mode === 'bicubic') attributes.cubic_coeff_a = { float: -0.75 };
  if (layer.scaleFactor !== undefined) {
    const scales = b.floats('scales', [1, 1, ...perAxis(layer.scaleFactor, n)]);
    return b.node('Resize', [x.name, '', scales], attributes);
  }
  const size = perAxis(layer.size!, n);
  let sizes: string;
  if (x.shape[0] !== null && x.shape[1] !== null) sizes = b.ints('sizes', [x.shape[0], x.shape[1], ...size]);
  else {
    const lead = b.node('Slice', [b.node('Shape', [x.name]), b.ints('starts', [0]), b.ints('ends', [2])]);
    sizes = b.node('Concat', [lead, b.ints('size', size)], { axis: 0 });
  }
  return b.node('Resize', [x.name, '', '', sizes], attributes);
}

function pixelShuffle(call: LayerCall<PixelShuffle>): string {
  if (call.x.shape.length !== 4) refuse(call, `takes x [batch, channels, height, width] in ONNX (DepthToSpace), got rank ${call.x.shape.length}`);
  return call.b.node('DepthToSpace', [call.x.name], { blocksize: call.layer.upscaleFactor, mode: 'CRD' });
}

/** [N, C·r², H, W] from [N, C, H·r, W·r]: a Reshape, a Transpose and a Reshape, as tmnn's (ONNX's SpaceToDepth orders the channels otherwise). */
function pixelUnshuffle(call: LayerCall<PixelUnshuffle>): string {
  const { layer, b, x } = call;
  const r = layer.downscaleFactor;
  if (x.shape.length !== 4) refuse(call, `takes x [batch, channels, height, width] in ONNX, got rank ${x.shape.length}`);
  const [c, h, w] = x.shape.slice(1);
  if (c === null || h === null || w === null) refuse(call, 'needs the channels, height and width of x known, not following a symbolic input size');
  const blocks = b.node('Reshape', [x.name, b.ints('shape', [0, c, h / r, r, w / r, r])]);
  const moved = b.node('Transpose', [blocks], { perm: [0, 1, 3, 5, 2, 4] });
  return b.node('Reshape', [moved, b.ints('shape', [0, c * r * r, h / r, w / r])]);
}

/** The channels as `groups` rows read out by column: a Reshape (the positions after them as one axis), a Transpose, and back to x's shape. */
function channelShuffle(call: LayerCall<ChannelShuffle>): string {
  const { layer, b, x } = call;
  const c = x.shape[1];
  if (x.shape.length < 3 || c === null) refuse(call, 'takes x [batch, channels, ...] with the channels known');
  const grid = b.node('Reshape', [x.name, b.ints('shape', [0, layer.groups, c / layer.groups, -1])]);
  const moved = b.node('Transpose', [grid], { perm: [0, 2, 1, 3] });
  return b.node('Reshape', [moved, b.node('Shape', [x.name])]);
}

/** Gather of the table's rows; the padding row needs nothing here, as its vector is the table's (zeros unless changed by hand). */
function embedding(call: LayerCall<Embedding>): string {
  return call.b.node('Gather', [call.b.param(paramName(call, 'weight'), call.layer.weight), call.x.name], { axis: 0 });
}

type Exports = ReadonlyArray<readonly [abstract new (...args: never[]) => Module, LayerExport<never>]>;

const passThrough = ({ x }: LayerCall) => x.name;

export const SHAPE_EXPORTS: Exports = [
  [Flatten, ({ b, x }: LayerCall) => b.node('Flatten', [x.name], { axis: 1 })],
  [Unflatten, unflatten],
  [Permute, ({ b, x, layer }: LayerCall<Permute>) => b.node('Transpose', [x.name], { perm: [0, ...layer.axes] })],
  [Identity, ({ b, x }: LayerCall) => b.node('Identity', [x.name])],
  [Dropout, passThrough], [Dropout1d, passThrough], [Dropout2d, passThrough], [Dropout3d, passThrough], [AlphaDropout, passThrough], [FeatureAlphaDropout, passThrough],
  [Upsample, upsample], [UpsamplingNearest2d, upsample], [UpsamplingBilinear2d, upsample],
  [PixelShuffle, pixelShuffle],
  [PixelUnshuffle, pixelUnshuffle],
  [ChannelShuffle, channelShuffle],
  [Embedding, embedding],
  ...[
    P.ZeroPad1d, P.ZeroPad2d, P.ZeroPad3d, P.ConstantPad1d, P.ConstantPad2d, P.ConstantPad3d, P.ReflectionPad1d, P.ReflectionPad2d, P.ReflectionPad3d,
    P.ReplicationPad1d, P.ReplicationPad2d, P.ReplicationPad3d, P.CircularPad1d, P.CircularPad2d, P.CircularPad3d,
  ].map((c) => [c, pad] as const),
];
