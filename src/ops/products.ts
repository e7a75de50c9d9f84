// Products that arrange their factors' entries: the Kronecker product
// (np.kron), the cross product of 3-vectors (np.cross, torch.linalg.cross),
// block-diagonal matrices (torch.block_diag) and the cartesian product of
// vectors (torch.cartesian_prod) and a vector's combinations
// (torch.combinations). Each a broadcast multiply, a concatenation or a
// gather, so gradients come from those.
import { tidy } from '../engine.js';
import { DTypeError, ShapeError, ValueError, formatShape } from '../errors.js';
import { checkOptions, type OptionNames } from '../options.js';
import { normalizeAxis } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { mul, sub } from './elementwise.js';
import { tensor } from './creation.js';
import { broadcastTo, concat, gather, pad, reshape, stack } from './movement.js';
import { along } from './indexing.js';
import { checkTensor, onBackendOf } from './util.js';

/**
 * The Kronecker product (np.kron): the shapes lined up from the right (the
 * shorter padded with 1s in front), out[i·bShape + j] = a[i]·b[j] along
 * every axis, so out has shape aShape · bShape.
 */
export function kron(a: Tensor, b: Tensor): Tensor {
  checkTensor('kron', a, 'a');
  checkTensor('kron', b, 'b');
  const rank = Math.max(a.rank, b.rank);
  const aShape = [...new Array<number>(rank - a.rank).fill(1), ...a.shape];
  const bShape = [...new Array<number>(rank - b.rank).fill(1), ...b.shape];
  return tidy(() => {
    // a as [a0, 1, a1, 1, …] times b as [1, b0, 1, b1, …]: each a entry scales a whole copy of b.
    const spreadA = reshape(a, aShape.flatMap((d) => [d, 1]));
    const spreadB = reshape(b, bShape.flatMap((d) => [1, d]));
    return reshape(mul(spreadA, spreadB), aShape.map((d, i) => d * bShape[i]));
  });
}

export interface CrossOptions {
  /** The axis holding the 3-vectors; default -1. */
  axis?: number;
}

const CROSS_OPTIONS: OptionNames<CrossOptions> = { axis: true };

/** a × b for 3-vectors along `axis` (np.cross, torch.linalg.cross), a and b broadcast against each other. */
export function cross(a: Tensor, b: Tensor, options: CrossOptions = {}): Tensor {
  const { axis = -1 } = checkOptions('cross', options, CROSS_OPTIONS);
  checkTensor('cross', a, 'a');
  checkTensor('cross', b, 'b');
  if (a.rank !== b.rank) throw new ShapeError(`cross: a ${formatShape(a.shape)} and b ${formatShape(b.shape)} must have one rank (expand one first)`);
  const k = normalizeAxis('cross', axis, a.rank);
  if (a.shape[k] !== 3 || b.shape[k] !== 3) {
    throw new ShapeError(`cross: a ${formatShape(a.shape)} and b ${formatShape(b.shape)} must hold 3-vectors along axis ${axis}`);
  }
  const part = (t: Tensor, i: number) => along(t, k, i, 1);
  return tidy(() => {
    const [a0, a1, a2, b0, b1, b2] = [part(a, 0), part(a, 1), part(a, 2), part(b, 0), part(b, 1), part(b, 2)];
    return concat([sub(mul(a1, b2), mul(a2, b1)), sub(mul(a2, b0), mul(a0, b2)), sub(mul(a0, b1), mul(a1, b0))], k);
  });
}

/**
 * The matrices (a scalar as [1, 1], a vector as one row) along the diagonal
 * of one matrix, zeros elsewhere (torch.block_diag, scipy.linalg.block_diag).
 * All of one dtype.
 */
export function blockDiag(tensors: readonly Tensor[]): Tensor {
  if (!Array.isArray(tensors) || !tensors.length) throw new ValueError('blockDiag: needs a non-empty array of tensors');
  tensors.forEach((t, i) => {
    checkTensor('blockDiag', t, `tensors[${i}]`);
    if (t.rank > 2) throw new ShapeError(`blockDiag: tensors[${i}] ${formatShape(t.shape)} has more than two axes`);
    if (t.dtype !== tensors[0].dtype) throw new DTypeError(`blockDiag: tensors[${i}] is ${t.dtype}, tensors[0] ${tensors[0].dtype}; they must match`);
  });
  const blocks = tensors.map((t) => (t.rank === 2 ? t.shape : t.rank === 1 ? [1, t.shape[0]] : [1, 1]));
  const width = blocks.reduce((w, [, c]) => w + c, 0);
  return tidy(() => {
    let left = 0;
    const rows = tensors.map((t, i) => {
      const [r, c] = blocks[i];
      const block = reshape(t, [r, c]);
      const padded = pad(block, [[0, 0], [left, width - left - c]]);
      left += c;
      return padded;
    });
    return concat(rows, 0);
  });
}

/**
 * Every combination of one entry of each vector, in order, the last varying
 * fastest (torch.cartesian_prod, itertools.product): [n0·n1·…, k] for k
 * vectors; one vector comes back as itself (a view).
 */
export function cartesianProd(tensors: readonly Tensor[]): Tensor {
  if (!Array.isArray(tensors) || !tensors.length) throw new ValueError('cartesianProd: needs a non-empty array of vectors');
  tensors.forEach((t, i) => {
    checkTensor('cartesianProd', t, `tensors[${i}]`);
    if (t.rank !== 1) throw new ShapeError(`cartesianProd: tensors[${i}] ${formatShape(t.shape)} is not a vector`);
    if (t.dtype !== tensors[0].dtype) throw new DTypeError(`cartesianProd: tensors[${i}] is ${t.dtype}, tensors[0] ${tensors[0].dtype}; they must match`);
  });
  const sizes = tensors.map((t) => t.shape[0]);
  const count = sizes.reduce((n, s) => n * s, 1);
  return tidy(() => {
    if (tensors.length === 1) return reshape(tensors[0], [count]);
    const columns = tensors.map((t, i) => reshape(broadcastTo(reshape(t, sizes.map((s, d) => (d === i ? s : 1))), sizes), [count]));
    return stack(columns, 1);
  });
}

export interface CombinationsOptions {
  /** How many entries a combination has (default 2). */
  r?: number;
  /** Let an entry repeat within a combination (itertools.combinations_with_replacement; default false). */
  withReplacement?: boolean;
}

const COMBINATIONS_OPTIONS: OptionNames<CombinationsOptions> = { r: true, withReplacement: 'boolean' };

/**
 * The combinations of r entries of a vector, in lexicographic order of
 * their positions (torch.combinations, itertools.combinations): [C, r],
 * empty ([0, r]) where there are none (r of 0, or more than the vector's
 * length without replacement). One gather, so with its gradient.
 */
export function combinations(x: Tensor, options: CombinationsOptions = {}): Tensor {
  checkTensor('combinations', x);
  const { r = 2, withReplacement = false } = checkOptions('combinations', options, COMBINATIONS_OPTIONS);
  if (!Number.isSafeInteger(r) || r < 0) throw new ValueError(`combinations: r must be a non-negative integer, got ${r}`);
  if (x.rank !== 1) throw new ShapeError(`combinations: x ${formatShape(x.shape)} is not a vector`);
  const n = x.shape[0];
  const picks: number[] = [];
  const current: number[] = [];
  const walk = (from: number): void => {
    if (current.length === r) {
      picks.push(...current);
      return;
    }
    for (let i = from; i < n; i++) {
      current.push(i);
      walk(withReplacement ? i : i + 1);
      current.pop();
    }
  };
  if (r > 0) walk(0);
  const count = r === 0 ? 0 : picks.length / r;
  return tidy(() => {
    if (count === 0) return reshape(along(x, 0, 0, 0), [0, r]);
    return reshape(gather(x, onBackendOf('combinations', x, () => tensor(Int32Array.from(picks))), 0), [count, r]);
  });
}
