// The convolution's three kernels on the GPU as implicit GEMMs
// (shaders/conv2d.wgsl, with conv2d_forward.wgsl, conv2d_input_grad.wgsl or
// conv2d_weight_grad.wgsl): one launch reads each window's pixels where
// they lie, where the composed path (ops/conv.ts) gathers every window of
// the batch into a buffer first and multiplies after. A product too short
// to keep the GPU busy whose sums are long (the weight's gradient: a filter
// by its taps, summed over every position of every image) is split along
// its sums into runs, added up by shaders/conv2d_split_sum.wgsl. A batch
// past the binding limit runs in bands of images (windows.ts), each band's
// images of x and y a window; only where one image, or w, is past it does
// the op take the composed path instead (`takes`: a large w it reads in
// bands of filters). On lavapipe this is about twice as fast as that path,
// forward and training step (bench/webgpu/conv.ts), depthwise far more.
import conv2dShader from '../../../../shaders/conv2d.wgsl';
import forwardShader from '../../../../shaders/conv2d_forward.wgsl';
import inputGradShader from '../../../../shaders/conv2d_input_grad.wgsl';
import splitSumShader from '../../../../shaders/conv2d_split_sum.wgsl';
import weightGradShader from '../../../../shaders/conv2d_weight_grad.wgsl';
import tileGrid from '../../../../shaders/tile_grid.wgsl';
import type { DType } from '../../../dtype.js';
import { sizeOf } from '../../../shape.js';
import { convOutputShape, type ConvGeometry, type ConvKernel, type ConvolutionKernels } from '../../convolution.js';
import type { GpuContext } from '../device.js';
import type { GpuData } from '../data.js';
import type { WebGpuBackend } from '../index.js';
import { BYTES, computeType } from '../layout.js';
import { grid, type Operand, type Runtime } from '../runtime.js';
import { bindLimit, rowBands, rowsOf, windowOf, type BufferWindow, type Part } from '../windows.js';
import type { WgslScalar } from '../compiler.js';

const KIND_SHADERS: Record<ConvKernel, string> = { forward: forwardShader, inputGrad: inputGradShader, weightGrad: weightGradShader };

/** The most sums per invocation along each side: TILE_M rows by TILE_N columns. */
const TILE = 8;
/** The most invocations per workgroup, WG_X · WG_Y. */
const INVOCATIONS = 64;
/** Invocations below which a long K is split: enough to keep every thread of lavapipe (or a GPU's cores, in part) busy. */
const BUSY = 4096;
/** The fewest terms a run of a split K sums: fewer, and adding up the parts costs more than the split gains. */
const LEAST_RUN = 256;

/** The least power of two ≥ n (1 for n ≤ 1). */
const powerOfTwo = (n: number) => 2 ** Math.max(0, Math.ceil(Math.log2(n)));

/** One group's product for `kind`: M rows by N columns, K terms each (the shaders' headers say which is which). */
function product(kind: ConvKernel, g: ConvGeometry): { m: number; n: number; k: number } {
  const [perGroup, filtersPerGroup, taps, positions] = [g.channels / g.groups, g.filters / g.groups, g.kernel[0] * g.kernel[1], g.out[0] * g.out[1]];
  switch (kind) {
    case 'forward': return { m: filtersPerGroup, n: g.batch * positions, k: perGroup * taps };
    case 'inputGrad': return { m: perGroup, n: g.batch * g.height * g.width, k: filtersPerGroup * taps };
    case 'weightGrad': return { m: filtersPerGroup, n: perGroup * taps, k: g.batch * positions };
  }
}

/** Bytes per element of `dtype` as the kernel binds it: f16 widened to f32 where the device does not compute in f16. */
function boundBytes(dtype: DType, ctx: GpuContext): number {
  return BYTES[computeType(dtype, ctx.features)];
}

/**
 * The images of the batch in bands, each band's images of x and of y (dx
 * and dy are their shapes) a window within the binding limit (windows.ts
 * `rowBands`), and every kind's launches fitting with them: w whole, and for
 * the weight's gradient an f32 part of dw per band, added up after. Null
 * where that cannot be (one image past the limit, or w).
 */
export function imageBands(ctx: GpuContext, g: ConvGeometry, dtype: DType): Part[] | null {
  const bytes = boundBytes(dtype, ctx);
  const [image, outImage, weight] = [g.channels * g.height * g.width, g.filters * g.out[0] * g.out[1], sizeOf(convOutputShape('weightGrad', g))];
  const bands = rowBands(ctx, g.batch, [image * bytes, outImage * bytes]);
  if (!bands || weight * bytes > bindLimit(ctx) || (bands.length > 1 && 4 * weight * bands.length > bindLimit(ctx))) return null;
  // An empty batch is one band of no images: the weight's gradient, summing nothing, is a launch that writes zeros.
  return bands.length ? bands : [{ start: 0, count: 0 }];
}

/**
 * out = `kind` of the convolution `g` on a and b (backends/convolution.ts),
 * in out's `dtype`, over `bands` of images (imageBands): one launch a band,
 * each reading and writing its images' windows; the weight's gradient sums
 * over every band, each writing a part of its own.
 */
export function conv2dKernel(rt: Runtime, kind: ConvKernel, a: Operand, b: Operand, g: ConvGeometry, out: GPUBuffer, dtype: DType, bands: readonly Part[]): void {
  const size = sizeOf(convOutputShape(kind, g));
  const [image, outImage] = [g.channels * g.height * g.width, g.filters * g.out[0] * g.out[1]];
  const imagesOf = (x: Operand, perImage: number, band: Part) => (bands.length === 1 ? x : rowsOf(x, band, perImage, [band.count, ...x.shape.slice(1)]));
  const Out = computeType(dtype, rt.ctx.features);
  if (kind !== 'weightGrad') {
    const [aImage, outputImage] = kind === 'forward' ? [image, outImage] : [outImage, image];
    for (const band of bands) {
      const target = bands.length === 1 ? out : windowOf(out, { start: band.start * outputImage, count: band.count * outputImage }, BYTES[dtype]);
      launch(rt, kind, imagesOf(a, aImage, band), b, { ...g, batch: band.count }, target, Out, 1, 0);
    }
    return;
  }
  // dw: each band's sum split into runs where it is long, every run of every band a part of its own, then added up.
  const { k } = product(kind, { ...g, batch: bands[0].count });
  const tiles = tileCount(kind, g);
  const most = Math.floor(bindLimit(rt.ctx) / (4 * size * bands.length));
  const splits = Math.max(1, Math.min(Math.ceil(BUSY / tiles), Math.floor(k / LEAST_RUN), most));
  if (splits * bands.length === 1) {
    launch(rt, kind, a, b, g, out, Out, 1, 0);
    return;
  }
  const parts = rt.pool.acquire(4 * splits * bands.length * size);
  bands.forEach((band, i) => launch(rt, kind, imagesOf(a, image, band), imagesOf(b, outImage, band), { ...g, batch: band.count }, parts, 'f32', splits, i * splits));
  const sum = rt.compiler.kernel({ name: 'conv2d_split_sum', source: splitSumShader, types: { T: Out } });
  rt.commands.dispatch(sum, { parts, out, params: Uint32Array.of(size, splits * bands.length) }, grid(size, 256));
  rt.pool.release(parts);
}

/** The block a workgroup covers for `kind` on `g`: no larger than the product needs, rows first (a depthwise weight's gradient: 1 × 9 per group, not 64 × 64 mostly clamped). */
function blockOf(kind: ConvKernel, g: ConvGeometry) {
  const { m, n, k } = product(kind, g);
  const [tileM, tileN] = [Math.min(TILE, powerOfTwo(m)), Math.min(TILE, powerOfTwo(n))];
  const wgY = Math.min(8, powerOfTwo(Math.ceil(m / tileM)));
  const wgX = Math.min(INVOCATIONS / wgY, powerOfTwo(Math.ceil(n / tileN)));
  return { m, n, k, tileM, tileN, wgX, wgY, tilesX: Math.ceil(n / (wgX * tileN)), tilesY: Math.ceil(m / (wgY * tileM)) };
}

/** Invocations of one run of `kind` on `g`, every group's tiles. */
function tileCount(kind: ConvKernel, g: ConvGeometry): number {
  const { wgX, wgY, tilesX, tilesY } = blockOf(kind, g);
  return tilesX * tilesY * g.groups * wgX * wgY;
}

/** One launch of the product: its K in `splits` runs, each writing `out`'s part `first` + its run (of `kind`'s output size) where there are several. */
function launch(rt: Runtime, kind: ConvKernel, a: Operand, b: Operand, g: ConvGeometry, out: GPUBuffer | BufferWindow, Out: WgslScalar, splits: number, first: number): void {
  const { m, n, k, tileM, tileN, wgX, wgY, tilesX, tilesY } = blockOf(kind, g);
  const kernel = rt.compiler.kernel({
    name: `conv2d_${kind}`,
    source: [conv2dShader, tileGrid, KIND_SHADERS[kind]],
    types: { T: computeType(a.dtype, rt.ctx.features), Out },
    defines: { TILE_M: tileM, TILE_N: tileN },
    constants: { WG_X: wgX, WG_Y: wgY },
  });
  const params = Uint32Array.of(
    g.batch, g.channels, g.height, g.width, g.filters, g.groups, ...g.kernel, ...g.stride, ...g.dilation, ...g.padding, ...g.out,
    m, n, k, tilesX, tilesY, g.groups * splits, splits, Math.ceil(k / splits), first, sizeOf(convOutputShape(kind, g)),
  );
  rt.commands.dispatch(kernel, { a: a.buffer, b: b.buffer, out, conv: params }, grid(tilesX * tilesY * g.groups * splits, 1));
}

/** The webgpu backend's convolution (backends/convolution.ts): any geometry where one image of x and of y fit a binding, and w. */
export function webGpuConvolution(gpu: WebGpuBackend): ConvolutionKernels<GpuData> {
  const rt = gpu.runtime;
  return {
    conv2d(kind, a, b, g) {
      const bands = imageBands(rt.ctx, g, a.dtype);
      if (!bands) throw new Error(`conv2d: ${kind} of a convolution past the binding limit; takes() refuses it`);
      const inputs = [a, b].map(gpu.wide);
      const result = gpu.produce(a.dtype, convOutputShape(kind, g), (out, dtype) => conv2dKernel(rt, kind, inputs[0].operand, inputs[1].operand, g, out, dtype, bands));
      for (const i of inputs) i.done();
      return result;
    },

    takes: (g, dtype) => imageBands(rt.ctx, g, dtype) !== null,
  };
}
