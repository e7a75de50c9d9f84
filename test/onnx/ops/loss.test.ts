// ONNX's class-score losses (src/onnx/ops/loss.ts) on every backend:
// NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss against float64 loops
// of ONNX's reference (op_negative_log_likelihood_loss.py,
// op_softmax_cross_entropy_loss.py) at [N, C] and N-D scores, each
// reduction, with and without weights and ignore_index (in range and
// negative); SoftmaxCrossEntropyLoss's log_prob output; the gradient to the
// scores against float64 central differences; onnxruntime-web agreeing.
import * as ort from 'onnxruntime-web';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../../src/index.js';
import { BACKENDS } from '../../helpers/backends.js';
import { asF16, expectClose, randomInts, SEED, uniform } from '../../helpers/data.js';
import { size } from '../../helpers/float64.js';
import { opModel, runOp, type Feed } from '../../helpers/onnx_run.js';
import type { AttributeSpec } from '../../helpers/onnx.js';
import { ortRun } from '../../helpers/ort.js';

type Reduction = 'none' | 'sum' | 'mean';

interface Case {
  shape: number[];
  reduction: Reduction;
  weighted: boolean;
  ignore?: number;
}

/** The reference's loss (and log-probabilities) in float64: ONNX's definition, loops over (n, c, d). */
function lossRef(x: Float64Array, shape: number[], target: ArrayLike<number>, weight: ArrayLike<number> | undefined, reduction: Reduction, ignore: number | undefined, softmax: boolean): { loss: number[]; logp: Float64Array } {
  const [n, c] = shape;
  const d = size(shape.slice(2));
  const logp = Float64Array.from(x);
  if (softmax) {
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < d; k++) {
        let max = -Infinity;
        for (let j = 0; j < c; j++) max = Math.max(max, x[(i * c + j) * d + k]);
        let sum = 0;
        for (let j = 0; j < c; j++) sum += Math.exp(x[(i * c + j) * d + k] - max);
        for (let j = 0; j < c; j++) logp[(i * c + j) * d + k] = x[(i * c + j) * d + k] - max - Math.log(sum);
      }
    }
  }
  const losses: number[] = [];
  let weights = 0;
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < d; k++) {
      const t = target[i * d + k];
      if (t === ignore) {
        losses.push(0);
        continue;
      }
      const w = weight ? weight[t] : 1;
      losses.push(-w * logp[(i * c + t) * d + k]);
      weights += w;
    }
  }
  const total = losses.reduce((a, b) => a + b, 0);
  const loss = reduction === 'none' ? losses : reduction === 'sum' ? [total] : [total / weights];
  return { loss, logp };
}

/** Random scores, targets (about a quarter set to the ignored index, where there is one) and weights. */
function caseData({ shape, weighted, ignore }: Case): { x: Float64Array; target: number[]; weight?: Float64Array } {
  const [n, c] = shape;
  const targetCount = n * size(shape.slice(2));
  const target = Array.from(randomInts(targetCount, 0, c - 1));
  if (ignore !== undefined) {
    const drop = randomInts(targetCount, 0, 3);
    target.forEach((_, i) => drop[i] === 0 && (target[i] = ignore));
    // One kept, so that 'mean' divides by a non-zero weight.
    if (target.every((t) => t === ignore)) target[0] = ignore === 0 ? 1 : 0;
  }
  return { x: uniform(size(shape), -3, 3), target, weight: weighted ? uniform(c, 0.2, 2) : undefined };
}

function feeds(shape: number[], data: ReturnType<typeof caseData>): Feed[] {
  const targetShape = [shape[0], ...shape.slice(2)];
  const out: Feed[] = [{ shape, values: data.x }, { shape: targetShape, values: data.target, type: 'int64' }];
  if (data.weight) out.push({ shape: [shape[1]], values: data.weight });
  return out;
}

const attributes = ({ reduction, ignore }: Case): Record<string, AttributeSpec> => (ignore === undefined ? { reduction } : { reduction, ignore_index: ignore });

const CASES: Case[] = [
  { shape: [5, 3], reduction: 'mean', weighted: false },
  { shape: [7, 4], reduction: 'none', weighted: true },
  { shape: [6, 5], reduction: 'sum', weighted: true, ignore: 2 },
  { shape: [3, 4, 5], reduction: 'mean', weighted: true, ignore: -1 },
  { shape: [2, 3, 4, 3], reduction: 'none', weighted: false, ignore: 0 },
  { shape: [3, 7, 2, 3], reduction: 'mean', weighted: false, ignore: 4 },
  { shape: [4, 2, 5], reduction: 'sum', weighted: false },
];

const OPS = [['NegativeLogLikelihoodLoss', false], ['SoftmaxCrossEntropyLoss', true]] as const;

describe.each(BACKENDS)('tm.onnx class-score losses on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  describe.each(OPS)('%s', (op, softmax) => {
    it.each(CASES)('matches ONNX\'s definition in float64 (%j)', async (c) => {
      const data = caseData(c);
      const outputs = softmax ? 2 : 1;
      const got = await runOp(op, feeds(c.shape, data), attributes(c), { outputs });
      const want = lossRef(data.x, c.shape, data.target, data.weight, c.reduction, c.ignore, softmax);
      expect(got[0].shape).toEqual(c.reduction === 'none' ? [c.shape[0], ...c.shape.slice(2)] : []);
      // Every term −w·log p is ≥ 0, so a sum has no cancellation: relative to the result.
      expectClose(got[0].v, want.loss, 1e-5, `${op} loss (seed ${SEED})`);
      if (softmax) {
        expect(got[1].shape).toEqual(c.shape);
        expectClose(got[1].v, want.logp, 1e-5, `${op} log_prob (seed ${SEED})`);
      }
    });

    it('computes the loss alone in an asynchronous run, leaving no tensor behind', async () => {
      const c = CASES[3];
      const data = caseData(c);
      const [y] = await runOp(op, feeds(c.shape, data), attributes(c), { mode: 'async' });
      const want = lossRef(data.x, c.shape, data.target, data.weight, c.reduction, c.ignore, softmax);
      expectClose(y.v, want.loss, 1e-5, `${op} loss, runAsync (seed ${SEED})`);
    });

    it('runs float16 scores and weights (opset 13)', async () => {
      const c: Case = { shape: [5, 4, 3], reduction: 'mean', weighted: true, ignore: 3 };
      const data = caseData(c);
      const fed = feeds(c.shape, data).map((f, i) => (i === 1 ? f : { ...f, type: 'float16' as const }));
      const got = await runOp(op, fed, attributes(c), { opset: 13, outputs: softmax ? 2 : 1, outputTypes: ['float16', 'float16'] });
      const want = lossRef(asF16(data.x), c.shape, data.target, asF16(data.weight!), c.reduction, c.ignore, softmax);
      // Computed in f16 (2^-11 relative per rounding) over a few dozen terms of size ≤ 10: 5e-3 of the loss.
      expectClose(got[0].v, want.loss, 5e-3, `${op} float16 loss (seed ${SEED})`);
    });

    it('passes the gradient to the scores: float64 central differences of the definition', async () => {
      for (const c of [{ shape: [3, 4, 2], reduction: 'mean', weighted: true, ignore: 1 }, { shape: [4, 3], reduction: 'none', weighted: false }] as Case[]) {
        const data = caseData(c);
        const fed = feeds(c.shape, data);
        const model = tm.onnx.fromBytes(opModel(op, fed, attributes(c)));
        const inputs = fed.map((f, i) => tm.tensor(Array.from(f.values), [...f.shape], { dtype: i === 1 ? 'i32' : 'f32' }));
        inputs[0].requiresGrad = true;
        const y = model.forward(...inputs);
        const total = tm.sum(y);
        total.backward();
        const grad = await inputs[0].grad!.data();
        // d Σ loss / dx by central differences of the float64 loss, at the f32 inputs tmnn ran.
        const x = Float64Array.from(Float32Array.from(data.x));
        const h = 1e-4;
        const objective = (v: Float64Array) => lossRef(v, c.shape, data.target, data.weight && Float64Array.from(Float32Array.from(data.weight)), c.reduction, c.ignore, softmax).loss.reduce((a, b) => a + b, 0);
        const want = Array.from(x, (_, i) => {
          const up = Float64Array.from(x), down = Float64Array.from(x);
          up[i] += h;
          down[i] -= h;
          return (objective(up) - objective(down)) / (2 * h);
        });
        expectClose(grad, want, 1e-4, `${op} d loss / d scores, ${c.reduction} (seed ${SEED})`);
        for (const t of [...inputs, y, total, inputs[0].grad!]) t.dispose();
        model.dispose();
      }
    });

    it('agrees with onnxruntime', async () => {
      for (const c of [CASES[2], CASES[3], CASES[4]]) {
        const data = caseData(c);
        const fed = feeds(c.shape, data);
        const outputs = softmax ? 2 : 1;
        const bytes = opModel(op, fed, attributes(c), { outputs });
        const ortFeeds: Record<string, ort.Tensor> = {
          x0: new ort.Tensor('float32', Float32Array.from(data.x), c.shape),
          x1: new ort.Tensor('int64', BigInt64Array.from(data.target, (t) => BigInt(t)), fed[1].shape as number[]),
        };
        if (data.weight) ortFeeds.x2 = new ort.Tensor('float32', Float32Array.from(data.weight), [c.shape[1]]);
        const want = await ortRun(bytes, ortFeeds);
        const got = await runOp(op, fed, attributes(c), { outputs });
        expect(got[0].shape).toEqual(want.y0.dims);
        expectClose(got[0].v, Array.from(want.y0.data as Float32Array), 1e-5, `${op} loss vs onnxruntime, ${JSON.stringify(c)} (seed ${SEED})`);
        if (softmax) expectClose(got[1].v, Array.from(want.y1.data as Float32Array), 1e-5, `${op} log_prob vs onnxruntime`);
      }
    });

    it('refuses a bad reduction, a target of the wrong shape, a float target and a weight of the wrong length', async () => {
      const x = { shape: [4, 3, 2], values: uniform(24) };
      const target = (shape: number[], type: 'int64' | 'float' = 'int64'): Feed => ({ shape, values: randomInts(size(shape), 0, 2), type });
      await expect(runOp(op, [x, target([4, 2])], { reduction: 'max' })).rejects.toThrow(new RegExp(`\\(${op}\\): reduction = 'max' is not supported: it is one of 'none', 'sum', 'mean'`));
      await expect(runOp(op, [x, target([4, 3])])).rejects.toThrow(new RegExp(`\\(${op}\\): its target should be \\[4, 2\\] for scores \\[4, 3, 2\\], it is \\[4, 3\\]`));
      await expect(runOp(op, [x, target([4, 2], 'float')])).rejects.toThrow(new RegExp(`\\(${op}\\): its target is f32; it should be class indices`));
      await expect(runOp(op, [x, target([4, 2]), { shape: [4], values: uniform(4) }])).rejects.toThrow(new RegExp(`\\(${op}\\): weight must be \\[3\\]`));
    });
  });

  it('NegativeLogLikelihoodLoss names a target outside the classes (js, native: read at once)', async () => {
    if (backend === 'webgpu') return; // There an out-of-range target gives a NaN loss, as tm.losses.nll documents.
    await expect(runOp('NegativeLogLikelihoodLoss', [{ shape: [2, 3], values: uniform(6) }, { shape: [2], values: [1, 5], type: 'int64' }])).rejects.toThrow(/\(NegativeLogLikelihoodLoss\): class label 5 \(sample 1\) is not one of the 3 classes/);
  });
});
