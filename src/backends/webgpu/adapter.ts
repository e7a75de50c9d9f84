// Finding a WebGPU adapter: navigator.gpu in a browser, Dawn's `webgpu`
// package in Node. Shared by the capability report and the webgpu backend.
import { BackendUnavailableError } from '../../errors.js';
import { quietDawn } from './dawn_notices.js';

export interface AdapterFound {
  gpu: GPU;
  adapter: GPUAdapter;
  /** The native API under WebGPU (Vulkan, Metal, D3D12), where it can be known. */
  api: string;
}

/** Either an adapter, or why there is none and what to do about it. */
export type AdapterResult = AdapterFound | { reason: string };

// Dawn picks one native API per platform for its default adapter.
const DAWN_API: Record<string, [toggle: string, name: string]> = {
  linux: ['vulkan', 'Vulkan'],
  win32: ['d3d12', 'D3D12'],
  darwin: ['metal', 'Metal'],
};

async function nodeGpu(): Promise<{ gpu: GPU; api: string } | { reason: string }> {
  const [toggle, api] = DAWN_API[process.platform] ?? ['', 'unknown'];
  try {
    // Dawn reads XDG_RUNTIME_DIR and warns when it is missing; /tmp is as good as any.
    process.env.XDG_RUNTIME_DIR ??= '/tmp';
    const dawn = await import('webgpu');
    // Dawn rounds GPU timestamps to ~65 µs by default, a guard against timing
    // attacks from web pages; a Node process has nothing to guard, and the
    // kernel timer (kernel_timer.ts) needs them exact.
    const flags = ['disable-dawn-features=timestamp_quantization', ...(toggle ? [`backend=${toggle}`] : [])];
    // Dawn's experimental features (subgroup matrices: the int8 product on
    // tensor cores) are offered only under its allow_unsafe_apis toggle;
    // a user opts in, since they are drafts whose drivers are young.
    if (unsafeApisWanted()) flags.push('enable-dawn-features=allow_unsafe_apis');
    return { gpu: dawn.create(flags), api };
  } catch (err) {
    return { reason: `the webgpu package (Dawn) could not load: ${err instanceof Error ? err.message : String(err)}` };
  }
}

/**
 * Whether Node's Dawn is created with allow_unsafe_apis
 * (TMNN_WEBGPU_UNSAFE_APIS=1): in a browser the same features appear only
 * where the user has enabled them (Chrome's --enable-unsafe-webgpu).
 */
export function unsafeApisWanted(): boolean {
  return typeof process !== 'undefined' && process.env?.TMNN_WEBGPU_UNSAFE_APIS === '1';
}

/** One of an adapter's subgroup-matrix configurations: left M × K times right K × N, of these component types. */
export interface SubgroupMatrixConfig {
  componentType: string;
  resultComponentType: string;
  M: number;
  N: number;
  K: number;
}

/** The adapter's subgroup-matrix configurations (Dawn's GPUAdapterInfo.subgroupMatrixConfigs, not yet in @webgpu/types); none where it lists none. */
export function subgroupMatrixConfigs(info: GPUAdapterInfo): readonly SubgroupMatrixConfig[] {
  return (info as GPUAdapterInfo & { subgroupMatrixConfigs?: readonly SubgroupMatrixConfig[] }).subgroupMatrixConfigs ?? [];
}

/** Asks for the high-performance adapter. Never throws. */
export async function findAdapter(): Promise<AdapterResult> {
  let gpu: GPU;
  let api: string;
  if (typeof navigator !== 'undefined' && 'gpu' in navigator && navigator.gpu) {
    gpu = navigator.gpu;
    api = 'browser';
  } else if (typeof process !== 'undefined' && process.versions?.node) {
    const found = await nodeGpu();
    if ('reason' in found) return found;
    ({ gpu, api } = found);
  } else {
    return { reason: 'this browser has no WebGPU (navigator.gpu is missing); try a recent Chrome or Edge, or enable WebGPU' };
  }
  try {
    const request = () => gpu.requestAdapter({ powerPreference: 'high-performance' });
    // Dawn discovers the adapters in this call, and prints notices as it does (dawn_notices.ts).
    const adapter = await (api === 'browser' ? request() : quietDawn(request));
    if (adapter) return { gpu, adapter, api };
  } catch (err) {
    return { reason: `requestAdapter failed: ${err instanceof Error ? err.message : String(err)}` };
  }
  const hint = typeof process !== 'undefined' && process.platform === 'linux'
    ? ' (on Linux Dawn needs a Vulkan driver: a GPU driver, or Mesa 25 lavapipe: apt-get install -t bookworm-backports mesa-vulkan-drivers libvulkan1)'
    : '';
  return { reason: `no WebGPU adapter found${hint}` };
}

/** The high-performance adapter, or a BackendUnavailableError saying why there is none. */
export async function requireAdapter(): Promise<AdapterFound> {
  const found = await findAdapter();
  if ('reason' in found) throw new BackendUnavailableError(`webgpu: ${found.reason}`);
  return found;
}

/** Software rasterisers that expose WebGPU but run on the CPU, far slower than BLAS. */
export function isSoftwareAdapter(adapter: GPUAdapter): boolean {
  const info = adapter.info;
  const text = `${info.vendor} ${info.architecture} ${info.device} ${info.description}`.toLowerCase();
  return info.isFallbackAdapter || /llvmpipe|lavapipe|swiftshader|software|warp/.test(text);
}
