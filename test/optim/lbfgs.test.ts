// L-BFGS against PyTorch's algorithm (torch/optim/lbfgs.py) written again
// here in float64, on every backend: the same iterates step after step on a
// least-squares problem of two parameters and on the Rosenbrock function in
// 2 and 10 dimensions, with and without the strong-Wolfe line search; the
// known minimum reached; memory flat over steps; bad options and closures
// refused, naming them.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { asF32, expectClose, uniform } from '../helpers/data.js';
import { collected } from '../helpers/gc.js';
import { wellConditioned } from '../helpers/linalg.js';

/** A loss and its gradient in float64. */
type Objective = (x: Float64Array) => { f: number; g: Float64Array };

const dot = (a: Float64Array, b: Float64Array) => a.reduce((s, v, i) => s + v * b[i], 0);
const maxAbs = (a: Float64Array) => a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
const along = (x: Float64Array, t: number, d: Float64Array) => x.map((v, i) => v + t * d[i]);

function cubic(x1: number, f1: number, g1: number, x2: number, f2: number, g2: number, bounds?: [number, number]): number {
  const [lo, hi] = bounds ?? (x1 <= x2 ? [x1, x2] : [x2, x1]);
  const d1 = g1 + g2 - (3 * (f1 - f2)) / (x1 - x2);
  const d2sq = d1 ** 2 - g1 * g2;
  if (d2sq < 0) return (lo + hi) / 2;
  const d2 = Math.sqrt(d2sq);
  const minPos = x1 <= x2 ? x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2)) : x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2));
  return Math.min(Math.max(minPos, lo), hi);
}

/** PyTorch's _strong_wolfe, line by line. */
function strongWolfe(obj: Objective, x: Float64Array, t: number, d: Float64Array, f: number, g: Float64Array, gtd: number, tolChange: number) {
  const [c1, c2, maxLs] = [1e-4, 0.9, 25];
  const dNorm = maxAbs(d);
  let { f: fNew, g: gNew } = obj(along(x, t, d));
  let evals = 1;
  let gtdNew = dot(gNew, d);
  let [tPrev, fPrev, gPrev, gtdPrev] = [0, f, g, gtd];
  let done = false;
  let lsIter = 0;
  let br: number[] = [], bf: number[] = [], bg: Float64Array[] = [], bgtd: number[] = [];
  while (lsIter < maxLs) {
    if (fNew > f + c1 * t * gtd || (lsIter > 1 && fNew >= fPrev)) {
      [br, bf, bg, bgtd] = [[tPrev, t], [fPrev, fNew], [gPrev, gNew], [gtdPrev, gtdNew]];
      break;
    }
    if (Math.abs(gtdNew) <= -c2 * gtd) {
      [br, bf, bg] = [[t], [fNew], [gNew]];
      done = true;
      break;
    }
    if (gtdNew >= 0) {
      [br, bf, bg, bgtd] = [[tPrev, t], [fPrev, fNew], [gPrev, gNew], [gtdPrev, gtdNew]];
      break;
    }
    const tmp = t;
    t = cubic(tPrev, fPrev, gtdPrev, t, fNew, gtdNew, [t + 0.01 * (t - tPrev), t * 10]);
    [tPrev, fPrev, gPrev, gtdPrev] = [tmp, fNew, gNew, gtdNew];
    ({ f: fNew, g: gNew } = obj(along(x, t, d)));
    evals++;
    gtdNew = dot(gNew, d);
    lsIter++;
  }
  if (lsIter === maxLs) [br, bf, bg] = [[0, t], [f, fNew], [g, gNew]];
  let insuf = false;
  let [low, high] = bf[0] <= bf[bf.length - 1] ? [0, 1] : [1, 0];
  while (!done && lsIter < maxLs) {
    if (Math.abs(br[1] - br[0]) * dNorm < tolChange) break;
    t = cubic(br[0], bf[0], bgtd[0], br[1], bf[1], bgtd[1]);
    const [bmax, bmin] = [Math.max(...br), Math.min(...br)];
    const eps = 0.1 * (bmax - bmin);
    if (Math.min(bmax - t, t - bmin) < eps) {
      if (insuf || t >= bmax || t <= bmin) {
        t = Math.abs(t - bmax) < Math.abs(t - bmin) ? bmax - eps : bmin + eps;
        insuf = false;
      } else insuf = true;
    } else insuf = false;
    ({ f: fNew, g: gNew } = obj(along(x, t, d)));
    evals++;
    gtdNew = dot(gNew, d);
    lsIter++;
    if (fNew > f + c1 * t * gtd || fNew >= bf[low]) {
      [br[high], bf[high], bg[high], bgtd[high]] = [t, fNew, gNew, gtdNew];
      [low, high] = bf[0] <= bf[1] ? [0, 1] : [1, 0];
    } else {
      if (Math.abs(gtdNew) <= -c2 * gtd) done = true;
      else if (gtdNew * (br[high] - br[low]) >= 0) [br[high], bf[high], bg[high], bgtd[high]] = [br[low], bf[low], bg[low], bgtd[low]];
      [br[low], bf[low], bg[low], bgtd[low]] = [t, fNew, gNew, gtdNew];
    }
  }
  return { f: bf[low], g: bg[low], t: br[low], evals };
}

/** PyTorch's LBFGS.step in float64, its state (s.nIter: the iterations so far) kept from step to step; step moves x in place. */
function referenceLBFGS({ lr = 1, maxIter = 20, maxEval, toleranceGrad = 1e-7, toleranceChange = 1e-9, historySize = 100, lineSearchFn = null }: tm.optim.LBFGSOptions) {
  const maxEvals = maxEval ?? Math.floor((maxIter * 5) / 4);
  const s = { nIter: 0, d: new Float64Array(), t: 0, dirs: [] as Float64Array[], stps: [] as Float64Array[], ro: [] as number[], hDiag: 1, prevG: new Float64Array(), prevLoss: 0 };
  const step = (obj: Objective, x: Float64Array): number => {
    let { f: loss, g } = obj(x);
    const orig = loss;
    let evals = 1;
    if (maxAbs(g) <= toleranceGrad) return orig;
    for (let n = 1; n <= maxIter; n++) {
      s.nIter++;
      if (s.nIter === 1) {
        s.d = g.map((v) => -v);
        [s.dirs, s.stps, s.ro, s.hDiag] = [[], [], [], 1];
      } else {
        const y = g.map((v, i) => v - s.prevG[i]);
        const st = s.d.map((v) => v * s.t);
        const ys = dot(y, st);
        if (ys > 1e-10) {
          if (s.dirs.length === historySize) [s.dirs.shift(), s.stps.shift(), s.ro.shift()];
          s.dirs.push(y);
          s.stps.push(st);
          s.ro.push(1 / ys);
          s.hDiag = ys / dot(y, y);
        }
        const al: number[] = [];
        const q = g.map((v) => -v);
        for (let i = s.dirs.length - 1; i >= 0; i--) {
          al[i] = dot(s.stps[i], q) * s.ro[i];
          q.forEach((v, j) => (q[j] = v - al[i] * s.dirs[i][j]));
        }
        const r = q.map((v) => v * s.hDiag);
        for (let i = 0; i < s.dirs.length; i++) {
          const be = dot(s.dirs[i], r) * s.ro[i];
          r.forEach((v, j) => (r[j] = v + (al[i] - be) * s.stps[i][j]));
        }
        s.d = r;
      }
      s.prevG = g.slice();
      s.prevLoss = loss;
      s.t = s.nIter === 1 ? Math.min(1, 1 / g.reduce((a, v) => a + Math.abs(v), 0)) * lr : lr;
      const gtd = dot(g, s.d);
      if (gtd > -toleranceChange) break;
      let lsEvals = 0;
      let optCond = false;
      if (lineSearchFn) {
        const found = strongWolfe(obj, x.slice(), s.t, s.d, loss, g, gtd, toleranceChange);
        [loss, g, s.t, lsEvals] = [found.f, found.g, found.t, found.evals];
        x.set(along(x, s.t, s.d));
        optCond = maxAbs(g) <= toleranceGrad;
      } else {
        x.set(along(x, s.t, s.d));
        if (n !== maxIter) {
          ({ f: loss, g } = obj(x));
          optCond = maxAbs(g) <= toleranceGrad;
          lsEvals = 1;
        }
      }
      evals += lsEvals;
      if (n === maxIter || evals >= maxEvals || optCond) break;
      if (maxAbs(s.d) * Math.abs(s.t) <= toleranceChange) break;
      if (Math.abs(loss - s.prevLoss) < toleranceChange) break;
    }
    return orig;
  };
  return { step, state: s };
}

/** The Rosenbrock chain Σ 100·(x[i+1] − x[i]²)² + (1 − x[i])², its minimum 0 at all ones. */
const rosenbrock64: Objective = (x) => {
  const g = new Float64Array(x.length);
  let f = 0;
  for (let i = 0; i + 1 < x.length; i++) {
    const [a, b] = [x[i + 1] - x[i] ** 2, 1 - x[i]];
    f += 100 * a * a + b * b;
    g[i] += -400 * x[i] * a - 2 * b;
    g[i + 1] += 200 * a;
  }
  return { f, g };
};

function rosenbrock(x: tm.Tensor): tm.Tensor {
  const n = x.shape[0];
  const [head, tail] = [x.slice([0], [n - 1]), x.slice([1], [n - 1])];
  return tail.sub(head.square()).square().mul(100).add(head.neg().add(1).square()).sum();
}

/** ½‖A·w + c − b‖² over w [n] and c [1], A [m, n]: the loss and gradient of (w, c) flattened. */
function leastSquares64(a: Float64Array, b: Float64Array, m: number, n: number): Objective {
  return (x) => {
    const g = new Float64Array(n + 1);
    let f = 0;
    for (let i = 0; i < m; i++) {
      let r = x[n] - b[i];
      for (let j = 0; j < n; j++) r += a[i * n + j] * x[j];
      f += 0.5 * r * r;
      for (let j = 0; j < n; j++) g[j] += r * a[i * n + j];
      g[n] += r;
    }
    return { f, g };
  };
}

/** The closure step() takes: zero the gradients, the loss, backward, the loss returned. */
function closureOf(opt: tm.optim.LBFGS, loss: () => tm.Tensor): tm.optim.LBFGSClosure {
  return () => {
    opt.zeroGrad();
    const l = loss();
    l.backward();
    return l;
  };
}

const param = (values: Float64Array, shape: number[]) => {
  const p = tm.tensor(values, shape);
  p.requiresGrad = true;
  return p;
};

/** The Rosenbrock chain's starting point: (−1.5, 2, −1.5, 2…) nudged so no two coordinates are equal. */
const start = (n: number) => asF32(Float64Array.from({ length: n }, (_, i) => (i % 2 ? 2 : -1.5) + 0.01 * i));

describe.each(BACKENDS)('LBFGS on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it.each<tm.optim.LBFGSOptions>([
    { maxIter: 3 },
    { maxIter: 4, lr: 0.5, historySize: 2 },
    { maxIter: 2, lineSearchFn: 'strong_wolfe' },
  ])('least squares over two parameters: the iterates of PyTorch\'s algorithm step after step: %o', async (options) => {
    const [m, n] = [13, 7];
    // Well-conditioned, so that the iterates, not f32's rounding near the minimum, are compared.
    const [a, b] = [wellConditioned(m, n), asF32(uniform(m))];
    const x = asF32(uniform(n + 1, -1, 1));
    const [w, c] = [param(x.slice(0, n), [n]), param(x.slice(n), [1])];
    const [ta, tb] = [tm.tensor(a, [m, n]), tm.tensor(b, [m])];
    const opt = new tm.optim.LBFGS([w, c], options);
    const closure = closureOf(opt, () => ta.matmul(w.reshape([n, 1])).reshape([m]).add(c).sub(tb).square().sum().mul(0.5));
    const obj = leastSquares64(a, b, m, n);
    const reference = referenceLBFGS(options);
    for (let step = 1; step <= 3; step++) {
      const want = reference.step(obj, x);
      expectClose([await opt.step(closure)], [want], 1e-5, `loss before step ${step}`);
      const got = Float64Array.from([...(await w.data()), ...(await c.data())]);
      expectClose(got, x, 1e-4, `step ${step}`, x.map((v) => Math.max(Math.abs(v), 1)));
    }
    opt.dispose();
  });

  it.each<[number, tm.optim.LBFGSOptions]>([
    [2, { maxIter: 3, lr: 0.1 }],
    [2, { maxIter: 5, lineSearchFn: 'strong_wolfe' }],
    [10, { maxIter: 5, lineSearchFn: 'strong_wolfe', historySize: 3 }],
  ])('the Rosenbrock function in %d dimensions: the iterates of PyTorch\'s algorithm step after step: %o', async (dims, options) => {
    const x = start(dims);
    const p = param(x, [dims]);
    const opt = new tm.optim.LBFGS([p], options);
    const closure = closureOf(opt, () => rosenbrock(p));
    const reference = referenceLBFGS(options);
    for (let step = 1; step <= 3; step++) {
      reference.step(rosenbrock64, x);
      await opt.step(closure);
      expectClose(await p.data(), x, 1e-4, `step ${step}`, x.map((v) => Math.max(Math.abs(v), 1)));
    }
    expect(opt.iterationCount).toBe(reference.state.nIter);
    opt.dispose();
  });

  it.each([2, 10])('reaches the minimum of the %d-dimensional Rosenbrock function, all ones, with the strong-Wolfe line search', async (dims) => {
    const p = param(start(dims), [dims]);
    const opt = new tm.optim.LBFGS([p], { lineSearchFn: 'strong_wolfe', maxIter: 100 });
    const closure = closureOf(opt, () => rosenbrock(p));
    let loss = Infinity;
    for (let step = 0; step < 3 && loss > 1e-10; step++) loss = await opt.step(closure);
    expectClose(await p.data(), new Float64Array(dims).fill(1), 2e-3, 'minimum');
    opt.dispose();
  });

  it('solves least squares, a frozen parameter beside left alone: the normal equations\' solution, and then stops at once (max|g| ≤ toleranceGrad: one evaluation, no move)', async () => {
    const [m, n] = [13, 5];
    // b = A·w* rounded to f32: a residual near 0 at the minimum, which f32 losses resolve (a loss of order 1 is flat to f32 within ~1e-3 of it).
    const [a, wStar] = [wellConditioned(m, n), uniform(n, -1, 1)];
    const b = asF32(Float64Array.from({ length: m }, (_, i) => wStar.reduce((s, v, j) => s + v * a[i * n + j], 0)));
    // The solution of AᵀA·w = Aᵀb by Gauss–Jordan elimination in float64.
    const ata = Array.from({ length: n }, (_, i) => [...Array.from({ length: n }, (_, j) => a.reduce((s, _v, k) => (k % n === 0 ? s + a[k + i] * a[k + j] : s), 0)), a.reduce((s, _v, k) => (k % n === 0 ? s + a[k + i] * b[k / n] : s), 0)]);
    for (let col = 0; col < n; col++) {
      for (let row = 0; row < n; row++) {
        if (row === col) continue;
        const f = ata[row][col] / ata[col][col];
        for (let k = col; k <= n; k++) ata[row][k] -= f * ata[col][k];
      }
    }
    const solution = ata.map((row, i) => row[n] / row[i]);
    const w = param(new Float64Array(n), [n]);
    const [ta, tb] = [tm.tensor(a, [m, n]), tm.tensor(b, [m])];
    const frozen = tm.tensor([0.25, -3]); // no gradient: a zero block of the flat gradient, never moved
    const opt = new tm.optim.LBFGS([frozen, w], { lineSearchFn: 'strong_wolfe', toleranceGrad: 1e-5 });
    const closure = closureOf(opt, () => ta.matmul(w.reshape([n, 1])).reshape([m]).sub(tb).square().sum().mul(0.5));
    await opt.step(closure);
    expectClose(await w.data(), solution, 1e-4, 'least squares');
    expect(Array.from(await frozen.data())).toEqual([0.25, -3]);
    opt.dispose();
    const solved = await w.data();
    const again = new tm.optim.LBFGS([w], { toleranceGrad: 1e-2 });
    await again.step(closure);
    expect([again.evaluationCount, again.iterationCount]).toEqual([1, 0]);
    expect(await w.data()).toEqual(solved);
    again.dispose();
  });

  it("fits a model's parameters through the closure the README shows: a Dense layer to data a linear map made", async () => {
    const model = new tm.nn.Sequential([new tm.nn.Dense(3, 2, { seed: 1 })]);
    const x = tm.randn([17, 3], { seed: 2 });
    const y = tm.tidy(() => x.matmul(tm.tensor([[0.5, -1], [2, 0.25], [-0.75, 1.5]])).add(tm.tensor([0.1, -0.2])));
    const opt = new tm.optim.LBFGS(model.parameters(), { lineSearchFn: 'strong_wolfe' });
    const first = await opt.step(() => {
      opt.zeroGrad();
      const loss = tm.losses.mse(model.forward(x), y);
      loss.backward();
      return loss;
    });
    expect(first).toBeGreaterThan(0.1);
    const after = await tm.noGrad(() => tm.losses.mse(model.forward(x), y)).item();
    expect(after).toBeLessThan(1e-8);
    opt.dispose();
  });

  it.each<tm.optim.LBFGSOptions>([{ maxIter: 4, historySize: 3 }, { maxIter: 4, historySize: 3, lineSearchFn: 'strong_wolfe' }])('keeps its memory flat step after step, the history capped, all of it freed by dispose(): %o', async (options) => {
    const p = param(start(10), [10]);
    const begin = await collected();
    const opt = new tm.optim.LBFGS([p], options);
    const closure = closureOf(opt, () => tm.tidy(() => rosenbrock(p)));
    let settled = -1;
    for (let step = 1; step <= 5; step++) {
      await opt.step(closure);
      opt.zeroGrad();
      if (step === 2) settled = await collected();
      if (step > 2) expect(await collected(), `after step ${step}`).toBe(settled);
    }
    // The direction, the last gradient, and three (s, y) pairs.
    expect(settled - begin).toBe(2 + 2 * 3);
    opt.dispose();
    expect(await collected()).toBe(begin);
    p.dispose();
  });
});

describe('LBFGS settings', () => {
  const w = tm.tensor([1, 2]);
  w.requiresGrad = true;

  it("has PyTorch's defaults", () => {
    const opt = new tm.optim.LBFGS([w]);
    expect([opt.lr, opt.maxIter, opt.maxEval, opt.toleranceGrad, opt.toleranceChange, opt.historySize, opt.lineSearchFn]).toEqual([1, 20, 25, 1e-7, 1e-9, 100, null]);
    expect(new tm.optim.LBFGS([w], { maxIter: 7 }).maxEval).toBe(8);
  });

  it('refuses bad options, naming them', () => {
    const cases: [tm.optim.LBFGSOptions, string][] = [
      [{ lr: -1 }, 'LBFGS: lr must be a finite number in [0, ∞), got -1'],
      [{ maxIter: 0 }, 'LBFGS: maxIter must be an integer of at least 1, got 0'],
      [{ maxEval: 2.5 }, 'LBFGS: maxEval must be an integer of at least 1, got 2.5'],
      [{ historySize: NaN }, 'LBFGS: historySize must be an integer of at least 1, got NaN'],
      [{ toleranceGrad: -1e-7 }, 'LBFGS: toleranceGrad must be a finite number in [0, ∞), got -1e-7'],
      [{ toleranceChange: Infinity }, 'LBFGS: toleranceChange must be a finite number in [0, ∞), got Infinity'],
      [{ lineSearchFn: 'armijo' as 'strong_wolfe' }, 'LBFGS: lineSearchFn must be null or \'strong_wolfe\', got "armijo"'],
      [{ line_search_fn: 'strong_wolfe' } as tm.optim.LBFGSOptions, 'LBFGS: unknown option "line_search_fn"'],
    ];
    for (const [options, message] of cases) expect(() => new tm.optim.LBFGS([w], options)).toThrow(message);
    expect(() => new tm.optim.LBFGS([tm.tensor([1])])).toThrow('LBFGS: none of the 1 parameters has requiresGrad set');
  });

  it('refuses a step without a closure, a closure that does not return the loss or leaves a gradient of another size, and a step while one runs', async () => {
    const opt = new tm.optim.LBFGS([w]);
    await expect(opt.step(undefined as unknown as tm.optim.LBFGSClosure)).rejects.toThrow('LBFGS.step: needs a closure that zeroes the gradients, computes the loss, calls backward() and returns the loss, got undefined');
    await expect(opt.step(() => w.mul(2))).rejects.toThrow('LBFGS.step: the closure must return the loss, a tensor of one value, got [2]');
    await expect(opt.step(() => 3 as unknown as tm.Tensor)).rejects.toThrow('LBFGS.step: the closure must return the loss, a tensor of one value, got 3');
    await expect(opt.step(() => {
      w.grad = tm.tensor([1, 2, 3]);
      return tm.tensor(1);
    })).rejects.toThrow(/^LBFGS\.step: the gradient of Tensor\(\[2\], f32, \w+\) is \[3\]; it must be the parameter's \[2\]$/);
    opt.zeroGrad();
    const closure = closureOf(opt, () => w.square().sum());
    const first = opt.step(closure);
    await expect(opt.step(closure)).rejects.toThrow('LBFGS.step: the last step has not finished (await each step before the next)');
    await first;
    opt.dispose();
  });
});
