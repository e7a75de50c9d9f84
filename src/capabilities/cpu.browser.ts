// The CPU report as the browser bundle has it: a page sees only its number
// of cores. scripts/build.mjs puts this file in place of cpu.ts in
// dist/tmnn.browser.js, which keeps the SIMD tables (read in Node from
// /proc/cpuinfo or the native addon's CPUID) out of what a page downloads;
// it answers as cpu.ts answers outside Node.
import type { CpuReport } from './cpu.js';

export function browserCpuReport(): CpuReport {
  const cores = typeof navigator !== 'undefined' ? navigator.hardwareConcurrency ?? 0 : 0;
  return {
    model: 'unknown (a browser does not say)',
    arch: 'unknown',
    logicalCores: cores,
    simd: { baseline: [], found: [], notFound: [], source: 'not visible from a browser' },
  };
}

export function cpuReport(): Promise<CpuReport> {
  return Promise.resolve(browserCpuReport());
}
