// sampleFromDatasets: datasets interleaved at random, each next element read
// from dataset i with probability proportional to weights[i] (tf.data's
// sample_from_datasets): a class-balanced stream from one dataset per class
// (PyTorch's WeightedRandomSampler, without replacement within a pass), or
// a mix of corpora in set proportions.
import { ValueError, formatValue } from '../errors.js';
import { checkOptions, type OptionNames } from '../options.js';
import { derivedSeed, rng, seedFor } from '../random.js';
import { Dataset, linked } from './dataset.js';

export interface SampleFromDatasetsOptions {
  /** Each dataset's weight (≥ 0, not all 0; default all equal): drawn in proportion among those not yet run out. */
  weights?: readonly number[];
  /** Same seed, same interleavings (pass k's from the seed and k). Without one, a fresh seed (tm.setSeed makes it reproducible). */
  seed?: number;
  /** End the pass as soon as a dataset drawn has run out, so the proportions hold to the end. Default false: go on with the rest until all have. */
  stopOnEmptyDataset?: boolean;
}

const SAMPLE_OPTIONS: OptionNames<SampleFromDatasetsOptions> = { weights: true, seed: true, stopOnEmptyDataset: 'boolean' };

/**
 * The elements of `datasets` interleaved at random: each one read next
 * from dataset i with probability weights[i]/Σ (over the datasets still
 * giving elements); each dataset's own order kept. A new interleaving each
 * pass; its seed and passes are part of stateDict, as a shuffle's are. The
 * size is the sum of the sizes where every dataset is read to its end
 * (known sizes, positive weights, stopOnEmptyDataset false); else unknown.
 */
export function sampleFromDatasets<T>(datasets: readonly Dataset<T>[], options: SampleFromDatasetsOptions = {}): Dataset<T> {
  if (!Array.isArray(datasets) || datasets.length === 0) throw new ValueError(`sampleFromDatasets: expects a non-empty array of datasets, got ${formatValue(datasets)}`);
  datasets.forEach((d, i) => {
    if (!(d instanceof Dataset)) throw new ValueError(`sampleFromDatasets: datasets[${i}] is ${formatValue(d)}, not a tm.data.Dataset`);
  });
  const { weights = datasets.map(() => 1), seed, stopOnEmptyDataset = false } = checkOptions('sampleFromDatasets', options, SAMPLE_OPTIONS);
  const valid = Array.isArray(weights) && weights.every((w) => typeof w === 'number' && Number.isFinite(w) && w >= 0) && weights.some((w) => w > 0);
  if (!valid || weights.length !== datasets.length) {
    throw new ValueError(`sampleFromDatasets: weights must be ${datasets.length} finite numbers ≥ 0, not all 0 (one per dataset), got ${formatValue(weights)}`);
  }
  const state = { seed: seedFor('sampleFromDatasets', seed), passes: 0 };
  const sizes = datasets.map((d) => d.size);
  const readToEnd = !stopOnEmptyDataset && weights.every((w) => w > 0) && sizes.every((s) => s !== null);
  const size = readToEnd ? (sizes as number[]).reduce((a, b) => a + b, 0) : null;
  return linked(new Dataset(async function* () {
    const next = rng(derivedSeed(state.seed, state.passes++));
    const iterators = datasets.map((d) => d[Symbol.asyncIterator]());
    const live = weights.map((w) => w > 0);
    try {
      for (;;) {
        const total = weights.reduce((sum, w, i) => (live[i] ? sum + w : sum), 0);
        if (total === 0) return;
        let r = next() * total;
        // The last live dataset where rounding leaves r at or past the total.
        let chosen = live.lastIndexOf(true);
        for (let i = 0; i < weights.length; i++) {
          if (!live[i]) continue;
          if (r < weights[i]) {
            chosen = i;
            break;
          }
          r -= weights[i];
        }
        const result = await iterators[chosen].next();
        if (result.done) {
          if (stopOnEmptyDataset) return;
          live[chosen] = false;
          continue;
        }
        yield result.value;
      }
    } finally {
      // Each source frees what it holds (a shuffle's buffer) when told the reader stopped.
      await Promise.allSettled(iterators.map((it) => it.return?.()));
    }
  }, size), datasets as readonly Dataset<unknown>[], state);
}
