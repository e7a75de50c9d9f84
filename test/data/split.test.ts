// randomSplit: parts that never share an element and together hold them
// all, of the sizes asked (counts, or fractions with PyTorch's rounding), the
// same every pass and for the same seed; a part of fromTensors batched by
// gathers and shuffled within itself; elements a part skips freed; and
// datasets that cannot be split refused with the reason.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { collected } from '../helpers/gc.js';

beforeAll(async () => {
  await tm.init({ backend: 'js' });
});

/** The numbers 0 … n − 1, a dataset of known size that is not rows of tensors. */
const range = (n: number) => tm.data.fromIterable(Array.from({ length: n }, (_, i) => i));

/** The numbers a dataset gives in one pass. */
const values = (ds: tm.data.Dataset<number>): Promise<number[]> => ds.toArray();

describe('randomSplit', () => {
  it.each([
    { n: 10, lengths: [7, 3], sizes: [7, 3] },
    { n: 10, lengths: [0.8, 0.2], sizes: [8, 2] },
    // floor(11·0.5) = 5 twice and floor(11·0) = 0: the one left over goes to the first part.
    { n: 11, lengths: [0.5, 0.5, 0], sizes: [6, 5, 0] },
    { n: 7, lengths: [1 / 3, 1 / 3, 1 / 3], sizes: [3, 2, 2] },
  ])('$n elements by $lengths: parts of $sizes, disjoint, together all of them, each in the dataset\'s order', async ({ n, lengths, sizes }) => {
    const parts = tm.data.randomSplit(range(n), lengths, { seed: 5 });
    expect(parts.map((p) => p.size)).toEqual(sizes);
    const seen = await Promise.all(parts.map((p) => values(p)));
    expect(seen.map((s) => s.length)).toEqual(sizes);
    expect(seen.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
    for (const s of seen) expect(s).toEqual([...s].sort((a, b) => a - b));
  });

  it('the same parts every pass and for the same seed, other parts for another; unseeded, from tm.setSeed', async () => {
    const [train] = tm.data.randomSplit(range(30), [20, 10], { seed: 1 });
    const first = await values(train);
    expect(await values(train)).toEqual(first);
    expect(await values(tm.data.randomSplit(range(30), [20, 10], { seed: 1 })[0])).toEqual(first);
    expect(await values(tm.data.randomSplit(range(30), [20, 10], { seed: 2 })[0])).not.toEqual(first);
    tm.setSeed(4);
    const a = await values(tm.data.randomSplit(range(30), [0.5, 0.5])[1]);
    tm.setSeed(4);
    expect(await values(tm.data.randomSplit(range(30), [0.5, 0.5])[1])).toEqual(a);
  });

  it('a part of fromTensors batches by gathering its rows, and shuffles within itself, its x and y rows kept together', async () => {
    const x = tm.arange(0, 40).reshape([20, 2]);
    const y = tm.arange(0, 20);
    const [train, valid] = tm.data.randomSplit(tm.data.fromTensors(x, y), [0.75, 0.25], { seed: 9 });
    const rowsOf = async (ds: tm.data.Dataset<{ x: tm.Tensor; y: tm.Tensor }>) => {
      const out: number[] = [];
      await ds.forEachAsync(async ({ x: bx, y: by }) => {
        const [xs, ys] = [await bx.data(), await by.data()];
        ys.forEach((v, i) => {
          expect([xs[2 * i], xs[2 * i + 1]]).toEqual([2 * v, 2 * v + 1]);
          out.push(v);
        });
      });
      return out;
    };
    const validRows = await rowsOf(valid.batch(4));
    expect(validRows.length).toBe(5);
    const epoch1 = await rowsOf(train.shuffle(15, { seed: 3 }).batch(4));
    expect([...epoch1].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i).filter((r) => !validRows.includes(r)));
    const shuffledTrain = train.shuffle(15, { seed: 3 }).batch(4);
    const [e1, e2] = [await rowsOf(shuffledTrain), await rowsOf(shuffledTrain)];
    expect(e1).toEqual(epoch1);
    expect(e2).not.toEqual(e1);
    expect([...e2].sort((a, b) => a - b)).toEqual([...e1].sort((a, b) => a - b));
    // Element by element, the same rows as the batches.
    const one: number[] = [];
    await train.forEachAsync(async ({ y: v }) => {
      one.push(await v.item());
    });
    expect(one).toEqual([...epoch1].sort((a, b) => a - b));
  });

  it('fit trains on one part and validates on the other', async () => {
    const x = tm.randn([24, 3], { seed: 1 });
    const y = tm.randn([24, 1], { seed: 2 });
    const [train, valid] = tm.data.randomSplit(tm.data.fromTensors(x, y), [0.75, 0.25], { seed: 1 });
    const model = new tm.nn.Sequential([new tm.nn.Dense(3, 1, { seed: 3 })]);
    const history = await model.fit(train.shuffle(18, { seed: 2 }).batch(6), { epochs: 2, validationData: valid.batch(6), quiet: true, optimizer: new tm.optim.SGD(model.parameters(), { lr: 0.1 }) });
    expect(history.loss.length).toBe(2);
    expect(history.valLoss!.length).toBe(2);
  });

  it('frees the elements a part skips', async () => {
    const x = tm.arange(0, 12).reshape([12, 1]);
    const [a] = tm.data.randomSplit(tm.data.fromTensors(x), [4, 8], { seed: 2 });
    const before = await collected();
    await a.forEachAsync(() => undefined);
    await a.batch(3).forEachAsync(() => undefined);
    expect(tm.memory().numTensors).toBe(before);
  });

  it('refuses a dataset of unknown or endless size, a shuffled one, and lengths that do not add up', () => {
    expect(() => tm.data.randomSplit(range(10).filter((v) => v > 2), [0.5, 0.5])).toThrow(new tm.ValueError("randomSplit: the dataset's size must be known and finite (a filter or a generator leaves it open)"));
    expect(() => tm.data.randomSplit([1, 2] as unknown as tm.data.Dataset<number>, [1, 1])).toThrow(new tm.ValueError('randomSplit: expects a tm.data.Dataset, got [1, 2]'));
    expect(() => tm.data.randomSplit(range(10).repeat(), [0.5, 0.5])).toThrow(new tm.ValueError("randomSplit: the dataset's size must be known and finite (repeat() without a count never ends)"));
    expect(() => tm.data.randomSplit(range(10).shuffle(10), [0.5, 0.5])).toThrow(new tm.ValueError('randomSplit: the dataset is shuffled, so its elements change places each pass; split it first, then shuffle the parts'));
    expect(() => tm.data.randomSplit(range(10), [6, 3])).toThrow(new tm.ValueError("randomSplit: lengths [6, 3] add up to 9: give counts adding up to the dataset's 10 elements, or fractions adding up to 1"));
    expect(() => tm.data.randomSplit(range(10), [0.5, -0.5, 1])).toThrow(new tm.ValueError('randomSplit: lengths must be a non-empty array of counts or fractions ≥ 0, got [0.5, -0.5, 1]'));
    expect(() => tm.data.randomSplit(range(10), [0.5, 0.5], { seeds: 1 } as never)).toThrow(/randomSplit: unknown option "seeds"/);
  });
});
