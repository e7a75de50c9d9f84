// The BLAS part of the report as the browser bundle has it: BLAS comes with
// the native backend, which a page never has, so there is none and the
// reason says why. scripts/build.mjs puts this file in place of blas.ts in
// dist/tmnn.browser.js; it answers as blas.ts does without the addon.
import type { BlasReport } from './blas.js';

export function blasReport(_info: null, _cpu: unknown, reason?: string): BlasReport {
  return { available: false, reason };
}
