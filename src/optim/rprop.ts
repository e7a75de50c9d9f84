// Rprop (Riedmiller & Braun 1993, resilient backpropagation; PyTorch's
// torch.optim.Rprop, the same in 1.13 and 2.x): each weight moves by a step
// size of its own in the direction of its gradient's sign, the size grown
// while the sign holds and shrunk where it flips. Made for full-batch
// training: minibatch noise flips signs at random.
//   s = sign(g·prev);  size = clip(size·(s > 0 ? η+ : s < 0 ? η− : 1), min, max)
//   where s < 0, g = 0 (no move, and no flip seen at the next step)
//   p −= sign(g)·size;  prev = g,
// size starting at lr and prev at 0 (so the first step moves each weight by lr).
import type { Tensor } from '../tensor.js';
import { fill, where } from '../ops/index.js';
import { onBackendOf } from '../ops/util.js';
import { ValueError, formatValue } from '../errors.js';
import { checkOptions, type OptionNames } from '../options.js';
import { hyperparameter, inF32, Optimizer } from './optimizer.js';

export interface RpropOptions {
  /** Every weight's first step size (later changes to lr do not reach the sizes already made). Default 0.01. */
  lr?: number;
  /** [η−, η+]: what a step size is multiplied by where the gradient's sign flips, and where it holds; 0 < η− < 1 < η+. Default [0.5, 1.2]. */
  etas?: readonly [number, number];
  /** [min, max]: the bounds of every step size, 0 ≤ min ≤ max. Default [1e-6, 50]. */
  stepSizes?: readonly [number, number];
  /** Step up the gradient (maximize the objective). Default false. */
  maximize?: boolean;
}

const OPTIONS: OptionNames<RpropOptions> = { lr: true, etas: true, stepSizes: true, maximize: 'boolean' };

/** A pair option checked as an array of two. */
function pair(name: string, value: unknown): readonly [unknown, unknown] {
  if (!Array.isArray(value) || value.length !== 2) throw new ValueError(`Rprop: ${name} must be an array of two numbers, got ${formatValue(value)}`);
  return value as [unknown, unknown];
}

export class Rprop extends Optimizer {
  protected readonly bufferNames = ['stepSize', 'prev'];
  /** What a step size is multiplied by where the gradient's sign flips. */
  readonly etaMinus: number;
  /** What a step size is multiplied by where the gradient's sign holds. */
  readonly etaPlus: number;
  readonly minStepSize: number;
  readonly maxStepSize: number;
  readonly maximize: boolean;

  constructor(params: Tensor[], options: RpropOptions = {}) {
    options = checkOptions('Rprop', options, OPTIONS);
    super(params, options.lr ?? 0.01, 'Rprop');
    const [minus, plus] = pair('etas', options.etas ?? [0.5, 1.2]);
    this.etaMinus = hyperparameter('Rprop', 'etas[0]', minus, 0, 1, { min: true, max: true });
    this.etaPlus = hyperparameter('Rprop', 'etas[1]', plus, 1, Infinity, { min: true });
    const [min, max] = pair('stepSizes', options.stepSizes ?? [1e-6, 50]);
    this.minStepSize = hyperparameter('Rprop', 'stepSizes[0]', min, 0);
    this.maxStepSize = hyperparameter('Rprop', 'stepSizes[1]', max, this.minStepSize);
    this.maximize = options.maximize ?? false;
  }

  protected update(param: Tensor, gradient: Tensor, state: Record<string, Tensor>): Tensor {
    return inF32(param, gradient, (p, grad) => {
      const g = this.maximize ? grad.neg() : grad;
      // The first step: prev = 0, so every sign "holds" at factor 1 and each weight moves by lr.
      const size = state.stepSize ?? onBackendOf('Rprop', p, () => fill(p.shape, this.lr));
      const turn = state.prev ? g.mul(state.prev).sign() : null;
      const resized = turn ? where(turn.greater(0), size.mul(this.etaPlus), where(turn.less(0), size.mul(this.etaMinus), size)) : size;
      this.setState(state, 'stepSize', resized.clip(this.minStepSize, this.maxStepSize));
      // Cloned when kept as it is: the gradient itself is freed by zeroGrad.
      const kept = turn ? where(turn.less(0), 0, g) : g === grad ? g.clone() : g;
      this.setState(state, 'prev', kept);
      return p.sub(kept.sign().mul(state.stepSize));
    });
  }
}
