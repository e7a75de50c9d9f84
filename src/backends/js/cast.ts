// Dtype conversion and one-hot encoding on the js backend.
import { saturateToInt, type DType, type StorageArray } from '../../dtype.js';
import { output, valuesOf, type Js } from './values.js';

export function cast(x: Js, dtype: DType): StorageArray {
  const xs = valuesOf(x);
  const out = output(dtype, xs.length);
  const v = out.values;
  if (dtype === 'i8' || dtype === 'i32') {
    for (let i = 0; i < xs.length; i++) v[i] = saturateToInt(xs[i], dtype);
  } else {
    for (let i = 0; i < xs.length; i++) v[i] = xs[i];
  }
  return out.finish();
}

export function oneHot(indices: Js, depth: number, outDtype: DType): StorageArray {
  const idx = valuesOf(indices);
  const out = output(outDtype, idx.length * depth);
  for (let i = 0; i < idx.length; i++) {
    const j = idx[i];
    if (j >= 0 && j < depth) out.values[i * depth + j] = 1;
  }
  return out.finish();
}
