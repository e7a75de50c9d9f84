// When the native addon loads, tmnn asks glibc to serve blocks under 32 MiB
// from its heap and keep freed memory for reuse (src/backends/native/malloc.ts):
// otherwise every large typed array — a tensor read back — is fresh memory
// whose pages fault in one by one, ~17 µs each in this project's VMs (a
// 4 MiB read-back took 17 ms, ~950 faults). Each case runs in a process of
// its own: the setting is process-wide, made once.
import { describe, expect, it } from 'vitest';
import { runIsolated } from '../../helpers/isolated.js';

/** Minor page faults per data() of a [1024, 1024] f32 tensor (1,024 pages), once the heap has settled, on `backend`. */
const FAULTS_PER_READ = `
  const { readFileSync } = await import('node:fs');
  const minflt = () => Number(readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ')[7]);
  const t = tm.randn([1024, 1024], { seed: 1 }).mul(2);
  for (let i = 0; i < 60; i++) await t.data();
  const before = minflt();
  for (let i = 0; i < 20; i++) await t.data();
  return { faults: (minflt() - before) / 20, malloc: (await tm.capabilities()).cpu.malloc };
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

  it.each(['webgpu', 'native'])('a [1024, 1024] tensor read back again and again on %s lands in reused memory: few page faults a read', { timeout: 60_000 }, (backend) => {
    const tuned = runIsolated(backend, FAULTS_PER_READ);
    expect(tuned.status, tuned.stderr).toBe(0);
    const { faults, malloc } = tuned.value as { faults: number; malloc: string };
    expect(malloc).toMatch(/^blocks under 32 MiB/);
    const glibc = runIsolated(backend, FAULTS_PER_READ, { TMNN_MALLOC: 'default' }).value as { faults: number };
    console.log(`${backend}: ${faults} minor faults per 4 MiB read with tmnn's setting, ${glibc.faults} with glibc's defaults`);
    expect(faults).toBeLessThan(32);
  });
});
