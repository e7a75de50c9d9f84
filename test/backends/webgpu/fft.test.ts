// The webgpu backend's FFT kernel (shaders/fft.wgsl: a workgroup per row,
// radix-2 stages in workgroup memory) against the defining sums in float64,
// kernel call by kernel call: every power of two it can do (down to 2,
// below the lengths tm.fft hands it, to test the stages' indexing at each
// size), both signs, scaled; more rows than one grid dimension holds; the
// lengths it takes; and that tm.fft on webgpu launches it, for a length of
// its own and for Bluestein's power of two inside a prime one.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../../src/index.js';
import { activeBackend } from '../../../src/engine.js';
import { fftKernelsOf, type FftKernels } from '../../../src/backends/fft.js';
import type { WebGpuBackend } from '../../../src/backends/webgpu/index.js';
import { LONGEST, MATRIX_UP_TO } from '../../../src/backends/webgpu/kernels/fft.js';
import { fromStorage } from '../../../src/ops/util.js';
import { asF32, expectNormwise, uniform } from '../../helpers/data.js';

let gpu: WebGpuBackend;
let kernels: FftKernels;

beforeAll(async () => {
  await tm.init({ backend: 'webgpu' });
  gpu = activeBackend() as WebGpuBackend;
  kernels = fftKernelsOf(gpu)!;
});

/** scale · Σ_j x[j]·e^(sign·2πi·jk/n) for each row of complex x [rows, n, 2], in float64. */
function dft(x: ArrayLike<number>, rows: number, n: number, sign: 1 | -1, scale: number): Float64Array {
  const out = new Float64Array(2 * rows * n);
  for (let r = 0; r < rows; r++) {
    for (let k = 0; k < n; k++) {
      let [re, im] = [0, 0];
      for (let j = 0; j < n; j++) {
        const angle = (2 * Math.PI * ((j * k) % n)) / n;
        const [c, s] = [Math.cos(angle), sign * Math.sin(angle)];
        const [a, b] = [x[2 * (r * n + j)], x[2 * (r * n + j) + 1]];
        re += a * c - b * s;
        im += a * s + b * c;
      }
      [out[2 * (r * n + k)], out[2 * (r * n + k) + 1]] = [scale * re, scale * im];
    }
  }
  return out;
}

/** The kernel's transform of x [rows, n, 2], read back. */
async function transform(x: Float32Array, rows: number, n: number, sign: 1 | -1, scale: number): Promise<Float32Array> {
  const input = tm.tensor(x, [rows, n, 2]);
  const y = fromStorage(gpu, kernels.complex(input.info('test'), rows, n, sign, scale), [rows, n, 2], 'f32');
  const got = (await y.data()) as Float32Array;
  for (const t of [input, y]) t.dispose();
  return got;
}

describe('the webgpu FFT kernel', () => {
  it.each([2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048])('rows of %i, both signs, scaled: the float64 sums', async (n) => {
    const rows = 3;
    const x = Float32Array.from(asF32(uniform(2 * rows * n, -1, 1)));
    for (const [sign, scale] of [[-1, 1], [1, 1 / n], [-1, 0.5]] as const) {
      expectNormwise(await transform(x, rows, n, sign, scale), dft(x, rows, n, sign, scale), 1e-6 * Math.max(1, Math.log2(n)), `n ${n} sign ${sign} scale ${scale}`);
    }
  });

  it('more rows than one grid dimension holds (70,001 workgroups): every row transformed', async () => {
    const [rows, n] = [70_001, 2];
    const x = Float32Array.from(asF32(uniform(2 * rows * n, -1, 1)));
    // A transform of 2 is (a + b, a − b), exact in f32.
    const want = new Float64Array(2 * rows * n);
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < 2; c++) {
        const [a, b] = [x[4 * r + c], x[4 * r + 2 + c]];
        [want[4 * r + c], want[4 * r + 2 + c]] = [Math.fround(a + b), Math.fround(a - b)];
      }
    }
    expect(Array.from(await transform(x, rows, n, -1, 1))).toEqual(Array.from(want));
  });

  it('takes complex powers of two past the matrix sizes up to 2048, no real transforms', () => {
    expect([MATRIX_UP_TO, LONGEST]).toEqual([64, 2048]);
    for (const n of [128, 256, 1024, 2048]) expect(kernels.takes(n, false), `${n}`).toBe(true);
    for (const n of [2, 64, 96, 1000, 4096, 2 ** 20]) expect(kernels.takes(n, false), `${n}`).toBe(false);
    for (const n of [128, 1024]) expect(kernels.takes(n, true), `real ${n}`).toBe(false);
    expect(kernels.realForward).toBeUndefined();
  });

  it('tm.fft on webgpu launches it: fft of 1024, and of the prime 131 through Bluestein\'s transforms of 512', async () => {
    const { commands } = gpu.runtime;
    const launched: string[] = [];
    const dispatch = commands.dispatch.bind(commands);
    commands.dispatch = (kernel, values, workgroups, counted) => {
      launched.push(kernel.name);
      dispatch(kernel, values, workgroups, counted);
    };
    try {
      const [z, p] = [tm.randn([2, 1024, 2]), tm.randn([131, 2])];
      const y = tm.fft.fft(z);
      await y.data();
      expect(launched.filter((name) => name === 'fft')).toHaveLength(1);
      launched.length = 0;
      const q = tm.fft.fft(p);
      await q.data();
      expect(launched.filter((name) => name === 'fft')).toHaveLength(2);
      for (const t of [z, p, y, q]) t.dispose();
    } finally {
      commands.dispatch = dispatch;
    }
  });
});
