// What every webgpu kernel works with: the device, the pipeline cache, the
// command recorder and the buffer pool — and the computed operands it reads.
import type { DType } from '../../dtype.js';
import type { BufferPool } from './buffers.js';
import type { Commands } from './commands.js';
import type { Compiler } from './compiler.js';
import type { GpuContext } from './device.js';
import type { BufferWindow } from './windows.js';

export interface Runtime {
  readonly ctx: GpuContext;
  readonly compiler: Compiler;
  readonly commands: Commands;
  readonly pool: BufferPool;
}

/** A tensor whose values are in a buffer (or a window of one: windows.ts), as a kernel reads it. */
export interface Operand {
  readonly buffer: GPUBuffer | BufferWindow;
  readonly shape: readonly number[];
  readonly dtype: DType;
}

/**
 * Workgroups for `n` invocations of `size` each: [x, y] with x within the
 * per-dimension limit. Kernels rebuild the linear id as
 * gid.x + gid.y * num_workgroups.x * size.
 */
export function grid(n: number, size: number, limit = 65535): [number, number] {
  const groups = Math.max(1, Math.ceil(n / size));
  if (groups <= limit) return [groups, 1];
  const y = Math.ceil(groups / limit);
  return [Math.ceil(groups / y), y];
}
