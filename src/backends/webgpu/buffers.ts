// GPU buffers for tensors, reused: creating a buffer costs a driver call and
// zeroing, so a freed tensor's buffer goes back to a pool and serves the next
// tensor of its size class. Sizes are rounded to classes (256-byte steps up to
// 64 KiB, then eight steps per power of two, so at most 12.5% is wasted) so
// that shapes which differ a little still share buffers.
//
// Reuse is safe without waiting for the GPU: commands run in submission
// order, so a dispatch that writes a recycled buffer runs after every
// dispatch that read it as the previous tensor. Destroying is not: work
// recorded but not yet submitted may still read a freed buffer, and a submit
// that uses a destroyed buffer fails validation, so a buffer past the idle
// budget is destroyed only once that work is submitted (`retire`).
import FlatQueue from 'flatqueue';
import { ValueError } from '../../errors.js';
import { BufferUsage } from './usage.js';

const USAGE = BufferUsage.STORAGE | BufferUsage.COPY_SRC | BufferUsage.COPY_DST;

/** The pool keeps at most this many idle bytes; beyond it, freed buffers are destroyed. */
const MAX_IDLE_BYTES = 512 * 2 ** 20;

/** Bytes rounded up, and down, to whole 4-byte words: buffer sizes stay multiples of 4 (lavapipe's maxBufferSize, 2^32 − 1, is not; Vulkan refused it as out of memory). */
export const wordsUp = (bytes: number) => Math.ceil(bytes / 4) * 4;
export const wordsDown = (bytes: number) => bytes - (bytes % 4);

/** The size a request for `bytes` gets (a multiple of 16): few sizes, so freed buffers fit later requests. */
export function sizeClass(bytes: number): number {
  const b = Math.max(16, Math.ceil(bytes / 16) * 16);
  if (b <= 65536) return Math.ceil(b / 256) * 256;
  const step = 2 ** (Math.floor(Math.log2(b)) - 3);
  return Math.ceil(b / step) * step;
}

export interface PoolStats {
  /** Buffers handed out and not yet released. */
  live: number;
  /** Idle buffers waiting for reuse, and their bytes. */
  idle: number;
  idleBytes: number;
  /** Buffers ever created: flat across a steady loop means everything is reused. */
  created: number;
}

/**
 * Buffers waiting for reuse, by exact size, up to a budget of idle bytes: the
 * free lists of the storage pool here and of the read-back pool (staging.ts).
 *
 * A size's free list hands out its oldest buffer (the first this pool kept),
 * not the one freed last. A repeated step then gets the same buffer for each
 * of its tensors every time, whatever order the last step freed them in, so
 * the bind groups kept for its launches (commands.ts) serve every step. Taking
 * the last freed made each step a permutation of the one before: a tiny MLP's
 * step went through thousands of buffer combinations before repeating, and
 * made most of its bind groups afresh.
 */
export class IdleBuffers {
  /** By size, idle buffers by age, oldest first out. */
  private readonly free = new Map<number, FlatQueue<GPUBuffer>>();
  /** Each buffer's age: the order this pool first kept it in. */
  private readonly ages = new WeakMap<GPUBuffer, number>();
  private nextAge = 0;
  private idleCount = 0;
  private idleBytes = 0;

  constructor(private readonly maxBytes: number) {}

  get count(): number {
    return this.idleCount;
  }

  get bytes(): number {
    return this.idleBytes;
  }

  /** The oldest idle buffer of exactly `size` bytes, if there is one. */
  take(size: number): GPUBuffer | undefined {
    const buffer = this.free.get(size)?.pop();
    if (buffer) {
      this.idleCount--;
      this.idleBytes -= size;
    }
    return buffer;
  }

  /** Keeps `buffer` for reuse; false (kept not) past the budget, for the caller to destroy. */
  put(buffer: GPUBuffer): boolean {
    const { size } = buffer; // a native getter in Dawn's Node binding
    if (this.idleBytes + size > this.maxBytes) return false;
    let age = this.ages.get(buffer);
    if (age === undefined) this.ages.set(buffer, (age = this.nextAge++));
    let queue = this.free.get(size);
    if (!queue) this.free.set(size, (queue = new FlatQueue<GPUBuffer>()));
    queue.push(buffer, age);
    this.idleCount++;
    this.idleBytes += size;
    return true;
  }

  /** Lets go of every idle buffer, each handed to `dispose`. */
  clear(dispose: (buffer: GPUBuffer) => void): void {
    for (const queue of this.free.values()) for (let b = queue.pop(); b; b = queue.pop()) dispose(b);
    this.free.clear();
    this.idleCount = 0;
    this.idleBytes = 0;
  }
}

export class BufferPool {
  private readonly idle = new IdleBuffers(MAX_IDLE_BYTES);
  private live = 0;
  private created = 0;

  constructor(
    private readonly device: GPUDevice,
    /**
     * The most a kernel can bind of one buffer (maxStorageBufferBindingSize),
     * the largest buffer (maxBufferSize), the device's name for the error past
     * it, and where buffers past the first are marked (windows.ts).
     */
    private readonly limits: { readonly bindable: number; readonly largest: number; readonly device: string; readonly oversized: WeakSet<GPUBuffer> },
    /** Destroys a buffer the pool lets go of, once the work recorded so far is submitted. */
    private readonly retire: (buffer: GPUBuffer) => void = (buffer) => buffer.destroy(),
    /** Runs on every buffer handed out (the test mode poisons it). */
    private readonly onAcquire?: (buffer: GPUBuffer) => void,
  ) {}

  /** Throws a clear error when a tensor of `bytes` is past the largest buffer the device makes. */
  checkFits(bytes: number): void {
    const { largest, device } = this.limits;
    if (wordsUp(bytes) > largest) {
      throw new ValueError(
        `webgpu: a tensor of ${bytes.toLocaleString('en-US')} bytes is more than this device (${device}) holds in one buffer ` +
          `(maxBufferSize ${largest.toLocaleString('en-US')} bytes); split it into smaller tensors, or use the native backend`,
      );
    }
  }

  /** A storage buffer of at least `bytes` (never empty), contents undefined; a clear error past the largest the device makes. */
  acquire(bytes: number): GPUBuffer {
    const { bindable, largest } = this.limits;
    this.checkFits(bytes);
    // A size class past the binding limit would make a buffer no kernel can bind whole: such a tensor gets the limit's size.
    const size = bytes <= bindable ? Math.min(sizeClass(bytes), bindable) : Math.min(sizeClass(bytes), wordsDown(largest));
    let buffer = this.idle.take(size);
    if (!buffer) {
      this.created++;
      buffer = this.device.createBuffer({ size, usage: USAGE });
      if (size > bindable) this.limits.oversized.add(buffer);
    }
    this.live++;
    this.onAcquire?.(buffer);
    return buffer;
  }

  release(buffer: GPUBuffer): void {
    this.live--;
    if (!this.idle.put(buffer)) this.retire(buffer);
  }

  /** Destroys every idle buffer. */
  trim(): void {
    this.idle.clear(this.retire);
  }

  get info(): Readonly<PoolStats> {
    return { live: this.live, idle: this.idle.count, idleBytes: this.idle.bytes, created: this.created };
  }
}
