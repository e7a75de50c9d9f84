// tm.nn.utils.prune: a layer's weight as weightOrig · weightMask (PyTorch's
// torch.nn.utils.prune). Every mask is checked against a plain-JS
// transcription of PyTorch's rules (how many: an integer amount as it is, a
// fraction times the entries still unpruned rounded half to even; which:
// the smallest |w|, the channels of largest Ln norm, across layers for the
// global one; ties to the earlier entry), on every backend, with repeated
// pruning, removal, gradients, training, saving and loading.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../../src/index.js';
import { BACKENDS } from '../../helpers/backends.js';
import { expectClose, uniform } from '../../helpers/data.js';
import { f64, linearRef, unravel } from '../../helpers/float64.js';
import { collected } from '../../helpers/gc.js';
import { squaredOutputStep } from '../../helpers/reparametrized.js';

const { prune } = tm.nn.utils;

/** Python's round (half to even), written apart from the library's. */
function pythonRound(x: number): number {
  const down = Math.floor(x);
  const rest = x - down;
  return rest > 0.5 || (rest === 0.5 && down % 2 === 1) ? down + 1 : down;
}

/** PyTorch's _compute_nparams_toprune: an integer amount is a count, a fraction is of the n left. */
const countRef = (amount: number, n: number) => (Number.isInteger(amount) ? amount : pythonRound(amount * n));

/** prune.l1_unstructured on mask's ones: the count of smallest |w · mask| among them zeroed, the earlier of equals first. */
function l1Ref(w: ArrayLike<number>, mask: Float64Array, amount: number): Float64Array {
  const alive = [...mask.keys()].filter((i) => mask[i] === 1);
  const k = countRef(amount, alive.length);
  alive.sort((a, b) => Math.abs(w[a]) - Math.abs(w[b]) || a - b);
  const out = mask.slice();
  for (const i of alive.slice(0, k)) out[i] = 0;
  return out;
}

/** prune.ln_structured along `dim`: among channels with a one left, the count of smallest ‖w‖ₙ (over the other axes; w the current weight, zeros and all) zeroed whole. */
function lnRef(w: ArrayLike<number>, shape: number[], mask: Float64Array, amount: number, n: number, dim: number): Float64Array {
  const channel = (i: number) => unravel(i, shape)[dim];
  const norms = new Float64Array(shape[dim]);
  const there = new Set<number>();
  mask.forEach((m, i) => {
    if (m) there.add(channel(i));
    const a = Math.abs(w[i]);
    norms[channel(i)] = n === Infinity ? Math.max(norms[channel(i)], a) : norms[channel(i)] + a ** n;
  });
  const norm = (c: number) => (n === Infinity ? norms[c] : norms[c] ** (1 / n));
  const alive = [...there].sort((a, b) => a - b);
  const k = countRef(amount, alive.length);
  // PyTorch keeps the largest (topk); the earlier of equals is kept.
  const kept = new Set([...alive].sort((a, b) => norm(b) - norm(a) || a - b).slice(0, alive.length - k));
  return mask.map((m, i) => (kept.has(channel(i)) ? m : 0));
}

const ones = (n: number) => new Float64Array(n).fill(1);
const zerosAt = (mask: ArrayLike<number>) => [...Array.from(mask).keys()].filter((i) => mask[i] === 0);
const maskOf = async (layer: tm.nn.Module, name = 'weight') => Float64Array.from(await (layer as unknown as Record<string, tm.Tensor>)[`${name}Mask`].data());

/** Layers and tensors the mask cases prune: odd sizes, a vector, a single entry, a convolution's rank-4 weight. */
const TENSORS = [
  { what: 'Dense(7, 13) weight', make: () => new tm.nn.Dense(7, 13), name: 'weight' },
  { what: 'Dense(7, 13) bias', make: () => new tm.nn.Dense(7, 13), name: 'bias' },
  { what: 'Dense(1, 1) weight', make: () => new tm.nn.Dense(1, 1), name: 'weight' },
  { what: 'Conv2d(3, 5, [3, 2]) weight', make: () => new tm.nn.Conv2d(3, 5, [3, 2]), name: 'weight' },
];

describe.each(BACKENDS)('prune on %s', (backend) => {
  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  afterAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it.each(TENSORS)('$what: l1Unstructured zeroes the smallest |w|, a fraction rounded half to even or a count; again among those left', async ({ make, name }) => {
    const layer = make();
    const weight = (layer as unknown as Record<string, tm.Tensor>)[name];
    const w = Float64Array.from(await weight.data());
    const pruned = await prune.l1Unstructured(layer, name, { amount: 0.5 });
    expect(pruned).toBe(layer);
    const fields = layer as unknown as Record<string, tm.Tensor>;
    expect(fields[`${name}Orig`]).toBe(weight);
    expect(fields[`${name}Mask`].shape).toEqual(weight.shape);
    expect(fields[`${name}Mask`].requiresGrad).toBe(false);
    let want = l1Ref(w, ones(w.length), 0.5);
    // 0.5 · 13 = 6.5 prunes 6 of a bias, 0.5 · 91 = 45.5 prunes 46, 0.5 · 1 none.
    expect(zerosAt(want).length).toBe({ 91: 46, 13: 6, 1: 0, 90: 45 }[w.length]);
    expect(await maskOf(layer, name)).toEqual(want);
    expectClose(await fields[name].data(), w.map((x, i) => x * want[i]), 0, 'weight');
    // Again: 0.3 of those left (not of all), then a count.
    await prune.l1Unstructured(layer, name, { amount: 0.3 });
    want = l1Ref(w, want, 0.3);
    expect(await maskOf(layer, name)).toEqual(want);
    const left = w.length - zerosAt(want).length;
    await prune.l1Unstructured(layer, name, { amount: Math.min(2, left) });
    want = l1Ref(w, want, Math.min(2, left));
    expect(await maskOf(layer, name)).toEqual(want);
    expectClose(await fields[name].data(), w.map((x, i) => x * want[i]), 0, 'weight');
    expect(await fields[`${name}Orig`].data()).toEqual(Float32Array.from(w));
    layer.dispose();
  });

  it('l1Unstructured breaks ties in |w| by position, the earlier entry pruned first (tm.topk)', async () => {
    const layer = new tm.nn.Dense(2, 6);
    layer.bias!.assign(tm.tensor([2, -1, 1, -1, 3, 1], [6]));
    await prune.l1Unstructured(layer, 'bias', { amount: 2 });
    expect(Array.from(await maskOf(layer, 'bias'))).toEqual([1, 0, 0, 1, 1, 1]);
    await prune.l1Unstructured(layer, 'bias', { amount: 2 });
    expect(Array.from(await maskOf(layer, 'bias'))).toEqual([1, 0, 0, 0, 1, 0]);
    layer.dispose();
  });

  it.each([
    { what: 'Conv2d(3, 5, [3, 2]) by filters (default dim 0)', make: () => new tm.nn.Conv2d(3, 5, [3, 2]), dim: undefined, axis: 0 },
    { what: 'Conv2d(3, 5, [3, 2]) along its kernel width (dim -1)', make: () => new tm.nn.Conv2d(3, 5, [3, 2]), dim: -1, axis: 3 },
    { what: 'Dense(7, 13) by units (default dim 1)', make: () => new tm.nn.Dense(7, 13), dim: undefined, axis: 1 },
    { what: 'Dense(7, 13) by inputs (dim 0)', make: () => new tm.nn.Dense(7, 13), dim: 0, axis: 0 },
  ])('$what: lnStructured zeroes whole channels of smallest Ln norm, n = 1, 2, 3, Infinity, after an unstructured pruning too', async ({ make, dim, axis }) => {
    for (const n of [1, 2, 3, Infinity]) {
      const layer = make();
      const shape = [...layer.weight.shape];
      const w = Float64Array.from(await layer.weight.data());
      await prune.lnStructured(layer, 'weight', { amount: 0.4, n, dim });
      let want = lnRef(w, shape, ones(w.length), 0.4, n, axis);
      expect(await maskOf(layer), `n ${n}`).toEqual(want);
      // Unstructured, then structured on what is left: norms of the weight with its zeros, channels still there only.
      await prune.l1Unstructured(layer, 'weight', { amount: 0.25 });
      want = l1Ref(w, want, 0.25);
      await prune.lnStructured(layer, 'weight', { amount: 1, n, dim });
      want = lnRef(w.map((x, i) => x * want[i]), shape, want, 1, n, axis);
      expect(await maskOf(layer), `n ${n} again`).toEqual(want);
      layer.dispose();
    }
  });

  it('importanceScores rank the entries and channels in place of the weight, alone or among the tensors of globalUnstructured', async () => {
    const layer = new tm.nn.Conv2d(3, 5, [3, 2]);
    const scores = uniform(90).map(Math.fround);
    const s = tm.tensor(scores, [5, 3, 3, 2]);
    await prune.l1Unstructured(layer, 'weight', { amount: 0.3, importanceScores: s });
    let want = l1Ref(scores, ones(90), 0.3);
    expect(await maskOf(layer)).toEqual(want);
    // The scores as given (PyTorch's t is them, not masked), on the filters still there.
    await prune.lnStructured(layer, 'weight', { amount: 2, n: 2, importanceScores: s });
    want = lnRef(Float32Array.from(scores), [5, 3, 3, 2], want, 2, 2, 0);
    expect(await maskOf(layer)).toEqual(want);
    const dense = new tm.nn.Dense(7, 13);
    const w = Float64Array.from(await dense.weight.data());
    const other = uniform(90).map(Math.fround);
    await prune.globalUnstructured([[dense, 'weight'], [layer, 'weight', tm.tensor(other, [5, 3, 3, 2])]], { method: 'l1', amount: 0.5 });
    const all = l1Ref([...w, ...other], Float64Array.from([...ones(91), ...want]), 0.5);
    expect(Float64Array.from([...(await maskOf(dense)), ...(await maskOf(layer))])).toEqual(all);
    await expect(prune.l1Unstructured(dense, 'weight', { amount: 1, importanceScores: tm.ones([13, 7]) })).rejects.toThrow('prune.l1Unstructured: importanceScores are [13,7], weight of Dense is [7,13]');
    layer.dispose();
    dense.dispose();
  });

  it('randomUnstructured and randomStructured prune the count asked among those left, the same for the same seed', async () => {
    const a = new tm.nn.Conv2d(3, 7, 3);
    const b = new tm.nn.Conv2d(3, 7, 3);
    for (const layer of [a, b]) await prune.randomUnstructured(layer, 'weight', { amount: 0.35, seed: 5 });
    const first = await maskOf(a);
    expect(first).toEqual(await maskOf(b));
    expect(zerosAt(first).length).toBe(pythonRound(0.35 * 189));
    await prune.randomUnstructured(a, 'weight', { amount: 13 });
    const second = await maskOf(a);
    expect(zerosAt(second).length).toBe(pythonRound(0.35 * 189) + 13);
    expect(zerosAt(first).every((i) => second[i] === 0)).toBe(true);
    // Whole filters: 7 · 0.5 = 3.5 prunes 4 (half to even), then 1 of the 3 left.
    await prune.randomStructured(a, 'weight', { amount: 0.5, seed: 9 });
    const third = await maskOf(a);
    const filterGone = (m: Float64Array, f: number) => m.slice(27 * f, 27 * f + 27).every((x) => x === 0);
    const gone = (m: Float64Array) => [0, 1, 2, 3, 4, 5, 6].filter((f) => filterGone(m, f));
    expect(gone(third).length).toBe(4);
    expect(zerosAt(second).every((i) => third[i] === 0)).toBe(true);
    // Where a filter is not gone, the mask is the unstructured one's.
    for (let i = 0; i < 189; i++) if (!gone(third).includes(Math.floor(i / 27))) expect(third[i]).toBe(second[i]);
    await prune.randomStructured(a, 'weight', { amount: 1 });
    expect(gone(await maskOf(a)).length).toBe(5);
    a.dispose();
    b.dispose();
  });

  it('globalUnstructured zeroes the smallest |w| of all the tensors together, again among those left; random counts across them', async () => {
    const dense = new tm.nn.Dense(7, 13);
    const conv = new tm.nn.Conv2d(2, 3, [3, 1]);
    // Weights of different scales: the small ones lose more.
    conv.weight.assign(tm.tensor(uniform(18, -0.3, 0.3), [3, 2, 3, 1]));
    const w = [...Array.from(await dense.weight.data()), ...Array.from(await conv.weight.data()), ...Array.from(await dense.bias!.data())];
    const params = [[dense, 'weight'], [conv, 'weight'], [dense, 'bias']] as const;
    await prune.globalUnstructured(params, { method: 'l1', amount: 0.45 });
    let want = l1Ref(w, ones(w.length), 0.45);
    const got = async () => Float64Array.from([...(await maskOf(dense)), ...(await maskOf(conv)), ...(await maskOf(dense, 'bias'))]);
    expect(await got()).toEqual(want);
    await prune.globalUnstructured(params, { method: 'l1', amount: 10 });
    want = l1Ref(w, want, 10);
    expect(await got()).toEqual(want);
    await prune.globalUnstructured(params, { method: 'random', amount: 0.5, seed: 3 });
    const random = await got();
    expect(zerosAt(random).length).toBe(zerosAt(want).length + pythonRound(0.5 * (w.length - zerosAt(want).length)));
    expect(zerosAt(want).every((i) => random[i] === 0)).toBe(true);
    dense.dispose();
    conv.dispose();
  });

  it('customFromMask and identity: the mask given multiplies the one there; identity changes nothing', async () => {
    const layer = await prune.identity(new tm.nn.Dense(3, 4), 'weight');
    expect(prune.isPruned(layer)).toBe(true);
    expect(Array.from(await maskOf(layer))).toEqual(Array(12).fill(1));
    const m1 = Float64Array.from(uniform(12), (x) => (x > 0 ? 1 : 0));
    const m2 = Float64Array.from(uniform(12), (x) => (x > 0 ? 1 : 0));
    await prune.customFromMask(layer, 'weight', tm.tensor(m1, [3, 4]));
    await prune.customFromMask(layer, 'weight', tm.tensor(m2, [3, 4]));
    await prune.identity(layer, 'weight');
    expect(Array.from(await maskOf(layer))).toEqual(Array.from(m1, (x, i) => x * m2[i]));
    layer.dispose();
  });

  it('the gradient reaches weightOrig through the unmasked entries only: mask · xᵀ·r against float64', async () => {
    const layer = await prune.l1Unstructured(new tm.nn.Dense(7, 5), 'weight', { amount: 0.4 });
    const w = f64([7, 5], await layer.weightOrig.data());
    const mask = await maskOf(layer);
    const x = f64([3, 7], uniform(21).map(Math.fround));
    const y = layer.forward(tm.tensor(x.v, x.shape));
    const b = f64([5], await layer.bias!.data());
    expectClose(await y.data(), linearRef(x, f64([7, 5], w.v.map((v, i) => v * mask[i])), b).v, 1e-5, 'y');
    const r = uniform(15);
    y.mul(tm.tensor(r, [3, 5])).sum().backward();
    const dw = new Float64Array(35);
    for (let n = 0; n < 3; n++) for (let i = 0; i < 7; i++) for (let o = 0; o < 5; o++) dw[i * 5 + o] += x.v[n * 7 + i] * r[n * 5 + o] * mask[i * 5 + o];
    const grad = await layer.weightOrig.grad!.data();
    expectClose(grad, dw, 1e-5, 'dL/dweightOrig');
    for (const i of zerosAt(mask)) expect(Math.abs(grad[i])).toBe(0);
    expect(layer.weightMask.grad).toBeNull();
    layer.dispose();
  });

  it("trains with fit, the pruned entries staying 0; state_dict names are PyTorch's weight_orig and weight_mask, saved weights load into another pruned model (its weight current at once); a model file is refused", async () => {
    const build = async (seed: number) => {
      const model = new tm.nn.Sequential([new tm.nn.Dense(3, 8, { activation: 'tanh', seed }), new tm.nn.Dense(8, 1, { seed: seed + 1 })]);
      await prune.l1Unstructured(model.layers[0] as tm.nn.Dense, 'weight', { amount: 0.5 });
      await prune.lnStructured(model.layers[1] as tm.nn.Dense, 'weight', { amount: 2, n: 1, dim: 0 });
      return model;
    };
    const model = await build(1);
    expect(prune.isPruned(model)).toBe(true);
    expect(Object.keys(model.namedParameters())).toEqual(['0.weightOrig', '0.bias', '1.weightOrig', '1.bias']);
    expect(Object.keys(model.stateDict())).toEqual(['0.weightOrig', '0.bias', '1.weightOrig', '1.bias', '0.weightMask', '1.weightMask']);
    const masks = await Promise.all(model.layers.map((l) => maskOf(l)));
    const x = tm.tensor(uniform(64 * 3, -1, 1), [64, 3]);
    const y = tm.tidy(() => x.slice([0, 0], [64, 1]).mul(x.slice([0, 1], [64, 1])).add(x.slice([0, 2], [64, 1]).sin()));
    const history = await model.fit(x, y, { epochs: 20, batchSize: 16, loss: 'mse', optimizer: new tm.optim.Adam(model.parameters(), { lr: 0.02 }), quiet: true });
    expect(history.loss[19]).toBeLessThan(history.loss[0]);
    for (const [l, layer] of model.layers.entries()) {
      const weight = await (layer as tm.nn.Dense).weight.data();
      for (const i of zerosAt(masks[l])) expect(Math.abs(weight[i])).toBe(0);
      expect(await maskOf(layer)).toEqual(masks[l]);
    }
    await expect(model.toBytes()).rejects.toThrow('save: the weight of a Dense is under tm.nn.utils.prune, which a model file does not record: prune.remove first');
    const copy = await build(7);
    await copy.loadWeights(await model.weightsToBytes());
    // Current before any forward: the loaded weightOrig times the loaded mask.
    for (const l of [0, 1]) {
      const orig = await (model.layers[l] as tm.nn.Dense & { weightOrig: tm.Tensor }).weightOrig.data();
      expectClose(await (copy.layers[l] as tm.nn.Dense).weight.data(), orig.map((v, i) => v * masks[l][i]), 0, `layer ${l}'s weight`);
    }
    expectClose(await copy.forward(x).data(), await model.forward(x).data(), 1e-6);
    model.dispose();
    copy.dispose();
  });

  it("loadPytorch reads a pruned Linear's weight_orig and weight_mask ([out, in]), the weight their product at once", async () => {
    const layer = await prune.identity(new tm.nn.Dense(3, 2), 'weight');
    const orig = Float32Array.from(uniform(6));
    const mask = Float32Array.from([1, 0, 1, 1, 1, 0]);
    const bias = Float32Array.from(uniform(2));
    tm.nn.loadPytorch(layer, {
      weight_orig: { dtype: 'f32', shape: [2, 3], data: orig },
      weight_mask: { dtype: 'f32', shape: [2, 3], data: mask },
      bias: { dtype: 'f32', shape: [2], data: bias },
    });
    // tmnn's [in, out] is PyTorch's transposed.
    const at = (v: Float32Array) => [0, 1, 2].flatMap((i) => [v[i], v[3 + i]]);
    expect(Array.from(await layer.weightMask.data())).toEqual(at(mask));
    expectClose(await layer.weight.data(), at(orig.map((v, i) => v * mask[i])), 0, 'weight');
    layer.dispose();
  });

  it('vectorToParameters makes the weight the written weightOrig times the mask at once, in each pruned layer it writes into', async () => {
    const model = new tm.nn.Sequential([new tm.nn.Dense(3, 4), new tm.nn.Dense(4, 2)]);
    for (const layer of model.layers) await prune.randomUnstructured(layer as tm.nn.Dense, 'weight', { amount: 3, seed: 5 });
    const masks = await Promise.all(model.layers.map((l) => maskOf(l)));
    const params = model.parameters();
    const total = params.reduce((n, p) => n + p.size, 0);
    tm.nn.utils.vectorToParameters(tm.tensor(uniform(total).map(Math.fround)), params);
    for (const [l, layer] of model.layers.entries()) {
      const orig = await (layer as tm.nn.Dense & { weightOrig: tm.Tensor }).weightOrig.data();
      expectClose(await (layer as tm.nn.Dense).weight.data(), orig.map((v, i) => v * masks[l][i]), 0, `layer ${l}'s weight`);
    }
    model.dispose();
  });

  it('remove bakes weightOrig · mask into a plain parameter again; isPruned follows', async () => {
    const layer = await prune.l1Unstructured(new tm.nn.Conv2d(2, 4, 3, { padding: 1 }), 'weight', { amount: 0.6 });
    await prune.randomUnstructured(layer, 'bias', { amount: 1 });
    const orig = layer.weightOrig;
    const x = tm.randn([2, 2, 5, 7]);
    const before = await layer.forward(x).data();
    const baked = await layer.weight.data();
    expect(prune.remove(layer, 'weight')).toBe(layer);
    expect(layer.weight).toBe(orig);
    expect(await layer.weight.data()).toEqual(baked);
    expect(Object.keys(layer.namedParameters())).toEqual(['weight', 'biasOrig']);
    expect('weightMask' in layer || 'weightOrig' in layer).toBe(false);
    expect(prune.isPruned(layer)).toBe(true);
    prune.remove(layer, 'bias');
    expect(prune.isPruned(layer)).toBe(false);
    expect(Object.hasOwn(layer, 'ownParameters')).toBe(false);
    expectClose(await layer.forward(x).data(), before, 1e-6);
    layer.dispose();
  });

  it('leaves memory flat over pruning and training steps, and frees everything on removal and dispose', async () => {
    // Counted after a collection: earlier tests' garbage, freed by the finalizers at any await, would otherwise move the count.
    const bare = await collected();
    const layer = await prune.l1Unstructured(new tm.nn.Dense(5, 4), 'weight', { amount: 0.5 });
    const optimizer = new tm.optim.SGD(layer.parameters(), { lr: 0.1 });
    const x = tm.randn([3, 5]);
    const step = () => squaredOutputStep(layer, optimizer, x);
    step();
    const after = await collected();
    await prune.lnStructured(layer, 'weight', { amount: 1, n: 2 });
    await prune.globalUnstructured([[layer, 'weight']], { method: 'l1', amount: 1 });
    const mask = tm.tidy(() => tm.ones([5, 4]));
    await prune.customFromMask(layer, 'weight', mask);
    for (let i = 0; i < 3; i++) step();
    // The ones of customFromMask are the caller's.
    expect(await collected()).toBe(after + 1);
    prune.remove(layer, 'weight');
    layer.dispose();
    expect(await collected()).toBe(bare + 2);
    // Used after the counts, so that no collection takes them before.
    x.dispose();
    mask.dispose();
  });
});

describe('prune refuses', () => {
  it('an amount out of range or too large a count, a field the layer does not have, a bad n or dim, and removal of what is not pruned', async () => {
    await tm.init({ backend: 'js' });
    const dense = new tm.nn.Dense(2, 3);
    for (const amount of [-0.5, 1.5, -1, Infinity, NaN, '0.5']) {
      await expect(prune.l1Unstructured(dense, 'weight', { amount } as { amount: number })).rejects.toThrow(`prune.l1Unstructured: amount must be a fraction in [0, 1] or a count (an integer ≥ 0), got`);
    }
    await expect(prune.l1Unstructured(dense, 'weight', { amount: 7 })).rejects.toThrow('prune.l1Unstructured: amount 7 is more than the 6 entries of weight of Dense left unpruned');
    await expect(prune.lnStructured(dense, 'weight', { amount: 4, n: 2 })).rejects.toThrow('prune.lnStructured: amount 4 is more than the 3 channels of weight of Dense along axis 1 left unpruned');
    await expect(prune.lnStructured(dense, 'weight', { amount: 1, n: 0 })).rejects.toThrow('prune.lnStructured: n must be a number > 0 or Infinity');
    await expect(prune.randomStructured(dense, 'weight', { amount: 1, dim: 2 })).rejects.toThrow('prune.randomStructured: dim must be an axis of weight (an integer in [-2, 1] for its shape [2,3]), got 2');
    await expect(prune.l1Unstructured(dense, 'kernel', { amount: 1 })).rejects.toThrow('prune.l1Unstructured: Dense has no parameter "kernel"; its parameters are weight, bias');
    await expect(prune.l1Unstructured(dense, 'weight', { amount: 1, n: 2 } as tm.nn.utils.prune.L1UnstructuredOptions)).rejects.toThrow('prune.l1Unstructured: unknown option "n"');
    await expect(prune.customFromMask(dense, 'weight', tm.ones([3, 2]))).rejects.toThrow('prune.customFromMask: mask is [3,2], weight of Dense is [2,3]');
    await expect(prune.customFromMask(dense, 'weight', tm.fill([2, 3], 0.5))).rejects.toThrow('prune.customFromMask: mask must hold only zeros and ones, got 0.5 at position 0');
    await expect(prune.globalUnstructured([[dense, 'weight']], { method: 'l2' as 'l1', amount: 1 })).rejects.toThrow("prune.globalUnstructured: method must be 'l1' or 'random', got");
    await expect(prune.globalUnstructured([[dense, 'weight'], [dense, 'weight']], { method: 'l1', amount: 1 })).rejects.toThrow('prune.globalUnstructured: weight of Dense is listed twice');
    await expect(prune.globalUnstructured([[dense, 'weight'], [dense, 'bias']], { method: 'l1', amount: 10 })).rejects.toThrow('prune.globalUnstructured: amount 10 is more than the 9 entries of the tensors listed left unpruned');
    expect(prune.isPruned(dense)).toBe(false);
    expect(() => prune.remove(dense, 'weight')).toThrow('prune.remove: weight of Dense is not pruned');
    // A second pruning of a tensor while the first reads its mask: it would choose from a mask about to change.
    const first = prune.l1Unstructured(dense, 'bias', { amount: 1 });
    const second = prune.randomUnstructured(dense, 'bias', { amount: 1 });
    const third = prune.globalUnstructured([[dense, 'bias']], { method: 'l1', amount: 1 });
    await expect(second).rejects.toThrow('prune.randomUnstructured: bias of Dense is being pruned already; await one pruning before the next');
    await expect(third).rejects.toThrow('prune.globalUnstructured: bias of Dense is being pruned already');
    await first;
    await prune.randomUnstructured(dense, 'bias', { amount: 1 });
    expect(zerosAt(await maskOf(dense, 'bias')).length).toBe(2);
    prune.remove(dense, 'bias');
    await prune.l1Unstructured(dense, 'weight', { amount: 4 });
    await expect(prune.l1Unstructured(dense, 'weight', { amount: 3 })).rejects.toThrow('prune.l1Unstructured: amount 3 is more than the 2 entries of weight of Dense left unpruned');
    expect(() => prune.remove(dense, 'bias')).toThrow('prune.remove: bias of Dense is not pruned; pruned: weight');
    expect(() => tm.nn.utils.weightNorm(dense)).toThrow('weightNorm: weight of Dense is already reparametrized by prune; prune.remove first');
    expect(() => prune.isPruned({} as tm.nn.Module)).toThrow('prune.isPruned: expects a layer (a tm.nn.Module)');
    const normed = tm.nn.utils.weightNorm(new tm.nn.Dense(2, 3));
    await expect(prune.identity(normed, 'weight')).rejects.toThrow('prune.identity: weight of Dense is already reparametrized by weightNorm; removeWeightNorm first');
    expect(() => prune.remove(normed, 'weight')).toThrow('prune.remove: weight of Dense is reparametrized by weightNorm, not prune');
  });
});
