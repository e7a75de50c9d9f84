// A convolution and a pooling on webgpu, tmnn next to tfjs-webgpu on the same
// adapter: the second convolution of the demo's MNIST CNN (32 images 8×28×28,
// 16 filters 3×3, zero padding 1) and a 2×2 max pool of the same images.
// tmnn takes NCHW images and gathers each window into a row (im2col) before
// one batched product; tfjs takes NHWC and convolves directly (single_ops.ts times them).
import * as tf from '@tensorflow/tfjs-core';
import * as tm from '../../src/index.js';
import type { WebGpuBackend } from '../../src/backends/webgpu/index.js';
import { gpuOpTimes, type GpuOpCase, type GpuOpRow } from './single_ops.js';

/** ms per op for each case; tfjs's active backend must be webgpu. */
export async function convTimes(gpu: WebGpuBackend, ms: number): Promise<GpuOpRow[]> {
  const images = tm.randn([32, 8, 28, 28], { seed: 6 });
  const filters = tm.randn([16, 8, 3, 3], { seed: 7 });
  const [nhwc, hwio] = tm.tidy(() => [images.transpose([0, 2, 3, 1]), filters.transpose([2, 3, 1, 0])]);
  const timages = tf.tensor4d((await nhwc.data()) as Float32Array, [32, 28, 28, 8]);
  const tfilters = tf.tensor4d((await hwio.data()) as Float32Array, [3, 3, 8, 16]);
  const cases: GpuOpCase[] = [
    { op: 'conv2d 32×8×28² by 16×8×3², pad 1', tmnn: () => tm.conv2d(images, filters, { padding: 1 }), tfjs: () => tf.conv2d(timages, tfilters, 1, 'same') },
    { op: 'maxPool2d 32×8×28², 2×2', tmnn: () => tm.maxPool2d(images, 2), tfjs: () => tf.maxPool(timages, 2, 2, 'valid') },
  ];
  const rows = await gpuOpTimes(gpu, ms, cases);
  for (const t of [images, filters, nhwc, hwio]) t.dispose();
  tf.dispose([timages, tfilters]);
  return rows;
}
