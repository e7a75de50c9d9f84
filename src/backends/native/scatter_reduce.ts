// The native backend's scatter-reduce kernel (backends/scatter_reduce.ts):
// js's loop on the storage as it is. One pass over the values, bound by
// memory, not arithmetic: C++ would gain little.
import type { StorageArray } from '../../dtype.js';
import { scatterReduce } from '../js/scatter_reduce.js';
import type { TensorInfo } from '../kernels.js';
import type { ScatterReduceKernel } from '../scatter_reduce.js';
import type { NativeBackend } from './index.js';

export function nativeScatterReduce(native: NativeBackend): ScatterReduceKernel<StorageArray> {
  const js = (x: TensorInfo<StorageArray>) => ({ storage: native.sizedStorage(x), shape: x.shape, dtype: x.dtype });
  return (op, values, indices, into) => scatterReduce(op, js(values), js(indices), js(into));
}
