// The ai.onnx.preview.training optimizers (Adagrad, Momentum in both modes,
// Adam) on every backend against float64 loops of their pseudo code (the
// operators' documentation): one tensor and two of different shapes at
// once, the first step (T = 0, where Momentum takes the whole gradient and
// Adam's rate is uncorrected) and a later one, attributes given and left to
// their defaults; what is missing or mismatched is refused by name.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../../src/index.js';
import { BACKENDS } from '../../helpers/backends.js';
import { asF32, expectClose, uniform } from '../../helpers/data.js';
import { f64, size, type F64 } from '../../helpers/float64.js';
import { feed, ints, runOp, type Feed } from '../../helpers/onnx_run.js';

const DOMAIN = 'ai.onnx.preview.training';
const rand = (shape: number[], lo = -1, hi = 1): F64 => f64(shape, asF32(uniform(size(shape), lo, hi)));
const scalar = (v: number): Feed => ({ shape: [], values: [Math.fround(v)], type: 'float' });

type Step = (x: number, g: number, state: number[]) => number[];

/** Each tensor's step elementwise: [X_new, ...state_new] for every element, laid out as the op's outputs. */
function stepRef(groups: F64[][], step: Step): Float64Array[] {
  const results = groups.map((g) => {
    const [x, grad, ...state] = g;
    const per = Array.from(x.v, (xv, k) => step(xv, grad.v[k], state.map((s) => s.v[k])));
    return per[0].map((_, list) => Float64Array.from(per, (p) => p[list]));
  });
  return results[0].flatMap((_, list) => results.map((r) => r[list]));
}

/** The op's outputs for R, T and the per-tensor lists (X, G, state…), each list laid out across the tensors. */
async function stepOp(op: string, r: number, t: number, groups: F64[][], attributes: Record<string, number | string | { float: number }>): Promise<Float64Array[]> {
  const lists = groups[0].map((_, l) => groups.map((g) => feed(g[l])));
  const outputs = groups.length * (groups[0].length - 1);
  const got = await runOp(op, [scalar(r), ints([t], []), ...lists.flat()], attributes, { domain: DOMAIN, outputs });
  return got.map((o) => o.v);
}

const SHAPES = [[[7]], [[3, 5], [129]]];

describe.each(BACKENDS)('ai.onnx.preview.training optimizers on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it.each(SHAPES)('Adagrad: a step over %j, the rate decayed by T, H accumulating squared regularized gradients', async (...shapes) => {
    for (const [t, attributes] of [[0, {}], [3, { decay_factor: { float: 0.1 }, epsilon: { float: 1e-3 }, norm_coefficient: { float: 0.01 } }]] as const) {
      const groups = shapes.map((s) => [rand(s), rand(s), rand(s, 0, 2)]);
      const [decay, eps, norm] = [attributes.decay_factor?.float ?? 0, attributes.epsilon?.float ?? 1e-6, attributes.norm_coefficient?.float ?? 0];
      const rate = 0.1 / (1 + t * decay);
      const want = stepRef(groups, (x, g, [h]) => {
        const gr = norm * x + g, hNew = h + gr * gr;
        return [x - (rate * gr) / (Math.sqrt(hNew) + eps), hNew];
      });
      const got = await stepOp('Adagrad', 0.1, t, groups, attributes);
      got.forEach((v, i) => expectClose(v, want[i], 1e-5, `Adagrad T ${t} output ${i}`));
    }
  });

  it.each(['standard', 'nesterov'])('Momentum (%s): beta only after the first step', async (mode) => {
    for (const t of [0, 5]) {
      const groups = SHAPES[1].map((s) => [rand(s), rand(s), rand(s)]);
      const [alpha, beta, norm] = [0.9, 0.5, 0.02];
      const want = stepRef(groups, (x, g, [v]) => {
        const gr = norm * x + g, vNew = alpha * v + (t > 0 ? beta : 1) * gr;
        return [x - 0.05 * (mode === 'standard' ? vNew : gr + alpha * vNew), vNew];
      });
      const got = await stepOp('Momentum', 0.05, t, groups, { alpha: { float: alpha }, beta: { float: beta }, norm_coefficient: { float: norm }, mode });
      got.forEach((v, i) => expectClose(v, want[i], 1e-5, `Momentum ${mode} T ${t} output ${i}`));
    }
  });

  it.each(SHAPES)('Adam: a step over %j, the rate bias-corrected once T > 0, the post-update decay', async (...shapes) => {
    for (const [t, attributes] of [[0, {}], [4, { alpha: { float: 0.8 }, beta: { float: 0.99 }, epsilon: { float: 1e-4 }, norm_coefficient: { float: 0.01 }, norm_coefficient_post: { float: 0.05 } }]] as const) {
      const groups = shapes.map((s) => [rand(s), rand(s), rand(s), rand(s, 0, 1)]);
      const a = attributes as Partial<Record<string, { float: number }>>;
      const [alpha, beta, eps, norm, post] = [a.alpha?.float ?? 0.9, a.beta?.float ?? 0.999, a.epsilon?.float ?? 1e-6, a.norm_coefficient?.float ?? 0, a.norm_coefficient_post?.float ?? 0];
      const rate = t > 0 ? (0.01 * Math.sqrt(1 - beta ** t)) / (1 - alpha ** t) : 0.01;
      const want = stepRef(groups, (x, g, [v, h]) => {
        const gr = norm * x + g, vNew = alpha * v + (1 - alpha) * gr, hNew = beta * h + (1 - beta) * gr * gr;
        return [(1 - post) * (x - (rate * vNew) / (Math.sqrt(hNew) + eps)), vNew, hNew];
      });
      const got = await stepOp('Adam', 0.01, t, groups, attributes);
      got.forEach((v, i) => expectClose(v, want[i], 1e-5, `Adam T ${t} output ${i}`));
    }
  });

  it('refuses inputs that are not R, T and whole lists, and a Momentum without its attributes', async () => {
    const x = rand([4]);
    await expect(runOp('Adam', [scalar(0.1), ints([1], []), feed(x), feed(x), feed(x)], {}, { domain: DOMAIN, outputs: 3 })).rejects.toThrow(/Adam\).*has 5 inputs; Adam takes R, T and 4 lists of N tensors/);
    await expect(runOp('Momentum', [scalar(0.1), ints([1], []), feed(x), feed(x), feed(x)], { alpha: { float: 0.9 }, beta: { float: 0.1 }, mode: 'standard' }, { domain: DOMAIN, outputs: 2 })).rejects.toThrow(/attribute norm_coefficient is required/);
    await expect(runOp('Momentum', [scalar(0.1), ints([1], []), feed(x), feed(x), feed(x)], { alpha: { float: 0.9 }, beta: { float: 0.1 }, norm_coefficient: { float: 0 }, mode: 'heavy' }, { domain: DOMAIN, outputs: 2 })).rejects.toThrow(/mode = 'heavy' is not supported: it is standard or nesterov/);
  });
});
