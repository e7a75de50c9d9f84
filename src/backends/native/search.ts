// The native backend's binary-search kernel (backends/search.ts): fallback/src/search.cc.
import type { StorageArray } from '../../dtype.js';
import { sizeOf } from '../../shape.js';
import type { SearchSortedKernel } from '../search.js';
import type { NativeBackend } from './index.js';

export function nativeSearchSorted(native: NativeBackend): SearchSortedKernel<StorageArray> {
  return (sorted, values, rows, right) => {
    const out = native.allocate('i32', sizeOf(values.shape)) as Int32Array;
    const s = native.sizedStorage(sorted) as Float32Array | Int32Array, v = native.sizedStorage(values) as Float32Array | Int32Array;
    if (out.length > 0) native.addon.searchSorted(s, v, rows, right, out);
    return out;
  };
}
