// The webgpu backend's FFT kernel (backends/fft.ts): shaders/fft.wgsl, a
// workgroup per row transforming it in workgroup memory, for power-of-two
// lengths up to 2048. Longer ones, and the others, ops/fft composes around
// it (four steps, Bluestein's powers of two); real transforms go through
// ops/fft's packing into a complex one of half the length.
import fftShader from '../../../../shaders/fft.wgsl';
import type { FftKernels } from '../../fft.js';
import type { GpuData } from '../data.js';
import type { WebGpuBackend } from '../index.js';
import { inRowBands } from '../large_tensors.js';
import { grid } from '../runtime.js';

/** The longest row workgroup memory holds: 2048 (re, im) pairs of f32 are the 16 KiB every adapter gives. */
export const LONGEST = 2048;

/**
 * Up to this, ops/fft's one product with the DFT's matrix stays (the
 * kernel's log2(n) barriers cost more than a small product on lavapipe).
 */
export const MATRIX_UP_TO = 64;

const isPowerOfTwo = (n: number) => Number.isInteger(n) && n > 0 && (n & (n - 1)) === 0;

export function webGpuFft(gpu: WebGpuBackend): FftKernels<GpuData> {
  const rt = gpu.runtime;
  // (cos, sin)(2π·t/n), t < n/2, in float64 rounded once: uploaded once per length and kept.
  const tables = new Map<number, GpuData>();
  const twiddles = (n: number): GpuData => {
    let table = tables.get(n);
    if (!table) {
      const values = new Float32Array(n);
      for (let t = 0; t < n / 2; t++) [values[2 * t], values[2 * t + 1]] = [Math.cos((2 * Math.PI * t) / n), Math.sin((2 * Math.PI * t) / n)];
      tables.set(n, (table = gpu.upload(values, 'f32')));
    }
    return table;
  };
  return {
    takes: (n, real) => !real && isPowerOfTwo(n) && n > MATRIX_UP_TO && n <= LONGEST,
    complex(x, rows, n, sign, scale) {
      return gpu.produce('f32', [rows, n, 2], (out) => {
        if (rows === 0) return;
        const log = Math.log2(n);
        const kernel = rt.compiler.kernel({ name: 'fft', source: fftShader, constants: { N: n, LOG_N: log, WG: Math.min(256, n / 2) } });
        const table = twiddles(n);
        const tableOperand = gpu.operand({ storage: table, shape: [n / 2, 2], dtype: 'f32' });
        const input = gpu.operand(x);
        // Past the binding limit, in bands of rows (each a window of x and of out).
        inRowBands(rt, 'fft', { buffer: input.buffer, shape: [rows, 2 * n], dtype: 'f32' }, out, 2 * n, 'f32', (band, y) => {
          const params = Uint32Array.of(band.shape[0], ...new Uint32Array(Float32Array.of(sign, scale).buffer), 0);
          rt.commands.dispatch(kernel, { x: band.buffer, twiddles: tableOperand.buffer, y, params }, grid(band.shape[0], 1));
        });
      });
    },
  };
}
