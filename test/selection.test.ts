import { describe, expect, it } from 'vitest';
import * as tm from '../src/index.js';
import { createJsBackend } from '../src/backends/js/index.js';
import type { Backend, BackendName } from '../src/backends/kernels.js';
import { choose, type Started } from '../src/selection.js';

/** A stand-in backend with a given name and device (kernels are the js ones; only identity matters here). */
function fake(name: BackendName, description: string, software = false): Started {
  const backend: Backend = { ...createJsBackend(), name, device: { description, software } };
  return { name, backend };
}

const unavailable = (name: BackendName, why: string): Started => ({ name, why });
const neverMeasured = async (): Promise<number> => {
  throw new Error('the probe should not run here');
};

describe('choosing a backend', () => {
  it('passes over a software WebGPU adapter when OpenBLAS is present, without probing', async () => {
    const s = await choose([fake('webgpu', 'llvmpipe', true), fake('native', 'OpenBLAS'), fake('js', 'js')], neverMeasured);
    expect(s.backend).toBe('native');
    expect(s.passedOver).toEqual([{ name: 'webgpu', why: expect.stringContaining('software adapter') }]);
  });

  it('times a hardware adapter against OpenBLAS and takes the faster', async () => {
    const speeds: Record<string, number> = { webgpu: 900, native: 300 };
    const gpuWins = await choose([fake('webgpu', 'RTX'), fake('native', 'OpenBLAS'), fake('js', 'js')], async (b) => speeds[b.name]);
    expect(gpuWins.backend).toBe('webgpu');
    expect(gpuWins.reason).toContain('900.0');
    speeds.webgpu = 100;
    const cpuWins = await choose([fake('webgpu', 'weak iGPU'), fake('native', 'OpenBLAS'), fake('js', 'js')], async (b) => speeds[b.name]);
    expect(cpuWins.backend).toBe('native');
    expect(cpuWins.passedOver.map((p) => p.name)).toEqual(['webgpu']);
  });

  it('takes a software adapter over plain JS when there is no OpenBLAS', async () => {
    const s = await choose([fake('webgpu', 'SwiftShader', true), unavailable('native', 'no addon'), fake('js', 'js')], neverMeasured);
    expect(s.backend).toBe('webgpu');
    expect(s.passedOver).toEqual([{ name: 'native', why: 'no addon' }]);
  });

  it('falls back to js and says why the others were passed over', async () => {
    const s = await choose([unavailable('webgpu', 'no adapter'), unavailable('native', 'no addon'), fake('js', 'js')], neverMeasured);
    expect(s.backend).toBe('js');
    expect(s.reason).toBe('fastest present (webgpu, native unavailable)');
  });

  it('fails with every reason when nothing can start', async () => {
    await expect(choose([unavailable('webgpu', 'a'), unavailable('native', 'b'), unavailable('js', 'c')], neverMeasured))
      .rejects.toThrow(/webgpu: a; native: b; js: c/);
  });
});

describe('tm.init', () => {
  it('forces a backend by name and records why', async () => {
    await expect(tm.init({ backend: 'js' })).resolves.toBe('js');
    expect(tm.backend()).toBe('js');
    expect(tm.backendSelection().reason).toBe('forced by init({ backend })');
  });

  it('honours TMNN_BACKEND, and names it where its value is bad (init() was given nothing)', async () => {
    process.env.TMNN_BACKEND = 'js';
    try {
      await tm.init();
      expect(tm.backendSelection().reason).toBe('forced by TMNN_BACKEND');
      process.env.TMNN_BACKEND = 'JS';
      await expect(tm.init()).rejects.toThrow('init: unknown backend "JS" (from TMNN_BACKEND); expected one of webgpu, native, js');
    } finally {
      delete process.env.TMNN_BACKEND;
    }
  });

  it('rejects an unknown backend name', async () => {
    await expect(tm.init({ backend: 'cuda' as BackendName })).rejects.toThrow(tm.ValueError);
    await expect(tm.init({ backend: 'cuda' as BackendName })).rejects.toThrow(/unknown backend "cuda"/);
  });
});

describe('native threads', () => {
  it('tm.init({ threads }) and TMNN_NUM_THREADS set OpenBLAS threads, visible in the report', async () => {
    await tm.init({ backend: 'native', threads: 1 });
    expect((await tm.capabilities()).blas.threads).toBe(1);
    process.env.TMNN_NUM_THREADS = '2';
    try {
      await tm.init({ backend: 'native' });
      expect((await tm.capabilities()).blas.threads).toBe(2);
    } finally {
      delete process.env.TMNN_NUM_THREADS;
    }
    await expect(tm.init({ backend: 'native', threads: -3 })).rejects.toThrow(/threads must be a positive integer, got -3/);
  });
});
