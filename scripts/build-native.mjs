// Builds the native addon (fallback/) with node-gyp against the system
// OpenBLAS. With --optional (the package's install script) a failed build
// explains itself and exits 0: tmnn then runs on the js backend, and
// `tmnn report` says what was missing.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const optional = process.argv.includes('--optional');
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

function gypBin() {
  try {
    return require.resolve('node-gyp/bin/node-gyp.js');
  } catch {
    return null;
  }
}

function fail(why) {
  console.error(`tmnn: the native addon was not built: ${why}.
  tmnn still works on the js backend. For the OpenBLAS backend install a C++ toolchain, python3 and
  OpenBLAS (Debian/Ubuntu: apt-get install g++ make python3 libopenblas-dev pkg-config), then run
  npm run build:native`);
  process.exit(optional ? 0 : 1);
}

const gyp = gypBin();
if (!gyp) fail('node-gyp is not installed (npm install)');
if (spawnSync('pkg-config', ['--exists', 'openblas']).status !== 0 && !existsSync('/usr/include/x86_64-linux-gnu/cblas.h')) {
  fail('OpenBLAS was not found (pkg-config openblas)');
}
// Build against the headers of the Node that runs us when they are installed
// beside it (Debian's nodejs, nodesource), so node-gyp needs no download.
const prefix = join(dirname(process.execPath), '..');
const args = [gyp, 'rebuild', '--directory', join(root, 'fallback')];
if (existsSync(join(prefix, 'include', 'node', 'node_api.h'))) args.push(`--nodedir=${prefix}`);
const r = spawnSync(process.execPath, args, { stdio: optional ? 'pipe' : 'inherit', encoding: 'utf8' });
if (r.status !== 0) fail(`node-gyp failed${optional ? `:\n${(r.stderr || r.stdout || '').split('\n').slice(-15).join('\n')}` : ''}`);
console.log('tmnn: built the native addon (fallback/build/Release/tmnn_native.node)');
