// The webgpu suites again, on a second real adapter: Mesa 26's lavapipe
// (Debian trixie-backports), unpacked beside the repository by
// scripts/install-lavapipe-mesa26.sh (npm test's set-up) and run under
// trixie's own dynamic loader, with Dawn's allow_unsafe_apis on
// (TMNN_WEBGPU_UNSAFE_APIS=1). Two reasons:
// - It lists subgroup matrices (i8 and f16, 8×8×8), which CI's Mesa 25 does
//   not: the int8 and f16 products on them (shaders/matmul_int8_matrix.wgsl,
//   matmul_matrix.wgsl) run here, and every subgroup-matrix case of
//   int8.test.ts and matmul_matrix.test.ts must run, not skip
//   (TMNN_TEST_EXPECT_INT8_MATRIX, TMNN_TEST_EXPECT_F16_MATRIX).
// - A different compiler under the same WGSL: Mesa 26 flushes f32
//   subnormals, which broke log/sqrt/pow of a subnormal until
//   elementwise_lib.wgsl read them from their bits.
// The child runs every webgpu, op, autograd and optimizer suite on webgpu alone
// (TMNN_TEST_BACKENDS), in vitest's threads pool (a forked worker would start
// under the system's loader, which cannot load Mesa 26); children those
// suites start go through the same loader (TMNN_TEST_NODE, isolated.ts).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect, it } from 'vitest';

const ROOT = resolve(__dirname, '../../..');
const LAVAPIPE = join(ROOT, '.cache/lavapipe-mesa26/lavapipe.json');
// Not test/nn and test/losses (~5 of CI's 90 minutes): layers and losses are compositions of the ops run here, and
// run on webgpu with Mesa 25 in the main pass; what this adapter adds (subgroup matrices, a compiler that flushes
// subnormals) the kernels' own suites meet.
const SUITES = ['test/backends/webgpu', 'test/ops', 'test/autograd', 'test/optim'];

interface VitestJson {
  numFailedTests: number;
  testResults: { name: string; assertionResults: { fullName: string; status: string }[] }[];
}

it('the webgpu, op, autograd and optimizer suites pass on Mesa 26 lavapipe, int8 and f16 products on subgroup matrices included', () => {
  expect(existsSync(LAVAPIPE), `${LAVAPIPE} is missing: run bash scripts/install-lavapipe-mesa26.sh (npm test's set-up does)`).toBe(true);
  const { loader, libraries, icd } = JSON.parse(readFileSync(LAVAPIPE, 'utf8')) as { loader: string; libraries: string; icd: string };
  const node = [loader, '--library-path', libraries, process.execPath];
  const report = join(mkdtempSync(join(tmpdir(), 'tmnn-second-adapter-')), 'report.json');
  const vitest = [join(ROOT, 'node_modules/vitest/vitest.mjs'), 'run', ...SUITES, '--exclude', '**/second_adapter.test.ts', '--pool=threads', '--reporter=json', `--outputFile=${report}`];
  const child = spawnSync(node[0], [...node.slice(1), ...vitest], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 1_500_000,
    maxBuffer: 64 * 2 ** 20,
    env: {
      ...process.env,
      VK_ICD_FILENAMES: icd,
      TMNN_WEBGPU_UNSAFE_APIS: '1',
      TMNN_TEST_EXPECT_INT8_MATRIX: '1',
      TMNN_TEST_EXPECT_F16_MATRIX: '1',
      TMNN_TEST_BACKENDS: 'webgpu',
      TMNN_TEST_NODE: JSON.stringify(node),
    },
  });
  // Dawn's binding says why it aborts on stdout (a promise left pending as a thread ended), node on stderr.
  expect(existsSync(report), `the child run wrote no report (exit ${child.status}, signal ${child.signal}):\n${child.stdout.slice(-2000)}\n${child.stderr.slice(-2000)}`).toBe(true);
  const files = (JSON.parse(readFileSync(report, 'utf8')) as VitestJson).testResults;
  const results = files.flatMap((f) => f.assertionResults);
  const int8 = files.filter((f) => f.name.endsWith('int8.test.ts')).flatMap((f) => f.assertionResults);
  const matrix = int8.filter((r) => r.fullName.includes('subgroupMatrix'));
  const f16Matrix = files.filter((f) => f.name.endsWith('matmul_matrix.test.ts')).flatMap((f) => f.assertionResults);
  const failed = results.filter((r) => r.status !== 'passed').map((r) => `${r.status}: ${r.fullName}`);
  console.log(
    `Mesa 26 lavapipe: ${results.length} cases in ${files.length} files, ${matrix.length} int8 and ${f16Matrix.length} f16 cases on subgroup matrices; ${failed.length} not passed`,
  );
  expect(failed).toEqual([]);
  expect(files.length).toBeGreaterThanOrEqual(30);
  expect(matrix.length).toBeGreaterThanOrEqual(20);
  expect(f16Matrix.length).toBeGreaterThanOrEqual(20);
  expect(child.status, child.stderr.slice(-3000)).toBe(0);
}, 1_800_000);
