// tm.onnx's If and Loop against real exports: torch.jit.script modules whose
// Python `for` and `if` PyTorch 1.13 exported as Loop and If nodes with
// subgraphs (scripts/make-onnx-control-flow-fixtures.py, fixtures in
// test/fixtures/onnx/control_flow). Each must give PyTorch's outputs, and the
// gradient of the sum of its outputs with respect to every parameter —
// through a loop's iterations, through the branch a device condition picks —
// must be PyTorch's, on every backend, with run and with runAsync.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { expectClose } from '../helpers/data.js';
import { collected } from '../helpers/gc.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'onnx', 'control_flow');
const fixture = (file: string) => new Uint8Array(readFileSync(join(FIXTURES, file)));
const NAMES = readdirSync(FIXTURES).filter((f) => f.endsWith('.onnx')).map((f) => f.slice(0, -'.onnx'.length)).sort();

describe.each(BACKENDS)('tm.onnx runs PyTorch 1.13 exports with control flow on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it('has the fixtures', () => {
    expect(NAMES).toEqual(['if_int_argument', 'if_tensor_condition', 'loop_rnn']);
  });

  // runAsync too: it reads a device condition back and runs only the branch taken, with the same results.
  it.each(NAMES.flatMap((n) => [[n, 'run'], [n, 'runAsync']] as const))('%s: computes PyTorch\'s outputs and its parameters\' gradients (%s)', async (name, mode) => {
    const before = await collected(); // earlier tests' garbage collected first, so that no finalizer frees it at an await below
    const model = await tm.onnx.load(fixture(`${name}.onnx`));
    expect(model.producer).toMatch(/^pytorch 1\.13/);
    expect([...model.opCounts.keys()].some((op) => op === 'Loop' || op === 'If')).toBe(true);
    const io = tm.fromNpz(fixture(`${name}.npz`));
    const feeds = Object.fromEntries(model.inputs.map((i) => [i.name, io[i.name]]));
    const got = mode === 'run' ? model.run(feeds) : await model.runAsync(feeds);
    expect(Object.keys(got).sort()).toEqual(model.outputs.map((o) => o.name).sort());
    for (const [key, t] of Object.entries(got)) expectClose(await t.data(), await io[key].data(), 1e-5, `${name}.${key}`);
    const loss = tm.tidy(() => Object.values(got).map((t) => tm.sum(t)).reduce((a, b) => tm.add(a, b)));
    loss.backward();
    const params = model.ownParameters();
    const names = Object.keys(io).filter((k) => k.startsWith('grad:')).map((k) => k.slice('grad:'.length));
    expect(names.sort()).toEqual(Object.keys(params).sort());
    for (const p of names) {
      const want = await io[`grad:${p}`].data();
      const grad = params[p].grad;
      // runAsync never runs the branch not taken, so its parameters get no gradient, where PyTorch's is zero.
      if (!grad && mode === 'runAsync') expect(Array.from(want).every((v) => v === 0), `${name} d/d${p} is zero in PyTorch`).toBe(true);
      else expectClose(await grad!.data(), want, 1e-5, `${name} d/d${p}`);
    }
    for (const t of [...Object.values(io), ...Object.values(got), loss]) t.dispose();
    model.zeroGrad();
    model.dispose();
    expect(tm.memory().numTensors).toBe(before);
  });

  it('loop_rnn: its trip count follows the time axis; zero steps leave the zero initial state', async () => {
    const model = await tm.onnx.load(fixture('loop_rnn.onnx'));
    const x = tm.zeros([0, 2, 4]);
    const got = tm.noGrad(() => model.run([x]));
    for (const t of Object.values(got)) {
      expect(t.shape).toEqual([2, 5]);
      expect(Array.from(await t.data())).toEqual(new Array(10).fill(0));
      t.dispose();
    }
    x.dispose();
    model.dispose();
  });
});
