// EmbeddingBag (PyTorch's nn.EmbeddingBag) against its definition
// computed here in float64: each bag's table rows, padding left out,
// summed (scaled by the per-sample weights), averaged or maxed elementwise,
// an empty bag zeros. Bags as the rows of a 2-D x and as runs of a flat x at
// offsets (an empty bag among them, with and without the last offset);
// gradients of the table and the weights; save/load, loadPytorch and errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { asF32, expectClose, uniform } from '../helpers/data.js';
import { collected } from '../helpers/gc.js';

type Mode = 'sum' | 'mean' | 'max';

interface BagCase {
  mode: Mode;
  /** Each bag's indices. */
  bags: number[][];
  /** x as [bags, N] (every bag of one length) or flat with offsets. */
  flat: boolean;
  includeLastOffset?: boolean;
  paddingIdx?: number;
  weighted?: boolean;
}

const [COUNT, DIM] = [7, 5];

/** y [bags, DIM] and d(Σ u·y)/d(table), d/d(weights) in float64. */
function bagsRef(table: ArrayLike<number>, c: BagCase, weights: number[][] | null, u: ArrayLike<number>): { y: Float64Array; dTable: Float64Array; dWeights: number[][] } {
  const y = new Float64Array(c.bags.length * DIM);
  const dTable = new Float64Array(COUNT * DIM);
  const dWeights = c.bags.map((bag) => bag.map(() => 0));
  const pad = c.paddingIdx === undefined ? -1 : (c.paddingIdx + COUNT) % COUNT;
  c.bags.forEach((bag, b) => {
    const kept = bag.map((i, k) => [(i + COUNT) % COUNT, k]).filter(([i]) => i !== pad);
    for (let d = 0; d < DIM; d++) {
      const g = u[b * DIM + d];
      if (!kept.length) continue;
      if (c.mode === 'max') {
        const [best] = kept.reduce((a, e) => (table[e[0] * DIM + d] > table[a[0] * DIM + d] ? e : a));
        y[b * DIM + d] = table[best * DIM + d];
        dTable[best * DIM + d] += g;
        continue;
      }
      const scale = c.mode === 'mean' ? 1 / kept.length : 1;
      for (const [i, k] of kept) {
        const w = weights ? weights[b][k] : 1;
        y[b * DIM + d] += scale * w * table[i * DIM + d];
        dTable[i * DIM + d] += scale * w * g;
        dWeights[b][k] += g * table[i * DIM + d];
      }
    }
  });
  return { y, dTable, dWeights };
}

/** x and its offsets as forward takes them. */
function inputsOf(c: BagCase): { x: tm.Tensor; offsets?: number[] } {
  if (!c.flat) return { x: tm.tensor(c.bags.flat(), [c.bags.length, c.bags[0].length], { dtype: 'i32' }) };
  const starts = c.bags.map((_, b) => c.bags.slice(0, b).reduce((n, bag) => n + bag.length, 0));
  const total = c.bags.reduce((n, bag) => n + bag.length, 0);
  return { x: tm.tensor(c.bags.flat(), [total], { dtype: 'i32' }), offsets: c.includeLastOffset ? [...starts, total] : starts };
}

const CASES: BagCase[] = [
  { mode: 'sum', bags: [[0, 3, 3], [6, 1, 2], [4, 4, 5], [2, 0, 1]], flat: false },
  { mode: 'mean', bags: [[0, 3, 3, 2], [2, 2, 2, 2], [4, -1, 5, 2]], flat: false, paddingIdx: 2 }, // a bag of padding only: zeros
  { mode: 'max', bags: [[1, 5], [6, 0], [3, 3], [2, 4], [0, 6]], flat: false, paddingIdx: -1 }, // −1: the last row, 6
  { mode: 'sum', bags: [[1, 2, 3], [4, 0, 0]], flat: false, weighted: true, paddingIdx: 0 },
  { mode: 'mean', bags: [[5, 1, 0], [], [2, 2, 6, 3], [4]], flat: true }, // an empty bag
  { mode: 'max', bags: [[3], [0, 1, 2, 5, 6], [], [4, 4]], flat: true, includeLastOffset: true },
  { mode: 'sum', bags: [[6, 5], [1, 3, 0], [2]], flat: true, weighted: true },
  { mode: 'max', bags: [[1, 3], [3, 3], [6, 0, 3]], flat: true, paddingIdx: 3 },
];

describe.each(BACKENDS)('EmbeddingBag on %s', (backend) => {
  const tol = backend === 'webgpu' ? 1e-4 : 1e-5;

  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  afterAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it.each(CASES)('$mode of bags $bags (flat $flat, padding $paddingIdx, weighted $weighted), and the gradients of the table and weights', async (c) => {
    const before = await collected();
    const layer = new tm.nn.EmbeddingBag(COUNT, DIM, { mode: c.mode, paddingIdx: c.paddingIdx, includeLastOffset: c.includeLastOffset });
    const table = await layer.weight.data();
    if (c.paddingIdx !== undefined) expect(Array.from(table.slice(((c.paddingIdx + COUNT) % COUNT) * DIM, ((c.paddingIdx + COUNT) % COUNT + 1) * DIM))).toEqual([0, 0, 0, 0, 0]);
    const { x, offsets } = inputsOf(c);
    const weights = c.weighted ? c.bags.map((bag) => Array.from(asF32(uniform(bag.length, -1, 1)))) : null;
    const wt = weights ? tm.tensor(weights.flat(), x.shape) : undefined;
    if (wt) wt.requiresGrad = true;
    const y = layer.forward(x, offsets, wt);
    expect(y.shape).toEqual([c.bags.length, DIM]);
    const u = asF32(uniform(c.bags.length * DIM, -1, 1));
    const want = bagsRef(table, c, weights, u);
    expectClose(await y.data(), want.y, tol);
    const ut = tm.tensor(u, y.shape);
    const loss = tm.tidy(() => y.mul(ut).sum());
    loss.backward();
    expectClose(await layer.weight.grad!.data(), want.dTable, tol);
    if (wt) expectClose(await wt.grad!.data(), want.dWeights.flat(), tol);
    for (const t of [x, y, ut, loss, ...(wt ? [wt.grad!, wt] : [])]) t.dispose();
    layer.dispose();
    expect(tm.memory().numTensors).toBe(before);
  });

  it('takes offsets as a tensor too, and saves and loads in a model: identical outputs', async () => {
    const model = new tm.nn.Sequential([new tm.nn.EmbeddingBag(COUNT, 4, { mode: 'max', paddingIdx: 1, seed: 2 }), new tm.nn.Dense(4, 2)]);
    const loaded = tm.nn.fromBytes(await model.toBytes());
    expect((loaded.config() as unknown as { layers: unknown[] }).layers[0]).toEqual({ type: 'EmbeddingBag', count: COUNT, dim: 4, mode: 'max', includeLastOffset: false, paddingIdx: 1 });
    const x = tm.tensor([[0, 1, 2], [6, 6, 1]], undefined, { dtype: 'i32' });
    expect(await loaded.predict(x).data()).toEqual(await model.predict(x).data());
    const layer = model.layers[0] as tm.nn.EmbeddingBag;
    const flat = tm.tensor([0, 1, 2, 6, 6, 1], [6], { dtype: 'i32' });
    expect(await layer.forward(flat, tm.tensor([0, 3], [2], { dtype: 'i32' })).data()).toEqual(await layer.forward(x).data());
  });
});

describe('EmbeddingBag', () => {
  beforeAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it("loads PyTorch's weight, and has its default mode", async () => {
    const layer = new tm.nn.EmbeddingBag(3, 2);
    expect(layer.mode).toBe('mean');
    const weight = new Float32Array([1, 2, 3, 4, 5, 6]);
    tm.nn.loadPytorch(layer, tm.encodeSafetensors({ weight: { dtype: 'f32', shape: [3, 2], data: weight } }));
    expect(Array.from(await layer.weight.data())).toEqual(Array.from(weight));
    expect(Array.from(await layer.forward(tm.tensor([[0, 2]], undefined, { dtype: 'i32' })).data())).toEqual([3, 4]);
  });

  it('refuses bad settings and inputs, naming them', () => {
    expect(() => new tm.nn.EmbeddingBag(0, 2)).toThrow(new tm.ValueError('EmbeddingBag: count must be a positive integer, got 0'));
    expect(() => new tm.nn.EmbeddingBag(3, 2, { mode: 'min' as never })).toThrow(new tm.ValueError("EmbeddingBag: mode must be 'sum', 'mean' or 'max', got \"min\""));
    expect(() => new tm.nn.EmbeddingBag(3, 2, { paddingIdx: 3 })).toThrow(new tm.ValueError('EmbeddingBag: paddingIdx must be an integer in [-3, 3), got 3'));
    const bag = new tm.nn.EmbeddingBag(3, 2);
    const rows = tm.tensor([[0, 1]], undefined, { dtype: 'i32' });
    const flat = tm.tensor([0, 1, 2], [3], { dtype: 'i32' });
    expect(() => bag.forward(tm.tensor([[0, 1]]))).toThrow(new tm.DTypeError('EmbeddingBag: x must be a tensor of int indices, got f32'));
    expect(() => bag.forward(rows, [0])).toThrow(new tm.ValueError('EmbeddingBag: x [1,2] holds one bag per row; offsets go with a 1-D x'));
    expect(() => bag.forward(flat)).toThrow(new tm.ValueError('EmbeddingBag: a 1-D x [3] needs offsets, where each bag starts'));
    expect(() => bag.forward(tm.zeros([1, 1, 2], { dtype: 'i32' }))).toThrow(new tm.ShapeError('EmbeddingBag: x must be [bags, indices] or a flat [indices] with offsets, got [1,1,2]'));
    expect(() => bag.forward(flat, [])).toThrow(new tm.ShapeError('EmbeddingBag: offsets must be a vector of one start per bag, got [0]'));
    expect(() => bag.forward(flat, [0.5])).toThrow(new tm.DTypeError('EmbeddingBag: offsets must be integers'));
    expect(() => bag.forward(rows, undefined, tm.ones([1, 2]))).toThrow(new tm.ValueError("EmbeddingBag: perSampleWeights go with mode 'sum' only, not 'mean' (as PyTorch's)"));
    const sums = new tm.nn.EmbeddingBag(3, 2, { mode: 'sum' });
    expect(() => sums.forward(rows, undefined, tm.ones([2]))).toThrow(new tm.ShapeError("EmbeddingBag: perSampleWeights must be f32 of x's shape [1,2], got f32 [2]"));
  });
});
