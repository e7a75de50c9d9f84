// ONNX's tensor(string): what scikit-learn models carry as class names and
// categories — a classifier's labels ('setosa', 'virginica'), a categorical
// column fed to a OneHotEncoder, a LabelEncoder's table. tmnn's tensors are
// numbers on a device, so strings stay on the host, here: a graph input or
// initializer of strings is one, as is what an op makes of them, and runValues
// gives one back. Ops that only move elements (Reshape, Concat, Gather…) move
// strings as they move numbers (string_ops.ts); the ai.onnx.ml ops that map
// strings to numbers and back read them directly.
import { ShapeError, ValueError } from '../errors.js';

/** A string tensor's values nested by its shape. */
export type NestedStrings = string | NestedStrings[];

export class StringTensor {
  readonly shape: readonly number[];
  readonly values: readonly string[];

  /**
   * `values` in row-major order, `shape` (default [values.length]) with as
   * many elements. Both are copied and frozen: a model's string tensors are
   * shared between runs, so none may change under it.
   */
  constructor(values: readonly string[], shape: readonly number[] = [values.length]) {
    if (!Array.isArray(values)) throw new ValueError(`StringTensor: values must be an array of strings, got ${typeof values}`);
    const bad = values.findIndex((v) => typeof v !== 'string');
    if (bad >= 0) throw new ValueError(`StringTensor: values[${bad}] is ${typeof values[bad]}, not a string`);
    if (!Array.isArray(shape) || shape.some((d) => !Number.isSafeInteger(d) || d < 0)) {
      throw new ShapeError(`StringTensor: shape must be a list of non-negative integers, got ${JSON.stringify(shape)}`);
    }
    const size = shape.reduce((a, b) => a * b, 1);
    if (size !== values.length) throw new ShapeError(`StringTensor: shape [${shape.join(', ')}] holds ${size} elements, ${values.length} values given`);
    this.shape = Object.freeze([...shape]);
    this.values = Object.freeze([...values]);
  }

  /** A string tensor of nested arrays' strings, its shape theirs (a string alone is a scalar); ragged nesting is refused. */
  static from(nested: NestedStrings): StringTensor {
    const shape: number[] = [];
    for (let level: NestedStrings = nested; Array.isArray(level); level = level[0]) shape.push(level.length);
    const values: string[] = [];
    const walk = (v: NestedStrings, axis: number, at: string): void => {
      if (axis === shape.length) {
        if (typeof v !== 'string') throw new ValueError(`StringTensor.from: element ${at} is ${Array.isArray(v) ? 'an array' : typeof v}, not a string`);
        values.push(v);
        return;
      }
      if (!Array.isArray(v) || v.length !== shape[axis]) {
        throw new ShapeError(`StringTensor.from: the arrays are ragged: ${at || 'the top level'} holds ${Array.isArray(v) ? v.length : 'no array'} where the first of its level holds ${shape[axis]}`);
      }
      v.forEach((item, i) => walk(item, axis + 1, `${at}[${i}]`));
    };
    walk(nested, 0, '');
    return new StringTensor(values, shape);
  }

  get size(): number {
    return this.values.length;
  }

  get rank(): number {
    return this.shape.length;
  }

  /** The values as nested arrays of the tensor's shape (a scalar's one string itself), as Tensor.array gives numbers; at once, being on the host. */
  array(): NestedStrings {
    const nest = (axis: number, at: number): NestedStrings => {
      if (axis === this.shape.length) return this.values[at];
      const stride = this.shape.slice(axis + 1).reduce((a, b) => a * b, 1);
      return Array.from({ length: this.shape[axis] }, (_, i) => nest(axis + 1, at + i * stride));
    };
    return nest(0, 0);
  }
}
