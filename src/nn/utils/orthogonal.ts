// Orthogonal weights (PyTorch's torch.nn.utils.parametrizations.orthogonal):
// a weight kept orthogonal through training by computing it from an
// unconstrained parameter X. X's strictly lower triangle, less its
// transpose, is a skew-symmetric A, whose exponential (or Cayley transform)
// is orthogonal; the weight is the first columns of base·Q(A), base the
// orthogonal matrix the weight started from (PyTorch's "trivialization": X
// starts at 0, so the weight starts as the original's orthogonalisation, and
// the optimizer moves in the tangent space there).
//
// A weight of n × k orthogonalises its longer side's way: orthonormal
// columns (WᵀW = I) where n ≥ k, orthonormal rows (W·Wᵀ = I) otherwise,
// worked out on Wᵀ. Axes before the last two are a batch of matrices.
import { keep, tidy } from '../../engine.js';
import { ValueError, formatValue } from '../../errors.js';
import * as ops from '../../ops/index.js';
import { checkOptions, type OptionNames } from '../../options.js';
import { checkSeed } from '../../random.js';
import { noGrad } from '../../tape.js';
import type { Tensor } from '../../tensor.js';
import type { Module } from '../module.js';
import { parameterToReparametrize, reparametrize, unreparametrize } from './reparametrize.js';

/** How A's orthogonal matrix is made: its exponential, or its Cayley transform (I − A/2)⁻¹(I + A/2), one solve. */
export type OrthogonalMap = 'matrixExp' | 'cayley';

export interface OrthogonalOptions<N extends string = 'weight'> {
  /** The parameter to reparametrize. Default 'weight'. */
  name?: N;
  /**
   * Default 'matrixExp' (PyTorch's for square weights; for rectangular real
   * ones PyTorch defaults to Householder reflections, which tmnn does not
   * have). On webgpu each forward runs matrixExp's maxSquarings products of
   * the N × N matrix (see matrixExp); 'cayley' is one solve.
   */
  map?: OrthogonalMap;
  /** Seed for the random columns that complete a rectangular weight's base to a square orthogonal matrix (see also tm.setSeed). */
  seed?: number;
}

const ORTHOGONAL_OPTIONS: OptionNames<OrthogonalOptions<string>> = { name: true, map: true, seed: true };
const MAPS: readonly OrthogonalMap[] = ['matrixExp', 'cayley'];

/** A layer after orthogonal: the unconstrained parameter in the weight's place, and the base as a buffer. */
export type Orthogonalized<L extends Module, N extends string = 'weight'> = L & { [K in `${N}Original` | `${N}Base`]: Tensor };

/** t with its last two axes swapped. */
const swapped = (t: Tensor) => ops.swapaxes(t, -1, -2);

/** Q·diag(sign(diag R)) of t's reduced QR: orthonormal columns spanning t's, the diagonal of R made positive (unique for a full-rank t). */
function orthonormalColumns(t: Tensor): Tensor {
  const { q, r } = ops.linalg.qr(t);
  const signs = ops.diagonal(r, { axis1: -2, axis2: -1 }).sign();
  return q.mul(ops.where(signs.equal(0), 1, signs).expandDims(-2));
}

/** (I − A/2)⁻¹(I + A/2) for A [..., n, n]. */
function cayley(a: Tensor, n: number): Tensor {
  const half = a.mul(0.5);
  const identity = ops.eye(n, { dtype: a.dtype });
  return ops.linalg.solve(identity.sub(half), identity.add(half));
}

/**
 * Reparametrizes the parameter `name` (default 'weight', at least 2-D) of
 * `layer` as an orthogonal weight (see the file's head): the layer's
 * parameter becomes `weightOriginal` (the former weight tensor, set to 0)
 * and its buffer `weightBase` [..., N, N] (N the longer side), the weight's
 * orthogonalisation completed to a square orthogonal matrix. `layer.weight`
 * is computed again before every forward, so gradients reach
 * weightOriginal, and stays orthogonal however the optimizer moves it.
 * Apply it before making the optimizer. Returns the layer;
 * removeOrthogonal undoes it. (PyTorch's state_dict names for it,
 * parametrizations.weight.original and .base, are not read by loadPytorch.)
 */
export function orthogonal<L extends Module, N extends string = 'weight'>(layer: L, options: OrthogonalOptions<N> = {}): Orthogonalized<L, N> {
  const { name = 'weight', map = 'matrixExp', seed } = checkOptions<OrthogonalOptions<string>>('orthogonal', options, ORTHOGONAL_OPTIONS);
  if (!MAPS.includes(map)) throw new ValueError(`orthogonal: map must be 'matrixExp' or 'cayley', got ${formatValue(map)}`);
  if (seed !== undefined) checkSeed('orthogonal', seed);
  const { weight } = parameterToReparametrize('orthogonal', layer, name);
  if (weight.rank < 2) throw new ValueError(`orthogonal: ${name} of ${layer.constructor.name} has shape [${weight.shape}]; an orthogonal weight is a matrix (or a batch of them)`);
  const [n, k] = weight.shape.slice(-2);
  const wide = n < k;
  const [long, short] = wide ? [k, n] : [n, k];
  const base = keep(noGrad(() => tidy(() => {
    const columns = orthonormalColumns(wide ? swapped(weight) : weight);
    if (long === short) return columns;
    // The rest of an orthonormal basis: random columns appended, and the whole orthonormalised (the first k unchanged).
    const extra = ops.randn([...weight.shape.slice(0, -2), long, long - short], { seed, dtype: weight.dtype });
    return orthonormalColumns(ops.concat([columns, extra], -1));
  })));
  noGrad(() => weight.assign(tidy(() => ops.zerosLike(weight))));
  reparametrize(layer, name, {
    kind: 'orthogonal',
    parameters: { [`${name}Original`]: weight },
    buffers: { [`${name}Base`]: base },
    pytorchSuffixes: {},
    original: weight,
    compute: () => {
      const x = wide ? swapped(weight) : weight;
      // A = tril₋₁(X), padded to square, less its transpose: skew-symmetric.
      const lower = ops.tril(long === short ? x : ops.pad(x, [...x.shape.slice(0, -1).map(() => [0, 0] as const), [0, long - short]]), -1);
      const a = lower.sub(swapped(lower));
      const q = map === 'matrixExp' ? ops.linalg.matrixExp(a) : cayley(a, long);
      const product = base.matmul(q);
      const columns = long === short ? product : ops.slice(product, product.shape.map(() => 0), [...product.shape.slice(0, -1), short]);
      return wide ? swapped(columns) : columns;
    },
  });
  return layer as Orthogonalized<L, N>;
}

/**
 * Takes orthogonal off the parameter `name` (default 'weight') of `layer`:
 * the weight as now computed becomes a plain parameter again (the tensor
 * that was weightOriginal, which the optimizer must be given anew); the
 * base is freed.
 */
export function removeOrthogonal<L extends Module>(layer: L, name = 'weight'): L {
  unreparametrize('removeOrthogonal', 'orthogonal', layer, name);
  return layer;
}
