// Arithmetic on host Constants, with NumPy broadcasting: what the shape
// computations exporters put in graphs (Shape → Gather → Mul → Concat) need,
// kept off the device so the ops that consume them know their arguments.
import { broadcastShapes } from '../shape.js';
import { Constant, type ElementType, isIntegerType } from './value.js';

/** The flat index into `shape` of each element of the broadcast `out` shape. */
export function broadcastIndex(shape: readonly number[], out: readonly number[]): Int32Array {
  const size = out.reduce((a, b) => a * b, 1);
  const index = new Int32Array(size);
  const offset = out.length - shape.length;
  const strides = stridesOf(shape);
  for (let flat = 0; flat < size; flat++) {
    let rest = flat, at = 0;
    for (let d = out.length - 1; d >= 0; d--) {
      const i = rest % out[d];
      rest = Math.floor(rest / out[d]);
      const s = d - offset;
      if (s >= 0 && shape[s] !== 1) at += i * strides[s];
    }
    index[flat] = at;
  }
  return index;
}

/** Applies `fn` elementwise over the broadcast of the inputs. */
export function hostMap(op: string, inputs: readonly Constant[], type: ElementType, fn: (...v: number[]) => number): Constant {
  const shape = inputs.reduce<readonly number[]>((s, c) => broadcastShapes(op, s, c.shape), []);
  const indices = inputs.map((c) => broadcastIndex(c.shape, shape));
  const size = shape.reduce((a, b) => a * b, 1);
  const out = new Float64Array(size);
  const args = new Array<number>(inputs.length);
  for (let i = 0; i < size; i++) {
    for (let k = 0; k < inputs.length; k++) args[k] = inputs[k].data[indices[k][i]];
    out[i] = fn(...args);
  }
  return new Constant(type, shape, isIntegerType(type) ? out.map(Math.trunc) : out);
}

/** The elements of `c` at the given flat positions, as a new Constant of `shape`. */
export function hostTake(c: Constant, shape: readonly number[], positions: ArrayLike<number>): Constant {
  const out = new Float64Array(positions.length);
  for (let i = 0; i < positions.length; i++) out[i] = c.data[positions[i]];
  return new Constant(c.type, shape, out);
}

/** Row-major strides of a shape. */
export function stridesOf(shape: readonly number[]): number[] {
  return shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
}

/** Calls `visit` with each multi-index of `shape` in row-major order and its flat position. */
export function forEachIndex(shape: readonly number[], visit: (index: number[], flat: number) => void): void {
  const size = shape.reduce((a, b) => a * b, 1);
  const index = new Array<number>(shape.length).fill(0);
  for (let flat = 0; flat < size; flat++) {
    visit(index, flat);
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++index[d] < shape[d]) break;
      index[d] = 0;
    }
  }
}

/** Same-shaped Constants joined along a new axis `axis` (ops.stack on the host). */
export function hostStack(items: readonly Constant[], axis: number): Constant {
  const part = items[0].shape;
  const shape = [...part.slice(0, axis), items.length, ...part.slice(axis)];
  const strides = stridesOf(part);
  const out = new Float64Array(shape.reduce((a, b) => a * b, 1));
  forEachIndex(shape, (index, flat) => {
    let at = 0;
    for (let d = 0, s = 0; d < index.length; d++) if (d !== axis) at += index[d] * strides[s++];
    out[flat] = items[index[axis]].data[at];
  });
  return new Constant(items[0].type, shape, out);
}

/** The slice of `c` at position `i` along `axis`, that axis dropped (one step of a Scan over a Constant). */
export function hostIndex(c: Constant, axis: number, i: number): Constant {
  const shape = c.shape.filter((_, d) => d !== axis);
  const strides = stridesOf(c.shape);
  const positions: number[] = [];
  forEachIndex(shape, (index) => {
    let at = i * strides[axis];
    for (let d = 0, s = 0; d < c.shape.length; d++) if (d !== axis) at += index[s++] * strides[d];
    positions.push(at);
  });
  return hostTake(c, shape, positions);
}

/** Constants joined along existing axis `axis` (ops.concat on the host): a float among integers makes the result float. */
export function hostConcat(xs: readonly Constant[], axis: number): Constant {
  const shape = [...xs[0].shape];
  shape[axis] = xs.reduce((n, x) => n + x.shape[axis], 0);
  const out: number[] = [];
  const outer = shape.slice(0, axis).reduce((p, d) => p * d, 1);
  for (let o = 0; o < outer; o++) {
    for (const x of xs) {
      const block = x.shape.slice(axis).reduce((p, d) => p * d, 1);
      for (let i = 0; i < block; i++) out.push(x.data[o * block + i]);
    }
  }
  const type = xs.find((x) => !isIntegerType(x.type))?.type ?? xs[0].type;
  return new Constant(type, shape, Float64Array.from(out));
}

/** A Constant of `shape` whose element at each index is c's at flat position source(index): the host form of ops that move elements. */
export function hostGather(c: Constant, shape: readonly number[], source: (index: number[]) => number): Constant {
  const positions: number[] = [];
  forEachIndex(shape, (index) => positions.push(source(index)));
  return hostTake(c, shape, positions);
}

/** c cut along `axis` into consecutive pieces of `sizes` (Split's host form). */
export function hostSplit(c: Constant, sizes: readonly number[], axis: number): Constant[] {
  const strides = stridesOf(c.shape);
  let start = 0;
  return sizes.map((size) => {
    const first = start;
    start += size;
    return hostGather(c, c.shape.map((d, i) => (i === axis ? size : d)), (index) => index.reduce((at, v, i) => at + (i === axis ? first + v : v) * strides[i], 0));
  });
}
