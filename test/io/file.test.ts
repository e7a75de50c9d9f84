// Writing files atomically: the target holds either its old bytes or all of
// the new ones, and a failed write leaves no temporary file behind.
import { promises as unmockedFs } from 'node:fs';
import * as mockedFs from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { lstat, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ValueError } from '../../src/errors.js';
import { copyFileAtomic, makeDirectoriesIn, openFileRanges, readFileBytes, writeFileAtomic, writeFilePartsAtomic } from '../../src/io/file.js';

// writeFileAtomic imports node:fs/promises lazily; this wraps its `open` and
// `rename` so a test can make one step fail. By default both do the real thing.
vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs/promises')>();
  return { ...actual, open: vi.fn(actual.open), rename: vi.fn(actual.rename) };
});
const mockedOpen = vi.mocked(mockedFs.open);
const mockedRename = vi.mocked(mockedFs.rename);

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tmnn-io-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
afterEach(() => {
  mockedOpen.mockClear();
  mockedRename.mockClear();
});

/** The file at `path` holds exactly `bytes`. */
async function expectContents(path: string, bytes: Uint8Array) {
  expect(Buffer.compare(await readFile(path), bytes), `contents of ${path}`).toBe(0);
}

const OLD = Uint8Array.of(1, 2, 3);
const NEW = new Uint8Array(100_000).map((_, i) => i % 251);

/** A directory holding one file, `model.bin`, with the old bytes. */
async function withOldFile(name: string): Promise<{ folder: string; path: string }> {
  const folder = join(dir, name);
  await mkdir(folder);
  const path = join(folder, 'model.bin');
  await writeFile(path, OLD);
  return { folder, path };
}

describe('writeFileAtomic', () => {
  it('writes a new file, and replaces an existing one, leaving nothing else in the directory', async () => {
    const folder = join(dir, 'plain');
    await mkdir(folder);
    const path = join(folder, 'out.safetensors');
    await writeFileAtomic(path, OLD);
    await expectContents(path, OLD);
    await writeFileAtomic(path, NEW);
    await expectContents(path, NEW);
    expect(await readdir(folder)).toEqual(['out.safetensors']);
  });

  it('writes a file whose name is as long as a name may be (255 bytes): the temporary name is cut to fit', async () => {
    const folder = join(dir, 'long');
    await mkdir(folder);
    const path = join(folder, `${'m'.repeat(243)}.safetensors`);
    await writeFileAtomic(path, NEW);
    await expectContents(path, NEW);
    const [from] = mockedRename.mock.calls[0] as [string, string];
    expect(Buffer.byteLength(basename(from))).toBeLessThanOrEqual(255);
    expect(await readdir(folder)).toEqual([basename(path)]);
  });

  it('writes into a temporary file beside the target, then renames it over', async () => {
    const { folder, path } = await withOldFile('steps');
    await writeFileAtomic(path, NEW);
    const [from, to] = mockedRename.mock.calls[0] as [string, string];
    expect(to).toBe(path);
    expect(from.startsWith(`${path}.${process.pid}.`) && from.endsWith('.tmp')).toBe(true);
    expect(await readdir(folder)).toEqual(['model.bin']);
  });

  it('keeps the permission bits of the file it replaces', async () => {
    const { path } = await withOldFile('mode');
    await unmockedFs.chmod(path, 0o640);
    await writeFileAtomic(path, NEW);
    expect((await stat(path)).mode & 0o777).toBe(0o640);
  });

  it('a write that fails midway (disk full) leaves the old file intact and no temporary file', async () => {
    const { folder, path } = await withOldFile('disk-full');
    mockedOpen.mockImplementationOnce(async (...args: Parameters<typeof unmockedFs.open>) => {
      const handle = await unmockedFs.open(...args);
      // Half the bytes reach the disk, then the device is full.
      handle.writeFile = async (data: unknown) => {
        await unmockedFs.appendFile(args[0], (data as Uint8Array).subarray(0, 1000));
        throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      };
      return handle;
    });
    await expect(writeFileAtomic(path, NEW)).rejects.toThrow(/^save: cannot write .*: no space left on the device \(ENOSPC\)/);
    await expectContents(path, OLD);
    expect(await readdir(folder)).toEqual(['model.bin']);
  });

  it('a failed fsync leaves the old file intact and no temporary file', async () => {
    const { folder, path } = await withOldFile('fsync');
    mockedOpen.mockImplementationOnce(async (...args: Parameters<typeof unmockedFs.open>) => {
      const handle = await unmockedFs.open(...args);
      handle.sync = async () => {
        throw Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' });
      };
      return handle;
    });
    await expect(writeFileAtomic(path, NEW)).rejects.toThrow(/EIO/);
    await expectContents(path, OLD);
    expect(await readdir(folder)).toEqual(['model.bin']);
  });

  it('a failed rename leaves the old file intact and no temporary file', async () => {
    const { folder, path } = await withOldFile('rename');
    mockedRename.mockRejectedValueOnce(Object.assign(new Error('EXDEV: cross-device link not permitted, rename'), { code: 'EXDEV' }));
    await expect(writeFileAtomic(path, NEW)).rejects.toThrow(/EXDEV/);
    await expectContents(path, OLD);
    expect(await readdir(folder)).toEqual(['model.bin']);
  });

  it('a directory, a pipe or a device at the path is refused before anything is written (a rename would replace it with a file)', async () => {
    const folder = join(dir, 'target-is-dir');
    await mkdir(join(folder, 'model.bin'), { recursive: true });
    await writeFile(join(folder, 'model.bin', 'inside'), OLD);
    await expect(writeFileAtomic(join(folder, 'model.bin'), NEW)).rejects.toThrow(
      new ValueError(`save: cannot write ${join(folder, 'model.bin')}: it is a directory, not a regular file; nothing was changed there`),
    );
    expect(await readdir(folder)).toEqual(['model.bin']);
    await expectContents(join(folder, 'model.bin', 'inside'), OLD);
    const pipe = join(folder, 'pipe');
    execFileSync('mkfifo', [pipe]);
    await expect(writeFileAtomic(pipe, NEW)).rejects.toThrow(`save: cannot write ${pipe}: it is a pipe, not a regular file`);
    expect((await stat(pipe)).isFIFO()).toBe(true);
    await expect(writeFileAtomic(`${folder}/`, NEW)).rejects.toThrow(`save: cannot write ${folder}/: the path names a directory, not a file`);
    expect((await readdir(folder)).sort()).toEqual(['model.bin', 'pipe']);
  });

  it('writes through a symbolic link: the link stays, the file it points to is replaced atomically', async () => {
    const { folder, path } = await withOldFile('through-link');
    const link = join(folder, 'latest.bin');
    await symlink('model.bin', link);
    await writeFileAtomic(link, NEW);
    expect((await lstat(link)).isSymbolicLink()).toBe(true);
    await expectContents(path, NEW);
    expect((await readdir(folder)).sort()).toEqual(['latest.bin', 'model.bin']);
    // A link to a file not yet there creates it.
    await symlink('next.bin', join(folder, 'pending.bin'));
    await writeFileAtomic(join(folder, 'pending.bin'), OLD);
    await expectContents(join(folder, 'next.bin'), OLD);
    expect((await lstat(join(folder, 'pending.bin'))).isSymbolicLink()).toBe(true);
  });

  it('a missing directory is an error, and creates nothing', async () => {
    const target = join(dir, 'no', 'such', 'dir', 'x.bin');
    await expect(writeFileAtomic(target, NEW)).rejects.toThrow(ValueError);
    await expect(writeFileAtomic(target, NEW)).rejects.toThrow(`save: cannot write ${target}: its directory ${join(dir, 'no', 'such', 'dir')} does not exist (ENOENT); nothing was changed there`);
    await expect(stat(join(dir, 'no'))).rejects.toThrow(/ENOENT/);
  });

  it('refuses bytes that are not a Uint8Array before touching the disk', async () => {
    const { folder, path } = await withOldFile('bad-bytes');
    await expect(writeFileAtomic(path, 'text' as unknown as Uint8Array)).rejects.toThrow(ValueError);
    await expect(writeFileAtomic(path, 'text' as unknown as Uint8Array)).rejects.toThrow('save: bytes must be a Uint8Array, got String');
    await expectContents(path, OLD);
    expect(await readdir(folder)).toEqual(['model.bin']);
    expect(mockedOpen).not.toHaveBeenCalled();
  });
});

describe('readFileBytes', () => {
  it('reads a file as a plain Uint8Array', async () => {
    const path = join(dir, 'read.bin');
    await writeFile(path, NEW);
    const bytes = await readFileBytes(path);
    expect(Object.getPrototypeOf(bytes)).toBe(Uint8Array.prototype); // not a Buffer
    expect(Buffer.compare(bytes, NEW)).toBe(0);
    const small = join(dir, 'small.bin');
    await writeFile(small, OLD);
    const got = await readFileBytes(small);
    expect(got).toEqual(OLD);
    expect(got.buffer.byteLength).toBe(3); // its own memory, not a slice of Node's shared pool
  });

  it("reads a file past 2 GiB, where Node's readFile stops, a chunk at a time", async () => {
    const path = join(dir, 'big.bin');
    const size = 2 ** 31 + 3;
    await writeFile(path, Uint8Array.of(1));
    await truncate(path, size); // sparse: zeros that take no disk
    const handle = await unmockedFs.open(path, 'r+');
    await handle.write(Uint8Array.of(5), 0, 1, 2 ** 30 + 1); // in the second chunk
    await handle.write(Uint8Array.of(7, 8, 9), 0, 3, size - 3);
    await handle.close();
    let bytes: Uint8Array | null = await readFileBytes(path);
    await rm(path);
    expect(bytes.length).toBe(size);
    expect([bytes[0], bytes[2 ** 30], bytes[2 ** 30 + 1], ...bytes.subarray(size - 4)]).toEqual([1, 0, 5, 0, 7, 8, 9]);
    bytes = null;
  }, 60_000);

  it('names a missing file', async () => {
    const path = join(dir, 'absent.safetensors');
    await expect(readFileBytes(path)).rejects.toThrow(ValueError);
    await expect(readFileBytes(path)).rejects.toThrow(`load: no file at ${path}`);
  });

  it('names a path it cannot read', async () => {
    await expect(readFileBytes(dir)).rejects.toThrow(`load: cannot read ${dir}: it is a directory, not a file`);
  });
});

describe('openFileRanges', () => {
  it('reads ranges of a file, each into its own array, the whole and empty ones too', async () => {
    const path = join(dir, 'ranges.bin');
    const data = Uint8Array.from({ length: 1001 }, (_, i) => (i * 37 + 11) & 255);
    await writeFile(path, data);
    const file = await openFileRanges(path);
    try {
      expect(file.size).toBe(1001);
      for (const [start, end] of [[0, 1001], [0, 1], [500, 777], [1000, 1001], [1001, 1001], [3, 3]]) {
        const bytes = await file.range(start, end);
        expect(bytes).toEqual(data.subarray(start, end));
        expect(bytes.buffer.byteLength).toBe(end - start);
      }
    } finally {
      await file.close();
    }
  });

  it('a range past the end says the file changed; a missing file and a directory are named as readFileBytes names them', async () => {
    const path = join(dir, 'short.bin');
    await writeFile(path, OLD);
    const file = await openFileRanges(path);
    await expect(file.range(1, 10)).rejects.toThrow(`load: cannot read ${path}: it ended at byte ${OLD.length} of ${OLD.length} (it changed while being read)`);
    await file.close();
    await expect(openFileRanges(join(dir, 'absent.bin'))).rejects.toThrow(`load: no file at ${join(dir, 'absent.bin')}`);
    await expect(openFileRanges(dir)).rejects.toThrow(`load: cannot read ${dir}: it is a directory, not a file`);
  });
});

describe('copyFileAtomic', () => {
  it('writes a copy with bytes written over it, over another file or over the source itself', async () => {
    const source = join(dir, 'copy-source.bin');
    const data = Uint8Array.from({ length: 300 }, (_, i) => i & 255);
    await writeFile(source, data);
    const target = join(dir, 'copy-target.bin');
    await writeFile(target, OLD);
    await copyFileAtomic(source, target, [[10, Uint8Array.of(1, 2, 3)], [297, Uint8Array.of(9, 9, 9)]]);
    const want = data.slice();
    want.set([1, 2, 3], 10);
    want.set([9, 9, 9], 297);
    expect(new Uint8Array(await readFile(target))).toEqual(want);
    expect(new Uint8Array(await readFile(source))).toEqual(data);
    await copyFileAtomic(source, source, [[0, Uint8Array.of(7)]]);
    expect(new Uint8Array(await readFile(source))).toEqual(Uint8Array.of(7, ...data.subarray(1)));
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('copies a file larger than its 64 MiB chunk', async () => {
    const source = join(dir, 'copy-big.bin');
    const size = 2 ** 26 + 5;
    await writeFile(source, Uint8Array.of(4));
    await truncate(source, size);
    const target = join(dir, 'copy-big-target.bin');
    await copyFileAtomic(source, target, [[2 ** 26 + 1, Uint8Array.of(6)]]);
    const bytes = new Uint8Array(await readFile(target));
    expect(bytes.length).toBe(size);
    expect([bytes[0], bytes[2 ** 26], bytes[2 ** 26 + 1], bytes[size - 1]]).toEqual([4, 0, 6, 0]);
    await rm(source);
    await rm(target);
  }, 60_000);

  it('refuses bytes past the source\'s end before writing anything', async () => {
    const source = join(dir, 'copy-short.bin');
    await writeFile(source, OLD);
    const target = join(dir, 'copy-untouched.bin');
    await writeFile(target, NEW);
    await expect(copyFileAtomic(source, target, [[2, Uint8Array.of(1, 1)]])).rejects.toThrow(`save: cannot write ${target}: bytes 2 to 4 of it are past the end of ${source} (3 bytes), which it copies; nothing was changed there`);
    expect(Buffer.compare(await readFile(target), NEW)).toBe(0);
    await expect(copyFileAtomic(join(dir, 'absent.bin'), target, [])).rejects.toThrow(`load: no file at ${join(dir, 'absent.bin')}`);
  });
});

describe('writeFilePartsAtomic', () => {
  it('writes each part at its offset, zeros between, replacing a longer file whole', async () => {
    const path = join(dir, 'parts.bin');
    await writeFile(path, NEW);
    await writeFilePartsAtomic(path, [[5, Uint8Array.of(1, 2)], [0, Uint8Array.of(9)], [10, Uint8Array.of(3)]]);
    expect(new Uint8Array(await readFile(path))).toEqual(Uint8Array.of(9, 0, 0, 0, 0, 1, 2, 0, 0, 0, 3));
    await writeFilePartsAtomic(path, []);
    expect((await stat(path)).size).toBe(0);
    await expect(writeFilePartsAtomic(join(dir, 'no-dir', 'parts.bin'), [[0, OLD]])).rejects.toThrow(/no-dir does not exist \(ENOENT\); nothing was changed there/);
  });
});

describe('makeDirectoriesIn', () => {
  it('makes the directories below one that exists, and none below one that does not', async () => {
    await makeDirectoriesIn(dir, join(dir, 'made', 'deeper'));
    expect((await stat(join(dir, 'made', 'deeper'))).isDirectory()).toBe(true);
    await makeDirectoriesIn(join(dir, 'nowhere'), join(dir, 'nowhere', 'sub'));
    await expect(stat(join(dir, 'nowhere'))).rejects.toThrow(/ENOENT/);
    await writeFile(join(dir, 'a-file'), OLD);
    await expect(makeDirectoriesIn(dir, join(dir, 'a-file', 'sub'))).rejects.toThrow(/save: cannot write .*a-file\/sub: /);
  });
});

describe('files in the browser bundle (file.browser.ts in file.ts\'s place)', () => {
  it('a path given in a page is refused with what to use instead, and nothing is touched', async () => {
    const browser = await import('../../src/io/file.browser.js');
    await expect(browser.writeFileAtomic('model.safetensors')).rejects.toThrow('save: a page has no file system to write model.safetensors to; model.toBytes() gives the model file\'s bytes');
    await expect(browser.readFileBytes('model.safetensors')).rejects.toThrow(ValueError);
    await expect(browser.readFileBytes('model.safetensors')).rejects.toThrow('fetch the bytes and pass them to tm.nn.fromBytes() (or tm.onnx.fromBytes() for an ONNX model)');
    await expect(browser.openFileRanges('weights.bin')).rejects.toThrow("load: a page has no file system to read weights.bin from; fetch the bytes and pass them to tm.onnx.fromBytes() or tm.onnx.load() (an ONNX model's side files as { externalData })");
    await expect(browser.copyFileAtomic('a.bin', 'b.bin')).rejects.toThrow("save: a page has no file system to write b.bin to");
    await expect(browser.writeFilePartsAtomic('c.bin')).rejects.toThrow('save: a page has no file system to write c.bin to');
    await expect(browser.makeDirectoriesIn('.', 'data')).rejects.toThrow("save: a page has no file system to write data to; an ONNX model's toFiles() gives its files' bytes");
    await expect(browser.fileExists('run.ckpt')).rejects.toThrow('fit: a page has no file system to keep a backup at run.ckpt; save checkpoints with tm.nn.trainingStateToBytes() in onEpochEnd instead');
    await expect(browser.removeFile('run.ckpt')).rejects.toThrow('save: a page has no file system to remove run.ckpt from');
  });
});
