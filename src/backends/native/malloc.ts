// Large typed arrays on reused memory. glibc serves a block of a few MiB
// with a fresh mmap() and hands it back to the kernel when freed, so each
// tensor read back (each batch, each js-backend result) is new memory whose
// pages fault in on first write. A fault is cheap on bare metal (~0.25 µs a
// page) and costly in virtual machines: ~17 µs in this project's, where a
// 4 MiB read-back took 17 ms (~950 faults), 1–2 ms on reused memory (~2).
// So when the native addon loads, tmnn asks glibc (mallopt) to serve blocks
// under 32 MiB from its heap and to keep up to 128 MiB free there for reuse.
// That is process-wide, so a choice already made stands: MALLOC_* settings
// in the environment are glibc's to apply, and TMNN_MALLOC=default keeps
// glibc's defaults.
import type { Addon } from './addon.js';

const MIB = 2 ** 20;
/** glibc's largest M_MMAP_THRESHOLD on 64-bit. */
const MMAP_THRESHOLD = 32 * MIB;
const TRIM_THRESHOLD = 128 * MIB;

/** glibc's own tunables: set in the environment, they are the user's choice. */
const GLIBC_ENV = ['MALLOC_MMAP_THRESHOLD_', 'MALLOC_TRIM_THRESHOLD_', 'MALLOC_TOP_PAD_', 'MALLOC_MMAP_MAX_'];

let applied: string | null = null;

/** Applies the policy, once per process; what it did, in words. */
export function reuseFreedMemory(addon: Addon): string {
  if (applied !== null) return applied;
  const env = process.env;
  const own = GLIBC_ENV.filter((name) => env[name] !== undefined);
  if (env.TMNN_MALLOC === 'default') applied = "glibc's defaults (TMNN_MALLOC=default)";
  else if (own.length) applied = `as the environment sets it (${own.join(', ')})`;
  // (An addon built before setMallocReuse existed lacks it.)
  else if (typeof addon.setMallocReuse === 'function' && addon.setMallocReuse(MMAP_THRESHOLD, TRIM_THRESHOLD)) {
    applied = `blocks under ${MMAP_THRESHOLD / MIB} MiB from the heap, up to ${TRIM_THRESHOLD / MIB} MiB kept free there for reuse (TMNN_MALLOC=default keeps glibc's defaults)`;
  } else applied = 'as it was (not glibc)';
  return applied;
}

/** What reuseFreedMemory did in this process; null until the addon has loaded. */
export function mallocPolicy(): string | null {
  return applied;
}
