// The BLAS part of the capability report: which library the native backend
// links, the CPU core OpenBLAS tuned its kernels for, its threads — and a
// check of that core against the CPU. OpenBLAS obeys OPENBLAS_CORETYPE even
// when it names an older core than the CPU's (Haswell's AVX2 kernels on an
// AVX-512 machine run ~1.7× slower here); the report flags it and names the
// fix rather than overriding a setting the user made.
import type { BlasInfo, CpuFeatures } from '../backends/native/addon.js';

export interface BlasReport {
  available: boolean;
  /** Why there is no BLAS, and how to get it. */
  reason?: string;
  library?: string;
  version?: string;
  /** The CPU core whose kernels OpenBLAS uses (openblas_get_corename). */
  core?: string;
  config?: string;
  threads?: number;
  /** OPENBLAS_CORETYPE as set in the environment, if it is. */
  coretypeEnv?: string;
  /** A core weaker than the CPU, with the fix; absent when they match. */
  mismatch?: string;
}

const AVX512_CORES = ['skylakex', 'cooperlake', 'sapphirerapids'];
const AVX2_CORES = ['haswell', 'zen', 'skylake', ...AVX512_CORES];

/** The SIMD level the CPU offers against what the OpenBLAS core uses; a sentence when the core is weaker. */
export function coreMismatch(core: string, cpu: Partial<CpuFeatures>, coretypeEnv?: string): string | undefined {
  const c = core.toLowerCase();
  const want = cpu.avx512f ? 'AVX-512' : cpu.avx2 ? 'AVX2' : null;
  const has = AVX512_CORES.includes(c) ? 'AVX-512' : AVX2_CORES.includes(c) ? 'AVX2' : 'older';
  if (!want || want === has || (want === 'AVX2' && has === 'AVX-512')) return undefined;
  const cause = coretypeEnv
    ? `because OPENBLAS_CORETYPE=${coretypeEnv} is set; unset it (or set it to ${want === 'AVX-512' ? 'SkylakeX' : 'Haswell'}) to let OpenBLAS use the ${want} kernels`
    : `; this OpenBLAS build may lack ${want} kernels: a DYNAMIC_ARCH build (Debian's libopenblas0-pthread) picks them at run time`;
  return `OpenBLAS runs ${core} (${has}) kernels on a CPU with ${want}${cause.startsWith(';') ? cause : ` ${cause}`}`;
}

export function blasReport(info: BlasInfo | null, cpu: Partial<CpuFeatures>, reason?: string): BlasReport {
  if (!info) return { available: false, reason };
  const coretypeEnv = typeof process !== 'undefined' ? process.env.OPENBLAS_CORETYPE || undefined : undefined;
  const version = info.version ?? /OpenBLAS\s+([\d.]+)/.exec(info.config)?.[1];
  return {
    available: true,
    library: 'OpenBLAS',
    version,
    core: info.corename,
    config: info.config,
    threads: info.threads,
    coretypeEnv,
    mismatch: coreMismatch(info.corename, cpu, coretypeEnv),
  };
}
