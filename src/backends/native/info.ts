// What the native addon can say about this machine, for the engine and the
// capability report: OpenBLAS (core, config, version, threads), the CPU's
// SIMD extensions from CPUID, and which f16 and int8 code paths run.
import { ValueError, formatValue } from '../../errors.js';
import { loadAddon, type BlasInfo, type CpuFeatures, type F16Path, type Int8Path } from './addon.js';
import { productsSettled } from './pending.js';

export interface NativeInfo {
  blas: BlasInfo;
  cpu: CpuFeatures;
  int8Path: Int8Path;
  f16Path: F16Path;
}

/** Rejects, like loadAddon, with what is missing when the addon is not built. */
export async function nativeInfo(): Promise<NativeInfo> {
  const addon = await loadAddon();
  return { blas: addon.blasInfo(), cpu: addon.cpuFeatures(), int8Path: addon.int8Path(), f16Path: addon.f16Path() };
}

/** OpenBLAS's thread count (the int8 GEMM uses as many). */
export async function getNativeThreads(): Promise<number> {
  return (await loadAddon()).getThreads();
}

/**
 * Sets it; resolves to the count now in effect. Products already issued run
 * to the end on the count they were issued under first (OpenBLAS's bits
 * depend on it), queued ones included.
 */
export async function setNativeThreads(n: number): Promise<number> {
  if (!Number.isInteger(n) || n < 1) throw new ValueError(`native backend: threads must be a positive integer, got ${formatValue(n)}`);
  const addon = await loadAddon();
  await productsSettled();
  return addon.setThreads(n);
}
