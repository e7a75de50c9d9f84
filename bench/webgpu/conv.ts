// A convolution and a pooling on webgpu, tmnn next to tfjs-webgpu on the same
// adapter: the second convolution of the demo's MNIST CNN (32 images 8×28×28,
// 16 filters 3×3, zero padding 1), its training step (forward and both
// gradients of Σ y², as the native bench's), and a 2×2 max pool of the same
// images. tmnn takes NCHW images; tfjs takes NHWC (single_ops.ts times them).
import * as tf from '@tensorflow/tfjs-core';
// tfjs's gradients (tf.grads) come registered with tfjs-layers (its Node build carries them).
import '@tensorflow/tfjs-layers';
import * as tm from '../../src/index.js';
import type { GpuData } from '../../src/backends/webgpu/data.js';
import type { WebGpuBackend } from '../../src/backends/webgpu/index.js';
import { bestOfEach } from '../harness.js';
import { tfjsGpuDone } from '../peers/tfjs-webgpu-node.js';
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
  rows.splice(1, 0, await trainingStep(gpu, ms, images, filters, timages, tfilters));
  for (const t of [images, filters, nhwc, hwio]) t.dispose();
  tf.dispose([timages, tfilters]);
  return rows;
}

/** ms until the GPU has both gradients of Σ conv2d(x, w)² on each side, nothing read back. */
async function trainingStep(gpu: WebGpuBackend, ms: number, images: tm.Tensor, filters: tm.Tensor, timages: tf.Tensor4D, tfilters: tf.Tensor4D): Promise<GpuOpRow> {
  const [x, w] = [images, filters].map((t) => {
    const c = t.clone();
    c.requiresGrad = true;
    return c;
  });
  const grads = tf.grads((x: tf.Tensor, w: tf.Tensor) => tf.sum(tf.square(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same'))));
  const wait = gpu.runtime.ctx.wait;
  const t = await bestOfEach({
    tmnn: async () => {
      tm.tidy(() => tm.conv2d(x, w, { padding: 1 }).square().sum()).backward();
      for (const p of [x, w]) gpu.materialize(p.grad!.dataRef('bench').storage as GpuData);
      await gpu.sync();
      for (const p of [x, w]) {
        p.grad!.dispose();
        p.grad = null;
      }
    },
    tfjs: async () => {
      const out = grads([timages, tfilters]);
      await tfjsGpuDone(wait);
      tf.dispose(out);
    },
  }, ms);
  for (const p of [x, w]) p.dispose();
  return { op: 'conv2d as above, forward + both gradients', ...t };
}
