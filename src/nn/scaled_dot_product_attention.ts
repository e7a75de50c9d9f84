// Attention as PyTorch's F.scaled_dot_product_attention: softmax(q·kᵀ·scale
// + mask)·v over any leading batch and head axes, with a causal or given
// mask, dropout on the weights and grouped-query heads. maskedAttention, the
// softmax and product at its core, is MultiheadAttention's too: a masked
// position gets −∞ before the softmax, so its weight is exactly 0, and a
// query whose every key is masked attends to nothing (weights 0, not the NaN
// a softmax of all −∞ gives, which would reach every weight's gradient).
import { isFloat } from '../dtype.js';
import { tidy } from '../engine.js';
import { DTypeError, ShapeError, ValueError, formatShape, formatValue } from '../errors.js';
import { arange, greater, notEqual, rand, repeatInterleave, where } from '../ops/index.js';
import { onBackendOf } from '../ops/util.js';
import { checkOptions, type OptionNames } from '../options.js';
import { checkSeed, freshSeed } from '../random.js';
import type { Tensor } from '../tensor.js';

/**
 * softmax(scores + mask)·v along the last axis, q already scaled; `mask`
 * additive (0 or −∞, or any float), broadcast against the scores; `drop`
 * applied to the weights. Rows masked whole get weights 0.
 */
export function maskedAttention(q: Tensor, k: Tensor, v: Tensor, mask: Tensor | null, drop?: (weights: Tensor) => Tensor): { output: Tensor; weights: Tensor } {
  return tidy(() => {
    let scores = q.matmul(k, { transposeB: true });
    // Rows masked whole: unmasked for the softmax (finite), their weights zeroed after.
    const blind = mask ? mask.max(-1, { keepDims: true }).equal(-Infinity) : null;
    if (mask) scores = scores.add(blind ? where(blind, 0, mask) : mask);
    let weights = scores.softmax(-1);
    if (blind) weights = where(blind, 0, weights);
    if (drop) weights = drop(weights);
    return { output: weights.matmul(v), weights };
  });
}

/** [L, S] additive, in like's float dtype on its backend: −∞ after each query's own position (key j > query i), 0 elsewhere. */
export function causalMask(like: Tensor, L: number, S: number): Tensor {
  return tidy(() => {
    const [rows, columns] = onBackendOf('causalMask', like, () => [arange(0, L).reshape([L, 1]), arange(0, S).reshape([1, S])]);
    return where(greater(columns, rows), -Infinity, 0).cast(like.dtype === 'f16' ? 'f16' : 'f32');
  });
}

export interface ScaledDotProductAttentionOptions {
  /**
   * Broadcast against the scores [..., L, S]: an int mask, non-zero where a
   * query may attend to a key (PyTorch's boolean mask, True to attend), or
   * a float mask added to the scores.
   */
  attnMask?: Tensor;
  /** Each query attends to the keys up to its own position (the lower triangle of [L, S], from the top left, as PyTorch's); not with attnMask. */
  isCausal?: boolean;
  /** The scores' factor (default 1/√E, E the last axis of query). */
  scale?: number;
  /** The rate at which weights are dropped (default 0), the rest scaled by 1/(1 − p): pass 0 outside training, as PyTorch's. */
  dropoutP?: number;
  /** The dropout mask's seed (default: the next from tm.setSeed's sequence). */
  seed?: number;
  /** Query heads in groups sharing a key and value head (grouped-query attention): query [..., Hq, L, E] against key and value [..., Hkv, S, ·], Hq a multiple of Hkv (PyTorch's enable_gqa). */
  enableGqa?: boolean;
}

const SDPA_OPTIONS: OptionNames<ScaledDotProductAttentionOptions> = { attnMask: true, isCausal: 'boolean', scale: true, dropoutP: true, seed: true, enableGqa: 'boolean' };

/**
 * Attention of query [..., L, E] over key [..., S, E] and value [..., S, Ev]
 * (PyTorch's F.scaled_dot_product_attention): softmax(q·kᵀ·scale + mask)·v,
 * [..., L, Ev], the leading axes broadcast. A query whose every key is
 * masked gets 0 (PyTorch's math path, since 2.5). Gradients to all three.
 */
export function scaledDotProductAttention(query: Tensor, key: Tensor, value: Tensor, options: ScaledDotProductAttentionOptions = {}): Tensor {
  const op = 'scaledDotProductAttention';
  const { attnMask, isCausal = false, scale, dropoutP = 0, seed, enableGqa = false } = checkOptions(op, options, SDPA_OPTIONS);
  for (const [name, t] of [['query', query], ['key', key], ['value', value]] as const) {
    if (!isFloat(t.dtype)) throw new DTypeError(`${op}: ${name} must be f32 or f16, got ${t.dtype}`);
    if (t.rank < 2) throw new ShapeError(`${op}: ${name} must have at least two axes ([..., length, features]), got ${formatShape(t.shape)}`);
  }
  const [L, E] = query.shape.slice(-2);
  const S = key.shape[key.rank - 2];
  if (key.shape[key.rank - 1] !== E || value.shape[value.rank - 2] !== S) {
    throw new ShapeError(`${op}: query ${formatShape(query.shape)}, key ${formatShape(key.shape)} and value ${formatShape(value.shape)} must be [..., L, E], [..., S, E] and [..., S, Ev]`);
  }
  if (attnMask !== undefined && isCausal) throw new ValueError(`${op}: give attnMask or isCausal, not both`);
  if (scale !== undefined && (typeof scale !== 'number' || !Number.isFinite(scale))) throw new ValueError(`${op}: scale must be a finite number, got ${formatValue(scale)}`);
  if (typeof dropoutP !== 'number' || !(dropoutP >= 0 && dropoutP < 1)) throw new ValueError(`${op}: dropoutP must be a number in [0, 1), got ${formatValue(dropoutP)}`);
  if (seed !== undefined) checkSeed(op, seed);
  let groups = 1;
  if (enableGqa) {
    const [hq, hk, hv] = [query, key, value].map((t) => t.shape[t.rank - 3]);
    if (query.rank < 3 || key.rank < 3 || value.rank < 3 || hk !== hv || hq % hk !== 0) {
      throw new ShapeError(`${op}: with enableGqa, query [..., Hq, L, E] needs key and value [..., Hkv, S, ·] with Hq a multiple of Hkv, got ${formatShape(query.shape)}, ${formatShape(key.shape)} and ${formatShape(value.shape)}`);
    }
    groups = hq / hk;
  }
  return tidy(() => {
    // Each key and value head repeated for its group of query heads, as PyTorch's repeat_interleave.
    const [k, v] = groups === 1 ? [key, value] : [repeatInterleave(key, groups, -3), repeatInterleave(value, groups, -3)];
    const q = query.mul(scale ?? 1 / Math.sqrt(E));
    const dtype = query.dtype;
    let mask: Tensor | null = null;
    if (isCausal) {
      mask = causalMask(query, L, S);
    } else if (attnMask) {
      mask = isFloat(attnMask.dtype) ? attnMask.cast(dtype) : where(notEqual(attnMask, 0), 0, -Infinity).cast(dtype);
    }
    const drop = dropoutP > 0 ? (weights: Tensor) => {
      const u = onBackendOf(op, query, () => rand(weights.shape, { seed: seed ?? freshSeed(), dtype: dtype === 'f16' ? 'f16' : 'f32' }));
      return weights.mul(u.greaterEqual(dropoutP).cast(dtype)).mul(1 / (1 - dropoutP));
    } : undefined;
    return maskedAttention(q, k, v, mask, drop).output;
  });
}
