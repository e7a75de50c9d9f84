// An OnnxModel fine-tuned in tmnn goes back to an ONNX file: toBytes()/save()
// write the trained parameters over the initializers of the file it was read
// from. The result is checked by reading it again in tmnn and in another ONNX
// runtime (onnxruntime-web's WebAssembly provider), which must both compute
// what the trained model computes.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-web';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { expectClose } from '../helpers/data.js';
import { onnxModel } from '../helpers/onnx.js';
import { trainSteps } from '../helpers/onnx_run.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'onnx');

describe.each(BACKENDS)('OnnxModel.toBytes and save on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it('writes the trained weights into the file it read; tmnn and onnxruntime both compute the trained model from it', async () => {
    const file = new Uint8Array(readFileSync(join(FIXTURES, 'mlp_dynamic.onnx')));
    const model = tm.onnx.fromBytes(file);
    const x = tm.randn([5, 2, 3], { seed: 3 });
    const before = await tm.noGrad(() => model.forward(x)).data();
    await trainSteps(model, x);
    const trained = await tm.noGrad(() => model.forward(x)).data();
    expect(Math.max(...trained.map((v, i) => Math.abs(v - before[i])))).toBeGreaterThan(1e-3);

    const bytes = await model.toBytes();
    expect(bytes.length).toBe(file.length);
    expect(file).toEqual(new Uint8Array(readFileSync(join(FIXTURES, 'mlp_dynamic.onnx'))));
    const again = tm.onnx.fromBytes(bytes);
    expectClose(await tm.noGrad(() => again.forward(x)).data(), trained, 1e-6, 'tmnn, read again');

    const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
    const out = await session.run({ x: new ort.Tensor('float32', (await x.data()) as Float32Array, [5, 2, 3]) });
    expectClose((await out.y.getData()) as Float32Array, trained, 1e-5, 'onnxruntime');
    await session.release();

    const dir = mkdtempSync(join(tmpdir(), 'tmnn-onnx-'));
    await model.save(join(dir, 'tuned.onnx'));
    expect(new Uint8Array(readFileSync(join(dir, 'tuned.onnx')))).toEqual(bytes);
    const loaded = await tm.onnx.load(join(dir, 'tuned.onnx'));
    expectClose(await tm.noGrad(() => loaded.forward(x)).data(), trained, 1e-6, 'tm.onnx.load of the saved file');
    for (const m of [model, again, loaded]) m.dispose();
  });

  it('writes float16 and double initializers in their own type', async () => {
    const bytes = onnxModel({
      inputs: [{ name: 'x', shape: [2, 3] }],
      outputs: [{ name: 'y' }],
      initializers: { w: { type: 'double', shape: [3], values: [0.5, -1, 2] }, h: { type: 'float16', shape: [3], values: [1, 2, 3] } },
      nodes: [
        { op: 'Mul', inputs: ['x', 'w'], outputs: ['xw'] },
        { op: 'Cast', inputs: ['h'], outputs: ['h32'], attributes: { to: 1 } },
        { op: 'Add', inputs: ['xw', 'h32'], outputs: ['y'] },
      ],
    });
    const model = tm.onnx.fromBytes(bytes);
    const [w, h] = [model.namedParameters().w, model.namedParameters().h];
    expect([w.dtype, h.dtype]).toEqual(['f32', 'f16']);
    tm.noGrad(() => {
      w.assign(tm.tensor([1.25, 3, -4]));
      h.assign(tm.tensor([0.5, 0.25, 8], { dtype: 'f16' }));
    });
    const again = tm.onnx.fromBytes(await model.toBytes());
    expect(Array.from(await again.namedParameters().w.data())).toEqual([1.25, 3, -4]);
    expect(Array.from(await again.namedParameters().h.data())).toEqual([0.5, 0.25, 8]);
    model.dispose();
    again.dispose();
  });

  it('refuses an initializer it cannot overwrite in place (floats as separate fields)', async () => {
    const typed = onnxModel({
      inputs: [{ name: 'x', shape: [3] }],
      outputs: [{ name: 'y' }],
      initializers: { w: { shape: [3], values: [1, 2, 3], typedFields: true } },
      nodes: [{ op: 'Mul', inputs: ['x', 'w'], outputs: ['y'] }],
    });
    const model = tm.onnx.fromBytes(typed);
    await expect(model.toBytes()).rejects.toThrow('initializer w keeps its values as a list of separate fields');
    model.dispose();
  });
});
