// onnxruntime's contrib ops (com.microsoft) as float64 loops of their
// definitions (docs/ContribOperators.md), the references of
// test/onnx/ops/microsoft.test.ts, and a one-node model run by
// onnxruntime-web's wasm build, which has most of them.
import * as ort from 'onnxruntime-web';
import { f16Bits, f16Value } from '../../src/f16.js';
import { erfRef, type F64 } from './float64.js';
import { onnxModel, type AttributeSpec, type OnnxTypeName } from './onnx.js';
import type { Feed } from './onnx_run.js';

export const geluRef = (x: number): number => 0.5 * x * (1 + erfRef(x / Math.SQRT2));
export const fastGeluRef = (x: number): number => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));
export const quickGeluRef = (x: number, alpha: number): number => x / (1 + Math.exp(-alpha * x));

/** x + bias, the bias 1-D over x's last axis. */
export function plusBiasRef(x: F64, bias: F64): F64 {
  const h = bias.v.length;
  return { shape: [...x.shape], v: x.v.map((v, i) => v + bias.v[i % h]) };
}

/** LayerNorm (or RMSNorm, simplified) over the last axis: y = norm·gamma (+ beta), with the mean and 1/σ per row. */
export function normalizeLastRef(x: F64, gamma: F64, beta: F64 | undefined, epsilon: number, simplified: boolean): { y: F64; mean: Float64Array; invStd: Float64Array } {
  const h = x.shape[x.shape.length - 1], rows = x.v.length / h;
  const y = new Float64Array(x.v.length), mean = new Float64Array(rows), invStd = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    const row = x.v.subarray(r * h, (r + 1) * h);
    const m = simplified ? 0 : row.reduce((a, b) => a + b, 0) / h;
    const variance = row.reduce((a, b) => a + (b - m) ** 2, 0) / h;
    const s = 1 / Math.sqrt(variance + epsilon);
    [mean[r], invStd[r]] = [m, s];
    for (let j = 0; j < h; j++) y[r * h + j] = (row[j] - m) * s * gamma.v[j] + (beta ? beta.v[j] : 0);
  }
  return { y: { shape: [...x.shape], v: y }, mean, invStd };
}

export interface AttentionRefOptions {
  heads: number;
  sizes: [number, number, number];
  bias?: F64;
  /** Additive mask per [batch, query, key] (0 or the filter value, summed), or undefined. */
  mask?: (b: number, i: number, j: number) => number;
  scale?: number;
}

/** onnxruntime's Attention: x [B, S, In] · w [In, Hq + Hk + Hv] (+ bias), split into Q, K, V, then as multiHeadRef. */
export function attentionRef(x: F64, w: F64, o: AttentionRefOptions): F64 {
  const [batch, seq, input] = x.shape, cols = w.shape[1];
  const proj = new Float64Array(batch * seq * cols);
  for (let r = 0; r < batch * seq; r++) {
    for (let c = 0; c < cols; c++) {
      let s = o.bias ? o.bias.v[c] : 0;
      for (let p = 0; p < input; p++) s += x.v[r * input + p] * w.v[p * cols + c];
      proj[r * cols + c] = s;
    }
  }
  let start = 0;
  const [q, k, v] = o.sizes.map((h) => {
    const part = new Float64Array(batch * seq * h);
    for (let r = 0; r < batch * seq; r++) for (let c = 0; c < h; c++) part[r * h + c] = proj[r * cols + start + c];
    start += h;
    return { shape: [batch, seq, h], v: part };
  });
  return multiHeadRef(q, k, v, o);
}

/** Multi-head attention of q [B, S, H], k [B, T, H], v [B, T, Hv]: per head softmax(scale·q·kᵀ + mask)·v, heads joined. */
export function multiHeadRef(q: F64, k: F64, v: F64, o: Pick<AttentionRefOptions, 'heads' | 'mask' | 'scale'>): F64 {
  const [batch, seq, hq] = q.shape, length = k.shape[1], hv = v.shape[2];
  const n = o.heads, dk = hq / n, dv = hv / n;
  const scale = o.scale ?? 1 / Math.sqrt(dk);
  const out = new Float64Array(batch * seq * hv);
  for (let b = 0; b < batch; b++) {
    for (let h = 0; h < n; h++) {
      for (let i = 0; i < seq; i++) {
        const scores = Array.from({ length }, (_, j) => {
          let s = 0;
          for (let d = 0; d < dk; d++) s += q.v[(b * seq + i) * hq + h * dk + d] * k.v[(b * length + j) * hq + h * dk + d];
          return s * scale + (o.mask ? o.mask(b, i, j) : 0);
        });
        const max = Math.max(...scores);
        const e = scores.map((s) => Math.exp(s - max));
        const total = e.reduce((a, c) => a + c, 0);
        for (let d = 0; d < dv; d++) {
          let s = 0;
          for (let j = 0; j < length; j++) s += (e[j] / total) * v.v[(b * length + j) * hv + h * dv + d];
          out[(b * seq + i) * hv + h * dv + d] = s;
        }
      }
    }
  }
  return { shape: [batch, seq, hv], v: out };
}

/** a [B, T, N·h] split into heads: [B, N, T, h]. */
export function headsRef(a: F64, heads: number): F64 {
  const [batch, t, c] = a.shape, d = c / heads;
  const v = new Float64Array(a.v.length);
  for (let b = 0; b < batch; b++) for (let n = 0; n < heads; n++) for (let i = 0; i < t; i++) for (let x = 0; x < d; x++) v[((b * heads + n) * t + i) * d + x] = a.v[(b * t + i) * c + n * d + x];
  return { shape: [batch, heads, t, d], v };
}

/** Tensors [B, T, N·h] packed as MultiHeadAttention takes them: [B, T, N, parts, h]. */
export function packedRef(parts: readonly F64[], heads: number): F64 {
  const [batch, t, c] = parts[0].shape, d = c / heads, p = parts.length;
  const v = new Float64Array(p * parts[0].v.length);
  for (let r = 0; r < batch * t; r++) for (let n = 0; n < heads; n++) for (let k = 0; k < p; k++) for (let x = 0; x < d; x++) v[((r * heads + n) * p + k) * d + x] = parts[k].v[r * c + n * d + x];
  return { shape: [batch, t, heads, p, d], v };
}

const ORT_TYPES: Partial<Record<OnnxTypeName, ort.Tensor.Type>> = {
  float: 'float32', double: 'float64', float16: 'float16', uint8: 'uint8', int8: 'int8', int16: 'int16', uint16: 'uint16', int32: 'int32', uint32: 'uint32', int64: 'int64', uint64: 'uint64', bool: 'bool',
};

function ortTensor(f: Feed): ort.Tensor {
  const type = f.type ?? 'float';
  const arrays = { bool: Uint8Array, uint8: Uint8Array, int8: Int8Array, int16: Int16Array, uint16: Uint16Array, int32: Int32Array, uint32: Uint32Array, double: Float64Array } as const;
  const values = Array.from(f.values);
  const data =
    type === 'int64' ? BigInt64Array.from(values, BigInt)
    : type === 'uint64' ? BigUint64Array.from(values, BigInt)
    : type === 'float16' ? Uint16Array.from(values, f16Bits) // onnxruntime-web takes a float16 tensor as its bits
    : type in arrays ? arrays[type as keyof typeof arrays].from(values)
    : Float32Array.from(values);
  return new ort.Tensor(ORT_TYPES[type]!, data, [...f.shape]);
}

/** An output's values as numbers: a float16 output's bits decoded. */
async function ortValues(t: ort.Tensor): Promise<Float64Array> {
  const data = (await t.getData()) as ArrayLike<number | bigint>;
  return t.type === 'float16' && data instanceof Uint16Array ? Float64Array.from(data, f16Value) : Float64Array.from(data, Number);
}

/**
 * A one-node model's outputs from onnxruntime-web (wasm), inputs fed or
 * written as initializers as `feeds` say (null leaves an optional input out),
 * `outputs` outputs (float unless outputTypes says), default opset 17 unless
 * `opset` says; graph optimizations off, so it runs the node as written.
 */
export async function ortNode(op: string, feeds: readonly (Feed | null)[], attributes: Record<string, AttributeSpec>, options: { domain?: string; opset?: number; outputs?: number; outputTypes?: readonly OnnxTypeName[] } = {}): Promise<Float64Array[]> {
  const initializers: Record<string, { type?: OnnxTypeName; shape: readonly number[]; values: ArrayLike<number> }> = {};
  const inputs: { name: string; type: OnnxTypeName; shape: readonly number[] }[] = [];
  const fed: Record<string, ort.Tensor> = {};
  const names = feeds.map((f, i) => {
    if (!f) return '';
    const name = `x${i}`;
    if (f.constant) initializers[name] = { type: f.type, shape: f.shape, values: f.values };
    else {
      inputs.push({ name, type: f.type ?? 'float', shape: f.shape });
      fed[name] = ortTensor(f);
    }
    return name;
  });
  const outputs = Array.from({ length: options.outputs ?? 1 }, (_, i) => `y${i}`);
  const bytes = onnxModel({ opset: options.opset ?? 17, inputs, outputs: outputs.map((name, i) => ({ name, type: options.outputTypes?.[i] })), nodes: [{ op, inputs: names, outputs, attributes, domain: options.domain }], initializers });
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'], graphOptimizationLevel: 'disabled' });
  try {
    const got = await session.run(fed);
    return Promise.all(outputs.map((name) => ortValues(got[name])));
  } finally {
    await session.release();
  }
}

/** EmbedLayerNormalization: LayerNorm(word[ids] + position[p] + segment[segments]) per token; positions 0… unless given. */
export function embedLayerNormRef(ids: F64, segments: F64 | undefined, word: F64, position: F64, segment: F64 | undefined, gamma: F64, beta: F64, epsilon: number, positionIds?: F64): { y: F64; sum: F64 } {
  const [batch, seq] = ids.shape, h = word.shape[1];
  const sum = new Float64Array(batch * seq * h);
  for (let t = 0; t < batch * seq; t++) {
    const p = positionIds ? positionIds.v[positionIds.shape[0] === 1 ? t % seq : t] : t % seq;
    for (let j = 0; j < h; j++) sum[t * h + j] = word.v[ids.v[t] * h + j] + position.v[p * h + j] + (segment && segments ? segment.v[segments.v[t] * h + j] : 0);
  }
  const total: F64 = { shape: [batch, seq, h], v: sum };
  return { y: normalizeLastRef(total, gamma, beta, epsilon, false).y, sum: total };
}

/** Integers of `bits` bits packed along each row, lowest bits first, rows of `rowBytes` bytes: MatMulNBits' layout of B and its zero points. */
export function packBits(rows: readonly (readonly number[])[], bits: number, rowBytes: number): number[] {
  const out = new Array(rows.length * rowBytes).fill(0);
  rows.forEach((row, r) => row.forEach((v, i) => (out[r * rowBytes + Math.floor((i * bits) / 8)] |= v << ((i * bits) % 8))));
  return out;
}

/**
 * RotaryEmbedding of x ([B, S, N·h], or [B, N, S, h] when `bnsh`): in each
 * head the first `rot` values turned by the angle of position pos(b, s),
 * pairs (i, i + rot/2), or (2i, 2i + 1) when interleaved.
 */
export function rotaryRef(x: F64, heads: number, pos: (b: number, s: number) => number, cos: F64, sin: F64, rot: number, interleaved: boolean, bnsh: boolean): F64 {
  const [batch, a, c] = x.shape;
  const seq = bnsh ? c : a, h = bnsh ? x.shape[3] : c / heads, half = rot / 2;
  const at = (b: number, s: number, n: number, d: number) => (bnsh ? ((b * heads + n) * seq + s) * h + d : (b * seq + s) * heads * h + n * h + d);
  const v = Float64Array.from(x.v);
  for (let b = 0; b < batch; b++) {
    for (let s = 0; s < seq; s++) {
      const p = pos(b, s);
      for (let n = 0; n < heads; n++) {
        for (let i = 0; i < half; i++) {
          const [c0, s0] = [cos.v[p * half + i], sin.v[p * half + i]];
          const [j, k] = interleaved ? [2 * i, 2 * i + 1] : [i, i + half];
          const [xj, xk] = [x.v[at(b, s, n, j)], x.v[at(b, s, n, k)]];
          v[at(b, s, n, j)] = xj * c0 - xk * s0;
          v[at(b, s, n, k)] = xk * c0 + xj * s0;
        }
      }
    }
  }
  return { shape: [...x.shape], v };
}
