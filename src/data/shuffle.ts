// Shuffling a stream through a buffer (tf.data's): a dataset too large to
// hold, or with no length, is shuffled by keeping `size` elements and handing
// out a random one of them as each new one comes in. A buffer as large as the
// dataset gives a uniform permutation; a smaller one mixes only nearby elements.
import { rng } from '../random.js';
import { disposeElement } from './element.js';

/** `source`'s elements in an order drawn with `seed`; elements still buffered when the reader stops are freed. */
export async function* shuffled<T>(source: AsyncIterable<T>, size: number, seed: number): AsyncGenerator<T> {
  const next = rng(seed);
  const buffer: T[] = [];
  try {
    for await (const element of source) {
      if (buffer.length < size) {
        buffer.push(element);
        continue;
      }
      const j = Math.floor(next() * size);
      const out = buffer[j];
      buffer[j] = element;
      yield out;
    }
    while (buffer.length) {
      const j = Math.floor(next() * buffer.length);
      const out = buffer[j];
      buffer[j] = buffer[buffer.length - 1];
      buffer.pop();
      yield out;
    }
  } finally {
    // A reader that stopped early (take, an error in fit) leaves these to nobody.
    for (const element of buffer) disposeElement(element);
  }
}
