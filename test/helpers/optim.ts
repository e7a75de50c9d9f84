// An optimizer run beside a float64 reference of its formula: fresh random
// parameters at odd shapes, fresh random gradients each step, every parameter
// compared after every step, and the optimizer's memory checked on the way.
import { expect } from 'vitest';
import * as tm from '../../src/index.js';
import { TOL, asDType, expectClose, uniform } from './data.js';
import { collected } from './gc.js';

/** One parameter as the reference holds it: values, state buffers (zeros until it sets them), and its own step count t (1 on its first update). */
export interface ReferenceParam {
  p: Float64Array;
  state: Record<string, Float64Array>;
  t: number;
}

/** The formula in float64: updates `param` (p, state) in place from its gradient g; param.t is already this step's. */
export type ReferenceStep = (param: ReferenceParam, g: Float64Array) => void;

/** Odd sizes, a one-element parameter among them. */
const SHAPES = [[7], [3, 5], [1], [13]];

/** The step at which the second parameter has no gradient: neither updated nor counted, as in PyTorch. */
const SKIPPED_STEP = 3;

/**
 * Steps the optimizer `make` builds `steps` times on the current backend
 * beside `reference`, within `tol` relative, and checks that its buffers stay
 * the same number step after step and are all freed by dispose().
 *
 * With dtype 'f16' the parameters and gradients are f16, the gradients as
 * small as `gradScale` makes them, and each step is checked from the values
 * the last one left (rounded to f16 they may differ from the reference's by
 * an ulp, which later steps would carry), within f16's tolerance.
 */
export async function checkAgainstReference(
  make: (params: tm.Tensor[]) => tm.optim.Optimizer,
  reference: ReferenceStep,
  { steps = 8, tol, dtype = 'f32', gradScale = 1 }: { steps?: number; tol?: number; dtype?: 'f32' | 'f16'; gradScale?: number } = {},
): Promise<void> {
  const tolerance = tol ?? TOL[dtype];
  const refs: ReferenceParam[] = SHAPES.map((shape) => ({ p: asDType(uniform(shape.reduce((a, b) => a * b, 1)), dtype), state: {}, t: 0 }));
  const params = refs.map((r, i) => {
    const p = tm.tensor(r.p, SHAPES[i], { dtype });
    p.requiresGrad = true;
    return p;
  });
  const start = await collected();
  const opt = make(params);
  let buffers = -1;
  for (let step = 1; step <= steps; step++) {
    for (const [i, r] of refs.entries()) {
      if (i === 1 && step === SKIPPED_STEP) continue;
      const g = asDType(uniform(r.p.length, -gradScale, gradScale), dtype);
      params[i].grad = tm.tensor(g, SHAPES[i], { dtype });
      r.t++;
      reference(r, g);
      if (dtype === 'f16') r.p = asDType(r.p, 'f16');
    }
    opt.step();
    opt.zeroGrad();
    for (const [i, r] of refs.entries()) {
      const got = Float64Array.from(await params[i].data());
      expect(params[i].dtype).toBe(dtype);
      expectClose(got, r.p, tolerance, `step ${step}, parameter ${SHAPES[i]}`);
      if (dtype === 'f16') r.p = got;
    }
    // Counted once the garbage is collected: a temporary the step left to the collector (untracked, not
    // leaked) would otherwise count at one step and not the next, as it did on Mesa 26 for Lion in f16.
    if (step === 2) buffers = (await collected()) - start;
    if (step > 2) expect((await collected()) - start, `buffers after step ${step}`).toBe(buffers);
  }
  opt.dispose();
  expect(await collected()).toBe(start);
  for (const p of params) p.dispose();
}

/** The reference's state buffer `name` for a parameter of n values: zeros (or `fill`) until first set. */
export function buffer(param: ReferenceParam, name: string, fill = 0): Float64Array {
  return (param.state[name] ??= new Float64Array(param.p.length).fill(fill));
}
