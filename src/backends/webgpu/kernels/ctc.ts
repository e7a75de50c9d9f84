// The CTC kernel on the GPU (shaders/ctc.wgsl): one workgroup per sample,
// α and β kept for every frame in scratch buffers given back once the
// dispatch is encoded. Nothing is read back: a bad label gives NaN.
import ctcShader from '../../../../shaders/ctc.wgsl';
import type { CtcKernel } from '../../ctc.js';
import type { GpuData } from '../data.js';
import type { WebGpuBackend } from '../index.js';
import { grid, type Operand, type Runtime } from '../runtime.js';

/**
 * out = the losses [N], then with `withGrad` their gradients [T, N, C], from
 * lp (f32 [T, N, C]), targets (i32 [N, S]) and lengths (i32 [2N]: frames,
 * then target lengths).
 */
export function ctcLosses(rt: Runtime, lp: Operand, targets: Operand, lengths: GPUBuffer, blank: number, withGrad: boolean, out: GPUBuffer): void {
  const [frames, batch, classes] = lp.shape;
  const labels = targets.shape[1];
  const span = 2 * labels + 1;
  // lavapipe runs a workgroup's idle invocations too: 64 unless the states need more.
  const kernel = rt.compiler.kernel({ name: 'ctc', source: ctcShader, constants: { WG: span <= 64 ? 64 : 256 } });
  const scratch = batch * frames * span * 4;
  const alpha = rt.pool.acquire(scratch);
  // Without a gradient β is never written: a small buffer stands in (it may not alias alpha).
  const beta = rt.pool.acquire(withGrad ? scratch : 16);
  const params = Uint32Array.of(frames, batch, classes, labels, blank, withGrad ? 1 : 0);
  rt.commands.dispatch(kernel, { lp: lp.buffer, targets: targets.buffer, lengths, alpha, beta, out, params }, grid(batch, 1));
  rt.pool.release(alpha);
  rt.pool.release(beta);
}

/** The webgpu backend's CTC kernel (backends/ctc.ts). The ops layer hands it lp as f32 and targets as i32. */
export function webGpuCtc(gpu: WebGpuBackend): CtcKernel<GpuData> {
  return (lp, targets, inputLengths, targetLengths, blank, withGrad) => {
    const [frames, batch, classes] = lp.shape;
    const lengths = gpu.upload(Int32Array.from([...inputLengths, ...targetLengths]), 'i32');
    const result = gpu.produce('f32', [batch + (withGrad ? frames * batch * classes : 0)], (out) => ctcLosses(gpu.runtime, gpu.operand(lp), gpu.operand(targets), lengths.buffer!, blank, withGrad, out));
    gpu.runtime.pool.release(lengths.buffer!);
    return result;
  };
}
