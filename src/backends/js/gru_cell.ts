// gruCell and its gradient on the js backend (the contract in kernels.ts),
// in float64, rounded once on store.
import type { StorageArray } from '../../dtype.js';
import { output, valuesOf, type Js } from './values.js';

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

/** The gates of row b, unit j: r, z, n activated, and hn (which r scales). */
function gates(xw: ArrayLike<number>, hw: ArrayLike<number>, hidden: number, b: number, j: number): [number, number, number, number] {
  const at = b * 3 * hidden + j;
  const r = sigmoid(xw[at] + hw[at]);
  const hn = hw[at + 2 * hidden];
  return [r, sigmoid(xw[at + hidden] + hw[at + hidden]), Math.tanh(xw[at + 2 * hidden] + r * hn), hn];
}

export function gruCell(xw: Js, hw: Js, h: Js): StorageArray {
  const [batch, hidden] = h.shape;
  const [xv, hv, pv] = [valuesOf(xw), valuesOf(hw), valuesOf(h)];
  const result = output(h.dtype, batch * hidden);
  const out = result.values;
  for (let b = 0; b < batch; b++) {
    for (let j = 0; j < hidden; j++) {
      const [, z, n] = gates(xv, hv, hidden, b, j);
      out[b * hidden + j] = n + z * (pv[b * hidden + j] - n);
    }
  }
  return result.finish();
}

export function gruCellGrad(xw: Js, hw: Js, h: Js, dy: Js): StorageArray {
  const [batch, hidden] = h.shape;
  const [xv, hv, pv, dv] = [valuesOf(xw), valuesOf(hw), valuesOf(h), valuesOf(dy)];
  const result = output(h.dtype, 7 * batch * hidden);
  const out = result.values;
  const [dhwAt, dhAt] = [3 * batch * hidden, 6 * batch * hidden];
  for (let b = 0; b < batch; b++) {
    for (let j = 0; j < hidden; j++) {
      const [r, z, n, hn] = gates(xv, hv, hidden, b, j);
      const d = dv[b * hidden + j];
      // The gradients of the pre-activations, the same on the input and hidden sides but for n's (r scales hn).
      const dn = d * (1 - z) * (1 - n * n);
      const dr = dn * hn * r * (1 - r);
      const dz = d * (pv[b * hidden + j] - n) * z * (1 - z);
      const at = b * 3 * hidden + j;
      out[at] = out[dhwAt + at] = dr;
      out[at + hidden] = out[dhwAt + at + hidden] = dz;
      out[at + 2 * hidden] = dn;
      out[dhwAt + at + 2 * hidden] = dn * r;
      out[dhAt + b * hidden + j] = d * z;
    }
  }
  return result.finish();
}
