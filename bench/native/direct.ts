// Builds bench/native/sgemm.c against the system OpenBLAS and runs it.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export function directSgemmGflops(sizes: number[]): Map<number, number> {
  const here = dirname(fileURLToPath(import.meta.url));
  const root = join(here, '..');
  const source = join(root, 'bench', 'native', 'sgemm.c');
  const binary = join(root, 'build', 'bench-sgemm');
  mkdirSync(dirname(binary), { recursive: true });
  const flags = execFileSync('pkg-config', ['--cflags', '--libs', 'openblas'], { encoding: 'utf8' }).trim().split(/\s+/);
  execFileSync('cc', ['-O2', '-o', binary, source, ...flags]);
  const out = execFileSync(binary, sizes.map(String), { encoding: 'utf8' });
  return new Map(out.trim().split('\n').map((line) => {
    const { n, gflops } = JSON.parse(line) as { n: number; gflops: number };
    return [n, gflops];
  }));
}
