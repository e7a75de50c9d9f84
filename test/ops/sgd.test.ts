// One SGD step as one op (ops/sgd.ts): on every backend against the formula
// in float64, at sizes that are and are not multiples of a vector width,
// plain, with momentum (first step and later ones), Nesterov and weight
// decay; and bit for bit what the elementwise ops that spell the step out
// give (js and native run it in one pass, webgpu records those ops'
// expression directly).
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { sgdStep, sgdStepByOps, type SgdStep } from '../../src/ops/sgd.js';
import { activeBackend } from '../../src/engine.js';
import type { WebGpuBackend } from '../../src/backends/webgpu/index.js';
import { collected } from '../helpers/gc.js';
import { BACKENDS } from '../helpers/backends.js';
import { asF32, expectClose, expectExact, uniform } from '../helpers/data.js';

const STEPS: Record<string, SgdStep> = {
  plain: { lr: 0.05, momentum: 0, nesterov: false, weightDecay: 0 },
  'weight decay': { lr: 0.01, momentum: 0, nesterov: false, weightDecay: 0.1 },
  momentum: { lr: 0.02, momentum: 0.9, nesterov: false, weightDecay: 0 },
  'nesterov, weight decay': { lr: 0.03, momentum: 0.8, nesterov: true, weightDecay: 0.05 },
};

/** The step in float64 on the same (f32) inputs; v null on the first step. */
function reference(p: Float64Array, g: Float64Array, v: Float64Array | null, h: SgdStep) {
  const grad = g.map((gi, i) => gi + h.weightDecay * p[i]);
  if (h.momentum === 0) return { p: p.map((pi, i) => pi - h.lr * grad[i]), velocity: null };
  const v1 = grad.map((gi, i) => (v ? h.momentum * v[i] : 0) + gi);
  const direction = h.nesterov ? grad.map((gi, i) => gi + h.momentum * v1[i]) : v1;
  return { p: p.map((pi, i) => pi - h.lr * direction[i]), velocity: v1 };
}

describe.each(BACKENDS)('sgd step on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  const cases = Object.keys(STEPS).flatMap((kind) => [1, 7, 127, 1000, 4099].flatMap((n) => [[kind, n, 'first'], [kind, n, 'later']] as const));
  it.each(cases)('%s, %i elements, %s step: float64 within f32 tolerance; the inputs are left as they were', async (kind, n, which) => {
    const h = STEPS[kind];
    const [p, g, v] = [asF32(uniform(n)), asF32(uniform(n, -0.5, 0.5)), asF32(uniform(n, -0.2, 0.2))];
    const velocity = which === 'later' ? v : null;
    const inputs = [p, g, ...(velocity ? [velocity] : [])].map((values) => tm.tensor(values));
    const out = sgdStep(inputs[0], inputs[1], inputs[2] ?? null, h);
    const want = reference(p, g, velocity, h);
    if (want.velocity) expectClose(await out.velocity!.data(), want.velocity, 1e-5, 'velocity', want.velocity.map((x, i) => Math.abs(x) + Math.abs(g[i])));
    else expect(out.velocity).toBeNull();
    // The update is a small change to p: measured against |p| plus the step it takes.
    expectClose(await out.p.data(), want.p, 1e-5, 'p', p.map((x, i) => Math.abs(x) + Math.abs(p[i] - want.p[i])));
    for (const [i, t] of inputs.entries()) expectExact(await t.data(), [p, g, v][i], 'input');
    for (const t of [...inputs, out.p, out.velocity]) t?.dispose();
  });

  it('gives what the elementwise ops that spell the step out give', async () => {
    const n = 517;
    for (const h of Object.values(STEPS)) {
      for (const first of [true, false]) {
        const inputs = [uniform(n), uniform(n, -0.5, 0.5), uniform(n, -0.2, 0.2)].map((values) => tm.tensor(values));
        const [p, g, v] = inputs;
        const fused = sgdStep(p, g, first ? null : v, h);
        const byOps = sgdStepByOps(p, g, first ? null : v, h);
        // Bit for bit: js and native round as the ops do; webgpu records the ops' own expression.
        expectExact(await fused.p.data(), await byOps.p.data(), 'p');
        if (byOps.velocity) expectExact(await fused.velocity!.data(), await byOps.velocity.data(), 'velocity');
        else expect(fused.velocity).toBeNull();
        for (const t of [...inputs, ...Object.values(fused), ...Object.values(byOps)]) t?.dispose();
      }
    }
  });

  it('runs as one kernel where the backend has it; f16 tensors take the elementwise way', async () => {
    expect(typeof activeBackend().sgd).toBe('function');
    const inputs = [uniform(9), uniform(9), uniform(9)].map((values) => tm.tensor(values, { dtype: 'f16' }));
    const [p, g, v] = inputs;
    const h = STEPS['nesterov, weight decay'];
    const fused = sgdStep(p, g, v, h);
    const byOps = sgdStepByOps(p, g, v, h);
    expect(fused.p.dtype).toBe('f16');
    expectExact(await fused.p.data(), await byOps.p.data(), 'f16 p');
    for (const t of [...inputs, ...Object.values(fused), ...Object.values(byOps)]) t?.dispose();
  });

  it('leaves nothing behind over many steps (tensors, and on webgpu the pool buffers), and on webgpu a step is one launch', async () => {
    const live = () => (backend === 'webgpu' ? (activeBackend() as WebGpuBackend).runtime.pool.info.live : 0);
    const g = tm.tensor(uniform(300));
    let p = tm.tensor(uniform(300));
    let v: tm.Tensor | null = null;
    await p.data();
    const [tensors, buffers] = [await collected(), live()];
    for (let i = 0; i < 20; i++) {
      const next = sgdStep(p, g, v, STEPS['nesterov, weight decay']);
      for (const t of [p, v]) t?.dispose();
      ({ p, velocity: v } = next);
      await p.data();
    }
    v!.dispose();
    expect(tm.memory().numTensors).toBe(tensors);
    expect(live()).toBe(buffers);
    if (backend === 'webgpu') {
      const gpu = activeBackend() as WebGpuBackend;
      for (const [kind, h] of Object.entries(STEPS)) {
        for (const velocity of [null, g]) {
          const before = gpu.runtime.commands.dispatches;
          const next = sgdStep(p, g, velocity, h);
          for (const t of [next.p, next.velocity]) await t?.data();
          expect(gpu.runtime.commands.dispatches - before, kind).toBe(1); // p and the velocity from one fused kernel
          for (const t of [next.p, next.velocity]) t?.dispose();
        }
      }
    }
    for (const t of [p, g]) t.dispose();
  });

  it('names the tensor whose shape differs, and refuses a disposed one, changing nothing', () => {
    const [p, g, v] = [[2, 3], [2, 3], [3, 2]].map((shape) => tm.zeros(shape));
    expect(() => sgdStep(p, g, v, STEPS.momentum)).toThrow(new tm.ShapeError('sgd: velocity [3,2] differs from p [2,3]'));
    g.dispose();
    expect(() => sgdStep(p, g, null, STEPS.plain)).toThrow(tm.DisposedTensorError);
    expect(p.isDisposed || v.isDisposed).toBe(false);
    for (const t of [p, v]) t.dispose();
  });
});
