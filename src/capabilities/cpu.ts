// What the CPU offers: model, cores, and SIMD extensions. Read from
// /proc/cpuinfo's flags on Linux (the kernel lists what CPUID reports and the
// OS enables); elsewhere only what Node's os module or the browser knows.
// Node modules are imported lazily so that the browser bundle never loads them
// (it has cpu.browser.ts in this file's place: scripts/build.mjs).
import { browserCpuReport } from './cpu.browser.js';

export interface SimdReport {
  /** Extensions every CPU of this architecture has, so code may assume them. */
  baseline: string[];
  /** Extensions beyond the baseline that this CPU has. */
  found: string[];
  /** Extensions tmnn can use that this CPU lacks. */
  notFound: string[];
  /** Where the lists came from. */
  source: string;
}

export interface CpuReport {
  model: string;
  arch: string;
  logicalCores: number;
  simd: SimdReport;
  /** How tmnn set up glibc's malloc for large arrays (src/backends/native/malloc.ts); absent without the native addon. */
  malloc?: string;
}

// Display name → /proc/cpuinfo flag, in the order a reader expects.
const X86_FLAGS: readonly (readonly [string, string])[] = [
  ['SSE', 'sse'], ['SSE2', 'sse2'], ['SSE3', 'pni'], ['SSSE3', 'ssse3'], ['SSE4.1', 'sse4_1'], ['SSE4.2', 'sse4_2'],
  ['AVX', 'avx'], ['AVX2', 'avx2'], ['FMA', 'fma'], ['F16C', 'f16c'],
  ['AVX-512F', 'avx512f'], ['AVX-512CD', 'avx512cd'], ['AVX-512BW', 'avx512bw'], ['AVX-512DQ', 'avx512dq'],
  ['AVX-512VL', 'avx512vl'], ['AVX-512VNNI', 'avx512_vnni'], ['AVX-512BF16', 'avx512_bf16'], ['AVX-512FP16', 'avx512_fp16'],
  ['AVX-VNNI', 'avx_vnni'], ['AMX-TILE', 'amx_tile'], ['AMX-INT8', 'amx_int8'], ['AMX-BF16', 'amx_bf16'],
];
const X86_BASELINE = new Set(['SSE', 'SSE2']); // part of x86-64 itself

const ARM_FLAGS: readonly (readonly [string, string])[] = [
  ['NEON', 'asimd'], ['FP16', 'fphp'], ['ASIMDHP', 'asimdhp'], ['DOTPROD', 'asimddp'], ['I8MM', 'i8mm'],
  ['BF16', 'bf16'], ['SVE', 'sve'], ['SVE2', 'sve2'],
];
const ARM_BASELINE = new Set(['NEON']); // part of AArch64 itself

async function cpuinfo(): Promise<string | null> {
  try {
    const { readFile } = await import('node:fs/promises');
    return await readFile('/proc/cpuinfo', 'utf8');
  } catch {
    return null;
  }
}

/** The flags /proc/cpuinfo lists for the first CPU. */
export function cpuinfoFlags(text: string): Set<string> {
  const line = text.split('\n').find((l) => /^(flags|Features)\s*:/.test(l));
  return new Set(line ? line.split(':')[1].trim().split(/\s+/) : []);
}

export function simdFrom(flags: Set<string>, arch: string): SimdReport {
  const [table, baseline] = arch === 'arm64' ? [ARM_FLAGS, ARM_BASELINE] : [X86_FLAGS, X86_BASELINE];
  const report: SimdReport = { baseline: [], found: [], notFound: [], source: '/proc/cpuinfo' };
  for (const [name, flag] of table) {
    if (baseline.has(name)) report.baseline.push(name);
    else (flags.has(flag) ? report.found : report.notFound).push(name);
  }
  return report;
}

// Display name → the native addon's cpuid feature key.
const CPUID_KEYS: Record<string, string> = {
  SSE: 'sse', SSE2: 'sse2', SSE3: 'sse3', SSSE3: 'ssse3', 'SSE4.1': 'sse4_1', 'SSE4.2': 'sse4_2', AVX: 'avx', AVX2: 'avx2',
  FMA: 'fma', F16C: 'f16c', 'AVX-512F': 'avx512f', 'AVX-512CD': 'avx512cd', 'AVX-512BW': 'avx512bw', 'AVX-512DQ': 'avx512dq',
  'AVX-512VL': 'avx512vl', 'AVX-512VNNI': 'avx512_vnni', 'AVX-512BF16': 'avx512_bf16', 'AVX-512FP16': 'avx512_fp16',
  'AVX-VNNI': 'avx_vnni', 'AMX-TILE': 'amx_tile', 'AMX-INT8': 'amx_int8', 'AMX-BF16': 'amx_bf16',
};

/** SIMD lists from CPUID as the native addon read it (x86-64 only), which also knows what the OS enabled. */
export function simdFromCpuid(features: Record<string, boolean>): SimdReport {
  const report: SimdReport = { baseline: [], found: [], notFound: [], source: 'cpuid (native addon)' };
  for (const [name] of X86_FLAGS) {
    if (X86_BASELINE.has(name)) report.baseline.push(name);
    else (features[CPUID_KEYS[name]] ? report.found : report.notFound).push(name);
  }
  return report;
}

export async function cpuReport(cpuid?: Record<string, boolean>): Promise<CpuReport> {
  if (typeof process === 'undefined' || !process.versions?.node) return browserCpuReport();
  const os = await import('node:os');
  const arch = os.arch();
  const cpus = os.cpus();
  const text = await cpuinfo();
  const model = cpus[0]?.model?.trim() || 'unknown';
  const logicalCores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : cpus.length;
  if (cpuid && arch === 'x64') return { model, arch, logicalCores, simd: simdFromCpuid(cpuid) };
  if (text === null || (arch !== 'x64' && arch !== 'arm64')) {
    const baseline = arch === 'x64' ? ['SSE', 'SSE2'] : arch === 'arm64' ? ['NEON'] : [];
    return { model, arch, logicalCores, simd: { baseline, found: [], notFound: [], source: 'architecture baseline only (no /proc/cpuinfo)' } };
  }
  return { model, arch, logicalCores, simd: simdFrom(cpuinfoFlags(text), arch) };
}
