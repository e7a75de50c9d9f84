// The Gumbel (type I extreme value) distribution, torch.distributions.Gumbel:
// the law of the largest of many draws, and the noise of the Gumbel-max trick.
import { tidy } from '../engine.js';
import type { Tensor } from '../tensor.js';
import { Distribution, checkProbability, parameters, uniformNoise, type Parameter } from './distribution.js';

/** The Euler–Mascheroni constant γ. */
export const EULER_GAMMA = 0.5772156649015329;

/** The least positive uniform draw used in place of 0, per dtype: log 0 would be −∞. */
export const LEAST_UNIFORM = { f32: 2 ** -24, f16: 2 ** -11 } as const;

/**
 * Gumbel(loc, scale): density e^(−(z + e^(−z)))/scale, z = (x − loc)/scale.
 * rsample is the icdf of uniform noise, loc − scale·log(−log u).
 */
export class Gumbel extends Distribution {
  /** The location (the mode), as given (a reference), or a scalar tensor made from a number. */
  readonly loc: Tensor;
  /** The scale (> 0), as given (a reference), or a scalar tensor made from a number. */
  readonly scale: Tensor;

  constructor(loc: Parameter, scale: Parameter) {
    const { tensors, shape, owned } = parameters('Gumbel', { loc, scale });
    super('Gumbel', shape, [], owned);
    [this.loc, this.scale] = tensors;
  }

  override rsample(shape: readonly number[] = []): Tensor {
    const s = this.drawShape('rsample', shape);
    return tidy(() => {
      const u = uniformNoise('Gumbel.rsample', s, this.loc, LEAST_UNIFORM[this.loc.dtype as 'f32' | 'f16'], 1);
      return this.loc.sub(this.scale.mul(u.log().neg().log()));
    });
  }

  override logProb(value: Tensor): Tensor {
    const v = this.checkValue('logProb', value);
    return tidy(() => {
      const z = v.sub(this.loc).div(this.scale);
      return z.add(z.neg().exp()).add(this.scale.log()).neg();
    });
  }

  override cdf(value: Tensor): Tensor {
    const v = this.checkValue('cdf', value);
    return tidy(() => v.sub(this.loc).div(this.scale).neg().exp().neg().exp());
  }

  override icdf(p: Tensor): Tensor {
    checkProbability('Gumbel.icdf', p);
    return tidy(() => this.loc.sub(this.scale.mul(p.log().neg().log())));
  }

  /** log scale + 1 + γ. */
  override entropy(): Tensor {
    return tidy(() => this.batched(this.scale.log().add(1 + EULER_GAMMA)));
  }

  /** loc + γ·scale. */
  override get mean(): Tensor {
    return tidy(() => this.batched(this.loc.add(this.scale.mul(EULER_GAMMA))));
  }

  override get mode(): Tensor {
    return this.batched(this.loc);
  }

  /** π²/6·scale². */
  override get variance(): Tensor {
    return tidy(() => this.batched(this.scale.square().mul(Math.PI ** 2 / 6)));
  }
}
