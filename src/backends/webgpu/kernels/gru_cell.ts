// The GRU step and its gradient on the GPU (shaders/gru_cell.wgsl,
// shaders/gru_cell_grad.wgsl, their gates from shaders/gru_cell_gates.wgsl):
// one launch each, one invocation per unit, where the ops would be a slice
// per gate and a few fused chains.
import elementwiseLib from '../../../../shaders/elementwise_lib.wgsl';
import gruCellShader from '../../../../shaders/gru_cell.wgsl';
import gruCellGates from '../../../../shaders/gru_cell_gates.wgsl';
import gruCellGradShader from '../../../../shaders/gru_cell_grad.wgsl';
import { sizeOf } from '../../../shape.js';
import type { RecurrentCellKernels } from '../../recurrent_cells.js';
import type { GpuData } from '../data.js';
import type { WebGpuBackend } from '../index.js';
import { computeType } from '../layout.js';
import { grid, type Operand, type Runtime } from '../runtime.js';

/** out [B, H] = h' from xw, hw [B, 3H] and h [B, H] (kernels.ts's gruCell). */
export function gruCellUnits(rt: Runtime, xw: Operand, hw: Operand, h: Operand, out: GPUBuffer): void {
  const [batch, hidden] = h.shape;
  const kernel = rt.compiler.kernel({ name: 'gru_cell', source: [elementwiseLib, gruCellGates, gruCellShader], types: { T: computeType(h.dtype, rt.ctx.features) } });
  rt.commands.dispatch(kernel, { xw: xw.buffer, hw: hw.buffer, h: h.buffer, out, params: Uint32Array.of(batch * hidden, hidden) }, grid(batch * hidden, 256));
}

/** out [B·3H + B·3H + B·H] = dxw, dhw, dh from the step's operands and dy [B, H] (kernels.ts's gruCellGrad). */
export function gruCellGradUnits(rt: Runtime, xw: Operand, hw: Operand, h: Operand, dy: Operand, out: GPUBuffer): void {
  const [batch, hidden] = h.shape;
  const kernel = rt.compiler.kernel({ name: 'gru_cell_grad', source: [elementwiseLib, gruCellGates, gruCellGradShader], types: { T: computeType(h.dtype, rt.ctx.features) } });
  rt.commands.dispatch(kernel, { xw: xw.buffer, hw: hw.buffer, h: h.buffer, dy: dy.buffer, out, params: Uint32Array.of(batch * hidden, hidden) }, grid(batch * hidden, 256));
}

/** The webgpu backend's recurrent-cell kernels (backends/recurrent_cells.ts): the GRU's; its LSTM takes the ops, which fuse. */
export function webGpuRecurrentCells(gpu: WebGpuBackend): RecurrentCellKernels<GpuData> {
  return {
    gruCell(xw, hw, h) {
      const inputs = [xw, hw, h].map(gpu.wide);
      const result = gpu.produce(h.dtype, h.shape, (out) => gruCellUnits(gpu.runtime, inputs[0].operand, inputs[1].operand, inputs[2].operand, out));
      for (const i of inputs) i.done();
      return result;
    },

    gruCellGrad(xw, hw, h, dy) {
      const inputs = [xw, hw, h, dy].map(gpu.wide);
      const result = gpu.produce(h.dtype, [7 * sizeOf(h.shape)], (out) => gruCellGradUnits(gpu.runtime, inputs[0].operand, inputs[1].operand, inputs[2].operand, inputs[3].operand, out));
      for (const i of inputs) i.done();
      return result;
    },
  };
}
