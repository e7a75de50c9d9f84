// tm.losses.ctc against the CTC forward recursion (Graves et al. 2006) run
// here in float64 over each sample's interleaved target, and its gradient
// against central differences of that recursion, on every backend: targets
// with repeats (which need a blank between them), empty targets, samples of
// fewer frames than the batch's, unreachable targets (∞, or 0 with
// zeroInfinity), each reduction, f16, errors, and a sequence learned from it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { collected } from '../helpers/gc.js';
import { asF16, expectClose, uniform } from '../helpers/data.js';
import { centralDifferences } from '../helpers/float64.js';
import { ctcLosses, ctcLossesByOps } from '../../src/ops/ctc.js';

const lse = (...xs: number[]) => {
  const m = Math.max(...xs);
  return m === -Infinity ? -Infinity : m + Math.log(xs.reduce((acc, x) => acc + Math.exp(x - m), 0));
};

/** −log p(target n | its frames) for each sample, from log-probabilities lp [T, N, C] in float64. */
function ctcRef(lp: Float64Array, [frames, batch, classes]: number[], targets: number[][], inputs: number[], blank = 0): Float64Array {
  return Float64Array.from({ length: batch }, (_, n) => {
    const ext = [blank, ...targets[n].flatMap((l) => [l, blank])];
    const at = (t: number, s: number) => lp[(t * batch + n) * classes + ext[s]];
    let alpha = ext.map((_, s) => (s < 2 ? at(0, s) : -Infinity));
    for (let t = 1; t < inputs[n]; t++) {
      alpha = ext.map((l, s) => lse(alpha[s], s >= 1 ? alpha[s - 1] : -Infinity, s >= 2 && l !== blank && l !== ext[s - 2] ? alpha[s - 2] : -Infinity) + at(t, s));
    }
    return -lse(alpha[ext.length - 1], ext.length > 1 ? alpha[ext.length - 2] : -Infinity);
  });
}

/** Random log-probabilities [T, N, C] (each frame's a log-softmax), rounded to f32 (or f16). */
function logProbabilities(shape: number[], round: (v: Float64Array) => Float64Array = (v) => Float64Array.from(Float32Array.from(v))): Float64Array {
  const [frames, batch, classes] = shape;
  const logits = uniform(frames * batch * classes, -3, 3);
  for (let r = 0; r < frames * batch; r++) {
    const row = logits.subarray(r * classes, (r + 1) * classes);
    const norm = lse(...row);
    row.forEach((v, i) => (row[i] = v - norm));
  }
  return round(logits);
}

/** Targets as a padded i32 tensor [N, S]: past each length, -1 (which names no class: it must not be read). */
function padded(targets: number[][], labels: number): tm.Tensor {
  return tm.tensor(Int32Array.from(targets.flatMap((t) => [...t, ...Array(labels - t.length).fill(-1)])), [targets.length, labels], { dtype: 'i32' });
}

interface Case {
  what: string;
  shape: [number, number, number];
  targets: number[][];
  inputs: number[];
  blank?: number;
}

const CASES: Case[] = [
  { what: 'one frame, one label', shape: [1, 1, 2], targets: [[1]], inputs: [1] },
  { what: 'repeats, an empty target and shorter samples', shape: [7, 3, 5], targets: [[1, 1, 2], [3], []], inputs: [7, 5, 3] },
  { what: 'three repeats in five frames (one alignment)', shape: [5, 1, 4], targets: [[2, 2, 2]], inputs: [5] },
  { what: 'a blank other than 0', shape: [9, 2, 6], targets: [[0, 1, 0, 4], [5, 0]], inputs: [9, 8], blank: 3 },
  { what: 'a long batch', shape: [50, 4, 20], targets: [[1, 5, 5, 9, 2, 2, 7, 19, 3, 3], [4], [6, 7, 8, 9, 10, 11, 12], [18, 18, 1]], inputs: [50, 41, 13, 50] },
];

describe.each(BACKENDS)('ctc on %s', (backend) => {
  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  afterAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it.each(CASES)('gives −log p(target) per sample, summed over every alignment, and its gradient: $what', async (c) => {
    const lpRef = logProbabilities(c.shape);
    const labels = Math.max(1, ...c.targets.map((t) => t.length));
    const lengths = c.targets.map((t) => t.length);
    const want = ctcRef(lpRef, c.shape, c.targets, c.inputs, c.blank);
    const weights = uniform(c.shape[1], 0.5, 2);
    const wantGrad = centralDifferences(lpRef, () => ctcRef(lpRef, c.shape, c.targets, c.inputs, c.blank).reduce((acc, l, n) => acc + weights[n] * l, 0));
    // The backend's kernel where it has one, and the ops every backend can run.
    for (const path of [ctcLosses, ctcLossesByOps]) {
      const what = path === ctcLosses ? 'the loss' : 'the ops';
      const lp = tm.tensor(lpRef, c.shape);
      lp.requiresGrad = true;
      const targets = padded(c.targets, labels);
      const losses = path === ctcLosses
        ? tm.losses.ctc(lp, targets, c.inputs, lengths, { reduction: 'none', blank: c.blank })
        : path(lp, targets, Int32Array.from(c.inputs), Int32Array.from(lengths), c.blank ?? 0);
      expect(losses.shape).toEqual([c.shape[1]]);
      // The ops add a frame's log-probabilities at a time in f32: rounding grows with the frames.
      expectClose(await losses.data(), want, 2e-5 * c.shape[0] ** 0.5, `${what}: losses`);
      losses.mul(tm.tensor(weights)).sum().backward();
      expectClose(await lp.grad!.data(), wantGrad, 1e-4, `${what}: gradient`);
      for (const t of [lp, lp.grad!, targets, losses]) t.dispose();
    }
  });

  it('reduces as PyTorch: \'mean\' divides each loss by its target length (an empty one by 1) and averages; \'sum\' adds', async () => {
    const c = CASES[1];
    const lpRef = logProbabilities(c.shape);
    const want = ctcRef(lpRef, c.shape, c.targets, c.inputs);
    const lp = tm.tensor(lpRef, c.shape);
    const targets = padded(c.targets, 3);
    const mean = tm.losses.ctc(lp, targets, c.inputs, [3, 1, 0]);
    expect(mean.shape).toEqual([]);
    expectClose(await mean.data(), [(want[0] / 3 + want[1] / 1 + want[2] / 1) / 3], 1e-5, 'mean');
    expectClose(await tm.losses.ctc(lp, targets, c.inputs, [3, 1, 0], { reduction: 'sum' }).data(), [want[0] + want[1] + want[2]], 1e-5, 'sum');
  });

  it('takes one sequence [T, C] with its target [S], and f16 log-probabilities', async () => {
    const shape = [8, 1, 5];
    const lpRef = logProbabilities(shape, asF16);
    const want = ctcRef(lpRef, shape, [[4, 1, 4]], [8]);
    const one = tm.losses.ctc(tm.tensor(lpRef, [8, 5]), tm.tensor([4, 1, 4], undefined, { dtype: 'i32' }), [8], [3], { reduction: 'none' });
    expect(one.shape).toEqual([]);
    expectClose(await one.data(), want, 1e-5, 'one sequence');
    const half = tm.losses.ctc(tm.tensor(lpRef, shape, { dtype: 'f16' }), tm.tensor([[4, 1, 4]], undefined, { dtype: 'i32' }), [8], [3], { reduction: 'none' });
    expect(half.dtype).toBe('f16');
    expectClose(await half.data(), want, 2e-3, 'f16');
  });

  it('is ∞ for a target its frames cannot spell, or 0 with no gradient under zeroInfinity', async () => {
    // Three equal labels need a blank between each: five frames, and there are three.
    const lpRef = logProbabilities([3, 2, 4]);
    const lp = tm.tensor(lpRef, [3, 2, 4]);
    lp.requiresGrad = true;
    const targets = padded([[1, 1, 1], [2, 3]], 3);
    const want = ctcRef(lpRef, [3, 2, 4], [[1, 1, 1], [2, 3]], [3, 3]);
    expect(want[0]).toBe(Infinity);
    const plain = await tm.losses.ctc(lp, targets, [3, 3], [3, 2], { reduction: 'none' }).data();
    expect(plain[0]).toBe(Infinity);
    expectClose([plain[1]], [want[1]], 1e-5);
    const zeroed = tm.losses.ctc(lp, targets, [3, 3], [3, 2], { reduction: 'none', zeroInfinity: true });
    expectClose(await zeroed.data(), [0, want[1]], 1e-5);
    zeroed.sum().backward();
    const grad = await lp.grad!.data();
    // Sample 0's frames get nothing; sample 1's get its gradient.
    expect(Array.from({ length: 3 }, (_, t) => Array.from(grad.subarray((t * 2) * 4, (t * 2 + 1) * 4))).flat().every((g) => g === 0)).toBe(true);
    expect(Array.from(grad.subarray(4, 8)).some((g) => g !== 0)).toBe(true);
  });

  it('refuses what is not a CTC problem, naming it', () => {
    const lp = tm.zeros([6, 2, 4]);
    const targets = tm.tensor([[1, 2], [3, 0]], undefined, { dtype: 'i32' });
    expect(() => tm.losses.ctc(lp, targets.cast('f32'), [6, 6], [2, 1])).toThrow("ctc: targets must be class labels of an int dtype, got f32 (targets.cast('i32'))");
    expect(() => tm.losses.ctc(tm.zeros([6, 2, 4], { dtype: 'i32' }), targets, [6, 6], [2, 1])).toThrow('ctc: log-probabilities must be f32 or f16, got i32');
    expect(() => tm.losses.ctc(tm.zeros([2, 6, 2, 4]), targets, [6, 6], [2, 1])).toThrow('ctc: log-probabilities must be [frames, batch, classes] (or one sequence [frames, classes]), got [2,6,2,4]');
    expect(() => tm.losses.ctc(lp, tm.zeros([3, 2], { dtype: 'i32' }), [6, 6], [2, 1])).toThrow('ctc: targets must be [2, labels] or concatenated [Σ targetLengths] for log-probabilities [6,2,4], got [3,2]');
    // Concatenated targets: the Σ of the lengths, each length within them.
    expect(() => tm.losses.ctc(lp, tm.tensor(Int32Array.of(1, 2, 3, 1)), [6, 6], [2, 1])).toThrow('ctc: concatenated targets [4] must hold the Σ targetLengths = 3 labels');
    expect(() => tm.losses.ctc(lp, tm.tensor(Int32Array.of(1, 2)), [6, 6], [2, 1])).toThrow('ctc: concatenated targets [2] must hold the Σ targetLengths = 3 labels');
    expect(() => tm.losses.ctc(lp, targets, [6], [2, 1])).toThrow('ctc: inputLengths holds 1 lengths for a batch of 2');
    expect(() => tm.losses.ctc(lp, targets, [6, 7], [2, 1])).toThrow('ctc: inputLengths[1] is 7; it must be an integer in [1, 6], within the 6 frames');
    expect(() => tm.losses.ctc(lp, targets, [6, 6], [2, 3])).toThrow("ctc: targetLengths[1] is 3; it must be an integer in [0, 2], within the targets' 2 labels");
    expect(() => tm.losses.ctc(lp, targets, [6, 6], [2, 1], { blank: 4 })).toThrow('ctc: blank must be a class, an integer in [0, 4), got 4');
    expect(() => tm.losses.ctc(lp, targets, [6, 6], [2, 1], { zeroInfinity: 1 } as unknown as tm.losses.CtcOptions)).toThrow(/zeroInfinity/);
  });

  it(backend === 'webgpu' ? 'gives NaN for a label outside the classes (a GPU\'s targets are not read back)' : 'refuses a label outside the classes, or the blank, naming the target', async () => {
    const lp = tm.tensor(logProbabilities([6, 2, 4]), [6, 2, 4]);
    const targets = tm.tensor([[1, 2], [3, 7]], undefined, { dtype: 'i32' });
    if (backend === 'webgpu') {
      const got = await tm.losses.ctc(lp, targets, [6, 6], [2, 2], { reduction: 'none' }).data();
      expect(Number.isFinite(got[0])).toBe(true);
      expect(got[1]).toBeNaN();
      // Padding past a target's length is never read, whatever it holds.
      expect(Number.isFinite((await tm.losses.ctc(lp, targets, [6, 6], [2, 1], { reduction: 'none' }).data())[1])).toBe(true);
    } else {
      expect(() => tm.losses.ctc(lp, targets, [6, 6], [2, 2])).toThrow('ctc: target 1 holds 7 at 1, not a class of the 4');
      expect(() => tm.losses.ctc(lp, tm.tensor([[1, 0]], undefined, { dtype: 'i32' }), [6], [2])).toThrow();
      expect(() => tm.losses.ctc(tm.tensor(logProbabilities([6, 1, 4]), [6, 1, 4]), tm.tensor([[1, 0]], undefined, { dtype: 'i32' }), [6], [2])).toThrow('ctc: target 0 holds the blank (0) at 1; a target\'s labels are other classes');
      expect(() => tm.losses.ctc(lp, targets, [6, 6], [2, 1])).not.toThrow();
    }
  });

  it('trains free logits to spell a target, repeats included, and leaves no tensor behind', async () => {
    const target = [3, 1, 1, 4];
    const logits = tm.zeros([12, 1, 6]);
    logits.requiresGrad = true;
    const optimizer = new tm.optim.Adam([logits], { lr: 0.3 });
    const targets = tm.tensor([target], undefined, { dtype: 'i32' });
    let first = NaN;
    let last = NaN;
    let settled = NaN; // live tensors once the optimizer holds its state
    for (let step = 0; step < 60; step++) {
      optimizer.zeroGrad();
      const loss = tm.tidy(() => tm.losses.ctc(logits.logSoftmax(-1), targets, [12], [4]));
      loss.backward();
      optimizer.step();
      last = (await loss.data())[0];
      if (step === 0) first = last;
      loss.dispose();
      if (step === 1) settled = await collected();
    }
    expect(tm.memory().numTensors).toBe(settled);
    expect(last).toBeLessThan(first / 10);
    // Best path: the likeliest class per frame, repeats merged and blanks dropped.
    const best = Array.from(await tm.tidy(() => logits.argmax(-1)).data());
    const decoded = best.filter((c, t) => c !== 0 && (t === 0 || c !== best[t - 1]));
    expect(decoded).toEqual(target);
  });
});
