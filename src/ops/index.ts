// Every op tmnn has. Tensor methods and the top-level tm.* functions both come from here.
export { arange, eye, fill, linspace, ones, onesLike, rand, randn, scalar, tensor, zeros, zerosLike } from './creation.js';
export type { RandomOptions, TensorInput, TensorOptions } from './creation.js';
export {
  abs, acos, acosh, add, asin, asinh, atan, atan2, atanh, ceil, clip, copysign, cos, cosh, digamma, div, equal, erf, erfc, erfinv, exp, expm1,
  floor, greater, greaterEqual, hypot, i0, i1, lerp, less, lessEqual, lgamma, log, log1p, logaddexp, logit, maximum, minimum, mul, neg, notEqual,
  polygamma, pow, relu, remainder, round, sigmoid, sign, sin, sinc, sinh, sqrt, square, sub, tan, tanh, trunc, where, xlogy,
} from './elementwise.js';
export type { LogitOptions } from './elementwise.js';
export { avgPool1d, avgPool2d, conv1d, conv2d, maxPool1d, maxPool2d } from './conv.js';
export type { AvgPool1dOptions, AvgPool2dOptions, Conv1dOptions, Conv2dOptions, MaxPool1dOptions, MaxPool2dOptions, Pool1dOptions, Pool2dOptions } from './conv.js';
export { convTranspose1d, convTranspose2d } from './conv_transpose.js';
export { maxPool1dWithIndices, maxPool2dWithIndices, maxUnpool1d, maxUnpool2d } from './unpool.js';
export type { MaxUnpool1dOptions, MaxUnpool2dOptions, PooledWithIndices } from './unpool.js';
export { adaptiveAvgPool1d, adaptiveAvgPool2d, adaptiveMaxPool1d, adaptiveMaxPool2d } from './adaptive_pool.js';
export { interpolate1d, interpolate2d } from './interpolate.js';
export type { InterpolateMode, InterpolateOptions } from './interpolate.js';
export { gridSample } from './grid_sample.js';
export type { GridSampleMode, GridSampleOptions, GridSamplePaddingMode } from './grid_sample.js';
export { affineGrid } from './affine_grid.js';
export type { AffineGridOptions } from './affine_grid.js';
export type { ConvTranspose1dOptions, ConvTranspose2dOptions } from './conv_transpose.js';
export type { Size2d } from './windows.js';
export { matmul } from './matmul.js';
export type { MatmulOptions } from './matmul.js';
export { QuantizedTensor, dequantize, quantize } from './quantize.js';
export type { QuantizeOptions } from './quantize.js';
export { broadcastTo, clone, concat, cumprod, cumsum, expandDims, flip, gather, pad, reshape, slice, split, squeeze, stack, tile, transpose } from './movement.js';
export type { PadMode, PadOptions } from './movement.js';
export { chunk, repeatInterleave, roll, takeAlongAxis, unbind } from './indexing.js';
export { index } from './subscript.js';
export type { IndexPart } from './subscript.js';
export { allclose, isclose, isFinite, isInf, isNaN, logicalAnd, logicalNot, logicalOr, logicalXor, nanToNum } from './logical.js';
export type { IscloseOptions, NanToNumOptions } from './logical.js';
export { tril, triu } from './triangular.js';
export { logsumexp, norm } from './norms.js';
export type { NormOptions } from './norms.js';
export { all, any, argmax, argmin, max, mean, min, prod, std, sum, sumToShape, variance } from './reduce.js';
export type { ReduceOptions, VarianceOptions } from './reduce.js';
export { logSoftmax, softmax } from './softmax.js';
export { argsort, sort, topk } from './sort.js';
export type { SortOptions, Sorted, TopkOptions } from './sort.js';
export { bucketize, searchsorted } from './search.js';
export type { SearchsortedOptions } from './search.js';
export { maskedFill, maskedSelect, nonzero } from './masked.js';
export { bincount, unique } from './counting.js';
export type { BincountOptions, Unique, UniqueOptions } from './counting.js';
export { bernoulli, multinomial, randint, randperm } from './sampling.js';
export type { BernoulliOptions, MultinomialOptions } from './sampling.js';
export { cast, oneHot } from './cast.js';
export { diag, diagonal, outer, trace } from './diagonal.js';
export type { DiagonalOptions } from './diagonal.js';
export { einsum, tensordot } from './einsum.js';
export * as linalg from './linalg/index.js';
export * as fft from './fft/index.js';
