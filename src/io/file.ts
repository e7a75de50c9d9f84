// Files in Node. Node modules are imported lazily so that the browser bundle,
// which has no file system, never loads them.
import { ValueError } from '../errors.js';

/**
 * Writes `bytes` to `path` atomically: into a temporary file beside it,
 * flushed to disk, then renamed over the target. A crash or a failed write
 * leaves the previous file as it was, and no temporary file behind.
 */
export async function writeFileAtomic(path: string, bytes: Uint8Array): Promise<void> {
  const fs = await import('node:fs/promises');
  const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    const handle = await fs.open(tmp, 'wx');
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(tmp, path);
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw err;
  }
}

export async function readFileBytes(path: string): Promise<Uint8Array> {
  const fs = await import('node:fs/promises');
  try {
    return new Uint8Array(await fs.readFile(path));
  } catch (err) {
    const code = (err as { code?: string }).code;
    throw new ValueError(code === 'ENOENT' ? `load: no file at ${path}` : `load: cannot read ${path}: ${(err as Error).message}`);
  }
}
