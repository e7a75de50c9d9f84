import { it } from 'vitest';
import { ortNode } from './helpers/onnx_microsoft.js';

it('probe', async () => {
  const h = 16, P = 3, N = 2, KV = 2;
  const fl = (shape: number[], base: number, amp = 1) => ({ shape, values: Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => amp * Math.sin(i * 0.7 + base)) });
  const q = fl([1, 1, N * h], 1), k = fl([1, 1, KV * h], 2, 2), v = fl([1, 1, KV * h], 3);
  k.values[0] = 1.25; k.values[1] = 1.75; k.values[2] = -1.25;
  const i8 = (shape: number[], base: number) => ({ shape, values: Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => Math.round(100 * Math.sin(i * 0.7 + base))), type: 'int8' as const });
  const pk = i8([1, KV, P, h], 4), pv = i8([1, KV, P, h], 5);
  const i32 = (values: number[], shape = [values.length]) => ({ shape, values, type: 'int32' as const, constant: true });
  // per tensor, rounding
  const half = { shape: [1], values: [0.5], constant: true };
  const o = await ortNode('GroupQueryAttention', [q, k, v, pk, pv, i32([P]), i32([P + 1], []), null, null, null, null, null, half, half], { num_heads: N, kv_num_heads: KV, k_quant_type: 'PER_TENSOR', v_quant_type: 'PER_TENSOR', kv_cache_bit_width: 8 }, { domain: 'com.microsoft', outputs: 3, outputTypes: ['float', 'int8', 'int8'] });
  console.log('ok round 2.5,3.5,-2.5 ->', Array.from(o[1]).slice(P * h, P * h + 3).join(' '));
  for (const shape of [[KV * h], [KV, 1, h], [1, KV, 1, h], [KV, h], [1, KV, h]]) {
    const sc = { shape, values: Array.from({ length: KV * h }, (_, i) => 0.01 + 0.001 * i), constant: true };
    try {
      const out = await ortNode('GroupQueryAttention', [q, k, v, pk, pv, i32([P]), i32([P + 1], []), null, null, null, null, null, sc, sc], { num_heads: N, kv_num_heads: KV, k_quant_type: 'PER_CHANNEL', v_quant_type: 'PER_CHANNEL', kv_cache_bit_width: 8 }, { domain: 'com.microsoft', outputs: 3, outputTypes: ['float', 'int8', 'int8'] });
      console.log('ok', JSON.stringify(shape), 'head1 last', Array.from(out[1]).slice((P + 1) * h + P * h, (P + 1) * h + P * h + 4).join(' '), 'want', [0, 1, 2, 3].map((d) => Math.round(k.values[h + d] / (0.01 + 0.001 * (h + d)))).join(' '));
    } catch (e) { console.log('err', JSON.stringify(shape), (e as Error).message.slice(0, 300)); }
  }
});
