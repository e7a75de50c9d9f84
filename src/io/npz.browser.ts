// .npz as the browser bundle has it: not at all. The ZIP code (fflate's,
// with its deflate) would add ~10 KB gzipped to every page for a format
// pages rarely meet; scripts/build.mjs puts this file in place of npz.ts in
// dist/tmnn.browser.js. A page reads and writes single tensors as .npy.
import { ValueError } from '../errors.js';
import type { NpyArray } from './npy.js';

export interface EncodeNpzOptions {
  compress?: boolean;
}

const MISSING = '.npz archives are not in the browser bundle (their ZIP code would weigh ~10 KB gzipped); use tm.toNpy/fromNpy a tensor at a time, or tmnn in Node';

export function encodeNpz(_arrays: Readonly<Record<string, NpyArray>>, _options: EncodeNpzOptions = {}): Uint8Array {
  throw new ValueError(`toNpz: ${MISSING}`);
}

export function decodeNpz(_bytes: Uint8Array): Record<string, NpyArray> {
  throw new ValueError(`fromNpz: ${MISSING}`);
}
