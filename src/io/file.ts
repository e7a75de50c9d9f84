// Files, in Node only. Node's modules are imported inside the functions, so the
// browser bundle, which has no file system, never loads them.
import { ValueError, formatValue } from '../errors.js';

/** Bytes read from a file at a time: Node's fs.readFile stops at 2 GiB, and a model file may be larger. */
const READ_CHUNK = 1 << 30;
/** A temporary file's name keeps at most this many bytes of the target's, so that its suffix stays within a file name's 255. */
const TMP_NAME_BYTES = 200;

/** The file system path of a path given to save or load: a non-empty string, or a file: URL. */
async function filePath(path: unknown, caller: 'save' | 'load'): Promise<string> {
  if (path instanceof URL) {
    if (path.protocol !== 'file:') throw new ValueError(`${caller}: ${path.href} is not a file: URL; only files can be ${caller === 'save' ? 'written' : 'read'}`);
    return (await import('node:url')).fileURLToPath(path);
  }
  if (typeof path !== 'string' || path === '') throw new ValueError(`${caller}: path must be a non-empty string or a file: URL, got ${formatValue(path)}`);
  return path;
}

/**
 * Writes `bytes` to `path` atomically: into a new temporary file in the same
 * directory (`<path>.<pid>.<random>.tmp`, the name cut to fit, so it is on
 * the same file system and the rename is atomic), flushed to disk with fsync, then renamed over the
 * target, whose directory is then fsynced too where the platform allows. A
 * failure at any step removes the temporary file and leaves any previous
 * file at `path` exactly as it was, and is a ValueError that says which file
 * and why; a crash mid-write leaves the previous file too (plus, at worst, a
 * stray `.tmp`). A replaced file keeps its permission bits.
 */
export async function writeFileAtomic(target: string | URL, bytes: Uint8Array): Promise<void> {
  const path = await filePath(target, 'save');
  if (!(bytes instanceof Uint8Array)) throw new ValueError(`save: bytes must be a Uint8Array, got ${(bytes as object)?.constructor?.name ?? typeof bytes}`);
  await replaceAtomically(path, (handle) => handle.writeFile(bytes));
}

/**
 * writeFileAtomic of a file made of `parts`, each array at its byte offset
 * (gaps between them zeros): a file of any size, where writeFileAtomic takes
 * one array (4 GiB at most).
 */
export async function writeFilePartsAtomic(target: string | URL, parts: readonly (readonly [number, Uint8Array])[]): Promise<void> {
  const path = await filePath(target, 'save');
  const size = Math.max(0, ...parts.map(([offset, bytes]) => offset + bytes.length));
  await replaceAtomically(path, async (handle) => {
    for (const [offset, bytes] of parts) await writeAll(handle, bytes, offset);
    // Zeros to the end, where the last part is empty or the parts leave a gap there.
    await handle.truncate(size);
  });
}

/** Bytes copied at a time by copyFileAtomic. */
const COPY_CHUNK = 1 << 26;

/**
 * writeFileAtomic of a copy of the file at `source` with `patches` (bytes at
 * offsets) written over it, a chunk at a time: a file of any size, where
 * writeFileAtomic takes one array (4 GiB at most). `source` may be `target`.
 * A patch past the source's end is refused before anything is written.
 */
export async function copyFileAtomic(source: string | URL, target: string | URL, patches: readonly (readonly [number, Uint8Array])[]): Promise<void> {
  const path = await filePath(target, 'save');
  const from = await openFileRanges(source);
  try {
    for (const [offset, bytes] of patches) {
      if (offset + bytes.length > from.size) throw new ValueError(`save: cannot write ${path}: bytes ${offset} to ${offset + bytes.length} of it are past the end of ${String(source)} (${from.size} bytes), which it copies; nothing was changed there`);
    }
    await replaceAtomically(path, async (handle) => {
      for (let at = 0; at < from.size; at += COPY_CHUNK) await writeAll(handle, await from.range(at, Math.min(from.size, at + COPY_CHUNK)), at);
      for (const [offset, bytes] of patches) await writeAll(handle, bytes, offset);
    });
  } finally {
    await from.close();
  }
}

async function writeAll(handle: import('node:fs/promises').FileHandle, bytes: Uint8Array, position: number): Promise<void> {
  for (let done = 0; done < bytes.length; ) done += (await handle.write(bytes, done, bytes.length - done, position + done)).bytesWritten;
}

/** writeFileAtomic's steps, the temporary file's content written by `fill`. */
async function replaceAtomically(target: string, fill: (handle: import('node:fs/promises').FileHandle) => Promise<void>): Promise<void> {
  let path = target;
  const fs = await import('node:fs/promises');
  const { basename, dirname, join, resolve } = await import('node:path');
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

  let base = basename(path);
  while (Buffer.byteLength(base) > TMP_NAME_BYTES) base = base.slice(0, -1);
  const tmp = join(dirname(path), `${base}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  let created = false;
  try {
    // 'wx': fail rather than reuse a file of the same name.
    const handle = await fs.open(tmp, 'wx');
    created = true;
    try {
      if (mode !== undefined) await handle.chmod(mode);
      await fill(handle);
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

/**
 * Makes directory `path` and those above it, up to `within`, which must exist
 * already: a missing one is not made (writeFileAtomic then says so).
 */
export async function makeDirectoriesIn(within: string, path: string): Promise<void> {
  const fs = await import('node:fs/promises');
  if (!(await fs.stat(within).catch(() => null))?.isDirectory()) return;
  try {
    await fs.mkdir(path, { recursive: true });
  } catch (err) {
    throw writeFailure(path, path, err);
  }
}

/**
 * Reads a whole file into a Uint8Array of its own, a chunk at a time (files
 * past 2 GiB included). A missing or unreadable file is a ValueError that
 * names the path.
 */
export async function readFileBytes(source: string | URL): Promise<Uint8Array> {
  const file = await openFileRanges(source);
  try {
    return await file.range(0, file.size);
  } finally {
    await file.close();
  }
}

/** A file open for reading byte ranges of it (openFileRanges). */
export interface FileRanges {
  /** Its size in bytes when opened. */
  size: number;
  /** Bytes [start, end) in a Uint8Array of their own. */
  range(start: number, end: number): Promise<Uint8Array>;
  close(): Promise<void>;
}

/**
 * Opens a file to read ranges of it: a file larger than one array holds (4
 * GiB) read in parts. Errors as readFileBytes's; the caller closes it.
 */
export async function openFileRanges(source: string | URL): Promise<FileRanges> {
  const path = await filePath(source, 'load');
  const fs = await import('node:fs/promises');
  const failure = (err: unknown) => {
    const code = (err as { code?: string }).code;
    return new ValueError(code === 'ENOENT' ? `load: no file at ${path}` : `load: cannot read ${path}: ${(err as Error).message}`, { cause: err });
  };
  const handle = await fs.open(path, 'r').catch((err: unknown) => {
    throw failure(err);
  });
  let size: number;
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw new ValueError(`load: cannot read ${path}: it is ${kindOf(stat)}, not a file`);
    size = stat.size;
  } catch (err) {
    await handle.close();
    throw err;
  }
  async function range(start: number, end: number): Promise<Uint8Array> {
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(end - start);
    } catch {
      throw new ValueError(`load: cannot read ${path}${start || end !== size ? ` (bytes ${start} to ${end})` : ''}: it is ${end - start} bytes, more than one JavaScript array holds here`);
    }
    let at = 0;
    while (at < bytes.length) {
      const { bytesRead } = await handle.read(bytes, at, Math.min(READ_CHUNK, bytes.length - at), start + at).catch((err: unknown) => {
        throw failure(err);
      });
      if (bytesRead === 0) throw new ValueError(`load: cannot read ${path}: it ended at byte ${start + at} of ${size} (it changed while being read)`);
      at += bytesRead;
    }
    return bytes;
  }
  return { size, range, close: () => handle.close() };
}

/** Whether a file (or anything) is at `path`: a backup to resume from, say. */
export async function fileExists(target: string | URL): Promise<boolean> {
  const path = await filePath(target, 'load');
  const fs = await import('node:fs/promises');
  try {
    await fs.stat(path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw new ValueError(`load: cannot read ${path}: ${(err as Error).message}`);
  }
}

/** Removes the file at `path`; one already gone is no error. */
export async function removeFile(target: string | URL): Promise<void> {
  const path = await filePath(target, 'save');
  await (await import('node:fs/promises')).rm(path, { force: true });
}
