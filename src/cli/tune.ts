// `tmnn tune`: measures the webgpu kernel choices for this adapter afresh
// (matmul tile, int8 kernel, f16-way tile, row-reduction layout, quantized
// way) and keeps them for later processes. tmnn measures them once per
// adapter on first use and remembers the result; a measurement taken while
// the machine was busy can pick a slower tile, and this is how to take it
// again. The tile of each product shape a program runs is measured again on
// its next use.
import { ansi, plain, rows, tuningRows } from '../capabilities/format.js';
import { gpuTuning } from '../capabilities/gpu.js';
import type { WebGpuBackend } from '../backends/webgpu/index.js';
import { tune } from '../backends/webgpu/kernels/matmul_tuning.js';
import { measureInt8Kernel } from '../backends/webgpu/kernels/matmul_int8.js';
import { measureW8Tile } from '../backends/webgpu/kernels/matmul_w8.js';
import { measureRowLayout } from '../backends/webgpu/kernels/reduce.js';
import { measureQuantizedPaths } from '../backends/webgpu/kernels/quantized_path.js';
import { activeBackend } from '../engine.js';
import { init } from '../selection.js';

export async function tuneWebgpu(out: NodeJS.WriteStream, json = false): Promise<void> {
  // Measure, ignoring what is remembered, and keep the results (unless TMNN_CACHE=0 turned keeping off).
  if (process.env.TMNN_CACHE !== '0') process.env.TMNN_CACHE = 'refresh';
  await init({ backend: 'webgpu' });
  const gpu = activeBackend() as WebGpuBackend;
  if (!json) out.write(`measuring on ${gpu.device.description}${gpu.device.software ? ' (a software adapter: this takes a while)' : ''}…\n`);
  await tune(gpu.runtime);
  await measureInt8Kernel(gpu.runtime);
  await measureW8Tile(gpu.runtime);
  await measureRowLayout(gpu.runtime);
  await measureQuantizedPaths(gpu.runtime);
  const tuning = await gpuTuning(gpu);
  const style = out.isTTY && !process.env.NO_COLOR ? ansi : plain;
  out.write(json ? `${JSON.stringify(tuning, null, 2)}\n` : `${rows('webgpu tuning', tuningRows(tuning, style), style).join('\n')}\n`);
}
