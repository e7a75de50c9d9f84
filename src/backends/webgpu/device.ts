// Acquiring a GPUDevice for the webgpu backend: the optional features tmnn
// uses (shader-f16, subgroups, timestamp-query) when the adapter has them,
// the adapter's own limits rather than WebGPU's conservative defaults (a
// matmul tile wants more than 16 KiB of workgroup memory and more than 256
// invocations where the adapter allows it), and a watch on device loss.
import { BackendUnavailableError } from '../../errors.js';
import { isSoftwareAdapter, requireAdapter, subgroupMatrixConfigs, type AdapterFound, type SubgroupMatrixConfig } from './adapter.js';
import { gpuWaiter } from './wait.js';

/** What the device was granted, which kernels consult when they pick a path. */
export interface GpuFeatures {
  /** shader-f16: f16 tensors are stored and computed as f16 in WGSL. */
  f16: boolean;
  subgroups: boolean;
  /**
   * The subgroup size, where the adapter has subgroups of one fixed size
   * (its min and max agree: 8 on lavapipe, 32 on NVIDIA); kernels that share
   * loads across a subgroup are built for it. null otherwise.
   */
  subgroupSize: number | null;
  timestampQuery: boolean;
  /** WGSL language feature packed_4x8_integer_dot_product: dot4I8Packed for int8. */
  dot4I8Packed: boolean;
  /**
   * The i8 × i8 → i32 subgroup-matrix shape the int8 product runs on the
   * adapter's matrix units with (Dawn's chromium-experimental-subgroup-matrix,
   * kernels/matmul_int8.ts), the largest the adapter lists; null without.
   */
  int8Matrix: SubgroupMatrixShape | null;
  /**
   * The f16 × f16 → f32 subgroup-matrix shape f16 products can run on
   * (kernels/matmul_matrix.ts), the largest the adapter lists; null without
   * (or without shader-f16).
   */
  f16Matrix: SubgroupMatrixShape | null;
}

/** A subgroup-matrix shape: left M × K times right K × N. */
export type SubgroupMatrixShape = Pick<SubgroupMatrixConfig, 'M' | 'N' | 'K'>;

export interface GpuContext {
  /** Held so the instance outlives the device: Dawn's Node binding tears everything down when its GPU object is collected. */
  gpu: GPU;
  device: GPUDevice;
  adapter: GPUAdapter;
  description: string;
  software: boolean;
  features: GpuFeatures;
  limits: GPUSupportedLimits;
  /** Set once the device is lost: the reason, for the error every later call gets. */
  lost: string | null;
  /** Awaits a GPU promise (a buffer map, work done) without spinning a core in Node (wait.ts). */
  wait: <T>(pending: Promise<T>) => Promise<T>;
}

const SUBGROUP_MATRIX = 'chromium-experimental-subgroup-matrix';
const WANTED_FEATURES = ['shader-f16', 'subgroups', 'timestamp-query', SUBGROUP_MATRIX] as const;

const WANTED_LIMITS = [
  'maxBufferSize',
  'maxStorageBufferBindingSize',
  'maxStorageBuffersPerShaderStage',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupSizeY',
  'maxComputeWorkgroupsPerDimension',
] as const;

/** A device on the adapter requireAdapter gives, or on `found`, one it gave. */
export async function acquireDevice(found?: AdapterFound): Promise<GpuContext> {
  const { adapter, gpu, api } = found ?? (await requireAdapter());
  const requiredFeatures = WANTED_FEATURES.filter((f) => adapter.features.has(f)) as GPUFeatureName[];
  const requiredLimits: Record<string, number> = {};
  for (const k of WANTED_LIMITS) requiredLimits[k] = adapter.limits[k];
  let device: GPUDevice;
  try {
    device = await adapter.requestDevice({ requiredFeatures, requiredLimits });
  } catch (err) {
    throw new BackendUnavailableError(`webgpu: requestDevice failed: ${err instanceof Error ? err.message : String(err)}`);
  }
  const info = adapter.info;
  const matrices = device.features.has(SUBGROUP_MATRIX) && device.features.has('subgroups');
  const ctx: GpuContext = {
    gpu,
    device,
    adapter,
    description: `${info.description || info.device || info.vendor || 'unknown adapter'} (${api})`,
    software: isSoftwareAdapter(adapter),
    features: {
      f16: device.features.has('shader-f16'),
      subgroups: device.features.has('subgroups'),
      subgroupSize: device.features.has('subgroups') ? fixedSubgroupSize(info) : null,
      timestampQuery: device.features.has('timestamp-query'),
      dot4I8Packed: gpu.wgslLanguageFeatures?.has('packed_4x8_integer_dot_product') ?? false,
      int8Matrix: matrices ? largestMatrix(info, 'i8', 'i32') : null,
      f16Matrix: matrices && device.features.has('shader-f16') ? largestMatrix(info, 'f16', 'f32') : null,
    },
    limits: plainLimits(device.limits),
    lost: null,
    wait: gpuWaiter(api),
  };
  void device.lost.then((info) => {
    ctx.lost = `${info.reason === 'destroyed' ? 'the device was destroyed' : 'the GPU device was lost'}${info.message ? ` (${info.message})` : ''}`;
  });
  return ctx;
}

/** The adapter's largest subgroup-matrix shape of these component types whose K the kernels can step by words (a multiple of 4). */
function largestMatrix(info: GPUAdapterInfo, component: string, result: string): SubgroupMatrixShape | null {
  const usable = subgroupMatrixConfigs(info)
    .filter((c) => c.componentType === component && c.resultComponentType === result && c.K % 4 === 0)
    .sort((x, y) => y.M * y.N - x.M * x.N);
  return usable.length ? { M: usable[0].M, N: usable[0].N, K: usable[0].K } : null;
}

function fixedSubgroupSize(info: GPUAdapterInfo): number | null {
  const { subgroupMinSize: min, subgroupMaxSize: max } = info;
  return min && min === max ? min : null;
}

/** The limits as a plain object: Dawn's are read through native getters, and launches read some on every dispatch. */
function plainLimits(limits: GPUSupportedLimits): GPUSupportedLimits {
  const plain: Record<string, number> = {};
  for (const k in limits) plain[k] = limits[k as keyof GPUSupportedLimits] as number;
  return plain as unknown as GPUSupportedLimits;
}
