// The native backend's convolution (backends/convolution.ts): the three
// kinds of fallback/src/conv.cc, f32 and f16 alike.
import type { StorageArray } from '../../dtype.js';
import { sizeOf } from '../../shape.js';
import { CONV_KERNELS, convOutputShape, type ConvolutionKernels } from '../convolution.js';
import type { NativeBackend } from './index.js';

export function nativeConvolution(native: NativeBackend): ConvolutionKernels<StorageArray> {
  return {
    conv2d(kind, a, b, g) {
      const out = native.allocate(a.dtype, sizeOf(convOutputShape(kind, g))) as Float32Array | Uint16Array;
      const geometry = [g.batch, g.channels, g.height, g.width, g.filters, g.groups, ...g.kernel, ...g.stride, ...g.dilation, ...g.padding, ...g.out];
      const [x, y] = [a, b].map(native.sizedStorage) as [Float32Array | Uint16Array, Float32Array | Uint16Array];
      if (out.length) native.addon.conv2d(CONV_KERNELS.indexOf(kind), x, y, geometry, out);
      return out;
    },
  };
}
