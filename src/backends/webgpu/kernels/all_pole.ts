// The all-pole recursion on the GPU (shaders/all_pole.wgsl): one invocation
// per row, walking it in order. Nothing is read back.
import allPoleShader from '../../../../shaders/all_pole.wgsl';
import type { AllPoleKernel } from '../../all_pole.js';
import type { GpuData } from '../data.js';
import type { WebGpuBackend } from '../index.js';
import { sizeOf } from '../../../shape.js';
import { grid } from '../runtime.js';

const WG = 64;

/** The webgpu backend's all-pole kernel (backends/all_pole.ts). */
export function webGpuAllPole(gpu: WebGpuBackend): AllPoleKernel<GpuData> {
  return (v, rows, a) =>
    gpu.produce('f32', v.shape, (out) => {
      const size = sizeOf(v.shape);
      if (size === 0) return;
      const rt = gpu.runtime;
      const kernel = rt.compiler.kernel({ name: 'all_pole', source: [allPoleShader], constants: { WG } });
      // rows, n, p, then the coefficients as f32: one uniform block of 16 + 32 bytes.
      const params = new ArrayBuffer(48);
      new Uint32Array(params, 0, 4).set([rows, size / rows, a.length, 0]);
      new Float32Array(params, 16, 8).set(a);
      rt.commands.dispatch(kernel, { v: gpu.operand(v).buffer, out, params: new Uint8Array(params) }, grid(rows, WG));
    });
}
