// One LSTM step after its matrix products: z [B, 4H] (the pre-activations
// of the gates i, f, g, o side by side) and the cell c [B, H] give
//   c' = σ(f)·c + σ(i)·tanh(g),  h' = σ(o)·tanh(c').
// A backend with the lstmCell kernel does it (and its gradient) in one pass
// each; elsewhere it is the dozen elementwise ops it stands for.
import { isFloat } from '../dtype.js';
import { tidy } from '../engine.js';
import { record } from '../tape.js';
import type { Tensor } from '../tensor.js';
import { reshape, slice, split } from './movement.js';
import { computed } from './util.js';

export function lstmCell(z: Tensor, c: Tensor): { h: Tensor; c: Tensor } {
  const [batch, hidden] = c.shape;
  const backend = z.dataRef('lstmCell').backend;
  if (!backend.lstmCell || !backend.lstmCellGrad || z.dtype !== c.dtype || !isFloat(z.dtype) || c.dataRef('lstmCell').backend !== backend) {
    return tidy(() => {
      const [i, f, g, o] = split(z, hidden, 1);
      const next = f.sigmoid().mul(c).add(i.sigmoid().mul(g.tanh()));
      return { h: o.sigmoid().mul(next.tanh()), c: next };
    });
  }
  return tidy(() => {
    const both = computed('lstmCell', backend, [2, batch, hidden], z.dtype, () => backend.lstmCell!(z.info('lstmCell'), c.info('lstmCell')));
    const y = record(both, 'lstmCell', [z, c], [z, c], (dy, [sz, sc]) => {
      const grads = computed('lstmCell', backend, [5 * batch * hidden], sz.dtype, () => backend.lstmCellGrad!(sz.info('lstmCell'), sc.info('lstmCell'), dy.info('lstmCell')));
      return [reshape(slice(grads, [0], [4 * batch * hidden]), [batch, 4 * hidden]), reshape(slice(grads, [4 * batch * hidden]), [batch, hidden])];
    });
    return { h: reshape(slice(y, [0, 0, 0], [1, batch, hidden]), [batch, hidden]), c: reshape(slice(y, [1, 0, 0], [1, batch, hidden]), [batch, hidden]) };
  });
}
