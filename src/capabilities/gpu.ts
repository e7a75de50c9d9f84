// The GPU part of the capability report: the adapter WebGPU offers, its
// features, WGSL language features and the limits that shape kernels.
import { findAdapter, isSoftwareAdapter } from '../backends/webgpu/adapter.js';

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
  limits?: Record<string, number>;
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
    limits,
  };
}
