// The capability report: what this machine offers tmnn and what tmnn chose.
// `tm.capabilities()` returns it; `tmnn report` prints it.
import type { BackendName } from '../backends/kernels.js';
import { backendSelection } from '../engine.js';
import { probeBackends } from '../selection.js';
import { VERSION } from '../version.js';
import { cpuReport, type CpuReport } from './cpu.js';
import { gpuReport, type GpuReport } from './gpu.js';

export interface BackendAvailability {
  name: BackendName;
  available: boolean;
  /** Why it is not available, and how to get it. */
  reason?: string;
}

export interface CapabilityReport {
  versions: { tmnn: string; node: string; platform: string };
  cpu: CpuReport;
  gpu: GpuReport;
  backends: BackendAvailability[];
  selected: { backend: BackendName; reason: string };
}

export async function capabilities(): Promise<CapabilityReport> {
  const selection = backendSelection();
  return {
    versions: {
      tmnn: VERSION,
      node: typeof process !== 'undefined' ? process.version : 'none (browser)',
      platform: typeof process !== 'undefined' ? `${process.platform}-${process.arch}` : (typeof navigator !== 'undefined' ? navigator.userAgent : 'unknown'),
    },
    cpu: await cpuReport(),
    gpu: await gpuReport(),
    backends: (await probeBackends()).map((s) => ('backend' in s ? { name: s.name, available: true } : { name: s.name, available: false, reason: s.why })),
    selected: { backend: selection.backend, reason: selection.reason },
  };
}
