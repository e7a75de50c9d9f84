// Each optimizer's update rule, step by step against the formula in float64;
// and the state buffers an optimizer keeps (moments, velocities), freed by
// dispose() or, for an optimizer dropped without it, once it is garbage.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { collected } from '../helpers/gc.js';

beforeAll(async () => {
  await tm.init({ backend: 'js' });
});

/** A parameter p with gradient g (set by hand, as backward would). */
function param(values: number[]): tm.Tensor {
  const p = tm.tensor(values);
  p.requiresGrad = true;
  return p;
}

function setGrad(p: tm.Tensor, g: number[]): void {
  p.grad?.dispose();
  p.grad = tm.tensor(g);
}

async function expectClose(t: tm.Tensor, want: number[]) {
  const got = await t.data();
  want.forEach((w, i) => expect(got[i]).toBeCloseTo(w, 5));
}

describe('optimizers', () => {
  it('SGD: p -= lr·(g + λp), with momentum and Nesterov', async () => {
    const p = param([1, -2]);
    const opt = new tm.optim.SGD([p], { lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.01 });
    const ref = [1, -2];
    const v = [0, 0];
    for (const g of [[0.5, 1], [-0.2, 0.3], [0.1, 0.1]]) {
      setGrad(p, g);
      opt.step();
      for (let i = 0; i < 2; i++) {
        const gi = g[i] + 0.01 * ref[i];
        v[i] = 0.9 * v[i] + gi;
        ref[i] -= 0.1 * (gi + 0.9 * v[i]);
      }
      await expectClose(p, ref);
    }
  });

  it('Adam with bias correction, AdamW with decoupled decay', async () => {
    for (const [Kind, decoupled] of [[tm.optim.Adam, false], [tm.optim.AdamW, true]] as const) {
      const p = param([0.5, -1.5, 2]);
      const opt = new Kind([p], { lr: 0.01, weightDecay: 0.1 });
      const ref = [0.5, -1.5, 2];
      const m = [0, 0, 0];
      const v = [0, 0, 0];
      const grads = [[1, -1, 0.5], [0.2, 0.1, -0.3], [-0.5, 0.4, 0.1]];
      for (let t = 1; t <= grads.length; t++) {
        setGrad(p, grads[t - 1]);
        opt.step();
        for (let i = 0; i < 3; i++) {
          const g = grads[t - 1][i] + (decoupled ? 0 : 0.1 * ref[i]);
          m[i] = 0.9 * m[i] + 0.1 * g;
          v[i] = 0.999 * v[i] + 0.001 * g * g;
          const mHat = m[i] / (1 - 0.9 ** t);
          const vHat = v[i] / (1 - 0.999 ** t);
          if (decoupled) ref[i] *= 1 - 0.01 * 0.1;
          ref[i] -= (0.01 * mHat) / (Math.sqrt(vHat) + 1e-8);
        }
        await expectClose(p, ref);
      }
    }
  });

  it('RMSprop: plain, centered and with momentum, and weight decay, step by step as PyTorch\'s', async () => {
    const grads = [[0.5, 1, -3], [-0.2, 0.3, 2], [0.1, 0.1, -1], [1, -1, 0.5]];
    for (const options of [{}, { centered: true }, { momentum: 0.9, weightDecay: 0.1 }, { centered: true, momentum: 0.5, alpha: 0.9 }]) {
      const p = param([1, -2, 0.5]);
      const opt = new tm.optim.RMSprop([p], { lr: 0.01, ...options });
      const { alpha = 0.99, momentum = 0, weightDecay = 0, centered = false } = options as tm.optim.RMSpropOptions;
      const ref = [1, -2, 0.5];
      const [v, m, b] = [[0, 0, 0], [0, 0, 0], [0, 0, 0]];
      for (const g of grads) {
        setGrad(p, g);
        opt.step();
        for (let i = 0; i < 3; i++) {
          const gi = g[i] + weightDecay * ref[i];
          v[i] = alpha * v[i] + (1 - alpha) * gi * gi;
          m[i] = alpha * m[i] + (1 - alpha) * gi;
          const denominator = Math.sqrt(centered ? v[i] - m[i] * m[i] : v[i]) + 1e-8;
          b[i] = momentum * b[i] + gi / denominator;
          ref[i] -= 0.01 * (momentum ? b[i] : gi / denominator);
        }
        await expectClose(p, ref);
      }
      opt.dispose();
    }
  });

  it('Adagrad: the step over the root of the summed squares, with lrDecay, an initial sum and weight decay', async () => {
    const p = param([1, -2]);
    const opt = new tm.optim.Adagrad([p], { lr: 0.5, lrDecay: 0.1, initialAccumulatorValue: 0.2, weightDecay: 0.05 });
    const ref = [1, -2];
    const sum = [0.2, 0.2];
    for (const [t, g] of [[0.5, 1], [-0.2, 0.3], [0.1, 0.1]].entries()) {
      setGrad(p, g);
      opt.step();
      for (let i = 0; i < 2; i++) {
        const gi = g[i] + 0.05 * ref[i];
        sum[i] += gi * gi;
        ref[i] -= (0.5 / (1 + t * 0.1)) * (gi / (Math.sqrt(sum[i]) + 1e-10));
      }
      await expectClose(p, ref);
    }
    opt.dispose();
  });

  it("Adagrad decays each parameter's rate by its own updates, not by the optimizer's steps", async () => {
    const [p, q] = [param([1]), param([1])];
    const opt = new tm.optim.Adagrad([p, q], { lr: 1, lrDecay: 1 });
    setGrad(p, [1]);
    opt.step(); // q has no gradient: not updated, not counted
    setGrad(q, [1]);
    q.grad = tm.tensor([1]);
    opt.step(); // q's first update: the full rate 1, p's second: 1/2
    await expectClose(q, [1 - 1 / (1 + 1e-10)]);
    await expectClose(p, [1 - 1 - 0.5 / (Math.sqrt(2) + 1e-10)]);
    opt.dispose();
  });

  it('zeroGrad clears gradients; parameters without a gradient are left alone', async () => {
    const p = param([1]);
    const q = param([2]);
    const opt = new tm.optim.SGD([p, q], { lr: 1 });
    setGrad(p, [0.5]);
    opt.step();
    await expectClose(p, [0.5]);
    await expectClose(q, [2]);
    opt.zeroGrad();
    expect(p.grad).toBeNull();
  });

  it('keeps one set of state buffers across steps, freed by dispose() or once the optimizer is garbage', async () => {
    const p = param([1, -2, 3]);
    const start = await collected();
    for (const [make, buffers] of [[() => new tm.optim.Adam([p]), 2], [() => new tm.optim.SGD([p], { momentum: 0.9 }), 1]] as const) {
      const opt = make();
      for (let i = 0; i < 3; i++) {
        setGrad(p, [0.1, 0.2, -0.3]);
        opt.step();
      }
      opt.zeroGrad();
      expect(tm.memory().numTensors).toBe(start + buffers); // m and v; the velocity
      opt.dispose();
      expect(tm.memory().numTensors).toBe(start);
    }
    (() => {
      const dropped = new tm.optim.Adam([p]);
      setGrad(p, [0.1, 0.2, -0.3]);
      dropped.step();
      dropped.zeroGrad();
    })();
    expect(tm.memory().numTensors).toBe(start + 2);
    expect(await collected()).toBe(start);
    p.dispose();
  });

  it('refuses a step whose gradients do not match their parameters before changing any parameter or the step count', async () => {
    const [a, b] = [param([1, 2, 3]), param([4, 5, 6, 7, 8, 9])];
    const adam = new tm.optim.Adam([a, b], { lr: 0.5 });
    const refused: [() => void, RegExp][] = [
      // A [1] gradient would broadcast into a wrong update, and a wider one fail after a's update.
      [() => (b.grad = tm.tensor([1])), /^Adam\.step: the gradient of Tensor\(\[6\], f32, js\) is \[1\] f32; it must be the parameter's \[6\] f32$/],
      [() => (b.grad = tm.tensor([1, 2, 3, 4, 5, 6], { dtype: 'f16' })), /is \[6\] f16; it must be the parameter's \[6\] f32$/],
      [() => (b.grad = tm.tensor([1, 2, 3, 4, 5, 6]).reshape([2, 3])), /is \[2,3\] f32; it must be the parameter's \[6\] f32$/],
      [() => { b.grad = tm.tensor([1, 2, 3, 4, 5, 6]); b.grad.dispose(); }, /^Adam\.step: the gradient of Tensor\(\[6\], f32, js\): tensor #\d+ \[6\] f32 was disposed$/],
    ];
    for (const [setBad, message] of refused) {
      setGrad(a, [0.1, 0.2, 0.3]);
      setBad();
      expect(() => adam.step()).toThrow(message);
      expect(Array.from(await a.data())).toEqual([1, 2, 3]);
      expect(Array.from(await b.data())).toEqual([4, 5, 6, 7, 8, 9]);
    }
    // The refused steps did not count: the first real one moves each entry by lr (Adam's first step is lr·sign(g)).
    setGrad(b, [1, 1, 1, 1, 1, 1]);
    adam.step();
    await expectClose(a, [0.5, 1.5, 2.5]);
    await expectClose(b, [3.5, 4.5, 5.5, 6.5, 7.5, 8.5]);
    adam.dispose();
  });

  it.each(BACKENDS)('Adam and AdamW step f16 parameters with f32 moments on %s: small gradients move them as in f32, never to ∞ or NaN', async (backend) => {
    await tm.init({ backend });
    for (const Opt of [tm.optim.Adam, tm.optim.AdamW]) {
      const p = tm.tensor([1, 1, 1, -2], { dtype: 'f16' });
      p.requiresGrad = true;
      const opt = new Opt([p], { lr: 0.01 });
      for (let step = 0; step < 3; step++) {
        // (1−β2)·g² of 1e-4 is 1e-11, below f16's smallest subnormal; so is ε̂ = 1e-8·√(1−β2).
        p.grad = tm.tensor([1e-3, 1e-4, 0, -1e-4], { dtype: 'f16' });
        opt.step();
      }
      expect(p.dtype).toBe('f16');
      // Each step moves a parameter with a steady gradient by about lr (AdamW also decays it by lr·0.01·p).
      const decay = Opt === tm.optim.AdamW ? 0.0001 : 0;
      const want = [1 - 0.03 - 3 * decay, 1 - 0.03 - 3 * decay, 1 - 3 * decay, -2 + 0.03 + 6 * decay];
      const got = Array.from(await p.data());
      got.forEach((g, i) => expect(Math.abs(g - want[i]), `${Opt.name} [${i}]: ${got}`).toBeLessThan(2e-3));
      opt.dispose();
    }
    await tm.init({ backend: 'js' });
  });

  it('rejects parameters of which none requires gradients, a parameter listed twice, and a bad learning rate', () => {
    expect(() => new tm.optim.Adam([tm.tensor([1]), tm.tensor([2])])).toThrow('Adam: none of the 2 parameters has requiresGrad set: there is nothing to train (model.parameters() lists a model\'s)');
    const w = param([1]);
    expect(() => new tm.optim.SGD([w, w])).toThrow(/^SGD: parameter .* is listed twice \(it would be updated twice a step\)$/);
    expect(() => new tm.optim.SGD(w as unknown as tm.Tensor[])).toThrow('SGD: params must be an array of tensors (model.parameters())');
    expect(() => new tm.optim.SGD([w], { lr: -1 })).toThrow('SGD: lr must be a finite number in [0, ∞), got -1');
  });

  it('checks every hyperparameter where it is given, the same on every backend: finite numbers in range, not strings', () => {
    const w = param([1]);
    const cases: [() => unknown, string][] = [
      [() => new tm.optim.SGD([w], { lr: '0.1' as unknown as number }), 'SGD: lr must be a finite number in [0, ∞), got "0.1"'],
      [() => new tm.optim.SGD([w], { lr: Infinity }), 'SGD: lr must be a finite number in [0, ∞), got Infinity'],
      [() => new tm.optim.SGD([w], { momentum: -1 }), 'SGD: momentum must be a finite number in [0, 1), got -1'],
      [() => new tm.optim.SGD([w], { momentum: '0.9' as unknown as number }), 'SGD: momentum must be a finite number in [0, 1), got "0.9"'],
      [() => new tm.optim.SGD([w], { weightDecay: NaN }), 'SGD: weightDecay must be a finite number in [0, ∞), got NaN'],
      [() => new tm.optim.Adam([w], { beta1: 1 }), 'Adam: beta1 must be a finite number in [0, 1), got 1'],
      [() => new tm.optim.Adam([w], { beta2: 2 }), 'Adam: beta2 must be a finite number in [0, 1), got 2'],
      [() => new tm.optim.AdamW([w], { epsilon: -1 }), 'AdamW: epsilon must be a finite number in (0, ∞), got -1'],
      [() => new tm.optim.StepLR(new tm.optim.SGD([w]), { stepSize: 2, gamma: -1 }), 'StepLR: gamma must be a finite number in (0, ∞), got -1'],
      [() => new tm.optim.CosineAnnealingLR(new tm.optim.SGD([w], { lr: 0.1 }), { tMax: 5, minLr: -1 }), 'CosineAnnealingLR: minLr must be a finite number in [0, 0.1], got -1'],
    ];
    for (const [make, message] of cases) expect(make).toThrow(new tm.ValueError(message));
    const opt = new tm.optim.SGD([w], { lr: 0.1 });
    expect(() => (opt.lr = NaN)).toThrow('SGD: lr must be a finite number in [0, ∞), got NaN');
    expect(opt.lr).toBe(0.1);
    opt.lr = 0; // where an annealing ends
    expect(opt.lr).toBe(0);
    expect(new tm.optim.Adam([w], { lr: 0 }).lr).toBe(0); // as in PyTorch: a frozen phase, a warm-up's start
  });
});
