// Opset 23's LLM ops as float64 loops of the ONNX definitions
// (onnx/reference/ops/op_attention.py, op_rotary_embedding.py,
// op_rms_normalization.py): the references of test/onnx/ops/attention.test.ts.
import { size, type F64 } from './float64.js';

export interface Attention23Options {
  pastKey?: F64;
  pastValue?: F64;
  /** attn_mask as given, broadcast to [B, N_q, S, T]: bool (1 keeps) or float (added). */
  mask?: { m: F64; bool: boolean };
  causal?: boolean;
  /** onnxruntime's smooth softmax: head n's logit joins each row's denominator, exp(s_j) / (exp(sink) + Σ exp(s)). */
  sink?: (head: number) => number;
  /** Opset 24's nonpad_kv_seqlen: each row's count of valid keys. */
  nonpad?: readonly number[];
  scale?: number;
  softcap?: number;
  mode?: number;
}

export interface Attention23Result {
  y: F64;
  presentKey: F64;
  presentValue: F64;
  qk: F64;
}

/** a [B, L, N·h] as [B, N, L, h]. */
export function toHeads(a: F64, heads: number): F64 {
  const [batch, l, c] = a.shape, d = c / heads;
  const v = new Float64Array(a.v.length);
  for (let b = 0; b < batch; b++) for (let n = 0; n < heads; n++) for (let i = 0; i < l; i++) for (let x = 0; x < d; x++) v[((b * heads + n) * l + i) * d + x] = a.v[(b * l + i) * c + n * d + x];
  return { shape: [batch, heads, l, d], v };
}

/** a [B, N, L, h] as [B, L, N·h]. */
export function fromHeads(a: F64): F64 {
  const [batch, heads, l, d] = a.shape;
  const v = new Float64Array(a.v.length);
  for (let b = 0; b < batch; b++) for (let n = 0; n < heads; n++) for (let i = 0; i < l; i++) for (let x = 0; x < d; x++) v[(b * l + i) * heads * d + n * d + x] = a.v[((b * heads + n) * l + i) * d + x];
  return { shape: [batch, l, heads * d], v };
}

/** a and b [B, N, ·, h] joined along the sequence axis. */
export function concatSequence(a: F64, b: F64): F64 {
  const [batch, n, la, d] = a.shape, lb = b.shape[2];
  const v = new Float64Array(batch * n * (la + lb) * d);
  for (let r = 0; r < batch * n; r++) {
    v.set(a.v.subarray(r * la * d, (r + 1) * la * d), r * (la + lb) * d);
    v.set(b.v.subarray(r * lb * d, (r + 1) * lb * d), r * (la + lb) * d + la * d);
  }
  return { shape: [batch, n, la + lb, d], v };
}

/** The mask's value at [b, n, i, j], numpy-broadcast from its own shape. */
function maskAt(m: F64, b: number, n: number, i: number, j: number): number {
  const idx = [b, n, i, j].slice(4 - m.shape.length);
  let o = 0;
  m.shape.forEach((d, k) => (o = o * d + (d === 1 ? 0 : idx[k])));
  return m.v[o];
}

/**
 * Attention of q [B, N_q, S, h], k [B, N_kv, L, h], v [B, N_kv, L, hv] (4-D),
 * as the ONNX reference computes it: the past joined first; q head n reads
 * k/v head ⌊n·N_kv/N_q⌋; scale·q·kᵀ, softcapped, then the mask (float added,
 * bool and causal −∞; causal keeps j ≤ past + i, or with nonpad and no
 * past j ≤ nonpad_b − S + i; keys j ≥ nonpad_b −∞); softmax; ·v. The qk
 * output in the stages' order, as onnxruntime gives it: mode 0 scale·q·kᵀ, 1
 * after the softcap, 2 with the mask, 3 the softmax (the spec's text names
 * 1 and 2 the other way round, from when the softcap came after the mask).
 */
export function attention23Ref(q: F64, k: F64, v: F64, o: Attention23Options = {}): Attention23Result {
  const presentKey = o.pastKey ? concatSequence(o.pastKey, k) : k;
  const presentValue = o.pastValue ? concatSequence(o.pastValue, v) : v;
  const [batch, qHeads, seq, dk] = q.shape, [, kvHeads, total] = presentKey.shape, dv = v.shape[3];
  const past = o.pastKey ? o.pastKey.shape[2] : 0;
  const scale = o.scale ?? 1 / Math.sqrt(dk);
  const y = new Float64Array(batch * qHeads * seq * dv), qk = new Float64Array(batch * qHeads * seq * total);
  for (let b = 0; b < batch; b++) {
    for (let n = 0; n < qHeads; n++) {
      const g = Math.floor(n / (qHeads / kvHeads));
      for (let i = 0; i < seq; i++) {
        const raw: number[] = [], capped: number[] = [], scores: number[] = [];
        for (let j = 0; j < total; j++) {
          let s = 0;
          for (let d = 0; d < dk; d++) s += q.v[((b * qHeads + n) * seq + i) * dk + d] * presentKey.v[((b * kvHeads + g) * total + j) * dk + d];
          s *= scale;
          let bias = 0;
          if (o.mask) {
            const m = maskAt(o.mask.m, b, n, i, j);
            bias += o.mask.bool ? (m ? 0 : -Infinity) : m;
          }
          const last = o.nonpad && !o.pastKey ? o.nonpad[b] - seq + i : past + i;
          if (o.causal && j > last) bias = -Infinity;
          if (o.nonpad && j >= o.nonpad[b]) bias = -Infinity;
          const c = o.softcap ? o.softcap * Math.tanh(s / o.softcap) : s;
          raw.push(s);
          capped.push(c);
          scores.push(c + bias);
        }
        const sink = o.sink?.(n);
        const max = Math.max(...scores, sink ?? -Infinity);
        const e = scores.map((s) => Math.exp(s - max));
        const sum = e.reduce((a, c) => a + c, sink === undefined ? 0 : Math.exp(sink - max));
        const p = e.map((x) => x / sum);
        const chosen = [raw, capped, scores, p][o.mode ?? 0];
        for (let j = 0; j < total; j++) qk[((b * qHeads + n) * seq + i) * total + j] = chosen[j];
        for (let d = 0; d < dv; d++) {
          let s = 0;
          for (let j = 0; j < total; j++) s += p[j] * presentValue.v[((b * kvHeads + g) * total + j) * dv + d];
          y[((b * qHeads + n) * seq + i) * dv + d] = s;
        }
      }
    }
  }
  return { y: { shape: [batch, qHeads, seq, dv], v: y }, presentKey, presentValue, qk: { shape: [batch, qHeads, seq, total], v: qk } };
}

/** RMSNormalization: x/√(mean(x²) + ε)·scale over the axes from `axis` on, scale broadcast over them. */
export function rmsNormRef(x: F64, scale: F64, axis: number, epsilon: number): F64 {
  const a = axis < 0 ? axis + x.shape.length : axis;
  const inner = size(x.shape.slice(a)), rows = x.v.length / inner;
  const v = new Float64Array(x.v.length);
  for (let r = 0; r < rows; r++) {
    let ms = 0;
    for (let j = 0; j < inner; j++) ms += x.v[r * inner + j] ** 2;
    const inv = 1 / Math.sqrt(ms / inner + epsilon);
    for (let j = 0; j < inner; j++) v[r * inner + j] = x.v[r * inner + j] * inv * scale.v[j % scale.v.length];
  }
  return { shape: [...x.shape], v };
}
