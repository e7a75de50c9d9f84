// ONNX's NonMaxSuppression (src/onnx/ops/detection.ts) on every backend:
// against a plain loop of ONNX's reference (op_non_max_suppression.py, whose
// float32 arithmetic it rounds as it goes) on random overlapping boxes with
// tied scores, both box layouts, with and without a score threshold; run
// with runAsync on device inputs and synchronously on constants, the
// synchronous run refusing device inputs with a message naming runAsync;
// bad attributes and inputs named; onnxruntime-web agreeing.
import * as ort from 'onnxruntime-web';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../../src/index.js';
import { BACKENDS } from '../../helpers/backends.js';
import { expectExact, randomInts, SEED, uniform } from '../../helpers/data.js';
import { ints, opModel, runOp, type Feed } from '../../helpers/onnx_run.js';
import type { AttributeSpec } from '../../helpers/onnx.js';
import { ortRun } from '../../helpers/ort.js';

const f = Math.fround;

/** The reference's IoU test, in float32 steps as numpy's float32 scalars take them. */
function overlapsTooMuch(b1: number[], b2: number[], centered: boolean, threshold: number): boolean {
  const sorted = (a: number, b: number): [number, number] => (a >= b ? [b, a] : [a, b]);
  let x1: [number, number], x2: [number, number], y1: [number, number], y2: [number, number];
  if (centered) {
    const span = (c: number, size: number): [number, number] => [f(c - f(size / 2)), f(c + f(size / 2))];
    [x1, x2, y1, y2] = [span(b1[0], b1[2]), span(b2[0], b2[2]), span(b1[1], b1[3]), span(b2[1], b2[3])];
  } else {
    [x1, x2, y1, y2] = [sorted(b1[1], b1[3]), sorted(b2[1], b2[3]), sorted(b1[0], b1[2]), sorted(b2[0], b2[2])];
  }
  const ix = [Math.max(x1[0], x2[0]), Math.min(x1[1], x2[1])], iy = [Math.max(y1[0], y2[0]), Math.min(y1[1], y2[1])];
  if (ix[1] <= ix[0] || iy[1] <= iy[0]) return false;
  const inter = f(f(ix[1] - ix[0]) * f(iy[1] - iy[0]));
  const a1 = f(f(x1[1] - x1[0]) * f(y1[1] - y1[0])), a2 = f(f(x2[1] - x2[0]) * f(y2[1] - y2[0]));
  const union = f(f(a1 + a2) - inter);
  if (inter <= 0 || a1 <= 0 || a2 <= 0 || union <= 0) return false;
  return f(inter / union) > threshold;
}

interface Nms {
  boxes: Float64Array; // [B, S, 4]
  scores: Float64Array; // [B, C, S]
  shape: [number, number, number]; // B, C, S
  max: number;
  iou: number;
  scoreThreshold?: number;
  centered: boolean;
}

/** ONNX's reference: per batch and class, boxes by descending score (ties: lower index first), kept unless one kept overlaps too much. */
function nmsRef({ boxes, scores, shape: [nb, nc, ns], max, iou, scoreThreshold, centered }: Nms): number[] {
  const out: number[] = [];
  const box = (b: number, i: number) => Array.from(boxes.subarray((b * ns + i) * 4, (b * ns + i + 1) * 4));
  for (let b = 0; b < nb; b++) {
    for (let c = 0; c < nc; c++) {
      const score = (i: number) => scores[(b * nc + c) * ns + i];
      const order = Array.from({ length: ns }, (_, i) => i).filter((i) => scoreThreshold === undefined || score(i) > scoreThreshold);
      order.sort((i, j) => (score(i) !== score(j) ? score(j) - score(i) : i - j));
      const kept: number[] = [];
      for (const i of order) {
        if (kept.length >= Math.max(max, 0)) break;
        if (kept.some((j) => overlapsTooMuch(box(b, i), box(b, j), centered, iou))) continue;
        kept.push(i);
        out.push(b, c, i);
      }
    }
  }
  return out;
}

/** Random boxes crowded into a 10×10 field (so many overlap), some flipped corner pairs and a zero-area one; scores in tenths, so some tie. */
function randomCase(shape: [number, number, number], centered: boolean, thresholded: boolean): Nms {
  const [nb, nc, ns] = shape;
  const boxes = new Float64Array(nb * ns * 4);
  for (let k = 0; k < nb * ns; k++) {
    const [cx, cy] = uniform(2, 0, 10), [w, h] = uniform(2, 0.5, 4);
    const flip = randomInts(1, 0, 1)[0] === 1;
    const b = centered ? [cx, cy, w, h] : flip ? [cy + h / 2, cx + w / 2, cy - h / 2, cx - w / 2] : [cy - h / 2, cx - w / 2, cy + h / 2, cx + w / 2];
    boxes.set(b.map(f), k * 4);
  }
  // A box of no area: it never suppresses nor is suppressed.
  boxes.set(centered ? [5, 5, 0, 2] : [5, 5, 5, 7], 4);
  const scores = randomInts(nb * nc * ns, 0, 10).map((v) => f(v / 10));
  return { boxes, scores, shape, max: randomInts(1, 1, Math.ceil(ns / 2))[0], iou: f(uniform(1, 0.1, 0.7)[0]), scoreThreshold: thresholded ? f(uniform(1, 0.1, 0.5)[0]) : undefined, centered };
}

function feedsOf(c: Nms, constant = false): Feed[] {
  const [nb, nc, ns] = c.shape;
  const feeds: Feed[] = [
    { shape: [nb, ns, 4], values: c.boxes, constant },
    { shape: [nb, nc, ns], values: c.scores, constant },
    ints([c.max]),
    { shape: [1], values: [c.iou], constant: true },
  ];
  if (c.scoreThreshold !== undefined) feeds.push({ shape: [1], values: [c.scoreThreshold], constant: true });
  return feeds;
}

const CASES: [string, [number, number, number], boolean, boolean][] = [
  ['corners, no score threshold', [1, 1, 9], false, false],
  ['corners, thresholded, 2 batches × 3 classes', [2, 3, 23], false, true],
  ['centers, thresholded', [3, 2, 17], true, true],
  ['centers, no score threshold', [1, 4, 31], true, false],
];

describe.each(BACKENDS)('tm.onnx NonMaxSuppression on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it.each(CASES)('matches ONNX\'s reference (%s), device inputs read back (runAsync)', async (_name, shape, centered, thresholded) => {
    const c = randomCase(shape, centered, thresholded);
    const [y] = await runOp('NonMaxSuppression', feedsOf(c), centered ? { center_point_box: 1 } : {}, { mode: 'async' });
    const want = nmsRef(c);
    expect(y.shape).toEqual([want.length / 3, 3]);
    expectExact(y.v, want, `selected indices (seed ${SEED})`);
  });

  it('runs synchronously on constants, and refuses device inputs there, naming runAsync', async () => {
    const c = randomCase([2, 2, 11], false, true);
    const [y] = await runOp('NonMaxSuppression', feedsOf(c, true));
    expectExact(y.v, nmsRef(c), `selected indices of constants (seed ${SEED})`);
    await expect(runOp('NonMaxSuppression', feedsOf(c))).rejects.toThrow(/\(NonMaxSuppression\): its output's shape \(how many boxes it selects\) depends on the values of x0, which is computed on the device; .*model\.runAsync \(or forwardAsync\)/);
  });

  it('selects nothing without max_output_boxes_per_class (its default 0), and everything at iou_threshold 1', async () => {
    const c = randomCase([1, 2, 7], false, false);
    const [none] = await runOp('NonMaxSuppression', feedsOf(c).slice(0, 2), {}, { mode: 'async' });
    expect(none.shape).toEqual([0, 3]);
    const all = { ...c, max: 100, iou: 1 };
    const [y] = await runOp('NonMaxSuppression', feedsOf(all), {}, { mode: 'async' });
    // IoU is at most 1, never above it: every box of every class is kept, by descending score.
    expect(y.shape).toEqual([14, 3]);
    expectExact(y.v, nmsRef(all), 'every box');
  });

  it('agrees with onnxruntime', async () => {
    for (const [, shape, centered, thresholded] of CASES.slice(1)) {
      const c = randomCase(shape, centered, thresholded);
      const attributes: Record<string, AttributeSpec> = centered ? { center_point_box: 1 } : {};
      const bytes = opModel('NonMaxSuppression', feedsOf(c), attributes, { opset: 11, outputTypes: ['int64'] });
      const [nb, nc, ns] = shape;
      const want = await ortRun(bytes, { x0: new ort.Tensor('float32', Float32Array.from(c.boxes), [nb, ns, 4]), x1: new ort.Tensor('float32', Float32Array.from(c.scores), [nb, nc, ns]) });
      const [y] = await runOp('NonMaxSuppression', feedsOf(c), attributes, { mode: 'async', opset: 11 });
      expect(y.shape).toEqual(want.y0.dims);
      expectExact(y.v, Array.from(want.y0.data as BigInt64Array, Number), `vs onnxruntime, shape ${shape} (seed ${SEED})`);
    }
  });

  it('names a bad center_point_box, iou_threshold, or boxes and scores that do not match', async () => {
    const c = randomCase([1, 1, 5], false, false);
    const run = (feeds: Feed[], attributes = {}) => runOp('NonMaxSuppression', feeds, attributes, { mode: 'async' });
    await expect(run(feedsOf(c), { center_point_box: 2 })).rejects.toThrow(/\(NonMaxSuppression\): center_point_box = 2 is not supported: it is 0 \(\[y1, x1, y2, x2\]\) or 1/);
    await expect(run(feedsOf({ ...c, iou: 1.5 }))).rejects.toThrow(/\(NonMaxSuppression\): its iou_threshold is 1\.5; it should lie in \[0, 1\]/);
    const feeds = feedsOf(c);
    await expect(run([feeds[0], { shape: [1, 1, 4], values: uniform(4) }, ...feeds.slice(2)])).rejects.toThrow(/\(NonMaxSuppression\): its scores should be \[1, num_classes, 5\] for boxes \[1, 5, 4\], they are \[1, 1, 4\]/);
    await expect(run([{ shape: [5, 4], values: uniform(20) }, ...feeds.slice(1)])).rejects.toThrow(/\(NonMaxSuppression\): its boxes should be \[num_batches, spatial_dimension, 4\], they are \[5, 4\]/);
  });
});
