// ONNX's maps, held on the host as plain JS Maps: seq(map(K, V)), a list of
// maps, what ai.onnx.ml's ZipMap makes of a classifier's probabilities — one
// map per sample from class label to probability, skl2onnx's default output,
// handed to the caller; and map(K, V), one map, as a graph input to
// DictVectorizer and CastMap.
export type MapKey = number | string;

export class MapSequence {
  constructor(
    /** The keys' ONNX element type: int64 labels are numbers, string labels strings. */
    readonly keyType: 'int64' | 'string',
    readonly maps: readonly ReadonlyMap<MapKey, number>[],
  ) {}

  get length(): number {
    return this.maps.length;
  }
}

/** A map's values: numbers, or strings (map(int64, string)). */
export type MapValue = number | string;

/**
 * ONNX's map(K, V) as a graph input: one sample's features by name or by
 * number, what DictVectorizer and CastMap take (skl2onnx's DictVectorizer
 * models take one), given as a JS Map and held on the host as it is.
 */
export class OnnxMap {
  constructor(
    readonly keyType: 'int64' | 'string',
    /** The values' ONNX element type. */
    readonly valueType: string,
    readonly entries: ReadonlyMap<MapKey, MapValue>,
  ) {}

  get size(): number {
    return this.entries.size;
  }
}
