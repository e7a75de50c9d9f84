// ONNX's scatters in tm.onnx — ScatterElements, ScatterND and opset 9's
// Scatter — as one-node models against a loop applying the writes one by
// one in index order (ONNX's reference), on fresh random data at odd shapes:
// every reduction, repeated targets, negative indices; indices known on the
// host (initializers) and fed on the device (none and add in a synchronous
// run, every reduction through runAsync, which reads them back); gradients
// to data and updates; beside onnxruntime-web; what is refused. GatherND
// with indices fed on the device is here too, beside the same gather with
// the indices as an initializer.
import * as ort from 'onnxruntime-web';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../../src/index.js';
import { BACKENDS } from '../../helpers/backends.js';
import { asF32, expectClose, expectExact, randomInts, SEED, uniform } from '../../helpers/data.js';
import { singleOp } from '../../helpers/onnx.js';
import { ints, opModel, runModel, runOp, type Feed } from '../../helpers/onnx_run.js';
import { ortRun } from '../../helpers/ort.js';

const REDUCTIONS = ['none', 'add', 'mul', 'max', 'min'] as const;
type Reduction = (typeof REDUCTIONS)[number];

const sizeOf = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
const stridesOf = (shape: readonly number[]) => shape.map((_, d) => sizeOf(shape.slice(d + 1)));

/** data with update k applied at targets[k], one after another, in float64 (on values f32 holds). */
function scatterRef(data: Float64Array, updates: Float64Array, targets: readonly number[], reduction: Reduction): Float64Array {
  const out = Float64Array.from(data);
  targets.forEach((t, k) => {
    const u = updates[k];
    out[t] = reduction === 'none' ? u : reduction === 'add' ? out[t] + u : reduction === 'mul' ? out[t] * u : reduction === 'max' ? Math.max(out[t], u) : Math.min(out[t], u);
  });
  return out;
}

/**
 * The size of what a position's result was rounded from, for expectClose's
 * scale: for add, the sum of the magnitudes of the terms (d f32 additions in
 * any order are within d·2⁻²⁴ of it); the result's own magnitude otherwise
 * (a product of d f32 factors is within (d + 1)·2⁻²⁴ of itself).
 */
function scaleOf(data: Float64Array, updates: Float64Array, targets: readonly number[], reduction: Reduction): Float64Array {
  if (reduction !== 'add') return scatterRef(data, updates, targets, reduction).map(Math.abs);
  return scatterRef(data.map(Math.abs), updates.map(Math.abs), targets, 'add');
}

/** A scatter's result against the reference: exact for none, max and min; within the rounding of up to 15 steps for add and mul. */
function expectScattered(got: ArrayLike<number>, data: Float64Array, updates: Float64Array, targets: readonly number[], reduction: Reduction, what: string): void {
  const exact = reduction === 'none' || reduction === 'max' || reduction === 'min';
  expectClose(got, asF32(scatterRef(data, updates, targets, reduction)), exact ? 0 : 1e-6, what, exact ? undefined : scaleOf(data, updates, targets, reduction));
}

/** ScatterElements' targets: each index's position, with its value (wrapped) along the axis. */
function elementTargets(dataShape: readonly number[], indexShape: readonly number[], indices: Float64Array, axis: number): number[] {
  const strides = stridesOf(dataShape), indexStrides = stridesOf(indexShape);
  return Array.from(indices, (v, flat) => {
    let at = 0;
    indexShape.forEach((_, d) => {
      const i = Math.floor(flat / indexStrides[d]) % indexShape[d];
      at += (d === axis ? (v < 0 ? v + dataShape[d] : v) : i) * strides[d];
    });
    return at;
  });
}

/** ScatterND's targets: each index's block of data, element by element. */
function ndTargets(dataShape: readonly number[], indexShape: readonly number[], indices: Float64Array): number[] {
  const k = indexShape[indexShape.length - 1], strides = stridesOf(dataShape), block = sizeOf(dataShape.slice(k));
  const targets: number[] = [];
  for (let u = 0; u < indices.length / k; u++) {
    let at = 0;
    for (let j = 0; j < k; j++) at += (indices[u * k + j] < 0 ? indices[u * k + j] + dataShape[j] : indices[u * k + j]) * strides[j];
    for (let r = 0; r < block; r++) targets.push(at + r);
  }
  return targets;
}

/** Indices along `axis` of an index shape, each column's values distinct (a partial shuffle of the axis), some negative. */
function distinctAlong(indexShape: readonly number[], axis: number, n: number): Float64Array {
  const out = new Float64Array(sizeOf(indexShape));
  const strides = stridesOf(indexShape);
  const columns = sizeOf(indexShape) / indexShape[axis];
  for (let c = 0; c < columns; c++) {
    const order = Array.from({ length: n }, (_, i) => i);
    const r = randomInts(n, 0, 1 << 30);
    order.sort((a, b) => r[a] - r[b]);
    // The c-th position with the axis left out, then each of the axis' entries.
    const outerStride = strides[axis] * indexShape[axis];
    const base = Math.floor(c / strides[axis]) * outerStride + (c % strides[axis]);
    for (let j = 0; j < indexShape[axis]; j++) out[base + j * strides[axis]] = order[j] - (r[j] % 2 ? n : 0);
  }
  return out;
}

const elementsCase = (dataShape: number[], indexShape: number[], axis: number, indices: Float64Array) => ({
  data: asF32(uniform(sizeOf(dataShape))),
  updates: asF32(uniform(sizeOf(indexShape))),
  targets: elementTargets(dataShape, indexShape, indices, axis < 0 ? axis + dataShape.length : axis),
});

describe.each(BACKENDS)('tm.onnx scatters on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  describe('ScatterElements', () => {
    const shapes: [number[], number[], number][] = [[[7], [11], 0], [[5, 6], [9, 4], 0], [[3, 7, 5], [2, 6, 13], -1], [[4, 5, 3], [3, 3, 3], 1]];

    it.each(REDUCTIONS)('reduction %s with indices as an initializer: repeated targets and negative indices, in index order', async (reduction) => {
      for (const [dataShape, indexShape, axis] of shapes) {
        const n = dataShape[axis < 0 ? axis + dataShape.length : axis];
        const indices = randomInts(sizeOf(indexShape), -n, n - 1);
        const { data, updates, targets } = elementsCase(dataShape, indexShape, axis, indices);
        const y = (await runOp('ScatterElements', [{ shape: dataShape, values: data }, ints(Array.from(indices), indexShape), { shape: indexShape, values: updates }], { axis, reduction }, { opset: 18 }))[0];
        expect(y.shape).toEqual(dataShape);
        expectScattered(y.v, data, updates, targets, reduction, `${reduction} ${dataShape} ${indexShape} axis ${axis}`);
      }
    });

    it('none and add with indices fed on the device, in a synchronous run; every reduction through runAsync', async () => {
      for (const [dataShape, indexShape, axis] of shapes) {
        const a = axis < 0 ? axis + dataShape.length : axis, n = dataShape[a];
        const fit = indexShape.map((d, i) => (i === a ? Math.min(d, n) : d));
        const unique = distinctAlong(fit, a, n);
        const repeated = randomInts(sizeOf(indexShape), -n, n - 1);
        for (const [reduction, shape, indices, mode] of [['none', fit, unique, 'sync'], ['add', indexShape, repeated, 'sync'], ['mul', indexShape, repeated, 'async'], ['max', indexShape, repeated, 'async'], ['none', indexShape, repeated, 'async']] as const) {
          const { data, updates, targets } = elementsCase(dataShape, shape, axis, indices);
          const inputs: Feed[] = [{ shape: dataShape, values: data }, { shape, values: indices, type: 'int64' }, { shape, values: updates }];
          const [y] = await runModel(opModel('ScatterElements', inputs, { axis, reduction }, { opset: 18 }), inputs, mode);
          expectScattered(y.v, data, updates, targets, reduction, `${reduction} (${mode}) ${dataShape} ${shape} axis ${axis}`);
        }
      }
    });

    it('gradients reach data (where nothing overwrote it) and updates (each where it was written), indices on the host or the device', async () => {
      const dataShape = [5, 4], indexShape = [3, 4];
      const indices = distinctAlong(indexShape, 0, 5);
      const targets = elementTargets(dataShape, indexShape, indices, 0);
      for (const reduction of ['none', 'add'] as const) {
        for (const onDevice of [false, true]) {
          const x = tm.tensor(Float32Array.from(uniform(20)), dataShape);
          const u = tm.tensor(Float32Array.from(uniform(12)), indexShape);
          x.requiresGrad = u.requiresGrad = true;
          const i = tm.tensor(Int32Array.from(indices), indexShape, { dtype: 'i32' });
          const bytes = opModel('ScatterElements', [{ shape: dataShape, values: [] }, onDevice ? { shape: indexShape, values: [], type: 'int64' } : ints(Array.from(indices), indexShape), { shape: indexShape, values: [] }], { axis: 0, reduction }, { opset: 16 });
          const model = tm.onnx.fromBytes(bytes);
          const { y0 } = model.run(onDevice ? [x, i, u] : [x, u]);
          const r = uniform(20);
          y0.mul(tm.tensor(Float32Array.from(r), dataShape)).sum().backward();
          const written = new Set(targets);
          expectClose(await x.grad!.data(), asF32(r.map((v, p) => (reduction === 'add' || !written.has(p) ? v : 0))), 1e-6, `${reduction} dx`);
          expectClose(await u.grad!.data(), asF32(Float64Array.from(targets, (t) => r[t])), 1e-6, `${reduction} du`);
          for (const t of [x, u, i, y0]) t.dispose();
          model.dispose();
        }
      }
    });

    it('Scatter (opset 9–10) is ScatterElements without negative indices', async () => {
      const indices = randomInts(8, 0, 5);
      const { data, updates, targets } = elementsCase([6, 3], [8, 1], 0, indices);
      const y = (await runOp('Scatter', [{ shape: [6, 3], values: data }, ints(Array.from(indices), [8, 1]), { shape: [8, 1], values: updates }], { axis: 0 }, { opset: 9 }))[0];
      expectScattered(y.v, data, updates, targets, 'none', 'Scatter');
      await expect(runOp('Scatter', [{ shape: [6], values: uniform(6) }, ints([-1], [1]), { shape: [1], values: [1] }], { axis: 0 }, { opset: 10 })).rejects.toThrow(/index -1 is negative \(Scatter at opset 10 takes indices in \[0, 6\)\)/);
    });
  });

  describe('ScatterND', () => {
    const shapes: [number[], number[]][] = [[[9], [13, 1]], [[5, 7], [6, 1]], [[4, 3, 5], [7, 2]], [[3, 4, 2], [2, 3, 3]]];

    it.each(REDUCTIONS)('reduction %s with indices as an initializer: whole blocks, repeated and negative', async (reduction) => {
      for (const [dataShape, indexShape] of shapes) {
        const k = indexShape[indexShape.length - 1];
        const indices = Float64Array.from(randomInts(sizeOf(indexShape), 0, 1 << 20), (r, i) => (r % (2 * dataShape[i % k])) - dataShape[i % k]);
        const updateShape = [...indexShape.slice(0, -1), ...dataShape.slice(k)];
        const data = asF32(uniform(sizeOf(dataShape))), updates = asF32(uniform(sizeOf(updateShape)));
        const y = (await runOp('ScatterND', [{ shape: dataShape, values: data }, ints(Array.from(indices), indexShape), { shape: updateShape, values: updates }], { reduction }, { opset: 18 }))[0];
        expectScattered(y.v, data, updates, ndTargets(dataShape, indexShape, indices), reduction, `${reduction} ${dataShape} ${indexShape}`);
      }
    });

    it('add with indices fed on the device (a synchronous run), as with them on the host', async () => {
      for (const [dataShape, indexShape] of shapes) {
        const k = indexShape[indexShape.length - 1];
        const indices = Float64Array.from(randomInts(sizeOf(indexShape), 0, 1 << 20), (r, i) => (r % (2 * dataShape[i % k])) - dataShape[i % k]);
        const updateShape = [...indexShape.slice(0, -1), ...dataShape.slice(k)];
        const data = asF32(uniform(sizeOf(dataShape))), updates = asF32(uniform(sizeOf(updateShape)));
        const inputs: Feed[] = [{ shape: dataShape, values: data }, { shape: indexShape, values: indices, type: 'int64' }, { shape: updateShape, values: updates }];
        const [y] = await runModel(opModel('ScatterND', inputs, { reduction: 'add' }, { opset: 16 }), inputs);
        expectScattered(y.v, data, updates, ndTargets(dataShape, indexShape, indices), 'add', `${dataShape} ${indexShape}`);
      }
    });
  });

  it('scatters integers known when the model loads (shape arithmetic) on the host, with every reduction, as the reference', async () => {
    // Integers have no −0: the float64 reference's products of a negative and 0 are read as 0 (v + 0).
    const int64 = (shape: number[], values: ArrayLike<number>) => ({ type: 'int64' as const, shape, values: Array.from(values) });
    const hostRun = async (bytes: Uint8Array) => {
      const y = tm.onnx.fromBytes(bytes).run({}).y;
      expect(y.dtype).toBe('i32');
      return Float64Array.from(await y.data());
    };
    for (const reduction of REDUCTIONS) {
      const [dataShape, indexShape, axis] = [[4, 5], [3, 5], 0];
      const indices = randomInts(sizeOf(indexShape), -4, 3);
      const data = randomInts(sizeOf(dataShape), -9, 9), updates = randomInts(sizeOf(indexShape), -9, 9);
      const elements = singleOp('ScatterElements', [], { axis, reduction }, { opset: 18, extraInputs: ['x', 'i', 'u'], initializers: { x: int64(dataShape, data), i: int64(indexShape, indices), u: int64(indexShape, updates) } });
      expect(Array.from(await hostRun(elements)), `ScatterElements ${reduction}`).toEqual(Array.from(scatterRef(data, updates, elementTargets(dataShape, indexShape, indices, axis), reduction), (v) => v + 0));
      const ndIndices = Float64Array.of(3, -1, 0, 2, 3, -1);
      const ndUpdates = randomInts(3, -9, 9);
      const nd = singleOp('ScatterND', [], { reduction }, { opset: 18, extraInputs: ['x', 'i', 'u'], initializers: { x: int64(dataShape, data), i: int64([3, 2], ndIndices), u: int64([3], ndUpdates) } });
      expect(Array.from(await hostRun(nd)), `ScatterND ${reduction}`).toEqual(Array.from(scatterRef(data, ndUpdates, ndTargets(dataShape, [3, 2], ndIndices), reduction), (v) => v + 0));
    }
  });

  it('GatherND with indices fed on the device gives what it gives with them as an initializer (batch_dims 0 and 1)', async () => {
    for (const [dataShape, indexShape, batchDims] of [[[5, 7], [4, 2], 0], [[6, 3, 4], [5, 1], 0], [[3, 5, 4], [3, 2, 1], 1], [[2, 4, 3, 5], [2, 3, 2], 1]] as [number[], number[], number][]) {
      const k = indexShape[indexShape.length - 1];
      const indices = Float64Array.from(randomInts(sizeOf(indexShape), 0, 1 << 20), (r, i) => {
        const n = dataShape[batchDims + (i % k)];
        return (r % (2 * n)) - n;
      });
      const data = uniform(sizeOf(dataShape));
      const [fed] = await runOp('GatherND', [{ shape: dataShape, values: data }, { shape: indexShape, values: indices, type: 'int64' }], { batch_dims: batchDims });
      const [known] = await runOp('GatherND', [{ shape: dataShape, values: data }, ints(Array.from(indices), indexShape)], { batch_dims: batchDims });
      expect(fed.shape).toEqual(known.shape);
      expectExact(fed.v, known.v, `${dataShape} ${indexShape} batch_dims ${batchDims}`);
    }
  });

  it('refuses what it cannot do, naming it', async () => {
    const repeated: Feed[] = [{ shape: [4], values: uniform(4) }, { shape: [3], values: [0, 1, 1], type: 'int64' }, { shape: [3], values: uniform(3) }];
    await expect(runModel(opModel('ScatterElements', repeated, { reduction: 'max' }, { opset: 18 }), repeated)).rejects.toThrow(/are computed on the device, where tmnn scatters float data with reduction none or add only \(this node: f32 data, reduction max\); .*runAsync/);
    await expect(runOp('ScatterElements', [{ shape: [3], values: [1, 2, 3] }, ints([0]), { shape: [1], values: [1] }], { reduction: 'average' }, { opset: 18 })).rejects.toThrow("reduction average is not one of ONNX's (none, add, mul, max, min)");
    await expect(runOp('ScatterND', [{ shape: [3, 2], values: uniform(6) }, ints([0, 1], [1, 2]), { shape: [2], values: [1, 2] }])).rejects.toThrow('updates are [2]; these indices and data want [1]');
    await expect(runOp('ScatterElements', [{ shape: [3], values: [1, 2, 3] }, ints([3]), { shape: [1], values: [1] }])).rejects.toThrow('index 3 is outside an axis of 3');
    if (backend !== 'webgpu') {
      const outside: Feed[] = [{ shape: [3], values: [1, 2, 3] }, { shape: [1], values: [-4], type: 'int64' }, { shape: [1], values: [1] }];
      await expect(runModel(opModel('ScatterElements', outside, {}), outside)).rejects.toThrow(/index -4 .* is outside axis 0 of data \[3\], of length 3/);
    }
  });
});

// onnxruntime-web's CPU kernels on the same nodes: every reduction with repeated targets.
describe('beside onnxruntime-web', () => {
  beforeAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it.each(REDUCTIONS.filter((r) => r !== 'none'))('ScatterElements and ScatterND with reduction %s', async (reduction) => {
    const dataShape = [5, 6], indexShape = [7, 6];
    const indices = randomInts(42, -5, 4);
    const { data, updates, targets } = elementsCase(dataShape, indexShape, 0, indices);
    const nd = Float64Array.from(randomInts(9, -5, 4));
    const ndUpdates = asF32(uniform(9 * 6));
    const ndCase = ndTargets(dataShape, [9, 1], nd);
    for (const [op, idx, idxShape, upd, writes] of [['ScatterElements', indices, indexShape, updates, targets], ['ScatterND', nd, [9, 1], ndUpdates, ndCase]] as const) {
      const bytes = singleOp(op, [{ name: 'x', shape: dataShape }, { name: 'i', type: 'int64', shape: idxShape }, { name: 'u', shape: op === 'ScatterND' ? [9, 6] : indexShape }], { reduction, ...(op === 'ScatterElements' ? { axis: 0 } : {}) }, { opset: 18 });
      const mine = await runModel(bytes, [{ shape: dataShape, values: data }, { shape: idxShape, values: idx, type: 'int64' }, { shape: op === 'ScatterND' ? [9, 6] : indexShape, values: upd }], 'async');
      const theirs = await ortRun(bytes, {
        x: new ort.Tensor('float32', Float32Array.from(data), dataShape),
        i: new ort.Tensor('int64', BigInt64Array.from(idx, (v) => BigInt(v)), idxShape),
        u: new ort.Tensor('float32', Float32Array.from(upd), op === 'ScatterND' ? [9, 6] : indexShape),
      });
      // Both within 10 roundings of the float64 result: within 2e-6 of each other, relative to its scale.
      expectClose(mine[0].v, (await theirs.y.getData()) as Float32Array, 2e-6, `${op} ${reduction} (seed ${SEED})`, scaleOf(data, upd, writes, reduction));
    }
  });
});
