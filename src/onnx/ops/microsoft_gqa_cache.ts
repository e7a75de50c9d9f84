// GroupQueryAttention's cache (microsoft_group_query_attention.ts): the
// present written from the past and this step — each row's past up to its
// own length, then the step, zeros after its total — in floats, or as
// onnxruntime's CPU kernel keeps a quantized one: int8, or int4 two to a
// byte, each value its float over k_scale/v_scale (per tensor or per k/v
// head and channel), rounded half to even and saturated; the attention
// reads the floats the integers stand for.
import * as ops from '../../ops/index.js';
import type { Tensor } from '../../tensor.js';
import type { NodeCall } from '../node_call.js';
import { shapeOf } from './attention.js';

/** One run of rows' present: past's first `past` positions, then now, then zeros to `length`. */
function presentRows(past: Tensor | undefined, now: Tensor, count: number, length: number): Tensor {
  const [b, kv, s, h] = now.shape;
  const parts = past && count > 0 ? [ops.slice(past, [0, 0, 0, 0], [b, kv, count, h]), now] : [now];
  if (length > count + s) parts.push(ops.zeros([b, kv, length - count - s, h], { dtype: now.dtype }));
  return parts.length === 1 ? parts[0] : ops.concat(parts, 2);
}

/**
 * The present, `length` long: each row's past (input i, [B, N_kv, P, h])
 * up to its own past length, then its `now` [N_kv, S, h]; positions after
 * its total are zeros (onnxruntime leaves them unwritten in its fresh output).
 */
function present(call: NodeCall, i: number, name: string, past: Tensor | undefined, now: Tensor, pasts: readonly number[], length: number): Tensor {
  const [b, kv, , h] = now.shape;
  if (past && (past.rank !== 4 || past.shape[0] !== b || past.shape[1] !== kv || past.shape[3] !== h)) throw call.error(`${name} (input ${i}) is ${shapeOf(past)}; it must be [${b}, ${kv}, past length, ${h}] (BNSH, as this step's ${shapeOf(now)})`);
  const longest = Math.max(...pasts);
  if (longest > (past ? past.shape[2] : 0)) throw call.error(`${name} (input ${i}) is ${past ? shapeOf(past) : 'not given'}: it holds ${past ? past.shape[2] : 0} positions, seqlens_k says a past of ${longest}`);
  if (pasts.every((p) => p === pasts[0])) return presentRows(past, now, pasts[0], length);
  const row = (t: Tensor, r: number) => ops.slice(t, [r, 0, 0, 0], [1, ...t.shape.slice(1)]);
  return ops.concat(pasts.map((p, r) => presentRows(past && row(past, r), row(now, r), p, length)), 0);
}

/** A quantized cache's scales (k_scale, v_scale), as they broadcast against [B, N_kv, length, h], and its bits a value. */
export interface CacheScales {
  key: Tensor;
  value: Tensor;
  bits: 4 | 8;
}

/**
 * k_quant_type and v_quant_type: the cache held in integers, each value its
 * float over a scale (k_scale, input 12; v_scale, input 13) — one
 * (PER_TENSOR) or one per k/v head and channel (PER_CHANNEL, N_kv·h of them)
 * — rounded half to even and saturated, as onnxruntime's CPU kernel keeps
 * it: int8 (kv_cache_bit_width 8), or int4 (4) two to a uint8, each nibble
 * the value + 8, the first in the low nibble; undefined for a float cache.
 */
export function cacheScales(call: NodeCall, kv: number, h: number): CacheScales | undefined {
  const kind = call.string('k_quant_type', 'NONE'), valueKind = call.string('v_quant_type', 'NONE');
  const bits = call.int('kv_cache_bit_width', 0);
  if (kind === 'NONE' && valueKind === 'NONE') {
    if (bits !== 0) throw call.error(`kv_cache_bit_width = ${bits} with k_quant_type and v_quant_type NONE: a float cache has no bit width`);
    for (const [i, name] of [[12, 'k_scale'], [13, 'v_scale']] as const) if (call.has(i)) throw call.error(`${name} (input ${i}) is given, but the cache is not quantized (k_quant_type and v_quant_type are NONE)`);
    return undefined;
  }
  if (kind !== valueKind) throw call.error(`k_quant_type = ${kind} and v_quant_type = ${valueKind}: tmnn, as onnxruntime's CPU kernel, quantizes keys and values alike`);
  if (kind !== 'PER_TENSOR' && kind !== 'PER_CHANNEL') throw call.error(`k_quant_type = ${kind}; it is NONE, PER_TENSOR or PER_CHANNEL`);
  if (bits !== 8 && bits !== 4) throw call.error(`kv_cache_bit_width = ${bits}; a quantized cache is int8 (8) or int4 (4)`);
  if (bits === 4 && h % 2) throw call.error(`an int4 cache packs two values to a byte, and the head size ${h} is odd`);
  const scale = (i: number, name: string) => {
    if (!call.has(i)) throw call.error(`${name} (input ${i}) is required with a ${kind} cache`);
    const t = call.tensor(i);
    const count = kind === 'PER_TENSOR' ? 1 : kv * h;
    if (t.dtype !== 'f32' || t.size !== count) throw call.error(`${name} (input ${i}) is ${t.dtype} ${shapeOf(t)}; a ${kind} cache takes ${count} float scale${count > 1 ? `s (one per k/v head and channel: ${kv} · ${h})` : ''}`);
    return ops.reshape(t, kind === 'PER_TENSOR' ? [] : [1, kv, 1, h]);
  };
  return { key: scale(12, 'k_scale'), value: scale(13, 'v_scale'), bits };
}

/** An int4 cache's bytes [B, N_kv, P, h/2] as its values [B, N_kv, P, h] (f32): each byte's low nibble, then its high one, less 8. */
function unpackInt4(bytes: Tensor): Tensor {
  const b = ops.cast(bytes, 'f32');
  const high = ops.floor(ops.div(b, 16));
  const low = ops.sub(b, ops.mul(high, 16));
  const [batch, kv, length, half] = bytes.shape;
  return ops.sub(ops.reshape(ops.stack([low, high], 4), [batch, kv, length, 2 * half]), 8);
}

/** unpackInt4's inverse: values [B, N_kv, L, h] in [-8, 7] as bytes [B, N_kv, L, h/2] (i32). */
function packInt4(values: Tensor): Tensor {
  const [batch, kv, length, h] = values.shape;
  const [low, high] = ops.unbind(ops.reshape(ops.add(values, 8), [batch, kv, length, h / 2, 2]), 4);
  return ops.cast(ops.add(low, ops.mul(high, 16)), 'i32');
}

/**
 * The present of a cache (input i) and this step's `now` (present's
 * layout): float, or with `scale` the integers (int8, or int4 packed in
 * uint8; typed so) — the past's as given, now's quantized — and the floats
 * they stand for, which the attention reads.
 */
export function cachePresent(call: NodeCall, i: number, name: string, now: Tensor, pasts: readonly number[], length: number, scale: Tensor | undefined, bits: 4 | 8 | undefined): { stored: Tensor; read: Tensor } {
  const past = call.has(i) ? call.tensor(i) : undefined;
  if (!scale) {
    const stored = present(call, i, name, past, now, pasts, length);
    return { stored, read: stored };
  }
  const h = now.shape[3];
  if (past && ((past.dtype !== 'i32' && past.dtype !== 'i8') || (bits === 4 && (past.rank !== 4 || past.shape[3] !== h / 2)))) {
    throw call.error(`${name} (input ${i}) is ${past.dtype} ${shapeOf(past)}; ${bits === 4 ? `an int4 cache is uint8 [batch, kv heads, length, ${h / 2}] (two values a byte)` : 'a quantized cache is int8'}`);
  }
  const [lo, hi] = bits === 4 ? [-8, 7] : [-128, 127];
  const quantized = ops.clip(ops.round(ops.div(now, scale)), lo, hi);
  const pastValues = past && (bits === 4 ? unpackInt4(past) : ops.cast(past, 'f32'));
  const values = present(call, i, name, pastValues, quantized, pasts, length);
  const stored = bits === 4 ? call.typed(packInt4(values), 'uint8') : call.typed(ops.cast(values, 'i32'), 'int8');
  return { stored, read: ops.mul(values, scale) };
}
