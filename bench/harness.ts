// Bench helpers: timing by best-of-runs, and plain-text tables.

/** Milliseconds of the fastest run of `fn`, running it for about `ms` (at least `minRuns` times) after one warm-up. */
export async function bestOf(fn: () => Promise<void>, ms = 500, minRuns = 3): Promise<number> {
  await fn();
  let best = Infinity;
  const until = performance.now() + ms;
  for (let run = 0; run < minRuns || performance.now() < until; run++) {
    const start = performance.now();
    await fn();
    best = Math.min(best, performance.now() - start);
  }
  return best;
}

export function gflops(flops: number, ms: number): number {
  return flops / (ms / 1000) / 1e9;
}

/** Prints a table with a title, right-aligned cells, and an optional note under it. */
export function printTable(title: string, header: string[], rows: (string | number)[][], note?: string): void {
  const cells = [header, ...rows.map((r) => r.map((c) => (typeof c === 'number' ? format(c) : c)))];
  const widths = header.map((_, j) => Math.max(...cells.map((r) => (r[j] ?? '').length)));
  const line = (r: string[]) => r.map((c, j) => (j === 0 ? c.padEnd(widths[j]) : c.padStart(widths[j]))).join('  ');
  console.log(`\n${title}`);
  console.log(line(cells[0]));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of cells.slice(1)) console.log(line(r));
  if (note) console.log(note);
}

function format(v: number): string {
  if (!Number.isFinite(v)) return '—';
  return Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(2);
}

/** "PASS" or "FAIL" against a floor, for the note under a table. */
export function verdict(value: number, floor: number): string {
  return value >= floor ? 'PASS' : 'FAIL';
}
