// esbuild plugins for what a page downloads: tmnn's browser bundle
// (scripts/build.mjs) and the demo page's script (examples/browser/build.mjs).
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The browser bundle's WGSL without comments and indentation: the bundle
 * carries every shader, and their header comments are a good share of its
 * size. (WGSL has no string literals, so `//` always starts a comment.)
 */
export const compactWgsl = {
  name: 'compact-wgsl',
  setup(b) {
    b.onLoad({ filter: /\.wgsl$/ }, (args) => ({
      // (Spaces next to `,;(){}` go too: those never join a neighbour into another token.)
      contents: readFileSync(args.path, 'utf8').split('\n').map((line) => line.replace(/\/\/.*$/, '').trim().replace(/[ \t]*([,;(){}])[ \t]*/g, '$1')).filter(Boolean).join('\n'),
      loader: 'text',
    }));
  },
};

/**
 * Node-only modules in the browser bundle, each swapped for a stand-in that
 * answers as the module answers outside Node, so that what a page downloads
 * holds none of their code: the native backend's loader and backend
 * (src/backends/native/browser.ts: an N-API addon needs Node.js), file I/O
 * (src/io/file.browser.ts), the CPU's SIMD tables and the BLAS check
 * (src/capabilities/{cpu,blas}.browser.ts), fit's terminal progress bar
 * (src/nn/progress.browser.ts) and the filter of Dawn's stderr notices
 * (src/backends/webgpu/dawn_notices.browser.ts).
 */
const STAND_INS = [
  [/src[\\/]backends[\\/]native[\\/](index|addon)\.(ts|js)$/, 'src/backends/native/browser.ts'],
  [/src[\\/]io[\\/]file\.(ts|js)$/, 'src/io/file.browser.ts'],
  [/src[\\/]capabilities[\\/]cpu\.(ts|js)$/, 'src/capabilities/cpu.browser.ts'],
  [/src[\\/]capabilities[\\/]blas\.(ts|js)$/, 'src/capabilities/blas.browser.ts'],
  [/src[\\/]nn[\\/]progress\.(ts|js)$/, 'src/nn/progress.browser.ts'],
  [/src[\\/]backends[\\/]webgpu[\\/]dawn_notices\.(ts|js)$/, 'src/backends/webgpu/dawn_notices.browser.ts'],
];
export const browserStandIns = {
  name: 'browser-stand-ins',
  setup(b) {
    // Every relative .js import is looked up in STAND_INS, so the list is the one place that names them.
    b.onResolve({ filter: /^\.\.?\/.*\.js$/ }, (args) => {
      const path = resolve(dirname(args.importer), args.path);
      const standIn = STAND_INS.find(([module]) => module.test(path));
      return standIn ? { path: fileURLToPath(new URL(`../${standIn[1]}`, import.meta.url)) } : undefined;
    });
  },
};
