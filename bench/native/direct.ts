// Builds bench/native/sgemm.c against the system OpenBLAS and runs it.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let binary: string | null = null;

/** GFLOP/s of cblas_sgemm from C at each N (the program is compiled on first use, into build/). */
export function directSgemmGflops(sizes: number[]): Map<number, number> {
  if (!binary) {
    // Bundled into dist/bench.js: the repository root is one level up.
    const root = join(dirname(fileURLToPath(import.meta.url)), '..');
    binary = join(root, 'build', 'bench-sgemm');
    mkdirSync(dirname(binary), { recursive: true });
    const flags = execFileSync('pkg-config', ['--cflags', '--libs', 'openblas'], { encoding: 'utf8' }).trim().split(/\s+/);
    execFileSync('cc', ['-O2', '-o', binary, join(root, 'bench', 'native', 'sgemm.c'), ...flags]);
  }
  const out = execFileSync(binary, sizes.map(String), { encoding: 'utf8' });
  return new Map(out.trim().split('\n').map((line) => {
    const { n, gflops } = JSON.parse(line) as { n: number; gflops: number };
    return [n, gflops];
  }));
}
