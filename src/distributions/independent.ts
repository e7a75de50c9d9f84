// Independent, torch.distributions.Independent: some of a distribution's batch
// axes read as event axes, so that logProb sums over them (a diagonal
// Gaussian over vectors from a batch of Normals).
import { tidy } from '../engine.js';
import { ValueError, formatShape, formatValue } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { Distribution, sumRightmost } from './distribution.js';

/**
 * Independent(base, reinterpretedBatchDims): `base` with its last
 * `reinterpretedBatchDims` batch axes moved into the event shape. logProb
 * and entropy sum base's over those axes; samples, mean and variance are
 * base's. Keeps base by reference (dispose does not free it).
 */
export class Independent extends Distribution {
  /** The distribution whose batch axes are reinterpreted, as given. */
  readonly base: Distribution;
  /** How many of base's last batch axes are event axes here. */
  readonly reinterpretedBatchDims: number;

  constructor(base: Distribution, reinterpretedBatchDims: number) {
    if (!(base instanceof Distribution)) throw new ValueError(`Independent: base must be a distribution, got ${formatValue(base)}`);
    const k = reinterpretedBatchDims;
    if (!Number.isInteger(k) || k < 0 || k > base.batchShape.length) {
      throw new ValueError(
        `Independent: reinterpretedBatchDims must be an integer in [0, ${base.batchShape.length}] for ${base.name}'s batch shape ${formatShape(base.batchShape)}, got ${formatValue(k)}`,
      );
    }
    const split = base.batchShape.length - k;
    super('Independent', base.batchShape.slice(0, split), [...base.batchShape.slice(split), ...base.eventShape]);
    this.base = base;
    this.reinterpretedBatchDims = k;
  }

  override sample(shape: readonly number[] = []): Tensor {
    return this.base.sample(shape);
  }

  override rsample(shape: readonly number[] = []): Tensor {
    return this.base.rsample(shape);
  }

  override logProb(value: Tensor): Tensor {
    // The dtype is base's to check: a Categorical's values are labels, the others' floats.
    const v = this.checkValue('logProb', value, 'any');
    return tidy(() => sumRightmost(this.base.logProb(v), this.reinterpretedBatchDims));
  }

  override entropy(): Tensor {
    return tidy(() => sumRightmost(this.base.entropy(), this.reinterpretedBatchDims));
  }

  override get mean(): Tensor {
    return this.base.mean;
  }

  override get variance(): Tensor {
    return this.base.variance;
  }

  override get stddev(): Tensor {
    return this.base.stddev;
  }

  override get mode(): Tensor {
    return this.base.mode;
  }
}
