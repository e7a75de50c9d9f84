// The int8 product on subgroup matrices (tensor cores:
// shaders/matmul_int8_matrix.wgsl) needs an adapter that lists them, which
// CI's lavapipe (Mesa 25, bookworm-backports) does not. Mesa 26's lavapipe
// does (i8 8×8×8), so this runs the whole int8 suite (int8.test.ts) again in
// a child process that sees only that driver: Mesa 26 from Debian
// trixie-backports, unpacked beside the repository by
// scripts/install-lavapipe-mesa26.sh (npm test's set-up), under trixie's own
// dynamic loader, with Dawn's allow_unsafe_apis on
// (TMNN_WEBGPU_UNSAFE_APIS=1). There every subgroup-matrix case must run,
// not skip (TMNN_TEST_EXPECT_INT8_MATRIX), and be exact.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect, it } from 'vitest';

const ROOT = resolve(__dirname, '../../..');
const LAVAPIPE = join(ROOT, '.cache/lavapipe-mesa26/lavapipe.json');

interface VitestJson {
  numFailedTests: number;
  testResults: { assertionResults: { fullName: string; status: string }[] }[];
}

it('int8 products on subgroup matrices are exact on Mesa 26 lavapipe, every tile and shape of int8.test.ts', () => {
  expect(existsSync(LAVAPIPE), `${LAVAPIPE} is missing: run bash scripts/install-lavapipe-mesa26.sh (npm test's set-up does)`).toBe(true);
  const { loader, libraries, icd } = JSON.parse(readFileSync(LAVAPIPE, 'utf8')) as { loader: string; libraries: string; icd: string };
  const report = join(mkdtempSync(join(tmpdir(), 'tmnn-subgroup-matrix-')), 'int8.json');
  // Threads, not forks: a forked worker would start under the system's loader, which cannot load Mesa 26.
  const vitest = [join(ROOT, 'node_modules/vitest/vitest.mjs'), 'run', 'test/backends/webgpu/int8.test.ts', '--pool=threads', '--reporter=json', `--outputFile=${report}`];
  const child = spawnSync(loader, ['--library-path', libraries, process.execPath, ...vitest], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 240_000,
    env: { ...process.env, VK_ICD_FILENAMES: icd, TMNN_WEBGPU_UNSAFE_APIS: '1', TMNN_TEST_EXPECT_INT8_MATRIX: '1', TMNN_BACKEND: 'webgpu' },
  });
  expect(existsSync(report), `the child run wrote no report (exit ${child.status}):\n${child.stderr.slice(-3000)}`).toBe(true);
  const results = (JSON.parse(readFileSync(report, 'utf8')) as VitestJson).testResults.flatMap((r) => r.assertionResults);
  const matrix = results.filter((r) => r.fullName.includes('subgroupMatrix'));
  const failed = results.filter((r) => r.status !== 'passed').map((r) => `${r.status}: ${r.fullName}`);
  console.log(`Mesa 26 lavapipe: ${results.length} int8 cases, ${matrix.length} of them on subgroup matrices; ${failed.length} not passed`);
  expect(failed).toEqual([]);
  expect(matrix.length).toBeGreaterThanOrEqual(20);
  expect(child.status).toBe(0);
}, 300_000);
