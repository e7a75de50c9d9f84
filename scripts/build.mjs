// Builds dist/: the library for Node and (dist/browser/) for pages, the CLI
// and the bench runner (esbuild), and the type declarations (tsc).
import { build } from 'esbuild';
import { STAND_IN_FOR, compactWgsl, moduleByModule, noteWgsl } from './browser-plugins.mjs';
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const versionSource = readFileSync(new URL('../src/version.ts', import.meta.url), 'utf8');
if (!versionSource.includes(`'${version}'`)) {
  throw new Error(`src/version.ts does not say ${version} (package.json's version); update it`);
}

rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });

// The library's entry points are package.json's exports: `tmnn` and its
// namespaces (`tmnn/nn`, `tmnn/optim`…), each built from the source its
// declarations come from (./dist/types/nn/index.d.ts ← src/nn/index.ts).
// For Node they are split into shared chunks (`tmnn` and `tmnn/nn` share one
// Tensor class). For pages every source file is a module of its own under
// dist/browser/ (scripts/browser-plugins.mjs: moduleByModule), so that a
// page's bundler keeps only what the page's imports reach.
const { exports } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const library = Object.fromEntries(Object.entries(exports).filter(([, e]) => typeof e === 'object').map(([subpath, e]) => [
  subpath === '.' ? 'index' : subpath.slice(2),
  e.types.replace(/^\.\/dist\/types\//, 'src/').replace(/\.d\.ts$/, '.ts'),
]));
const pageModules = [
  ...readdirSync('src', { recursive: true }).map((f) => `src/${f}`).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && !f.startsWith('src/cli/') && !STAND_IN_FOR(f)),
  ...readdirSync('shaders').filter((f) => f.endsWith('.wgsl')).map((f) => `shaders/${f}`),
];

// Shaders load as modules noting their bindings (scripts/browser-plugins.mjs: wgslModule); the browser build compacts them too.
const common = { bundle: true, format: 'esm', sourcemap: true, target: 'es2022', logLevel: 'warning', plugins: [noteWgsl] };

await Promise.all([
  build({ ...common, entryPoints: library, outdir: 'dist', splitting: true, entryNames: '[name]', chunkNames: 'chunks/[name]-[hash]', platform: 'node', packages: 'external' }),
  build({ ...common, entryPoints: pageModules, outdir: 'dist/browser', outbase: '.', platform: 'browser', minify: true, plugins: [compactWgsl, moduleByModule] }),
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
  build({ ...common, entryPoints: ['examples/onnx/main.ts'], outfile: 'dist/examples/onnx.js', platform: 'node', packages: 'external' }),
]);

execFileSync('npx', ['tsc', '-p', 'tsconfig.json'], { stdio: 'inherit' });
// scripts/setup.sh rebuilds only when a source is newer than this stamp.
writeFileSync('dist/.build-stamp', new Date().toISOString());
console.log(`built tmnn ${version} into dist/`);
