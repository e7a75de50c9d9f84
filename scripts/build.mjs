// Builds dist/: the Node entry, the browser bundle, the CLI and the bench
// runner (esbuild), and the type declarations (tsc).
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const versionSource = readFileSync(new URL('../src/version.ts', import.meta.url), 'utf8');
if (!versionSource.includes(`'${version}'`)) {
  throw new Error(`src/version.ts does not say ${version} (package.json's version); update it`);
}

rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });

/**
 * The browser bundle's WGSL without comments and indentation: the bundle
 * carries every shader, and their header comments are a good share of its
 * size. (WGSL has no string literals, so `//` always starts a comment.)
 */
const compactWgsl = {
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
 * (src/capabilities/{cpu,blas}.browser.ts) and fit's terminal progress bar
 * (src/nn/progress.browser.ts).
 */
const STAND_INS = [
  [/src[\\/]backends[\\/]native[\\/](index|addon)\.(ts|js)$/, 'src/backends/native/browser.ts'],
  [/src[\\/]io[\\/]file\.(ts|js)$/, 'src/io/file.browser.ts'],
  [/src[\\/]capabilities[\\/]cpu\.(ts|js)$/, 'src/capabilities/cpu.browser.ts'],
  [/src[\\/]capabilities[\\/]blas\.(ts|js)$/, 'src/capabilities/blas.browser.ts'],
  [/src[\\/]nn[\\/]progress\.(ts|js)$/, 'src/nn/progress.browser.ts'],
];
const browserStandIns = {
  name: 'browser-stand-ins',
  setup(b) {
    b.onResolve({ filter: /(native[\\/](index|addon)|file|cpu|blas|progress)\.js$/ }, (args) => {
      const path = resolve(dirname(args.importer), args.path);
      const standIn = STAND_INS.find(([module]) => module.test(path));
      return standIn ? { path: resolve(standIn[1]) } : undefined;
    });
  },
};

const common = { bundle: true, format: 'esm', sourcemap: true, target: 'es2022', logLevel: 'warning', loader: { '.wgsl': 'text' } };

await Promise.all([
  build({ ...common, entryPoints: ['src/index.ts'], outfile: 'dist/index.js', platform: 'node', packages: 'external' }),
  build({ ...common, entryPoints: ['src/index.ts'], outfile: 'dist/tmnn.browser.js', platform: 'browser', minify: true, plugins: [compactWgsl, browserStandIns], external: ['node:*', 'webgpu', 'cli-progress'] }),
  build({
    ...common,
    entryPoints: ['src/cli/main.ts'],
    outfile: 'dist/cli.js',
    platform: 'node',
    packages: 'external',
    banner: { js: '#!/usr/bin/env node' },
  }),
  build({ ...common, entryPoints: ['bench/main.ts'], outfile: 'dist/bench.js', platform: 'node', packages: 'external' }),
  build({ ...common, entryPoints: ['examples/mnist/main.ts'], outfile: 'dist/examples/mnist.js', platform: 'node', packages: 'external' }),
  build({ ...common, entryPoints: ['examples/xor/main.ts'], outfile: 'dist/examples/xor.js', platform: 'node', packages: 'external' }),
]);

execFileSync('npx', ['tsc', '-p', 'tsconfig.json'], { stdio: 'inherit' });
// scripts/setup.sh rebuilds only when a source is newer than this stamp.
writeFileSync('dist/.build-stamp', new Date().toISOString());
console.log(`built tmnn ${version} into dist/`);
