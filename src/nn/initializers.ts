// tm.nn.init: torch.nn.init's initialisers, which fill an existing tensor
// in place (Tensor.assign) and return it, so a layer's weight keeps its
// identity for the optimizers holding it. Fans follow tmnn's layouts: a
// rank-2 weight is a Dense layer's [inputs, outputs] (PyTorch's Linear is
// [out, in]: the fans are the other way round there); rank 3 and more is a
// convolution's [filters, channels per group, ...window], as PyTorch's.
// The js backend's float64 erf, on the host: the ends of truncNormal's range.
import { erf } from '../backends/js/erf.js';
import { tidy } from '../engine.js';
import { ShapeError, ValueError, formatShape, formatValue } from '../errors.js';
import { checkOptions } from '../options.js';
import { cast, clip, diagonal, erfinv, eye as identity, fill, rand, randn, reshape, sign, tensor, transpose } from '../ops/index.js';
import { qr } from '../ops/linalg/index.js';
import { checkTensor, onBackendOf } from '../ops/util.js';
import { derivedSeed, permutation, seedFor } from '../random.js';
import { noGrad } from '../tape.js';
import type { Tensor } from '../tensor.js';

/** Replaces t's values with make()'s (an f32 tensor of t's shape on t's backend), cast to t's dtype; t returned. */
function fillWith(op: string, t: Tensor, make: () => Tensor): Tensor {
  checkTensor(op, t);
  if (t.dtype !== 'f32' && t.dtype !== 'f16') throw new ValueError(`${op}: fills f32 and f16 tensors, this one is ${t.dtype}`);
  noGrad(() =>
    tidy(() => {
      const values = onBackendOf(op, t, make);
      t.assign(values.dtype === t.dtype ? values : cast(values, t.dtype));
    }),
  );
  return t;
}

/** [fanIn, fanOut] of a weight in tmnn's layouts (see the top of this file). */
export function fans(t: Tensor): [number, number] {
  if (t.rank < 2) throw new ShapeError(`fans: a weight of rank 2 or more has fans, got ${formatShape(t.shape)}`);
  if (t.rank === 2) return [t.shape[0], t.shape[1]];
  const window = t.shape.slice(2).reduce((a, b) => a * b, 1);
  return [t.shape[1] * window, t.shape[0] * window];
}

export type Nonlinearity = 'linear' | 'conv1d' | 'conv2d' | 'sigmoid' | 'tanh' | 'relu' | 'leakyRelu' | 'selu';

/** torch.nn.init.calculate_gain: the factor that keeps activations' scale through a nonlinearity (param: leakyRelu's slope, default 0.01). */
export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  switch (nonlinearity) {
    case 'linear': case 'conv1d': case 'conv2d': case 'sigmoid': return 1;
    case 'tanh': return 5 / 3;
    case 'relu': return Math.SQRT2;
    case 'selu': return 3 / 4;
    case 'leakyRelu': {
      const slope = param ?? 0.01;
      if (typeof slope !== 'number' || !Number.isFinite(slope)) throw new ValueError(`calculateGain: leakyRelu's slope must be a number, got ${formatValue(param)}`);
      return Math.sqrt(2 / (1 + slope * slope));
    }
    default:
      throw new ValueError(`calculateGain: unknown nonlinearity ${formatValue(nonlinearity)}; one of linear, conv1d, conv2d, sigmoid, tanh, relu, leakyRelu, selu`);
  }
}

interface Seeded {
  /** Same seed, same values, on every backend. */
  seed?: number;
}

/** U(low, high). */
export function uniform(t: Tensor, options: Seeded & { low?: number; high?: number } = {}): Tensor {
  const { low = 0, high = 1, seed } = checkOptions('uniform', options, { low: true, high: true, seed: true });
  if (!(low <= high)) throw new ValueError(`uniform: low ${formatValue(low)} must be at most high ${formatValue(high)}`);
  return fillWith('uniform', t, () => rand(t.shape, { min: low, max: high, seed }));
}

/** N(mean, std²). */
export function normal(t: Tensor, options: Seeded & { mean?: number; std?: number } = {}): Tensor {
  const { mean = 0, std = 1, seed } = checkOptions('normal', options, { mean: true, std: true, seed: true });
  if (!(std >= 0)) throw new ValueError(`normal: std must be ≥ 0, got ${formatValue(std)}`);
  return fillWith('normal', t, () => randn(t.shape, { mean, std, seed }));
}

/**
 * N(mean, std²) cut to [a, b] (torch.nn.init.trunc_normal_; a and b are
 * values, not standard deviations): drawn by the inverse CDF between Φ(a)
 * and Φ(b), so no draw is rejected.
 */
export function truncNormal(t: Tensor, options: Seeded & { mean?: number; std?: number; a?: number; b?: number } = {}): Tensor {
  const { mean = 0, std = 1, a = -2, b = 2, seed } = checkOptions('truncNormal', options, { mean: true, std: true, a: true, b: true, seed: true });
  if (!(std > 0)) throw new ValueError(`truncNormal: std must be > 0, got ${formatValue(std)}`);
  if (!(a < b)) throw new ValueError(`truncNormal: a ${formatValue(a)} must be below b ${formatValue(b)}`);
  // erf of the standardised ends: the uniform's range in erfinv's domain.
  const [lo, hi] = [a, b].map((v) => erf((v - mean) / (std * Math.SQRT2)));
  return fillWith('truncNormal', t, () => clip(erfinv(rand(t.shape, { min: lo, max: hi, seed })).mul(std * Math.SQRT2).add(mean), a, b));
}

/** Every entry `value`. */
export function constant(t: Tensor, value: number): Tensor {
  if (typeof value !== 'number') throw new ValueError(`constant: value must be a number, got ${formatValue(value)}`);
  return fillWith('constant', t, () => fill(t.shape, value));
}

export function zeros(t: Tensor): Tensor {
  return constant(t, 0);
}

export function ones(t: Tensor): Tensor {
  return constant(t, 1);
}

/** The identity of a rank-2 tensor (ones on the diagonal of a rectangle too): a layer that starts by passing its input through. */
export function eye(t: Tensor): Tensor {
  checkTensor('eye', t);
  if (t.rank !== 2) throw new ShapeError(`eye: needs a rank-2 tensor, got ${formatShape(t.shape)}`);
  return fillWith('eye', t, () => identity(t.shape[0], t.shape[1]));
}

/** Glorot's U(−r, r), r = gain·√(6 / (fanIn + fanOut)). */
export function xavierUniform(t: Tensor, options: Seeded & { gain?: number } = {}): Tensor {
  const { gain = 1, seed } = checkOptions('xavierUniform', options, { gain: true, seed: true });
  const [fanIn, fanOut] = fans(t);
  const r = gain * Math.sqrt(6 / (fanIn + fanOut));
  return fillWith('xavierUniform', t, () => rand(t.shape, { min: -r, max: r, seed }));
}

/** Glorot's N(0, σ²), σ = gain·√(2 / (fanIn + fanOut)). */
export function xavierNormal(t: Tensor, options: Seeded & { gain?: number } = {}): Tensor {
  const { gain = 1, seed } = checkOptions('xavierNormal', options, { gain: true, seed: true });
  const [fanIn, fanOut] = fans(t);
  return fillWith('xavierNormal', t, () => randn(t.shape, { std: gain * Math.sqrt(2 / (fanIn + fanOut)), seed }));
}

interface KaimingOptions extends Seeded {
  /** leakyRelu's negative slope (PyTorch's a). Default 0. */
  a?: number;
  /** 'fanIn' (default) keeps the forward pass's scale, 'fanOut' the backward's. */
  mode?: 'fanIn' | 'fanOut';
  /** Default 'leakyRelu' (with a = 0, ReLU's gain √2). */
  nonlinearity?: Nonlinearity;
}

function kaimingStd(op: string, t: Tensor, options: KaimingOptions): { std: number; seed?: number } {
  const { a = 0, mode = 'fanIn', nonlinearity = 'leakyRelu', seed } = checkOptions(op, options, { a: true, mode: true, nonlinearity: true, seed: true });
  if (mode !== 'fanIn' && mode !== 'fanOut') throw new ValueError(`${op}: mode must be 'fanIn' or 'fanOut', got ${formatValue(mode)}`);
  const [fanIn, fanOut] = fans(t);
  return { std: calculateGain(nonlinearity, a) / Math.sqrt(mode === 'fanIn' ? fanIn : fanOut), seed };
}

/** He's U(−r, r), r = gain·√(3 / fan). */
export function kaimingUniform(t: Tensor, options: KaimingOptions = {}): Tensor {
  const { std, seed } = kaimingStd('kaimingUniform', t, options);
  const r = Math.sqrt(3) * std;
  return fillWith('kaimingUniform', t, () => rand(t.shape, { min: -r, max: r, seed }));
}

/** He's N(0, σ²), σ = gain / √fan. */
export function kaimingNormal(t: Tensor, options: KaimingOptions = {}): Tensor {
  const { std, seed } = kaimingStd('kaimingNormal', t, options);
  return fillWith('kaimingNormal', t, () => randn(t.shape, { std, seed }));
}

/**
 * A (semi-)orthogonal matrix times gain (Saxe et al.), the tensor seen as
 * [shape[0], the rest]: the Q of a Gaussian matrix's QR, its columns' signs
 * those of R's diagonal, as torch.nn.init.orthogonal_.
 */
export function orthogonal(t: Tensor, options: Seeded & { gain?: number } = {}): Tensor {
  const { gain = 1, seed } = checkOptions('orthogonal', options, { gain: true, seed: true });
  checkTensor('orthogonal', t);
  if (t.rank < 2) throw new ShapeError(`orthogonal: needs a tensor of rank 2 or more, got ${formatShape(t.shape)}`);
  const rows = t.shape[0];
  const cols = t.size / rows;
  return fillWith('orthogonal', t, () => {
    const flat = randn(rows < cols ? [cols, rows] : [rows, cols], { seed });
    const { q, r } = qr(flat);
    const signed = q.mul(sign(diagonal(r)));
    return reshape((rows < cols ? transpose(signed) : signed).mul(gain), t.shape);
  });
}

/**
 * The identity of a convolution (torch.nn.init.dirac_): a weight [out,
 * in/groups, ...window] of rank 3 to 5 whose filter d of each group passes
 * that group's channel d through at the window's centre (ones there, zeros
 * everywhere else); filters past a group's channels are all zeros. With
 * padding that keeps the size, the layer starts by copying its input.
 */
export function dirac(t: Tensor, groups = 1): Tensor {
  checkTensor('dirac', t);
  if (t.rank < 3 || t.rank > 5) throw new ShapeError(`dirac: needs a convolution's weight of rank 3, 4 or 5, got ${formatShape(t.shape)}`);
  if (!Number.isSafeInteger(groups) || groups <= 0 || t.shape[0] % groups) {
    throw new ValueError(`dirac: groups must be a positive integer dividing the ${t.shape[0]} filters of ${formatShape(t.shape)}, got ${formatValue(groups)}`);
  }
  const [filters, channels, ...window] = t.shape;
  const perGroup = filters / groups;
  const centre = window.reduce((at, size) => at * size + Math.floor(size / 2), 0);
  const area = window.reduce((a, b) => a * b, 1);
  const values = new Float32Array(t.size);
  for (let g = 0; g < groups; g++) {
    for (let d = 0; d < Math.min(perGroup, channels); d++) values[((g * perGroup + d) * channels + d) * area + centre] = 1;
  }
  return fillWith('dirac', t, () => tensor(values, t.shape));
}

/**
 * A sparse weight (torch.nn.init.sparse_, Martens 2010): N(0, std²) with
 * ⌈sparsity · outputs⌉ of each input's weights zero, the zeros placed at
 * random. Of a Dense weight [in, out], that is in each row; PyTorch's
 * sparse_ does the same to a Linear's [out, in], column by column.
 */
export function sparse(t: Tensor, sparsity: number, options: Seeded & { std?: number } = {}): Tensor {
  checkTensor('sparse', t);
  if (t.rank !== 2) throw new ShapeError(`sparse: needs a rank-2 tensor (Dense's [in, out]), got ${formatShape(t.shape)}`);
  if (typeof sparsity !== 'number' || !(sparsity >= 0 && sparsity <= 1)) throw new ValueError(`sparse: sparsity must be a fraction in [0, 1], got ${formatValue(sparsity)}`);
  const { std = 0.01, seed } = checkOptions('sparse', options, { std: true, seed: true });
  if (typeof std !== 'number' || !(std >= 0)) throw new ValueError(`sparse: std must be ≥ 0, got ${formatValue(std)}`);
  const [inputs, outputs] = t.shape;
  const zeroed = Math.ceil(sparsity * outputs);
  const drawn = seedFor('sparse', seed);
  // Each input's zeros: the first `zeroed` of a permutation of its outputs, drawn on the host, so the same on every backend.
  const keep = new Float32Array(t.size).fill(1);
  for (let i = 0; i < inputs; i++) {
    const order = permutation(outputs, derivedSeed(drawn, i + 1));
    for (let k = 0; k < zeroed; k++) keep[i * outputs + order[k]] = 0;
  }
  return fillWith('sparse', t, () => randn(t.shape, { std, seed: derivedSeed(drawn, 0) }).mul(tensor(keep, t.shape)));
}
