// The parts of ONNX's protobuf schema (onnx/onnx.proto3) that running a model
// needs, decoded into plain objects. @bufbuild/protobuf reads the wire format;
// this file only knows which field number is what. Fields tmnn does not use
// (doc strings, metadata, training info) are skipped, as protobuf readers do.
import { BinaryReader, WireType } from '@bufbuild/protobuf/wire';
import { CorruptFileError } from '../io/errors.js';

export interface OnnxModelProto {
  irVersion: number;
  producerName: string;
  producerVersion: string;
  /** Operator set version by domain ('' is the default ai.onnx domain). */
  opsets: Map<string, number>;
  graph: OnnxGraphProto;
  /** Functions the model defines for its own nodes (ONNX ≥ 1.10): functions.ts inlines them. */
  functions: OnnxFunctionProto[];
}

/** A FunctionProto: an op (domain, name, overload) the model defines out of other nodes, its formal inputs, outputs and attributes (with defaults where given). */
export interface OnnxFunctionProto {
  name: string;
  domain: string;
  overload: string;
  inputs: string[];
  outputs: string[];
  /** Attribute names the body may refer to (ref_attr_name), and those with a default value. */
  attributes: string[];
  defaults: Map<string, OnnxAttribute>;
  nodes: OnnxNodeProto[];
  opsets: Map<string, number>;
}

export interface OnnxGraphProto {
  name: string;
  nodes: OnnxNodeProto[];
  initializers: OnnxTensorProto[];
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
  sparseInitializers: OnnxSparseTensorProto[];
}

/** A SparseTensorProto: the non-zero values (named as the tensor), where they lie — linear positions [NNZ] or coordinates [NNZ, rank] — and the dense shape. */
export interface OnnxSparseTensorProto {
  values: OnnxTensorProto;
  indices: OnnxTensorProto;
  dims: number[];
}

export interface OnnxNodeProto {
  name: string;
  opType: string;
  domain: string;
  /** Which of a model-local function's overloads the node calls (IR 10); '' for none. */
  overload: string;
  /** Input names; '' marks an optional input left out. */
  inputs: string[];
  outputs: string[];
  attributes: Map<string, OnnxAttribute>;
}

export type OnnxAttribute =
  | { kind: 'float'; value: number }
  | { kind: 'int'; value: number }
  | { kind: 'string'; value: string }
  | { kind: 'tensor'; value: OnnxTensorProto }
  | { kind: 'graph'; value: OnnxGraphProto }
  | { kind: 'floats'; value: number[] }
  | { kind: 'ints'; value: number[] }
  | { kind: 'strings'; value: string[] }
  | { kind: 'type'; value: OnnxType }
  | { kind: 'sparse'; value: OnnxSparseTensorProto }
  /** In a function's body: the value of the calling node's attribute `value` (ref_attr_name). */
  | { kind: 'ref'; value: string }
  | { kind: 'other'; type: number };

export interface OnnxTensorProto {
  name: string;
  dims: number[];
  dataType: number;
  rawData?: Uint8Array;
  floatData: number[];
  int32Data: number[];
  int64Data: number[];
  doubleData: number[];
  uint64Data: number[];
  /** string_data: a string tensor's elements (decoded as UTF-8). */
  stringData: string[];
  /** Where the data lives outside the file (data_location EXTERNAL), when it does; external.ts reads it into rawData. */
  external?: OnnxExternalPlace;
  /**
   * Where in the file (the external one, for external data) the elements start, when they are one contiguous
   * little-endian run (raw_data, or a packed float_data): new values of the
   * same type and count can be written over them without re-encoding the file.
   */
  dataOffset?: number;
  /** Copied into the graph with a model-local function's body (functions.ts): one of several copies of the file's tensor, read as a constant. */
  inlined?: boolean;
}

/** TensorProto.external_data: a file beside the model (a relative path) and the byte range in it. */
export interface OnnxExternalPlace {
  location: string;
  offset: number;
  /** Absent: to the end of the file. */
  length?: number;
}

/** A TypeProto: a tensor type, seq(tensor), optional(tensor) or optional(seq(tensor)). */
export interface OnnxType {
  /** TensorProto.DataType of the tensors (a sequence's, an optional's); 0 for other types or when not given. */
  elemType: number;
  /** Set for a sequence of tensors (TypeProto's sequence_type), ONNX's seq(tensor). */
  sequence?: true;
  /** Set for an optional value (TypeProto's optional_type): optional(tensor), or optional(seq(tensor)) with sequence set too. */
  optional?: true;
  /** Each dimension's size, or its symbolic name ('batch'), or null when unknown; undefined shape when not given. */
  shape?: (number | string | null)[];
  /**
   * Set, with `sequence`, for a sequence of maps from keys of this
   * TensorProto.DataType (int64 or string) to values of elemType: ZipMap's
   * seq(map(int64, tensor(float))), a classifier's probabilities as
   * skl2onnx writes them by default.
   */
  mapKey?: number;
  /** Set, with mapKey, for one map (TypeProto's map_type, not in a sequence): DictVectorizer's and CastMap's input, map(string, tensor(float)). */
  map?: true;
  /** A type tmnn has no value for (a map, a sparse tensor, a sequence of optionals…), as ONNX writes it; unset for those above. */
  unsupported?: string;
}

export interface OnnxValueInfo extends OnnxType {
  name: string;
}

/** TensorProto.DataType values, by ONNX's names. */
export const DATA_TYPES: Record<number, string> = {
  1: 'float', 2: 'uint8', 3: 'int8', 4: 'uint16', 5: 'int16', 6: 'int32', 7: 'int64', 8: 'string', 9: 'bool', 10: 'float16',
  11: 'double', 12: 'uint32', 13: 'uint64', 14: 'complex64', 15: 'complex128', 16: 'bfloat16',
  17: 'float8e4m3fn', 18: 'float8e4m3fnuz', 19: 'float8e5m2', 20: 'float8e5m2fnuz', 21: 'uint4', 22: 'int4', 23: 'float4e2m1',
};

/** Decodes an ONNX model file's bytes; a CorruptFileError when they are not one. */
export function decodeModel(bytes: Uint8Array): OnnxModelProto {
  let model: OnnxModelProto;
  try {
    model = readModel(new BinaryReader(bytes));
  } catch (err) {
    if (err instanceof CorruptFileError) throw err;
    throw new CorruptFileError(`onnx: not a readable ONNX model (${bytes.length} bytes): ${(err as Error).message}`);
  }
  if (!model.graph.nodes.length && !model.graph.outputs.length) {
    throw new CorruptFileError(`onnx: the file (${bytes.length} bytes) holds no graph: not an ONNX model, or an empty one`);
  }
  return model;
}

/** Calls `field` for each field of the message that ends at `end`; the callback returns false for a field it skips. */
function fields(r: BinaryReader, end: number, field: (no: number, wire: WireType) => boolean | void): void {
  while (r.pos < end) {
    const [no, wire] = r.tag();
    if (field(no, wire) === false) r.skip(wire, no);
  }
  if (r.pos !== end) throw new CorruptFileError(`onnx: a message overruns its length (at byte ${r.pos}, expected ${end})`);
}

/** The end of a length-delimited submessage starting at the reader's position. */
function sub(r: BinaryReader): number {
  const length = r.uint32();
  const end = r.pos + length;
  if (end > r.len) throw new CorruptFileError(`onnx: a field of ${length} bytes runs past the end of the file (${r.len} bytes): truncated?`);
  return end;
}

/** An int64 as a number: exact up to 2^53, beyond that the nearest double (INT64_MAX as a slice end means "to the end"). */
function int64(r: BinaryReader): number {
  return Number(r.int64());
}

/** A repeated scalar field, packed (a length-delimited run) or not (one value per tag). */
function repeated(r: BinaryReader, wire: WireType, read: () => number, into: number[]): void {
  if (wire !== WireType.LengthDelimited) {
    into.push(read());
    return;
  }
  const end = sub(r);
  while (r.pos < end) into.push(read());
}

function readModel(r: BinaryReader): OnnxModelProto {
  const model: OnnxModelProto = { irVersion: 0, producerName: '', producerVersion: '', opsets: new Map(), graph: emptyGraph(), functions: [] };
  fields(r, r.len, (no) => {
    if (no === 1) model.irVersion = int64(r);
    else if (no === 2) model.producerName = r.string();
    else if (no === 3) model.producerVersion = r.string();
    else if (no === 7) model.graph = readGraph(r, sub(r));
    else if (no === 8) readOpset(r, model.opsets);
    else if (no === 25) model.functions.push(readFunction(r, sub(r)));
    else return false;
  });
  return model;
}

/** An OperatorSetIdProto into `opsets`: domain → version. */
function readOpset(r: BinaryReader, opsets: Map<string, number>): void {
  let domain = '';
  let version = 0;
  fields(r, sub(r), (f) => {
    if (f === 1) domain = r.string();
    else if (f === 2) version = int64(r);
    else return false;
  });
  // ai.onnx is the default domain's other name.
  opsets.set(domain === 'ai.onnx' ? '' : domain, version);
}

function readFunction(r: BinaryReader, end: number): OnnxFunctionProto {
  const f: OnnxFunctionProto = { name: '', domain: '', overload: '', inputs: [], outputs: [], attributes: [], defaults: new Map(), nodes: [], opsets: new Map() };
  fields(r, end, (no) => {
    if (no === 1) f.name = r.string();
    else if (no === 4) f.inputs.push(r.string());
    else if (no === 5) f.outputs.push(r.string());
    else if (no === 6) f.attributes.push(r.string());
    else if (no === 7) f.nodes.push(readNode(r, sub(r)));
    else if (no === 9) readOpset(r, f.opsets);
    else if (no === 10) f.domain = r.string();
    else if (no === 11) {
      const [name, attribute] = readAttribute(r, sub(r));
      f.defaults.set(name, attribute);
      f.attributes.push(name);
    } else if (no === 13) f.overload = r.string();
    else return false;
  });
  if (f.domain === 'ai.onnx') f.domain = '';
  return f;
}

function emptyGraph(): OnnxGraphProto {
  return { name: '', nodes: [], initializers: [], inputs: [], outputs: [], sparseInitializers: [] };
}

function readGraph(r: BinaryReader, end: number): OnnxGraphProto {
  const graph = emptyGraph();
  fields(r, end, (no) => {
    if (no === 1) graph.nodes.push(readNode(r, sub(r)));
    else if (no === 2) graph.name = r.string();
    else if (no === 5) graph.initializers.push(readTensor(r, sub(r)));
    else if (no === 11) graph.inputs.push(readValueInfo(r, sub(r)));
    else if (no === 12) graph.outputs.push(readValueInfo(r, sub(r)));
    else if (no === 15) graph.sparseInitializers.push(readSparseTensor(r, sub(r)));
    else return false;
  });
  return graph;
}

function readNode(r: BinaryReader, end: number): OnnxNodeProto {
  const node: OnnxNodeProto = { name: '', opType: '', domain: '', overload: '', inputs: [], outputs: [], attributes: new Map() };
  fields(r, end, (no) => {
    if (no === 1) node.inputs.push(r.string());
    else if (no === 2) node.outputs.push(r.string());
    else if (no === 3) node.name = r.string();
    else if (no === 4) node.opType = r.string();
    else if (no === 7) node.domain = r.string();
    else if (no === 8) node.overload = r.string();
    else if (no === 5) {
      const [name, attribute] = readAttribute(r, sub(r));
      node.attributes.set(name, attribute);
    } else return false;
  });
  if (node.domain === 'ai.onnx') node.domain = '';
  return node;
}

// AttributeProto.AttributeType
const FLOAT = 1, INT = 2, STRING = 3, TENSOR = 4, GRAPH = 5, FLOATS = 6, INTS = 7, STRINGS = 8, SPARSE_TENSOR = 11, TYPE_PROTO = 13;

function readAttribute(r: BinaryReader, end: number): [string, OnnxAttribute] {
  let name = '';
  let type = 0;
  let f = 0, i = 0, s = '', t: OnnxTensorProto | undefined, g: OnnxGraphProto | undefined, tp: OnnxType | undefined, sparse: OnnxSparseTensorProto | undefined, ref: string | undefined;
  const floats: number[] = [], ints: number[] = [], strings: string[] = [];
  fields(r, end, (no, wire) => {
    if (no === 1) name = r.string();
    else if (no === 20) type = r.int32();
    else if (no === 2) f = r.float();
    else if (no === 3) i = int64(r);
    else if (no === 4) s = r.string();
    else if (no === 5) t = readTensor(r, sub(r));
    else if (no === 6) g = readGraph(r, sub(r));
    else if (no === 7) repeated(r, wire, () => r.float(), floats);
    else if (no === 8) repeated(r, wire, () => int64(r), ints);
    else if (no === 9) strings.push(r.string());
    else if (no === 14) tp = readType(r, sub(r));
    else if (no === 22) sparse = readSparseTensor(r, sub(r));
    else if (no === 21) ref = r.string();
    else return false;
  });
  if (ref) return [name, { kind: 'ref', value: ref }];
  // Files from before IR version 3 may leave the type out: infer it from the field that is set.
  if (type === 0) type = tp ? TYPE_PROTO : sparse ? SPARSE_TENSOR : t ? TENSOR : g ? GRAPH : floats.length ? FLOATS : ints.length ? INTS : strings.length ? STRINGS : s ? STRING : 0;
  const attribute: OnnxAttribute =
    type === FLOAT ? { kind: 'float', value: f }
    : type === INT ? { kind: 'int', value: i }
    : type === STRING ? { kind: 'string', value: s }
    : type === TENSOR && t ? { kind: 'tensor', value: t }
    : type === GRAPH && g ? { kind: 'graph', value: g }
    : type === FLOATS ? { kind: 'floats', value: floats }
    : type === INTS ? { kind: 'ints', value: ints }
    : type === STRINGS ? { kind: 'strings', value: strings }
    : type === TYPE_PROTO && tp ? { kind: 'type', value: tp }
    : type === SPARSE_TENSOR && sparse ? { kind: 'sparse', value: sparse }
    : { kind: 'other', type };
  return [name, attribute];
}

function readTensor(r: BinaryReader, end: number): OnnxTensorProto {
  const t: OnnxTensorProto = { name: '', dims: [], dataType: 0, floatData: [], int32Data: [], int64Data: [], doubleData: [], uint64Data: [], stringData: [] };
  // TensorProto.DataLocation: 0 DEFAULT (in this message), 1 EXTERNAL.
  let dataLocation = 0;
  const entries = new Map<string, string>();
  fields(r, end, (no, wire) => {
    if (no === 1) repeated(r, wire, () => int64(r), t.dims);
    else if (no === 2) t.dataType = r.int32();
    else if (no === 4) {
      const packed = wire === WireType.LengthDelimited && t.floatData.length === 0;
      const start = r.pos;
      repeated(r, wire, () => r.float(), t.floatData);
      // The run's elements start after its length prefix: its end less 4 bytes per float.
      if (packed) t.dataOffset = r.pos - 4 * t.floatData.length;
      else if (r.pos > start) t.dataOffset = undefined;
    }
    else if (no === 5) repeated(r, wire, () => r.int32(), t.int32Data);
    else if (no === 6) t.stringData.push(r.string());
    else if (no === 7) repeated(r, wire, () => int64(r), t.int64Data);
    else if (no === 8) t.name = r.string();
    else if (no === 9) {
      t.rawData = r.bytes();
      t.dataOffset = r.pos - t.rawData.length;
    }
    else if (no === 10) repeated(r, wire, () => r.double(), t.doubleData);
    else if (no === 11) repeated(r, wire, () => Number(r.uint64()), t.uint64Data);
    else if (no === 13) {
      // StringStringEntryProto: location, offset, length, checksum (a SHA-1 neither onnx nor onnxruntime checks).
      let key = '', value = '';
      fields(r, sub(r), (f) => {
        if (f === 1) key = r.string();
        else if (f === 2) value = r.string();
        else return false;
      });
      entries.set(key, value);
    } else if (no === 14) dataLocation = r.int32();
    else return false;
  });
  if (dataLocation === 1) t.external = externalPlace(t.name, entries);
  else if (dataLocation !== 0) throw new CorruptFileError(`onnx: tensor ${t.name} has data_location ${dataLocation}; ONNX defines 0 (DEFAULT, in the file) and 1 (EXTERNAL)`);
  return t;
}

function readSparseTensor(r: BinaryReader, end: number): OnnxSparseTensorProto {
  let values: OnnxTensorProto | undefined, indices: OnnxTensorProto | undefined;
  const dims: number[] = [];
  fields(r, end, (no, wire) => {
    if (no === 1) values = readTensor(r, sub(r));
    else if (no === 2) indices = readTensor(r, sub(r));
    else if (no === 3) repeated(r, wire, () => int64(r), dims);
    else return false;
  });
  if (!values || !indices) throw new CorruptFileError(`onnx: a sparse tensor${values ? ` (${values.name})` : ''} has no ${values ? 'indices' : 'values'}`);
  return { values, indices, dims };
}

function externalPlace(name: string, entries: ReadonlyMap<string, string>): OnnxExternalPlace {
  const location = entries.get('location');
  if (!location) throw new CorruptFileError(`onnx: tensor ${name} keeps its data in an external file but names none (its external_data has no location)`);
  const number = (key: string): number | undefined => {
    const text = entries.get(key);
    if (text === undefined) return undefined;
    const value = /^\s*\d+\s*$/.test(text) ? Number(text) : NaN;
    if (!Number.isSafeInteger(value)) throw new CorruptFileError(`onnx: tensor ${name}'s external ${key} is ${JSON.stringify(text)}, not a byte count`);
    return value;
  };
  const length = number('length');
  return { location, offset: number('offset') ?? 0, ...(length === undefined ? {} : { length }) };
}

function readValueInfo(r: BinaryReader, end: number): OnnxValueInfo {
  let name = '';
  let type: OnnxType = { elemType: 0 };
  fields(r, end, (no) => {
    if (no === 1) name = r.string();
    else if (no === 2) type = readType(r, sub(r));
    else return false;
  });
  return { name, ...type };
}

/**
 * A TypeProto: tensor_type (1), sequence_type (4) or optional_type (9), the
 * last two holding a TypeProto of their element, or map_type (5), holding
 * its key type and a TypeProto of its values. tmnn runs tensors,
 * seq(tensor), optional(tensor), optional(seq(tensor)) and seq(map(key,
 * tensor)); any other nesting or kind (a map alone, sparse_tensor_type 8)
 * is named in `unsupported`.
 */
function readType(r: BinaryReader, end: number): OnnxType {
  const type: OnnxType = { elemType: 0 };
  const kinds: string[] = [];
  const typeProto = (end: number): void => fields(r, end, (f) => {
    if (f === 4 || f === 9) {
      kinds.push(f === 4 ? 'seq' : 'optional');
      fields(r, sub(r), (e) => (e === 1 ? typeProto(sub(r)) : false));
      return;
    }
    if (f === 5) {
      kinds.push('map');
      fields(r, sub(r), (e) => {
        if (e === 1) type.mapKey = r.int32();
        else if (e === 2) typeProto(sub(r));
        else return false;
      });
      return;
    }
    if (f === 8) {
      kinds.push('sparse_tensor');
      return false;
    }
    if (f !== 1) return false;
    fields(r, sub(r), (g) => {
      if (g === 1) type.elemType = r.int32();
      else if (g === 2) {
        type.shape = [];
        fields(r, sub(r), (h) => {
          if (h !== 1) return false;
          let dim: number | string | null = null;
          fields(r, sub(r), (d) => {
            if (d === 1) dim = int64(r);
            else if (d === 2) dim = r.string();
            else return false;
          });
          type.shape!.push(dim);
        });
      } else return false;
    });
  });
  typeProto(end);
  const nesting = kinds.join('(');
  if (nesting === 'seq' || nesting === 'optional(seq' || nesting === 'seq(map') type.sequence = true;
  if (nesting === 'optional' || nesting === 'optional(seq') type.optional = true;
  if (nesting === 'map') type.map = true;
  if (kinds.length && !type.sequence && !type.optional && !type.map) {
    type.unsupported = `${kinds.join('(')}(…${')'.repeat(kinds.length)}`;
  }
  if (nesting !== 'seq(map' && nesting !== 'map') delete type.mapKey;
  return type;
}
