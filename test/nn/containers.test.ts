// PyTorch's containers, ModuleList, ModuleDict, ParameterList and
// ParameterDict, as a port of PyTorch code uses them: a layer of one's own
// holds them in fields, and everything that walks a model (parameters,
// optimizers, state dicts, weight files, train/eval, apply, dispose,
// quantizeDynamic) reaches the layers and tensors inside. Then each
// container's list or Map methods, and what each refuses.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { asF32, expectClose, uniform } from '../helpers/data.js';

/** A model as a PyTorch port writes one: blocks in a ModuleList, heads by name in a ModuleDict, scales in a ParameterList, an offset in a ParameterDict. */
class Net extends tm.nn.Module {
  blocks: tm.nn.ModuleList<tm.nn.Dense>;
  heads: tm.nn.ModuleDict;
  scales: tm.nn.ParameterList;
  extra: tm.nn.ParameterDict;

  constructor(seed: number) {
    super();
    this.blocks = new tm.nn.ModuleList([new tm.nn.Dense(3, 4, { seed }), new tm.nn.Dense(4, 4, { seed: seed + 1 })]);
    this.heads = new tm.nn.ModuleDict({ drop: new tm.nn.Dropout(0.5), out: new tm.nn.Dense(4, 2, { seed: seed + 2 }) });
    this.scales = new tm.nn.ParameterList([tm.randn([4], { seed: seed + 3 }), tm.randn([2], { seed: seed + 4 })]);
    this.extra = new tm.nn.ParameterDict({ offset: tm.randn([2], { seed: seed + 5 }) });
  }

  forward(x: tm.Tensor): tm.Tensor {
    return tm.tidy(() => {
      let h = x;
      for (const block of this.blocks) h = block.forward(h).tanh().mul(this.scales.at(0));
      h = this.heads.get('out').forward(this.heads.get('drop').forward(h));
      return h.mul(this.scales.at(-1)).add(this.extra.get('offset'));
    });
  }

  config(): tm.nn.LayerConfig {
    return { type: 'Net' };
  }
}

/** Its parameters and buffers by name: the containers are its sublayers 0 to 3, in the order of its fields; a list names what it holds by position, a dictionary by key. */
const NAMES = ['0.0.weight', '0.0.bias', '0.1.weight', '0.1.bias', '1.out.weight', '1.out.bias', '2.0', '2.1', '3.offset'];

async function valuesOf(model: tm.nn.Module): Promise<Record<string, number[]>> {
  const out: Record<string, number[]> = {};
  for (const [name, t] of Object.entries(model.namedState())) out[name] = Array.from(await t.data());
  return out;
}

describe.each(BACKENDS)('containers in a layer of ones own on %s', (backend) => {
  const tol = backend === 'webgpu' ? 1e-5 : 1e-6;

  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  afterAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it('lists the layers and tensors inside as its parameters, by path; an SGD step moves every one of them by −lr·grad', async () => {
    const net = new Net(1).eval();
    expect(Object.keys(net.namedParameters())).toEqual(NAMES);
    expect(net.parameters()).toHaveLength(NAMES.length);
    const batch = 8;
    const x = tm.tensor(asF32(uniform(batch * 3)), [batch, 3]);
    const before = await valuesOf(net);
    const loss = net.forward(x).sum();
    loss.backward();
    const grads: Record<string, number[]> = {};
    for (const [name, p] of Object.entries(net.namedParameters())) {
      expect(p.grad, name).not.toBeNull();
      grads[name] = Array.from(await p.grad!.data());
      expect(grads[name].some((g) => g !== 0), `${name} has a gradient`).toBe(true);
    }
    // The loss sums every output, so the offset added to each of the batch's rows has the batch size as its gradient.
    expectClose(grads['3.offset'], [batch, batch], tol);
    const opt = new tm.optim.SGD(net.parameters(), { lr: 0.1 });
    opt.step();
    const after = await valuesOf(net);
    for (const name of NAMES) expectClose(after[name], before[name].map((v, i) => v - 0.1 * grads[name][i]), tol, name);
  });

  it('a state dict and a weights file carry the containers tensors into another model, which then computes the same', async () => {
    const [a, b, c] = [new Net(1).eval(), new Net(100).eval(), new Net(200).eval()];
    const x = tm.tensor(asF32(uniform(5 * 3)), [5, 3]);
    const want = Array.from(await a.forward(x).data());
    expect(Array.from(await b.forward(x).data())).not.toEqual(want);
    expect(b.loadStateDict(a.stateDict())).toEqual({ missing: [], unexpected: [] });
    expect(await valuesOf(b)).toEqual(await valuesOf(a));
    expect(Array.from(await b.forward(x).data())).toEqual(want);

    const bytes = await a.weightsToBytes();
    expect(Object.keys(tm.decodeSafetensors(bytes).entries).sort()).toEqual([...NAMES].sort());
    await c.loadWeights(bytes);
    expect(Array.from(await c.forward(x).data())).toEqual(want);
  });
});

describe('containers', () => {
  beforeAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it('saveWeights and loadWeights go through a file', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'tmnn-containers-')), 'net.safetensors');
    const [a, b] = [new Net(1), new Net(2)];
    await a.saveWeights(path);
    await b.loadWeights(path);
    expect(await valuesOf(b)).toEqual(await valuesOf(a));
  });

  it('modules(), namedModules(), train()/eval() and apply() reach through the containers', () => {
    const net = new Net(1);
    const drop = net.heads.get('drop');
    expect(net.modules()).toEqual([net, net.blocks, net.blocks.at(0), net.blocks.at(1), net.heads, drop, net.heads.get('out'), net.scales, net.extra]);
    expect(net.namedModules().map(([path]) => path)).toEqual(['', '0', '0.0', '0.1', '1', '1.drop', '1.out', '2', '3']);
    net.eval();
    expect([drop.training, net.blocks.training, net.blocks.at(1).training]).toEqual([false, false, false]);
    net.train();
    expect(drop.training).toBe(true);
    const seen: string[] = [];
    net.apply((layer) => seen.push(layer.constructor.name));
    // Sublayers first, as PyTorch's apply.
    expect(seen).toEqual(['Dense', 'Dense', 'ModuleList', 'Dropout', 'Dense', 'ModuleDict', 'ParameterList', 'ParameterDict', 'Net']);
  });

  it('a ModuleDict loads a state dict by key, whatever order its keys were set in, as PyTorch names them by key too', async () => {
    const a = new tm.nn.ModuleDict({ enc: new tm.nn.Dense(2, 2, { seed: 1 }), dec: new tm.nn.Dense(2, 2, { seed: 2 }) });
    const b = new tm.nn.ModuleDict({ dec: new tm.nn.Dense(2, 2, { seed: 3 }), enc: new tm.nn.Dense(2, 2, { seed: 4 }) });
    expect(Object.keys(a.stateDict())).toEqual(['enc.weight', 'enc.bias', 'dec.weight', 'dec.bias']);
    expect(Object.keys(b.stateDict())).toEqual(['dec.weight', 'dec.bias', 'enc.weight', 'enc.bias']);
    // The same shapes in both places: a load by position would have put enc's weights into dec without a word.
    expect(b.loadStateDict(a.stateDict())).toEqual({ missing: [], unexpected: [] });
    for (const key of ['enc', 'dec']) expect(await valuesOf(b.get(key))).toEqual(await valuesOf(a.get(key)));
    const c = new tm.nn.ModuleDict({ dec: new tm.nn.Dense(2, 2, { seed: 5 }), enc: new tm.nn.Dense(2, 2, { seed: 6 }) });
    await c.loadWeights(await a.weightsToBytes());
    expect(await valuesOf(c.get('enc'))).toEqual(await valuesOf(a.get('enc')));
  });

  it("loadPytorch finds what a ModuleDict, a ParameterList and a ParameterDict hold under PyTorch's names (cls.weight, scales.0, extra.offset)", async () => {
    // PyTorch's nn.ModuleDict({'cls': nn.Linear(2, 3), 'scales': nn.ParameterList([...]), 'extra': nn.ParameterDict({'offset': ...})}).
    const model = new tm.nn.ModuleDict({ cls: new tm.nn.Dense(2, 3), scales: new tm.nn.ParameterList([tm.zeros([2])]), extra: new tm.nn.ParameterDict({ offset: tm.zeros([3]) }) });
    const entry = (shape: number[], values: number[]) => ({ dtype: 'f32' as const, shape, data: Float32Array.from(values) });
    tm.nn.loadPytorch(model, {
      'cls.weight': entry([3, 2], [1, 2, 3, 4, 5, 6]), 'cls.bias': entry([3], [7, 8, 9]), 'scales.0': entry([2], [10, 11]), 'extra.offset': entry([3], [12, 13, 14]),
    });
    // PyTorch's Linear keeps its weight [out, in], tmnn's Dense [in, out].
    expect(await valuesOf(model)).toEqual({ 'cls.weight': [1, 3, 5, 2, 4, 6], 'cls.bias': [7, 8, 9], 'scales.0': [10, 11], 'extra.offset': [12, 13, 14] });
  });

  it('functionalCall replaces tensors a ParameterList and a ParameterDict hold, and a ModuleDict layer\'s by key, as PyTorch\'s functional_call; the model keeps its own', async () => {
    const net = new Net(1).eval();
    const x = tm.tensor(asF32(uniform(2 * 3)), [2, 3]);
    const [scale, offset, weight] = [tm.randn([4], { seed: 7 }), tm.randn([2], { seed: 8 }), tm.randn([4, 2], { seed: 9 })];
    scale.requiresGrad = true;
    const replacements = { '2.0': scale, '3.offset': offset, '1.out.weight': weight };
    // What a model holding those tensors computes.
    const copy = new Net(1).eval();
    copy.loadStateDict({ ...copy.stateDict(), ...replacements });
    const want = Array.from(await copy.forward(x).data());
    const own = { ...net.namedParameters() };
    const y = tm.nn.utils.functionalCall(net, replacements, x);
    expectClose(await y.data(), want, 1e-6);
    expect(net.namedParameters()).toEqual(own);
    expect([net.scales.at(0), net.extra.get('offset')]).toEqual([own['2.0'], own['3.offset']]);
    y.sum().backward();
    expect(scale.grad).not.toBeNull();
    expect(own['2.0'].grad).toBeNull();
    // A name refused after others were put in puts them back.
    expect(() => tm.nn.utils.functionalCall(net, { '2.0': scale, '3.nope': offset }, x)).toThrow(/^functionalCall: the module has no parameter or buffer 3\.nope/);
    expect(net.scales.at(0)).toBe(own['2.0']);
  });

  it('config() of a container that holds itself is an error saying so, where it would recurse forever', () => {
    const list = new tm.nn.ModuleList();
    list.append(list);
    expect(() => list.config()).toThrow(new tm.ValueError('ModuleList.config: the ModuleList holds itself (directly or through a layer inside it), so a description of it would never end'));
    const dict = new tm.nn.ModuleDict({ inner: new tm.nn.ModuleList([new tm.nn.ReLU()]) });
    (dict.get('inner') as tm.nn.ModuleList).append(dict);
    expect(() => dict.config()).toThrow(/^ModuleDict\.config: the ModuleDict holds itself/);
    // What walks a model meets each layer once.
    expect(list.modules()).toEqual([list]);
    expect(dict.namedModules().map(([path]) => path)).toEqual(['', 'inner', 'inner.0']);
  });

  it("a subclass's own fields are scanned as any layer's, as PyTorch registers them: a layer there is a sublayer after the items, a trained tensor a parameter", () => {
    class Blocks extends tm.nn.ModuleList<tm.nn.Dense> {
      head = new tm.nn.Dense(2, 1);
    }
    const blocks = new Blocks([new tm.nn.Dense(2, 2)]);
    expect(blocks.children()).toEqual([blocks.at(0), blocks.head]);
    expect(Object.keys(blocks.namedParameters())).toEqual(['0.weight', '0.bias', '1.weight', '1.bias']);

    class Heads extends tm.nn.ModuleDict {
      shared = new tm.nn.Dense(2, 2);
    }
    // By key, then by position as any layer's sublayers.
    expect(Object.keys(new Heads({ cls: new tm.nn.Dense(2, 3) }).namedParameters())).toEqual(['cls.weight', 'cls.bias', '1.weight', '1.bias']);
    // A key that is the name of a field's layer too would give two tensors one path.
    expect(() => new Heads({ cls: new tm.nn.Dense(2, 3), 2: new tm.nn.Dense(2, 2) }).namedParameters()).toThrow(
      new tm.ValueError('ModuleDict: "2" names both one of its entries and what a field of its own holds; rename the key or the field'),
    );

    class Scales extends tm.nn.ParameterList {
      bias = tm.zeros([2]);
    }
    const scales = new Scales([tm.ones([2])]);
    scales.bias.requiresGrad = true;
    expect(scales.namedParameters()).toEqual({ 0: scales.at(0), bias: scales.bias });
    class Shifts extends tm.nn.ParameterDict {
      bias = tm.zeros([1]);
    }
    const shifts = new Shifts({ bias: tm.ones([1]) });
    shifts.bias.requiresGrad = true;
    expect(() => shifts.namedParameters()).toThrow(/^ParameterDict: "bias" names both one of its entries and what a field of its own holds/);
  });

  it('requiresGrad(false) freezes the tensors of a parameter container, which stay its parameters (saved, loaded); zeroGrad clears them', () => {
    const net = new Net(1);
    net.forward(tm.ones([2, 3])).sum().backward();
    expect(net.scales.at(0).grad).not.toBeNull();
    net.zeroGrad();
    expect([net.scales.at(0).grad, net.extra.get('offset').grad]).toEqual([null, null]);
    net.scales.requiresGrad(false);
    expect(net.scales.at(0).requiresGrad).toBe(false);
    expect(Object.keys(net.namedParameters())).toEqual(NAMES);
  });

  it('dispose() frees every tensor inside', () => {
    const net = new Net(1);
    const tensors = net.parameters();
    net.dispose();
    expect(tensors.every((t) => t.isDisposed)).toBe(true);
    // As a custom layer's own tensors: a disposed one is no longer listed.
    expect([net.scales.ownParameters(), net.extra.ownParameters()]).toEqual([{}, {}]);
  });

  it('quantizeDynamic replaces the Dense layers inside (in a copy: the model and its containers stay as they were)', () => {
    const net = new Net(1);
    const q = tm.nn.quantizeDynamic(net);
    expect([...q.blocks].map((l) => l.constructor.name)).toEqual(['QuantizedDense', 'QuantizedDense']);
    expect(q.heads.get('out')).toBeInstanceOf(tm.nn.QuantizedDense);
    expect([...net.blocks].map((l) => l.constructor.name)).toEqual(['Dense', 'Dense']);
    expect(q.scales.at(0)).not.toBe(net.scales.at(0));
    // The copy's containers are its own: a change to one leaves the original's alone.
    q.heads.set('more', new tm.nn.ReLU());
    q.extra.set('more', tm.zeros([1]));
    expect([net.heads.keys(), net.extra.keys()]).toEqual([['drop', 'out'], ['offset']]);
    expect(q.heads.keys()).toEqual(['drop', 'out', 'more']);
    // The filter sees a ModuleDict's layers by key, as namedModules names them.
    const paths: string[] = [];
    const some = tm.nn.quantizeDynamic(net, { filter: (path) => (paths.push(path), path !== '1.out') });
    expect(paths).toEqual(['0.0', '0.1', '1.out']);
    expect([some.blocks.at(0), some.heads.get('out')].map((l) => l.config().type)).toEqual(['QuantizedDense', 'Dense']);
  });

  it('a container has no forward, as in PyTorch', () => {
    expect(() => new tm.nn.ModuleList([new tm.nn.ReLU()]).forward(tm.ones([2]))).toThrow(
      new tm.ValueError('ModuleList: a container has no forward; call what it holds in the forward of the layer that holds it (for (const layer of list) x = layer.forward(x))'),
    );
    expect(() => new tm.nn.ModuleDict().forward(tm.ones([2]))).toThrow(/^ModuleDict: a container has no forward; .*dict\.get\('name'\)\.forward\(x\)/);
    expect(() => new tm.nn.ParameterList().forward(tm.ones([2]))).toThrow(/^ParameterList: a container has no forward; .*x\.mul\(list\.at\(0\)\)/);
    expect(() => new tm.nn.ParameterDict().forward(tm.ones([2]))).toThrow(/^ParameterDict: a container has no forward/);
  });

  it('config() describes a container, and a model file refuses it (a container serves a forward of ones own, which load cannot rebuild)', async () => {
    const list = new tm.nn.ModuleList([new tm.nn.ReLU(), new tm.nn.Dense(2, 3)]);
    expect(list.config()).toEqual({ type: 'ModuleList', modules: [{ type: 'ReLU' }, { type: 'Dense', inputs: 2, units: 3, activation: 'linear', bias: true }] });
    expect(new tm.nn.ModuleDict({ a: new tm.nn.ReLU() }).config()).toEqual({ type: 'ModuleDict', modules: [['a', { type: 'ReLU' }]] });
    expect(new tm.nn.ParameterList([tm.zeros([2, 3])]).config()).toEqual({ type: 'ParameterList', parameters: [{ shape: [2, 3], dtype: 'f32' }] });
    expect(new tm.nn.ParameterDict({ s: tm.zeros([4], { dtype: 'f16' }) }).config()).toEqual({ type: 'ParameterDict', parameters: [['s', { shape: [4], dtype: 'f16' }]] });
    await expect(new tm.nn.Sequential([new tm.nn.Dense(2, 2), list]).toBytes()).rejects.toThrow(/^save: layer 1 is of unknown layer type "ModuleList" \(tm\.nn\.load rebuilds Sequential, /);
  });
});

describe('ModuleList', () => {
  beforeAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it('works as a Python list of layers: append, extend, insert, at (negative from the end), set, pop, slice, length, iteration', () => {
    const [a, b, c, d, e] = [new tm.nn.ReLU(), new tm.nn.Tanh(), new tm.nn.Sigmoid(), new tm.nn.SiLU(), new tm.nn.GELU()];
    // Typed by the layers it starts with; a list for layers of any kind says so.
    const list = new tm.nn.ModuleList<tm.nn.Module>([a]);
    expect(list.append(b).extend([c, d])).toBe(list);
    expect([...list]).toEqual([a, b, c, d]);
    expect([list.length, list.at(0), list.at(-1), list.at(-4)]).toEqual([4, a, d, a]);
    list.insert(1, e);
    expect([...list]).toEqual([a, e, b, c, d]);
    list.insert(-1, e).insert(list.length, a);
    expect([...list]).toEqual([a, e, b, c, e, d, a]);
    expect(list.pop()).toBe(a);
    expect(list.pop(1)).toBe(e);
    list.set(-1, b);
    expect([...list]).toEqual([a, b, c, e, b]);
    const part = list.slice(1, -1);
    expect(part).toBeInstanceOf(tm.nn.ModuleList);
    expect([...part]).toEqual([b, c, e]);
    expect(list.children()).toEqual([a, b, c, e, b]);
    expect([...new tm.nn.ModuleList()]).toEqual([]);
    // A list of lists: each a sublayer of the one above.
    const nested = new tm.nn.ModuleList([new tm.nn.ModuleList([new tm.nn.Dense(2, 2)])]);
    expect(Object.keys(nested.namedParameters())).toEqual(['0.0.weight', '0.0.bias']);
  });

  it('refuses what is not a layer, naming it, and an index out of range; a refused change changes nothing', () => {
    const list = new tm.nn.ModuleList([new tm.nn.ReLU()]);
    expect(() => list.append(3 as never)).toThrow(new tm.ValueError('ModuleList.append: expects layers (a tm.nn.Module), got 3'));
    expect(() => list.extend([new tm.nn.Tanh(), tm.zeros([2]) as never])).toThrow(new tm.ValueError('ModuleList.extend: expects layers (a tm.nn.Module), got Tensor([2], f32, js) at index 1'));
    expect(list.length).toBe(1);
    expect(() => new tm.nn.ModuleList(new tm.nn.ReLU() as never)).toThrow(new tm.ValueError('ModuleList: expects an array (or other iterable) of layers, got a ReLU layer'));
    expect(() => list.at(1)).toThrow(new tm.ValueError('ModuleList.at: index 1 is out of range for 1 layer'));
    expect(() => list.at(-2)).toThrow(new tm.ValueError('ModuleList.at: index -2 is out of range for 1 layer'));
    expect(() => list.at(0.5)).toThrow(new tm.ValueError('ModuleList.at: an index must be an integer, got 0.5'));
    expect(() => list.insert(3, new tm.nn.ReLU())).toThrow(new tm.ValueError('ModuleList.insert: index 3 is out of range for 1 layer'));
    expect(() => new tm.nn.ModuleList().pop()).toThrow(new tm.ValueError('ModuleList.pop: index -1 is out of range for 0 layers'));
  });
});

describe('ModuleDict', () => {
  beforeAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it('works as a Map of layers: get, set, has, delete, pop, clear, keys, values, entries, length, update, iteration of [key, layer] pairs', () => {
    const [a, b, c, d] = [new tm.nn.ReLU(), new tm.nn.Tanh(), new tm.nn.Sigmoid(), new tm.nn.SiLU()];
    const dict = new tm.nn.ModuleDict({ a, b });
    expect([dict.length, dict.get('a'), dict.has('b'), dict.has('c')]).toEqual([2, a, true, false]);
    // A key it holds keeps its place; a new one goes last.
    expect(dict.set('a', c).set('d', d)).toBe(dict);
    expect(dict.entries()).toEqual([['a', c], ['b', b], ['d', d]]);
    expect([...dict]).toEqual(dict.entries());
    expect([dict.keys(), dict.values(), dict.children()]).toEqual([['a', 'b', 'd'], [c, b, d], [c, b, d]]);
    dict.update([['z', a], ['b', d]]).update(new Map([['y', b]])).update(new tm.nn.ModuleDict({ x: c }));
    expect(dict.keys()).toEqual(['a', 'b', 'd', 'z', 'y', 'x']);
    expect(dict.get('b')).toBe(d);
    expect([dict.delete('z'), dict.delete('z')]).toEqual([true, false]);
    expect(dict.pop('y')).toBe(b);
    expect(dict.keys()).toEqual(['a', 'b', 'd', 'x']);
    dict.clear();
    expect([dict.length, [...dict]]).toEqual([0, []]);
    // Paths name its layers by key, as PyTorch's do.
    const heads = new tm.nn.ModuleDict([['cls', new tm.nn.Dense(2, 3)], ['box', new tm.nn.Dense(2, 4)]]);
    expect(Object.keys(heads.namedParameters())).toEqual(['cls.weight', 'cls.bias', 'box.weight', 'box.bias']);
    expect(heads.namedChildren()).toEqual([['cls', heads.get('cls')], ['box', heads.get('box')]]);
  });

  it('refuses keys that could not name a path, as PyTorch does, a missing key, and values that are not layers; a refused change changes nothing', () => {
    const dict = new tm.nn.ModuleDict({ a: new tm.nn.ReLU() });
    expect(() => dict.set('block.0', new tm.nn.ReLU())).toThrow(new tm.ValueError('ModuleDict.set: key "block.0" contains ".", which separates the names in a parameter\'s path (0.weight); use another character'));
    expect(() => dict.set('', new tm.nn.ReLU())).toThrow(new tm.ValueError('ModuleDict.set: a key cannot be empty'));
    expect(() => dict.set(1 as never, new tm.nn.ReLU())).toThrow(new tm.ValueError('ModuleDict.set: a key must be a string, got 1'));
    expect(() => dict.set('__proto__', new tm.nn.ReLU())).toThrow(/^ModuleDict\.set: key "__proto__" cannot name an entry/);
    expect(() => dict.get('b')).toThrow(new tm.ValueError('ModuleDict.get: no key "b"; it holds "a"'));
    expect(() => dict.pop('b')).toThrow(new tm.ValueError('ModuleDict.pop: no key "b"; it holds "a"'));
    // Many keys: the first five.
    const many = new tm.nn.ParameterDict(Object.fromEntries(Array.from({ length: 7 }, (_, i) => [`k${i}`, tm.zeros([1])])));
    expect(() => many.get('x')).toThrow(new tm.ValueError('ParameterDict.get: no key "x"; it holds "k0", "k1", "k2", "k3", "k4", … (7 keys)'));
    expect(() => new tm.nn.ModuleDict().get('x')).toThrow(new tm.ValueError('ModuleDict.get: no key "x"; it holds none'));
    expect(() => dict.update({ b: new tm.nn.ReLU(), c: 'relu' as never })).toThrow(new tm.ValueError('ModuleDict.update: expects layers (a tm.nn.Module), got "relu" for key "c"'));
    expect(() => dict.update([['b', new tm.nn.ReLU()], ['c'] as never])).toThrow(new tm.ValueError('ModuleDict.update: entry 1 is ["c"], not a [key, value] pair'));
    expect(() => new tm.nn.ModuleDict(new tm.nn.ReLU() as never)).toThrow(new tm.ValueError('ModuleDict: expects layers by key (an object, a Map or [key, value] pairs), got a ReLU layer'));
    expect(dict.keys()).toEqual(['a']);
  });
});

describe('ParameterList and ParameterDict', () => {
  beforeAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it('train the tensors they take, as PyTorch wraps a plain tensor in nn.Parameter, and name them by position or by key', () => {
    const [w, v] = [tm.zeros([2]), tm.ones([3], { dtype: 'f16' })];
    expect([w.requiresGrad, v.requiresGrad]).toEqual([false, false]);
    const list = new tm.nn.ParameterList([w]);
    list.append(v);
    expect([w.requiresGrad, v.requiresGrad]).toEqual([true, true]);
    expect(list.namedParameters()).toEqual({ 0: w, 1: v });
    expect([list.length, list.at(-1), [...list]]).toEqual([2, v, [w, v]]);
    const u = tm.zeros([1]);
    list.insert(0, u).set(2, w);
    expect([...list]).toEqual([u, w, w]);
    // The same tensor twice is one parameter, under its first name.
    expect(Object.keys(list.namedParameters())).toEqual(['0', '1']);

    const dict = new tm.nn.ParameterDict([['scale', u], ['shift', v]]);
    expect(Object.keys(dict.namedParameters())).toEqual(['scale', 'shift']);
    expect(dict.get('shift')).toBe(v);
    dict.delete('scale');
    expect(dict.namedParameters()).toEqual({ shift: v });
  });

  it("train a tensor they take even where it was frozen (another layer's weight): tmnn has no Parameter type, so the tensor itself is the parameter", () => {
    const dense = new tm.nn.Dense(2, 2).requiresGrad(false);
    const [weight] = dense.parameters();
    const list = new tm.nn.ParameterList([weight]);
    expect(weight.requiresGrad).toBe(true);
    // Frozen once it is in, it stays listed (and frozen in the Dense too: the same tensor).
    list.requiresGrad(false);
    expect([weight.requiresGrad, list.namedParameters()]).toEqual([false, { 0: weight }]);
  });

  it('refuse what they could not train: not a tensor, an int tensor, one computed from parameters, a disposed one; a refused change changes nothing', () => {
    const list = new tm.nn.ParameterList();
    const fresh = tm.zeros([2]);
    expect(() => list.extend([fresh, [1, 2] as never])).toThrow(new tm.ValueError('ParameterList.extend: expects tensors, got [1, 2] at index 1'));
    expect([list.length, fresh.requiresGrad]).toEqual([0, false]);
    expect(() => list.append(tm.zeros([2], { dtype: 'i32' }))).toThrow(
      new tm.DTypeError('ParameterList.append: the tensor is i32; a parameter is trained, so f32 or f16: cast it, or keep it out of the parameters (a buffer, ownBuffers)'),
    );
    const w = tm.ones([2]);
    w.requiresGrad = true;
    expect(() => list.append(w.mul(2))).toThrow(new tm.ValueError('ParameterList.append: the tensor was computed from tensors with gradients; a parameter is a tensor of its own: pass t.detach()'));
    const gone = tm.ones([2]);
    gone.dispose();
    expect(() => new tm.nn.ParameterList([gone])).toThrow(tm.DisposedTensorError);
    expect(() => new tm.nn.ParameterDict({ s: new tm.nn.ReLU() as never })).toThrow(new tm.ValueError('ParameterDict: expects tensors, got a ReLU layer for key "s"'));
    expect(() => new tm.nn.ParameterDict({ 'a.b': tm.zeros([1]) })).toThrow(/^ParameterDict: key "a\.b" contains "\."/);
    expect(list.length).toBe(0);
  });
});
