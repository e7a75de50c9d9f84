// The ai.onnx.preview.training domain on every backend: its optimizers
// (Adagrad, Momentum in both modes, Adam) against float64 loops of their
// pseudo code (the operators' documentation): one tensor and two of different
// shapes at once, the first step (T = 0, where Momentum takes the whole
// gradient and Adam's rate is uncorrected) and a later one, attributes given
// and left to their defaults; and Gradient, of a scalar and of a tensor y,
// with respect to graph inputs, one given as a z, against the analytic
// float64 gradient, in run (under noGrad) and runAsync. What is missing or
// mismatched is refused by name.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../../src/index.js';
import { BACKENDS } from '../../helpers/backends.js';
import { asF32, expectClose, uniform } from '../../helpers/data.js';
import { f64, size, type F64 } from '../../helpers/float64.js';
import { onnxModel } from '../../helpers/onnx.js';
import { feed, ints, runModel, runOp, type Feed } from '../../helpers/onnx_run.js';

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

  it.each(['sync', 'async'] as const)('Gradient (%s run): of Y = Σ tanh(X·W + B) and of T = tanh(X·W + B), as the analytic float64 gradient', async (mode) => {
    const [x, w, b] = [rand([2, 3]), rand([3, 4]), rand([4])];
    const model = onnxModel({
      opset: 17,
      domains: { [DOMAIN]: 1 },
      inputs: [{ name: 'X', shape: [2, 3] }, { name: 'W', shape: [3, 4] }],
      outputs: ['Y', 'dX', 'dW', 'dX2', 'dZ'].map((name) => ({ name })),
      initializers: { B: { shape: [4], values: b.v } },
      nodes: [
        { op: 'MatMul', inputs: ['X', 'W'], outputs: ['H0'] },
        { op: 'Add', inputs: ['H0', 'B'], outputs: ['H'] },
        { op: 'Tanh', inputs: ['H'], outputs: ['T'] },
        { op: 'ReduceSum', inputs: ['T'], outputs: ['Y'], attributes: { keepdims: 0 } },
        { op: 'Gradient', domain: DOMAIN, inputs: ['X', 'W'], outputs: ['dX', 'dW'], attributes: { xs: { strings: ['X', 'W'] }, y: 'Y' } },
        // With respect to X alone, W given as a z, of the tensor T (a seed of ones); and of Y with respect to a value it does not depend on.
        { op: 'Gradient', domain: DOMAIN, inputs: ['X', 'W'], outputs: ['dX2'], attributes: { xs: { strings: ['X'] }, zs: { strings: ['W'] }, y: 'T' } },
        { op: 'Gradient', domain: DOMAIN, inputs: ['B'], outputs: ['dZ'], attributes: { xs: { strings: ['B'] }, y: 'H0' } },
      ],
    });
    const [m, k, n] = [2, 3, 4];
    const dt = new Float64Array(m * n);
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
      let h = b.v[j];
      for (let l = 0; l < k; l++) h += x.v[i * k + l] * w.v[l * n + j];
      dt[i * n + j] = 1 - Math.tanh(h) ** 2;
    }
    const dx = Float64Array.from({ length: m * k }, (_, e) => { const [i, l] = [Math.floor(e / k), e % k]; let s = 0; for (let j = 0; j < n; j++) s += dt[i * n + j] * w.v[l * n + j]; return s; });
    const dw = Float64Array.from({ length: k * n }, (_, e) => { const [l, j] = [Math.floor(e / n), e % n]; let s = 0; for (let i = 0; i < m; i++) s += x.v[i * k + l] * dt[i * n + j]; return s; });
    const [yOut, gx, gw, gx2, gz] = await runModel(model, [feed(x), feed(w)], mode);
    expect([yOut.shape, gx.shape, gw.shape, gx2.shape, gz.shape]).toEqual([[], [2, 3], [3, 4], [2, 3], [4]]);
    expectClose(gx.v, dx, 1e-5, 'dY/dX');
    expectClose(gw.v, dw, 1e-5, 'dY/dW');
    expectClose(gx2.v, dx, 1e-5, 'dT/dX, W a z');
    expectClose(gz.v, [0, 0, 0, 0], 0, 'dH0/dB: H0 does not depend on B');
  });

  it('Gradient refuses a missing y, and inputs that are not xs then zs', async () => {
    const model = (attributes: Record<string, { strings: string[] } | string>, inputs: string[]) => onnxModel({
      opset: 17,
      domains: { [DOMAIN]: 1 },
      inputs: [{ name: 'X', shape: [3] }],
      outputs: [{ name: 'dX' }],
      nodes: [
        { op: 'Exp', inputs: ['X'], outputs: ['E'] },
        { op: 'Gradient', domain: DOMAIN, inputs, outputs: ['dX'], attributes },
      ],
    });
    const x = feed(rand([3]));
    await expect(runModel(model({ xs: { strings: ['X'] } }, ['X']), [x])).rejects.toThrow(/Gradient.*attributes xs .* and y .* are required/);
    await expect(runModel(model({ xs: { strings: ['X'] }, y: 'E' }, ['X', 'X']), [x])).rejects.toThrow(/has 2 inputs; it takes the values of xs \(1\) then zs \(0\)/);
  });
});
