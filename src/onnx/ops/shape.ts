// ONNX's operators that move or reshape data without arithmetic: Reshape,
// Transpose, Slice, Gather, Concat… Each runs on tensors through tmnn's
// movement ops, and on the host for the shape computations exporters emit
// (Shape → Gather → Unsqueeze → Concat → Reshape), so that the shapes stay
// known without reading the device.
import * as ops from '../../ops/index.js';
import { broadcastShapes, normalizeAxis } from '../../shape.js';
import { Tensor } from '../../tensor.js';
import { hostConcat, hostGather, hostSplit, stridesOf } from '../host_math.js';
import type { NodeCall } from '../node_call.js';
import { StringTensor } from '../string_tensor.js';
import { Constant, denseOf, isIntegerType, type Value } from '../value.js';
import { elementsAxis, wrap } from './indices.js';
import type { OnnxOp, OpTable } from './op.js';

const shapeOf = (v: Tensor | Constant): readonly number[] => v.shape;

function axis(call: NodeCall, a: number, rank: number): number {
  if (!Number.isInteger(a) || a < -rank || a >= rank) throw call.error(`axis ${a} is outside a rank-${rank} input`);
  return a < 0 ? a + rank : a;
}

/** Axes given as an attribute before opset `since`, as input `i` from it on. */
function axesOf(call: NodeCall, i: number, since: number): number[] | undefined {
  if (call.opset < since) return call.ints('axes');
  // Left unread, an axes attribute would make Squeeze drop every size-1 axis instead of those named.
  if (call.node.attributes.has('axes')) throw call.error(`axes is an attribute, but from opset ${since} it is input ${i} (the model's opset is ${call.opset})`);
  return call.numbers(i, 'axes');
}

/** Reshape's target: 0 copies the input's size there (unless allowzero), -1 is inferred. */
function reshapeTarget(call: NodeCall, from: readonly number[], target: number[]): number[] {
  const allowZero = call.int('allowzero', 0) === 1;
  const out = target.map((d, i) => (d === 0 && !allowZero ? from[i] : d));
  const size = from.reduce((a, b) => a * b, 1);
  const free = out.indexOf(-1);
  if (free >= 0) {
    const known = out.reduce((a, d, i) => (i === free ? a : a * d), 1);
    out[free] = known ? size / known : 0;
  }
  if (out.some((d) => !Number.isInteger(d) || d < 0) || out.reduce((a, b) => a * b, 1) !== size) {
    throw call.error(`cannot reshape [${from.join(', ')}] to [${target.join(', ')}]`);
  }
  return out;
}

function reshapeHost(c: Constant, shape: readonly number[]): Constant {
  return new Constant(c.type, shape, c.data);
}

function transposePerm(call: NodeCall, rank: number): number[] {
  return call.ints('perm') ?? Array.from({ length: rank }, (_, i) => rank - 1 - i);
}

function flattenShape(call: NodeCall, shape: readonly number[]): number[] {
  const a = call.int('axis', 1);
  const at = a < 0 ? a + shape.length : a;
  if (at < 0 || at > shape.length) throw call.error(`axis ${a} is outside a rank-${shape.length} input`);
  const prod = (s: readonly number[]) => s.reduce((x, y) => x * y, 1);
  return [prod(shape.slice(0, at)), prod(shape.slice(at))];
}

function squeezedShape(call: NodeCall, shape: readonly number[]): number[] {
  const axes = axesOf(call, 1, 13)?.map((a) => axis(call, a, shape.length));
  if (!axes) return shape.filter((d) => d !== 1);
  for (const a of axes) if (shape[a] !== 1) throw call.error(`cannot squeeze axis ${a} of [${shape.join(', ')}]: its size is not 1`);
  return shape.filter((_, i) => !axes.includes(i));
}

function unsqueezedShape(call: NodeCall, shape: readonly number[]): number[] {
  const axes = axesOf(call, 1, 13);
  if (!axes) throw call.error('axes are required');
  const rank = shape.length + axes.length;
  const at = new Set(axes.map((a) => axis(call, a, rank)));
  const out: number[] = [];
  let k = 0;
  for (let i = 0; i < rank; i++) out.push(at.has(i) ? 1 : shape[k++]);
  return out;
}

/** The elements Slice takes along each axis: start, step and count, by ONNX's clamping rules. */
function sliceRanges(call: NodeCall, shape: readonly number[]): { start: number; step: number; count: number }[] {
  const old = call.opset < 10;
  const starts = old ? call.ints('starts') : call.numbers(1, 'starts');
  const ends = old ? call.ints('ends') : call.numbers(2, 'ends');
  if (!starts || !ends || starts.length !== ends.length) throw call.error('starts and ends must be given, of one length');
  const axes = (old ? call.ints('axes') : call.numbers(3, 'axes')) ?? starts.map((_, i) => i);
  const steps = (old ? undefined : call.numbers(4, 'steps')) ?? starts.map(() => 1);
  const ranges = shape.map((d) => ({ start: 0, step: 1, count: d }));
  axes.forEach((a0, k) => {
    const a = axis(call, a0, shape.length);
    const d = shape[a];
    const step = steps[k];
    if (!step) throw call.error('a step of 0');
    let start = starts[k] < 0 ? starts[k] + d : starts[k];
    let end = ends[k] < 0 ? ends[k] + d : ends[k];
    if (step > 0) {
      start = Math.min(Math.max(start, 0), d);
      end = Math.min(Math.max(end, 0), d);
    } else {
      start = Math.min(Math.max(start, 0), d - 1);
      end = Math.min(Math.max(end, -1), d - 1);
    }
    ranges[a] = { start, step, count: Math.max(0, Math.ceil((end - start) / step)) };
  });
  return ranges;
}

/** Gather's indices on the host, made non-negative. */
function hostIndices(call: NodeCall, indices: Constant, size: number): number[] {
  return indices.values().map((i) => wrap(call, i, size));
}

function gatherShape(shape: readonly number[], a: number, indices: readonly number[]): number[] {
  return [...shape.slice(0, a), ...indices, ...shape.slice(a + 1)];
}

/** The split sizes: the split input (opset ≥ 13) or attribute, else equal parts (num_outputs from opset 18). */
function splitSizes(call: NodeCall, size: number): number[] {
  const given = call.opset < 13 ? call.ints('split') : call.numbers(1, 'split');
  if (given) return given;
  const parts = call.int('num_outputs') ?? call.node.outputs.length;
  const each = Math.ceil(size / parts);
  return Array.from({ length: parts }, (_, i) => Math.max(0, Math.min(each, size - i * each)));
}

/** Pad's amounts per axis as [before, after], negatives (crops) included. */
function padAmounts(call: NodeCall, rank: number): [number, number][] {
  const pads = call.opset < 11 ? call.ints('pads') : call.numbers(1, 'pads');
  if (!pads) throw call.error('pads are required');
  const axes = (call.opset >= 18 ? call.numbers(3, 'axes') : undefined)?.map((a) => axis(call, a, rank)) ?? Array.from({ length: rank }, (_, i) => i);
  if (pads.length !== 2 * axes.length) throw call.error(`${pads.length} pads for ${axes.length} axes (it needs two per axis)`);
  const out: [number, number][] = Array.from({ length: rank }, () => [0, 0]);
  axes.forEach((a, k) => (out[a] = [pads[k], pads[k + axes.length]]));
  return out;
}

const PAD_MODES = { constant: 'constant', reflect: 'reflect', edge: 'replicate', wrap: 'circular' } as const;

const pad: OnnxOp = {
  hostInputs: [1, 2, 3],
  run: (call) => {
    let x = call.tensor(0);
    const amounts = padAmounts(call, x.rank);
    const mode = call.string('mode', 'constant');
    if (!Object.hasOwn(PAD_MODES, mode)) throw call.error(`mode ${mode} is not one of ${Object.keys(PAD_MODES).join(', ')}`);
    const value = call.opset < 11 ? call.float('value', 0) : call.has(2) ? call.constant(2, 'constant_value').data[0] : 0;
    // Negative pads crop.
    if (amounts.some(([b, e]) => b < 0 || e < 0)) {
      x = ops.slice(x, amounts.map(([b]) => Math.max(0, -b)), x.shape.map((d, i) => d - Math.max(0, -amounts[i][0]) - Math.max(0, -amounts[i][1])));
    }
    const positive = amounts.map(([b, e]) => [Math.max(0, b), Math.max(0, e)] as [number, number]);
    if (positive.every(([b, e]) => b === 0 && e === 0)) return x;
    const padMode = PAD_MODES[mode as keyof typeof PAD_MODES];
    return ops.pad(x, positive, padMode === 'constant' ? { mode: padMode, value } : { mode: padMode });
  },
};

const constant: OnnxOp = {
  run: (call) => {
    const t = call.hostValueAttribute('value');
    if (t) return t;
    const s = call.string('value_string');
    if (s !== undefined) return new StringTensor([s], []);
    const ss = call.strings('value_strings');
    if (ss) return new StringTensor(ss);
    const f = call.float('value_float');
    if (f !== undefined) return new Constant('float', [], Float64Array.of(f));
    const fs = call.floats('value_floats');
    if (fs) return new Constant('float', [fs.length], Float64Array.from(fs));
    const i = call.int('value_int');
    if (i !== undefined) return new Constant('int64', [], Float64Array.of(i));
    const is = call.ints('value_ints');
    if (is) return new Constant('int64', [is.length], Float64Array.from(is));
    const sparse = call.sparseAttribute('sparse_value');
    if (sparse) return denseOf(sparse, `${call.where}'s sparse_value`);
    throw call.error('has no value (value, sparse_value, value_float(s), value_int(s), value_string(s))');
  },
};

export const SHAPE_OPS: OpTable = {
  Constant: constant,
  // A sequence passes through too (opset 14).
  Identity: { run: (call) => call.anyValue(0), host: (_call, [x]) => x, strings: 'moves' },
  Shape: {
    strings: 'shape',
    run: (call) => {
      const shape = shapeOf(call.value(0));
      const rank = shape.length;
      const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + rank : v, 0), rank);
      const kept = shape.slice(clamp(call.int('start', 0)), clamp(call.int('end', rank)));
      return new Constant('int64', [kept.length], Float64Array.from(kept));
    },
  },
  Size: { strings: 'shape', run: (call) => new Constant('int64', [], Float64Array.of(shapeOf(call.value(0)).reduce((a, b) => a * b, 1))) },
  ConstantOfShape: {
    hostInputs: [0],
    run: (call) => {
      const shape = call.constant(0, 'shape').values();
      const value = call.tensorAttribute('value');
      const size = shape.reduce((a, b) => a * b, 1);
      return new Constant(value?.type ?? 'float', shape, new Float64Array(size).fill(value?.data[0] ?? 0));
    },
  },
  Reshape: {
    strings: 'moves',
    hostInputs: [1],
    run: (call) => {
      const x = call.tensor(0);
      return ops.reshape(x, reshapeTarget(call, x.shape, call.constant(1, 'shape').values()));
    },
    host: (call, [x, s]) => reshapeHost(x, reshapeTarget(call, x.shape, s.values())),
  },
  Flatten: {
    strings: 'moves',
    run: (call) => {
      const x = call.tensor(0);
      return ops.reshape(x, flattenShape(call, x.shape));
    },
    host: (call, [x]) => reshapeHost(x, flattenShape(call, x.shape)),
  },
  Squeeze: {
    strings: 'moves',
    hostInputs: [1],
    run: (call) => {
      const x = call.tensor(0);
      return ops.reshape(x, squeezedShape(call, x.shape));
    },
    host: (call, [x]) => reshapeHost(x, squeezedShape(call, x.shape)),
  },
  Unsqueeze: {
    strings: 'moves',
    hostInputs: [1],
    run: (call) => {
      const x = call.tensor(0);
      return ops.reshape(x, unsqueezedShape(call, x.shape));
    },
    host: (call, [x]) => reshapeHost(x, unsqueezedShape(call, x.shape)),
  },
  Transpose: {
    strings: 'moves',
    run: (call) => {
      const x = call.tensor(0);
      return ops.transpose(x, transposePerm(call, x.rank));
    },
    host: (call, [x]) => {
      const perm = transposePerm(call, x.shape.length);
      const strides = stridesOf(x.shape);
      return hostGather(x, perm.map((p) => x.shape[p]), (index) => index.reduce((at, v, i) => at + v * strides[perm[i]], 0));
    },
  },
  Concat: {
    strings: 'movesAll',
    run: (call) => {
      const xs = call.allTensors();
      return ops.concat(xs, axis(call, call.int('axis', 0), xs[0].rank));
    },
    host: (call, xs) => hostConcat(xs, axis(call, call.int('axis', 0), xs[0].shape.length)),
  },
  Split: {
    strings: 'moves',
    hostInputs: [1],
    run: (call) => {
      const x = call.tensor(0);
      const a = axis(call, call.int('axis', 0), x.rank);
      return ops.split(x, splitSizes(call, x.shape[a]), a);
    },
    host: (call, [x]) => {
      const a = axis(call, call.int('axis', 0), x.shape.length);
      return hostSplit(x, splitSizes(call, x.shape[a]), a);
    },
  },
  Slice: {
    strings: 'moves',
    hostInputs: [1, 2, 3, 4],
    run: (call) => {
      let x = call.tensor(0);
      const ranges = sliceRanges(call, x.shape);
      // One slice for the axes walked by 1; a gather for each other.
      x = ops.slice(x, ranges.map((r) => (r.step === 1 ? r.start : 0)), ranges.map((r, i) => (r.step === 1 ? r.count : x.shape[i])));
      ranges.forEach((r, a) => {
        if (r.step === 1) return;
        const indices = Int32Array.from({ length: r.count }, (_, k) => r.start + k * r.step);
        x = ops.gather(x, ops.tensor(indices, [r.count], { dtype: 'i32' }), a);
      });
      return x;
    },
    host: (call, [x]) => {
      const ranges = sliceRanges(call, x.shape);
      const strides = stridesOf(x.shape);
      return hostGather(x, ranges.map((r) => r.count), (index) => index.reduce((at, v, i) => at + (ranges[i].start + v * ranges[i].step) * strides[i], 0));
    },
  },
  Gather: {
    strings: 'moves',
    run: (call) => {
      const x = call.tensor(0);
      const a = axis(call, call.int('axis', 0), x.rank);
      if (call.isConstant(1)) {
        const indices = call.constant(1, 'indices');
        const flat = hostIndices(call, indices, x.shape[a]);
        const gathered = ops.gather(x, ops.tensor(Int32Array.from(flat), [flat.length], { dtype: 'i32' }), a);
        return ops.reshape(gathered, gatherShape(x.shape, a, indices.shape));
      }
      const indices = call.tensor(1);
      const gathered = ops.gather(x, ops.reshape(indices, [indices.size]), a);
      return ops.reshape(gathered, gatherShape(x.shape, a, indices.shape));
    },
    host: (call, [x, indices]) => {
      const a = axis(call, call.int('axis', 0), x.shape.length);
      const flat = hostIndices(call, indices, x.shape[a]);
      const strides = stridesOf(x.shape);
      const shape = gatherShape(x.shape, a, indices.shape);
      const r = indices.shape.length;
      return hostGather(x, shape, (index) => {
        let at = 0;
        for (let i = 0; i < a; i++) at += index[i] * strides[i];
        const k = index.slice(a, a + r).reduce((p, v, i) => p * indices.shape[i] + v, 0);
        at += flat[k] * strides[a];
        for (let i = a + 1; i < x.shape.length; i++) at += index[i + r - 1] * strides[i];
        return at;
      });
    },
  },
  GatherElements: {
    strings: 'moves',
    host: (call, [x, indices]) => {
      const a = elementsAxis(call, x.shape, indices.shape);
      const flat = hostIndices(call, indices, x.shape[a]);
      const strides = stridesOf(x.shape);
      // Element i of the output is x's at i's index with its axis-a entry replaced by indices[i].
      return hostGather(x, indices.shape, (index) => {
        const k = index.reduce((p, v, i) => p * indices.shape[i] + v, 0);
        return index.reduce((at, v, i) => at + (i === a ? flat[k] : v) * strides[i], 0);
      });
    },
    run: (call) => {
      const x = call.tensor(0);
      const a = axis(call, call.int('axis', 0), x.rank);
      const indices = call.tensor(1);
      // Negative indices count from the end, as Gather's.
      const fixed = ops.where(ops.less(indices, 0), ops.add(indices, x.shape[a]), indices);
      return ops.takeAlongAxis(x, ops.cast(fixed, 'i32'), a);
    },
  },
  Expand: {
    strings: 'moves',
    hostInputs: [1],
    run: (call) => {
      const x = call.tensor(0);
      return ops.broadcastTo(x, broadcastShapes('Expand', x.shape, call.constant(1, 'shape').values()));
    },
    host: (call, [x, s]) => {
      const shape = broadcastShapes('Expand', x.shape, s.values());
      const strides = stridesOf(x.shape);
      const offset = shape.length - x.shape.length;
      return hostGather(x, shape, (index) => x.shape.reduce((at, d, i) => at + (d === 1 ? 0 : index[i + offset] * strides[i]), 0));
    },
  },
  Tile: {
    strings: 'moves',
    hostInputs: [1],
    run: (call) => ops.tile(call.tensor(0), call.constant(1, 'repeats').values()),
    host: (call, [x, r]) => {
      const reps = r.values();
      const strides = stridesOf(x.shape);
      return hostGather(x, x.shape.map((d, i) => d * reps[i]), (index) => index.reduce((at, v, i) => at + (v % x.shape[i]) * strides[i], 0));
    },
  },
  Range: {
    hostInputs: [0, 1, 2],
    run: (call) => {
      const [start, limit, delta] = [0, 1, 2].map((i) => call.constant(i, ['start', 'limit', 'delta'][i]).data[0]);
      const n = Math.max(Math.ceil((limit - start) / delta), 0);
      const type = call.constant(0, 'start').type;
      return new Constant(type, [n], Float64Array.from({ length: n }, (_, i) => start + i * delta));
    },
  },
  Pad: pad,
  Trilu: {
    hostInputs: [1],
    run: (call) => {
      const x = call.tensor(0);
      const k = call.has(1) ? call.constant(1, 'k').data[0] : 0;
      return call.int('upper', 1) ? ops.triu(x, k) : ops.tril(x, k);
    },
  },
  EyeLike: {
    run: (call) => {
      const [n, m] = shapeOf(call.value(0));
      const k = call.int('k', 0);
      const data = new Float64Array(n * m);
      for (let i = 0; i < n; i++) if (i + k >= 0 && i + k < m) data[i * m + i + k] = 1;
      const like = call.value(0);
      return new Constant(like instanceof Tensor ? (like.dtype === 'f32' ? 'float' : 'int64') : like.type, [n, m], data);
    },
  },
};
