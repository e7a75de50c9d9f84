// `npm run bench`: prints tables of measurements with peers side by side.
// For now: matmul GFLOP/s on each backend tmnn has here.
import * as tm from '../src/index.js';

const SIZES = [64, 128, 256];

async function timeMatmul(n: number): Promise<number> {
  const a = tm.randn([n, n], { seed: 1 });
  const b = tm.randn([n, n], { seed: 2 });
  const run = async () => {
    const c = a.matmul(b);
    await c.data();
    c.dispose();
  };
  await run(); // warm-up
  let reps = 0;
  const start = performance.now();
  do {
    await run();
    reps++;
  } while (performance.now() - start < 300);
  const seconds = (performance.now() - start) / 1000 / reps;
  a.dispose();
  b.dispose();
  return (2 * n ** 3) / seconds / 1e9;
}

const report = await tm.capabilities();
const available = report.backends.filter((b) => b.available).map((b) => b.name);
console.log(`matmul f32, GFLOP/s (op + await data()), backends here: ${available.join(', ')}`);
console.log(['N', ...available].map((s) => s.padStart(10)).join(''));
for (const n of SIZES) {
  const cells = [String(n)];
  for (const name of available) {
    await tm.init({ backend: name });
    cells.push((await timeMatmul(n)).toFixed(2));
  }
  console.log(cells.map((s) => s.padStart(10)).join(''));
}
