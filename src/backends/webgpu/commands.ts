// Recording and submitting GPU work. Kernels are recorded into one command
// encoder and submitted together — at a readback, or every MAX_PENDING
// dispatches so the GPU starts early on long chains — because a submit per
// dispatch costs more than a small kernel. Within the encoder each dispatch
// sees the writes of the ones before it (WebGPU orders storage accesses
// between dispatches).
//
// What a launch costs on the CPU matters as much on a fast GPU:
// - A kernel's uniform parameters (its dims, a fused kernel's scalars) go into
//   one buffer shared by the dispatches of a submit, each at its own aligned
//   offset, written just before the submit: a buffer created, mapped and
//   destroyed per dispatch cost more than the dispatch itself.
// - A dispatch keeps its bind group for the next dispatch of the same kernel
//   over the same buffers with its parameters at the same arena offset: a
//   training step binds the same pooled buffers, in the same order, each time
//   (the pool hands out its oldest idle buffer first, buffers.ts).
//   Making a group per dispatch with parameters cost ~30 µs of the ~100 a
//   small op took to issue.
// - A pass sets a pipeline or bind group only when it changes.
// - Tried and dropped, as webgpu training on lavapipe measured slower:
//   parameters at dynamic offsets of one kept group (~20%); small uploads
//   staged the same way and copied in order with the kernels instead of a
//   submit before each queue write (~10%: the copies split compute passes).
import { DeviceLostError, GpuError, ValueError } from '../../errors.js';
import { InFlight } from '../in_flight.js';
import { wordsUp } from './buffers.js';
import { labelledError, type Compiler, type Kernel } from './compiler.js';
import type { GpuContext } from './device.js';
import { KernelTimer } from './kernel_timer.js';
import { StagingPool } from './staging.js';
import { BufferUsage, MAP_READ } from './usage.js';
import type { BufferWindow } from './windows.js';

const MAX_PENDING = 64;
/** Bytes of uniform parameters a submit can carry; past it the recorded work is submitted early. */
const UNIFORM_ARENA_BYTES = 64 * 1024;
const MAX_KEPT_BIND_GROUPS = 4096;

/** A binding's value: a storage buffer, a window of one, or the bytes of a uniform (staged in the submit's parameter buffer). */
export type BindingValue = GPUBuffer | BufferWindow | ArrayBufferView;

export class Commands {
  private encoder: GPUCommandEncoder | null = null;
  private pass: GPUComputePassEncoder | null = null;
  private timer: KernelTimer | null = null;
  /** While true, dispatches go into the one pass timeRecorded opened, which nothing may end early. */
  private timedPass = false;
  /** What the open pass last set, so that repeating it is skipped. */
  private passPipeline: GPUComputePipeline | null = null;
  private passBindGroup: GPUBindGroup | null = null;
  private pending = 0;
  /** Set once the GPU has reported an error (out of memory, a kernel failing validation): its first lines. */
  private refused: string | null = null;
  /** Reads under way (mapping). */
  private readonly reads = new InFlight();
  /** Buffers let go of while recorded work may still use them: destroyed once it is submitted. */
  private retiring: GPUBuffer[] = [];
  /** This submit's uniform parameters: staged here, copied into `uniformArena` at flush. */
  private readonly uniformBytes = new Uint8Array(UNIFORM_ARENA_BYTES);
  private uniformUsed = 0;
  private uniformArena: GPUBuffer | null = null;
  /** Bind groups kept for reuse, by kernel, buffers and where the parameters sit in the arena. */
  private readonly bindGroups = new Map<string, GPUBindGroup>();
  private readonly ids = new WeakMap<object, number>();
  private readonly staging: StagingPool;
  private nextId = 0;
  /** Buffers larger than one binding may be (the pool marks them): bound only a window at a time (windows.ts). */
  readonly oversized = new WeakSet<GPUBuffer>();
  /** Kernel launches recorded since the backend started, for tests that count them; test-mode poison fills and runs timed by timeRecorded (a measurement, not the program's work) are not counted. */
  dispatches = 0;

  constructor(
    private readonly ctx: GpuContext,
    private readonly compiler: Compiler,
  ) {
    this.staging = new StagingPool(ctx.device, ctx.limits.maxBufferSize);
    ctx.device.addEventListener('uncapturederror', (e) => compiler.errors.push(labelledError((e as GPUUncapturedErrorEvent).error.message)));
  }

  /**
   * Throws DeviceLostError once the device is gone, GpuError once it has
   * refused work (every result since may be garbage): every entry point calls this first.
   */
  checkDevice(): void {
    if (this.ctx.lost) {
      throw new DeviceLostError(`webgpu: ${this.ctx.lost}; call tm.init() again to re-acquire a device or fall back to another backend`);
    }
    if (this.refused) {
      throw new GpuError(`webgpu: the GPU refused work earlier (${this.refused}), so results since cannot be trusted; call tm.init() again for a new device`);
    }
  }

  dispatch(kernel: Kernel, values: Readonly<Record<string, BindingValue>>, workgroups: readonly [number, number?, number?], counted = true): void {
    this.checkDevice();
    const { device } = this.ctx;
    const bound = [...kernel.bindings].map(([name, b]) => {
      const value = values[name];
      if (value === undefined) throw new Error(`${kernel.name}: no value for binding ${name}`);
      return { binding: b.binding, value };
    });
    // Room for all of this dispatch's parameters in the arena, or submit what is recorded and start it afresh.
    const room = bound.reduce((sum, { value }) => sum + (ArrayBuffer.isView(value) ? this.uniformAlign + slotSize(value) : 0), 0);
    if (room > UNIFORM_ARENA_BYTES) throw new Error(`${kernel.name}: ${room} bytes of uniform parameters; at most ${UNIFORM_ARENA_BYTES} per dispatch`);
    if (this.uniformUsed + room > UNIFORM_ARENA_BYTES) this.flush();
    const bindGroup = this.keptBindGroup(kernel, bound.map(({ binding, value }) => {
      if (ArrayBuffer.isView(value)) return { binding, buffer: this.arena(), ...this.stageUniform(value) };
      if (this.isOversized(value)) this.refuseOversized(kernel.name);
      return 'offset' in value ? { binding, ...value } : { binding, buffer: value };
    }));
    this.encoder ??= device.createCommandEncoder();
    if (this.timer) {
      // Timing: a pass per dispatch, whose beginning and end write timestamps.
      this.pass?.end();
      this.pass = this.encoder.beginComputePass({ timestampWrites: this.timer.writes(kernel.name) });
      this.passPipeline = this.passBindGroup = null;
    } else if (!this.pass) {
      this.pass = this.encoder.beginComputePass();
      this.passPipeline = this.passBindGroup = null;
    }
    // Each call into Dawn costs microseconds; a run of the same kernel (an
    // elementwise chain over the same pooled buffers) needs neither set again.
    if (this.passPipeline !== kernel.pipeline) {
      this.pass.setPipeline(kernel.pipeline);
      this.passPipeline = kernel.pipeline;
      this.passBindGroup = null;
    }
    if (this.passBindGroup !== bindGroup) {
      this.pass.setBindGroup(0, bindGroup);
      this.passBindGroup = bindGroup;
    }
    this.pass.dispatchWorkgroups(workgroups[0], workgroups[1] ?? 1, workgroups[2] ?? 1);
    if (this.timer) {
      this.pass.end();
      this.pass = null;
    }
    if (counted && !this.timedPass) this.dispatches++;
    if (++this.pending >= MAX_PENDING && !this.timedPass) this.flush();
  }

  /** Whether binding `b` would bind a buffer past the binding limit whole (a window never is). */
  isOversized(b: GPUBuffer | BufferWindow): boolean {
    return !('offset' in b) && this.oversized.has(b);
  }

  /** Throws the error a kernel past the binding limit gets if any of `buffers` is bound whole: before the kernel takes scratch buffers. */
  checkBindable(kernel: string, buffers: readonly (GPUBuffer | BufferWindow)[]): void {
    if (buffers.some((b) => this.isOversized(b))) this.refuseOversized(kernel);
  }

  private refuseOversized(kernel: string): never {
    const limit = this.ctx.limits.maxStorageBufferBindingSize.toLocaleString('en-US');
    throw new ValueError(
      `webgpu: ${kernel} cannot read a tensor larger than this device (${this.ctx.description}) lets a kernel bind at once ` +
        `(maxStorageBufferBindingSize ${limit} bytes). Tensors that large can be uploaded, read back, sliced, transposed, joined along their first axis, ` +
        'used in elementwise ops, reductions, argmax/argmin and softmax (rows within the limit), as x in x·w and xᵀ·dy, ' +
        'and as a table whose rows are gathered along its first axis (an embedding); ' +
        'for anything else split them into smaller tensors, or use the native backend',
    );
  }

  /**
   * The bind group of a kernel over these buffer ranges, made once. A training
   * step binds the same pooled buffers each time, and its parameters land at
   * the same offsets of the uniform arena (the same dispatches in the same
   * order), so the groups of one step serve the next.
   */
  private keptBindGroup(kernel: Kernel, ranges: readonly { binding: number; buffer: GPUBuffer; offset?: number; size?: number }[]): GPUBindGroup {
    let key = String(this.idOf(kernel));
    for (const r of ranges) key += r.offset === undefined ? `,${this.idOf(r.buffer)}` : `,${this.idOf(r.buffer)}@${r.offset}+${r.size}`;
    let group = this.bindGroups.get(key);
    if (!group) {
      group = this.ctx.device.createBindGroup({
        layout: kernel.layout,
        entries: ranges.map(({ binding, buffer, offset, size }) => ({ binding, resource: { buffer, offset, size } })),
      });
      // The oldest go first; one over a buffer since destroyed is never asked for again.
      if (this.bindGroups.size >= MAX_KEPT_BIND_GROUPS) this.bindGroups.delete(this.bindGroups.keys().next().value!);
      this.bindGroups.set(key, group);
    }
    return group;
  }

  /** A number per kernel or buffer, for bind-group keys. */
  private idOf(thing: object): number {
    let id = this.ids.get(thing);
    if (id === undefined) this.ids.set(thing, (id = this.nextId++));
    return id;
  }

  private get uniformAlign(): number {
    return this.ctx.limits.minUniformBufferOffsetAlignment;
  }

  private arena(): GPUBuffer {
    return (this.uniformArena ??= this.ctx.device.createBuffer({ label: 'uniform parameters', size: UNIFORM_ARENA_BYTES, usage: BufferUsage.UNIFORM | BufferUsage.COPY_DST }));
  }

  /** Places uniform bytes in this submit's arena (dispatch has made room): where. */
  private stageUniform(value: ArrayBufferView): { offset: number; size: number } {
    const offset = Math.ceil(this.uniformUsed / this.uniformAlign) * this.uniformAlign;
    const size = slotSize(value);
    this.uniformBytes.set(new Uint8Array(value.buffer, value.byteOffset, value.byteLength), offset);
    this.uniformBytes.fill(0, offset + value.byteLength, offset + size);
    this.uniformUsed = offset + size;
    return { offset, size };
  }

  /** Times every dispatch from now on, each in a pass of its own, until `stopTiming` (kernel_timer.ts). */
  startTiming(): KernelTimer {
    this.flush();
    return (this.timer = new KernelTimer(this.ctx.device, MAX_PENDING, this.ctx.wait));
  }

  stopTiming(): void {
    this.flush();
    this.timer = null;
  }

  /**
   * GPU time (ms) of the dispatches `record` makes, once the GPU has run them:
   * work recorded before is submitted first, and these go into one pass whose
   * beginning and end write timestamps (one pass, not one per dispatch, so
   * that a browser's coarse timestamps are read over all of them). For
   * choosing between kernels; a profile being taken (startTiming) goes on
   * around it without counting it.
   */
  async timeRecorded(record: () => void): Promise<number> {
    this.checkDevice();
    this.flush();
    const outer = this.timer;
    const timer = new KernelTimer(this.ctx.device, 1, this.ctx.wait);
    this.encoder = this.ctx.device.createCommandEncoder();
    this.pass = this.encoder.beginComputePass({ timestampWrites: timer.writes('timed') });
    this.passPipeline = this.passBindGroup = null;
    this.timer = null;
    this.timedPass = true;
    try {
      record();
    } finally {
      this.timedPass = false;
      this.timer = timer;
      try {
        this.flush();
      } finally {
        this.timer = outer;
      }
    }
    const [timed] = await timer.results();
    return timed?.ms ?? 0;
  }

  /** Ends the open pass, if any, so copies can be recorded. */
  private encoderForCopy(): GPUCommandEncoder {
    if (this.timedPass) throw new Error('webgpu: the work being timed must be dispatches only, without copies');
    this.pass?.end();
    this.pass = null;
    return (this.encoder ??= this.ctx.device.createCommandEncoder());
  }

  copy(from: GPUBuffer, to: GPUBuffer, bytes: number, fromOffset = 0, toOffset = 0): void {
    this.checkDevice();
    this.encoderForCopy().copyBufferToBuffer(from, fromOffset, to, toOffset, bytes);
  }

  /** Destroys `buffer` now if nothing is recorded, else once what is recorded is submitted. */
  destroyAfterSubmit(buffer: GPUBuffer): void {
    if (this.encoder) this.retiring.push(buffer);
    else buffer.destroy();
  }

  /** Submits everything recorded. */
  flush(): void {
    if (this.timedPass) throw new Error(`webgpu: the work being timed must fit one submit (dispatches only, with at most ${UNIFORM_ARENA_BYTES} bytes of parameters)`);
    if (!this.encoder) {
      this.uniformUsed = 0;
      return;
    }
    this.pass?.end();
    const readTimes = this.timer?.resolve(this.encoder);
    const { queue } = this.ctx.device;
    // Queue order makes this safe with one arena: the write lands after the previous
    // submit has read its parameters and before this one reads them.
    if (this.uniformUsed) queue.writeBuffer(this.uniformArena!, 0, this.uniformBytes.buffer, 0, this.uniformUsed);
    queue.submit([this.encoder.finish()]);
    // A destroyed buffer may not be in a submit; once submitted, its work runs to the end.
    for (const buffer of this.retiring.splice(0)) buffer.destroy();
    readTimes?.();
    this.encoder = null;
    this.pass = null;
    this.pending = 0;
    this.uniformUsed = 0;
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
  read(buffer: GPUBuffer, bytes: number): Promise<ArrayBuffer> {
    return this.reads.track(this.readNow(buffer, bytes));
  }

  /** Resolves once every read started so far has settled: until then the device must stay. */
  readsSettled(): Promise<void> {
    return this.reads.settled();
  }

  private async readNow(buffer: GPUBuffer, bytes: number): Promise<ArrayBuffer> {
    this.checkDevice();
    const size = Math.max(4, wordsUp(bytes));
    const staging = this.staging.take(size);
    this.copy(buffer, staging, size);
    this.flush();
    try {
      await this.ctx.wait(staging.mapAsync(MAP_READ, 0, size));
    } catch (err) {
      staging.destroy();
      this.checkDevice();
      throw err;
    }
    const out = staging.getMappedRange(0, size).slice(0, bytes);
    staging.unmap();
    this.staging.give(staging);
    if (this.compiler.errors.length) {
      // Which tensor a GPU error spoilt is not known (it comes back on its own, later): every later call refuses too.
      this.refused = summarize(this.compiler.errors.splice(0));
      throw new GpuError(`webgpu: the GPU refused work (${this.refused}); results computed since cannot be trusted; call tm.init() again for a new device`);
    }
    return out;
  }
}

/** The GPU's errors, bounded: Dawn repeats one per bind group that used a failed buffer (26 KB for one). */
function summarize(errors: readonly string[]): string {
  const first = errors[0].split('\n')[0].slice(0, 300);
  return errors.length > 1 ? `${first}; and ${errors.length - 1} more` : first;
}

/** A uniform's bytes rounded up to WGSL's 16-byte uniform struct size. */
function slotSize(value: ArrayBufferView): number {
  return Math.max(16, Math.ceil(value.byteLength / 16) * 16);
}

function padTo4(bytes: ArrayBufferView): Uint8Array {
  const out = new Uint8Array(Math.ceil(bytes.byteLength / 4) * 4);
  out.set(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  return out;
}
