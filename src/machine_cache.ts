// Per-machine measurements kept between processes, as small JSON files in
// $XDG_CACHE_HOME/tmnn/ (or ~/.cache/tmnn/): the backend probe (probe.json)
// and the webgpu tuning (webgpu-tuning.json). Each file maps a key that names
// everything the measurement depends on to its result, so a stale entry is
// simply never looked up. TMNN_CACHE=0 turns the files off: nothing is read
// or written and every process measures afresh; TMNN_CACHE=refresh measures
// afresh and keeps the new results (what `tmnn tune` does). Outside Node (a
// browser) reads find nothing and writes do nothing.

function mode(): 'on' | 'off' | 'refresh' {
  if (typeof process === 'undefined' || !process.versions?.node) return 'off';
  const env = process.env.TMNN_CACHE;
  return env === '0' ? 'off' : env === 'refresh' ? 'refresh' : 'on';
}

/** The file's path, or null where there is no disk to keep it on. */
export async function cacheFile(name: string): Promise<string | null> {
  if (mode() === 'off') return null;
  const { homedir } = await import('node:os');
  const { join } = await import('node:path');
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'tmnn', name);
}

/** The file's entries; a missing, unreadable or corrupt file reads as empty (it only costs a measurement). */
export async function readCache(name: string): Promise<Record<string, unknown>> {
  const path = await cacheFile(name);
  return path && mode() !== 'refresh' ? readEntries(path) : {};
}

async function readEntries(path: string): Promise<Record<string, unknown>> {
  try {
    const { readFile } = await import('node:fs/promises');
    const parsed: unknown = JSON.parse(await readFile(path, 'utf8'));
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/**
 * Sets one entry, keeping the others. Written to a temporary file and
 * renamed, so a crash never leaves a torn file; two processes writing at once
 * can lose one entry, which costs one measurement again.
 */
export async function writeCacheEntry(name: string, key: string, value: unknown): Promise<void> {
  const path = await cacheFile(name);
  if (!path) return;
  try {
    const { mkdir, writeFile, rename } = await import('node:fs/promises');
    const { dirname } = await import('node:path');
    const entries = { ...(await readEntries(path)), [key]: value };
    await mkdir(dirname(path), { recursive: true });
    const tmp = `${path}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify(entries, null, 2));
    await rename(tmp, path);
  } catch {
    // A read-only home only costs a measurement next time.
  }
}
