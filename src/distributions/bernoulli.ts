// The Bernoulli distribution, torch.distributions.Bernoulli.
import { epsilonOf } from '../dtype.js';
import { tidy } from '../engine.js';
import * as ops from '../ops/index.js';
import { noGrad } from '../tape.js';
import type { Tensor } from '../tensor.js';
import { Distribution, softplus } from './distribution.js';
import { probsOrLogits, type ProbsOrLogits } from './probabilities.js';

/** The smallest step above 1 of each float dtype: where probabilities are clamped before a logit, as PyTorch's probs_to_logits. */

/**
 * Bernoulli({ probs } | { logits }): 1 with probability p, 0 otherwise, p
 * given as such or as log-odds. Values are floats 0 and 1 (as PyTorch's);
 * logProb is computed from the logits, stably (y·l − log(1 + eˡ)). No rsample.
 */
export class Bernoulli extends Distribution {
  /** Which parameter was given. */
  readonly given: 'probs' | 'logits';
  /** The parameter as given (a reference), or a scalar tensor made from a number. */
  readonly parameter: Tensor;

  constructor(parameter: ProbsOrLogits) {
    const { kind, tensor, shape, owned } = probsOrLogits('Bernoulli', parameter);
    super('Bernoulli', shape, [], owned);
    this.given = kind;
    this.parameter = tensor;
  }

  /** The probabilities of 1 (a new tensor: the given one's view, or the logits' sigmoid). */
  get probs(): Tensor {
    return this.given === 'probs' ? this.parameter.reshape(this.parameter.shape) : this.parameter.sigmoid();
  }

  /** The log-odds (a new tensor: the given one's view, or the probabilities' logit, clamped one step inside (0, 1)). */
  get logits(): Tensor {
    if (this.given === 'logits') return this.parameter.reshape(this.parameter.shape);
    return ops.logit(this.parameter, { eps: epsilonOf(this.parameter.dtype) });
  }

  override sample(shape: readonly number[] = []): Tensor {
    const s = this.drawShape('sample', shape);
    return noGrad(() => tidy(() => ops.bernoulli(ops.broadcastTo(this.probs, s))));
  }

  override logProb(value: Tensor): Tensor {
    const v = this.checkValue('logProb', value);
    return tidy(() => {
      const l = this.logits;
      return v.mul(l).sub(softplus(l));
    });
  }

  /** −p·log p − (1 − p)·log(1 − p), as log(1 + eˡ) − l·p. */
  override entropy(): Tensor {
    return tidy(() => {
      const l = this.logits;
      return this.batched(softplus(l).sub(l.mul(this.probs)));
    });
  }

  override get mean(): Tensor {
    return tidy(() => this.batched(this.probs));
  }

  override get variance(): Tensor {
    return tidy(() => {
      const p = this.probs;
      return this.batched(p.mul(ops.sub(1, p)));
    });
  }
}
