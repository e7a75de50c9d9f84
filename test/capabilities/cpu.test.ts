import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { cpuReport, cpuinfoFlags, simdFrom } from '../../src/capabilities/cpu.js';

describe('CPU report', () => {
  it('lists SIMD extensions exactly as /proc/cpuinfo has them', async () => {
    const report = await cpuReport();
    const flags = cpuinfoFlags(readFileSync('/proc/cpuinfo', 'utf8'));
    expect(report.simd.source).toBe('/proc/cpuinfo');
    const has = (name: string, flag: string) => expect(report.simd.found.includes(name), name).toBe(flags.has(flag));
    has('AVX', 'avx');
    has('AVX2', 'avx2');
    has('FMA', 'fma');
    has('F16C', 'f16c');
    has('AVX-512F', 'avx512f');
    has('AVX-512VNNI', 'avx512_vnni');
    has('AVX-512BF16', 'avx512_bf16');
    has('AVX-VNNI', 'avx_vnni');
    expect(report.simd.baseline).toEqual(['SSE', 'SSE2']);
    // Every extension tmnn knows lands in exactly one list.
    const all = [...report.simd.baseline, ...report.simd.found, ...report.simd.notFound];
    expect(new Set(all).size).toBe(all.length);
    expect(report.logicalCores).toBeGreaterThan(0);
    expect(report.model.length).toBeGreaterThan(0);
  });

  it('reads ARM feature names on arm64', () => {
    const simd = simdFrom(new Set(['asimd', 'asimddp', 'sve']), 'arm64');
    expect(simd.baseline).toEqual(['NEON']);
    expect(simd.found).toEqual(['DOTPROD', 'SVE']);
    expect(simd.notFound).toContain('SVE2');
  });
});

describe('CPU report from cpuid (native addon)', () => {
  it('agrees with /proc/cpuinfo on every extension both know', async () => {
    const { loadAddon } = await import('../../src/backends/native/addon.js');
    const { simdFromCpuid } = await import('../../src/capabilities/cpu.js');
    const addon = await loadAddon();
    const fromCpuid = simdFromCpuid(addon.cpuFeatures());
    const fromProc = simdFrom(cpuinfoFlags(readFileSync('/proc/cpuinfo', 'utf8')), 'x64');
    expect(fromCpuid.found).toEqual(fromProc.found);
    expect(fromCpuid.notFound).toEqual(fromProc.notFound);
    expect(fromCpuid.source).toBe('cpuid (native addon)');
  });
});

describe('CPU report in the browser bundle (cpu.browser.ts in cpu.ts\'s place)', () => {
  it('reports the cores a page sees and says the rest is not visible', async () => {
    const { cpuReport } = await import('../../src/capabilities/cpu.browser.js');
    vi.stubGlobal('navigator', { hardwareConcurrency: 6 });
    try {
      const report = await cpuReport();
      expect(report.simd).toEqual({ baseline: [], found: [], notFound: [], source: 'not visible from a browser' });
      expect(report.logicalCores).toBe(6);
    } finally {
      vi.unstubAllGlobals();
    }
  });
});
