// ONNX opset 24's TensorScatter (src/onnx/ops/tensor_scatter.ts) as one-node
// models on every backend, against a float64 loop of
// onnx/reference/ops/op_tensor_scatter.py and beside onnxruntime-web (wasm):
// linear and circular writes along each axis after the batch, write indices
// given or left out (zeros), fed or written as constants, floats and
// integers; gradients to update and past_cache; the inputs it refuses. Its
// pairing with Attention's nonpad_kv_seqlen in a decode loop is in
// attention.test.ts.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../../src/index.js';
import { BACKENDS } from '../../helpers/backends.js';
import { asF32, expectClose, randomInts, SEED, uniform } from '../../helpers/data.js';
import { collected } from '../../helpers/gc.js';
import { f64, size, type F64 } from '../../helpers/float64.js';
import { onnxModel, type AttributeSpec } from '../../helpers/onnx.js';
import { ortNode } from '../../helpers/onnx_microsoft.js';
import { feed, runOp, type Feed } from '../../helpers/onnx_run.js';

const floats = (shape: number[]): F64 => f64(shape, asF32(uniform(size(shape), -2, 2)));

/** past_cache with update written along `axis` from each batch row's write index (mod the cache length when circular). */
function tensorScatterRef(cache: F64, update: F64, writes: readonly number[] | undefined, axis: number, circular: boolean): F64 {
  const a = axis < 0 ? axis + cache.shape.length : axis;
  const outer = size(cache.shape.slice(0, a)), inner = size(cache.shape.slice(a + 1)), rows = outer / cache.shape[0];
  const length = cache.shape[a], sequence = update.shape[a];
  const v = Float64Array.from(cache.v);
  for (let o = 0; o < outer; o++) {
    const b = Math.floor(o / rows);
    for (let s = 0; s < sequence; s++) {
      let p = (writes?.[b] ?? 0) + s;
      if (circular) p %= length;
      for (let i = 0; i < inner; i++) v[(o * length + p) * inner + i] = update.v[(o * sequence + s) * inner + i];
    }
  }
  return { shape: [...cache.shape], v };
}

interface ScatterCase {
  what: string;
  cache: number[];
  sequence: number;
  axis?: number;
  circular?: boolean;
  writes?: number[];
  constantWrites?: boolean;
  type?: 'float' | 'int64';
}

const CASES: ScatterCase[] = [
  { what: 'a 4-D cache along its default axis −2, linear', cache: [2, 3, 7, 5], sequence: 2, writes: [0, 5] },
  { what: 'a 3-D cache [B, L, H] along axis 1', cache: [3, 6, 4], sequence: 3, axis: 1, writes: [3, 0, 1] },
  { what: 'circular, wrapping round the end, along the last axis', cache: [2, 3, 5], sequence: 3, axis: -1, circular: true, writes: [4, 7] },
  { what: 'no write_indices: from 0', cache: [2, 2, 6, 3], sequence: 4 },
  { what: 'write_indices as a constant, axis 2 of 5', cache: [2, 2, 5, 2, 3], sequence: 1, axis: 2, writes: [4, 2], constantWrites: true },
  { what: 'int64 values, the update filling the cache', cache: [2, 4, 3], sequence: 4, axis: 1, writes: [0, 0], type: 'int64' },
];

function scatterCase(c: ScatterCase): { inputs: (Feed | null)[]; attributes: Record<string, AttributeSpec>; want: F64 } {
  const axis = c.axis ?? -2, a = axis < 0 ? axis + c.cache.length : axis;
  const updateShape = c.cache.map((d, i) => (i === a ? c.sequence : d));
  const values = (shape: number[]) => (c.type === 'int64' ? f64(shape, Float64Array.from(randomInts(size(shape), -50, 50))) : floats(shape));
  const cache = values(c.cache), update = values(updateShape);
  const writes: Feed | null = c.writes ? { shape: [c.writes.length], values: c.writes, type: 'int64', constant: c.constantWrites } : null;
  const attributes: Record<string, AttributeSpec> = { ...(c.axis === undefined ? {} : { axis: c.axis }), ...(c.circular ? { mode: 'circular' } : {}) };
  return { inputs: [feed(cache, c.type), feed(update, c.type), writes], attributes, want: tensorScatterRef(cache, update, c.writes, axis, !!c.circular) };
}

describe.each(BACKENDS)('TensorScatter on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it('writes update into past_cache from each row\'s write index, linear or circular; as the reference and onnxruntime compute', async () => {
    for (const c of CASES) {
      const { inputs, attributes, want } = scatterCase(c);
      const [got] = await runOp('TensorScatter', inputs, attributes, { opset: 24, outputTypes: [c.type ?? 'float'] });
      expect(got.shape, c.what).toEqual(want.shape);
      expectClose(got.v, want.v, 0, `${c.what} (test seed ${SEED})`);
      const [ort] = await ortNode('TensorScatter', inputs, attributes, { opset: 24, outputTypes: [c.type ?? 'float'] });
      expectClose(got.v, ort, 0, `${c.what} beside onnxruntime (test seed ${SEED})`);
    }
  });

  it('gradients reach update where it is written and past_cache where it is not', async () => {
    const cache = floats([2, 2, 5, 3]), update = floats([2, 2, 2, 3]), r = floats([2, 2, 5, 3]);
    const writes = [3, 1];
    const bytes = onnxModel({
      opset: 24,
      inputs: [{ name: 'update', shape: update.shape }, { name: 'writes', type: 'int64', shape: [2] }],
      outputs: [{ name: 'y' }],
      initializers: { cache: { shape: cache.shape, values: cache.v }, r: { shape: r.shape, values: r.v } },
      nodes: [
        { op: 'TensorScatter', inputs: ['cache', 'update', 'writes'], outputs: ['present'] },
        { op: 'Mul', inputs: ['present', 'r'], outputs: ['pr'] },
        { op: 'ReduceSum', inputs: ['pr'], outputs: ['y'], attributes: { keepdims: 0 } },
      ],
    });
    // d/d update[b, n, s, i] = r at the position it is written; d/d cache = r where nothing is written, else 0.
    const written = (b: number, p: number) => p >= writes[b] && p < writes[b] + 2;
    const wantCache = Array.from(r.v, (x, j) => (written(Math.floor(j / 30), Math.floor(j / 3) % 5) ? 0 : x));
    const wantUpdate = Array.from(update.v, (_, j) => {
      const b = Math.floor(j / 12), n = Math.floor(j / 6) % 2, s = Math.floor(j / 3) % 2, i = j % 3;
      return r.v[((b * 2 + n) * 5 + writes[b] + s) * 3 + i];
    });
    const before = await collected();
    const model = tm.onnx.fromBytes(bytes);
    const u = tm.tensor(Array.from(update.v), update.shape), w = tm.tensor(writes, [2], { dtype: 'i32' });
    u.requiresGrad = true;
    const y = model.forward(u, w);
    y.backward();
    expectClose(await model.ownParameters().cache.grad!.data(), wantCache, 0, 'd loss / d past_cache');
    expectClose(await u.grad!.data(), wantUpdate, 0, 'd loss / d update');
    for (const t of [u.grad!, u, w, y]) t.dispose();
    model.dispose();
    expect(tm.memory().numTensors, 'tensors left').toBe(before);
  });
});

describe('TensorScatter: the inputs it refuses, named', () => {
  beforeAll(async () => {
    await tm.init({ backend: 'js' });
  });

  const refuse = async (inputs: (Feed | null)[], attributes: Record<string, AttributeSpec>, error: RegExp) => {
    await expect(runOp('TensorScatter', inputs, attributes, { opset: 24 })).rejects.toThrow(error);
  };
  const writes = (values: number[], constant = false): Feed => ({ shape: [values.length], values, type: 'int64', constant });

  it('names the shapes, the axis, the mode and the write indices', async () => {
    const cache = feed(floats([2, 3, 6, 4])), update = feed(floats([2, 3, 2, 4]));
    await refuse([cache, feed(floats([2, 3, 7, 4]))], {}, /past_cache \[2, 3, 6, 4\], update \[2, 3, 7, 4\]: update must have past_cache's shape but along axis 2, where it is at most 6 long/);
    await refuse([cache, feed(floats([2, 2, 2, 4]))], {}, /update must have past_cache's shape but along axis 2/);
    await refuse([cache, update], { axis: 4 }, /axis = 4 is outside past_cache's 4 axes/);
    await refuse([cache, feed(floats([1, 3, 6, 4]))], { axis: 0 }, /axis = 0 is the batch axis/);
    await refuse([cache, update], { mode: 'wrap' }, /mode = 'wrap' must be 'linear' or 'circular'/);
    await refuse([cache, update, writes([1, 2, 3])], {}, /write_indices \(input 2\) is i32 \[3\]; it must be int64 \[batch\] = \[2\]/);
    await refuse([cache, update, writes([0, 5], true)], {}, /write_indices\[1\] = 5: with the update's 2 positions it must lie in \[0, 4\] \(the cache holds 6\)/);
    await refuse([cache, update, writes([-1, 0], true)], { mode: 'circular' }, /write_indices\[0\] = -1: it must not be negative/);
  });
});
