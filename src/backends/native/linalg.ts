// The native backend's tm.linalg kernels (backends/linalg.ts): OpenBLAS's
// LAPACK through the addon (fallback/src/linalg.cc), a batch's matrices
// split among threads.
import type { StorageArray } from '../../dtype.js';
import type { LinalgKernels } from '../linalg.js';
import type { NativeBackend } from './index.js';

export function nativeLinalg(native: NativeBackend): LinalgKernels<StorageArray> {
  return {
    luFactor(a) {
      const [batch, n] = a.shape;
      const lu = native.allocate('f32', batch * n * n) as Float32Array;
      const pivots = native.allocate('i32', batch * n) as Int32Array;
      if (lu.length) native.addon.luFactor(native.sizedStorage(a) as Float32Array, batch, n, lu, pivots);
      return { lu, pivots };
    },

    luSolve(lu, pivots, b) {
      const [batch, n, k] = b.shape;
      const out = native.allocate('f32', batch * n * k) as Float32Array;
      if (out.length) native.addon.luSolve(native.sizedStorage(lu) as Float32Array, native.sizedStorage(pivots) as Int32Array, native.sizedStorage(b) as Float32Array, batch, n, k, out);
      return out;
    },

    ldlFactor(a) {
      const [batch, n] = a.shape;
      const ld = native.allocate('f32', batch * n * n) as Float32Array;
      const pivots = native.allocate('i32', batch * n) as Int32Array;
      if (ld.length) native.addon.ldlFactor(native.sizedStorage(a) as Float32Array, batch, n, ld, pivots);
      return { ld, pivots };
    },

    ldlSolve(ld, pivots, b) {
      const [batch, n, k] = b.shape;
      const out = native.allocate('f32', batch * n * k) as Float32Array;
      if (out.length) native.addon.ldlSolve(native.sizedStorage(ld) as Float32Array, native.sizedStorage(pivots) as Int32Array, native.sizedStorage(b) as Float32Array, batch, n, k, out);
      return out;
    },

    cholesky(a) {
      const [batch, n] = a.shape;
      const out = native.allocate('f32', batch * n * n) as Float32Array;
      if (out.length) native.addon.cholesky(native.sizedStorage(a) as Float32Array, batch, n, out);
      return out;
    },

    qr(a, complete) {
      const [batch, m, n] = a.shape;
      const c = complete ? m : Math.min(m, n);
      const q = native.allocate('f32', batch * m * c) as Float32Array;
      const r = native.allocate('f32', batch * c * n) as Float32Array;
      if (q.length) native.addon.qr(native.sizedStorage(a) as Float32Array, batch, m, n, complete, q, r);
      return { q, r };
    },

    triangularSolve(a, b, upper, unit) {
      const [batch, n, k] = b.shape;
      const out = native.allocate('f32', batch * n * k) as Float32Array;
      if (out.length) native.addon.triangularSolve(native.sizedStorage(a) as Float32Array, native.sizedStorage(b) as Float32Array, batch, n, k, upper, unit, out);
      return out;
    },

    eigh(a) {
      const [batch, n] = a.shape;
      const values = native.allocate('f32', batch * n) as Float32Array;
      const vectors = native.allocate('f32', batch * n * n) as Float32Array;
      if (values.length) native.addon.eigh(native.sizedStorage(a) as Float32Array, batch, n, values, vectors);
      return { values, vectors };
    },

    eig(a) {
      const [batch, n] = a.shape;
      const values = native.allocate('f32', batch * n * 2) as Float32Array;
      const vectors = native.allocate('f32', batch * n * n * 2) as Float32Array;
      if (values.length) native.addon.eig(native.sizedStorage(a) as Float32Array, batch, n, values, vectors);
      return { values, vectors };
    },

    svd(a) {
      const [batch, m, n] = a.shape;
      const k = Math.min(m, n);
      const u = native.allocate('f32', batch * m * k) as Float32Array;
      const s = native.allocate('f32', batch * k) as Float32Array;
      const vh = native.allocate('f32', batch * k * n) as Float32Array;
      if (s.length) native.addon.svd(native.sizedStorage(a) as Float32Array, batch, m, n, u, s, vh);
      return { u, s, vh };
    },
  };
}
