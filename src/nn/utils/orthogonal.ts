// Orthogonal weights (PyTorch's torch.nn.utils.parametrizations.orthogonal):
// a weight kept orthogonal through training by computing it from an
// unconstrained parameter X, by one of three maps:
// - 'matrixExp' and 'cayley': X's strictly lower triangle, less its
//   transpose, is a skew-symmetric A, whose exponential (or Cayley
//   transform) is orthogonal;
// - 'householder': X's columns below the diagonal are Householder vectors,
//   τᵢ = 2/‖vᵢ‖² (so each Hᵢ is a reflection), and the weight is their
//   product's first columns, signed by X's diagonal (±1, never trained).
// The weight is then base·Q, base the orthogonal matrix the weight started
// from (PyTorch's "trivialization": X starts at −I, where Q is I, so the
// weight starts as the original's orthogonalisation, and the optimizer moves
// in the tangent space there).
//
// Everything is worked out on the matrix PyTorch would see (a Dense's
// weight transposed), so that its state_dict (parametrizations.weight
// .original and .0.base) loads as it is. A matrix of n × k orthogonalises
// its longer side's way: orthonormal columns (WᵀW = I) where n ≥ k,
// orthonormal rows (W·Wᵀ = I) otherwise, worked out on Wᵀ. Axes before the
// last two are a batch of matrices.
import { keep, tidy } from '../../engine.js';
import { ValueError, formatValue } from '../../errors.js';
import * as ops from '../../ops/index.js';
import { checkOptions, type OptionNames } from '../../options.js';
import { checkSeed } from '../../random.js';
import { noGrad } from '../../tape.js';
import type { Tensor } from '../../tensor.js';
import type { Module } from '../module.js';
import { transposedInPytorch } from '../pytorch_layout.js';
import { parameterToReparametrize, parametrized, reparametrize, unreparametrize, type PytorchName } from './reparametrize.js';

/** How X's orthogonal matrix is made: the exponential of its skew-symmetric part, its Cayley transform (I − A/2)⁻¹(I + A/2) (one solve), or Householder reflections. */
export type OrthogonalMap = 'matrixExp' | 'cayley' | 'householder';

export interface OrthogonalOptions<N extends string = 'weight'> {
  /** The parameter to reparametrize. Default 'weight'. */
  name?: N;
  /**
   * Default PyTorch's: 'matrixExp' for a square weight, 'householder' for a
   * rectangular one. On webgpu each 'matrixExp' forward runs matrixExp's
   * maxSquarings products of the N × N matrix (see matrixExp); 'cayley' is
   * one solve, 'householder' one k × k solve and products of N × k.
   */
  map?: OrthogonalMap;
  /** Seed for the random columns that complete a rectangular weight's base to a square orthogonal matrix (see also tm.setSeed). */
  seed?: number;
}

const ORTHOGONAL_OPTIONS: OptionNames<OrthogonalOptions<string>> = { name: true, map: true, seed: true };
const MAPS: readonly OrthogonalMap[] = ['matrixExp', 'cayley', 'householder'];

/** A layer after orthogonal: the unconstrained parameter in the weight's place, and the base as a buffer. */
export type Orthogonalized<L extends Module, N extends string = 'weight'> = L & { [K in `${N}Original` | `${N}Base`]: Tensor };

/** parametrizations.weight.`field`, laid out as the weight or as it stands. */
const inParametrization = (field: string, asWeight: boolean): PytorchName => ({ names: (weight) => [parametrized(weight, field)], asWeight });

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

/** Q [..., long, short] from a tall X [..., long, short] by `map`: orthonormal columns, I where X is −I. */
function orthonormalFrom(x: Tensor, map: OrthogonalMap): Tensor {
  const [long, short] = x.shape.slice(-2);
  if (map === 'householder') {
    const vectors = ops.tril(x, -1);
    const tau = ops.div(2, vectors.square().sum(-2).add(1));
    // The diagonal's signs carry no gradient: it stays the ±1 it was set to. PyTorch truncates it to an int instead:
    // the same on ±1, but weight decay moves it (AdamW: −1 → −0.999), which truncation makes a zero column; sign keeps
    // the weight orthogonal. So a PyTorch model trained that way (its columns zeroed) loads but is not reproduced.
    const signs = ops.diagonal(x, { axis1: -2, axis2: -1 }).sign().expandDims(-2);
    return ops.linalg.householderProduct(vectors, tau).mul(signs);
  }
  // A = tril₋₁(X), padded to square, less its transpose: skew-symmetric.
  const lower = ops.tril(long === short ? x : ops.pad(x, [...x.shape.slice(0, -1).map(() => [0, 0] as const), [0, long - short]]), -1);
  const a = lower.sub(swapped(lower));
  const q = map === 'matrixExp' ? ops.linalg.matrixExp(a) : cayley(a, long);
  return long === short ? q : ops.slice(q, q.shape.map(() => 0), [...q.shape.slice(0, -1), short]);
}

/**
 * Reparametrizes the parameter `name` (default 'weight', at least 2-D) of
 * `layer` as an orthogonal weight (see the file's head): the layer's
 * parameter becomes `weightOriginal` (the former weight tensor, set to −I)
 * and its buffer `weightBase` [..., N, N] (N the longer side), the weight's
 * orthogonalisation completed to a square orthogonal matrix. `layer.weight`
 * is computed again before every forward, so gradients reach
 * weightOriginal, and stays orthogonal however the optimizer moves it.
 * Apply it before making the optimizer. Returns the layer;
 * removeOrthogonal undoes it. loadPytorch reads PyTorch's state_dict names
 * for it (parametrizations.weight.original and parametrizations.weight.0
 * .base); the map is not in the file: give the one PyTorch used. (PyTorch 1.13's
 * RNN, LSTM and GRU ignore a parametrization of their weights, pytorch#65688;
 * tmnn's recurrent layers use the orthogonal weight, so such an export
 * loads but computes differently. Their cells, and other layers, match.)
 */
export function orthogonal<L extends Module, N extends string = 'weight'>(layer: L, options: OrthogonalOptions<N> = {}): Orthogonalized<L, N> {
  const { name = 'weight', map: chosen, seed } = checkOptions<OrthogonalOptions<string>>('orthogonal', options, ORTHOGONAL_OPTIONS);
  if (chosen !== undefined && !MAPS.includes(chosen)) throw new ValueError(`orthogonal: map must be 'matrixExp', 'cayley' or 'householder', got ${formatValue(chosen)}`);
  if (seed !== undefined) checkSeed('orthogonal', seed);
  const { weight } = parameterToReparametrize('orthogonal', layer, name);
  if (weight.rank < 2) throw new ValueError(`orthogonal: ${name} of ${layer.constructor.name} has shape [${weight.shape}]; an orthogonal weight is a matrix (or a batch of them)`);
  // PyTorch's matrix is n × k; the tall one worked on is long × short, and `tall` turns the weight into it and back.
  const transposed = transposedInPytorch(layer, name);
  const [n, k] = transposed ? weight.shape.slice(-2).reverse() : weight.shape.slice(-2);
  const tall = (t: Tensor) => (transposed !== n < k ? swapped(t) : t);
  const [long, short] = n < k ? [k, n] : [n, k];
  const map = chosen ?? (n === k ? 'matrixExp' : 'householder');
  const base = keep(noGrad(() => tidy(() => {
    const columns = orthonormalColumns(tall(weight));
    if (long === short) return columns;
    // The rest of an orthonormal basis: random columns appended, and the whole orthonormalised (the first k unchanged).
    const extra = ops.randn([...weight.shape.slice(0, -2), long, long - short], { seed, dtype: weight.dtype });
    return orthonormalColumns(ops.concat([columns, extra], -1));
  })));
  const [rows, cols] = weight.shape.slice(-2);
  // In a tidy, which frees the −I tensor once the weight holds its storage.
  noGrad(() => tidy(() => {
    weight.assign(ops.broadcastTo(ops.sub(0, ops.eye(rows, cols, { dtype: weight.dtype })), weight.shape));
  }));
  reparametrize(layer, name, {
    kind: 'orthogonal',
    parameters: { [`${name}Original`]: weight },
    buffers: { [`${name}Base`]: base },
    pytorchNames: { [`${name}Original`]: inParametrization('original', true), [`${name}Base`]: inParametrization('0.base', false) },
    original: weight,
    compute: () => tall(base.matmul(orthonormalFrom(tall(weight), map))),
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
