// tm.losses.mse and rmse on every backend against float64, with each
// reduction: rmse's 'mean' is √ of the batch's mse (the usual RMSE), its
// 'none' √mse per sample and its 'sum' their sum; an unknown reduction is an
// error naming it, for both.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { expectClose, uniform } from '../helpers/data.js';

const [N, D] = [13, 7];
const pred = Float32Array.from(uniform(N * D, -3, 3));
const target = Float32Array.from(uniform(N * D, -3, 3));

/** Mean square per sample, in float64. */
const perSample = Float64Array.from({ length: N }, (_, i) => {
  let s = 0;
  for (let j = 0; j < D; j++) s += (pred[i * D + j] - target[i * D + j]) ** 2;
  return s / D;
});
const sum = (v: ArrayLike<number>) => Array.from(v).reduce((a, b) => a + b, 0);

describe.each(BACKENDS)('regression losses on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });
  const args = () => [tm.tensor(pred, [N, D]), tm.tensor(target, [N, D])] as const;

  it('mse: the mean square per sample, then their mean, their sum, or each', async () => {
    expectClose(await tm.losses.mse(...args()).data(), [sum(perSample) / N], 1e-5);
    expectClose(await tm.losses.mse(...args(), { reduction: 'sum' }).data(), [sum(perSample)], 1e-5);
    expectClose(await tm.losses.mse(...args(), { reduction: 'none' }).data(), perSample, 1e-5);
  });

  it('l1: the mean absolute error per sample, then their mean; huber: ½e² within delta, delta·(|e| − ½delta) beyond', async () => {
    const absolute = Float64Array.from({ length: N }, (_, i) => {
      let s = 0;
      for (let j = 0; j < D; j++) s += Math.abs(pred[i * D + j] - target[i * D + j]);
      return s / D;
    });
    expectClose(await tm.losses.l1(...args(), { reduction: 'none' }).data(), absolute, 1e-5);
    expectClose(await tm.losses.l1(...args()).data(), [sum(absolute) / N], 1e-5);
    for (const delta of [1, 0.3, 10]) {
      const huber = Float64Array.from({ length: N }, (_, i) => {
        let s = 0;
        for (let j = 0; j < D; j++) {
          const e = Math.abs(pred[i * D + j] - target[i * D + j]);
          s += e <= delta ? 0.5 * e * e : delta * (e - 0.5 * delta);
        }
        return s / D;
      });
      expectClose(await tm.losses.huber(...args(), { delta, reduction: 'none' }).data(), huber, 1e-5, `delta ${delta}`);
    }
    // The gradient: e inside delta, ±delta beyond (over N·D for the means).
    const p = tm.tensor(pred, [N, D]);
    p.requiresGrad = true;
    tm.losses.huber(p, tm.tensor(target, [N, D]), { delta: 0.5 }).backward();
    expectClose(await p.grad!.data(), Float64Array.from(pred, (v, k) => Math.max(-0.5, Math.min(0.5, v - target[k])) / (N * D)), 1e-6);
    expect(() => tm.losses.huber(...args(), { delta: 0 })).toThrow('huber: delta must be a finite number > 0, got 0');
  });

  it('rmse: √ of the batch\'s mse by default; √mse per sample with none, and their sum with sum', async () => {
    const roots = perSample.map(Math.sqrt);
    expectClose(await tm.losses.rmse(...args()).data(), [Math.sqrt(sum(perSample) / N)], 1e-5);
    expectClose(await tm.losses.rmse(...args(), { reduction: 'mean' }).data(), [Math.sqrt(sum(perSample) / N)], 1e-5);
    expectClose(await tm.losses.rmse(...args(), { reduction: 'none' }).data(), roots, 1e-5);
    expectClose(await tm.losses.rmse(...args(), { reduction: 'sum' }).data(), [sum(roots)], 1e-5);
  });

  it('rmse\'s gradient is e/(D·rmse) per element, and 0 (not NaN) where the error is exactly 0', async () => {
    // Sample 0 predicted exactly; the rest not.
    const p = Float32Array.from(pred, (v, i) => (i < D ? target[i] : v));
    const x = tm.tensor(p, [N, D]);
    x.requiresGrad = true;
    tm.losses.rmse(x, tm.tensor(target, [N, D]), { reduction: 'none' }).backward(tm.ones([N]));
    const roots = Float64Array.from({ length: N }, (_, s) => Math.sqrt(Array.from({ length: D }, (_, j) => (p[s * D + j] - target[s * D + j]) ** 2).reduce((a, b) => a + b) / D));
    const want = Array.from(p, (v, i) => (roots[Math.floor(i / D)] === 0 ? 0 : (v - target[i]) / (D * roots[Math.floor(i / D)])));
    expectClose(await x.grad!.data(), want, 1e-4);
    // A whole batch predicted exactly: 'mean' gives zero gradients.
    const exact = tm.tensor(target, [N, D]);
    exact.requiresGrad = true;
    tm.losses.rmse(exact, tm.tensor(target, [N, D])).backward();
    expect(Array.from(await exact.grad!.data()).every((g) => g === 0)).toBe(true);
  });

  it('an unknown reduction is an error naming it', () => {
    const bad = { reduction: 'total' } as unknown as tm.losses.LossOptions;
    expect(() => tm.losses.mse(...args(), bad)).toThrow('loss: unknown reduction "total"; expected mean, sum or none');
    expect(() => tm.losses.rmse(...args(), bad)).toThrow('loss: unknown reduction "total"; expected mean, sum or none');
  });
});
