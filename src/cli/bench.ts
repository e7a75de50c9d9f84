// `tmnn bench`: a few seconds of matmul timing on every backend present, so a
// user sees what their machine does. The full comparison with peers is
// `npm run bench` in the repository.
import { SingleBar } from 'cli-progress';
import { probeBackends } from '../selection.js';
import { timeMatmul } from '../probe.js';

const SIZES = [256, 512, 1024];

export async function quickBench(out: NodeJS.WriteStream, err: NodeJS.WriteStream): Promise<void> {
  const present = (await probeBackends()).flatMap((s) => ('backend' in s ? [s.backend] : []));
  const bar = new SingleBar({
    stream: err,
    format: 'timing matmul [{bar}] {value}/{total} {task}',
    hideCursor: true,
    clearOnComplete: true,
    // On a pipe or in CI there is no bar, just the table.
    noTTYOutput: false,
  });
  bar.start(present.length * SIZES.length, 0, { task: '' });
  const rows: string[][] = [];
  for (const backend of present) {
    // The js backend needs seconds for N=1024; skip sizes that would take too long there.
    const sizes = backend.name === 'js' ? SIZES.filter((n) => n <= 256) : SIZES;
    const cells: string[] = [backend.name];
    for (const n of SIZES) {
      bar.update({ task: `${backend.name} N=${n}` });
      cells.push(sizes.includes(n) ? (await timeMatmul(backend, n, 300, 2)).toFixed(1) : '—');
      bar.increment();
    }
    rows.push(cells);
  }
  bar.stop();
  const header = ['backend', ...SIZES.map((n) => `N=${n}`)];
  out.write('matmul f32 GFLOP/s (op + readback, best of runs)\n');
  for (const r of [header, ...rows]) out.write(`${r[0].padEnd(8)}${r.slice(1).map((c) => c.padStart(10)).join('')}\n`);
}
