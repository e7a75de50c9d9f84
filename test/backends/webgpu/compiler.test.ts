// The kernel compiler: what TypeScript fills in (aliases, consts, overrides)
// goes in front of a shader's source, `enable` directives move to the very
// top wherever the source has them (WGSL rejects them after a declaration),
// f16 is enabled when a kernel names it, and kernels are cached by all of it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../../src/index.js';
import { activeBackend } from '../../../src/engine.js';
import { Compiler } from '../../../src/backends/webgpu/compiler.js';
import type { WebGpuBackend } from '../../../src/backends/webgpu/index.js';

let gpu: WebGpuBackend;
// The kernels here are WGSL written inline, not shader files or fusion's code, so nobody notes their
// bindings (src/backends/webgpu/piece_bindings.ts): the suite's demand that every kernel's be noted is off here.
const demand = process.env.TMNN_TEST_NOTED_BINDINGS;
beforeAll(() => void delete process.env.TMNN_TEST_NOTED_BINDINGS);
afterAll(() => void (process.env.TMNN_TEST_NOTED_BINDINGS = demand));

beforeAll(async () => {
  await tm.init({ backend: 'webgpu' });
  gpu = activeBackend() as WebGpuBackend;
});

/** Runs a one-binding kernel (`out: array<V>`, 64 invocations) and reads 64 words back. */
async function run(source: string | string[], spec: { types?: Record<string, 'f32' | 'i32' | 'u32' | 'f16'>; defines?: Record<string, number | boolean> } = {}): Promise<ArrayBuffer> {
  const rt = gpu.runtime;
  const kernel = rt.compiler.kernel({ name: 'compiler_test', source, ...spec });
  const out = rt.pool.acquire(64 * 4);
  rt.commands.dispatch(kernel, { out }, [1], false);
  const bytes = await rt.commands.read(out, 64 * 4);
  rt.pool.release(out);
  expect(rt.compiler.errors).toEqual([]);
  return bytes;
}

describe('webgpu kernel compiler', () => {
  it('puts a source\'s `enable` line above the aliases and consts it writes', async () => {
    if (!gpu.features.subgroups) return void console.log('skipped: this adapter has no subgroups');
    const source = `// A file that brings its own directive, below a comment.
enable subgroups;
@group(0) @binding(0) var<storage, read_write> out: array<V>;
@compute @workgroup_size(64)
fn main(@builtin(local_invocation_index) i: u32, @builtin(subgroup_size) size: u32) {
  // Every invocation of a subgroup adds SCALE; the sum is SCALE × the subgroup's size.
  out[i] = select(V(0), subgroupAdd(V(SCALE)), ON) - V(SCALE * size);
}`;
    const got = new Int32Array(await run(source, { types: { V: 'i32' }, defines: { SCALE: 3, ON: true } }));
    expect([...got]).toEqual(new Array(64).fill(0));
  });

  it('enables f16 when a kernel computes in it', async () => {
    if (!gpu.features.f16) return void console.log('skipped: this adapter has no shader-f16');
    const source = `@group(0) @binding(0) var<storage, read_write> out: array<f32>;
@compute @workgroup_size(64)
fn main(@builtin(local_invocation_index) i: u32) { out[i] = f32(H(i) / H(4)); }`;
    const got = new Float32Array(await run(source, { types: { H: 'f16' } }));
    expect([...got]).toEqual(Array.from({ length: 64 }, (_, i) => i / 4));
  });

  it('caches a kernel by its source, types, defines and overrides', () => {
    const { compiler } = gpu.runtime;
    const source = '@group(0) @binding(0) var<storage, read_write> out: array<u32>;\noverride W: u32 = 1;\n@compute @workgroup_size(1) fn main() { out[0] = N * W; }';
    const a = compiler.kernel({ name: 'cache_test', source, defines: { N: 2 }, constants: { W: 1 } });
    expect(compiler.kernel({ name: 'cache_test', source, defines: { N: 2 }, constants: { W: 1 } })).toBe(a);
    expect(compiler.kernel({ name: 'cache_test', source, defines: { N: 3 }, constants: { W: 1 } })).not.toBe(a);
    expect(compiler.kernel({ name: 'cache_test', source, defines: { N: 2 }, constants: { W: 2 } })).not.toBe(a);
  });

  it('takes a source in pieces (shader files, generated code) as the pieces joined by newlines', async () => {
    const { compiler } = gpu.runtime;
    const head = '@group(0) @binding(0) var<storage, read_write> out: array<u32>;\n@compute @workgroup_size(64) fn main(@builtin(local_invocation_index) i: u32) { out[i] = value(i); }';
    const joined = compiler.kernel({ name: 'pieces_test', source: `${head}\nfn value(i: u32) -> u32 { return i * 3u; }` });
    // Same text as two pieces: one pipeline. Another generated piece: another kernel, with its own result.
    expect(compiler.kernel({ name: 'pieces_test', source: [head, 'fn value(i: u32) -> u32 { return i * 3u; }'] })).toBe(joined);
    expect([...new Uint32Array(await run([head, 'fn value(i: u32) -> u32 { return i + 7u; }']))]).toEqual(Array.from({ length: 64 }, (_, i) => i + 7));
    expect([...new Uint32Array(await run([head, 'fn value(i: u32) -> u32 { return i * 3u; }']))]).toEqual(Array.from({ length: 64 }, (_, i) => i * 3));
  });

  it('refuses a kernel that needs a feature the device was not granted, naming it', () => {
    const ctx = gpu.runtime.ctx;
    const without = new Compiler({ ...ctx, features: { ...ctx.features, f16: false, subgroups: false } });
    expect(() => without.kernel({ name: 'needs_f16', source: 'fn f(x: f16) -> f16 { return x; }' })).toThrow(/needs_f16: asked for f16 on an adapter without shader-f16/);
    expect(() => without.kernel({ name: 'needs_subgroups', source: 'enable subgroups;\nfn f(x: f32) -> f32 { return subgroupAdd(x); }' })).toThrow(/needs_subgroups: asked for subgroups/);
    const noMatrices = new Compiler({ ...ctx, features: { ...ctx.features, int8Matrix: null, f16Matrix: null } });
    expect(() => noMatrices.kernel({ name: 'needs_matrices', source: 'enable chromium_experimental_subgroup_matrix;\nfn f() {}' })).toThrow(/needs_matrices: asked for subgroup matrices on a device without them/);
  });

  it('reflects the bindings from the pieces named in bindingsFrom, where the rest is WGSL wgsl_reflect cannot parse', async () => {
    const { compiler } = gpu.runtime;
    const decls = '@group(0) @binding(0) var<storage, read_write> out: array<u32>;';
    // A trailing comma in a template list is valid WGSL that this wgsl_reflect rejects, as it does the subgroup-matrix builtins.
    const body = '@compute @workgroup_size(64) fn main(@builtin(local_invocation_index) i: u32) { let v = vec2<u32,>(i, 5u); out[i] = v.x + v.y; }';
    expect(() => compiler.kernel({ name: 'reflect_all', source: [decls, body] })).toThrow();
    const kernel = compiler.kernel({ name: 'reflect_some', source: [decls, body], bindingsFrom: [decls] });
    expect([...kernel.bindings]).toEqual([['out', { binding: 0, kind: 'storage' }]]);
    const out = gpu.runtime.pool.acquire(256);
    gpu.runtime.commands.dispatch(kernel, { out }, [1, 1]);
    expect([...new Uint32Array(await gpu.runtime.commands.read(out, 256))]).toEqual(Array.from({ length: 64 }, (_, i) => i + 5));
    gpu.runtime.pool.release(out);
  });

  // Last: the device refuses work after it, and the next test file starts a new one.
  it('a kernel whose WGSL the device rejects fails the next read with a GpuError that names the shader', async () => {
    const source = '@group(0) @binding(0) var<storage, read_write> out: array<u32>;\n@compute @workgroup_size(64) fn main() { let wrong: u32 = 1.5; out[0] = wrong; }';
    const err = await run(source).then(() => null, (e: Error) => e);
    expect(err).toBeInstanceOf(tm.GpuError);
    expect(err!.message).toMatch(/^webgpu: the GPU refused work \(compiler_test\.wgsl: .*cannot convert value of type 'abstract-float' to type 'u32'/);
    expect(await tm.init({ backend: 'webgpu' })).toBe('webgpu');
  });
});
