// tm.special.modifiedBesselK0/K1 and their scaled forms eˣ·K₀, eˣ·K₁ on
// every backend against float64 (test/helpers/special.ts: DLMF 10.32.9's
// integral by the trapezoid rule, a formula the library does not use), from
// 1e-30 to 1e30, through the seam at 1 and into f32's subnormals; with
// PyTorch's edges and gradients against central differences.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { uniform } from '../helpers/data.js';
import { collected } from '../helpers/gc.js';
import { besselKRef } from '../helpers/special.js';
import { SHAPES, ULP, centralDifference, checkShapeAndDTypes, expectEdges, expectWithin, logSpace } from '../helpers/special_functions.js';

const FUNCTIONS = [
  { name: 'modifiedBesselK0', op: tm.special.modifiedBesselK0, ref: (x: number) => besselKRef(0, x, false) },
  { name: 'modifiedBesselK1', op: tm.special.modifiedBesselK1, ref: (x: number) => besselKRef(1, x, false) },
  { name: 'scaledModifiedBesselK0', op: tm.special.scaledModifiedBesselK0, ref: (x: number) => besselKRef(0, x, true) },
  { name: 'scaledModifiedBesselK1', op: tm.special.scaledModifiedBesselK1, ref: (x: number) => besselKRef(1, x, true) },
] as const;

/** The series' and the quadrature's own error, and for the unscaled forms e^−x's rounding, which grows with x. */
const bound = (name: string, x: number, want: number) => Math.abs(want) * (3e-6 + (name.startsWith('scaled') ? 0 : 2 * ULP * x));

describe.each(BACKENDS)('tm.special modified Bessel functions K on %s', (backend) => {
  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  it.each(FUNCTIONS)('$name: relative from 1e-30 to 1e30, through the seam at 1, into the subnormals past 87', async ({ name, op, ref }) => {
    const x = new Float32Array([...logSpace(1e-30, 1e30, 301), ...uniform(801, 0, 110), 0.9999999, 1, 1.0000001, 87, 95, 100]);
    const got = await op(tm.tensor(x, [x.length])).data();
    expectWithin(name, got, Array.from(x, ref), (i, w) => bound(name, x[i], w), (i) => `${x[i]}`);
  });

  it('the edges as PyTorch\'s: ∞ at 0, NaN below 0 and at NaN, 0 at ∞', async () => {
    for (const { name, op } of FUNCTIONS) {
      const got = await op(tm.tensor([0, -0, -1, -Infinity, Infinity, NaN])).data();
      expectEdges(name, got, [Infinity, Infinity, NaN, NaN, 0, NaN], (i) => `${[0, -0, -1, -Infinity, Infinity, NaN][i]}`);
    }
  });

  it('at the smallest subnormal, 1.4e-45: K₀ finite (ln x − ln 2, not ln(x/2) of a 0), K₁ ∞; a GPU that flushes the input to 0 gives K₀(0) = ∞', async () => {
    const x = tm.tensor([1.401298464324817e-45]);
    for (const { name, op, ref } of FUNCTIONS) {
      const got = (await op(x).data())[0];
      if (name.endsWith('K1') || (backend === 'webgpu' && got === Infinity)) expect(got, name).toBe(Infinity);
      else expect(got, name).toBeCloseTo(ref(1.401298464324817e-45), 4);
    }
  });

  it.each(SHAPES.map((s) => [s]))('at shape %j, from f16 (rounded once) and from ints', async (shape) => {
    for (const { name, op, ref } of FUNCTIONS) await checkShapeAndDTypes(name, op, ref, shape, 0.05, 20, [1, 2, 3, 40]);
  });

  it('gradients against central differences: K₀′ = −K₁, K₁′ = −K₀ − K₁/x, and the scaled forms plus themselves', async () => {
    const values = [0.01, 0.3, 0.9, 1.1, 2.5, 9, 40];
    for (const { name, op, ref } of FUNCTIONS) {
      const x = tm.tensor(values);
      x.requiresGrad = true;
      const weights = uniform(values.length, 0.5, 2);
      tm.tidy(() => op(x).mul(tm.tensor(weights)).sum()).backward();
      const xs = Array.from(new Float32Array(values));
      expectWithin(`${name}′`, await x.grad!.data(), xs.map((v, i) => weights[i] * centralDifference(ref, v)), (_i, w) => 1e-5 * Math.abs(w) + 1e-12, (i) => `${xs[i]}`);
      x.dispose();
    }
  });

  it('leave no tensors behind, forward and backward', async () => {
    const x = tm.tensor([0.2, 1, 3, 50]);
    x.requiresGrad = true;
    const before = await collected();
    tm.tidy(() => FUNCTIONS.map(({ op }) => op(x)).reduce((s, y) => s.add(y)).sum().backward());
    x.grad!.dispose();
    expect(await collected()).toBe(before);
    x.dispose();
  });
});
