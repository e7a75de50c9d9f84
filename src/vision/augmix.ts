// torchvision's AugMix (Hendrycks et al. 2020) on float images: each sample
// draws mixtureWidth chains of 1–3 ops (or chainDepth) from AugMix's space
// at a bin below `severity` of 10, and weights from Dirichlet draws — the
// original image's m₀ ~ Beta(α, α) (a two-way Dirichlet) and the chains'
// (1 − m₀)·Dirichlet(α, …, α) — and comes out as the weighted sum
// m₀·x + Σ wᵢ·chainᵢ(x). The chains run over the whole batch at once, each
// step's samples grouped by op.
import { tidy } from '../engine.js';
import { ValueError, formatValue } from '../errors.js';
import { add, mul } from '../ops/elementwise.js';
import { checkOptions, type OptionNames } from '../options.js';
import type { Tensor } from '../tensor.js';
import { applySequences, AUGMIX_PARTIAL_SPACE, AUGMIX_SPACE, checkAugmentOptions, integerIn, stepAt, type AugmentOptions, type AugmentStep } from './augment_ops.js';
import { dirichletDraw } from './dirichlet.js';
import { asBatch, checkChannels, constantLike, numberOf } from './images.js';
import { randomInt, RandomTransform } from './transform.js';

export interface AugMixOptions extends AugmentOptions {
  /** How strong the ops are: magnitudes from the first `severity` of 10 bins, an integer in [1, 10]. Default 3. */
  severity?: number;
  /** Chains mixed, ≥ 1. Default 3. */
  mixtureWidth?: number;
  /** Ops per chain, ≥ 1; ≤ 0 (the default, −1) draws 1 to 3 per chain. */
  chainDepth?: number;
  /** The Dirichlet and Beta concentration, > 0. Default 1. */
  alpha?: number;
  /** Include brightness, colour, contrast and sharpness among the ops. Default true. */
  allOps?: boolean;
}

/** A sample's mix: the original's weight, and each chain's weight and steps. */
export interface AugMixParams {
  original: number;
  weights: number[];
  chains: AugmentStep[][];
}

const AUGMIX_OPTIONS: OptionNames<AugMixOptions> = { interpolation: true, fill: true, severity: true, mixtureWidth: true, chainDepth: true, alpha: true, allOps: 'boolean' };

/** AugMix: each sample a mix of itself and augmentation chains of its own. Bilinear by default, as torchvision's. */
export class AugMix extends RandomTransform<AugMixParams> {
  readonly severity: number;
  readonly mixtureWidth: number;
  readonly chainDepth: number;
  readonly alpha: number;
  readonly allOps: boolean;
  readonly options: ReturnType<typeof checkAugmentOptions>;

  constructor(options: AugMixOptions = {}) {
    super('AugMix');
    const { severity = 3, mixtureWidth = 3, chainDepth = -1, alpha = 1, allOps = true, ...warpOptions } = checkOptions(this.name, options, AUGMIX_OPTIONS);
    this.severity = integerIn(this.name, 'severity', severity, 1, 10);
    this.mixtureWidth = integerIn(this.name, 'mixtureWidth', mixtureWidth, 1, Infinity);
    this.chainDepth = integerIn(this.name, 'chainDepth', chainDepth, -Infinity, Infinity);
    this.alpha = numberOf(this.name, 'alpha', alpha, (a) => a > 0, 'a number > 0');
    this.allOps = allOps;
    this.options = checkAugmentOptions(this.name, warpOptions, 'bilinear');
  }

  protected drawOne(next: () => number, _c: number, h: number, w: number): AugMixParams {
    const [original, rest] = dirichletDraw(next, [this.alpha, this.alpha]);
    const weights = dirichletDraw(next, new Array<number>(this.mixtureWidth).fill(this.alpha)).map((v) => v * rest);
    const space = this.allOps ? AUGMIX_SPACE : AUGMIX_PARTIAL_SPACE;
    const chains = weights.map(() => {
      const depth = this.chainDepth > 0 ? this.chainDepth : randomInt(next, 1, 4);
      return Array.from({ length: depth }, () => {
        const op = space[randomInt(next, 0, space.length)];
        // torchvision draws the bin only for an op with magnitudes.
        return stepAt(next, op, op.magnitudes ? randomInt(next, 0, this.severity) : 0, 10, h, w);
      });
    });
    return { original, weights, chains };
  }

  protected applyAll(images: Tensor, params: readonly AugMixParams[]): Tensor {
    const { images: x, n, c, unbatch } = asBatch(this.name, images);
    checkChannels(this.name, images, c, [1, 3]);
    const width = params[0]?.chains?.length;
    params.forEach((p, k) => {
      const ok = p && Array.isArray(p.chains) && p.chains.length === width && Array.isArray(p.weights) && p.weights.length === width && [p.original, ...p.weights].every((v) => typeof v === 'number' && Number.isFinite(v));
      if (!ok) throw new ValueError(`${this.name}: sample ${k}'s parameters must be { original, weights, chains } with as many finite weights as chains (${width}) as every sample, got ${formatValue(p)}`);
    });
    const perSample = (values: number[]) => constantLike(this.name, x, values, [n, 1, 1, 1]);
    return tidy(() => {
      let mix = mul(x, perSample(params.map((p) => p.original)));
      for (let i = 0; i < width; i++) {
        const chain = applySequences(this.name, x, params.map((p) => p.chains[i]), this.options);
        mix = add(mix, mul(chain, perSample(params.map((p) => p.weights[i]))));
      }
      return unbatch(mix);
    });
  }
}
