// The recurrent cells' steps and their gradients on the GPU: the LSTM's
// (shaders/lstm_cell.wgsl, shaders/lstm_cell_grad.wgsl, their gates from
// shaders/lstm_cell_gates.wgsl) and the GRU's (shaders/gru_cell.wgsl,
// shaders/gru_cell_grad.wgsl, shaders/gru_cell_gates.wgsl): one launch each,
// one invocation per unit, where the ops would be a slice per gate and a few
// fused chains.
import elementwiseLib from '../../../../shaders/elementwise_lib.wgsl';
import gruCellShader from '../../../../shaders/gru_cell.wgsl';
import gruCellGates from '../../../../shaders/gru_cell_gates.wgsl';
import gruCellGradShader from '../../../../shaders/gru_cell_grad.wgsl';
import lstmCellShader from '../../../../shaders/lstm_cell.wgsl';
import lstmCellGates from '../../../../shaders/lstm_cell_gates.wgsl';
import lstmCellGradShader from '../../../../shaders/lstm_cell_grad.wgsl';
import { sizeOf } from '../../../shape.js';
import type { RecurrentCellKernels } from '../../recurrent_cells.js';
import type { GpuData } from '../data.js';
import type { WebGpuBackend } from '../index.js';
import { computeType } from '../layout.js';
import { grid, type Operand, type Runtime } from '../runtime.js';

/** out [2, B, H] = h', c' from z [B, 4H] and c [B, H] (recurrent_cells.ts's lstmCell). */
export function lstmCellUnits(rt: Runtime, z: Operand, c: Operand, out: GPUBuffer): void {
  const [batch, hidden] = c.shape;
  const kernel = rt.compiler.kernel({ name: 'lstm_cell', source: [elementwiseLib, lstmCellGates, lstmCellShader], types: { T: computeType(c.dtype, rt.ctx.features) } });
  rt.commands.dispatch(kernel, { z: z.buffer, c: c.buffer, out, params: Uint32Array.of(batch * hidden, hidden) }, grid(batch * hidden, 256));
}

/** out [B·4H + B·H] = dz, dc from z, c and dy [2, B, H] (recurrent_cells.ts's lstmCellGrad). */
export function lstmCellGradUnits(rt: Runtime, z: Operand, c: Operand, dy: Operand, out: GPUBuffer): void {
  const [batch, hidden] = c.shape;
  const kernel = rt.compiler.kernel({ name: 'lstm_cell_grad', source: [elementwiseLib, lstmCellGates, lstmCellGradShader], types: { T: computeType(c.dtype, rt.ctx.features) } });
  rt.commands.dispatch(kernel, { z: z.buffer, c: c.buffer, dy: dy.buffer, out, params: Uint32Array.of(batch * hidden, hidden) }, grid(batch * hidden, 256));
}

/** out [B, H] = h' from xw, hw [B, 3H] and h [B, H] (recurrent_cells.ts's gruCell). */
export function gruCellUnits(rt: Runtime, xw: Operand, hw: Operand, h: Operand, out: GPUBuffer): void {
  const [batch, hidden] = h.shape;
  const kernel = rt.compiler.kernel({ name: 'gru_cell', source: [elementwiseLib, gruCellGates, gruCellShader], types: { T: computeType(h.dtype, rt.ctx.features) } });
  rt.commands.dispatch(kernel, { xw: xw.buffer, hw: hw.buffer, h: h.buffer, out, params: Uint32Array.of(batch * hidden, hidden) }, grid(batch * hidden, 256));
}

/** out [B·3H + B·3H + B·H] = dxw, dhw, dh from the step's operands and dy [B, H] (recurrent_cells.ts's gruCellGrad). */
export function gruCellGradUnits(rt: Runtime, xw: Operand, hw: Operand, h: Operand, dy: Operand, out: GPUBuffer): void {
  const [batch, hidden] = h.shape;
  const kernel = rt.compiler.kernel({ name: 'gru_cell_grad', source: [elementwiseLib, gruCellGates, gruCellGradShader], types: { T: computeType(h.dtype, rt.ctx.features) } });
  rt.commands.dispatch(kernel, { xw: xw.buffer, hw: hw.buffer, h: h.buffer, dy: dy.buffer, out, params: Uint32Array.of(batch * hidden, hidden) }, grid(batch * hidden, 256));
}

/** The webgpu backend's recurrent-cell kernels (backends/recurrent_cells.ts): the LSTM's and the GRU's, each step and its gradient. */
export function webGpuRecurrentCells(gpu: WebGpuBackend): RecurrentCellKernels<GpuData> {
  return {
    lstmCell(z, c) {
      const inputs = [z, c].map(gpu.wide);
      const result = gpu.produce(c.dtype, [2, ...c.shape], (out) => lstmCellUnits(gpu.runtime, inputs[0].operand, inputs[1].operand, out));
      for (const i of inputs) i.done();
      return result;
    },

    lstmCellGrad(z, c, dy) {
      const inputs = [z, c, dy].map(gpu.wide);
      const result = gpu.produce(c.dtype, [5 * sizeOf(c.shape)], (out) => lstmCellGradUnits(gpu.runtime, inputs[0].operand, inputs[1].operand, inputs[2].operand, out));
      for (const i of inputs) i.done();
      return result;
    },

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
