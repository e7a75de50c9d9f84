// ONNX's NonMaxSuppression (opsets 10, 11): for each batch and class, boxes
// taken by descending score (ties by lower index), each kept unless its IoU
// with one already kept passes iou_threshold, up to
// max_output_boxes_per_class. How many it keeps depends on the values, so
// it runs on the host: on Constants in the synchronous run, and in an
// asynchronous run (runAsync) on device inputs read back first (its
// hostInputs). Its output, indices [num_selected, 3] (batch, class, box),
// is a Constant, and carries no gradient, as none flows through
// torchvision's nms.
//
// The arithmetic is float32's, rounded at each step as in ONNX's reference
// (op_non_max_suppression.py, on float32 arrays) and onnxruntime's kernel, so
// a box whose IoU lies next to the threshold is kept or dropped as they do.
import { USE_RUN_ASYNC, type NodeCall } from '../node_call.js';
import { Constant } from '../value.js';
import type { OpTable } from './op.js';

const f = Math.fround;

/** A box's extent along one axis, from two coordinates (center_point_box 0: any diagonal pair) or a center and a size (1). */
function extent(a: number, b: number, centered: boolean): [number, number] {
  if (centered) {
    const half = f(b / 2);
    return [f(a - half), f(a + half)];
  }
  return a <= b ? [a, b] : [b, a];
}

/** Whether box j suppresses box i: their IoU (in float32) is above the threshold; boxes of no area never do. */
function suppresses(boxes: Float64Array, i: number, j: number, centered: boolean, threshold: number): boolean {
  // Coordinates [y1, x1, y2, x2], or [x_center, y_center, width, height].
  const [xa, xb, ya, yb] = centered ? [0, 2, 1, 3] : [1, 3, 0, 2];
  const [x1min, x1max] = extent(boxes[i * 4 + xa], boxes[i * 4 + xb], centered);
  const [x2min, x2max] = extent(boxes[j * 4 + xa], boxes[j * 4 + xb], centered);
  const ix0 = Math.max(x1min, x2min), ix1 = Math.min(x1max, x2max);
  if (ix1 <= ix0) return false;
  const [y1min, y1max] = extent(boxes[i * 4 + ya], boxes[i * 4 + yb], centered);
  const [y2min, y2max] = extent(boxes[j * 4 + ya], boxes[j * 4 + yb], centered);
  const iy0 = Math.max(y1min, y2min), iy1 = Math.min(y1max, y2max);
  if (iy1 <= iy0) return false;
  const intersection = f(f(ix1 - ix0) * f(iy1 - iy0));
  if (intersection <= 0) return false;
  const area1 = f(f(x1max - x1min) * f(y1max - y1min));
  const area2 = f(f(x2max - x2min) * f(y2max - y2min));
  const union = f(f(area1 + area2) - intersection);
  if (area1 <= 0 || area2 <= 0 || union <= 0) return false;
  return f(intersection / union) > threshold;
}

/** An optional scalar input: its one value, or undefined where it is left out or empty. */
function scalarInput(call: NodeCall, inputs: readonly (Constant | undefined)[], i: number, what: string): number | undefined {
  const c = inputs[i];
  if (!c || c.size === 0) return undefined;
  if (c.size !== 1) throw call.error(`its ${what} (input ${i}) should hold one value, it has shape [${c.shape.join(', ')}]`);
  return c.data[0];
}

function nonMaxSuppression(call: NodeCall, inputs: readonly (Constant | undefined)[]): Constant {
  const centerPointBox = call.int('center_point_box', 0);
  if (centerPointBox !== 0 && centerPointBox !== 1) throw call.error(`center_point_box = ${centerPointBox} is not supported: it is 0 ([y1, x1, y2, x2]) or 1 ([x_center, y_center, width, height])`);
  const [boxes, scores] = inputs as Constant[];
  if (boxes.shape.length !== 3 || boxes.shape[2] !== 4) throw call.error(`its boxes should be [num_batches, spatial_dimension, 4], they are [${boxes.shape.join(', ')}]`);
  const [batches, count] = boxes.shape;
  if (scores.shape.length !== 3 || scores.shape[0] !== batches || scores.shape[2] !== count) {
    throw call.error(`its scores should be [${batches}, num_classes, ${count}] for boxes [${boxes.shape.join(', ')}], they are [${scores.shape.join(', ')}]`);
  }
  const classes = scores.shape[1];
  const maxPerClass = Math.max(scalarInput(call, inputs, 2, 'max_output_boxes_per_class') ?? 0, 0);
  const iouThreshold = scalarInput(call, inputs, 3, 'iou_threshold') ?? 0;
  if (!(iouThreshold >= 0 && iouThreshold <= 1)) throw call.error(`its iou_threshold is ${iouThreshold}; it should lie in [0, 1]`);
  const scoreThreshold = scalarInput(call, inputs, 4, 'score_threshold');
  const selected: number[] = [];
  for (let b = 0; b < batches; b++) {
    const batchBoxes = boxes.data.subarray(b * count * 4, (b + 1) * count * 4);
    for (let c = 0; c < classes; c++) {
      const classScores = scores.data.subarray((b * classes + c) * count, (b * classes + c + 1) * count);
      const candidates: number[] = [];
      for (let i = 0; i < count; i++) if (scoreThreshold === undefined || classScores[i] > scoreThreshold) candidates.push(i);
      candidates.sort((i, j) => (classScores[i] > classScores[j] ? -1 : classScores[i] < classScores[j] ? 1 : i - j));
      const kept: number[] = [];
      for (const i of candidates) {
        if (kept.length >= maxPerClass) break;
        if (kept.some((j) => suppresses(batchBoxes, i, j, centerPointBox === 1, iouThreshold))) continue;
        kept.push(i);
        selected.push(b, c, i);
      }
    }
  }
  return new Constant('int64', [selected.length / 3, 3], Float64Array.from(selected));
}

export const DETECTION_OPS: OpTable = {
  NonMaxSuppression: {
    hostInputs: [0, 1, 2, 3, 4],
    run: (call) => {
      const inputs = Array.from({ length: call.inputCount }, (_, i) => {
        if (!call.has(i)) return undefined;
        if (!call.isConstant(i)) {
          throw call.error(`its output's shape (how many boxes it selects) depends on the values of ${call.node.inputs[i]}, which is computed on the device; ${USE_RUN_ASYNC}`);
        }
        return call.constant(i, call.node.inputs[i]);
      });
      return nonMaxSuppression(call, inputs);
    },
    // host gets the given inputs only, in order: the left-out optional ones are put back as gaps.
    host: (call, inputs) => {
      const given = [...inputs];
      return nonMaxSuppression(call, Array.from({ length: call.inputCount }, (_, i) => (call.has(i) ? given.shift() : undefined)));
    },
  },
};
