// ONNX's random generators (src/onnx/ops/random.ts) on every backend:
// shapes and element types; a seed meaning tmnn's seed (the same draws as
// tm.randn / tm.rand with it, on every run); fresh draws per run without
// one; moments and frequencies within 6σ of the distribution's (or
// provable bounds: a uniform draw lies in [low, high), p = 0 and 1 are
// certain). onnxruntime's generators are not tmnn's, so no draw is
// compared with its (its seeded runs differ run to run, ours do not): it
// is checked to make the same shapes and element types.
import * as ort from 'onnxruntime-web';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../../src/index.js';
import { onnxSeed } from '../../../src/onnx/ops/random.js';
import { BACKENDS } from '../../helpers/backends.js';
import { expectExact, SEED, uniform } from '../../helpers/data.js';
import type { AttributeSpec, OnnxTypeName } from '../../helpers/onnx.js';
import { opModel, runOp, type Feed } from '../../helpers/onnx_run.js';
import { ortRun } from '../../helpers/ort.js';

const mean = (v: Float64Array) => v.reduce((a, b) => a + b, 0) / v.length;
const variance = (v: Float64Array) => {
  const m = mean(v);
  return v.reduce((a, b) => a + (b - m) ** 2, 0) / (v.length - 1);
};

/** |count − n·p| within 6 standard deviations of a binomial count. */
function expectFrequency(count: number, n: number, p: number, what: string): void {
  const sigma = Math.sqrt(n * p * (1 - p));
  expect(Math.abs(count - n * p), `${what}: ${count} of ${n}, p ${p} (6σ = ${6 * sigma}; seed ${SEED})`).toBeLessThanOrEqual(6 * sigma + 1e-9);
}

/** The output's dtype and values, the model run twice (two runs of one session). */
async function twoRuns(bytes: Uint8Array, inputs: tm.Tensor[] = []): Promise<{ dtype: tm.DType; first: Float64Array; second: Float64Array; shape: number[] }> {
  const model = tm.onnx.fromBytes(bytes);
  try {
    const draw = async () => {
      const y = tm.noGrad(() => model.run(inputs)).y0;
      const out = { dtype: y.dtype, shape: [...y.shape], v: Float64Array.from(await y.data()) };
      y.dispose();
      return out;
    };
    const a = await draw(), b = await draw();
    return { dtype: a.dtype, shape: a.shape, first: a.v, second: b.v };
  } finally {
    model.dispose();
  }
}

describe.each(BACKENDS)('tm.onnx random ops on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  describe('what seed means', () => {
    it('takes an integer seed in [0, 2^32) as tmnn\'s seed, any other float as its float32 bits', () => {
      expect(onnxSeed(5)).toBe(5);
      expect(onnxSeed(4294967295)).toBe(4294967295);
      expect(onnxSeed(1.5)).toBe(0x3fc00000);
      expect(onnxSeed(-1)).toBe(0xbf800000);
    });
  });

  describe('RandomNormal', () => {
    it('draws N(mean, scale²) of its shape: moments within 6σ', async () => {
      const [m, s] = [uniform(1, -3, 3)[0], uniform(1, 0.5, 2)[0]];
      const [y] = await runOp('RandomNormal', [], { shape: [101, 199], mean: { float: m }, scale: { float: s } });
      expect(y.shape).toEqual([101, 199]);
      const n = y.v.length;
      expect(Math.abs(mean(y.v) - m), `mean (seed ${SEED})`).toBeLessThanOrEqual((6 * s) / Math.sqrt(n) + 1e-6);
      // The sample variance's standard deviation is σ²·√(2/(n−1)) for normal draws.
      expect(Math.abs(variance(y.v) / (s * s) - 1), `variance (seed ${SEED})`).toBeLessThanOrEqual(6 * Math.sqrt(2 / (n - 1)));
    });

    it('with a seed, draws tm.randn\'s values for it, the same on every run; without one, fresh ones', async () => {
      const seeded = await twoRuns(opModel('RandomNormal', [], { shape: [3, 7], mean: { float: 1 }, scale: { float: 2 }, seed: { float: 42 } }));
      expectExact(seeded.second, seeded.first, 'second seeded run');
      const want = tm.randn([3, 7], { seed: 42, mean: 1, std: 2 });
      expectExact(seeded.first, Array.from(await want.data()), 'tm.randn with seed 42');
      want.dispose();
      const fractional = await twoRuns(opModel('RandomNormal', [], { shape: [5], seed: { float: 0.25 } }));
      const bits = tm.randn([5], { seed: onnxSeed(0.25) });
      expectExact(fractional.first, Array.from(await bits.data()), 'seed 0.25 as its float32 bits');
      bits.dispose();
      const fresh = await twoRuns(opModel('RandomNormal', [], { shape: [3, 7] }));
      expect(Array.from(fresh.second)).not.toEqual(Array.from(fresh.first));
    });

    it('makes float16 for dtype 10 and refuses an integer dtype or a missing shape', async () => {
      const half = await twoRuns(opModel('RandomNormal', [], { shape: [4], dtype: 10 }, { outputTypes: ['float16'] }));
      expect(half.dtype).toBe('f16');
      expect(() => tm.onnx.fromBytes(opModel('RandomNormal', [], { shape: [4], dtype: 7 })).run([])).toThrow(/\(RandomNormal\): dtype = 7 \(int64\) is not supported: RandomNormal makes float, float16, double, bfloat16/);
      expect(() => tm.onnx.fromBytes(opModel('RandomNormal', [], {})).run([])).toThrow(/\(RandomNormal\): attribute shape is required/);
    });
  });

  describe('RandomUniform', () => {
    it('draws in [low, high): every value in range, mean and the share below the midpoint within 6σ', async () => {
      const low = uniform(1, -5, 0)[0], high = low + uniform(1, 0.5, 4)[0];
      const [y] = await runOp('RandomUniform', [], { shape: [7, 3, 1001], low: { float: low }, high: { float: high } });
      expect(y.shape).toEqual([7, 3, 1001]);
      const [flo, fhi] = [Math.fround(low), Math.fround(high)];
      for (const v of y.v) if (!(v >= flo && v < fhi)) expect.fail(`${v} outside [${flo}, ${fhi}) (seed ${SEED})`);
      const n = y.v.length;
      expect(Math.abs(mean(y.v) - (flo + fhi) / 2), `mean (seed ${SEED})`).toBeLessThanOrEqual((6 * (fhi - flo)) / Math.sqrt(12 * n) + 1e-6);
      expectFrequency(y.v.filter((v) => v < (flo + fhi) / 2).length, n, 0.5, 'below the midpoint');
    });

    it('with a seed, draws tm.rand\'s values, the same on every run', async () => {
      const seeded = await twoRuns(opModel('RandomUniform', [], { shape: [2, 9], low: { float: -1 }, high: { float: 3 }, seed: { float: 7 } }));
      expectExact(seeded.second, seeded.first, 'second seeded run');
      const want = tm.rand([2, 9], { seed: 7, min: -1, max: 3 });
      expectExact(seeded.first, Array.from(await want.data()), 'tm.rand with seed 7');
      want.dispose();
    });

    it('refuses low ≥ high', async () => {
      await expect(runOp('RandomUniform', [], { shape: [2], low: { float: 1 }, high: { float: 1 } })).rejects.toThrow(/\(RandomUniform\): low = 1 must be less than high = 1/);
    });
  });

  describe('RandomNormalLike and RandomUniformLike', () => {
    it('draw in their input\'s shape and float type, or dtype\'s', async () => {
      const x = tm.zeros([3, 1, 5], { dtype: 'f16' });
      const normal = await twoRuns(opModel('RandomNormalLike', [{ shape: [3, 1, 5], values: new Float64Array(15), type: 'float16' }], { seed: { float: 3 } }, { outputTypes: ['float16'] }), [x]);
      expect([normal.shape, normal.dtype]).toEqual([[3, 1, 5], 'f16']);
      expectExact(normal.second, normal.first, 'seeded RandomNormalLike');
      const uniformAsFloat = await twoRuns(opModel('RandomUniformLike', [{ shape: [3, 1, 5], values: new Float64Array(15), type: 'float16' }], { dtype: 1 }), [x]);
      expect([uniformAsFloat.shape, uniformAsFloat.dtype]).toEqual([[3, 1, 5], 'f32']);
      for (const v of uniformAsFloat.first) expect(v >= 0 && v < 1).toBe(true);
      x.dispose();
    });

    it('draw for an integer input only with a float dtype', async () => {
      const [y] = await runOp('RandomUniformLike', [{ shape: [4, 2], values: new Float64Array(8), type: 'int64' }], { dtype: 1 });
      expect(y.shape).toEqual([4, 2]);
      // Only a constant's shape is read: values past i32's range, which no tensor holds, are no matter.
      const [z] = await runOp('RandomNormalLike', [{ shape: [3], values: [2 ** 40, -(2 ** 40), 1], type: 'int64', constant: true }], { dtype: 1 });
      expect(z.shape).toEqual([3]);
      await expect(runOp('RandomNormalLike', [{ shape: [4, 2], values: new Float64Array(8), type: 'int64' }])).rejects.toThrow(/\(RandomNormalLike\): its input is int64; without dtype its output would be int64 too, and RandomNormalLike makes only float, float16, double, bfloat16/);
    });
  });

  describe('Bernoulli', () => {
    it('draws 1 with each entry\'s probability: never for 0, always for 1, within 6σ between', async () => {
      const p = uniform(1, 0.05, 0.95)[0];
      const rows = 6001;
      const probabilities = Array.from({ length: rows * 3 }, (_, i) => [0, p, 1][i % 3]);
      const [y] = await runOp('Bernoulli', [{ shape: [rows, 3], values: probabilities }]);
      expect(y.shape).toEqual([rows, 3]);
      let ones = 0;
      for (let i = 0; i < y.v.length; i++) {
        const column = i % 3;
        if (column === 0 && y.v[i] !== 0) expect.fail(`a draw of p = 0 gave ${y.v[i]} at ${i}`);
        if (column === 2 && y.v[i] !== 1) expect.fail(`a draw of p = 1 gave ${y.v[i]} at ${i}`);
        if (column === 1) {
          if (y.v[i] !== 0 && y.v[i] !== 1) expect.fail(`a draw gave ${y.v[i]}`);
          ones += y.v[i];
        }
      }
      expectFrequency(ones, rows, Math.fround(p), 'ones');
    });

    it('makes dtype\'s type (int32, bool as i32 0/1) and repeats a seeded draw', async () => {
      const probabilities = uniform(40, 0, 1);
      const x = tm.tensor(Array.from(probabilities), [8, 5]);
      for (const dtype of [6, 9]) {
        const got = await twoRuns(opModel('Bernoulli', [{ shape: [8, 5], values: probabilities }], { dtype, seed: { float: 11 } }, { outputTypes: [dtype === 6 ? 'int32' : 'bool'] }), [x]);
        expect(got.dtype).toBe('i32');
        expectExact(got.second, got.first, `seeded Bernoulli, dtype ${dtype}`);
        const want = tm.bernoulli(x, { seed: 11 });
        expectExact(got.first, Array.from(await want.data()), 'tm.bernoulli with seed 11');
        want.dispose();
      }
      x.dispose();
    });
  });

  describe('Multinomial', () => {
    it('draws each class with its softmax probability (within 6σ), never one of weight 0', async () => {
      const weights = [Array.from(uniform(4, 0.2, 3)), [0, ...Array.from(uniform(2, 0.5, 1)), 0]];
      const logits = weights.flatMap((row) => row.map(Math.log));
      const samples = 12001;
      const [y] = await runOp('Multinomial', [{ shape: [2, 4], values: logits }], { sample_size: samples });
      expect(y.shape).toEqual([2, samples]);
      weights.forEach((row, r) => {
        const total = row.reduce((a, b) => a + b, 0);
        const counts = [0, 0, 0, 0];
        for (const c of y.v.subarray(r * samples, (r + 1) * samples)) counts[c]++;
        row.forEach((w, c) => {
          if (w === 0) expect(counts[c], `class ${c} of weight 0, row ${r}`).toBe(0);
          else expectFrequency(counts[c], samples, w / total, `row ${r} class ${c}`);
        });
      });
    });

    it('makes int32 or int64, repeats a seeded draw, and refuses a float dtype', async () => {
      const logits = uniform(15);
      const x = tm.tensor(Array.from(logits), [3, 5]);
      const got = await twoRuns(opModel('Multinomial', [{ shape: [3, 5], values: logits }], { sample_size: 6, dtype: 7, seed: { float: 2 } }, { outputTypes: ['int64'] }), [x]);
      expect([got.shape, got.dtype]).toEqual([[3, 6], 'i32']);
      expectExact(got.second, got.first, 'seeded Multinomial');
      for (const c of got.first) expect(c >= 0 && c < 5).toBe(true);
      x.dispose();
      await expect(runOp('Multinomial', [{ shape: [3, 5], values: logits }], { dtype: 1 })).rejects.toThrow(/\(Multinomial\): dtype = 1 \(float\) is not supported: Multinomial makes int32, int64/);
      await expect(runOp('Multinomial', [{ shape: [15], values: logits }])).rejects.toThrow(/\(Multinomial\): its input should be \[batch_size, class_size\], it is \[15\]/);
    });
  });
  it('makes the shapes onnxruntime makes, of the types it declares', async () => {
    const p = uniform(12, 0, 1);
    const cases: { op: string; inputs: Feed[]; attributes: Record<string, AttributeSpec>; feeds: Record<string, ort.Tensor>; type: string; outputType?: OnnxTypeName }[] = [
      { op: 'RandomNormal', inputs: [], attributes: { shape: [2, 5], seed: { float: 1 } }, feeds: {}, type: 'float32' },
      { op: 'RandomUniformLike', inputs: [{ shape: [3, 4], values: p }], attributes: {}, feeds: { x0: new ort.Tensor('float32', Float32Array.from(p), [3, 4]) }, type: 'float32' },
      { op: 'Bernoulli', inputs: [{ shape: [3, 4], values: p }], attributes: { dtype: 6 }, feeds: { x0: new ort.Tensor('float32', Float32Array.from(p), [3, 4]) }, type: 'int32', outputType: 'int32' },
      { op: 'Multinomial', inputs: [{ shape: [3, 4], values: p }], attributes: { sample_size: 5 }, feeds: { x0: new ort.Tensor('float32', Float32Array.from(p), [3, 4]) }, type: 'int32', outputType: 'int32' },
    ];
    for (const c of cases) {
      const bytes = opModel(c.op, c.inputs, c.attributes, { opset: 15, outputTypes: c.outputType ? [c.outputType] : undefined });
      const want = await ortRun(bytes, c.feeds);
      const [y] = await runOp(c.op, c.inputs, c.attributes, { opset: 15 });
      expect([c.op, y.shape]).toEqual([c.op, want.y0.dims]);
      expect([c.op, want.y0.type]).toEqual([c.op, c.type]);
    }
  });
});
