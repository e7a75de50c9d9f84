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
      contents: readFileSync(args.path, 'utf8').split('\n').map((line) => line.replace(/\/\/.*$/, '').trim()).filter(Boolean).join('\n'),
      loader: 'text',
    }));
  },
};

/**
 * The browser bundle's native backend: src/backends/native/browser.ts in place
 * of the addon's loader and backend, which need Node.js (a page never has
 * them) and would only add to what a page downloads.
 */
const nativeInNode = /src[\\/]backends[\\/]native[\\/](index|addon)\.(ts|js)$/;
const browserNative = {
  name: 'browser-native',
  setup(b) {
    b.onResolve({ filter: /native[\\/](index|addon)\.js$/ }, (args) => {
      const path = resolve(dirname(args.importer), args.path);
      return nativeInNode.test(path) ? { path: resolve('src/backends/native/browser.ts') } : undefined;
    });
  },
};

const common = { bundle: true, format: 'esm', sourcemap: true, target: 'es2022', logLevel: 'warning', loader: { '.wgsl': 'text' } };

await Promise.all([
  build({ ...common, entryPoints: ['src/index.ts'], outfile: 'dist/index.js', platform: 'node', packages: 'external' }),
  build({ ...common, entryPoints: ['src/index.ts'], outfile: 'dist/tmnn.browser.js', platform: 'browser', minify: true, plugins: [compactWgsl, browserNative], external: ['node:*', 'webgpu', 'cli-progress'] }),
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
