// Read-back buffers (MAP_READ | COPY_DST), reused. A fresh one is memory the
// driver has yet to hand out: on lavapipe mapping a new 4 MiB staging buffer
// took 12–31 ms, a reused one under 1 ms. Sizes are rounded to the storage
// pool's classes; at most MAX_IDLE_BYTES wait for reuse, the rest are
// destroyed when returned.
import { sizeClass } from './buffers.js';
import { BufferUsage, MAP_READ } from './usage.js';

const MAX_IDLE_BYTES = 64 * 2 ** 20;

export class StagingPool {
  private readonly free = new Map<number, GPUBuffer[]>();
  private idleBytes = 0;

  constructor(private readonly device: GPUDevice) {}

  /** An unmapped read-back buffer of at least `bytes`. */
  take(bytes: number): GPUBuffer {
    const size = sizeClass(bytes);
    const reused = this.free.get(size)?.pop();
    if (reused) {
      this.idleBytes -= size;
      return reused;
    }
    return this.device.createBuffer({ label: 'read-back', size, usage: MAP_READ | BufferUsage.COPY_DST });
  }

  /** Takes back an unmapped buffer from `take`, or destroys it past the idle budget. */
  give(buffer: GPUBuffer): void {
    if (this.idleBytes + buffer.size > MAX_IDLE_BYTES) {
      buffer.destroy();
      return;
    }
    const list = this.free.get(buffer.size) ?? [];
    list.push(buffer);
    this.free.set(buffer.size, list);
    this.idleBytes += buffer.size;
  }
}
