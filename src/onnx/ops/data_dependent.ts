// ONNX operators whose output shape depends on their input's values:
// NonZero, Compress, Unique. Each reads those values on the host (its
// hostInputs): a Constant, or — in an asynchronous run (runAsync) — a device
// tensor read back first. The synchronous run refuses one computed on the
// device, saying to use runAsync.
//
// NonZero's and Unique's outputs are then Constants (indices, counts, values
// read back), so no gradient flows through them, as none does through
// torch.nonzero or torch.unique. Compress reads only its condition on the
// host and gathers its data on the device, so the gradient reaches the data.
import * as ops from '../../ops/index.js';
import { forEachIndex, hostTake } from '../host_math.js';
import { USE_RUN_ASYNC, type NodeCall } from '../node_call.js';
import { Constant } from '../value.js';
import type { OpTable } from './op.js';

/** The sync run's refusal for an op whose output's shape depends on input i's values. */
function needsValues(call: NodeCall, i: number, what: string): Error {
  return call.error(`${what} depends on the values of ${call.node.inputs[i]}, which is computed on the device; ${USE_RUN_ASYNC}`);
}

function normalizeAxis(call: NodeCall, axis: number, rank: number): number {
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) throw call.error(`axis ${axis} is outside rank ${rank}`);
  return axis < 0 ? axis + rank : axis;
}

/**
 * Compress's kept positions along its axis (or of the flattened input when
 * it has none): where the condition is non-zero. A condition shorter than
 * the axis drops the rest, as ONNX allows; a longer one is an error.
 */
function compressPlan(call: NodeCall, shape: readonly number[]): { axis: number | undefined; kept: number[] } {
  const cond = call.constant(1, 'condition');
  if (cond.shape.length !== 1) throw call.error(`its condition should be rank 1, it is [${cond.shape.join(', ')}]`);
  const given = call.int('axis');
  const axis = given === undefined ? undefined : normalizeAxis(call, given, shape.length);
  const length = axis === undefined ? shape.reduce((a, b) => a * b, 1) : shape[axis];
  if (cond.size > length) {
    throw call.error(`its condition has ${cond.size} entries, more than the ${length} ${axis === undefined ? 'elements of its input' : `entries of its input's axis ${axis}`}`);
  }
  const kept: number[] = [];
  cond.data.forEach((c, i) => c !== 0 && kept.push(i));
  return { axis, kept };
}

/** The flat positions of every element of `shape` whose index along `axis` is in `kept`, kept's order along that axis. */
function positionsAlong(shape: readonly number[], axis: number, kept: readonly number[]): { shape: number[]; positions: number[] } {
  const out = shape.map((d, i) => (i === axis ? kept.length : d));
  const positions: number[] = [];
  forEachIndex(out, (index) => {
    let at = 0;
    for (let d = 0; d < shape.length; d++) at = at * shape[d] + (d === axis ? kept[index[d]] : index[d]);
    positions.push(at);
  });
  return { shape: out, positions };
}

/** The slices of `data` (of `shape`) along `axis`, each as a list: the units Unique compares. */
function slicesOf(data: Float64Array, shape: readonly number[], axis: number): number[][] {
  const outer = shape.slice(0, axis).reduce((a, b) => a * b, 1);
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const n = shape[axis];
  return Array.from({ length: n }, (_, k) => {
    const slice: number[] = [];
    for (let o = 0; o < outer; o++) for (let i = 0; i < inner; i++) slice.push(data[(o * n + k) * inner + i]);
    return slice;
  });
}

function compareSlices(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
  return 0;
}

const int64 = (values: readonly number[]): Constant => new Constant('int64', [values.length], Float64Array.from(values));

export const DATA_DEPENDENT_OPS: OpTable = {
  NonZero: {
    hostInputs: [0],
    run: (call) => {
      throw needsValues(call, 0, 'its output\'s shape (how many elements are non-zero)');
    },
    // [rank, count]: row r holds the r-th index of each non-zero element, in row-major order. A scalar counts as rank 1, as onnxruntime has it.
    host: (_call, [x]) => {
      const shape = x.shape.length ? x.shape : [1];
      const found: number[][] = [];
      forEachIndex(shape, (index, flat) => {
        if (x.data[flat] !== 0) found.push([...index]);
      });
      const out = new Float64Array(shape.length * found.length);
      found.forEach((index, k) => index.forEach((v, r) => (out[r * found.length + k] = v)));
      return new Constant('int64', [shape.length, found.length], out);
    },
  },

  Compress: {
    strings: 'moves',
    hostInputs: [1],
    run: (call) => {
      const x = call.tensor(0);
      const { axis, kept } = compressPlan(call, x.shape);
      const indices = ops.tensor(Int32Array.from(kept), [kept.length], { dtype: 'i32' });
      return axis === undefined ? ops.gather(ops.reshape(x, [x.size]), indices) : ops.gather(x, indices, axis);
    },
    host: (call, [x]) => {
      const { axis, kept } = compressPlan(call, x.shape);
      if (axis === undefined) return hostTake(x, [kept.length], kept);
      const { shape, positions } = positionsAlong(x.shape, axis, kept);
      return hostTake(x, shape, positions);
    },
  },

  Unique: {
    strings: 'compares',
    hostInputs: [0],
    run: (call) => {
      throw needsValues(call, 0, 'its outputs\' shapes (how many distinct values)');
    },
    // Outputs: the distinct values (slices along axis, or elements), the first index of each, each input's index into them, and their counts.
    host: (call, [x]) => {
      const sorted = call.int('sorted', 1);
      if (sorted !== 0 && sorted !== 1) throw call.error(`sorted = ${sorted} should be 0 or 1`);
      const given = call.int('axis');
      const axis = given === undefined ? undefined : normalizeAxis(call, given, x.shape.length);
      const slices = axis === undefined ? Array.from(x.data, (v) => [v]) : slicesOf(x.data, x.shape, axis);
      // Each distinct slice by first appearance; then, if sorted, in ascending (lexicographic) order.
      const firstOf = new Map<string, number>();
      const firsts: number[] = [];
      slices.forEach((s, k) => {
        const key = s.join(',');
        if (!firstOf.has(key)) {
          firstOf.set(key, firsts.length);
          firsts.push(k);
        }
      });
      const order = firsts.map((_, j) => j);
      if (sorted) order.sort((a, b) => compareSlices(slices[firsts[a]], slices[firsts[b]]));
      const rank = new Array<number>(order.length);
      order.forEach((j, r) => (rank[j] = r));
      const inverse = slices.map((s) => rank[firstOf.get(s.join(','))!]);
      const counts = new Array<number>(order.length).fill(0);
      for (const r of inverse) counts[r]++;
      const chosen = order.map((j) => firsts[j]);
      let y: Constant;
      if (axis === undefined) y = hostTake(x, [chosen.length], chosen);
      else {
        const { shape, positions } = positionsAlong(x.shape, axis, chosen);
        y = hostTake(x, shape, positions);
      }
      return [y, int64(chosen), int64(inverse), int64(counts)];
    },
  },
};
