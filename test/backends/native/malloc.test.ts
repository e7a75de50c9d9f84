// When the native addon loads, tmnn asks glibc to serve blocks under 32 MiB
// from its heap and keep freed memory for reuse (src/backends/native/malloc.ts):
// otherwise every large typed array — a tensor read back — is fresh memory
// whose pages fault in one by one, ~17 µs each in this project's VMs (a
// 4 MiB read-back took 17 ms, ~950 faults). Each case runs in a process of
// its own: the setting is process-wide, made once.
import { describe, expect, it } from 'vitest';
import { runIsolated } from '../../helpers/isolated.js';

/**
 * Minor page faults per round of allocating three 4 MiB arrays and letting
 * garbage collection free them together, as a loop of read-backs does (the
 * native backend loaded, so tmnn's setting is in force unless turned off).
 * With glibc's defaults the 12 MiB freed at the top of the heap is past its
 * trim threshold and goes back to the kernel, to fault in again next round.
 */
const FAULTS_PER_ROUND = `
  const { readFileSync } = await import('node:fs');
  const v8 = await import('node:v8');
  const vm = await import('node:vm');
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc');
  const minflt = () => Number(readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ')[7]);
  const round = () => [0, 1, 2].map(() => new Uint8Array(4 << 20).fill(1)).length;
  for (let i = 0; i < 3; i++) { round(); gc(); }
  const before = minflt();
  for (let i = 0; i < 10; i++) { round(); gc(); }
  return (minflt() - before) / 10;
`;

describe('glibc malloc set up for large arrays', () => {
  it('says what it did in the capability report; the environment\'s own MALLOC_* settings, or TMNN_MALLOC=default, win', () => {
    const policy = (env: Record<string, string>) => {
      const r = runIsolated(null, 'return (await tm.capabilities()).cpu.malloc;', env);
      expect(r.status, r.stderr).toBe(0);
      return r.value;
    };
    expect(policy({})).toMatch(/^blocks under 32 MiB from the heap, up to 128 MiB kept free there for reuse/);
    expect(policy({ TMNN_MALLOC: 'default' })).toBe("glibc's defaults (TMNN_MALLOC=default)");
    expect(policy({ MALLOC_TRIM_THRESHOLD_: '1048576' })).toBe('as the environment sets it (MALLOC_TRIM_THRESHOLD_)');
  });

  it('arrays of a few MiB freed together are reused rather than handed back to the kernel and faulted in again', () => {
    const faults = (env: Record<string, string>) => {
      const r = runIsolated('native', FAULTS_PER_ROUND, env);
      expect(r.status, r.stderr).toBe(0);
      return r.value as number;
    };
    const [tuned, glibc] = [faults({}), faults({ TMNN_MALLOC: 'default' })];
    console.log(`three 4 MiB arrays (3,072 pages) a round: ${tuned} minor faults a round with tmnn's setting, ${glibc} with glibc's defaults`);
    // A quarter of the pages: glibc's defaults fault nearly all of them in each round (2,400–3,040 here),
    // tmnn's setting few (1–2, up to ~200 in a round where the collector maps new pages of its own).
    expect(tuned).toBeLessThan(768);
  });
});
