// The binary-search kernel behind searchsorted and bucketize (ops/search.ts):
// each value's place in its row of sorted entries in O(log n) reads. Apart
// from the core kernel contract (kernels.ts) for the reason given in
// kernel_family.ts: only ops/search.ts imports this module, so a page that
// never searches never downloads it.
import type { Backend, TensorInfo } from './kernels.js';
import { kernelFamily } from './kernel_family.js';
import { searchSorted } from './js/search.js';
import { nativeSearchSorted } from './native/search.js';
import { webGpuSearchSorted } from './webgpu/kernels/search.js';
import type { NativeBackend } from './native/index.js';
import type { WebGpuBackend } from './webgpu/index.js';

/**
 * For `rows` rows of n sorted entries (sorted holds rows · n) and rows of m
 * values (values holds rows · m), both f32 or both i32: i32 [rows · m], each
 * value's index in its row of sorted found by binary search — the first i
 * with sorted[i] ≥ v, or sorted[i] > v when `right` (n when none), in the
 * order with NaN after every number (all NaNs equal) and −0 equal to +0,
 * floats compared exactly (a subnormal is not zero). For a row not in that
 * order the index is some place the search ends at, not a count.
 */
export type SearchSortedKernel<S = unknown> = (sorted: TensorInfo<S>, values: TensorInfo<S>, rows: number, right: boolean) => S;

const family = kernelFamily<SearchSortedKernel>({
  js: () => searchSorted as SearchSortedKernel,
  native: nativeSearchSorted as (backend: NativeBackend) => SearchSortedKernel,
  webgpu: webGpuSearchSorted as (backend: WebGpuBackend) => SearchSortedKernel,
});

/** The backend's binary-search kernel, made on first use. */
export function searchSortedKernelOf<S>(backend: Backend<S>): SearchSortedKernel<S> {
  return family(backend) as SearchSortedKernel<S>;
}
