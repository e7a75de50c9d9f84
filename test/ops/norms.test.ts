import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { expectClose, uniform } from '../helpers/data.js';

describe.each(BACKENDS)('logsumexp and norm on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it('logsumexp over each axis and all of them, without overflow at ±100, with its gradient softmax', async () => {
    const [r, c] = [5, 9];
    const v = Float32Array.from(uniform(r * c, -100, 100));
    const x = tm.tensor(v, [r, c]);
    x.requiresGrad = true;
    const lse = (values: number[]) => {
      const m = Math.max(...values);
      return m + Math.log(values.reduce((s, e) => s + Math.exp(e - m), 0));
    };
    const rows = Array.from({ length: r }, (_, i) => lse(Array.from(v.subarray(i * c, (i + 1) * c))));
    const columns = Array.from({ length: c }, (_, j) => lse(Array.from({ length: r }, (_, i) => v[i * c + j])));
    expectClose(await x.logsumexp(1).data(), rows, 1e-6);
    expectClose(await x.logsumexp(0).data(), columns, 1e-6);
    expect(x.logsumexp(1, { keepDims: true }).shape).toEqual([r, 1]);
    expectClose(await x.logsumexp().data(), [lse(Array.from(v))], 1e-6);
    x.logsumexp(1).sum().backward();
    expectClose(await x.grad!.data(), Array.from(v, (e, k) => Math.exp(e - rows[Math.floor(k / c)])), 1e-5);
    // A row of −∞ gives −∞; one holding +∞ gives +∞.
    expect(Array.from(await tm.tensor([[-Infinity, -Infinity], [1, Infinity]]).logsumexp(1).data())).toEqual([-Infinity, Infinity]);
  });

  it('norm: 2 (default), 1 and ∞ over axes; the 2-norm of a zero vector has gradient 0', async () => {
    const [r, c] = [4, 7];
    const v = Float32Array.from(uniform(r * c));
    const x = tm.tensor(v, [r, c]);
    const row = (i: number) => Array.from(v.subarray(i * c, (i + 1) * c));
    expectClose(await x.norm(1).data(), Array.from({ length: r }, (_, i) => Math.hypot(...row(i))), 1e-6);
    expectClose(await x.norm(1, { ord: 1 }).data(), Array.from({ length: r }, (_, i) => row(i).reduce((s, e) => s + Math.abs(e), 0)), 1e-6);
    expectClose(await x.norm(undefined, { ord: Infinity }).data(), [Math.max(...Array.from(v, Math.abs))], 0);
    expectClose(await x.norm().data(), [Math.hypot(...Array.from(v))], 1e-6);
    const z = tm.tensor([[0, 0], [3, 4]]);
    z.requiresGrad = true;
    z.norm(1).sum().backward();
    expectClose(await z.grad!.data(), [0, 0, 0.6, 0.8], 1e-6);
    expect(() => x.norm(0, { ord: 3 as 2 })).toThrow('norm: ord must be 1, 2 or Infinity, got 3');
    // f16's squares summed in f32: 300² + 400² is past f16's range, 500 is not.
    const half = tm.tensor([300, 400]).cast('f16').norm();
    expect([half.dtype, Array.from(await half.data())]).toEqual(['f16', [500]]);
  });
});
