// Recycled output memory for the native backend. A fresh ArrayBuffer costs
// page faults on first touch: ~17 µs a page in this project's VMs, so a
// 64×64 product's 16 KiB output took 77 µs made fresh and 14 µs reused (and
// a large one a few percent of a GEMM). Reusing the buffers of disposed
// tensors, by exact byte length, avoids them — the same idea as a GPU
// buffer pool. Bounded, oldest dropped first.
//
// Only memory this pool handed out comes back to it: an uploaded array is the
// caller's, who may still hold it, so it is never reused. The backend decides
// when a storage is safe to give back (pending.ts: nothing still reads it).
import type { StorageArray } from '../../dtype.js';

export type StorageCtor<T extends StorageArray> = { new (buffer: ArrayBuffer, offset: number, length: number): T; BYTES_PER_ELEMENT: number };

const MAX_POOLED_BYTES = 256 * 2 ** 20;
// Under a page, V8 and malloc serve arrays from memory already touched.
const MIN_POOLED_BYTES = 4 * 2 ** 10;

export class BufferPool {
  private readonly free = new Map<number, ArrayBuffer[]>();
  private readonly mine = new WeakSet<ArrayBuffer>();
  /** The buffers held, oldest first (a Set iterates in insertion order). */
  private readonly order = new Set<ArrayBuffer>();
  private bytes = 0;

  /** An array of n elements over recycled or fresh, uninitialised memory: for kernels that write every element. */
  take<T extends StorageArray>(Ctor: StorageCtor<T>, n: number): T {
    const size = n * Ctor.BYTES_PER_ELEMENT;
    const recycled = this.free.get(size)?.pop();
    if (recycled) {
      this.order.delete(recycled);
      this.bytes -= size;
      return new Ctor(recycled, 0, n);
    }
    // Not zero-filled: zeroing a large output costs a few percent of a GEMM.
    const buffer = Buffer.allocUnsafeSlow(size).buffer as ArrayBuffer;
    if (size >= MIN_POOLED_BYTES) this.mine.add(buffer);
    return new Ctor(buffer, 0, n);
  }

  /** Takes back the memory of an array nothing will read or write again, if this pool made it. */
  give(storage: StorageArray): void {
    const buffer = storage.buffer;
    if (!(buffer instanceof ArrayBuffer) || !this.mine.has(buffer) || buffer.byteLength > MAX_POOLED_BYTES) return;
    if (this.order.has(buffer)) return; // already here (a storage freed twice)
    for (const old of this.order) {
      if (this.bytes + buffer.byteLength <= MAX_POOLED_BYTES) break;
      const list = this.free.get(old.byteLength)!;
      list.splice(list.indexOf(old), 1);
      this.order.delete(old);
      this.bytes -= old.byteLength;
    }
    const list = this.free.get(buffer.byteLength) ?? [];
    list.push(buffer);
    this.free.set(buffer.byteLength, list);
    this.order.add(buffer);
    this.bytes += buffer.byteLength;
  }

  /** Bytes held for reuse (tm.memory() counts live tensors, not these). */
  get pooledBytes(): number {
    return this.bytes;
  }
}
