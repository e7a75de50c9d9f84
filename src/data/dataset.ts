// Dataset: a description of a stream of elements, read once an epoch, that
// transforms chain into new descriptions (tf.data's Dataset, PyTorch's
// Dataset and DataLoader in one). Nothing is read until someone iterates.
//
// Who frees what: each element read from a dataset belongs to its reader. A
// transform that reads an element and does not pass it on (filter, skip,
// batch once it has stacked it, map for the parts it drops, shuffle and
// prefetch for what they hold when the reader stops) frees its tensors, so a
// pipeline leaves tm.memory() where it was, epoch after epoch.
import { ValueError, formatValue } from '../errors.js';
import { checkOptions, type OptionNames } from '../options.js';
import { derivedSeed, seedFor } from '../random.js';
import { tidy } from '../engine.js';
import { Tensor, nextTensorId } from '../tensor.js';
import { adoptElement, describeValue, disposeDropped, disposeElement, type Batched, type Element, type Leaf, type TypedArray } from './element.js';
import { ElementCache } from './cache.js';
import { prefetched } from './prefetch.js';
import { shuffled } from './shuffle.js';
import { unbatched } from './unbatch.js';
import { flatMapped, type Expansion } from './flat_map.js';
import { stackElements, type Padding } from './stack.js';

export interface ShuffleOptions {
  /** Same seed, same orders: epoch k of two datasets shuffled with one seed match. Without one, a fresh seed (tm.setSeed makes it reproducible). */
  seed?: number;
}

/** A pipeline's shuffles, each its seed and the passes it has made (Dataset.stateDict). */
export interface DatasetState {
  shuffles: { seed: number; passes: number }[];
}

/** A shuffle's seed (fixed at shuffle(), drawn when not given) and its passes: pass k's order is drawn from derivedSeed(seed, k). */
interface ShuffleState {
  seed: number;
  passes: number;
}

export interface BatchOptions {
  /** Leave out the last batch when it is short (PyTorch's drop_last): a BatchNorm never sees a batch of one. Default false. */
  dropRemainder?: boolean;
}

/** A length or null (the batch's longest) for each axis of each tensor and typed array of an element T, in its structure. */
export type PaddedShapes<T> = T extends Tensor | TypedArray ? readonly (number | null)[]
  : T extends number ? readonly []
    : T extends readonly unknown[] ? { readonly [K in keyof T]?: PaddedShapes<T[K]> }
      : T extends object ? { readonly [K in keyof T]?: PaddedShapes<T[K]> } : never;

/** The number padding each part of an element T: one for all, or numbers in its structure (parts not named get 0). */
export type PaddingValues<T> = number | (T extends Leaf ? number : { readonly [K in keyof T]?: PaddingValues<T[K]> });

export interface PaddedBatchOptions<T = Element> extends BatchOptions {
  /**
   * The shape each part is padded to, in the element's structure (`{ tokens:
   * [128], labels: [128] }`, `[[null, 3], [null]]`). Default: every axis
   * the batch's longest.
   */
  paddedShapes?: PaddedShapes<T>;
  /** What fills the padding. Default 0. */
  paddingValues?: PaddingValues<T>;
}

const SHUFFLE_OPTIONS: OptionNames<ShuffleOptions> = { seed: true };
const BATCH_OPTIONS: OptionNames<BatchOptions> = { dropRemainder: 'boolean' };
const PADDED_BATCH_OPTIONS: OptionNames<PaddedBatchOptions<unknown>> = { dropRemainder: 'boolean', paddedShapes: true, paddingValues: true };

const AsyncFunction = (async () => undefined).constructor;

/** How many batches of `size` a pass over `known` elements gives (null where the count is unknown). */
function batchCount(known: number | null, size: number, dropRemainder: boolean): number | null {
  return known === null ? null : dropRemainder ? Math.floor(known / size) : Math.ceil(known / size);
}

export class Dataset<T> implements AsyncIterable<T> {
  /**
   * The number of elements a pass gives, where known without reading them:
   * null where a filter or a generator leaves it open, Infinity where
   * repeat() has no end (fit and toArray refuse those).
   */
  readonly size: number | null;

  /**
   * A dataset whose every pass iterates what `open()` returns, of `size`
   * elements where known (tm.data's fromTensors, fromArrays, fromIterable
   * and fromGenerator make them).
   */
  constructor(private readonly open: () => AsyncIterable<T>, size: number | null = null, rows?: Rows<T>) {
    this.size = size;
    this.rows = rows;
  }

  /** Where the elements are rows of tensors (fromTensors, and a shuffle of it): what lets batch() gather whole batches. */
  private readonly rows: Rows<T> | undefined;

  /** One pass over the elements, which are the reader's to dispose (fit and forEachAsync do). */
  [Symbol.asyncIterator](): AsyncIterator<T> {
    return this.open()[Symbol.asyncIterator]();
  }

  /**
   * Each element through fn. A plain function runs in a tidy scope: the
   * tensors it makes and does not return are freed. An async one cannot be
   * (tidy does not span an await) and frees what it makes along the way
   * itself. Either way, the tensors of the element fn was given that its
   * result does not hold are freed, and a tensor made before fn ran that the
   * result holds (a constant added to every element) is copied into it.
   */
  map<U>(fn: (element: T) => U | Promise<U>): Dataset<U> {
    checkFunction('map', fn);
    const source = this;
    const apply = fn instanceof AsyncFunction ? (e: T) => fn(e) : (e: T) => runTidy('map', () => fn(e));
    return linked(new Dataset(async function* () {
      for await (const element of source) {
        let out: U;
        try {
          const since = nextTensorId();
          out = adoptElement(await apply(element), since, element);
        } catch (err) {
          disposeElement(element);
          throw err;
        }
        disposeDropped(element, out);
        yield out;
      }
    }, this.size), [this]);
  }

  /** The elements `predicate` (plain or async) keeps; the others are freed. */
  filter(predicate: (element: T) => boolean | Promise<boolean>): Dataset<T> {
    const test = predicateOn('filter', predicate);
    const source = this;
    return linked(new Dataset(async function* () {
      for await (const element of source) {
        if (await test(element)) yield element;
        else disposeElement(element);
      }
    }), [this]);
  }

  /**
   * Each element replaced by the elements of what `fn` makes of it: a
   * Dataset, an array or any (async) iterable (tf.data's flat_map, Python's
   * nested loop), read as the reader goes. fn may be async. The tensors of
   * the element that no item holds are freed once its items are out; an
   * item's tensor from outside (a constant) is copied, as map copies it.
   */
  flatMap<U>(fn: (element: T) => Expansion<U> | Promise<Expansion<U>>): Dataset<U> {
    checkFunction('flatMap', fn);
    const source = this;
    return linked(new Dataset(() => flatMapped(source, fn)), [this]);
  }

  /** Each element with its position in the pass, from `start` (default 0): [index, element] (Python's enumerate, tf.data's). */
  enumerate(start = 0): Dataset<[number, T]> {
    if (!Number.isSafeInteger(start)) throw new ValueError(`enumerate: start must be an integer, got ${formatValue(start)}`);
    const source = this;
    return linked(new Dataset(async function* () {
      let index = start;
      for await (const element of source) yield [index++, element] as [number, T];
    }, this.size), [this]);
  }

  /**
   * The elements up to the first for which `predicate` (plain or async) is
   * false (tf.data's take_while); that one is freed and the source read no
   * further.
   */
  takeWhile(predicate: (element: T) => boolean | Promise<boolean>): Dataset<T> {
    const test = predicateOn('takeWhile', predicate);
    const source = this;
    return linked(new Dataset(async function* () {
      for await (const element of source) {
        if (!(await test(element))) {
          disposeElement(element);
          return;
        }
        yield element;
      }
    }), [this]);
  }

  /**
   * The elements in random order, through a buffer of `bufferSize` (see
   * shuffle.ts): as large as the dataset for a uniform shuffle. Each pass (each
   * epoch) draws a new order; the same seed gives the same orders.
   */
  shuffle(bufferSize: number, options: ShuffleOptions = {}): Dataset<T> {
    checkCount('shuffle', 'bufferSize', bufferSize, 1);
    const state: ShuffleState = { seed: seedFor('shuffle', checkOptions('shuffle', options, SHUFFLE_OPTIONS).seed), passes: 0 };
    const source = this;
    const nextSeed = () => derivedSeed(state.seed, state.passes++);
    // Rows shuffled as their numbers, by the same draws: batch() then gathers the elements a pass of the slow way would give.
    const rows = this.rows && { ...this.rows, order: () => shuffled(this.rows!.order(), bufferSize, nextSeed()) };
    return linked(new Dataset(() => shuffled(source, bufferSize, nextSeed()), this.size, rows), [this], state);
  }

  /**
   * Consecutive elements `size` at a time, stacked into one: tensors into a
   * tensor with a leading batch axis, numbers into an f32 tensor, typed arrays
   * into a tensor of their dtype (Int32Array for class labels), tuples and
   * objects entry by entry. The elements stacked are freed.
   */
  batch(size: number, options: BatchOptions = {}): Dataset<Batched<T>> {
    checkCount('batch', 'size', size, 1);
    const dropRemainder = checkOptions('batch', options, BATCH_OPTIONS).dropRemainder ?? false;
    const rows = this.rows;
    if (rows) {
      // Each batch one gather per tensor of its rows, not `size` slices stacked: as fast as fit(x, y)'s batches.
      return linked(new Dataset(async function* () {
        let pending: number[] = [];
        for await (const row of rows.order()) {
          pending.push(row);
          if (pending.length === size) {
            yield rows.take(Int32Array.from(pending));
            pending = [];
          }
        }
        if (pending.length && !dropRemainder) yield rows.take(Int32Array.from(pending));
      }, batchCount(this.size, size, dropRemainder)), [this]);
    }
    return this.stacked(size, dropRemainder, undefined);
  }

  /**
   * As batch, for elements whose tensors and typed arrays differ in length
   * (tokenised sentences, variable-size images): each padded at the end of
   * every axis to the longest in its batch, or to `paddedShapes` (null axes
   * still the longest; fixed ones give every batch one shape, so a webgpu
   * model compiles its kernels once), with `paddingValues` (default 0) —
   * each a single value or a structure like the element's (`{ tokens:
   * 0, labels: -100 }`). tf.data's padded_batch. Pass the lengths along in
   * the element where the model needs them.
   */
  paddedBatch(size: number, options: PaddedBatchOptions<T> = {}): Dataset<Batched<T>> {
    checkCount('paddedBatch', 'size', size, 1);
    // Checked as options of any element: the structures inside are walked against each batch's elements.
    const { dropRemainder = false, paddedShapes, paddingValues } = checkOptions<PaddedBatchOptions<unknown>>('paddedBatch', options as PaddedBatchOptions<unknown>, PADDED_BATCH_OPTIONS);
    return this.stacked(size, dropRemainder, { value: paddingValues, shape: paddedShapes });
  }

  /** Batches of `size` stacked element by element (padded first where `padding` is given); the elements stacked are freed. */
  private stacked(size: number, dropRemainder: boolean, padding: Padding | undefined): Dataset<Batched<T>> {
    const source = this;
    return linked(new Dataset(async function* () {
      let pending: T[] = [];
      let read = 0;
      const stacked = () => {
        const parts = pending;
        pending = [];
        try {
          return stackElements(parts, read - parts.length, padding) as Batched<T>;
        } finally {
          for (const part of parts) disposeElement(part);
        }
      };
      try {
        for await (const element of source) {
          pending.push(element);
          read++;
          if (pending.length === size) yield stacked();
        }
        if (pending.length && !dropRemainder) yield stacked();
      } finally {
        for (const part of pending) disposeElement(part);
      }
    }, batchCount(this.size, size, dropRemainder)), [this]);
  }

  /** The first `count` elements; the source is read no further. */
  take(count: number): Dataset<T> {
    checkCount('take', 'count', count, 0);
    const source = this;
    return linked(new Dataset(async function* () {
      if (count === 0) return;
      let taken = 0;
      for await (const element of source) {
        yield element;
        if (++taken === count) return;
      }
    }, this.size === null ? (count === 0 ? 0 : null) : Math.min(this.size, count)), [this]);
  }

  /** The elements after the first `count`, which are read and freed. */
  skip(count: number): Dataset<T> {
    checkCount('skip', 'count', count, 0);
    const source = this;
    return linked(new Dataset(async function* () {
      let skipped = 0;
      for await (const element of source) {
        if (skipped < count) {
          skipped++;
          disposeElement(element);
        } else yield element;
      }
    }, this.size === null ? null : Math.max(0, this.size - count)), [this]);
  }

  /**
   * The elements `count` times over (each pass a new one: a shuffle before it
   * reshuffles); without a count, for ever, as one endless epoch (take() an epoch's worth).
   */
  repeat(count?: number): Dataset<T> {
    if (count !== undefined) checkCount('repeat', 'count', count, 0);
    const source = this;
    // Without a count, endless unless the source is known to be empty: fit and toArray refuse it rather than never end.
    const size = count === undefined ? (this.size === 0 ? 0 : Infinity) : this.size === null ? null : this.size * count;
    return linked(new Dataset(async function* () {
      for (let pass = 0; count === undefined || pass < count; pass++) {
        let any = false;
        for await (const element of source) {
          any = true;
          yield element;
        }
        // An empty dataset repeated for ever would spin without yielding.
        if (!any) return;
      }
    }, size), [this]);
  }

  /**
   * The same elements, with up to `count` of them read ahead while the reader
   * works on the current one: a source that waits on I/O (or a map that does)
   * overlaps with training. Order is kept; an error arrives in its place.
   */
  prefetch(count: number): Dataset<T> {
    checkCount('prefetch', 'count', count, 1);
    const source = this;
    return linked(new Dataset(() => prefetched(source, count), this.size), [this]);
  }

  /**
   * The same elements, the first pass that reads them all kept in memory
   * (copies) and later passes handed copies of those, the source not read
   * again: a slow map or decoder runs once. Put it before shuffle() and
   * random augmentation (they would be frozen too). The copies are held
   * until clearCache() on this dataset (or one that reads it) frees them.
   */
  cache(): Dataset<T> {
    const store = new ElementCache<T>();
    const source = this;
    return linked(new Dataset(() => store.pass(source), this.size, this.rows), [this], undefined, store as ElementCache<unknown>);
  }

  /** Frees what every cache() this dataset reads from holds; their next pass reads their source again. */
  clearCache(): void {
    for (const store of cachesOf(this)) store.clear();
  }

  /** The rows of batched elements, one element each (tf.data's unbatch): every tensor of an element split along its first axis, which they must share. */
  unbatch(): Dataset<T> {
    const source = this;
    return linked(new Dataset(() => unbatched(source)), [this]);
  }

  /** This dataset's elements, then `other`'s. */
  concatenate<U>(other: Dataset<U>): Dataset<T | U> {
    if (!(other instanceof Dataset)) throw new ValueError(`concatenate: expects a tm.data.Dataset, got ${formatValue(other)}`);
    const source = this;
    return linked(new Dataset<T | U>(async function* () {
      yield* source;
      yield* other;
    }, this.size === null || other.size === null ? null : this.size + other.size), [this, other]);
  }

  /**
   * Where the pipeline's shuffles stand (torchdata's StatefulDataLoader):
   * the seed and the passes made so far of each shuffle this dataset reads
   * from, in a depth-first walk from it. loadStateDict on the same pipeline
   * built afresh draws the orders the run that saved it would have drawn
   * next; a training checkpoint keeps it (saveTrainingState's `data`).
   */
  stateDict(): DatasetState {
    return { shuffles: shufflesOf(this).map(({ seed, passes }) => ({ seed, passes })) };
  }

  /** Puts back what stateDict gave, checked whole first (a refused state changes nothing). */
  loadStateDict(state: DatasetState): void {
    prepareDatasetLoad('loadStateDict', this, state)();
  }

  /** Calls fn (plain or async, awaited) on each element in turn; each element is freed once fn is done with it (keep() or clone what outlives it). */
  async forEachAsync(fn: (element: T) => void | Promise<void>): Promise<void> {
    checkFunction('forEachAsync', fn);
    for await (const element of this) {
      try {
        await fn(element);
      } finally {
        disposeElement(element);
      }
    }
  }

  /** Every element of one pass, in an array; they are the caller's to dispose. An infinite dataset is refused. */
  async toArray(): Promise<T[]> {
    if (this.size === Infinity) throw new ValueError('toArray: the dataset repeats for ever (repeat() without a count); take() a part of it');
    const out: T[] = [];
    try {
      for await (const element of this) out.push(element);
    } catch (err) {
      for (const element of out) disposeElement(element);
      throw err;
    }
    return out;
  }
}

/** What each dataset made by a transform reads (its sources), a shuffle's state and a cache's store: what stateDict and clearCache walk. */
const LINKS = new WeakMap<Dataset<unknown>, { sources: readonly Dataset<unknown>[]; shuffle?: ShuffleState; cache?: ElementCache<unknown> }>();

/** `dataset`, noted as reading `sources` (for a shuffle, with its state; for a cache, with its store). */
export function linked<T>(dataset: Dataset<T>, sources: readonly Dataset<unknown>[], shuffle?: ShuffleState, cache?: ElementCache<unknown>): Dataset<T> {
  LINKS.set(dataset as Dataset<unknown>, { sources, shuffle, cache });
  return dataset;
}

/** The caches `dataset` reads from, each once. */
function cachesOf(dataset: Dataset<unknown>, seen = new Set<Dataset<unknown>>()): ElementCache<unknown>[] {
  if (seen.has(dataset)) return [];
  seen.add(dataset);
  const link = LINKS.get(dataset);
  if (!link) return [];
  return [...(link.cache ? [link.cache] : []), ...link.sources.flatMap((source) => cachesOf(source, seen))];
}

/** How many shuffles `dataset` reads from (randomSplit refuses a shuffled dataset). */
export function shuffleCount(dataset: Dataset<unknown>): number {
  return shufflesOf(dataset).length;
}

/** A dataset's elements as rows, where they are (for transforms outside this file that keep them: randomSplit). */
export function rowsOf<T>(dataset: Dataset<T>): Rows<T> | undefined {
  return dataset['rows'];
}

/** The shuffles `dataset` reads from, each once, depth first (a shuffle before those it reads). */
function shufflesOf(dataset: Dataset<unknown>, seen = new Set<Dataset<unknown>>()): ShuffleState[] {
  if (seen.has(dataset)) return [];
  seen.add(dataset);
  const link = LINKS.get(dataset);
  if (!link) return [];
  return [...(link.shuffle ? [link.shuffle] : []), ...link.sources.flatMap((source) => shufflesOf(source, seen))];
}

/** Checks a saved state against the dataset's shuffles; the function that puts it back. */
export function prepareDatasetLoad(where: string, dataset: Dataset<unknown>, state: DatasetState): () => void {
  const shuffles = shufflesOf(dataset);
  const saved = (state as Partial<DatasetState> | null)?.shuffles;
  if (!Array.isArray(saved)) throw new ValueError(`${where}: expects a dataset's state ({ shuffles: [{ seed, passes }…] }, as stateDict gives), got ${formatValue(state)}`);
  if (saved.length !== shuffles.length) {
    throw new ValueError(`${where}: the state is of a pipeline with ${saved.length} shuffle${saved.length === 1 ? '' : 's'}, this dataset reads from ${shuffles.length}`);
  }
  saved.forEach((entry, i) => {
    const { seed, passes } = (entry ?? {}) as Partial<ShuffleState>;
    if (!Number.isInteger(seed) || seed! < 0 || seed! >= 2 ** 32 || !Number.isSafeInteger(passes) || passes! < 0) {
      throw new ValueError(`${where}: shuffle ${i}'s state must be { seed: an integer in [0, 2^32), passes: a count }, got ${formatValue(entry)}`);
    }
  });
  return () => saved.forEach(({ seed, passes }, i) => Object.assign(shuffles[i], { seed, passes }));
}

/**
 * A dataset's elements as rows of tensors: each pass's order of row numbers,
 * and the batch of any rows taken at once (fromTensors' gather).
 */
export interface Rows<T> {
  readonly order: () => AsyncIterable<number>;
  readonly take: (rows: Int32Array) => Batched<T>;
}

/**
 * A transform's predicate (plain, run in a tidy scope, or async) as a test
 * that gives true or false: an element whose test fails, or gives anything
 * but a boolean (a tensor is truthy whatever it holds: a filter on one would
 * keep everything), is freed and the error named after `op`.
 */
function predicateOn<T>(op: string, predicate: (element: T) => boolean | Promise<boolean>): (element: T) => Promise<boolean> {
  checkFunction(op, predicate);
  const run = predicate instanceof AsyncFunction ? (e: T) => predicate(e) : (e: T) => runTidy(op, () => predicate(e));
  return async (element) => {
    let answer: unknown;
    try {
      answer = await run(element);
    } catch (err) {
      disposeElement(element);
      throw err;
    }
    if (typeof answer !== 'boolean') {
      disposeElement(element);
      disposeElement(answer);
      throw new ValueError(`${op}: the predicate must return true or false, got ${describeValue(answer)}${answer instanceof Tensor ? ' (read it with await t.item() in an async predicate)' : ''}`);
    }
    return answer;
  };
}

/** Runs a transform's plain function in a tidy scope; one that turned out to return a Promise is named, not tidy's. */
function runTidy<U>(op: string, fn: () => U): U {
  let promised = false;
  try {
    return tidy(() => {
      const out = fn();
      promised = out instanceof Promise;
      return out;
    });
  } catch (err) {
    if (promised) throw new ValueError(`${op}: the function returned a Promise without being declared async; declare it \`async\` (its tensors are then its own to free)`);
    throw err;
  }
}

function checkFunction(op: string, fn: unknown): void {
  if (typeof fn !== 'function') throw new ValueError(`${op}: expects a function, got ${formatValue(fn)}`);
}

export function checkCount(op: string, name: string, value: number, least: number): void {
  if (!Number.isSafeInteger(value) || value < least) throw new ValueError(`${op}: ${name} must be an integer ≥ ${least}, got ${formatValue(value)}`);
}
