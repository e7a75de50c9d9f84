// The capability report: what this machine offers tmnn and what tmnn chose.
// `tm.capabilities()` returns it; `tmnn report` prints it.
import type { Addon, Int8Path } from '../backends/native/addon.js';
import type { BackendName } from '../backends/kernels.js';
import { activeBackend, backendSelection } from '../engine.js';
import { probeBackends } from '../selection.js';
import { VERSION } from '../version.js';
import { mallocPolicy } from '../backends/native/malloc.js';
import { blasReport, type BlasReport } from './blas.js';
import { cpuReport, type CpuReport } from './cpu.js';
import type { WebGpuBackend } from '../backends/webgpu/index.js';
import { gpuReport, gpuTuning, type GpuReport } from './gpu.js';

export interface BackendAvailability {
  name: BackendName;
  available: boolean;
  /** Why it is not available, and how to get it. */
  reason?: string;
  /** What it runs on, when available. */
  device?: string;
}

/** How one dtype runs on one backend here. */
export interface DTypeSupport {
  backend: BackendName;
  dtype: string;
  how: string;
}

export interface CapabilityReport {
  versions: { tmnn: string; node: string; platform: string };
  cpu: CpuReport;
  gpu: GpuReport;
  blas: BlasReport;
  backends: BackendAvailability[];
  dtypes: DTypeSupport[];
  selected: { backend: BackendName; reason: string };
}

async function addon(): Promise<{ addon: Addon } | { reason: string }> {
  if (typeof process === 'undefined' || !process.versions?.node) return { reason: 'no native backend in a browser' };
  try {
    const { loadAddon } = await import('../backends/native/addon.js');
    return { addon: await loadAddon() };
  } catch (err) {
    return { reason: (err as Error).message };
  }
}

const INT8_PATH_NAMES: Record<Int8Path, string> = {
  'avx512-vnni': 'AVX-512 VNNI (vpdpbusd, 512-bit)',
  'avx512vl-vnni': 'AVX-512 VNNI (vpdpbusd, 256-bit)',
  'avx-vnni': 'AVX-VNNI (vpdpbusd, 256-bit)',
  portable: 'portable loops',
};

function dtypeRows(native: Addon | null, gpu: GpuReport): DTypeSupport[] {
  const rows: DTypeSupport[] = [];
  if (native) {
    const f = native.cpuFeatures();
    const simd = f.avx512f ? 'AVX-512' : f.avx2 ? 'AVX2' : 'SSE2';
    rows.push(
      { backend: 'native', dtype: 'f32', how: `OpenBLAS sgemm; ${native.fftComplex ? 'KissFFT transforms' : 'FFTs as matrix products (built without KissFFT)'}; elementwise and reductions in ${simd} loops` },
      { backend: 'native', dtype: 'f16', how: `stored as f16; converted with ${native.f16Path() === 'f16c' ? 'F16C' : 'portable code'}, computed in f32` },
      { backend: 'native', dtype: 'i8', how: `matmul: ${INT8_PATH_NAMES[native.int8Path()]}, exact i32 accumulation` },
    );
  }
  if (gpu.available) {
    const has = (feature: string, list?: string[]) => (list ?? []).includes(feature);
    rows.push(
      { backend: 'webgpu', dtype: 'f32', how: 'WGSL kernels: tiled matmul, elementwise chains fused into one kernel (and into a matmul\'s epilogue)' },
      {
        backend: 'webgpu',
        dtype: 'f16',
        how: has('shader-f16', gpu.features)
          ? 'shader-f16: stored and computed as f16, matmul accumulates in f32'
          : 'no shader-f16 on this adapter: stored packed two to a u32, computed in f32',
      },
      {
        backend: 'webgpu',
        dtype: 'i8',
        how: (has('packed_4x8_integer_dot_product', gpu.wgslLanguageFeatures)
          ? 'stored four to a u32; matmul can use dot4I8Packed (packed_4x8_integer_dot_product)'
          : 'stored four to a u32; matmul unpacks bytes (the adapter lacks packed_4x8_integer_dot_product)') +
          (gpu.subgroupMatrices?.shapes.some((s) => s.startsWith('i8→i32')) ? ', or the adapter\'s int8 subgroup matrices (tensor cores)' : ''),
      },
    );
  }
  rows.push({ backend: 'js', dtype: 'all', how: 'plain loops in float64, rounded once on store' });
  return rows;
}

export async function capabilities(): Promise<CapabilityReport> {
  const selection = backendSelection();
  const found = await addon();
  const native = 'addon' in found ? found.addon : null;
  const features = native?.cpuFeatures();
  const gpu = await gpuReport();
  const backends: BackendAvailability[] = [];
  for (const s of await probeBackends()) {
    if (!('backend' in s)) {
      backends.push({ name: s.name, available: false, reason: s.why });
      continue;
    }
    backends.push({ name: s.name, available: true, device: s.backend.device.description });
    if (s.name === 'webgpu' && gpu.available) gpu.tuning = await gpuTuning(s.backend as WebGpuBackend);
    // Started only to see that it can: give back what it holds (a GPU device).
    if (s.backend !== activeBackend()) s.backend.release?.();
  }
  return {
    versions: {
      tmnn: VERSION,
      node: typeof process !== 'undefined' ? process.version : 'none (browser)',
      platform: typeof process !== 'undefined' ? `${process.platform}-${process.arch}` : (typeof navigator !== 'undefined' ? navigator.userAgent : 'unknown'),
    },
    cpu: { ...(await cpuReport(features)), malloc: mallocPolicy() ?? undefined },
    gpu,
    blas: blasReport(native?.blasInfo() ?? null, features ?? {}, 'reason' in found ? found.reason : undefined),
    backends,
    dtypes: dtypeRows(native, gpu),
    selected: { backend: selection.backend, reason: selection.reason },
  };
}
