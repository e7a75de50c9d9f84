// tmnn's public API. See DESIGN.md for the contract.
export { Tensor } from './tensor.js';
export type { GradientHook, HookHandle, NestedArray, TensorLike } from './tensor.js';
export type { PrintOptions } from './printing.js';
export * from './ops/index.js';
// torch.poisson: beside the Poisson distribution's sampler it shares (src/ops cannot import tm.distributions, which imports src/ops).
export { poisson, type PoissonOptions } from './distributions/poisson.js';
export { backend, backendSelection, memory, synchronize, tidy, keep } from './engine.js';
export type { BackendSelection, MemoryInfo } from './engine.js';
export { init } from './selection.js';
export { noGrad, isGradEnabled } from './tape.js';
export { checkpoint } from './autograd/checkpoint.js';
export { grad } from './autograd/backward.js';
export type { BackwardOptions, GradOptions } from './autograd/backward.js';
export * as autograd from './autograd/index.js';
export { getRandomState, setRandomState, setSeed, type RandomState } from './random.js';
export type { InitOptions } from './selection.js';
export type { BackendName } from './backends/kernels.js';
export { DTYPES } from './dtype.js';
export type { DType, DataArray } from './dtype.js';
export {
  TmnnError, ShapeError, DTypeError, ValueError, LinAlgError, DisposedTensorError, BackendUnavailableError, BackendMismatchError, DeviceLostError, GpuError,
} from './errors.js';
export { VERSION } from './version.js';
export { capabilities } from './capabilities/report.js';
export type { CapabilityReport, BackendAvailability, DTypeSupport } from './capabilities/report.js';
export type { BlasReport } from './capabilities/blas.js';
export type { GpuReport } from './capabilities/gpu.js';
export type { CpuReport, SimdReport } from './capabilities/cpu.js';
export { CorruptFileError } from './io/errors.js';
export { encodeSafetensors, decodeSafetensors } from './io/safetensors.js';
export type { SafetensorsEntry } from './io/safetensors.js';
export { fromNpy, fromNpz, loadNpy, loadNpz, saveNpy, saveNpz, toNpy, toNpz } from './io/numpy_files.js';
export type { EncodeNpzOptions } from './io/npz.js';
export * as data from './data/index.js';
export * as nn from './nn/index.js';
export * as losses from './losses/index.js';
export * as metrics from './metrics/index.js';
export * as optim from './optim/index.js';
export * as distributions from './distributions/index.js';
export * as special from './special/index.js';
export * as signal from './signal/index.js';
export * as audio from './audio/index.js';
export * as onnx from './onnx/index.js';
export * as vision from './vision/index.js';
