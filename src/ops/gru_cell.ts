// One GRU step after its matrix products, PyTorch's: the input side
// xw = x·Wih + bih and the hidden side hw = h·Whh + bhh (each [B, 3H], the
// gates r, z, n side by side) and the state h [B, H] give
//   r = σ(xr + hr),  z = σ(xz + hz),  n = tanh(xn + r·hn),  h' = (1 − z)·n + z·h.
// The products come in apart because the reset gate scales hn alone. A
// backend with the gruCell kernel (backends/recurrent_cells.ts) does the step (and its gradient) in one
// pass each; elsewhere it is the dozen elementwise ops it stands for.
import { isFloat } from '../dtype.js';
import { tidy } from '../engine.js';
import { ShapeError, formatShape } from '../errors.js';
import { sameShape } from '../shape.js';
import { isGradEnabled, record } from '../tape.js';
import type { Tensor } from '../tensor.js';
import { concat, reshape, slice, split } from './movement.js';
import { computed } from './util.js';
import { recurrentCellsOf } from '../backends/recurrent_cells.js';

/** h' of one GRU step from xw and hw [B, 3H] (gates r, z, n) and h [B, H]. */
export function gruCell(xw: Tensor, hw: Tensor, h: Tensor): Tensor {
  const [batch, hidden] = h.shape;
  const gates = [batch, 3 * hidden];
  if (h.shape.length !== 2 || !sameShape(xw.shape, gates) || !sameShape(hw.shape, gates)) {
    throw new ShapeError(`gruCell: xw and hw must be [batch, 3·hidden] for h [batch, hidden], got xw ${formatShape(xw.shape)}, hw ${formatShape(hw.shape)} and h ${formatShape(h.shape)}`);
  }
  const backend = h.dataRef('gruCell').backend;
  const cells = recurrentCellsOf(backend);
  const fused = cells.gruCell && cells.gruCellGrad && isFloat(h.dtype) && xw.dtype === h.dtype && hw.dtype === h.dtype
    && xw.dataRef('gruCell').backend === backend && hw.dataRef('gruCell').backend === backend;
  if (!fused) return tidy(() => composed(xw, hw, h));
  const n = batch * hidden;
  return tidy(() => {
    const next = computed('gruCell', backend, [batch, hidden], h.dtype, () => cells.gruCell!(xw.info('gruCell'), hw.info('gruCell'), h.info('gruCell')));
    return record(next, 'gruCell', [xw, hw, h], [xw, hw, h], (dy, [sx, sh, sp]) => {
      // The kernel's gradient has no gradient of its own: a backward pass that records (createGraph) takes the ops.
      if (isGradEnabled()) return gradientsByOps(sx, sh, sp, dy);
      const grads = computed('gruCell', backend, [7 * n], sp.dtype, () => cells.gruCellGrad!(sx.info('gruCell'), sh.info('gruCell'), sp.info('gruCell'), dy.info('gruCell')));
      return [
        reshape(slice(grads, [0], [3 * n]), gates),
        reshape(slice(grads, [3 * n], [3 * n]), gates),
        reshape(slice(grads, [6 * n]), [batch, hidden]),
      ];
    });
  });
}

/** The step as elementwise ops. */
function composed(xw: Tensor, hw: Tensor, h: Tensor): Tensor {
  const hidden = h.shape[1];
  const [xrz, xn] = split(xw, [2 * hidden, hidden], 1);
  const [hrz, hn] = split(hw, [2 * hidden, hidden], 1);
  const [r, z] = split(xrz.add(hrz).sigmoid(), hidden, 1);
  const n = xn.add(r.mul(hn)).tanh();
  return n.add(z.mul(h.sub(n)));
}

/** The kernel's gradients of xw, hw and h given dy [B, H], as ops: what a recorded backward pass differentiates. */
function gradientsByOps(xw: Tensor, hw: Tensor, h: Tensor, dy: Tensor): Tensor[] {
  const hidden = h.shape[1];
  const [xr, xz, xn] = split(xw, hidden, 1);
  const [hr, hz, hn] = split(hw, hidden, 1);
  const [r, z] = [xr.add(hr).sigmoid(), xz.add(hz).sigmoid()];
  const n = xn.add(r.mul(hn)).tanh();
  const dn = dy.mul(z.neg().add(1)).mul(n.square().neg().add(1));
  const drz = concat([dn.mul(hn).mul(r).mul(r.neg().add(1)), dy.mul(h.sub(n)).mul(z).mul(z.neg().add(1))], 1);
  return [concat([drz, dn], 1), concat([drz, dn.mul(r)], 1), dy.mul(z)];
}
