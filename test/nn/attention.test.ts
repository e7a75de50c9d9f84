import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { asF32, expectClose, randomInts, uniform } from '../helpers/data.js';
import { attentionRef, erfRef, f64, layerNormRef, linearRef, map, type AttentionRefWeights, type F64 } from '../helpers/float64.js';
import { collected } from '../helpers/gc.js';

async function asRef(t: tm.Tensor): Promise<F64> {
  return f64([...t.shape], await t.data());
}

async function attentionWeights(m: tm.nn.MultiheadAttention): Promise<AttentionRefWeights> {
  return {
    inProjWeight: await asRef(m.inProjWeight), inProjBias: m.inProjBias ? await asRef(m.inProjBias) : undefined,
    outProjWeight: await asRef(m.outProjWeight), outProjBias: m.outProjBias ? await asRef(m.outProjBias) : undefined,
  };
}

/** Random values in the bias fields (they start at zero), so that the test sees them used. */
function randomiseBiases(m: tm.nn.Module): void {
  for (const [name, p] of Object.entries(m.namedParameters())) {
    if (/bias$/i.test(name)) p.assign(tm.tensor(asF32(uniform(p.size, -0.5, 0.5)), [...p.shape]));
  }
}

const CASES = [
  { batch: 2, target: 5, source: 7, embed: 6, heads: 3, bias: true },
  { batch: 3, target: 4, source: 4, embed: 8, heads: 2, bias: false },
  { batch: 1, target: 9, source: 3, embed: 5, heads: 1, bias: true },
];

const gelu = (x: number) => 0.5 * x * (1 + erfRef(x / Math.SQRT2));

describe.each(BACKENDS)('MultiheadAttention and TransformerEncoderLayer on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it.each(CASES)('attention of $batch×$target queries over $source keys, $embed features in $heads heads, bias $bias, follows PyTorch\'s in float64, masks included', async ({ batch, target, source, embed, heads, bias }) => {
    const m = new tm.nn.MultiheadAttention(embed, heads, { bias });
    randomiseBiases(m);
    const w = await attentionWeights(m);
    const [q, k, v] = [target, source, source].map((length) => asF32(uniform(batch * length * embed)));
    const [tq, tk, tv] = [[q, target], [k, source], [v, source]].map(([values, length]) => tm.tensor(values as Float64Array, [batch, length as number, embed]));
    const [rq, rk, rv] = [[q, target], [k, source], [v, source]].map(([values, length]) => f64([batch, length as number, embed], values as Float64Array));

    const plain = m.attend(tq, tk, tv);
    const want = attentionRef(rq, rk, rv, w, heads);
    expect(plain.output.shape).toEqual([batch, target, embed]);
    expect(plain.weights.shape).toEqual([batch, heads, target, source]);
    expectClose(await plain.output.data(), want.output.v, 1e-4, 'output');
    expectClose(await plain.weights.data(), want.weights.v, 1e-4, 'weights');

    // Padding: each sample ignores a different set of keys (never all of them).
    const padded = Float32Array.from({ length: batch * source }, (_, i) => ((i % source) + Math.floor(i / source)) % 3 === 1 ? 1 : 0);
    const masked = m.attend(tq, tk, tv, { keyPaddingMask: tm.tensor(padded, [batch, source]) });
    const wantMasked = attentionRef(rq, rk, rv, w, heads, (b, _t, s) => padded[b * source + s] === 1);
    expectClose(await masked.output.data(), wantMasked.output.v, 1e-4, 'output with padding');
    const maskedWeights = await masked.weights.data();
    expectClose(maskedWeights, wantMasked.weights.v, 1e-4, 'weights with padding');
    maskedWeights.forEach((x, i) => {
      if (padded[Math.floor(i / (heads * target * source)) * source + (i % source)] === 1) expect(x).toBe(0);
    });

    if (target === source) {
      const causal = m.attend(tq, tk, tv, { causal: true });
      const wantCausal = attentionRef(rq, rk, rv, w, heads, (_b, t, s) => s > t);
      expectClose(await causal.output.data(), wantCausal.output.v, 1e-4, 'causal output');
      expectClose(await causal.weights.data(), wantCausal.weights.v, 1e-4, 'causal weights');
    }
    m.dispose();
  });

  it('self-attention\'s gradients (of x and of every weight) match float64 central differences, causal mask included', async () => {
    const [batch, time, embed, heads] = [2, 4, 6, 2];
    const m = new tm.nn.MultiheadAttention(embed, heads, { causal: true });
    randomiseBiases(m);
    const x = asF32(uniform(batch * time * embed));
    const r = asF32(uniform(batch * time * embed, -1, 1));
    const xt = tm.tensor(x, [batch, time, embed]);
    xt.requiresGrad = true;
    m.forward(xt).mul(tm.tensor(r, [batch, time, embed])).sum().backward();

    const w = await attentionWeights(m);
    const rx = f64([batch, time, embed], x);
    const loss = () => attentionRef(rx, rx, rx, w, heads, (_b, t, s) => s > t).output.v.reduce((s, v, i) => s + v * r[i], 0);
    const check = async (got: tm.Tensor | null, values: Float64Array, what: string) => {
      const want = values.map((v, i) => {
        values[i] = v + 1e-6;
        const up = loss();
        values[i] = v - 1e-6;
        const down = loss();
        values[i] = v;
        return (up - down) / 2e-6;
      });
      const scale = Math.max(...want.map(Math.abs));
      expectClose(await got!.data(), want, 1e-4, `d${what}`, want.map(() => scale));
    };
    await check(xt.grad, rx.v, 'x');
    await check(m.inProjWeight.grad, w.inProjWeight.v, 'inProjWeight');
    await check(m.inProjBias!.grad, w.inProjBias!.v, 'inProjBias');
    await check(m.outProjWeight.grad, w.outProjWeight.v, 'outProjWeight');
    await check(m.outProjBias!.grad, w.outProjBias!.v, 'outProjBias');
    m.dispose();
  });

  it.each([
    { normFirst: false, activation: 'relu' as const },
    { normFirst: true, activation: 'gelu' as const },
  ])('TransformerEncoderLayer normFirst $normFirst, $activation: attention, feed-forward, residuals and LayerNorms as PyTorch\'s (no dropout in eval)', async ({ normFirst, activation }) => {
    const [batch, time, dModel, nHead, ff] = [2, 5, 6, 3, 10];
    const layer = new tm.nn.TransformerEncoderLayer(dModel, nHead, { dimFeedforward: ff, normFirst, activation, causal: true, layerNormEps: 1e-3 });
    randomiseBiases(layer);
    for (const norm of [layer.norm1, layer.norm2]) norm.weight.assign(tm.tensor(asF32(uniform(dModel, 0.5, 1.5))));
    layer.eval();
    const x = asF32(uniform(batch * time * dModel));
    const got = layer.forward(tm.tensor(x, [batch, time, dModel]));

    const w = await attentionWeights(layer.selfAttn);
    const norm = async (n: tm.nn.LayerNorm, t: F64) => layerNormRef(t, await asRef(n.weight), await asRef(n.bias), 1e-3);
    const add = (a: F64, b: F64): F64 => ({ shape: a.shape, v: a.v.map((v, i) => v + b.v[i]) });
    const attention = (t: F64) => attentionRef(t, t, t, w, nHead, (_b, tq, s) => s > tq).output;
    const feedForward = async (t: F64) => {
      const hidden = map(linearRef(t, await asRef(layer.linear1.weight), await asRef(layer.linear1.bias!)), activation === 'relu' ? (v) => Math.max(0, v) : gelu);
      return linearRef(hidden, await asRef(layer.linear2.weight), await asRef(layer.linear2.bias!));
    };
    let h = f64([batch, time, dModel], x);
    if (normFirst) {
      h = add(h, attention(await norm(layer.norm1, h)));
      h = add(h, await feedForward(await norm(layer.norm2, h)));
    } else {
      h = await norm(layer.norm1, add(h, attention(h)));
      h = await norm(layer.norm2, add(h, await feedForward(h)));
    }
    expectClose(await got.data(), h.v, 1e-4);
    layer.dispose();
  });

  it('a transformer learns whether a token appears in a sequence, however far from the end', async () => {
    tm.setSeed(11);
    const [n, time, vocab] = [256, 6, 4];
    const tokens = randomInts(n * time, 0, vocab - 2); // token 3 planted below, in half the sequences
    const labels = Array.from({ length: n }, (_, i) => i % 2);
    labels.forEach((label, i) => {
      if (label) tokens[i * time + ((i * 7) % time)] = vocab - 1;
    });
    const x = tm.tensor(Int32Array.from(tokens), [n, time], { dtype: 'i32' });
    const y = tm.tensor(labels, [n], { dtype: 'i32' });
    const model = new tm.nn.Sequential([
      new tm.nn.Embedding(vocab, 8, { seed: 1 }),
      new tm.nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16, dropout: 0, seed: 2 }),
      new tm.nn.Flatten(),
      new tm.nn.Dense(time * 8, 2, { seed: 3 }),
    ]);
    const history = await model.fit(x, y, { epochs: 25, batchSize: 32, loss: 'crossEntropy', optimizer: new tm.optim.Adam(model.parameters(), { lr: 0.01 }), quiet: true });
    expect(history.accuracy.at(-1)!).toBeGreaterThan(0.95);
    model.dispose();
  });

  it('a query whose every key is masked attends to nothing: weights 0, output the bias, and no NaN in any gradient', async () => {
    const m = new tm.nn.MultiheadAttention(4, 2, { seed: 1 });
    randomiseBiases(m);
    const x = tm.randn([2, 3, 4], { seed: 2 });
    // Left padding under a causal mask: sample 0's first query sees only its padded first key.
    const { output, weights } = m.attend(x, x, x, { causal: true, keyPaddingMask: tm.tensor([[1, 0, 0], [0, 0, 0]]) });
    const w = (await weights.array()) as number[][][][];
    expect(w[0].map((head) => head[0])).toEqual([[0, 0, 0], [0, 0, 0]]);
    expectClose((await output.array() as number[][][])[0][0], await m.outProjBias!.data(), 1e-6);
    const keep = tm.tensor([[[0], [1], [1]], [[1], [1], [1]]]);
    tm.where(keep, m.attend(x, x, x, { causal: true, keyPaddingMask: tm.tensor([[1, 0, 0], [0, 0, 0]]) }).output, 0).sum().backward();
    for (const p of m.parameters()) expect(Array.from(await p.grad!.data()).some(Number.isNaN)).toBe(false);
    m.dispose();
  });

  it('forward leaves nothing behind (the attention weights it does not return included)', async () => {
    const m = new tm.nn.MultiheadAttention(8, 2, { seed: 1 });
    const x = tm.randn([2, 5, 8], { seed: 1 });
    tm.noGrad(() => m.forward(x).dispose());
    const before = await collected();
    tm.noGrad(() => m.forward(x).dispose());
    expect(tm.memory().numTensors).toBe(before);
    m.dispose();
  });

  it('leaves no tensor behind after a training step with dropout', async () => {
    const layer = new tm.nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 12, causal: true, seed: 1 });
    const x = tm.randn([2, 5, 8], { seed: 1 });
    const step = () => tm.tidy(() => layer.forward(x).square().mean().backward());
    step();
    const before = await collected();
    for (let i = 0; i < 3; i++) step();
    expect(tm.memory().numTensors).toBe(before);
    layer.dispose();
    x.dispose();
  });
});

describe('MultiheadAttention and TransformerEncoderLayer', () => {
  beforeAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it('holds PyTorch\'s parameters in Dense\'s x·W layout: one input projection [embed, 3·embed], Xavier-uniform, biases zero', async () => {
    const m = new tm.nn.MultiheadAttention(64, 8, { seed: 3 });
    const shapes = Object.fromEntries(Object.entries(m.namedParameters()).map(([name, p]) => [name, p.shape]));
    expect(shapes).toEqual({ inProjWeight: [64, 192], inProjBias: [192], outProjWeight: [64, 64], outProjBias: [64] });
    const v = await m.inProjWeight.data();
    const bound = Math.sqrt(6 / (64 + 192));
    expect(Math.max(...v)).toBeLessThanOrEqual(bound);
    expect(Math.max(...v)).toBeGreaterThan(0.95 * bound);
    expect(await m.inProjBias!.data()).toEqual(new Float32Array(192));
    expect(m.headDim).toBe(8);
    expect(Object.keys(new tm.nn.MultiheadAttention(4, 2, { bias: false }).namedParameters())).toEqual(['inProjWeight', 'outProjWeight']);
    const layer = new tm.nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16 });
    expect(Object.keys(layer.namedParameters())).toEqual([
      '0.inProjWeight', '0.inProjBias', '0.outProjWeight', '0.outProjBias', '1.weight', '1.bias', '2.weight', '2.bias', '3.weight', '3.bias', '4.weight', '4.bias',
    ]);
    m.dispose();
    layer.dispose();
  });

  it('refuses bad sizes, options and inputs with errors that name them', () => {
    expect(() => new tm.nn.MultiheadAttention(6, 4)).toThrow('MultiheadAttention: numHeads 4 must divide embedDim 6');
    expect(() => new tm.nn.MultiheadAttention(6, 0)).toThrow('MultiheadAttention: numHeads must be a positive integer, got 0');
    expect(() => new tm.nn.MultiheadAttention(6, 2, { dropout: -0.1 })).toThrow('MultiheadAttention: dropout must be a number in [0, 1), got -0.1');
    expect(() => new tm.nn.MultiheadAttention(6, 2, { batch_first: true } as tm.nn.MultiheadAttentionOptions)).toThrow(/unknown option "batch_first"/);
    expect(() => new tm.nn.TransformerEncoderLayer(6, 4)).toThrow('TransformerEncoderLayer: nHead 4 must divide dModel 6');
    expect(() => new tm.nn.TransformerEncoderLayer(6, 2, { activation: 'tanh' as 'relu' })).toThrow("TransformerEncoderLayer: activation must be 'relu' or 'gelu', got \"tanh\"");
    const m = new tm.nn.MultiheadAttention(6, 2);
    expect(() => m.forward(tm.zeros([2, 6]))).toThrow('MultiheadAttention: expects query of shape [batch, length, 6], got [2,6]');
    expect(() => m.attend(tm.zeros([2, 3, 6]), tm.zeros([2, 4, 6]), tm.zeros([2, 5, 6])))
      .toThrow('MultiheadAttention: query [2,3,6], key [2,4,6] and value [2,5,6] must share the batch, and key and value the length');
    expect(() => m.attend(tm.zeros([2, 3, 6]), tm.zeros([2, 4, 6]), tm.zeros([2, 4, 6]), { causal: true })).toThrow('MultiheadAttention: a causal mask needs as many keys as queries');
    expect(() => m.attend(tm.zeros([2, 3, 6]), tm.zeros([2, 4, 6]), tm.zeros([2, 4, 6]), { keyPaddingMask: tm.zeros([2, 3]) }))
      .toThrow('MultiheadAttention: keyPaddingMask must be [batch, source] = [2,4], got [2,3]');
    expect(() => new tm.nn.TransformerEncoderLayer(6, 2).forward(tm.zeros([2, 3, 5]))).toThrow('TransformerEncoderLayer: expects x of shape [batch, time, 6], got [2,3,5]');
    m.dispose();
  });

  it('computes in f16 with f16 copies of its f32 weights when given f16, masks included', async () => {
    const layer = new tm.nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16, causal: true, dropout: 0, seed: 4 });
    const x = tm.randn([2, 5, 8], { seed: 5 });
    const full = await layer.forward(x).data();
    const half = layer.forward(x.cast('f16'));
    expect(half.dtype).toBe('f16');
    expectClose(await half.data(), full, 3e-2);
    layer.dispose();
  });

  it("drops attention weights too, as PyTorch's; each dropout and weight from a stream of the seed of its own", async () => {
    const layer = new tm.nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16, dropout: 0.3, seed: 6 });
    expect(layer.selfAttn.dropout).toBe(0.3);
    expect(layer.config()).toMatchObject({ seed: 6 });
    expect(await layer.linear1.weight.data()).not.toEqual(await new tm.nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16, seed: 7 }).linear1.weight.data());
    layer.dispose();
  });

  it('passes dropout in training only', async () => {
    const layer = new tm.nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16, dropout: 0.3, seed: 6 });
    const x = tm.randn([2, 5, 8], { seed: 7 });
    expect(await layer.forward(x).data()).not.toEqual(await layer.forward(x).data());
    layer.eval();
    expect(await layer.forward(x).data()).toEqual(await layer.forward(x).data());
    layer.dispose();
  });
});
