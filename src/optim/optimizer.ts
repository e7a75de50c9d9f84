// Optimizer: updates parameters in place (Tensor.assign) from their .grad,
// outside the autograd graph.
import { keep, tidy } from '../engine.js';
import { BackendMismatchError, ShapeError, ValueError, formatShape, formatValue } from '../errors.js';
import { sameShape } from '../shape.js';
import { noGrad } from '../tape.js';
import { Tensor } from '../tensor.js';
import { isRecord, stateCount, stateOf, stateTensor, type OptimizerState, type ParamState, type StateTensor } from './state.js';

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
  /** The names of the buffers it keeps for a parameter (Adam's m and v): what a state it loads may hold. */
  protected abstract readonly bufferNames: readonly string[];
  /** The numbers it keeps for a parameter beside the buffers, once updated (valuesOf / restoreValues). */
  protected readonly valueNames: readonly string[] = [];

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
        this.updates.set(p, this.updatesOf(p) + 1);
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
   * The updates `param` has had, counting the one under way (1 on its first):
   * the t of a bias correction or a decay, which a step that left this
   * parameter without a gradient does not advance (as in PyTorch).
   */
  protected updatesOf(param: Tensor): number {
    return this.updates.get(param) ?? 0;
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

  /** The numbers kept for `param` beside its buffers (valueNames), once it has been updated. */
  protected valuesOf(_param: Tensor): Record<string, number> {
    return {};
  }

  /** Sets the numbers kept for `param` from a state loaded; null for a parameter not updated yet. */
  protected restoreValues(_param: Tensor, _values: Record<string, number> | null): void {}

  /**
   * The state training resumes from (PyTorch's state_dict): the rate, the
   * steps taken and each parameter's count and buffers, in the order of the
   * parameters given. The buffers are copies, yours to dispose: the
   * optimizer replaces its own at every step. tm.nn.saveTrainingState
   * writes it to a file with the model's weights.
   */
  stateDict(): OptimizerState {
    return noGrad(() => ({
      optimizer: this.name,
      lr: this.lr,
      steps: this.steps,
      params: this.params.map((p): ParamState => ({
        updates: this.updatesOf(p),
        buffers: Object.fromEntries(Object.entries(this.stateOf(p)).map(([name, t]) => [name, keep(t.clone())])),
        values: this.updatesOf(p) ? this.valuesOf(p) : {},
      })),
    }));
  }

  /**
   * Loads a state stateDict() gave (or a file's, through
   * tm.nn.loadTrainingState) into this optimizer, made of the same kind over
   * the same parameters: the rate, the counts and copies of the buffers. The
   * other hyperparameters stay as this optimizer was made (PyTorch loads
   * them from the state). Every entry is checked first, so a state refused
   * leaves the optimizer as it was.
   */
  loadStateDict(state: OptimizerState<StateTensor>): void {
    this.prepareLoad(state)();
  }

  /**
   * Checks `state` whole and gives what loads it; loadTrainingState checks
   * every part of a file this way before it changes any.
   * @internal
   */
  prepareLoad(state: OptimizerState<StateTensor>): () => void {
    const where = `${this.name}.loadStateDict`;
    const checked = stateOf(where, state, 'optimizer', this.name);
    const lr = hyperparameter(where, 'lr', checked.lr, 0);
    const steps = stateCount(where, 'steps', checked.steps);
    const params = checked.params;
    if (!Array.isArray(params) || params.length !== this.params.length) {
      throw new ValueError(`${where}: the state holds ${Array.isArray(params) ? params.length : formatValue(params)} parameters and this optimizer ${this.params.length}; make it over the same parameters (model.parameters())`);
    }
    const loads = params.map((entry: unknown, i) => {
      const p = this.params[i];
      const at = `${where}: params[${i}]`;
      if (!isRecord(entry)) throw new ValueError(`${at} must be { updates, buffers, values }, got ${formatValue(entry)}`);
      const updates = stateCount(where, `params[${i}].updates`, entry.updates);
      const buffers = entry.buffers ?? {};
      if (!isRecord(buffers)) throw new ValueError(`${at}.buffers must be an object of tensors by name, got ${formatValue(buffers)}`);
      const made = Object.entries(buffers).map(([name, b]) => {
        if (!this.bufferNames.includes(name)) throw new ValueError(`${at} has a buffer ${name}; ${this.name} keeps ${this.bufferNames.join(' and ')}`);
        return [name, stateTensor(`${at}.buffers.${name}`, b, p, ['f32', p.dtype])] as const;
      });
      const values = entry.values ?? {};
      const expected = updates ? this.valueNames : [];
      const given = isRecord(values) ? Object.keys(values) : [];
      if (!isRecord(values) || given.length !== expected.length || expected.some((name) => !Number.isFinite(values[name]))) {
        throw new ValueError(`${at}.values must be ${expected.length ? `finite numbers ${expected.join(', ')}` : 'empty'}${updates ? '' : ' (not updated yet)'}, got ${formatValue(values)}`);
      }
      return { p, updates, made, values: values as Record<string, number> };
    });
    return () => {
      this.dispose();
      this.lr = lr;
      this.steps = steps;
      noGrad(() => {
        for (const { p, updates, made, values } of loads) {
          this.updates.set(p, updates);
          if (made.length) this.state.set(p, Object.fromEntries(made.map(([name, make]) => [name, keep(make())])));
          this.restoreValues(p, updates ? values : null);
        }
      });
    };
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
