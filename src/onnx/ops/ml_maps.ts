// ai.onnx.ml's ops that take a map (a graph input's map(K, V), an OnnxMap):
// DictVectorizer, which lays one sample's named features out in a row
// (scikit-learn's DictVectorizer, as skl2onnx writes it), and CastMap,
// which lays a map keyed by position out in a row of one type. Both run on
// the host, as onnxruntime's CPU kernels compute them (dictvectorizer.cc,
// cast_map.cc); onnxruntime-web cannot be given a map, so the tests check
// them against those kernels' rules written out.
import { OnnxMap, type MapKey } from '../map_sequence.js';
import type { NodeCall } from '../node_call.js';
import { StringTensor } from '../string_tensor.js';
import { Constant, type ElementType } from '../value.js';
import type { OpTable } from './op.js';
import { made } from './ml_strings.js';
import { stringsToNumbers } from './string_cast.js';

/** Input 0, which must be a map. */
function mapInput(call: NodeCall): OnnxMap {
  const x = call.anyValue(0);
  if (!(x instanceof OnnxMap)) throw call.error(`input 0 (${call.node.inputs[0]}) is not a map; ${call.node.opType} takes one (a graph input of type map(K, V), given as a JS Map)`);
  return x;
}

/** A row [1, n] of `type` (ml_strings.ts's made). */
const row = (type: string, values: readonly (string | number)[]): Constant | StringTensor => made([1, values.length], type as ElementType | 'string', values.length, (k) => values[k]);

/**
 * DictVectorizer: [1, V], entry i the map's value at the vocabulary's i-th
 * key (string_vocabulary or int64_vocabulary, of the map's key type), 0 (or
 * '' for string values) where the map has none; keys outside the vocabulary
 * are left out.
 */
function dictVectorizer(call: NodeCall): Constant | StringTensor {
  const x = mapInput(call);
  const strings = call.strings('string_vocabulary'), ints = call.ints('int64_vocabulary');
  if (!!strings?.length === !!ints?.length) throw call.error('needs its vocabulary in exactly one of string_vocabulary and int64_vocabulary');
  const vocabulary: MapKey[] = strings ?? ints!;
  const keyType = strings ? 'string' : 'int64';
  if (keyType !== x.keyType) throw call.error(`its vocabulary is ${keyType === 'string' ? 'string_vocabulary' : 'int64_vocabulary'}, but its input is keyed by ${x.keyType}`);
  const missing = x.valueType === 'string' ? '' : 0;
  return row(x.valueType, vocabulary.map((k) => x.entries.get(k) ?? missing));
}

const CAST_TO = { TO_FLOAT: 'float', TO_STRING: 'string', TO_INT64: 'int64' } as const;

/** C's "%f", as std::to_string writes a float: six decimals. */
const toStringF = (v: number): string => (Number.isNaN(v) ? 'nan' : Number.isFinite(v) ? v.toFixed(6) : v < 0 ? '-inf' : 'inf');

/**
 * CastMap: a map keyed by int64 (its values float or string) as a row [1, N]
 * of cast_to's type. map_form DENSE: the values in the keys' order, N the
 * map's size; SPARSE: N = max_map, place k the value at key k, else 0 ('0'
 * for strings), every key in [0, max_map). Strings become floats and ints as
 * std::stof and std::stoll read them, floats strings as std::to_string
 * writes them (six decimals) and ints by truncation.
 */
function castMap(call: NodeCall): Constant | StringTensor {
  const x = mapInput(call);
  if (x.keyType !== 'int64' || (x.valueType !== 'float' && x.valueType !== 'string')) throw call.error(`its input is map(${x.keyType}, ${x.valueType}); CastMap takes map(int64, float) or map(int64, string)`);
  const castTo = call.string('cast_to', 'TO_FLOAT');
  if (!Object.hasOwn(CAST_TO, castTo)) throw call.error(`cast_to = '${castTo}' is not one of ${Object.keys(CAST_TO).join(', ')}`);
  const to = CAST_TO[castTo as keyof typeof CAST_TO];
  const form = call.string('map_form', 'DENSE');
  if (form !== 'DENSE' && form !== 'SPARSE') throw call.error(`map_form = '${form}' is not DENSE or SPARSE`);
  const keys = [...x.entries.keys()].sort((a, b) => (a as number) - (b as number));
  let values: (string | number)[];
  if (form === 'DENSE') values = keys.map((k) => x.entries.get(k)!);
  else {
    const most = call.int('max_map', 1);
    const outside = keys.find((k) => !((k as number) >= 0 && (k as number) < most));
    if (outside !== undefined) throw call.error(`its map has key ${outside}, outside [0, max_map = ${most}) of the SPARSE form`);
    const pad = x.valueType === 'string' ? '0' : 0;
    values = Array.from({ length: most }, (_, k) => x.entries.get(k) ?? pad);
  }
  if (to === x.valueType) return row(to, values);
  if (x.valueType === 'string') return stringsToNumbers(call, new StringTensor(values as string[], [1, values.length]), to as ElementType);
  return to === 'string' ? row('string', values.map((v) => toStringF(Math.fround(v as number)))) : row(to, values.map((v) => Math.trunc(v as number)));
}

export const ML_MAP_OPS: OpTable = {
  DictVectorizer: { strings: 'reads', run: dictVectorizer },
  CastMap: { strings: 'reads', run: castMap },
};
