// Spectral normalisation (Miyato et al., 2018; PyTorch's
// torch.nn.utils.spectral_norm): a weight divided by its largest singular
// value σ, so the layer is 1-Lipschitz (a GAN's discriminator). σ comes from
// power iteration on the weight as a matrix, one step per training forward
// from the vectors u and v the last one left, which are buffers: saved with
// the layer, unchanged in eval mode.
import { keep, tidy } from '../../engine.js';
import { ValueError, formatValue } from '../../errors.js';
import { normalize } from '../../ops/distance.js';
import { randn } from '../../ops/index.js';
import { checkOptions, type OptionNames } from '../../options.js';
import { checkSeed } from '../../random.js';
import { isRecomputing, noGrad } from '../../tape.js';
import type { Tensor } from '../../tensor.js';
import type { Module } from '../module.js';
import { keptAxis, parameterToReparametrize, reparametrize, suffixed, unreparametrize } from './reparametrize.js';

export interface SpectralNormOptions<N extends string = 'weight'> {
  /** The parameter to reparametrize. Default 'weight'. */
  name?: N;
  /** Power-iteration steps per training forward. Default 1. */
  nPowerIterations?: number;
  /** Added to the norms u and v are divided by, against division by zero (PyTorch's eps). Default 1e-12. */
  epsilon?: number;
  /**
   * The weight's output axis: the rows of the matrix whose σ is taken (the
   * weight with this axis moved first, the others flattened). Default 1 for
   * Dense's [inputs, units] weight and a transposed convolution's, else 0
   * (a convolution's filters), so the matrix is PyTorch's.
   */
  dim?: number;
  /** Seed for the initial u and v (see also tm.setSeed). */
  seed?: number;
}

const SPECTRAL_NORM_OPTIONS: OptionNames<SpectralNormOptions<string>> = { name: true, nPowerIterations: true, epsilon: true, dim: true, seed: true };

/** Power-iteration steps taken when spectralNorm is applied, so the first σ is already close (PyTorch's parametrization takes 15). */
const INITIAL_ITERATIONS = 15;

/** A layer after spectralNorm: the unnormalised weight as its parameter, u and v as its buffers. */
export type SpectralNormed<L extends Module, N extends string = 'weight'> = L & { [K in `${N}Orig` | `${N}U` | `${N}V`]: Tensor };

/**
 * Reparametrizes the parameter `name` (default 'weight') of `layer` as
 * weight = weightOrig / σ, σ = uᵀ W v the largest singular value of the
 * weight W as a matrix [size of dim, the rest] estimated by power iteration:
 * the layer's parameter becomes `weightOrig` (the former weight tensor) in
 * the place of `weight`, and its buffers `weightU` [rows] and `weightV`
 * [columns], normalised random vectors iterated 15 times now and
 * `nPowerIterations` times before every forward in training mode (eval mode
 * reuses them). `layer.weight` holds the computed weight, computed again
 * before every forward (the one it replaces is freed); gradients reach weightOrig through W and σ with u and
 * v held constant, as PyTorch's. Apply it before making the optimizer.
 * Returns the layer; removeSpectralNorm undoes it.
 */
export function spectralNorm<L extends Module, N extends string = 'weight'>(layer: L, options: SpectralNormOptions<N> = {}): SpectralNormed<L, N> {
  const { name = 'weight', nPowerIterations = 1, epsilon = 1e-12, dim, seed } = checkOptions<SpectralNormOptions<string>>('spectralNorm', options, SPECTRAL_NORM_OPTIONS);
  if (!Number.isSafeInteger(nPowerIterations) || nPowerIterations < 1) throw new ValueError(`spectralNorm: nPowerIterations must be an integer ≥ 1, got ${formatValue(nPowerIterations)}`);
  if (typeof epsilon !== 'number' || !(epsilon > 0) || !Number.isFinite(epsilon)) throw new ValueError(`spectralNorm: epsilon must be a finite number > 0, got ${formatValue(epsilon)}`);
  if (seed !== undefined) checkSeed('spectralNorm', seed);
  const { weight } = parameterToReparametrize('spectralNorm', layer, name);
  if (weight.rank === 0) throw new ValueError(`spectralNorm: ${name} of ${layer.constructor.name} is a scalar; spectral norm takes a weight with at least one axis`);
  const kept = keptAxis('spectralNorm', layer, name, weight, dim);
  const rows = weight.shape[kept];
  const columns = weight.size / rows;
  const asMatrix = (w: Tensor) => (kept === 0 ? w : w.transpose([kept, ...w.shape.map((_, i) => i).filter((i) => i !== kept)])).reshape([rows, columns]);
  /** `steps` of power iteration on the matrix from u: the new u [rows] and v [columns]. */
  const iterate = (matrix: Tensor, u: Tensor, steps: number): [Tensor, Tensor] => {
    let v = u;
    for (let i = 0; i < steps; i++) {
      v = normalize(u.reshape([1, rows]).matmul(matrix).reshape([columns]), { axis: 0, epsilon });
      u = normalize(matrix.matmul(v.reshape([columns, 1])).reshape([rows]), { axis: 0, epsilon });
    }
    return [u, v];
  };
  const [weightU, weightV] = noGrad(() => {
    // v starts where the first step puts it, from u.
    const [u, v] = tidy(() => iterate(asMatrix(weight), normalize(randn([rows], { seed, dtype: weight.dtype }), { axis: 0, epsilon }), INITIAL_ITERATIONS));
    return [keep(u), keep(v)];
  });
  reparametrize(layer, name, {
    kind: 'spectralNorm',
    parameters: { [`${name}Orig`]: weight },
    buffers: { [`${name}U`]: weightU, [`${name}V`]: weightV },
    pytorchNames: { [`${name}Orig`]: suffixed('_orig', 'original'), [`${name}U`]: suffixed('_u', '0._u'), [`${name}V`]: suffixed('_v', '0._v') },
    original: weight,
    compute: (training) => {
      const matrix = asMatrix(weight);
      // Not while a checkpoint recomputes a forward: its first pass took the step.
      if (training && !isRecomputing()) {
        noGrad(() => {
          const [u, v] = iterate(matrix, weightU, nPowerIterations);
          weightU.assign(u);
          weightV.assign(v);
        });
      }
      // u and v are constants here: σ's gradient is u vᵀ, as PyTorch's.
      const sigma = weightU.reshape([1, rows]).matmul(matrix).matmul(weightV.reshape([columns, 1])).reshape([]);
      return weight.div(sigma);
    },
  });
  return layer as SpectralNormed<L, N>;
}

/**
 * Takes spectralNorm off the parameter `name` (default 'weight') of `layer`:
 * the weight weightOrig / σ with the u and v as they are (no iteration)
 * becomes a plain parameter again (the tensor that was weightOrig, which the
 * optimizer must be given anew); u and v are freed.
 */
export function removeSpectralNorm<L extends Module>(layer: L, name = 'weight'): L {
  unreparametrize('removeSpectralNorm', 'spectralNorm', layer, name);
  return layer;
}
