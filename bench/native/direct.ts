// Builds bench/native/sgemm.c against the system OpenBLAS (cc, pkg-config)
// and runs it: GFLOP/s of cblas_sgemm called straight from C.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface DirectSgemm {
  /** openblas_get_config() */
  library: string;
  core: string;
  threads: number;
  results: { n: number; gflops: number }[];
}

/** The repository root: from bench/native/ (tsx, vitest) or dist/ (bundled), the nearest package.json naming tmnn. */
function root(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'tmnn') return dir;
    if (dirname(dir) === dir) throw new Error('bench: cannot find the tmnn repository root');
  }
}

let binary: string | null = null;

/** Compiles the C peer into build/ (again only when the source is newer). */
function build(): string {
  if (binary) return binary;
  const base = root();
  const source = join(base, 'bench', 'native', 'sgemm.c');
  const out = join(base, 'build', 'bench-sgemm');
  if (!existsSync(out) || statSync(out).mtimeMs < statSync(source).mtimeMs) {
    mkdirSync(dirname(out), { recursive: true });
    let flags = ['-lopenblas'];
    try {
      flags = execFileSync('pkg-config', ['--cflags', '--libs', 'openblas'], { encoding: 'utf8' }).trim().split(/\s+/);
    } catch {
      // no pkg-config: the plain library name, as binding.gyp falls back to
    }
    execFileSync('cc', ['-O2', '-o', out, source, ...flags], { stdio: 'pipe' });
  }
  return (binary = out);
}

/** cblas_sgemm from C at each N (square products). */
export function directSgemm(sizes: readonly number[]): DirectSgemm {
  return JSON.parse(execFileSync(build(), sizes.map(String), { encoding: 'utf8' })) as DirectSgemm;
}

/** GFLOP/s by N. */
export function directSgemmGflops(sizes: readonly number[]): Map<number, number> {
  return new Map(directSgemm(sizes).results.map((r) => [r.n, r.gflops]));
}
