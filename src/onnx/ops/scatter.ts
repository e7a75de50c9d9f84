// ONNX's scatters — ScatterND, ScatterElements and its opset 9 name Scatter:
// data with the elements the indices name written, or combined with the
// update by the node's reduction (add, mul at opset 16; max, min at 18).
//
// With the indices known on the host (constants, shape arithmetic, or read
// back by runAsync), each update's flat target is computed here and checked;
// the writes then run as gathers and a few elementwise ops, so gradients
// reach data and updates. Indices computed on the device (a graph network's
// edge list fed as an input) stay there for `none` and a float `add`: the
// targets are computed on the device and the updates summed into them
// (gather's gradient kernel), which is what torch's scatter_add_ exports
// want. ONNX leaves a `none` scatter with repeated targets undefined; on the
// host the last write wins (as onnxruntime), on the device they add up.
import { isFloat } from '../../dtype.js';
import * as ops from '../../ops/index.js';
import { scatterRows } from '../../ops/movement.js';
import type { Tensor } from '../../tensor.js';
import { forEachIndex, stridesOf } from '../host_math.js';
import { USE_RUN_ASYNC, type NodeCall } from '../node_call.js';
import { Constant } from '../value.js';
import { elementsAxis, i32, indicesTensor, wrap, wrapComputed } from './indices.js';
import type { OnnxOp, OpTable } from './op.js';

type Reduction = 'none' | 'add' | 'mul' | 'max' | 'min';
const REDUCTIONS: readonly string[] = ['none', 'add', 'mul', 'max', 'min'];

function reductionOf(call: NodeCall): Reduction {
  const r = call.string('reduction', 'none');
  if (!REDUCTIONS.includes(r)) throw call.error(`reduction ${r} is not one of ONNX's (none, add, mul, max, min)`);
  return r as Reduction;
}

/** What a reduction starts from where no update lands, as the identity of its combine. */
function identityOf(reduction: 'add' | 'mul' | 'max' | 'min', dtype: Tensor['dtype']): number {
  if (reduction === 'add') return 0;
  if (reduction === 'mul') return 1;
  if (isFloat(dtype)) return reduction === 'max' ? -Infinity : Infinity;
  const bits = dtype === 'i8' ? 7 : 31;
  return reduction === 'max' ? -(2 ** bits) : 2 ** bits - 1;
}

const COMBINE = { add: ops.add, mul: ops.mul, max: ops.maximum, min: ops.minimum } as const;
const REDUCE = { add: ops.sum, mul: ops.prod, max: ops.max, min: ops.min } as const;

/**
 * data with update k written to flat position targets[k] (updates in their
 * flat order), known on the host. `none`: the last write to a position
 * wins. A reduction: each touched position's updates are laid out in a
 * table [touched, most writes to one position], padded with the
 * reduction's identity, reduced along the rows and combined with data.
 */
function scatterKnown(call: NodeCall, data: Tensor, updates: Tensor, targets: readonly number[]): Tensor {
  const reduction = reductionOf(call);
  const flat = ops.reshape(updates, [updates.size]);
  if (reduction === 'none') {
    const from = new Int32Array(data.size).fill(-1);
    targets.forEach((t, k) => (from[t] = k));
    const mask = ops.tensor(Float32Array.from(from, (f) => (f >= 0 ? 1 : 0)), [...data.shape]);
    const picked = ops.reshape(ops.gather(flat, i32(from.map((f) => Math.max(f, 0)), [data.size])), data.shape);
    return ops.where(mask, picked, data);
  }
  const writes = new Map<number, number[]>();
  targets.forEach((t, k) => {
    const list = writes.get(t);
    if (list) list.push(k);
    else writes.set(t, [k]);
  });
  const touched = [...writes.keys()];
  const depth = Math.max(1, ...[...writes.values()].map((w) => w.length));
  const identity = ops.tensor([identityOf(reduction, updates.dtype)], [1], { dtype: updates.dtype });
  // Index updates.size is the identity, appended to the updates.
  const table = new Int32Array(touched.length * depth).fill(updates.size);
  touched.forEach((t, row) => writes.get(t)!.forEach((k, j) => (table[row * depth + j] = k)));
  const padded = ops.concat([flat, identity]);
  const reduced = REDUCE[reduction](ops.reshape(ops.gather(padded, i32(table, [touched.length * depth])), [touched.length, depth]), 1);
  const rowOf = new Int32Array(data.size).fill(touched.length);
  touched.forEach((t, row) => (rowOf[t] = row));
  const spread = ops.concat([reduced, identity]);
  const combined = COMBINE[reduction](data, ops.reshape(ops.gather(spread, i32(rowOf, [data.size])), data.shape));
  // Untouched positions keep data's own bits (−0 + 0 is +0; a NaN against max's identity may not survive).
  const mask = ops.tensor(Float32Array.from(rowOf, (r) => (r < touched.length ? 1 : 0)), [...data.shape]);
  return ops.where(mask, combined, data);
}

/** The host's scatter, of values known when the model runs (shape arithmetic; strings' places, string_ops.ts): the writes in order, each combined by the reduction. */
function scatterHost(call: NodeCall, data: Constant, updates: Constant, targets: readonly number[]): Constant {
  const reduction = reductionOf(call);
  const combine = reduction === 'none' ? (_: number, u: number) => u : HOST_COMBINE[reduction];
  const out = Float64Array.from(data.data);
  targets.forEach((t, k) => (out[t] = combine(out[t], updates.data[k])));
  return new Constant(data.type, data.shape, out);
}

const HOST_COMBINE = { add: (a: number, b: number) => a + b, mul: (a: number, b: number) => a * b, max: Math.max, min: Math.min } as const;

/**
 * The same with the targets a tensor computed on the device (i32, one per
 * update element, in range): `none` and `add` of float data only, through
 * one scatter-add of the updates (and one of ones, for `none`'s mask).
 */
function scatterComputed(call: NodeCall, data: Tensor, updates: Tensor, targets: Tensor): Tensor {
  const reduction = reductionOf(call);
  if ((reduction !== 'none' && reduction !== 'add') || !isFloat(data.dtype)) {
    throw call.error(`its indices (input 1, ${call.node.inputs[1]}) are computed on the device, where tmnn scatters float data with reduction none or add only (this node: ${data.dtype === 'i32' ? 'integer' : data.dtype} data, reduction ${reduction}); ${USE_RUN_ASYNC}, which reads them back first`);
  }
  const column = [data.size, 1];
  const sums = ops.reshape(scatterRows(ops.reshape(updates, [updates.size, 1]), targets, column, 0), data.shape);
  if (reduction === 'add') return ops.add(data, sums);
  const written = ops.reshape(scatterRows(ops.ones([updates.size, 1]), targets, column, 0), data.shape);
  return ops.where(ops.greater(written, 0), sums, data);
}

function checkUpdates(call: NodeCall, updates: readonly number[], want: readonly number[]): void {
  if (updates.length !== want.length || updates.some((d, i) => d !== want[i])) {
    throw call.error(`updates are [${updates.join(', ')}]; these indices and data want [${want.join(', ')}]`);
  }
}

const scatterElements = (negativeIndices: boolean): OnnxOp => ({
  strings: 'scatters',
  hostInputs: [1],
  run: (call: NodeCall): Tensor => {
    const data = call.tensor(0);
    const updates = call.tensor(2);
    const indexShape = call.value(1).shape;
    const a = elementsAxis(call, data.shape, indexShape);
    checkUpdates(call, updates.shape, indexShape);
    const strides = stridesOf(data.shape);
    const n = data.shape[a];
    if (call.isConstant(1)) return scatterKnown(call, data, updates, elementTargets(call, data.shape, a, call.constant(1, 'indices'), negativeIndices));
    // The flat target of each index: its own value along the axis, its position along the others.
    let targets = ops.mul(wrapComputed(call, indicesTensor(call), n, `axis ${a} of data [${data.shape.join(', ')}], of length ${n}`), strides[a]);
    indexShape.forEach((d, axis) => {
      if (axis === a || d === 1) return;
      const along = indexShape.map((_, j) => (j === axis ? d : 1));
      targets = ops.add(targets, i32(Array.from({ length: d }, (_, j) => j * strides[axis]), along));
    });
    return scatterComputed(call, data, updates, ops.reshape(targets, [updates.size]));
  },
  host: (call: NodeCall, [data, indices, updates]: Constant[]): Constant => {
    const a = elementsAxis(call, data.shape, indices.shape);
    checkUpdates(call, updates.shape, indices.shape);
    return scatterHost(call, data, updates, elementTargets(call, data.shape, a, indices, negativeIndices));
  },
});

/** The flat target in data [shape] of each element of ScatterElements' indices (known on the host): its value along axis a, its own position along the others. */
function elementTargets(call: NodeCall, shape: readonly number[], a: number, indices: Constant, negativeIndices: boolean): number[] {
  const strides = stridesOf(shape);
  const n = shape[a];
  const targets: number[] = [];
  forEachIndex(indices.shape, (index, flat) => {
    const i = indices.data[flat];
    if (!negativeIndices && i < 0) throw call.error(`index ${i} is negative (${call.node.opType} at opset ${call.opset} takes indices in [0, ${n}))`);
    let at = 0;
    index.forEach((v, d) => (at += (d === a ? wrap(call, i, n) : v) * strides[d]));
    targets.push(at);
  });
  return targets;
}

/** The length of one of ScatterND's indices (their last axis), checked, with the updates' shape. */
function ndIndexLength(call: NodeCall, shape: readonly number[], indexShape: readonly number[], updateShape: readonly number[]): number {
  const k = indexShape[indexShape.length - 1];
  if (indexShape.length < 1 || k < 1 || k > shape.length) throw call.error(`indices are [${indexShape.join(', ')}]; their last axis, the length of an index into data [${shape.join(', ')}], must be 1 to ${shape.length}`);
  checkUpdates(call, updateShape, [...indexShape.slice(0, -1), ...shape.slice(k)]);
  return k;
}

/** The flat target in data [shape] of each update element of ScatterND (indices known on the host): its index's block, then its place in it. */
function ndTargets(call: NodeCall, shape: readonly number[], indices: Constant): number[] {
  const k = indices.shape[indices.shape.length - 1];
  const strides = stridesOf(shape);
  const block = shape.slice(k).reduce((x, y) => x * y, 1);
  const count = indices.size / k;
  const targets: number[] = [];
  for (let u = 0; u < count; u++) {
    let at = 0;
    for (let j = 0; j < k; j++) at += wrap(call, indices.data[u * k + j], shape[j]) * strides[j];
    for (let r = 0; r < block; r++) targets.push(at + r);
  }
  return targets;
}

export const SCATTER_OPS: OpTable = {
  ScatterND: {
    strings: 'scatters',
    hostInputs: [1],
    run: (call) => {
      const data = call.tensor(0);
      const updates = call.tensor(2);
      const indexShape = call.value(1).shape;
      const k = ndIndexLength(call, data.shape, indexShape, updates.shape);
      const strides = stridesOf(data.shape);
      const block = data.shape.slice(k).reduce((x, y) => x * y, 1);
      const count = indexShape.slice(0, -1).reduce((x, y) => x * y, 1);
      if (call.isConstant(1)) return scatterKnown(call, data, updates, ndTargets(call, data.shape, call.constant(1, 'indices')));
      const indices = ops.reshape(indicesTensor(call), [count, k]);
      // Each index's offset of its block (a sum over its k entries), then the block's elements.
      let offsets = ops.zeros([count, 1], { dtype: 'i32' });
      for (let j = 0; j < k; j++) {
        const entry = wrapComputed(call, ops.slice(indices, [0, j], [count, 1]), data.shape[j], `axis ${j} of data [${data.shape.join(', ')}], of length ${data.shape[j]}`);
        offsets = ops.add(offsets, ops.mul(entry, strides[j]));
      }
      const targets = ops.add(offsets, i32(Array.from({ length: block }, (_, r) => r), [1, block]));
      return scatterComputed(call, data, updates, ops.reshape(targets, [count * block]));
    },
    host: (call, [data, indices, updates]) => {
      ndIndexLength(call, data.shape, indices.shape, updates.shape);
      return scatterHost(call, data, updates, ndTargets(call, data.shape, indices));
    },
  },
  ScatterElements: scatterElements(true),
  // Opset 9–10's name for ScatterElements, before negative indices.
  Scatter: scatterElements(false),
};
