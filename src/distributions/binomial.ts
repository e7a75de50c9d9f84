// The binomial distribution, torch.distributions.Binomial: successes in n
// Bernoulli(p) trials. Its draws are made for every entry at once without
// reading the parameters back (a GPU keeps them), by one of two methods
// chosen per entry, as Poisson's.
import { tidy } from '../engine.js';
import * as ops from '../ops/index.js';
import { onBackendOf } from '../ops/util.js';
import { incompleteBeta } from '../special/beta.js';
import { xlog1py } from '../special/entropy.js';
import { logGammaStar } from '../special/gamma.js';
import { noGrad } from '../tape.js';
import type { Tensor } from '../tensor.js';
import { ValueError, formatValue } from '../errors.js';
import { softplus, uniformNoise, type Parameter } from './distribution.js';
import { LEAST_UNIFORM } from './gumbel.js';
import { SuccessProbability, besideProbsOrLogits, type ProbsOrLogits } from './probabilities.js';

/** Below this mean (of the flipped p ≤ ½), draws add up waiting times; from it up, BTRS. */
const SMALL_MEAN = 10;
/** The waiting times added for a small mean: a count below mean 10 reaches 40 with probability below 10⁻¹¹ (a Poisson(10)'s tail is heavier). */
const SMALL_ROUNDS = 40;
/** BTRS proposals for a large mean, each accepted with probability above 0.85 (Hörmann): all rejected with probability below 10⁻¹³. */
const LARGE_ROUNDS = 16;

/**
 * Draws for n·p below SMALL_MEAN (p ≤ ½): the number of successes among n
 * trials found by jumping from one to the next, each jump a geometric
 * waiting time ⌊log u / log(1 − p)⌋ + 1 (Devroye's second waiting-time method).
 */
function addWaitingTimes(where: string, n: Tensor, p: Tensor, shape: readonly number[]): Tensor {
  return tidy(() => {
    // p = 0 never succeeds: no trials to jump into, and log(1 − p) kept away from 0.
    const trials = ops.where(p.greater(0), n, 0);
    const logFail = ops.where(p.greater(0), p.neg().log1p(), -1);
    let position = ops.zerosLike(trials);
    let count = position;
    for (let round = 0; round < SMALL_ROUNDS; round++) {
      const u = uniformNoise(where, shape, p, LEAST_UNIFORM.f32, 1);
      position = position.add(u.log().div(logFail).floor().add(1));
      count = count.add(position.lessEqual(trials).cast('f32'));
    }
    return count;
  });
}

/** log k! less Stirling's approximation of it: tm.special's remainder log Γ*(k + 1). */
function stirlingTail(k: Tensor): Tensor {
  return tidy(() => logGammaStar(k.add(1)));
}

/**
 * Draws for n·p from SMALL_MEAN up (p ≤ ½): Hörmann's transformed rejection
 * with squeeze (BTRS, 1993), LARGE_ROUNDS proposals for every draw at once,
 * the first accepted taken; after every one is rejected (< 10⁻¹³), the
 * mean rounded. The acceptance bound is written with Stirling's tails, so
 * that no log-factorial of n is formed (f32 could not subtract two of them).
 */
function transformedRejection(where: string, n: Tensor, p: Tensor, shape: readonly number[]): Tensor {
  return tidy(() => {
    const q = ops.sub(1, p);
    const spread = n.mul(p).mul(q).sqrt();
    const b = spread.mul(2.53).add(1.15);
    const a = b.mul(0.0248).add(p.mul(0.01)).add(-0.0873);
    const c = n.mul(p).add(0.5);
    const alpha = ops.div(5.1, b).add(2.83).mul(spread);
    const vr = ops.div(-4.2, b).add(0.92);
    const m = n.add(1).mul(p).floor();
    const r = p.div(q);
    const logR = r.log();
    const atMode = m.add(0.5).mul(m.add(1).div(r.mul(n.sub(m).add(1))).log()).add(stirlingTail(m)).add(stirlingTail(n.sub(m)));
    let draw = n.mul(p).round();
    // Backwards, so that the first accepted round is the last to be written.
    for (let round = LARGE_ROUNDS - 1; round >= 0; round--) {
      const u = uniformNoise(where, shape, p, LEAST_UNIFORM.f32, 1).sub(0.5);
      const v = uniformNoise(where, shape, p, LEAST_UNIFORM.f32, 1);
      const us = ops.sub(0.5, u.abs());
      const k = a.mul(2).div(us).add(b).mul(u).add(c).floor();
      const inside = ops.logicalAnd(k.greaterEqual(0), k.lessEqual(n));
      const squeezed = ops.logicalAnd(us.greaterEqual(0.07), v.lessEqual(vr));
      // k kept inside [0, n] for the bound, whose value outside is never used.
      const kk = ops.clip(k, 0, n);
      const rest = n.sub(kk).add(1);
      const bound = atMode
        .add(n.add(1).mul(kk.sub(m).div(rest).log1p()))
        .add(kk.add(0.5).mul(logR.add(rest.div(kk.add(1)).log())))
        .sub(stirlingTail(kk))
        .sub(stirlingTail(n.sub(kk)));
      const test = v.mul(alpha).div(a.div(us.square()).add(b)).log();
      const accepted = ops.logicalAnd(inside, ops.logicalOr(squeezed, test.lessEqual(bound)));
      draw = ops.where(accepted, k, draw);
    }
    return draw;
  });
}

/**
 * Binomial draws for counts `n` and probabilities `p` broadcast to `shape`
 * (f32, out of the graph): p above ½ is drawn as n less the draw at 1 − p;
 * then each entry adds waiting times where n·p < 10 and takes BTRS from 10
 * up, each method given values it can take (where() keeps the right one).
 */
export function binomialDraws(where: string, n: Tensor, p: Tensor, shape: readonly number[]): Tensor {
  return noGrad(() => tidy(() => {
    const counts = ops.broadcastTo(n.dtype === 'f32' ? n : n.cast('f32'), shape);
    const probs = ops.broadcastTo(p.dtype === 'f32' ? p : p.cast('f32'), shape);
    const flipped = probs.greater(0.5);
    const low = ops.where(flipped, ops.sub(1, probs), probs);
    const small = counts.mul(low).less(SMALL_MEAN);
    const waited = addWaitingTimes(where, ops.where(small, counts, 0), low, shape);
    // BTRS's constants need n·p ≥ 10: 20 trials at ½ stand in where the other method is used.
    const rejected = transformedRejection(where, ops.where(small, 20, counts), ops.where(small, 0.5, low), shape);
    const draws = ops.where(small, waited, rejected);
    return ops.where(flipped, counts.sub(draws), draws);
  }));
}

/** log C(n, k) = log n! − log k! − log (n − k)!. */
export function logChoose(n: Tensor, k: Tensor): Tensor {
  return tidy(() => n.add(1).lgamma().sub(k.add(1).lgamma()).sub(n.sub(k).add(1).lgamma()));
}

/** log C(n, k) + k·log p + (n − k)·log(1 − p), each product 0 where its count is (so p = 0 or 1 gives log 1 or −∞). */
export function binomialLogPmf(k: Tensor, n: Tensor, p: Tensor): Tensor {
  return tidy(() => logChoose(n, k).add(ops.xlogy(k, p)).add(xlog1py(n.sub(k), p.neg())));
}

/**
 * Binomial(totalCount, { probs } | { logits }): k = 0, 1, …, n successes
 * with probability C(n, k)·pᵏ·(1 − p)^(n − k); n (default 1, a count ≥ 0,
 * a tensor or a number) and p broadcast together. Values are floats, as
 * PyTorch's. sample adds geometric waiting times between successes where
 * n·min(p, 1 − p) < 10 and uses BTRS from 10 up (Hörmann 1993), in f32;
 * entropy sums over the support, so it needs n given as a number (as
 * PyTorch's needs one n for the batch); cdf through the incomplete beta
 * function (PyTorch has none). No rsample.
 */
export class Binomial extends SuccessProbability {
  /** n, as given (a reference), or a scalar tensor made from a number. */
  readonly totalCount: Tensor;
  /** n where it was given as a number (the support entropy sums over). */
  readonly #countGiven: number | undefined;

  constructor(totalCount: Parameter, parameter: ProbsOrLogits) {
    if (typeof totalCount === 'number' && !(Number.isInteger(totalCount) && totalCount >= 0)) {
      throw new ValueError(`Binomial: totalCount must be a count of trials (an integer ≥ 0), got ${formatValue(totalCount)}`);
    }
    const checked = besideProbsOrLogits('Binomial', 'totalCount', totalCount, parameter);
    super('Binomial', checked);
    this.totalCount = checked.beside;
    this.#countGiven = typeof totalCount === 'number' ? totalCount : undefined;
  }

  override sample(shape: readonly number[] = []): Tensor {
    const s = this.drawShape('sample', shape);
    return tidy(() => {
      const draws = binomialDraws('Binomial.sample', this.totalCount, this.probs, s);
      return draws.dtype === this.parameter.dtype ? draws : draws.cast(this.parameter.dtype);
    });
  }

  /** log C(n, k) + k·log p + (n − k)·log(1 − p); from logits, k·l − n·log(1 + eˡ), stably. */
  override logProb(value: Tensor): Tensor {
    const v = this.checkValue('logProb', value);
    const n = this.totalCount;
    return tidy(() => {
      if (this.given === 'probs') return binomialLogPmf(v, n, this.parameter);
      return logChoose(n, v).add(v.mul(this.parameter)).sub(n.mul(softplus(this.parameter)));
    });
  }

  /** P(X ≤ k) = I_{1−p}(n − ⌊k⌋, ⌊k⌋ + 1): 0 below 0, 1 from n up. */
  override cdf(value: Tensor): Tensor {
    const v = this.checkValue('cdf', value);
    const n = this.totalCount;
    return tidy(() => {
      const k = v.floor();
      const inside = ops.logicalAnd(k.greaterEqual(0), k.less(n));
      const failures = ops.where(inside, n.sub(k), 1);
      const cdf = incompleteBeta('Binomial.cdf', false, failures, ops.where(inside, k, 0).add(1), this.failureProbs, this.probs);
      return ops.where(inside, cdf, k.greaterEqual(n).cast(cdf.dtype));
    });
  }

  /** −Σₖ P(k)·log P(k) over k = 0 … n. */
  override entropy(): Tensor {
    const n = this.#countGiven;
    if (n === undefined) throw new ValueError('Binomial.entropy: sums over the support 0 … n, so it needs totalCount given as a number, not a tensor');
    return tidy(() => {
      const p = this.parameter;
      const support = onBackendOf('Binomial.entropy', p, () => ops.arange(0, n + 1, 1, { dtype: p.dtype })).reshape([n + 1, ...this.batchShape.map(() => 1)]);
      const logP = this.logProb(support);
      return ops.where(logP.isFinite(), logP.exp().mul(logP), 0).sum(0).neg();
    });
  }

  /** n·p. */
  override get mean(): Tensor {
    return tidy(() => this.batched(this.totalCount.mul(this.probs)));
  }

  /** ⌊(n + 1)·p⌋, at most n. */
  override get mode(): Tensor {
    return tidy(() => this.batched(ops.minimum(this.totalCount.add(1).mul(this.probs).floor(), this.totalCount)));
  }

  /** n·p·(1 − p). */
  override get variance(): Tensor {
    return tidy(() => {
      const p = this.probs;
      return this.batched(this.totalCount.mul(p).mul(ops.sub(1, p)));
    });
  }
}
