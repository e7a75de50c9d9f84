// What the per-layer exporters write into: the graph's nodes and
// initializers, with fresh names, shared constants, and the parameters read
// from the model only once the whole graph is laid out (reading is async).
import { ValueError } from '../../errors.js';
import type { Module } from '../../nn/module.js';
import type { Tensor } from '../../tensor.js';
import type { AttributeSpec, NodeSpec, TensorSpec } from '../encode.js';

/** A value of the graph: its name, and its shape with null where it follows a symbolic input size. */
export interface Value {
  readonly name: string;
  readonly shape: readonly (number | null)[];
}

/** What an exporter gets: the layer, where it sits, its input, the shape its output will have, and the builder. */
export interface LayerCall<L extends Module = Module> {
  readonly layer: L;
  /** Its path in the model ('3', '0.2'; '' for the model itself), the prefix of its parameters' names. */
  readonly path: string;
  readonly x: Value;
  readonly outShape: readonly (number | null)[];
  readonly b: Builder;
}

/** An exporter: the name of the value holding the layer's output. */
export type LayerExport<L extends Module = Module> = (call: LayerCall<L>) => string;

export class Builder {
  readonly nodes: NodeSpec[] = [];
  readonly initializers: Record<string, TensorSpec> = {};
  /** Parameters to read once the graph is laid out: name → the tensors it is made of and the shape ONNX wants it in. */
  private readonly params = new Map<string, Parameter>();
  private readonly names = new Set<string>();
  private readonly constants = new Map<string, string>();
  /** Each parameter's and buffer's initializer, by path and shape. */
  private readonly layouts = new Map<string, string>();

  /** `paths`: the model's tensors by their names in it; `taken`: the graph's input and output names. */
  constructor(readonly opset: number, private readonly paths: ReadonlyMap<Tensor, string>, taken: readonly string[]) {
    for (const n of taken) this.names.add(n);
  }

  /** A name no other value has: `hint`, or `hint_1`, `hint_2`… */
  fresh(hint: string): string {
    let name = hint;
    for (let i = 1; this.names.has(name); i++) name = `${hint}_${i}`;
    this.names.add(name);
    return name;
  }

  /** Adds a node with one output; its name. */
  node(op: string, inputs: readonly string[], attributes: Record<string, AttributeSpec> = {}, hint = op): string {
    return this.nodeOutputs(op, inputs, attributes, [hint])[0];
  }

  /** Adds a node with several outputs, one per hint ('' for an optional output left out, ONNX's empty name); their names. */
  nodeOutputs(op: string, inputs: readonly string[], attributes: Record<string, AttributeSpec>, hints: readonly string[]): string[] {
    const outputs = hints.map((hint) => (hint === '' ? '' : this.fresh(hint)));
    this.nodes.push({ op, inputs, outputs, attributes, name: this.fresh(`${op}_node`) });
    return outputs;
  }

  /**
   * A parameter or buffer of the model as an initializer, in `shape` (its
   * own, or a reshaped view ONNX's op wants): named by the model's own path
   * for it (namedState's, so a layer used twice shares one), `fallback` for a
   * tensor the model does not list. The same tensor wanted in another shape
   * is a second initializer, its name the path and that shape.
   */
  param(fallback: string, tensor: Tensor, shape: readonly number[] = tensor.shape): string {
    const size = shape.reduce((n, d) => n * d, 1);
    const path = this.paths.get(tensor) ?? fallback;
    if (size !== tensor.size) throw new ValueError(`toOnnx: ${path} ${tensor.shape.join('×')} cannot be laid out as ${shape.join('×')}`);
    const key = `${path}|${shape.join(',')}`;
    const known = this.layouts.get(key);
    if (known) return known;
    const name = this.params.has(path) ? this.fresh(`${path}_${shape.join('x')}`) : this.names.has(path) ? this.fresh(path) : path;
    this.names.add(name);
    this.params.set(name, { tensors: [tensor], shape });
    this.layouts.set(key, name);
    return name;
  }

  /**
   * An initializer of `shape` made on the host from parameters or buffers
   * of the model as they are read: `arrange` takes their values (in the
   * order given) to the initializer's, reordered or joined, never computed
   * (an int8 weight stays int8). Where ONNX's operator lays out weights
   * otherwise than tmnn holds them (the recurrent layers'). `layout` names
   * the arrangement: the same tensors arranged the same way again (a layer
   * used twice) are the same initializer. Named `name`, or fresh from it.
   */
  arranged(name: string, tensors: readonly Tensor[], shape: readonly number[], layout: string, arrange: (values: readonly ArrayLike<number>[]) => ArrayLike<number>): string {
    const key = `${layout}|${tensors.map((t) => this.paths.get(t) ?? `#${t.id}`).join('|')}|${shape.join(',')}`;
    const known = this.layouts.get(key);
    if (known) return known;
    const fresh = this.fresh(name);
    this.params.set(fresh, { tensors, shape, arrange });
    this.layouts.set(key, fresh);
    return fresh;
  }

  /** A constant f32 initializer of `shape`. */
  floats(hint: string, values: readonly number[], shape: readonly number[] = [values.length]): string {
    return this.constant('float', hint, values, shape);
  }

  /** A constant 1-D int64 initializer (shapes, axes, pads). */
  ints(hint: string, values: readonly number[]): string {
    return this.constant('int64', hint, values, [values.length]);
  }

  /** A scalar int64 constant. */
  int(v: number): string {
    return this.constant('int64', 'const', [v], []);
  }

  /** A scalar f32 constant, one initializer per value however often it is used. */
  scalar(v: number): string {
    return this.constant('float', 'const', [v], []);
  }

  private constant(type: 'float' | 'int64', hint: string, values: readonly number[], shape: readonly number[]): string {
    const key = `${type}|${shape.join(',')}|${values.join(',')}`;
    const known = this.constants.get(key);
    if (known) return known;
    const name = this.fresh(hint);
    this.initializers[name] = { type, shape, values: type === 'float' ? Float32Array.from(values) : values };
    this.constants.set(key, name);
    return name;
  }

  /** Reads every parameter into its initializer: floats in f32, whatever the tensor's dtype; int8 (a quantized layer's weight) as int8. */
  async readParameters(): Promise<void> {
    for (const [name, { tensors, shape, arrange }] of this.params) {
      const int8 = tensors[0].dtype === 'i8';
      for (const t of tensors) {
        const ok = int8 ? t.dtype === 'i8' : t.dtype === 'f32' || t.dtype === 'f16';
        if (!ok) throw new ValueError(`toOnnx: ${this.paths.get(t) ?? name} is ${t.dtype}; tmnn exports f32 and f16 parameters (as f32) and int8 weights${tensors.length > 1 ? `, one kind per initializer (${name})` : ''}`);
      }
      const read = await Promise.all(tensors.map((t) => t.data()));
      const values = arrange ? arrange(read) : read[0];
      if (values.length !== shape.reduce((n, d) => n * d, 1)) throw new ValueError(`toOnnx: ${name} has ${values.length} values, not ${shape.join('×')}`);
      this.initializers[name] = int8 ? { type: 'int8', shape, values: Int8Array.from(values) } : { type: 'float', shape, values: Float32Array.from(values) };
    }
  }

  /** An opset this exporter needs for a layer, or an error naming it. */
  needOpset(call: LayerCall, opset: number, why: string): void {
    if (this.opset < opset) throw new ValueError(`toOnnx: ${describe(call)} needs opset ${opset} or later (${why}); the export asks for ${this.opset}`);
  }
}

/** An initializer to read: one tensor as it is, or several arranged (Builder.arranged). */
interface Parameter {
  readonly tensors: readonly Tensor[];
  readonly shape: readonly number[];
  readonly arrange?: (values: readonly ArrayLike<number>[]) => ArrayLike<number>;
}

/** "layer 3 (Conv2d)", or "the model (Conv2d)" where the model is the layer. */
export function describe(call: { path: string; layer: Module }): string {
  const type = call.layer.constructor.name;
  return call.path === '' ? `the model (${type})` : `layer ${call.path} (${type})`;
}

/** A refusal of a layer's setting that ONNX (or this exporter) cannot express. */
export function refuse(call: { path: string; layer: Module }, why: string): never {
  throw new ValueError(`toOnnx: ${describe(call)} ${why}`);
}

/** A parameter's name: the layer's path, a dot, the field. */
export function paramName(call: { path: string }, field: string): string {
  return call.path === '' ? field : `${call.path}.${field}`;
}

/** A size given as one number or per axis, as a list of `n`. */
export function perAxis(v: number | readonly number[], n: number): number[] {
  return typeof v === 'number' ? Array<number>(n).fill(v) : [...v];
}

/** Shape [C, 1, …, 1] for a per-channel parameter broadcast over an input of rank `rank` (channels on axis 1). */
export function channelShape(channels: number, rank: number): number[] {
  return [channels, ...Array<number>(Math.max(rank - 2, 0)).fill(1)];
}
