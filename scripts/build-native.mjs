// Builds the native addon (fallback/) with node-gyp against the system
// OpenBLAS: `npm run build:native`. With --optional (the package's install
// script) a failed build explains itself in one paragraph and exits 0, so
// installing tmnn never fails: it then runs on the js backend, and
// `tmnn report` says what was missing. Without --optional a failure exits 1.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const optional = process.argv.includes('--optional');
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const ADDON = join(root, 'fallback', 'build', 'Release', 'tmnn_native.node');

function fail(missing, detail = '') {
  console.error(
    `tmnn: the native (OpenBLAS) backend was not built: ${missing}. tmnn still installs and runs, on its js ` +
      'backend (and on WebGPU where there is an adapter); `tmnn report` says the same. To get the native backend ' +
      'install a C++ toolchain, make, python3 and OpenBLAS (Debian/Ubuntu: apt-get install g++ make python3 ' +
      `libopenblas-dev pkg-config), then run \`npm run build:native\`.${detail ? `\n${detail}` : ''}`,
  );
  process.exit(optional ? 0 : 1);
}

const found = (cmd) => spawnSync(cmd, ['--version'], { stdio: 'ignore' }).status === 0;

/** cblas.h where pkg-config or the usual include directories have it (Debian keeps it under a multiarch dir). */
function hasOpenblas() {
  if (spawnSync('pkg-config', ['--exists', 'openblas'], { stdio: 'ignore' }).status === 0) return true;
  const dirs = ['/usr/include', '/usr/local/include', '/opt/homebrew/opt/openblas/include', '/usr/local/opt/openblas/include'];
  try {
    for (const sub of readdirSync('/usr/include')) dirs.push(join('/usr/include', sub), join('/usr/include', sub, 'openblas-pthread'));
  } catch {
    // no /usr/include at all
  }
  return dirs.some((d) => existsSync(join(d, 'cblas.h')) || existsSync(join(d, 'openblas', 'cblas.h')));
}

let gyp;
try {
  gyp = require.resolve('node-gyp/bin/node-gyp.js');
} catch {
  fail('node-gyp is not installed (run `npm install` in the package first)');
}
const tools = [['c++', 'a C++ compiler (g++)'], ['make', 'make'], ['python3', 'python3 (node-gyp runs on it)']];
const absent = tools.filter(([cmd]) => !found(cmd)).map(([, what]) => what);
if (absent.length) fail(`${absent.join(', ')} ${absent.length === 1 ? 'is' : 'are'} not installed`);
if (!hasOpenblas()) fail('the OpenBLAS headers and library were not found (pkg-config openblas, cblas.h)');

// Build against the headers of the Node that runs us when they are installed
// beside it (Debian's nodejs, nodesource): node-gyp then needs no download.
const args = [gyp, 'rebuild', '--directory', join(root, 'fallback')];
const prefix = join(dirname(process.execPath), '..');
if (!process.env.npm_config_nodedir && existsSync(join(prefix, 'include', 'node', 'node_api.h'))) args.push(`--nodedir=${prefix}`);
const r = spawnSync(process.execPath, args, { stdio: optional ? 'pipe' : 'inherit', encoding: 'utf8' });
if (r.status !== 0 || !existsSync(ADDON)) {
  const log = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  const why = /gyp ERR! .*(download|ENOTFOUND|EAI_AGAIN|getaddrinfo)/i.test(log)
    ? 'node-gyp could not get the Node headers (no network, and none installed beside node: install your distribution\'s nodejs headers, e.g. libnode-dev, or set npm_config_nodedir)'
    : /cblas\.h|openblas/i.test(log)
      ? 'the compiler could not find OpenBLAS (cblas.h or -lopenblas)'
      : 'node-gyp rebuild failed';
  fail(why, optional ? log.split('\n').filter(Boolean).slice(-12).join('\n') : '');
}
console.log(`tmnn: built the native addon (${ADDON})`);
// KissFFT is optional: without it tm.fft composes its transforms of matrix products on native too (3–5× slower past n = 64).
if (spawnSync('pkg-config', ['--exists', 'kissfft-float'], { stdio: 'ignore' }).status !== 0) {
  console.log('tmnn: built without KissFFT (pkg-config kissfft-float not found): tm.fft on native composes its transforms of matrix products; apt-get install libkissfft-dev and run `npm run build:native` again for its FFTs');
}
