// Random tensors shaped by others: randLike, randnLike and randintLike
// (torch.rand_like, randn_like, randint_like: x's shape and dtype, on x's
// backend), and normal (torch.normal), whose shape is its mean's and std's
// broadcast. All drawn in JS from a seed, as rand and randn, so a seed gives
// the same tensor on every backend.
import { checkDType, isFloat, promoteTypes, type DType } from '../dtype.js';
import { tidy } from '../engine.js';
import { DTypeError, ValueError, formatShape, formatValue } from '../errors.js';
import { checkOptions, type OptionNames } from '../options.js';
import { checkSeed } from '../random.js';
import { broadcastShapes, checkShape } from '../shape.js';
import { Tensor, type TensorLike } from '../tensor.js';
import { cast } from './cast.js';
import { rand, randn, type RandomOptions } from './creation.js';
import { add, greaterEqual, mul } from './elementwise.js';
import { logicalNot } from './logical.js';
import { any } from './reduce.js';
import { exactIntegers, randint } from './sampling.js';
import { checkTensor, heldValues, onBackendOf } from './util.js';

const RANDOM_OPTIONS: OptionNames<RandomOptions> = { dtype: true, seed: true };

/** The options checked in `op`'s name: the dtype (x's unless given) and the seed. */
function likeOptions(op: string, x: Tensor, options: RandomOptions): { dtype: DType; seed: number | undefined } {
  checkTensor(op, x);
  const { dtype, seed } = checkOptions(op, options, RANDOM_OPTIONS);
  if (seed !== undefined) checkSeed(op, seed);
  return { dtype: dtype === undefined ? x.dtype : checkDType(dtype, op), seed };
}

function floatLike(op: string, x: Tensor, options: RandomOptions): { dtype: DType; seed: number | undefined } {
  const o = likeOptions(op, x, options);
  if (!isFloat(o.dtype)) {
    throw new DTypeError(`${op}: draws floats, and ${o.dtype === x.dtype ? `x is ${x.dtype}` : `dtype ${o.dtype} is not one`}; pass { dtype: 'f32' } (or 'f16')`);
  }
  return o;
}

/** Uniform values in [0, 1) of x's shape and dtype (torch.rand_like), on x's backend; `dtype` for another float dtype, `seed` as rand's. */
export function randLike(x: Tensor, options: RandomOptions = {}): Tensor {
  const { dtype, seed } = floatLike('randLike', x, options);
  return onBackendOf('randLike', x, () => rand(x.shape, { dtype, seed }));
}

/** Standard normal values of x's shape and dtype (torch.randn_like), on x's backend; `dtype` and `seed` as randLike's. */
export function randnLike(x: Tensor, options: RandomOptions = {}): Tensor {
  const { dtype, seed } = floatLike('randnLike', x, options);
  return onBackendOf('randnLike', x, () => randn(x.shape, { dtype, seed }));
}

/**
 * Integers drawn uniformly from [low, high) of x's shape and dtype
 * (torch.randint_like: a float x gets whole numbers in its float dtype),
 * on x's backend: `randintLike(x, high)` draws from [0, high). Every value
 * of the range must fit the dtype exactly; `seed` as randint's.
 */
export function randintLike(x: Tensor, low: number, high?: number | RandomOptions, options: RandomOptions = {}): Tensor {
  if (typeof high === 'object' && high !== null) [high, options] = [undefined, high];
  if (high === undefined) [low, high] = [0, low];
  const { dtype, seed } = likeOptions('randintLike', x, options);
  for (const [name, v] of [['low', low], ['high', high]] as const) {
    if (!Number.isSafeInteger(v)) throw new ValueError(`randintLike: ${name} must be an integer, got ${formatValue(v)}`);
  }
  if (!(low < high)) throw new ValueError(`randintLike: low ${low} must be less than high ${high}`);
  const [lo, hi] = exactIntegers(dtype);
  if (low < lo || high - 1 > hi) {
    throw new ValueError(`randintLike: values in [${low}, ${high}) do not all fit ${dtype}, which holds integers ${lo} … ${hi} exactly`);
  }
  return onBackendOf('randintLike', x, () => randint(low, high as number, x.shape, { dtype, seed }));
}

export interface NormalOptions extends RandomOptions {
  /** The shape to draw when mean and std are both numbers. Default [] (one draw). */
  shape?: readonly number[];
}

const NORMAL_OPTIONS: OptionNames<NormalOptions> = { dtype: true, seed: true, shape: true };

/**
 * Normal draws of mean `mean` and standard deviation `std` (torch.normal):
 * mean + std·z, z standard normal, one draw per entry of mean and std
 * broadcast together; with both numbers, `shape` draws (one by default).
 * The dtype is the tensors' float dtype (f32 for ints, or both numbers)
 * unless `dtype` says otherwise; `seed` as randn's. Differentiable in mean
 * (dy) and std (dy·z), as PyTorch's. A negative or NaN std is refused, as
 * PyTorch refuses it: a tensor's where the backend holds its values (js,
 * native); on webgpu, where looking would wait for the GPU, a negative std
 * s draws mean − |s|·z, which is distributed as with |s|.
 */
export function normal(mean: TensorLike, std: TensorLike, options: NormalOptions = {}): Tensor {
  const { dtype: given, seed, shape } = checkOptions('normal', options, NORMAL_OPTIONS);
  if (seed !== undefined) checkSeed('normal', seed);
  const tensors: Tensor[] = [];
  for (const [name, v] of [['mean', mean], ['std', std]] as const) {
    if (v instanceof Tensor) tensors.push(checkTensor('normal', v, name));
    else if (typeof v !== 'number' || !Number.isFinite(v)) throw new ValueError(`normal: ${name} must be a Tensor or a finite number, got ${formatValue(v)}`);
  }
  if (typeof std === 'number' && std < 0) throw new ValueError(`normal: std must not be negative, got ${std}`);
  if (tensors.length > 0 && shape !== undefined) {
    throw new ValueError('normal: shape is for a number mean and std; with a tensor, the draws take mean and std\'s broadcast shape');
  }
  const inferred = tensors.length === 0 ? 'f32' : tensors.map((t) => t.dtype).reduce(promoteTypes);
  const dtype = given === undefined ? (isFloat(inferred) ? inferred : 'f32') : checkDType(given, 'normal');
  if (!isFloat(dtype)) throw new DTypeError(`normal: draws floats; dtype ${dtype} is not one`);
  if (tensors.length === 0) {
    return randn(checkShape(shape ?? [], 'normal'), { dtype, seed, mean: mean as number, std: std as number });
  }
  const drawShape = broadcastShapes('normal', tensors.length === 2 ? tensors[0].shape : [], tensors[tensors.length - 1].shape);
  if (std instanceof Tensor) refuseNegative(std);
  return onBackendOf('normal', tensors[0], () => tidy(() => {
    const z = randn(drawShape, { dtype, seed });
    const y = add(mean, mul(std, z));
    return y.dtype === dtype ? y : cast(y, dtype);
  }));
}

/** A std below 0 or NaN refused, where the backend holds std's values (js, native). */
function refuseNegative(std: Tensor): void {
  if (!heldValues('normal', std)) return;
  const bad = tidy(() => any(logicalNot(greaterEqual(std, 0))));
  try {
    if (heldValues('normal', bad)![0] !== 0) throw new ValueError(`normal: std ${formatShape(std.shape)} holds a negative or NaN value; a standard deviation must be ≥ 0`);
  } finally {
    bad.dispose();
  }
}
