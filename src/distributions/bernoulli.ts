// The Bernoulli distribution, torch.distributions.Bernoulli.
import { tidy } from '../engine.js';
import * as ops from '../ops/index.js';
import { noGrad } from '../tape.js';
import type { Tensor } from '../tensor.js';
import { softplus } from './distribution.js';
import { SuccessProbability, probsOrLogits, type ProbsOrLogits } from './probabilities.js';

/**
 * Bernoulli({ probs } | { logits }): 1 with probability p, 0 otherwise, p
 * given as such or as log-odds. Values are floats 0 and 1 (as PyTorch's);
 * logProb is computed from the logits, stably (y·l − log(1 + eˡ)). No rsample.
 */
export class Bernoulli extends SuccessProbability {
  constructor(parameter: ProbsOrLogits) {
    super('Bernoulli', probsOrLogits('Bernoulli', parameter));
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
