// Random programs (test/helpers/programs.ts) on every backend against the js
// backend: elementwise ops over broadcasts and views, transposes, slices and
// concatenation in the middle of chains, reductions whose results are read
// again, products, shared subexpressions, intermediates a tensor keeps alive
// or lets go, casts, i8 wrapping and f16, outputs read in a random order. On
// webgpu this is the test of fusion (the DAG walk, the index maps of
// broadcasts, the extra outputs of kept intermediates, matmul epilogues, depth
// cuts), and of its code cached by structure: each structure runs at two
// shapes in turn, then again on fresh values. Not of rounding: on the
// programs' exact values any correct evaluation gives the same bits, even one
// a shader compiler has simplified as WGSL allows (shaders/README.md).
// Rounding and special values are checked op by op in the other suites here,
// and for fused chains in test/backends/webgpu/fusion.test.ts.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { collected } from '../helpers/gc.js';
import { BACKENDS } from '../helpers/backends.js';
import { SEED, expectExact } from '../helpers/data.js';
import { evaluate, siblingPrograms, withValues, type Program } from '../helpers/programs.js';

/** A program's outputs on the active backend, read in the program's order. */
async function run(program: Program): Promise<Float64Array[]> {
  const outputs = evaluate(program, (l) => tm.tensor(l.values, [...l.shape], { dtype: l.dtype }));
  const read: Float64Array[] = [];
  for (const t of outputs) read.push(Float64Array.from(await t.data()));
  for (const t of outputs) t.dispose();
  return read;
}

describe('random programs', () => {
  const programs = siblingPrograms(SEED, 30);
  // The first twenty again, on other values: the same kernels, other numbers.
  const again = programs.slice(0, 20).map((p) => withValues(p, (l) => l.values.map((v) => (v === -128 ? 127 : -v))));
  const want: Float64Array[][] = [];

  beforeAll(async () => {
    await tm.init({ backend: 'js' });
    for (const program of [...programs, ...again]) want.push(await run(program));
  });

  it.each(BACKENDS.filter((b) => b !== 'js'))('on %s give, bit for bit, what they give on js', { timeout: 120_000 }, async (backend) => {
    await tm.init({ backend });
    const before = await collected();
    for (const [i, program] of [...programs, ...again].entries()) {
      const got = await run(program);
      got.forEach((values, o) => {
        const what = `${backend}, program ${i} (test seed ${SEED}), instruction ${program.outputs[o]} of\n${program.text}\n`;
        expectExact(values, want[i][o], what);
      });
    }
    expect(tm.memory().numTensors).toBe(before);
  });
});
