// Optimizer: updates parameters in place (Tensor.assign) from their .grad,
// outside the autograd graph.
import { keep, tidy } from '../engine.js';
import { BackendMismatchError, ShapeError, ValueError, formatShape, formatValue } from '../errors.js';
import { sameShape } from '../shape.js';
import { noGrad } from '../tape.js';
import { Tensor } from '../tensor.js';

/**
 * A hyperparameter checked where it is given: a finite number within
 * [min, max], an end left out where `open` says so. A NaN, an ∞ or a string
 * there used to pass, and turned the weights NaN on the first step (or failed
 * differently on each backend).
 */
export function hyperparameter(where: string, name: string, value: unknown, min: number, max = Infinity, open: { min?: boolean; max?: boolean } = {}): number {
  const ok = typeof value === 'number' && Number.isFinite(value) &&
    (open.min ? value > min : value >= min) && (open.max ? value < max : value <= max);
  if (!ok) {
    const range = `${open.min ? '(' : '['}${min}, ${max === Infinity ? '∞)' : `${max}${open.max ? ')' : ']'}`}`;
    throw new ValueError(`${where}: ${name} must be a finite number in ${range}, got ${formatValue(value)}`);
  }
  return value as number;
}

/**
 * An f16 parameter's update worked out in f32, with f32 state buffers (the
 * ones `update` makes from its arguments), the new value cast back: in f16,
 * (1 − β2)·g² and an ε of 1e-8 flush to 0 (its smallest subnormal is 6e-8),
 * and a step divides by 0. Other dtypes are updated as they are.
 */
export function inF32(param: Tensor, grad: Tensor, update: (p: Tensor, grad: Tensor) => Tensor): Tensor {
  if (param.dtype !== 'f16') return update(param, grad);
  return update(param.cast('f32'), grad.cast('f32')).cast('f16');
}

/** An optimizer's parameter list checked: tensors, each listed once, some of them to train. */
export function checkParams(name: string, params: Tensor[]): Tensor[] {
  if (!Array.isArray(params) || params.some((p) => !(p instanceof Tensor))) throw new ValueError(`${name}: params must be an array of tensors (model.parameters())`);
  // A frozen parameter (requiresGrad off) is kept and never updated, as PyTorch keeps it, so that
  // model.parameters() serves with some layers frozen; a list with none to train is a mistake.
  if (params.length && !params.some((p) => p.requiresGrad)) {
    throw new ValueError(`${name}: none of the ${params.length} parameters has requiresGrad set: there is nothing to train (model.parameters() lists a model's)`);
  }
  const twice = params.find((p, i) => params.indexOf(p) !== i);
  if (twice) throw new ValueError(`${name}: parameter ${twice} is listed twice (it would be updated twice a step)`);
  return params;
}

export abstract class Optimizer {
  private rate: number;
  /** Its name in errors (class names do not survive the browser bundle's minifier). */
  protected readonly name: string;
  protected readonly params: Tensor[];
  /** Per-parameter state (momentum buffers, moments), created on first use. */
  private readonly state = new Map<Tensor, Record<string, Tensor>>();
  /** Each parameter's own count of the steps that updated it (PyTorch's state['step']). */
  private readonly updates = new WeakMap<Tensor, number>();
  protected steps = 0;

  constructor(params: Tensor[], lr: number, name: string) {
    this.name = name;
    this.params = checkParams(name, params);
    // 0 allowed, as in PyTorch: a frozen phase, or a warm-up's start.
    this.rate = hyperparameter(name, 'lr', lr, 0);
  }

  /** The learning rate; schedulers change it between epochs (0 allowed: the end of an annealing). */
  get lr(): number {
    return this.rate;
  }

  set lr(value: number) {
    this.rate = hyperparameter(this.name, 'lr', value, 0);
  }

  /** The new value of `param` from its gradient; `state` holds this parameter's buffers. */
  protected abstract update(param: Tensor, grad: Tensor, state: Record<string, Tensor>): Tensor;

  /**
   * Applies one update to every parameter that has a gradient. Every
   * gradient is checked before any parameter changes, so a step refused
   * leaves the model (and the step count) as it was.
   */
  step(): void {
    for (const p of this.params) this.checkGradient(p);
    this.steps++;
    noGrad(() => {
      for (const p of this.params) {
        if (!p.grad) continue;
        const state = this.state.get(p) ?? {};
        this.state.set(p, state);
        const next = tidy(() => {
          const value = this.update(p, p.grad!, state);
          // Buffers replaced during the update must outlive the tidy.
          for (const t of Object.values(state)) keep(t);
          return value;
        });
        p.assign(next);
        next.dispose();
      }
    });
  }

  /**
   * A gradient set by hand must match its parameter like backward()'s does:
   * one of another shape could broadcast into a wrong update, or fail only
   * after earlier parameters had been updated.
   */
  private checkGradient(p: Tensor): void {
    const where = `${this.name}.step`;
    const param = p.dataRef(`${where}: parameter`);
    const g: unknown = p.grad;
    if (!g) return;
    if (!(g instanceof Tensor)) throw new ValueError(`${where}: the gradient of ${p} is ${formatValue(g)}, not a Tensor`);
    const grad = g.dataRef(`${where}: the gradient of ${p}`);
    if (g.dtype !== p.dtype || !sameShape(g.shape, p.shape)) {
      throw new ShapeError(`${where}: the gradient of ${p} is ${formatShape(g.shape)} ${g.dtype}; it must be the parameter's ${formatShape(p.shape)} ${p.dtype}`);
    }
    if (grad.backend !== param.backend) {
      throw new BackendMismatchError(`${where}: the gradient of ${p} lives on ${grad.backend.name}, the parameter on ${param.backend.name}`);
    }
  }

  /**
   * Counts an update of `param` and gives its number, 1 on its first: the t of
   * a bias correction or a decay, which a step that left this parameter
   * without a gradient does not advance (as in PyTorch).
   */
  protected countUpdate(param: Tensor): number {
    const t = (this.updates.get(param) ?? 0) + 1;
    this.updates.set(param, t);
    return t;
  }

  /** The state buffers of `param`, none until its first update. */
  protected stateOf(param: Tensor): Readonly<Record<string, Tensor>> {
    return this.state.get(param) ?? {};
  }

  /** Replaces a state buffer, freeing the old one. */
  protected setState(state: Record<string, Tensor>, key: string, value: Tensor): Tensor {
    const old = state[key];
    state[key] = keep(value);
    if (old && old !== value) old.dispose();
    return value;
  }

  /** Clears every parameter's gradient. */
  zeroGrad(): void {
    for (const p of this.params) {
      p.grad?.dispose();
      p.grad = null;
    }
  }

  /** Frees the optimizer's buffers. */
  dispose(): void {
    for (const s of this.state.values()) for (const t of Object.values(s)) t.dispose();
    this.state.clear();
  }
}
