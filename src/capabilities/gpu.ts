// The GPU part of the capability report: the adapter WebGPU offers, its
// features, WGSL language features and the limits that shape kernels.
import { findAdapter, isSoftwareAdapter, subgroupMatrixConfigs, unsafeApisWanted } from '../backends/webgpu/adapter.js';
import type { WebGpuBackend } from '../backends/webgpu/index.js';
import { describeTile } from '../backends/webgpu/kernels/matmul_kernel.js';
import { knownTileTuning } from '../backends/webgpu/kernels/matmul_tuning.js';
import { describeInt8Tile, knownInt8Kernel, type Int8Path } from '../backends/webgpu/kernels/matmul_int8.js';
import { knownW8Tile } from '../backends/webgpu/kernels/matmul_w8.js';
import { knownRowLayout } from '../backends/webgpu/kernels/reduce.js';
import { describeQuantizedTile } from '../backends/webgpu/kernels/quantized_tiles.js';
import { knownQuantizedTiming } from '../backends/webgpu/kernels/quantized_path.js';

export interface GpuReport {
  available: boolean;
  /** Why there is no adapter, and how to get one. */
  reason?: string;
  adapter?: {
    vendor: string;
    architecture: string;
    device: string;
    description: string;
    /** The native API under WebGPU. */
    api: string;
    /** A CPU rasteriser (lavapipe, SwiftShader) rather than a GPU. */
    software: boolean;
    subgroupMinSize?: number;
    subgroupMaxSize?: number;
  };
  features?: string[];
  wgslLanguageFeatures?: string[];
  /**
   * The matrix shapes the adapter's subgroup matrices (tensor cores) take, as
   * "i8→i32 16×16×32" (M×N×K); where it lists none, why (in Node, Dawn lists
   * them only under allow_unsafe_apis: TMNN_WEBGPU_UNSAFE_APIS=1).
   */
  subgroupMatrices?: { shapes: string[]; note?: string };
  limits?: Record<string, number>;
  /** What tmnn measured on this adapter; null where it has not measured yet (it does on first use). */
  tuning?: GpuTuning;
}

export interface GpuTuning {
  /** The tile of large products, of those vec4 tiles cannot read, and of f16 products where a tile on subgroup matrices won (else null). */
  matmulTile: { tile: string; otherProducts: string; f16Products: string | null; measuredAt: string } | null;
  /** The int8 product's way of summing four byte products, and its tile. */
  int8Kernel: { dot: Int8Path; tile: string } | null;
  /** The tile of the f16 way (float activations times the int8 weight). */
  f16WayTile: string | null;
  /** How rows longer than a few dozen elements are reduced: a workgroup or an invocation per row. */
  rowLayout: 'workgroup' | 'invocation' | null;
  quantizedWay: { way: 'int8' | 'f16'; int8Ms: number; f16Ms: number; measuredAt: string } | null;
}

const KEY_LIMITS = [
  'maxBufferSize',
  'maxStorageBufferBindingSize',
  'maxStorageBuffersPerShaderStage',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupSizeY',
  'maxComputeWorkgroupSizeZ',
  'maxComputeWorkgroupsPerDimension',
] as const;

export async function gpuReport(): Promise<GpuReport> {
  const found = await findAdapter();
  if ('reason' in found) return { available: false, reason: found.reason };
  const { adapter, gpu, api } = found;
  const info = adapter.info as GPUAdapterInfo & { subgroupMinSize?: number; subgroupMaxSize?: number };
  const shapes = subgroupMatrixConfigs(info).map((c) => `${c.componentType}→${c.resultComponentType} ${c.M}×${c.N}×${c.K}`);
  const note = shapes.length ? undefined : api !== 'browser' && !unsafeApisWanted()
    ? 'none listed: Dawn lists them only under allow_unsafe_apis (TMNN_WEBGPU_UNSAFE_APIS=1)'
    : 'none listed';
  const limits: Record<string, number> = {};
  for (const k of KEY_LIMITS) limits[k] = adapter.limits[k];
  return {
    available: true,
    adapter: {
      vendor: info.vendor,
      architecture: info.architecture,
      device: info.device,
      description: info.description,
      api,
      software: isSoftwareAdapter(adapter),
      subgroupMinSize: info.subgroupMinSize,
      subgroupMaxSize: info.subgroupMaxSize,
    },
    features: [...adapter.features].sort(),
    wgslLanguageFeatures: [...(gpu.wgslLanguageFeatures ?? [])].sort(),
    subgroupMatrices: note ? { shapes, note } : { shapes },
    limits,
  };
}

/** The webgpu tunings known for this backend's adapter, from this process or an earlier one; times nothing. */
export async function gpuTuning(backend: WebGpuBackend): Promise<GpuTuning> {
  const rt = backend.runtime;
  const tile = await knownTileTuning(rt);
  const way = await knownQuantizedTiming(rt);
  const int8 = await knownInt8Kernel(rt);
  const w8 = await knownW8Tile(rt);
  return {
    matmulTile: tile
      ? {
        tile: describeTile(tile.value.best),
        otherProducts: describeTile(tile.value.general),
        f16Products: tile.value.f16 ? describeTile(tile.value.f16) : null,
        measuredAt: tile.measuredAt,
      }
      : null,
    int8Kernel: int8 ? { dot: int8.path, tile: describeInt8Tile(int8) } : null,
    f16WayTile: w8 ? describeQuantizedTile(w8) : null,
    rowLayout: (await knownRowLayout(rt)) ?? null,
    quantizedWay: way ? { way: way.value.path, int8Ms: way.value.int8Ms, f16Ms: way.value.f16Ms, measuredAt: way.measuredAt } : null,
  };
}
