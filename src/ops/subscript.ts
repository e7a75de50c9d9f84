// NumPy's and PyTorch's x[...] for a language without it: x.index('1:3, ..., -1')
// or x.index(1, '::2', null, indices). Lowered to the ops that already carry
// gradients: one slice for the block the parts select, a gather for each axis
// taken with a step other than 1 or by an index tensor, and a reshape that
// drops the axes an integer took and adds those a null (NumPy's newaxis) asked for.
import { isFloat } from '../dtype.js';
import { DTypeError, ShapeError, ValueError, formatShape, formatValue } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { checkTensor, fromValues, onBackendOf } from './util.js';
import { gather, reshape, slice, transpose } from './movement.js';

/**
 * One part of a subscript: an integer (takes one entry, dropping the axis),
 * a string (`'1:3'`, `'::-1'`, `':'`, `'...'`, an integer, or several parts
 * joined by commas), null (a new axis of size 1, NumPy's newaxis) or an i32
 * tensor of indices (the axis becomes the indices' shape, as gather).
 */
export type IndexPart = number | string | null | Tensor;

/** What one part does to x, once strings are parsed and the ellipsis expanded. */
type Step =
  | { kind: 'integer'; at: number }
  | { kind: 'range'; start?: number; stop?: number; step: number }
  | { kind: 'newAxis' }
  | { kind: 'ellipsis' }
  | { kind: 'indices'; indices: Tensor };

/**
 * x's entries the parts select, as NumPy's and PyTorch's x[parts]:
 * `x.index('0, 1:5:2, ...')`, `x.index(0, '::-1', null)`, `x.index(':', idx)`.
 * Ranges clamp to the axis as Python's do, and a negative step walks it
 * backwards; an integer outside its axis is an error. Parts cover axes from
 * the first; the ellipsis (at most one) stands for every axis the others
 * leave out, and axes past the parts are taken whole. One index tensor at
 * most (NumPy's rules for several are subtle; gather them one at a time);
 * with it, integers count as indices too, as NumPy's, so where a range, the
 * ellipsis or a new axis stands between them and the index tensor, its axes
 * come first in the result: x.index(0, ':', idx) is [idx…, x.shape[1]].
 * The result is a copy, differentiable like the slices and gathers it is made of.
 */
export function index(x: Tensor, ...parts: IndexPart[]): Tensor {
  checkTensor('index', x);
  const given = parts.flatMap(parse);
  const steps = expandEllipsis(x, given);
  // With an index tensor, integers are indices too (NumPy's advanced indexing): where a range, an ellipsis or
  // a new axis stands between them, the index tensor's axes go first in the result, not in its place.
  const advanced = given.some((s) => s.kind === 'indices')
    ? given.flatMap((s, i) => (s.kind === 'indices' || s.kind === 'integer' ? [i] : []))
    : [];
  const indicesFirst = advanced.length > 1 && advanced[advanced.length - 1] - advanced[0] + 1 !== advanced.length;
  // Axis by axis: where each step starts reading x, and what the output shape gets from it.
  const begin: number[] = [];
  const size: number[] = [];
  const strided: { axis: number; start: number; count: number; step: number }[] = [];
  let picked: { axis: number; indices: Tensor } | undefined;
  const outShape: number[] = [];
  let pickedAt = 0;
  let axis = 0;
  for (const s of steps) {
    if (s.kind === 'newAxis') {
      outShape.push(1);
      continue;
    }
    const n = x.shape[axis];
    if (s.kind === 'integer') {
      if (s.at < -n || s.at >= n) throw new ShapeError(`index: ${s.at} is outside axis ${axis} of x ${formatShape(x.shape)}, of length ${n}`);
      begin.push(s.at < 0 ? s.at + n : s.at);
      size.push(1);
    } else if (s.kind === 'indices') {
      begin.push(0);
      size.push(n);
      picked = { axis, indices: s.indices };
      pickedAt = outShape.length;
      outShape.push(...s.indices.shape);
    } else if (s.kind === 'range') {
      const { start, count } = rangeOn(n, s.start, s.stop, s.step);
      outShape.push(count);
      if (s.step === 1 || count <= 1) {
        // An empty range may start at −1 or n (a backward range on an empty axis): the empty block is read from 0.
        begin.push(count === 0 ? 0 : start);
        size.push(count);
      } else {
        // The block from the lowest index read to the highest; the gather then picks within it.
        const low = s.step > 0 ? start : start + (count - 1) * s.step;
        begin.push(low);
        size.push(Math.abs((count - 1) * s.step) + 1);
        strided.push({ axis, start: start - low, count, step: s.step });
      }
    } else continue;
    axis++;
  }
  for (; axis < x.rank; axis++) {
    begin.push(0);
    size.push(x.shape[axis]);
    outShape.push(x.shape[axis]);
  }
  const shape = picked && indicesFirst
    ? [...picked.indices.shape, ...outShape.slice(0, pickedAt), ...outShape.slice(pickedAt + picked.indices.rank)]
    : outShape;
  return onBackendOf('index', x, () => {
    let y = slice(x, begin, size);
    const swap = (next: Tensor) => {
      y.dispose();
      y = next;
    };
    for (const { axis: a, start, count, step } of strided) {
      const positions = fromValues('index', Int32Array.from({ length: count }, (_, i) => start + i * step), [count], 'i32');
      swap(gather(y, positions, a));
      positions.dispose();
    }
    if (picked) {
      swap(gather(y, picked.indices, picked.axis));
      if (indicesFirst) {
        // The index tensor's axes moved to the front; x's axes before them (integers' size 1) follow in order.
        const k = picked.indices.rank;
        const before = Array.from({ length: picked.axis }, (_, i) => i);
        const its = Array.from({ length: k }, (_, i) => picked!.axis + i);
        const after = Array.from({ length: y.rank - picked.axis - k }, (_, i) => picked!.axis + k + i);
        swap(transpose(y, [...its, ...before, ...after]));
      }
    }
    swap(reshape(y, shape));
    return y;
  });
}

/**
 * Python's slice.indices: where a range with these (maybe missing, maybe
 * negative) ends and step starts on an axis of length n, and how many
 * entries it takes. Ends past the axis clamp to it.
 */
function rangeOn(n: number, start: number | undefined, stop: number | undefined, step: number): { start: number; count: number } {
  const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v, lo), hi);
  const resolve = (v: number, lo: number, hi: number) => clamp(v < 0 ? v + n : v, lo, hi);
  const [lo, hi] = step > 0 ? [0, n] : [-1, n - 1];
  const first = start === undefined ? (step > 0 ? 0 : n - 1) : resolve(start, lo, hi);
  const end = stop === undefined ? (step > 0 ? n : -1) : resolve(stop, lo, hi);
  return { start: first, count: Math.max(0, Math.ceil((end - first) / step)) };
}

/** Steps with the ellipsis replaced by whole ranges, checked against x's rank. */
function expandEllipsis(x: Tensor, steps: Step[]): Step[] {
  const ellipses = steps.filter((s) => s.kind === 'ellipsis').length;
  if (ellipses > 1) throw new ValueError('index: at most one ellipsis (...) per subscript');
  if (steps.filter((s) => s.kind === 'indices').length > 1) {
    throw new ValueError('index: at most one index tensor per subscript; gather by each in turn');
  }
  const taking = steps.filter((s) => s.kind !== 'newAxis' && s.kind !== 'ellipsis').length;
  if (taking > x.rank) throw new ShapeError(`index: ${taking} parts index x ${formatShape(x.shape)}, which has ${x.rank} axes`);
  if (!ellipses) return steps;
  const at = steps.findIndex((s) => s.kind === 'ellipsis');
  const whole: Step[] = Array.from({ length: x.rank - taking }, () => ({ kind: 'range', step: 1 }));
  return [...steps.slice(0, at), ...whole, ...steps.slice(at + 1)];
}

function parse(part: IndexPart): Step[] {
  if (part === null) return [{ kind: 'newAxis' }];
  if (typeof part === 'number') {
    if (!Number.isInteger(part)) throw new ValueError(`index: an index must be an integer, got ${formatValue(part)}`);
    return [{ kind: 'integer', at: part }];
  }
  if (typeof part === 'object') {
    checkTensor('index', part, 'indices');
    if (isFloat(part.dtype)) throw new DTypeError(`index: an index tensor must be i32 or i8, got ${part.dtype} (a mask? use where())`);
    return [{ kind: 'indices', indices: part }];
  }
  if (typeof part !== 'string') throw new ValueError(`index: a part must be an integer, a string, null or a tensor, got ${formatValue(part)}`);
  // Python's x[1,] is x[1]: one trailing comma ends the subscript.
  const texts = part.split(',');
  if (texts.length > 1 && texts[texts.length - 1].trim() === '') texts.pop();
  return texts.map((text) => parseText(text.trim(), part));
}

const INTEGER = /^[+-]?\d+$/;

function parseText(text: string, whole: string): Step {
  const bad = (why: string) => new ValueError(`index: cannot read ${formatValue(whole)}: ${why}`);
  if (text === '...') return { kind: 'ellipsis' };
  if (text === 'None' || text === 'null' || text === 'newaxis') return { kind: 'newAxis' };
  if (INTEGER.test(text)) return { kind: 'integer', at: Number(text) };
  const fields = text.split(':');
  if (fields.length === 1 || fields.length > 3) throw bad(`${formatValue(text)} is not an integer, a range a:b:c, '...' or None`);
  const [start, stop, step] = fields.map((f) => {
    const t = f.trim();
    if (t === '') return undefined;
    if (!INTEGER.test(t)) throw bad(`${formatValue(t)} in ${formatValue(text)} is not an integer`);
    return Number(t);
  });
  if (step === 0) throw bad('a range’s step cannot be 0');
  return { kind: 'range', start, stop, step: step ?? 1 };
}
