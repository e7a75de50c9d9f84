// One-hot encoding on the GPU (shaders/one_hot.wgsl).
import type { DType } from '../../../dtype.js';
import oneHotShader from '../../../../shaders/one_hot.wgsl';
import { computeType } from '../layout.js';
import { grid, type Operand, type Runtime } from '../runtime.js';

export function oneHot(rt: Runtime, indices: Operand, depth: number, out: GPUBuffer, outDtype: DType): void {
  const size = indices.shape.reduce((a, b) => a * b, 1) * depth;
  const kernel = rt.compiler.kernel({ name: 'one_hot', source: oneHotShader, types: { T: computeType(outDtype, rt.ctx.features) } });
  rt.commands.dispatch(kernel, { indices: indices.buffer, out, params: Uint32Array.of(size, depth) }, grid(size, 256));
}
