// Recording and submitting GPU work. Kernels are recorded into one command
// encoder and submitted together — at a readback, or every MAX_PENDING
// dispatches so the GPU starts early on long chains — because a submit per
// dispatch costs more than a small kernel. Within the encoder each dispatch
// sees the writes of the ones before it (WebGPU orders storage accesses
// between dispatches).
import { DeviceLostError } from '../../errors.js';
import type { Compiler, Kernel } from './compiler.js';
import type { GpuContext } from './device.js';
import { BufferUsage, MAP_READ } from './usage.js';

const MAX_PENDING = 64;

/** A binding's value: a storage buffer, or the bytes of a uniform (copied into a fresh uniform buffer). */
export type BindingValue = GPUBuffer | ArrayBufferView;

export class Commands {
  private encoder: GPUCommandEncoder | null = null;
  private pass: GPUComputePassEncoder | null = null;
  private pending = 0;
  private uniforms: GPUBuffer[] = [];
  /** Kernel launches recorded since the backend started (test-mode poison fills not counted), for tests that count them. */
  dispatches = 0;

  constructor(
    private readonly ctx: GpuContext,
    private readonly compiler: Compiler,
  ) {
    ctx.device.addEventListener('uncapturederror', (e) => compiler.errors.push((e as GPUUncapturedErrorEvent).error.message));
  }

  /** Throws DeviceLostError once the device is gone: every entry point calls this first. */
  checkDevice(): void {
    if (this.ctx.lost) {
      throw new DeviceLostError(`webgpu: ${this.ctx.lost}; call tm.init() again to re-acquire a device or fall back to another backend`);
    }
  }

  dispatch(kernel: Kernel, values: Readonly<Record<string, BindingValue>>, workgroups: readonly [number, number?, number?], counted = true): void {
    this.checkDevice();
    const { device } = this.ctx;
    const entries: GPUBindGroupEntry[] = [];
    for (const [name, b] of kernel.bindings) {
      const value = values[name];
      if (value === undefined) throw new Error(`${kernel.name}: no value for binding ${name}`);
      if (ArrayBuffer.isView(value)) {
        const buffer = device.createBuffer({ size: Math.max(16, Math.ceil(value.byteLength / 16) * 16), usage: BufferUsage.UNIFORM, mappedAtCreation: true });
        new Uint8Array(buffer.getMappedRange()).set(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
        buffer.unmap();
        this.uniforms.push(buffer);
        entries.push({ binding: b.binding, resource: { buffer } });
      } else {
        entries.push({ binding: b.binding, resource: { buffer: value } });
      }
    }
    const bindGroup = device.createBindGroup({ layout: kernel.layout, entries });
    this.encoder ??= device.createCommandEncoder();
    this.pass ??= this.encoder.beginComputePass();
    this.pass.setPipeline(kernel.pipeline);
    this.pass.setBindGroup(0, bindGroup);
    this.pass.dispatchWorkgroups(workgroups[0], workgroups[1] ?? 1, workgroups[2] ?? 1);
    if (counted) this.dispatches++;
    if (++this.pending >= MAX_PENDING) this.flush();
  }

  /** Ends the open pass, if any, so copies can be recorded. */
  private encoderForCopy(): GPUCommandEncoder {
    this.pass?.end();
    this.pass = null;
    return (this.encoder ??= this.ctx.device.createCommandEncoder());
  }

  copy(from: GPUBuffer, to: GPUBuffer, bytes: number, fromOffset = 0, toOffset = 0): void {
    this.checkDevice();
    this.encoderForCopy().copyBufferToBuffer(from, fromOffset, to, toOffset, bytes);
  }

  /** Submits everything recorded. */
  flush(): void {
    if (!this.encoder) return;
    this.pass?.end();
    this.ctx.device.queue.submit([this.encoder.finish()]);
    this.encoder = null;
    this.pass = null;
    this.pending = 0;
    // Destroying after submit is allowed: the buffers live until the GPU is done with them.
    for (const u of this.uniforms) u.destroy();
    this.uniforms = [];
  }

  /** Writes bytes into a buffer, in order with the recorded work. */
  write(buffer: GPUBuffer, bytes: ArrayBufferView, offset = 0): void {
    this.checkDevice();
    // queue.writeBuffer runs before any command not yet submitted: submit first so
    // work recorded earlier (which may still read the buffer's old contents) goes ahead.
    this.flush();
    const padded = bytes.byteLength % 4 === 0 ? bytes : padTo4(bytes);
    this.ctx.device.queue.writeBuffer(buffer, offset, padded.buffer, padded.byteOffset, padded.byteLength);
  }

  /** The first `bytes` of a buffer, once every recorded kernel has run. */
  async read(buffer: GPUBuffer, bytes: number): Promise<ArrayBuffer> {
    this.checkDevice();
    const size = Math.max(4, Math.ceil(bytes / 4) * 4);
    const staging = this.ctx.device.createBuffer({ size, usage: MAP_READ | BufferUsage.COPY_DST });
    this.copy(buffer, staging, size);
    this.flush();
    try {
      await staging.mapAsync(MAP_READ);
    } catch (err) {
      staging.destroy();
      this.checkDevice();
      throw err;
    }
    const out = staging.getMappedRange(0, size).slice(0, bytes);
    staging.unmap();
    staging.destroy();
    if (this.compiler.errors.length) {
      const errors = this.compiler.errors.splice(0);
      throw new Error(`webgpu: a kernel failed validation: ${errors.join('; ')}`);
    }
    return out;
  }
}

function padTo4(bytes: ArrayBufferView): Uint8Array {
  const out = new Uint8Array(Math.ceil(bytes.byteLength / 4) * 4);
  out.set(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  return out;
}
