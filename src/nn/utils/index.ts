// tm.nn.utils: torch.nn.utils's weight reparametrizations (and parametrizations.orthogonal), pruning (tm.nn.utils.prune), parameter vectors and fusion.
export { removeWeightNorm, weightNorm } from './weight_norm.js';
export type { WeightNormed, WeightNormOptions } from './weight_norm.js';
export { removeSpectralNorm, spectralNorm } from './spectral_norm.js';
export type { SpectralNormed, SpectralNormOptions } from './spectral_norm.js';
export { orthogonal, removeOrthogonal } from './orthogonal.js';
export type { OrthogonalMap, Orthogonalized, OrthogonalOptions } from './orthogonal.js';
export { parametersToVector, vectorToParameters } from './parameters_vector.js';
export { functionalCall } from './functional_call.js';
export * as prune from './prune.js';
export * as rnn from './rnn.js';
export { fuseConvBnEval, fuseLinearBnEval } from './fusion.js';
