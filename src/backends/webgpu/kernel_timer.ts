// GPU time per kernel, from timestamp queries: which kernels a workload's GPU
// time goes to (the bench's profile of a training step). While a timer is
// attached, Commands gives every dispatch a compute pass of its own whose
// beginning and end write timestamps; at each submit the timestamps are
// resolved and copied out, and read once the GPU is done. One pass per
// dispatch costs a little, so timing is for profiling, never on by default.
import { BufferUsage, MAP_READ } from './usage.js';

const QUERY_RESOLVE = 0x0200;

export interface KernelTime {
  /** The kernel's name (its shader file, or `elementwise` for a fused chain). */
  kernel: string;
  launches: number;
  /** GPU time summed over its launches. */
  ms: number;
}

interface Batch {
  readonly querySet: GPUQuerySet;
  readonly names: string[];
}

export class KernelTimer {
  private batch: Batch | null = null;
  private readonly reads: Promise<void>[] = [];
  private readonly totals = new Map<string, { launches: number; ns: bigint }>();

  constructor(
    private readonly device: GPUDevice,
    /** Dispatches a submit can hold (Commands submits before more). */
    private readonly perSubmit: number,
    private readonly wait: <T>(pending: Promise<T>) => Promise<T>,
  ) {}

  /** Timestamp writes for the pass of the next dispatch, of kernel `name`. */
  writes(name: string): GPUComputePassTimestampWrites {
    this.batch ??= { querySet: this.device.createQuerySet({ type: 'timestamp', count: 2 * this.perSubmit }), names: [] };
    const i = this.batch.names.push(name) - 1;
    return { querySet: this.batch.querySet, beginningOfPassWriteIndex: 2 * i, endOfPassWriteIndex: 2 * i + 1 };
  }

  /** Records, at the end of a submit's encoder, the copy of its timestamps; `read` after the submit. */
  resolve(encoder: GPUCommandEncoder): (() => void) | null {
    const batch = this.batch;
    if (!batch) return null;
    this.batch = null;
    const bytes = 16 * batch.names.length;
    const resolved = this.device.createBuffer({ size: bytes, usage: QUERY_RESOLVE | BufferUsage.COPY_SRC });
    const out = this.device.createBuffer({ size: bytes, usage: MAP_READ | BufferUsage.COPY_DST });
    encoder.resolveQuerySet(batch.querySet, 0, 2 * batch.names.length, resolved, 0);
    encoder.copyBufferToBuffer(resolved, 0, out, 0, bytes);
    return () => {
      this.reads.push(this.wait(out.mapAsync(MAP_READ)).then(() => {
        const stamps = new BigUint64Array(out.getMappedRange());
        for (const [i, name] of batch.names.entries()) {
          const total = this.totals.get(name) ?? { launches: 0, ns: 0n };
          // A pass the GPU reordered or clamped can read end < beginning; it counts as 0.
          const ns = stamps[2 * i + 1] > stamps[2 * i] ? stamps[2 * i + 1] - stamps[2 * i] : 0n;
          this.totals.set(name, { launches: total.launches + 1, ns: total.ns + ns });
        }
        out.unmap();
      }).finally(() => {
        out.destroy();
        resolved.destroy();
        batch.querySet.destroy();
      }));
    };
  }

  /** GPU time per kernel over everything submitted so far, most first (waits for the last timestamps). */
  async results(): Promise<KernelTime[]> {
    await Promise.all(this.reads.splice(0));
    return [...this.totals]
      .map(([kernel, t]) => ({ kernel, launches: t.launches, ms: Number(t.ns) / 1e6 }))
      .sort((a, b) => b.ms - a.ms);
  }
}
