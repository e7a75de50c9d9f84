// AutoAugment, RandAugment, TrivialAugmentWide and AugMix: every op of each
// space, forced through apply, gives what the functional op gives at that
// magnitude (torchvision's _apply_image_or_video_transform, written out
// here); the draws keep to torchvision's tables; a seed repeats a batch,
// samples of one image differ, shapes and dtypes are kept, and gradients
// reach the images.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { expectClose } from '../helpers/data.js';
import { pyRound } from '../helpers/vision.js';
import { images } from './images.js';

const v = tm.vision;
type Step = tm.vision.AugmentStep;
type Warp = tm.vision.AugmentOptions;

function sample(x: tm.Tensor, n: number): tm.Tensor {
  return tm.slice(x, [n, 0, 0, 0], [1, ...x.shape.slice(1)]);
}

/** torchvision's op at a magnitude, through tm.vision's functional ops. */
function functional(x: tm.Tensor, { op, magnitude: m }: Step, { interpolation = 'nearest', fill }: Warp): tm.Tensor {
  const warp = fill === undefined ? { interpolation } : { interpolation, fill };
  const degrees = (Math.atan(m) * 180) / Math.PI;
  switch (op) {
    case 'Identity': return x;
    case 'ShearX': return v.affine(x, { ...warp, shear: [degrees, 0], center: [0, 0] });
    case 'ShearY': return v.affine(x, { ...warp, shear: [0, degrees], center: [0, 0] });
    case 'TranslateX': return v.affine(x, { ...warp, translate: [Math.trunc(m), 0] });
    case 'TranslateY': return v.affine(x, { ...warp, translate: [0, Math.trunc(m)] });
    case 'Rotate': return v.rotate(x, m, warp);
    case 'Brightness': return v.adjustBrightness(x, 1 + m);
    case 'Color': return v.adjustSaturation(x, 1 + m);
    case 'Contrast': return v.adjustContrast(x, 1 + m);
    case 'Sharpness': return v.adjustSharpness(x, 1 + m);
    case 'Posterize': return v.posterize(x, Math.trunc(m));
    case 'Solarize': return v.solarize(x, m);
    case 'AutoContrast': return v.autocontrast(x);
    case 'Equalize': return v.equalize(x);
    case 'Invert': return v.invert(x);
  }
}

/** Two steps per op, both signs of a signed one (a shift with a fraction, truncated either way). */
const FORCED: Step[] = ([
  ['Identity', 0, 0], ['ShearX', 0.3, -0.17], ['ShearY', -0.25, 0.9], ['TranslateX', 3.7, -2.6], ['TranslateY', -4.2, 1.5],
  ['Rotate', 17, -123], ['Brightness', 0.5, -0.6], ['Color', -0.8, 0.9], ['Contrast', 0.7, -0.4], ['Sharpness', -0.9, 0.8],
  ['Posterize', 4, 1], ['Solarize', 0.6, 0.27], ['AutoContrast', 0, 0], ['Equalize', 0, 0], ['Invert', 0, 0],
] as const).flatMap(([op, a, b]) => [{ op, magnitude: a }, { op, magnitude: b }]);

/** The ops each policy's space holds, in torchvision's order. */
const STANDARD = ['ShearX', 'ShearY', 'TranslateX', 'TranslateY', 'Rotate', 'Brightness', 'Color', 'Contrast', 'Sharpness', 'Posterize', 'Solarize', 'AutoContrast', 'Equalize'];
const AUGMIX_PARTIAL = ['ShearX', 'ShearY', 'TranslateX', 'TranslateY', 'Rotate', 'Posterize', 'Solarize', 'AutoContrast', 'Equalize'];

const linspace = (lo: number, hi: number, bins: number) => Array.from({ length: bins }, (_, k) => lo + ((hi - lo) * k) / (bins - 1));

/** torchvision's magnitude tables (float64 here; tm.vision's are f32, as torch's): per op, the magnitudes of `bins` bins of an h × w image. */
function table(space: 'standard' | 'wide' | 'augmix', op: string, bins: number, h: number, w: number): number[] | null {
  const wide = space === 'wide';
  const bits = (top: number, span: number) => Array.from({ length: bins }, (_, k) => pyRound(top - k / ((bins - 1) / span)));
  switch (op) {
    case 'ShearX': case 'ShearY': return linspace(0, wide ? 0.99 : 0.3, bins);
    case 'TranslateX': return linspace(0, wide ? 32 : space === 'augmix' ? w / 3 : (150 / 331) * w, bins);
    case 'TranslateY': return linspace(0, wide ? 32 : space === 'augmix' ? h / 3 : (150 / 331) * h, bins);
    case 'Rotate': return linspace(0, wide ? 135 : 30, bins);
    case 'Brightness': case 'Color': case 'Contrast': case 'Sharpness': return linspace(0, wide ? 0.99 : 0.9, bins);
    case 'Posterize': return space === 'augmix' ? bits(4, 4) : bits(8, wide ? 6 : 4);
    case 'Solarize': return linspace(1, 0, bins);
    default: return null;
  }
}

/** Whether |magnitude| is the table's at one of `bins` (null: the op takes none, magnitude 0). */
function expectFromTable(step: Step, magnitudes: number[] | null, what: string) {
  if (magnitudes === null) return expect(step.magnitude, what).toBe(0);
  const unsigned = ['Posterize', 'Solarize'].includes(step.op);
  if (unsigned) expect(step.magnitude, what).toBeGreaterThanOrEqual(0);
  expect(magnitudes.some((m) => Math.abs(Math.abs(step.magnitude) - m) < 1e-5), `${what}: ${step.magnitude} among ${magnitudes}`).toBe(true);
}

describe.each(BACKENDS)('vision automatic augmentation policies on %s', (backend) => {
  let t: tm.Tensor;
  beforeAll(async () => {
    await tm.init({ backend });
    t = images([FORCED.length, 3, 9, 11]).t;
  });

  async function expectForced(y: tm.Tensor, steps: (xn: tm.Tensor, n: number) => tm.Tensor, what: string) {
    expect(y.shape).toEqual(t.shape);
    for (let n = 0; n < t.shape[0]; n++) expectClose(await sample(y, n).data(), await steps(sample(t, n), n).data(), 1e-5, `${what}, sample ${n}: ${JSON.stringify(FORCED[n])}`);
  }

  it.each([
    { what: 'nearest, zeros outside', options: {} },
    { what: 'bilinear, a fill per channel', options: { interpolation: 'bilinear', fill: [0.2, 0.5, 0.8] } as Warp },
  ])('every op, forced, is the functional op at its magnitude, signed either way ($what)', async ({ options }) => {
    // One batch, one op per sample: the samples taking each op go through it together and come back in place.
    const policies = [new v.AutoAugment(options), new v.RandAugment(options), new v.TrivialAugmentWide(options)];
    for (const policy of policies) {
      const params = FORCED.map((step) => ({ policy: 0, steps: [step] }));
      await expectForced(policy.apply(t, params), (xn, n) => functional(xn, FORCED[n], options), policy.constructor.name);
    }
    // Steps in sequence, of different lengths per sample.
    const twice = FORCED.map((step, n) => ({ steps: n % 3 === 0 ? [step] : [step, FORCED[(n * 7) % FORCED.length]] }));
    const rand = new v.RandAugment(options);
    await expectForced(rand.apply(t, twice), (xn, n) => twice[n].steps.reduce((y, s) => functional(y, s, options), xn), 'two steps');
  });

  it('AugMix, forced, is m₀·x + Σ wᵢ·chainᵢ(x) with the chains through the functional ops', async () => {
    const mix = new v.AugMix({ mixtureWidth: 2, interpolation: 'nearest', fill: 0.5 });
    const options: Warp = { interpolation: 'nearest', fill: 0.5 };
    const params = FORCED.map((step, n) => ({
      original: 0.1 + n / 100,
      weights: [0.5 - n / 200, 0.4 - n / 200],
      chains: [[step], n % 2 ? [FORCED[(n * 5) % FORCED.length], step] : [FORCED[(n * 11) % FORCED.length]]],
    }));
    const y = mix.apply(t, params);
    await expectForced(y, (xn, n) => {
      const p = params[n];
      const chains = p.chains.map((c) => c.reduce((z, s) => functional(z, s, options), xn));
      return tm.add(tm.mul(xn, p.original), tm.add(tm.mul(chains[0], p.weights[0]), tm.mul(chains[1], p.weights[1])));
    }, 'AugMix');
  });

  it('the draws keep to torchvision\'s spaces and tables: RandAugment at its one bin, TrivialAugmentWide at any, signs both ways', async () => {
    const [N, H, W] = [40, 9, 11];
    const x = images([N, 3, H, W]).t;
    tm.setSeed(11);
    const rand = new v.RandAugment({ numOps: 3, magnitude: 7, numMagnitudeBins: 12 });
    rand.forward(x);
    const steps = rand.last!.flatMap((p) => p.steps);
    expect(steps.length).toBe(3 * N);
    for (const s of steps) {
      const magnitudes = table('standard', s.op, 12, H, W);
      expectFromTable(s, magnitudes && [magnitudes[7]], `RandAugment ${s.op}`);
    }
    // 120 steps over 14 ops (seed 11): every op, and both signs of a signed one.
    expect(new Set(steps.map((s) => s.op))).toEqual(new Set(['Identity', ...STANDARD]));
    expect(steps.some((s) => s.op === 'Rotate' && s.magnitude > 0) && steps.some((s) => s.op === 'Rotate' && s.magnitude < 0)).toBe(true);
    tm.setSeed(12);
    const trivial = new v.TrivialAugmentWide({ numMagnitudeBins: 31 });
    trivial.forward(x);
    for (const { steps: [s] } of trivial.last!) expectFromTable(s, table('wide', s.op, 31, H, W), `TrivialAugmentWide ${s.op}`);
    expect(trivial.last!.every((p) => p.steps.length === 1)).toBe(true);
    expect(new Set(trivial.last!.map((p) => p.steps[0].op)).size, '40 samples over 14 ops (seed 12)').toBeGreaterThan(8);
  });

  it('AutoAugment takes a sub-policy per sample and its ops by their probabilities, at their bins of 10', async () => {
    const [N, H, W] = [200, 5, 7];
    const x = images([N, 3, H, W]).t;
    // The first two sub-policies of each, from torchvision: [op, probability, bin].
    const first: Record<string, [string, number, number | null][][]> = {
      imagenet: [[['Posterize', 0.4, 8], ['Rotate', 0.6, 9]], [['Solarize', 0.6, 5], ['AutoContrast', 0.6, null]]],
      cifar10: [[['Invert', 0.1, null], ['Contrast', 0.2, 6]], [['Rotate', 0.7, 2], ['TranslateX', 0.3, 9]]],
      svhn: [[['ShearX', 0.9, 4], ['Invert', 0.2, null]], [['ShearY', 0.9, 8], ['Invert', 0.7, null]]],
    };
    for (const policy of ['imagenet', 'cifar10', 'svhn'] as const) {
      tm.setSeed(21);
      const auto = new v.AutoAugment({ policy });
      auto.forward(x);
      const drawn = auto.last!;
      expect(new Set(drawn.map((p) => p.policy)).size, `${policy}: 25 sub-policies among 200 draws (seed 21)`).toBe(25);
      for (const p of drawn) {
        expect(p.steps.length).toBeLessThanOrEqual(2);
        if (p.policy > 1) continue;
        // The steps taken are the sub-policy's ops in order, each at its bin.
        let k = 0;
        for (const s of p.steps) {
          while (first[policy][p.policy][k][0] !== s.op) k++;
          const [, , bin] = first[policy][p.policy][k++];
          const magnitudes = table('standard', s.op, 10, H, W);
          expectFromTable(s, bin === null ? null : [magnitudes![bin]], `${policy} ${p.policy} ${s.op}`);
        }
      }
    }
  });

  it('AugMix draws weights summing to 1 and chains of 1 to 3 ops (or chainDepth) from its space, below severity', async () => {
    const [N, H, W] = [60, 9, 11];
    const x = images([N, 3, H, W]).t;
    for (const options of [{}, { severity: 1, chainDepth: 2, mixtureWidth: 4, allOps: false, alpha: 0.3 }]) {
      tm.setSeed(31);
      const mix = new v.AugMix(options);
      mix.forward(x);
      const { severity = 3, chainDepth = -1, mixtureWidth = 3, allOps = true } = options as tm.vision.AugMixOptions;
      const space = allOps ? [...AUGMIX_PARTIAL, 'Brightness', 'Color', 'Contrast', 'Sharpness'] : AUGMIX_PARTIAL;
      const depths = new Set<number>();
      for (const p of mix.last!) {
        expect(p.weights.length).toBe(mixtureWidth);
        expect([p.original, ...p.weights].every((w) => w > 0)).toBe(true);
        expect(p.original + p.weights.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
        for (const chain of p.chains) {
          depths.add(chain.length);
          for (const s of chain) {
            expect(space).toContain(s.op);
            expectFromTable(s, table('augmix', s.op, 10, H, W)?.slice(0, severity) ?? null, `AugMix ${s.op}`);
          }
        }
      }
      expect([...depths].sort()).toEqual(chainDepth > 0 ? [chainDepth] : [1, 2, 3]);
    }
  });

  it.each(['AutoAugment', 'RandAugment', 'TrivialAugmentWide', 'AugMix'] as const)('%s: a seed repeats the batch, samples of one image differ, shapes and dtypes kept', async (name) => {
    const make = () => new v[name]();
    const one = images([1, 3, 16, 15]).t;
    const same = tm.concat(new Array<tm.Tensor>(8).fill(one), 0);
    tm.setSeed(41);
    const a = make();
    const y = a.forward(same);
    tm.setSeed(41);
    const b = make();
    expectClose(await b.forward(same).data(), await y.data(), 0);
    expect(b.last).toEqual(a.last);
    const outputs = await Promise.all(Array.from({ length: 8 }, async (_, n) => Array.from(await sample(y, n).data()).join()));
    expect(new Set(outputs).size, 'distinct samples of one image among 8 (seed 41)').toBeGreaterThan(2);
    const single = make().forward(tm.reshape(one, [3, 16, 15]));
    expect(single.shape).toEqual([3, 16, 15]);
    const gray = make().forward(images([4, 1, 7, 9]).t);
    expect(gray.shape).toEqual([4, 1, 7, 9]);
    const half = make().forward(same.cast('f16'));
    expect(half.dtype).toBe('f16');
    expect(half.shape).toEqual(same.shape);
  }, 90_000); // AugMix on webgpu: ~19 s in a loaded CI run.

  it('gradients reach the images: a forced brightness step ½ everywhere, through AugMix\'s weights', async () => {
    const { t: x0 } = images([3, 3, 5, 7]);
    const gradOf = async (f: (x: tm.Tensor) => tm.Tensor) => {
      const x = x0.clone();
      x.requiresGrad = true;
      f(x).sum().backward();
      return x.grad!.data();
    };
    const half = { op: 'Brightness', magnitude: -0.5 } as const;
    expectClose(await gradOf((x) => new v.RandAugment().apply(x, [0, 1, 2].map(() => ({ steps: [half] })))), new Float64Array(x0.size).fill(0.5), 1e-6);
    const params = [0, 1, 2].map(() => ({ original: 0.3, weights: [0.7], chains: [[half]] }));
    expectClose(await gradOf((x) => new v.AugMix({ mixtureWidth: 1 }).apply(x, params)), new Float64Array(x0.size).fill(0.3 + 0.7 * 0.5), 1e-6);
  });
});

describe('vision augmentation policies refuse', () => {
  beforeAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it('bad options, naming the value', () => {
    expect(() => new v.AutoAugment({ policy: 'coco' as never })).toThrow("AutoAugment: policy must be 'imagenet', 'cifar10' or 'svhn', got \"coco\"");
    expect(() => new v.RandAugment({ numOps: -1 })).toThrow('RandAugment: numOps must be an integer in [0, ∞], got -1');
    expect(() => new v.RandAugment({ magnitude: 31 })).toThrow('RandAugment: magnitude must be an integer in [0, 30], got 31');
    expect(() => new v.RandAugment({ numMagnitudeBins: 1 })).toThrow('RandAugment: numMagnitudeBins must be an integer in [2, ∞], got 1');
    expect(() => new v.TrivialAugmentWide({ numMagnitudeBins: 2.5 })).toThrow('TrivialAugmentWide: numMagnitudeBins must be an integer in [2, ∞], got 2.5');
    expect(() => new v.AugMix({ severity: 11 })).toThrow('AugMix: severity must be an integer in [1, 10], got 11');
    expect(() => new v.AugMix({ mixtureWidth: 0 })).toThrow('AugMix: mixtureWidth must be an integer in [1, ∞], got 0');
    expect(() => new v.AugMix({ alpha: 0 })).toThrow('AugMix: alpha must be a number > 0, got 0');
    expect(() => new v.AugMix({ allOps: 'yes' as never })).toThrow('AugMix: allOps must be true or false, got "yes"');
    expect(() => new v.TrivialAugmentWide({ interpolation: 'area' as never })).toThrow("TrivialAugmentWide: interpolation must be");
    expect(() => new v.RandAugment({ fill: 'white' as never })).toThrow('RandAugment: fill must be a number or a list of numbers, one per channel, got "white"');
    expect(() => new v.RandAugment({ num_ops: 2 } as never)).toThrow('RandAugment: unknown option "num_ops" (did you mean numOps?)');
  });

  it('images of other than 1 or 3 channels, a fill of the wrong length, and bad steps given to apply', () => {
    expect(() => new v.RandAugment().forward(tm.zeros([2, 4, 5, 5]))).toThrow('RandAugment: images [2,4,5,5] have 4 channels; expected 1 or 3');
    expect(() => new v.AugMix().forward(tm.zeros([2, 2, 5, 5]))).toThrow('AugMix: images [2,2,5,5] have 2 channels; expected 1 or 3');
    const rotate: tm.vision.AugmentParams = { steps: [{ op: 'Rotate', magnitude: 10 }] };
    expect(() => new v.RandAugment({ fill: [1, 0] }).apply(tm.zeros([1, 3, 5, 5]), [rotate])).toThrow('RandAugment: fill has 2 values for images [1,3,5,5] with 3 channels; give 1 or 3');
    const x = tm.zeros([2, 3, 5, 5]);
    const rand = new v.RandAugment();
    expect(() => rand.apply(x, [rotate])).toThrow('RandAugment: apply needs one set of parameters per sample (2), got 1');
    expect(() => rand.apply(x, [rotate, { steps: [{ op: 'Blur', magnitude: 1 }] }] as never)).toThrow('RandAugment: a step must be { op, magnitude } with op one of Identity, ShearX');
    expect(() => rand.apply(x, [rotate, { steps: [{ op: 'Posterize', magnitude: 9 }] }])).toThrow("RandAugment: Posterize's magnitude must be an integer in [0, 8] (bits), got 9");
    expect(() => rand.apply(x, [rotate, { steps: [{ op: 'Brightness', magnitude: -2 }] }])).toThrow("RandAugment: Brightness's magnitude must be ≥ −1 (a factor 1 + magnitude ≥ 0), got -2");
    expect(() => rand.apply(x, [rotate, { steps: [{ op: 'Solarize', magnitude: 1.5 }] }])).toThrow("RandAugment: Solarize's magnitude must be ≤ 1 (a threshold), got 1.5");
    expect(() => new v.AugMix().apply(x, [{ original: 1, weights: [], chains: [] }, { original: 0.5, weights: [0.5], chains: [[]] }])).toThrow("AugMix: sample 1's parameters must be { original, weights, chains } with as many finite weights as chains (0) as every sample");
  });
});
