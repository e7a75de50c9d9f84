// The fused steps of the recurrent cells (ops/lstm_cell.ts, gru_cell.ts):
// one pass over a step's gates after its products, and one for the
// gradient. Apart from the core kernel contract (kernels.ts) for the reason
// given in kernel_family.ts: only those ops import this module, so a page
// without recurrent layers never downloads them. Each is optional: where a
// backend lacks one (all three have all four; tests remove one to take the
// other way), the op runs the dozen ops it stands for.
import type { Backend, TensorInfo } from './kernels.js';
import { kernelFamily } from './kernel_family.js';
import { gruCell, gruCellGrad } from './js/gru_cell.js';
import { lstmCell, lstmCellGrad } from './js/lstm_cell.js';
import { nativeRecurrentCells } from './native/recurrent_cells.js';
import { webGpuRecurrentCells } from './webgpu/kernels/recurrent_cells.js';

export interface RecurrentCellKernels<S = unknown> {
  /**
   * One LSTM step after its products, in one pass. z [B, 4H] holds
   * the pre-activations of the gates i, f, g, o side by side, c [B, H] the
   * cell (both of one float dtype); out [2, B, H] in that dtype: h' =
   * σ(o)·tanh(c') then c' = σ(f)·c + σ(i)·tanh(g). Backends without it run
   * the dozen ops it replaces (ops/lstm_cell.ts).
   */
  lstmCell?(z: TensorInfo<S>, c: TensorInfo<S>): S;
  /**
   * With lstmCell: its gradient from z, c and dy [2, B, H] (dh',
   * dc'): out [B·4H + B·H], dz [B, 4H] then dc [B, H], the gates recomputed from z.
   */
  lstmCellGrad?(z: TensorInfo<S>, c: TensorInfo<S>, dy: TensorInfo<S>): S;
  /**
   * One GRU step after its products, in one pass. xw and hw
   * [B, 3H] hold the input side x·Wih + bih and the hidden side h·Whh + bhh
   * of the gates r, z, n side by side, h [B, H] the state (all of one float
   * dtype); out [B, H] in that dtype: h' = (1 − z)·n + z·h with r = σ(xr + hr),
   * z = σ(xz + hz), n = tanh(xn + r·hn). Backends without it run the dozen
   * ops it replaces (ops/gru_cell.ts).
   */
  gruCell?(xw: TensorInfo<S>, hw: TensorInfo<S>, h: TensorInfo<S>): S;
  /**
   * With gruCell: its gradient from xw, hw, h and dy [B, H] (dh'):
   * out [B·3H + B·3H + B·H], dxw [B, 3H], dhw [B, 3H] then dh [B, H], the
   * gates recomputed from xw and hw.
   */
  gruCellGrad?(xw: TensorInfo<S>, hw: TensorInfo<S>, h: TensorInfo<S>, dy: TensorInfo<S>): S;
}

const family = kernelFamily<RecurrentCellKernels>({
  js: () => ({ lstmCell, lstmCellGrad, gruCell, gruCellGrad }) as RecurrentCellKernels,
  native: nativeRecurrentCells,
  webgpu: webGpuRecurrentCells,
});

/** The backend's recurrent-cell kernels, made on first use (tests may remove one to take the ops). */
export function recurrentCellsOf<S>(backend: Backend<S>): RecurrentCellKernels<S> {
  return family(backend) as RecurrentCellKernels<S>;
}
