// Reading ahead: the next elements are asked for while the reader works on
// this one, so a source that waits (a file, the network, a GPU readback in a
// map) makes its elements while a training step runs rather than after it.
import { disposeElement } from './element.js';

/**
 * `source`'s elements in order, with up to `ahead` of them asked for before
 * the reader takes them. The requests queue in order, so no element is read
 * out of turn. An error reaches the reader at its place in the stream;
 * elements read ahead that no one takes are freed.
 */
export async function* prefetched<T>(source: AsyncIterable<T>, ahead: number): AsyncGenerator<T> {
  // Through an async generator of our own, whose requests queue, whatever iterator the source's is.
  const iterator = (async function* () {
    yield* source;
  })();
  const pending: Promise<IteratorResult<T>>[] = [];
  let ended = false;
  const request = () => {
    const result = iterator.next();
    // Also marks the promise handled: a failure read ahead is thrown when its turn comes, not as an unhandled rejection.
    result.then((r) => void (ended ||= r.done === true), () => void (ended = true));
    pending.push(result);
  };
  try {
    for (;;) {
      while (!ended && pending.length <= ahead) request();
      const { done, value } = await pending.shift()!;
      if (done) return;
      yield value;
    }
  } finally {
    for (const result of pending) {
      try {
        const r = await result;
        if (!r.done) disposeElement(r.value);
      } catch {
        // The reader stopped before this failure's turn: nobody asked for it.
      }
    }
    await iterator.return?.();
  }
}
