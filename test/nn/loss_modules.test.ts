// tm.nn's loss modules (PyTorch's nn.MSELoss, nn.CrossEntropyLoss, …) give
// PyTorch's numbers: every module of test/fixtures/losses (PyTorch 1.13, from
// scripts/make-loss-module-fixtures.py) in each of its reductions, the loss
// and the gradients of Σ loss·w with respect to each input that takes one.
// Then what the modules are besides: class weights as buffers, not
// parameters; their options refused when made; fit training with one.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { expectClose, randomInts, uniform } from '../helpers/data.js';

interface FixtureCase {
  module: string;
  options: Record<string, unknown>;
  inputs: number;
  grads: number[];
  reductions: string[];
  /** Input 0 holds logits, which the loss takes through logSoftmax (CTC: see the fixture script). */
  logSoftmaxFirst?: boolean;
  inputLengths?: number[];
  targetLengths?: number[];
}

const dir = join(import.meta.dirname, '..', 'fixtures', 'losses');
const { cases } = JSON.parse(readFileSync(join(dir, 'modules.json'), 'utf8')) as { cases: FixtureCase[] };
const arrays = new Uint8Array(readFileSync(join(dir, 'modules.npz')));

type LossModule = tm.nn.Loss & { forward(...args: unknown[]): tm.Tensor };
const modules = tm.nn as unknown as Record<string, new (options: Record<string, unknown>) => LossModule>;

describe.each(BACKENDS)('loss modules on %s', (backend) => {
  const tol = backend === 'webgpu' ? 1e-4 : 2e-5;
  let torch: Record<string, tm.Tensor>;

  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
    torch = tm.fromNpz(arrays);
  });

  afterAll(async () => {
    await tm.init({ backend: 'js' });
  });

  const rows = cases.flatMap((c, k) => c.reductions.map((reduction) => [k, c.module, reduction, JSON.stringify(c.options)] as const));
  it.each(rows)('case %i: %s with reduction %s and %s gives PyTorch\'s loss and gradients', async (k, name, reduction) => {
    const c = cases[k];
    const options = Object.fromEntries(Object.entries(c.options).map(([key, v]) => [key, v && typeof v === 'object' ? torch[(v as { tensor: string }).tensor] : v]));
    const loss = new modules[name]({ ...options, reduction });
    const inputs = Array.from({ length: c.inputs }, (_, i) => {
      const x = torch[`input_${k}_${i}`].clone();
      x.requiresGrad = c.grads.includes(i);
      return x;
    });
    const lengths = c.inputLengths ? [c.inputLengths, c.targetLengths] : [];
    const given = c.logSoftmaxFirst ? [inputs[0].logSoftmax(-1), ...inputs.slice(1)] : inputs;
    const out = loss.forward(...given, ...lengths);
    const want = torch[`loss_${k}_${reduction}`];
    expect(out.shape).toEqual(want.shape);
    expectClose(await out.data(), await want.data(), tol, `case ${k} (${name}, ${reduction}) loss`);
    tm.tidy(() => out.mul(torch[`w_${k}_${reduction}`]).sum()).backward();
    for (const i of c.grads) {
      expectClose(await inputs[i].grad!.data(), await torch[`grad_${k}_${reduction}_${i}`].data(), tol, `case ${k} (${name}, ${reduction}) gradient of input ${i}`);
    }
  });

  it('an elementwise loss keeps the input\'s shape with reduction none and adds every element with sum, where tm.losses gives one value a sample', async () => {
    const [p, t] = [uniform(4 * 3 * 5), uniform(4 * 3 * 5)];
    const [pred, target] = [tm.tensor(p, [4, 3, 5]), tm.tensor(t, [4, 3, 5])];
    const squares = Array.from(p, (v, i) => (Math.fround(v) - Math.fround(t[i])) ** 2);
    const each = new tm.nn.MSELoss({ reduction: 'none' }).forward(pred, target);
    expect(each.shape).toEqual([4, 3, 5]);
    expectClose(await each.data(), squares, 1e-5);
    expectClose(await new tm.nn.MSELoss({ reduction: 'sum' }).forward(pred, target).data(), [squares.reduce((a, b) => a + b, 0)], 1e-5);
    expect(tm.losses.mse(pred, target, { reduction: 'none' }).shape).toEqual([4]);
  });

  it('class weights are buffers (in stateDict, as PyTorch\'s), copies of the tensors given, and never parameters', async () => {
    const weight = tm.tensor([1, 2, 3]);
    weight.requiresGrad = true;
    const loss = new tm.nn.CrossEntropyLoss({ weight, labelSmoothing: 0.1 });
    expect(loss.parameters()).toEqual([]);
    expect(Object.keys(loss.stateDict())).toEqual(['weight']);
    expect(loss.config()).toEqual({ type: 'CrossEntropyLoss', reduction: 'mean', labelSmoothing: 0.1 });
    // A state loaded into the module changes its copy, not the caller's tensor.
    loss.loadStateDict({ weight: tm.tensor([3, 2, 1]) });
    expect(Array.from(await weight.data())).toEqual([1, 2, 3]);
    const logits = tm.tensor(uniform(6), [2, 3]);
    const labels = tm.tensor(Int32Array.of(0, 2));
    expectClose(await loss.forward(logits, labels).data(), await tm.losses.crossEntropy(logits, labels, { weight: tm.tensor([3, 2, 1]), labelSmoothing: 0.1 }).data(), 1e-6);
    loss.dispose();
    expect(weight.isDisposed).toBe(false);
    expect(Object.keys(new tm.nn.BCEWithLogitsLoss({ posWeight: tm.tensor([2]) }).stateDict())).toEqual(['posWeight']);
  });

  it('refuses a reduction it does not know, an option it does not take, and a missing input, by name', () => {
    expect(() => new tm.nn.MSELoss({ reduction: 'batchmean' as 'mean' })).toThrow(new tm.ValueError('MSELoss: unknown reduction "batchmean"; expected mean, sum, none'));
    expect(new tm.nn.KLDivLoss({ reduction: 'batchmean' }).config()).toEqual({ type: 'KLDivLoss', reduction: 'batchmean' });
    expect(() => new tm.nn.HuberLoss({ beta: 1 } as tm.losses.HuberOptions)).toThrow(/HuberLoss: unknown option "beta"|HuberLoss.*beta/);
    expect(() => new tm.nn.L1Loss().forward(tm.zeros([2]))).toThrow(new tm.ValueError('L1Loss: forward takes a target; it is missing'));
    expect(() => new tm.nn.MarginRankingLoss().forward(tm.zeros([2]), tm.zeros([2]))).toThrow(new tm.ValueError('MarginRankingLoss: forward takes a target; it is missing'));
    expect(() => new tm.nn.MSELoss().forward(tm.zeros([2, 3]), tm.zeros([3, 2]))).toThrow(new tm.ShapeError('MSELoss: input [2,3] and target [3,2] differ'));
    expect(() => new tm.nn.BCELoss({ weight: tm.ones([4]) }).forward(tm.full([2, 3], 0.5), tm.zeros([2, 3]))).toThrow(new tm.ShapeError('BCELoss: weight [4] does not broadcast to input [2,3]'));
    expect(() => new tm.nn.TripletMarginWithDistanceLoss({ distanceFunction: 'cosine' as unknown as () => tm.Tensor })).toThrow(/distanceFunction must be a function/);
  });

  it('a PyTorch padding label −100 is an error that says how to ignore it (a NaN loss on a GPU), unless ignoreIndex names it', async () => {
    const loss = new tm.nn.CrossEntropyLoss();
    const labels = tm.tensor(Int32Array.of(1, -100), [2]);
    if (backend === 'webgpu') {
      // Labels are not read at once on a GPU: that sample's loss is NaN there, never a quiet 0.
      expect(Number.isNaN(await loss.forward(tm.zeros([2, 3]), labels).item())).toBe(true);
    } else {
      expect(() => loss.forward(tm.zeros([2, 3]), labels)).toThrow(/class label -100 \(sample 1\).*pass ignoreIndex: -100/);
    }
    expect(new tm.nn.CrossEntropyLoss({ ignoreIndex: -100 }).forward(tm.zeros([2, 3]), labels).shape).toEqual([]);
  });

  it('CrossEntropyLoss reads its ignoreIndex only for class labels, as PyTorch\'s: probabilities are taken whole', async () => {
    const logits = tm.tensor(uniform(6), [2, 3]);
    const probabilities = tm.tensor([0.2, 0.3, 0.5, 1, 0, 0], [2, 3]);
    expectClose(await new tm.nn.CrossEntropyLoss({ ignoreIndex: -100 }).forward(logits, probabilities).data(), await tm.losses.crossEntropy(logits, probabilities).data(), 1e-7);
  });

  it('BCEWithLogitsLoss takes a number as posWeight for every class; BCELoss and BCEWithLogitsLoss refuse a weight that is not a tensor', async () => {
    const [x, t] = [tm.tensor(uniform(8), [4, 2]), tm.tensor(uniform(8, 0, 1), [4, 2])];
    expectClose(await new tm.nn.BCEWithLogitsLoss({ posWeight: 3 }).forward(x, t).data(), await tm.losses.binaryCrossEntropy(x, t, { fromLogits: true, posWeight: 3 }).data(), 1e-6);
    expect(() => new tm.nn.BCELoss({ weight: 2 as unknown as tm.Tensor })).toThrow(new tm.ValueError('BCELoss: weight must be a tensor broadcast against the input, got 2'));
    expect(() => new tm.nn.BCEWithLogitsLoss({ weight: 2 as unknown as tm.Tensor })).toThrow(new tm.ValueError('BCEWithLogitsLoss: weight must be a tensor broadcast against the input, got 2'));
  });

  it('CTCLoss takes lengths as numbers, or as tensors where the backend holds them (js, native)', async () => {
    const logProbs = tm.tensor(uniform(6 * 2 * 4), [6, 2, 4]).logSoftmax(-1);
    const targets = tm.tensor(Int32Array.of(1, 2, 3, 1, 0, 0), [2, 3]);
    const loss = new tm.nn.CTCLoss();
    const byNumbers = await loss.forward(logProbs, targets, [6, 5], [3, 1]).data();
    const lengths = [tm.tensor(Int32Array.of(6, 5)), tm.tensor(Int32Array.of(3, 1))] as const;
    if (backend === 'webgpu') {
      expect(() => loss.forward(logProbs, targets, ...lengths)).toThrow(/CTCLoss: inputLengths as a tensor on webgpu would wait for the device; pass them as numbers/);
    } else {
      expectClose(await loss.forward(logProbs, targets, ...lengths).data(), byNumbers, 1e-7);
    }
    // The concatenated form of the same targets.
    expectClose(await loss.forward(logProbs, tm.tensor(Int32Array.of(1, 2, 3, 1)), [6, 5], [3, 1]).data(), byNumbers, 1e-6);
    expect(() => loss.forward(logProbs, tm.tensor(Int32Array.of(1, 2, 3)), [6, 5], [3, 1])).toThrow('ctc: concatenated targets [3] must hold the Σ targetLengths = 4 labels');
  });

  it('fit trains with a loss module as with the loss it names, and reports accuracy for CrossEntropyLoss', async () => {
    const x = tm.tensor(uniform(40 * 3), [40, 3]);
    const y = tm.tensor(Int32Array.from(randomInts(40, 0, 2)), [40]);
    const run = async (loss: tm.nn.FitOptions['loss']) => {
      const model = new tm.nn.Sequential([new tm.nn.Dense(3, 8, { seed: 1 }), new tm.nn.ReLU(), new tm.nn.Dense(8, 3, { seed: 2 })]);
      return model.fit(x, y, { loss, epochs: 3, batchSize: 8, shuffle: false });
    };
    const named = await run('crossEntropy');
    const module = await run(new tm.nn.CrossEntropyLoss());
    expectClose(module.loss, named.loss, 1e-6);
    expectClose(module.accuracy!, named.accuracy!, 0);
    // fit reports the mean loss per sample: a module that does not take the mean is refused.
    await expect(run(new tm.nn.CrossEntropyLoss({ reduction: 'none' }))).rejects.toThrow(/fit: the CrossEntropyLoss given as the loss has reduction 'none'; fit and evaluate take a batch's mean/);
    await expect(run(new tm.nn.CrossEntropyLoss({ reduction: 'sum' }))).rejects.toThrow(/fit: the CrossEntropyLoss given as the loss has reduction 'sum'/);
    // With an ignoreIndex: no accuracy, and named metrics are refused rather than shown the ignored labels.
    const ignoring = await run(new tm.nn.CrossEntropyLoss({ ignoreIndex: -100 }));
    expectClose(ignoring.loss, named.loss, 1e-6);
    const model = new tm.nn.Sequential([new tm.nn.Dense(3, 3, { seed: 1 })]);
    await expect(model.evaluate(x, y, { loss: new tm.nn.CrossEntropyLoss({ ignoreIndex: -100 }), metrics: ['accuracy'] })).rejects.toThrow(
      /evaluate: the named metric "accuracy" cannot leave out the labels the CrossEntropyLoss ignores \(ignoreIndex -100\)/,
    );
  });
});
