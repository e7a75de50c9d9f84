// The same graph gives the same gradients on every backend (js is the reference).
import { describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { expectClose, uniform } from '../helpers/data.js';

async function gradients(backend: tm.BackendName, x: Float32Array, w1: Float32Array, w2: Float32Array) {
  await tm.init({ backend });
  const params = [tm.tensor(w1, [6, 5]), tm.tensor(w2, [5, 3])];
  for (const p of params) p.requiresGrad = true;
  const loss = tm.tidy(() => {
    const input = tm.tensor(x, [4, 6]);
    const h = input.matmul(params[0]).tanh().mul(input.slice([0, 0], [4, 5]).sigmoid()).softmax(0);
    const logits = h.matmul(params[1]).add(h.sum(1, { keepDims: true })).maximum(-0.5);
    return tm.losses.crossEntropy(logits, tm.tensor(new Int32Array([0, 2, 1, 2]), [4])).add(tm.losses.mse(h.exp(), h.square().sqrt()));
  });
  loss.backward();
  return Promise.all([loss.data(), ...params.map((p) => p.grad!.data())]);
}

describe('gradients agree across backends', () => {
  it.each(BACKENDS.filter((b) => b !== 'js'))('%s matches js', async (backend) => {
    const x = Float32Array.from(uniform(24));
    const w1 = Float32Array.from(uniform(30, -1, 1));
    const w2 = Float32Array.from(uniform(15, -1, 1));
    const want = await gradients('js', x, w1, w2);
    const got = await gradients(backend, x, w1, w2);
    want.forEach((w, i) => expectClose(got[i], w, 1e-4));
    expect(want[1].some((v) => v !== 0)).toBe(true);
  });
});
