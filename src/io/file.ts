// Files, in Node only. Node's modules are imported inside the functions, so the
// browser bundle, which has no file system, never loads them.
import { ValueError } from '../errors.js';

/**
 * Writes `bytes` to `path` atomically: into a new temporary file in the same
 * directory (`<path>.<pid>.<random>.tmp`, so it is on the same file system and
 * the rename is atomic), flushed to disk with fsync, then renamed over the
 * target, whose directory is then fsynced too where the platform allows. A
 * failure at any step removes the temporary file and leaves any previous
 * file at `path` exactly as it was, and is a ValueError that says which file
 * and why; a crash mid-write leaves the previous file too (plus, at worst, a
 * stray `.tmp`). A replaced file keeps its permission bits.
 */
export async function writeFileAtomic(path: string, bytes: Uint8Array): Promise<void> {
  if (typeof path !== 'string' || path === '') throw new ValueError(`writeFileAtomic: path must be a non-empty string, got ${JSON.stringify(path)}`);
  if (!(bytes instanceof Uint8Array)) throw new ValueError(`writeFileAtomic: bytes must be a Uint8Array, got ${(bytes as object)?.constructor?.name ?? typeof bytes}`);
  const fs = await import('node:fs/promises');
  const { dirname, resolve } = await import('node:path');
  const { randomBytes } = await import('node:crypto');
  if (/[\\/]$/.test(path)) throw new ValueError(`save: cannot write ${path}: the path names a directory, not a file; nothing was changed there`);

  // A symbolic link stays one: the file it points to is what gets replaced (as a text editor saving through it would).
  const given = path;
  const link = await fs.lstat(path).catch(() => null);
  if (link?.isSymbolicLink()) path = await fs.realpath(path).catch(async () => resolve(dirname(given), await fs.readlink(given)));

  let mode: number | undefined;
  const existing = await fs.stat(path).catch(() => null); // none (or unreadable): the new file gets the default mode
  if (existing) {
    // Renaming over a device, a socket or a pipe would replace it with a regular file (as root, even /dev/null).
    if (!existing.isFile()) throw new ValueError(`save: cannot write ${given}: it is ${kindOf(existing)}, not a regular file; nothing was changed there`);
    mode = existing.mode & 0o7777;
  }

  const tmp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  let created = false;
  try {
    // 'wx': fail rather than reuse a file of the same name.
    const handle = await fs.open(tmp, 'wx');
    created = true;
    try {
      if (mode !== undefined) await handle.chmod(mode);
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(tmp, path);
  } catch (err) {
    if (created) await fs.rm(tmp, { force: true }).catch(() => undefined);
    throw writeFailure(path, dirname(path), err);
  }

  // Make the rename itself durable. Not possible everywhere (Windows cannot open a directory): best effort.
  try {
    const dir = await fs.open(dirname(path), 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  } catch {
    // The data is written and renamed; only the durability of the directory entry is left to the OS.
  }
}

function kindOf(stat: import('node:fs').Stats): string {
  if (stat.isDirectory()) return 'a directory';
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return 'a device';
  if (stat.isFIFO()) return 'a pipe';
  if (stat.isSocket()) return 'a socket';
  return 'something other than a file';
}

/** A failed write as a ValueError that names the file and the reason in words (the system's error is its cause, and its code stays in the message). */
function writeFailure(path: string, dir: string, err: unknown): ValueError {
  const code = (err as { code?: string }).code;
  const reasons: Record<string, string> = {
    ENOENT: `its directory ${dir} does not exist`,
    ENOTDIR: `a part of ${dir} is not a directory`,
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EROFS: 'the file system is read-only',
    ENOSPC: 'no space left on the device',
    EDQUOT: 'the disk quota is exceeded',
    EISDIR: 'a directory is in the way',
    ENOTEMPTY: 'a directory is in the way',
  };
  const reason = (code && reasons[code]) ?? (err instanceof Error ? err.message : String(err));
  return new ValueError(`save: cannot write ${path}: ${reason}${code ? ` (${code})` : ''}; nothing was changed there`, { cause: err });
}

/** Reads a whole file. A missing or unreadable file is a ValueError that names the path. */
export async function readFileBytes(path: string): Promise<Uint8Array> {
  const fs = await import('node:fs/promises');
  let buffer: Uint8Array;
  try {
    buffer = await fs.readFile(path);
  } catch (err) {
    const code = (err as { code?: string }).code;
    throw new ValueError(code === 'ENOENT' ? `load: no file at ${path}` : `load: cannot read ${path}: ${(err as Error).message}`);
  }
  // A plain Uint8Array. A small Buffer can share Node's pool with unrelated data: copy that one.
  const own = buffer.byteOffset === 0 && buffer.byteLength === buffer.buffer.byteLength;
  return own ? new Uint8Array(buffer.buffer, 0, buffer.byteLength) : new Uint8Array(buffer);
}
