// ONNX's seq(map(K, V)): a list of maps, what ai.onnx.ml's ZipMap makes of a
// classifier's probabilities — one map per sample from class label to
// probability, skl2onnx's default output. Held on the host, as plain Maps:
// nothing in a classifier's graph reads it again, it is handed to the caller.
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
