// How each tmnn dtype lies in a GPU buffer and what WGSL type kernels compute
// it in. The bytes are the same as the CPU storage's (f16 as 16-bit halves,
// i8 as bytes, little-endian), so upload and download are plain copies; what
// differs is how WGSL may address them. WGSL has no 8-bit type and, without
// shader-f16, no 16-bit one, so those are read as u32 words holding four i8
// or two f16 ("packed") and computed in i32 / f32.
import type { DType } from '../../dtype.js';
import type { WgslScalar } from './compiler.js';
import type { GpuFeatures } from './device.js';

/** The WGSL type a dtype is computed in: f16 stays f16 where the device has shader-f16. */
export function computeType(dtype: DType, features: GpuFeatures): Exclude<WgslScalar, 'u32'> {
  switch (dtype) {
    case 'f32': return 'f32';
    case 'f16': return features.f16 ? 'f16' : 'f32';
    case 'i32': case 'i8': return 'i32';
  }
}

/** Elements per u32 word when the dtype cannot be addressed one element at a time; 1 when it can. */
export function packing(dtype: DType, features: GpuFeatures): 1 | 2 | 4 {
  if (dtype === 'i8') return 4;
  if (dtype === 'f16' && !features.f16) return 2;
  return 1;
}

export const BYTES: Record<DType, number> = { f32: 4, f16: 2, i32: 4, i8: 1 };
