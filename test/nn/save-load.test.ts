import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { CorruptFileError } from '../../src/io/errors.js';
import { encodeSafetensors } from '../../src/io/safetensors.js';
import { rng } from '../../src/random.js';
import { BACKENDS } from '../helpers/backends.js';

let dir: string;

beforeAll(async () => {
  await tm.init({ backend: 'js' });
  dir = await mkdtemp(join(tmpdir(), 'tmnn-save-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function model(seed: number) {
  tm.setSeed(seed);
  return new tm.nn.Sequential([
    new tm.nn.Dense(6, 5, { activation: 'relu' }),
    new tm.nn.Dropout(0.3, 17),
    new tm.nn.Dense(5, 4, { activation: 'tanh', bias: false }),
    new tm.nn.LeakyReLU(0.05),
    new tm.nn.Dense(4, 3),
    new tm.nn.Softmax(),
  ]);
}

describe('model.save and tm.nn.load', () => {
  it.each(BACKENDS)('round-trips the architecture and weights on %s: identical predictions', async (backend) => {
    await tm.init({ backend });
    const m = model(1);
    const path = join(dir, `m-${backend}.safetensors`);
    await m.save(path);
    const loaded = await tm.nn.load(path);
    expect(loaded.config()).toEqual(m.config());
    const x = tm.randn([7, 6], { seed: 9 });
    expect(await loaded.predict(x).data()).toEqual(await m.predict(x).data());
    await tm.init({ backend: 'js' });
  });

  it('refuses, before writing anything, a model with a layer load could not rebuild', async () => {
    class Scale extends tm.nn.Module {
      forward(x: tm.Tensor): tm.Tensor { return x.mul(2); }
      config() { return { type: 'Scale' }; }
    }
    const m = new tm.nn.Sequential([new tm.nn.Dense(2, 2), new tm.nn.Sequential([new tm.nn.ReLU(), new Scale()])]);
    const path = join(dir, 'custom.safetensors');
    await expect(m.save(path)).rejects.toThrow(/^save: layer 1\.1 is of type "Scale", which tm\.nn\.load cannot rebuild \(it knows Sequential, Dense, /);
    await expect(readFile(path)).rejects.toThrow(/ENOENT/);
    await expect(m.toBytes()).rejects.toThrow(/layer 1\.1 is of type "Scale"/);
  });

  it('keeps f16 parameters as f16', async () => {
    const m = new tm.nn.Sequential([new tm.nn.Dense(3, 2)]);
    const dense = m.layers[0] as tm.nn.Dense;
    for (const key of ['weight', 'bias'] as const) {
      const p = dense[key]!;
      const half = p.cast('f16');
      half.requiresGrad = true;
      dense[key] = half;
    }
    const loaded = tm.nn.fromBytes(await m.toBytes());
    const { weight, bias } = loaded.layers[0] as tm.nn.Dense;
    expect([weight.dtype, bias!.dtype]).toEqual(['f16', 'f16']);
    expect([weight.requiresGrad, bias!.requiresGrad]).toEqual([true, true]);
    expect(await weight.data()).toEqual(await dense.weight.data());
    expect(await bias!.data()).toEqual(await dense.bias!.data());
  });

  it('an interrupted save leaves the old file intact', async () => {
    const path = join(dir, 'keep.safetensors');
    const m = model(2);
    await m.save(path);
    const before = await readFile(path);
    // Saving into a path whose directory does not exist fails midway; so does a save whose target is a directory.
    await expect(m.save(join(dir, 'missing', 'x.safetensors'))).rejects.toThrow();
    const asDir = join(dir, 'adir');
    await (await import('node:fs/promises')).mkdir(asDir);
    await expect(model(3).save(asDir)).rejects.toThrow();
    expect(await readFile(path)).toEqual(before);
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('a missing file gets a clear error', async () => {
    await expect(tm.nn.load(join(dir, 'nope.safetensors'))).rejects.toThrow(/no file at/);
  });

  it('rejects files that are not tmnn models, or whose tensors do not fit the layers', async () => {
    const bytes = await model(4).toBytes();
    // Edits of equal length inside the JSON header keep every offset valid.
    const tamper = (from: string, to: string) => {
      const headerEnd = 8 + Number(new DataView(bytes.buffer).getBigUint64(0, true));
      const header = new TextDecoder().decode(bytes.subarray(8, headerEnd));
      expect(header).toContain(from);
      const out = bytes.slice();
      out.set(new TextEncoder().encode(header.replace(from, to)), 8);
      return out;
    };
    expect(() => tm.nn.fromBytes(tamper('"format":"tmnn"', '"format":"nope"'))).toThrow(/no tmnn model description/);
    // The architecture is JSON inside a JSON string, so its quotes are escaped in the header.
    const inModel = (s: string) => JSON.stringify(s).slice(1, -1);
    expect(() => tm.nn.fromBytes(tamper(inModel('"units":5'), inModel('"units":9')))).toThrow(/parameter 0.weight is \[6,5\], the layer needs \[6,9\]/);
    expect(() => tm.nn.fromBytes(tamper(inModel('"type":"Dense"'), inModel('"type":"Conv9"')))).toThrow(/unknown layer type "Conv9"/);
    await writeFile(join(dir, 'junk.safetensors'), 'not a model at all');
    await expect(tm.nn.load(join(dir, 'junk.safetensors'))).rejects.toThrow(CorruptFileError);
  });

  it('checks a layer\'s weights are in the file before building it: a 216-byte file describing a 46,000² layer is an error, not 8 GB of initial weights', () => {
    const describe = (layers: unknown[]) => encodeSafetensors({}, { format: 'tmnn', model: JSON.stringify({ type: 'Sequential', layers }) });
    const huge = describe([{ type: 'Dense', inputs: 46_000, units: 46_000, activation: 'relu', bias: true }]);
    expect(huge.length).toBeLessThan(300);
    const before = tm.memory();
    expect(() => tm.nn.fromBytes(huge)).toThrow(new CorruptFileError('model file: parameter 0.weight is missing'));
    expect(tm.memory()).toEqual(before);
    // Nested: the path names the layer; the first layer, built already, is freed.
    const w = { dtype: 'f32' as const, shape: [2, 3], data: new Float32Array(6) };
    const nested = encodeSafetensors({ '0.weight': w, '0.bias': { dtype: 'f32', shape: [3], data: new Float32Array(3) } }, {
      format: 'tmnn',
      model: JSON.stringify({ type: 'Sequential', layers: [
        { type: 'Dense', inputs: 2, units: 3, activation: 'linear', bias: true },
        { type: 'Sequential', layers: [{ type: 'Dense', inputs: 3, units: 40_000, activation: 'linear', bias: false }] },
      ] }),
    });
    expect(() => tm.nn.fromBytes(nested)).toThrow(new CorruptFileError('model file: parameter 1.0.weight is missing'));
    expect(tm.memory()).toEqual(before);
  });

  it('survives a few hundred mutated files: each loads or fails with CorruptFileError, leaking nothing', async () => {
    const good = await model(5).toBytes();
    const next = rng(1234);
    const before = tm.memory().numTensors;
    let loaded = 0;
    for (let trial = 0; trial < 300; trial++) {
      const bytes = good.slice();
      const kind = trial % 3;
      if (kind === 0) bytes[Math.floor(next() * bytes.length)] ^= 1 << Math.floor(next() * 8);
      else if (kind === 1) for (let k = 0; k < 4; k++) bytes[8 + Math.floor(next() * 200)] = Math.floor(next() * 256);
      const input = kind === 2 ? bytes.subarray(0, Math.floor(next() * bytes.length)) : bytes;
      try {
        const m = tm.nn.fromBytes(input);
        loaded++;
        m.dispose();
      } catch (err) {
        expect(err, String(err)).toBeInstanceOf(CorruptFileError);
      }
    }
    expect(loaded).toBeGreaterThan(0); // flips inside weight bytes still load
    expect(tm.memory().numTensors).toBe(before);
  });
});
