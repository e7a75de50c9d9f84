// Types of browser-plugins.mjs, for the TypeScript files that import it (vitest.config.ts).
import type { Plugin } from 'esbuild';

export function compactWgslText(text: string): string;
export function wgslModule(text: string, path: string): string;
export const compactWgsl: Plugin;
export const noteWgsl: Plugin;
export const browserStandIns: Plugin;
