// L-BFGS (Nocedal 1980; Liu & Nocedal 1989), as PyTorch's torch.optim.LBFGS
// (torch/optim/lbfgs.py, the same in 1.13 and 2.x, itself after minFunc):
// a quasi-Newton method for full-batch problems that estimates the inverse
// Hessian from the last historySize steps s and gradient changes y, and
// takes several iterations (each needing the loss and gradient again) per
// step(closure).
//   d = −H·g by the two-loop recursion, H₀ = (s·y)/(y·y) of the newest pair
//   (a pair is kept only where s·y > 1e-10); the first direction is −g.
//   t = lr (the very first iteration: min(1, 1/‖g‖₁)·lr), or the step a
//   strong-Wolfe line search finds from it (cubic interpolation, c1 = 1e-4,
//   c2 = 0.9, at most 25 evaluations); x += t·d.
// Stops when max|g| ≤ toleranceGrad, g·d > −toleranceChange, max|t·d| or
// the loss's change is below toleranceChange, or maxIter iterations or
// maxEval evaluations are spent. The history and the last direction carry
// over from one step to the next, as PyTorch's state does.
//
// The parameters are handled as one flat vector (parametersToVector), in
// f32 whatever their float dtype. Every scalar the algorithm branches on (a
// loss, a dot product) is read back from the device, so step is async and
// its closure may be too. Kept in a module of its own: a page that does not
// use it does not download it.
import { keep, tidy } from '../engine.js';
import { ShapeError, ValueError, formatShape, formatValue } from '../errors.js';
import { cast, concat, zeros } from '../ops/index.js';
import { onBackendOf } from '../ops/util.js';
import { parametersToVector, vectorToParameters } from '../nn/utils/parameters_vector.js';
import { checkOptions, type OptionNames } from '../options.js';
import { noGrad } from '../tape.js';
import { Tensor } from '../tensor.js';
import { checkParams, hyperparameter } from './optimizer.js';
import { stateCount, stateOf, stateTensor, type LBFGSState, type StateTensor } from './state.js';

export interface LBFGSOptions {
  /** The step length tried first (the whole step without a line search). Default 1. */
  lr?: number;
  /** Iterations per step(). Default 20. */
  maxIter?: number;
  /** Evaluations of the closure per step(). Default ⌊maxIter·5/4⌋. */
  maxEval?: number;
  /** Stop once every gradient entry is at most this in size. Default 1e-7. */
  toleranceGrad?: number;
  /** Stop once the loss, or every entry of the step, changes by less than this. Default 1e-9. */
  toleranceChange?: number;
  /** The (s, y) pairs kept: the memory is about (2·historySize + 3) copies of the parameters. Default 100. */
  historySize?: number;
  /** 'strong_wolfe' for PyTorch's line search; null for a fixed step of lr. Default null. */
  lineSearchFn?: 'strong_wolfe' | null;
}

const OPTIONS: OptionNames<LBFGSOptions> = { lr: true, maxIter: true, maxEval: true, toleranceGrad: true, toleranceChange: true, historySize: true, lineSearchFn: true };

/**
 * What step() calls: zero the gradients, compute the loss, call
 * loss.backward(), and return the loss (or a promise of it). The step reads
 * the loss back and disposes it.
 */
export type LBFGSClosure = () => Tensor | Promise<Tensor>;

/** A count option checked: an integer of at least 1. */
function count(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) throw new ValueError(`LBFGS: ${name} must be an integer of at least 1, got ${formatValue(value)}`);
  return value;
}

/** PyTorch's _cubic_interpolate: the minimizer of the cubic through (x1, f1, g1) and (x2, f2, g2), within bounds (by default the two points). */
function cubicInterpolate(x1: number, f1: number, g1: number, x2: number, f2: number, g2: number, bounds?: [number, number]): number {
  const [low, high] = bounds ?? (x1 <= x2 ? [x1, x2] : [x2, x1]);
  const d1 = g1 + g2 - (3 * (f1 - f2)) / (x1 - x2);
  const d2Square = d1 * d1 - g1 * g2;
  if (d2Square < 0) return (low + high) / 2;
  const d2 = Math.sqrt(d2Square);
  const at = x1 <= x2 ? x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2)) : x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2));
  return Math.min(Math.max(at, low), high);
}

/** A scalar tensor made by `fn` read back, and freed. */
async function scalar(fn: () => Tensor): Promise<number> {
  const s = tidy(fn);
  try {
    return await s.item();
  } finally {
    s.dispose();
  }
}

const dot = (a: Tensor, b: Tensor) => scalar(() => a.mul(b).sum());
const maxAbs = (a: Tensor) => scalar(() => a.abs().max());

/** A point of the line search: the step length, the loss there, its gradient, and the gradient along d. */
interface Trial {
  t: number;
  f: number;
  g: Tensor;
  gtd: number;
}

/**
 * PyTorch's L-BFGS. Unlike the other optimizers, step takes a closure (it
 * evaluates the loss several times a step) and returns a promise:
 *
 *     const opt = new tm.optim.LBFGS(model.parameters(), { lineSearchFn: 'strong_wolfe' });
 *     const loss = await opt.step(() => {
 *       opt.zeroGrad();
 *       const l = tm.losses.mse(model.forward(x), y);
 *       l.backward();
 *       return l;
 *     });
 *
 * Meant for full-batch, deterministic problems (a noisy minibatch loss
 * breaks its curvature estimates). No weight decay, as in PyTorch.
 */
export class LBFGS {
  readonly maxIter: number;
  readonly maxEval: number;
  readonly toleranceGrad: number;
  readonly toleranceChange: number;
  readonly historySize: number;
  readonly lineSearchFn: 'strong_wolfe' | null;
  private readonly params: Tensor[];
  private rate: number;
  // PyTorch's state: the last direction and step length, the (s, y) history with ρ = 1/(s·y), H₀'s scale, and the last gradient and loss.
  private direction: Tensor | null = null;
  private stepLength = 0;
  private readonly steps: Tensor[] = [];
  private readonly gradChanges: Tensor[] = [];
  private readonly rho: number[] = [];
  private hDiag = 1;
  private prevFlatGrad: Tensor | null = null;
  private prevLoss = NaN;
  private iterations = 0;
  private evaluations = 0;
  private running = false;

  constructor(params: Tensor[], options: LBFGSOptions = {}) {
    options = checkOptions('LBFGS', options, OPTIONS);
    this.params = checkParams('LBFGS', params);
    this.rate = hyperparameter('LBFGS', 'lr', options.lr ?? 1, 0);
    this.maxIter = count('maxIter', options.maxIter ?? 20);
    this.maxEval = count('maxEval', options.maxEval ?? Math.floor((this.maxIter * 5) / 4));
    this.toleranceGrad = hyperparameter('LBFGS', 'toleranceGrad', options.toleranceGrad ?? 1e-7, 0);
    this.toleranceChange = hyperparameter('LBFGS', 'toleranceChange', options.toleranceChange ?? 1e-9, 0);
    this.historySize = count('historySize', options.historySize ?? 100);
    const search: unknown = options.lineSearchFn ?? null;
    if (search !== null && search !== 'strong_wolfe') throw new ValueError(`LBFGS: lineSearchFn must be null or 'strong_wolfe', got ${formatValue(search)}`);
    this.lineSearchFn = search;
  }

  /** The step length tried first (0 allowed, as the other optimizers allow it). */
  get lr(): number {
    return this.rate;
  }

  set lr(value: number) {
    this.rate = hyperparameter('LBFGS', 'lr', value, 0);
  }

  /** Iterations taken so far, over all steps (PyTorch's state['n_iter']). */
  get iterationCount(): number {
    return this.iterations;
  }

  /** Evaluations of the closure so far, over all steps (PyTorch's state['func_evals']). */
  get evaluationCount(): number {
    return this.evaluations;
  }

  /**
   * Up to maxIter iterations of L-BFGS, evaluating `closure` at each point it
   * tries; resolves to the loss before the first (as PyTorch's step returns
   * orig_loss). One step at a time: await it before the next.
   */
  async step(closure: LBFGSClosure): Promise<number> {
    if (typeof closure !== 'function') throw new ValueError(`LBFGS.step: needs a closure that zeroes the gradients, computes the loss, calls backward() and returns the loss, got ${formatValue(closure)}`);
    if (this.running) throw new ValueError('LBFGS.step: the last step has not finished (await each step before the next)');
    this.running = true;
    try {
      return await this.iterate(closure);
    } finally {
      this.running = false;
    }
  }

  private async iterate(closure: LBFGSClosure): Promise<number> {
    const lr = this.rate;
    let loss = await this.evaluate(closure);
    const origLoss = loss;
    let evals = 1;
    this.evaluations++;
    let flatGrad = this.flatGrad();
    try {
      if ((await maxAbs(flatGrad)) <= this.toleranceGrad) return origLoss;
      for (let n = 1; n <= this.maxIter; n++) {
        this.iterations++;
        const d = this.iterations === 1 ? this.firstDirection(flatGrad) : await this.lbfgsDirection(flatGrad);
        this.replace('direction', d);
        this.replace('prevFlatGrad', keep(flatGrad.clone()));
        this.prevLoss = loss;
        let t = this.iterations === 1 ? Math.min(1, 1 / (await scalar(() => flatGrad.abs().sum()))) * lr : lr;
        this.stepLength = t;
        const gtd = await dot(flatGrad, d);
        if (gtd > -this.toleranceChange) break;

        let lsEvals = 0;
        let converged = false;
        if (this.lineSearchFn) {
          const x = this.flatParams();
          try {
            const found = await this.strongWolfe(closure, x, t, d, loss, flatGrad, gtd);
            ({ t, f: loss } = found);
            if (found.g !== flatGrad) {
              flatGrad.dispose();
              flatGrad = found.g;
            }
            lsEvals = found.evals;
            this.setParams(x, t, d);
          } finally {
            x.dispose();
          }
          converged = (await maxAbs(flatGrad)) <= this.toleranceGrad;
        } else {
          const x = this.flatParams();
          this.setParams(x, t, d);
          x.dispose();
          if (n !== this.maxIter) {
            loss = await this.evaluate(closure);
            flatGrad.dispose();
            flatGrad = this.flatGrad();
            converged = (await maxAbs(flatGrad)) <= this.toleranceGrad;
            lsEvals = 1;
          }
        }
        evals += lsEvals;
        this.evaluations += lsEvals;
        this.stepLength = t;
        if (n === this.maxIter || evals >= this.maxEval || converged) break;
        if (Math.abs(t) * (await maxAbs(d)) <= this.toleranceChange) break;
        if (Math.abs(loss - this.prevLoss) < this.toleranceChange) break;
      }
      return origLoss;
    } finally {
      flatGrad.dispose();
    }
  }

  /** The first iteration's direction, −g, the history emptied. */
  private firstDirection(flatGrad: Tensor): Tensor {
    for (const s of [...this.steps, ...this.gradChanges]) s.dispose();
    this.steps.length = this.gradChanges.length = this.rho.length = 0;
    this.hDiag = 1;
    return keep(tidy(() => flatGrad.neg()));
  }

  /** Updates the history with the last step, then −H·g by the two-loop recursion, the α's kept on the device. */
  private async lbfgsDirection(flatGrad: Tensor): Promise<Tensor> {
    const y = keep(tidy(() => flatGrad.sub(this.prevFlatGrad!)));
    const s = keep(tidy(() => this.direction!.mul(this.stepLength)));
    const ys = await dot(y, s);
    if (ys > 1e-10) {
      if (this.steps.length === this.historySize) {
        this.steps.shift()!.dispose();
        this.gradChanges.shift()!.dispose();
        this.rho.shift();
      }
      this.steps.push(s);
      this.gradChanges.push(y);
      this.rho.push(1 / ys);
      this.hDiag = ys / (await dot(y, y));
    } else {
      y.dispose();
      s.dispose();
    }
    return keep(tidy(() => {
      const k = this.steps.length;
      const alpha: Tensor[] = [];
      let q = flatGrad.neg();
      for (let i = k - 1; i >= 0; i--) {
        alpha[i] = this.steps[i].mul(q).sum().mul(this.rho[i]);
        q = q.sub(this.gradChanges[i].mul(alpha[i]));
      }
      let r = q.mul(this.hDiag);
      for (let i = 0; i < k; i++) {
        const beta = this.gradChanges[i].mul(r).sum().mul(this.rho[i]);
        r = r.add(this.steps[i].mul(alpha[i].sub(beta)));
      }
      return r;
    }));
  }

  /**
   * PyTorch's _strong_wolfe: brackets a step length along d satisfying the
   * strong Wolfe conditions (growing t by cubic extrapolation), then zooms
   * in on it by cubic interpolation. The parameters are left at x; the
   * gradient returned is `g` itself or a tensor the caller owns.
   */
  private async strongWolfe(closure: LBFGSClosure, x: Tensor, t: number, d: Tensor, f: number, g: Tensor, gtd: number): Promise<{ t: number; f: number; g: Tensor; evals: number }> {
    const c1 = 1e-4, c2 = 0.9, maxLs = 25;
    const made: Tensor[] = [];
    const at = async (step: number): Promise<Trial> => {
      const [fNew, gNew] = await this.directionalEvaluate(closure, x, step, d);
      made.push(gNew);
      return { t: step, f: fNew, g: gNew, gtd: await dot(gNew, d) };
    };
    let result: Trial | undefined;
    try {
      const dNorm = await maxAbs(d);
      let trial = await at(t);
      let evals = 1;
      let prev: Trial = { t: 0, f, g, gtd };
      let bracket: Trial[] | null = null;
      let done = false;
      let lsIter = 0;
      while (lsIter < maxLs) {
        if (trial.f > f + c1 * trial.t * gtd || (lsIter > 1 && trial.f >= prev.f)) {
          bracket = [prev, trial];
          break;
        }
        if (Math.abs(trial.gtd) <= -c2 * gtd) {
          bracket = [trial];
          done = true;
          break;
        }
        if (trial.gtd >= 0) {
          bracket = [prev, trial];
          break;
        }
        const next = cubicInterpolate(prev.t, prev.f, prev.gtd, trial.t, trial.f, trial.gtd, [trial.t + 0.01 * (trial.t - prev.t), trial.t * 10]);
        prev = trial;
        trial = await at(next);
        evals++;
        lsIter++;
      }
      // Out of evaluations: PyTorch's bracket [0, t] (no zoom follows, lsIter being spent).
      if (lsIter === maxLs) bracket = [{ t: 0, f, g, gtd }, trial];
      const b = bracket!;
      let [low, high] = b[0].f <= b[b.length - 1].f ? [0, 1] : [1, 0];
      let insufficientProgress = false;
      while (!done && lsIter < maxLs) {
        if (Math.abs(b[1].t - b[0].t) * dNorm < this.toleranceChange) break;
        let next = cubicInterpolate(b[0].t, b[0].f, b[0].gtd, b[1].t, b[1].f, b[1].gtd);
        const [lo, hi] = [Math.min(b[0].t, b[1].t), Math.max(b[0].t, b[1].t)];
        const eps = 0.1 * (hi - lo);
        // Too near an end of the bracket: twice running, or at it, move 0.1 of the bracket in.
        if (Math.min(hi - next, next - lo) < eps) {
          if (insufficientProgress || next >= hi || next <= lo) {
            next = Math.abs(next - hi) < Math.abs(next - lo) ? hi - eps : lo + eps;
            insufficientProgress = false;
          } else {
            insufficientProgress = true;
          }
        } else {
          insufficientProgress = false;
        }
        const trialZ = await at(next);
        evals++;
        lsIter++;
        if (trialZ.f > f + c1 * trialZ.t * gtd || trialZ.f >= b[low].f) {
          b[high] = trialZ;
          [low, high] = b[0].f <= b[1].f ? [0, 1] : [1, 0];
        } else {
          if (Math.abs(trialZ.gtd) <= -c2 * gtd) done = true;
          else if (trialZ.gtd * (b[high].t - b[low].t) >= 0) b[high] = b[low];
          b[low] = trialZ;
        }
      }
      result = b[low];
      return { t: result.t, f: result.f, g: result.g, evals };
    } finally {
      for (const m of made) if (m !== result?.g) m.dispose();
    }
  }

  /** The loss and gradient at x + t·d, the parameters put back at x after. */
  private async directionalEvaluate(closure: LBFGSClosure, x: Tensor, t: number, d: Tensor): Promise<[number, Tensor]> {
    this.setParams(x, t, d);
    try {
      const loss = await this.evaluate(closure);
      return [loss, this.flatGrad()];
    } finally {
      this.setParams(x, 0, d);
    }
  }

  /** Calls the closure and reads its loss back, disposing it. */
  private async evaluate(closure: LBFGSClosure): Promise<number> {
    const loss: unknown = await closure();
    if (!(loss instanceof Tensor) || loss.size !== 1) {
      if (loss instanceof Tensor) loss.dispose();
      throw new ValueError(`LBFGS.step: the closure must return the loss, a tensor of one value, got ${loss instanceof Tensor ? `${formatShape(loss.shape)}` : formatValue(loss)}`);
    }
    try {
      return await loss.item();
    } finally {
      loss.dispose();
    }
  }

  /** The parameters' gradients as one f32 vector, zeros for a parameter without one (PyTorch's _gather_flat_grad). */
  private flatGrad(): Tensor {
    return keep(tidy(() => concat(this.params.map((p) => {
      const g: unknown = p.grad;
      if (!g) return onBackendOf('LBFGS.step', p, () => zeros([p.size]));
      if (!(g instanceof Tensor) || g.size !== p.size) {
        throw new ShapeError(`LBFGS.step: the gradient of ${p} is ${g instanceof Tensor ? formatShape(g.shape) : formatValue(g)}; it must be the parameter's ${formatShape(p.shape)}`);
      }
      const flat = g.reshape([p.size]);
      return flat.dtype === 'f32' ? flat : cast(flat, 'f32');
    }))));
  }

  /** The parameters as one f32 vector. */
  private flatParams(): Tensor {
    return keep(tidy(() => noGrad(() => {
      const v = parametersToVector(this.params);
      return v.dtype === 'f32' ? v : cast(v, 'f32');
    })));
  }

  /** Sets the parameters to x + t·d. */
  private setParams(x: Tensor, t: number, d: Tensor): void {
    const v = t === 0 ? x : tidy(() => x.add(d.mul(t)));
    vectorToParameters(v, this.params);
    if (v !== x) v.dispose();
  }

  private replace(key: 'direction' | 'prevFlatGrad', value: Tensor): void {
    const old = this[key];
    this[key] = value;
    if (old && old !== value) old.dispose();
  }

  /** Clears every parameter's gradient. */
  zeroGrad(): void {
    for (const p of this.params) {
      p.grad?.dispose();
      p.grad = null;
    }
  }

  /**
   * The state a later step goes on from (PyTorch's state_dict): the counts,
   * the last step, loss and gradient and the curvature history. Its tensors
   * are copies, yours to dispose.
   */
  stateDict(): LBFGSState {
    const copy = (t: Tensor) => keep(noGrad(() => t.clone()));
    return {
      optimizer: 'LBFGS',
      lr: this.rate,
      iterations: this.iterations,
      evaluations: this.evaluations,
      stepLength: this.stepLength,
      hDiag: this.hDiag,
      prevLoss: this.prevLoss,
      rho: [...this.rho],
      direction: this.direction && copy(this.direction),
      prevFlatGrad: this.prevFlatGrad && copy(this.prevFlatGrad),
      steps: this.steps.map(copy),
      gradChanges: this.gradChanges.map(copy),
    };
  }

  /**
   * Loads a state stateDict() gave into this LBFGS, made over the same
   * parameters (historySize at least the state's history); the other
   * settings stay as it was made. A state refused leaves it as it was.
   */
  loadStateDict(state: LBFGSState<StateTensor>): void {
    this.prepareLoad(state)();
  }

  /**
   * Checks `state` whole and gives what loads it (see Optimizer.prepareLoad).
   * @internal
   */
  prepareLoad(state: LBFGSState<StateTensor>): () => void {
    const where = 'LBFGS.loadStateDict';
    if (this.running) throw new ValueError(`${where}: a step is under way (await it first)`);
    const checked = stateOf(where, state, 'optimizer', 'LBFGS');
    const lr = hyperparameter(where, 'lr', checked.lr, 0);
    const iterations = stateCount(where, 'iterations', checked.iterations);
    const evaluations = stateCount(where, 'evaluations', checked.evaluations);
    const [stepLength, hDiag, prevLoss] = (['stepLength', 'hDiag', 'prevLoss'] as const).map((name) => {
      const v = checked[name];
      // prevLoss is NaN before the first iteration.
      if (typeof v !== 'number' || (name !== 'prevLoss' && !Number.isFinite(v))) throw new ValueError(`${where}: ${name} must be a ${name === 'prevLoss' ? '' : 'finite '}number, got ${formatValue(v)}`);
      return v;
    });
    const { rho, steps, gradChanges } = checked;
    if (!Array.isArray(rho) || !Array.isArray(steps) || !Array.isArray(gradChanges) || steps.length !== rho.length || gradChanges.length !== rho.length || rho.some((r) => !Number.isFinite(r))) {
      throw new ValueError(`${where}: rho, steps and gradChanges must be lists of one length (finite numbers, tensors), got ${formatValue(rho)}, ${formatValue(steps)} and ${formatValue(gradChanges)}`);
    }
    if (rho.length > this.historySize) throw new ValueError(`${where}: the state's history holds ${rho.length} pairs, more than this LBFGS's historySize ${this.historySize}`);
    const size = this.params.reduce((n, p) => n + p.size, 0);
    const vector = (name: string, entry: unknown) => stateTensor(`${where}: ${name}`, entry, this.params[0], ['f32'], [size]);
    const started = iterations > 0;
    for (const name of ['direction', 'prevFlatGrad'] as const) {
      if ((checked[name] === null || checked[name] === undefined) === started) {
        throw new ValueError(`${where}: ${name} must be ${started ? 'a tensor after' : 'null before'} the first iteration (iterations ${iterations}), got ${formatValue(checked[name])}`);
      }
    }
    const direction = started ? vector('direction', checked.direction) : null;
    const prevFlatGrad = started ? vector('prevFlatGrad', checked.prevFlatGrad) : null;
    const history = steps.map((t: unknown, i) => [vector(`steps[${i}]`, t), vector(`gradChanges[${i}]`, gradChanges[i])] as const);
    return () => {
      this.dispose();
      [this.rate, this.iterations, this.evaluations] = [lr, iterations, evaluations];
      [this.stepLength, this.hDiag, this.prevLoss] = [stepLength, hDiag, prevLoss];
      noGrad(() => {
        this.direction = direction && keep(direction());
        this.prevFlatGrad = prevFlatGrad && keep(prevFlatGrad());
        for (const [s, y] of history) {
          this.steps.push(keep(s()));
          this.gradChanges.push(keep(y()));
        }
      });
      this.rho.push(...(rho as number[]));
    };
  }

  /** Frees the history and the last direction and gradient. */
  dispose(): void {
    for (const t of [...this.steps, ...this.gradChanges]) t.dispose();
    this.steps.length = this.gradChanges.length = this.rho.length = 0;
    this.direction?.dispose();
    this.prevFlatGrad?.dispose();
    this.direction = this.prevFlatGrad = null;
    this.iterations = 0;
  }
}
