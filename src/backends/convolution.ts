// The convolution's kernels (ops/conv_kernel.ts): a 2-D convolution and its
// two gradients, each in one kernel. Apart from the core kernel contract
// (kernels.ts) for the reason given in kernel_family.ts: only the
// convolution ops import this module, so a page that trains a Dense network
// never downloads webgpu's implicit-GEMM shaders. Where a backend has none
// (js), or a geometry is past what its kernel takes (webgpu's binding
// limit), conv2d and convTranspose2d gather every window into a row and
// multiply instead (ops/conv.ts).
import type { DType } from '../dtype.js';
import type { Backend, TensorInfo } from './kernels.js';
import { kernelFamily } from './kernel_family.js';
import { nativeConvolution } from './native/convolution.js';
import { webGpuConvolution } from './webgpu/kernels/conv2d.js';

/** A 2-D convolution's sizes, as ops/conv.ts works them out (a 1-D one is an image of height 1). */
export interface ConvGeometry {
  /** x is [batch, channels, height, width]. */
  readonly batch: number;
  readonly channels: number;
  readonly height: number;
  readonly width: number;
  /** The weight is [filters, channels / groups, kernel[0], kernel[1]]. */
  readonly filters: number;
  readonly groups: number;
  readonly kernel: readonly [number, number];
  readonly stride: readonly [number, number];
  readonly dilation: readonly [number, number];
  /** Zeros before the first row and before the first column (those after follow from `out`). */
  readonly padding: readonly [number, number];
  /** y is [batch, filters, out[0], out[1]]. */
  readonly out: readonly [number, number];
}

/** What a conv2d kernel computes: y from (x, w), dx from (dy, w), or dw from (x, dy). */
export const CONV_KERNELS = ['forward', 'inputGrad', 'weightGrad'] as const;
export type ConvKernel = (typeof CONV_KERNELS)[number];

/** The shape of what a conv2d kernel of `kind` gives: y, dx (x's) or dw (the weight's). */
export function convOutputShape(kind: ConvKernel, g: ConvGeometry): number[] {
  if (kind === 'forward') return [g.batch, g.filters, ...g.out];
  if (kind === 'inputGrad') return [g.batch, g.channels, g.height, g.width];
  return [g.filters, g.channels / g.groups, ...g.kernel];
}

export interface ConvolutionKernels<S = unknown> {
  /**
   * A convolution in one kernel, its operands of one float dtype and the
   * output in it too. 'forward': y[n, f, oy, ox] = Σ over the channels c of
   * f's group and the taps (ky, kx) of w[f, c, ky, kx] · x[n, c, oy·stride +
   * ky·dilation − padding, …] (0 outside the image); 'inputGrad': dx from dy
   * and w; 'weightGrad': dw from x and dy. Backends without it gather every
   * window into a row and multiply (ops/conv.ts), holding taps × positions
   * values per image where a kernel reads the windows in place.
   */
  conv2d?(kind: ConvKernel, a: TensorInfo<S>, b: TensorInfo<S>, geometry: ConvGeometry): S;
  /**
   * Whether conv2d takes `geometry` in `dtype`; absent, it takes every one.
   * Each kind binds the same three tensors (x's, w's and y's shapes), so one
   * answer holds for a convolution's gradients, and theirs, too.
   */
  takes?(geometry: ConvGeometry, dtype: DType): boolean;
}

const family = kernelFamily<ConvolutionKernels>({
  js: () => ({}),
  native: nativeConvolution,
  webgpu: webGpuConvolution,
});

/** The backend's convolution kernels, made on first use (js has none: its convolutions compose). */
export function convKernelsOf<S>(backend: Backend<S>): ConvolutionKernels<S> {
  return family(backend) as ConvolutionKernels<S>;
}
