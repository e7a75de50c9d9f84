// tm.fft.rfft and tm.fft.fft of a batch of signals, op + await data(), on
// tmnn's native and webgpu backends next to TensorFlow.js's tf.spectral
// (cpu, and webgpu on the same adapter). tfjs-backend-wasm has no FFT
// kernel, so it is not in the table. tmnn's transforms are ops (matrix
// products of sizes up to 64, or 512 for a real signal, twiddle products
// and transposes), not an FFT kernel: see src/ops/fft/dft.ts and real.ts.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tm from '../src/index.js';
import { bestOf, printTable } from './harness.js';
import { useTfjsWebgpu } from './peers/tfjs-webgpu-node.js';

const PROBLEMS = [
  { batch: 64, n: 1024 },
  { batch: 8, n: 16384 },
  { batch: 8, n: 65536 },
];

/**
 * The longest signals each tfjs backend is timed on: its cpu FFT (a radix-2
 * recursion of tensor ops per signal) takes seconds at 16384 and many
 * minutes at 65536; its webgpu kernel is the O(n²) sum, a cos and a sin per
 * term, minutes on a software adapter past a few thousand.
 */
const TFJS_LARGEST = { cpu: 16384, webgpu: 1024 };

type Transform = 'rfft' | 'fft';

/** Signals (real, or complex as pairs) with the same values on each side. */
function signals(batch: number, n: number, complex: boolean): Float32Array {
  return Float32Array.from({ length: batch * n * (complex ? 2 : 1) }, (_, i) => Math.sin(i * 0.37) + ((i * 7919) % 101) / 101 - 0.5);
}

async function tmnnMs(backend: 'native' | 'webgpu', transform: Transform, batch: number, n: number): Promise<number> {
  await tm.init({ backend });
  const x = transform === 'rfft' ? tm.tensor(signals(batch, n, false), [batch, n]) : tm.tensor(signals(batch, n, true), [batch, n, 2]);
  const ms = await bestOf(async () => {
    const y = transform === 'rfft' ? tm.fft.rfft(x) : tm.fft.fft(x);
    await y.data();
    y.dispose();
  }, 500);
  x.dispose();
  return ms;
}

async function tfjsMs(backend: 'cpu' | 'webgpu', transform: Transform, batch: number, n: number): Promise<number> {
  if (backend === 'webgpu') await useTfjsWebgpu();
  else if (!(await tf.setBackend('cpu'))) throw new Error("tfjs: the 'cpu' backend did not start");
  const values = signals(batch, n, transform === 'fft');
  const x =
    transform === 'rfft'
      ? tf.tensor2d(values, [batch, n])
      : tf.complex(
          tf.tensor2d(values.filter((_, i) => i % 2 === 0), [batch, n]),
          tf.tensor2d(values.filter((_, i) => i % 2 === 1), [batch, n]),
        );
  // Seconds a run (see TFJS_LARGEST): a warm-up and one timed run.
  const ms = await bestOf(
    async () => {
      const y = transform === 'rfft' ? tf.spectral.rfft(x) : tf.spectral.fft(x);
      await y.data();
      y.dispose();
    },
    0,
    1,
  );
  x.dispose();
  return ms;
}

export async function fftSection(): Promise<void> {
  const rows: (string | number)[][] = [];
  for (const { batch, n } of PROBLEMS) {
    for (const transform of ['rfft', 'fft'] as const) {
      const native = await tmnnMs('native', transform, batch, n).catch(() => NaN);
      const webgpu = await tmnnMs('webgpu', transform, batch, n).catch(() => NaN);
      const cpu = n <= TFJS_LARGEST.cpu ? await tfjsMs('cpu', transform, batch, n).catch(() => NaN) : NaN;
      const gpu = n <= TFJS_LARGEST.webgpu ? await tfjsMs('webgpu', transform, batch, n).catch(() => NaN) : NaN;
      rows.push([`${transform} ${batch} × ${n}`, native, cpu, cpu / native, webgpu, gpu, gpu / webgpu]);
    }
  }
  await tm.init({ backend: 'native' });
  printTable(
    'tm.fft, ms, op + await data() (best of runs)',
    ['transform, batch × n', 'tmnn native', 'tfjs-cpu', 'cpu/native', 'tmnn webgpu', 'tfjs-webgpu', 'tfjs/tmnn webgpu'],
    rows,
    'tmnn native: KissFFT, a call per row (fallback/src/fft.cc) past n = 64 (256 for rfft) where every prime factor is ≤ 13; webgpu: shaders/fft.wgsl, a workgroup per row, for powers of two from 128 to 2048; otherwise the transforms as ops (src/ops/fft: DFT matrix products up to 64 (512 for rfft), the four-step factorization, Bluestein for primes, a longer rfft as a complex transform of half the length); ' +
      `tfjs: tf.spectral.rfft / fft, a warm-up and one timed run (a radix-2 recursion of tensor ops on cpu, not run past n = ${TFJS_LARGEST.cpu}; an O(n²) kernel on webgpu, not run past ${TFJS_LARGEST.webgpu}). tfjs-backend-wasm has no FFT kernel.`,
  );
}
