// tm.nn.embedding, PyTorch's F.embedding: the rows of a table the indices
// name, the padding row's gradient held at zero, and maxNorm's rescaling of
// the rows looked up, in the table itself, against float64 norms; the
// Embedding layer's maxNorm the same, kept through save and load.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { asF32, expectClose, uniform } from '../helpers/data.js';

/** The p-norm of each row of a table [count, dim], in float64. */
function rowNorms(table: ArrayLike<number>, count: number, dim: number, p: number): number[] {
  return Array.from({ length: count }, (_, r) => {
    const row = Array.from({ length: dim }, (_, j) => Math.abs(table[r * dim + j]));
    return p === Infinity ? Math.max(...row) : row.reduce((sum, v) => sum + v ** p, 0) ** (1 / p);
  });
}

describe.each(BACKENDS)('tm.nn.embedding on %s', (backend) => {
  const tol = backend === 'webgpu' ? 1e-4 : 1e-5;

  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  afterAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it('looks up the rows the indices name (negative from the end) and adds the gradient into them, none into the padding row', async () => {
    const [count, dim] = [7, 3];
    const table = asF32(uniform(count * dim, -2, 2));
    const weight = tm.tensor(table, [count, dim]);
    weight.requiresGrad = true;
    const ids = [[0, 6, -1], [2, 2, 5]];
    const y = tm.nn.embedding(tm.tensor(ids, undefined, { dtype: 'i32' }), weight, { paddingIdx: -2 });
    expect(y.shape).toEqual([2, 3, 3]);
    const rows = ids.flat().map((i) => (i + count) % count);
    expectClose(await y.data(), rows.flatMap((r) => Array.from(table.subarray(r * dim, (r + 1) * dim))), 0);
    y.mul(2).sum().backward();
    // Row 6 is named twice (6 and −1); row 5 is the padding row.
    const want = Array.from({ length: count * dim }, (_, i) => (Math.floor(i / dim) === 5 ? 0 : 2 * rows.filter((r) => r === Math.floor(i / dim)).length));
    expect(Array.from(await weight.grad!.data())).toEqual(want);
  });

  it.each([2, 1, Infinity, 3])('with maxNorm rescales, in place, each row looked up whose %s-norm exceeds it to that norm, and leaves the rest', async (p) => {
    const [count, dim] = [9, 5];
    const table = asF32(uniform(count * dim, -3, 3));
    const weight = tm.tensor(table, [count, dim]);
    const norms = rowNorms(table, count, dim, p);
    const maxNorm = [...norms].sort((a, b) => a - b)[4];
    const ids = tm.tensor([1, 3, 3, -1, 0, 4], undefined, { dtype: 'i32' });
    const looked = new Set([1, 3, 8, 0, 4]);
    const y = tm.nn.embedding(ids, weight, { maxNorm, normType: p });
    const want = table.map((v, i) => {
      const r = Math.floor(i / dim);
      return looked.has(r) && norms[r] > maxNorm ? (v * maxNorm) / (norms[r] + 1e-7) : v;
    });
    expectClose(await weight.data(), want, tol, 'table');
    expectClose(await y.data(), [1, 3, 3, 8, 0, 4].flatMap((r) => Array.from(want.subarray(r * dim, (r + 1) * dim))), tol, 'y');
    const after = rowNorms(await weight.data(), count, dim, p);
    for (const r of looked) expect(after[r]).toBeLessThanOrEqual(maxNorm * (1 + tol));
  });
});

describe('tm.nn.embedding', () => {
  it('is the Embedding layer\'s lookup, and refuses float indices, a table that is not 2-D and bad settings, naming them', async () => {
    const layer = new tm.nn.Embedding(4, 2, { paddingIdx: 1, seed: 3 });
    const ids = tm.tensor([3, 1, 0], undefined, { dtype: 'i32' });
    expect(await layer.forward(ids).data()).toEqual(await tm.nn.embedding(ids, layer.weight, { paddingIdx: 1 }).data());
    const table = tm.zeros([4, 2]);
    expect(() => tm.nn.embedding(tm.zeros([3]), table)).toThrow(new tm.DTypeError('embedding: indices must be integers (i32 or i8), got f32'));
    expect(() => tm.nn.embedding(ids, tm.zeros([8]))).toThrow(new tm.ShapeError('embedding: weight [8] is not a table [count, dim]'));
    expect(() => tm.nn.embedding(ids, table, { paddingIdx: 4 })).toThrow(new tm.ValueError('embedding: paddingIdx must be an integer in [-4, 4), got 4'));
    expect(() => tm.nn.embedding(ids, table, { maxNorm: 0 })).toThrow(new tm.ValueError('embedding: maxNorm must be a number > 0, got 0'));
    expect(() => tm.nn.embedding(ids, table, { maxNorm: 1, normType: -1 })).toThrow(new tm.ValueError('embedding: normType must be a number > 0 (Infinity included), got -1'));
    expect(() => tm.nn.embedding(ids, table, { max_norm: 1 } as tm.nn.EmbeddingFunctionOptions)).toThrow(/unknown option "max_norm" \(did you mean maxNorm\?\)/);
  });

  it('the Embedding layer\'s maxNorm and normType rescale the rows each forward looks up, and survive save and load (normType ∞ too)', async () => {
    for (const normType of [2, Infinity]) {
      const layer = new tm.nn.Embedding(6, 3, { seed: 4, maxNorm: 0.5, normType });
      const copy = tm.tensor(await layer.weight.data(), [6, 3]);
      const ids = tm.tensor([0, 4, 4], undefined, { dtype: 'i32' });
      const y = layer.forward(ids);
      const want = tm.nn.embedding(ids, copy, { maxNorm: 0.5, normType });
      expect(Array.from(await y.data())).toEqual(Array.from(await want.data()));
      expect(Array.from(await layer.weight.data())).toEqual(Array.from(await copy.data()));
      const config = layer.config();
      expect(config).toEqual({ type: 'Embedding', count: 6, dim: 3, maxNorm: 0.5, normType: normType === Infinity ? 'inf' : 2 });
      const dir = await mkdtemp(join(tmpdir(), 'tmnn-embedding-'));
      try {
        await new tm.nn.Sequential([layer]).save(join(dir, 'm.safetensors'));
        const loaded = (await tm.nn.load(join(dir, 'm.safetensors'))) as tm.nn.Sequential;
        const back = loaded.layers[0] as tm.nn.Embedding;
        expect([back.maxNorm, back.normType]).toEqual([0.5, normType]);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    }
    expect(() => new tm.nn.Embedding(4, 2, { maxNorm: Infinity })).toThrow(new tm.ValueError('Embedding: maxNorm must be a finite number > 0, got Infinity'));
    expect(() => new tm.nn.Embedding(4, 2, { maxNorm: 1, normType: 0 })).toThrow(new tm.ValueError('Embedding: normType must be a number > 0 (Infinity included), got 0'));
  });
});
