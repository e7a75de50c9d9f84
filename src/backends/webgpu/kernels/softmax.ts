// Softmax and log-softmax along rows on the GPU (shaders/softmax.wgsl).
import type { DType } from '../../../dtype.js';
import elementwiseLib from '../../../../shaders/elementwise_lib.wgsl';
import softmaxShader from '../../../../shaders/softmax.wgsl';
import { computeType } from '../layout.js';
import type { Operand, Runtime } from '../runtime.js';
import { rowGrid, rowWorkgroup } from './reduce.js';

export function softmax(rt: Runtime, x: Operand, log: boolean, out: GPUBuffer, outDtype: DType): void {
  const [outer, inner] = x.shape;
  const { features } = rt.ctx;
  const kernel = rt.compiler.kernel({
    name: 'softmax',
    source: `${elementwiseLib}\n${softmaxShader}`,
    types: { In: computeType(x.dtype, features), Out: computeType(outDtype, features) },
    defines: { LOG: log ? 1 : 0 },
    constants: { WG: rowWorkgroup(inner) },
  });
  rt.commands.dispatch(kernel, { x: x.buffer, out, params: Uint32Array.of(outer, inner) }, rowGrid(outer));
}
