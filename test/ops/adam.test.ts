// One Adam step as one op (ops/adam.ts): on every backend against the
// formula in float64, at sizes that are and are not multiples of a vector
// width, for plain Adam, Adam's L2 decay and AdamW's decoupled decay; and
// bit for bit what the elementwise ops that spell the step out give (js and
// native run it in one pass, webgpu records those ops' expression directly).
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { adamStep, adamStepByOps, type AdamStep } from '../../src/ops/adam.js';
import { activeBackend } from '../../src/engine.js';
import type { WebGpuBackend } from '../../src/backends/webgpu/index.js';
import { collected } from '../helpers/gc.js';
import { BACKENDS } from '../helpers/backends.js';
import { asF32, expectClose, expectExact, uniform } from '../helpers/data.js';

const STEPS: Record<string, AdamStep> = {
  adam: { beta1: 0.9, beta2: 0.999, stepSize: 0.0031, epsilonHat: 3e-9, l2: 0, decay: 1 },
  'adam, L2': { beta1: 0.8, beta2: 0.99, stepSize: 0.01, epsilonHat: 1e-8, l2: 0.05, decay: 1 },
  'adamW, decoupled': { beta1: 0.9, beta2: 0.999, stepSize: 0.002, epsilonHat: 1e-8, l2: 0, decay: 0.9999 },
};

/** The step in float64 on the same (f32) inputs. */
function reference(p: Float64Array, g: Float64Array, m: Float64Array, v: Float64Array, h: AdamStep) {
  const grad = g.map((gi, i) => gi + h.l2 * p[i]);
  const m1 = m.map((mi, i) => h.beta1 * mi + (1 - h.beta1) * grad[i]);
  const v1 = v.map((vi, i) => h.beta2 * vi + (1 - h.beta2) * grad[i] ** 2);
  const p1 = p.map((pi, i) => h.decay * pi - (h.stepSize * m1[i]) / (Math.sqrt(v1[i]) + h.epsilonHat));
  return { p: p1, m: m1, v: v1 };
}

describe.each(BACKENDS)('adam step on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it.each(Object.keys(STEPS).flatMap((kind) => [1, 7, 127, 1000, 4099].map((n) => [kind, n] as const)))('%s, %i elements: float64 within f32 tolerance; the inputs are left as they were', async (kind, n) => {
    const h = STEPS[kind];
    const [p, g, m] = [asF32(uniform(n)), asF32(uniform(n, -0.5, 0.5)), asF32(uniform(n, -0.1, 0.1))];
    const v = asF32(uniform(n, 0, 0.01));
    const inputs = [p, g, m, v].map((values) => tm.tensor(values));
    const out = adamStep(inputs[0], inputs[1], inputs[2], inputs[3], h);
    const want = reference(p, g, m, v, h);
    expectClose(await out.m.data(), want.m, 1e-5, 'm', want.m.map((x, i) => Math.abs(x) + Math.abs(g[i])));
    expectClose(await out.v.data(), want.v, 1e-5, 'v');
    // The update is a small change to p: measured against |p| plus the step it takes.
    expectClose(await out.p.data(), want.p, 1e-5, 'p', p.map((x, i) => Math.abs(x) + Math.abs(p[i] - want.p[i])));
    for (const [i, values] of [p, g, m, v].entries()) expectExact(await inputs[i].data(), values, 'input');
    for (const t of [...inputs, out.p, out.m, out.v]) t.dispose();
  });

  it('gives what the elementwise ops that spell the step out give', async () => {
    const n = 517;
    for (const h of Object.values(STEPS)) {
      const inputs = [uniform(n), uniform(n, -0.5, 0.5), uniform(n, -0.1, 0.1), uniform(n, 0, 0.01)].map((values) => tm.tensor(values));
      const [p, g, m, v] = inputs;
      const fused = adamStep(p, g, m, v, h);
      const byOps = adamStepByOps(p, g, m, v, h);
      // Bit for bit: js and native round as the ops do; webgpu records the ops' own expression.
      for (const key of ['p', 'm', 'v'] as const) expectExact(await fused[key].data(), await byOps[key].data(), key);
      for (const t of [...inputs, ...Object.values(fused), ...Object.values(byOps)]) t.dispose();
    }
  });

  it('runs as one kernel where the backend has it; f16 tensors take the elementwise way', async () => {
    expect(typeof activeBackend().adam).toBe('function');
    const h = STEPS['adam, L2'];
    const inputs = [uniform(9), uniform(9), uniform(9), uniform(9, 0, 0.01)].map((values) => tm.tensor(values, { dtype: 'f16' }));
    const [p, g, m, v] = inputs;
    const fused = adamStep(p, g, m, v, h);
    const byOps = adamStepByOps(p, g, m, v, h);
    expect(fused.p.dtype).toBe('f16');
    expectExact(await fused.p.data(), await byOps.p.data(), 'f16 p');
    for (const t of [...inputs, ...Object.values(fused), ...Object.values(byOps)]) t.dispose();
  });

  it('leaves nothing behind over many steps (tensors, and on webgpu the pool buffers), and on webgpu a step is one launch', async () => {
    const live = () => (backend === 'webgpu' ? (activeBackend() as WebGpuBackend).runtime.pool.info.live : 0);
    const g = tm.tensor(uniform(300));
    let [p, m, v] = [tm.tensor(uniform(300)), tm.zeros([300]), tm.zeros([300])];
    await p.data();
    const [tensors, buffers] = [await collected(), live()];
    for (let i = 0; i < 20; i++) {
      const next = adamStep(p, g, m, v, STEPS['adam, L2']);
      for (const t of [p, m, v]) t.dispose();
      ({ p, m, v } = next);
      await p.data();
    }
    expect(tm.memory().numTensors).toBe(tensors);
    expect(live()).toBe(buffers);
    if (backend === 'webgpu') {
      const gpu = activeBackend() as WebGpuBackend;
      for (const [kind, h] of Object.entries(STEPS)) {
        const before = gpu.runtime.commands.dispatches;
        const next = adamStep(p, g, m, v, h);
        for (const t of [next.p, next.m, next.v]) await t.data();
        expect(gpu.runtime.commands.dispatches - before, kind).toBe(1); // p, m and v from one fused kernel
        for (const t of Object.values(next)) t.dispose();
      }
    }
    for (const t of [p, m, v, g]) t.dispose();
  });

  it('names the tensor whose shape differs, and refuses a disposed one, changing nothing', () => {
    const [p, g, m, v] = [[2, 3], [2, 3], [3, 2], [2, 3]].map((shape) => tm.zeros(shape));
    expect(() => adamStep(p, g, m, v, STEPS.adam)).toThrow(new tm.ShapeError('adam: m [3,2] differs from p [2,3]'));
    v.dispose();
    expect(() => adamStep(p, g, p, v, STEPS.adam)).toThrow(tm.DisposedTensorError);
    expect(p.isDisposed || g.isDisposed).toBe(false);
    for (const t of [p, g, m]) t.dispose();
  });
});
