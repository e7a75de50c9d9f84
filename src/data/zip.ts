// zip: datasets read side by side, one element of each to an element.
import { ValueError, formatValue } from '../errors.js';
import { Dataset, linked } from './dataset.js';
import { disposeElement, isPlainObject } from './element.js';

type Zipped<D> = { -readonly [K in keyof D]: D[K] extends Dataset<infer T> ? T : never };

/**
 * Datasets side by side: from a tuple of datasets, tuples of their elements
 * (zip([xs, ys]) gives [x, y]); from an object of them, objects (zip({ x: xs,
 * y: ys }) gives { x, y }). It ends with the shortest; the elements the
 * longer ones gave for a last step that the shortest could not fill are freed.
 */
export function zip<const D extends readonly Dataset<unknown>[] | { readonly [key: string]: Dataset<unknown> }>(datasets: D): Dataset<Zipped<D>> {
  const isTuple = Array.isArray(datasets);
  if (!isTuple && !isPlainObject(datasets)) throw new ValueError(`zip: expects an array or an object of datasets, got ${formatValue(datasets)}`);
  const keys = Object.keys(datasets);
  const parts = keys.map((k) => (datasets as Record<string, unknown>)[k]);
  if (!parts.length) throw new ValueError('zip: expects at least one dataset');
  parts.forEach((d, i) => {
    if (!(d instanceof Dataset)) throw new ValueError(`zip: ${isTuple ? `datasets[${i}]` : keys[i]} is ${formatValue(d)}, not a tm.data.Dataset`);
  });
  const sources = parts as Dataset<unknown>[];
  const sizes = sources.map((d) => d.size);
  const size = sizes.some((s) => s === null) ? null : Math.min(...(sizes as number[]));
  return linked(new Dataset(async function* () {
    const iterators = sources.map((d) => d[Symbol.asyncIterator]());
    try {
      for (;;) {
        const results = await Promise.allSettled(iterators.map((it) => it.next()));
        const values = results.flatMap((r) => (r.status === 'fulfilled' && !r.value.done ? [r.value.value] : []));
        const failed = results.find((r) => r.status === 'rejected');
        if (failed || values.length < iterators.length) {
          for (const v of values) disposeElement(v);
          if (failed) throw (failed as PromiseRejectedResult).reason;
          return;
        }
        yield (isTuple ? values : Object.fromEntries(keys.map((k, i) => [k, values[i]]))) as Zipped<D>;
      }
    } finally {
      await Promise.allSettled(iterators.map((it) => it.return?.()));
    }
  }, size), sources);
}
