// PyTorch's scaled adds: x plus a scaled product, in one call. addmm and
// baddbmm add a matrix product (β·x + α·(m1 @ m2), batched for baddbmm),
// addmv a matrix-vector one, addr an outer one and addbmm a batch's sum,
// addcmul and addcdiv an elementwise one (x + value·t1·t2, x + value·t1/t2):
// optimisers' and attention's idioms. On webgpu the scaling and adding fuse
// into the product's epilogue or one elementwise kernel, as any chain does.
import { tidy } from '../engine.js';
import { ShapeError, ValueError, formatShape, formatValue } from '../errors.js';
import { checkOptions, type OptionNames } from '../options.js';
import { broadcastShapes, sameShape } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { add, div, mul } from './elementwise.js';
import { matmul } from './matmul.js';
import { outer } from './diagonal.js';
import { reshape, transpose } from './movement.js';
import { checkTensor } from './util.js';

export interface ScaledProductOptions {
  /** x's factor (default 1); 0 leaves x out, its NaNs and infinities too, as PyTorch's. */
  beta?: number;
  /** The product's factor (default 1). */
  alpha?: number;
}

const PRODUCT_OPTIONS: OptionNames<ScaledProductOptions> = { beta: true, alpha: true };

/** β·x + α·product, x broadcast to the product's shape (and not the other way), naming `op`. */
function scaledSum(op: string, x: Tensor, product: () => Tensor, productShape: readonly number[], options: ScaledProductOptions): Tensor {
  const { beta = 1, alpha = 1 } = checkOptions(op, options, PRODUCT_OPTIONS);
  for (const [name, v] of [['beta', beta], ['alpha', alpha]] as const) {
    if (typeof v !== 'number' || Number.isNaN(v)) throw new ValueError(`${op}: ${name} must be a number, got ${formatValue(v)}`);
  }
  if (!sameShape(broadcastShapes(op, x.shape, productShape), productShape)) {
    throw new ShapeError(`${op}: x ${formatShape(x.shape)} does not broadcast to the product's shape ${formatShape(productShape)}`);
  }
  return tidy(() => {
    const p = product();
    const scaled = alpha === 1 ? p : mul(p, alpha);
    // Not 0·x: that would carry x's NaNs and infinities. x then takes no part, in the gradient either.
    if (beta === 0) return scaled;
    return add(beta === 1 ? x : mul(x, beta), scaled);
  });
}

/** β·x + α·(m1 @ m2), m1 [n, k] and m2 [k, m] matrices (torch.addmm). */
export function addmm(x: Tensor, m1: Tensor, m2: Tensor, options: ScaledProductOptions = {}): Tensor {
  for (const [name, t] of [['x', x], ['m1', m1], ['m2', m2]] as const) checkTensor('addmm', t, name);
  if (m1.rank !== 2 || m2.rank !== 2 || m1.shape[1] !== m2.shape[0]) {
    throw new ShapeError(`addmm: m1 ${formatShape(m1.shape)} and m2 ${formatShape(m2.shape)} must be matrices [n, k] and [k, m]`);
  }
  return scaledSum('addmm', x, () => matmul(m1, m2), [m1.shape[0], m2.shape[1]], options);
}

/** β·x + α·(b1 @ b2) for batches of matrices, b1 [batch, n, k] and b2 [batch, k, m] (torch.baddbmm). */
export function baddbmm(x: Tensor, b1: Tensor, b2: Tensor, options: ScaledProductOptions = {}): Tensor {
  for (const [name, t] of [['x', x], ['b1', b1], ['b2', b2]] as const) checkTensor('baddbmm', t, name);
  if (b1.rank !== 3 || b2.rank !== 3 || b1.shape[0] !== b2.shape[0] || b1.shape[2] !== b2.shape[1]) {
    throw new ShapeError(`baddbmm: b1 ${formatShape(b1.shape)} and b2 ${formatShape(b2.shape)} must be batches of matrices [batch, n, k] and [batch, k, m]`);
  }
  return scaledSum('baddbmm', x, () => matmul(b1, b2), [b1.shape[0], b1.shape[1], b2.shape[2]], options);
}

/** β·x + α·(mat @ vec), mat [n, m] and vec [m] (torch.addmv). */
export function addmv(x: Tensor, mat: Tensor, vec: Tensor, options: ScaledProductOptions = {}): Tensor {
  for (const [name, t] of [['x', x], ['mat', mat], ['vec', vec]] as const) checkTensor('addmv', t, name);
  if (mat.rank !== 2 || vec.rank !== 1 || mat.shape[1] !== vec.shape[0]) {
    throw new ShapeError(`addmv: mat ${formatShape(mat.shape)} and vec ${formatShape(vec.shape)} must be a matrix [n, m] and a vector [m]`);
  }
  return scaledSum('addmv', x, () => reshape(matmul(mat, reshape(vec, [vec.shape[0], 1])), [mat.shape[0]]), [mat.shape[0]], options);
}

/** β·x + α·(v1 ⊗ v2), the outer product of v1 [n] and v2 [m] (torch.addr). */
export function addr(x: Tensor, v1: Tensor, v2: Tensor, options: ScaledProductOptions = {}): Tensor {
  for (const [name, t] of [['x', x], ['v1', v1], ['v2', v2]] as const) checkTensor('addr', t, name);
  if (v1.rank !== 1 || v2.rank !== 1) throw new ShapeError(`addr: v1 ${formatShape(v1.shape)} and v2 ${formatShape(v2.shape)} must be vectors`);
  return scaledSum('addr', x, () => outer(v1, v2), [v1.shape[0], v2.shape[0]], options);
}

/**
 * β·x + α·Σᵢ b1[i] @ b2[i], the products of two batches of matrices summed
 * (torch.addbmm), b1 [batch, n, k] and b2 [batch, k, m]: one product of
 * [n, batch·k] and [batch·k, m], the batch laid along the inner axis.
 */
export function addbmm(x: Tensor, b1: Tensor, b2: Tensor, options: ScaledProductOptions = {}): Tensor {
  for (const [name, t] of [['x', x], ['b1', b1], ['b2', b2]] as const) checkTensor('addbmm', t, name);
  if (b1.rank !== 3 || b2.rank !== 3 || b1.shape[0] !== b2.shape[0] || b1.shape[2] !== b2.shape[1]) {
    throw new ShapeError(`addbmm: b1 ${formatShape(b1.shape)} and b2 ${formatShape(b2.shape)} must be batches of matrices [batch, n, k] and [batch, k, m]`);
  }
  const [batch, n, k] = b1.shape;
  const m = b2.shape[2];
  return scaledSum('addbmm', x, () => matmul(reshape(transpose(b1, [1, 0, 2]), [n, batch * k]), reshape(b2, [batch * k, m])), [n, m], options);
}

export interface ScaledElementwiseOptions {
  /** The product's (or quotient's) factor (default 1). */
  value?: number;
}

const ELEMENTWISE_OPTIONS: OptionNames<ScaledElementwiseOptions> = { value: true };

/** The value option, checked. */
function factor(op: string, options: ScaledElementwiseOptions): number {
  const { value = 1 } = checkOptions(op, options, ELEMENTWISE_OPTIONS);
  if (typeof value !== 'number' || Number.isNaN(value)) throw new ValueError(`${op}: value must be a number, got ${formatValue(value)}`);
  return value;
}

/** x + value·t1·t2, broadcast together (torch.addcmul). */
export function addcmul(x: Tensor, t1: Tensor, t2: Tensor, options: ScaledElementwiseOptions = {}): Tensor {
  const value = factor('addcmul', options);
  return tidy(() => add(x, value === 1 ? mul(t1, t2) : mul(mul(t1, t2), value)));
}

/** x + value·t1/t2, broadcast together (torch.addcdiv; Adam's step). */
export function addcdiv(x: Tensor, t1: Tensor, t2: Tensor, options: ScaledElementwiseOptions = {}): Tensor {
  const value = factor('addcdiv', options);
  return tidy(() => add(x, value === 1 ? div(t1, t2) : mul(div(t1, t2), value)));
}
