// randomSplit: a dataset cut at random into parts that never share an
// element (PyTorch's torch.utils.data.random_split): a training set and a
// validation set drawn once, the same ones every epoch.
import { ValueError, formatValue } from '../errors.js';
import { checkOptions, type OptionNames } from '../options.js';
import { permutation, seedFor } from '../random.js';
import { Dataset, linked, rowsOf, shuffleCount, type Rows } from './dataset.js';
import { disposeElement } from './element.js';

export interface RandomSplitOptions {
  /** Same seed, same parts. Without one, a fresh seed (tm.setSeed makes it reproducible). */
  seed?: number;
}

const SPLIT_OPTIONS: OptionNames<RandomSplitOptions> = { seed: true };

/**
 * How many elements each part gets: `lengths` as counts adding up to
 * `size`, or as fractions adding up to 1, each floor(size·f) and what the
 * rounding leaves one each to the first parts (PyTorch's rule).
 */
function partSizes(lengths: readonly number[], size: number): number[] {
  if (!Array.isArray(lengths) || lengths.length === 0 || lengths.some((l) => typeof l !== 'number' || !Number.isFinite(l) || l < 0)) {
    throw new ValueError(`randomSplit: lengths must be a non-empty array of counts or fractions ≥ 0, got ${formatValue(lengths)}`);
  }
  const total = lengths.reduce((a, b) => a + b, 0);
  if (lengths.every(Number.isInteger) && total === size) return [...lengths];
  if (Math.abs(total - 1) > 1e-9) {
    throw new ValueError(`randomSplit: lengths ${formatValue(lengths)} add up to ${total}: give counts adding up to the dataset's ${size} elements, or fractions adding up to 1`);
  }
  const counts = lengths.map((f) => Math.floor(size * f));
  let left = size - counts.reduce((a, b) => a + b, 0);
  for (let i = 0; left > 0; i = (i + 1) % counts.length, left--) counts[i]++;
  return counts;
}

/**
 * `dataset` cut into parts of the sizes `lengths` gives (counts, or
 * fractions of its size): which element goes where is drawn once, from
 * `seed`, and each part reads the same elements every pass, in the
 * dataset's order (shuffle a part to mix it). The dataset's size must be
 * known and finite, and it must not be shuffled itself (its elements would
 * change places each pass, and leak from one part to another): split first,
 * then shuffle. A part of tm.data.fromTensors keeps its batches gathered
 * whole. Elements a part does not take are read and freed.
 */
export function randomSplit<T>(dataset: Dataset<T>, lengths: readonly number[], options: RandomSplitOptions = {}): Dataset<T>[] {
  if (!(dataset instanceof Dataset)) throw new ValueError(`randomSplit: expects a tm.data.Dataset, got ${formatValue(dataset)}`);
  const size = dataset.size;
  if (size === null || size === Infinity) {
    throw new ValueError(`randomSplit: the dataset's size must be known and finite (${size === null ? 'a filter or a generator leaves it open' : 'repeat() without a count never ends'})`);
  }
  if (shuffleCount(dataset) > 0) throw new ValueError('randomSplit: the dataset is shuffled, so its elements change places each pass; split it first, then shuffle the parts');
  const counts = partSizes(lengths, size);
  const seed = seedFor('randomSplit', checkOptions('randomSplit', options, SPLIT_OPTIONS).seed);
  const order = permutation(size, seed);
  // part[i]: the part element i of a pass goes to.
  const part = new Int32Array(size);
  let start = 0;
  counts.forEach((count, p) => {
    for (const i of order.subarray(start, start + count)) part[i] = p;
    start += count;
  });
  const rows = rowsOf(dataset);
  return counts.map((count, p) => {
    const partRows: Rows<T> | undefined = rows && {
      order: async function* () {
        for await (const row of rows.order()) if (part[row] === p) yield row;
      },
      take: rows.take,
    };
    return linked(new Dataset(async function* () {
      let i = 0;
      for await (const element of dataset) {
        if (part[i++] === p) yield element;
        else disposeElement(element);
      }
    }, count, partRows), [dataset]);
  });
}
