// ONNX's image-shaped ops written with tmnn's: LRN on tmnn's
// localResponseNorm, MaxUnpool as a scatter of the pooled values into a
// flat output, Col2Im as tmnn's fold taken one spatial axis at a time,
// CenterCropPad as a slice and a pad, MeanVarianceNormalization from means.
// Each is differentiable in its float input where ONNX's definition is.
import { localResponseNorm } from '../../nn/local_response_norm.js';
import { fold } from '../../nn/fold.js';
import * as ops from '../../ops/index.js';
import { scatterRows } from '../../ops/movement.js';
import { refuseIndicesOutside } from '../../ops/util.js';
import type { Tensor } from '../../tensor.js';
import type { NodeCall } from '../node_call.js';
import type { OnnxOp, OpTable } from './op.js';
import { explicitPads, perAxis, spatialRank } from './spatial.js';

const product = (v: readonly number[]) => v.reduce((a, b) => a * b, 1);

/** The axes attribute `name` (or `fallback`) made non-negative, each once and inside x's rank. */
function axesOf(call: NodeCall, name: string, fallback: number[], rank: number): number[] {
  const axes = call.ints(name, fallback);
  if (axes.some((a) => !Number.isInteger(a) || a < -rank || a >= rank)) throw call.error(`${name} = [${axes.join(', ')}] names an axis outside the input's ${rank}`);
  const positive = axes.map((a) => (a < 0 ? a + rank : a));
  if (new Set(positive).size !== positive.length) throw call.error(`${name} = [${axes.join(', ')}] names an axis twice`);
  return positive;
}

/**
 * LRN: x / (bias + α/size · Σ x²)^β, the sum over `size` neighbouring
 * channels, PyTorch's and AlexNet's definition (α divided by size in both).
 * ONNX's window takes ⌊(size−1)/2⌋ channels before a channel and
 * ⌈(size−1)/2⌉ after; PyTorch's (tmnn's) ⌊size/2⌋ before. An even size
 * tells them apart: reversing the channels swaps before and after.
 */
const lrn: OnnxOp = {
  run: (call) => {
    const x = call.tensor(0);
    const size = call.int('size');
    if (size === undefined || !Number.isInteger(size) || size < 1) throw call.error(`size = ${size} must be a positive integer (it is required)`);
    if (x.rank < 3) throw call.error(`input is [${x.shape.join(', ')}]; it needs [N, C, D1, …]`);
    const options = { alpha: call.float('alpha', 1e-4), beta: call.float('beta', 0.75), k: call.float('bias', 1) };
    if (size % 2) return localResponseNorm(x, size, options);
    return ops.flip(localResponseNorm(ops.flip(x, 1), size, options), 1);
  },
};

/**
 * MaxUnpool: X put back at I, indices flat into the whole unpooled tensor
 * (N·C·D1·…, as MaxPool's Indices output counts them), zeros elsewhere. Its
 * shape is output_shape where given (the shape pooled, which an odd size
 * leaves ambiguous), else (in − 1) · stride − pads + kernel per axis. With
 * output_shape the indices count in it, as onnxruntime and PyTorch's
 * max_unpool read them (ONNX's reference counts them in the shape the
 * attributes give and pads that with zeros, which places a pooled odd-sized
 * input's maxima wrongly). Where several indices name one position
 * (overlapping windows) it holds their mean, as tmnn's maxUnpool2d: the
 * value they share when they came from one pooling (ONNX's reference,
 * writing in order, keeps the last).
 */
const maxUnpool: OnnxOp = {
  hostInputs: [2],
  run: (call) => {
    const x = call.tensor(0), indices = call.tensor(1);
    const n = spatialRank(call, x);
    const kernel = call.ints('kernel_shape');
    if (!kernel || kernel.length !== n) throw call.error(`kernel_shape ${kernel ? `= [${kernel.join(', ')}] ` : ''}must give the window's size along the ${n} spatial axes`);
    perAxis(call, 'kernel_shape', n, 1);
    const strides = perAxis(call, 'strides', n, 1);
    const pads = explicitPads(call, n);
    if (indices.dtype !== 'i32' || indices.shape.join() !== x.shape.join()) throw call.error(`indices (input 1) are ${indices.dtype === 'i32' ? 'integers' : indices.dtype} [${indices.shape.join(', ')}]; they must be integers of X's shape [${x.shape.join(', ')}]`);
    const inferred = [x.shape[0], x.shape[1], ...x.shape.slice(2).map((s, i) => (s - 1) * strides[i] - pads[i][0] - pads[i][1] + kernel[i])];
    if (inferred.some((d) => d < 1)) throw call.error(`the unpooled shape [${inferred.join(', ')}] that kernel_shape, strides and pads give X [${x.shape.join(', ')}] is empty`);
    const shape = call.numbers(2, 'output_shape') ?? inferred;
    if (shape.length !== x.rank || shape[0] !== x.shape[0] || shape[1] !== x.shape[1] || shape.some((d) => !Number.isInteger(d) || d < 1)) {
      throw call.error(`output_shape = [${shape.join(', ')}] must be [${x.shape.slice(0, 2).join(', ')}, …] with ${x.rank - 2} positive spatial sizes`);
    }
    const total = product(shape);
    if (total >= 2 ** 31) throw call.error(`its output of ${total} values is more than an i32 index names (2^31)`);
    refuseIndicesOutside(`onnx: ${call.where}`, indices, 0, total, `the unpooled [${shape.join(', ')}] (${total} values)`);
    const flatIndices = ops.reshape(indices, [x.size]);
    const values = ops.reshape(x, [x.size]);
    const sums = scatterRows(values, flatIndices, [total], 0);
    // A sum times its count's reciprocal: a position named once (or a power of two times) gets its value back exactly.
    const shares = ops.div(1, ops.maximum(scatterRows(ops.onesLike(values), flatIndices, [total], 0), 1));
    return ops.reshape(ops.mul(sums, shares), shape);
  },
};

/**
 * Col2Im (opset 18): columns [N, C·∏block, L] summed into images [N, C,
 * …image_shape], each column's values put where the block at its position
 * took them from, overlaps added. Summing into each axis is independent of
 * the others, so the columns are folded one axis at a time with tmnn's 2-D
 * fold of height 1, into the padded image; the pads are cut off last.
 */
const col2Im: OnnxOp = {
  hostInputs: [1, 2],
  run: (call) => {
    const x = call.tensor(0);
    const image = call.numbers(1, 'image_shape')!, block = call.numbers(2, 'block_shape')!;
    const n = image.length;
    if (n < 1 || block.length !== n) throw call.error(`image_shape [${image.join(', ')}] and block_shape [${block.join(', ')}] must give one size for each of the same spatial axes`);
    if ([...image, ...block].some((v) => !Number.isInteger(v) || v < 1)) throw call.error(`image_shape [${image.join(', ')}] and block_shape [${block.join(', ')}] must be positive integers`);
    const dilations = perAxis(call, 'dilations', n, 1), strides = perAxis(call, 'strides', n, 1);
    const pads = explicitPads(call, n);
    if (x.rank !== 3) throw call.error(`input is [${x.shape.join(', ')}]; it must be [N, C·∏block_shape, L]`);
    const [batch, rows, length] = x.shape;
    const taps = product(block);
    if (rows % taps) throw call.error(`input [${x.shape.join(', ')}] has ${rows} rows, not a multiple of block_shape [${block.join(', ')}]'s ${taps} taps`);
    const padded = image.map((s, i) => s + pads[i][0] + pads[i][1]);
    const blocks = padded.map((p, i) => Math.floor((p - (block[i] - 1) * dilations[i] - 1) / strides[i]) + 1);
    if (blocks.some((b) => b < 1) || product(blocks) !== length) {
      throw call.error(`input [${x.shape.join(', ')}] has ${length} blocks; [${blocks.map((b) => Math.max(b, 0)).join(', ')}] blocks of [${block.join(', ')}] fit in image_shape [${image.join(', ')}] (pads [${pads.flat().join(', ')}], strides [${strides.join(', ')}], dilations [${dilations.join(', ')}])`);
    }
    const planes = batch * (rows / taps);
    // [planes, P0…P(i−1), k(i)…k(n−1), L(i)…L(n−1)]: axis i's taps and blocks folded into its padded length P(i) in turn.
    let t = ops.reshape(x, [planes, ...block, ...blocks]);
    for (let i = 0; i < n; i++) {
      const tapAxis = 1 + i, blockAxis = 1 + n;
      const rest = t.shape.map((_, a) => a).filter((a) => a !== tapAxis && a !== blockAxis);
      const restShape = rest.map((a) => t.shape[a]);
      const columns = ops.reshape(ops.transpose(t, [...rest, tapAxis, blockAxis]), [product(restShape) * block[i], blocks[i]]);
      const summed = fold(columns, [1, padded[i]], [1, block[i]], { stride: [1, strides[i]], dilation: [1, dilations[i]] });
      const last = restShape.length;
      const back = [...Array(1 + i).keys(), last, ...Array.from({ length: last - 1 - i }, (_, j) => 1 + i + j)];
      t = ops.transpose(ops.reshape(summed, [...restShape, padded[i]]), back);
    }
    const cut = pads.some(([b, e]) => b || e) ? ops.slice(t, [0, ...pads.map(([b]) => b)], [planes, ...image]) : t;
    return ops.reshape(cut, [batch, rows / taps, ...image]);
  },
};

/**
 * CenterCropPad (opset 18): each of `axes` (all by default) cut or padded
 * with zeros to the length `shape` gives, centred; an odd difference puts
 * the extra entry at the end (a crop starts ⌊(in − out)/2⌋ in, a pad puts
 * ⌊(out − in)/2⌋ zeros before).
 */
const centerCropPad: OnnxOp = {
  hostInputs: [1],
  run: (call) => {
    const x = call.tensor(0);
    const shape = call.numbers(1, 'shape')!;
    const axes = axesOf(call, 'axes', Array.from({ length: x.rank }, (_, a) => a), x.rank);
    if (shape.length !== axes.length) throw call.error(`shape [${shape.join(', ')}] gives ${shape.length} lengths for ${axes.length} axes [${axes.join(', ')}]`);
    if (shape.some((s) => !Number.isInteger(s) || s < 0)) throw call.error(`shape [${shape.join(', ')}] must be non-negative integers`);
    const begin = x.shape.map(() => 0), size = [...x.shape];
    const pads = x.shape.map(() => [0, 0] as [number, number]);
    axes.forEach((a, i) => {
      const from = x.shape[a], to = shape[i];
      if (from >= to) {
        begin[a] = Math.floor((from - to) / 2);
        size[a] = to;
      } else {
        const before = Math.floor((to - from) / 2);
        pads[a] = [before, to - from - before];
      }
    });
    const cropped = size.some((s, a) => s !== x.shape[a]) ? ops.slice(x, begin, size) : x;
    return pads.some(([b, e]) => b || e) ? ops.pad(cropped, pads) : cropped;
  },
};

/**
 * MeanVarianceNormalization: (x − mean) / (std + 1e-9) over `axes`
 * (default [0, 2, 3]), ε added to the standard deviation, not the variance,
 * as ONNX's function body does. Its variance is the mean square of x −
 * mean, where the body's E[x²] − E[x]² may round below zero. Before opset
 * 9 (an experimental op) the axes were [0, 2, 3, …], with the channels too
 * where across_channels = 1 (onnxruntime's reading: the batch is always
 * among them), and normalize_variance = 0 only subtracted the mean.
 */
const meanVarianceNormalization: OnnxOp = {
  run: (call) => {
    const x = call.tensor(0);
    const legacy = call.opset < 9;
    if (legacy && x.rank < 3) throw call.error(`input is [${x.shape.join(', ')}]; it needs [N, C, D1, …]`);
    const spatial = Array.from({ length: Math.max(0, x.rank - 2) }, (_, i) => i + 2);
    const axes = legacy ? [0, ...(call.int('across_channels', 0) ? [1] : []), ...spatial] : axesOf(call, 'axes', [0, 2, 3], x.rank);
    const centered = ops.sub(x, ops.mean(x, axes, { keepDims: true }));
    if (legacy && call.int('normalize_variance', 1) === 0) return centered;
    const std = ops.sqrt(ops.mean(ops.mul(centered, centered), axes, { keepDims: true }));
    return ops.div(centered, ops.add(std, 1e-9));
  },
};

export const IMAGE_OPS: OpTable = {
  LRN: lrn,
  MaxUnpool: maxUnpool,
  Col2Im: col2Im,
  CenterCropPad: centerCropPad,
  MeanVarianceNormalization: meanVarianceNormalization,
};
