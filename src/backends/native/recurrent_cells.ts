// The native backend's recurrent-cell kernels (backends/recurrent_cells.ts):
// fallback/src/lstm_cell.cc and gru_cell.cc in f32; f16 takes the js
// backend's loops (the same values), which is rare here.
import type { StorageArray } from '../../dtype.js';
import { sizeOf } from '../../shape.js';
import { gruCell, gruCellGrad } from '../js/gru_cell.js';
import { lstmCell, lstmCellGrad } from '../js/lstm_cell.js';
import type { TensorInfo } from '../kernels.js';
import type { RecurrentCellKernels } from '../recurrent_cells.js';
import type { NativeBackend } from './index.js';

export function nativeRecurrentCells(native: NativeBackend): RecurrentCellKernels<StorageArray> {
  /** x, once no product is still writing its storage. */
  const settled = (x: TensorInfo<StorageArray>) => (native.sizedStorage(x), x);
  return {
    lstmCell(z, c) {
      if (z.dtype !== 'f32') return lstmCell(settled(z), settled(c));
      const out = native.allocate('f32', 2 * sizeOf(c.shape)) as Float32Array;
      native.addon.lstmCell(native.sizedStorage(z) as Float32Array, native.sizedStorage(c) as Float32Array, c.shape[1], out);
      return out;
    },

    lstmCellGrad(z, c, dy) {
      if (z.dtype !== 'f32') return lstmCellGrad(settled(z), settled(c), settled(dy));
      const out = native.allocate('f32', 5 * sizeOf(c.shape)) as Float32Array;
      native.addon.lstmCellGrad(...([z, c, dy].map(native.sizedStorage) as [Float32Array, Float32Array, Float32Array]), c.shape[1], out);
      return out;
    },

    gruCell(xw, hw, h) {
      if (h.dtype !== 'f32') return gruCell(settled(xw), settled(hw), settled(h));
      const out = native.allocate('f32', sizeOf(h.shape)) as Float32Array;
      native.addon.gruCell(...([xw, hw, h].map(native.sizedStorage) as [Float32Array, Float32Array, Float32Array]), h.shape[1], out);
      return out;
    },

    gruCellGrad(xw, hw, h, dy) {
      if (h.dtype !== 'f32') return gruCellGrad(settled(xw), settled(hw), settled(h), settled(dy));
      const out = native.allocate('f32', 7 * sizeOf(h.shape)) as Float32Array;
      native.addon.gruCellGrad(...([xw, hw, h, dy].map(native.sizedStorage) as [Float32Array, Float32Array, Float32Array, Float32Array]), h.shape[1], out);
      return out;
    },
  };
}
