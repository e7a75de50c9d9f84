// One LSTM step after its matrix products: z [B, 4H] (the pre-activations
// of the gates i, f, g, o side by side) and the cell c [B, H] give
//   c' = σ(f)·c + σ(i)·tanh(g),  h' = σ(o)·tanh(c').
// A backend with the lstmCell kernel (backends/recurrent_cells.ts) does it (and its gradient) in one pass
// each; elsewhere it is the dozen elementwise ops it stands for.
import { isFloat } from '../dtype.js';
import { tidy } from '../engine.js';
import { ShapeError, formatShape } from '../errors.js';
import { sameShape } from '../shape.js';
import { isGradEnabled, record } from '../tape.js';
import type { Tensor } from '../tensor.js';
import { concat, reshape, slice, split } from './movement.js';
import { computed } from './util.js';
import { recurrentCellsOf } from '../backends/recurrent_cells.js';

/** h' and c' of one LSTM step from z [B, 4H] (gates i, f, g, o) and c [B, H]. */
export function lstmCell(z: Tensor, c: Tensor): { h: Tensor; c: Tensor } {
  const [batch, hidden] = c.shape;
  if (c.shape.length !== 2 || !sameShape(z.shape, [batch, 4 * hidden])) {
    throw new ShapeError(`lstmCell: z must be [batch, 4·hidden] for c [batch, hidden], got z ${formatShape(z.shape)} and c ${formatShape(c.shape)}`);
  }
  const backend = z.dataRef('lstmCell').backend;
  const cells = recurrentCellsOf(backend);
  if (!cells.lstmCell || !cells.lstmCellGrad || z.dtype !== c.dtype || !isFloat(z.dtype) || c.dataRef('lstmCell').backend !== backend) {
    return tidy(() => {
      const [i, f, g, o] = split(z, hidden, 1);
      const next = f.sigmoid().mul(c).add(i.sigmoid().mul(g.tanh()));
      return { h: o.sigmoid().mul(next.tanh()), c: next };
    });
  }
  return tidy(() => {
    const both = computed('lstmCell', backend, [2, batch, hidden], z.dtype, () => cells.lstmCell!(z.info('lstmCell'), c.info('lstmCell')));
    const y = record(both, 'lstmCell', [z, c], [z, c], (dy, [sz, sc]) => {
      // The kernel's gradient has no gradient of its own: a backward pass that records (createGraph) takes the ops.
      if (isGradEnabled()) return gradientsByOps(sz, sc, dy);
      const grads = computed('lstmCell', backend, [5 * batch * hidden], sz.dtype, () => cells.lstmCellGrad!(sz.info('lstmCell'), sc.info('lstmCell'), dy.info('lstmCell')));
      return [reshape(slice(grads, [0], [4 * batch * hidden]), [batch, 4 * hidden]), reshape(slice(grads, [4 * batch * hidden]), [batch, hidden])];
    });
    return { h: reshape(slice(y, [0, 0, 0], [1, batch, hidden]), [batch, hidden]), c: reshape(slice(y, [1, 0, 0], [1, batch, hidden]), [batch, hidden]) };
  });
}

/** The kernel's gradients of z and c given dy [2, B, H] (h's, then c''s), as ops: what a recorded backward pass differentiates. */
function gradientsByOps(z: Tensor, c: Tensor, dy: Tensor): Tensor[] {
  const [batch, hidden] = c.shape;
  const [zi, zf, zg, zo] = split(z, hidden, 1);
  const [i, f, g, o] = [zi.sigmoid(), zf.sigmoid(), zg.tanh(), zo.sigmoid()];
  const t = f.mul(c).add(i.mul(g)).tanh();
  const dh = reshape(slice(dy, [0, 0, 0], [1, batch, hidden]), [batch, hidden]);
  // c' feeds h' through tanh as well as the next step directly.
  const dc = reshape(slice(dy, [1, 0, 0], [1, batch, hidden]), [batch, hidden]).add(dh.mul(o).mul(t.square().neg().add(1)));
  const dz = concat([
    dc.mul(g).mul(i).mul(i.neg().add(1)),
    dc.mul(c).mul(f).mul(f.neg().add(1)),
    dc.mul(i).mul(g.square().neg().add(1)),
    dh.mul(t).mul(o).mul(o.neg().add(1)),
  ], 1);
  return [dz, dc.mul(f)];
}
