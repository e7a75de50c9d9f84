// lstmCell and its gradient on the js backend (the contract in kernels.ts),
// in float64, rounded once on store.
import type { StorageArray } from '../../dtype.js';
import { output, valuesOf, type Js } from './values.js';

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

/** The gates of row b, unit j: i, f, g, o activated. */
function gates(z: ArrayLike<number>, hidden: number, b: number, j: number): [number, number, number, number] {
  const at = b * 4 * hidden + j;
  return [sigmoid(z[at]), sigmoid(z[at + hidden]), Math.tanh(z[at + 2 * hidden]), sigmoid(z[at + 3 * hidden])];
}

export function lstmCell(z: Js, c: Js): StorageArray {
  const [batch, hidden] = c.shape;
  const [zv, cv] = [valuesOf(z), valuesOf(c)];
  const result = output(z.dtype, 2 * batch * hidden);
  const out = result.values;
  for (let b = 0; b < batch; b++) {
    for (let j = 0; j < hidden; j++) {
      const [i, f, g, o] = gates(zv, hidden, b, j);
      const next = f * cv[b * hidden + j] + i * g;
      out[b * hidden + j] = o * Math.tanh(next);
      out[(batch + b) * hidden + j] = next;
    }
  }
  return result.finish();
}

export function lstmCellGrad(z: Js, c: Js, dy: Js): StorageArray {
  const [batch, hidden] = c.shape;
  const [zv, cv, dv] = [valuesOf(z), valuesOf(c), valuesOf(dy)];
  const result = output(z.dtype, 5 * batch * hidden);
  const out = result.values;
  const dcAt = 4 * batch * hidden;
  for (let b = 0; b < batch; b++) {
    for (let j = 0; j < hidden; j++) {
      const [i, f, g, o] = gates(zv, hidden, b, j);
      const previous = cv[b * hidden + j];
      const t = Math.tanh(f * previous + i * g);
      const dh = dv[b * hidden + j];
      // c' feeds h' through tanh as well as the next step directly.
      const dc = dv[(batch + b) * hidden + j] + dh * o * (1 - t * t);
      const at = b * 4 * hidden + j;
      out[at] = dc * g * i * (1 - i);
      out[at + hidden] = dc * previous * f * (1 - f);
      out[at + 2 * hidden] = dc * i * (1 - g * g);
      out[at + 3 * hidden] = dh * t * o * (1 - o);
      out[dcAt + b * hidden + j] = dc * f;
    }
  }
  return result.finish();
}
