// Random elementwise programs (test/helpers/programs.ts), fused on webgpu,
// against op-by-op evaluation on the js backend: shared subexpressions,
// broadcasts, views, products whose epilogue the chain may become,
// intermediates a tensor keeps alive (written out by the fused launch) or
// lets go, i8 wrapping and f16, outputs read in a random order, and each
// structure at two shapes in turn. What is checked is the fusion (the DAG
// walk, the index maps of broadcasts, the extra outputs, depth cuts, the code
// cached by structure), not rounding: on the programs' exact values any
// correct evaluation gives the same bits, even one the shader compiler has
// simplified as WGSL allows (shaders/README.md). Rounding and special values
// are checked op by op in test/ops and for fused chains in fusion.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../../src/index.js';
import { setActive } from '../../../src/engine.js';
import type { Backend } from '../../../src/backends/kernels.js';
import { createJsBackend } from '../../../src/backends/js/index.js';
import { createWebGpuBackend, type WebGpuBackend } from '../../../src/backends/webgpu/index.js';
import { SEED, expectExact } from '../../helpers/data.js';
import { evaluate, siblingPrograms, withValues, type Program } from '../../helpers/programs.js';

/** A program's outputs on the active backend, read in the program's order. */
async function run(program: Program): Promise<Map<number, Float64Array>> {
  const outputs = evaluate(program, (l) => tm.tensor(l.values, [...l.shape], { dtype: l.dtype }));
  const read = new Map<number, Float64Array>();
  for (const [i, k] of program.outputs.entries()) read.set(k, Float64Array.from(await outputs[i].data()));
  for (const t of outputs) t.dispose();
  return read;
}

let js: Backend;
let gpu: WebGpuBackend;
const on = (backend: Backend, name: tm.BackendName) => setActive(backend, { backend: name, reason: 'test', passedOver: [] });

async function expectSameOnBoth(programs: readonly Program[]): Promise<void> {
  for (const [i, program] of programs.entries()) {
    on(js, 'js');
    const want = await run(program);
    on(gpu, 'webgpu');
    const got = await run(program);
    for (const [k, values] of want) expectExact(got.get(k)!, values, `program ${i} (test seed ${SEED}), instruction ${k} of\n${program.text}\n`);
  }
}

beforeAll(async () => {
  js = createJsBackend();
  gpu = await createWebGpuBackend();
});

afterAll(async () => {
  await tm.init({ backend: 'js' });
});

describe('random elementwise programs', () => {
  const programs = siblingPrograms(SEED, 30);

  it('fused on webgpu give, bit for bit, what op-by-op evaluation on js gives, one structure at two shapes in turn', { timeout: 120_000 }, async () => {
    const before = tm.memory().numTensors;
    await expectSameOnBoth(programs);
    expect(tm.memory().numTensors).toBe(before);
  });

  it('run again, with the code cached by structure, on fresh values give the same again', async () => {
    await expectSameOnBoth(programs.slice(0, 20).map((p) => withValues(p, (l) => l.values.map((v) => (v === -128 ? 127 : -v)))));
  });
});
