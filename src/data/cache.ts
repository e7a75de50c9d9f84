// A pass kept in memory (tf.data's cache): the first pass that reads its
// source to the end keeps a copy of every element, and later passes hand out
// copies of those instead of reading the source again (a slow map, a
// decoder, files). Its tensors are held until clearCache() frees them.
import { cloneElement, disposeElement } from './element.js';

export class ElementCache<T> {
  #kept: T[] | null = null;

  /** One pass: the source's, copied as it goes, or copies of the pass kept. */
  async *pass(source: AsyncIterable<T>): AsyncGenerator<T> {
    if (this.#kept) {
      for (const element of this.#kept) yield cloneElement(element);
      return;
    }
    const filling: T[] = [];
    let complete = false;
    try {
      for await (const element of source) {
        filling.push(cloneElement(element));
        yield element;
      }
      complete = true;
    } finally {
      // A pass stopped early (take, an error) keeps nothing, nor does one that ends after another has filled the cache.
      if (complete && !this.#kept) this.#kept = filling;
      else for (const element of filling) disposeElement(element);
    }
  }

  /** Frees the pass kept; the next pass reads the source again. */
  clear(): void {
    for (const element of this.#kept ?? []) disposeElement(element);
    this.#kept = null;
  }
}
