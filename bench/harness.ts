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

/**
 * The fastest run of each function, in ms, running them in turn (one run of
 * each per round) for about `ms` in all: a burst of load on a shared machine
 * then slows a round of all of them, not one function's runs, so their ratio
 * holds up.
 */
export async function bestOfEach<K extends string>(fns: Record<K, () => Promise<void>>, ms = 1000, minRounds = 3): Promise<Record<K, number>> {
  const rounds = await roundsOfEach(fns, ms, minRounds);
  const best = {} as Record<K, number>;
  for (const name of Object.keys(fns) as K[]) best[name] = Math.min(...rounds.map((r) => r[name]));
  return best;
}

/** Every round's time of each function (ms), run in turn as bestOfEach runs them, after one warm-up run each. */
export async function roundsOfEach<K extends string>(fns: Record<K, () => Promise<void>>, ms = 1000, minRounds = 3): Promise<Record<K, number>[]> {
  const names = Object.keys(fns) as K[];
  for (const name of names) await fns[name]();
  const rounds: Record<K, number>[] = [];
  const until = performance.now() + ms;
  while (rounds.length < minRounds || performance.now() < until) {
    const round = {} as Record<K, number>;
    for (const name of names) {
      const start = performance.now();
      await fns[name]();
      round[name] = performance.now() - start;
    }
    rounds.push(round);
  }
  return rounds;
}

/** The middle value (the mean of the two middle ones for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
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
