// The webgpu device: what was asked for and granted, and what happens when
// it is lost — every later call names the loss and the fix, and tm.init()
// starts over on a new device (or another backend).
import { describe, expect, it } from 'vitest';
import * as tm from '../../../src/index.js';
import { activeBackend, setActive } from '../../../src/engine.js';
import { createWebGpuBackend, type WebGpuBackend } from '../../../src/backends/webgpu/index.js';

describe('the device', () => {
  it('asks for shader-f16, subgroups and timestamp-query where the adapter has them, and the adapter\'s limits', async () => {
    const gpu = await createWebGpuBackend();
    const { adapter, device, features, limits } = gpu.runtime.ctx;
    expect(features.f16).toBe(adapter.features.has('shader-f16'));
    expect(features.subgroups).toBe(adapter.features.has('subgroups'));
    expect(features.timestampQuery).toBe(adapter.features.has('timestamp-query'));
    for (const f of ['shader-f16', 'subgroups', 'timestamp-query']) expect(device.features.has(f)).toBe(adapter.features.has(f));
    expect(limits.maxComputeWorkgroupStorageSize).toBe(adapter.limits.maxComputeWorkgroupStorageSize);
    expect(limits.maxStorageBufferBindingSize).toBe(adapter.limits.maxStorageBufferBindingSize);
    expect(gpu.device.software).toBe(true); // lavapipe: this machine has no GPU
    device.destroy();
  });
});

describe('giving the device back', () => {
  it('a device tm.init() replaced stays for the tensors made on it, and goes once the last is freed; a read under way finishes first', async () => {
    await tm.init({ backend: 'webgpu' });
    const first = activeBackend() as WebGpuBackend;
    const x = tm.tensor([1, 2, 3]);
    await tm.init({ backend: 'webgpu' });
    const second = activeBackend() as WebGpuBackend;
    expect(second).not.toBe(first);
    const doubled = x.mul(2); // runs on x's device
    expect(Array.from(await doubled.data())).toEqual([2, 4, 6]);
    doubled.dispose();
    expect(first.runtime.ctx.lost).toBeNull();
    const plusOne = x.add(1);
    const reading = plusOne.data();
    plusOne.dispose();
    x.dispose(); // nothing lives on the first device now, but a read is mapping
    expect(Array.from(await reading)).toEqual([2, 3, 4]);
    const lost = await first.runtime.ctx.device.lost;
    expect(lost.reason).toBe('destroyed');
    expect(second.runtime.ctx.lost).toBeNull();
    expect(Array.from(await tm.tensor([1, 2]).add(1).data())).toEqual([2, 3]);
  });

  it('a device replaced with nothing on it goes at once', async () => {
    await tm.init({ backend: 'webgpu' });
    const first = activeBackend() as WebGpuBackend;
    await tm.init({ backend: 'js' });
    expect((await first.runtime.ctx.device.lost).reason).toBe('destroyed');
  });
});

describe('losing the device', () => {
  it('makes every later call fail with DeviceLostError naming tm.init(); init then starts over', async () => {
    const gpu = await createWebGpuBackend();
    setActive(gpu, { backend: 'webgpu', reason: 'test', passedOver: [] });
    const x = tm.tensor([1, 2, 3]);
    const y = x.mul(2);
    expect(Array.from(await y.data())).toEqual([2, 4, 6]);
    const pending = x.add(1); // recorded before the loss, computed after it
    gpu.runtime.ctx.device.destroy();
    await gpu.runtime.ctx.device.lost;
    expect(() => x.mul(3)).toThrow(tm.DeviceLostError);
    expect(() => tm.tensor([1])).toThrow(/device was destroyed.*tm\.init\(\)/);
    await expect(y.data()).rejects.toThrow(tm.DeviceLostError);
    await expect(pending.data()).rejects.toThrow(tm.DeviceLostError);
    // The user's tensors can still be disposed without errors.
    x.dispose();
    y.dispose();
    pending.dispose();
    expect(await tm.init({ backend: 'webgpu' })).toBe('webgpu');
    const again = activeBackend() as WebGpuBackend;
    expect(again).not.toBe(gpu);
    expect(Array.from(await tm.tensor([1, 2]).add(1).data())).toEqual([2, 3]);
    expect(['native', 'js', 'webgpu']).toContain(await tm.init());
  });

  it('a GPU error (here a buffer past the device\'s limit, asked for behind tmnn\'s back) fails the next read and every later call with a short GpuError; init starts over', async () => {
    const gpu = await createWebGpuBackend();
    setActive(gpu, { backend: 'webgpu', reason: 'test', passedOver: [] });
    const x = tm.tensor([1, 2, 3]);
    gpu.runtime.ctx.device.createBuffer({ size: 2 ** 52, usage: 0x80 /* STORAGE */ });
    const err = await x.mul(2).data().then(() => null, (e: Error) => e);
    expect(err).toBeInstanceOf(tm.GpuError);
    expect(err!.message).toMatch(/^webgpu: the GPU refused work \(.+\); results computed since cannot be trusted; call tm\.init\(\) again for a new device$/);
    expect(err!.message.length).toBeLessThan(600);
    // Which tensor it spoilt is not known: everything after refuses too, rather than give garbage.
    expect(() => x.mul(3)).toThrow(tm.GpuError);
    await expect(x.data()).rejects.toThrow(/the GPU refused work earlier/);
    x.dispose();
    expect(await tm.init({ backend: 'webgpu' })).toBe('webgpu');
    expect(Array.from(await tm.tensor([1, 2]).add(1).data())).toEqual([2, 3]);
  });

  it('a read in flight when the device goes rejects with DeviceLostError instead of waiting forever', async () => {
    const gpu = await createWebGpuBackend();
    setActive(gpu, { backend: 'webgpu', reason: 'test', passedOver: [] });
    const x = tm.randn([256, 256], { seed: 1 });
    const reading = x.matmul(x).relu().data(); // recorded, submitted and mapping before the loss
    gpu.runtime.ctx.device.destroy();
    await expect(reading).rejects.toThrow(tm.DeviceLostError);
    await tm.init({ backend: 'js' });
  });
});
