// Builds dist/: the Node entry, the browser bundle, the CLI and the bench
// runner (esbuild), and the type declarations (tsc).
import { build } from 'esbuild';
import { browserStandIns, compactWgsl, noteWgsl } from './browser-plugins.mjs';
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const versionSource = readFileSync(new URL('../src/version.ts', import.meta.url), 'utf8');
if (!versionSource.includes(`'${version}'`)) {
  throw new Error(`src/version.ts does not say ${version} (package.json's version); update it`);
}

rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });

// Shaders load as modules noting their bindings (scripts/browser-plugins.mjs: wgslModule); the browser bundle compacts them too.
const common = { bundle: true, format: 'esm', sourcemap: true, target: 'es2022', logLevel: 'warning', plugins: [noteWgsl] };

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
