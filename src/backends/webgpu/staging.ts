// Read-back buffers (MAP_READ | COPY_DST), reused. A fresh one is memory the
// driver has yet to hand out: on lavapipe mapping a new 4 MiB staging buffer
// took 12–31 ms, a reused one under 1 ms. Sizes are rounded to the storage
// pool's classes, and idle ones are kept as the storage pool keeps its own
// (IdleBuffers), up to MAX_IDLE_BYTES.
import { IdleBuffers, sizeClass, wordsDown, wordsUp } from './buffers.js';
import { BufferUsage, MAP_READ } from './usage.js';

const MAX_IDLE_BYTES = 64 * 2 ** 20;

export class StagingPool {
  private readonly idle = new IdleBuffers(MAX_IDLE_BYTES);

  constructor(
    private readonly device: GPUDevice,
    /** maxBufferSize: a size class past it (a read of a tensor near it) gets the bytes rounded to 4 instead. */
    private readonly largest: number,
  ) {}

  /** An unmapped read-back buffer of at least `bytes`. */
  take(bytes: number): GPUBuffer {
    const size = Math.min(sizeClass(bytes), Math.max(wordsUp(bytes), wordsDown(this.largest)));
    return this.idle.take(size) ?? this.device.createBuffer({ label: 'read-back', size, usage: MAP_READ | BufferUsage.COPY_DST });
  }

  /** Takes back an unmapped buffer from `take`, or destroys it past the idle budget. */
  give(buffer: GPUBuffer): void {
    // Its copy was submitted before it was mapped: nothing recorded uses it.
    if (!this.idle.put(buffer)) buffer.destroy();
  }
}
