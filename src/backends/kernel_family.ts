// Kernels that only a few ops use (tm.linalg's, CTC's, the recurrent
// cells', the convolutions', the ONNX tree ensembles' walk, searchsorted's,
// the scatters' reduce) are kept apart from the core kernel contract
// (kernels.ts), grouped in families: a page that never calls those ops
// never downloads them, since only those ops import a family's module
// (linalg.ts, ctc.ts, recurrent_cells.ts, convolution.ts, tree_walk.ts,
// search.ts, scatter_reduce.ts). Each backend's members are made on first
// use, once.
import type { Backend } from './kernels.js';
import type { NativeBackend } from './native/index.js';
import type { WebGpuBackend } from './webgpu/index.js';

/** How each backend makes a family's kernels. */
export interface FamilyMakers<F> {
  js(): F;
  native(backend: NativeBackend): F;
  webgpu(backend: WebGpuBackend): F;
}

/** The lookup of a family's kernels for a backend, made on its first use for that backend and kept. */
export function kernelFamily<F extends object>(makers: FamilyMakers<F>): (backend: Backend) => F {
  const made = new WeakMap<Backend, F>();
  const make = (backend: Backend): F => {
    switch (backend.name) {
      case 'js': return makers.js();
      case 'native': return makers.native(backend as NativeBackend);
      case 'webgpu': return makers.webgpu(backend as WebGpuBackend);
    }
  };
  return (backend) => {
    let kernels = made.get(backend);
    if (!kernels) made.set(backend, (kernels = make(backend)));
    return kernels;
  };
}
