// Large products off the event loop. Kernels return storages synchronously,
// so a large matmul returns its output array at once, still being filled by a
// worker thread, and is remembered here as pending:
// - a read (download) awaits it, so the event loop runs meanwhile (a server
//   answers, a progress bar redraws), and copies it the moment it is done;
// - any kernel given a pending input first blocks until it is done (a join
//   in the addon), so no kernel ever reads a half-written array;
// - freeing a pending storage waits too, so disposing results unread cannot
//   pile up work behind the caller's back.
// Arrays a product reads or writes, and arrays a read is waiting to copy,
// are busy: the backend must not recycle their memory until they are not.
// (The worker also holds references to its arrays, so the garbage collector
// cannot take them either.)
import type { StorageArray } from '../../dtype.js';
import { InFlight } from '../in_flight.js';
import type { Addon, GemmHandle } from './addon.js';

/**
 * A copy of the first `size` elements, in memory that is not zero-filled
 * first (every element is overwritten): half the cost of slice() for a large
 * array, which zeroes its new memory and then copies into it.
 */
export function copyOf(storage: StorageArray, size: number): StorageArray {
  const bytes = Buffer.allocUnsafeSlow(size * storage.BYTES_PER_ELEMENT).buffer as ArrayBuffer;
  const from = storage.subarray(0, size);
  let out: StorageArray;
  if (storage instanceof Float32Array) out = new Float32Array(bytes, 0, size);
  else if (storage instanceof Uint16Array) out = new Uint16Array(bytes, 0, size);
  else if (storage instanceof Int8Array) out = new Int8Array(bytes, 0, size);
  else out = new Int32Array(bytes, 0, size);
  out.set(from);
  return out;
}

/** Every product started and not yet done, across backends: a new thread count waits for them (info.ts). */
const running = new InFlight();

/** Resolves once every product started so far has finished (succeeded or failed). */
export function productsSettled(): Promise<void> {
  return running.settled();
}

interface Gemm {
  readonly handle: GemmHandle;
  readonly done: Promise<void>;
  readonly arrays: readonly StorageArray[];
  finished: boolean;
}

export class PendingGemms {
  private readonly pending = new WeakMap<StorageArray, Gemm>();
  private readonly busy = new Map<StorageArray, number>();

  constructor(private readonly addon: Addon) {}

  /** Starts a product writing `out` (reading `inputs`) on a worker thread. */
  start(out: StorageArray, inputs: readonly StorageArray[], run: (done: (error?: Error) => void) => GemmHandle): void {
    let settle!: (error?: Error) => void;
    const done = new Promise<void>((resolve, reject) => (settle = (error) => (error ? reject(error) : resolve())));
    // A failure surfaces where the result is used (a read, or the next kernel), never as an unhandled rejection.
    done.catch(() => {});
    running.track(done);
    const gemm: Gemm = { handle: run((error) => (this.finish(gemm), settle(error))), done, arrays: [...inputs, out], finished: false };
    for (const x of gemm.arrays) this.hold(x);
    this.pending.set(out, gemm);
  }

  isPending(storage: StorageArray): boolean {
    return this.pending.has(storage);
  }

  /** Whether nothing is reading or writing `storage` now, so its memory may be reused. */
  idle(storage: StorageArray): boolean {
    return !this.pending.has(storage) && !this.busy.has(storage);
  }

  /** Blocks until `storage` is complete (a no-op unless a product is still writing it); returns it. */
  settle(storage: StorageArray): StorageArray {
    const gemm = this.pending.get(storage);
    if (gemm) {
      this.addon.waitGemm(gemm.handle); // throws if the product failed: it stays pending, so every use says so
      this.finish(gemm);
      this.pending.delete(storage);
    }
    return storage;
  }

  /**
   * A copy of the first `size` elements. Taken at once when the storage is
   * complete — after an await the caller may have freed it and its memory
   * may hold something else — else the moment its product finishes.
   */
  read(storage: StorageArray, size: number): Promise<StorageArray> {
    const gemm = this.pending.get(storage);
    if (!gemm) return Promise.resolve(copyOf(storage, size));
    this.hold(storage);
    return gemm.done.then(
      () => {
        this.pending.delete(storage);
        this.release(storage);
        return copyOf(storage, size);
      },
      (err: unknown) => {
        this.release(storage);
        throw err;
      },
    );
  }

  private finish(gemm: Gemm): void {
    if (gemm.finished) return;
    gemm.finished = true;
    for (const x of gemm.arrays) this.release(x);
  }

  private hold(x: StorageArray): void {
    this.busy.set(x, (this.busy.get(x) ?? 0) + 1);
  }

  private release(x: StorageArray): void {
    const n = (this.busy.get(x) ?? 1) - 1;
    if (n > 0) this.busy.set(x, n);
    else this.busy.delete(x);
  }
}
