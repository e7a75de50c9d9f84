// Writes ONNX model files: a graph described as plain objects (nodes,
// initializers, inputs and outputs), encoded with @bufbuild/protobuf's
// writer by ONNX's field numbers (onnx.proto3). tm.onnx.toOnnx writes
// tmnn models with it, and the tests their one-op models.
import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import { f16Bits } from '../f16.js';
import { bfloat16Bits } from './value.js';

/** TensorProto.DataType numbers by name. */
export const ONNX_TYPES = {
  float: 1, uint8: 2, int8: 3, uint16: 4, int16: 5, int32: 6, int64: 7, string: 8, bool: 9, float16: 10, double: 11, uint32: 12, uint64: 13, bfloat16: 16,
  float8e4m3fn: 17, float8e4m3fnuz: 18, float8e5m2: 19, float8e5m2fnuz: 20, uint4: 21, int4: 22, float4e2m1: 23,
} as const;
export type OnnxTypeName = keyof typeof ONNX_TYPES;

export interface TensorSpec {
  type?: OnnxTypeName;
  shape: readonly number[];
  /** The elements; for type 'string', give them as `strings` and these as [] (they are not read). */
  values: ArrayLike<number>;
  /** A string tensor's elements (string_data). */
  strings?: readonly string[];
  /** Write the values in the typed fields (float_data, int64_data…) instead of raw_data. */
  typedFields?: boolean;
  /**
   * The stored form itself, written as given (values then only count the
   * elements): raw_data's bytes, or int32_data's entries. The 8-bit floats
   * and 4-bit integers are written only so, from bits their writer chose.
   */
  stored?: { raw: Uint8Array } | { int32: readonly number[] };
  /** Write only where the values are: this range of a file beside the model, which the caller writes (tensorBytes gives its bytes). */
  external?: { location: string; offset: number; length: number };
}

export type AttributeSpec = number | string | readonly number[] | { floats: readonly number[] } | { float: number } | { strings: readonly string[] } | { tensor: TensorSpec } | { graph: SubgraphSpec } | { type: TypeSpec };

export interface NodeSpec {
  op: string;
  inputs: readonly string[];
  outputs: readonly string[];
  attributes?: Record<string, AttributeSpec>;
  name?: string;
  domain?: string;
  /** Which overload of a model-local function of this op's name the node calls (IR 10). */
  overload?: string;
}

/** A model-local function (FunctionProto): an op made of other nodes, with formal inputs, outputs and attribute names. */
export interface FunctionSpec {
  name: string;
  domain: string;
  overload?: string;
  inputs: readonly string[];
  outputs: readonly string[];
  attributes?: readonly string[];
  nodes: readonly NodeSpec[];
  /** The default domain's version its nodes use (the model's unless given). */
  opset?: number;
}

export interface ValueSpec extends TypeSpec {
  name: string;
}

/** A TypeProto: tensors of an element type (float unless given), a sequence of them, or an optional of either. */
export interface TypeSpec {
  type?: OnnxTypeName;
  /** Sizes, symbolic names, or null for a free dimension; leave out for no shape. */
  shape?: readonly (number | string | null)[];
  /** A sequence of such tensors (ONNX's seq(tensor)) rather than one. */
  sequence?: boolean;
  /** An optional value (ONNX's optional(tensor), or optional(seq(tensor)) with sequence). */
  optional?: boolean;
  /** With sequence: a sequence of maps from keys of this type to such tensors (ZipMap's seq(map(int64, tensor(float)))). */
  mapKey?: 'int64' | 'string';
}

export interface GraphSpec {
  opset?: number;
  inputs: readonly ValueSpec[];
  outputs: readonly ValueSpec[];
  nodes: readonly NodeSpec[];
  initializers?: Record<string, TensorSpec>;
  producer?: string;
  /** The file format's version (default 8, ONNX 1.10's; operator sets 19 and later ask for 9 and 10). */
  irVersion?: number;
  /** The graph's name (default 'graph'). */
  name?: string;
  /** Versions of the other operator sets the nodes use, by domain; a domain a node names but this leaves out is imported at version 1. */
  domains?: Record<string, number>;
  /** Model-local functions (ModelProto.functions), which nodes call by domain, name and overload. */
  functions?: readonly FunctionSpec[];
}

/** A graph held by a node's attribute (an If's branch, a Loop's or Scan's body): the model-level fields left out. */
export type SubgraphSpec = Omit<GraphSpec, 'opset' | 'producer' | 'irVersion' | 'domains' | 'functions'>;

/** An int64 to write: a number at or past 2^63 (INT64_MAX as a JS number rounds up to 2^63) saturates to INT64_MAX, as exporters write "to the end". */
function int64(v: number): bigint {
  return v >= 2 ** 63 ? 2n ** 63n - 1n : v < -(2 ** 63) ? -(2n ** 63n) : BigInt(v);
}

function message(w: BinaryWriter, field: number, write: (w: BinaryWriter) => void): void {
  w.tag(field, WireType.LengthDelimited).fork();
  write(w);
  w.join();
}

/** A tensor's values as raw_data: packed little-endian. */
export function tensorBytes(spec: TensorSpec): Uint8Array {
  const type = spec.type ?? 'float';
  const n = spec.values.length;
  const widths: Partial<Record<OnnxTypeName, number>> = { float: 4, uint8: 1, int8: 1, uint16: 2, int16: 2, int32: 4, int64: 8, bool: 1, float16: 2, bfloat16: 2, double: 8, uint32: 4, uint64: 8 };
  const width = widths[type];
  if (width === undefined) throw new Error(`encode: ${type} values are written from their bits: give the tensor's stored form`);
  const out = new Uint8Array(n * width);
  const view = new DataView(out.buffer);
  for (let i = 0; i < n; i++) {
    const v = spec.values[i];
    if (type === 'float') view.setFloat32(i * 4, v, true);
    else if (type === 'double') view.setFloat64(i * 8, v, true);
    else if (type === 'int64') view.setBigInt64(i * 8, int64(v), true);
    else if (type === 'int32') view.setInt32(i * 4, v, true);
    else if (type === 'uint32') view.setUint32(i * 4, v, true);
    else if (type === 'uint64') view.setBigUint64(i * 8, BigInt(v), true);
    else if (type === 'int8') view.setInt8(i, v);
    else if (type === 'uint8' || type === 'bool') view.setUint8(i, v);
    else if (type === 'int16') view.setInt16(i * 2, v, true);
    else if (type === 'uint16') view.setUint16(i * 2, v, true);
    else if (type === 'bfloat16') view.setUint16(i * 2, bfloat16Bits(v), true);
    else view.setUint16(i * 2, f16Bits(v), true);
  }
  return out;
}

function writeTensor(w: BinaryWriter, name: string, spec: TensorSpec): void {
  const type = spec.type ?? 'float';
  for (const d of spec.shape) w.tag(1, WireType.Varint).int64(d);
  w.tag(2, WireType.Varint).int32(ONNX_TYPES[type]);
  w.tag(8, WireType.LengthDelimited).string(name);
  if (spec.external) {
    for (const [key, value] of Object.entries(spec.external)) {
      message(w, 13, (e) => e.tag(1, WireType.LengthDelimited).string(key).tag(2, WireType.LengthDelimited).string(String(value)));
    }
    w.tag(14, WireType.Varint).int32(1); // data_location EXTERNAL
    return;
  }
  if (type === 'string') {
    for (const v of spec.strings ?? []) w.tag(6, WireType.LengthDelimited).string(v);
    return;
  }
  if (spec.stored) {
    if ('raw' in spec.stored) w.tag(9, WireType.LengthDelimited).bytes(spec.stored.raw);
    else for (const v of spec.stored.int32) w.tag(5, WireType.Varint).int32(v);
    return;
  }
  if (!spec.typedFields) {
    w.tag(9, WireType.LengthDelimited).bytes(tensorBytes(spec));
    return;
  }
  if (type === 'float') for (const v of Array.from(spec.values)) w.tag(4, WireType.Bit32).float(v);
  else if (type === 'double') for (const v of Array.from(spec.values)) w.tag(10, WireType.Bit64).double(v);
  else if (type === 'int64') for (const v of Array.from(spec.values)) w.tag(7, WireType.Varint).int64(int64(v));
  else if (type === 'uint32' || type === 'uint64') for (const v of Array.from(spec.values)) w.tag(11, WireType.Varint).uint64(BigInt(v));
  else for (const v of Array.from(spec.values)) w.tag(5, WireType.Varint).int32(type === 'float16' ? f16Bits(v) : v);
}

function writeAttribute(w: BinaryWriter, name: string, a: AttributeSpec): void {
  w.tag(1, WireType.LengthDelimited).string(name);
  if (typeof a === 'number') {
    w.tag(20, WireType.Varint).int32(2);
    w.tag(3, WireType.Varint).int64(int64(a));
  } else if (typeof a === 'string') {
    w.tag(20, WireType.Varint).int32(3);
    w.tag(4, WireType.LengthDelimited).string(a);
  } else if ('float' in a) {
    w.tag(20, WireType.Varint).int32(1);
    w.tag(2, WireType.Bit32).float(a.float);
  } else if ('floats' in a) {
    w.tag(20, WireType.Varint).int32(6);
    for (const v of a.floats) w.tag(7, WireType.Bit32).float(v);
  } else if ('strings' in a) {
    w.tag(20, WireType.Varint).int32(8);
    for (const v of a.strings) w.tag(9, WireType.LengthDelimited).string(v);
  } else if ('tensor' in a) {
    w.tag(20, WireType.Varint).int32(4);
    message(w, 5, (m) => writeTensor(m, '', a.tensor));
  } else if ('graph' in a) {
    w.tag(20, WireType.Varint).int32(5);
    message(w, 6, (m) => writeGraph(m, a.graph));
  } else if ('type' in a) {
    w.tag(20, WireType.Varint).int32(13);
    message(w, 14, (m) => writeType(m, a.type));
  } else {
    w.tag(20, WireType.Varint).int32(7);
    for (const v of a as readonly number[]) w.tag(8, WireType.Varint).int64(int64(v));
  }
}

function writeValueInfo(w: BinaryWriter, v: ValueSpec): void {
  w.tag(1, WireType.LengthDelimited).string(v.name);
  message(w, 2, (type) => writeType(type, v));
}

/**
 * A TypeProto's fields: tensor_type (1); sequence_type (4) or optional_type
 * (9), whose elem_type (1) is a TypeProto of what they hold; map_type (5),
 * its key_type (1) and a TypeProto of its values (2).
 */
function writeType(w: BinaryWriter, v: TypeSpec): void {
  const item = (t: BinaryWriter) => {
    if (!v.mapKey) return writeTensorType(t, v);
    message(t, 5, (map) => {
      map.tag(1, WireType.Varint).int32(v.mapKey === 'string' ? 8 : ONNX_TYPES.int64);
      message(map, 2, (values) => writeTensorType(values, v));
    });
  };
  const tensors = (t: BinaryWriter) => (v.sequence ? message(t, 4, (seq) => message(seq, 1, item)) : item(t));
  if (v.optional) message(w, 9, (opt) => message(opt, 1, tensors));
  else tensors(w);
}

function writeTensorType(type: BinaryWriter, v: TypeSpec): void {
  message(type, 1, (tensor) => {
    tensor.tag(1, WireType.Varint).int32(ONNX_TYPES[v.type ?? 'float']);
    if (v.shape) {
      message(tensor, 2, (shape) => {
        for (const d of v.shape!) {
          message(shape, 1, (dim) => {
            if (typeof d === 'number') dim.tag(1, WireType.Varint).int64(d);
            else if (typeof d === 'string') dim.tag(2, WireType.LengthDelimited).string(d);
          });
        }
      });
    }
  });
}

/** The bytes of an ONNX model holding `spec`'s graph. */
export function encodeModel(spec: GraphSpec): Uint8Array {
  const w = new BinaryWriter();
  w.tag(1, WireType.Varint).int64(spec.irVersion ?? 8);
  w.tag(2, WireType.LengthDelimited).string(spec.producer ?? 'tmnn');
  message(w, 8, (m) => m.tag(2, WireType.Varint).int64(spec.opset ?? 17));
  for (const [domain, version] of Object.entries(otherDomains(spec))) {
    message(w, 8, (m) => {
      m.tag(1, WireType.LengthDelimited).string(domain);
      m.tag(2, WireType.Varint).int64(version);
    });
  }
  message(w, 7, (g) => writeGraph(g, spec));
  for (const f of spec.functions ?? []) message(w, 25, (m) => writeFunction(m, f, spec.opset ?? 17));
  return w.finish();
}

function writeFunction(w: BinaryWriter, f: FunctionSpec, opset: number): void {
  w.tag(1, WireType.LengthDelimited).string(f.name);
  for (const input of f.inputs) w.tag(4, WireType.LengthDelimited).string(input);
  for (const output of f.outputs) w.tag(5, WireType.LengthDelimited).string(output);
  for (const attribute of f.attributes ?? []) w.tag(6, WireType.LengthDelimited).string(attribute);
  f.nodes.forEach((node, i) => message(w, 7, (n) => writeNode(n, node, i)));
  message(w, 9, (m) => m.tag(2, WireType.Varint).int64(f.opset ?? opset));
  w.tag(10, WireType.LengthDelimited).string(f.domain);
  if (f.overload) w.tag(13, WireType.LengthDelimited).string(f.overload);
}

function writeNode(n: BinaryWriter, node: NodeSpec, i: number): void {
  for (const input of node.inputs) n.tag(1, WireType.LengthDelimited).string(input);
  for (const output of node.outputs) n.tag(2, WireType.LengthDelimited).string(output);
  n.tag(3, WireType.LengthDelimited).string(node.name ?? `${node.op}_${i}`);
  n.tag(4, WireType.LengthDelimited).string(node.op);
  if (node.domain) n.tag(7, WireType.LengthDelimited).string(node.domain);
  if (node.overload) n.tag(8, WireType.LengthDelimited).string(node.overload);
  for (const [name, a] of Object.entries(node.attributes ?? {})) message(n, 5, (m) => writeAttribute(m, name, a));
}

/** The operator sets other than the default one to import: spec.domains, and version 1 of any other domain a node (a subgraph's too) names. */
function otherDomains(spec: GraphSpec): Record<string, number> {
  const out: Record<string, number> = {};
  const visit = (g: SubgraphSpec) => {
    for (const node of g.nodes) {
      if (node.domain && node.domain !== 'ai.onnx') out[node.domain] ??= 1;
      for (const a of Object.values(node.attributes ?? {})) if (typeof a === 'object' && a !== null && 'graph' in a) visit(a.graph);
    }
  };
  visit(spec);
  return { ...out, ...spec.domains };
}

function writeGraph(g: BinaryWriter, spec: SubgraphSpec): void {
  spec.nodes.forEach((node, i) => message(g, 1, (n) => writeNode(n, node, i)));
  g.tag(2, WireType.LengthDelimited).string(spec.name ?? 'graph');
  for (const [name, t] of Object.entries(spec.initializers ?? {})) message(g, 5, (m) => writeTensor(m, name, t));
  for (const v of spec.inputs) message(g, 11, (m) => writeValueInfo(m, v));
  for (const v of spec.outputs) message(g, 12, (m) => writeValueInfo(m, v));
}
