// flatMap: each element replaced by the elements of the collection a
// function makes of it (tf.data's flat_map; a dataset of files becoming
// one of their records, a sequence becoming its windows). The collection is
// read as the reader asks, so a long one never sits in memory whole.
import { madeBy, type Disposable } from '../engine.js';
import { ValueError } from '../errors.js';
import { nextTensorId, type Tensor } from '../tensor.js';
import { adoptElement, describeValue, disposeElement, tensorsIn } from './element.js';

/** What flatMap's function may make of an element: a Dataset (any async iterable) or an array or other iterable. */
export type Expansion<U> = AsyncIterable<U> | Iterable<U>;

const AsyncFunction = (async () => undefined).constructor;

function isExpansion(value: unknown): value is Expansion<unknown> {
  return value !== null && typeof value === 'object' && (Symbol.asyncIterator in value || Symbol.iterator in value);
}

/**
 * Each of `source`'s elements expanded by `expand`, its items handed out in
 * order. The items are the reader's; a tensor an item holds that neither
 * came from the element nor was made since the expansion began (a constant
 * the function closes over) is copied, as map copies it. Once an element's
 * expansion is done (or the reader stops, or it fails), the element's
 * tensors and those a plain function made (a reshape a Dataset it returned
 * reads) that no item held are freed; an async function frees what it makes
 * along the way itself, as map's does.
 */
export async function* flatMapped<T, U>(source: AsyncIterable<T>, expand: (element: T) => Expansion<U> | Promise<Expansion<U>>): AsyncGenerator<U> {
  for await (const element of source) {
    const handedOn = new Set<Tensor>();
    let made: Set<Disposable> = new Set();
    try {
      const since = nextTensorId();
      let items: unknown;
      if (expand instanceof AsyncFunction) items = await expand(element);
      else ({ result: items, made } = madeBy(() => expand(element)));
      if (!isExpansion(items) || typeof items === 'string') {
        if (items instanceof Promise) items.catch(() => undefined);
        else disposeElement(items);
        throw new ValueError(`flatMap: the function must return a Dataset, an array or another iterable of elements, got ${describeValue(items)}${items instanceof Promise ? ' (declare it async)' : ''}`);
      }
      for await (const item of items as AsyncIterable<U>) {
        const adopted = adoptElement(item, since, element);
        tensorsIn(adopted, handedOn);
        yield adopted;
      }
    } finally {
      for (const t of [...tensorsIn(element), ...made]) if (!handedOn.has(t as Tensor) && !t.isDisposed) t.dispose();
    }
  }
}
