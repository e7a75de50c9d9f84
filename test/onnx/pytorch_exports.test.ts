// tm.onnx against real ONNX exports: small PyTorch 1.13 models written by
// torch.onnx.export at opsets 13–17 (scripts/make-onnx-fixtures.py), beside
// fixed inputs and PyTorch's eval-mode outputs (test/fixtures/onnx/NAME.onnx
// and NAME.npz). Each graph is what the exporter really emits — shape
// arithmetic for dynamic batch sizes, BatchNormalization kept or folded into
// Conv, GELU as Erf, LSTM in ONNX's gate order — and must give PyTorch's
// outputs on every backend, with run and with runAsync (which must run
// whatever run does, freeing all it made).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { expectClose } from '../helpers/data.js';
import { collected } from '../helpers/gc.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'onnx');
const fixture = (file: string) => new Uint8Array(readFileSync(join(FIXTURES, file)));
const NAMES = readdirSync(FIXTURES).filter((f) => f.endsWith('.onnx')).map((f) => f.slice(0, -'.onnx'.length)).sort();

describe.each(BACKENDS)('tm.onnx runs PyTorch 1.13 exports on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it.each(NAMES.flatMap((n) => [[n, 'run'], [n, 'runAsync']] as const))('%s: computes what PyTorch computed (%s)', async (name, mode) => {
    const before = await collected();
    const model = await tm.onnx.load(fixture(`${name}.onnx`));
    expect(model.producer).toMatch(/^pytorch 1\.13/);
    const io = tm.fromNpz(fixture(`${name}.npz`));
    const feeds = Object.fromEntries(model.inputs.map((i) => [i.name, io[i.name]]));
    const got = mode === 'run' ? tm.noGrad(() => model.run(feeds)) : await model.runAsync(feeds, { grad: false });
    expect(Object.keys(got).sort()).toEqual(model.outputs.map((o) => o.name).sort());
    for (const [key, t] of Object.entries(got)) expectClose(await t.data(), await io[key].data(), 1e-5, `${name}.${key}`);
    for (const t of [...Object.values(io), ...Object.values(got)]) t.dispose();
    model.dispose();
    expect(tm.memory().numTensors).toBe(before);
  });
});
