// Per-machine measurements kept between processes: the backend probe
// (probe.json) and the webgpu tuning (webgpu-tuning.json). In Node they are
// small JSON files in $XDG_CACHE_HOME/tmnn/ (or ~/.cache/tmnn/); in a browser,
// localStorage entries named tmnn/<file> (per site, so a page measures once
// per visitor's machine). Each maps a key that names everything the
// measurement depends on to its result, so a stale entry is simply never
// looked up. In Node, TMNN_CACHE=0 turns the files off (nothing is read or
// written, every process measures afresh) and TMNN_CACHE=refresh measures
// afresh and keeps the new results (what `tmnn tune` does).

type Entries = Record<string, unknown>;

const inNode = typeof process !== 'undefined' && !!process.versions?.node;

function mode(): 'on' | 'off' | 'refresh' {
  if (!inNode) return browserStorage() ? 'on' : 'off';
  const env = process.env.TMNN_CACHE;
  return env === '0' ? 'off' : env === 'refresh' ? 'refresh' : 'on';
}

/** localStorage where the page may use it (reading it throws in some sandboxed frames). */
function browserStorage(): Storage | null {
  try {
    return typeof localStorage !== 'undefined' ? localStorage : null;
  } catch {
    return null;
  }
}

/** The file's path in Node, or null where there is none (a browser, or TMNN_CACHE=0). */
async function cacheFile(name: string): Promise<string | null> {
  if (!inNode || mode() === 'off') return null;
  const { homedir } = await import('node:os');
  const { join } = await import('node:path');
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'tmnn', name);
}

/** The entries; missing, unreadable or corrupt storage reads as empty (it only costs a measurement). */
export async function readCache(name: string): Promise<Entries> {
  return mode() === 'on' ? readEntries(name) : {};
}

async function readEntries(name: string): Promise<Entries> {
  try {
    let text: string | null | undefined;
    if (inNode) {
      const path = await cacheFile(name);
      const { readFile } = await import('node:fs/promises');
      text = path ? await readFile(path, 'utf8') : null;
    } else {
      text = browserStorage()?.getItem(`tmnn/${name}`);
    }
    const parsed: unknown = text ? JSON.parse(text) : {};
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Entries) : {};
  } catch {
    return {};
  }
}

/** The last write queued per file: a process's writes to one file run one after another. */
const writes = new Map<string, Promise<void>>();

/**
 * Sets one entry, keeping the others. A file is written to a temporary file
 * and renamed, so a crash never leaves it torn. Writes in one process are
 * queued (measurements finishing together, in the background, would each
 * read the file before the other wrote it and keep only their own entry);
 * two processes writing at once can still lose one entry, which costs one
 * measurement again.
 */
export function writeCacheEntry(name: string, key: string, value: unknown): Promise<void> {
  const write = (writes.get(name) ?? Promise.resolve()).then(() => writeEntry(name, key, value));
  writes.set(name, write);
  return write;
}

async function writeEntry(name: string, key: string, value: unknown): Promise<void> {
  if (mode() === 'off') return;
  try {
    const text = JSON.stringify({ ...(await readEntries(name)), [key]: value }, null, 2);
    if (!inNode) {
      browserStorage()?.setItem(`tmnn/${name}`, text);
      return;
    }
    const path = (await cacheFile(name))!;
    const { mkdir, writeFile, rename } = await import('node:fs/promises');
    const { dirname } = await import('node:path');
    await mkdir(dirname(path), { recursive: true });
    const tmp = `${path}.${process.pid}.tmp`;
    await writeFile(tmp, text);
    await rename(tmp, path);
  } catch {
    // A read-only home or a full localStorage only costs a measurement next time.
  }
}
