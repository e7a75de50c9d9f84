// TensorFlow.js as a peer in the benchmarks, timed the way tmnn is: the op
// plus `await data()`, so both include the readback.
import * as tf from '@tensorflow/tfjs-core';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';

export type TfjsBackend = 'wasm';

let ready: Promise<void> | null = null;

/** Loads and activates tfjs-backend-wasm (its .wasm files ship inside the package). */
export async function useTfjs(backend: TfjsBackend): Promise<void> {
  ready ??= (async () => {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    const require = createRequire(import.meta.url);
    const dist = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
    wasm.setWasmPaths(`${dist}/`);
  })();
  await ready;
  await tf.setBackend(backend);
  await tf.ready();
}

/** GFLOP/s of an n×n f32 matmul on tfjs's active backend, best of runs filling ~`ms`. */
export async function tfjsMatmulGflops(n: number, ms = 400): Promise<number> {
  const a = tf.randomNormal([n, n], 0, 1, 'float32', 1);
  const b = tf.randomNormal([n, n], 0, 1, 'float32', 2);
  const once = async () => {
    const start = performance.now();
    const c = tf.matMul(a, b);
    await c.data();
    c.dispose();
    return performance.now() - start;
  };
  await once();
  let best = Infinity;
  const until = performance.now() + ms;
  do best = Math.min(best, await once());
  while (performance.now() < until);
  a.dispose();
  b.dispose();
  return (2 * n ** 3) / (best / 1000) / 1e9;
}
