// Random colour changes (torchvision's ColorJitter): per sample, factors for
// brightness, contrast, saturation and hue drawn from their ranges, applied
// in an order drawn too. A batch goes through four stages; at each, every
// sample takes the adjustment its order puts there — the three blends as
// one blend with a per-sample partner and factor, the hue shift where a
// sample has it at that stage.
import { ValueError, formatValue } from '../errors.js';
import { checkOptions, type OptionNames } from '../options.js';
import { where } from '../ops/elementwise.js';
import type { Tensor } from '../tensor.js';
import { blend, grayMean, grayOf } from './color.js';
import { shiftHue } from './hue.js';
import { asBatch, checkChannels, constantLike } from './images.js';
import { RandomTransform, uniformIn } from './transform.js';

export interface ColorJitterOptions {
  /** Factor range: b gives [max(0, 1 − b), 1 + b]; or [min, max], ≥ 0. */
  brightness?: number | readonly [number, number];
  /** As brightness. */
  contrast?: number | readonly [number, number];
  /** As brightness. */
  saturation?: number | readonly [number, number];
  /** h in [0, 0.5] gives [−h, h]; or [min, max] within [−0.5, 0.5]. */
  hue?: number | readonly [number, number];
}

/** A sample's draw: the adjustments' order (0 brightness, 1 contrast, 2 saturation, 3 hue) and their factors, null for those not asked for. */
export interface ColorJitterParams {
  order: number[];
  brightness: number | null;
  contrast: number | null;
  saturation: number | null;
  hue: number | null;
}

const OPTIONS: OptionNames<ColorJitterOptions> = { brightness: true, contrast: true, saturation: true, hue: true };
const KINDS = ['brightness', 'contrast', 'saturation', 'hue'] as const;

/** Random brightness, contrast, saturation and hue, per sample; RGB images (grayscale ones skip saturation and hue, as torchvision). */
export class ColorJitter extends RandomTransform<ColorJitterParams> {
  readonly ranges: Readonly<Record<(typeof KINDS)[number], [number, number] | null>>;

  constructor(options: ColorJitterOptions = {}) {
    super('ColorJitter');
    const given = checkOptions(this.name, options, OPTIONS);
    const factor = (k: 'brightness' | 'contrast' | 'saturation') => rangeAbout(this.name, k, given[k], 1, [0, Infinity]);
    this.ranges = { brightness: factor('brightness'), contrast: factor('contrast'), saturation: factor('saturation'), hue: rangeAbout(this.name, 'hue', given.hue, 0, [-0.5, 0.5]) };
  }

  protected drawOne(next: () => number): ColorJitterParams {
    const order = [0, 1, 2, 3];
    for (let i = 3; i > 0; i--) {
      const j = Math.floor(next() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    const [brightness, contrast, saturation, hue] = KINDS.map((k) => {
      const range = this.ranges[k];
      return range ? uniformIn(next, range[0], range[1]) : null;
    });
    return { order, brightness, contrast, saturation, hue };
  }

  protected applyAll(images: Tensor, params: readonly ColorJitterParams[]): Tensor {
    const { images: input, n, c, unbatch } = asBatch(this.name, images);
    checkChannels(this.name, images, c, [1, 3]);
    const perSample = (values: number[]) => constantLike(this.name, input, values, [n, 1, 1, 1]);
    let x = input;
    for (let stage = 0; stage < 4; stage++) {
      const kinds = params.map((q) => KINDS[q.order[stage]]);
      const factorOf = (q: ColorJitterParams, k: (typeof KINDS)[number]) => (k === 'saturation' && c === 1 ? null : q[k]);
      // The blends: samples without one here blend with factor 1 and are then kept as they were.
      const blending = params.map((q, s) => kinds[s] !== 'hue' && factorOf(q, kinds[s]) !== null);
      if (blending.some(Boolean)) {
        const factors = perSample(params.map((q, s) => (blending[s] ? factorOf(q, kinds[s])! : 1)));
        const partnerIs = (k: string) => perSample(kinds.map((kind, s) => +(blending[s] && kind === k)));
        let partner: Tensor | number = 0;
        if (kinds.some((k, s) => blending[s] && k === 'contrast')) partner = where(partnerIs('contrast'), grayMean(this.name, x), partner);
        if (kinds.some((k, s) => blending[s] && k === 'saturation')) partner = where(partnerIs('saturation'), grayOf(this.name, x), partner);
        const blended = blend(x, partner, factors);
        x = blending.every(Boolean) ? blended : where(perSample(blending.map(Number)), blended, x);
      }
      const shifting = params.map((q, s) => kinds[s] === 'hue' && q.hue !== null && c === 3);
      if (shifting.some(Boolean)) {
        const shifted = shiftHue(this.name, x, perSample(params.map((q, s) => (shifting[s] ? q.hue! : 0))));
        x = shifting.every(Boolean) ? shifted : where(perSample(shifting.map(Number)), shifted, x);
      }
    }
    return unbatch(x);
  }
}

/** A factor range: a number v gives [max(lo, centre − v), centre + v] (nothing where v is 0); a pair within [lo, hi] as it is. */
function rangeAbout(op: string, name: string, value: unknown, centre: number, [lo, hi]: [number, number]): [number, number] | null {
  if (value === undefined) return null;
  if (typeof value === 'number') {
    const limit = centre === 0 ? hi : Infinity;
    if (!(value >= 0 && value <= limit)) throw new ValueError(`${op}: ${name} must be a number ${limit === Infinity ? '≥ 0' : `in [0, ${limit}]`} or a range [min, max], got ${formatValue(value)}`);
    return value === 0 ? null : [Math.max(lo, centre - value), centre + value];
  }
  if (!Array.isArray(value) || value.length !== 2 || !value.every((v) => typeof v === 'number' && v >= lo && v <= hi) || !(value[0] <= value[1])) {
    throw new ValueError(`${op}: ${name} must be a number ≥ 0 or a range [min, max] within [${lo}, ${hi === Infinity ? '∞' : hi}], got ${formatValue(value)}`);
  }
  return value[0] === centre && value[1] === centre ? null : [value[0], value[1]];
}
