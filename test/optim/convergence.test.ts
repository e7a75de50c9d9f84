// A sanity check beside the formula tests: every optimizer, at a rate that
// suits it, brings an ill-conditioned quadratic (curvatures 0.1 to 10) down
// below a thousandth of where it started, through autograd as a model's loss would.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { uniform } from '../helpers/data.js';

beforeAll(async () => {
  await tm.init({ backend: 'js' });
});

const OPTIMIZERS: [string, (params: tm.Tensor[]) => tm.optim.Optimizer][] = [
  ['SGD', (p) => new tm.optim.SGD(p, { lr: 0.05, momentum: 0.5 })],
  ['Adam', (p) => new tm.optim.Adam(p, { lr: 0.05 })],
  ['AdamW', (p) => new tm.optim.AdamW(p, { lr: 0.05, weightDecay: 1e-3 })],
  ['RMSprop', (p) => new tm.optim.RMSprop(p, { lr: 0.01 })],
  ['Adagrad', (p) => new tm.optim.Adagrad(p, { lr: 0.5 })],
  ['Adadelta', (p) => new tm.optim.Adadelta(p, { lr: 1, epsilon: 1e-3 })],
  ['Adamax', (p) => new tm.optim.Adamax(p, { lr: 0.05 })],
  ['NAdam', (p) => new tm.optim.NAdam(p, { lr: 0.05 })],
  ['RAdam', (p) => new tm.optim.RAdam(p, { lr: 0.05 })],
  ['Lion', (p) => new tm.optim.Lion(p, { lr: 0.02 })],
];

describe('every optimizer minimises a quadratic', () => {
  it.each(OPTIMIZERS)('%s', async (_, make) => {
    const n = 9;
    const curvature = tm.tensor(Array.from({ length: n }, (_, i) => 0.1 * 100 ** (i / (n - 1))));
    const target0 = uniform(n);
    const target = tm.tensor(target0);
    // 1 to 2 away from the target in each coordinate, either side: the start is never near the end.
    const p = tm.tensor(uniform(n).map((u, i) => target0[i] + Math.sign(u) * (1 + Math.abs(u) / 2)));
    p.requiresGrad = true;
    const opt = make([p]);
    const loss = () => tm.tidy(() => p.sub(target).square().mul(curvature).sum());
    const start = await loss().item();
    for (let step = 0; step < 300; step++) {
      const l = loss();
      l.backward();
      l.dispose();
      opt.step();
      opt.zeroGrad();
    }
    const end = await loss().item();
    expect(end, `from ${start}`).toBeLessThan(1e-3 * start);
    opt.dispose();
    for (const t of [curvature, target, p]) t.dispose();
  });
});
