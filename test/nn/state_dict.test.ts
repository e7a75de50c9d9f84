// stateDict / loadStateDict and saveWeights / loadWeights: the weights of any
// module by name, a custom one included, into a module built by hand;
// strict and not, dtype casts, and refusals that leave the module as it was.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { expectClose } from '../helpers/data.js';

/** A module tm.nn.load cannot rebuild: two branches and a norm, written as a user would. */
class TwoTower extends tm.nn.Module {
  left: tm.nn.Dense;
  right: tm.nn.Sequential;
  norm: tm.nn.BatchNorm1d;
  scale: tm.Tensor;

  constructor(seed: number) {
    super();
    this.left = new tm.nn.Dense(4, 3, { seed });
    this.right = new tm.nn.Sequential([new tm.nn.Dense(4, 5, { seed: seed + 1 }), new tm.nn.ReLU(), new tm.nn.Dense(5, 3, { seed: seed + 2 })]);
    this.norm = new tm.nn.BatchNorm1d(3);
    this.scale = tm.randn([3], { seed: seed + 3 });
    this.scale.requiresGrad = true;
  }

  forward(x: tm.Tensor): tm.Tensor {
    return this.norm.forward(this.left.forward(x).add(this.right.forward(x))).mul(this.scale);
  }

  config(): tm.nn.LayerConfig {
    return { type: 'TwoTower' };
  }
}

describe.each(BACKENDS)('state dicts on %s', (backend) => {
  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  afterAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it('names every parameter and buffer by path, and loads them into another instance, which then computes the same', async () => {
    const a = new TwoTower(1);
    a.forward(tm.randn([6, 4], { seed: 9 })); // moves the running statistics off their start
    a.eval();
    expect(Object.keys(a.stateDict()).sort()).toEqual(
      ['0.weight', '0.bias', '1.0.weight', '1.0.bias', '1.2.weight', '1.2.bias', '2.weight', '2.bias', '2.runningMean', '2.runningVar', 'scale'].sort(),
    );
    const b = new TwoTower(50).eval();
    const x = tm.randn([5, 4], { seed: 2 });
    expect(await b.loadStateDict(a.stateDict())).toEqual({ missing: [], unexpected: [] });
    expectClose(await b.forward(x).data(), await a.forward(x).data(), 0);
    // b's tensors are its own: changing a's does not reach them.
    a.scale.assign(tm.zeros([3]));
    expect(Array.from(await b.scale.data()).some((v) => v !== 0)).toBe(true);
    expect(b.scale.requiresGrad).toBe(true);
  });

  it('saves a custom module\'s weights to a file atomically and loads them back, f16 entries cast to the module\'s f32', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tmnn-state-'));
    const path = join(dir, 'weights.safetensors');
    const a = new TwoTower(3).eval();
    await a.saveWeights(path);
    expect(readdirSync(dir)).toEqual(['weights.safetensors']);
    const b = new TwoTower(70).eval();
    await b.loadWeights(path);
    const x = tm.randn([3, 4], { seed: 4 });
    expectClose(await b.forward(x).data(), await a.forward(x).data(), 0);
    // A file of f16 weights (halved by hand) loads into f32 tensors, rounded as f16.
    const { entries } = tm.decodeSafetensors(new Uint8Array(readFileSync(path)));
    const halved = Object.fromEntries(await Promise.all(Object.entries(a.stateDict()).map(async ([name, t]) => [name, { dtype: 'f16' as const, shape: t.shape, data: await t.cast('f16').storageData() }])));
    const c = new TwoTower(90);
    await c.loadWeights(tm.encodeSafetensors(halved));
    expect(c.left.weight.dtype).toBe('f32');
    expectClose(await c.left.weight.data(), await a.left.weight.data(), 1e-3);
    expect(Object.keys(entries).length).toBe(11);
  });

  it('is strict by default, naming what is missing and unexpected; { strict: false } loads what matches and lists the rest', () => {
    const a = new TwoTower(1);
    const { scale, ...rest } = a.stateDict();
    const extra = { ...rest, 'head.weight': tm.zeros([2, 2]) };
    const b = new TwoTower(5);
    expect(() => b.loadStateDict(extra)).toThrow("loadStateDict: the state's names differ from the module's: missing scale; unexpected head.weight (pass { strict: false } to load what matches)");
    const before = b.scale;
    expect(b.loadStateDict(extra, { strict: false })).toEqual({ missing: ['scale'], unexpected: ['head.weight'] });
    expect(b.scale).toBe(before);
    void scale;
  });

  it('refuses a shape or dtype that does not fit, changing nothing', async () => {
    const a = new TwoTower(1);
    const b = new TwoTower(2);
    const kept = await b.left.weight.data();
    const wrong = { ...a.stateDict(), '0.weight': tm.zeros([3, 4]) };
    expect(() => b.loadStateDict(wrong)).toThrow('loadStateDict: 0.weight is [3,4] in the state and [4,3] in the module');
    expect(await b.left.weight.data()).toEqual(kept);
    const ints = { ...a.stateDict(), '0.bias': tm.zeros([3], { dtype: 'i32' }) };
    expect(() => b.loadStateDict(ints)).toThrow('loadStateDict: 0.bias is i32; weights load from f32 or f16');
    const gone = tm.zeros([3]);
    gone.dispose();
    expect(() => b.loadStateDict({ ...a.stateDict(), '0.bias': gone })).toThrow('loadStateDict: 0.bias was disposed');
    expect(() => b.loadStateDict([] as unknown as Record<string, tm.Tensor>)).toThrow('loadStateDict: expects an object of tensors by name');
    await expect(b.loadWeights(Uint8Array.of(1, 2, 3))).rejects.toThrow(tm.CorruptFileError);
    expect(await b.left.weight.data()).toEqual(kept);
  });
});
