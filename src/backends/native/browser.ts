// The native backend as the browser bundle has it: an N-API addon needs
// Node.js, so a page never loads one. scripts/build.mjs puts this file in
// place of index.ts, addon.ts and malloc.ts in dist/tmnn.browser.js, which keeps the
// addon's TypeScript out of what a page downloads; it answers as they answer
// outside Node.
import type { Backend } from '../kernels.js';
import type { Addon } from './addon.js';

const WHY = 'the native backend needs Node.js';

export function loadAddon(): Promise<Addon> {
  return Promise.reject(new Error(WHY));
}

export function createNativeBackend(): Promise<Backend> {
  return Promise.reject(new Error(WHY));
}

/** malloc.ts's answer before any addon has loaded: a page never loads one. */
export function mallocPolicy(): string | null {
  return null;
}
