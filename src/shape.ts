// Shape arithmetic shared by every op: validation, sizes, strides, broadcasting, axes.
import { ShapeError, formatShape, formatValue } from './errors.js';

export type Shape = readonly number[];

export function checkShape(shape: unknown, where: string): number[] {
  if (!Array.isArray(shape)) throw new ShapeError(`${where}: shape must be an array of sizes, got ${String(shape)}`);
  for (const d of shape) {
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 0) {
      throw new ShapeError(`${where}: shape ${formatShape(shape)} has ${formatValue(d)}; sizes must be finite non-negative integers`);
    }
  }
  return [...shape];
}

export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major strides, in elements. */
export function stridesOf(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

/** The shape read as [outer, n, inner] around `axis`: what kernels working along one axis take. */
export function aroundAxis(shape: Shape, axis: number): { outer: number; n: number; inner: number } {
  return { outer: sizeOf(shape.slice(0, axis)), n: shape[axis], inner: sizeOf(shape.slice(axis + 1)) };
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** NumPy broadcasting: align from the right; sizes must match or be 1. */
export function broadcastShapes(op: string, a: Shape, b: Shape): number[] {
  const rank = Math.max(a.length, b.length);
  const out = new Array<number>(rank);
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new ShapeError(`${op}: shapes ${formatShape(a)} and ${formatShape(b)} cannot be broadcast together (axis ${i}: ${da} vs ${db})`);
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/**
 * Strides that read an input of shape `from` as if it had shape `to` (which it
 * broadcasts to): 0 along broadcast axes.
 */
export function broadcastStrides(from: Shape, to: Shape): number[] {
  const own = stridesOf(from);
  const offset = to.length - from.length;
  return to.map((d, i) => {
    const j = i - offset;
    return j < 0 || from[j] === 1 ? 0 : own[j];
  });
}

export function normalizeAxis(op: string, axis: number, rank: number): number {
  // A string ("1") or a fraction is not an axis at all: "out of range" would mislead.
  if (!Number.isInteger(axis)) throw new ShapeError(`${op}: an axis must be an integer, got ${formatValue(axis)}`);
  if (axis < -rank || axis >= rank) {
    throw new ShapeError(`${op}: axis ${axis} is out of range for a tensor of rank ${rank}`);
  }
  return axis < 0 ? axis + rank : axis;
}

/**
 * A list of integers an op takes (a shape to reshape to, a permutation,
 * slice bounds): an array of integers. A number where the array goes
 * (slice(1)) read as an empty list, and a string ("6") as a number.
 */
export function checkIntegers(where: string, name: string, value: unknown): readonly number[] {
  if (!Array.isArray(value) || value.some((v) => !Number.isInteger(v))) {
    throw new ShapeError(`${where}: ${name} must be an array of integers, got ${formatValue(value)}`);
  }
  return value;
}

/** Sorted, de-duplicated, non-negative axes; `undefined` means all of them. */
export function normalizeAxes(op: string, axes: number | readonly number[] | undefined, rank: number): number[] {
  if (axes === undefined) return Array.from({ length: rank }, (_, i) => i);
  if (typeof axes !== 'number' && !Array.isArray(axes)) {
    // Most likely options given where the axes go: sum({ keepDims: true }).
    const hint = axes !== null && typeof axes === 'object' ? ' (options come after the axes: undefined for all of them)' : '';
    throw new ShapeError(`${op}: axes must be an axis or an array of axes, got ${formatValue(axes)}${hint}`);
  }
  const list = typeof axes === 'number' ? [axes] : axes;
  const seen = new Set<number>();
  for (const a of list) {
    const n = normalizeAxis(op, a, rank);
    if (seen.has(n)) throw new ShapeError(`${op}: axis ${a} is listed twice in [${list.join(',')}]`);
    seen.add(n);
  }
  return [...seen].sort((x, y) => x - y);
}
