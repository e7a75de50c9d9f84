// The Poisson distribution, torch.distributions.Poisson: counts of events
// at a rate. Its draws are made for every entry at once without reading
// the rate back (a GPU keeps it), by two methods chosen per entry; tm.poisson
// (torch.poisson) draws one per rate by the same sampler.
import { isFloat } from '../dtype.js';
import { tidy } from '../engine.js';
import { ValueError, formatShape } from '../errors.js';
import * as ops from '../ops/index.js';
import { checkTensor, heldValues } from '../ops/util.js';
import { checkOptions } from '../options.js';
import { checkSeed, getRandomState, setRandomState } from '../random.js';
import { gammaincc } from '../special/gamma.js';
import { noGrad } from '../tape.js';
import type { Tensor } from '../tensor.js';
import { Distribution, parameters, uniformNoise, type Parameter } from './distribution.js';

/** Below this rate, draws count uniforms; from it up, PTRS. */
const SMALL_RATE = 10;
/** The uniforms multiplied for a small rate: a Poisson(10) count reaches 40 with probability ~10⁻¹¹. */
const SMALL_ROUNDS = 40;
/** PTRS proposals for a large rate, each accepted with probability above 0.9: all rejected with probability below 10⁻¹². */
const LARGE_ROUNDS = 12;

/**
 * Draws for rates below SMALL_RATE: the number of running products of
 * uniforms that stay above e^(−λ) (Knuth's method, as sums of logs).
 */
function countUniforms(where: string, rate: Tensor, shape: readonly number[]): Tensor {
  return tidy(() => {
    const limit = rate.neg();
    let logProduct = ops.broadcastTo(rate.mul(0), shape);
    let count = logProduct;
    for (let round = 0; round < SMALL_ROUNDS; round++) {
      logProduct = logProduct.add(ops.sub(1, uniformNoise(where, shape, rate)).log());
      count = count.add(logProduct.greater(limit).cast('f32'));
    }
    return count;
  });
}

/**
 * Draws for rates from SMALL_RATE up: Hörmann's transformed rejection with
 * squeeze (PTRS, 1993), ROUNDS proposals for every draw at once, the first
 * accepted taken; after every one is rejected (< 10⁻¹²), the rate rounded.
 */
function transformedRejection(where: string, rate: Tensor, shape: readonly number[]): Tensor {
  return tidy(() => {
    const lam = ops.broadcastTo(rate, shape);
    const b = lam.sqrt().mul(2.53).add(0.931);
    const a = b.mul(0.02483).add(-0.059);
    const logAlpha = ops.div(1.1328, b.sub(3.4)).add(1.1239).log();
    const vr = ops.div(-3.6224, b.sub(2)).add(0.9277);
    const logLam = lam.log();
    let draw = lam.round();
    // Backwards, so that the first accepted round is the last to be written.
    for (let round = LARGE_ROUNDS - 1; round >= 0; round--) {
      const u = uniformNoise(where, shape, rate).sub(0.5);
      const v = uniformNoise(where, shape, rate);
      const us = ops.sub(0.5, u.abs());
      const k = a.mul(2).div(us).add(b).mul(u).add(lam).add(0.43).floor();
      const squeezed = ops.logicalAnd(us.greaterEqual(0.07), v.lessEqual(vr));
      const refused = ops.logicalOr(k.less(0), ops.logicalAnd(us.less(0.013), v.greater(us)));
      const bound = k.mul(logLam).sub(lam).sub(k.add(1).lgamma());
      const test = v.log().add(logAlpha).sub(a.div(us.square()).add(b).log());
      const accepted = ops.logicalOr(squeezed, ops.logicalAnd(ops.logicalNot(refused), test.lessEqual(bound)));
      draw = ops.where(accepted, k, draw);
    }
    return draw;
  });
}

/**
 * Poisson draws for rates broadcast to `shape` (f32, out of the graph):
 * each entry counts uniforms below rate 10 and takes PTRS from 10 up, each
 * method given rates it can take (PTRS's constants need λ ≥ 10, the
 * count's e^(−λ) a small λ); where() keeps the right one.
 */
export function poissonDraws(where: string, rate: Tensor, shape: readonly number[]): Tensor {
  return noGrad(() => tidy(() => {
    const r = rate.dtype === 'f32' ? rate : rate.cast('f32');
    const small = r.less(SMALL_RATE);
    const counted = countUniforms(where, ops.where(small, r, 0), shape);
    const rejected = transformedRejection(where, ops.where(small, SMALL_RATE, r), shape);
    return ops.where(ops.broadcastTo(small, shape), counted, rejected);
  }));
}

/**
 * Poisson(rate): k = 0, 1, 2, … with probability λᵏ·e^(−λ)/k!. Values are
 * floats, as PyTorch's; logProb through tm.lgamma, cdf through
 * tm.special.gammaincc (P(X ≤ k) = Q(⌊k⌋ + 1, λ)). sample counts running
 * products of uniforms below rate 10 and uses PTRS from 10 up, both for
 * every entry (each picks its own), in f32; no rsample and no entropy (none
 * in closed form, as PyTorch's).
 */
export class Poisson extends Distribution {
  /** λ (≥ 0), as given (a reference), or a scalar tensor made from a number. */
  readonly rate: Tensor;

  constructor(rate: Parameter) {
    const { tensors, shape, owned } = parameters('Poisson', { rate });
    super('Poisson', shape, [], owned);
    [this.rate] = tensors;
  }

  override sample(shape: readonly number[] = []): Tensor {
    const s = this.drawShape('sample', shape);
    return tidy(() => {
      const draws = poissonDraws('Poisson.sample', this.rate, s);
      return draws.dtype === this.rate.dtype ? draws : draws.cast(this.rate.dtype);
    });
  }

  /** k·log λ − λ − log k!. */
  override logProb(value: Tensor): Tensor {
    const v = this.checkValue('logProb', value);
    return tidy(() => ops.xlogy(v, this.rate).sub(this.rate).sub(v.add(1).lgamma()));
  }

  /** Q(⌊k⌋ + 1, λ), the regularised upper incomplete gamma function; 0 below 0. */
  override cdf(value: Tensor): Tensor {
    const v = this.checkValue('cdf', value);
    return tidy(() => ops.where(v.less(0), 0, gammaincc(v.floor().relu().add(1), this.rate)));
  }

  override get mean(): Tensor {
    return this.batched(this.rate);
  }

  override get mode(): Tensor {
    return tidy(() => this.batched(this.rate.floor()));
  }

  override get variance(): Tensor {
    return this.batched(this.rate);
  }
}

export interface PoissonOptions {
  /** Same seed, same draws, on every backend. Without one, fresh draws (setSeed's sequence, where set). */
  seed?: number;
}

/**
 * One Poisson draw per entry of `rates` (torch.poisson): a count k with
 * probability λᵏ·e^(−λ)/k!, as a float of rates' dtype (f32 for int
 * rates), by Poisson.sample's sampler (counted uniforms below rate 10,
 * PTRS from 10 up), on rates' backend. No gradient, as PyTorch's. A
 * negative or NaN rate is refused, as PyTorch refuses it, where the backend
 * holds the rates (js, native); on webgpu, where looking would wait for the
 * GPU, a negative rate draws 0 and NaN draws NaN. `seed` makes the draws
 * reproducible; setSeed's sequence is left where it was.
 */
export function poisson(rates: Tensor, options: PoissonOptions = {}): Tensor {
  checkTensor('poisson', rates, 'rates');
  const { seed } = checkOptions('poisson', options, { seed: true });
  if (seed !== undefined) checkSeed('poisson', seed);
  if (heldValues('poisson', rates)) {
    const bad = tidy(() => ops.any(ops.logicalNot(ops.greaterEqual(rates, 0))));
    try {
      if (heldValues('poisson', bad)![0] !== 0) throw new ValueError(`poisson: rates ${formatShape(rates.shape)} hold a negative or NaN rate; a Poisson rate must be ≥ 0`);
    } finally {
      bad.dispose();
    }
  }
  const dtype = isFloat(rates.dtype) ? rates.dtype : 'f32';
  const draw = () => tidy(() => {
    const draws = poissonDraws('poisson', rates, rates.shape);
    return draws.dtype === dtype ? draws : draws.cast(dtype);
  });
  if (seed === undefined) return draw();
  // The sampler's uniforms take fresh seeds from setSeed's sequence: started at `seed` for this call, then put back.
  const kept = getRandomState();
  setRandomState({ generator: 'mulberry32', state: seed });
  try {
    return draw();
  } finally {
    setRandomState(kept);
  }
}
