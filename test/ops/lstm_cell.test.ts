// The fused LSTM step (a backend's lstmCell kernel) against the ops it
// stands for, forward and gradient, at odd sizes, f32 and f16.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { lstmCell } from '../../src/ops/lstm_cell.js';
import { BACKENDS } from '../helpers/backends.js';
import { expectClose, uniform } from '../helpers/data.js';

/** The same step from the elementwise ops. */
function composed(z: tm.Tensor, c: tm.Tensor): { h: tm.Tensor; c: tm.Tensor } {
  const [i, f, g, o] = tm.split(z, c.shape[1], 1);
  const next = f.sigmoid().mul(c).add(i.sigmoid().mul(g.tanh()));
  return { h: o.sigmoid().mul(next.tanh()), c: next };
}

describe.each(BACKENDS)('lstmCell on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it.each([[1, 1], [3, 5], [7, 33]])('batch %i, hidden %i: h, c and both gradients as the composed ops give them', async (batch, hidden) => {
    for (const dtype of ['f32', 'f16'] as const) {
      const tol = dtype === 'f32' ? 1e-6 : 4e-3;
      const zv = uniform(batch * 4 * hidden, -4, 4);
      const cv = uniform(batch * hidden, -2, 2);
      const [dh, dc] = [uniform(batch * hidden), uniform(batch * hidden)];
      const run = async (step: typeof lstmCell) => {
        const z = tm.tensor(zv, [batch, 4 * hidden], { dtype });
        const c = tm.tensor(cv, [batch, hidden], { dtype });
        z.requiresGrad = c.requiresGrad = true;
        const out = step(z, c);
        out.h.mul(tm.tensor(dh, [batch, hidden], { dtype })).sum().add(out.c.mul(tm.tensor(dc, [batch, hidden], { dtype })).sum()).backward();
        return [await out.h.data(), await out.c.data(), await z.grad!.data(), await c.grad!.data(), out.h.dtype] as const;
      };
      const [fused, plain] = [await run(lstmCell), await run(composed)];
      expect(fused[4]).toBe(dtype);
      for (let k = 0; k < 4; k++) expectClose(fused[k] as ArrayLike<number>, plain[k] as ArrayLike<number>, tol, `${dtype} ${['h', 'c', 'dz', 'dc'][k]}`);
    }
  });
});
