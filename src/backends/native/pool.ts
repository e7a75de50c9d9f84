// Recycled output memory for the native backend. A fresh large ArrayBuffer
// costs page faults on first touch (a few percent of a GEMM); reusing the
// buffers of disposed tensors, by exact byte length, avoids them — the same
// idea as a GPU buffer pool. Bounded, oldest dropped first.
import type { StorageArray } from '../../dtype.js';

export type StorageCtor<T extends StorageArray> = { new (buffer: ArrayBuffer, offset: number, length: number): T; BYTES_PER_ELEMENT: number };

const MAX_POOLED_BYTES = 256 * 2 ** 20;
// Small arrays are cheap to make; pooling them would only churn the map.
const MIN_POOLED_BYTES = 64 * 2 ** 10;

export class BufferPool {
  private readonly free = new Map<number, ArrayBuffer[]>();
  private order: ArrayBuffer[] = [];
  private bytes = 0;

  /** An array of n elements over recycled or fresh, uninitialised memory: for kernels that write every element. */
  take<T extends StorageArray>(Ctor: StorageCtor<T>, n: number): T {
    const size = n * Ctor.BYTES_PER_ELEMENT;
    const buffer = this.free.get(size)?.pop();
    if (buffer) {
      this.order = this.order.filter((b) => b !== buffer);
      this.bytes -= size;
      return new Ctor(buffer, 0, n);
    }
    return new Ctor(Buffer.allocUnsafeSlow(size).buffer as ArrayBuffer, 0, n);
  }

  /** Takes back the memory of an array nothing will read or write again. */
  give(storage: StorageArray): void {
    const buffer = storage.buffer as ArrayBuffer;
    // Only whole, unshared buffers: a view into a larger buffer may have neighbours still in use.
    if (storage.byteOffset !== 0 || buffer.byteLength !== storage.byteLength || buffer.byteLength < MIN_POOLED_BYTES) return;
    if (buffer.byteLength > MAX_POOLED_BYTES) return;
    while (this.bytes + buffer.byteLength > MAX_POOLED_BYTES && this.order.length) {
      const old = this.order.shift()!;
      const list = this.free.get(old.byteLength)!;
      list.splice(list.indexOf(old), 1);
      this.bytes -= old.byteLength;
    }
    const list = this.free.get(buffer.byteLength) ?? [];
    list.push(buffer);
    this.free.set(buffer.byteLength, list);
    this.order.push(buffer);
    this.bytes += buffer.byteLength;
  }

  get pooledBytes(): number {
    return this.bytes;
  }
}
