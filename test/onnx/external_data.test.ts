// ONNX external data: models that keep their tensors in files beside the
// model (TensorProto.data_location EXTERNAL), as every model past 2 GB does.
// The fixtures (scripts/make-onnx-external-data-fixtures.py) are one small
// MLP laid out three ways — weights inside the file, in one side file as
// onnx.save_model writes it, and by hand over several files with gaps, a
// subdirectory and absent offsets and lengths — so each layout must compute
// exactly what the embedded one does, and what NumPy computed. onnxruntime-web,
// given the same side files, is a second reader of them and of what save
// writes back (of split.onnx: onnxruntime's shape inference cannot read
// mlp.onnx's Reshape shape from its side file).
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as ort from 'onnxruntime-web';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onnxSummary } from '../../src/cli/onnx.js';
import * as tm from '../../src/index.js';
import { decodeModel, type OnnxExternalPlace } from '../../src/onnx/proto.js';
import { BACKENDS } from '../helpers/backends.js';
import { expectClose } from '../helpers/data.js';
import { trainSteps } from '../helpers/onnx_run.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'onnx', 'external');
const read = (...path: string[]) => new Uint8Array(readFileSync(join(FIXTURES, ...path)));

/** The side files of split.onnx, by location. */
const SPLIT_FILES = ['a.bin', 'data/b.bin', 'c.bin'];

async function outputOf(model: tm.nn.Module, x: tm.Tensor): Promise<Float32Array> {
  const y = tm.noGrad(() => model.forward(x));
  const data = (await y.data()) as Float32Array;
  y.dispose();
  return data;
}

/** onnxruntime-web's output for `model` given its side files as bytes. */
async function ortOutput(model: Uint8Array, files: Record<string, Uint8Array>, x: tm.Tensor): Promise<Float32Array> {
  const externalData = Object.entries(files).map(([path, data]) => ({ path, data }));
  const session = await ort.InferenceSession.create(model, { executionProviders: ['wasm'], externalData });
  const out = await session.run({ x: new ort.Tensor('float32', (await x.data()) as Float32Array, [...x.shape]) });
  const y = (await out.y.getData()) as Float32Array;
  await session.release();
  return y;
}

describe.each(BACKENDS)('tm.onnx external data on %s', (backend) => {
  let dir: string;
  let io: Record<string, tm.Tensor>;
  let embedded: tm.onnx.OnnxModel;
  let expected: Float32Array;
  beforeAll(async () => {
    await tm.init({ backend });
    dir = mkdtempSync(join(tmpdir(), 'tmnn-onnx-external-'));
    io = tm.fromNpz(read('mlp.npz'));
    embedded = await tm.onnx.load(join(FIXTURES, 'mlp_embedded.onnx'));
    expected = await outputOf(embedded, io.x);
  });
  afterAll(() => {
    embedded.dispose();
    for (const t of Object.values(io)) t.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads onnx.save_model\'s single side file beside the model: the embedded model\'s outputs, and NumPy\'s', async () => {
    expectClose(expected, await io.y.data(), 1e-5, 'the embedded model against NumPy');
    for (const source of [join(FIXTURES, 'mlp.onnx'), pathToFileURL(join(FIXTURES, 'mlp.onnx'))]) {
      const model = await tm.onnx.load(source);
      expect(await outputOf(model, io.x)).toEqual(expected);
      const params = model.namedParameters();
      const twin = embedded.namedParameters();
      expect(Object.keys(params).sort()).toEqual(Object.keys(twin).sort());
      for (const [name, p] of Object.entries(params)) expect(await p.data()).toEqual(await twin[name].data());
      model.dispose();
    }
  });

  it('reads several files, a subdirectory, ranges with gaps, absent offsets and lengths, beside an inline initializer', async () => {
    const model = await tm.onnx.load(join(FIXTURES, 'split.onnx'));
    expect(await outputOf(model, io.x)).toEqual(expected);
    expectClose(await ortOutput(read('split.onnx'), Object.fromEntries(SPLIT_FILES.map((f) => [f, read(f)])), io.x), expected, 1e-5, 'onnxruntime-web');
    model.dispose();
  });

  it('reads a Constant node\'s value and an If\'s branches\' initializers from the side file, and writes the branch weights back', async () => {
    const model = await tm.onnx.load(join(FIXTURES, 'nested.onnx'));
    expect(Object.keys(model.namedParameters()).sort()).toEqual(['else_b', 'else_w', 'then_b', 'then_w', 'w1']);
    expect(await outputOf(model, io.x)).toEqual(expected);
    await trainSteps(model, io.x);
    const trained = await outputOf(model, io.x);
    expect(Math.max(...trained.map((v, i) => Math.abs(v - expected[i])))).toBeGreaterThan(1e-3);
    const files = await model.toFiles();
    const again = tm.onnx.fromBytes(files.model, { externalData: files.externalData });
    expectClose(await outputOf(again, io.x), trained, 1e-6, 'read back');
    // The Constant's bytes (b1, float32, at 333) and the condition's are as they were: not parameters.
    expect(files.externalData['nested.bin'].subarray(333)).toEqual(read('nested.bin').subarray(333));
    expect(files.externalData['nested.bin'][140]).toBe(1);
    for (const m of [model, again]) m.dispose();
  });

  it('`tmnn onnx FILE` reads the side files too', async () => {
    const summary = await onnxSummary(join(FIXTURES, 'split.onnx'));
    expect(summary).toMatchObject({ backend, opset: 17, parameters: 5 * 7 + 7 + 7 * 3 + 3, ops: { MatMul: 2, Reshape: 1 } });
  });

  it('takes the side files as bytes: fromBytes by record or function, load also by a function returning Promises', async () => {
    const files = Object.fromEntries(SPLIT_FILES.map((f) => [f, read(f)]));
    const bytes = read('split.onnx');
    const byRecord = tm.onnx.fromBytes(bytes, { externalData: files });
    const asked: string[] = [];
    const byFunction = tm.onnx.fromBytes(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer, {
      externalData: (location) => {
        asked.push(location);
        return files[location].buffer.slice(0) as ArrayBuffer;
      },
    });
    expect(asked.sort()).toEqual([...SPLIT_FILES].sort());
    const byPromise = await tm.onnx.load(bytes, { externalData: async (location) => files[location] });
    for (const model of [byRecord, byFunction, byPromise]) {
      expect(await outputOf(model, io.x)).toEqual(expected);
      model.dispose();
    }
    // The files given win over those beside a path.
    const elsewhere = await tm.onnx.load(join(FIXTURES, 'mlp.onnx'), { externalData: { 'weights.bin': read('weights.bin') } });
    expect(await outputOf(elsewhere, io.x)).toEqual(expected);
    elsewhere.dispose();

    expect(() => tm.onnx.fromBytes(bytes)).toThrow(/initializer (w1|b1|w2|b2) keeps its data in an external file \((a|data\/b|c)\.bin\), which was not given/);
    expect(() => tm.onnx.fromBytes(bytes, { externalData: async (location: string) => files[location] })).toThrow(/returned a Promise for a\.bin; fromBytes is synchronous/);
    expect(() => tm.onnx.fromBytes(bytes, { externalData: { 'a.bin': files['a.bin'] } })).toThrow(/keeps data in data\/b\.bin, which externalData does not hold \(it holds a\.bin\)/);
    expect(() => tm.onnx.fromBytes(bytes, { externalData: { ...files, 'a.bin': [1, 2] as unknown as Uint8Array } })).toThrow(/a\.bin's bytes as a Uint8Array or ArrayBuffer, got \[1, 2\]/);
    expect(() => tm.onnx.fromBytes(bytes, { externalData: 'a.bin' as unknown as tm.onnx.ExternalData })).toThrow(/externalData must be a record/);
    expect(() => tm.onnx.fromBytes(bytes, { external: files } as never)).toThrow(/unknown option "external"/);
    await expect(tm.onnx.load(bytes, { externalData: async () => { throw new Error('offline'); } })).rejects.toThrow(/offline/);
  });

  it('refuses, naming the tensor and file: a missing file, a range past the end, a wrong length, unsafe locations, an unknown data_location', async () => {
    const bad = (name: string) => tm.onnx.load(join(FIXTURES, 'bad', `${name}.onnx`));
    await expect(bad('missing')).rejects.toThrow(tm.ValueError);
    await expect(bad('missing')).rejects.toThrow(/keeps data in nowhere\.bin beside it, which cannot be read: load: no file at .*bad\/nowhere\.bin/);
    await expect(bad('past_end')).rejects.toThrow(tm.CorruptFileError);
    await expect(bad('past_end')).rejects.toThrow(/tensor w2 is bytes 258 to 342 of weights\.bin, which has 266 bytes: past its end/);
    await expect(bad('length')).rejects.toThrow(/tensor w2 is bytes 154 to 234 of weights\.bin, 80 bytes; its float elements of shape \[7, 3\] take 84/);
    await expect(bad('absolute')).rejects.toThrow(/tensor w2's external data location "\/etc\/passwd" is an absolute path/);
    await expect(bad('escape')).rejects.toThrow(/tensor w2's external data location "\.\.\/weights\.bin" climbs out of the model file's directory/);
    await expect(bad('location')).rejects.toThrow(/tensor w2 has data_location 2; ONNX defines 0 \(DEFAULT, in the file\) and 1 \(EXTERNAL\)/);
    // The same checks on bytes given in memory: a truncated file, and no file at all for a location.
    const model = read('mlp.onnx');
    const short = read('weights.bin').subarray(0, 200);
    expect(() => tm.onnx.fromBytes(model, { externalData: { 'weights.bin': short } })).toThrow(/tensor w2 is bytes 154 to 238 of weights\.bin, which has 200 bytes/);
    expect(() => tm.onnx.fromBytes(read('bad', 'escape.onnx'), { externalData: { '../weights.bin': read('weights.bin') } })).toThrow(/climbs out/);
  });

  it('writes trained weights back into the side file in place: the model file unchanged, the other bytes kept, tmnn reads the trained model', async () => {
    const home = join(dir, `${backend}-inplace`);
    cpSync(FIXTURES, home, { recursive: true });
    const model = await tm.onnx.load(join(home, 'mlp.onnx'));
    const x = io.x;
    await trainSteps(model, x);
    const trained = await outputOf(model, x);
    expect(Math.max(...trained.map((v, i) => Math.abs(v - expected[i])))).toBeGreaterThan(1e-3);

    await expect(model.toBytes()).rejects.toThrow(/keeps its data in external files \(weights\.bin\).*toFiles\(\) gives every file, save\(path\) writes them/);
    const files = await model.toFiles();
    expect(files.model).toEqual(read('mlp.onnx'));
    expect(Object.keys(files.externalData)).toEqual(['weights.bin']);
    expect(files.externalData['weights.bin'].length).toBe(read('weights.bin').length);
    // The int64 shape (not a parameter) is where it was, byte for byte.
    expect(files.externalData['weights.bin'].subarray(250)).toEqual(read('weights.bin').subarray(250));
    const inMemory = tm.onnx.fromBytes(files.model, { externalData: files.externalData });
    expectClose(await outputOf(inMemory, x), trained, 1e-6, 'fromBytes of toFiles');
    // onnxruntime is not asked here: its shape inference cannot read Reshape's shape from a side file (split.onnx keeps it inline).

    // Saved over itself: the side file replaced, the model file the same bytes.
    await model.save(join(home, 'mlp.onnx'));
    expect(new Uint8Array(readFileSync(join(home, 'mlp.onnx')))).toEqual(read('mlp.onnx'));
    expect(new Uint8Array(readFileSync(join(home, 'weights.bin')))).toEqual(files.externalData['weights.bin']);
    const again = await tm.onnx.load(join(home, 'mlp.onnx'));
    expectClose(await outputOf(again, x), trained, 1e-6, 'tm.onnx.load of the saved files');
    for (const m of [model, inMemory, again]) m.dispose();
  });

  it('saves a model with several side files into another directory, subdirectories made; tmnn and onnxruntime read the trained model', async () => {
    const model = tm.onnx.fromBytes(read('split.onnx'), { externalData: Object.fromEntries(SPLIT_FILES.map((f) => [f, read(f)])) });
    const x = io.x;
    await trainSteps(model, x);
    const trained = await outputOf(model, x);
    const target = join(dir, `${backend}-copy`, 'tuned.onnx');
    // As for any file saved: a directory that does not exist is not made.
    await expect(model.save(target)).rejects.toThrow(/cannot write/);
    const saved = join(dir, `${backend}-copy-made`);
    mkdirSync(saved);
    await model.save(join(saved, 'tuned.onnx'));
    const files = Object.fromEntries(SPLIT_FILES.map((f) => [f, new Uint8Array(readFileSync(join(saved, f)))]));
    // a.bin's padding between w1 and b1 kept.
    expect(files['a.bin'].subarray(140, 200)).toEqual(read('a.bin').subarray(140, 200));
    const again = await tm.onnx.load(join(saved, 'tuned.onnx'));
    expectClose(await outputOf(again, x), trained, 1e-6, 'tm.onnx.load of the copy');
    expectClose(await ortOutput(new Uint8Array(readFileSync(join(saved, 'tuned.onnx'))), files, x), trained, 1e-5, 'onnxruntime-web');
    for (const m of [model, again]) m.dispose();
  });

  it('saveOnnx writes large initializers to one side file at aligned offsets; tmnn and onnxruntime compute the model from the pair', async () => {
    // Dense(300, 1000)'s weight is past 1 MiB (a page-aligned offset), the biases and the last weight under 1 MiB, the 3-float bias under 1024 bytes.
    const net = new tm.nn.Sequential([new tm.nn.Dense(7, 300, { activation: 'relu' }), new tm.nn.Dense(300, 1000, { activation: 'tanh' }), new tm.nn.Dense(1000, 3)]);
    const x = tm.randn([5, 7], { seed: 11 });
    const want = await outputOf(net, x);
    const home = join(dir, `${backend}-export`);
    mkdirSync(home);
    const inputShape = ['batch', 7];

    await tm.onnx.saveOnnx(net, join(home, 'net.onnx'), { inputShape, externalData: true });
    const model = read2(home, 'net.onnx');
    const data = read2(home, 'net.onnx.data');
    const places = externalPlaces(model);
    expect([...places.keys()].sort()).toEqual(['0.bias', '0.weight', '1.bias', '1.weight', '2.weight'].sort());
    expect(places.get('1.weight')!.offset % 4096).toBe(0);
    for (const place of places.values()) expect(place.location).toBe('net.onnx.data');
    for (const place of places.values()) expect(place.offset % 16).toBe(0);
    const ends = [...places.values()].map((p) => p.offset + p.length!);
    expect(data.length).toBe(Math.max(...ends));
    expect(model.length).toBeLessThan(4096);
    const loaded = await tm.onnx.load(join(home, 'net.onnx'));
    expectClose(await outputOf(loaded, x), want, 1e-5, 'tm.onnx.load');
    expectClose(await ortOutput(model, { 'net.onnx.data': data }, x), want, 1e-5, 'onnxruntime-web');
    loaded.dispose();

    // A location of one's own, in a subdirectory; a threshold that keeps all but the largest inside.
    await tm.onnx.saveOnnx(net, pathToFileURL(join(home, 'big.onnx')), { inputShape, externalData: { location: 'weights/big.bin', threshold: 1 << 20 } });
    expect([...externalPlaces(read2(home, 'big.onnx')).keys()]).toEqual(['1.weight']);
    const big = await tm.onnx.load(join(home, 'big.onnx'));
    expectClose(await outputOf(big, x), want, 1e-5, 'tm.onnx.load, one tensor outside');
    big.dispose();
    // None that large: no side file, and the model the same bytes as without the option.
    await tm.onnx.saveOnnx(net, join(home, 'inline.onnx'), { inputShape, externalData: { threshold: 1 << 30 } });
    expect(existsSync(join(home, 'inline.onnx.data'))).toBe(false);
    expect(read2(home, 'inline.onnx')).toEqual(await tm.onnx.toOnnx(net, { inputShape }));

    const refuse = (externalData: unknown, message: RegExp) => expect(tm.onnx.saveOnnx(net, join(home, 'no.onnx'), { inputShape, externalData } as tm.onnx.SaveOnnxOptions)).rejects.toThrow(message);
    await refuse({ location: '../up.bin' }, /externalData\.location "\.\.\/up\.bin" climbs out of the model file's directory/);
    await refuse({ location: '/tmp/abs.bin' }, /externalData\.location "\/tmp\/abs\.bin" is an absolute path/);
    await refuse({ location: 'C:\\w.bin' }, /externalData\.location "C:\\\\w\.bin" starts with a drive or URL scheme \(C:\)/);
    await refuse({ location: 'file:w.bin' }, /starts with a drive or URL scheme \(file:\)/);
    await refuse({ threshold: -1 }, /externalData\.threshold must be a byte count \(an integer ≥ 0\), got -1/);
    await refuse({ treshold: 10 }, /saveOnnx externalData: unknown option "treshold"; the options are location, threshold/);
    await refuse('yes', /externalData must be true, false or \{ location\?, threshold\? \}, got 'yes'|got "yes"/);
    await expect(tm.onnx.saveOnnx(net, join(home, 'no.onnx'), { inputShape, externalDate: true } as never)).rejects.toThrow(/saveOnnx: unknown option "externalDate"; the options are inputShape, opset, inputName, outputName, externalData/);
    expect(existsSync(join(home, 'no.onnx'))).toBe(false);
    x.dispose();
    net.dispose();
  });
});

function read2(...path: string[]): Uint8Array {
  return new Uint8Array(readFileSync(join(...path)));
}

/** Each initializer the model keeps outside, with where (read by tmnn's own decoder: its fields, not its data). */
function externalPlaces(model: Uint8Array): Map<string, OnnxExternalPlace> {
  return new Map(decodeModel(model).graph.initializers.filter((t) => t.external).map((t) => [t.name, t.external!]));
}
