// tm.linalg.multiDot and tm.linalg.vecdot: products that are compositions of
// matmul and of a multiply-and-sum, with torch.linalg's shapes and checks.
import { ShapeError, ValueError, formatShape } from '../../errors.js';
import { tidy } from '../../engine.js';
import { checkOptions, type OptionNames } from '../../options.js';
import { broadcastShapes, normalizeAxis } from '../../shape.js';
import type { Tensor } from '../../tensor.js';
import { mul } from '../elementwise.js';
import { matmul } from '../matmul.js';
import { reshape } from '../movement.js';
import { sum } from '../reduce.js';
import { checkTensor } from '../util.js';

/**
 * The order of multiplication of matrices of sizes dims[0] × dims[1], …,
 * dims[c − 1] × dims[c] that costs the fewest multiply-adds (the textbook
 * dynamic program over split points): split[i][j] is where the product of
 * matrices i…j divides.
 */
function cheapestOrder(dims: readonly number[]): number[][] {
  const c = dims.length - 1;
  const cost = Array.from({ length: c }, () => new Array<number>(c).fill(0));
  const split = Array.from({ length: c }, () => new Array<number>(c).fill(0));
  for (let span = 1; span < c; span++) {
    for (let i = 0; i + span < c; i++) {
      const j = i + span;
      cost[i][j] = Infinity;
      for (let k = i; k < j; k++) {
        const here = cost[i][k] + cost[k + 1][j] + dims[i] * dims[k + 1] * dims[j + 1];
        if (here < cost[i][j]) [cost[i][j], split[i][j]] = [here, k];
      }
    }
  }
  return split;
}

/**
 * The product of two or more matrices (torch.linalg.multi_dot,
 * np.linalg.multi_dot), multiplied in the order that costs the fewest
 * multiply-adds: all 2-D, except that the first may be a vector (a row)
 * and the last a vector (a column), their axis then dropped from the
 * result. Differentiable, as matmul.
 */
export function multiDot(tensors: readonly Tensor[]): Tensor {
  if (!Array.isArray(tensors) || tensors.length < 2) {
    throw new ValueError(`multiDot: needs an array of two or more tensors, got ${Array.isArray(tensors) ? `${tensors.length}` : typeof tensors}`);
  }
  const last = tensors.length - 1;
  tensors.forEach((t, i) => {
    checkTensor('multiDot', t, `tensors[${i}]`);
    const vectorAllowed = i === 0 || i === last;
    if (t.rank !== 2 && !(vectorAllowed && t.rank === 1)) {
      throw new ShapeError(`multiDot: tensors[${i}] ${formatShape(t.shape)} must be a matrix${vectorAllowed ? ' or a vector (the first and last may be)' : ' (only the first and last may be vectors)'}`);
    }
  });
  return tidy(() => {
    const first = tensors[0].rank === 1;
    const lastIsVector = tensors[last].rank === 1;
    const matrices = tensors.map((t, i) => (t.rank === 2 ? t : reshape(t, i === 0 ? [1, t.shape[0]] : [t.shape[0], 1])));
    for (let i = 0; i < last; i++) {
      const [a, b] = [matrices[i], matrices[i + 1]];
      if (a.shape[1] !== b.shape[0]) {
        throw new ShapeError(`multiDot: tensors[${i}] ${formatShape(tensors[i].shape)} and tensors[${i + 1}] ${formatShape(tensors[i + 1].shape)} do not chain: ${a.shape[1]} columns against ${b.shape[0]} rows`);
      }
    }
    const split = cheapestOrder([matrices[0].shape[0], ...matrices.map((m) => m.shape[1])]);
    const product = (i: number, j: number): Tensor => (i === j ? matrices[i] : matmul(product(i, split[i][j]), product(split[i][j] + 1, j)));
    const out = product(0, last);
    const shape = [...(first ? [] : [out.shape[0]]), ...(lastIsVector ? [] : [out.shape[1]])];
    return reshape(out, shape);
  });
}

/** vecdot's options. */
export interface VecdotOptions {
  /** The axis the products are summed along (default −1, the last). */
  axis?: number;
}

const VECDOT_OPTIONS: OptionNames<VecdotOptions> = { axis: true };

/**
 * Σ x·y along `axis` (torch.linalg.vecdot, np.vecdot for real values): the
 * dot products of the vectors that x and y hold along that axis, their
 * other axes broadcasting, in the dtype the two promote to.
 * Differentiable in both.
 */
export function vecdot(x: Tensor, y: Tensor, options: VecdotOptions = {}): Tensor {
  checkTensor('vecdot', x, 'x');
  checkTensor('vecdot', y, 'y');
  const { axis: given = -1 } = checkOptions('vecdot', options, VECDOT_OPTIONS);
  const shape = broadcastShapes('vecdot', x.shape, y.shape);
  if (shape.length === 0) throw new ShapeError('vecdot: x and y are scalars: there is no axis to take dot products along');
  const axis = normalizeAxis('vecdot', given, shape.length);
  return tidy(() => sum(mul(x, y), axis));
}
